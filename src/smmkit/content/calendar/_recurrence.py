"""RFC 5545 recurrence, expanded in the local zone so wall-clock times survive DST."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule
from pydantic import AfterValidator

from smmkit.content.calendar._rrule_limits import MAX_OCCURRENCES, MAX_SPAN, compile_rule
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime
from smmkit.models._base import require_aware as _require_aware

__all__ = ["expand_recurrence", "normalize_rule"]

_UNTIL = re.compile(r"(?i)(^|;)UNTIL=([0-9TZ]+)")


def zone(name: str, field: str = "tz") -> ZoneInfo:
    """The IANA zone ``name``; an unknown name is an input error naming ``field``.

    Any name that is not a zone key is that error, whatever ``ZoneInfo`` makes of it
    (a path too long for the file system, NUL, an unencodable character, not a str).
    """
    if not is_zone_key(name):
        raise InvalidInputError.single(field, "unknown IANA time zone", name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise InvalidInputError.single(field, "unknown IANA time zone", name) from None


# An IANA key: names of letters, digits, '_', '-' and '+' joined by '/'. Checked before
# ZoneInfo, which would turn any other text into a file path or a package to import.
_ZONE_KEY = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")


def is_zone_key(name: object) -> bool:
    """Whether ``name`` has the shape of an IANA zone key (it may still be unknown)."""
    return isinstance(name, str) and len(name) <= 255 and _ZONE_KEY.fullmatch(name) is not None


#: The years a calendar's moments may lie in. Nearer datetime's own limits (years 1 and
#: 9999) its arithmetic (a zone conversion, a recurrence, a placement) would overflow.
FIRST_CALENDAR_YEAR, LAST_CALENDAR_YEAR = 1000, 8999


def require_aware(value: datetime, field: str) -> datetime:
    """``value`` if it is an aware datetime within the calendar's years, else an input
    error naming ``field``."""
    if not isinstance(value, datetime):
        raise InvalidInputError.single(field, "must be a datetime", value)
    return in_calendar_range(_require_aware(value, field, "must be timezone-aware"), field)


def in_calendar_range(value: datetime, field: str) -> datetime:
    """``value`` if its year is in FIRST_CALENDAR_YEAR..LAST_CALENDAR_YEAR."""
    if not FIRST_CALENDAR_YEAR <= value.year <= LAST_CALENDAR_YEAR:
        raise InvalidInputError.single(
            field,
            f"must lie in the years {FIRST_CALENDAR_YEAR}..{LAST_CALENDAR_YEAR}: nearer "
            "datetime's limits the calendar's arithmetic overflows",
            value,
        )
    return value


def _calendar_moment(value: datetime) -> datetime:
    if not FIRST_CALENDAR_YEAR <= value.year <= LAST_CALENDAR_YEAR:
        raise ValueError(
            f"must lie in the years {FIRST_CALENDAR_YEAR}..{LAST_CALENDAR_YEAR}: nearer "
            "datetime's limits the calendar's arithmetic overflows"
        )
    return value


CalendarMoment = Annotated[AwareDatetime, AfterValidator(_calendar_moment)]
"""An aware datetime within the calendar's years (a model field type)."""


def normalize_local(value: datetime) -> datetime:
    """Resolve a wall-clock time that does not exist (spring-forward gap) to a real one.

    02:30 on the day New York skips from 02:00 to 03:00 becomes 03:30 EDT: the instant
    the naive reading with the pre-transition offset denotes.
    """
    tz = value.tzinfo
    if tz is None:  # pragma: no cover - callers pass aware values
        return value
    return value.astimezone(timezone.utc).astimezone(tz)


def _rule_text(rule: str) -> str:
    text = rule.strip()
    if "\n" in text or "DTSTART" in text.upper():
        raise InvalidInputError.single(
            "rule", "must be one RRULE value; pass dtstart separately", rule
        )
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text.upper().startswith("FREQ=") and ";FREQ=" not in text.upper():
        raise InvalidInputError.single("rule", "an RRULE needs FREQ=...", rule)
    return text.upper()


