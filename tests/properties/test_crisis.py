"""Properties of smmkit.crisis.

The package is owned by another helper: a failing probe is a strict xfail whose reason
is the defect, and it tries the recorded failing input first so the xfail is reliable.
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
        defect=(
            "LexiconAnalyzer(extra=T) raises TypeError: 'datetime.datetime' object is not "
            "iterable, not a typed error; owner fixing",
            (),
            {"extra": T},
        )
    ),
    "smmkit.crisis.SnowNLPAnalyzer": Probe(),
    "smmkit.crisis.TransformersAnalyzer": Probe(
        defect=(
            "TransformersAnalyzer(b'bytes', labels=b'bytes') raises AttributeError: 'bytes' object"
            " has no attribute 'items', not a typed error; owner fixing",
            (b"bytes",),
            {"labels": b"bytes"},
        )
    ),
    "smmkit.crisis.VaderAnalyzer": Probe(),
    "smmkit.crisis.WatchMatch": Probe(),
    "smmkit.crisis.WindowTable": Probe(),
    "smmkit.crisis.detect_signals": Probe(),
    "smmkit.crisis.fold": Probe(),
    "smmkit.crisis.incident_mentions": Probe(),
    "smmkit.crisis.label_for": Probe(
        defect=(
            "label_for(10**400) raises OverflowError: int too large to convert to float, not a "
            "typed error; owner fixing",
            (10**400,),
            {},
        )
    ),
    "smmkit.crisis.recovery_status": Probe(
        defect=(
            "recovery_status([], baseline=10**400) raises OverflowError: int too large to convert "
            "to float, not a typed error; owner fixing",
            ([],),
            {"baseline": 10**400},
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
