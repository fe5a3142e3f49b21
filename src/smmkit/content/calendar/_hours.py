"""Best posting hours, learned from past posts' engagement with recency weighting."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import Field, field_validator, model_validator

from smmkit.catalog import require_known_platform
from smmkit.content.calendar._recurrence import CalendarMoment, require_aware, zone
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import FieldValueError, PlatformId, SmmkitModel

__all__ = ["HourScore", "PostPerformance", "PostingHourStats", "best_posting_hours"]


class PostPerformance(SmmkitModel):
    """How one past post did: when it went out and the engagement it earned.

    Example:
        >>> from datetime import datetime, timezone
        >>> PostPerformance(platform="douyin", engagements=120, impressions=4000,
        ...                 published_at=datetime(2026, 5, 1, 7, tzinfo=timezone.utc)).rate
        0.03
    """

    platform: PlatformId = Field(min_length=1)
    published_at: CalendarMoment
    engagements: float = Field(ge=0, description="Likes + comments + shares + saves, or similar.")
    impressions: float | None = Field(default=None, gt=0)
    account: str | None = None
    post_id: str | None = None

    @property
    def rate(self) -> float | None:
        """Engagements per impression, when impressions are known."""
        return None if self.impressions is None else self.engagements / self.impressions


class HourScore(SmmkitModel):
    """One local hour of the day in zone ``tz``, and how well posts published in it did.

    ``score`` is the recency-weighted mean engagement, shrunk towards the overall mean
    by ``prior_weight`` pseudo-posts so one lucky post cannot win an hour; ``weight`` is
    the effective (decayed) number of posts behind it. ``tz`` is the IANA zone ``hour``
    is local to, so :meth:`PostingWindow.from_hours` builds the window in that zone.

    Example:
        >>> HourScore(hour=15, tz="Asia/Shanghai", score=0.04, weight=2.5, posts=3).hour
        15
    """

    hour: int = Field(ge=0, le=23)
    tz: str = Field(min_length=1, description="IANA zone the hour is local to.")
    score: float
    weight: float = Field(ge=0)
    posts: int = Field(ge=0)

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


class PostingHourStats(SmmkitModel):
    """A mergeable accumulator of recency-weighted engagement per local hour of ``tz``.

    ``tz`` (required) is the IANA zone whose wall-clock hours are counted. Partitions
    built with the same ``tz``, ``now``, ``half_life`` and ``use_rate`` merge
    commutatively, and associatively up to float rounding (the grouping of merges can
    change the last bits of ``weights`` and ``sums``, never the ranking of clearly
    different hours), so the statistic can be computed over shards.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> now = datetime(2026, 6, 1, tzinfo=timezone.utc)
        >>> post = PostPerformance(platform="x", engagements=10,
        ...                        published_at=now - timedelta(days=30))
        >>> a = PostingHourStats(tz="UTC", now=now).add([post])
        >>> round(a.merge(a).weights[0], 3)
        1.0
    """

    tz: str = Field(min_length=1, description="IANA zone whose local hours are counted.")
    now: CalendarMoment
    half_life: timedelta = timedelta(days=30)
    use_rate: bool = False
    weights: tuple[float, ...] = (0.0,) * 24
    sums: tuple[float, ...] = (0.0,) * 24
    counts: tuple[int, ...] = (0,) * 24

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @model_validator(mode="after")
    def _shape(self) -> PostingHourStats:
        if not len(self.weights) == len(self.sums) == len(self.counts) == 24:
            raise FieldValueError("weights", "weights, sums and counts need 24 values each")
        if self.half_life <= timedelta(0):
            raise FieldValueError("half_life", "must be positive", self.half_life)
        return self

    def add(
        self, records: Iterable[PostPerformance], *, platform: str | None = None
    ) -> PostingHourStats:
        """A new accumulator with ``records`` (of ``platform`` only, if given) added.

        A bad record is an input error that names its index in ``records``; an unknown
        ``platform`` is an :class:`~smmkit.exceptions.UnknownPlatformError`.
        """
        if platform is not None:
            require_known_platform(platform)
        local = zone(self.tz)
        if isinstance(records, (str, bytes)) or not isinstance(records, Iterable):
            raise InvalidInputError.single(
                "records", "must be an iterable of PostPerformance", type(records).__name__
            )
        weights, sums, counts = list(self.weights), list(self.sums), list(self.counts)
        for i, rec in enumerate(records):
            if not isinstance(rec, PostPerformance):
                raise InvalidInputError.single(
                    f"records.{i}", "must be a PostPerformance", type(rec).__name__
                )
            if platform is not None and rec.platform != platform:
                continue
            if rec.published_at > self.now:
                raise InvalidInputError.single(
                    f"history.{i}.published_at", "is after now", rec.published_at
                )
            value = rec.rate if self.use_rate else rec.engagements
            if value is None:
                raise InvalidInputError.single(
                    f"history.{i}.impressions", "is needed to rank by engagement rate", None
                )
            age = self.now - rec.published_at
            w = 0.5 ** (age / self.half_life)
            hour = rec.published_at.astimezone(local).hour
            weights[hour] += w
            sums[hour] += w * value
            counts[hour] += 1
        return self.model_copy(
            update={"weights": tuple(weights), "sums": tuple(sums), "counts": tuple(counts)}
        )

    def merge(self, other: PostingHourStats) -> PostingHourStats:
        """Combine two accumulators built with the same settings."""
        if not isinstance(other, PostingHourStats):
            raise InvalidInputError.single(
                "other", "must be a PostingHourStats", type(other).__name__
            )
        mine = (self.tz, self.now, self.half_life, self.use_rate)
        theirs = (other.tz, other.now, other.half_life, other.use_rate)
        if mine != theirs:
            raise InvalidInputError.single("other", "was built with different settings", theirs)
        return self.model_copy(
            update={
                "weights": tuple(a + b for a, b in zip(self.weights, other.weights, strict=True)),
                "sums": tuple(a + b for a, b in zip(self.sums, other.sums, strict=True)),
                "counts": tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
            }
        )

    def ranking(self, *, prior_weight: float = 1.0) -> tuple[HourScore, ...]:
        """Hours that have posts, best first (ties: earlier hour first)."""
        if isinstance(prior_weight, bool) or not isinstance(prior_weight, (int, float)):
            raise InvalidInputError.single(
                "prior_weight", "must be a finite number >= 0", prior_weight
            )
        try:
            prior_weight = float(prior_weight)
        except OverflowError:  # an int beyond any float
            prior_weight = math.inf
        if not 0 <= prior_weight < math.inf:
            raise InvalidInputError.single(
                "prior_weight", "must be a finite number >= 0", prior_weight
            )
        total_w = sum(self.weights)
        if total_w == 0:
            return ()
        mean = sum(self.sums) / total_w
        scores = [
            HourScore(
                hour=h,
                tz=self.tz,
                score=(self.sums[h] + prior_weight * mean) / (self.weights[h] + prior_weight),
                weight=self.weights[h],
                posts=self.counts[h],
            )
            for h in range(24)
            if self.counts[h]
        ]
        return tuple(sorted(scores, key=lambda s: (-s.score, s.hour)))


def best_posting_hours(
    history: Iterable[PostPerformance],
    platform: str,
    *,
    now: datetime,
    tz: str | None = None,
    half_life: timedelta = timedelta(days=30),
    use_rate: bool | None = None,
    prior_weight: float = 1.0,
    top: int | None = 3,
) -> tuple[HourScore, ...]:
    """The local hours of ``tz`` in which ``platform``'s past posts earned the most engagement.

    ``tz`` is required: the IANA zone of the audience whose wall clock the hours are
    on (there is no default zone). Each result carries it, so
    ``PostingWindow.from_hours(platform, results)`` builds a window in the same zone.
    Each post counts with weight ½^(age / ``half_life``) measured at ``now``, so last
    week's audience matters more than last year's. ``use_rate=None`` ranks by
    engagement rate when every post has impressions, else by raw engagements. Posts of
    other platforms are ignored.

    Example:
        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> now = datetime(2026, 6, 1, tzinfo=sh)
        >>> history = [
        ...     PostPerformance(platform="xiaohongshu", engagements=e,
        ...                     published_at=now - timedelta(days=d, hours=h))
        ...     for d, h, e in [(2, 12, 300), (3, 12, 280), (4, 3, 90), (5, 3, 60), (365, 15, 5000)]
        ... ]
        >>> best = best_posting_hours(history, "xiaohongshu", now=now, tz="Asia/Shanghai",
        ...                           top=None)
        >>> [s.hour for s in best], best[0].tz
        ([12, 9, 21], 'Asia/Shanghai')

        Noon wins; last year's viral 09:00 post has decayed to the overall mean.
    """
    require_aware(now, "now")
    require_known_platform(platform)
    if tz is None:
        raise InvalidInputError.single(
            "tz", "is required: the IANA zone whose local hours are ranked, e.g. 'Asia/Shanghai'"
        )
    if top is not None and (isinstance(top, bool) or not isinstance(top, int)):
        raise InvalidInputError.single("top", "must be an int or None", type(top).__name__)
    if top is not None and top < 1:
        raise InvalidInputError.single("top", "must be >= 1", top)
    if isinstance(history, (str, bytes)) or not isinstance(history, Iterable):
        raise InvalidInputError.single(
            "history", "must be an iterable of PostPerformance", type(history).__name__
        )
    records = tuple(history)
    for i, record in enumerate(records):
        if not isinstance(record, PostPerformance):
            raise InvalidInputError.single(
                f"history.{i}", "must be a PostPerformance", type(record).__name__
            )
    mine = [r for r in records if r.platform == platform]
    if use_rate is None:
        use_rate = bool(mine) and all(r.impressions is not None for r in mine)
    stats = PostingHourStats(tz=tz, now=now, half_life=half_life, use_rate=use_rate)
    ranked = stats.add(records, platform=platform).ranking(prior_weight=prior_weight)
    return ranked if top is None else ranked[:top]
