"""iCalendar (RFC 5545) export of a content calendar, written from scratch.

One VEVENT per recurring series (DTSTART;TZID + RRULE + EXDATE for removed
occurrences), one VEVENT with RECURRENCE-ID per occurrence that differs from its
series (moved, paused, approved...), one VEVENT per single entry and per blackout.
Every time zone used gets a VTIMEZONE built from the IANA database for the years the
plan covers, and TZIDs are IANA names; a zone read from another document's own
VTIMEZONE (:class:`._ical_zones.VTimezone`) is written back with that definition.
All-day entries and series are written as dates (``VALUE=DATE``) with their zone in an
``X-SMMKIT-TZID`` parameter.
The second of two identical fall-back wall times is written in UTC (a TZID wall time
means the first); ``X-SMMKIT-TZID``/``X-SMMKIT-FOLD`` parameters restore zone and fold.
smmkit's own fields travel losslessly in ``X-SMMKIT-*`` JSON properties that calendar
applications ignore, so an export imports back to an equal calendar (:mod:`._ical_read`).

The codec works on the value types of ``_values`` only, never on the calendar class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smmkit.content.calendar._ical import (
    FOLD_HINT,
    LOCAL_FORMAT,
    TZID_HINT,
    UTC_FORMAT,
    escape_text,
    fold,
    is_unicode,
)
from smmkit.content.calendar._ical_zones import VTimezone, definition_lines
from smmkit.content.calendar._recurrence import require_aware, zone
from smmkit.content.calendar._values import Blackout, CalendarEntry, RecurringSeries
from smmkit.content.workflow import PostState
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import as_utc

__all__: list[str] = []

_PRODID = "-//smmkit//content calendar//EN"
# RFC 5545 §3.1 CONTROL characters other than HTAB, LF and CR (which escape_text turns
# into ``\n``): no escape exists for them, so an id holding one cannot be written.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _same_offsets(a: tzinfo, b: tzinfo, moment: datetime) -> bool:
    """Whether ``a`` and ``b`` give the same UTC offsets around ``moment``'s year."""
    probes = [as_utc(moment)]
    probes += [
        datetime(year, month, 1, tzinfo=timezone.utc)
        for year in (moment.year - 1, moment.year, moment.year + 1)
        for month in range(1, 13)
    ]
    return all(p.astimezone(a).utcoffset() == p.astimezone(b).utcoffset() for p in probes)


def _iana_key(tz: tzinfo, moment: datetime, *, fixed: bool) -> str | None:
    """The IANA name of a non-zoneinfo ``tz`` (dateutil, pytz; with ``fixed``, a whole-hour
    ``datetime.timezone`` as ``Etc/GMT-8``), if any."""
    candidates: list[str] = []
    for attr in ("key", "zone", "_filename"):  # zoneinfo-like, pytz, dateutil.tz.tzfile
        value = getattr(tz, attr, None)
        if isinstance(value, str):
            candidates.append(value)
    if fixed and isinstance(tz, timezone):
        hours, rest = divmod(tz.utcoffset(None), timedelta(hours=1))
        if not rest:
            candidates.append(f"Etc/GMT{-hours:+d}")  # POSIX sign: Etc/GMT-8 is UTC+8
    for candidate in candidates:
        parts = candidate.replace("\\", "/").split("/")
        # dateutil keeps a file path (/usr/share/zoneinfo/America/New_York): try its tails.
        for i in range(len(parts)):
            key = "/".join(parts[i:])
            try:
                found = ZoneInfo(key)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
            if _same_offsets(found, tz, moment):
                return key
    return None


