"""Plain-text rendering shared by the CLI, the demo and ``__repr__`` helpers.

Column widths count East Asian wide characters as two cells, so tables that mix
Chinese and Latin text line up in a terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["display_width", "render_table"]


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide and full-width characters count two.

    Example:
        >>> display_width("微博"), display_width("x")
        (4, 1)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, align: str) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if align == "right" else text + gap


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    align: Sequence[str] | None = None,
) -> str:
    """Render rows as an aligned text table with a header rule.

    ``align`` gives ``"left"`` or ``"right"`` per column (default: left).

    Example:
        >>> print(render_table(["id", "n"], [["x", 1], ["微博", 22]], align=["left", "right"]))
        id     n
        ----  --
        x      1
        微博  22
    """
    cells = [[str(c) for c in row] for row in rows]
    ncols = len(headers)
    aligns = list(align) if align else ["left"] * ncols
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    lines = ["  ".join(_pad(h, widths[i], aligns[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(_pad(c, widths[i], aligns[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)
