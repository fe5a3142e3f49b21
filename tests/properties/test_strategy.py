"""Properties of smmkit.strategy.

The package is owned by another helper: a failing probe is a strict xfail whose reason
is the defect, and it tries the recorded failing input first so the xfail is reliable.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    Probe,
    covers,
    fast,
    isolated_registries,
    probe_params,
    run_probe,
)

from smmkit.models import Money

STRATEGY: dict[str, Probe] = {
    "smmkit.strategy.allocate_budget": Probe(
        defect=(
            "allocate_budget(Money(amount=1000, currency='CNY'), business_model='b2c', "
            "overrides=b'bytes') raises AttributeError: 'bytes' object has no attribute 'items', "
            "not a typed error; owner fixing",
            (Money(amount=1000, currency="CNY"),),
            {"business_model": "b2c", "overrides": b"bytes"},
        )
    ),
    "smmkit.strategy.kpis_for": Probe(),
    "smmkit.strategy.recommend_platforms": Probe(
        defect=(
            "recommend_platforms('acquisition', {}, business_model=b2b) raises AttributeError: "
            "'dict' object has no attribute 'business_model', not a typed error; owner fixing",
            ("acquisition", {}),
            {"business_model": "b2b"},
        )
    ),
    "smmkit.strategy.recommend_team": Probe(),
    "smmkit.strategy.split_exact": Probe(
        defect=(
            "split_exact(None, []) raises TypeError: '<' not supported between instances of "
            "'NoneType' and 'int', not a typed error; owner fixing",
            (None, []),
            {},
        )
    ),
}


@pytest.mark.parametrize("name", probe_params(STRATEGY))
@fast(20)
@given(data=st.data())
@covers(*STRATEGY)
def test_strategy(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, STRATEGY[name], data)
