"""Properties of smmkit.audience.

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
REWARD = {"kind": "coupon", "description": "tea"}

AUDIENCE: dict[str, Probe] = {
    "smmkit.audience.find_koc_candidates": Probe(
        defect=(
            "find_koc_candidates(None, b'bytes', []) raises AttributeError: 'NoneType' object has "
            "no attribute 'stage_of', not a typed error; owner fixing",
            (None, b"bytes", []),
            {},
        )
    ),
    "smmkit.audience.score_kol": Probe(
        defect=(
            "score_kol(None, [], brand_audience=None) raises AttributeError: 'NoneType' object has"
            " no attribute 'tags', not a typed error; owner fixing",
            (None, []),
            {"brand_audience": None},
        )
    ),
    "smmkit.audience.segment_users": Probe(
        defect=(
            "segment_users(None, [], now=T) raises TypeError: 'NoneType' object is not iterable, "
            "not a typed error; owner fixing",
            (None, []),
            {"now": T},
        )
    ),
    "smmkit.audience.InteractionBatch": Probe(
        defect=(
            "InteractionBatch(None, [], []) raises TypeError: object of type 'NoneType' has no "
            "len(), not a typed error; owner fixing",
            (None, [], []),
            {},
        )
    ),
    "smmkit.audience.LifecycleAccumulator": Probe(),
    "smmkit.audience.curate_ugc": Probe(
        defect=(
            "curate_ugc(None, now=T) raises TypeError: 'NoneType' object is not iterable, not a "
            "typed error; owner fixing",
            (None,),
            {"now": T},
        )
    ),
    "smmkit.audience.default_playbook": Probe(),
    "smmkit.audience.festival_story_campaign": Probe(
        defect=(
            "festival_story_campaign('n', ..., target_stages=['tea']) raises ValueError: "
            "'tea' is not a valid "
            "LifecycleStage (and target_stages=None or platforms=None a TypeError), not "
            "InvalidInputError; owner fixing",
            ("n",),
            {"festival": "f", "start": T, "topic": "t", "reward": REWARD, "target_stages": ["tea"]},
        )
    ),
    "smmkit.audience.hot_topic_campaign": Probe(
        defect=(
            "hot_topic_campaign('n', ..., target_stages=['tea']) raises ValueError: "
            "'tea' is not a valid "
            "LifecycleStage (and target_stages=None or platforms=None a TypeError), not "
            "InvalidInputError; owner fixing",
            ("n",),
            {"topic": "t", "start": T, "reward": REWARD, "target_stages": ["tea"]},
        )
    ),
    "smmkit.audience.normalize_tag": Probe(
        defect=(
            "normalize_tag(None) raises AttributeError: 'NoneType' object has no attribute "
            "'lower', not a typed error; owner fixing",
            (None,),
            {},
        )
    ),
    "smmkit.audience.plan_actions": Probe(
        defect=(
            "plan_actions(None, None) raises AttributeError: 'NoneType' object has no attribute "
            "'counts', not a typed error; owner fixing",
            (None, None),
            {},
        )
    ),
    "smmkit.audience.product_campaign": Probe(
        defect=(
            "product_campaign('n', ..., target_stages=['tea']) raises ValueError: "
            "'tea' is not a valid "
            "LifecycleStage (and target_stages=None or platforms=None a TypeError), not "
            "InvalidInputError; owner fixing",
            ("n",),
            {"product": "p", "start": T, "topic": "t", "reward": REWARD, "target_stages": ["tea"]},
        )
    ),
    "smmkit.audience.segment_columns": Probe(
        defect=(
            "segment_columns([], T, [], now=T) raises TypeError: float() argument must be a string"
            " or a real number, not 'datetime.datetime', not a typed error; owner fixing",
            ([], T, []),
            {"now": T},
        )
    ),
}


@pytest.mark.parametrize("name", probe_params(AUDIENCE))
@fast(20)
@given(data=st.data())
@covers(*AUDIENCE)
def test_audience(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, AUDIENCE[name], data)
