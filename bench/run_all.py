"""Run every benchmark in this folder, one after another, each in its own process.

    python bench/run_all.py            # all of them (several minutes)
    python bench/run_all.py crisis     # only the scripts whose name contains "crisis"
    python bench/run_all.py text_linear  # every text function from 1 KB to 1 MB (issue 16)

Each script compares smmkit with its peer library in the same run and prints its table;
see docs/benchmarks.md for the figures and the machine they were measured on.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    scripts = sorted(p for p in here.glob("*.py") if p.name != Path(__file__).name)
    if argv:
        scripts = [p for p in scripts if any(word in p.stem for word in argv)]
    failed = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"=== {script.name}: exit {code} in {time.perf_counter() - started:.0f} s ===")
        if code:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
