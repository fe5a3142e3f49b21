"""Properties of smmkit.analytics.

Every probe's malformed input must be refused with a typed error; the inputs that once
escaped as ``TypeError``/``KeyError``/``ValueError``/``MemoryError`` are kept as
``regressions=`` and tried first on every example.
"""

from __future__ import annotations

import math
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
    extreme_ints,
    fast,
    hashable_junk,
    isolated_registries,
    junk,
    probe_params,
    run_probe,
    texts,
)

T = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _weights_of_n(result: tuple[float, ...], *args: Any, **kwargs: Any) -> bool:
    """A rule's weights: one per touch, summing to one."""
    n = args[0] if args else kwargs["n"]
    return len(result) == n and math.isclose(math.fsum(result), 1.0, abs_tol=1e-9)


ANALYTICS: dict[str, Probe] = {
    "smmkit.analytics.HyperLogLog": Probe(),
    "smmkit.analytics.QuantileSketch": Probe(),
    "smmkit.analytics.attribute": Probe(
        regressions=(((), {"data": None, "model": "first_touch"}),)
    ),
    "smmkit.analytics.build_funnels": Probe(regressions=(((None,), {}),)),
    "smmkit.analytics.compare_to_baseline": Probe(regressions=(((None,), {"metric": "leads"}),)),
    "smmkit.analytics.period_over_period": Probe(regressions=(((None,), {"metric": "leads"}),)),
    "smmkit.analytics.suggest_iterations": Probe(regressions=(((None,), {"now": T}),)),
    "smmkit.analytics.Counts": Probe(
        regressions=(((b"bytes",), {}),),
        # a mapping's keys are hashable: the signature's ``Mapping[K, int]`` says nothing
        args=st.tuples(
            st.one_of(
                st.tuples(),
                st.tuples(
                    st.one_of(
                        st.dictionaries(
                            st.one_of(hashable_junk, texts), st.one_of(extreme_ints, junk)
                        ),
                        junk,
                    )
                ),
            ),
            st.just({}),
        ),
    ),
    "smmkit.analytics.PathCounts": Probe(),
    "smmkit.analytics.Rate": Probe(),
    "smmkit.analytics.Sum": Probe(),
    "smmkit.analytics.brand_favourability": Probe(),
    "smmkit.analytics.compare": Probe(),
    "smmkit.analytics.conversion_rate": Probe(regressions=(((0, -1), {"base_name": ""}),)),
    "smmkit.analytics.count_interactions": Probe(regressions=(((bytearray(b"x"), {}), {}),)),
    "smmkit.analytics.favourability_from_sentiment": Probe(regressions=(((None,), {}),)),
    "smmkit.analytics.follower_growth": Probe(),
    "smmkit.analytics.interaction_rate_by_followers": Probe(),
    "smmkit.analytics.interaction_rate_by_reach": Probe(),
    "smmkit.analytics.metric_definition": Probe(),
    "smmkit.analytics.observations_frame": Probe(),
    "smmkit.analytics.period_values": Probe(regressions=(((None,), {"metric": "leads"}),)),
    "smmkit.analytics.platform_metrics": Probe(regressions=(((bytearray(b"x"),), {}),)),
    "smmkit.analytics.repurchase_rate": Probe(
        regressions=((([()],), {"window": timedelta(days=1), "as_of": T}),)
    ),
    "smmkit.analytics.share_of_voice": Probe(regressions=((("tea", None), {}),)),
    "smmkit.analytics.build_utm_url": Probe(),
    "smmkit.analytics.parse_utm": Probe(),
    "smmkit.analytics.attribution.heuristics.first_touch_weights": Probe(
        regressions=(((None,), {}), ((2**40,), {})),
        check=_weights_of_n,
    ),
    "smmkit.analytics.attribution.heuristics.last_touch_weights": Probe(
        regressions=(((None,), {}), ((2**40,), {})),
        check=_weights_of_n,
    ),
    "smmkit.analytics.attribution.heuristics.linear_weights": Probe(
        regressions=(((None,), {}), ((2**40,), {})),
        check=_weights_of_n,
    ),
    "smmkit.analytics.attribution.heuristics.position_based_weights": Probe(
        regressions=(((None,), {}), ((2**40,), {})),
        check=_weights_of_n,
    ),
    "smmkit.analytics.attribution.heuristics.time_decay_weights": Probe(
        regressions=(((None, 1.0), {}),)
    ),
    "smmkit.analytics.attribution.markov.MarkovChain": Probe(),
    "smmkit.analytics.attribution.markov.build_chain": Probe(regressions=(((None, 1), {}),)),
    "smmkit.analytics.attribution.markov.collapse_repeats": Probe(regressions=(((None,), {}),)),
    "smmkit.analytics.attribution.markov.solve_for": Probe(regressions=((([{}], [[]], 0), {}),)),
    "smmkit.analytics.attribution.shapley.coalition_worth": Probe(regressions=(((None,), {}),)),
    "smmkit.analytics.attribution.shapley.shapley_by_enumeration": Probe(
        regressions=(((None, None), {}),)
    ),
    "smmkit.analytics.attribution.shapley.shapley_weights": Probe(regressions=(((None,), {}),)),
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


@pytest.mark.parametrize("name", HEURISTICS)
def test_weights_refuse_a_huge_n(name: str) -> None:
    # A tuple of 2**40 floats would be a MemoryError (2**31 already exhausts a machine).
    assert attempt(pkgutil.resolve_name(name), 2**40) is REFUSED
