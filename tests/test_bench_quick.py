"""``python bench/run_all.py --quick`` finds every benchmark, and each one takes ``--quick``.

Running the benchmarks is CI's step after the tests (``.ci/run``); this only checks,
cheaply, that a new script in ``bench/`` cannot be left out of that run or break it by
not taking ``--quick``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_all", BENCH / "run_all.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_discovers_every_benchmark_script() -> None:
    scripts = {p.name for p in BENCH.glob("*.py")} - {"run_all.py"}
    benchmarks = {name for name in scripts if not name.startswith("_")}
    assert len(benchmarks) >= 10
    assert {p.name for p in _run_all().discover()} == benchmarks
    listed = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(listed) == sorted(benchmarks)


def test_every_benchmark_takes_quick() -> None:
    """The contract of bench/_common.py: each script declares a ``--quick`` option."""
    missing = [
        p.name
        for p in _run_all().discover()
        if not re.search(r"""["']--quick["']""", p.read_text(encoding="utf-8"))
    ]
    assert missing == []


def test_no_path_of_the_measuring_machine() -> None:
    """Commands in bench/ and the benchmark pages work from any clone."""
    docs = BENCH.parent / "docs"
    pages = [docs / "benchmarks.md", *sorted((docs / "benchmarks").glob("*.md"))]
    machine = re.compile(r"(?<![\w.])(/work/|/tmp/|/home/|/root/|~/)")
    found = [
        f"{path.name}:{number}"
        for path in [*pages, *BENCH.glob("*.py")]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if machine.search(line)
    ]
    assert found == []
