"""Run every benchmark in this folder, one after another, each in its own process.

    python bench/run_all.py --quick      # every script at a small size: under two minutes
    python bench/run_all.py              # every script at full size (tens of minutes)
    python bench/run_all.py crisis       # only the scripts whose name contains "crisis"
    python bench/run_all.py --list       # the scripts it finds, one a line

Every ``bench/*.py`` except this file and the helpers (``_*.py``) is a benchmark. Each
compares smmkit with its peer library in the same run and prints its table; see
docs/benchmarks.md for the figures and the machine they were measured on.

``--quick`` passes ``--quick`` to every script (the contract in ``bench/_common.py``:
smmkit's side at a small size, every check still made, absent peers skipped with a
one-line note) and stops a script after ``--timeout`` seconds. The run exits non-zero
when any script fails, times out or does not take ``--quick``, so CI sees a benchmark
that breaks.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK_TIMEOUT = 90.0  # seconds per script with --quick; each takes well under 20 s idle


def discover(folder: Path = HERE) -> list[Path]:
    """Every benchmark script in ``folder``: ``*.py`` but this runner and ``_*.py``."""
    return sorted(
        p for p in folder.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_")
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(script: Path, args: list[str], timeout: float | None) -> tuple[str, float, float]:
    """Run one script in its own process group; (status, wall seconds, CPU seconds)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", MPLBACKEND="Agg")
    started, cpu = time.perf_counter(), _children_cpu()
    # its own session, so that a timeout also stops the processes the script started
    proc = subprocess.Popen([sys.executable, str(script), *args], env=env, start_new_session=True)
    try:
        code = proc.wait(timeout=timeout)
        status = "ok" if code == 0 else f"exit {code}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        status = f"timeout {timeout:.0f} s"
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    return status, time.perf_counter() - started, _children_cpu() - cpu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="run only scripts whose name contains one")
    parser.add_argument("--quick", action="store_true", help="every script at a small size")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"seconds per script (default {QUICK_TIMEOUT:.0f} with --quick, else none)",
    )
    parser.add_argument("--list", action="store_true", help="list the scripts and stop")
    args = parser.parse_args(argv)
    scripts = discover()
    if args.names:
        scripts = [p for p in scripts if any(word in p.stem for word in args.names)]
    if args.list:
        print("\n".join(p.name for p in scripts))
        return 0
    if not scripts:
        print("no benchmark script matches " + " ".join(args.names))
        return 1
    timeout = args.timeout if args.timeout is not None else QUICK_TIMEOUT if args.quick else None
    results = []
    started = time.perf_counter()
    for script in scripts:
        print(f"\n=== {script.name}{' --quick' if args.quick else ''} ===", flush=True)
        status, wall, cpu = run(script, ["--quick"] if args.quick else [], timeout)
        print(f"=== {script.name}: {status} in {wall:.1f} s (CPU {cpu:.1f} s) ===", flush=True)
        results.append((script.name, status, wall, cpu))
    total = time.perf_counter() - started
    width = max(len(name) for name, *_ in results)
    print(f"\n{'script':<{width}}  {'status':<12} {'wall s':>7} {'CPU s':>7}")
    for name, status, wall, cpu in results:
        print(f"{name:<{width}}  {status:<12} {wall:7.1f} {cpu:7.1f}")
    print(f"{'total':<{width}}  {'':<12} {total:7.1f} {sum(r[3] for r in results):7.1f}")
    failed = [name for name, status, *_ in results if status != "ok"]
    if failed:
        print("failed: " + ", ".join(failed))
    print(f"benchmarks: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
