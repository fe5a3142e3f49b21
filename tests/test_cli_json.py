"""``--json`` on every command, and the exit codes: 0 success, 1 input, 2 usage."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import smmkit
from smmkit.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    assert main(list(argv)) == code
    out = capsys.readouterr()
    return json.loads(out.out)


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    # A real stdin has a byte buffer: the command reads UTF-8 bytes from it.
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_version_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "--version", "--json") == {
        "name": "smmkit",
        "version": smmkit.__version__,
    }
    assert run_json(capsys, "--json", "--version")["version"] == smmkit.__version__


@pytest.mark.parametrize("where", ["before", "after"])
def test_json_before_or_after_the_command(capsys: pytest.CaptureFixture[str], where: str) -> None:
    argv = ["platforms", "--role", "trust"]
    argv = ["--json", *argv] if where == "before" else [*argv, "--json"]
    data = run_json(capsys, *argv)
    assert {d["id"] for d in data} == {p.id for p in smmkit.list_platforms(role="trust")}
    assert all("text" in d and "api_access" in d for d in data)


def test_adapt_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "post.txt"
    source.write_text("下午三点，泡一杯冷泡乌龙。", encoding="utf-8")
    data = run_json(
        capsys, "adapt", str(source), "-p", "weibo", "-p", "x", "-t", "冷泡茶", "--json"
    )
    assert data["ok"] is True and data["errors"] == []
    rows = {r["platform"]: r for r in data["platforms"]}
    assert rows["x"]["unit"] == "weighted" and rows["x"]["limit"] == 280
    assert rows["weibo"]["length"] == 18 and rows["weibo"]["parts"] == 1
    assert rows["weibo"]["violations"] == []
    posts = {p["platform"]: p for p in data["posts"]}
    assert posts["weibo"]["body"].endswith("#冷泡茶#")
    # the same numbers as the text output's header
    assert main(["adapt", str(source), "-p", "weibo", "-t", "冷泡茶"]) == 0
    assert "(weibo_units 18/140)" in capsys.readouterr().out
    # stdin, and a long text that becomes a thread
    _stdin(monkeypatch, "Cold brew at three. " * 30)
    data = run_json(capsys, "--json", "adapt", "-p", "x")
    assert data["platforms"][0]["parts"] > 1
    assert all(len(part) <= 280 for part in data["posts"][0]["parts"])


def test_demo_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "demo", "--seed", "3", "--json", "--out", str(tmp_path / "r"))
    assert data["seed"] == 3 and data["version"] == smmkit.__version__
    assert "Goal and KPIs" in data["sections"]
    assert data["sections"]["Publishing calendar"]["conflicts"] == 0
    assert str(tmp_path / "r" / "report.md") in data["files"]
    saved = json.loads((tmp_path / "r" / "results.json").read_text(encoding="utf-8"))
    assert saved["sections"] == data["sections"]  # the summary is the report's numbers


@pytest.mark.parametrize(
    "argv",
    [
        ["bogus"],
        ["platforms", "--bogus"],
        ["adapt", "--platform"],
        ["demo", "--seed", "seven"],
        ["validate", "a.json", "b.json"],
        ["ical", "--import", "--now", "2026-05-01T00:00:00Z", "plan.ics"],
        ["ical", "--platform", "weibo", "plan.json"],
        ["ical", "--base", "plan.json", "plan.json"],
        ["--json", "platforms", "--nope"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: smmkit" in captured.err and "error:" in captured.err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "validate" in out and "ical" in out and "exit codes" in out
    assert main(["ical", "--help"]) == 0
    assert "--import" in capsys.readouterr().out
    assert main([]) == 0  # no command: the help
    assert "COMMAND" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["platforms", "--api", "maybe"], "api_access"),
        (["adapt", "-p", "myspace", "-"], "platform"),
        (["validate", "{missing}"], "file"),
        (["ical", "{missing}"], "file"),
        (["ical", "--import", "{missing}"], "file"),
    ],
)
def test_input_errors_exit_1_with_the_typed_message(
    argv: list[str], field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.replace("{missing}", str(tmp_path / "missing")) for a in argv]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"smmkit: error: {field}: ")
    assert "Traceback" not in captured.err
    # under --json the same error is a JSON object on stderr
    assert main(["--json", *argv]) == 1
    captured = capsys.readouterr()
    error = json.loads(captured.err)["error"]
    assert error["fields"] == [field] and error["message"].startswith(f"{field}: ")


def test_unknown_platform_json_error_lists_the_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, '{"id": "p", "body": "hi"}')
    assert main(["validate", "--json", "-p", "myspace"]) == 1
    error = json.loads(capsys.readouterr().err)["error"]
    assert error["type"] == "UnknownPlatformError"
    assert "weibo" in error["known"] and "myspace" in error["message"]


def _exe() -> str:
    beside = Path(sys.executable).parent / "smmkit"
    exe = str(beside) if beside.exists() else shutil.which("smmkit")
    assert exe, "the smmkit console script is not installed"
    return exe


def test_console_script_exit_codes(tmp_path: Path) -> None:
    exe = _exe()
    usage = subprocess.run([exe, "adapt", "--nope"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "unrecognized arguments" in usage.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    proc = subprocess.run([exe, "validate", str(bad)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("smmkit: error: file: is not valid JSON")
    assert "Traceback" not in proc.stderr
    ok = subprocess.run([exe, "--json", "--version"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["version"] == smmkit.__version__


def test_python_m_runs_the_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smmkit.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == f"smmkit {smmkit.__version__}"


TOKENS = [
    "platforms", "adapt", "validate", "ical", "--json", "--version", "--help", "-p", "x",
    "weibo", "myspace", "-t", "--title", "--no-threads", "--role", "trust", "--region",
    "--api", "--import", "--tz", "Asia/Shanghai", "--now", "2026-05-01T00:00:00Z", "--name",
    "--platform", "--base", "-", "--seed", "7", "",
]  # fmt: skip


def _safe(token: str) -> bool:
    # nothing that writes a file (-o, --output, --out and their abbreviations)
    return not token.startswith(("-o", "--o"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(TOKENS), st.text(max_size=12).filter(_safe)),
        max_size=6,
    ),
    st.sampled_from(["", "hi", "{}", "[1]", '{"id": "p", "body": "x"}', "BEGIN:VCALENDAR"]),
)
def test_any_command_line_exits_0_1_or_2(argv: list[str], stdin: str) -> None:
    """Whatever the arguments and input, main returns an exit code: it never raises."""
    out, err = io.StringIO(), io.StringIO()
    with (
        patch("sys.stdin", io.StringIO(stdin)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(argv)
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
    if code == 1 and "--json" in argv and err.getvalue():
        assert "error" in json.loads(err.getvalue())
