"""Response: the playbook's tiered checklists with deadlines, SLA checks and a freeze.

Minor (a single complaint): reply fast, apologise and fix privately within one hour, and
publish the outcome under the complaint so that other readers see it was handled.
Major (fermenting, cross-platform): a sincere public apology, concrete action, a
third-party endorsement, the executive on camera, a compensation and fix plan, and an
industry body invited to oversee. While a major or critical crisis is open, scheduled
marketing is frozen: :func:`freeze_window` gives the calendar the blackout period.

The playbook fixes one deadline (one hour for the minor tier); the other times are
smmkit's defaults in :class:`ResponseTimings` and can be changed per brand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

from pydantic import Field

from smmkit.crisis._checks import instance_of, items_of
from smmkit.crisis.sla import SlaClock, SlaState
from smmkit.exceptions import InvalidInputError
from smmkit.models import Blackout, Crisis, CrisisStatus, Severity, SlaDeadline
from smmkit.models._base import AwareDatetime, SmmkitModel, require_aware

__all__ = [
    "ActionRecord",
    "Blackout",
    "ResponseAction",
    "ResponsePlan",
    "ResponseStep",
    "ResponseTimings",
    "SlaClock",
    "SlaItem",
    "SlaReport",
    "SlaState",
    "freeze_window",
    "response_plan",
    "sla_item",
    "sla_status",
]


class ResponseAction(str, Enum):
    """The typed checklist items of the playbook's tiers.

    Example:
        >>> ResponseAction("first_reply") is ResponseAction.FIRST_REPLY
        True
    """

    FIRST_REPLY = "first_reply"
    PRIVATE_APOLOGY_AND_FIX = "private_apology_and_fix"
    PUBLISH_OUTCOME = "publish_outcome"
    FREEZE_MARKETING = "freeze_marketing"
    SINCERE_APOLOGY = "sincere_apology"
    CONCRETE_ACTION = "concrete_action"
    EXECUTIVE_STATEMENT = "executive_statement"
    COMPENSATION_AND_FIX_PLAN = "compensation_and_fix_plan"
    THIRD_PARTY_ENDORSEMENT = "third_party_endorsement"
    INDUSTRY_OVERSIGHT = "industry_oversight"
    REGULATOR_LIAISON = "regulator_liaison"


_DESCRIPTIONS: dict[ResponseAction, tuple[str, str, bool]] = {
    # action: (what to do, who owns it, public?)
    ResponseAction.FIRST_REPLY: (
        "Reply to the complainant quickly and transparently",
        "community",
        True,
    ),
    ResponseAction.PRIVATE_APOLOGY_AND_FIX: (
        "Apologise in a private message and fix it (refund, replacement, re-shipment)",
        "customer care",
        False,
    ),
    ResponseAction.PUBLISH_OUTCOME: (
        "Publish how it was resolved under the complaint, to settle other readers' doubts",
        "community",
        True,
    ),
    ResponseAction.FREEZE_MARKETING: (
        "Pause scheduled promotional posts and paid boosts on every platform",
        "social lead",
        False,
    ),
    ResponseAction.SINCERE_APOLOGY: (
        "Publish a sincere apology that names the problem without excuses",
        "PR",
        True,
    ),
    ResponseAction.CONCRETE_ACTION: (
        "Announce concrete action already taken (recall, suspension, investigation)",
        "operations",
        True,
    ),
    ResponseAction.EXECUTIVE_STATEMENT: (
        "The CEO (or the most senior executive) apologises on camera",
        "executive office",
        True,
    ),
    ResponseAction.COMPENSATION_AND_FIX_PLAN: (
        "Publish the compensation scheme and the technical fix plan",
        "operations",
        True,
    ),
    ResponseAction.THIRD_PARTY_ENDORSEMENT: (
        "Get an independent test, expert or authority to vouch for the fix",
        "PR",
        True,
    ),
    ResponseAction.INDUSTRY_OVERSIGHT: (
        "Invite the industry association to oversee the fix",
        "PR",
        True,
    ),
    ResponseAction.REGULATOR_LIAISON: (
        "Brief the regulator and legal counsel before the next public statement",
        "legal",
        False,
    ),
}


class ResponseTimings(SmmkitModel):
    """How long each step may take after the tier is reached.

    ``minor_*`` follow the playbook's one hour; the rest are smmkit's defaults.

    Example:
        >>> ResponseTimings().minor_first_reply
        datetime.timedelta(seconds=3600)
    """

    minor_first_reply: timedelta = timedelta(hours=1)
    minor_private_fix: timedelta = timedelta(hours=1)
    minor_publish_outcome: timedelta = timedelta(hours=1)
    major_freeze: timedelta = timedelta(0)
    major_apology: timedelta = timedelta(hours=4)
    major_action: timedelta = timedelta(hours=12)
    major_executive: timedelta = timedelta(hours=24)
    major_compensation: timedelta = timedelta(hours=48)
    major_endorsement: timedelta = timedelta(hours=72)
    major_oversight: timedelta = timedelta(hours=72)
    critical_factor: float = Field(default=0.5, gt=0, le=1)
    major_freeze_for: timedelta = timedelta(hours=72)
    critical_freeze_for: timedelta = timedelta(days=7)


class ResponseStep(SmmkitModel):
    """One checklist item with its deadline.

    Example:
        >>> c = _example_crisis()
        >>> response_plan(c, now=c.detected_at).steps[0].owner
        'community'
    """

    action: ResponseAction
    due: AwareDatetime
    description: str
    owner: str
    public: bool


class ResponsePlan(SmmkitModel):
    """The checklist for a crisis at its current tier.

    Example:
        >>> plan = response_plan(_example_crisis(), now=_example_crisis().detected_at)
        >>> [s.action.value for s in plan.steps]
        ['first_reply', 'private_apology_and_fix', 'publish_outcome']
    """

    crisis_id: str
    severity: Severity
    since: AwareDatetime
    steps: tuple[ResponseStep, ...]

    @property
    def deadlines(self) -> tuple[SlaDeadline, ...]:
        """The steps as :class:`~smmkit.models.SlaDeadline` values (for ``Crisis.deadlines``)."""
        return tuple(SlaDeadline(action=s.action.value, due=s.due) for s in self.steps)


def _steps(severity: Severity, timings: ResponseTimings) -> list[tuple[ResponseAction, timedelta]]:
    t = timings
    minor = [
        (ResponseAction.FIRST_REPLY, t.minor_first_reply),
        (ResponseAction.PRIVATE_APOLOGY_AND_FIX, t.minor_private_fix),
        (ResponseAction.PUBLISH_OUTCOME, t.minor_publish_outcome),
    ]
    if severity is Severity.MINOR:
        return minor
    major = [
        (ResponseAction.FREEZE_MARKETING, t.major_freeze),
        (ResponseAction.SINCERE_APOLOGY, t.major_apology),
        (ResponseAction.CONCRETE_ACTION, t.major_action),
        (ResponseAction.EXECUTIVE_STATEMENT, t.major_executive),
        (ResponseAction.COMPENSATION_AND_FIX_PLAN, t.major_compensation),
        (ResponseAction.THIRD_PARTY_ENDORSEMENT, t.major_endorsement),
        (ResponseAction.INDUSTRY_OVERSIGHT, t.major_oversight),
    ]
    if severity is Severity.MAJOR:
        return major
    factor = t.critical_factor
    return [(a, d * factor) for a, d in major] + [
        (ResponseAction.REGULATOR_LIAISON, t.major_apology * factor)
    ]


def response_plan(
    crisis: Crisis, *, now: datetime, timings: ResponseTimings | None = None
) -> ResponsePlan:
    """The checklist of ``crisis``'s tier, each step due relative to ``now``.

    ``now`` is when the crisis reached its current tier (pass the escalation time).

    Example:
        >>> c = _example_crisis()
        >>> plan = response_plan(c, now=c.detected_at)
        >>> str(plan.steps[0].due - c.detected_at)
        '1:00:00'
    """
    instance_of(crisis, Crisis, "crisis")
    require_aware(now, "now")
    timings = (
        ResponseTimings() if timings is None else instance_of(timings, ResponseTimings, "timings")
    )
    steps = []
    for action, delay in _steps(crisis.severity, timings):
        what, owner, public = _DESCRIPTIONS[action]
        steps.append(
            ResponseStep(
                action=action, due=now + delay, description=what, owner=owner, public=public
            )
        )
    return ResponsePlan(
        crisis_id=crisis.id, severity=crisis.severity, since=now, steps=tuple(steps)
    )


class ActionRecord(SmmkitModel):
    """A checklist item that was done, and when.

    Example:
        >>> ActionRecord(action=ResponseAction.FIRST_REPLY,
        ...              at=_example_crisis().detected_at).action.value
        'first_reply'
    """

    action: ResponseAction
    at: AwareDatetime
    note: str = ""


class SlaItem(SmmkitModel):
    """One step's state: done, done late, pending or breached (with how late).

    Example:
        >>> c = _example_crisis()
        >>> sla_status(c.model_copy(update={"deadlines": response_plan(c, now=c.detected_at)
        ...            .deadlines}), [], now=c.detected_at).items[0].state.value
        'pending'
    """

    action: ResponseAction
    due: AwareDatetime
    state: SlaState
    done_at: AwareDatetime | None = None
    overdue_by: timedelta | None = None


class SlaReport(SmmkitModel):
    """Every step's state at ``now``; ``breaches`` lists the late ones.

    Example:
        >>> c = _example_crisis()
        >>> plan = response_plan(c, now=c.detected_at)
        >>> sla_status(plan, [], now=c.detected_at).ok
        True
    """

    now: AwareDatetime
    items: tuple[SlaItem, ...]

    @property
    def breaches(self) -> tuple[SlaItem, ...]:
        """Steps not done by their deadline (done late, or still open past it)."""
        return tuple(i for i in self.items if i.state in (SlaState.BREACHED, SlaState.DONE_LATE))

    @property
    def ok(self) -> bool:
        """True when nothing is late."""
        return not self.breaches


def sla_status(
    crisis: Crisis | ResponsePlan,
    actions: Iterable[ActionRecord],
    *,
    now: datetime,
) -> SlaReport:
    """Check done actions against the deadlines.

    ``crisis`` is a :class:`ResponsePlan`, or a :class:`Crisis` whose ``deadlines`` are
    set (as the monitor sets them). ``now`` must be timezone-aware.

    Example:
        >>> from datetime import timedelta
        >>> c = _example_crisis()
        >>> plan = response_plan(c, now=c.detected_at)
        >>> done = [ActionRecord(action=ResponseAction.FIRST_REPLY,
        ...                      at=c.detected_at + timedelta(minutes=20))]
        >>> r = sla_status(plan, done, now=c.detected_at + timedelta(hours=2))
        >>> [i.state.value for i in r.items]
        ['done', 'breached', 'breached']
    """
    require_aware(now, "now")
    records = items_of(actions, ActionRecord, "actions")
    if isinstance(crisis, ResponsePlan):
        due = [(s.action, s.due) for s in crisis.steps]
    elif not isinstance(crisis, Crisis):
        raise InvalidInputError.single(
            "crisis", "must be a Crisis or a ResponsePlan", type(crisis).__name__
        )
    else:
        due = [(ResponseAction(d.action), d.due) for d in crisis.deadlines]
    first_done: dict[ResponseAction, datetime] = {}
    for record in sorted(records, key=lambda r: r.at):
        first_done.setdefault(record.action, record.at)
    items = [
        sla_item(action, SlaClock(due=deadline, done_at=first_done.get(action)), now=now)
        for action, deadline in due
    ]
    return SlaReport(now=now, items=tuple(items))


def sla_item(action: ResponseAction, clock: SlaClock, *, now: datetime) -> SlaItem:
    """``action``'s :class:`SlaItem` at ``now``, read from its :class:`SlaClock`.

    The one way a deadline becomes a report line: :func:`sla_status` and the inbox
    (:class:`smmkit.audience.inbox.InboxState`) both use it.

    Example:
        >>> from datetime import timedelta
        >>> c = _example_crisis()
        >>> clock = SlaClock(due=c.detected_at + timedelta(hours=1))
        >>> sla_item(ResponseAction.FIRST_REPLY, clock, now=c.detected_at).state.value
        'pending'
    """
    instance_of(action, ResponseAction, "action")
    instance_of(clock, SlaClock, "clock")
    return SlaItem(
        action=action,
        due=clock.due,
        state=clock.state(now=now),
        done_at=clock.done_at,
        overdue_by=clock.overdue_by(now=now),
    )


def freeze_window(crisis: Crisis, *, timings: ResponseTimings | None = None) -> Blackout | None:
    """The blackout a content calendar should respect for ``crisis`` (``None`` if minor).

    The freeze starts when the crisis reached major (its first escalation event, or
    detection) and lasts ``major_freeze_for`` (``critical_freeze_for`` when critical).
    A recovered crisis lifts it. ``platforms`` is empty: the freeze covers every platform.

    Example:
        >>> freeze_window(_example_crisis()) is None
        True
    """
    instance_of(crisis, Crisis, "crisis")
    if crisis.severity is Severity.MINOR or crisis.status is CrisisStatus.RECOVERED:
        return None
    timings = (
        ResponseTimings() if timings is None else instance_of(timings, ResponseTimings, "timings")
    )
    start = crisis.detected_at
    for event in crisis.timeline:
        if event.severity in (Severity.MAJOR, Severity.CRITICAL):
            start = event.at
            break
    length = (
        timings.critical_freeze_for
        if crisis.severity is Severity.CRITICAL
        else timings.major_freeze_for
    )
    return Blackout(
        id=f"crisis-{crisis.id}",
        start=start,
        end=start + length,
        reason=f"{crisis.severity.value} crisis {crisis.id}: pause scheduled marketing",
    )


def _example_crisis() -> Crisis:
    from datetime import timezone

    return Crisis(
        id="demo",
        topic="过敏",
        severity=Severity.MINOR,
        detected_at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc),
    )
