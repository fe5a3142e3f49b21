"""Value types and rules of the content calendar: entries, series, windows, spacing.

Everything here is a frozen value with no knowledge of :class:`ContentCalendar`: the
placement engine (``_placement``), the iCalendar codec (``_ical_write``/``_ical_read``)
and the calendar itself (``_plan``) all build on these types.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, time, timedelta, timezone, tzinfo
from enum import Enum

from dateutil.rrule import rrule
from pydantic import Field, field_validator, model_validator

from smmkit.content.calendar._recurrence import (
    expand_recurrence,
    normalize_rule,
    require_aware,
    zone,
)
from smmkit.content.calendar._scenario import CampaignScenario
from smmkit.content.workflow import PostState, PostWorkflow
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel, as_utc
from smmkit.models.content import Blackout, ContentPiece, NoteSeverity, PlatformPost

__all__ = [
    "Blackout",
    "CalendarEntry",
    "Conflict",
    "ConflictKind",
    "DEFAULT_POSTING_WINDOWS",
    "DEFAULT_SPACING_RULES",
    "PostingWindow",
    "RecurringSeries",
    "SpacingRule",
    "TimeRange",
]

UNPAUSABLE = frozenset({PostState.PUBLISHED, PostState.RETRACTED})
"""States a blackout cannot pause (the post is out, or already taken back)."""
IN_FLIGHT = frozenset({PostState.PUBLISHING})
"""States a blackout cannot stop: a person must check these."""


class TimeRange(SmmkitModel):
    """A span of wall-clock time within a day; ``end`` of 00:00 means midnight at the end.

    Example:
        >>> from datetime import time
        >>> TimeRange(start=time(20), end=time(0)).contains(time(23, 30))
        True
    """

    start: time
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end != time(0) and self.end <= self.start:
            raise ValueError("end must be after start (use 00:00 for midnight)")
        return self

    def contains(self, moment: time) -> bool:
        """Whether the wall-clock ``moment`` is in ``[start, end)``."""
        moment = moment.replace(tzinfo=None)
        return self.start <= moment and (self.end == time(0) or moment < self.end)


def _ranges(*spans: tuple[str, str]) -> tuple[TimeRange, ...]:
    return tuple(
        TimeRange(start=time.fromisoformat(a), end=time.fromisoformat(b)) for a, b in spans
    )


class PostingWindow(SmmkitModel):
    """When a platform's audience is there: local-time ranges on some weekdays.

    ``weekdays`` uses Python's numbering (Monday = 0). A post outside its platform's
    window is reported as a warning, not refused: a 15:00 tea-break live is a deliberate
    choice the planner may make.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> w = PostingWindow.from_hours("wecom", [9, 10, 15], tz="Asia/Shanghai")
        >>> [(r.start.hour, r.end.hour) for r in w.ranges]
        [(9, 11), (15, 16)]
        >>> w.contains(datetime(2026, 6, 1, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
        True
    """

    platform: str = Field(min_length=1)
    ranges: tuple[TimeRange, ...] = Field(min_length=1)
    tz: str = "Asia/Shanghai"
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
        cls, platform: str, hours: Iterable[int], *, tz: str = "Asia/Shanghai"
    ) -> PostingWindow:
        """A window made of whole hours (adjacent hours merge), e.g. from
        :func:`best_posting_hours`."""
        picked = sorted(set(hours))
        if not picked or any(not 0 <= h <= 23 for h in picked):
            raise InvalidInputError.single("hours", "need at least one hour in 0..23", picked)
        spans: list[tuple[int, int]] = []
        for h in picked:
            if spans and spans[-1][1] == h:
                spans[-1] = (spans[-1][0], h + 1)
            else:
                spans.append((h, h + 1))
        ranges = tuple(TimeRange(start=time(a), end=time(b % 24)) for a, b in spans)
        return cls(platform=platform, ranges=ranges, tz=tz, note="learned from engagement")


_CN_CONSUMER = _ranges(
    ("07:00", "09:00"), ("11:30", "14:00"), ("14:30", "16:00"), ("18:00", "00:00")
)
_GLOBAL = _ranges(("08:00", "11:00"), ("12:00", "14:00"), ("18:00", "22:00"))

DEFAULT_POSTING_WINDOWS: tuple[PostingWindow, ...] = (
    PostingWindow(platform="weibo", ranges=_CN_CONSUMER),
    PostingWindow(platform="douyin", ranges=_CN_CONSUMER),
    PostingWindow(platform="xiaohongshu", ranges=_CN_CONSUMER),
    PostingWindow(platform="wechat_channels", ranges=_CN_CONSUMER),
    PostingWindow(
        platform="wechat_oa",
        ranges=_ranges(("07:00", "09:00"), ("11:30", "13:30"), ("20:00", "22:30")),
    ),
    PostingWindow(
        platform="wecom",
        ranges=_ranges(("09:00", "12:00"), ("14:00", "18:00"), ("19:00", "21:00")),
    ),
    PostingWindow(platform="zhihu", ranges=_ranges(("11:30", "14:00"), ("20:00", "00:00"))),
    PostingWindow(platform="bilibili", ranges=_ranges(("11:30", "14:00"), ("17:00", "00:00"))),
    PostingWindow(
        platform="linkedin",
        ranges=_ranges(("07:30", "10:00"), ("12:00", "13:00"), ("17:00", "18:00")),
        tz="America/New_York",
        weekdays=(0, 1, 2, 3, 4),
    ),
    *(
        PostingWindow(platform=p, ranges=_GLOBAL, tz="America/New_York")
        for p in ("x", "facebook", "instagram", "youtube", "tiktok", "mastodon", "bluesky")
    ),
)
"""Rule-of-thumb windows (audience local time). Replace them with learned ones:
``calendar.with_window(PostingWindow.from_hours(...))``; see docs/calendar.md."""


class SpacingRule(SmmkitModel):
    """How densely one platform (and optionally one account) may be scheduled.

    ``platform="*"`` is the fallback for every platform. With ``account=None`` the rule
    applies to each account of the platform separately. The most specific rule wins.
    ``max_per_day`` counts calendar days in ``day_tz``; ``quota`` is a rolling count per
    ``quota_period`` (a platform's publishing cap).

    Example:
        >>> from datetime import timedelta
        >>> SpacingRule(platform="wechat_oa", max_per_day=1).max_per_day
        1
    """

    platform: str = Field(min_length=1)
    account: str | None = None
    min_gap: timedelta | None = None
    max_per_day: int | None = Field(default=None, ge=1)
    day_tz: str = "Asia/Shanghai"
    quota: int | None = Field(default=None, ge=1)
    quota_period: timedelta = timedelta(hours=24)
    source: str | None = None

    @field_validator("day_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zone(value)
        return value


DEFAULT_SPACING_RULES: tuple[SpacingRule, ...] = (
    SpacingRule(platform="*", min_gap=timedelta(hours=1), source="house rule: don't crowd a feed"),
    SpacingRule(
        platform="wechat_oa",
        min_gap=timedelta(hours=1),
        max_per_day=1,
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
        source="open platform: 5 video submissions / day for non-formal members",
    ),
)


class RecurringSeries(SmmkitModel):
    """The definition of a recurring slot; its occurrences are calendar entries.

    ``rule`` is a canonical RRULE value (bounded by COUNT or UNTIL, UNTIL in UTC);
    ``dtstart`` carries the IANA zone the rule runs in.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> s = RecurringSeries(id="live", piece_id="tea-time-live", platform="douyin",
        ...     rule="FREQ=DAILY;COUNT=2",
        ...     dtstart=datetime(2026, 6, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
        >>> [s.entry_id(o) for o in s.occurrences()]
        ['live@20260601T070000Z', 'live@20260602T070000Z']
    """

    id: str = Field(min_length=1)
    piece_id: str = Field(min_length=1)
    platform: str = Field(min_length=1)
    account: str = "default"
    rule: str = Field(min_length=1)
    dtstart: AwareDatetime
    duration: timedelta | None = None
    title: str | None = None

    def occurrences(self) -> tuple[datetime, ...]:
        """Every occurrence of the series (aware, in ``dtstart``'s zone)."""
        return expand_recurrence(self.rule, dtstart=self.dtstart)

    def entry_id(self, occurrence: datetime) -> str:
        """The deterministic id of the entry for ``occurrence``."""
        # Not as_utc: a naive occurrence is reported by CalendarEntry's validation, naming
        # the field, when template() builds the entry.
        stamp = occurrence.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return f"{self.id}@{stamp}"

    def template(self, occurrence: datetime) -> CalendarEntry:
        """The entry an untouched occurrence stands for."""
        return CalendarEntry(
            id=self.entry_id(occurrence),
            piece_id=self.piece_id,
            platform=self.platform,
            account=self.account,
            at=occurrence,
            duration=self.duration,
            title=self.title,
            series=self.id,
            occurrence=occurrence,
        )


class CalendarEntry(SmmkitModel):
    """One planned post: a piece, on a platform and account, at an aware time.

    ``at`` keeps the zone it was given (any IANA zone). ``piece``/``post`` optionally
    carry the content itself; ``workflow`` its approval state. ``requested_at`` is set
    when spacing moved the entry; ``paused_by`` names the blackout that holds it.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> e = CalendarEntry(id="e1", piece_id="tea-001", platform="xiaohongshu",
        ...                   at=datetime(2026, 6, 1, 12, tzinfo=ZoneInfo("Asia/Shanghai")))
        >>> e.state.value, e.at.astimezone(ZoneInfo("UTC")).hour
        ('draft', 4)
    """

    id: str = Field(min_length=1)
    piece_id: str = Field(min_length=1)
    platform: str = Field(min_length=1)
    account: str = "default"
    at: AwareDatetime
    duration: timedelta | None = None
    title: str | None = None
    piece: ContentPiece | None = None
    post: PlatformPost | None = None
    workflow: PostWorkflow | None = None
    scenario: CampaignScenario | None = None
    series: str | None = None
    occurrence: AwareDatetime | None = None
    requested_at: AwareDatetime | None = None
    paused_by: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CalendarEntry:
        if self.piece is not None and self.piece.id != self.piece_id:
            raise ValueError(f"piece.id {self.piece.id!r} differs from piece_id")
        if self.post is not None and self.post.platform != self.platform:
            raise ValueError(f"post.platform {self.post.platform!r} differs from platform")
        if (self.series is None) != (self.occurrence is None):
            raise ValueError("series and occurrence go together")
        if self.duration is not None and self.duration <= timedelta(0):
            raise ValueError("duration must be positive")
        return self

    @property
    def state(self) -> PostState:
        """The approval state (``draft`` when no workflow has started)."""
        return self.workflow.state if self.workflow is not None else PostState.DRAFT

    @property
    def paused(self) -> bool:
        """True while a blackout holds the entry."""
        return self.paused_by is not None


class ConflictKind(str, Enum):
    """What a conflict is about.

    Example:
        >>> ConflictKind("quota").value
        'quota'
    """

    MIN_GAP = "min_gap"
    MAX_PER_DAY = "max_per_day"
    QUOTA = "quota"
    OUTSIDE_WINDOW = "outside_window"
    IN_BLACKOUT = "in_blackout"


class Conflict(SmmkitModel):
    """One problem with one entry; ``others`` are the entries it collides with.

    Example:
        >>> from datetime import datetime, timezone
        >>> Conflict(kind="min_gap", entry_id="b", others=("a",), platform="weibo",
        ...          account="default", at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        ...          message="20 min after a").severity.value
        'error'
    """

    kind: ConflictKind
    entry_id: str
    others: tuple[str, ...] = ()
    platform: str
    account: str
    at: AwareDatetime
    message: str
    severity: NoteSeverity = NoteSeverity.ERROR


# Aware datetimes that share a tzinfo compare and subtract by wall clock, ignoring DST;
# instants are therefore compared in UTC (as_utc) throughout the calendar.
def sort_key(entry: CalendarEntry) -> tuple[datetime, str]:
    """The time-order key of an entry: its UTC instant, then its id.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
        >>> sort_key(e)[1]
        'a'
    """
    return (as_utc(entry.at), entry.id)


def new_series(
    piece_id: str,
    platform: str,
    rule: str | rrule,
    *,
    dtstart: datetime | None,
    until: datetime | None,
    tz: str | None,
    account: str,
    duration: timedelta | None,
    title: str | None,
    series_id: str | None,
    taken: Collection[str],
) -> tuple[RecurringSeries, tuple[datetime, ...]]:
    """The series :meth:`ContentCalendar.add_recurring` adds, and its occurrences.

    The rule is bounded and canonical, the id defaults to ``piece@platform[/account]``
    and must not be one of ``taken``, and ``dtstart`` is moved onto the first occurrence.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> s = new_series("tips", "x", "FREQ=DAILY", tz=None, account="default",
        ...     dtstart=datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        ...     until=datetime(2026, 6, 3, tzinfo=ZoneInfo("UTC")),
        ...     duration=None, title=None, series_id=None, taken=())[0]
        >>> s.id, s.rule
        ('tips@x', 'FREQ=DAILY;UNTIL=20260603T000000Z')
    """
    text, start = normalize_rule(rule, dtstart)
    if tz is not None:
        start = start.astimezone(zone(tz))
    if until is not None:
        require_aware(until, "until")
        if "UNTIL=" in text or "COUNT=" in text:
            raise InvalidInputError.single("until", "the rule is already bounded", until)
        text += ";UNTIL=" + as_utc(until).strftime("%Y%m%dT%H%M%SZ")
    elif "UNTIL=" not in text and "COUNT=" not in text:
        raise InvalidInputError.single("until", "is required for an open-ended rule", None)
    sid = series_id or f"{piece_id}@{platform}" + ("" if account == "default" else f"/{account}")
    if sid in taken:
        raise InvalidInputError.single("series_id", "already used in this calendar", sid)
    series = RecurringSeries(
        id=sid,
        piece_id=piece_id,
        platform=platform,
        account=account,
        rule=text,
        dtstart=start,
        duration=duration,
        title=title,
    )
    occurrences = series.occurrences()
    if occurrences and as_utc(occurrences[0]) != as_utc(start):
        # RFC 5545 counts DTSTART as the first instance: keep it on the rule, or a
        # calendar application would show an extra event (a Saturday live, say).
        # Instants, not wall clocks, decide: 02:30 in a spring-forward gap *is* the
        # 03:30 first occurrence, and rewriting it to 03:30 would move every later
        # occurrence to 03:30 as well.
        series = series.model_copy(update={"dtstart": occurrences[0]})
    return series, occurrences


def entry_in_zone(entry: CalendarEntry, local: tzinfo) -> CalendarEntry:
    """``entry`` with every time shown in ``local`` (the instants do not change).

    Example:
        >>> from datetime import datetime, timezone
        >>> from zoneinfo import ZoneInfo
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 6, 1, 7, tzinfo=timezone.utc))
        >>> entry_in_zone(e, ZoneInfo("Asia/Shanghai")).at.hour
        15
    """

    def conv(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(local)

    return entry.model_copy(
        update={
            "at": conv(entry.at),
            "occurrence": conv(entry.occurrence),
            "requested_at": conv(entry.requested_at),
        }
    )


def check_ids(
    entries: Sequence[CalendarEntry],
    series: Sequence[RecurringSeries],
    blackouts: Sequence[Blackout],
    windows: Sequence[PostingWindow],
) -> None:
    """Raise ``ValueError`` for a duplicate id (or window platform) or an entry naming a
    series that is not there: the invariants of a calendar's parts.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
        >>> check_ids([e, e], [], [], [])
        Traceback (most recent call last):
        ...
        ValueError: duplicate entries id 'a'
    """
    for label, ids in (
        ("entries", [e.id for e in entries]),
        ("series", [s.id for s in series]),
        ("blackouts", [b.id for b in blackouts]),
        ("windows", [w.platform for w in windows]),
    ):
        seen: set[str] = set()
        for key in ids:
            if key in seen:
                raise ValueError(f"duplicate {label} id {key!r}")
            seen.add(key)
    known_series = {s.id for s in series}
    for e in entries:
        if e.series is not None and e.series not in known_series:
            raise ValueError(f"entry {e.id!r} names unknown series {e.series!r}")
