"""iCalendar (RFC 5545) export and import of a content calendar, written from scratch.

Export: one VEVENT per recurring series (DTSTART;TZID + RRULE + EXDATE for removed
occurrences), one VEVENT with RECURRENCE-ID per occurrence that differs from its
series (moved, paused, approved...), one VEVENT per single entry and per blackout.
Every time zone used gets a VTIMEZONE built from the IANA database for the years the
plan covers; TZIDs are IANA names, which is also how the parser resolves them.
The second of two identical fall-back wall times is written in UTC (a TZID wall time
means the first); ``X-SMMKIT-TZID``/``X-SMMKIT-FOLD`` parameters restore zone and fold.
smmkit's own fields travel losslessly in ``X-SMMKIT-*`` JSON properties that calendar
applications ignore, so an export imports back to an equal calendar.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smmkit.content.calendar._recurrence import expand_recurrence, require_aware, zone
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import as_utc

if TYPE_CHECKING:
    from smmkit.content.calendar._plan import (
        Blackout,
        CalendarEntry,
        ContentCalendar,
        RecurringSeries,
    )

__all__: list[str] = []

_PRODID = "-//smmkit//content calendar//EN"
_UTC_FORMAT = "%Y%m%dT%H%M%SZ"
_LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# RFC 5545 §3.1 CONTROL characters other than HTAB, LF and CR (which escape_text turns
# into ``\n``): no escape exists for them, so an id holding one cannot be written.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Non-standard parameters (RFC 5545 §3.2 x-param; other applications ignore them) that
# keep what a bare DATE-TIME cannot say: the zone of a UTC-written instant, and which
# of two identical fall-back wall times a recurring series starts at.
_TZID_HINT = "X-SMMKIT-TZID"
_FOLD_HINT = "X-SMMKIT-FOLD"


# ---------------------------------------------------------------------- writing


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = char, width, 74  # a continuation starts with a space
        else:
            current += char
            size += width
    parts.append(current)
    return "\r\n ".join(parts)


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


def _dt_line(name: str, moment: datetime, *, series_start: bool = False) -> str:
    key = _zone_key(moment, series_start=series_start)
    utc = moment.astimezone(timezone.utc).strftime(_UTC_FORMAT)
    if key is None:
        return f"{name}:{utc}"
    local = moment.strftime(_LOCAL_FORMAT)
    if _ambiguous_second(moment):
        if series_start:
            # The rule must run on the zone's wall clock, so DTSTART keeps its TZID; the
            # fold travels in a parameter only smmkit reads.
            return f"{name};TZID={key};{_FOLD_HINT}=1:{local}"
        # A TZID wall time in the overlap means the *first* one (RFC 5545 §3.3.5): write
        # the instant in UTC, which every reader gets right.
        return f"{name};{_TZID_HINT}={key}:{utc}"
    return f"{name};TZID={key}:{local}"


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


def _vtimezone(key: str, first_year: int, last_year: int) -> list[str]:
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
            f"DTSTART:{onset.strftime(_LOCAL_FORMAT)}",
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
    from smmkit.content.workflow import PostState

    if entry.paused:
        return "CANCELLED"
    if entry.state in (PostState.SCHEDULED, PostState.PUBLISHING, PostState.PUBLISHED):
        return "CONFIRMED"
    return "TENTATIVE"


def calendar_to_ical(cal: ContentCalendar, *, now: datetime, name: str | None = None) -> str:
    """Render ``cal`` as an iCalendar document (CRLF line ends, folded lines)."""
    stamp = require_aware(now, "now").astimezone(timezone.utc).strftime(_UTC_FORMAT)
    events: list[list[str]] = []
    zones: set[str] = set()
    years: set[int] = set()

    def note(moment: datetime, *, series_start: bool = False) -> None:
        key = _zone_key(moment, series_start=series_start)
        if key is not None:
            zones.add(key)
            years.add(moment.year)

    # Keyed by UTC instant: same-zone datetimes compare by wall clock, so the two
    # fall-back 01:30s would be one key.
    by_series: dict[str, set[datetime]] = {}
    for e in cal.entries:
        if e.series is not None and e.occurrence is not None:
            by_series.setdefault(e.series, set()).add(as_utc(e.occurrence))

    expanded: dict[str, dict[datetime, datetime]] = {}
    for i, s in enumerate(cal.series):
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
            _dt_line("DTSTART", s.dtstart, series_start=True),
            f"RRULE:{s.rule}",
        ]
        note(s.dtstart, series_start=True)
        if occurrences:
            note(occurrences[-1])
        lines += [_dt_line("EXDATE", occ) for occ in occurrences if as_utc(occ) not in present]
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

    series_by_id = {s.id: s for s in cal.series}
    for i, e in enumerate(cal.entries):
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
                _dt_line("RECURRENCE-ID", e.occurrence),
            ]
            note(e.occurrence)
        else:
            head = [_uid(e.id, f"entries[{i}].id")]
        note(e.at)
        lines = ["BEGIN:VEVENT", head[0], f"DTSTAMP:{stamp}", *head[1:], _dt_line("DTSTART", e.at)]
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

    for i, b in enumerate(cal.blackouts):
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
            out += _vtimezone(key, first, last)
    for lines in events:
        out += lines
    out.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in out)


# ---------------------------------------------------------------------- reading


@dataclass
class _Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class _Component:
    name: str
    props: list[_Prop] = field(default_factory=list)
    children: list[_Component] = field(default_factory=list)

    def first(self, name: str) -> _Prop | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, name: str) -> list[_Prop]:
        return [p for p in self.props if p.name == name]


def unfold(text: str) -> list[str]:
    """Split a document into unfolded content lines (accepts CRLF or bare LF)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]", "", text)
    return [line for line in text.split("\n") if line]


