"""What a run of the scheduling runner reports: the values, and each entry's key.

:class:`DispatchReport` and the per-entry records are frozen values (they pickle, dump
to JSON and compare); ``_dispatch`` fills them in.
"""

from __future__ import annotations

import hashlib
from enum import Enum

from smmkit.content.calendar import CalendarEntry, ContentCalendar
from smmkit.models._base import AwareDatetime, SmmkitModel, as_utc
from smmkit.platforms._checks import require
from smmkit.platforms._results import ErrorReport, PublishReceipt

__all__ = [
    "DispatchReport",
    "DispatchedEntry",
    "FailedEntry",
    "SkipReason",
    "SkippedEntry",
    "entry_idempotency_key",
]


class SkipReason(str, Enum):
    """Why the runner left an entry alone this time.

    Example:
        >>> SkipReason("crisis_freeze").value
        'crisis_freeze'
    """

    NOT_DUE = "not_due"  # its time is after now (and it is not handed over natively)
    BLACKOUT = "blackout"  # paused by, or inside, a blackout (at its time or now)
    CRISIS_FREEZE = "crisis_freeze"  # the same, for a crisis freeze (smmkit.crisis.freeze_window)
    APPROVAL_MISSING = "approval_missing"  # draft, in review or changes requested
    NOT_SCHEDULED = "not_scheduled"  # approved but not put in the queue (or unscheduled)
    FAILED_BEFORE = "failed_before"  # an earlier run marked it failed: reschedule to retry
    IN_FLIGHT = "in_flight"  # publishing: held by a platform's scheduler, or another runner
    TOO_LATE = "too_late"  # more than max_delay late: a person decides
    NO_CLIENT = "no_client"  # no client for its platform and account
    PIECE_MISSING = "piece_missing"  # no content: not on the entry, not in pieces


class _EntryFacts(SmmkitModel):
    entry_id: str
    piece_id: str
    platform: str
    account: str
    at: AwareDatetime


class SkippedEntry(_EntryFacts):
    """An entry the runner did not publish, and why (``reason``, in words ``detail``).

    Example:
        >>> from datetime import datetime, timezone
        >>> SkippedEntry(entry_id="e1", piece_id="p", platform="x", account="default",
        ...     at=datetime(2026, 1, 1, tzinfo=timezone.utc), reason="no_client",
        ...     detail="no client for x").reason.value
        'no_client'
    """

    reason: SkipReason
    detail: str


class DispatchedEntry(_EntryFacts):
    """An entry handed to its platform: live (``published``) or held by the platform's
    own scheduler (``receipt.scheduled_at``).

    Example:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> DispatchedEntry(entry_id="e1", piece_id="p", platform="x", account="default",
        ...     at=t, idempotency_key="k", receipt=PublishReceipt(platform="x", post_id="1",
        ...     status="published")).receipt.post_id
        '1'
    """

    idempotency_key: str
    receipt: PublishReceipt


class FailedEntry(_EntryFacts):
    """An entry whose publish failed: the typed error, and whether the next run retries.

    ``retry`` is true when trying again is safe and may work (a throttle, an outage, an
    outcome the platform's idempotency makes safe to repeat): the entry stays
    ``scheduled``. Otherwise it is marked ``failed`` and waits for a person.

    Example:
        >>> from datetime import datetime, timezone
        >>> FailedEntry(entry_id="e1", piece_id="p", platform="x", account="default",
        ...     at=datetime(2026, 1, 1, tzinfo=timezone.utc), idempotency_key="k",
        ...     error=ErrorReport(error_type="ServerError", message="503"), retry=True).retry
        True
    """

    idempotency_key: str | None = None
    error: ErrorReport
    retry: bool = False


class DispatchReport(SmmkitModel):
    """What one run of the scheduling runner did, and the calendar it leaves.

    ``published`` went live, ``scheduled`` were handed to a platform's own scheduler,
    ``failed`` carry their typed error, ``skipped`` say why they wait, ``settled`` are
    natively scheduled entries whose time has passed, now marked published. Pass
    ``calendar`` to the next run: it publishes nothing twice.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> DispatchReport(now=t, calendar=ContentCalendar()).summary()
        {'published': 0, 'scheduled': 0, 'failed': 0, 'skipped': 0, 'settled': 0}
    """

    now: AwareDatetime
    calendar: ContentCalendar
    published: tuple[DispatchedEntry, ...] = ()
    scheduled: tuple[DispatchedEntry, ...] = ()
    failed: tuple[FailedEntry, ...] = ()
    skipped: tuple[SkippedEntry, ...] = ()
    settled: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no publish failed (skips are not failures)."""
        return not self.failed

    @property
    def receipts(self) -> dict[str, PublishReceipt]:
        """The receipt of each published or natively scheduled entry, by entry id."""
        return {d.entry_id: d.receipt for d in (*self.published, *self.scheduled)}

    @property
    def failures(self) -> dict[str, ErrorReport]:
        """The error of each failed entry, by entry id."""
        return {f.entry_id: f.error for f in self.failed}

    def skipped_for(self, reason: SkipReason | str) -> tuple[str, ...]:
        """The ids of the entries skipped for ``reason``.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc)
            >>> DispatchReport(now=t, calendar=ContentCalendar()).skipped_for("not_due")
            ()
        """
        wanted = SkipReason(reason)
        return tuple(s.entry_id for s in self.skipped if s.reason is wanted)

    def summary(self) -> dict[str, int]:
        """Counts of each outcome."""
        return {
            "published": len(self.published),
            "scheduled": len(self.scheduled),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "settled": len(self.settled),
        }


def entry_idempotency_key(entry: CalendarEntry) -> str:
    """The idempotency key of an entry's publish: from its id, platform, account and time.

    The same entry always gets the same key, so a run repeated after a crash sends the
    key the platform has seen (safe where it keeps keys or checks duplicates); an entry
    moved to another time is another publish.

    Example:
        >>> from datetime import datetime, timezone
        >>> e = CalendarEntry(id="e1", piece_id="p", platform="mastodon",
        ...                   at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
        >>> key = entry_idempotency_key(e)
        >>> len(key), key == entry_idempotency_key(e.model_copy(update={"title": "New"}))
        (32, True)
        >>> key == entry_idempotency_key(e.model_copy(update={"account": "brand-b"}))
        False
    """
    require(entry, "entry", CalendarEntry, "a CalendarEntry")
    digest = hashlib.sha256(b"smmkit.calendar-entry\x00")
    for part in (entry.id, entry.platform, entry.account, as_utc(entry.at).isoformat()):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:32]
