"""Years outside what the holiday functions compute, and years of the wrong type.

The Chinese calendar is computed for the lunar years 1901–2099 (days 1901-02-19 to
2100-02-08) and the solar terms for 1900–2100: the astronomy is checked over those
years. Outside them, and for a year that is no ``int``, every function refuses with an
``InvalidInputError`` naming ``year`` (or ``day``, ``start``, ``end``) and the range.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from smmkit.content.calendar import (
    CHINA_STANDARD_TIME,
    Occasion,
    chinese_festivals,
    commerce_dates,
    easter,
    festival_scenario,
    from_lunar,
    gaokao,
    lunar_months,
    occasions,
    occasions_between,
    solar_terms,
    solar_terms_between,
    to_lunar,
    western_holidays,
)
from smmkit.content.calendar._lunar import FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR
from smmkit.exceptions import InvalidInputError

WRONG_TYPES = [None, "2026", 2026.0, True, False, b"2026", [2026], date(2026, 1, 1)]

# function of one year, the first and last year it computes
YEAR_FUNCTIONS: list[tuple[Callable[[Any], object], int, int]] = [
    (chinese_festivals, FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR),
    (lunar_months, FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR),
    (lambda year: from_lunar(year, 1, 1), FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR),
    (solar_terms, 1900, 2100),
    (western_holidays, 1583, 9999),
    (easter, 1583, 9999),
    (gaokao, 1979, 9999),
    (commerce_dates, 1, 9999),
    (occasions, FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR),
    (lambda year: occasions(year, ["solar_term"]), FIRST_LUNAR_YEAR, LAST_LUNAR_YEAR),
]


def _refused(call: Callable[[], object], field: str) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields == (field,)
    return info.value


@pytest.mark.parametrize(("fn", "first", "last"), YEAR_FUNCTIONS)
def test_the_supported_years_work_and_their_neighbours_are_refused(
    fn: Callable[[Any], object], first: int, last: int
) -> None:
    assert fn(first) and fn(last)
    for year in (first - 1, last + 1, 0, -1, 10_000, 10**30, -(10**30), 10**400):
        error = _refused(lambda year=year: fn(year), "year")  # type: ignore[misc]
        assert ".." in str(error), "the error states the supported range"


@pytest.mark.parametrize(("fn", "first", "last"), YEAR_FUNCTIONS)
@pytest.mark.parametrize("year", WRONG_TYPES)
def test_a_year_of_the_wrong_type_is_refused(
    fn: Callable[[Any], object], first: int, last: int, year: object
) -> None:
    _refused(lambda: fn(year), "year")


def test_the_lunar_errors_state_the_range() -> None:
    error = _refused(lambda: chinese_festivals(1900), "year")
    assert "1901..2099" in str(error)
    error = _refused(lambda: solar_terms(2101), "year")
    assert "1900..2100" in str(error)


def test_to_lunar_covers_the_whole_lunar_years_and_names_day() -> None:
    first, last = date(1901, 2, 19), date(2100, 2, 8)
    assert (to_lunar(first).year, to_lunar(first).month, to_lunar(first).day) == (1901, 1, 1)
    assert to_lunar(last).year == LAST_LUNAR_YEAR  # January 2100 is still lunar 2099
    assert from_lunar(2099, 12, to_lunar(last).day) == last
    for day in (first - timedelta(days=1), last + timedelta(days=1), date.min, date.max):
        error = _refused(lambda day=day: to_lunar(day), "day")  # type: ignore[misc]
        assert "1901-02-19..2100-02-08" in str(error)
    for moment in (
        datetime(9999, 12, 31, 23, tzinfo=timezone.utc),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-5))),
    ):
        _refused(lambda moment=moment: to_lunar(moment), "day")  # type: ignore[misc]
    for wrong in (None, "2026-01-01", 20260101, 2026.0, True):
        _refused(lambda wrong=wrong: to_lunar(wrong), "day")  # type: ignore[misc]


def test_solar_terms_between_refuses_a_span_beyond_the_computed_years() -> None:
    start = datetime(1900, 1, 1, tzinfo=CHINA_STANDARD_TIME)
    end = datetime(2101, 1, 1, tzinfo=CHINA_STANDARD_TIME)
    assert len(solar_terms_between(start, end)) == 24 * 201
    _refused(lambda: solar_terms_between(start - timedelta(seconds=1), end), "start")
    _refused(lambda: solar_terms_between(start, end + timedelta(seconds=1)), "end")
    far = datetime(2150, 1, 1, tzinfo=timezone.utc)
    error = _refused(lambda: solar_terms_between(far, far + timedelta(days=40)), "start")
    assert "1900..2100" in str(error)
    assert solar_terms_between(end, start) == ()


def test_occasions_between_names_the_year_outside_the_range() -> None:
    _refused(lambda: occasions_between(date(2099, 12, 1), date(2100, 2, 1)), "year")
    assert occasions_between(date(2150, 1, 1), date(2150, 12, 31), ["commerce"])


def test_festival_scenario_refuses_wrong_types_and_runs_off_the_calendar() -> None:
    qixi = next(o for o in chinese_festivals(2026) if o.key == "qixi")
    for name, value in (("lead_days", 2.0), ("lead_days", True), ("lead_days", "7")):
        _refused(lambda value=value: festival_scenario(qixi, lead_days=value), name)  # type: ignore[misc]
    _refused(lambda: festival_scenario(qixi, lead_days=10**6), "lead_days")
    _refused(lambda: festival_scenario(qixi, tz=8), "tz")  # type: ignore[arg-type]
    _refused(lambda: festival_scenario("qixi"), "occasion")  # type: ignore[arg-type]
    last = Occasion(key="end", name="End", day=date.max, kind="commerce")
    _refused(lambda: festival_scenario(last), "lead_days")