def _zone_key(moment: datetime, *, series_start: bool = False) -> str | None:
    """The IANA name to write as TZID, or None to write UTC.

    A single instant is exact in UTC; a series' DTSTART needs a named zone because its
    RRULE runs on that zone's wall clock (weekdays, hours, DST).
    """
    tz = moment.tzinfo
    if isinstance(tz, VTimezone):
        return tz.tzid
    if isinstance(tz, ZoneInfo):
        return None if tz.key in ("UTC", "Etc/UTC") else tz.key
    if tz is None or _same_offsets(tz, timezone.utc, moment):
        return None
    key = _iana_key(tz, moment, fixed=series_start)
    return None if key in ("UTC", "Etc/UTC") else key


def _ambiguous_second(moment: datetime) -> bool:
    """True for the later of two identical wall times (``fold=1`` in a fall-back overlap)."""
    return bool(moment.fold) and (
        moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()
    )


def _param(value: str) -> str:
    """A parameter value, quoted when it holds ``;``, ``:`` or ``,`` (RFC 5545 §3.2)."""
    return f'"{value}"' if any(c in value for c in ";:,") else value


def _dt_line(
    name: str, moment: datetime, *, series_start: bool = False, all_day: bool = False
) -> str:
    if all_day:
        # A DATE has no zone in iCalendar: the day is read in the X-SMMKIT-TZID zone
        # (or, by other readers, in their own).
        day_key = _zone_key(moment, series_start=True) or "UTC"
        return f"{name};VALUE=DATE;{TZID_HINT}={_param(day_key)}:{moment:%Y%m%d}"
    key = _zone_key(moment, series_start=series_start)
    utc = moment.astimezone(timezone.utc).strftime(UTC_FORMAT)
    if key is None:
        return f"{name}:{utc}"
    local = moment.strftime(LOCAL_FORMAT)
    key = _param(key)
    if _ambiguous_second(moment):
        if series_start:
            # The rule must run on the zone's wall clock, so DTSTART keeps its TZID; the
            # fold travels in a parameter only smmkit reads.
            return f"{name};TZID={key};{FOLD_HINT}=1:{local}"
        # A TZID wall time in the overlap means the *first* one (RFC 5545 §3.3.5): write
        # the instant in UTC, which every reader gets right.
        return f"{name};{TZID_HINT}={key}:{utc}"
    return f"{name};TZID={key}:{local}"


def _date_rule(rule: str, tz: tzinfo | None) -> str:
    """``rule`` with UNTIL as a local DATE, as RFC 5545 wants with a DATE DTSTART."""
    match = re.search(r"UNTIL=(\d{8}T\d{6})Z", rule)
    if match is None:
        return rule
    until = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    return rule[: match.start(1)] + f"{until.astimezone(tz):%Y%m%d}" + rule[match.end() :]


def _uid(value: str, field: str) -> str:
    if _CONTROL.search(value):
        raise InvalidInputError.single(
            field, "contains a control character, which iCalendar cannot carry", value
        )
    return f"UID:{escape_text(value)}"


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = "P"
    if days:
        text += f"{days}D"
    if hours or minutes or secs or not days:
        text += "T"
        if hours:
            text += f"{hours}H"
        if minutes:
            text += f"{minutes}M"
        if secs or not (hours or minutes):
            text += f"{secs}S"
    return text


