"""The facade's declared surface is sorted, complete and importable."""

from __future__ import annotations

import importlib
import inspect
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
        _ = smmkit.nope


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


def _public_packages() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(smmkit.__path__, "smmkit.")
        if info.ispkg and not any(part.startswith("_") for part in info.name.split("."))
    ]


def _reports_a_public_package(obj: object, name: str) -> bool:
    module = getattr(obj, "__module__", "")
    if module == "smmkit":
        return True
    if any(part.startswith("_") for part in module.split(".")):
        return False
    home = importlib.import_module(module)
    return hasattr(home, "__path__") and name in getattr(home, "__all__", ())


@pytest.mark.parametrize("package", _public_packages())
def test_public_classes_report_a_public_module(package: str) -> None:
    """``__module__`` names the package users import from (its own, or the deeper public
    package a re-export comes from), never a private module such as ``smmkit.text._count``.
    """
    module = importlib.import_module(package)
    wrong = {
        name: obj.__module__
        for name in module.__all__
        if inspect.isclass(obj := getattr(module, name)) or inspect.isfunction(obj)
        if not _reports_a_public_package(obj, name)
    }
    assert wrong == {}


def test_a_class_reports_its_own_subpackage_and_its_methods_follow() -> None:
    import smmkit.crisis
    import smmkit.crisis.sentiment
    import smmkit.text

    assert smmkit.text.TextLength.__module__ == "smmkit.text"
    assert smmkit.text.measure.__module__ == "smmkit.text"
    assert smmkit.Goal.__module__ == "smmkit.models"
    # re-exported by smmkit.crisis, but smmkit.crisis.sentiment is where it is declared
    assert smmkit.crisis.LexiconAnalyzer.__module__ == "smmkit.crisis.sentiment"
    assert smmkit.crisis.Watchlist.__module__ == "smmkit.crisis"
    assert smmkit.crisis.Watchlist.scan.__module__ == "smmkit.crisis"
    # a re-export from another discipline keeps that discipline's path
    assert smmkit.strategy.AudienceProfile.__module__ == "smmkit.audience"
    assert repr(smmkit.text.TextLength) == "<class 'smmkit.text.TextLength'>"


def _goal() -> smmkit.Goal:
    from datetime import date

    from smmkit.models import KPI, Goal, Period

    return Goal(
        objective="brand",
        business_model="b2c",
        owner="brand team",
        period=Period(start=date(2026, 1, 1), end=date(2026, 3, 31)),
        kpis=[KPI(name="exposure", target=3_000_000, unit="impressions")],
    )


def test_public_module_paths_survive_pickle_schema_and_json() -> None:
    import pickle

    from smmkit.analytics import HyperLogLog
    from smmkit.models import Goal, Objective

    goal = _goal()
    assert pickle.loads(pickle.dumps(goal)) == goal
    assert pickle.loads(pickle.dumps(Objective.BRAND)) is Objective.BRAND
    assert Goal.model_validate_json(goal.model_dump_json()) == goal
    schema = Goal.model_json_schema()
    assert schema["title"] == "Goal"
    assert {"KPI", "Objective"} <= set(schema["$defs"])
    sketch = HyperLogLog()
    sketch.add("a")
    assert pickle.loads(pickle.dumps(sketch)).estimate() == sketch.estimate()


def test_model_validate_returns_the_model_type() -> None:
    from typing_extensions import assert_type

    from smmkit.models import Goal

    goal = Goal.model_validate(_goal().model_dump())
    assert_type(goal, Goal)  # mypy fails here if model_validate returns Any again
    again = Goal.model_validate_json(goal.model_dump_json())
    assert_type(again, Goal)
    assert again == goal == _goal()
