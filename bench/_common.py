"""What every script in ``bench/`` shares: the ``--quick`` contract and optional peers.

The contract (``python bench/run_all.py --quick`` relies on it):

* every script accepts ``--quick``: smmkit's side at a small size, in well under 20 s on
  a shared 2-core machine, with every correctness check of the full run still made;
* a peer library that is not installed is skipped with one line saying how to install
  it (:func:`peer`); smmkit's side still runs;
* a script exits non-zero when a check fails (results differ from the peer's, a result
  fails validation), so a benchmark that breaks is seen.

The peers install with ``pip install -e '.[bench]'`` and, for the few that pip cannot
express as an extra, ``bash scripts/bench/install_peers.sh`` (see docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from types import ModuleType

BENCH_EXTRA = "pip install -e '.[bench]'"
PEERS_SCRIPT = "bash scripts/bench/install_peers.sh"
_noted: set[str] = set()


def peer(module: str, hint: str = BENCH_EXTRA, *, quiet_import: bool = False) -> ModuleType | None:
    """Import a peer library, or print one line saying how to install it and return None.

    ``hint`` is the command that installs it. ``quiet_import`` swallows what the import
    prints (ChannelAttribution prints an advertisement).
    """
    try:
        if quiet_import:
            with contextlib.redirect_stdout(io.StringIO()):
                return importlib.import_module(module)
        return importlib.import_module(module)
    except ImportError as exc:
        if module not in _noted:
            _noted.add(module)
            why = "" if getattr(exc, "name", None) == module else f" ({exc})"
            print(f"peer skipped: {module} is not installed{why}; {hint}", flush=True)
        return None


def fail(message: str) -> None:
    """Print why a check failed and exit 1 (the run_all contract: a broken bench is seen)."""
    print(f"CHECK FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)