def _until_to_utc(text: str, local: tzinfo) -> str:
    # RFC 5545: with a TZID start, UNTIL must be UTC. Accept a floating or date UNTIL
    # (what people write by hand) by reading it in the start's zone.
    match = _UNTIL.search(text)
    if not match:
        return text
    raw = match.group(2)
    if raw.endswith("Z"):
        return text
    try:
        if "T" in raw:
            moment = datetime.strptime(raw, "%Y%m%dT%H%M%S").replace(tzinfo=local)
        else:
            day = datetime.strptime(raw, "%Y%m%d").date()
            moment = datetime.combine(day, time(23, 59, 59), local)
    except ValueError:
        raise InvalidInputError.single(
            "rule", "UNTIL is not a valid date or date-time", raw
        ) from None
    try:
        utc = moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    except OverflowError:  # within hours of datetime's limits: the limit is the same bound
        utc = "99991231T235959Z" if moment.year > 1 else "00010101T000000Z"
    return text[: match.start(2)] + utc + text[match.end(2) :]


def normalize_rule(rule: str | rrule, dtstart: datetime | None = None) -> tuple[str, datetime]:
    """Turn an RRULE string or a dateutil ``rrule`` into ``(RRULE value, aware dtstart)``.

    The returned value is canonical: upper case, no ``RRULE:`` prefix, UNTIL in UTC.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> normalize_rule("rrule:freq=daily;until=20260110",
        ...                datetime(2026, 1, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))[0]
        'FREQ=DAILY;UNTIL=20260110T155959Z'
    """
    if isinstance(rule, rrule):
        # dateutil has no public accessor for a rule's own start and end.
        own_start: datetime | None = getattr(rule, "_dtstart", None)
        own_until: datetime | None = getattr(rule, "_until", None)
        start = dtstart if dtstart is not None else own_start
        if start is None:  # pragma: no cover - dateutil always sets _dtstart
            raise InvalidInputError.single("dtstart", "is required", None)
        require_aware(start, "dtstart")
        line = next((ln for ln in str(rule).splitlines() if ln.upper().startswith("RRULE:")), "")
        text = line[6:].upper()
        if own_until is not None:
            until = own_until if own_until.tzinfo else own_until.replace(tzinfo=start.tzinfo)
            stamp = until.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            text = _UNTIL.sub(lambda m: f"{m.group(1)}UNTIL={stamp}", text)
        return text, start
    if not isinstance(rule, str):
        raise InvalidInputError.single("rule", "must be an RRULE string or a dateutil rrule", rule)
    if dtstart is None:
        raise InvalidInputError.single("dtstart", "is required with an RRULE string", None)
    require_aware(dtstart, "dtstart")
    text = _rule_text(rule)
    return _until_to_utc(text, dtstart.tzinfo or timezone.utc), dtstart


def expand_recurrence(
    rule: str | rrule,
    *,
    dtstart: datetime | None = None,
    tz: str | None = None,
    end: datetime | None = None,
    max_occurrences: int = MAX_OCCURRENCES,
    max_span: timedelta = MAX_SPAN,
) -> tuple[datetime, ...]:
    """Expand a recurrence into aware datetimes in the start's zone (or ``tz``).

    The rule runs on the local wall clock: a weekly 09:00 America/New_York rule stays
    09:00 local across both DST changes, so the UTC instants shift by an hour. A wall
    time that does not exist on a spring-forward day is moved forward by the gap.
    An occurrence that lands on the same instant as an earlier one that way (``BYHOUR=2,3``
    on that day) is dropped, so a COUNT rule can then yield fewer occurrences. At
    dtstart's own wall time the occurrence keeps dtstart's ``fold`` (which of two
    fall-back 01:30s is meant). ``end`` (exclusive) bounds an open-ended rule.

    Every expansion is bounded: more than ``max_occurrences`` occurrences (10,000), or
    one more than ``max_span`` after dtstart (100 years), is an ``InvalidInputError``,
    never a silent cut. ``INTERVAL`` must be positive, ``FREQ`` daily or slower, and a
    rule whose ``BY*`` parts can never match yields ``()`` at once.

    Example:
        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> start = datetime(2026, 3, 1, 9, tzinfo=ny)
        >>> slots = expand_recurrence("FREQ=WEEKLY;COUNT=3", dtstart=start)
        >>> [(s.hour, s.utcoffset().total_seconds() / 3600) for s in slots]
        [(9, -5.0), (9, -4.0), (9, -4.0)]
        >>> from smmkit.exceptions import InvalidInputError
        >>> try:
        ...     expand_recurrence("FREQ=DAILY;INTERVAL=0", dtstart=start)
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0].problem)
        INTERVAL must be a positive integer (INTERVAL=0 would never advance)
    """
    if isinstance(max_occurrences, bool) or not isinstance(max_occurrences, int):
        raise InvalidInputError.single("max_occurrences", "must be an int", max_occurrences)
    if max_occurrences < 1:
        raise InvalidInputError.single("max_occurrences", "must be at least 1", max_occurrences)
    if not isinstance(max_span, timedelta) or max_span <= timedelta(0):
        raise InvalidInputError.single("max_span", "must be a positive timedelta", max_span)
    text, start = normalize_rule(rule, dtstart)
    if tz is not None:
        start = start.astimezone(zone(tz))
    if end is not None:
        require_aware(end, "end")
    return expand_rule(text, start, end=end, max_occurrences=max_occurrences, max_span=max_span)


