"""``smmkit validate``: posts and pieces as JSON, from a file or stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from smmkit.cli import main
from smmkit.content import adapt
from smmkit.models import ContentPiece

LONG_TITLE = "一个很长很长的标题" * 4  # 36 字: over WeChat OA's 32


def _write(tmp_path: Path, data: Any, name: str = "in.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_a_clean_post_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = adapt(ContentPiece(id="tea-1", body="下午三点，泡一杯。", tags=("办公室茶",)), "weibo")
    path = _write(tmp_path, post.model_dump(mode="json"))
    assert main(["validate", path]) == 0
    assert capsys.readouterr().out == "weibo: post tea-1: ok\n"
    assert main(["validate", path, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == {
        "ok": True,
        "errors": 0,
        "warnings": 0,
        "results": [
            {
                "input": None,
                "kind": "post",
                "id": "tea-1",
                "platform": "weibo",
                "ok": True,
                "violations": [],
            }
        ],
    }


def test_errors_exit_1_and_are_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, {"platform": "x", "piece_id": "p", "body": "a" * 300})
    assert main(["validate", path]) == 1
    out = capsys.readouterr()
    assert out.err == ""  # a verdict, not an error of the command
    assert out.out.splitlines() == [
        "x: post p: 1 error",
        "  error: text_too_long (body): 300 weighted units; x allows 280",
    ]
    assert main(["validate", path, "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["errors"] == 1
    assert data["results"][0]["violations"][0]["code"] == "text_too_long"


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, {"id": "p", "body": "全网第一的冷泡茶"})
    assert main(["validate", path, "-p", "weibo"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("weibo: piece p: 1 warning\n  warning: compliance.absolute_term (body)")


def test_a_piece_against_several_platforms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, {"id": "tea-2", "title": LONG_TITLE, "body": "冷泡茶"})
    assert main(["validate", path, "-p", "wechat_oa", "-p", "weibo", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    verdicts = {r["platform"]: (r["kind"], r["ok"]) for r in data["results"]}
    assert verdicts == {"wechat_oa": ("piece", False), "weibo": ("piece", True)}
    assert main(["validate", path, "-p", "wechat_oa", "-p", "weibo"]) == 1
    out = capsys.readouterr().out
    assert "wechat_oa: piece tea-2: 1 error" in out
    assert "title_too_long (title): title is 36 字; wechat_oa allows 32" in out
    assert out.splitlines()[-1] == "2 checks: 1 error"


def test_a_post_against_another_platform(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, {"platform": "weibo", "piece_id": "p", "body": "a" * 300})
    assert main(["validate", path, "--json"]) == 1  # 150 units: over Weibo's 140
    assert json.loads(capsys.readouterr().out)["results"][0]["platform"] == "weibo"
    assert main(["validate", path, "-p", "mastodon"]) == 1
    assert "platform_mismatch (platform): post was adapted for 'weibo'" in capsys.readouterr().out


def test_stdin_list_and_adapt_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"platform": "x", "piece_id": "a", "body": "ok"},
        {"platform": "x", "piece_id": "b", "body": "b" * 281},
    ]
    _stdin(monkeypatch, json.dumps(items))
    assert main(["validate", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(r["input"], r["id"], r["ok"]) for r in data["results"]] == [
        ("[0]", "a", True),
        ("[1]", "b", False),
    ]
    # what `smmkit adapt --json` prints validates as its posts, also via '-'
    _stdin(monkeypatch, "下午三点，泡一杯冷泡茶。")
    assert main(["adapt", "--json", "-p", "weibo", "-p", "douyin"]) == 0
    adapted = capsys.readouterr().out
    _stdin(monkeypatch, adapted)
    assert main(["validate", "-"]) == 0  # warnings alone pass
    assert capsys.readouterr().out.splitlines() == [
        "[0] weibo: post cli: ok",
        "[1] douyin: post cli: 1 warning",
        "  warning: media_required (media): douyin posts need a picture or a video",
        "2 checks: 1 warning",
    ]


def test_stdin_with_a_byte_order_mark(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, '\ufeff{"platform": "x", "piece_id": "p", "body": "冷泡茶"}')
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "x: post p: ok\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file: is empty"),
        ("{not json", "file: is not valid JSON: Expecting property name"),
        ('"a string"', "input: must be a JSON object (a post or a piece)"),
        ("[]", "input: holds no post or piece"),
        ("[1]", "input[0]: must be a JSON object"),
        ('{"platform": "x", "piece_id": "p"}', "invalid PlatformPost: body: Field required"),
        ('[{"id": "p", "body": "x", "bogus": 1}]', "invalid ContentPiece: input[0].bogus:"),
        ('{"id": "p", "body": "x"}', "--platform: is required to validate a piece"),
        ('{"platform": "myspace", "piece_id": "p", "body": "x"}', "unknown platform id"),
    ],
)
def test_bad_input_exits_1_without_traceback(
    content: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _stdin(monkeypatch, content)
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and "Traceback" not in captured.err


def test_a_file_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gbk.json"
    path.write_bytes('{"id": "p", "body": "冷泡茶"}'.encode("gbk"))
    assert main(["validate", str(path), "-p", "x"]) == 1
    assert "file: is not UTF-8 text" in capsys.readouterr().err
