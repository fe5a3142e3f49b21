"""The 24 solar terms (二十四节气), computed from the Sun's apparent longitude."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone

from pydantic import Field

from smmkit.content.calendar._astro import jd_tt_to_utc, term_jde
from smmkit.content.calendar._recurrence import require_aware
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel

__all__ = ["CHINA_STANDARD_TIME", "SolarTerm", "solar_terms", "solar_terms_between"]

CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")
"""China Standard Time: UTC+8 all year, the zone the Chinese calendar is reckoned in.

Deliberately a fixed offset and not ``ZoneInfo("Asia/Shanghai")``: that zone observed
daylight saving time in 1986–1991, which the calendar never did.
"""

FIRST_YEAR = 1900
LAST_YEAR = 2100
"""The years whose terms are computed: the astronomy (:mod:`._astro`) is checked over
them; beyond, ΔT (the Earth's unpredictable slowing) is only extrapolated."""

# (longitude, simplified, traditional, English), in the order they fall in a Gregorian year.
_TERMS: tuple[tuple[int, str, str, str], ...] = (
    (285, "小寒", "小寒", "Minor Cold"),
    (300, "大寒", "大寒", "Major Cold"),
    (315, "立春", "立春", "Start of Spring"),
    (330, "雨水", "雨水", "Rain Water"),
    (345, "惊蛰", "驚蟄", "Awakening of Insects"),
    (0, "春分", "春分", "Spring Equinox"),
    (15, "清明", "清明", "Pure Brightness"),
    (30, "谷雨", "穀雨", "Grain Rain"),
    (45, "立夏", "立夏", "Start of Summer"),
    (60, "小满", "小滿", "Grain Buds"),
    (75, "芒种", "芒種", "Grain in Ear"),
    (90, "夏至", "夏至", "Summer Solstice"),
    (105, "小暑", "小暑", "Minor Heat"),
    (120, "大暑", "大暑", "Major Heat"),
    (135, "立秋", "立秋", "Start of Autumn"),
    (150, "处暑", "處暑", "End of Heat"),
    (165, "白露", "白露", "White Dew"),
    (180, "秋分", "秋分", "Autumn Equinox"),
    (195, "寒露", "寒露", "Cold Dew"),
    (210, "霜降", "霜降", "Frost's Descent"),
    (225, "立冬", "立冬", "Start of Winter"),
    (240, "小雪", "小雪", "Minor Snow"),
    (255, "大雪", "大雪", "Major Snow"),
    (270, "冬至", "冬至", "Winter Solstice"),
)


class SolarTerm(SmmkitModel):
    """One solar term: the moment the Sun's apparent longitude reaches a multiple of 15°.

    ``at`` is in China Standard Time (fixed UTC+8), to the second; ``day`` is the calendar
    day it falls on there, which is the day a solar-term post belongs to.

    Example:
        >>> term = solar_terms(2024)[2]
        >>> term.name, term.name_en, term.longitude, term.day.isoformat()
        ('立春', 'Start of Spring', 315, '2024-02-04')
    """

    name: str = Field(description="Simplified Chinese name, e.g. 立春.")
    name_traditional: str = Field(description="Traditional Chinese name, e.g. 驚蟄.")
    name_en: str = Field(description="English name.")
    longitude: int = Field(ge=0, lt=360, description="Apparent solar longitude, degrees.")
    at: AwareDatetime = Field(description="The moment, in China Standard Time.")

    @property
    def day(self) -> date:
        """The calendar day of the term in China Standard Time."""
        return self.at.astimezone(CHINA_STANDARD_TIME).date()

    @property
    def is_major(self) -> bool:
        """True for the twelve 中气 (longitude a multiple of 30°) that fix the lunar months."""
        return self.longitude % 30 == 0


def solar_terms(year: int) -> tuple[SolarTerm, ...]:
    """The 24 solar terms of Gregorian ``year`` (1900–2100), from 小寒 to 冬至.

    Computed astronomically each time (no per-year tables), accurate to well under a
    minute against independent ephemerides.

    Example:
        >>> terms = solar_terms(2025)
        >>> len(terms), terms[0].name, terms[-1].name
        (24, '小寒', '冬至')
        >>> qingming = next(t for t in terms if t.name == "清明")
        >>> qingming.day.isoformat()
        '2025-04-04'
    """
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInputError.single("year", "must be an integer", year)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInputError.single(
            "year",
            f"must be in {FIRST_YEAR}..{LAST_YEAR}, the years the solar terms are computed for",
            year,
        )
    return _solar_terms(year)


@functools.lru_cache(maxsize=256)
def _solar_terms(year: int) -> tuple[SolarTerm, ...]:
    # lru_cache: a pure function of ``year`` whose result is immutable.
    return tuple(
        SolarTerm(
            name=name,
            name_traditional=trad,
            name_en=english,
            longitude=lon,
            at=jd_tt_to_utc(term_jde(year, lon)).astimezone(CHINA_STANDARD_TIME),
        )
        for lon, name, trad, english in _TERMS
    )


_SPAN = (
    datetime(FIRST_YEAR, 1, 1, tzinfo=CHINA_STANDARD_TIME),
    datetime(LAST_YEAR + 1, 1, 1, tzinfo=CHINA_STANDARD_TIME),
)


def solar_terms_between(start: datetime, end: datetime) -> tuple[SolarTerm, ...]:
    """Solar terms whose moment lies in ``[start, end)`` (aware datetimes), in order.

    The span must lie within the years the terms are computed for, 1900–2100 in China
    Standard Time; beyond them it is an input error naming ``start`` or ``end``.

    Example:
        >>> from datetime import datetime, timezone
        >>> december = datetime(2026, 12, 1, tzinfo=timezone.utc)
        >>> found = solar_terms_between(december, december.replace(year=2027, month=1))
        >>> [t.name for t in found]
        ['大雪', '冬至']
    """
    require_aware(start, "start")
    require_aware(end, "end")
    if end <= start:
        return ()
    for name, moment in (("start", start), ("end", end)):
        if not _SPAN[0] <= moment <= _SPAN[1]:
            raise InvalidInputError.single(
                name,
                f"must lie in {FIRST_YEAR}..{LAST_YEAR} (China Standard Time), the years "
                "the solar terms are computed for",
                moment,
            )
    first = start.astimezone(CHINA_STANDARD_TIME).year
    last = min(LAST_YEAR, end.astimezone(CHINA_STANDARD_TIME).year)
    return tuple(
        term
        for year in range(first, last + 1)
        for term in _solar_terms(year)
        if start <= term.at < end
    )
