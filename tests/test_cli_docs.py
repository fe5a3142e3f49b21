"""The shell examples of docs/cli.md run, and print what the page says.

The page's ``console`` and ``python`` blocks run top to bottom in one temporary folder
(a Python block may write a file a later command reads). In a ``console`` block, lines
starting with ``$`` are commands, run by bash one block at a time (so ``$?`` works);
the other lines are the expected output, stdout and stderr together. A line ``...``
matches any lines, ``...`` within a line any text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
BLOCK = re.compile(r"^```(console|python)\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


def _split(block: str) -> tuple[str, str]:
    """The block's commands as a script, and its expected output."""
    commands, expected = [], []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append(line[2:])
        else:
            expected.append(line)
    return "\n".join(commands) + "\n", "".join(f"{line}\n" for line in expected)


def _pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.splitlines():
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.compile("".join(parts), re.S)


def test_the_runner_matches_ellipses() -> None:
    assert _pattern("a\n...\nz\n").fullmatch("a\nb\nc\nz\n")
    assert _pattern('"v": "..."\n').fullmatch('"v": "1.2"\n')
    assert not _pattern("a\nz\n").fullmatch("a\nb\nz\n")
    assert _split("$ echo hi\nhi\n") == ("echo hi\n", "hi\n")


@pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are bash")
def test_cli_page_examples_run(tmp_path: Path) -> None:
    blocks = _blocks()
    assert sum(kind == "console" for kind, _ in blocks) >= 8
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "80"  # argparse wraps usage lines to the terminal
    namespace: dict[str, object] = {"__name__": "docs_cli"}
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, (kind, code) in enumerate(blocks, start=1):
            if kind == "python":
                exec(compile(code, f"cli.md[block {number}]", "exec"), namespace)
                continue
            script, expected = _split(code)
            proc = subprocess.run(
                ["bash", "-c", "exec 2>&1\n" + script],
                capture_output=True,
                text=True,
                encoding="utf-8",
                env=env,
                cwd=tmp_path,
                check=False,
                timeout=300,
            )
            out = proc.stdout.replace("\r\n", "\n")
            assert _pattern(expected).fullmatch(out), (
                f"cli.md block {number}:\n{script}\n--- expected ---\n{expected}--- got ---\n{out}"
            )
    finally:
        os.chdir(old)
