"""iCalendar (RFC 5545) import into the parts of a content calendar.

Reads what :mod:`._ical_write` writes (and what calendar applications write): series
with their RRULE and EXDATEs, overridden occurrences, single entries and blackouts.
TZIDs are resolved by :mod:`._ical_zones` (IANA names, Windows names, the document's
own VTIMEZONEs). All-day dates (``VALUE=DATE``) and floating times are read in the
zone the caller passes, else in the document's ``X-WR-TIMEZONE``; with neither they
are an input error. The result is plain value types (:class:`IcalParts`); the
calendar class assembles them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple, TypeVar

from smmkit.catalog import is_known_platform, require_known_platform
from smmkit.content.calendar._ical import (
    FOLD_HINT,
    LOCAL_FORMAT,
    TZID_HINT,
    UTC_FORMAT,
    Component,
    Prop,
    on_line,
    parse_components,
    unescape_text,
)
from smmkit.content.calendar._ical_zones import ZoneBook
from smmkit.content.calendar._recurrence import (
    expand_rule,
    in_calendar_range,
    normalize_local,
    normalize_rule,
    zone,
)
from smmkit.content.calendar._rrule_limits import MAX_SPAN
from smmkit.content.calendar._values import Blackout, CalendarEntry, RecurringSeries
from smmkit.exceptions import FieldProblem, InvalidInputError
from smmkit.models._base import SmmkitModel

__all__: list[str] = []

_DATE_FORMAT = "%Y%m%d"
# strptime alone takes "2026061" for 2026-06-01: the digits are counted first.
_DATE_SHAPE = re.compile(r"\d{8}")
_TIME_SHAPE = re.compile(r"\d{8}T\d{6}Z?")
_YEAR = re.compile(r"(?:^|,)\s*(\d{4})\d{4}")
_UNTIL_YEAR = re.compile(r"(?i)UNTIL=(\d{4})")
#: How deep the JSON of an ``X-SMMKIT-*`` property may nest (an entry's is about 5).
MAX_JSON_DEPTH = 32
_M = TypeVar("_M", bound=SmmkitModel)


class IcalParts(NamedTuple):
    """What a document holds: entries, series and blackouts (in document order)."""

    entries: tuple[CalendarEntry, ...]
    series: tuple[RecurringSeries, ...]
    blackouts: tuple[Blackout, ...]


@dataclass(frozen=True)
class _Doc:
    """How to read one document's times and platforms."""

    zones: ZoneBook
    floating: tzinfo | None  # all-day dates and floating times: tz=, else X-WR-TIMEZONE
    platform: str | None  # for events without a platform category


def _shaped(raw: str, shape: re.Pattern[str]) -> str:
    """``raw`` if it has the digits of an iCalendar DATE or DATE-TIME, else ValueError."""
    if not shape.fullmatch(raw):
        raise ValueError(raw)
    return raw


def _date_values(values: list[str], local: tzinfo, where: str) -> list[datetime]:
    found = []
    for raw in values:
        try:
            day = datetime.strptime(_shaped(raw.strip(), _DATE_SHAPE), _DATE_FORMAT).date()
        except ValueError:
            raise InvalidInputError.single(where, "not an iCalendar DATE", raw) from None
        found.append(
            normalize_local(in_calendar_range(datetime.combine(day, time(), local), where))
        )
    return found


def _parse_datetime(
    prop: Prop,
    where: str,
    doc: _Doc,
    *,
    keep_wall: bool = False,
    day_zone: tzinfo | None = None,
) -> tuple[list[datetime], bool]:
    """The values of a DATE-TIME or DATE property, aware, and whether they are dates.

    A TZID wall time is resolved to a real instant (a spring-forward gap time moves
    forward) unless ``keep_wall``: a series' DTSTART keeps the wall time its rule runs on.
    A DATE is the midnight that starts the day in: the property's TZID or smmkit's zone
    hint, else ``day_zone`` (the series' zone, for EXDATE and RECURRENCE-ID), else the
    document's floating zone.
    """
    try:
        return _datetime_values(prop, where, doc, keep_wall=keep_wall, day_zone=day_zone)
    except InvalidInputError as exc:
        raise on_line(exc, prop.line) from None