def expand_rule(
    text: str,
    start: datetime,
    *,
    end: datetime | None = None,
    field: str = "rule",
    max_occurrences: int = MAX_OCCURRENCES,
    max_span: timedelta = MAX_SPAN,
) -> tuple[datetime, ...]:
    """:func:`expand_recurrence` of a canonical RRULE value from aware ``start``; errors
    name ``field`` (``VEVENT[uid].RRULE`` for a file)."""
    compiled = compile_rule(text, start, field, max_occurrences=max_occurrences)
    if compiled is None:
        return ()
    found: list[datetime] = []
    seen: set[datetime] = set()
    wall_start = start.replace(tzinfo=None)
    first = start.astimezone(timezone.utc)
    stop = None if end is None else end.astimezone(timezone.utc)
    candidates = 0
    try:
        for whole in compiled:
            # dateutil works in whole seconds: each occurrence keeps dtstart's fraction,
            # so none falls before dtstart.
            raw = whole.replace(microsecond=start.microsecond)
            # dateutil rebuilds each occurrence from fields and drops ``fold``: the
            # occurrence at dtstart's own wall time keeps dtstart's fold (the second 01:30
            # of a fall-back night stays the second).
            same_wall = raw.replace(tzinfo=None) == wall_start
            moment = normalize_local(raw.replace(fold=start.fold) if same_wall else raw)
            instant = moment.astimezone(timezone.utc)
            if stop is not None and instant >= stop:
                break
            if instant - first > max_span:
                raise InvalidInputError.single(
                    field,
                    f"has an occurrence more than {max_span.days} days after dtstart "
                    f"({moment.isoformat()}); bound it with COUNT, UNTIL or end, or raise "
                    "max_span",
                    text,
                )
            if instant not in seen:
                # A spring-forward gap maps a skipped wall time onto one that exists
                # (02:00 -> 03:00); one post per instant, so the duplicate is dropped.
                seen.add(instant)
                found.append(moment)
            candidates += 1  # duplicates count too, so even they cannot run forever
            if len(found) > max_occurrences or candidates > 2 * max_occurrences:
                raise InvalidInputError.single(
                    field,
                    f"expands to more than {max_occurrences} occurrences; bound it with "
                    "COUNT, UNTIL or end, or raise max_occurrences",
                    text,
                )
    except (OverflowError, ValueError, IndexError, KeyError, TypeError) as exc:
        if isinstance(exc, InvalidInputError):
            raise
        raise InvalidInputError.single(field, f"cannot be expanded: {exc!r}", text) from None
    return tuple(found)


def local_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants at which local ``day`` starts and the next day starts."""
    first = normalize_local(datetime.combine(day, time(), tz))
    nxt = normalize_local(datetime.combine(day + timedelta(days=1), time(), tz))
    return first, nxt
