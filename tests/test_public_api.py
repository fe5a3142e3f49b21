"""The facade's declared surface is sorted, complete and importable."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import smmkit


def test_all_is_sorted() -> None:
    assert list(smmkit.__all__) == sorted(smmkit.__all__)


def test_all_names_exist() -> None:
    missing = [name for name in smmkit.__all__ if not hasattr(smmkit, name)]
    assert missing == []


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(smmkit).items()
        if not name.startswith("_") and not isinstance(value, type(smmkit))
    }
    public.discard("annotations")  # from __future__
    assert public - set(smmkit.__all__) == set()
    lazy = set(smmkit._LAZY)
    assert lazy <= set(smmkit.__all__)


def test_lazy_names_resolve_to_their_modules() -> None:
    import smmkit.platforms

    assert smmkit.Client is smmkit.platforms.Client
    assert "attribute" in dir(smmkit)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = smmkit.nope  # type: ignore[attr-defined]


def test_import_smmkit_stays_light() -> None:
    import subprocess
    import sys

    code = "import smmkit, sys; print(sorted(m for m in ('httpx', 'tenacity') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_module_declares_sorted_all() -> None:
    problems = []
    for info in pkgutil.walk_packages(smmkit.__path__, "smmkit."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        names = getattr(module, "__all__", None)
        if names is None:
            problems.append(f"{info.name}: no __all__")
        elif list(names) != sorted(names):
            problems.append(f"{info.name}: __all__ not sorted")
        else:
            problems.extend(f"{info.name}: {n} missing" for n in names if not hasattr(module, n))
    assert problems == []


def test_version_is_a_string() -> None:
    assert isinstance(smmkit.__version__, str)
    assert smmkit.__version__[0].isdigit()
