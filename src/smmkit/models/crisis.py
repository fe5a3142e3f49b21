"""Crises: the signals that reveal one, its tier, its status and its deadlines."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from smmkit.models._base import AwareDatetime, SmmkitModel

__all__ = [
    "Crisis",
    "CrisisEvent",
    "CrisisSignal",
    "CrisisStatus",
    "Mention",
    "Severity",
    "SignalKind",
    "SlaDeadline",
]


class Severity(str, Enum):
    """The playbook's tiers: minor (a single complaint), major (spreading), critical."""

    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class CrisisStatus(str, Enum):
    """Where the response stands."""

    DETECTED = "detected"
    RESPONDING = "responding"
    CONTAINED = "contained"
    RECOVERED = "recovered"


class SignalKind(str, Enum):
    """What kind of evidence a signal is."""

    COMPLAINT = "complaint"
    NEGATIVITY = "negativity"
    VOLUME_SPIKE = "volume_spike"
    RISK_TERM_SURGE = "risk_term_surge"
    CROSS_PLATFORM_SPREAD = "cross_platform_spread"


class Mention(SmmkitModel):
    """A post or comment that mentions the brand, as a monitor sees it.

    Example:
        >>> from datetime import datetime, timezone
        >>> Mention(id="m1", platform="weibo", text="用了就过敏",
        ...         at=datetime(2026, 3, 1, tzinfo=timezone.utc)).platform
        'weibo'
    """

    id: str = Field(min_length=1)
    platform: str
    text: str
    at: AwareDatetime
    author: str | None = None
    reach: int = Field(default=0, ge=0)
    url: str | None = None


class CrisisSignal(SmmkitModel):
    """One piece of evidence that something is going wrong, with what shows it."""

    kind: SignalKind
    at: AwareDatetime
    topic: str
    platforms: tuple[str, ...] = ()
    score: float = 0.0
    count: int = Field(default=0, ge=0)
    baseline: float | None = None
    evidence: tuple[str, ...] = ()
    description: str = ""


class CrisisEvent(SmmkitModel):
    """A line in the crisis timeline: who did what, when."""

    at: AwareDatetime
    what: str
    actor: str | None = None
    status: CrisisStatus | None = None
    severity: Severity | None = None


class SlaDeadline(SmmkitModel):
    """An action that must be done by ``due``."""

    action: str
    due: AwareDatetime


class Crisis(SmmkitModel):
    """A crisis as assessed: tier, status, evidence, reasons and deadlines."""

    id: str = Field(min_length=1)
    topic: str
    severity: Severity
    status: CrisisStatus = CrisisStatus.DETECTED
    detected_at: AwareDatetime
    signals: tuple[CrisisSignal, ...] = ()
    platforms: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    timeline: tuple[CrisisEvent, ...] = ()
    deadlines: tuple[SlaDeadline, ...] = ()
