"""Helpers that shape how the public surface reads: public ``__module__`` paths and
deprecated aliases.

Each public package ends with ``set_public_module(globals(), __all__, __name__)`` so that
``repr(smmkit.content.AdaptAllResult)``, tracebacks, pickles and the API reference name the
path users import from (``smmkit.content``), not the private module the class lives in
(``smmkit.content._adapt``). httpx does the same.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["defined_in", "deprecated_aliases", "set_public_module"]

_DEFINED_IN: dict[str, str] = {}  # public dotted path -> the module that defines it


def set_public_module(namespace: Mapping[str, Any], names: Iterable[str], module: str) -> None:
    """Make the classes and functions ``names`` of ``namespace`` report ``module``.

    Only objects defined below ``module`` change (a re-export from another package keeps
    its own path), and an object that already reports a deeper public package keeps it, so
    a class exported by ``smmkit.crisis.sentiment`` and re-exported by ``smmkit.crisis``
    reports ``smmkit.crisis.sentiment``. Pydantic models still waiting for a forward
    reference are rebuilt first, while their defining module is still the one they name.

    Example:
        >>> import smmkit.content
        >>> smmkit.content.AdaptAllResult.__module__
        'smmkit.content'
    """
    for name in names:
        obj = namespace[name]
        if not (inspect.isclass(obj) or inspect.isroutine(obj)):
            continue  # constants, type aliases, instances
        current = getattr(obj, "__module__", None)
        if not isinstance(current, str) or not current.startswith(module + "."):
            continue
        if _is_public_package(current, name):
            continue
        if getattr(obj, "__pydantic_complete__", True) is False:
            model: Any = obj
            model.model_rebuild()
        _DEFINED_IN[f"{module}.{obj.__qualname__}"] = current
        obj.__module__ = module
        if inspect.isclass(obj):
            _move_members(obj, current, module)


def defined_in(name: str) -> str | None:
    """The module that defines the object whose public dotted path is ``name`` (or the
    class a method ``name`` belongs to), if :func:`set_public_module` moved it.

    Doctests need it: they run in the globals of the module that defines the object.

    Example:
        >>> import smmkit.text
        >>> defined_in("smmkit.text.TextLength.fits"), defined_in("smmkit.catalog.Catalog")
        ('smmkit.text._count', None)
    """
    while "." in name:
        found = _DEFINED_IN.get(name)
        if found is not None:
            return found
        name = name.rpartition(".")[0]
    return None


def _move_members(cls: type, old: str, new: str) -> None:
    """Methods and nested classes follow their class, so that ``inspect.getmodule`` (and
    with it doctest collection) keeps finding them next to the class."""
    for member in vars(cls).values():
        target = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        if isinstance(target, property):
            target = target.fget
        elif isinstance(target, functools.cached_property):
            target = target.func
        if (inspect.isfunction(target) or inspect.isclass(target)) and (
            getattr(target, "__module__", None) == old
        ):
            target.__module__ = new
            if inspect.isclass(target):
                _move_members(target, old, new)


def _is_public_package(module: str, name: str) -> bool:
    """Whether ``module`` is an already-loaded public package that exports ``name``."""
    if any(part.startswith("_") for part in module.split(".")):
        return False
    loaded = sys.modules.get(module)
    return (
        loaded is not None
        and hasattr(loaded, "__path__")
        and name in getattr(loaded, "__all__", ())
    )


def deprecated_aliases(
    module: str, namespace: Mapping[str, Any], aliases: Mapping[str, str], *, removal: str
) -> Callable[[str], Any]:
    """A module ``__getattr__`` serving old names of renamed objects, with a warning.

    ``aliases`` maps each old name to the new name in ``namespace``. Reading an old name
    warns with :class:`DeprecationWarning` (the warning points at the caller's line) and
    returns the new object; any other unknown name raises :class:`AttributeError` as usual.

    Example:
        >>> import warnings
        >>> getattr_ = deprecated_aliases("demo", {"new": len}, {"old": "new"}, removal="1.0")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     getattr_("old") is len
        True
        >>> str(caught[0].message)
        'demo.old is deprecated and will be removed in smmkit 1.0; use demo.new'
    """

    def __getattr__(name: str) -> Any:
        new = aliases.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} is deprecated and will be removed in smmkit {removal}; "
            f"use {module}.{new}",
            DeprecationWarning,
            stacklevel=2,
        )
        return namespace[new]

    return __getattr__
