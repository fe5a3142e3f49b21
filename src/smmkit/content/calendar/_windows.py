"""Posting windows and spacing rules: a content calendar's configuration.

Frozen values with no knowledge of entries: :mod:`._placement` applies them. Every
window and every rule that counts days names its zone; nothing defaults to one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from pydantic import Field, ValidationInfo, field_validator, model_validator

from smmkit.content.calendar._hours import HourScore
from smmkit.content.calendar._recurrence import require_aware, zone
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import FieldValueError, PlatformId, SmmkitModel
from smmkit.models._base import _known_platform as known_platform

__all__ = [
    "DEFAULT_POSTING_WINDOWS",
    "DEFAULT_SPACING_RULES",
    "PostingWindow",
    "SpacingRule",
    "TimeRange",
]


class TimeRange(SmmkitModel):
    """A span of wall-clock time within a day; ``end`` of 00:00 means midnight at the end.

    Example:
        >>> from datetime import time
        >>> TimeRange(start=time(20), end=time(0)).contains(time(23, 30))
        True
    """

    start: time
    end: time

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("must be a wall-clock time with no zone (the window's tz names it)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end != time(0) and self.end <= self.start:
            raise FieldValueError("end", "must be after start (use 00:00 for midnight)", self.end)
        return self

    def contains(self, moment: time) -> bool:
        """Whether the wall-clock ``moment`` is in ``[start, end)``."""
        if not isinstance(moment, time):
            raise InvalidInputError.single("moment", "must be a time of day", moment)
        moment = moment.replace(tzinfo=None)
        return self.start <= moment and (self.end == time(0) or moment < self.end)


def _ranges(*spans: tuple[str, str]) -> tuple[TimeRange, ...]:
    return tuple(
        TimeRange(start=time.fromisoformat(a), end=time.fromisoformat(b)) for a, b in spans
    )


class PostingWindow(SmmkitModel):
    """When a platform's audience is there: local-time ranges on some weekdays.

    ``tz`` (required) is the IANA zone the ranges are wall-clock times of: the
    audience's, e.g. ``"America/New_York"``. ``weekdays`` uses Python's numbering
    (Monday = 0). A post outside its platform's window is reported as a warning, not
    refused: a 15:00 tea-break live is a deliberate choice the planner may make.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> w = PostingWindow.from_hours("wecom", [9, 10, 15], tz="Asia/Shanghai")
        >>> [(r.start.hour, r.end.hour) for r in w.ranges]
        [(9, 11), (15, 16)]
        >>> w.contains(datetime(2026, 6, 1, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
        True
    """

    platform: PlatformId = Field(min_length=1)
    ranges: tuple[TimeRange, ...] = Field(min_length=1)
    tz: str = Field(min_length=1, description="IANA zone of the ranges (the audience's).")
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    note: str | None = None

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) .. 6 (Sunday), at least one")
        return tuple(sorted(set(value)))

    def contains(self, moment: datetime) -> bool:
        """Whether the aware ``moment`` is inside the window (in the window's zone)."""
        local = require_aware(moment, "moment").astimezone(zone(self.tz))
        return local.weekday() in self.weekdays and any(
            r.contains(local.time()) for r in self.ranges
        )

    @classmethod
    def from_hours(
        cls, platform: str, hours: Iterable[int | HourScore], *, tz: str | None = None
    ) -> PostingWindow:
        """A window made of whole hours (adjacent hours merge).

        ``hours`` are :func:`best_posting_hours` results, which carry their zone (the
        window takes it), or plain hours 0..23, which need ``tz``: there is no default
        zone. A ``tz`` that differs from the results' zone is an input error.

        Example:
            >>> PostingWindow.from_hours("x", [8, 9], tz="America/New_York").tz
            'America/New_York'
        """
        picked, zones = _hours_and_zones(hours)
        if tz is not None:
            zone(tz)
            if zones - {tz}:
                raise InvalidInputError.single(
                    "tz", f"differs from the zone of the hours ({', '.join(sorted(zones))})", tz
                )
        elif not zones:
            raise InvalidInputError.single(
                "tz",
                "is required with plain hours: the IANA zone they are local to "
                "(best_posting_hours results carry it)",
                None,
            )
        chosen = tz or zones.pop()
        spans: list[tuple[int, int]] = []
        for h in picked:
            if spans and spans[-1][1] == h:
                spans[-1] = (spans[-1][0], h + 1)
            else:
                spans.append((h, h + 1))
        ranges = tuple(TimeRange(start=time(a), end=time(b % 24)) for a, b in spans)
        return cls(platform=platform, ranges=ranges, tz=chosen, note="learned from engagement")


def _hours_and_zones(hours: Iterable[int | HourScore]) -> tuple[list[int], set[str]]:
    picked: set[int] = set()
    zones: set[str] = set()
    if isinstance(hours, (str, bytes)) or not isinstance(hours, Iterable):
        raise InvalidInputError.single(
            "hours", "must be hours or best_posting_hours results", hours
        )
    for i, h in enumerate(hours):
        if isinstance(h, HourScore):
            picked.add(h.hour)
            zones.add(h.tz)
        elif isinstance(h, int) and not isinstance(h, bool) and 0 <= h <= 23:
            picked.add(h)
        else:
            raise InvalidInputError.single(
                f"hours.{i}", "must be an hour in 0..23 or an HourScore", h
            )
    if not picked:
        raise InvalidInputError.single("hours", "need at least one hour in 0..23", [])
    if len(zones) > 1:
        raise InvalidInputError.single("hours", "mix zones", sorted(zones))
    return sorted(picked), zones


_CN_CONSUMER = _ranges(
    ("07:00", "09:00"), ("11:30", "14:00"), ("14:30", "16:00"), ("18:00", "00:00")
)
_GLOBAL = _ranges(("08:00", "11:00"), ("12:00", "14:00"), ("18:00", "22:00"))
_CN = "Asia/Shanghai"  # the Chinese platforms' audience
_US = "America/New_York"  # a stand-in for the international platforms' audience

DEFAULT_POSTING_WINDOWS: tuple[PostingWindow, ...] = (
    PostingWindow(platform="weibo", ranges=_CN_CONSUMER, tz=_CN),
    PostingWindow(platform="douyin", ranges=_CN_CONSUMER, tz=_CN),
    PostingWindow(platform="xiaohongshu", ranges=_CN_CONSUMER, tz=_CN),
    PostingWindow(platform="wechat_channels", ranges=_CN_CONSUMER, tz=_CN),
    PostingWindow(
        platform="wechat_oa",
        ranges=_ranges(("07:00", "09:00"), ("11:30", "13:30"), ("20:00", "22:30")),
        tz=_CN,
    ),
    PostingWindow(
        platform="wecom",
        ranges=_ranges(("09:00", "12:00"), ("14:00", "18:00"), ("19:00", "21:00")),
        tz=_CN,
    ),
    PostingWindow(platform="zhihu", ranges=_ranges(("11:30", "14:00"), ("20:00", "00:00")), tz=_CN),
    PostingWindow(
        platform="bilibili", ranges=_ranges(("11:30", "14:00"), ("17:00", "00:00")), tz=_CN
    ),
    PostingWindow(
        platform="linkedin",
        ranges=_ranges(("07:30", "10:00"), ("12:00", "13:00"), ("17:00", "18:00")),
        tz=_US,
        weekdays=(0, 1, 2, 3, 4),
    ),
    *(
        PostingWindow(platform=p, ranges=_GLOBAL, tz=_US)
        for p in ("x", "facebook", "instagram", "youtube", "tiktok", "mastodon", "bluesky")
    ),
)
"""Rule-of-thumb windows, each in its audience's zone (Asia/Shanghai for the Chinese
platforms, America/New_York for the others). Replace them with learned ones:
``calendar.with_window(PostingWindow.from_hours(platform, best_posting_hours(...)))``;
see docs/calendar.md."""


class SpacingRule(SmmkitModel):
    """How densely one platform (and optionally one account) may be scheduled.

    ``platform="*"`` is the fallback for every platform. With ``account=None`` the rule
    applies to each account of the platform separately. The most specific rule wins.
    ``max_per_day`` counts calendar days in ``day_tz``, which it requires (whose midnight
    starts the day is the platform's or the team's call, not a default); ``quota`` is a
    rolling count per ``quota_period`` (a platform's publishing cap).

    Example:
        >>> from datetime import timedelta
        >>> SpacingRule(platform="wechat_oa", max_per_day=1, day_tz="Asia/Shanghai").max_per_day
        1
    """

    platform: str = Field(min_length=1)
    account: str | None = None
    min_gap: timedelta | None = None
    max_per_day: int | None = Field(default=None, ge=1)
    day_tz: str | None = None
    quota: int | None = Field(default=None, ge=1)
    quota_period: timedelta = timedelta(hours=24)
    source: str | None = None

    @field_validator("platform")
    @classmethod
    def _known_platform(cls, value: str) -> str:
        # PlatformId's check, so an unknown id is an UnknownPlatformError here too.
        return value if value == "*" else known_platform(value)

    @field_validator("day_tz")
    @classmethod
    def _day_zone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("max_per_day") is not None:
                raise ValueError(
                    "is required with max_per_day: the IANA zone whose calendar days count"
                )
            return None
        zone(value)
        return value


DEFAULT_SPACING_RULES: tuple[SpacingRule, ...] = (
    SpacingRule(platform="*", min_gap=timedelta(hours=1), source="house rule: don't crowd a feed"),
    SpacingRule(
        platform="wechat_oa",
        min_gap=timedelta(hours=1),
        max_per_day=1,
        day_tz=_CN,
        source="subscription accounts: one mass-send a day",
    ),
    SpacingRule(
        platform="instagram",
        min_gap=timedelta(hours=1),
        quota=50,
        source="Graph API media_publish: 50 posts / 24 h (content_publishing_limit)",
    ),
    SpacingRule(
        platform="linkedin",
        min_gap=timedelta(hours=1),
        quota=150,
        source="150 posts / day per member",
    ),
    SpacingRule(
        platform="bilibili",
        min_gap=timedelta(hours=1),
        max_per_day=5,
        day_tz=_CN,
        source="open platform: 5 video submissions / day for non-formal members",
    ),
)
