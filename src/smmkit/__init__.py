"""smmkit: typed building blocks for enterprise social-media management.

The facade re-exports the public surface; the subpackages group it by discipline
(``smmkit.models``, ``smmkit.catalog``, ``smmkit.text``, ``smmkit.content``,
``smmkit.strategy``, ``smmkit.audience``, ``smmkit.crisis``, ``smmkit.analytics``,
``smmkit.platforms``, ``smmkit.webhooks``). Models, the catalog and the errors load
with ``import smmkit``; the functions of each discipline load on first use, so a
script that only needs the catalog never imports httpx.

Example:
    >>> import smmkit
    >>> smmkit.get_platform_spec("x").text.max_length.value
    280
    >>> smmkit.measure("你好, world", "x").length
    11
"""

from __future__ import annotations

import importlib as _importlib
import typing as _typing

from smmkit._version import __version__
from smmkit.catalog import Catalog, get_platform_spec, list_platforms, override_spec
from smmkit.exceptions import (
    APIError,
    ContentRuleError,
    IllegalTransitionError,
    InvalidInputError,
    MissingExtraError,
    PermissionMissingError,
    PlatformError,
    PlatformMismatchError,
    RateLimitError,
    SmmkitError,
    UnknownPlatformError,
    WebhookError,
)
from smmkit.models import (
    KPI,
    AdaptationNote,
    ApiAccess,
    Blackout,
    BusinessModel,
    ContentPiece,
    ContentSource,
    Conversion,
    Creator,
    Crisis,
    CrisisSignal,
    CrisisStatus,
    Goal,
    Interaction,
    InteractionKind,
    Journey,
    LifecycleStage,
    MediaAsset,
    MediaKind,
    Mention,
    MetricObservation,
    Money,
    Objective,
    Period,
    Platform,
    PlatformPost,
    PlatformRole,
    Severity,
    Touchpoint,
    UGCPermission,
    User,
    UserSegment,
)

if _typing.TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from smmkit.analytics import (
        Attribution,
        HyperLogLog,
        PathSummary,
        QuantileSketch,
        attribute,
        build_funnels,
        build_utm_url,
        compare_to_baseline,
        parse_utm,
        period_over_period,
        suggest_iterations,
    )
    from smmkit.audience import (
        AudienceProfile,
        LifecycleRules,
        Segmentation,
        find_koc_candidates,
        score_kol,
        segment_users,
    )
    from smmkit.content import adapt, adapt_all, check_compliance, validate
    from smmkit.content.calendar import ContentCalendar, solar_terms
    from smmkit.content.workflow import PostWorkflow
    from smmkit.crisis import (
        CrisisMonitor,
        Watchlist,
        assess,
        default_analyzer,
        freeze_window,
        response_plan,
        sla_status,
    )
    from smmkit.platforms import (
        AsyncClient,
        AsyncPublisher,
        Client,
        Credentials,
        ManualPublisher,
        Publisher,
        RetryPolicy,
        SandboxPlatform,
        available_platforms,
        get_platform,
        register_platform,
    )
    from smmkit.strategy import allocate_budget, kpis_for, recommend_platforms, recommend_team
    from smmkit.text import extract_entities, measure, truncate
    from smmkit.webhooks import WeChatCallback, WeComCallback

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "Attribution",
            "HyperLogLog",
            "PathSummary",
            "QuantileSketch",
            "attribute",
            "build_funnels",
            "build_utm_url",
            "compare_to_baseline",
            "parse_utm",
            "period_over_period",
            "suggest_iterations",
        ),
        "smmkit.analytics",
    ),
    **dict.fromkeys(
        (
            "AudienceProfile",
            "LifecycleRules",
            "Segmentation",
            "find_koc_candidates",
            "score_kol",
            "segment_users",
        ),
        "smmkit.audience",
    ),
    **dict.fromkeys(("adapt", "adapt_all", "check_compliance", "validate"), "smmkit.content"),
    **dict.fromkeys(("ContentCalendar", "solar_terms"), "smmkit.content.calendar"),
    "PostWorkflow": "smmkit.content.workflow",
    **dict.fromkeys(
        (
            "CrisisMonitor",
            "Watchlist",
            "assess",
            "default_analyzer",
            "freeze_window",
            "response_plan",
            "sla_status",
        ),
        "smmkit.crisis",
    ),
    **dict.fromkeys(
        (
            "AsyncClient",
            "AsyncPublisher",
            "Client",
            "Credentials",
            "ManualPublisher",
            "Publisher",
            "RetryPolicy",
            "SandboxPlatform",
            "available_platforms",
            "get_platform",
            "register_platform",
        ),
        "smmkit.platforms",
    ),
    **dict.fromkeys(
        ("allocate_budget", "kpis_for", "recommend_platforms", "recommend_team"),
        "smmkit.strategy",
    ),
    **dict.fromkeys(("extract_entities", "measure", "truncate"), "smmkit.text"),
    **dict.fromkeys(("WeChatCallback", "WeComCallback"), "smmkit.webhooks"),
}


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'smmkit' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "APIError",
    "AdaptationNote",
    "ApiAccess",
    "AsyncClient",
    "AsyncPublisher",
    "Attribution",
    "AudienceProfile",
    "Blackout",
    "BusinessModel",
    "Catalog",
    "Client",
    "ContentCalendar",
    "ContentPiece",
    "ContentRuleError",
    "ContentSource",
    "Conversion",
    "Creator",
    "Credentials",
    "Crisis",
    "CrisisMonitor",
    "CrisisSignal",
    "CrisisStatus",
    "Goal",
    "HyperLogLog",
    "IllegalTransitionError",
    "Interaction",
    "InteractionKind",
    "InvalidInputError",
    "Journey",
    "KPI",
    "LifecycleRules",
    "LifecycleStage",
    "ManualPublisher",
    "MediaAsset",
    "MediaKind",
    "Mention",
    "MetricObservation",
    "MissingExtraError",
    "Money",
    "Objective",
    "PathSummary",
    "Period",
    "PermissionMissingError",
    "Platform",
    "PlatformError",
    "PlatformMismatchError",
    "PlatformPost",
    "PlatformRole",
    "PostWorkflow",
    "Publisher",
    "QuantileSketch",
    "RateLimitError",
    "RetryPolicy",
    "SandboxPlatform",
    "Segmentation",
    "Severity",
    "SmmkitError",
    "Touchpoint",
    "UGCPermission",
    "UnknownPlatformError",
    "User",
    "UserSegment",
    "Watchlist",
    "WeChatCallback",
    "WeComCallback",
    "WebhookError",
    "__version__",
    "adapt",
    "adapt_all",
    "allocate_budget",
    "assess",
    "attribute",
    "available_platforms",
    "build_funnels",
    "build_utm_url",
    "check_compliance",
    "compare_to_baseline",
    "default_analyzer",
    "extract_entities",
    "find_koc_candidates",
    "freeze_window",
    "get_platform",
    "get_platform_spec",
    "kpis_for",
    "list_platforms",
    "measure",
    "override_spec",
    "parse_utm",
    "period_over_period",
    "recommend_platforms",
    "recommend_team",
    "register_platform",
    "response_plan",
    "score_kol",
    "segment_users",
    "sla_status",
    "solar_terms",
    "suggest_iterations",
    "truncate",
    "validate",
]
