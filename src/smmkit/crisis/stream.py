"""Feed a stream of inbox events (or mentions) into a :class:`CrisisMonitor`, live.

:func:`watch_stream` (a sync iterator) and :func:`awatch_stream` (an async iterator over
an async iterable) pull events from any source (an incremental sync, a live stream, a
webhook queue, a replay), feed them to the monitor and yield a :class:`TierChange` each
time a topic's tier moves: calm → minor → major, and back down as the wave decays.

Memory stays bounded: the monitor forgets what lies beyond ``config.horizon`` (it must
have one), the feeder keeps only the signals of the last ``quiet`` period and at most
``max_pending`` events waiting to be fed. Backpressure is the iterator protocol itself:
the sync feeder reads the next event only when the caller asks for the next change, and
the async one reads ahead into a buffer of ``max_pending`` events, then waits.

Time is the stream's own: ``now`` is the latest ``now_of(event)`` seen (the event's
``at`` by default), never the clock, so a replay gives the same changes as the live run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Generator, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from typing import Union

from smmkit.crisis._checks import instance_of, integer
from smmkit.crisis.detection import ALL
from smmkit.crisis.monitor import CrisisMonitor
from smmkit.crisis.tiering import TieringRules, assess
from smmkit.exceptions import InvalidInputError
from smmkit.models import CrisisSignal, Mention, Severity
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.inbox import InboxEvent

__all__ = ["TierChange", "awatch_stream", "watch_stream"]

StreamItem = Union[InboxEvent, Mention]  # noqa: UP007 (a runtime alias)
_RANK = {None: 0, Severity.MINOR: 1, Severity.MAJOR: 2, Severity.CRITICAL: 3}


class TierChange(SmmkitModel):
    """A topic's tier moved at ``at``: from ``from_tier`` to ``to_tier`` (``None``: calm).

    ``reasons`` are the tiering rules that fired (empty when the topic went calm),
    ``evidence`` a few sample mentions (``platform/id: text``) of the signals behind it.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import Severity
        >>> change = TierChange(topic="过敏", from_tier=None, to_tier=Severity.MINOR,
        ...                     at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> change.escalated
        True
    """

    topic: str
    from_tier: Severity | None
    to_tier: Severity | None
    at: AwareDatetime
    platforms: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def escalated(self) -> bool:
        """``True`` when the tier went up."""
        return _RANK[self.to_tier] > _RANK[self.from_tier]


def _default_now(item: StreamItem) -> datetime:
    return item.at


def _as_mention(item: object, where: str) -> Mention:
    if isinstance(item, Mention):
        return item
    if isinstance(item, InboxEvent):
        return Mention(
            id=item.key,
            platform=item.platform,
            text=item.text,
            at=item.at,
            author=item.author_id,
            url=item.url,
        )
    raise InvalidInputError.single(where, "must be an InboxEvent or a Mention", type(item).__name__)


class _Tracker:
    """The feeder's state: the monitor, the live signals of the quiet period, tiers."""

    def __init__(
        self,
        monitor: object,
        now_of: object,
        max_pending: object,
        quiet: object,
        rules: object,
    ) -> None:
        self.monitor = instance_of(monitor, CrisisMonitor, "monitor")
        if self.monitor.config.horizon is None:
            raise InvalidInputError.single(
                "monitor", "needs config.horizon: without one its memory grows without bound"
            )
        if not callable(now_of):
            raise InvalidInputError.single("now_of", "must be callable", type(now_of).__name__)
        self.now_of: Callable[[StreamItem], datetime] = now_of
        self.max_pending = integer(max_pending, "max_pending")
        if self.max_pending < 1:
            raise InvalidInputError.single("max_pending", "must be at least 1", self.max_pending)
        self.quiet = instance_of(quiet, timedelta, "quiet")
        if self.quiet <= timedelta(0):
            raise InvalidInputError.single("quiet", "must be positive", str(self.quiet))
        self.rules = TieringRules() if rules is None else instance_of(rules, TieringRules, "rules")
        self.now: datetime | None = None
        self.recent: dict[datetime, tuple[CrisisSignal, ...]] = {}
        self.tiers: dict[str, Severity] = {}
        self.prints: dict[str, tuple[object, ...]] = {}
        self.seen = 0

    def step(self, batch: list[object]) -> list[TierChange]:
        """Feed one batch and return the tier changes it caused."""
        mentions = []
        for item in batch:
            where = f"events.{self.seen}"
            mention = _as_mention(item, where)
            when = self.now_of(item)  # type: ignore[arg-type]
            if not isinstance(when, datetime) or when.utcoffset() is None:
                raise InvalidInputError.single(
                    "now_of", f"must return a timezone-aware datetime (for {where})", str(when)
                )
            self.now = when if self.now is None else max(self.now, when)
            mentions.append(mention)
            self.seen += 1
        by_window: dict[datetime, list[CrisisSignal]] = {}
        for signal, _new in self.monitor._feed(mentions):
            by_window.setdefault(signal.at, []).append(signal)
        for start, signals in by_window.items():
            self.recent[start] = tuple(signals)
        return self._changes()

    def _changes(self) -> list[TierChange]:
        now = self.now
        if now is None:
            return []
        cutoff = now - self.quiet
        window = self.monitor.config.window
        for start in [s for s in self.recent if s + window <= cutoff]:
            del self.recent[start]
        live = [s for start in sorted(self.recent) for s in self.recent[start] if s.at <= now]
        topics = {s.topic for s in live if s.topic != ALL} | set(self.tiers)
        active: dict[datetime, set[str]] = {}  # window start -> topics mentioned in it
        out = []
        for topic in sorted(topics):
            related = [
                s
                for s in live
                if s.topic == topic or (s.topic == ALL and topic in self._active(s.at, active))
            ]
            change = self._tier_of(topic, related, now)
            if change is not None:
                out.append(change)
        return out

    def _active(self, start: datetime, cache: dict[datetime, set[str]]) -> set[str]:
        topics = cache.get(start)
        if topics is None:
            table = self.monitor._table
            cells = table.counts.get(table.window_of(start), {})
            topics = cache[start] = {t for (_, t), (v, _) in cells.items() if v > 0}
        return topics

    def _tier_of(self, topic: str, related: list[CrisisSignal], now: datetime) -> TierChange | None:
        # The tier is a function of the related signals: assess only when they changed.
        print_ = tuple(
            (s.at, s.kind, s.topic, s.count, s.platforms, s.baseline, s.score) for s in related
        )
        if self.prints.get(topic) == print_:
            return None
        self.prints[topic] = print_
        before = self.tiers.get(topic)
        if not any(s.topic == topic for s in related):
            del self.prints[topic]
            if before is None:
                return None
            del self.tiers[topic]
            return TierChange(topic=topic, from_tier=before, to_tier=None, at=now)
        crisis = assess(related, topic=topic, now=now, rules=self.rules)
        if crisis.severity is before:
            return None
        self.tiers[topic] = crisis.severity
        evidence = tuple(dict.fromkeys(e for s in related for e in s.evidence))[:5]
        return TierChange(
            topic=topic,
            from_tier=before,
            to_tier=crisis.severity,
            at=now,
            platforms=crisis.platforms,
            reasons=crisis.reasons,
            evidence=evidence,
        )


def watch_stream(
    events: Iterable[StreamItem],
    monitor: CrisisMonitor,
    *,
    now_of: Callable[[StreamItem], datetime] = _default_now,
    max_pending: int = 1,
    quiet: timedelta = timedelta(hours=6),
    rules: TieringRules | None = None,
) -> Generator[TierChange, None, None]:
    """Feed ``events`` into ``monitor``; yield each topic's tier change as it happens.

    Events are :class:`~smmkit.models.InboxEvent` or :class:`~smmkit.models.Mention`
    values, read lazily: at most ``max_pending`` of them are read ahead and fed as one
    batch (the default, 1, feeds each event as it arrives, right for a live source whose
    ``next()`` blocks; raise it to replay a backlog faster). A topic's tier is assessed
    (:func:`~smmkit.crisis.assess`, ``rules``) over the signals of the last ``quiet``
    period of stream time, so it rises with a wave and falls back (to ``None``, calm)
    once the topic has been quiet that long. ``monitor.config.horizon`` must be set.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from smmkit.crisis import Watchlist
        >>> from smmkit.models import InboxEvent
        >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> wave = [InboxEvent(platform="weibo", kind="mention", event_id=str(i),
        ...                    author_id=f"u{i}", text="茶意喝完拉肚子，太差了",
        ...                    at=t0 + timedelta(minutes=i)) for i in range(25)]
        >>> monitor = CrisisMonitor(Watchlist.for_brand("茶意", industries=("food_safety",)))
        >>> for change in watch_stream(wave, monitor):
        ...     print(change.topic, change.to_tier.value)
        拉肚子 minor
        茶意 minor
        拉肚子 critical
        茶意 critical
    """
    tracker = _Tracker(monitor, now_of, max_pending, quiet, rules)
    if isinstance(events, (str, bytes)) or not isinstance(events, Iterable):
        raise InvalidInputError.single(
            "events", "must be an iterable of InboxEvent or Mention", type(events).__name__
        )
    return _run(iter(events), tracker)


def _run(source: Iterator[object], tracker: _Tracker) -> Generator[TierChange, None, None]:
    while True:
        batch = list(islice(source, tracker.max_pending))
        if not batch:
            return
        yield from tracker.step(batch)


_END = object()


def awatch_stream(
    events: AsyncIterable[StreamItem],
    monitor: CrisisMonitor,
    *,
    now_of: Callable[[StreamItem], datetime] = _default_now,
    max_pending: int = 64,
    quiet: timedelta = timedelta(hours=6),
    rules: TieringRules | None = None,
) -> AsyncGenerator[TierChange, None]:
    """:func:`watch_stream` over an async iterable, with a bounded buffer.

    A reader task pulls ``events`` into a queue of at most ``max_pending`` events and
    waits while it is full (backpressure reaches the source); each step feeds whatever
    is waiting, up to ``max_pending``, as one batch. Closing the iterator stops the
    reader; an error of the source is raised from the iterator.

    Example:
        >>> import asyncio
        >>> from datetime import datetime, timedelta, timezone
        >>> from smmkit.crisis import Watchlist
        >>> from smmkit.models import InboxEvent
        >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> async def source():
        ...     for i in range(3):
        ...         yield InboxEvent(platform="weibo", kind="mention", event_id=str(i),
        ...                          author_id="u", text="茶意拉肚子，太差了",
        ...                          at=t0 + timedelta(minutes=i))
        >>> async def main():
        ...     monitor = CrisisMonitor(Watchlist.for_brand("茶意"))
        ...     return [c.to_tier.value async for c in awatch_stream(source(), monitor)]
        >>> asyncio.run(main())
        ['minor']
    """
    tracker = _Tracker(monitor, now_of, max_pending, quiet, rules)
    if not isinstance(events, AsyncIterable):
        raise InvalidInputError.single(
            "events", "must be an async iterable of InboxEvent or Mention", type(events).__name__
        )
    return _arun(events, tracker)


async def _arun(
    events: AsyncIterable[object], tracker: _Tracker
) -> AsyncGenerator[TierChange, None]:
    queue: asyncio.Queue[object] = asyncio.Queue(maxsize=tracker.max_pending)

    async def read() -> None:
        try:
            async for item in events:
                await queue.put(item)
        except Exception as exc:  # handed to the consumer, raised there
            await queue.put(_Failure(exc))
            return
        await queue.put(_END)

    reader = asyncio.ensure_future(read())
    try:
        done = False
        while not done:
            batch: list[object] = [await queue.get()]
            while len(batch) < tracker.max_pending and not queue.empty():
                batch.append(queue.get_nowait())
            if batch[-1] is _END:
                batch.pop()
                done = True
            elif isinstance(failure := batch[-1], _Failure):
                batch.pop()
                for change in tracker.step(batch):
                    yield change
                raise failure.error
            for change in tracker.step(batch):
                yield change
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader


class _Failure:
    """An exception raised by the source, carried through the queue."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error
