"""Value types of the content calendar: entries, series and conflicts.

Everything here is a frozen value with no knowledge of :class:`ContentCalendar`: the
placement engine (``_placement``), the iCalendar codec (``_ical_write``/``_ical_read``)
and the calendar itself (``_plan``) all build on these types. Posting windows and
spacing rules live in ``_windows`` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from enum import Enum
from typing import Any, TypeVar

from dateutil.rrule import rrule
from pydantic import Field, model_validator

from smmkit.catalog import require_known_platform
from smmkit.content.calendar._recurrence import (
    CalendarMoment,
    expand_recurrence,
    in_calendar_range,
    normalize_local,
    normalize_rule,
    require_aware,
    zone,
)
from smmkit.content.calendar._scenario import CampaignScenario
from smmkit.content.calendar._windows import (
    DEFAULT_POSTING_WINDOWS,
    DEFAULT_SPACING_RULES,
    PostingWindow,
    SpacingRule,
    TimeRange,
)
from smmkit.content.workflow import PostState, PostWorkflow
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import FieldValueError, PlatformId, SmmkitModel, as_utc
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


class RecurringSeries(SmmkitModel):
    """The definition of a recurring slot; its occurrences are calendar entries.

    ``rule`` is a canonical RRULE value (bounded by COUNT or UNTIL, UNTIL in UTC);
    ``dtstart`` carries the IANA zone the rule runs in. ``all_day`` series (read from
    an iCalendar ``DTSTART;VALUE=DATE``) start each occurrence at the local midnight.

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
    platform: PlatformId = Field(min_length=1)
    account: str = "default"
    rule: str = Field(min_length=1)
    dtstart: CalendarMoment
    duration: timedelta | None = None
    title: str | None = None
    all_day: bool = False

    @model_validator(mode="after")
    def _whole_days(self) -> RecurringSeries:
        _check_duration(self.duration, self.all_day)
        return self

    def occurrences(self) -> tuple[datetime, ...]:
        """Every occurrence of the series (aware, in ``dtstart``'s zone)."""
        return expand_recurrence(self.rule, dtstart=self.dtstart)

    def entry_id(self, occurrence: datetime) -> str:
        """The deterministic id of the entry for ``occurrence`` (an aware datetime)."""
        instant = require_aware(occurrence, "occurrence").astimezone(timezone.utc)
        return f"{self.id}@{instant:%Y%m%dT%H%M%SZ}"

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
            all_day=self.all_day,
        )


