"""The declared public surface of smmkit.platforms and smmkit.testing."""

from __future__ import annotations

import importlib
import inspect

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "smmkit.platforms",
        "smmkit.platforms.publish",
        "smmkit.platforms.sandbox",
        "smmkit.platforms.manual",
        "smmkit.testing",
    ],
)
def test_all_is_sorted_and_importable(module: str) -> None:
    mod = importlib.import_module(module)
    names = mod.__all__
    assert list(names) == sorted(names)
    for name in names:
        assert hasattr(mod, name), name


def test_every_public_name_is_documented() -> None:
    from smmkit import platforms

    for name in platforms.__all__:
        obj = getattr(platforms, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert (obj.__doc__ or "").strip(), name
