"""The content calendar: planned posts, recurrence, windows, spacing, blackouts."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Any

from dateutil.rrule import rrule
from pydantic import Field, field_validator, model_validator

from smmkit.content.calendar._recurrence import (
    expand_recurrence,
    normalize_local,
    normalize_rule,
    require_aware,
    zone,
)
from smmkit.content.calendar._scenario import CampaignScenario
from smmkit.content.calendar._solar_terms import solar_terms_between
from smmkit.content.workflow import PostState, PostWorkflow
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel, as_utc
from smmkit.models.content import Blackout, ContentPiece, NoteSeverity, PlatformPost

__all__ = [
    "Blackout",
    "CalendarEntry",
    "Conflict",
    "ConflictKind",
    "ContentCalendar",
    "DEFAULT_POSTING_WINDOWS",
    "DEFAULT_SPACING_RULES",
    "FreezeResult",
    "PostingWindow",
    "RecurringSeries",
    "SpacingRule",
    "TimeRange",
]

_UNPAUSABLE = frozenset({PostState.PUBLISHED, PostState.RETRACTED})
_IN_FLIGHT = frozenset({PostState.PUBLISHING})


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


class FreezeResult(SmmkitModel):
    """What a freeze did: the new calendar, the entries it paused, and the ones in flight.

    ``in_flight`` are entries already ``publishing``: a freeze cannot stop them, a person
    must check them (and retract if needed).

    Example:
        >>> from datetime import datetime, timezone
        >>> b = Blackout(id="b", start=datetime(2026, 1, 1, tzinfo=timezone.utc), reason="test")
        >>> ContentCalendar().freeze(b).paused
        ()
    """

    calendar: ContentCalendar
    paused: tuple[CalendarEntry, ...] = ()
    in_flight: tuple[CalendarEntry, ...] = ()


# Aware datetimes that share a tzinfo compare and subtract by wall clock, ignoring DST;
# instants are therefore compared in UTC (as_utc) throughout this module.
def _sort_key(entry: CalendarEntry) -> tuple[datetime, str]:
    return (as_utc(entry.at), entry.id)


class ContentCalendar(SmmkitModel):
    """An immutable publishing plan: every method returns a new calendar.

    Example:
        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> cal = ContentCalendar().add_recurring(
        ...     "tea-time-live", "douyin", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        ...     dtstart=datetime(2026, 6, 1, 15, tzinfo=sh),
        ...     until=datetime(2026, 6, 14, tzinfo=sh))
        >>> [e.at.strftime("%a %H:%M") for e in cal.entries][:3]
        ['Mon 15:00', 'Tue 15:00', 'Wed 15:00']
        >>> len(cal.entries), cal.conflicts()
        (10, ())
    """

    entries: tuple[CalendarEntry, ...] = ()
    series: tuple[RecurringSeries, ...] = ()
    windows: tuple[PostingWindow, ...] = DEFAULT_POSTING_WINDOWS
    spacing: tuple[SpacingRule, ...] = DEFAULT_SPACING_RULES
    blackouts: tuple[Blackout, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> ContentCalendar:
        for label, ids in (
            ("entries", [e.id for e in self.entries]),
            ("series", [s.id for s in self.series]),
            ("blackouts", [b.id for b in self.blackouts]),
            ("windows", [w.platform for w in self.windows]),
        ):
            seen: set[str] = set()
            for key in ids:
                if key in seen:
                    raise ValueError(f"duplicate {label} id {key!r}")
                seen.add(key)
        known_series = {s.id for s in self.series}
        for e in self.entries:
            if e.series is not None and e.series not in known_series:
                raise ValueError(f"entry {e.id!r} names unknown series {e.series!r}")
        return self

    # ----------------------------------------------------------------- building

    def _with(self, **changes: Any) -> ContentCalendar:
        data: dict[str, Any] = {
            "entries": self.entries,
            "series": self.series,
            "windows": self.windows,
            "spacing": self.spacing,
            "blackouts": self.blackouts,
        }
        data.update(changes)
        if "entries" in changes:
            ordered: list[CalendarEntry] = list(data["entries"])
            data["entries"] = tuple(sorted(ordered, key=_sort_key))
        return ContentCalendar(**data)

    def get(self, entry_id: str) -> CalendarEntry:
        """The entry with ``entry_id``; an unknown id is an input error.

        Example:
            >>> from smmkit.exceptions import InvalidInputError
            >>> try:
            ...     ContentCalendar().get("missing")
            ... except InvalidInputError as exc:
            ...     exc.fields
            ('entry_id',)
        """
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise InvalidInputError.single("entry_id", "no such entry in the calendar", entry_id)

    def add(self, *entries: CalendarEntry) -> ContentCalendar:
        """A calendar with ``entries`` added (kept in time order).

        Example:
            >>> from datetime import datetime, timezone
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
            ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
            >>> len(ContentCalendar().add(e).entries)
            1
        """
        return self._with(entries=(*self.entries, *entries))

    def remove(self, *entry_ids: str) -> ContentCalendar:
        """A calendar without the named entries (unknown ids are an input error).

        Example:
            >>> from datetime import datetime, timezone
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
            ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
            >>> ContentCalendar().add(e).remove("a").entries
            ()
        """
        for entry_id in entry_ids:
            self.get(entry_id)
        drop = set(entry_ids)
        return self._with(entries=tuple(e for e in self.entries if e.id not in drop))

    def update(self, entry_id: str, **changes: Any) -> ContentCalendar:
        """A calendar in which one entry has ``changes`` applied (validated).

        Example:
            >>> from datetime import datetime, timezone
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
            ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
            >>> ContentCalendar().add(e).update("a", title="Launch").get("a").title
            'Launch'
        """
        old = self.get(entry_id)
        new = CalendarEntry(**{**dict(old), **changes})
        return self._with(entries=tuple(new if e.id == entry_id else e for e in self.entries))

    def add_recurring(
        self,
        piece_id: str,
        platform: str,
        rule: str | rrule,
        *,
        dtstart: datetime | None = None,
        until: datetime | None = None,
        tz: str | None = None,
        account: str = "default",
        duration: timedelta | None = None,
        title: str | None = None,
        series_id: str | None = None,
        place: bool = False,
    ) -> ContentCalendar:
        """Add a recurring slot from an RFC 5545 RRULE string or a dateutil ``rrule``.

        The rule runs in ``dtstart``'s zone (or ``tz``), so wall-clock times survive DST.
        An open rule needs ``until`` (inclusive, as RFC 5545's UNTIL). With
        ``place=True`` each occurrence is moved forward as little as the spacing rules,
        windows and blackouts require (see :meth:`place`).

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> ny = ZoneInfo("America/New_York")
            >>> cal = ContentCalendar().add_recurring("weekly-tips", "linkedin",
            ...     "FREQ=WEEKLY;COUNT=3", dtstart=datetime(2026, 10, 26, 9, tzinfo=ny))
            >>> [e.at.strftime("%m-%d %H:%M %Z") for e in cal.entries]
            ['10-26 09:00 EDT', '11-02 09:00 EST', '11-09 09:00 EST']
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
        sid = series_id or f"{piece_id}@{platform}" + (
            "" if account == "default" else f"/{account}"
        )
        if any(s.id == sid for s in self.series):
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
        cal = self._with(series=(*self.series, series))
        for occurrence in occurrences:
            entry = series.template(occurrence)
            cal = cal.place(entry) if place else cal.add(entry)
        return cal

    def add_on_days(
        self,
        piece_id: str,
        platform: str,
        days: Iterable[date],
        *,
        at: time,
        tz: str = "Asia/Shanghai",
        account: str = "default",
        title: str | None = None,
        id_prefix: str | None = None,
        place: bool = True,
    ) -> ContentCalendar:
        """Add one entry per day at local time ``at`` (festival posts, solar-term posts).

        By default each entry is :meth:`place`-d, so it respects spacing.

        Example:
            >>> from datetime import date, time
            >>> cal = ContentCalendar().add_on_days("mooncake", "xiaohongshu",
            ...     [date(2026, 9, 25)], at=time(12))
            >>> cal.entries[0].id, cal.entries[0].at.isoformat()
            ('mooncake@xiaohongshu@2026-09-25', '2026-09-25T12:00:00+08:00')
        """
        local = zone(tz)
        prefix = id_prefix or f"{piece_id}@{platform}"
        cal = self
        for day in days:
            moment = normalize_local(datetime.combine(day, at.replace(tzinfo=None), local))
            entry = CalendarEntry(
                id=f"{prefix}@{day.isoformat()}",
                piece_id=piece_id,
                platform=platform,
                account=account,
                at=moment,
                title=title,
            )
            cal = cal.place(entry) if place else cal.add(entry)
        return cal

    def add_solar_term_posts(
        self,
        piece_id: str,
        platform: str,
        *,
        start: datetime,
        end: datetime,
        at: time = time(10),
        tz: str = "Asia/Shanghai",
        account: str = "default",
        place: bool = True,
    ) -> ContentCalendar:
        """One post on the China-Standard-Time day of each solar term in ``[start, end)``.

        Each entry is titled with the term's name (e.g. 小满) and placed with spacing.

        Example:
            >>> from datetime import datetime, timezone
            >>> cal = ContentCalendar().add_solar_term_posts("recipe", "wecom",
            ...     start=datetime(2026, 5, 1, tzinfo=timezone.utc),
            ...     end=datetime(2026, 6, 1, tzinfo=timezone.utc))
            >>> [(e.title, e.at.date().isoformat()) for e in cal.entries]
            [('立夏', '2026-05-05'), ('小满', '2026-05-21')]
        """
        cal = self
        for term in solar_terms_between(require_aware(start, "start"), require_aware(end, "end")):
            cal = cal.add_on_days(
                piece_id,
                platform,
                [term.day],
                at=at,
                tz=tz,
                account=account,
                title=term.name,
                place=place,
            )
        return cal

    def attach(
        self, scenario: CampaignScenario, *, entry_ids: Sequence[str] | None = None
    ) -> ContentCalendar:
        """Attach a campaign scenario to the named entries, or to every entry in its run.

        Example:
            >>> from datetime import datetime, timezone
            >>> from smmkit.content.calendar import CampaignScenario
            >>> e = CalendarEntry(id="a", piece_id="p", platform="douyin",
            ...                   at=datetime(2026, 6, 5, 4, tzinfo=timezone.utc))
            >>> s = CampaignScenario(id="gaokao-memories", kind="hot_topic", name="Gaokao memories")
            >>> ContentCalendar().add(e).attach(s).get("a").scenario.id
            'gaokao-memories'
        """
        if entry_ids is None:
            chosen = {e.id for e in self.entries if scenario.covers(e.at)}
        else:
            for entry_id in entry_ids:
                self.get(entry_id)
            chosen = set(entry_ids)
        return self._with(
            entries=tuple(
                e.model_copy(update={"scenario": scenario}) if e.id in chosen else e
                for e in self.entries
            )
        )

    def advance(
        self,
        entry_id: str,
        target: PostState | str,
        *,
        actor: str,
        at: datetime,
        reason: str | None = None,
    ) -> ContentCalendar:
        """Move one entry's approval workflow a step (see :class:`PostWorkflow`).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x", at=t)
            >>> cal = ContentCalendar().add(e).advance("a", "in_review", actor="li", at=t)
            >>> cal.get("a").state.value
            'in_review'
        """
        entry = self.get(entry_id)
        workflow = entry.workflow or PostWorkflow(post_id=entry.id)
        workflow = workflow.transition(target, actor=actor, at=at, reason=reason)
        return self._with(
            entries=tuple(
                e.model_copy(update={"workflow": workflow}) if e.id == entry_id else e
                for e in self.entries
            )
        )

    def with_window(self, window: PostingWindow) -> ContentCalendar:
        """A calendar whose window for ``window.platform`` is replaced (or added).

        Example:
            >>> w = PostingWindow.from_hours("douyin", [15])
            >>> ContentCalendar().with_window(w).window_for("douyin").ranges[0].start.hour
            15
        """
        others = tuple(w for w in self.windows if w.platform != window.platform)
        return self._with(windows=(*others, window))

    def without_window(self, platform: str) -> ContentCalendar:
        """A calendar with no posting window for ``platform`` (no window warnings).

        Example:
            >>> ContentCalendar().without_window("weibo").window_for("weibo") is None
            True
        """
        return self._with(windows=tuple(w for w in self.windows if w.platform != platform))

    def with_spacing(self, rule: SpacingRule) -> ContentCalendar:
        """A calendar with ``rule`` replacing the one for the same platform and account.

        Example:
            >>> from datetime import timedelta
            >>> rule = SpacingRule(platform="*", min_gap=timedelta(0))
            >>> cal = ContentCalendar().with_spacing(rule)
            >>> cal.rule_for("weibo", "default").min_gap
            datetime.timedelta(0)
        """
        others = tuple(
            r for r in self.spacing if (r.platform, r.account) != (rule.platform, rule.account)
        )
        return self._with(spacing=(*others, rule))

    # ----------------------------------------------------------------- reading

    def between(self, start: datetime, end: datetime) -> tuple[CalendarEntry, ...]:
        """Entries with ``start <= at < end``, in time order.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
            >>> ContentCalendar().between(t, t)
            ()
        """
        require_aware(start, "start")
        require_aware(end, "end")
        lo, hi = as_utc(start), as_utc(end)
        return tuple(e for e in self.entries if lo <= as_utc(e.at) < hi)

    def in_zone(self, tz: str) -> ContentCalendar:
        """The same plan with every time shown in ``tz`` (the instants do not change).

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> e = CalendarEntry(id="a", piece_id="p", platform="wecom",
            ...                   at=datetime(2026, 6, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
            >>> ContentCalendar().add(e).in_zone("UTC").entries[0].at.isoformat()
            '2026-06-01T07:00:00+00:00'
        """
        local = zone(tz)

        def conv(value: datetime | None) -> datetime | None:
            return None if value is None else value.astimezone(local)

        return self._with(
            entries=tuple(
                e.model_copy(
                    update={
                        "at": conv(e.at),
                        "occurrence": conv(e.occurrence),
                        "requested_at": conv(e.requested_at),
                    }
                )
                for e in self.entries
            )
        )

    def window_for(self, platform: str) -> PostingWindow | None:
        """The posting window of ``platform``, if one is configured.

        Example:
            >>> ContentCalendar().window_for("linkedin").tz
            'America/New_York'
        """
        return next((w for w in self.windows if w.platform == platform), None)

    def rule_for(self, platform: str, account: str) -> SpacingRule | None:
        """The most specific spacing rule for ``platform`` and ``account``.

        Example:
            >>> ContentCalendar().rule_for("wechat_oa", "default").max_per_day
            1
        """
        for want_platform, want_account in (
            (platform, account),
            (platform, None),
            ("*", account),
            ("*", None),
        ):
            for r in self.spacing:
                if r.platform == want_platform and r.account == want_account:
                    return r
        return None

    def due(self, now: datetime) -> tuple[CalendarEntry, ...]:
        """Scheduled, unpaused entries whose time has come (``at <= now``).

        Example:
            >>> from datetime import datetime, timezone
            >>> ContentCalendar().due(datetime(2026, 1, 1, tzinfo=timezone.utc))
            ()
        """
        require_aware(now, "now")
        return tuple(
            e
            for e in self.entries
            if as_utc(e.at) <= as_utc(now) and not e.paused and e.state is PostState.SCHEDULED
        )

    # ----------------------------------------------------------------- rules

    def _active(self) -> list[CalendarEntry]:
        return [e for e in self.entries if not e.paused and e.state is not PostState.RETRACTED]

    def conflicts(self) -> tuple[Conflict, ...]:
        """Every spacing, window and blackout problem, one :class:`Conflict` per entry and
        kind, in time order. Paused and retracted entries are left out.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
            >>> a = CalendarEntry(id="a", piece_id="p", platform="x", at=t)
            >>> b = CalendarEntry(id="b", piece_id="q", platform="x", at=t.replace(minute=20))
            >>> found = ContentCalendar().add(a, b).conflicts()
            >>> [(c.kind.value, c.entry_id, c.others) for c in found if c.kind.value == "min_gap"]
            [('min_gap', 'b', ('a',))]
        """
        found: list[Conflict] = []
        groups: dict[tuple[str, str], list[CalendarEntry]] = {}
        for e in self._active():
            groups.setdefault((e.platform, e.account), []).append(e)
        for (platform, account), items in groups.items():
            items.sort(key=_sort_key)
            rule = self.rule_for(platform, account)
            if rule is not None:
                found += _gap_conflicts(items, rule)
                found += _day_conflicts(items, rule)
                found += _quota_conflicts(items, rule)
        for e in self._active():
            window = self.window_for(e.platform)
            if window is not None and not window.contains(e.at):
                found.append(
                    _conflict(
                        ConflictKind.OUTSIDE_WINDOW,
                        e,
                        (),
                        f"{e.at.astimezone(zone(window.tz)):%a %H:%M} {window.tz} is outside "
                        f"the {e.platform} posting window",
                        NoteSeverity.WARNING,
                    )
                )
            for b in self.blackouts:
                if b.covers(e.at, e.platform) and e.state not in _UNPAUSABLE:
                    found.append(
                        _conflict(
                            ConflictKind.IN_BLACKOUT, e, (), f"inside blackout {b.id!r}: {b.reason}"
                        )
                    )
        found.sort(key=lambda c: (as_utc(c.at), c.entry_id, c.kind.value))
        return tuple(found)

    def fits(self, entry: CalendarEntry) -> bool:
        """Whether ``entry`` could be added without any spacing, window or blackout
        problem of its own or for the entries already planned.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> e = CalendarEntry(id="a", piece_id="p", platform="wecom",
            ...                   at=datetime(2026, 6, 1, 3, tzinfo=ZoneInfo("Asia/Shanghai")))
            >>> ContentCalendar().fits(e)  # 03:00 is outside WeCom's window
            False
        """
        window = self.window_for(entry.platform)
        if window is not None and not window.contains(entry.at):
            return False
        if any(b.covers(entry.at, entry.platform) for b in self.blackouts):
            return False
        rule = self.rule_for(entry.platform, entry.account)
        if rule is None:
            return True
        group = sorted(
            (
                e
                for e in self._active()
                if (e.platform, e.account) == (entry.platform, entry.account) and e.id != entry.id
            ),
            key=_sort_key,
        )
        return _fits_group(group, entry.at, rule)

    def place(
        self,
        entry: CalendarEntry,
        *,
        step: timedelta = timedelta(minutes=5),
        horizon: timedelta = timedelta(days=7),
    ) -> ContentCalendar:
        """Add ``entry`` at the first time from its ``at`` on (in ``step``s) that
        :meth:`fits`; a moved entry keeps its wish in ``requested_at``.

        Steps are taken in real (UTC) time, so a post is never placed before the instant
        it asked for, even across the repeated hour of a fall-back night.

        Raises :class:`~smmkit.exceptions.InvalidInputError` when nothing fits within
        ``horizon``.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> sh = ZoneInfo("Asia/Shanghai")
            >>> a = CalendarEntry(id="a", piece_id="p", platform="wecom",
            ...                   at=datetime(2026, 6, 1, 10, tzinfo=sh))
            >>> b = a.model_copy(update={"id": "b"})
            >>> cal = ContentCalendar().place(a).place(b)
            >>> cal.get("b").at.strftime("%H:%M"), cal.get("b").requested_at.strftime("%H:%M")
            ('11:00', '10:00')
        """
        if step <= timedelta(0):
            raise InvalidInputError.single("step", "must be positive", step)
        # Step on the UTC line: wall-clock arithmetic resets ``fold`` and would jump
        # back an hour across a fall-back overlap, placing a post *earlier* than asked.
        origin = as_utc(entry.at)
        local = entry.at.tzinfo
        offset = timedelta(0)
        while offset <= horizon:
            moved = (
                entry
                if not offset
                else entry.model_copy(
                    update={
                        "at": (origin + offset).astimezone(local),
                        "requested_at": entry.requested_at or entry.at,
                    }
                )
            )
            if self.fits(moved):
                return self.add(moved)
            offset += step
        raise InvalidInputError.single(
            "entry.at",
            f"no slot within {horizon} respects the windows, spacing and blackouts",
            entry.at,
        )

    # ----------------------------------------------------------------- blackouts

    def freeze(self, blackout: Blackout) -> FreezeResult:
        """Declare a blackout and pause every entry in it that is not yet published.

        Returns the new calendar and exactly what was paused; entries already
        ``publishing`` are reported as ``in_flight``.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
            >>> entry = CalendarEntry(id="a", piece_id="p", platform="weibo", at=t)
            >>> cal = ContentCalendar().add(entry)
            >>> result = cal.freeze(Blackout(id="recall", start=t.replace(hour=0), reason="recall"))
            >>> [e.id for e in result.paused], result.calendar.get("a").paused_by
            (['a'], 'recall')
        """
        if any(b.id == blackout.id for b in self.blackouts):
            raise InvalidInputError.single("blackout.id", "already declared", blackout.id)
        paused: list[CalendarEntry] = []
        in_flight: list[CalendarEntry] = []
        updated: list[CalendarEntry] = []
        for e in self.entries:
            new = e
            if not e.paused and blackout.covers(e.at, e.platform):
                if e.state in _IN_FLIGHT:
                    in_flight.append(e)
                elif e.state not in _UNPAUSABLE:
                    new = e.model_copy(update={"paused_by": blackout.id})
                    paused.append(new)
            updated.append(new)
        calendar = self._with(entries=tuple(updated), blackouts=(*self.blackouts, blackout))
        return FreezeResult(calendar=calendar, paused=tuple(paused), in_flight=tuple(in_flight))

    def lift(self, blackout_id: str) -> ContentCalendar:
        """End a blackout: remove it and resume the entries it paused.

        Resumed entries whose time has passed stay in the plan; :meth:`due` will offer
        them at once if they are scheduled, so review them before the queue runs.

        Example:
            >>> from datetime import datetime, timezone
            >>> b = Blackout(id="b", start=datetime(2026, 1, 1, tzinfo=timezone.utc), reason="test")
            >>> ContentCalendar().freeze(b).calendar.lift("b").blackouts
            ()
        """
        if not any(b.id == blackout_id for b in self.blackouts):
            raise InvalidInputError.single("blackout_id", "no such blackout", blackout_id)
        return self._with(
            blackouts=tuple(b for b in self.blackouts if b.id != blackout_id),
            entries=tuple(
                e.model_copy(update={"paused_by": None}) if e.paused_by == blackout_id else e
                for e in self.entries
            ),
        )

    # ----------------------------------------------------------------- iCalendar

    def to_ical(self, *, now: datetime, name: str | None = None) -> str:
        """This calendar as an RFC 5545 document (see :mod:`smmkit.content.calendar`).

        ``now`` becomes every DTSTAMP (the library never reads the clock). Raises
        :class:`~smmkit.exceptions.InvalidInputError` for an id holding a control
        character (``entries[i].id``) and for a series whose ``dtstart`` zone has no IANA
        name (``series[i].dtstart``): its RRULE could not run on local time.

        Example:
            >>> from datetime import datetime, timezone
            >>> ContentCalendar().to_ical(now=datetime(2026, 1, 1, tzinfo=timezone.utc))[:15]
            'BEGIN:VCALENDAR'
        """
        from smmkit.content.calendar._ical import calendar_to_ical

        return calendar_to_ical(self, now=now, name=name)

    @classmethod
    def from_ical(cls, text: str, *, base: ContentCalendar | None = None) -> ContentCalendar:
        """Read a document written by :meth:`to_ical` (or any calendar application).

        Windows and spacing are configuration, not data: they come from ``base``.

        Example:
            >>> from datetime import datetime, timezone
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
            ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
            >>> cal = ContentCalendar().add(e)
            >>> ContentCalendar.from_ical(cal.to_ical(now=e.at)) == cal
            True
        """
        from smmkit.content.calendar._ical import calendar_from_ical

        return calendar_from_ical(text, base=base or cls())


FreezeResult.model_rebuild()


def _conflict(
    kind: ConflictKind,
    entry: CalendarEntry,
    others: Sequence[CalendarEntry],
    message: str,
    severity: NoteSeverity = NoteSeverity.ERROR,
) -> Conflict:
    return Conflict(
        kind=kind,
        entry_id=entry.id,
        others=tuple(o.id for o in others),
        platform=entry.platform,
        account=entry.account,
        at=entry.at,
        message=message,
        severity=severity,
    )


def _gap_conflicts(items: list[CalendarEntry], rule: SpacingRule) -> list[Conflict]:
    if rule.min_gap is None:
        return []
    found = []
    for prev, cur in itertools.pairwise(items):
        gap = as_utc(cur.at) - as_utc(prev.at)
        if gap < rule.min_gap:
            found.append(
                _conflict(
                    ConflictKind.MIN_GAP,
                    cur,
                    (prev,),
                    f"{_minutes(gap)} after {prev.id!r}; "
                    f"{cur.platform} needs {_minutes(rule.min_gap)}",
                )
            )
    return found


def _day_conflicts(items: list[CalendarEntry], rule: SpacingRule) -> list[Conflict]:
    if rule.max_per_day is None:
        return []
    local = zone(rule.day_tz)
    by_day: dict[date, list[CalendarEntry]] = {}
    for e in items:
        by_day.setdefault(e.at.astimezone(local).date(), []).append(e)
    found = []
    for day, members in by_day.items():
        for extra in members[rule.max_per_day :]:
            found.append(
                _conflict(
                    ConflictKind.MAX_PER_DAY,
                    extra,
                    members[: rule.max_per_day],
                    f"more than {rule.max_per_day} on {day.isoformat()} ({rule.day_tz})",
                )
            )
    return found


def _quota_conflicts(items: list[CalendarEntry], rule: SpacingRule) -> list[Conflict]:
    if rule.quota is None:
        return []
    found = []
    instants = [as_utc(e.at) for e in items]
    for i, e in enumerate(items):
        first = bisect.bisect_right(instants, instants[i] - rule.quota_period)
        window = items[first : i + 1]
        if len(window) > rule.quota:
            found.append(
                _conflict(
                    ConflictKind.QUOTA,
                    e,
                    window[:-1],
                    f"{len(window)} posts within {rule.quota_period}; the cap is {rule.quota}",
                )
            )
    return found


def _fits_group(group: list[CalendarEntry], at: datetime, rule: SpacingRule) -> bool:
    instant = as_utc(at)
    if rule.min_gap is not None and any(abs(as_utc(e.at) - instant) < rule.min_gap for e in group):
        return False
    if rule.max_per_day is not None:
        local = zone(rule.day_tz)
        day = at.astimezone(local).date()
        if sum(1 for e in group if e.at.astimezone(local).date() == day) >= rule.max_per_day:
            return False
    if rule.quota is not None:
        times = sorted([*(as_utc(e.at) for e in group), instant])
        # Every rolling window that contains the new instant must stay within the quota.
        for right in times:
            if right < instant or right - instant >= rule.quota_period:
                continue
            count = sum(1 for t in times if right - rule.quota_period < t <= right)
            if count > rule.quota:
                return False
    return True


def _minutes(delta: timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    hours, minutes = divmod(total, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
