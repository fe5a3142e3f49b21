"""docs/analytics.md: every ```python block runs, top to bottom, in one namespace."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "analytics.md"


def test_analytics_page_examples_run() -> None:
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) >= 8
    namespace: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, str(DOC), "exec"), namespace)
    printed = out.getvalue()
    # the page's claims show in its output
    assert "xiaohongshu impressions +200% (120000 → 360000)" in printed
    assert "low_interaction_high_lead_quality" in printed
    assert "high_interaction_low_lead_quality" in printed
    assert "[change_content_format]" in printed
    assert "[shift_platform_resources]" in printed
    assert "[add_leaderboard_and_rewards]" in printed
    assert "Move budget from weibo to zhihu." in printed