def _datetime_values(
    prop: Prop, where: str, doc: _Doc, *, keep_wall: bool, day_zone: tzinfo | None
) -> tuple[list[datetime], bool]:
    values = prop.value.split(",")
    tzid = prop.params.get("TZID")
    hint = prop.params.get(TZID_HINT)
    second = prop.params.get(FOLD_HINT) == "1"
    tz: tzinfo | None = doc.zones.get(tzid, where) if tzid else None
    if prop.params.get("VALUE", "DATE-TIME").upper() == "DATE" or (values and "T" not in values[0]):
        local = tz or (doc.zones.get(hint, where) if hint else None) or day_zone or doc.floating
        if local is None:
            raise InvalidInputError.single(
                where,
                "an all-day date needs a time zone: pass tz= to from_ical "
                "(the document has no X-WR-TIMEZONE)",
                prop.value,
            )
        return _date_values(values, local, where), True
    wall = tz or doc.floating
    found = []
    for item in values:
        raw = item.strip()
        try:
            if raw.endswith("Z"):
                instant = datetime.strptime(_shaped(raw, _TIME_SHAPE), UTC_FORMAT)
                instant = instant.replace(tzinfo=timezone.utc)
                in_calendar_range(instant, where)  # converting one near year 1 or 9999 overflows
                found.append(instant.astimezone(doc.zones.get(hint, where)) if hint else instant)
            elif wall is not None:
                naive = datetime.strptime(_shaped(raw, _TIME_SHAPE), LOCAL_FORMAT)
                in_calendar_range(naive, where)
                moment = naive.replace(tzinfo=wall, fold=int(second))
                found.append(moment if keep_wall else normalize_local(moment))
            else:
                raise InvalidInputError.single(
                    where,
                    "a floating time (no TZID, no Z) needs a time zone: pass tz= to from_ical",
                    raw,
                )
        except ValueError as exc:
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError.single(where, "not an iCalendar DATE-TIME", raw) from None
    return found, False


