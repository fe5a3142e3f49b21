"""The Chinese lunisolar calendar (农历), computed from new moons and solar terms.

The rules are those of the national standard GB/T 33661-2017 *Calculation and
promulgation of the Chinese calendar*:

1. a month begins on the China Standard Time day of a new moon;
2. the month that contains the winter solstice (冬至) is month 11;
3. when 13 months begin between two month-11s, the first of them that contains no
   major solar term (中气, solar longitude a multiple of 30°) is a leap month and
   repeats the number of the month before it.

Nothing is tabulated per year; every date comes from :mod:`._astro`.

The supported range is the lunar years 1901–2099 (:data:`FIRST_LUNAR_YEAR`,
:data:`LAST_LUNAR_YEAR`), i.e. the days 1901-02-19 to 2100-02-08: a lunar year needs the
solar terms of the Gregorian years on both sides of it, and the astronomy is checked
over 1900–2100 (solar terms to well under a minute; ΔT, the Earth's unpredictable
slowing, is extrapolated beyond). Outside it every function refuses with an
:class:`~smmkit.exceptions.InvalidInputError` naming ``year`` (or ``day``) and the range;
a year that is not an ``int`` (``None``, ``"2026"``, ``2026.0``, ``True``) is refused too.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta

from pydantic import Field

from smmkit.content.calendar._astro import (
    jd_tt_to_utc,
    new_moon_index_near,
    new_moon_jde,
    term_jde,
)
from smmkit.content.calendar._solar_terms import (
    CHINA_STANDARD_TIME,
    FIRST_YEAR,
    LAST_YEAR,
    _solar_terms,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel, require_aware

__all__ = ["LunarDate", "LunarMonth", "from_lunar", "lunar_months", "to_lunar"]

#: The lunar years computed here (see the module docstring).
FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR = FIRST_YEAR + 1, LAST_YEAR - 1


class LunarMonth(SmmkitModel):
    """One month of the Chinese calendar: its number, whether it is a leap month, its days.

    Example:
        >>> leap = next(m for m in lunar_months(2023) if m.leap)
        >>> leap.number, leap.start.isoformat(), leap.days
        (2, '2023-03-22', 29)
    """

    year: int = Field(description="Lunar year (the Gregorian year its month 1 begins in).")
    number: int = Field(ge=1, le=12)
    leap: bool = False
    start: date
    days: int = Field(ge=29, le=30)


class LunarDate(SmmkitModel):
    """A date in the Chinese calendar.

    Example:
        >>> LunarDate(year=2025, month=8, day=15).to_gregorian().isoformat()
        '2025-10-06'
    """

    year: int
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=30)
    leap: bool = False

    def to_gregorian(self) -> date:
        """The Gregorian date of this lunar date (see :func:`from_lunar`)."""
        return from_lunar(self.year, self.month, self.day, leap=self.leap)


def _cst_day_of_new_moon(k: int) -> date:
    return jd_tt_to_utc(new_moon_jde(k)).astimezone(CHINA_STANDARD_TIME).date()


def _solstice_day(year: int) -> date:
    # 冬至 of ``year``; computed directly so years just outside 1900..2100 work too.
    return jd_tt_to_utc(term_jde(year, 270.0)).astimezone(CHINA_STANDARD_TIME).date()


def _month11_k(year: int) -> int:
    """Lunation number of the month that contains the winter solstice of ``year``."""
    solstice = _solstice_day(year)
    k = new_moon_index_near(term_jde(year, 270.0))
    # The latest new moon whose CST day is on or before the solstice's day.
    while _cst_day_of_new_moon(k) > solstice:
        k -= 1
    while _cst_day_of_new_moon(k + 1) <= solstice:
        k += 1
    return k


def _major_term_days(year: int) -> tuple[date, ...]:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return tuple(t.day for t in _solar_terms(year) if t.is_major)
    return tuple(
        jd_tt_to_utc(term_jde(year, lon)).astimezone(CHINA_STANDARD_TIME).date()
        for lon in range(0, 360, 30)
    )


@functools.lru_cache(maxsize=512)
def _sui(year: int) -> tuple[tuple[date, int, bool], ...]:
    """Months from month 11 before ``year``'s solstice up to (excluding) the next month 11.

    Returns ``(start day, number, leap)``; the list always ends with the first day of the
    following month 11 as a sentinel (number 11, leap False).
    """
    k_first = _month11_k(year - 1)
    k_last = _month11_k(year)
    starts = [_cst_day_of_new_moon(k) for k in range(k_first, k_last + 1)]
    majors = sorted(set(_major_term_days(year - 1) + _major_term_days(year)))
    has_leap = len(starts) - 1 == 13
    months: list[tuple[date, int, bool]] = []
    number = 10
    leap_taken = False
    for i in range(len(starts) - 1):
        begin, end = starts[i], starts[i + 1]
        without_major = not any(begin <= d < end for d in majors)
        if has_leap and not leap_taken and i > 0 and without_major:
            leap_taken = True
            months.append((begin, number, True))
            continue
        number = number % 12 + 1
        months.append((begin, number, False))
    months.append((starts[-1], 11, False))
    return tuple(months)


def _check_year(year: int) -> None:
    """``year`` is an int in the supported lunar years, else an error naming ``year``."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInputError.single("year", "must be an integer", year)
    if not FIRST_LUNAR_YEAR <= year <= LAST_LUNAR_YEAR:
        raise InvalidInputError.single(
            "year",
            f"must be in {FIRST_LUNAR_YEAR}..{LAST_LUNAR_YEAR}, the years the Chinese "
            "calendar is computed for",
            year,
        )


