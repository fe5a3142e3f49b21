"""The crisis monitor's horizon (eviction) and the stream feeders (issue 19, item 4)."""

from __future__ import annotations

import asyncio
import itertools
import random
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone

import pytest

from smmkit.crisis import (
    CrisisMonitor,
    DetectionConfig,
    SentimentLabel,
    SentimentScore,
    TierChange,
    Watchlist,
    awatch_stream,
    watch_stream,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import InboxEvent, Mention, Severity

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)  # a Monday
WL = Watchlist.for_brand("茶意", aliases=("Chayi",), industries=("food_safety",))
CHATTER = (
    ("xiaohongshu", "茶意的新品很好喝"),
    ("douyin", "下午茶来一杯茶意"),
    ("weibo", "今天天气不错"),
    ("weibo", "茶意喝完拉肚子，太差了"),
    ("xiaohongshu", "Chayi cold brew is great"),
)
LOW = DetectionConfig(spike_min_count=4, surge_min_count=2, negativity_min_count=3)


def _stream(weeks: int, seed: int = 7) -> list[Mention]:
    rng = random.Random(seed)
    out: list[Mention] = []
    for hour in range(weeks * 7 * 24):
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            platform, text = rng.choice(CHATTER)
            at = T0 + timedelta(hours=hour, minutes=rng.randrange(60))
            out.append(Mention(id=f"m{len(out)}", platform=platform, text=text, at=at))
    return out


def _hourly(mentions: list[Mention]) -> Iterator[list[Mention]]:
    batch: list[Mention] = []
    hour = None
    for m in mentions:
        h = m.at.replace(minute=0, second=0, microsecond=0)
        if hour is not None and h != hour and batch:
            yield batch
            batch = []
        hour = h
        batch.append(m)
    if batch:
        yield batch


# -- the horizon --------------------------------------------------------------------------


def test_results_within_the_horizon_are_those_of_an_unbounded_monitor() -> None:
    mentions = _stream(weeks=8)
    bounded = CrisisMonitor(WL, config=LOW.model_copy(update={"horizon": timedelta(days=7)}))
    unbounded = CrisisMonitor(WL, config=LOW.model_copy(update={"horizon": None}))
    for batch in _hourly(mentions):
        # Fed hour by hour, in order: every window is live when it is fed.
        assert bounded.feed(batch) == unbounded.feed(batch)
    live = bounded._live_from()
    assert live is not None
    cut = bounded._table.start_of(live)
    assert bounded.alerts() == tuple(s for s in unbounded.alerts() if s.at >= cut)
    assert bounded.alerts()  # something to compare
    stats = bounded.window_stats()
    assert stats == tuple(r for r in unbounded.window_stats() if r.start >= stats[0].start)
    for topic in ("茶意", "拉肚子", "*"):
        assert bounded.window_stats(topic)[-100:] == unbounded.window_stats(topic)[-100:]
    last = mentions[-1].at
    assert bounded.baseline_negativity(last) == unbounded.baseline_negativity(last)
    assert bounded.crisis("拉肚子", now=last) is not None
    # Memory: the horizon plus the rules' lookback, not eight weeks.
    cfg = bounded.config
    assert cfg.horizon_windows is not None
    assert len(bounded._table.counts) <= cfg.horizon_windows + cfg.lookback + 1
    assert len(unbounded._table.counts) > len(bounded._table.counts)
    assert all(s.at >= cut for s in bounded.alerts())
    assert len(bounded._emitted) < len(unbounded._emitted)


def test_any_partition_and_order_gives_the_same_bounded_state() -> None:
    mentions = _stream(weeks=7, seed=3)
    cfg = LOW.model_copy(update={"horizon": timedelta(days=5)})
    whole = CrisisMonitor(WL, config=cfg)
    whole.feed(mentions)
    shuffled = mentions[:]
    random.Random(1).shuffle(shuffled)
    a, b, c = (CrisisMonitor(WL, config=cfg) for _ in range(3))
    a.feed(shuffled[::3])
    for batch in _hourly(sorted(shuffled[1::3], key=lambda m: m.at)):
        b.feed(batch)
    c.feed(shuffled[2::3])
    assert a.merge(b).merge(c).alerts() == whole.alerts()
    assert a.merge(b.merge(c)).to_json() == c.merge(a).merge(b).to_json()
    # Counts and samples inside the horizon are identical to the single pass.
    merged = a.merge(b).merge(c)
    assert merged.window_stats() == whole.window_stats()
    assert merged._table.counts == whole._table.counts

    def kept(m: CrisisMonitor) -> dict[tuple[int, str], list[tuple[str, str, str, str]]]:
        return {k: sorted(v) for k, v in m._table.samples.items()}  # evidence() sorts too

    assert kept(merged) == kept(whole)


