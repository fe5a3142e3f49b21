"""The demo's sections, in playbook order. Each uses only smmkit's public API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import smmkit
from smmkit._render import render_table
from smmkit.demo._data import TeaBrandData
from smmkit.demo._report import SectionOutput
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, Goal, Period

__all__ = ["SECTIONS", "Section"]

Section = Callable[[TeaBrandData, dict[str, Any]], SectionOutput]


def tea_goal() -> Goal:
    """The case's refocused goal: brand awareness plus in-store conversion."""
    return Goal(
        name="Healthy-tea brand refocus",
        objective="brand",
        business_model="b2c",
        owner="brand marketing lead",
        period=Period(start=date(2026, 8, 31), end=date(2026, 11, 29)),
        kpis=(
            KPI(name="xiaohongshu_note_exposure", target=200, unit="% growth"),
            KPI(name="douyin_store_conversion", target=150, unit="% growth"),
            KPI(name="wecom_repurchase_rate", target=40, unit="%"),
        ),
        description="Brand awareness plus in-store conversion for urban office workers 25-35.",
    )


def section_goal(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    goal = tea_goal()
    context["goal"] = goal
    lines = [
        f"Goal: {goal.name} ({goal.objective.value}, {goal.business_model.value.upper()}),"
        f" {goal.period.start} to {goal.period.end}, owner: {goal.owner}",
        render_table(
            ["KPI", "target", "unit"],
            [[k.name, f"{k.target:g}", k.unit] for k in goal.kpis],
            align=["left", "right", "left"],
        ),
    ]
    try:
        KPI(name="leads", target=-5, unit="count")
    except InvalidInputError as exc:
        lines.append(f"Bad input is refused with a typed error that names the field:\n  {exc}")
    return SectionOutput("\n".join(lines), goal.model_dump(mode="json"))


def section_catalog(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    rows = []
    result = {}
    for pid in ("xiaohongshu", "douyin", "wecom", "weibo"):
        spec = smmkit.get_platform_spec(pid)
        limit = spec.text.max_length
        rows.append(
            [
                pid,
                spec.name_zh or "",
                spec.role.value,
                spec.text.counting.value,
                f"{limit.value:g}" if limit else "-",
                spec.api_access.value,
            ]
        )
        result[pid] = {"role": spec.role.value, "api_access": spec.api_access.value}
    table = render_table(
        ["platform", "name", "role", "counting", "text limit", "publishing API"],
        rows,
        align=["left", "left", "left", "left", "right", "left"],
    )
    note = (
        "Xiaohongshu has no official publishing API: smmkit renders a ready-to-post package"
        " for a person to publish, then ingests the metrics export."
    )
    return SectionOutput(f"{table}\n{note}", result)


def section_data(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    text = (
        f"Synthetic, seeded data (seed {data.seed}): {len(data.users)} users,"
        f" {len(data.interactions)} interactions, {len(data.observations)} weekly metric"
        f" observations, {len(data.journeys)} journeys, {len(data.mentions)} mentions;"
        f" baseline from {data.baseline_start:%Y-%m-%d}, refocus from"
        f" {data.refocus_start:%Y-%m-%d}, now {data.now:%Y-%m-%d %H:%M %Z}."
    )
    return SectionOutput(
        text,
        {
            "users": len(data.users),
            "interactions": len(data.interactions),
            "observations": len(data.observations),
            "journeys": len(data.journeys),
            "mentions": len(data.mentions),
        },
    )


def section_calendar(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from zoneinfo import ZoneInfo

    from smmkit.content.calendar import tea_brand_plan

    shanghai = ZoneInfo("Asia/Shanghai")
    plan = tea_brand_plan(data.now)
    context["calendar"] = plan
    recurring = [e for e in plan.entries if e.series]
    one_off = [e for e in plan.entries if not e.series]
    series_rows = []
    for series in sorted({e.series for e in recurring if e.series}):
        members = [e for e in recurring if e.series == series]
        first = members[0].at.astimezone(shanghai)
        weekdays = sorted({e.at.astimezone(shanghai).weekday() for e in members})
        days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = [days[d] for d in weekdays]
        series_rows.append(
            [
                members[0].piece_id,
                members[0].platform,
                f"{first:%H:%M}",
                len(members),
                " ".join(days),
            ]
        )
    rows = [
        [
            f"{e.at.astimezone(shanghai):%a %m-%d %H:%M}",
            e.platform,
            e.title or e.piece_id,
            f"moved from {e.requested_at.astimezone(shanghai):%H:%M}" if e.requested_at else "",
        ]
        for e in one_off
    ]
    conflicts = plan.conflicts()
    text = (
        f"Next four weeks from {data.now:%Y-%m-%d %H:%M} (Asia/Shanghai): {len(plan.entries)}"
        f" posts, spacing conflicts: {len(conflicts)}\n"
        + render_table(["series", "platform", "local time", "posts", "days"], series_rows)
        + "\n\n"
        + render_table(["when", "platform", "what", "spacing"], rows)
    )
    return SectionOutput(
        text,
        {
            "entries": len(plan.entries),
            "conflicts": len(conflicts),
            "solar_terms": [e.title for e in plan.entries if e.piece_id == "solar-term-recipe"],
        },
    )


SECTIONS: tuple[tuple[str, Section], ...] = (
    ("Goal and KPIs", section_goal),
    ("Platform catalog", section_catalog),
    ("Case data", section_data),
    ("Publishing calendar", section_calendar),
)