@functools.lru_cache(maxsize=1)
def _day_span() -> tuple[date, date]:
    """The first and last day of the supported lunar years."""
    last = _lunar_months(LAST_LUNAR_YEAR)[-1]
    return _lunar_months(FIRST_LUNAR_YEAR)[0].start, last.start + timedelta(days=last.days - 1)


@functools.lru_cache(maxsize=256)
def _lunar_months(year: int) -> tuple[LunarMonth, ...]:
    this, following = _sui(year), _sui(year + 1)
    first = next(i for i, (_, n, leap) in enumerate(this) if n == 1 and not leap)
    rows = list(this[first:-1])
    first_next = next(i for i, (_, n, leap) in enumerate(following) if n == 1 and not leap)
    rows += list(following[: first_next + 1])  # + sentinel: 正月 of the next year
    return tuple(
        LunarMonth(
            year=year,
            number=n,
            leap=leap,
            start=begin,
            days=(rows[i + 1][0] - begin).days,
        )
        for i, (begin, n, leap) in enumerate(rows[:-1])
    )


def lunar_months(year: int) -> tuple[LunarMonth, ...]:
    """The 12 or 13 months of lunar ``year`` (1901–2099), from 正月 to 腊月.

    Example:
        >>> months = lunar_months(2025)
        >>> months[0].start.isoformat(), len(months), [m.number for m in months if m.leap]
        ('2025-01-29', 13, [6])
    """
    _check_year(year)
    return _lunar_months(year)


def to_lunar(day: date) -> LunarDate:
    """The Chinese-calendar date of Gregorian ``day`` (a China Standard Time day).

    An aware datetime counts as its China-Standard-Time day; a naive one is refused.
    ``day`` must lie in 1901-02-19..2100-02-08 (lunar 1901–2099).

    Example:
        >>> from datetime import date
        >>> to_lunar(date(2024, 2, 10))
        LunarDate(year=2024, month=1, day=1, leap=False)
    """
    if isinstance(day, datetime):
        moment = require_aware(day, "day")
        try:
            day = moment.astimezone(CHINA_STANDARD_TIME).date()
        except OverflowError:  # a moment at datetime's limits: far outside the span
            day = date.min if moment.year == 1 else date.max
    if not isinstance(day, date):
        raise InvalidInputError.single("day", "must be a date", day)
    first, last = _day_span()
    if not first <= day <= last:
        raise InvalidInputError.single(
            "day",
            f"must lie in {first}..{last}, the lunar years {FIRST_LUNAR_YEAR}.."
            f"{LAST_LUNAR_YEAR} the Chinese calendar is computed for",
            day,
        )
    year = min(day.year, LAST_LUNAR_YEAR)  # January 2100 is still lunar 2099
    months = _lunar_months(year)
    if day < months[0].start:
        year -= 1
        months = _lunar_months(year)
    for month in reversed(months):
        if day >= month.start:
            return LunarDate(
                year=year,
                month=month.number,
                day=(day - month.start).days + 1,
                leap=month.leap,
            )
    raise AssertionError("unreachable: the day lies after the start of 正月")  # pragma: no cover


def from_lunar(year: int, month: int, day: int, *, leap: bool = False) -> date:
    """The Gregorian date of lunar ``year``/``month``/``day`` (``leap`` for a leap month).

    Raises :class:`~smmkit.exceptions.InvalidInputError` for a leap month the year does
    not have, or day 30 of a 29-day month.

    Example:
        >>> from_lunar(2024, 1, 1).isoformat()
        '2024-02-10'
        >>> from_lunar(2023, 2, 1, leap=True).isoformat()
        '2023-03-22'
    """
    _check_year(year)
    for name, value in (("month", month), ("day", day)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError.single(name, "must be an integer", type(value).__name__)
    if not isinstance(leap, bool):
        raise InvalidInputError.single("leap", "must be a bool", type(leap).__name__)
    for m in _lunar_months(year):
        if m.number == month and m.leap == leap:
            if not 1 <= day <= m.days:
                raise InvalidInputError.single("day", f"must be in 1..{m.days}", day)
            return m.start + timedelta(days=day - 1)
    problem = "is not a leap month in that year" if leap else "must be in 1..12"
    raise InvalidInputError.single("month", problem, month)
