"""smmkit.analytics is pure: no I/O libraries, no clock, no optional heavy dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

import smmkit.analytics

PACKAGE = Path(smmkit.analytics.__file__).parent
FORBIDDEN_MODULES = {"httpx", "tenacity", "requests", "socket", "numpy", "pandas", "time", "random"}
FORBIDDEN_CALLS = {"now", "utcnow", "today", "open", "time", "perf_counter"}


def _sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 10
    return files


def test_no_io_or_clock_imports() -> None:
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if path.name.endswith("_numpy.py") and id(node) not in top_level:
                # an optional engine (issue 20): numpy imported inside its function only,
                # so the package imports and works without it
                names = [n for n in names if n != "numpy"]
            problems += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_MODULES]
    assert problems == []


def test_no_clock_reads_or_file_access() -> None:
    problems = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in FORBIDDEN_CALLS:
                    problems.append(f"{path.name}:{node.lineno} {name}()")
    assert problems == []
