"""The demo's report agrees with the library's own functions on the same seeded data.

Nothing here is a constant: every expected number is recomputed from
``make_tea_brand_data(seed)`` with the public API and compared with what
``smmkit demo --out`` wrote to ``results.json``.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from smmkit.analytics import attribute, compare, period_values, repurchase_rate
from smmkit.audience import segment_users
from smmkit.content.calendar import tea_brand_plan
from smmkit.demo import run_demo
from smmkit.demo._data import make_tea_brand_data
from smmkit.demo._sections_people import tea_audience
from smmkit.strategy import recommend_platforms

SEED = 5


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("report")
    run_demo(seed=SEED, out=out, stream=io.StringIO(), charts=False)
    data: dict[str, Any] = json.loads((Path(out) / "results.json").read_text("utf-8"))
    sections: dict[str, Any] = data["sections"]
    return sections


def test_matrix(report: dict[str, Any]) -> None:
    matrix = recommend_platforms(["brand", "acquisition"], tea_audience(), business_model="b2c")
    assert report["Platform matrix, budget and team"]["matrix"] == list(matrix.platform_ids)
    assert set(matrix.platform_ids) == {"xiaohongshu", "douyin", "wecom"}


def test_segments(report: dict[str, Any]) -> None:
    data = make_tea_brand_data(SEED)
    counts = segment_users(data.users, data.interactions, now=data.now).counts()
    got = report["Lifecycle segments and KOC candidates"]["segments"]
    assert got == {stage.value: n for stage, n in counts.items()}
    assert sum(got.values()) == len(data.users)


def test_growth_and_attribution(report: dict[str, Any]) -> None:
    data = make_tea_brand_data(SEED)
    section = report["Analytics: growth, funnel, attribution, advice"]
    weekly = period_values(data.observations, metric="impressions", platform="xiaohongshu")
    base = sum(p.value or 0 for p in weekly[:4])
    last = sum(p.value or 0 for p in weekly[13:17])
    expected = compare(base, last)
    assert section["growth"]["xiaohongshu_exposure"]["relative"] == pytest.approx(expected.relative)
    wecom = {u.id for u in data.users if u.platform == "wecom"}
    orders = [
        (i.user_id, i.at)
        for i in data.interactions
        if i.kind.value == "order" and i.user_id in wecom
    ]
    rate = repurchase_rate(orders, window=timedelta(days=90), as_of=data.now).value
    assert section["growth"]["wecom_repurchase_rate"] == pytest.approx(rate)
    markov = attribute(data.journeys, model="markov")
    got = {c["channel"]: c["conversions"] for c in section["attribution"]["channels"]}
    assert got == pytest.approx({c.channel: c.conversions for c in markov.channels})
    assert sum(got.values()) == pytest.approx(markov.total_conversions)


def test_calendar_publishing_and_crisis(report: dict[str, Any]) -> None:
    data = make_tea_brand_data(SEED)
    assert report["Publishing calendar"]["entries"] == len(
        tea_brand_plan(data.now, tz="Asia/Shanghai").entries
    )
    published = report["Publishing on the sandbox"]["published_on_sandbox"]
    assert published == {"douyin": len(data.pieces), "wecom": len(data.pieces)}
    crisis = report["Crisis replay"]
    assert [e["severity"] for e in crisis["escalations"]] == ["minor", "major"]
    assert crisis["recovered_at"] is not None
    assert crisis["paused_posts"] > 0
