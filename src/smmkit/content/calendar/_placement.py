"""The conflict and placement engine of the content calendar.

:class:`Placement` holds a calendar's configuration (posting windows, spacing rules,
blackouts) and answers the rule questions about a set of entries: which conflicts they
have, whether one more entry fits, and where the first fitting slot is. It works on the
value types of ``_values`` only; :class:`~smmkit.content.calendar.ContentCalendar`
delegates to it.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from smmkit.content.calendar._recurrence import LAST_CALENDAR_YEAR, zone
from smmkit.content.calendar._values import (
    IN_FLIGHT,
    UNPAUSABLE,
    Blackout,
    CalendarEntry,
    Conflict,
    ConflictKind,
    PostingWindow,
    SpacingRule,
    sort_key,
)
from smmkit.content.workflow import PostState
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel, as_utc
from smmkit.models.content import NoteSeverity

if TYPE_CHECKING:  # the calendar imports this module; FreezeResult is rebuilt there
    from smmkit.content.calendar._plan import ContentCalendar

__all__ = ["FreezeResult"]

#: The most steps :meth:`Placement.slot` tries (a week of 5-minute steps is 2,016).
MAX_STEPS = 100_000


class FreezeResult(SmmkitModel):
    """What a freeze did: the new calendar, the entries it paused, and the ones in flight.

    ``in_flight`` are entries already ``publishing``: a freeze cannot stop them, a person
    must check them (and retract if needed).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.content.calendar import ContentCalendar
        >>> b = Blackout(id="b", start=datetime(2026, 1, 1, tzinfo=timezone.utc), reason="test")
        >>> ContentCalendar().freeze(b).paused
        ()
    """

    calendar: ContentCalendar
    paused: tuple[CalendarEntry, ...] = ()
    in_flight: tuple[CalendarEntry, ...] = ()


def active(entries: Iterable[CalendarEntry]) -> list[CalendarEntry]:
    """The entries the rules apply to: neither paused nor retracted.

    Example:
        >>> active(())
        []
    """
    return [e for e in entries if not e.paused and e.state is not PostState.RETRACTED]


@dataclass(frozen=True)
class Placement:
    """A calendar's rules: posting windows, spacing rules and blackouts.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> from smmkit.content.calendar._values import DEFAULT_POSTING_WINDOWS
        >>> rules = Placement(windows=DEFAULT_POSTING_WINDOWS, spacing=(), blackouts=())
        >>> e = CalendarEntry(id="a", piece_id="p", platform="wecom",
        ...                   at=datetime(2026, 6, 1, 3, tzinfo=ZoneInfo("Asia/Shanghai")))
        >>> rules.fits(e, ()), [c.kind.value for c in rules.conflicts([e])]
        (False, ['outside_window'])
    """

    windows: Sequence[PostingWindow]
    spacing: Sequence[SpacingRule]
    blackouts: Sequence[Blackout]

    def window_for(self, platform: str) -> PostingWindow | None:
        """The posting window of ``platform``, if one is configured."""
        return next((w for w in self.windows if w.platform == platform), None)

    def rule_for(self, platform: str, account: str) -> SpacingRule | None:
        """The most specific spacing rule for ``platform`` and ``account``."""
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

    def conflicts(self, entries: Iterable[CalendarEntry]) -> tuple[Conflict, ...]:
        """Every spacing, window and blackout problem of the active ``entries``, in time
        order (see :meth:`ContentCalendar.conflicts`)."""
        live = active(entries)
        found: list[Conflict] = []
        groups: dict[tuple[str, str], list[CalendarEntry]] = {}
        for e in live:
            groups.setdefault((e.platform, e.account), []).append(e)
        for (platform, account), items in groups.items():
            items.sort(key=sort_key)
            rule = self.rule_for(platform, account)
            if rule is not None:
                found += _gap_conflicts(items, rule)
                found += _day_conflicts(items, rule)
                found += _quota_conflicts(items, rule)
        for e in live:
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
                if b.covers(e.at, e.platform) and e.state not in UNPAUSABLE:
                    found.append(
                        _conflict(
                            ConflictKind.IN_BLACKOUT, e, (), f"inside blackout {b.id!r}: {b.reason}"
                        )
                    )
        found.sort(key=lambda c: (as_utc(c.at), c.entry_id, c.kind.value))
        return tuple(found)

    def fits(self, entry: CalendarEntry, entries: Iterable[CalendarEntry]) -> bool:
        """Whether ``entry`` could join ``entries`` without any spacing, window or
        blackout problem (an entry of ``entries`` with the same id is replaced)."""
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
                for e in active(entries)
                if (e.platform, e.account) == (entry.platform, entry.account) and e.id != entry.id
            ),
            key=sort_key,
        )
        return _fits_group(group, entry.at, rule)

    def slot(
        self,
        entry: CalendarEntry,
        entries: Sequence[CalendarEntry],
        *,
        step: timedelta,
        horizon: timedelta,
    ) -> CalendarEntry:
        """``entry`` at the first time from its ``at`` on (in ``step``s of real time) that
        :meth:`fits`; a moved entry keeps its wish in ``requested_at``.

        Raises :class:`~smmkit.exceptions.InvalidInputError` for a step that is not
        positive and when nothing fits within ``horizon``, or within :data:`MAX_STEPS`
        steps.
        """
        for name, value in (("step", step), ("horizon", horizon)):
            if not isinstance(value, timedelta):
                raise InvalidInputError.single(name, "must be a timedelta", type(value).__name__)
        if step <= timedelta(0):
            raise InvalidInputError.single("step", "must be positive", step)
        # Step on the UTC line: wall-clock arithmetic resets ``fold`` and would jump
        # back an hour across a fall-back overlap, placing a post *earlier* than asked.
        origin = as_utc(entry.at)
        local = entry.at.tzinfo
        offset = timedelta(0)
        for _ in range(MAX_STEPS):
            if offset > horizon:
                break
            moved = entry
            if offset:
                try:
                    at = (origin + offset).astimezone(local)
                except OverflowError:
                    break
                if at.year > LAST_CALENDAR_YEAR:
                    break
                moved = entry.model_copy(
                    update={"at": at, "requested_at": entry.requested_at or entry.at}
                )
            if self.fits(moved, entries):
                return moved
            offset += step
        else:
            raise InvalidInputError.single(
                "step",
                f"found no slot in {MAX_STEPS} steps of {step}; take larger steps",
                step,
            )
        raise InvalidInputError.single(
            "entry.at",
            f"no slot within {horizon} respects the windows, spacing and blackouts",
            entry.at,
        )


def freeze_entries(
    entries: Iterable[CalendarEntry], blackout: Blackout
) -> tuple[tuple[CalendarEntry, ...], tuple[CalendarEntry, ...], tuple[CalendarEntry, ...]]:
    """Pause the entries ``blackout`` covers: ``(all entries, paused, in flight)``.

    Entries already ``publishing`` cannot be paused and are returned as in flight;
    published and retracted entries are left alone.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
        >>> e = CalendarEntry(id="a", piece_id="p", platform="weibo", at=t)
        >>> _, paused, in_flight = freeze_entries([e], Blackout(id="b", start=t, reason="r"))
        >>> [p.paused_by for p in paused], in_flight
        (['b'], ())
    """
    paused: list[CalendarEntry] = []
    in_flight: list[CalendarEntry] = []
    updated: list[CalendarEntry] = []
    for e in entries:
        new = e
        if not e.paused and blackout.covers(e.at, e.platform):
            if e.state in IN_FLIGHT:
                in_flight.append(e)
            elif e.state not in UNPAUSABLE:
                new = e.model_copy(update={"paused_by": blackout.id})
                paused.append(new)
        updated.append(new)
    return tuple(updated), tuple(paused), tuple(in_flight)


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
    local = _day_zone(rule)
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
        local = _day_zone(rule)
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


def _day_zone(rule: SpacingRule) -> ZoneInfo:
    if rule.day_tz is None:  # pragma: no cover - SpacingRule requires it with max_per_day
        raise InvalidInputError.single("day_tz", "is required with max_per_day", None)
    return zone(rule.day_tz)


def _minutes(delta: timedelta) -> str:
    total = int(delta.total_seconds() // 60)
    hours, minutes = divmod(total, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
