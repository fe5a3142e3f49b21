"""The demo's strategy, audience and crisis sections (the tea-brand case)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from smmkit._render import render_table
from smmkit.demo._data import TeaBrandData
from smmkit.demo._report import SectionOutput
from smmkit.models import KPI, Blackout, Crisis, Goal, Money, Period

__all__ = [
    "section_crisis",
    "section_matrix_budget",
    "section_segments",
    "tea_audience",
    "tea_goal",
    "tea_playbook",
]


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


def tea_audience() -> Any:
    """The case's audience: urban office workers 25-35, mostly women, buying in store."""
    from smmkit.audience import AudienceProfile

    return AudienceProfile(
        business_model="b2c",
        regions=["china"],
        age_min=25,
        age_max=35,
        gender="female",
        locations=["urban"],
        occupations=["office workers"],
        interests=["lifestyle", "health", "tea"],
        purchase_channels=["in_store"],
    )


def section_matrix_budget(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from smmkit.strategy import allocate_budget, kpis_for, recommend_platforms, recommend_team

    goal = context.get("goal") or tea_goal()
    tree = kpis_for(goal)
    matrix = recommend_platforms(["brand", "acquisition"], tea_audience(), business_model="b2c")
    context["matrix"] = matrix
    rows = [
        [f.platform_id, f.job.value, f"{f.score:.2f}", "in the matrix"] for f in matrix.recommended
    ]
    rows += [
        [f.platform_id, f.job.value, f"{f.score:.2f}", f.left_out_because or ""]
        for f in matrix.left_out
        if f.platform_id in ("weibo", "zhihu", "wechat_oa")
    ]
    total = Money(amount=300_000, currency="CNY")
    plan = allocate_budget(total, business_model="b2c", platforms=matrix)
    team = recommend_team("b2c", scale="small")
    lines = [
        f"KPI tree for a {goal.objective.value} goal: "
        + ", ".join(k.name for k in tree.kpis()[:6])
        + (" ..." if len(tree.kpis()) > 6 else ""),
        "",
        "Platform matrix (precise positioning, not full coverage):",
        render_table(
            ["platform", "job", "score", "in the matrix / why not"],
            rows,
            align=["left", "left", "right", "left"],
        ),
        "",
        f"Budget of {total}:",
        render_table(
            ["budget item", "%", "amount"],
            [[ln.item.value, f"{ln.percent}", str(ln.amount)] for ln in plan.lines],
            align=["left", "right", "right"],
        ),
        "Per platform: " + ", ".join(f"{p} {plan.for_platform(p)}" for p in matrix.platform_ids),
        "Team: " + ", ".join(f"{r.kind.value} x{r.headcount:g}" for r in team.roles),
    ]
    return SectionOutput(
        "\n".join(lines),
        {
            "matrix": list(matrix.platform_ids),
            "left_out": {f.platform_id: f.left_out_because for f in matrix.left_out},
            "budget": {ln.item.value: str(ln.amount.amount) for ln in plan.lines},
            "team": {r.kind.value: r.headcount for r in team.roles},
        },
    )


def tea_playbook() -> Any:
    """The default B2C playbook with the case's own actions for new, active and loyal users."""
    from smmkit.audience import (
        ActionKind,
        Incentive,
        IncentiveKind,
        SegmentAction,
        default_playbook,
    )

    book = default_playbook("b2c")
    variants = {
        "new": SegmentAction(
            stage="new",
            kind=ActionKind.WELCOME_PERK,
            title="Buy one, get one on the first order",
            description="A second cup free on the first in-store order, valid 7 days.",
            incentive=Incentive(kind=IncentiveKind.BUY_ONE_GET_ONE, description="BOGO"),
            duration_days=7,
            channels=("wecom",),
        ),
        "active": SegmentAction(
            stage="active",
            kind=ActionKind.CO_CREATION,
            title="Blind tasting of new flavours",
            description="Rate three unlabeled new flavours; the winner launches next season.",
            channels=("wecom", "xiaohongshu"),
        ),
        "loyal": SegmentAction(
            stage="loyal",
            kind=ActionKind.AMBASSADOR,
            title='Store "experience officer"',
            description="A certified title, first taste of every launch, and a store event.",
            incentive=Incentive(kind=IncentiveKind.TITLE, description="experience officer"),
            channels=("wecom",),
        ),
    }
    for stage, action in variants.items():
        book = book.with_actions(stage, [action], name="tea brand")
    return book


def section_segments(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from smmkit.audience import find_koc_candidates, plan_actions, segment_users

    seg = segment_users(data.users, data.interactions, now=data.now)
    context["segmentation"] = seg
    plans = plan_actions(seg, tea_playbook())
    counts = seg.counts()
    rows = [
        [
            stage.value,
            str(counts[stage]),
            seg.rule_text(stage),
            "; ".join(p.action.title for p in plans if p.stage is stage),
        ]
        for stage in counts
    ]
    kocs = find_koc_candidates(
        seg, data.users, data.creator_posts, stages=("loyal", "active"), limit=100
    )
    koc_rows = [
        [c.user_id, f"{c.score:.2f}", str(c.posts), f"{c.engagement_quality:.3f}", f"{c.reach:g}"]
        for c in kocs[:5]
    ]
    text = "\n".join(
        [
            render_table(
                ["stage", "users", "rule", "action"], rows, align=["left", "right", "left", "left"]
            ),
            f"{len(seg.buyer_positions)} buyers scored on RFM quintiles.",
            "",
            f"KOC candidates (loyal and active users who create content): {len(kocs)}; top 5:",
            render_table(
                ["user", "score", "posts", "engagement/view", "reach"],
                koc_rows,
                align=["left", "right", "right", "right", "right"],
            ),
        ]
    )
    return SectionOutput(
        text,
        {
            "segments": {s.value: n for s, n in counts.items()},
            "actions": {p.stage.value: p.action.title for p in plans},
            "koc_candidates": [c.user_id for c in kocs],
        },
    )


def section_crisis(data: TeaBrandData, context: dict[str, Any]) -> SectionOutput:
    from datetime import timedelta

    from smmkit.content.calendar import tea_brand_plan
    from smmkit.crisis import CrisisMonitor, Watchlist, freeze_window
    from smmkit.demo._data import BRAND

    watchlist = Watchlist.for_brand(
        BRAND, aliases=("Chayi",), industries=("food_safety", "hygiene")
    )
    monitor = CrisisMonitor(watchlist)
    risk_terms = {t.name for t in watchlist.terms if t.kind.value == "risk"}
    mentions = sorted(data.mentions, key=lambda m: m.at)
    crisis: Crisis | None = None
    topic: str | None = None
    log: list[str] = []
    escalations: list[dict[str, Any]] = []
    freeze: Blackout | None = None
    recovered_at: datetime | None = None
    index = 0
    hour = data.refocus_start
    while hour < data.now and recovered_at is None:
        end = hour + timedelta(hours=1)
        batch = []
        while index < len(mentions) and mentions[index].at < end:
            batch.append(mentions[index])
            index += 1
        alerts = monitor.feed(batch)
        if topic is None:
            risky = sorted((-a.count, a.topic) for a in alerts if a.topic in risk_terms)
            topic = risky[0][1] if risky else None
        if topic is not None:
            before = crisis.severity if crisis else None
            crisis = monitor.crisis(topic, now=end, previous=crisis) or crisis
            if crisis is not None and crisis.severity is not before:
                log.append(
                    f"{end:%a %m-%d %H:%M} CST  '{topic}' is {crisis.severity.value.upper()}:"
                    f" {'; '.join(crisis.reasons[:2])}"
                )
                log += [f"    due {d.due:%a %m-%d %H:%M}  {d.action}" for d in crisis.deadlines]
                escalations.append({"at": end.isoformat(), "severity": crisis.severity.value})
                freeze = freeze_window(crisis) or freeze
            if crisis is not None and end - crisis.detected_at >= timedelta(hours=24):
                status = monitor.recovery(crisis, now=end)
                if status.recovered:
                    recovered_at = end
                    log.append(f"{end:%a %m-%d %H:%M} CST  negativity back to baseline: recovered")
                    log += [f"    next: {s.title}" for s in status.suggestions[:3]]
        hour = end
    paused = 0
    if freeze is not None:
        plan = tea_brand_plan(freeze.start, tz="Asia/Shanghai")
        paused = len(plan.freeze(freeze).paused)
        log.append(
            f"Marketing freeze {freeze.start:%m-%d %H:%M} to "
            + (f"{freeze.end:%m-%d %H:%M}" if freeze.end else "lifted by hand")
            + f": {paused} scheduled posts paused on the calendar"
        )
    text = (
        f"Watchlist: {BRAND} + {len(risk_terms)} food-safety and hygiene risk terms;"
        f" {len(data.mentions)} mentions replayed hour by hour.\n" + "\n".join(log)
    )
    return SectionOutput(
        text,
        {
            "topic": topic,
            "escalations": escalations,
            "recovered_at": recovered_at.isoformat() if recovered_at else None,
            "paused_posts": paused,
        },
    )
