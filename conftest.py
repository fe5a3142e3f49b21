"""Doctests of objects re-homed by ``smmkit._public.set_public_module``.

Public classes and functions report their package as ``__module__`` (``smmkit.text``,
not ``smmkit.text._count``), so doctest collects their examples from the package's
``__init__``. The examples were written in, and rely on the names of, the module that
defines the object: give them that module's globals, file and line back.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from typing import Any

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from smmkit._public import defined_in

    for item in items:
        test: doctest.DocTest | None = getattr(item, "dtest", None)
        if test is None:
            continue
        origin = defined_in(test.name)
        if origin is None:
            continue
        home = importlib.import_module(origin)
        test.globs = dict(vars(home))
        test.filename = home.__file__
        test.lineno = _lineno(test.name, home)


def _lineno(name: str, home: Any) -> int | None:
    """Where the docstring of ``name`` sits in its defining module, as doctest counts."""
    try:
        obj = pkgutil.resolve_name(name)
        lines = inspect.getsourcelines(home)[0]
        finder: Any = doctest.DocTestFinder()  # _find_lineno: what doctest itself uses
        found = finder._find_lineno(obj, lines)
        return found if isinstance(found, int) else None
    except Exception:  # only a nicer report is at stake
        return None