class CalendarEntry(SmmkitModel):
    """One planned post: a piece, on a platform and account, at an aware time.

    ``at`` keeps the zone it was given (any IANA zone). ``platform`` must be a known id
    (:func:`smmkit.catalog.is_known_platform`). ``piece``/``post`` optionally carry the
    content itself; ``workflow`` its approval state. ``requested_at`` is set when spacing
    moved the entry; ``paused_by`` names the blackout that holds it. ``all_day`` marks
    an entry for a whole day (an iCalendar all-day event): ``at`` is the start of that
    day in its zone and ``duration``, if set, is whole days.

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
    platform: PlatformId = Field(min_length=1)
    account: str = "default"
    at: CalendarMoment
    duration: timedelta | None = None
    title: str | None = None
    piece: ContentPiece | None = None
    post: PlatformPost | None = None
    workflow: PostWorkflow | None = None
    scenario: CampaignScenario | None = None
    series: str | None = None
    occurrence: CalendarMoment | None = None
    requested_at: CalendarMoment | None = None
    paused_by: str | None = None
    notes: str | None = None
    all_day: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> CalendarEntry:
        if self.piece is not None and self.piece.id != self.piece_id:
            raise FieldValueError("piece.id", "differs from piece_id", self.piece.id)
        if self.post is not None and self.post.platform != self.platform:
            raise FieldValueError("post.platform", "differs from platform", self.post.platform)
        if (self.series is None) != (self.occurrence is None):
            raise FieldValueError(
                "occurrence" if self.occurrence is None else "series",
                "series and occurrence go together",
            )
        _check_duration(self.duration, self.all_day)
        return self

    @property
    def state(self) -> PostState:
        """The approval state (``draft`` when no workflow has started)."""
        return self.workflow.state if self.workflow is not None else PostState.DRAFT

    @property
    def paused(self) -> bool:
        """True while a blackout holds the entry."""
        return self.paused_by is not None


def _check_duration(duration: timedelta | None, all_day: bool) -> None:
    if duration is not None and duration <= timedelta(0):
        raise FieldValueError("duration", "must be positive", duration)
    if all_day and duration is not None and duration % timedelta(days=1):
        raise FieldValueError("duration", "of an all-day entry is whole days", duration)


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
    platform: PlatformId
    account: str
    at: CalendarMoment
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
    if series_id is not None and not isinstance(series_id, str):
        raise InvalidInputError.single(
            "series_id", "must be a str or None", type(series_id).__name__
        )
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


def day_entries(
    piece_id: str,
    platform: str,
    days: Iterable[date],
    *,
    at: time,
    tz: str | None,
    account: str,
    title: str | None,
    prefix: str | None,
) -> list[CalendarEntry]:
    """The entries :meth:`ContentCalendar.add_on_days` adds: one per day at wall-clock
    ``at`` in ``tz`` (or ``at``'s own zone; one of them is required).

    Example:
        >>> from datetime import date, time
        >>> [e.at.isoformat() for e in day_entries("p", "x", [date(2026, 3, 8)], at=time(2, 30),
        ...     tz="America/New_York", account="default", title=None, prefix=None)]
        ['2026-03-08T03:30:00-04:00']
    """
    require_known_platform(platform)
    if not isinstance(at, time):
        raise InvalidInputError.single("at", "must be a time of day", at)
    if tz is not None:
        local: tzinfo = zone(tz)
        if at.tzinfo is not None and at.tzinfo is not local:
            raise InvalidInputError.single("tz", "differs from the zone at carries", tz)
    elif at.tzinfo is not None:
        local = at.tzinfo
    else:
        raise InvalidInputError.single(
            "tz", "is required: the IANA zone the wall-clock time at is in", None
        )
    if isinstance(days, (str, bytes)) or not isinstance(days, Iterable):
        raise InvalidInputError.single("days", "must be dates", days)
    found = []
    for i, day in enumerate(days):
        if isinstance(day, datetime) or not isinstance(day, date):
            raise InvalidInputError.single(f"days.{i}", "must be a date (not a datetime)", day)
        found.append(
            CalendarEntry(
                id=f"{prefix or f'{piece_id}@{platform}'}@{day.isoformat()}",
                piece_id=piece_id,
                platform=platform,
                account=account,
                at=normalize_local(datetime.combine(day, at.replace(tzinfo=None), local)),
                title=title,
            )
        )
    return found


def entry_in_zone(entry: CalendarEntry, local: tzinfo) -> CalendarEntry:
    """``entry`` with every time shown in ``local`` (the instants do not change).

    An all-day entry keeps its zone: its day is a day of that zone.

    Example:
        >>> from datetime import datetime, timezone
        >>> from zoneinfo import ZoneInfo
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 6, 1, 7, tzinfo=timezone.utc))
        >>> entry_in_zone(e, ZoneInfo("Asia/Shanghai")).at.hour
        15
    """

    if entry.all_day:
        return entry

    def conv(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(local)

    return entry.model_copy(
        update={
            "at": conv(entry.at),
            "occurrence": conv(entry.occurrence),
            "requested_at": conv(entry.requested_at),
        }
    )


def updated(
    entries: Iterable[CalendarEntry], ids: Collection[str], **changes: Any
) -> tuple[CalendarEntry, ...]:
    """``entries``, with ``changes`` made to those whose id is in ``ids``.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
        >>> updated([e], {"a"}, title="Launch")[0].title
        'Launch'
    """
    return tuple(e.model_copy(update=changes) if e.id in ids else e for e in entries)


_T = TypeVar("_T")


def typed(value: object, kind: type[_T], field: str) -> _T:
    """``value`` if it is a ``kind``, else an input error naming ``field``.

    Example:
        >>> typed("x", int, "count")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: count: must be a int (got 'x')
    """
    if not isinstance(value, kind):
        raise InvalidInputError.single(field, f"must be a {kind.__name__}", value)
    return value


def typed_ids(values: object, field: str) -> tuple[str, ...]:
    """``values`` as a tuple of ids (strs), else an input error naming ``field``.

    Example:
        >>> typed_ids(["a", "b"], "entry_ids")
        ('a', 'b')
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InvalidInputError.single(field, "must be a sequence of ids", type(values).__name__)
    return tuple(typed(value, str, f"{field}.{i}") for i, value in enumerate(values))


def check_ids(
    entries: Sequence[CalendarEntry],
    series: Sequence[RecurringSeries],
    blackouts: Sequence[Blackout],
    windows: Sequence[PostingWindow],
) -> None:
    """Raise a ``ValueError`` naming the field for a duplicate id (or window platform),
    an entry naming a series that is not there, or a blackout outside the calendar's
    years: the invariants of a calendar's parts.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
        ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
        >>> try:
        ...     check_ids([e, e], [], [], [])
        ... except ValueError as exc:
        ...     print(exc.field, exc)
        entries.1.id duplicate entries id 'a'
    """
    for label, ids in (
        ("entries", [e.id for e in entries]),
        ("series", [s.id for s in series]),
        ("blackouts", [b.id for b in blackouts]),
        ("windows", [w.platform for w in windows]),
    ):
        seen: set[str] = set()
        for i, key in enumerate(ids):
            if key in seen:
                where = f"{label}.{i}.platform" if label == "windows" else f"{label}.{i}.id"
                raise FieldValueError(where, f"duplicate {label} id {key!r}")
            seen.add(key)
    known_series = {s.id for s in series}
    for i, e in enumerate(entries):
        if e.series is not None and e.series not in known_series:
            raise FieldValueError(
                f"entries.{i}.series", f"entry {e.id!r} names unknown series {e.series!r}"
            )
    for i, b in enumerate(blackouts):
        for name, moment in (("start", b.start), ("end", b.end)):
            if moment is not None:
                try:
                    in_calendar_range(moment, f"blackouts.{i}.{name}")
                except InvalidInputError as exc:
                    raise FieldValueError(
                        f"blackouts.{i}.{name}", exc.problems[0].problem, moment
                    ) from None