def _parse_line(line: str, number: int) -> _Prop:
    name_end = 0
    while name_end < len(line) and line[name_end] not in ";:":
        name_end += 1
    if name_end == len(line):
        raise InvalidInputError.single(f"line {number}", "a content line needs ':'", line[:60])
    name = line[:name_end].upper()
    params: dict[str, str] = {}
    i = name_end
    while line[i] == ";":
        i += 1
        eq = line.index("=", i) if "=" in line[i:] else -1
        if eq < 0:
            raise InvalidInputError.single(f"line {number}", "malformed parameter", line[:60])
        pname = line[i:eq].upper()
        i = eq + 1
        if i < len(line) and line[i] == '"':
            close = line.index('"', i + 1)
            pvalue = line[i + 1 : close]
            i = close + 1
        else:
            j = i
            while j < len(line) and line[j] not in ";:":
                j += 1
            pvalue = line[i:j]
            i = j
        params[pname] = pvalue
        if i >= len(line):
            raise InvalidInputError.single(f"line {number}", "a content line needs ':'", line[:60])
    return _Prop(name, params, line[i + 1 :])


def parse_components(text: str) -> list[_Component]:
    """Parse a document into its top-level components."""
    roots: list[_Component] = []
    stack: list[_Component] = []
    for number, line in enumerate(unfold(text), start=1):
        prop = _parse_line(line, number)
        if prop.name == "BEGIN":
            comp = _Component(prop.value.upper())
            (stack[-1].children if stack else roots).append(comp)
            stack.append(comp)
        elif prop.name == "END":
            if not stack or stack[-1].name != prop.value.upper():
                raise InvalidInputError.single(f"line {number}", "unbalanced END", prop.value)
            stack.pop()
        elif stack:
            stack[-1].props.append(prop)
        else:
            raise InvalidInputError.single(f"line {number}", "property outside a component", line)
    if stack:
        raise InvalidInputError.single("document", f"missing END:{stack[-1].name}", None)
    return roots


