"""The demo's sections, in playbook order. Each uses only smmkit's public API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import smmkit
from smmkit._render import render_table
from smmkit.demo._data import TeaBrandData
from smmkit.demo._report import Chart, SectionOutput
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, Blackout, Crisis, Goal, Money, Period

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
        plan = tea_brand_plan(freeze.start)
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