def test_an_evicted_state_round_trips_through_json() -> None:
    mon = CrisisMonitor(WL, config=LOW.model_copy(update={"horizon": timedelta(days=2)}))
    mon.feed(_stream(weeks=6, seed=5))
    back = CrisisMonitor.from_json(mon.to_json(), watchlist=WL)
    assert back == mon
    assert back.alerts() == mon.alerts()


def test_a_horizon_must_be_positive() -> None:
    with pytest.raises(InvalidInputError) as caught:
        DetectionConfig(horizon=timedelta(0))
    assert caught.value.fields == ("horizon",)
    assert DetectionConfig(horizon=None).horizon_windows is None


# -- tier changes from a stream ------------------------------------------------------------


def _event(i: int, at: datetime, text: str, platform: str = "weibo") -> InboxEvent:
    return InboxEvent(
        platform=platform, kind="comment", event_id=f"e{i}", author_id=f"u{i}", text=text, at=at
    )


def _wave() -> list[InboxEvent]:
    """Quiet chatter, a complaint wave at 10:00 that peaks and dies down, quiet again."""
    events = []
    for minute in range(0, 14 * 60, 10):  # chatter every 10 minutes from 08:00
        events.append(_event(minute, T0 + timedelta(hours=8, minutes=minute), "茶意好喝"))
    wave = [(10, 1), (11, 25), (12, 3)]  # (hour, complaints in that hour)
    for hour, count in wave:
        for k in range(count):
            at = T0 + timedelta(hours=hour, minutes=k * 59 // count)
            events.append(_event(10_000 + hour * 100 + k, at, "茶意喝完拉肚子，太差了"))
    return sorted(events, key=lambda e: (e.at, e.event_id))


def test_a_complaint_wave_raises_the_tier_then_decays() -> None:
    monitor = CrisisMonitor(WL)
    changes = list(watch_stream(_wave(), monitor, quiet=timedelta(hours=3)))
    brand = [c for c in changes if c.topic == "茶意"]
    tiers = [c.to_tier for c in brand]
    assert tiers[0] is Severity.MINOR
    assert Severity.MAJOR in tiers or Severity.CRITICAL in tiers
    assert tiers[-1] is None  # calm again
    assert brand[-1].from_tier is not None
    peak = next(c for c in brand if c.to_tier in (Severity.MAJOR, Severity.CRITICAL))
    assert peak.escalated
    assert peak.to_tier is not None
    assert peak.reasons and peak.reasons[-1].startswith(peak.to_tier.value)
    assert peak.evidence and peak.evidence[0].startswith("weibo/weibo:comment:")
    assert T0 + timedelta(hours=11) <= peak.at < T0 + timedelta(hours=12)
    calm = brand[-1]
    assert calm.at >= T0 + timedelta(hours=15)  # three quiet hours after the last complaint
    # Changes are in time order and each follows the previous tier of its topic.
    assert [c.at for c in changes] == sorted(c.at for c in changes)
    for before, after in itertools.pairwise(brand):
        assert after.from_tier is before.to_tier


def test_batching_changes_when_not_whether_a_tier_is_reached() -> None:
    one = list(watch_stream(_wave(), CrisisMonitor(WL), quiet=timedelta(hours=3)))
    many = list(watch_stream(_wave(), CrisisMonitor(WL), quiet=timedelta(hours=3), max_pending=50))
    for topic in ("茶意", "拉肚子"):
        assert max(_rank(c.to_tier) for c in one if c.topic == topic) == max(
            _rank(c.to_tier) for c in many if c.topic == topic
        )
    assert one[-1].to_tier is None
    assert many[-1].to_tier is None


def _rank(tier: Severity | None) -> int:
    return [None, Severity.MINOR, Severity.MAJOR, Severity.CRITICAL].index(tier)


def test_the_sync_feeder_pulls_only_as_fast_as_the_caller_iterates() -> None:
    pulled = []

    def source() -> Iterator[InboxEvent]:
        for event in _wave():
            pulled.append(event)
            yield event

    changes = watch_stream(source(), CrisisMonitor(WL), max_pending=4)
    assert pulled == []  # nothing read before the first next()
    first = next(changes)
    assert first.to_tier is Severity.MINOR
    read = len(pulled)
    assert read % 4 == 0 and read < len(_wave())


def test_the_async_feeder_matches_the_sync_one_with_a_bounded_buffer() -> None:
    events = _wave()
    produced: list[int] = []
    consumed = 0
    ahead = 0

    async def source() -> AsyncIterator[InboxEvent]:
        for event in events:
            produced.append(1)
            yield event

    async def main() -> list[TierChange]:
        nonlocal consumed, ahead
        out = []
        async for change in awatch_stream(
            source(), CrisisMonitor(WL), quiet=timedelta(hours=3), max_pending=1
        ):
            out.append(change)
            consumed = sum(1 for e in events if e.at <= change.at)
            ahead = max(ahead, len(produced) - consumed)
            await asyncio.sleep(0)
        return out

    changes = asyncio.run(main())
    expected = list(watch_stream(events, CrisisMonitor(WL), quiet=timedelta(hours=3)))
    assert changes == expected
    assert ahead <= 3  # the buffer (1), the reader's hand, the batch being fed


def test_the_async_feeder_raises_the_source_error_and_stops_its_reader() -> None:
    async def broken() -> AsyncIterator[InboxEvent]:
        yield _event(1, T0, "茶意拉肚子，太差了")
        raise RuntimeError("connection lost")

    async def main() -> list[TierChange]:
        return [c async for c in awatch_stream(broken(), CrisisMonitor(WL))]

    with pytest.raises(RuntimeError, match="connection lost"):
        asyncio.run(main())

    async def endless() -> AsyncIterator[InboxEvent]:
        i = 0
        while True:
            i += 1
            yield _event(i, T0 + timedelta(seconds=i), "茶意拉肚子，太差了")

    async def first_only() -> TierChange:
        stream = awatch_stream(endless(), CrisisMonitor(WL), max_pending=8)
        change = await stream.__anext__()
        await stream.aclose()  # cancels the reader
        return change

    assert asyncio.run(first_only()).to_tier is Severity.MINOR


def test_feeders_refuse_bad_arguments_with_typed_errors() -> None:
    unbounded = CrisisMonitor(WL, config=DetectionConfig(horizon=None))
    cases: list[tuple[object, dict[str, object], str]] = [
        ([], {"monitor": unbounded}, "monitor"),
        ([], {"monitor": "m"}, "monitor"),
        ("events", {"monitor": CrisisMonitor(WL)}, "events"),
        ([], {"monitor": CrisisMonitor(WL), "max_pending": 0}, "max_pending"),
        ([], {"monitor": CrisisMonitor(WL), "now_of": 3}, "now_of"),
        ([], {"monitor": CrisisMonitor(WL), "quiet": timedelta(0)}, "quiet"),
    ]
    for events, kwargs, field in cases:
        with pytest.raises(InvalidInputError) as caught:
            watch_stream(events, **kwargs)  # type: ignore[arg-type]
        assert caught.value.fields == (field,)
    with pytest.raises(InvalidInputError) as caught:
        list(watch_stream([_event(1, T0, "x"), "not an event"], CrisisMonitor(WL)))  # type: ignore[list-item]
    assert caught.value.fields == ("events.1",)
    with pytest.raises(InvalidInputError) as caught:
        list(
            watch_stream(
                [_event(1, T0, "x")],
                CrisisMonitor(WL),
                now_of=lambda e: e.at.replace(tzinfo=None),
            )
        )
    assert caught.value.fields == ("now_of",)
    with pytest.raises(InvalidInputError) as caught:
        awatch_stream([], CrisisMonitor(WL))  # type: ignore[arg-type]
    assert caught.value.fields == ("events",)


# -- a million events, bounded memory ---------------------------------------------------------


class _Neutral:
    """A cheap analyzer (the test measures the monitor's memory, not the lexicon's speed)."""

    NEGATIVE = SentimentScore(polarity=-0.8, label=SentimentLabel.NEGATIVE)
    NEUTRAL = SentimentScore(polarity=0.0, label=SentimentLabel.NEUTRAL)

    def score(self, text: str) -> SentimentScore:
        return self.NEGATIVE if "差" in text else self.NEUTRAL

    def score_many(self, texts: list[str]) -> list[SentimentScore]:
        return [self.score(t) for t in texts]


EVENTS = 250_000  # a quarter million keeps CI quick; 1,000,000 measured 5.6 MB peak too
PEAK_BOUND = 32 * 1024 * 1024  # bytes; the events alone would take > 250 MB


def _long_stream() -> Iterator[Mention]:
    texts = ("茶意好喝", "今天开会", "茶意拉肚子，太差了", "Chayi tea time")
    platforms = ("weibo", "douyin", "xiaohongshu")
    for i in range(EVENTS):
        # one event every 24 seconds: 69 days of stream time, past the 28-day horizon
        yield Mention(
            id=str(i),
            platform=platforms[i % 3],
            text=texts[0 if i % 97 else 2] if i % 5 else texts[i % 4],
            at=T0 + timedelta(seconds=24 * i),
        )


@pytest.mark.slow
def test_a_long_stream_passes_through_in_bounded_memory() -> None:
    monitor = CrisisMonitor(WL, analyzer=_Neutral())  # type: ignore[arg-type]
    tracemalloc.start()
    try:
        changes = 0
        for _ in watch_stream(_long_stream(), monitor, max_pending=1000):
            changes += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BOUND, f"peak {peak / 1e6:.1f} MB"
    cfg = monitor.config
    assert cfg.horizon_windows is not None
    assert len(monitor._table.counts) <= cfg.horizon_windows + cfg.lookback + 1
    assert changes > 0
