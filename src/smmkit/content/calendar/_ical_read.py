"""iCalendar (RFC 5545) import into the parts of a content calendar.

Reads what :mod:`._ical_write` writes (and what calendar applications write): series
with their RRULE and EXDATEs, overridden occurrences, single entries and blackouts.
The result is plain value types (:class:`IcalParts`); the calendar class assembles them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

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
from smmkit.content.calendar._recurrence import expand_recurrence, zone
from smmkit.content.calendar._values import Blackout, CalendarEntry, RecurringSeries
from smmkit.exceptions import InvalidInputError

__all__: list[str] = []


class IcalParts(NamedTuple):
    """What a document holds: entries, series and blackouts (in document order)."""

    entries: tuple[CalendarEntry, ...]
    series: tuple[RecurringSeries, ...]
    blackouts: tuple[Blackout, ...]


def _parse_datetime(prop: Prop, where: str, *, keep_wall: bool = False) -> list[datetime]:
    """The values of a DATE-TIME property, aware.

    A TZID wall time is resolved to a real instant (a spring-forward gap time moves
    forward) unless ``keep_wall``: a series' DTSTART keeps the wall time its rule runs on.
    """
    values = prop.value.split(",")
    tzid = prop.params.get("TZID")
    hint = prop.params.get(TZID_HINT)
    second = prop.params.get(FOLD_HINT) == "1"
    if prop.params.get("VALUE", "DATE-TIME").upper() == "DATE" or (values and "T" not in values[0]):
        raise InvalidInputError.single(where, "all-day (DATE) values cannot be posts", prop.value)
    tz: tzinfo | None = zone(tzid.lstrip("/"), where) if tzid else None
    found = []
    for item in values:
        raw = item.strip()
        try:
            if raw.endswith("Z"):
                instant = datetime.strptime(raw, UTC_FORMAT).replace(tzinfo=timezone.utc)
                found.append(instant.astimezone(zone(hint, where)) if hint else instant)
            elif tz is not None:
                naive = datetime.strptime(raw, LOCAL_FORMAT).replace(tzinfo=tz, fold=int(second))
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


def _one_dt(comp: Component, name: str, where: str, *, keep_wall: bool = False) -> datetime | None:
    prop = comp.first(name)
    if prop is None:
        return None
    return _parse_datetime(prop, f"{where}.{name}", keep_wall=keep_wall)[0]


def _text(comp: Component, name: str) -> str | None:
    prop = comp.first(name)
    return None if prop is None else unescape_text(prop.value)


def _platform(comp: Component, where: str) -> str:
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


def calendar_from_ical(text: str) -> IcalParts:
    r"""Read an iCalendar document into the entries, series and blackouts it holds.

    Example:
        >>> doc = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        >>> calendar_from_ical(doc)
        IcalParts(entries=(), series=(), blackouts=())
    """

    roots = parse_components(text)
    cal_comp = next((c for c in roots if c.name == "VCALENDAR"), None)
    if cal_comp is None:
        raise InvalidInputError.single("document", "no VCALENDAR component", None)
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

    def build(ev: Component, uid: str, occurrence: datetime | None) -> CalendarEntry:
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

    return IcalParts(
        entries=tuple(entries.values()), series=tuple(series), blackouts=tuple(blackouts)
    )
