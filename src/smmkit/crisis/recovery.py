"""Recovery: is negativity back to its baseline, and what rebuilds trust.

The playbook's repair phase has two halves: **content** that shows responsibility through
a story (a traceability documentary: "farm to table") and **interaction** that lets
people check for themselves (an open-factory live stream with Q&A). A crisis counts as
recovered when the negative share has stayed within ``tolerance`` of its pre-crisis
baseline for ``windows`` consecutive windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from pydantic import Field

from smmkit.crisis._checks import integer, items_of, optional_str, real
from smmkit.crisis.detection import WindowStats
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, PlatformId, SmmkitModel

__all__ = [
    "RecoveryKind",
    "RecoveryStatus",
    "RecoverySuggestion",
    "recovery_status",
    "recovery_suggestions",
]


class RecoveryKind(str, Enum):
    """The two halves of the playbook's repair phase.

    Example:
        >>> [k.value for k in RecoveryKind]
        ['content', 'interaction']
    """

    CONTENT = "content"
    INTERACTION = "interaction"


class RecoverySuggestion(SmmkitModel):
    """A piece of recovery content or interaction to plan.

    Example:
        >>> recovery_suggestions()[1].title
        'Traceability documentary'
    """

    kind: RecoveryKind
    title: str
    description: str
    platforms: tuple[PlatformId, ...] = ()


_SUGGESTIONS: dict[str, tuple[RecoverySuggestion, ...]] = {
    "default": (
        RecoverySuggestion(
            kind=RecoveryKind.CONTENT,
            title="Responsibility story",
            description="A user or employee story that shows what changed and who answers"
            " for it; told once, honestly, without advertising.",
            platforms=("wechat_oa", "weibo", "xiaohongshu"),
        ),
        RecoverySuggestion(
            kind=RecoveryKind.CONTENT,
            title="Traceability documentary",
            description="Film the supply chain from source to shelf (e.g. a farm-direct"
            " traceability documentary) and show the safety controls step by step.",
            platforms=("douyin", "bilibili", "wechat_channels"),
        ),
        RecoverySuggestion(
            kind=RecoveryKind.INTERACTION,
            title="Trust-rebuilding plan: open factory live stream",
            description="Invite users into a transparent factory tour streamed live; they"
            " ask questions online and get answers (and a personalised plan) on air.",
            platforms=("douyin", "wechat_channels", "bilibili"),
        ),
        RecoverySuggestion(
            kind=RecoveryKind.INTERACTION,
            title="Follow up with every complainant",
            description="Check back privately with each affected user and publish, with"
            " consent, how their case ended.",
            platforms=("wecom",),
        ),
    ),
    "cosmetics": (
        RecoverySuggestion(
            kind=RecoveryKind.CONTENT,
            title="Dermatologist-led ingredient and test report",
            description="Have an independent dermatologist walk through the formula, the"
            " patch-test results and who should not use the product.",
            platforms=("xiaohongshu", "zhihu", "bilibili"),
        ),
        RecoverySuggestion(
            kind=RecoveryKind.INTERACTION,
            title="Open lab live stream with skin Q&A",
            description="Stream the lab and the batch checks; answer skin questions live"
            " and offer free patch-test samples.",
            platforms=("douyin", "xiaohongshu"),
        ),
    ),
    "food_safety": (
        RecoverySuggestion(
            kind=RecoveryKind.CONTENT,
            title="Farm-to-table traceability documentary",
            description="Show sourcing, storage and kitchen hygiene with batch numbers"
            " users can look up.",
            platforms=("douyin", "bilibili", "wechat_channels"),
        ),
    ),
}


def recovery_suggestions(category: str | None = None) -> tuple[RecoverySuggestion, ...]:
    """The playbook's recovery content and interaction, plus industry specifics.

    Example:
        >>> [s.kind.value for s in recovery_suggestions()][:3]
        ['content', 'content', 'interaction']
        >>> len(recovery_suggestions("cosmetics")) > len(recovery_suggestions())
        True
    """
    optional_str(category, "category")
    extra = _SUGGESTIONS.get(category or "", ()) if category != "default" else ()
    return extra + _SUGGESTIONS["default"]


class RecoveryStatus(SmmkitModel):
    """Whether negativity is back to baseline, with the numbers that say so.

    Example:
        >>> recovery_status([], baseline=0.1).recovered
        False
    """

    recovered: bool
    baseline: float = Field(ge=0, le=1)
    current: float = Field(ge=0, le=1)
    peak: float = Field(ge=0, le=1)
    since: AwareDatetime | None = None
    suggestions: tuple[RecoverySuggestion, ...] = ()


def recovery_status(
    stats: Sequence[WindowStats],
    *,
    baseline: float,
    tolerance: float = 0.05,
    windows: int = 3,
    min_volume: int = 1,
    category: str | None = None,
) -> RecoveryStatus:
    """Check whether the negative share is back within ``tolerance`` of ``baseline``.

    ``stats`` are the windows since the crisis began (e.g. ``monitor.window_stats()``);
    windows with fewer than ``min_volume`` mentions are skipped. ``since`` is the start
    of the first window of the final calm run.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t0 = datetime(2026, 3, 2, tzinfo=timezone.utc)
        >>> rows = [WindowStats(start=t0 + timedelta(hours=h), topic="*", volume=20, negative=n)
        ...         for h, n in enumerate([12, 8, 3, 2, 2])]
        >>> s = recovery_status(rows, baseline=0.1)
        >>> s.recovered, s.since.hour
        (True, 2)
    """
    baseline = real(baseline, "baseline")
    tolerance = real(tolerance, "tolerance")
    windows = integer(windows, "windows")
    min_volume = integer(min_volume, "min_volume")
    optional_str(category, "category")
    if not 0 <= baseline <= 1:
        raise InvalidInputError.single("baseline", "must be a share between 0 and 1", baseline)
    if tolerance < 0:
        raise InvalidInputError.single("tolerance", "must not be negative", tolerance)
    if windows < 1:
        raise InvalidInputError.single("windows", "must be at least 1", windows)
    rows = [s for s in items_of(stats, WindowStats, "stats") if s.volume >= min_volume]
    if not rows:
        return RecoveryStatus(recovered=False, baseline=baseline, current=0.0, peak=0.0)
    calm_from: datetime | None = None
    calm_run = 0
    for row in rows:
        if row.negativity <= baseline + tolerance:
            if calm_run == 0:
                calm_from = row.start
            calm_run += 1
        else:
            calm_run = 0
            calm_from = None
    recovered = calm_run >= windows
    return RecoveryStatus(
        recovered=recovered,
        baseline=baseline,
        current=rows[-1].negativity,
        peak=max(r.negativity for r in rows),
        since=calm_from if recovered else None,
        suggestions=recovery_suggestions(category),
    )