def _offset(delta: timedelta | None) -> str:
    total = int((delta or timedelta(0)).total_seconds())
    sign = "+" if total >= 0 else "-"
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}{hours:02d}{rest // 60:02d}"


def _transitions(tz: ZoneInfo, first_year: int, last_year: int) -> Iterator[datetime]:
    """UTC instants (to the second) where ``tz``'s offset changes in the years given."""
    start = datetime(first_year, 1, 1, tzinfo=timezone.utc)
    end = datetime(last_year + 1, 1, 1, tzinfo=timezone.utc)
    day = timedelta(days=1)
    cursor = start
    while cursor < end:
        nxt = cursor + day
        if cursor.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = cursor, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            yield hi
        cursor = nxt


def _vtimezone(key: str, first_year: int, last_year: int, own: VTimezone | None) -> list[str]:
    if own is not None:
        return definition_lines(own)
    tz = zone(key)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    opening = datetime(first_year, 1, 1, tzinfo=timezone.utc).astimezone(tz)
    kind = "DAYLIGHT" if opening.dst() else "STANDARD"
    lines += [
        f"BEGIN:{kind}",
        "DTSTART:19700101T000000",
        f"TZOFFSETFROM:{_offset(opening.utcoffset())}",
        f"TZOFFSETTO:{_offset(opening.utcoffset())}",
        f"TZNAME:{escape_text(opening.tzname() or key)}",
        f"END:{kind}",
    ]
    for instant in _transitions(tz, first_year, last_year):
        before = (instant - timedelta(seconds=1)).astimezone(tz)
        after = instant.astimezone(tz)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        onset = (instant + (before.utcoffset() or timedelta(0))).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{onset.strftime(LOCAL_FORMAT)}",
            f"TZOFFSETFROM:{_offset(before.utcoffset())}",
            f"TZOFFSETTO:{_offset(after.utcoffset())}",
            f"TZNAME:{escape_text(after.tzname() or key)}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def _json(model: Any, exclude: set[str]) -> str:
    data = model.model_dump(mode="json", exclude=exclude)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _summary(entry_title: str | None, piece_id: str, platform: str) -> str:
    return f"{entry_title or piece_id} · {platform}"


def _status(entry: CalendarEntry) -> str:
    if entry.paused:
        return "CANCELLED"
    if entry.state in (PostState.SCHEDULED, PostState.PUBLISHING, PostState.PUBLISHED):
        return "CONFIRMED"
    return "TENTATIVE"


def calendar_to_ical(
    entries: Sequence[CalendarEntry],
    series: Sequence[RecurringSeries],
    blackouts: Sequence[Blackout],
    *,
    now: datetime,
    name: str | None = None,
) -> str:
    """Render a calendar's parts as an iCalendar document (CRLF line ends, folded lines).

    Errors name the calendar's fields (``entries[i].id``, ``series[i].dtstart``...).

    Example:
        >>> from datetime import datetime, timezone
        >>> text = calendar_to_ical((), (), (), now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> text.splitlines()[:2]
        ['BEGIN:VCALENDAR', 'VERSION:2.0']
    """
    stamp = require_aware(now, "now").astimezone(timezone.utc).strftime(UTC_FORMAT)
    if name is not None and not (isinstance(name, str) and is_unicode(name)):
        raise InvalidInputError.single("name", "must be a str of valid Unicode, or None", name)
    events: list[list[str]] = []
    zones: dict[str, VTimezone | None] = {}
    years: set[int] = set()

    def note(moment: datetime, *, series_start: bool = False) -> None:
        key = _zone_key(moment, series_start=series_start)
        if key is not None:
            tz = moment.tzinfo
            zones[key] = tz if isinstance(tz, VTimezone) else None
            years.add(moment.year)

    # Keyed by UTC instant: same-zone datetimes compare by wall clock, so the two
    # fall-back 01:30s would be one key.
    by_series: dict[str, set[datetime]] = {}
    for e in entries:
        if e.series is not None and e.occurrence is not None:
            by_series.setdefault(e.series, set()).add(as_utc(e.occurrence))

    expanded: dict[str, dict[datetime, datetime]] = {}
    for i, s in enumerate(series):
        occurrences = s.occurrences()
        expanded[s.id] = {as_utc(occ): occ for occ in occurrences}
        present = by_series.get(s.id, set())
        if _zone_key(s.dtstart, series_start=True) is None and not _same_offsets(
            s.dtstart.tzinfo or timezone.utc, timezone.utc, s.dtstart
        ):
            raise InvalidInputError.single(
                f"series[{i}].dtstart",
                "its time zone has no IANA name, so the RRULE cannot be written to run on "
                "local time; use zoneinfo.ZoneInfo",
                s.dtstart,
            )
        lines = [
            "BEGIN:VEVENT",
            _uid(s.id, f"series[{i}].id"),
            f"DTSTAMP:{stamp}",
            _dt_line("DTSTART", s.dtstart, series_start=True, all_day=s.all_day),
            f"RRULE:{_date_rule(s.rule, s.dtstart.tzinfo) if s.all_day else s.rule}",
        ]
        note(s.dtstart, series_start=True)
        if occurrences:
            note(occurrences[-1])
        lines += [
            _dt_line("EXDATE", occ, all_day=s.all_day)
            for occ in occurrences
            if as_utc(occ) not in present
        ]
        if s.duration is not None:
            lines.append(f"DURATION:{_duration(s.duration)}")
        lines += [
            f"SUMMARY:{escape_text(_summary(s.title, s.piece_id, s.platform))}",
            f"CATEGORIES:{escape_text(s.platform)}",
            "X-SMMKIT-KIND:series",
            f"X-SMMKIT-SERIES:{escape_text(_json(s, {'dtstart'}))}",
            "END:VEVENT",
        ]
        events.append(lines)

    series_by_id = {s.id: s for s in series}
    for i, e in enumerate(entries):
        if e.series is not None and e.occurrence is not None:
            own = expanded[e.series].get(as_utc(e.occurrence))
            if own is not None:
                template = series_by_id[e.series].template(own)
                # ``==`` alone would equate the two fall-back 01:30s; compare instants too.
                if (
                    e == template
                    and as_utc(e.at) == as_utc(template.at)
                    and as_utc(e.occurrence) == as_utc(own)
                ):
                    continue  # the RRULE already says everything about it
            head = [
                _uid(e.series, f"entries[{i}].series"),
                _dt_line("RECURRENCE-ID", e.occurrence, all_day=series_by_id[e.series].all_day),
            ]
            note(e.occurrence)
        else:
            head = [_uid(e.id, f"entries[{i}].id")]
        note(e.at, series_start=e.all_day)
        start = _dt_line("DTSTART", e.at, all_day=e.all_day)
        lines = ["BEGIN:VEVENT", head[0], f"DTSTAMP:{stamp}", *head[1:], start]
        if e.duration is not None:
            lines.append(f"DURATION:{_duration(e.duration)}")
        lines += [
            f"SUMMARY:{escape_text(_summary(e.title, e.piece_id, e.platform))}",
            f"CATEGORIES:{escape_text(e.platform)}",
            f"STATUS:{_status(e)}",
        ]
        if e.piece is not None and e.piece.body:
            lines.append(f"DESCRIPTION:{escape_text(e.piece.body)}")
        lines += [
            "X-SMMKIT-KIND:entry",
            f"X-SMMKIT-ENTRY:{escape_text(_json(e, {'at', 'occurrence'}))}",
            "END:VEVENT",
        ]
        events.append(lines)

    for i, b in enumerate(blackouts):
        lines = [
            "BEGIN:VEVENT",
            _uid(f"blackout-{b.id}", f"blackouts[{i}].id"),
            f"DTSTAMP:{stamp}",
            _dt_line("DTSTART", b.start),
        ]
        note(b.start)
        if b.end is not None:
            lines.append(_dt_line("DTEND", b.end))
            note(b.end)
        lines += [
            f"SUMMARY:{escape_text('Blackout: ' + b.reason)}",
            "TRANSP:OPAQUE",
            "X-SMMKIT-KIND:blackout",
            f"X-SMMKIT-BLACKOUT:{escape_text(_json(b, set()))}",
            "END:VEVENT",
        ]
        events.append(lines)

    out = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_PRODID}", "CALSCALE:GREGORIAN"]
    if name:
        out.append(f"X-WR-CALNAME:{escape_text(name)}")
    if zones:
        first, last = min(years), max(years)
        for key in sorted(zones):
            out += _vtimezone(key, first, last, zones[key])
    for lines in events:
        out += lines
    out.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in out)
