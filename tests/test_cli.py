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
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert smmkit.__version__ in capsys.readouterr().out


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
    assert main(["platforms", "--region", "mars"]) == 2
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
