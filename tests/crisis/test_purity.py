"""smmkit.crisis is pure: no I/O, no clock, optional engines imported only when asked for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import smmkit.crisis

PACKAGE = Path(smmkit.crisis.__file__).parent
NO_IO = {"httpx", "tenacity", "requests", "socket", "time", "random", "os", "pathlib"}
OPTIONAL = {"ahocorasick", "snownlp", "vaderSentiment", "transformers"}
NO_CLOCK = {"now", "utcnow", "today", "open", "perf_counter", "monotonic"}


def _trees() -> list[tuple[Path, ast.Module]]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) >= 12
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in files]


def test_no_io_clock_or_eager_optional_imports() -> None:
    problems = []
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                if isinstance(node, ast.Call):
                    func = node.func
                    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                    if name in NO_CLOCK:
                        problems.append(f"{path.name}:{node.lineno} calls {name}")
                continue
            if roots & NO_IO:
                problems.append(f"{path.name}:{node.lineno} imports {roots & NO_IO}")
        for node in tree.body:  # module level only: optional engines load lazily
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    {a.name.split(".")[0] for a in node.names}
                    if isinstance(node, ast.Import)
                    else {(node.module or "").split(".")[0]}
                )
                if names & OPTIONAL:
                    problems.append(f"{path.name}:{node.lineno} imports {names & OPTIONAL} eagerly")
    assert problems == []


def test_import_loads_no_optional_engine() -> None:
    code = (
        "import sys, smmkit.crisis; "
        f"print(sorted(m for m in {sorted(OPTIONAL)!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
