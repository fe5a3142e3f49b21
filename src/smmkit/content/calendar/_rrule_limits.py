"""Limits that keep every recurrence expansion finite and fast.

dateutil expands an RRULE period by period and only looks at ``UNTIL`` or ``COUNT`` when
a period yields a candidate. A rule whose periods never advance (``INTERVAL=0``) then
loops forever, and a rule whose ``BY*`` parts never match (``BYMONTH=2;BYMONTHDAY=30``)
is searched period by period up to the year 9999: seconds for a daily rule. Before a
rule is expanded it is checked here:

* its parts are RFC 5545 parts, each given once (dateutil would keep the last of two);
* ``FREQ`` is ``YEARLY``, ``MONTHLY``, ``WEEKLY`` or ``DAILY`` -- a posting calendar
  plans days, and several slots a day are ``FREQ=DAILY;BYHOUR=9,18``;
* ``INTERVAL`` and ``COUNT`` are positive, ``COUNT`` at most the expansion's
  ``max_occurrences``, at most :data:`MAX_SETPOS` ``BYSETPOS`` values, and the whole
  rule at most :data:`MAX_RULE_LENGTH` characters;
* and whether it can yield anything at all is decided by a bounded probe
  (:func:`can_occur`), so an impossible rule is recognised in a fraction of a second.

The expansion itself (``expand_recurrence``) then stops with a typed error at
``max_occurrences`` occurrences or at an occurrence more than ``max_span`` after the
start: it never truncates a rule silently.
"""

from __future__ import annotations

from datetime import MAXYEAR, datetime, timedelta

from dateutil.rrule import rrule, rrulestr

from smmkit.exceptions import InvalidInputError

__all__ = [
    "MAX_OCCURRENCES",
    "MAX_RULE_LENGTH",
    "MAX_SETPOS",
    "MAX_SPAN",
    "can_occur",
    "check_rule",
    "compile_rule",
]

#: The most occurrences an expansion returns before it stops with an error.
MAX_OCCURRENCES = 10_000
#: The longest time from the start to an occurrence (100 years of 365.25 days).
MAX_SPAN = timedelta(days=36_525)
#: The longest RRULE value, in characters (real ones are well under 200).
MAX_RULE_LENGTH = 1_000
#: The most ``BYSETPOS`` values (each costs a pass over every period searched).
MAX_SETPOS = 4

_PARTS = frozenset(
    {
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
    }
)
_FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_PERIOD_DAYS = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7, "DAILY": 1}
#: The Gregorian calendar, weekdays included, repeats every 400 years (146,097 days, a
#: whole number of weeks), so a rule with ``INTERVAL=k`` repeats every ``400 * k`` years.
_CYCLE_YEARS = 400


def _positive(parts: dict[str, str], name: str, field: str, text: str) -> int | None:
    raw = parts.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)  # what dateutil reads, so the two agree
    except ValueError:
        raise InvalidInputError.single(field, f"{name} must be an integer", text) from None
    if value < 1:
        raise InvalidInputError.single(
            field,
            f"{name} must be a positive integer ({name}={raw} would never advance)"
            if name == "INTERVAL"
            else f"{name} must be a positive integer",
            text,
        )
    return value


def check_rule(
    text: str, field: str = "rule", *, max_occurrences: int = MAX_OCCURRENCES
) -> dict[str, str]:
    """The parts of RRULE value ``text`` if every expansion of it is bounded, else an
    ``InvalidInputError`` naming ``field`` and the part.

    Example:
        >>> check_rule("FREQ=WEEKLY;INTERVAL=2;COUNT=3")
        {'FREQ': 'WEEKLY', 'INTERVAL': '2', 'COUNT': '3'}
        >>> try:
        ...     check_rule("FREQ=DAILY;INTERVAL=0")
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0].problem)
        INTERVAL must be a positive integer (INTERVAL=0 would never advance)
    """
    if len(text) > MAX_RULE_LENGTH:
        raise InvalidInputError.single(
            field, f"is longer than {MAX_RULE_LENGTH} characters", text[:60] + "..."
        )
    parts: dict[str, str] = {}
    for pair in text.upper().split(";"):
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or "=" in value:
            raise InvalidInputError.single(field, f"{pair!r} is not a NAME=VALUE part", text)
        if name not in _PARTS:
            raise InvalidInputError.single(field, f"{name} is not an RFC 5545 rule part", text)
        if name in parts:
            raise InvalidInputError.single(field, f"{name} is given twice", text)
        parts[name] = value
    freq = parts.get("FREQ", "").strip()
    if freq in _SUB_DAILY:
        raise InvalidInputError.single(
            field,
            f"FREQ={freq} is not supported: a posting calendar plans days; give several "
            "slots a day as FREQ=DAILY;BYHOUR=9,18 (BYMINUTE=0,30)",
            text,
        )
    if freq not in _FREQUENCIES:
        raise InvalidInputError.single(
            field, "FREQ must be one of " + ", ".join(_FREQUENCIES), text
        )
    _positive(parts, "INTERVAL", field, text)
    count = _positive(parts, "COUNT", field, text)
    if count is not None and count > max_occurrences:
        raise InvalidInputError.single(
            field, f"COUNT={count} is more than max_occurrences ({max_occurrences})", text
        )
    if "BYSETPOS" in parts:
        _check_setpos(parts, freq, field, text)
    if freq in ("MONTHLY", "YEARLY") and "BYDAY" in parts:
        # dateutil fails with an IndexError on an ordinal a month cannot hold (53MO).
        most = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
        if any(abs(n) > most for n in _ordinals(parts["BYDAY"])):
            raise InvalidInputError.single(
                field, f"a BYDAY ordinal must lie within -{most}..{most} here", text
            )
    return parts


