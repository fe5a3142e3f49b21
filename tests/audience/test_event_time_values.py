"""Event times that are no times (issue 16, item 6): NaN, the infinities, ints beyond the
float range, times before the year 1, and values that are not numbers at all are refused
with InvalidInputError naming the field, in every input shape and in both engines."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from smmkit.audience import (
    InteractionBatch,
    LifecycleAccumulator,
    Segmentation,
    segment_columns,
    segment_users,
)
from smmkit.audience._event_times import (
    EARLIEST_SECONDS,
    check_seconds,
    check_seconds_column,
)
from smmkit.exceptions import InvalidInputError

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400.0

NOT_FINITE = [math.nan, math.inf, -math.inf, 10**400, -(10**400)]
BEFORE_YEAR_1 = [EARLIEST_SECONDS - 1, -1e300, -T * 1000]  # a sign slip, negative ms
NOT_NUMBERS = ["1.7e9", b"1", datetime(2026, 1, 1, tzinfo=timezone.utc), None, [T]]

Engine = Callable[[list[tuple[str, Any]], list[InteractionBatch]], Segmentation]


def _pure(users: list[tuple[str, Any]], batches: list[InteractionBatch]) -> Segmentation:
    return segment_users(users, batches, now=NOW, future="ignore")


def _columnar(users: list[tuple[str, Any]], batches: list[InteractionBatch]) -> Segmentation:
    pytest.importorskip("numpy")
    ids = [u for u, _ in users]
    return segment_columns(ids, [t for _, t in users], batches, now=NOW, future="ignore")


def _numpy_batch(times: list[Any]) -> InteractionBatch:
    np = pytest.importorskip("numpy")
    n = len(times)
    return InteractionBatch(
        np.array(["a"] * n), np.array(["like"] * n), np.array(times, dtype=np.float64)
    )


def refused(call: Callable[[], object]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        call()
    return info.value


ENGINES = [pytest.param(_pure, id="pure"), pytest.param(_columnar, id="columnar")]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", [*NOT_FINITE, *BEFORE_YEAR_1])
def test_interaction_times_that_are_no_times_are_refused(engine: Engine, bad: Any) -> None:
    batch = InteractionBatch(["a", "a"], ["like", "order"], [T - DAY, bad], [None, 9.0])
    exc = refused(lambda: engine([("a", T - 9 * DAY)], [batch]))
    assert exc.fields == ("interactions.at",)
    assert "interactions.at" in str(exc)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", [*NOT_FINITE, *BEFORE_YEAR_1])
def test_join_times_that_are_no_times_are_refused(engine: Engine, bad: Any) -> None:
    exc = refused(lambda: engine([("a", T - DAY), ("b", bad)], []))
    assert exc.fields[0].endswith("joined_at")
    assert "joined_at" in str(exc)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1e300])
def test_numpy_columns_of_no_times_are_refused(engine: Engine, bad: float) -> None:
    exc = refused(lambda: engine([("a", T - 9 * DAY)], [_numpy_batch([T - DAY, bad])]))
    assert exc.fields == ("interactions.at",)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("bad", NOT_NUMBERS, ids=lambda v: type(v).__name__)
def test_times_that_are_not_numbers_are_refused(engine: Engine, bad: Any) -> None:
    batch = InteractionBatch(["a", "a"], ["like", "like"], [T - DAY, bad])
    assert refused(lambda: engine([("a", T - 9 * DAY)], [batch])).fields == ("interactions.at",)
    assert refused(lambda: engine([("a", bad)], [])).fields[0].endswith("joined_at")


def test_times_before_the_year_1_name_the_slip() -> None:
    exc = refused(lambda: segment_users([("a", -1e300)], [], now=NOW))
    assert exc.fields == ("users.0.joined_at",)
    assert "before the year 1" in str(exc)
    # the first instant a date can hold is still a time
    seg = segment_users([("a", EARLIEST_SECONDS)], [], now=NOW)
    assert seg.stage_of("a").value == "churned"


@pytest.mark.parametrize("bad", [*NOT_FINITE, *BEFORE_YEAR_1, Decimal("NaN"), "1.7e9"])
def test_tuples_and_models_in_one_stream_refuse_them_too(bad: Any) -> None:
    exc = refused(
        lambda: segment_users(
            [("a", T - 9 * DAY)], [("a", "like", T - DAY), ("a", "like", bad, None)], now=NOW
        )
    )
    assert exc.fields == ("interactions.at",)


@pytest.mark.parametrize("bad", [*NOT_FINITE, *BEFORE_YEAR_1])
def test_the_accumulator_refuses_them_in_each_shape(bad: Any) -> None:
    acc = LifecycleAccumulator(now=NOW, future="ignore")
    assert refused(lambda: acc.add_users([("a", bad)])).fields == ("users.0.joined_at",)
    assert refused(lambda: acc.add_rows([("a", "like", bad)])).fields == ("interactions.at",)
    batch = InteractionBatch(["a"], ["order"], [bad], [1.0])
    assert refused(lambda: acc.add_batch(batch)).fields == ("interactions.at",)
    assert acc.result().interactions == 0  # nothing half-added


@pytest.mark.parametrize("bad", [*NOT_FINITE, *BEFORE_YEAR_1, Decimal("sNaN"), "x", None])
def test_the_event_time_helpers_refuse_them(bad: Any) -> None:
    for mode in ("refuse", "ignore"):

        def one(future: Any = mode) -> object:
            return check_seconds(bad, now=NOW, now_ts=T, future=future, field="t")

        def column(future: Any = mode) -> object:
            return check_seconds_column([T - 60, bad], now=NOW, now_ts=T, future=future, field="at")

        assert refused(one).fields == ("t",)
        assert refused(column).fields == ("at",)


def test_both_engines_still_agree_on_good_times() -> None:
    pytest.importorskip("numpy")
    users = [("a", T - 400 * DAY), ("b", T - 5 * DAY), ("c", EARLIEST_SECONDS)]
    batch = InteractionBatch(
        ["a", "a", "b", "c"],
        ["order", "like", "order", "like"],
        [T - DAY, T - 2 * DAY, T - 3 * DAY, T - 100 * DAY],
        [10.0, None, 5.0, None],
    )
    assert _pure(users, [batch]) == _columnar(users, [batch])
