"""Properties of smmkit.audience.

Inputs that once escaped as untyped errors are kept as ``regressions=`` (tried first on
every example, must be refused with a typed error). The segmentation probes also throw
event times that are no times (NaN, the infinities, ints beyond the float range,
milliseconds, times before the year 1) in every input shape (user pairs, interaction
tuples, :class:`~smmkit.audience.InteractionBatch` columns, both engines): any such time
must be refused with :class:`~smmkit.exceptions.InvalidInputError`.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    attempt,
    call_args,
    covers,
    extreme_floats,
    fast,
    isolated_registries,
    probe_params,
    run_probe,
)

from smmkit.audience import (
    InteractionBatch,
    LifecycleAccumulator,
    Segmentation,
    segment_columns,
    segment_users,
)
from smmkit.audience._event_times import EARLIEST_SECONDS, LATEST_SECONDS

T = datetime(2026, 1, 1, tzinfo=timezone.utc)
TS = T.timestamp()
DAY = 86_400.0
REWARD = {"kind": "coupon", "description": "tea"}
NAN, INF = math.nan, math.inf

# -- event times that are no times ---------------------------------------------------------
NOT_TIMES: tuple[float | int, ...] = (NAN, INF, -INF, 10**400, -(10**400), TS * 1000, -1e300)
times: st.SearchStrategy[float | int] = st.one_of(
    st.floats(TS - 800 * DAY, TS),
    st.sampled_from(NOT_TIMES),
    extreme_floats,
)
ids = st.sampled_from(["a", "b", "c"])
kinds = st.sampled_from(["like", "order", "view", "post", "unfollow", "comment"])
values = st.one_of(st.none(), st.floats(0, 500))
rows = st.lists(st.tuples(ids, kinds, times, values), max_size=6)
users = st.lists(st.tuples(ids, times), max_size=3, unique_by=lambda pair: pair[0])
future = st.sampled_from(["refuse", "ignore"])


def _absurd(t: object) -> bool:
    """Not a time: not finite (ints beyond the float range included), in milliseconds,
    or before the year 1."""
    try:
        return not EARLIEST_SECONDS <= float(t) <= LATEST_SECONDS  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return True


def _batch(found: list[tuple[Any, ...]]) -> InteractionBatch:
    if not found:
        return InteractionBatch([], [], [], [])
    return InteractionBatch(*(list(c) for c in zip(*found, strict=True)))


@st.composite
def _timed_users_call(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """segment_users over user pairs and interactions as tuples, a batch or both."""
    found = draw(rows)
    shape = draw(st.sampled_from(["tuples", "batch", "mixed"]))
    if shape == "tuples":
        interactions: list[Any] = list(found)
    elif shape == "batch":
        interactions = [_batch(found)]
    else:
        interactions = [*found[:2], _batch(found[2:])]
    return (draw(users), interactions), {"now": T, "future": draw(future)}


@st.composite
def _timed_columns_call(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """segment_columns over user columns and one or two batches."""
    people = draw(users)
    found = draw(rows)
    cut = draw(st.integers(0, len(found)))
    batches = [_batch(found[:cut]), _batch(found[cut:])]
    ids_, joined = [u for u, _ in people], [t for _, t in people]
    return (ids_, joined, batches), {"now": T, "future": draw(future)}


def _times_in(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[object]:
    """Every event time in a segmentation call's users and interactions."""
    out: list[object] = []
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, InteractionBatch):
            out.extend(arg.timestamps)
        elif isinstance(arg, (list, tuple)):
            for item in arg:
                if isinstance(item, InteractionBatch):
                    out.extend(item.timestamps)
                elif isinstance(item, tuple) and len(item) == 2:
                    out.append(item[1])
                elif isinstance(item, tuple) and len(item) in (3, 4):
                    out.append(item[2])
    return out


def _has_no_time(*args: Any, **kwargs: Any) -> bool:
    """A segmentation input holding a time that is no time: it must be refused."""
    return any(_absurd(t) for t in _times_in(args, kwargs))


def _columns_have_no_time(*args: Any, **kwargs: Any) -> bool:
    if len(args) == 3 and isinstance(args[1], list):
        joined = list(args[1])
        batches = args[2] if isinstance(args[2], list) else []
        stamps = [t for b in batches if isinstance(b, InteractionBatch) for t in b.timestamps]
        return any(_absurd(t) for t in (*joined, *stamps))
    return False


def _segmented(result: Segmentation, *args: Any, **kwargs: Any) -> bool:
    return isinstance(result, Segmentation) and len(result.stage_codes) == len(result)


