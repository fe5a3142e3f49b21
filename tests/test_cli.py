"""The smmkit command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import smmkit
from smmkit.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"smmkit {smmkit.__version__}\n"


def test_platforms_table_lists_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["platforms"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = out[2:]
    assert len(rows) == 16
    assert {r.split()[0] for r in rows} == set(smmkit.catalog.platform_ids())
    x_row = next(r for r in rows if r.startswith("x "))
    assert "weighted" in x_row and "280" in x_row


def test_platforms_filter_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["platforms", "--api", "none", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in data] == ["wechat_channels", "xiaohongshu", "zhihu"]


def test_bad_filter_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["platforms", "--region", "mars"]) == 1  # an input error, not a usage one
    err = capsys.readouterr().err
    assert "region" in err and "mars" in err


def test_demo_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "healthy-tea brand" in out and "Done in" in out


def test_console_script_is_installed() -> None:
    beside = Path(sys.executable).parent / "smmkit"
    exe = str(beside) if beside.exists() else shutil.which("smmkit")
    assert exe, "the smmkit console script is not installed"
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"smmkit {smmkit.__version__}"


def test_adapt_reads_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "post.txt"
    source.write_text("下午三点，泡一杯冷泡乌龙。", encoding="utf-8")
    assert main(["adapt", str(source), "-p", "douyin", "-p", "xiaohongshu", "-t", "冷泡茶"]) == 0
    out = capsys.readouterr().out
    assert "== douyin" in out
    assert "#冷泡茶[话题]#" in out  # Xiaohongshu's topic form
    assert "== weibo" not in out


def test_adapt_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Cold brew at three."))
    assert main(["adapt", "-p", "x"]) == 0
    assert "(weighted 19/280)" in capsys.readouterr().out


def test_adapt_errors_name_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["adapt", str(tmp_path / "missing.txt")]) == 1
    assert "file: cannot be read" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["adapt", str(empty)]) == 1
    assert "text: is empty" in capsys.readouterr().err
    assert main(["adapt", "-p", "myspace", str(empty.with_name("ok.txt"))]) == 1
    capsys.readouterr()
    (tmp_path / "ok.txt").write_text("hi", encoding="utf-8")
    assert main(["adapt", "-p", "myspace", str(tmp_path / "ok.txt")]) == 1
    assert "unknown platform id" in capsys.readouterr().err
