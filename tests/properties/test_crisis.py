"""Properties of smmkit.crisis.

A probe's ``regressions`` are inputs that once escaped as untyped errors (a class
argument of the wrong type, an int beyond the float range): each is tried first on
every example and must be refused with a typed error.
"""

from __future__ import annotations

from datetime import datetime, timezone

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

T = datetime(2026, 1, 1, tzinfo=timezone.utc)

CRISIS: dict[str, Probe] = {
    "smmkit.crisis.CrisisMonitor": Probe(),
    "smmkit.crisis.Watchlist": Probe(),
    "smmkit.crisis.assess": Probe(),
    "smmkit.crisis.freeze_window": Probe(),
    "smmkit.crisis.response_plan": Probe(),
    "smmkit.crisis.sla_status": Probe(),
    "smmkit.crisis.default_analyzer": Probe(),
    "smmkit.crisis.LexiconAnalyzer": Probe(
        regressions=(
            ((), {"extra": T}),
            ((), {"extra": {"word": "x"}}),
            ((), {"neutral_band": float("nan")}),
        )
    ),
    "smmkit.crisis.SnowNLPAnalyzer": Probe(),
    "smmkit.crisis.TransformersAnalyzer": Probe(
        regressions=(
            ((b"bytes",), {"labels": b"bytes"}),
            ((len,), {"labels": {"neg": 10**400}}),
            ((len,), {"batch_size": 0}),
        )
    ),
    "smmkit.crisis.VaderAnalyzer": Probe(),
    "smmkit.crisis.WatchMatch": Probe(),
    "smmkit.crisis.WindowTable": Probe(),
    "smmkit.crisis.detect_signals": Probe(),
    "smmkit.crisis.fold": Probe(),
    "smmkit.crisis.incident_mentions": Probe(),
    "smmkit.crisis.label_for": Probe(
        regressions=(((10**400,), {}), ((-(10**5000),), {}), ((0.5,), {"neutral_band": 10**400}))
    ),
    "smmkit.crisis.recovery_status": Probe(
        regressions=(
            (([],), {"baseline": 10**400}),
            (([],), {"baseline": 0.1, "tolerance": -(10**400)}),
        )
    ),
    "smmkit.crisis.recovery_suggestions": Probe(),
    "smmkit.crisis.replay_incident": Probe(),
    "smmkit.crisis.risk_pack": Probe(),
}


@pytest.mark.parametrize("name", probe_params(CRISIS))
@fast(20)
@given(data=st.data())
@covers(*CRISIS)
def test_crisis(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, CRISIS[name], data)
