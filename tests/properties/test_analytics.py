"""Properties of smmkit.analytics.

The package is owned by another helper: a failing probe is a strict xfail whose reason
is the defect, and it tries the recorded failing input first so the xfail is reliable.
"""

from __future__ import annotations

import pkgutil
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    attempt,
    covers,
    fast,
    isolated_registries,
    junk,
    probe_params,
    run_probe,
)

T = datetime(2026, 1, 1, tzinfo=timezone.utc)

# n is a count of touchpoints: a huge n would try to allocate that many weights (see
# test_weights_refuse_a_huge_n), so the probes keep it small.
_SMALL_N: st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]] = st.tuples(
    st.tuples(st.one_of(st.integers(-3, 10_000), junk, st.floats(allow_nan=True))), st.just({})
)


ANALYTICS: dict[str, Probe] = {
    "smmkit.analytics.HyperLogLog": Probe(),
    "smmkit.analytics.QuantileSketch": Probe(),
    "smmkit.analytics.attribute": Probe(
        defect=(
            "attribute(data=None, model=first_touch) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (),
            {"data": None, "model": "first_touch"},
        )
    ),
    "smmkit.analytics.build_funnels": Probe(
        defect=(
            "build_funnels(None) raises TypeError: 'NoneType' object is not iterable, not a typed "
            "error; owner fixing",
            (None,),
            {},
        )
    ),
    "smmkit.analytics.compare_to_baseline": Probe(
        defect=(
            "compare_to_baseline(None, metric=leads) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (None,),
            {"metric": "leads"},
        )
    ),
    "smmkit.analytics.period_over_period": Probe(
        defect=(
            "period_over_period(None, metric=leads) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (None,),
            {"metric": "leads"},
        )
    ),
    "smmkit.analytics.suggest_iterations": Probe(
        defect=(
            "suggest_iterations(None, now=T) raises TypeError: 'NoneType' object is not iterable, "
            "not a typed error; owner fixing",
            (None,),
            {"now": T},
        )
    ),
    "smmkit.analytics.Counts": Probe(
        defect=(
            "Counts(b'bytes') raises AttributeError: 'bytes' object has no attribute 'items', not "
            "a typed error; owner fixing",
            (b"bytes",),
            {},
        )
    ),
    "smmkit.analytics.PathCounts": Probe(),
    "smmkit.analytics.Rate": Probe(),
    "smmkit.analytics.Sum": Probe(),
    "smmkit.analytics.brand_favourability": Probe(),
    "smmkit.analytics.compare": Probe(),
    "smmkit.analytics.conversion_rate": Probe(
        defect=(
            "conversion_rate(0, -1, base_name='') raises an InvalidInputError whose field is '' "
            "(the base_name given), not a named field; owner fixing",
            (0, -1),
            {"base_name": ""},
        )
    ),
    "smmkit.analytics.count_interactions": Probe(
        defect=(
            "count_interactions(bytearray(b'x'), {}) raises TypeError: unhashable type: "
            "'bytearray', not a typed error; owner fixing",
            (bytearray(b"x"), {}),
            {},
        )
    ),
    "smmkit.analytics.favourability_from_sentiment": Probe(
        defect=(
            "favourability_from_sentiment(None) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (None,),
            {},
        )
    ),
    "smmkit.analytics.follower_growth": Probe(),
    "smmkit.analytics.interaction_rate_by_followers": Probe(),
    "smmkit.analytics.interaction_rate_by_reach": Probe(),
    "smmkit.analytics.metric_definition": Probe(),
    "smmkit.analytics.observations_frame": Probe(),
    "smmkit.analytics.period_values": Probe(
        defect=(
            "period_values(None, metric=leads) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (None,),
            {"metric": "leads"},
        )
    ),
    "smmkit.analytics.platform_metrics": Probe(
        defect=(
            "platform_metrics(bytearray(b'x')) raises TypeError: unhashable type: 'bytearray', "
            "not a typed error; owner fixing",
            (bytearray(b"x"),),
            {},
        )
    ),
    "smmkit.analytics.repurchase_rate": Probe(
        defect=(
            "repurchase_rate([()], window=timedelta(days=1), as_of=T) raises ValueError: not "
            "enough values to unpack (expected 2, got 0), not a typed error; owner fixing",
            ([()],),
            {"window": timedelta(days=1), "as_of": T},
        )
    ),
    "smmkit.analytics.share_of_voice": Probe(
        defect=(
            "share_of_voice('tea', None) raises TypeError: argument of type 'NoneType' is not "
            "iterable, not a typed error; owner fixing",
            ("tea", None),
            {},
        )
    ),
    "smmkit.analytics.build_utm_url": Probe(),
    "smmkit.analytics.parse_utm": Probe(),
    "smmkit.analytics.attribution.heuristics.first_touch_weights": Probe(
        defect=(
            "first_touch_weights(None) raises TypeError: unsupported operand type(s) for -: "
            "'NoneType' and 'int', not a typed error; owner fixing",
            (None,),
            {},
        ),
        args=_SMALL_N,
    ),
    "smmkit.analytics.attribution.heuristics.last_touch_weights": Probe(
        defect=(
            "last_touch_weights(None) raises TypeError: unsupported operand type(s) for -: "
            "'NoneType' and 'int', not a typed error; owner fixing",
            (None,),
            {},
        ),
        args=_SMALL_N,
    ),
    "smmkit.analytics.attribution.heuristics.linear_weights": Probe(
        defect=(
            "linear_weights(None) raises TypeError: unsupported operand type(s) for /: 'float' and"
            " 'NoneType', not a typed error; owner fixing",
            (None,),
            {},
        ),
        args=_SMALL_N,
    ),
    "smmkit.analytics.attribution.heuristics.position_based_weights": Probe(
        defect=(
            "position_based_weights(None) raises TypeError: unsupported operand type(s) for -: "
            "'NoneType' and 'int', not a typed error; owner fixing",
            (None,),
            {},
        ),
        args=_SMALL_N,
    ),
    "smmkit.analytics.attribution.heuristics.time_decay_weights": Probe(
        defect=(
            "time_decay_weights(None, 1.0) raises TypeError: 'NoneType' object is not iterable, "
            "not a typed error; owner fixing",
            (None, 1.0),
            {},
        )
    ),
    "smmkit.analytics.attribution.markov.MarkovChain": Probe(),
    "smmkit.analytics.attribution.markov.build_chain": Probe(
        defect=(
            "build_chain(None, 1) raises TypeError: 'NoneType' object is not iterable, not a typed"
            " error; owner fixing",
            (None, 1),
            {},
        )
    ),
    "smmkit.analytics.attribution.markov.collapse_repeats": Probe(
        defect=(
            "collapse_repeats(None) raises TypeError: 'NoneType' object is not iterable, not a "
            "typed error; owner fixing",
            (None,),
            {},
        )
    ),
    "smmkit.analytics.attribution.markov.solve_for": Probe(
        defect=(
            "solve_for([{}], [[]], 0) raises KeyError: 0, not a typed error; owner fixing",
            ([{}], [[]], 0),
            {},
        )
    ),
    "smmkit.analytics.attribution.shapley.coalition_worth": Probe(
        defect=(
            "coalition_worth(None) raises TypeError: 'NoneType' object is not iterable, not a "
            "typed error; owner fixing",
            (None,),
            {},
        )
    ),
    "smmkit.analytics.attribution.shapley.shapley_by_enumeration": Probe(
        defect=(
            "shapley_by_enumeration(None, None) raises TypeError: 'NoneType' object is not "
            "iterable, not a typed error; owner fixing",
            (None, None),
            {},
        )
    ),
    "smmkit.analytics.attribution.shapley.shapley_weights": Probe(
        defect=(
            "shapley_weights(None) raises TypeError: 'NoneType' object is not iterable, not a "
            "typed error; owner fixing",
            (None,),
            {},
        )
    ),
}


@pytest.mark.parametrize("name", probe_params(ANALYTICS))
@fast(20)
@given(data=st.data())
@covers(*ANALYTICS)
def test_analytics(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, ANALYTICS[name], data)


HEURISTICS = [
    "smmkit.analytics.attribution.heuristics.first_touch_weights",
    "smmkit.analytics.attribution.heuristics.last_touch_weights",
    "smmkit.analytics.attribution.heuristics.linear_weights",
    "smmkit.analytics.attribution.heuristics.position_based_weights",
]


@pytest.mark.xfail(
    strict=True,
    reason="linear_weights(2**40) (and first/last/position_based) allocate a tuple of 2**40 "
    "floats: MemoryError (2**31 exhausts a machine's memory), not a typed error; owner fixing",
)
@pytest.mark.parametrize("name", HEURISTICS)
def test_weights_refuse_a_huge_n(name: str) -> None:
    assert attempt(pkgutil.resolve_name(name), 2**40) is REFUSED
