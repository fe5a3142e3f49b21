"""The streaming crisis monitor: feed mentions, get new alerts; merge partitions.

A :class:`CrisisMonitor` keeps only counts per window, platform and topic (plus a few
sample mentions), so its memory grows with time and topics, not with mentions. Two
monitors that saw different partitions of a stream merge into the monitor of the whole
stream (``merge`` is associative and commutative), which is what lets a Dask job or a
set of workers run detection in parallel. The state serialises to JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from smmkit.crisis._checks import instance_of
from smmkit.crisis._state import STATE_VERSION, parse_state
from smmkit.crisis.detection import (
    ALL,
    DetectionConfig,
    WindowStats,
    WindowTable,
    detect_signals,
)
from smmkit.crisis.recovery import RecoveryStatus, recovery_status
from smmkit.crisis.sentiment import SentimentAnalyzer, default_analyzer
from smmkit.crisis.tiering import TieringRules, assess
from smmkit.crisis.watchlist import Watchlist, term_text
from smmkit.exceptions import InvalidInputError
from smmkit.models import Crisis, CrisisSignal, Mention
from smmkit.models._base import require_aware

__all__ = ["CrisisMonitor"]


def _key(signal: CrisisSignal) -> tuple[str, str, str, tuple[str, ...]]:
    return (signal.at.isoformat(), signal.kind.value, signal.topic, signal.platforms)


class CrisisMonitor:
    """Incremental detection over a stream of :class:`~smmkit.models.Mention`.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.crisis import Watchlist
        >>> from smmkit.models import Mention
        >>> mon = CrisisMonitor(Watchlist.for_brand("Glowa", industries=("cosmetics",)))
        >>> at = datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc)
        >>> alerts = mon.feed([Mention(id="1", platform="xiaohongshu", at=at,
        ...                            text="Glowa面霜用完过敏了，很失望")])
        >>> sorted({(a.kind.value, a.topic) for a in alerts})
        [('complaint', 'Glowa'), ('complaint', '过敏')]
        >>> mon.feed([]) == ()
        True
    """

    __slots__ = ("_emitted", "_evicted_to", "_table", "analyzer", "config", "watchlist")

    def __init__(
        self,
        watchlist: Watchlist,
        *,
        analyzer: SentimentAnalyzer | None = None,
        config: DetectionConfig | None = None,
    ) -> None:
        self.watchlist = instance_of(watchlist, Watchlist, "watchlist")
        self.analyzer = default_analyzer() if analyzer is None else analyzer
        if not isinstance(self.analyzer, SentimentAnalyzer):
            raise InvalidInputError.single(
                "analyzer", "must have score() and score_many()", type(analyzer).__name__
            )
        self.config = DetectionConfig() if config is None else config
        self._table = WindowTable(self.config)
        self._emitted: set[tuple[str, str, str, tuple[str, ...]]] = set()
        self._evicted_to: int | None = None

    def feed(self, mentions: Iterable[Mention]) -> tuple[CrisisSignal, ...]:
        """Count ``mentions`` and return the signals not reported before, in time order.

        Each item must be a :class:`~smmkit.models.Mention` whose platform is known
        (:func:`smmkit.catalog.is_known_platform`): a plain string, a lone ``Mention`` or
        an unknown platform id raises :class:`~smmkit.exceptions.InvalidInputError` (or
        ``UnknownPlatformError``) naming the item, and nothing of the batch is counted.

        Example:
            >>> from smmkit.crisis import incident_mentions
            >>> mon = CrisisMonitor(Watchlist.for_brand("Glowa", industries=("cosmetics",)))
            >>> first = mon.feed(incident_mentions())
            >>> len(first) > 0, mon.feed(incident_mentions()[:0])
            (True, ())
        """
        return tuple(s for s, new in self._feed(mentions) if new)

    def _feed(self, mentions: Iterable[Mention]) -> list[tuple[CrisisSignal, bool]]:
        """Count ``mentions``; every signal of the live windows they touched, each with
        whether it is new. Windows that had fallen beyond the horizon are counted (their
        counts feed later baselines) but not detected: their history may be gone."""
        live = self._live_from()
        touched = self._table.add(mentions, self.watchlist, self.analyzer)
        out: list[tuple[CrisisSignal, bool]] = []
        for window in touched:
            if live is not None and window < live:
                continue
            for signal in detect_signals(self._table, window):
                key = _key(signal)
                new = key not in self._emitted
                if new:
                    self._emitted.add(key)
                out.append((signal, new))
        self._evict()
        return out

    def _live_from(self) -> int | None:
        """The first window whose detection is exact (``None``: every window)."""
        horizon = self.config.horizon_windows
        latest = max(self._table.counts, default=None)
        return None if horizon is None or latest is None else latest - horizon

    def _evict(self) -> None:
        """Forget what lies beyond the horizon: windows older than the horizon plus the
        rules' lookback, and reported alerts older than the horizon."""
        live = self._live_from()
        if live is None or live == self._evicted_to:
            return
        self._evicted_to = live
        self._table.evict(live - self.config.lookback)
        old = set()
        for key in self._emitted:
            window = _window_of_key(self._table, key[0])
            if window is not None and window < live:
                old.add(key)
        self._emitted -= old

    def alerts(self) -> tuple[CrisisSignal, ...]:
        """Every signal the state supports, recomputed over the windows within the
        horizon (``config.horizon`` before the newest mention; all windows when it is
        ``None``), in time order.

        Example:
            >>> CrisisMonitor(Watchlist([])).alerts()
            ()
        """
        live = self._live_from()
        out: list[CrisisSignal] = []
        for window in self._table.windows():
            if live is None or window >= live:
                out.extend(detect_signals(self._table, window))
        return tuple(out)

    def window_stats(self, topic: str = "*") -> tuple[WindowStats, ...]:
        """Per-window volume and negativity of a topic (``"*"``: all mentions).

        Example:
            >>> CrisisMonitor(Watchlist([])).window_stats()
            ()
        """
        if topic != ALL:
            term_text(topic, "topic")
        return self._table.stats(topic)

    def baseline_negativity(self, at: datetime, *, topic: str = "*") -> float | None:
        """The weekly-baseline negative share for the window containing ``at``.

        ``None`` when no earlier week was observed. Example:
            >>> from datetime import datetime, timezone
            >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
            >>> CrisisMonitor(Watchlist([])).baseline_negativity(at) is None
            True
        """
        if topic != ALL:
            term_text(topic, "topic")
        return self._table.baseline_negativity(self._table.window_of(at), topic=topic)

    def crisis(
        self,
        topic: str,
        *,
        now: datetime,
        previous: Crisis | None = None,
        rules: TieringRules | None = None,
    ) -> Crisis | None:
        """Assess the signals about ``topic`` (and overall negativity) up to ``now``.

        Returns ``None`` when nothing about the topic has fired yet. ``platforms`` of the
        result are those where ``topic`` itself was mentioned; signals about all mentions
        (overall negativity, volume spikes) count towards the tier while ``topic`` is
        active in their window, but add no platform. ``now`` must be timezone-aware.

        Example:
            >>> from datetime import datetime, timezone
            >>> from smmkit.crisis import incident_mentions
            >>> mon = CrisisMonitor(Watchlist.for_brand("Glowa", industries=("cosmetics",)))
            >>> _ = mon.feed(incident_mentions())
            >>> mon.crisis("过敏", now=datetime(2026, 3, 2, 13, tzinfo=timezone.utc)).severity.value
            'major'
        """
        require_aware(now, "now")
        term_text(topic, "topic")
        if previous is not None:
            instance_of(previous, Crisis, "previous")
        related = [
            s
            for s in self.alerts()
            if s.at <= now and (s.topic == topic or (s.topic == "*" and _overlaps(s, topic, self)))
        ]
        if not any(s.topic == topic for s in related):
            return None
        return assess(related, topic=topic, previous=previous, now=now, rules=rules)

    def recovery(
        self,
        crisis: Crisis,
        *,
        now: datetime,
        tolerance: float = 0.05,
        windows: int = 3,
    ) -> RecoveryStatus:
        """Whether negativity is back to its pre-crisis baseline, with suggestions.

        The baseline is the negative share of all mentions before the crisis was
        detected (the weekly same-hour baseline when there is one); the windows checked
        run from detection to ``now``. Suggestions follow the topic's risk pack.

        Example:
            >>> from datetime import datetime, timezone
            >>> from smmkit.crisis import incident_mentions
            >>> mon = CrisisMonitor(Watchlist.for_brand("Glowa", industries=("cosmetics",)))
            >>> _ = mon.feed(incident_mentions())
            >>> now = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)
            >>> mon.recovery(mon.crisis("过敏", now=now), now=now).recovered
            False
        """
        require_aware(now, "now")
        instance_of(crisis, Crisis, "crisis")
        base = self.baseline_negativity(crisis.detected_at)
        if base is None:
            before = [r for r in self.window_stats() if r.start < crisis.detected_at]
            volume = sum(r.volume for r in before)
            base = sum(r.negative for r in before) / volume if volume else 0.0
        rows = [r for r in self.window_stats() if crisis.detected_at <= r.start <= now]
        category = next(
            (t.category for t in self.watchlist.terms if t.name == crisis.topic and t.category),
            None,
        )
        return recovery_status(
            rows, baseline=base, tolerance=tolerance, windows=windows, category=category
        )

    def merge(self, other: CrisisMonitor) -> CrisisMonitor:
        """A new monitor whose state is both monitors' states combined.

        The watchlist and analyzer are taken from ``self``; configs must match.

        Example:
            >>> from smmkit.crisis import incident_mentions
            >>> wl = Watchlist.for_brand("Glowa", industries=("cosmetics",))
            >>> ms = incident_mentions()
            >>> a, b, whole = CrisisMonitor(wl), CrisisMonitor(wl), CrisisMonitor(wl)
            >>> _ = a.feed(ms[::2]), b.feed(ms[1::2]), whole.feed(ms)
            >>> a.merge(b).alerts() == whole.alerts()
            True
        """
        if instance_of(other, CrisisMonitor, "other").config != self.config:
            raise InvalidInputError.single("other", "was built with a different config")
        out = CrisisMonitor(self.watchlist, analyzer=self.analyzer, config=self.config)
        out._table = self._table.merge(other._table)
        out._emitted = self._emitted | other._emitted
        out._evict()
        return out

    def to_json(self) -> str:
        """The state (config, counts, samples, reported alerts) as JSON.

        Example:
            >>> mon = CrisisMonitor(Watchlist([]))
            >>> CrisisMonitor.from_json(mon.to_json(), watchlist=Watchlist([])).alerts()
            ()
        """
        t = self._table
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "config": json.loads(self.config.model_dump_json()),
            "first": t.first,
            "topics": dict(sorted(t.topics.items())),
            "counts": [
                [w, p, topic, v, n]
                for w in sorted(t.counts)
                for (p, topic), (v, n) in sorted(t.counts[w].items())
            ],
            "samples": [
                [w, topic, [list(s) for s in kept]]
                for (w, topic), kept in sorted(t.samples.items())
            ],
            "emitted": sorted(
                [at, kind, topic, list(plats)] for at, kind, topic, plats in self._emitted
            ),
        }
        return json.dumps(state, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(
        cls,
        data: str,
        *,
        watchlist: Watchlist,
        analyzer: SentimentAnalyzer | None = None,
    ) -> CrisisMonitor:
        """Rebuild a monitor from :meth:`to_json` output.

        The state is checked before anything is built: a wrong shape, a wrong type, a
        missing key or text that nests too deeply raises
        :class:`~smmkit.exceptions.InvalidInputError` naming where (``counts.3``,
        ``config.window``, ``data``).

        Example:
            >>> wl = Watchlist([])
            >>> CrisisMonitor.from_json(CrisisMonitor(wl).to_json(), watchlist=wl).alerts()
            ()
        """
        state = parse_state(data)
        mon = cls(watchlist, analyzer=analyzer, config=state.config)
        t = mon._table
        t.first = state.first
        t.topics = state.topics
        for w, p, topic, v, n in state.counts:
            t.counts.setdefault(w, {})[(p, topic)] = [v, n]
        t.samples = state.samples
        mon._emitted = state.emitted
        mon._evict()
        return mon

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CrisisMonitor):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CrisisMonitor({len(self._table.counts)} windows, {len(self._emitted)} alerts)"


def _window_of_key(table: WindowTable, at: str) -> int | None:
    """The window of a reported alert's time (``None`` for a hand-edited, unreadable one:
    such a key is kept rather than failing)."""
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        return None
    return None if when.utcoffset() is None else table.window_of(when)


def _overlaps(signal: CrisisSignal, topic: str, monitor: CrisisMonitor) -> bool:
    # Overall negativity or a spike counts for a topic only while the topic is active in
    # the same window: otherwise an unrelated spike would escalate every open issue.
    window = monitor._table.window_of(signal.at)
    return monitor._table.count(window, topic=topic)[0] > 0