def unescape_text(value: str) -> str:
    """Undo :func:`escape_text`."""
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _parse_datetime(prop: _Prop, where: str, *, keep_wall: bool = False) -> list[datetime]:
    """The values of a DATE-TIME property, aware.

    A TZID wall time is resolved to a real instant (a spring-forward gap time moves
    forward) unless ``keep_wall``: a series' DTSTART keeps the wall time its rule runs on.
    """
    values = prop.value.split(",")
    tzid = prop.params.get("TZID")
    hint = prop.params.get(_TZID_HINT)
    second = prop.params.get(_FOLD_HINT) == "1"
    if prop.params.get("VALUE", "DATE-TIME").upper() == "DATE" or (values and "T" not in values[0]):
        raise InvalidInputError.single(where, "all-day (DATE) values cannot be posts", prop.value)
    tz: tzinfo | None = zone(tzid.lstrip("/"), where) if tzid else None
    found = []
    for item in values:
        raw = item.strip()
        try:
            if raw.endswith("Z"):
                instant = datetime.strptime(raw, _UTC_FORMAT).replace(tzinfo=timezone.utc)
                found.append(instant.astimezone(zone(hint, where)) if hint else instant)
            elif tz is not None:
                naive = datetime.strptime(raw, _LOCAL_FORMAT).replace(tzinfo=tz, fold=int(second))
                found.append(naive if keep_wall else naive.astimezone(timezone.utc).astimezone(tz))
            else:
                raise InvalidInputError.single(
                    where, "floating time (no TZID, no Z) is ambiguous", raw
                )
        except ValueError as exc:
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError.single(where, "not an iCalendar DATE-TIME", raw) from None
    return found


_DURATION = re.compile(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def _parse_duration(value: str, where: str) -> timedelta:
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        raise InvalidInputError.single(where, "not an iCalendar DURATION", value)
    sign, weeks, days, hours, minutes, seconds = match.groups()
    delta = timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
    )
    return -delta if sign == "-" else delta


def _one_dt(comp: _Component, name: str, where: str, *, keep_wall: bool = False) -> datetime | None:
    prop = comp.first(name)
    if prop is None:
        return None
    return _parse_datetime(prop, f"{where}.{name}", keep_wall=keep_wall)[0]


def _text(comp: _Component, name: str) -> str | None:
    prop = comp.first(name)
    return None if prop is None else unescape_text(prop.value)


def _platform(comp: _Component, where: str) -> str:
    cats = _text(comp, "CATEGORIES")
    platform = (cats or "").split(",")[0].strip().lower()
    if not platform:
        raise InvalidInputError.single(
            f"{where}.CATEGORIES", "needs the platform id as its first category", None
        )
    return platform


def _restore_zone(data: dict[str, Any], keys: Iterable[str], tz: tzinfo | None) -> None:
    for key in keys:
        if data.get(key) and tz is not None:
            data[key] = datetime.fromisoformat(data[key]).astimezone(tz)


