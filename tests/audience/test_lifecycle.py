"""Lifecycle segmentation and RFM: rules, shapes of input, streaming and merge laws."""

from __future__ import annotations

import pickle
import random
import sys
from array import array
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.audience.lifecycle import (
    KIND_CODES,
    InteractionBatch,
    LifecycleAccumulator,
    LifecycleRules,
    Segmentation,
    segment_users,
)
from smmkit.exceptions import InvalidInputError, MissingExtraError
from smmkit.models import Interaction, InteractionKind, LifecycleStage, User

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400


def ago(days: float) -> float:
    return T - days * DAY


# (case, joined days ago, interactions as (kind, days ago), expected stage, reason fragment)
CASES: list[tuple[str, float, list[tuple[str, float]], str, str]] = [
    ("joined yesterday, silent", 1, [], "new", "joined 1 days ago"),
    ("joined 30 days ago exactly", 30, [], "new", "new for 30 days"),
    ("joined 31 days ago, liked today", 31, [("like", 0)], "active", "last active 0 days"),
    ("idle exactly 30 days", 200, [("like", 30)], "active", "last active 30"),
    ("idle 31 days", 200, [("like", 31)], "dormant", "no activity for 31 days"),
    ("idle exactly 90 days", 200, [("like", 90)], "dormant", "dormant after 30"),
    ("idle 91 days", 200, [("like", 91)], "churned", "churned after 90"),
    ("never active, joined 400 days ago", 400, [], "churned", "no activity for 400"),
    ("views are not activity", 200, [("view", 1)], "churned", "no activity for 200"),
    (
        "3 orders in window",
        300,
        [("order", 1), ("order", 50), ("order", 179)],
        "loyal",
        "3 orders in the last 180 days",
    ),
    (
        "3 orders, one outside window",
        300,
        [("order", 1), ("order", 50), ("order", 181)],
        "active",
        "last active 1",
    ),
    (
        "loyal buyer gone idle is dormant",
        300,
        [("order", 40), ("order", 50), ("order", 60)],
        "dormant",
        "no activity for 40",
    ),
    (
        "new user with 3 orders is loyal",
        5,
        [("order", 1), ("order", 2), ("order", 3)],
        "loyal",
        "3 orders",
    ),
    (
        "unfollow after last activity",
        200,
        [("like", 5), ("unfollow", 2)],
        "churned",
        "unfollowed after the last activity",
    ),
    (
        "follow back after unfollow",
        200,
        [("unfollow", 5), ("follow", 2)],
        "active",
        "last active 2",
    ),
]