_DURATION = re.compile(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


_DURATION_UNITS = (7 * 86400, 86400, 3600, 60, 1)  # W, D, H, M, S


def _parse_duration(value: str, where: str) -> timedelta:
    match = _DURATION.match(value.strip().upper())
    if not match or value.strip().upper() in ("P", "PT"):
        raise InvalidInputError.single(where, "not an iCalendar DURATION", value)
    sign, *parts = match.groups()
    # Whole seconds in Python ints first: timedelta(weeks=10**11) would overflow.
    if any(len(part) > 12 for part in parts if part):
        raise InvalidInputError.single(where, "is longer than any calendar duration", value[:60])
    seconds = sum(int(part or 0) * unit for part, unit in zip(parts, _DURATION_UNITS, strict=True))
    if seconds > MAX_SPAN.total_seconds():
        raise InvalidInputError.single(
            where, f"is longer than {MAX_SPAN.days} days (100 years)", value[:60]
        )
    delta = timedelta(seconds=seconds)
    return -delta if sign == "-" else delta


def _one_dt(
    comp: Component,
    name: str,
    where: str,
    doc: _Doc,
    *,
    keep_wall: bool = False,
    day_zone: tzinfo | None = None,
) -> tuple[datetime, bool] | None:
    prop = comp.first(name)
    if prop is None:
        return None
    values, is_date = _parse_datetime(
        prop, f"{where}.{name}", doc, keep_wall=keep_wall, day_zone=day_zone
    )
    return values[0], is_date


def _start(
    comp: Component,
    where: str,
    doc: _Doc,
    *,
    keep_wall: bool = False,
    day_zone: tzinfo | None = None,
) -> tuple[datetime, bool]:
    # An override's all-day date is a day of its series' zone (day_zone).
    found = _one_dt(comp, "DTSTART", where, doc, keep_wall=keep_wall, day_zone=day_zone)
    if found is None:
        raise InvalidInputError.single(f"{where}.DTSTART", "is required", None)
    return found


def _duration(
    comp: Component, where: str, doc: _Doc, start: datetime, all_day: bool
) -> timedelta | None:
    """DURATION, else DTEND - DTSTART (whole days for dates), else a day for an all-day
    event (RFC 5545 §3.6.1); None for an instant."""
    prop = comp.first("DURATION")
    if prop is not None:
        return _parse_duration(prop.value, f"{where}.DURATION")
    end = _one_dt(comp, "DTEND", where, doc, day_zone=start.tzinfo)
    if end is not None:
        if all_day and end[1]:
            delta = timedelta(days=(end[0].date() - start.date()).days)
        else:
            delta = end[0].astimezone(timezone.utc) - start.astimezone(timezone.utc)
        return delta if delta > timedelta(0) else None
    return timedelta(days=1) if all_day else None


def _text(comp: Component, name: str) -> str | None:
    prop = comp.first(name)
    return None if prop is None else unescape_text(prop.value)


def _platform(comp: Component, where: str, doc: _Doc) -> str:
    """The first category that is a known platform id, else the document's default."""
    cats = [c.strip().lower() for c in (_text(comp, "CATEGORIES") or "").split(",") if c.strip()]
    known = next((c for c in cats if is_known_platform(c)), None) or doc.platform
    if known is not None:
        return known
    if cats:
        return require_known_platform(cats[0], field=f"{where}.CATEGORIES")
    raise InvalidInputError.single(
        f"{where}.CATEGORIES", "needs a platform id as a category (or pass platform=)", None
    )


def _restore_zone(data: dict[str, Any], keys: Iterable[str], tz: tzinfo | None) -> None:
    """Put the aware ISO times at ``keys`` in zone ``tz`` (anything else is left to the
    model, which names what is wrong with it)."""
    for key in keys:
        value = data.get(key)
        if not isinstance(value, str) or tz is None:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        if moment.utcoffset() is not None and 1000 <= moment.year <= 8999:
            data[key] = moment.astimezone(tz)


def _json_depth_ok(raw: str) -> bool:
    """Whether JSON text ``raw`` nests at most :data:`MAX_JSON_DEPTH` deep (read
    linearly, before the parser recurses into it)."""
    depth = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def _json_prop(comp: Component, name: str, where: str) -> dict[str, Any] | None:
    """The JSON object an ``X-SMMKIT-*`` property holds (None when it is absent or empty);
    invalid JSON, another shape, deep nesting or a huge number is an input error
    naming the property and its line."""
    prop = comp.first(name)
    raw = "" if prop is None else unescape_text(prop.value)
    if prop is None or not raw.strip():
        return None
    field = f"{where}.{name}"
    if not _json_depth_ok(raw):
        raise InvalidInputError.single(
            field, f"line {prop.line}: JSON nested more than {MAX_JSON_DEPTH} deep", raw[:60]
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # also: an integer of over 4300 digits
        detail = (
            f"{exc.msg} at character {exc.pos}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)[:80]
        )
        raise InvalidInputError.single(
            field, f"line {prop.line}: not valid JSON ({detail})", raw[:60]
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError.single(
            field, f"line {prop.line}: must be a JSON object", type(data).__name__
        )
    return data


# Where the fields of a model read from a VEVENT come from, when not from smmkit's JSON.
_ORIGIN = {
    "at": "DTSTART",
    "start": "DTSTART",
    "dtstart": "DTSTART",
    "end": "DTEND",
    "occurrence": "RECURRENCE-ID",
    "id": "UID",
    "piece_id": "UID",
    "platform": "CATEGORIES",
    "rule": "RRULE",
    "title": "SUMMARY",
    "duration": "DURATION",
}
_FROM_LINES = frozenset({"at", "start", "dtstart", "end", "occurrence"})


def _validated(model: type[_M], data: dict[str, Any], where: str, source: str | None) -> _M:
    """``model`` from ``data``; an error names the property the bad value came from:
    ``VEVENT[uid].DTSTART``, or ``VEVENT[uid].X-SMMKIT-ENTRY.duration`` for smmkit's JSON
    (``source``)."""
    try:
        return model.model_validate(data)
    except InvalidInputError as exc:

        def named(problem: FieldProblem) -> FieldProblem:
            key = problem.field.split(".")[0]
            if source is not None and key not in _FROM_LINES:
                return FieldProblem(
                    f"{where}.{source}.{problem.field}", problem.problem, problem.value
                )
            prop = _ORIGIN.get(key)
            name = f"{where}.{prop}" if prop else f"{where}.{problem.field}"
            return FieldProblem(name, problem.problem, problem.value)

        InvalidInputError.__init__(exc, [named(p) for p in exc.problems], model=exc.model)
        raise


def _line_in(comp: Component) -> Callable[[FieldProblem], int]:
    """The line of the property a problem's field (``VEVENT[uid].NAME...``) names, else
    the component's BEGIN line."""

    def line(problem: FieldProblem) -> int:
        name = problem.field.rpartition("].")[2].split(".")[0]
        prop = comp.first(name.upper()) if name else None
        return prop.line if prop is not None else comp.line

    return line


@contextmanager
def _reading(comp: Component) -> Iterator[None]:
    """Errors raised while reading ``comp`` name the line they are about."""
    try:
        yield
    except InvalidInputError as exc:
        raise on_line(exc, _line_in(comp)) from None


def _zone_years(cal: Component) -> dict[str, set[int]]:
    """The years in which the document uses each TZID ("" for dates and floating times)."""
    years: dict[str, set[int]] = {}
    stack = [c for c in cal.children if c.name != "VTIMEZONE"]
    while stack:
        comp = stack.pop()
        stack += comp.children
        for prop in comp.props:
            key = prop.params.get("TZID") or ("" if "Z" not in prop.value else None)
            if key is None or prop.name not in _DATED:
                continue
            found = years.setdefault(key, set())
            found.update(int(y) for y in _YEAR.findall(prop.value))
            if prop.name == "DTSTART":
                for other in comp.all("RRULE"):
                    found.update(int(y) for y in _UNTIL_YEAR.findall(other.value))
    return years


_DATED = frozenset({"DTSTART", "DTEND", "DUE", "EXDATE", "RDATE", "RECURRENCE-ID"})


def _unique(
    key: str, field: str, kind: str, comp: Component, seen: dict[tuple[str, str], int]
) -> None:
    """Note the id of a series or blackout; a second one with that id is an input error."""
    if (kind, key) in seen:
        raise InvalidInputError.single(
            field, f"a second {kind} with this id (the first on line {seen[kind, key]})", key
        )
    seen[kind, key] = comp.line


def _series(
    ev: Component, uid: str, where: str, doc: _Doc
) -> tuple[RecurringSeries, list[datetime]]:
    """The series a VEVENT with an RRULE defines, and its EXDATEs."""
    start, all_day = _start(ev, where, doc, keep_wall=True)
    data = _json_prop(ev, "X-SMMKIT-SERIES", where)
    source = None if data is None else "X-SMMKIT-SERIES"
    if data is None:
        data = {
            "id": uid,
            "piece_id": uid,
            "platform": _platform(ev, where, doc),
            "rule": ev.first("RRULE").value,  # type: ignore[union-attr]
            "title": _text(ev, "SUMMARY"),
            "duration": _duration(ev, where, doc, start, all_day),
            "all_day": all_day,
        }
    data["dtstart"] = start
    s = _validated(RecurringSeries, data, where, source)
    if not any(tok.startswith(("UNTIL=", "COUNT=")) for tok in s.rule.split(";")):
        raise InvalidInputError.single(
            f"{where}.RRULE", "an open-ended rule cannot be expanded; add UNTIL", s.rule
        )
    exdates = [
        d
        for p in ev.all("EXDATE")
        for d in _parse_datetime(p, f"{where}.EXDATE", doc, day_zone=start.tzinfo)[0]
    ]
    return s, exdates


def _document(cal: Component, tz: str | None, platform: str | None) -> _Doc:
    definitions: dict[str, Component] = {}
    for n, comp in enumerate(c for c in cal.children if c.name == "VTIMEZONE"):
        tzid = _text(comp, "TZID")
        if not tzid:
            raise InvalidInputError.single(
                f"VTIMEZONE[{n}].TZID", f"line {comp.line}: is required", None
            )
        definitions[tzid] = comp
    zones = ZoneBook(definitions, _zone_years(cal))
    floating: tzinfo | None = None
    if tz is not None:
        floating = zone(tz, "tz")
    elif (declared := cal.first("X-WR-TIMEZONE")) is not None:
        with _reading(cal):
            floating = zones.get(unescape_text(declared.value).strip(), "X-WR-TIMEZONE")
    if platform is not None:
        require_known_platform(platform)
    return _Doc(zones=zones, floating=floating, platform=platform)


def calendar_from_ical(
    text: str, *, tz: str | None = None, platform: str | None = None
) -> IcalParts:
    r"""Read an iCalendar document into the entries, series and blackouts it holds.

    ``tz`` is the zone of all-day dates and floating times (default: the document's
    ``X-WR-TIMEZONE``); ``platform`` the platform of events without a platform category.

    Example:
        >>> doc = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        >>> calendar_from_ical(doc)
        IcalParts(entries=(), series=(), blackouts=())
    """
    if not isinstance(text, str):
        raise InvalidInputError.single("text", "must be the document as a str", text)
    roots = parse_components(text)
    cal_comp = next((c for c in roots if c.name == "VCALENDAR"), None)
    if cal_comp is None:
        raise InvalidInputError.single("document", "no VCALENDAR component", None)
    doc = _document(cal_comp, tz, platform)
    events = [c for c in cal_comp.children if c.name == "VEVENT"]

    series: list[RecurringSeries] = []
    masters: dict[str, tuple[RecurringSeries, list[datetime], Component]] = {}
    overrides: list[tuple[Component, str]] = []
    singles: list[Component] = []
    blackouts: list[Blackout] = []
    seen: dict[tuple[str, str], int] = {}  # (kind, id) -> line
    for n, ev in enumerate(events):
        uid = _text(ev, "UID")
        where = f"VEVENT[{uid or n}]"
        if not uid:
            raise InvalidInputError.single(f"VEVENT[{n}].UID", f"line {ev.line}: is required", None)
        with _reading(ev):
            kind = (_text(ev, "X-SMMKIT-KIND") or "").lower()
            if kind == "blackout":
                data = _json_prop(ev, "X-SMMKIT-BLACKOUT", where) or {}
                data["start"] = _start(ev, where, doc)[0]
                end = _one_dt(ev, "DTEND", where, doc)  # the DT lines keep the zone
                data["end"] = None if end is None else end[0]
                blackout = _validated(Blackout, data, where, "X-SMMKIT-BLACKOUT")
                _unique(blackout.id, f"{where}.X-SMMKIT-BLACKOUT", "blackout", ev, seen)
                blackouts.append(blackout)
            elif ev.first("RRULE") is not None:
                if uid in masters:
                    raise InvalidInputError.single(
                        f"{where}.UID",
                        f"a second series with this UID (the first on line {masters[uid][2].line})",
                        uid,
                    )
                s, exdates = _series(ev, uid, where, doc)
                _unique(s.id, f"{where}.X-SMMKIT-SERIES", "series", ev, seen)
                series.append(s)
                masters[uid] = (s, exdates, ev)
            elif ev.first("RECURRENCE-ID") is not None:
                overrides.append((ev, uid))
            else:
                singles.append(ev)

    entries: dict[str, CalendarEntry] = {}
    for master_uid, (s, exdates, ev) in masters.items():
        excluded = {d.astimezone(timezone.utc) for d in exdates}
        rule_field = f"VEVENT[{master_uid}].RRULE"
        with _reading(ev):
            try:
                rule, first = normalize_rule(s.rule, s.dtstart)
            except InvalidInputError as exc:
                problems = [FieldProblem(rule_field, p.problem, p.value) for p in exc.problems]
                raise InvalidInputError(problems) from None
            # Bounded like every expansion: a 9-line file with INTERVAL=0 is an error.
            for occ in expand_rule(rule, first, field=rule_field):
                if occ.astimezone(timezone.utc) not in excluded:
                    entry = s.template(occ)
                    entries[entry.id] = entry

    def build(ev: Component, uid: str, occurrence: datetime | None) -> CalendarEntry:
        where = f"VEVENT[{uid}]"
        series_zone = masters[uid][0].dtstart.tzinfo if occurrence is not None else None
        at, all_day = _start(ev, where, doc, day_zone=series_zone)
        data = _json_prop(ev, "X-SMMKIT-ENTRY", where)
        source = None if data is None else "X-SMMKIT-ENTRY"
        if data is not None:
            _restore_zone(data, ("requested_at",), at.tzinfo)
        else:
            data = {
                "id": uid,
                "piece_id": uid,
                "platform": _platform(ev, where, doc),
                "title": _text(ev, "SUMMARY"),
                "duration": _duration(ev, where, doc, at, all_day),
                "all_day": all_day,
            }
            if occurrence is not None:
                data["series"] = uid
                data["id"] = masters[uid][0].entry_id(occurrence)
        data["at"] = at
        data["occurrence"] = occurrence
        entry = _validated(CalendarEntry, data, where, source)
        if entry.series is not None and ("series", entry.series) not in seen:
            raise InvalidInputError.single(
                f"{where}.{source or 'RECURRENCE-ID'}",
                "names a series that is not in the file",
                entry.series,
            )
        return entry

    for ev, uid in overrides:
        with _reading(ev):
            if uid not in masters:
                raise InvalidInputError.single(
                    f"VEVENT[{uid}].RECURRENCE-ID",
                    "overrides a series that is not in the file",
                    uid,
                )
            series_zone = masters[uid][0].dtstart.tzinfo
            found = _one_dt(ev, "RECURRENCE-ID", f"VEVENT[{uid}]", doc, day_zone=series_zone)
            entry = build(ev, uid, None if found is None else found[0])
        entries[entry.id] = entry
    for ev in singles:
        with _reading(ev):
            entry = build(ev, _text(ev, "UID") or "", None)
        entries[entry.id] = entry

    return IcalParts(
        entries=tuple(entries.values()), series=tuple(series), blackouts=tuple(blackouts)
    )
