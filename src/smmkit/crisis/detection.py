"""Detection: per-window counts and the rules that turn them into typed signals.

Mentions are counted in fixed windows (one hour by default) per platform and per topic
(``"*"`` for everything, otherwise the name of a watched term). The rules compare a
window with the **same window of the week** in earlier weeks, because social traffic
has a weekly rhythm: Monday 9:00 is compared with earlier Mondays 9:00, not with Sunday
night. Each rule that fires yields a :class:`~smmkit.models.CrisisSignal` carrying its
evidence: counts, the baseline, a score and sample mentions.

The counts are plain sums (and the samples the k earliest mentions), so two tables built
over different partitions of a stream merge into exactly the table of the whole stream.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial

from pydantic import Field, field_validator

from smmkit.catalog import require_known_platform
from smmkit.crisis._checks import instance_of, integer, items_of
from smmkit.crisis.sentiment import SentimentAnalyzer, SentimentLabel
from smmkit.crisis.watchlist import TermKind, Watchlist
from smmkit.exceptions import InvalidInputError
from smmkit.models import CrisisSignal, Mention, SignalKind
from smmkit.models._base import AwareDatetime, PlatformId, SmmkitModel, require_aware

__all__ = ["ALL", "DetectionConfig", "WindowStats", "WindowTable", "detect_signals"]

ALL = "*"
"""The topic that counts every mention."""

_WEEK = 7 * 24 * 3600
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class DetectionConfig(SmmkitModel):
    """Thresholds of the detection rules (the defaults suit one brand's hourly stream).

    Example:
        >>> DetectionConfig().window
        datetime.timedelta(seconds=3600)
    """

    window: timedelta = timedelta(hours=1)
    baseline_weeks: int = Field(default=4, ge=1)
    baseline_floor: float = Field(default=1.0, gt=0)
    spike_ratio: float = Field(default=3.0, gt=1)
    spike_min_count: int = Field(default=20, ge=1)
    negativity_share: float = Field(default=0.5, gt=0, le=1)
    negativity_delta: float = Field(default=0.2, ge=0, le=1)
    negativity_min_count: int = Field(default=10, ge=1)
    surge_ratio: float = Field(default=3.0, gt=1)
    surge_min_count: int = Field(default=5, ge=1)
    spread_min_platforms: int = Field(default=2, ge=2)
    spread_min_count: int = Field(default=3, ge=1)
    spread_span: int = Field(default=6, ge=1)
    samples: int = Field(default=3, ge=0)
    horizon: timedelta | None = timedelta(days=28)

    @field_validator("horizon")
    @classmethod
    def _positive_horizon(cls, horizon: timedelta | None) -> timedelta | None:
        if horizon is not None and horizon <= timedelta(0):
            raise ValueError("must be positive (or None: keep every window)")
        return horizon

    @field_validator("window")
    @classmethod
    def _window_divides_week(cls, window: timedelta) -> timedelta:
        seconds = window.total_seconds()
        if seconds <= 0 or seconds != int(seconds) or _WEEK % int(seconds):
            raise ValueError("must be a whole number of seconds that divides a week")
        return window

    @property
    def window_seconds(self) -> int:
        """The window length in seconds."""
        return int(self.window.total_seconds())

    @property
    def lookback(self) -> int:
        """How many windows before a window its rules read (weekly baselines, spread).

        Example:
            >>> DetectionConfig().lookback  # four weeks of hours
            672
        """
        return max(self.baseline_weeks * (_WEEK // self.window_seconds), self.spread_span)

    @property
    def horizon_windows(self) -> int | None:
        """``horizon`` in whole windows (rounded up); ``None`` keeps every window.

        Example:
            >>> DetectionConfig().horizon_windows  # 28 days of hours
            672
        """
        if self.horizon is None:
            return None
        return -(-int(self.horizon.total_seconds()) // self.window_seconds)


class WindowStats(SmmkitModel):
    """One window of one topic: volume, negative count and its share.

    Example:
        >>> from datetime import datetime, timezone
        >>> WindowStats(start=datetime(2026, 3, 2, tzinfo=timezone.utc), topic="*",
        ...             volume=10, negative=4).negativity
        0.4
    """

    start: AwareDatetime
    topic: str
    volume: int = Field(ge=0)
    negative: int = Field(ge=0)
    platforms: tuple[PlatformId, ...] = ()

    @property
    def negativity(self) -> float:
        """Negative share of the window (0 when empty)."""
        return self.negative / self.volume if self.volume else 0.0


# window index -> (platform, topic) -> [volume, negative]
Cells = dict[tuple[str, str], list[int]]
Sample = tuple[str, str, str, str]  # (at ISO, mention id, platform, snippet)


class WindowTable:
    """Mergeable counts per window, platform and topic, plus a few sample mentions.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.crisis import Watchlist, WatchTerm, default_analyzer
        >>> wl = Watchlist([WatchTerm(name="过敏")])
        >>> t = WindowTable(DetectionConfig())
        >>> t.add([Mention(id="1", platform="weibo", text="用完过敏了，太差",
        ...               at=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))],
        ...       wl, default_analyzer())
        (492345,)
        >>> t.count(492345, topic="过敏")
        (1, 1)
    """

    __slots__ = ("config", "counts", "first", "samples", "topics")

    def __init__(self, config: DetectionConfig) -> None:
        self.config = instance_of(config, DetectionConfig, "config")
        self.counts: dict[int, Cells] = {}
        self.samples: dict[tuple[int, str], list[Sample]] = {}
        self.topics: dict[str, str] = {ALL: "all"}  # topic -> term kind
        self.first: int | None = None

    def window_of(self, at: datetime) -> int:
        """The index of the window that contains ``at``.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.start_of(t.window_of(datetime(2026, 3, 2, 9, 41, tzinfo=timezone.utc))).minute
            0
        """
        require_aware(at, "at", "must be timezone-aware")
        return int((at - _EPOCH).total_seconds() // self.config.window_seconds)

    def start_of(self, window: int) -> datetime:
        """When window ``window`` starts (UTC).

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.start_of(0).year
            1970
        """
        return _EPOCH + timedelta(seconds=window * self.config.window_seconds)

    def add(
        self, mentions: Iterable[Mention], watchlist: Watchlist, analyzer: SentimentAnalyzer
    ) -> tuple[int, ...]:
        """Count ``mentions``; return the windows they touched, sorted.

        Every item must be a :class:`~smmkit.models.Mention` on a known platform (see
        :func:`smmkit.catalog.is_known_platform`); otherwise nothing is counted and an
        :class:`~smmkit.exceptions.InvalidInputError` (``UnknownPlatformError`` for a
        platform) names the item. A plain string is refused, not read as its characters.

        Example:
            >>> from smmkit.crisis import default_analyzer
            >>> try:
            ...     WindowTable(DetectionConfig()).add("过敏", Watchlist([]), default_analyzer())
            ... except InvalidInputError as exc:
            ...     print(exc.fields)
            ('mentions',)
        """
        touched: set[int] = set()
        batch = _checked_mentions(mentions)
        instance_of(watchlist, Watchlist, "watchlist")
        if not isinstance(analyzer, SentimentAnalyzer):
            raise InvalidInputError.single(
                "analyzer", "must have score() and score_many()", type(analyzer).__name__
            )
        scores = analyzer.score_many([m.text for m in batch])
        for mention, score in zip(batch, scores, strict=True):
            w = self.window_of(mention.at)
            touched.add(w)
            negative = score.label is SentimentLabel.NEGATIVE
            topics = {ALL}
            risky = False
            for match in watchlist.scan(mention.text):
                topics.add(match.term)
                self.topics.setdefault(match.term, match.kind.value)
                risky = risky or match.kind is TermKind.RISK
            cells = self.counts.setdefault(w, {})
            for topic in topics:
                cell = cells.setdefault((mention.platform, topic), [0, 0])
                cell[0] += 1
                cell[1] += negative
            if (negative or risky) and self.config.samples:
                sample = (mention.at.isoformat(), mention.id, mention.platform, mention.text[:80])
                for topic in topics:
                    self._keep_sample((w, topic), sample)
        if touched:
            low = min(touched)
            self.first = low if self.first is None else min(self.first, low)
        return tuple(sorted(touched))

    def _keep_sample(self, key: tuple[int, str], sample: Sample) -> None:
        kept = self.samples.setdefault(key, [])
        if sample in kept:
            return
        kept.append(sample)
        if len(kept) > self.config.samples:
            kept[:] = heapq.nsmallest(self.config.samples, kept)

    def merge(self, other: WindowTable) -> WindowTable:
        """A new table with the counts of both (the configs must be equal).

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.merge(WindowTable(DetectionConfig())).windows()
            ()
        """
        if instance_of(other, WindowTable, "other").config != self.config:
            raise InvalidInputError.single("other", "was built with a different config")
        out = WindowTable(self.config)
        for table in (self, other):
            for w, cells in table.counts.items():
                into = out.counts.setdefault(w, {})
                for key, (vol, neg) in cells.items():
                    cell = into.setdefault(key, [0, 0])
                    cell[0] += vol
                    cell[1] += neg
            for skey, kept in table.samples.items():
                for sample in kept:
                    out._keep_sample(skey, sample)
            for topic, kind in table.topics.items():
                out.topics.setdefault(topic, kind)
        firsts = [t for t in (self.first, other.first) if t is not None]
        out.first = min(firsts) if firsts else None
        for kept in out.samples.values():
            kept.sort()
        return out

    def evict(self, before: int) -> None:
        """Forget the counts and samples of every window before window ``before``.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.evict(10)
            >>> t.windows()
            ()
        """
        integer(before, "before")
        for w in [w for w in self.counts if w < before]:
            del self.counts[w]
        for key in [k for k in self.samples if k[0] < before]:
            del self.samples[key]

    def windows(self) -> tuple[int, ...]:
        """Every window with at least one mention, in order.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.windows()
            ()
        """
        return tuple(sorted(self.counts))

    def count(
        self, window: int, *, topic: str = ALL, platform: str | None = None
    ) -> tuple[int, int]:
        """``(volume, negative)`` of a window for a topic, on one platform or all.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.count(0, platform="weibo")
            (0, 0)
        """
        vol = neg = 0
        for (p, t), (v, n) in self.counts.get(window, {}).items():
            if t == topic and (platform is None or p == platform):
                vol += v
                neg += n
        return vol, neg

    def _cells(self, window: int) -> Iterator[tuple[str, str, int, int]]:
        for (p, t), (v, n) in self.counts.get(window, {}).items():
            yield p, t, v, n

    def baseline(
        self,
        window: int,
        *,
        topic: str = ALL,
        platform: str | None = None,
        negative: bool = False,
    ) -> float | None:
        """Mean volume (``negative``: mean negative count) of the same window of the week
        in the previous weeks observed.

        ``None`` when no earlier week was observed.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.baseline(500_000) is None
            True
        """
        values = self._history(window, topic, platform)
        if not values:
            return None
        return sum(n if negative else v for v, n in values) / len(values)

    def baseline_negativity(self, window: int, *, topic: str = ALL) -> float | None:
        """Negative share over the same window of the week in the previous weeks.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.baseline_negativity(500_000) is None
            True
        """
        values = self._history(window, topic, None)
        vol = sum(v for v, _ in values)
        return sum(n for _, n in values) / vol if vol else None

    def _history(self, window: int, topic: str, platform: str | None) -> list[tuple[int, int]]:
        per_week = _WEEK // self.config.window_seconds
        out = []
        for k in range(1, self.config.baseline_weeks + 1):
            past = window - k * per_week
            if self.first is None or past < self.first:
                break
            out.append(self.count(past, topic=topic, platform=platform))
        return out

    def stats(self, topic: str = ALL) -> tuple[WindowStats, ...]:
        """Per-window volume and negativity of a topic, in time order.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.stats("过敏")
            ()
        """
        out = []
        for w in sorted(self.counts):
            plats = sorted({p for (p, t) in self.counts[w] if t == topic})
            if not plats:
                continue
            vol, neg = self.count(w, topic=topic)
            out.append(
                WindowStats(
                    start=self.start_of(w),
                    topic=topic,
                    volume=vol,
                    negative=neg,
                    platforms=tuple(plats),
                )
            )
        return tuple(out)

    def evidence(self, window: int, topic: str) -> tuple[str, ...]:
        """Sample mentions of a window and topic as ``platform/id: text``.

        Example:
            >>> t = WindowTable(DetectionConfig())
            >>> t.evidence(0, "*")
            ()
        """
        kept = sorted(self.samples.get((window, topic), ()))
        return tuple(f"{p}/{i}: {text}" for _, i, p, text in kept)


def _checked_mentions(mentions: object) -> list[Mention]:
    """``mentions`` as a list, each a :class:`~smmkit.models.Mention` on a known platform.

    Example:
        >>> _checked_mentions([])
        []
    """
    batch = items_of(mentions, Mention, "mentions")
    known: set[str] = set()
    for i, mention in enumerate(batch):
        if mention.platform not in known:
            require_known_platform(mention.platform, field=f"mentions.{i}.platform")
            known.add(mention.platform)
    return batch


def _rising_platforms(table: WindowTable, window: int, topic: str) -> tuple[str, ...]:
    cfg = table.config
    per_platform: dict[str, int] = {}
    for w in range(window - cfg.spread_span + 1, window + 1):
        for p, t, v, _ in table._cells(w):
            if t == topic:
                per_platform[p] = per_platform.get(p, 0) + v
    return tuple(sorted(p for p, v in per_platform.items() if v >= cfg.spread_min_count))


def detect_signals(table: WindowTable, window: int) -> tuple[CrisisSignal, ...]:
    """Every signal that window ``window`` raises, in a fixed order.

    Rules, per window:

    * ``complaint``: negative mentions that name a watched term (one per term);
    * ``negativity``: the negative share of all mentions is at least
      ``negativity_share`` and ``negativity_delta`` above its weekly baseline;
    * ``volume_spike``: volume at least ``spike_ratio`` times its weekly baseline;
    * ``risk_term_surge``: a risk term at least ``surge_ratio`` times its baseline;
    * ``cross_platform_spread``: a risk term reached ``spread_min_count`` mentions on
      ``spread_min_platforms`` or more platforms within ``spread_span`` windows, and that
      set of platforms grew in this window.

    Example:
        >>> t = WindowTable(DetectionConfig())
        >>> detect_signals(t, 0)
        ()
    """
    instance_of(table, WindowTable, "table")
    integer(window, "window")
    cfg = table.config
    at = table.start_of(window)
    out: list[CrisisSignal] = []
    per_topic: dict[str, list[int]] = {}
    platforms_of: dict[str, set[str]] = {}
    for p, t, v, n in table._cells(window):
        row = per_topic.setdefault(t, [0, 0])
        row[0] += v
        row[1] += n
        platforms_of.setdefault(t, set()).add(p)
    for topic in sorted(per_topic):
        vol, neg = per_topic[topic]
        kind = table.topics.get(topic, "other")
        plats = tuple(sorted(platforms_of[topic]))
        # Every signal of this window and topic carries the same time, topic and evidence.
        signal = partial(CrisisSignal, at=at, topic=topic, evidence=table.evidence(window, topic))
        if topic != ALL and neg:
            usual = table.baseline(window, topic=topic, negative=True)
            out.append(
                signal(
                    kind=SignalKind.COMPLAINT,
                    platforms=plats,
                    count=neg,
                    score=neg / vol,
                    baseline=usual,
                    description=f"{neg} negative mention(s) naming {topic!r}"
                    + ("" if usual is None else f" (weekly baseline {usual:.1f})"),
                )
            )
        base = table.baseline(window, topic=topic)
        floor = max(base or 0.0, cfg.baseline_floor)
        if topic == ALL:
            share = neg / vol if vol else 0.0
            base_share = table.baseline_negativity(window, topic=topic)
            if (
                vol >= cfg.negativity_min_count
                and share >= cfg.negativity_share
                and share - (base_share or 0.0) >= cfg.negativity_delta
            ):
                out.append(
                    signal(
                        kind=SignalKind.NEGATIVITY,
                        platforms=plats,
                        count=neg,
                        score=share,
                        baseline=base_share,
                        description=f"{share:.0%} of {vol} mentions negative"
                        f" (weekly baseline {(base_share or 0.0):.0%})",
                    )
                )
            if vol >= cfg.spike_min_count and vol >= cfg.spike_ratio * floor:
                out.append(
                    signal(
                        kind=SignalKind.VOLUME_SPIKE,
                        platforms=plats,
                        count=vol,
                        score=vol / floor,
                        baseline=base,
                        description=f"{vol} mentions, {vol / floor:.1f}x the weekly baseline",
                    )
                )
        elif kind == TermKind.RISK.value:
            if vol >= cfg.surge_min_count and vol >= cfg.surge_ratio * floor:
                out.append(
                    signal(
                        kind=SignalKind.RISK_TERM_SURGE,
                        platforms=plats,
                        count=vol,
                        score=vol / floor,
                        baseline=base,
                        description=f"risk term {topic!r}: {vol} mentions,"
                        f" {vol / floor:.1f}x the weekly baseline",
                    )
                )
            rising = _rising_platforms(table, window, topic)
            before = _rising_platforms(table, window - 1, topic)
            if len(rising) >= cfg.spread_min_platforms and set(rising) - set(before):
                out.append(
                    signal(
                        kind=SignalKind.CROSS_PLATFORM_SPREAD,
                        platforms=rising,
                        count=len(rising),
                        score=float(len(rising)),
                        description=f"risk term {topic!r} rising on {len(rising)} platforms:"
                        f" {', '.join(rising)}",
                    )
                )
    return tuple(out)
