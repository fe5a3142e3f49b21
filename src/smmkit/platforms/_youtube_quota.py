"""YouTube Data API quota: units counted per call, per Pacific day, in mergeable state.

Google's quota table (https://developers.google.com/youtube/v3/determine_quota_cost,
read 2026-12-06): a project has 10,000 units a day for all endpoints except two that
have buckets of their own, ``videos.insert`` and ``search.list``, 100 calls a day each
at 1 per call (older versions of the page charged ``videos.insert`` 1,600 units from
the common pool: pass ``costs=`` to count that way). Every request costs, invalid ones
included, and the day resets at midnight Pacific Time.

:class:`QuotaTracker` counts what this process spent; the YouTube adapter consults it
before every call and refuses one that does not fit (:class:`YouTubeQuotaError`,
nothing sent). Its state merges (``merge`` adds the units of two trackers: associative
and commutative) and pickles, so workers' counts can be combined.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smmkit.exceptions import InvalidInputError, RateLimitError
from smmkit.models._base import require_aware
from smmkit.platforms._checks import require
from smmkit.platforms._quota_days import DailyCounts, local_day

__all__ = [
    "DEFAULT_COSTS",
    "DEFAULT_LIMITS",
    "QuotaTracker",
    "YouTubeQuotaError",
    "pacific_day",
    "seconds_to_reset",
]

UNITS = "units"
"""The common bucket: 10,000 units a day by default."""

DEFAULT_LIMITS: Mapping[str, int] = {UNITS: 10_000, "videos.insert": 100, "search.list": 100}
"""A new project's daily quota per bucket (quota table, read 2026-12-06)."""

DEFAULT_COSTS: Mapping[str, tuple[str, int]] = {
    "videos.insert": ("videos.insert", 1),
    "search.list": ("search.list", 1),
    "videos.list": (UNITS, 1),
    "videos.update": (UNITS, 50),
    "videos.delete": (UNITS, 50),
    "channels.list": (UNITS, 1),
    "playlistItems.list": (UNITS, 1),
    "playlistItems.insert": (UNITS, 50),
    "commentThreads.list": (UNITS, 1),
    "commentThreads.insert": (UNITS, 50),
    "comments.list": (UNITS, 1),
    "comments.insert": (UNITS, 50),
}
"""The bucket and cost of each method the adapter calls (quota table, read 2026-12-06)."""

try:
    _PACIFIC: Any = ZoneInfo("America/Los_Angeles")
except ZoneInfoNotFoundError:  # pragma: no cover  (no tz database: standard time all year)
    _PACIFIC = timezone(timedelta(hours=-8), "PST")


def pacific_day(now: datetime) -> date:
    """The quota day ``now`` falls in: the date in Pacific Time.

    Example:
        >>> pacific_day(datetime(2026, 7, 2, 6, 59, tzinfo=timezone.utc)).isoformat()
        '2026-07-01'
    """
    return local_day(now, _PACIFIC)