def _check_setpos(parts: dict[str, str], freq: str, field: str, text: str) -> None:
    values = parts["BYSETPOS"].split(",")
    if len(values) > MAX_SETPOS:
        raise InvalidInputError.single(field, f"BYSETPOS has more than {MAX_SETPOS} values", text)
    # A position past the candidates one period can hold never selects anything, and
    # dateutil would search every period up to the year 9999 for it.
    size = _PERIOD_DAYS[freq]
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if name in parts:
            size *= len(set(parts[name].split(",")))
    for raw in values:
        try:
            position = int(raw)
        except ValueError:
            continue  # dateutil's own error
        if abs(position) > size:
            raise InvalidInputError.single(
                field,
                f"BYSETPOS={position} never selects: a {freq} period holds at most {size} "
                "candidates",
                text,
            )


def _ordinals(byday: str) -> list[int]:
    # Read as dateutil reads them: "+1MO", "-2TU", "MO(+1)"; what is no number is left
    # to dateutil's own error.
    found: list[int] = []
    for item in (part.strip() for part in byday.split(",")):
        if "(" in item:
            raw = item.partition("(")[2].rstrip(")")
        else:
            raw = item.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        try:
            found.append(int(raw))
        except ValueError:
            continue
    return found


def can_occur(parts: dict[str, str], dtstart: datetime) -> bool:
    """Whether the rule (checked ``parts``, its COUNT and UNTIL aside) yields any
    occurrence at all from ``dtstart``; the search costs at most two of its cycles.

    The rule repeats every ``400 * INTERVAL`` years, so if it yields nothing within one
    cycle it yields nothing ever. dateutil searches up to the year 9999: the probe runs
    on ``dtstart`` moved by whole cycles as near that year as leaves one cycle to search.

    Example:
        >>> from datetime import datetime
        >>> can_occur({"FREQ": "DAILY", "BYMONTH": "2", "BYMONTHDAY": "30"}, datetime(2026, 1, 1))
        False
        >>> can_occur({"FREQ": "YEARLY", "BYMONTH": "2", "BYMONTHDAY": "29", "BYDAY": "MO"},
        ...           datetime(2026, 1, 1))
        True
    """
    cycle = _CYCLE_YEARS * int(parts.get("INTERVAL", "1"))
    start = dtstart.replace(tzinfo=None, fold=0)
    shifts = (MAXYEAR - cycle - 1 - start.year) // cycle
    if shifts > 0:
        start = start.replace(year=start.year + shifts * cycle)
    probe = ";".join(f"{k}={v}" for k, v in parts.items() if k not in ("COUNT", "UNTIL"))
    try:
        return next(iter(rrulestr(probe, dtstart=start)), None) is not None
    except (ValueError, OverflowError):
        # dateutil arithmetic that leaves datetime's years: nothing before year 9999.
        return False


def compile_rule(
    text: str,
    dtstart: datetime,
    field: str = "rule",
    *,
    max_occurrences: int = MAX_OCCURRENCES,
) -> rrule | None:
    """The dateutil rule for checked RRULE value ``text`` from ``dtstart``, or ``None``
    when it can never yield an occurrence.

    Example:
        >>> from datetime import datetime
        >>> list(compile_rule("FREQ=DAILY;COUNT=2", datetime(2026, 1, 1, 9)))
        [datetime.datetime(2026, 1, 1, 9, 0), datetime.datetime(2026, 1, 2, 9, 0)]
        >>> compile_rule("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", datetime(2026, 1, 1)) is None
        True
    """
    parts = check_rule(text, field, max_occurrences=max_occurrences)
    try:
        compiled = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidInputError.single(field, f"not a valid RRULE: {exc}", text) from None
    if not isinstance(compiled, rrule):  # pragma: no cover - one RRULE value is one rrule
        raise InvalidInputError.single(field, "must be one RRULE value", text)
    try:
        possible = can_occur(parts, dtstart)
    except (IndexError, KeyError, TypeError) as exc:  # dateutil fails on it (53MO monthly)
        raise InvalidInputError.single(field, f"not a valid RRULE: {exc!r}", text) from None
    return compiled if possible else None
