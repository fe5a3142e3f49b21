"""The one response-SLA model of smmkit: a deadline, when it was met, and its state at ``now``.

A crisis checklist step (:func:`smmkit.crisis.sla_status`) and an inbox item
(:class:`smmkit.audience.inbox.InboxState`) are both an :class:`SlaClock`: the same value,
read by the same clock. The rules, in one place:

* done by the deadline (``done_at <= due``): **done**;
* done after it: **done late**, overdue by ``done_at - due``;
* not done and ``now > due``: **breached**, overdue by ``now - due``;
* not done and ``now <= due``: **pending**.

The playbook's one hour for a minor complaint is ``ResponseTimings().minor_first_reply``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from smmkit.models._base import AwareDatetime, SmmkitModel, require_aware

__all__ = ["SlaClock", "SlaState"]


class SlaState(str, Enum):
    """Where one checklist item stands.

    Example:
        >>> SlaState.BREACHED.value
        'breached'
    """

    DONE = "done"
    DONE_LATE = "done_late"
    PENDING = "pending"
    BREACHED = "breached"


class SlaClock(SmmkitModel):
    """A deadline (``due``) and when it was met (``done_at``, ``None`` while open).

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> due = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
        >>> clock = SlaClock(due=due)
        >>> clock.state(now=due).value, clock.state(now=due + timedelta(minutes=1)).value
        ('pending', 'breached')
        >>> clock.done(due - timedelta(minutes=5)).state(now=due + timedelta(days=1)).value
        'done'
    """

    due: AwareDatetime
    done_at: AwareDatetime | None = None

    def state(self, *, now: datetime) -> SlaState:
        """The state at ``now`` (timezone-aware).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
            >>> SlaClock(due=t, done_at=t).state(now=t).value
            'done'
        """
        require_aware(now, "now")
        if self.done_at is not None:
            return SlaState.DONE_LATE if self.done_at > self.due else SlaState.DONE
        return SlaState.BREACHED if now > self.due else SlaState.PENDING

    def overdue_by(self, *, now: datetime) -> timedelta | None:
        """How late the step is (done late, or still open past ``due``); ``None`` if not.

        Example:
            >>> from datetime import datetime, timedelta, timezone
            >>> t = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
            >>> SlaClock(due=t).overdue_by(now=t + timedelta(minutes=90))
            datetime.timedelta(seconds=5400)
        """
        state = self.state(now=now)
        if state is SlaState.DONE_LATE:
            assert self.done_at is not None
            return self.done_at - self.due
        return now - self.due if state is SlaState.BREACHED else None

    def done(self, at: datetime) -> SlaClock:
        """This clock met at ``at``; the earliest completion counts (so the order of
        records does not matter).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
            >>> SlaClock(due=t).done(t).done_at == t
            True
        """
        require_aware(at, "at")
        if self.done_at is not None and self.done_at <= at:
            return self
        return SlaClock(due=self.due, done_at=at)
