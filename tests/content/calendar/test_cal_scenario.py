"""Commerce dates, gaokao, Western holidays, occasions and campaign scenarios."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from dateutil.easter import EASTER_WESTERN
from dateutil.easter import easter as dateutil_easter
from hypothesis import given
from hypothesis import strategies as st

from smmkit.content.calendar import (
    CampaignScenario,
    OccasionKind,
    ScenarioKind,
    chinese_festivals,
    commerce_dates,
    easter,
    festival_scenario,
    gaokao,
    occasions,
    occasions_between,
    western_holidays,
)
from smmkit.exceptions import InvalidInputError


@given(st.integers(min_value=1583, max_value=4099))
def test_easter_matches_dateutil(year: int) -> None:
    # dateutil's implementation is independent of ours (it follows Oudin's algorithm).
    assert easter(year) == dateutil_easter(year, EASTER_WESTERN)


@given(st.integers(min_value=1901, max_value=2099))
def test_western_holidays_rules(year: int) -> None:
    days = {o.key: o.day for o in western_holidays(year)}
    assert days["new_year"] == date(year, 1, 1)
    assert days["valentines"] == date(year, 2, 14)
    assert days["christmas"] == date(year, 12, 25)
    mothers = days["mothers_day_us"]
    assert mothers.weekday() == 6 and mothers.month == 5 and 8 <= mothers.day <= 14
    thanks = days["thanksgiving_us"]
    assert thanks.weekday() == 3 and thanks.month == 11 and 22 <= thanks.day <= 28
    assert (days["black_friday"] - thanks).days == 1
    assert days["easter"].weekday() == 6


@pytest.mark.parametrize(
    ("key", "month", "day"),
    [("520", 5, 20), ("618", 6, 18), ("double_11", 11, 11), ("double_12", 12, 12)],
)
def test_commerce_dates(key: str, month: int, day: int) -> None:
    found = {o.key: o for o in commerce_dates(2026)}
    assert found[key].day == date(2026, month, day)
    assert found[key].kind is OccasionKind.COMMERCE


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [(2026, date(2026, 6, 7), date(2026, 6, 8)), (2002, date(2002, 7, 7), date(2002, 7, 9))],
)
def test_gaokao(year: int, first: date, last: date) -> None:
    exam = gaokao(year)
    assert (exam.day, exam.last_day) == (first, last)
    assert exam.days[0] == first and exam.days[-1] == last


def test_gaokao_before_1979_is_an_error() -> None:
    with pytest.raises(InvalidInputError) as info:
        gaokao(1970)
    assert info.value.fields == ("year",)


def test_occasions_cover_every_kind_in_order() -> None:
    found = occasions(2026)
    assert [o.day for o in found] == sorted(o.day for o in found)
    assert {o.kind for o in found} == set(OccasionKind)
    assert sum(o.kind is OccasionKind.SOLAR_TERM for o in found) == 24
    keys = {o.key for o in found}
    assert {"spring_festival", "qingming", "618", "gaokao", "easter", "black_friday"} <= keys


def test_occasions_filter_and_between() -> None:
    assert all(o.kind is OccasionKind.COMMERCE for o in occasions(2026, ["commerce"]))
    around_new_year = occasions_between(date(2026, 12, 20), date(2027, 1, 10), ["solar_term"])
    assert [o.name_zh for o in around_new_year] == ["冬至", "小寒"]
    with pytest.raises(InvalidInputError) as info:
        occasions(2026, ["birthday"])
    assert info.value.fields == ("kinds",)
    with pytest.raises(InvalidInputError):
        occasions_between(date(2027, 1, 1), date(2026, 1, 1))


def test_festival_scenario_runs_from_lead_to_after_the_day() -> None:
    mid_autumn = next(o for o in chinese_festivals(2026) if o.key == "mid_autumn")
    campaign = festival_scenario(mid_autumn, lead_days=10, topic="#中秋茶礼#")
    assert campaign.kind is ScenarioKind.FESTIVAL
    assert campaign.start is not None and campaign.end is not None
    assert campaign.start.date() == date(2026, 9, 15)
    assert campaign.end.date() == date(2026, 9, 26)
    assert campaign.covers(datetime(2026, 9, 25, 23, tzinfo=campaign.start.tzinfo))
    assert not campaign.covers(datetime(2026, 9, 26, 0, tzinfo=campaign.start.tzinfo))
    with pytest.raises(InvalidInputError) as info:
        festival_scenario(mid_autumn, lead_days=-1)
    assert info.value.fields == ("lead_days",)


def test_the_old_name_festival_campaign_warns_and_still_works() -> None:
    from smmkit.content import calendar

    with pytest.warns(DeprecationWarning, match="festival_scenario"):
        old = calendar.festival_campaign
    assert old is festival_scenario
    with pytest.warns(DeprecationWarning, match="smmkit 0.2"):
        from smmkit.content.calendar import festival_campaign
    assert festival_campaign is festival_scenario
    assert "festival_campaign" not in calendar.__all__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = calendar.nope  # type: ignore[attr-defined]


def test_a_festival_scenario_needs_its_occasion() -> None:
    with pytest.raises(InvalidInputError):
        CampaignScenario(id="v", kind="festival", name="Valentine's story contest")
    hot = CampaignScenario(id="g", kind="hot_topic", name="Gaokao memories")
    assert hot.covers(datetime(2000, 1, 1, tzinfo=timezone.utc))
