"""The demo's report folder: Markdown, raw JSON and (with the ``plot`` extra) PNG charts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smmkit.exceptions import MissingExtraError

__all__ = ["Chart", "SectionOutput", "write_report"]


@dataclass(frozen=True)
class Chart:
    """A chart to draw: ``series`` maps a legend label to one value per ``labels`` item."""

    name: str
    title: str
    kind: str  # "line" or "bar"
    labels: tuple[str, ...]
    series: dict[str, tuple[float, ...]]
    y_label: str = ""


@dataclass(frozen=True)
class SectionOutput:
    """What one demo section printed, computed and wants charted."""

    text: str
    data: Any
    charts: tuple[Chart, ...] = field(default_factory=tuple)


def _draw(chart: Chart, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise MissingExtraError("matplotlib", extra="plot") from exc
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    xs = list(range(len(chart.labels)))
    if chart.kind == "line":
        for label, values in chart.series.items():
            ax.plot(xs, values, marker="o", markersize=3, label=label)
    else:
        n = max(1, len(chart.series))
        width = 0.8 / n
        for i, (label, values) in enumerate(chart.series.items()):
            ax.bar([x + i * width - 0.4 + width / 2 for x in xs], values, width, label=label)
    ax.set_xticks(xs)
    ax.set_xticklabels(chart.labels, rotation=45 if len(xs) > 8 else 0, ha="right", fontsize=8)
    ax.set_title(chart.title)
    ax.set_ylabel(chart.y_label)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    out: Path,
    *,
    title: str,
    seed: int,
    sections: Sequence[tuple[str, SectionOutput]],
    charts: bool = True,
) -> list[Path]:
    """Write ``report.md``, ``results.json`` and ``charts/*.png`` into ``out``.

    Charts need the ``plot`` extra (matplotlib); without it the report says so and
    the Markdown and JSON are still written. Returns the files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    lines = [f"# {title}", "", f"Seed: {seed}. Every number below is computed by smmkit.", ""]
    chart_note = None
    drawn: dict[str, Path] = {}
    if charts:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            chart_note = "Charts skipped: install the plot extra (pip install 'smmkit[plot]')."
        else:
            (out / "charts").mkdir(exist_ok=True)
            for _, section in sections:
                for chart in section.charts:
                    path = out / "charts" / f"{chart.name}.png"
                    _draw(chart, path)
                    drawn[chart.name] = path
                    written.append(path)
    if chart_note:
        lines += [f"> {chart_note}", ""]
    for heading, section in sections:
        lines += [f"## {heading}", "", "```text", section.text.rstrip(), "```", ""]
        for chart in section.charts:
            if chart.name in drawn:
                lines += [f"![{chart.title}](charts/{chart.name}.png)", ""]
    report = out / "report.md"
    report.write_text("\n".join(lines), encoding="utf-8")
    results = out / "results.json"
    payload = {"seed": seed, "sections": {h: s.data for h, s in sections}}
    results.write_text(
        json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    return [report, results, *written]
