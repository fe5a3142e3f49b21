from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smmkit.crisis import (
    DetectionConfig,
    TermKind,
    Watchlist,
    WatchTerm,
    WindowTable,
    default_analyzer,
    detect_signals,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import Mention, SignalKind

T0 = datetime(2026, 3, 9, 9, tzinfo=timezone.utc)  # a Monday
WL = Watchlist(
    [WatchTerm(name="Glowa", kind=TermKind.BRAND), WatchTerm(name="过敏", kind=TermKind.RISK)],
    accelerator="python",
)
NEG_TEXT = "Glowa用完过敏，太差了"
POS_TEXT = "Glowa很好用，喜欢"


def mentions(
    n: int, text: str, *, at: datetime = T0, platform: str = "weibo", tag: str = "m"
) -> list[Mention]:
    return [
        Mention(
            id=f"{tag}{platform}{at:%d%H}{i}",
            platform=platform,
            text=text,
            at=at + timedelta(minutes=i % 60),
        )
        for i in range(n)
    ]


def kinds(table: WindowTable, at: datetime = T0) -> set[tuple[str, str]]:
    return {(s.kind.value, s.topic) for s in detect_signals(table, table.window_of(at))}


def table_with(*batches: list[Mention], **cfg: object) -> WindowTable:
    t = WindowTable(DetectionConfig(**cfg))
    for b in batches:
        t.add(b, WL, default_analyzer())
    return t


# One row per rule: (mentions, config overrides, signal that must fire, signal that must not)
CASES: list[
    tuple[
        str,
        list[list[Mention]],
        dict[str, object],
        tuple[str, str] | None,
        tuple[str, str] | None,
    ]
] = [
    (
        "single complaint",
        [mentions(1, NEG_TEXT)],
        {},
        ("complaint", "过敏"),
        ("risk_term_surge", "过敏"),
    ),
    ("praise is no complaint", [mentions(3, POS_TEXT)], {}, None, ("complaint", "Glowa")),
    ("negativity", [mentions(10, NEG_TEXT)], {}, ("negativity", "*"), None),
    ("negativity needs volume", [mentions(9, NEG_TEXT)], {}, None, ("negativity", "*")),
    ("volume spike", [mentions(20, POS_TEXT)], {}, ("volume_spike", "*"), ("negativity", "*")),
    ("below spike minimum", [mentions(19, POS_TEXT)], {}, None, ("volume_spike", "*")),
    ("risk term surge", [mentions(5, NEG_TEXT)], {}, ("risk_term_surge", "过敏"), None),
    ("surge minimum", [mentions(4, NEG_TEXT)], {}, None, ("risk_term_surge", "过敏")),
    (
        "spread over two platforms",
        [mentions(3, NEG_TEXT), mentions(3, NEG_TEXT, platform="douyin")],
        {},
        ("cross_platform_spread", "过敏"),
        None,
    ),
    (
        "one platform is no spread",
        [mentions(6, NEG_TEXT)],
        {},
        None,
        ("cross_platform_spread", "过敏"),
    ),
]


@pytest.mark.parametrize(
    ("name", "batches", "cfg", "fires", "silent"), CASES, ids=[c[0] for c in CASES]
)
def test_rules(
    name: str,
    batches: list[list[Mention]],
    cfg: dict[str, object],
    fires: tuple[str, str] | None,
    silent: tuple[str, str] | None,
) -> None:
    got = kinds(table_with(*batches, **cfg))
    if fires:
        assert fires in got
    if silent:
        assert silent not in got


def test_spike_uses_same_hour_of_week() -> None:
    # 10 mentions at this hour every previous week: 20 now is only 2x, no spike.
    history = [mentions(10, POS_TEXT, at=T0 - timedelta(weeks=k), tag=f"h{k}") for k in (1, 2)]
    # ...while a different hour last week carries nothing, so it does not count.
    t = table_with(*history, mentions(20, POS_TEXT))
    assert ("volume_spike", "*") not in kinds(t)
    assert t.baseline(t.window_of(T0)) == 10.0
    t2 = table_with(*history, mentions(30, POS_TEXT))
    spikes = [s for s in detect_signals(t2, t2.window_of(T0)) if s.kind is SignalKind.VOLUME_SPIKE]
    assert spikes and spikes[0].baseline == 10.0 and spikes[0].score == pytest.approx(3.0)


def test_negativity_against_baseline() -> None:
    # A brand that always gets 60% negative mentions at this hour is not newly negative.
    history = [
        mentions(6, NEG_TEXT, at=T0 - timedelta(weeks=1), tag="n")
        + mentions(4, POS_TEXT, at=T0 - timedelta(weeks=1), tag="p")
    ]
    t = table_with(*history, mentions(6, NEG_TEXT) + mentions(4, POS_TEXT, tag="q"))
    assert ("negativity", "*") not in kinds(t)


def test_signal_carries_evidence() -> None:
    t = table_with(mentions(5, NEG_TEXT))
    surge = next(
        s for s in detect_signals(t, t.window_of(T0)) if s.kind is SignalKind.RISK_TERM_SURGE
    )
    assert surge.count == 5
    assert len(surge.evidence) == 3
    assert all(NEG_TEXT in e for e in surge.evidence)


def test_config_validation() -> None:
    with pytest.raises(InvalidInputError, match="window"):
        DetectionConfig(window=timedelta(minutes=11))
    with pytest.raises(InvalidInputError, match="at"):
        WindowTable(DetectionConfig()).window_of(datetime(2026, 1, 1))


def test_stats() -> None:
    t = table_with(mentions(4, NEG_TEXT), mentions(1, POS_TEXT, platform="douyin"))
    (row,) = t.stats()
    assert (row.volume, row.negative, row.platforms) == (5, 4, ("douyin", "weibo"))
    assert row.negativity == pytest.approx(0.8)
