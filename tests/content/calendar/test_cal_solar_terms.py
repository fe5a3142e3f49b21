"""Solar terms against published and independent references.

References (test-only dependencies, never used at run time):

* U.S. Naval Observatory, "Earth's Seasons: Equinoxes, Solstices, Perihelion, and
  Aphelion" (aa.usno.navy.mil/data/Earth_Seasons), times in UT to the minute, copied below.
* PyEphem (``ephem``), which computes the Sun with its own VSOP87 implementation
  (libastro): the full 2000–2050 table is generated from it and compared.
* ``lunar_python`` (6tail's port of 许剑伟's 寿星天文历), which prints every solar
  term to the second in Beijing time; it decides the CST day of each term independently
  (every one of 1900–2100 agrees, 1979's 大寒 at 23:59:5x CST included).
"""

from __future__ import annotations

import itertools
import math
from datetime import date, datetime, timedelta, timezone

import ephem
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Lunar

from smmkit.content.calendar import CHINA_STANDARD_TIME, SolarTerm, solar_terms, solar_terms_between
from smmkit.exceptions import InvalidInputError

UTC = timezone.utc
TOLERANCE = timedelta(minutes=5)

# USNO "Earth's Seasons" (UT, rounded to the minute): (year, longitude, month, day, h, m).
USNO_SEASONS = [
    (2000, 0, 3, 20, 7, 35),
    (2000, 90, 6, 21, 1, 48),
    (2000, 180, 9, 22, 17, 27),
    (2000, 270, 12, 21, 13, 37),
    (2024, 0, 3, 20, 3, 6),
    (2024, 90, 6, 20, 20, 51),
    (2024, 180, 9, 22, 12, 44),
    (2024, 270, 12, 21, 9, 20),
    (2025, 0, 3, 20, 9, 1),
    (2025, 90, 6, 21, 2, 42),
    (2025, 180, 9, 22, 18, 19),
    (2025, 270, 12, 21, 15, 3),
]


def _term(year: int, longitude: int) -> SolarTerm:
    return next(t for t in solar_terms(year) if t.longitude == longitude)


@pytest.mark.parametrize("row", USNO_SEASONS, ids=lambda r: f"{r[0]}-{r[1]}")
def test_equinoxes_and_solstices_match_usno(row: tuple[int, int, int, int, int, int]) -> None:
    year, lon, month, day, hour, minute = row
    published = datetime(year, month, day, hour, minute, tzinfo=UTC)
    assert abs(_term(year, lon).at - published) <= timedelta(minutes=1)


def _ephem_longitude(moment: ephem.Date) -> float:
    sun = ephem.Sun(moment)
    equatorial = ephem.Equatorial(sun.ra, sun.dec, epoch=moment)
    return math.degrees(ephem.Ecliptic(equatorial, epoch=moment).lon)


def _ephem_crossing(longitude: float, guess: datetime) -> datetime:
    moment = ephem.Date(guess.astimezone(UTC).replace(tzinfo=None))
    for _ in range(30):
        diff = (longitude - _ephem_longitude(moment) + 180) % 360 - 180
        moment = ephem.Date(moment + diff * 365.2422 / 360)
        if abs(diff) < 1e-7:
            break
    found: datetime = moment.datetime().replace(tzinfo=UTC)
    return found


def test_2000_to_2050_within_five_minutes_of_pyephem() -> None:
    worst = timedelta(0)
    for year in range(2000, 2051):
        for term in solar_terms(year):
            reference = _ephem_crossing(term.longitude, term.at)
            worst = max(worst, abs(term.at - reference))
    assert worst <= TOLERANCE, worst


@pytest.mark.parametrize("year", [1900, 1929, 1950, 1986, 1991, 2075, 2100])
def test_whole_range_within_five_minutes_of_pyephem(year: int) -> None:
    for term in solar_terms(year):
        assert abs(term.at - _ephem_crossing(term.longitude, term.at)) <= TOLERANCE


