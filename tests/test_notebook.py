"""Notebook friendliness: result collections become pandas frames and render as HTML."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from smmkit.analytics import PathSummary, attribute, build_funnels
from smmkit.audience import segment_users
from smmkit.models import MetricObservation
from smmkit.platforms import Publisher, SandboxPlatform, SimulatedClock

pd = pytest.importorskip("pandas")  # the test extra installs it; this only guards users

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def test_attribution_frame_and_html() -> None:
    att = attribute(
        [PathSummary(path=("zhihu", "wecom"), conversions=4, value=200)], model="linear"
    )
    frame = att.to_frame()
    assert list(frame["channel"]) == [c.channel for c in att.channels]
    assert frame["conversions"].sum() == pytest.approx(4)
    assert "<table>" in att._repr_html_()


def test_funnel_frame() -> None:
    obs = [
        MetricObservation(
            metric=m, value=v, platform="zhihu", period_start=T0, period_end=T1, content_type="tech"
        )
        for m, v in (("views", 1000), ("interactions", 50), ("leads", 10), ("orders", 3))
    ]
    report = build_funnels(obs)
    frame = report.to_frame()
    assert frame.loc[0, "platform"] == "zhihu"
    assert frame.loc[0, "lead"] == 10
    assert "zhihu" in report._repr_html_()


def test_batch_frame() -> None:
    from smmkit import ContentPiece

    sandbox = SandboxPlatform(spec="mastodon", clock=SimulatedClock())
    with sandbox.client() as client:
        batch = Publisher({"mastodon": client}).publish_many(
            [ContentPiece(id=f"p{i}", body=f"tea {i}") for i in range(3)]
        )
    frame = batch.to_frame()
    assert frame["ok"].all()
    assert sorted(frame["piece_id"]) == ["p0", "p1", "p2"]
    assert "publish_many" in batch._repr_html_()


def test_segmentation_frame() -> None:
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    t = now.timestamp()
    seg = segment_users([("a", t - 400 * 86400)], [("a", "order", t - 86400, 30.0)], now=now)
    frame = seg.to_frame()
    assert list(frame["user_id"]) == ["a"]
