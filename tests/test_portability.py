"""Every module of smmkit imports where POSIX-only modules do not exist (Windows).

There is no Windows machine in CI, so a fresh interpreter hides the POSIX-only standard
modules (``sys.modules[name] = None`` makes ``import name`` fail as it does on Windows)
before importing smmkit, then walks every package and module and imports each one. A
module that needs ``fcntl`` (or ``pwd``, ``termios``, ...) at import time fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import smmkit

# POSIX-only standard modules that the interpreter itself does not need at start-up.
# (_posixsubprocess is left out: ``subprocess`` picks it from sys.platform, which stays
# "linux" here; on Windows ``subprocess`` uses _winapi instead.)
POSIX_ONLY = (
    "fcntl",
    "termios",
    "tty",
    "pty",
    "pwd",
    "grp",
    "resource",
    "syslog",
    "crypt",
    "spwd",
    "nis",
    "_posixshmem",
    "readline",
    "curses",
)

IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys, traceback
for name in sys.argv[1:]:
    sys.modules[name] = None
import smmkit
imported, failed = ["smmkit"], {}
def onerror(name):
    failed[name] = traceback.format_exc(limit=-3)
for info in pkgutil.walk_packages(smmkit.__path__, "smmkit.", onerror=onerror):
    try:
        importlib.import_module(info.name)
    except Exception:
        failed[info.name] = traceback.format_exc(limit=-3)
    else:
        imported.append(info.name)
print(json.dumps({"imported": imported, "failed": failed}))
"""


def _run_without(hidden: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """Import every smmkit module in a fresh interpreter that lacks ``hidden``."""
    # Import the smmkit this test run imported (a checkout, an installed wheel).
    source_root = str(Path(smmkit.__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE, *hidden],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return list(result["imported"]), dict(result["failed"])


def test_every_module_imports_without_posix_only_modules() -> None:
    imported, failed = _run_without(POSIX_ONLY)
    assert failed == {}, "modules that need a POSIX-only module at import:\n" + "\n".join(
        f"{name}:\n{trace}" for name, trace in failed.items()
    )
    # the walk really reached the modules that once needed fcntl, and the rest
    for name in (
        "smmkit.platforms",
        "smmkit.platforms._auth",
        "smmkit.platforms._filelock",
        "smmkit.platforms._token_race",
        "smmkit.testing",
        "smmkit.cli",
    ):
        assert name in imported
    assert len(imported) > 100


def test_the_check_catches_a_missing_module() -> None:
    # The same walk, hiding a module smmkit does need, reports the failure (not a pass).
    _, failed = _run_without(("httpx",))
    assert "smmkit.platforms" in failed
    assert "httpx" in failed["smmkit.platforms"]