_PINYIN = {
    "DONG_ZHI": "冬至",
    "DA_XUE": "大雪",
    "XIAO_HAN": "小寒",
    "DA_HAN": "大寒",
    "LI_CHUN": "立春",
    "YU_SHUI": "雨水",
    "JING_ZHE": "惊蛰",
}


def _lunar_python_table(year: int) -> dict[str, datetime]:
    found = {}
    for key, solar in Lunar.fromYmd(year, 6, 1).getJieQiTable().items():
        name = _PINYIN.get(key, key)
        if solar.getYear() == year:
            found[name] = datetime(
                year,
                solar.getMonth(),
                solar.getDay(),
                solar.getHour(),
                solar.getMinute(),
                solar.getSecond(),
                tzinfo=CHINA_STANDARD_TIME,
            )
    return found


def test_times_and_cst_days_match_lunar_python() -> None:
    # Acceptance: 2000–2050 within 5 minutes; the same CST day holds for all of 1900–2100.
    near_midnight = []
    for year in range(1900, 2101):
        table = _lunar_python_table(year)
        for term in solar_terms(year):
            reference = table[term.name]
            assert abs(term.at - reference) <= TOLERANCE, (term.name, year)
            assert term.day == reference.date(), (term.name, term.at, reference)
            local = reference.time()
            minutes = local.hour * 60 + local.minute
            if minutes < 5 or minutes >= 24 * 60 - 5:
                near_midnight.append(term.name)
    # The comparison above must have covered terms next to midnight.
    assert len(near_midnight) >= 3


# Terms within minutes of midnight China Standard Time (reference: lunar_python's tables,
# and the Hong Kong Observatory's yearly tables list the same days).
@pytest.mark.parametrize(
    ("year", "name", "day"),
    [
        (2008, "小满", date(2008, 5, 21)),  # 00:00:54 CST: within a minute of midnight
        (2013, "大暑", date(2013, 7, 22)),  # 23:55:58 CST
        (2014, "惊蛰", date(2014, 3, 6)),  # 00:02:16 CST
        (2016, "小暑", date(2016, 7, 7)),  # 00:03:21 CST
    ],
)
def test_terms_next_to_midnight_fall_on_the_right_day(year: int, name: str, day: date) -> None:
    term = next(t for t in solar_terms(year) if t.name == name)
    assert term.day == day
    assert term.at.utcoffset() == timedelta(hours=8)


def test_cst_is_fixed_utc8_even_in_shanghai_dst_years() -> None:
    # Asia/Shanghai observed DST in 1986–1991; the Chinese calendar did not.
    summer = _term(1988, 90)
    assert summer.at.utcoffset() == timedelta(hours=8)


def test_names_and_order() -> None:
    terms = solar_terms(2026)
    assert [t.name for t in terms][:3] == ["小寒", "大寒", "立春"]
    assert [t.longitude for t in terms] == [(285 + 15 * i) % 360 for i in range(24)]
    assert {t.name_traditional for t in terms} >= {"驚蟄", "穀雨", "處暑"}
    assert sum(t.is_major for t in terms) == 12


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1900, max_value=2100))
def test_terms_are_ordered_and_about_15_days_apart(year: int) -> None:
    terms = solar_terms(year)
    assert all(t.at.year == year for t in terms)
    for a, b in itertools.pairwise(terms):
        assert timedelta(days=14) < b.at - a.at < timedelta(days=16.5)


@pytest.mark.parametrize("year", [1899, 2101, "2026", True])
def test_out_of_range_year_names_the_field(year: object) -> None:
    with pytest.raises(InvalidInputError) as info:
        solar_terms(year)  # type: ignore[arg-type]
    assert info.value.fields == ("year",)


def test_between_is_half_open_and_checks_awareness() -> None:
    qingming = _term(2026, 15)
    found = solar_terms_between(qingming.at, qingming.at + timedelta(days=1))
    assert [t.name for t in found] == ["清明"]
    assert solar_terms_between(qingming.at - timedelta(days=1), qingming.at) == ()
    with pytest.raises(InvalidInputError) as info:
        solar_terms_between(datetime(2026, 1, 1), datetime(2027, 1, 1, tzinfo=UTC))
    assert info.value.fields == ("start",)
