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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from smmkit.catalog import is_known_platform, require_known_platform
from smmkit.content.calendar._ical import (
    FOLD_HINT,
    LOCAL_FORMAT,
    TZID_HINT,
    UTC_FORMAT,
    Component,
    Prop,
    parse_components,
    unescape_text,
)
from smmkit.content.calendar._ical_zones import ZoneBook
from smmkit.content.calendar._recurrence import (
    expand_rule,
    normalize_local,
    normalize_rule,
    zone,
)
from smmkit.content.calendar._values import Blackout, CalendarEntry, RecurringSeries
from smmkit.exceptions import FieldProblem, InvalidInputError

__all__: list[str] = []

_DATE_FORMAT = "%Y%m%d"
_YEAR = re.compile(r"(?:^|,)\s*(\d{4})\d{4}")
_UNTIL_YEAR = re.compile(r"(?i)UNTIL=(\d{4})")


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


def _date_values(values: list[str], local: tzinfo, where: str) -> list[datetime]:
    found = []
    for raw in values:
        try:
            day = datetime.strptime(raw.strip(), _DATE_FORMAT).date()
        except ValueError:
            raise InvalidInputError.single(where, "not an iCalendar DATE", raw) from None
        found.append(normalize_local(datetime.combine(day, time(), local)))
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
                instant = datetime.strptime(raw, UTC_FORMAT).replace(tzinfo=timezone.utc)
                found.append(instant.astimezone(doc.zones.get(hint, where)) if hint else instant)
            elif wall is not None:
                naive = datetime.strptime(raw, LOCAL_FORMAT)
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
    for key in keys:
        if data.get(key) and tz is not None:
            data[key] = datetime.fromisoformat(data[key]).astimezone(tz)


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


def _document(cal: Component, tz: str | None, platform: str | None) -> _Doc:
    definitions: dict[str, Component] = {}
    for n, comp in enumerate(c for c in cal.children if c.name == "VTIMEZONE"):
        tzid = _text(comp, "TZID")
        if not tzid:
            raise InvalidInputError.single(f"VTIMEZONE[{n}].TZID", "is required", None)
        definitions[tzid] = comp
    zones = ZoneBook(definitions, _zone_years(cal))
    floating: tzinfo | None = None
    if tz is not None:
        floating = zone(tz, "tz")
    elif (declared := _text(cal, "X-WR-TIMEZONE")) is not None:
        floating = zones.get(declared.strip(), "X-WR-TIMEZONE")
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
    masters: dict[str, tuple[RecurringSeries, list[datetime]]] = {}
    overrides: list[tuple[Component, str]] = []
    singles: list[Component] = []
    blackouts: list[Blackout] = []
    for n, ev in enumerate(events):
        uid = _text(ev, "UID")
        where = f"VEVENT[{uid or n}]"
        if not uid:
            raise InvalidInputError.single(f"VEVENT[{n}].UID", "is required", None)
        kind = (_text(ev, "X-SMMKIT-KIND") or "").lower()
        if kind == "blackout":
            data = json.loads(_text(ev, "X-SMMKIT-BLACKOUT") or "{}")
            data["start"] = _start(ev, where, doc)[0]
            end = _one_dt(ev, "DTEND", where, doc)  # the DT lines keep the zone
            data["end"] = None if end is None else end[0]
            blackouts.append(Blackout.model_validate(data))
        elif ev.first("RRULE") is not None:
            start, all_day = _start(ev, where, doc, keep_wall=True)
            raw = _text(ev, "X-SMMKIT-SERIES")
            if raw:
                data = json.loads(raw)
            else:
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
            s = RecurringSeries.model_validate(data)
            if not any(tok.startswith(("UNTIL=", "COUNT=")) for tok in s.rule.split(";")):
                raise InvalidInputError.single(
                    f"{where}.RRULE", "an open-ended rule cannot be expanded; add UNTIL", s.rule
                )
            exdates = [
                d
                for p in ev.all("EXDATE")
                for d in _parse_datetime(p, f"{where}.EXDATE", doc, day_zone=start.tzinfo)[0]
            ]
            series.append(s)
            masters[uid] = (s, exdates)
        elif ev.first("RECURRENCE-ID") is not None:
            overrides.append((ev, uid))
        else:
            singles.append(ev)

    entries: dict[str, CalendarEntry] = {}
    for master_uid, (s, exdates) in masters.items():
        excluded = {d.astimezone(timezone.utc) for d in exdates}
        rule_field = f"VEVENT[{master_uid}].RRULE"
        try:
            rule, first = normalize_rule(s.rule, s.dtstart)
        except InvalidInputError as exc:
            problems = [FieldProblem(rule_field, p.problem, p.value) for p in exc.problems]
            raise InvalidInputError(problems) from None
        # Bounded like every expansion: a 9-line file with INTERVAL=0 is an error, not a hang.
        for occ in expand_rule(rule, first, field=rule_field):
            if occ.astimezone(timezone.utc) not in excluded:
                entry = s.template(occ)
                entries[entry.id] = entry

    def build(ev: Component, uid: str, occurrence: datetime | None) -> CalendarEntry:
        where = f"VEVENT[{uid}]"
        series_zone = masters[uid][0].dtstart.tzinfo if occurrence is not None else None
        at, all_day = _start(ev, where, doc, day_zone=series_zone)
        raw = _text(ev, "X-SMMKIT-ENTRY")
        if raw:
            data = json.loads(raw)
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
        entry: CalendarEntry = CalendarEntry.model_validate(data)
        return entry

    for ev, uid in overrides:
        if uid not in masters:
            raise InvalidInputError.single(
                f"VEVENT[{uid}].RECURRENCE-ID", "overrides a series that is not in the file", uid
            )
        found = _one_dt(
            ev, "RECURRENCE-ID", f"VEVENT[{uid}]", doc, day_zone=masters[uid][0].dtstart.tzinfo
        )
        entry = build(ev, uid, None if found is None else found[0])
        entries[entry.id] = entry
    for ev in singles:
        entry = build(ev, _text(ev, "UID") or "", None)
        entries[entry.id] = entry

    return IcalParts(
        entries=tuple(entries.values()), series=tuple(series), blackouts=tuple(blackouts)
    )
