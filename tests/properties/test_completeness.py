"""Every public callable has a hypothesis property, or a documented reason here why not.

"Public callable" means each function and class named in ``smmkit.__all__`` or in the
``__all__`` of a public module (no part of its dotted path starts with ``_``), found by
walking the package as ``tests/test_public_api.py`` does. An object re-exported under
several names is one callable; a property may register any of its names.
"""

from __future__ import annotations

import importlib.util
import pkgutil
import sys
from pathlib import Path

from tests.properties._support import COVERED, STATS, public_callables

HERE = Path(__file__).parent

#: Public names that need no property of their own, each with the reason.
EXEMPT: dict[str, str] = {
    # Type aliases: ``callable()`` is true of a typing alias, but calling one only builds
    # the aliased type; the values they describe are exercised by the callables using them.
    "smmkit.models.AwareDatetime": "typing.Annotated alias of datetime (a model field type); "
    "every model's datetime fields are fuzzed with naive datetimes in test_models",
    "smmkit.platforms.Flow": "collections.abc.Generator alias (a type), not a function; "
    "publish_flow and run_flow produce and drive flows",
    "smmkit.platforms.MediaLoader": "collections.abc.Callable alias (a type), not a function",
    "smmkit.platforms.publish.AdaptFunction": "collections.abc.Callable alias (a type), "
    "not a function; Publisher's adapt parameter is fuzzed in test_platforms",
    # Processes and the network: a property would spawn processes per example.
    "smmkit.testing.refresh_in_processes": "starts OS processes that race for a token file "
    "(seconds per call); its argument checks are unit-tested in tests/test_testing.py",
}


def _import_property_modules() -> None:
    """Import every ``test_*.py`` here so their ``@covers`` registrations run."""
    loaded = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    for path in sorted(HERE.glob("test_*.py")):
        if str(path) in loaded or path == Path(__file__):
            continue
        name = f"tests.properties.{path.stem}"
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


def _covered_ids() -> set[int]:
    return {id(pkgutil.resolve_name(name)) for name in COVERED}


def test_every_public_callable_has_a_property() -> None:
    _import_property_modules()
    surface = public_callables()
    covered = _covered_ids() & surface.keys()
    exempt_ids = {id(pkgutil.resolve_name(name)) for name in EXEMPT}
    missing = sorted(names[0] for key, names in surface.items() if key not in covered | exempt_ids)
    STATS.surface = (len(surface), len(covered), len(exempt_ids & surface.keys()))
    assert missing == [], f"{len(missing)} public callables have no property: {missing}"


def test_exemptions_are_needed_and_documented() -> None:
    _import_property_modules()
    surface = public_callables()
    covered = _covered_ids()
    for name, reason in EXEMPT.items():
        obj_id = id(pkgutil.resolve_name(name))
        assert obj_id in surface, f"{name} is not public: drop its exemption"
        assert obj_id not in covered, f"{name} has a property now: drop its exemption"
        assert len(reason) > 20


def test_registered_names_are_public() -> None:
    _import_property_modules()
    surface = public_callables()
    stray = sorted(n for n in COVERED if id(pkgutil.resolve_name(n)) not in surface)
    assert stray == []


def test_the_surface_is_what_the_issue_counts() -> None:
    surface = public_callables()
    names = {n for names in surface.values() for n in names}
    assert {"smmkit.content.adapt", "smmkit.cli.main", "smmkit.testing.FakePlatform"} <= names
    assert "smmkit.exceptions.InvalidInputError" in names
    assert "smmkit.__version__" not in names  # data, not a callable
    assert len(surface) > 400


def test_every_registered_property_is_a_hypothesis_test() -> None:
    """``@covers`` counts examples only inside ``@given``: a covering test without it (or
    with the decorators in the wrong order) would cover nothing."""
    from hypothesis.internal.detection import is_hypothesis_test

    _import_property_modules()
    bare = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("tests.properties.test_"):
            continue
        for attr, value in vars(module).items():
            if attr.startswith("test_") and getattr(value, "__covers__", None) is not None:
                bare.append(f"{name}.{attr}")  # @covers outermost, or no @given at all
            elif attr.startswith("test_") and is_hypothesis_test(value):
                inner = value.hypothesis.inner_test
                assert getattr(inner, "__covers__", None) is not None, f"{name}.{attr}"
    assert bare == []
