"""The demo's sections, in playbook order. Each uses only smmkit's public API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import smmkit
from smmkit._render import render_table
from smmkit.demo._data import TeaBrandData
from smmkit.demo._report import Chart, SectionOutput
from smmkit.demo._sections_people import (
    section_crisis,
    section_matrix_budget,
    section_segments,
    tea_goal,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI

__all__ = ["SECTIONS", "Section"]

Section = Callable[[TeaBrandData, dict[str, Any]], SectionOutput]


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

    home = "Asia/Shanghai"  # the brand's zone: the plan's wall clock and this report's
    shanghai = ZoneInfo(home)
    plan = tea_brand_plan(data.now, tz=home)
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
        f"Next four weeks from {data.now:%Y-%m-%d %H:%M} ({home}): {len(plan.entries)}"
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


def _block_total(data: TeaBrandData, metric: str, platform: str, weeks: range) -> float | None:
    from smmkit.analytics import period_values

    values = period_values(data.observations, metric=metric, platform=platform)
    chosen = [values[i].value for i in weeks if i < len(values)]
    if not chosen or any(v is None for v in chosen):
        return None
    return float(sum(v for v in chosen if v is not None))


def section_analytics(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from datetime import timedelta

    from smmkit.analytics import (
        attribute,
        build_funnels,
        compare,
        period_values,
        repurchase_rate,
        suggest_iterations,
    )

    baseline, final = range(4), range(13, 17)  # four weeks before, the last four weeks
    exposure = compare(
        _block_total(data, "impressions", "xiaohongshu", baseline),
        _block_total(data, "impressions", "xiaohongshu", final),
        metric="xiaohongshu note exposure (4 weeks)",
    )

    def conversion(weeks: range) -> float | None:
        orders = _block_total(data, "orders", "douyin", weeks)
        clicks = _block_total(data, "clicks", "douyin", weeks)
        return orders / clicks if orders is not None and clicks else None

    douyin = compare(conversion(baseline), conversion(final), metric="douyin store conversion")
    wecom_users = {u.id for u in data.users if u.platform == "wecom"}
    orders = [
        (i.user_id, i.at)
        for i in data.interactions
        if i.kind.value == "order" and i.user_id in wecom_users
    ]
    repurchase = repurchase_rate(orders, window=timedelta(days=90), as_of=data.now)
    last_weeks = [o for o in data.observations if o.period_start >= data.now - timedelta(weeks=4)]
    funnels = build_funnels([o for o in last_weeks if o.content_type])
    markov = attribute(data.journeys, model="markov")
    last_touch = attribute(data.journeys, model="last_touch")
    advice = suggest_iterations(data.observations, now=data.now, attribution=markov)
    context["attribution"] = markov

    rate = repurchase.value
    lines = [
        "Growth (computed from the weekly metrics):",
        f"  {exposure.describe()}",
        f"  {douyin.describe()}",
        "  WeCom private-domain repurchase rate (90-day window): "
        + (f"{rate:.0%}" if rate is not None else "n/a"),
        "",
        "Funnel, last four weeks (exposure -> interaction -> click -> lead -> order):",
        funnels.table(),
        *[f"  ! {insight.message}" for insight in funnels.insights],
        "",
        f"Attribution over {len(data.journeys)} journeys (Markov removal effect vs last touch):",
        render_table(
            ["channel", "last touch", "markov", "value (markov)", "removal effect"],
            [
                [
                    c.channel,
                    f"{last_touch.credit(c.channel).conversions:.1f}",
                    f"{c.conversions:.1f}",
                    f"{c.value:,.2f}",
                    f"{c.removal_effect or 0.0:.2f}",
                ]
                for c in markov.channels
            ],
            align=["left", "right", "right", "right", "right"],
        ),
        "",
        "Iteration advice:",
    ]
    for rec in advice:
        lines.append(f"  [{rec.kind.value}] {rec.action}")
        lines += [f"      evidence: {ev.summary}" for ev in rec.evidence]
    weekly = {
        p: period_values(data.observations, metric="impressions", platform=p)
        for p in ("xiaohongshu", "douyin", "wecom")
    }
    labels = tuple(f"{v.start:%m-%d}" for v in weekly["xiaohongshu"])
    charts = (
        Chart(
            name="weekly_exposure",
            title="Weekly exposure by platform",
            kind="line",
            labels=labels,
            series={p: tuple(v.value or 0.0 for v in vals) for p, vals in weekly.items()},
            y_label="impressions",
        ),
        Chart(
            name="attribution",
            title="Conversions credited by channel",
            kind="bar",
            labels=tuple(c.channel for c in markov.channels),
            series={
                "markov": tuple(c.conversions for c in markov.channels),
                "last touch": tuple(
                    last_touch.credit(c.channel).conversions for c in markov.channels
                ),
            },
            y_label="conversions",
        ),
    )
    return SectionOutput(
        "\n".join(lines),
        {
            "growth": {
                "xiaohongshu_exposure": exposure.model_dump(mode="json"),
                "douyin_conversion": douyin.model_dump(mode="json"),
                "wecom_repurchase_rate": rate,
            },
            "funnels": funnels.model_dump(mode="json"),
            "attribution": markov.model_dump(mode="json"),
            "advice": [r.model_dump(mode="json") for r in advice],
        },
        charts,
    )


def section_content(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from smmkit.content import adapt_all, check_compliance

    matrix = ("xiaohongshu", "douyin", "wecom")
    rows = []
    result: dict[str, Any] = {}
    example = []
    for piece in data.pieces:
        adapted = adapt_all(piece, matrix, utm_campaign=piece.campaign)
        result[piece.id] = {}
        for platform in matrix:
            post = adapted.get(platform)
            error = next((e.message for e in adapted.errors if e.platform == platform), None)
            notes = [n.code for n in post.notes] if post else []
            rows.append(
                [
                    piece.id,
                    piece.source.value.upper(),
                    platform,
                    "ok" if post else f"refused: {error}",
                    ", ".join(notes[:4]) + (" ..." if len(notes) > 4 else ""),
                ]
            )
            result[piece.id][platform] = notes if post else str(error)
        xhs = adapted.get("xiaohongshu")
        if piece.id == data.pieces[0].id and xhs is not None:
            post = xhs
            example = [
                "Xiaohongshu version of the nutritionist piece:",
                f"  title: {post.title}",
                *("  " + line for line in post.body.splitlines()),
            ]
    lint = check_compliance("全网最好喝的冷泡茶，第一品牌！", "xiaohongshu")
    text = "\n".join(
        [
            render_table(["piece", "source", "platform", "result", "notes (what changed)"], rows),
            "",
            *example,
            "",
            "Compliance lint of an ad line '全网最好喝的冷泡茶，第一品牌！':",
            *(f"  {issue.code}: {issue.message}" for issue in lint),
        ]
    )
    return SectionOutput(text, result)


def section_publishing(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from smmkit.content import adapt
    from smmkit.platforms import ManualPublisher, Publisher, SandboxPlatform, SimulatedClock

    clock = SimulatedClock(start=data.now)
    sandboxes = {
        p: SandboxPlatform(spec=p, clock=clock, seed=data.seed) for p in ("douyin", "wecom")
    }
    with sandboxes["douyin"].client() as douyin, sandboxes["wecom"].client() as wecom:
        clients = {"douyin": douyin, "wecom": wecom}
        batch = Publisher(clients).publish_many(data.pieces)
        clock.advance(48 * 3600)  # two simulated days of engagement
        engagement: dict[str, dict[str, float]] = {}
        for r in batch.succeeded:
            assert r.receipt is not None and r.receipt.post_id is not None
            for m in clients[r.platform].metrics(r.receipt.post_id):
                per = engagement.setdefault(r.platform, {})
                per[m.metric] = per.get(m.metric, 0.0) + m.value
    manual = ManualPublisher("xiaohongshu")
    packages = [manual.render(adapt(piece, "xiaohongshu")) for piece in data.pieces]
    counted = {p: sb.published_count for p, sb in sandboxes.items()}
    lines = [
        f"Sandbox publish_many: {batch.summary()}; counted on the sandbox side: {counted}",
        render_table(
            ["platform", "impressions", "likes", "comments", "shares"],
            [
                [p, *(f"{per.get(k, 0):g}" for k in ("impressions", "likes", "comments", "shares"))]
                for p, per in sorted(engagement.items())
            ],
            align=["left", "right", "right", "right", "right"],
        ),
        "(engagement after 48 simulated hours)",
        "",
        f"Xiaohongshu has no publishing API: {len(packages)} ready-to-post packages rendered,"
        f" each with a {len(packages[0].checklist)}-item checklist, e.g.:",
        *(f"  - [ ] {item}" for item in packages[0].checklist[:4]),
    ]
    return SectionOutput(
        "\n".join(lines),
        {
            "summary": batch.summary(),
            "published_on_sandbox": counted,
            "engagement": engagement,
            "manual_packages": len(packages),
        },
    )


SECTIONS: tuple[tuple[str, Section], ...] = (
    ("Goal and KPIs", section_goal),
    ("Platform catalog", section_catalog),
    ("Case data", section_data),
    ("Platform matrix, budget and team", section_matrix_budget),
    ("Lifecycle segments and KOC candidates", section_segments),
    ("Content adapted per platform", section_content),
    ("Publishing calendar", section_calendar),
    ("Publishing on the sandbox", section_publishing),
    ("Crisis replay", section_crisis),
    ("Analytics: growth, funnel, attribution, advice", section_analytics),
)
