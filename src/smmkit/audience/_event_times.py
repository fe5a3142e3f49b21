"""Checks on event times given as POSIX seconds: finite, not milliseconds, not after ``now``.

Both segmentation engines and every function that takes event times with a ``now`` use
these, so the rules and their messages are the same everywhere:

* a time must be a finite number of seconds (an int or a float: not a string, a bool or a
  datetime; NaN, the infinities and ints beyond the float range are not times);
* a time before :data:`EARLIEST_SECONDS` (the year 1, the first instant a ``datetime``
  can hold) is absurd, usually a sign or unit slip, and refused;
* a time after :data:`LATEST_SECONDS` (the year 3000 as seconds) is taken for
  milliseconds (or finer: pandas' nanoseconds) and refused, never read as a date
  a thousand years away;
* a time after ``now`` is refused by default (``future="refuse"``): it cannot have
  happened yet, and is usually a clock or time-zone slip. ``future="ignore"`` leaves such
  events out instead, for a segmentation as of a past date over a log that runs on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from smmkit.exceptions import InvalidInputError

__all__ = [
    "EARLIEST_SECONDS",
    "FutureEvents",
    "LATEST_SECONDS",
    "check_future_mode",
    "check_seconds",
    "check_seconds_column",
    "early_problem",
    "future_problem",
    "milliseconds_problem",
]

FutureEvents = Literal["refuse", "ignore"]

LATEST_SECONDS = 32_503_680_000.0
"""3000-01-01T00:00:00Z in POSIX seconds: later "seconds" are taken for milliseconds."""

EARLIEST_SECONDS = -62_135_596_800.0
"""0001-01-01T00:00:00Z in POSIX seconds: an earlier time is no date at all."""

NOT_SECONDS = "must be POSIX seconds (int or float)"
NOT_FINITE = "must be a finite number of seconds"


def early_problem() -> str:
    """The message for a time before the year 1.

    Example:
        >>> early_problem().startswith("lies before the year 1")
        True
    """
    return (
        "lies before the year 1, the earliest time a date can hold: not a time "
        "(a sign or unit slip?)"
    )


def milliseconds_problem() -> str:
    """The message for a time that looks like milliseconds."""
    return (
        "looks like milliseconds (or finer) since the epoch, not seconds: as seconds it lies "
        "after the year 3000; divide by 1000"
    )


def future_problem(count: int, now: datetime) -> str:
    """The message for ``count`` times after ``now``."""
    return (
        f"{count} time(s) lie after now ({now.isoformat()}) and cannot have happened yet; "
        "pass future='ignore' to leave such events out (a segmentation as of a past date)"
    )


def check_future_mode(future: object) -> FutureEvents:
    """``future`` if it is ``"refuse"`` or ``"ignore"``, else an InvalidInputError.

    Example:
        >>> check_future_mode("ignore")
        'ignore'
    """
    if future == "refuse":
        return "refuse"
    if future == "ignore":
        return "ignore"
    raise InvalidInputError.single("future", "must be 'refuse' or 'ignore'", future)


def check_seconds(
    value: Any, *, now: datetime, now_ts: float, future: FutureEvents, field: str
) -> float:
    """One time in POSIX seconds, checked; returned as a float.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> check_seconds(1.7e9, now=now, now_ts=now.timestamp(), future="refuse", field="t")
        1700000000.0
    """
    if isinstance(value, (bool, str, bytes, bytearray)):
        raise InvalidInputError.single(field, NOT_SECONDS, value)
    try:
        ts = float(value)
    except OverflowError:  # an int beyond the float range
        raise InvalidInputError.single(field, NOT_FINITE, value) from None
    except (TypeError, ValueError, ArithmeticError):
        shown = value if isinstance(value, (int, float)) else type(value).__name__
        raise InvalidInputError.single(field, NOT_SECONDS, shown) from None
    if not math.isfinite(ts):
        raise InvalidInputError.single(field, NOT_FINITE, value)
    if ts > LATEST_SECONDS:
        raise InvalidInputError.single(field, milliseconds_problem(), value)
    if ts < EARLIEST_SECONDS:
        raise InvalidInputError.single(field, early_problem(), value)
    if ts > now_ts and future == "refuse":
        raise InvalidInputError.single(field, future_problem(1, now), value)
    return ts


def check_seconds_column(
    ts: Sequence[Any], *, now: datetime, now_ts: float, future: FutureEvents, field: str
) -> bool:
    """Check a non-empty column of POSIX seconds; True when some lie after ``now``.

    Three C-level passes (``max``, ``min`` and ``sum``) in the common case; the slow
    search for the offending value only runs when there is one. A column that is not
    numbers (strings, datetimes, Decimal NaN) is refused naming ``field``.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> t = now.timestamp()
        >>> check_seconds_column([t - 60, t + 60], now=now, now_ts=t, future="ignore", field="at")
        True
    """
    try:
        latest = max(ts)
        earliest = min(ts)
        total = sum(ts)
        after_now = bool(latest > now_ts)
    except (TypeError, ArithmeticError):
        raise InvalidInputError.single(field, f"{NOT_SECONDS} in tuples and batches") from None
    if not _finite(total):
        bad = next((t for t in ts if not _finite(t)), None)
        if bad is not None:
            raise InvalidInputError.single(field, NOT_FINITE, bad)
    if latest > LATEST_SECONDS:
        raise InvalidInputError.single(field, milliseconds_problem(), latest)
    if earliest < EARLIEST_SECONDS:
        raise InvalidInputError.single(field, early_problem(), earliest)
    if after_now and future == "refuse":
        count = sum(1 for t in ts if t > now_ts)
        raise InvalidInputError.single(field, future_problem(count, now), latest)
    return after_now


def _finite(value: Any) -> bool:
    """``math.isfinite`` that calls an int beyond the float range not finite."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False
