"""The content calendar: an immutable plan of entries, with its building and reading API.

The value types live in ``_values``, the conflict and placement rules in
``_placement``, the iCalendar codec in ``_ical_write``/``_ical_read``; this module
imports them all and none of them imports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import rrule
from pydantic import model_validator

from smmkit.catalog import require_known_platform
from smmkit.content.calendar._ical_read import calendar_from_ical
from smmkit.content.calendar._ical_write import calendar_to_ical
from smmkit.content.calendar._placement import FreezeResult, Placement, freeze_entries
from smmkit.content.calendar._recurrence import require_aware, zone
from smmkit.content.calendar._scenario import CampaignScenario
from smmkit.content.calendar._solar_terms import solar_terms_between
from smmkit.content.calendar._values import (
    DEFAULT_POSTING_WINDOWS,
    DEFAULT_SPACING_RULES,
    Blackout,
    CalendarEntry,
    Conflict,
    PostingWindow,
    RecurringSeries,
    SpacingRule,
    check_ids,
    day_entries,
    entry_in_zone,
    new_series,
    sort_key,
    typed,
    typed_ids,
    updated,
)
from smmkit.content.workflow import PostState, PostWorkflow
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel, as_utc

__all__ = ["ContentCalendar", "FreezeResult"]


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
        check_ids(self.entries, self.series, self.blackouts, self.windows)
        return self

    # ----------------------------------------------------------------- building

    def _with(self, **changes: Any) -> ContentCalendar:
        data: dict[str, Any] = {**dict(self), **changes}
        if "entries" in changes:
            data["entries"] = tuple(sorted(changes["entries"], key=sort_key))
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
        for i, entry in enumerate(entries):
            if not isinstance(entry, CalendarEntry):
                raise InvalidInputError.single(
                    f"entries.{i}", "must be a CalendarEntry", type(entry).__name__
                )
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
        An open rule needs ``until`` (inclusive, as RFC 5545's UNTIL). The expansion is
        bounded as :func:`expand_recurrence`'s, with its default caps (10,000 occurrences,
        100 years): ``INTERVAL=0``, a sub-daily ``FREQ`` or a rule past the caps is an
        ``InvalidInputError`` on ``rule``. With
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
        require_known_platform(platform)
        series, occurrences = new_series(
            piece_id,
            platform,
            rule,
            dtstart=dtstart,
            until=until,
            tz=tz,
            account=account,
            duration=duration,
            title=title,
            series_id=series_id,
            taken={s.id for s in self.series},
        )
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
        tz: str | None = None,
        account: str = "default",
        title: str | None = None,
        id_prefix: str | None = None,
        place: bool = True,
    ) -> ContentCalendar:
        """Add one entry per day at wall-clock ``at`` in zone ``tz`` (festival posts).

        ``tz`` is required (there is no default zone) unless ``at`` carries its own
        (``time(12, tzinfo=ZoneInfo(...))``). By default each entry is :meth:`place`-d,
        so it respects spacing.

        Example:
            >>> from datetime import date, time
            >>> cal = ContentCalendar().add_on_days("mooncake", "xiaohongshu",
            ...     [date(2026, 9, 25)], at=time(12), tz="Asia/Shanghai")
            >>> cal.entries[0].id, cal.entries[0].at.isoformat()
            ('mooncake@xiaohongshu@2026-09-25', '2026-09-25T12:00:00+08:00')
        """
        cal = self
        for entry in day_entries(
            piece_id, platform, days, at=at, tz=tz, account=account, title=title, prefix=id_prefix
        ):
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
        ``at`` is a wall-clock time in ``tz``, which defaults to China time
        (Asia/Shanghai), the zone the solar terms are reckoned in; pass another zone for
        an audience elsewhere.

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
        typed(scenario, CampaignScenario, "scenario")
        if entry_ids is None:
            chosen = {e.id for e in self.entries if scenario.covers(e.at)}
        else:
            chosen = {self.get(entry_id).id for entry_id in typed_ids(entry_ids, "entry_ids")}
        return self._with(entries=updated(self.entries, chosen, scenario=scenario))

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
        return self._with(entries=updated(self.entries, {entry_id}, workflow=workflow))

    def with_window(self, window: PostingWindow) -> ContentCalendar:
        """A calendar whose window for ``window.platform`` is replaced (or added).

        Example:
            >>> w = PostingWindow.from_hours("douyin", [15], tz="Asia/Shanghai")
            >>> ContentCalendar().with_window(w).window_for("douyin").ranges[0].start.hour
            15
        """
        typed(window, PostingWindow, "window")
        others = tuple(w for w in self.windows if w.platform != window.platform)
        return self._with(windows=(*others, window))

    def without_window(self, platform: str) -> ContentCalendar:
        """A calendar with no posting window for ``platform`` (no window warnings).

        Example:
            >>> ContentCalendar().without_window("weibo").window_for("weibo") is None
            True
        """
        require_known_platform(platform)
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
        typed(rule, SpacingRule, "rule")
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
        """The same plan with every time shown in ``tz`` (the instants do not change);
        all-day entries keep their own zone, whose day they are.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> e = CalendarEntry(id="a", piece_id="p", platform="wecom",
            ...                   at=datetime(2026, 6, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
            >>> ContentCalendar().add(e).in_zone("UTC").entries[0].at.isoformat()
            '2026-06-01T07:00:00+00:00'
        """
        local = zone(tz)
        return self._with(entries=tuple(entry_in_zone(e, local) for e in self.entries))

    def window_for(self, platform: str) -> PostingWindow | None:
        """The posting window of ``platform``, if one is configured.

        Example:
            >>> ContentCalendar().window_for("linkedin").tz
            'America/New_York'
        """
        return self._rules().window_for(require_known_platform(platform))

    def rule_for(self, platform: str, account: str) -> SpacingRule | None:
        """The most specific spacing rule for ``platform`` and ``account``.

        Example:
            >>> ContentCalendar().rule_for("wechat_oa", "default").max_per_day
            1
        """
        if platform != "*":
            require_known_platform(platform)
        return self._rules().rule_for(platform, account)

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

    def to_frame(self) -> Any:
        """One row per entry: id, piece, platform, account, time in its zone, state, series
        (a pandas DataFrame; needs the ``pandas`` extra).

        Example:
            >>> " ".join(ContentCalendar().to_frame().columns[:5])
            'id piece_id platform account at'
        """
        from smmkit._frames import calendar_frame

        return calendar_frame(self)

    # ----------------------------------------------------------------- rules

    def _rules(self) -> Placement:
        return Placement(windows=self.windows, spacing=self.spacing, blackouts=self.blackouts)

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
        return self._rules().conflicts(self.entries)

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
        return self._rules().fits(typed(entry, CalendarEntry, "entry"), self.entries)

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
        typed(entry, CalendarEntry, "entry")
        return self.add(self._rules().slot(entry, self.entries, step=step, horizon=horizon))

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
        for i, platform in enumerate(typed(blackout, Blackout, "blackout").platforms):
            require_known_platform(platform, field=f"blackout.platforms.{i}")
        if any(b.id == blackout.id for b in self.blackouts):
            raise InvalidInputError.single("blackout.id", "already declared", blackout.id)
        entries, paused, in_flight = freeze_entries(self.entries, blackout)
        calendar = self._with(entries=entries, blackouts=(*self.blackouts, blackout))
        return FreezeResult(calendar=calendar, paused=paused, in_flight=in_flight)

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
            entries=updated(
                self.entries,
                {e.id for e in self.entries if e.paused_by == blackout_id},
                paused_by=None,
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
        return calendar_to_ical(self.entries, self.series, self.blackouts, now=now, name=name)

    @classmethod
    def from_ical(
        cls,
        text: str,
        *,
        base: ContentCalendar | None = None,
        tz: str | None = None,
        platform: str | None = None,
    ) -> ContentCalendar:
        """Read a document written by :meth:`to_ical` (or any calendar application).

        TZIDs may be IANA names, Windows names (Outlook) or zones the file's own
        VTIMEZONEs define. All-day dates and floating times are read in ``tz``, else in
        the file's ``X-WR-TIMEZONE``; with neither they are an input error. Events with no
        CATEGORIES get ``platform``. Windows and spacing are configuration, not data:
        they come from ``base``. See docs/calendar.md, "Calendars from Outlook, Google".

        Example:
            >>> from datetime import datetime, timezone
            >>> e = CalendarEntry(id="a", piece_id="p", platform="x",
            ...                   at=datetime(2026, 1, 5, 14, tzinfo=timezone.utc))
            >>> cal = ContentCalendar().add(e)
            >>> ContentCalendar.from_ical(cal.to_ical(now=e.at)) == cal
            True
        """
        entries, series, blackouts = calendar_from_ical(text, tz=tz, platform=platform)
        if base is not None:
            typed(base, ContentCalendar, "base")
        empty = (base or cls()).model_copy(update={"entries": (), "series": (), "blackouts": ()})
        return empty._with(entries=entries, series=series, blackouts=blackouts)


FreezeResult.model_rebuild(_types_namespace={"ContentCalendar": ContentCalendar})
