"""Properties of smmkit.strategy.

Inputs that once escaped as untyped errors are kept as ``regressions=``: tried first on
every example, each must be refused with a typed error.
"""

from __future__ import annotations

from decimal import Decimal

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

from smmkit.audience import AudienceProfile
from smmkit.models import Goal, Money

AUDIENCE = AudienceProfile(business_model="b2c", regions=["china"])
GOAL = Goal.model_validate(
    {
        "objective": "acquisition",
        "business_model": "b2b",
        "owner": "growth",
        "period": {"start": "2026-01-01", "end": "2026-03-31"},
    }
)

STRATEGY: dict[str, Probe] = {
    "smmkit.strategy.allocate_budget": Probe(
        regressions=(
            (
                (Money(amount=1000, currency="CNY"),),
                {"business_model": "b2c", "overrides": b"bytes"},
            ),
            ((Money(amount=1000, currency="CNY"),), {"business_model": "b2c", "platforms": 7}),
            ((Money(amount=1000, currency="CNY"),), {"business_model": "b2c", "platforms": "x"}),
        )
    ),
    "smmkit.strategy.kpis_for": Probe(
        regressions=(((GOAL,), {"business_model": "tea"}),),
    ),
    "smmkit.strategy.recommend_platforms": Probe(
        regressions=(
            (("acquisition", {}), {"business_model": "b2b"}),
            (("brand", AUDIENCE), {"business_model": "b2c", "max_platforms": True}),
            ((7, AUDIENCE), {"business_model": "b2c"}),
        )
    ),
    "smmkit.strategy.recommend_team": Probe(),
    "smmkit.strategy.split_exact": Probe(
        regressions=(
            ((None, []), {}),
            ((10, [Decimal("NaN")]), {}),
            ((10, ["1", "2"]), {}),
            ((10, 3.5), {}),
            ((1.5, [1]), {}),
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