def _engines_refuse_no_times(batch: InteractionBatch, *args: Any, **kwargs: Any) -> None:
    """A batch holding a time that is no time is refused by both engines."""
    if not any(_absurd(t) for t in batch.timestamps):
        return
    for engine in (
        lambda: segment_users([], [batch], now=T, future="ignore"),
        lambda: segment_columns([], [], [batch], now=T, future="ignore"),
    ):
        assert attempt(engine) is REFUSED, f"accepted a batch with times {batch.timestamps!r}"


def _accumulator_refuses_no_times(acc: LifecycleAccumulator, *args: Any, **kwargs: Any) -> None:
    """Each shape the accumulator takes refuses each time that is no time."""
    for bad in NOT_TIMES:
        assert attempt(acc.add_users, [("z", bad)]) is REFUSED
        assert attempt(acc.add_rows, [("z", "like", bad, None)]) is REFUSED
        batch = InteractionBatch(["z"], ["order"], [bad], [1.0])
        assert attempt(acc.add_batch, batch) is REFUSED


@st.composite
def _batch_call(draw: st.DrawFn) -> tuple[tuple[Any, ...], dict[str, Any]]:
    found = draw(rows)
    columns = [list(c) for c in zip(*found, strict=True)] if found else [[], [], [], []]
    return tuple(columns), {}


AUDIENCE: dict[str, Probe] = {
    "smmkit.audience.find_koc_candidates": Probe(regressions=(((None, b"bytes", []), {}),)),
    "smmkit.audience.score_kol": Probe(regressions=(((None, []), {"brand_audience": None}),)),
    "smmkit.audience.segment_users": Probe(
        args=st.one_of(call_args(segment_users), _timed_users_call()),
        bad=_has_no_time,
        check=_segmented,
        regressions=(
            ((None, []), {"now": T}),
            (([("a", NAN)], []), {"now": T}),
            (([("a", TS - DAY)], [("a", "like", INF, None)]), {"now": T, "future": "ignore"}),
            (([("a", TS - DAY)], [_batch([("a", "order", -INF, 9.0)])]), {"now": T}),
            (([("a", 10**400)], []), {"now": T}),
            (([("a", -1e300)], []), {"now": T}),
        ),
    ),
    "smmkit.audience.InteractionBatch": Probe(
        args=st.one_of(call_args(InteractionBatch), _batch_call()),
        check=_engines_refuse_no_times,
        regressions=(((None, [], []), {}), (("abc", "xyz", [1, 2, 3]), {})),
    ),
    "smmkit.audience.LifecycleAccumulator": Probe(
        args=st.one_of(
            call_args(LifecycleAccumulator),
            st.tuples(st.just(()), st.fixed_dictionaries({"now": st.just(T), "future": future})),
        ),
        check=_accumulator_refuses_no_times,
    ),
    "smmkit.audience.curate_ugc": Probe(regressions=(((None,), {"now": T}),)),
    "smmkit.audience.default_playbook": Probe(),
    "smmkit.audience.festival_story_campaign": Probe(
        regressions=(
            (
                ("n",),
                {
                    "festival": "f",
                    "start": T,
                    "topic": "t",
                    "reward": REWARD,
                    "target_stages": ["tea"],
                },
            ),
        )
    ),
    "smmkit.audience.hot_topic_campaign": Probe(
        regressions=(
            (
                ("n",),
                {"topic": "t", "start": T, "reward": REWARD, "target_stages": ["tea"]},
            ),
        )
    ),
    "smmkit.audience.normalize_tag": Probe(regressions=(((None,), {}),)),
    "smmkit.audience.plan_actions": Probe(regressions=(((None, None), {}),)),
    "smmkit.audience.product_campaign": Probe(
        regressions=(
            (
                ("n",),
                {
                    "product": "p",
                    "start": T,
                    "topic": "t",
                    "reward": REWARD,
                    "target_stages": ["tea"],
                },
            ),
        )
    ),
    "smmkit.audience.segment_columns": Probe(
        args=st.one_of(call_args(segment_columns), _timed_columns_call()),
        bad=_columns_have_no_time,
        check=_segmented,
        regressions=(
            (([], T, []), {"now": T}),
            ((["a"], [NAN], []), {"now": T}),
            ((["a"], [TS - DAY], [_batch([("a", "like", INF, None)])]), {"now": T}),
            ((["a"], [TS - DAY], [_batch([("a", "like", -INF, None)])]), {"now": T}),
            ((["a"], [10**400], []), {"now": T}),
            ((["a"], [-1e300], []), {"now": T}),
        ),
    ),
}


@pytest.mark.parametrize("name", probe_params(AUDIENCE))
@fast(20)
@given(data=st.data())
@covers(*AUDIENCE)
def test_audience(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, AUDIENCE[name], data)