def seconds_to_reset(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight Pacific Time, when quotas reset.

    Example:
        >>> seconds_to_reset(datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc))  # 00:00 PST
        86400.0
    """
    require_aware(now, "now", "must be a timezone-aware datetime")
    local = now.astimezone(_PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), _PACIFIC)
    return max(1.0, (midnight - now).total_seconds())


class YouTubeQuotaError(RateLimitError):
    """The daily quota of a bucket is spent (by this tracker's count or by Google's
    ``quotaExceeded``); ``retry_after`` is the time to midnight Pacific Time.

    Raised before a call that does not fit, so nothing was sent (``outcome_unknown``
    is ``False``).
    """


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError.single(field, "must be an int >= 0", value)
    return value


def _table(value: object, field: str) -> dict[str, Any]:
    """A mapping with str keys (bucket or method names), copied."""
    table: dict[str, Any] = dict(require(value, field, Mapping, "a mapping"))
    for key in table:
        require(key, f"{field}[{key!r}]", str, "a str (a name)")
    return table


class QuotaTracker(DailyCounts[tuple[date, str]]):
    """Quota units spent per (Pacific day, bucket): consulted before each call.

    ``limits`` maps a bucket to its daily allowance (default :data:`DEFAULT_LIMITS`),
    ``costs`` a method (``"videos.list"``) to its bucket and units (default
    :data:`DEFAULT_COSTS`; a method not listed costs 1 unit of ``"units"``).

    Example:
        >>> now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
        >>> tracker = QuotaTracker()
        >>> tracker.charge("commentThreads.insert", now=now)
        >>> tracker.remaining("units", now=now), tracker.fits(["videos.insert"] * 101, now=now)
        (9950, False)
        >>> merged = tracker.merge(QuotaTracker())
        >>> merged.used("units", now=now)
        50
    """

    def __init__(
        self,
        *,
        limits: Mapping[str, int] | None = None,
        costs: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        chosen = _table(DEFAULT_LIMITS if limits is None else limits, "limits")
        for bucket, limit in chosen.items():
            _count(limit, f"limits.{bucket}")
        table = _table(DEFAULT_COSTS if costs is None else costs, "costs")
        for method, entry in table.items():
            if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] in chosen):
                raise InvalidInputError.single(
                    f"costs.{method}", "must be (bucket, units) with a bucket of limits", entry
                )
            _count(entry[1], f"costs.{method}")
        super().__init__()  # units per (day, bucket); spent: buckets Google said are empty
        self.limits: Mapping[str, int] = chosen
        self.costs: Mapping[str, tuple[str, int]] = table

    def __repr__(self) -> str:
        return f"QuotaTracker(limits={dict(self.limits)!r}, days={len(self._days())})"

    def _days(self) -> set[date]:
        return {day for day, _ in self._used} | {day for day, _ in self._spent}

    def cost(self, method: str) -> tuple[str, int]:
        """The bucket and units of one call of ``method``."""
        return self.costs.get(require(method, "method", str, "a str (an API method)"), (UNITS, 1))

    def used(self, bucket: str, *, now: datetime) -> int:
        """Units of ``bucket`` spent on ``now``'s Pacific day."""
        return self._used.get((pacific_day(now), bucket), 0)

    def remaining(self, bucket: str, *, now: datetime) -> int:
        """Units of ``bucket`` left today (0 once Google said the bucket is spent)."""
        day = pacific_day(now)
        if (day, bucket) in self._spent:
            return 0
        return max(0, self.limits.get(bucket, 0) - self._used.get((day, bucket), 0))

    def needed(self, methods: Iterable[str]) -> dict[str, int]:
        """Units per bucket that calls of ``methods`` (one entry per call) take.

        Example:
            >>> QuotaTracker().needed(["videos.insert", "playlistItems.insert"])
            {'videos.insert': 1, 'units': 50}
        """
        need: dict[str, int] = {}
        for method in methods:
            bucket, units = self.cost(method)
            need[bucket] = need.get(bucket, 0) + units
        return need

    def fits(self, methods: Iterable[str], *, now: datetime) -> bool:
        """Whether every call of ``methods`` fits in what is left today (before a batch)."""
        return all(
            units <= self.remaining(bucket, now=now)
            for bucket, units in self.needed(methods).items()
        )

    def check(self, method: str, *, now: datetime) -> None:
        """Raise :class:`YouTubeQuotaError` when one call of ``method`` does not fit."""
        bucket, units = self.cost(method)
        left = self.remaining(bucket, now=now)
        if units > left:
            raise YouTubeQuotaError(
                f"the YouTube quota bucket {bucket!r} has {left} of {units} units left today"
                f" ({method}); it resets at midnight Pacific Time; nothing was sent",
                platform="youtube",
                code="quotaExceeded",
                retry_after=seconds_to_reset(now),
                outcome_unknown=False,
                retries_exhausted=True,
            )

    def charge(self, method: str, *, now: datetime) -> None:
        """Count one call of ``method`` (after :meth:`check`; refuses what does not fit)."""
        with self._lock:
            self.check(method, now=now)
            bucket, units = self.cost(method)
            key = (pacific_day(now), bucket)
            self._used[key] = self._used.get(key, 0) + units

    def spent_out(self, method: str, *, now: datetime) -> None:
        """Record that Google answered ``quotaExceeded`` for ``method``'s bucket today."""
        with self._lock:
            self._spent.add((pacific_day(now), self.cost(method)[0]))

    def merge(self, other: QuotaTracker) -> QuotaTracker:
        """A tracker holding both trackers' units (same limits and costs required).

        Example:
            >>> now = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
            >>> a, b = QuotaTracker(), QuotaTracker()
            >>> a.charge("videos.list", now=now); b.charge("videos.list", now=now)
            >>> a.merge(b).used("units", now=now)
            2
        """
        if not isinstance(other, QuotaTracker):
            raise InvalidInputError.single("other", "must be a QuotaTracker", type(other).__name__)
        if dict(other.limits) != dict(self.limits) or dict(other.costs) != dict(self.costs):
            raise InvalidInputError.single("other", "has other limits or costs; cannot merge")
        merged = QuotaTracker(limits=self.limits, costs=self.costs)
        merged._add_counts(self, other)
        return merged
