"""Crisis monitoring and response: watchlists, sentiment, detection, tiers, SLAs, recovery.

The playbook's fourth chapter ("from firefighting to immunity") as code:

* :class:`Watchlist` finds brand, product, executive and risk terms in one pass;
* :func:`default_analyzer` scores Chinese and English sentiment without downloads;
* :class:`CrisisMonitor` turns a stream of mentions into typed signals;
* :func:`assess` tiers them (minor / major / critical) with reasons;
* :func:`response_plan`, :func:`sla_status` and :func:`freeze_window` run the response
  (:class:`SlaClock` is the one SLA model, shared with the inbox of ``smmkit.audience``);
* :func:`watch_stream` and :func:`awatch_stream` feed a live stream into a monitor and
  yield :class:`TierChange` values, with bounded memory;
* :func:`recovery_status` and :func:`recovery_suggestions` close the loop.
"""

from smmkit import _public
from smmkit.crisis._normalize import fold
from smmkit.crisis.detection import ALL, DetectionConfig, WindowStats, WindowTable, detect_signals
from smmkit.crisis.monitor import CrisisMonitor
from smmkit.crisis.recovery import (
    RecoveryKind,
    RecoveryStatus,
    RecoverySuggestion,
    recovery_status,
    recovery_suggestions,
)
from smmkit.crisis.replay import ReplayStep, incident_mentions, replay_incident
from smmkit.crisis.response import (
    ActionRecord,
    Blackout,
    ResponseAction,
    ResponsePlan,
    ResponseStep,
    ResponseTimings,
    SlaItem,
    SlaReport,
    freeze_window,
    response_plan,
    sla_item,
    sla_status,
)
from smmkit.crisis.sentiment import (
    LexiconAnalyzer,
    SentimentAnalyzer,
    SentimentLabel,
    SentimentScore,
    SnowNLPAnalyzer,
    TransformersAnalyzer,
    VaderAnalyzer,
    default_analyzer,
    label_for,
)
from smmkit.crisis.sla import SlaClock, SlaState
from smmkit.crisis.stream import TierChange, awatch_stream, watch_stream
from smmkit.crisis.tiering import TieringRules, assess
from smmkit.crisis.watchlist import (
    RISK_PACKS,
    TermKind,
    Watchlist,
    WatchMatch,
    WatchTerm,
    risk_pack,
)

__all__ = [
    "ALL",
    "ActionRecord",
    "Blackout",
    "CrisisMonitor",
    "DetectionConfig",
    "LexiconAnalyzer",
    "RISK_PACKS",
    "RecoveryKind",
    "RecoveryStatus",
    "RecoverySuggestion",
    "ReplayStep",
    "ResponseAction",
    "ResponsePlan",
    "ResponseStep",
    "ResponseTimings",
    "SentimentAnalyzer",
    "SentimentLabel",
    "SentimentScore",
    "SlaClock",
    "SlaItem",
    "SlaReport",
    "SlaState",
    "SnowNLPAnalyzer",
    "TermKind",
    "TierChange",
    "TieringRules",
    "TransformersAnalyzer",
    "VaderAnalyzer",
    "WatchMatch",
    "WatchTerm",
    "Watchlist",
    "WindowStats",
    "WindowTable",
    "assess",
    "awatch_stream",
    "default_analyzer",
    "detect_signals",
    "fold",
    "freeze_window",
    "incident_mentions",
    "label_for",
    "recovery_status",
    "recovery_suggestions",
    "replay_incident",
    "response_plan",
    "risk_pack",
    "sla_item",
    "sla_status",
    "watch_stream",
]

_public.set_public_module(globals(), __all__, __name__)
