"""Frames for notebooks: the calendar, adapt_all's result and metric observations."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit._frames import ADAPT_COLUMNS, CALENDAR_COLUMNS, adapt_rows, calendar_rows
from smmkit.analytics import observations_frame
from smmkit.content import adapt_all
from smmkit.content.calendar import CalendarEntry, ContentCalendar
from smmkit.exceptions import InvalidInputError, MissingExtraError
from smmkit.models import ContentPiece, Creator, MetricObservation

pd = pytest.importorskip("pandas")

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _calendar() -> ContentCalendar:
    cal = ContentCalendar().add_recurring(
        "tea-time-live",
        "douyin",
        "FREQ=DAILY;COUNT=2",
        dtstart=datetime(2026, 6, 1, 15, tzinfo=SH),
    )
    tips = CalendarEntry(
        id="tips", piece_id="weekly-tips", platform="linkedin", account="brand",
        at=datetime(2026, 6, 1, 9, tzinfo=NY), title="Tips",
    )  # fmt: skip
    return cal.add(tips).advance("tips", "in_review", actor="li", at=T0)


def test_calendar_frame_columns_and_values() -> None:
    frame = _calendar().to_frame()
    assert tuple(frame.columns) == CALENDAR_COLUMNS
    assert list(frame["id"]) == [
        "tea-time-live@douyin@20260601T070000Z",
        "tips",
        "tea-time-live@douyin@20260602T070000Z",
    ]
    first, tips = frame.iloc[0], frame.iloc[1]
    assert (first["piece_id"], first["platform"], first["account"]) == (
        "tea-time-live",
        "douyin",
        "default",
    )
    # the time in its own zone, the zone's name, and the instant in UTC
    assert first["at"] == datetime(2026, 6, 1, 15, tzinfo=SH) and first["at"].hour == 15
    assert (first["tz"], tips["tz"]) == ("Asia/Shanghai", "America/New_York")
    assert tips["at"].hour == 9
    assert str(frame["at_utc"].dt.tz) == "UTC"
    assert frame["at_utc"].is_monotonic_increasing
    assert (first["state"], tips["state"]) == ("draft", "in_review")
    assert first["series"] == "tea-time-live@douyin" and pd.isna(tips["series"])
    assert (tips["account"], tips["title"]) == ("brand", "Tips")
    assert frame.groupby("platform").size().to_dict() == {"douyin": 2, "linkedin": 1}


def test_calendar_frame_of_one_zone_is_a_datetime_column() -> None:
    frame = _calendar().remove("tips").to_frame()
    assert str(frame["at"].dt.tz) == "Asia/Shanghai"
    assert frame["at"].dt.hour.tolist() == [15, 15]


def test_calendar_rows_of_offset_only_times() -> None:
    at = datetime(2026, 6, 1, 15, tzinfo=timezone(timedelta(hours=8)))
    cal = ContentCalendar().add(CalendarEntry(id="a", piece_id="p", platform="x", at=at))
    back = ContentCalendar.model_validate_json(cal.model_dump_json())
    assert calendar_rows(back)[0]["tz"] == "+08:00"


def test_empty_calendar_frame() -> None:
    frame = ContentCalendar().to_frame()
    assert frame.empty and tuple(frame.columns) == CALENDAR_COLUMNS
    assert str(frame["at_utc"].dt.tz) == "UTC"


def test_adapt_all_frame_columns_and_values() -> None:
    piece = ContentPiece(id="tea", body="Cold brew at three. " * 20, tags=("tea",))
    result = adapt_all(piece, ["x", "weibo", "mastodon"], allow_threads=True)
    frame = result.to_frame()
    assert tuple(frame.columns) == ADAPT_COLUMNS
    rows = frame.set_index("platform")
    assert rows.loc["x", "unit"] == "weighted" and rows.loc["x", "limit"] == 280
    assert rows.loc["x", "parts"] == len(result.get("x").parts) > 1  # type: ignore[union-attr]
    assert rows.loc["x", "length"] <= 280
    assert rows.loc["mastodon", "parts"] == 1 and rows.loc["mastodon", "limit"] == 500
    assert bool(frame["ok"].all())
    assert rows.loc["weibo", "notes"] == len(result.get("weibo").notes)  # type: ignore[union-attr]
    assert frame["error"].isna().all()


def test_adapt_all_frame_rows_for_refusals() -> None:
    ugc = ContentPiece(
        id="u1", body="my office tea", source="ugc", creator=Creator(name="Lin", handle="lin")
    )
    rows = adapt_rows(adapt_all(ugc, ["x", "myspace"]))
    assert [(r["platform"], r["ok"], r["error_code"], r["parts"]) for r in rows] == [
        ("x", False, "permission_missing", 0),
        ("myspace", False, "unknown_platform", 0),
    ]
    assert all(r["length"] is None and r["error"] for r in rows)
    frame = adapt_all(ugc, ["x"]).to_frame()
    assert not frame["ok"].any() and "permission" in frame.loc[0, "error"]


def _obs(metric: str, value: float, **extra: Any) -> MetricObservation:
    fields: dict[str, Any] = {"platform": "xiaohongshu", "period_start": T0, "period_end": T1}
    fields.update(extra)
    return MetricObservation(metric=metric, value=value, **fields)


def test_observations_frame_columns_and_values() -> None:
    local = datetime(2026, 5, 1, 8, tzinfo=SH)
    obs = [
        _obs("impressions", 1200, content_id="tea-1", campaign="spring"),
        _obs("likes", 85, content_id="tea-1", content_type="note"),
        _obs("impressions", 300, platform="weibo", period_start=local, period_end=T1),
    ]
    frame = observations_frame(obs)
    columns = list(frame.columns)
    assert columns[:6] == [
        "metric",
        "value",
        "platform",
        "content_id",
        "period_start",
        "period_end",
    ]
    assert set(columns) == set(MetricObservation.model_fields)
    assert frame["value"].tolist() == [1200.0, 85.0, 300.0]
    assert frame["campaign"].tolist()[0] == "spring"
    assert frame["content_type"].tolist()[1] == "note"
    assert str(frame["period_start"].dt.tz) == "UTC"
    assert frame["period_start"].iloc[2] == pd.Timestamp("2026-05-01 00:00", tz="UTC")
    totals = frame.groupby("platform")["value"].sum().to_dict()
    assert totals == {"weibo": 300.0, "xiaohongshu": 1285.0}


def test_observations_frame_takes_any_iterable_and_empty() -> None:
    frame = observations_frame(_obs("likes", v) for v in (1, 2))
    assert frame["value"].sum() == 3
    empty = observations_frame([])
    assert empty.empty and list(empty.columns)[:2] == ["metric", "value"]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (None, "observations"),
        ("likes", "observations"),
        ({"metric": "likes"}, "observations"),
        (42, "observations"),
        ([{"metric": "likes", "value": 1}], "observations[0]"),
        ([_obs("likes", 1), "x"], "observations[1]"),
    ],
)
def test_observations_frame_refuses_other_input(value: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        observations_frame(value)
    assert info.value.fields == (field,)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            _obs,
            st.text(min_size=1, max_size=20).filter(str.strip),
            st.floats(min_value=0, max_value=1e12, allow_nan=False),
        ),
        max_size=8,
    )
)
def test_observations_frame_keeps_every_row(obs: list[MetricObservation]) -> None:
    try:
        frame = observations_frame(obs)
    except InvalidInputError:  # a metric name the vocabulary refuses
        return
    assert len(frame) == len(obs)
    assert [float(v) for v in frame["value"]] == [o.value for o in obs]
    assert all(math.isfinite(v) for v in frame["value"])


@given(
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(),
        st.text(max_size=50),
        st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), min_size=1),
        st.dictionaries(st.text(max_size=5), st.integers()),
    )
)
def test_observations_frame_malformed_input_is_a_typed_error(value: Any) -> None:
    with pytest.raises(InvalidInputError):
        observations_frame(value)


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises


@pytest.mark.usefixtures("no_pandas")
def test_frames_without_pandas_name_the_extra() -> None:
    calls: list[Callable[[], Any]] = [
        lambda: _calendar().to_frame(),
        lambda: adapt_all(ContentPiece(id="p", body="hi"), ["x"]).to_frame(),
        lambda: observations_frame([_obs("likes", 1)]),
    ]
    for call in calls:
        with pytest.raises(MissingExtraError) as info:
            call()
        assert info.value.extra == "pandas"
        assert "pip install" in str(info.value) and "pandas" in str(info.value)
        assert isinstance(info.value, ImportError)


@pytest.mark.usefixtures("no_pandas")
def test_rows_need_no_pandas() -> None:
    assert len(calendar_rows(_calendar())) == 3
    assert adapt_rows(adapt_all(ContentPiece(id="p", body="hi"), ["x"]))[0]["length"] == 2
