"""Loads the suite's shared module and reports how many inputs the properties tried."""

from __future__ import annotations

import importlib.util
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

_NAME = "tests.properties._support"


def _load_support() -> ModuleType:
    """``tests`` is not a package (pytest imports test files by path): register the
    helper module under its dotted name so ``from tests.properties._support import`` works.
    """
    if _NAME in sys.modules:
        return sys.modules[_NAME]
    spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).with_name("_support.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module
    spec.loader.exec_module(module)
    return module


_support = _load_support()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    stats = _support.STATS
    if stats.surface is not None:
        total, covered, exempt = stats.surface
        terminalreporter.write_line(
            f"properties: {total} public callables, {covered} covered by a property, "
            f"{exempt} exempt"
        )
    if stats.inputs:
        callables = {id(pkgutil.resolve_name(name)) for name in stats.exercised}
        terminalreporter.write_line(
            f"properties: {stats.inputs} inputs tried over {len(callables)} callables, "
            f"{stats.huge} of them with a 1 MB text"
        )