def calendar_from_ical(text: str, *, base: ContentCalendar) -> ContentCalendar:
    """Read an iCalendar document into a calendar with ``base``'s windows and spacing."""
    from smmkit.content.calendar._plan import Blackout, CalendarEntry, RecurringSeries

    roots = parse_components(text)
    cal_comp = next((c for c in roots if c.name == "VCALENDAR"), None)
    if cal_comp is None:
        raise InvalidInputError.single("document", "no VCALENDAR component", None)
    events = [c for c in cal_comp.children if c.name == "VEVENT"]

    series: list[RecurringSeries] = []
    masters: dict[str, tuple[RecurringSeries, list[datetime]]] = {}
    overrides: list[tuple[_Component, str]] = []
    singles: list[_Component] = []
    blackouts: list[Blackout] = []
    for n, ev in enumerate(events):
        uid = _text(ev, "UID")
        where = f"VEVENT[{uid or n}]"
        if not uid:
            raise InvalidInputError.single(f"VEVENT[{n}].UID", "is required", None)
        kind = (_text(ev, "X-SMMKIT-KIND") or "").lower()
        if kind == "blackout":
            data = json.loads(_text(ev, "X-SMMKIT-BLACKOUT") or "{}")
            data["start"] = _one_dt(ev, "DTSTART", where)
            data["end"] = _one_dt(ev, "DTEND", where)  # the DT lines keep the zone
            blackouts.append(Blackout.model_validate(data))
        elif ev.first("RRULE") is not None:
            start = _one_dt(ev, "DTSTART", where, keep_wall=True)
            if start is None:
                raise InvalidInputError.single(f"{where}.DTSTART", "is required", None)
            raw = _text(ev, "X-SMMKIT-SERIES")
            if raw:
                data = json.loads(raw)
            else:
                duration = ev.first("DURATION")
                data = {
                    "id": uid,
                    "piece_id": uid,
                    "platform": _platform(ev, where),
                    "rule": ev.first("RRULE").value,  # type: ignore[union-attr]
                    "title": _text(ev, "SUMMARY"),
                    "duration": None
                    if duration is None
                    else _parse_duration(duration.value, f"{where}.DURATION"),
                }
            data["dtstart"] = start
            s = RecurringSeries.model_validate(data)
            if not any(tok.startswith(("UNTIL=", "COUNT=")) for tok in s.rule.split(";")):
                raise InvalidInputError.single(
                    f"{where}.RRULE", "an open-ended rule cannot be expanded; add UNTIL", s.rule
                )
            exdates = [d for p in ev.all("EXDATE") for d in _parse_datetime(p, f"{where}.EXDATE")]
            series.append(s)
            masters[uid] = (s, exdates)
        elif ev.first("RECURRENCE-ID") is not None:
            overrides.append((ev, uid))
        else:
            singles.append(ev)

    entries: dict[str, CalendarEntry] = {}
    for s, exdates in masters.values():
        excluded = {d.astimezone(timezone.utc) for d in exdates}
        for occ in expand_recurrence(s.rule, dtstart=s.dtstart):
            if occ.astimezone(timezone.utc) not in excluded:
                entry = s.template(occ)
                entries[entry.id] = entry

    def build(ev: _Component, uid: str, occurrence: datetime | None) -> CalendarEntry:
        where = f"VEVENT[{uid}]"
        at = _one_dt(ev, "DTSTART", where)
        if at is None:
            raise InvalidInputError.single(f"{where}.DTSTART", "is required", None)
        raw = _text(ev, "X-SMMKIT-ENTRY")
        if raw:
            data = json.loads(raw)
            _restore_zone(data, ("requested_at",), at.tzinfo)
        else:
            duration = ev.first("DURATION")
            data = {
                "id": uid,
                "piece_id": uid,
                "platform": _platform(ev, where),
                "title": _text(ev, "SUMMARY"),
                "duration": None
                if duration is None
                else _parse_duration(duration.value, f"{where}.DURATION"),
            }
            if occurrence is not None:
                data["series"] = uid
                data["id"] = masters[uid][0].entry_id(occurrence)
        data["at"] = at
        data["occurrence"] = occurrence
        entry: CalendarEntry = CalendarEntry.model_validate(data)
        return entry

    for ev, uid in overrides:
        if uid not in masters:
            raise InvalidInputError.single(
                f"VEVENT[{uid}].RECURRENCE-ID", "overrides a series that is not in the file", uid
            )
        occurrence = _one_dt(ev, "RECURRENCE-ID", f"VEVENT[{uid}]")
        entry = build(ev, uid, occurrence)
        entries[entry.id] = entry
    for ev in singles:
        entry = build(ev, _text(ev, "UID") or "", None)
        entries[entry.id] = entry

    return base.model_copy(update={"entries": (), "series": (), "blackouts": ()})._with(
        entries=tuple(entries.values()),
        series=tuple(series),
        blackouts=tuple(blackouts),
    )
