"""Every ```python block in README.md and docs/ runs, top to bottom, per page.

Blocks on one page share a namespace, like cells of a notebook. A page's
examples run in a temporary directory so they may write files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if _blocks(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, code in enumerate(_blocks(page), start=1):
            try:
                exec(compile(code, f"{page.name}[block {number}]", "exec"), namespace)
            except Exception as exc:
                raise AssertionError(f"{page.name} block {number} failed: {exc!r}\n{code}") from exc
    finally:
        os.chdir(old)