@pytest.mark.parametrize(
    ("case", "joined", "events", "stage", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_rules_table(
    case: str, joined: float, events: list[tuple[str, float]], stage: str, reason: str
) -> None:
    rows = [("u", kind, ago(days), 10.0 if kind == "order" else None) for kind, days in events]
    seg = segment_users([("u", ago(joined))], rows, now=NOW)
    a = seg.assignment("u")
    assert a.stage.value == stage, a.reason
    assert reason in a.reason


def test_thresholds_are_configurable() -> None:
    rules = LifecycleRules(
        dormant_days=7,
        churn_days=14,
        loyal_min_orders=1,
        new_days=3,
        unfollow_churns=False,
        activity_kinds=("like", "view", "order"),
    )
    users = [("a", ago(100)), ("b", ago(100)), ("c", ago(100)), ("d", ago(2)), ("e", ago(100))]
    rows = [
        ("a", "like", ago(8), None),
        ("b", "view", ago(20), None),
        ("c", "order", ago(1), 5.0),
        ("e", "like", ago(1), None),
        ("e", "unfollow", ago(0.5), None),
    ]
    seg = segment_users(users, rows, now=NOW, rules=rules)
    stages = {a.user_id: a.stage.value for a in seg.assignments()}
    assert stages == {"a": "dormant", "b": "churned", "c": "loyal", "d": "new", "e": "active"}
    assert "idle more than 14 days" in seg.rule_text("churned")


def test_rules_validation() -> None:
    with pytest.raises(InvalidInputError):
        LifecycleRules(dormant_days=0)
    with pytest.raises(InvalidInputError):
        LifecycleRules(activity_kinds=("unfollow",))
    with pytest.raises(InvalidInputError):
        LifecycleRules(activity_kinds=())


def test_rfm_quintiles_with_ties_broken_by_user_id() -> None:
    users = [(f"u{i}", ago(400)) for i in range(10)]
    rows = []
    for i in range(10):
        for n in range(i // 2 + 1):  # frequency 1,1,2,2,...,5,5
            rows.append((f"u{i}", "order", ago(10 - i + n * 0.01), float(i + 1)))
    seg = segment_users(users, rows, now=NOW)
    freq = [seg.rfm(f"u{i}").frequency for i in range(10)]  # type: ignore[union-attr]
    assert freq == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    money = [seg.rfm(f"u{i}").monetary for i in range(10)]  # type: ignore[union-attr]
    assert money == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # all equal values: ranks follow user id order
    rows = [(f"u{i}", "order", ago(1), 5.0) for i in range(10)]
    seg = segment_users(users, rows, now=NOW)
    assert [seg.rfm(f"u{i}").recency for i in range(10)] == [  # type: ignore[union-attr]
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]
    assert seg.assignment("u3").monetary == Decimal(5)


def test_users_without_orders_have_no_rfm() -> None:
    seg = segment_users([("a", ago(1))], [("a", "like", ago(0), None)], now=NOW)
    assert seg.rfm("a") is None
    assert seg.assignment("a").rfm is None


def _models() -> tuple[list[User], list[Interaction]]:
    rng = random.Random(7)
    kinds = list(InteractionKind)
    users = [
        User(id=f"u{i:03d}", joined_at=NOW - timedelta(days=rng.randrange(0, 500)))
        for i in range(60)
    ]
    events: list[Interaction] = []
    for _ in range(600):
        kind = rng.choice(kinds)
        events.append(
            Interaction(
                user_id=f"u{rng.randrange(60):03d}",
                kind=kind,
                at=NOW - timedelta(seconds=rng.randrange(0, 200 * DAY)),
                value=Decimal(rng.randrange(100, 10000)) / 100
                if kind is InteractionKind.ORDER
                else None,
            )
        )
    return users, events


def test_models_tuples_and_batches_give_the_same_segmentation() -> None:
    users, events = _models()
    by_models = segment_users(users, events, now=NOW)
    tuples = [(e.user_id, e.kind.value, e.at.timestamp(), e.value) for e in events]
    by_tuples = segment_users([(u.id, u.joined_at.timestamp()) for u in users], tuples, now=NOW)
    codes = [KIND_CODES[e.kind] for e in events]
    batch = InteractionBatch(
        user_ids=[e.user_id for e in events],
        kinds=array("b", codes),
        timestamps=array("d", [e.at.timestamp() for e in events]),
        values=[None if e.value is None else float(e.value) for e in events],
    )
    by_batch = segment_users(users, [batch], now=NOW)
    mixed = segment_users(
        users,
        [
            *events[:100],
            batch.__class__(
                batch.user_ids[100:],
                list(batch.kinds)[100:],
                list(batch.timestamps)[100:],
                batch.values[100:] if batch.values is not None else None,
            ),
        ],
        now=NOW,
    )
    assert by_models == by_tuples == by_batch == mixed
    assert by_models.counts()[LifecycleStage.LOYAL] >= 0


def test_interaction_order_does_not_matter() -> None:
    users, events = _models()
    shuffled = events[:]
    random.Random(3).shuffle(shuffled)
    assert segment_users(users, events, now=NOW) == segment_users(users, shuffled, now=NOW)
    by_time = sorted(events, key=lambda e: e.at)
    assert segment_users(users, iter(events), now=NOW) == segment_users(
        list(reversed(users)), by_time, now=NOW
    )


def test_unknown_users_and_future_events_are_reported_not_swallowed() -> None:
    # Events after `now` are refused by default (issue 15); future="ignore" is the
    # as-of-a-past-date mode that leaves them out and counts them.
    seg = segment_users(
        [("a", ago(10))],
        [
            ("a", "like", ago(1), None),
            ("ghost", "like", ago(1), None),
            ("a", "order", T + 3600, 10.0),
        ],
        now=NOW,
        future="ignore",
    )
    assert seg.unknown_user_count == 1 and seg.unknown_user_sample == ("ghost",)
    assert seg.future_interactions == 1
    assert seg.interactions == 3
    assert seg.assignment("a").orders == 0
    assert len(seg) == 1


@pytest.mark.parametrize(
    ("users", "rows", "field"),
    [
        ([("a", ago(1))], [("a", "teleport", ago(1), None)], "interactions.kind"),
        ([("a", ago(1))], [("a", 99, ago(1), None)], "interactions.kind"),
        ([("a", ago(1))], [("a", "like", NOW, None)], "interactions.at"),
        ([("a", ago(1))], [("a", "order", ago(1), -5.0)], "interactions.value"),
        ([("a", ago(1))], [("a", "order", ago(1), "5")], "interactions.value"),
        ([("a", ago(1))], [("a", "like")], "interactions"),
        ([("a", ago(1))], ["a,like"], "interactions"),
        ([("a", ago(1)), ("a", ago(2))], [], "users.1.id"),
        (["a"], [], "users.0"),
        ([("a", ago(1)), (2, ago(1))], [], "users.id"),
    ],
)
def test_bad_input_names_the_field(users: list[Any], rows: list[Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        segment_users(users, rows, now=NOW)
    assert info.value.fields == (field,)


def test_naive_now_and_batch_length_mismatch_are_rejected() -> None:
    with pytest.raises(InvalidInputError):
        segment_users([], [], now=datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError) as info:
        InteractionBatch(["a"], ["like", "like"], [1.0])
    assert "kinds" in info.value.fields[0]


def test_segments_expose_user_segments_and_lookup_errors() -> None:
    users, events = _models()
    seg = segment_users(users, events, now=NOW)
    segments = seg.segments
    assert [s.stage for s in segments] == list(LifecycleStage)
    assert sum(s.size for s in segments) == len(users)
    for s in segments:
        assert s.rule == seg.rule_text(s.stage)  # type: ignore[arg-type]
        for uid in s.user_ids[:3]:
            assert seg.stage_of(uid) is s.stage
    with pytest.raises(InvalidInputError):
        seg.stage_of("nobody")
    with pytest.raises(InvalidInputError):
        seg.stage_of(5)
    assert "Segmentation(users=60" in repr(seg)


def test_to_frame_with_pandas_and_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    users, events = _models()
    seg = segment_users(users, events, now=NOW)
    pd = pytest.importorskip("pandas")
    frame = seg.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 60 and list(frame["stage"]) == [a.stage.value for a in seg.assignments()]
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError):
        seg.to_frame()


# -- properties ------------------------------------------------------------------------

kind_st = st.sampled_from(list(InteractionKind))
row_st = st.tuples(st.integers(0, 14), kind_st, st.floats(0, 400), st.integers(0, 100_00))


@settings(max_examples=80, deadline=None)
@given(
    joined=st.lists(st.floats(-5, 800), min_size=1, max_size=15),
    rows=st.lists(row_st, max_size=80),
    dormant=st.integers(1, 60),
    extra=st.integers(1, 100),
)
def test_every_user_lands_in_exactly_one_stage(
    joined: list[float],
    rows: list[tuple[int, InteractionKind, float, int]],
    dormant: int,
    extra: int,
) -> None:
    rules = LifecycleRules(dormant_days=dormant, churn_days=dormant + extra)
    users = [(i, ago(d)) for i, d in enumerate(joined)]
    data = [(u, k, ago(d), v / 100) for u, k, d, v in rows]
    # joined may lie up to 5 days after NOW: the as-of-a-past-date mode keeps such users.
    seg = segment_users(users, data, now=NOW, rules=rules, future="ignore")
    ids = [uid for s in seg.segments for uid in s.user_ids]
    assert sorted(ids) == sorted(str(i) for i in range(len(joined)))
    assert sum(seg.counts().values()) == len(joined)
    for a in seg.assignments():
        assert a.reason


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(row_st, max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=3),
    users_split=st.integers(0, 15),
)
def test_merge_of_partitions_equals_one_pass_in_any_order(
    rows: list[tuple[int, InteractionKind, float, int]], cuts: list[int], users_split: int
) -> None:
    users = [(i, ago(i * 20)) for i in range(15)]
    data = [(u, k, ago(d), v / 100) for u, k, d, v in rows]
    whole = LifecycleAccumulator(now=NOW)
    whole.add_users(users)
    whole.add_interactions(data)
    bounds = sorted({0, len(data), *[min(c, len(data)) for c in cuts]})
    parts = []
    for lo, hi in pairwise(bounds):
        acc = LifecycleAccumulator(now=NOW)
        acc.add_interactions(data[lo:hi])
        parts.append(acc)
    ua, ub = LifecycleAccumulator(now=NOW), LifecycleAccumulator(now=NOW)
    ua.add_users(users[:users_split])
    ub.add_users(users[users_split:])
    parts += [ua, ub]
    left = parts[0]
    for p in parts[1:]:
        left = left.merge(p)
    right = parts[-1]
    for p in reversed(parts[:-1]):
        right = p.merge(right)
    assert left == whole == right
    assert left.result() == whole.result()
    clone = pickle.loads(pickle.dumps(whole))
    assert clone == whole


def test_merge_rejects_other_settings() -> None:
    a = LifecycleAccumulator(now=NOW)
    with pytest.raises(InvalidInputError):
        a.merge(LifecycleAccumulator(now=NOW + timedelta(days=1)))
    with pytest.raises(InvalidInputError):
        a.merge("x")  # type: ignore[arg-type]


def test_segmentation_is_a_validated_model() -> None:
    seg = segment_users([("a", ago(1))], [], now=NOW)
    again = Segmentation.model_validate(seg.model_dump())
    assert again == seg


def test_to_frame_matches_assignments() -> None:
    pytest.importorskip("pandas")
    users, events = _models()
    seg = segment_users(users, events, now=NOW)
    frame = seg.to_frame()
    for row, a in zip(frame.itertuples(index=False), seg.assignments(), strict=True):
        assert (row.user_id, row.stage, row.reason, row.idle_days, row.orders) == (
            a.user_id,
            a.stage.value,
            a.reason,
            a.idle_days,
            a.orders,
        )
        assert row.monetary == a.monetary
        assert (row.r, row.f, row.m) == (
            (a.rfm.recency, a.rfm.frequency, a.rfm.monetary) if a.rfm else (0, 0, 0)
        )
