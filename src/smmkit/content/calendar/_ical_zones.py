"""The time zones an iCalendar document names: IANA, Windows (Outlook) and its own.

A TZID is resolved, never guessed:

1. an IANA name (``Asia/Shanghai``, also ``/Asia/Shanghai``) is that IANA zone: a
   VTIMEZONE under an IANA name is a copy of the database (smmkit's own exports copy
   only the years the plan covers), and the database is the complete one;
2. any other TZID the document defines in a ``VTIMEZONE`` is what that definition
   says. A Windows zone name (``China Standard Time``: Outlook, Exchange) becomes the
   IANA zone CLDR's windowsZones table maps it to (:mod:`._windows_zones`) when that zone
   gives the same UTC offsets as the definition in the years the document uses it;
   otherwise, and for names no table knows (Outlook's ``Customized Time Zone``), the
   definition itself is the zone (:class:`VTimezone`);
3. a Windows zone name with no definition is its CLDR zone;
4. a TZID that is none of these is an input error naming it.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smmkit.content.calendar._ical import LOCAL_FORMAT, Component, Prop, escape_text, on_line
from smmkit.content.calendar._recurrence import is_zone_key
from smmkit.content.calendar._rrule_limits import compile_rule
from smmkit.content.calendar._windows_zones import WINDOWS_ZONES
from smmkit.exceptions import InvalidInputError

__all__ = ["VTimezone", "ZoneBook", "iana_or_windows", "iana_zone", "windows_zone"]

_EPOCH = datetime(1970, 1, 1)
_LAST_YEAR = 2200  # onsets of a VTIMEZONE rule are generated up to here
_MAX_ONSETS = 5_000  # per STANDARD/DAYLIGHT rule: yearly from 1601 (Outlook) is ~600
_OFFSET = re.compile(r"^([+-])(\d\d)(\d\d)(\d\d)?$")
_LOCAL = re.compile(r"\d{8}T\d{6}")
_UNTIL_UTC = re.compile(r"(?i)(UNTIL=)(\d{8}T\d{6})Z")
_WINDOWS_FOLDED = {name.casefold(): key for name, key in WINDOWS_ZONES.items()}

# (UTC seconds of the onset, offset after it in seconds, DST part in seconds, name)
Transition = tuple[int, int, int, str]


def _seconds(naive: datetime) -> int:
    return (naive - _EPOCH) // timedelta(seconds=1)


class VTimezone(tzinfo):
    """A zone as a document's ``VTIMEZONE`` defines it (not the IANA database).

    ``lines`` are the definition's content lines, so an export writes it back as it was.
    Wall times follow PEP 495: in a fall-back overlap ``fold=1`` is the second one, in a
    spring-forward gap ``fold=0`` reads the time with the offset before the change.

    Example:
        >>> from datetime import datetime, timezone
        >>> tz = VTimezone("Customized Time Zone", 28800, [], ("TZID:Customized Time Zone",))
        >>> datetime(2026, 6, 1, 8, tzinfo=tz).astimezone(timezone.utc).hour
        0
    """

    def __init__(
        self,
        tzid: str,
        first_offset: int,
        transitions: Sequence[Transition],
        lines: tuple[str, ...],
    ) -> None:
        self.tzid = tzid
        self.lines = lines
        self._args = (tzid, first_offset, tuple(transitions), lines)
        self._utc = [t[0] for t in transitions]
        self._offsets = [first_offset, *(t[1] for t in transitions)]
        self._dst = [0, *(t[2] for t in transitions)]
        self._names = [tzid, *(t[3] for t in transitions)]
        # Wall-clock instants of each change, for fold 0 and fold 1 (as CPython's zoneinfo).
        self._wall: tuple[list[int], list[int]] = ([], [])
        for i, at in enumerate(self._utc):
            before, after = self._offsets[i], self._offsets[i + 1]
            self._wall[0].append(at + max(before, after))
            self._wall[1].append(at + min(before, after))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), self._args)

    def __repr__(self) -> str:
        return f"VTimezone({self.tzid!r})"

    def __str__(self) -> str:
        return self.tzid

    def _index(self, dt: datetime) -> int:
        return bisect.bisect_right(self._wall[dt.fold], _seconds(dt.replace(tzinfo=None)))

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        return timedelta(seconds=self._offsets[self._index(dt)])

    def dst(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        return timedelta(seconds=self._dst[self._index(dt)])

    def tzname(self, dt: datetime | None) -> str | None:
        return self.tzid if dt is None else self._names[self._index(dt)]

    def fromutc(self, dt: datetime) -> datetime:
        if dt.tzinfo is not self:
            raise ValueError("fromutc: dt.tzinfo is not self")
        at = _seconds(dt.replace(tzinfo=None))
        i = bisect.bisect_right(self._utc, at)
        offset = self._offsets[i]
        fold = 0
        if i > 0:
            before = self._offsets[i - 1]
            # Within a fall-back overlap, after the change: the second of two wall times.
            fold = int(before > offset and at - self._utc[i - 1] < before - offset)
        return (dt + timedelta(seconds=offset)).replace(fold=fold)


def iana_zone(tzid: str) -> ZoneInfo | None:
    """The IANA zone ``tzid`` names (``/`` prefixed too), else None.

    Example:
        >>> iana_zone("/Asia/Shanghai").key, iana_zone("China Standard Time") is None
        ('Asia/Shanghai', True)
    """
    for name in (tzid, tzid.lstrip("/")):
        if not is_zone_key(name):
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
            continue
    return None


def windows_zone(tzid: str) -> ZoneInfo | None:
    """The IANA zone CLDR maps Windows zone name ``tzid`` to, else None.

    Example:
        >>> windows_zone("China Standard Time").key, windows_zone("Nowhere") is None
        ('Asia/Shanghai', True)
    """
    key = WINDOWS_ZONES.get(tzid) or _WINDOWS_FOLDED.get(tzid.strip().casefold())
    return ZoneInfo(key) if key else None


def iana_or_windows(tzid: str) -> ZoneInfo | None:
    """The IANA zone a TZID names directly or as a Windows zone name, else None.

    Example:
        >>> iana_or_windows("Eastern Standard Time").key
        'America/New_York'
    """
    return iana_zone(tzid) or windows_zone(tzid)


def _offset(comp: Component, name: str, where: str) -> int:
    prop = comp.first(name)
    match = _OFFSET.match(prop.value.strip()) if prop is not None else None
    line = comp.line if prop is None else prop.line
    if prop is None or match is None:
        raise InvalidInputError.single(
            f"{where}.{name}", f"line {line}: needs a UTC offset such as +0800", prop and prop.value
        )
    sign, hours, minutes, seconds = match.groups()
    if int(minutes) > 59 or int(seconds or 0) > 59 or int(hours) > 23:
        raise InvalidInputError.single(
            f"{where}.{name}", f"line {line}: a UTC offset lies within -2359..+2359", prop.value
        )
    total = int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    return -total if sign == "-" else total


def _local(value: str, where: str, line: int) -> datetime:
    try:
        if not _LOCAL.fullmatch(value.strip()):
            raise ValueError(value)
        return datetime.strptime(value.strip(), LOCAL_FORMAT)
    except ValueError:
        raise InvalidInputError.single(
            where, f"line {line}: needs a local DATE-TIME", value[:60]
        ) from None


def _until_on_wall(match: re.Match[str], offset: int, where: str, line: int) -> str:
    """A UTC UNTIL read on the wall clock of a rule whose offset is ``offset``."""
    utc = _local(match.group(2), where, line)
    try:
        m = utc + timedelta(seconds=offset)
    except OverflowError:  # within a day of datetime's limits: the limit bounds it the same
        m = datetime.max if offset > 0 else datetime.min
    # Four-digit years always (strftime writes the year 1 as "1").
    return (
        f"{match.group(1)}{m.year:04}{m.month:02}{m.day:02}T{m.hour:02}{m.minute:02}{m.second:02}"
    )


def _onsets(comp: Component, start: datetime, offset_from: int, where: str) -> list[datetime]:
    found = [start]
    field = f"{where}.RRULE"
    for prop in comp.all("RRULE"):
        # RFC 5545: a UTC UNTIL is read on the wall clock of the rule (TZOFFSETFROM).
        wall = functools.partial(_until_on_wall, offset=offset_from, where=field, line=prop.line)
        text = _UNTIL_UTC.sub(wall, prop.value)
        # Checked and probed first: INTERVAL=0 or BY* parts that never match would keep
        # dateutil searching forever or up to the year 9999.
        try:
            rule = compile_rule(text, start, field)
            for n, onset in enumerate(rule or ()):
                if onset.year > _LAST_YEAR:
                    break
                if n >= _MAX_ONSETS:
                    raise InvalidInputError.single(field, "has too many onsets", text)
                found.append(onset)
        except InvalidInputError as exc:
            raise on_line(exc, prop.line) from None
        except (OverflowError, ValueError) as exc:  # dateutil leaving datetime's years
            raise InvalidInputError.single(
                field, f"line {prop.line}: cannot be expanded ({exc})", text
            ) from None
    for prop in comp.all("RDATE"):
        if prop.params.get("VALUE", "DATE-TIME").upper() != "DATE-TIME":
            raise InvalidInputError.single(
                f"{where}.RDATE", f"line {prop.line}: must be DATE-TIME", prop.value[:60]
            )
        found += [_local(v, f"{where}.RDATE", prop.line) for v in prop.value.split(",")]
    return found


def _prop_line(prop: Prop) -> str:
    params = "".join(
        f";{k}=" + (f'"{v}"' if any(c in v for c in ";:,") else v) for k, v in prop.params.items()
    )
    return f"{prop.name}{params}:{prop.value}"


def _lines(comp: Component) -> tuple[str, ...]:
    out = [f"BEGIN:{comp.name}", *(_prop_line(p) for p in comp.props)]
    for child in comp.children:
        out += _lines(child)
    return (*out, f"END:{comp.name}")


def vtimezone(comp: Component, tzid: str) -> VTimezone:
    """The zone a ``VTIMEZONE`` component defines (errors name its parts).

    Example:
        >>> from smmkit.content.calendar._ical import parse_components
        >>> (comp,) = parse_components(
        ...     "BEGIN:VTIMEZONE\\nTZID:CST\\nBEGIN:STANDARD\\nDTSTART:16010101T000000\\n"
        ...     "TZOFFSETFROM:+0800\\nTZOFFSETTO:+0800\\nEND:STANDARD\\nEND:VTIMEZONE\\n")
        >>> vtimezone(comp, "CST").utcoffset(datetime(2026, 1, 1))
        datetime.timedelta(seconds=28800)
    """
    where = f"VTIMEZONE[{tzid}]"
    changes: dict[int, Transition] = {}
    firsts: list[tuple[int, int]] = []
    for sub in comp.children:
        if sub.name not in ("STANDARD", "DAYLIGHT"):
            continue
        w = f"{where}.{sub.name}"
        start_prop = sub.first("DTSTART")
        if start_prop is None:
            raise InvalidInputError.single(f"{w}.DTSTART", f"line {sub.line}: is required", None)
        start = _local(start_prop.value, f"{w}.DTSTART", start_prop.line)
        offset_from, offset_to = _offset(sub, "TZOFFSETFROM", w), _offset(sub, "TZOFFSETTO", w)
        name_prop = sub.first("TZNAME")
        name = name_prop.value if name_prop is not None else tzid
        dst = offset_to - offset_from if sub.name == "DAYLIGHT" else 0
        for onset in _onsets(sub, start, offset_from, w):
            at = _seconds(onset) - offset_from
            changes[at] = (at, offset_to, dst, name)
            firsts.append((at, offset_from))
    if not changes:
        raise InvalidInputError.single(
            where, f"line {comp.line}: needs a STANDARD or DAYLIGHT component", tzid
        )
    first_offset = min(firsts)[1]
    return VTimezone(tzid, first_offset, [changes[k] for k in sorted(changes)], _lines(comp))


def _agrees(candidate: tzinfo, defined: VTimezone, years: Iterable[int]) -> bool:
    """Whether two zones give the same offsets in ``years`` and the years between them
    (at noon UTC of every day, and around every change of the definition)."""
    used = sorted(y for y in set(years) if 1 < y < 9999)
    if not used:
        return True
    span = range(used[0], used[-1] + 1) if used[-1] - used[0] <= 30 else used
    probes: list[datetime] = []
    for year in span:
        first = datetime(year, 1, 1, 12, tzinfo=timezone.utc)
        probes += [first + timedelta(days=d) for d in range(365)]
    lo, hi = _seconds(datetime(used[0], 1, 1)), _seconds(datetime(used[-1] + 1, 1, 1))
    for at in defined._utc:
        if lo <= at < hi:
            moment = (_EPOCH + timedelta(seconds=at)).replace(tzinfo=timezone.utc)
            probes += [moment - timedelta(seconds=1), moment]
    return all(
        p.astimezone(candidate).utcoffset() == p.astimezone(defined).utcoffset() for p in probes
    )


class ZoneBook:
    """The zones of one document: resolves each TZID once (see the module docstring).

    ``definitions`` are the document's VTIMEZONEs by TZID; ``years`` the years in which
    the document uses each TZID (where a definition must agree with an IANA zone).

    Example:
        >>> ZoneBook({}, {}).get("Eastern Standard Time", "VEVENT[a].DTSTART").key
        'America/New_York'
    """

    def __init__(self, definitions: Mapping[str, Component], years: Mapping[str, set[int]]):
        self._definitions = dict(definitions)
        self._years = years
        self._found: dict[str, tzinfo] = {}

    def get(self, tzid: str, where: str) -> tzinfo:
        """The zone ``tzid`` names; an unknown TZID is an input error naming ``where``."""
        if tzid in self._found:
            return self._found[tzid]
        definition = self._definitions.get(tzid)
        found: tzinfo | None = iana_zone(tzid)
        if found is None and definition is not None:
            defined = vtimezone(definition, tzid)
            candidate = windows_zone(tzid)
            years = self._years.get(tzid, set())
            found = candidate if candidate and _agrees(candidate, defined, years) else defined
        found = found or windows_zone(tzid)
        if found is None:
            raise InvalidInputError.single(
                where,
                "unknown time zone: the TZID is not an IANA name, not a Windows zone name, "
                "and no VTIMEZONE in the document defines it",
                tzid,
            )
        self._found[tzid] = found
        return found


def zone_key(tz: tzinfo | None) -> str | None:
    """The TZID under which an export writes a document-defined zone, else None.

    Example:
        >>> zone_key(None) is None
        True
    """
    return tz.tzid if isinstance(tz, VTimezone) else None


def definition_lines(tz: VTimezone) -> list[str]:
    """The zone's VTIMEZONE, as read (TZID first), for an export.

    Example:
        >>> definition_lines(VTimezone("X", 0, [], ("BEGIN:VTIMEZONE", "TZID:X")))
        ['BEGIN:VTIMEZONE', 'TZID:X']
    """
    lines = list(tz.lines)
    if not any(line.upper().startswith("TZID") for line in lines):
        lines.insert(1, f"TZID:{escape_text(tz.tzid)}")
    return lines
