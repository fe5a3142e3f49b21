"""Runner for the tea-brand demo: sections print as they finish."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TextIO

import smmkit
from smmkit._render import render_table
from smmkit.exceptions import InvalidInputError
from smmkit.models import KPI, Goal, Period

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    """What the demo computed, section by section (JSON-friendly values)."""

    seed: int
    sections: dict[str, Any] = field(default_factory=dict)


Section = Callable[[int], tuple[str, Any]]


def _tea_goal() -> Goal:
    return Goal(
        name="Healthy-tea brand refocus",
        objective="brand",
        business_model="b2c",
        owner="brand marketing lead",
        period=Period(start=date(2026, 9, 1), end=date(2026, 11, 30)),
        kpis=(
            KPI(name="xiaohongshu_note_exposure", target=3.0, unit="x baseline"),
            KPI(name="douyin_store_conversion", target=2.5, unit="x baseline"),
            KPI(name="wecom_repurchase_rate", target=40, unit="%"),
        ),
        description="Brand awareness plus in-store conversion for urban office workers 25-35.",
    )


def _section_models(seed: int) -> tuple[str, Any]:
    goal = _tea_goal()
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
    return "\n".join(lines), goal.model_dump(mode="json")


def _section_catalog(seed: int) -> tuple[str, Any]:
    rows = []
    data = {}
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
        data[pid] = {"role": spec.role.value, "api_access": spec.api_access.value}
    table = render_table(
        ["platform", "name", "role", "counting", "text limit", "publishing API"],
        rows,
        align=["left", "left", "left", "left", "right", "left"],
    )
    note = (
        "Xiaohongshu has no official publishing API: smmkit renders a ready-to-post package"
        " for a person to publish, then ingests the metrics export."
    )
    return f"{table}\n{note}", data


SECTIONS: tuple[tuple[str, Section], ...] = (
    ("Goal and KPIs", _section_models),
    ("Platform catalog", _section_catalog),
)


def run_demo(*, seed: int = 7, stream: TextIO | None = None) -> DemoResult:
    """Run the tea-brand case and print each section to ``stream``.

    Example:
        >>> import io
        >>> result = run_demo(seed=1, stream=io.StringIO())
        >>> "Goal and KPIs" in result.sections
        True
    """
    out = stream if stream is not None else sys.stdout
    result = DemoResult(seed=seed)
    total = len(SECTIONS)
    out.write(f"smmkit {smmkit.__version__} demo: the healthy-tea brand case (seed {seed})\n")
    for index, (title, section) in enumerate(SECTIONS, start=1):
        text, data = section(seed)
        out.write(f"\n[{index}/{total}] {title}\n{text}\n")
        result.sections[title] = data
    out.write("\nDone.\n")
    return result
