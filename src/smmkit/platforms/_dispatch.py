"""The scheduling runner's pure half: what is due, why the rest waits, and what a run did.

:func:`smmkit.platforms.dispatch_due` and :func:`~smmkit.platforms.adispatch_due` share
everything here and differ only in how they call the clients. A :class:`DispatchRun`
reads a calendar at ``now`` into jobs (entries to publish) and skips (entries that wait,
each with its :class:`SkipReason`), turns each job into a post, records each publish
result, and writes the results back into a new calendar through the approval workflow
(``scheduled → publishing → published``, or ``→ failed``). No I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from smmkit.content.calendar import Blackout, CalendarEntry, ContentCalendar
from smmkit.content.workflow import PostState, PostWorkflow
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import as_utc, require_aware
from smmkit.models.content import ContentPiece, PlatformPost
from smmkit.platforms._adapter import IdempotencyMode, PlatformAdapter
from smmkit.platforms._dispatch_report import (
    DispatchedEntry,
    DispatchReport,
    FailedEntry,
    SkippedEntry,
    SkipReason,
    entry_idempotency_key,
)
from smmkit.platforms._flow import _spec_or_none
from smmkit.platforms._results import ErrorReport, PublishResult

__all__ = [
    "DEFAULT_ACTOR",
    "DEFAULT_NATIVE_LEAD",
    "DispatchRun",
    "Job",
    "client_table",
    "native_lead",
    "piece_table",
]

DEFAULT_ACTOR = "smmkit.dispatch"
"""Who the runner's workflow steps are recorded as (``actor=`` changes it)."""
DEFAULT_NATIVE_LEAD = timedelta(hours=24)
"""How early ``native_schedule=True`` hands a post over to a platform's own scheduler."""
NATIVE_MARK = "native schedule: "
"""How the runner's ``publishing`` step of a natively scheduled entry starts its reason."""
CLOCK_SKEW = timedelta(minutes=1)
"""Kept on top of a platform's shortest scheduling lead: our clock and the server's differ."""
# After an unknown outcome, the next run sends the same key (KEY), the same request
# (DUPLICATE_CHECK) or reads back before posting (READ_BACK): retrying is safe.
_SAFE_TO_RETRY = frozenset(
    {IdempotencyMode.KEY, IdempotencyMode.DUPLICATE_CHECK, IdempotencyMode.READ_BACK}
)
_NOT_APPROVED = frozenset({PostState.DRAFT, PostState.IN_REVIEW, PostState.CHANGES_REQUESTED})
_DONE = frozenset({PostState.PUBLISHED, PostState.RETRACTED})

ClientKey = str | tuple[str, str]


class _Driver(Protocol):
    @property
    def adapter(self) -> PlatformAdapter: ...


C = TypeVar("C", bound=_Driver)


# -- inputs --------------------------------------------------------------------------


def client_table(
    clients: Mapping[ClientKey, C], driver: type[Any], other: str
) -> tuple[dict[str, C], dict[tuple[str, str], C]]:
    """``clients`` split into platform keys and (platform, account) keys, checked."""
    if not isinstance(clients, Mapping):
        raise InvalidInputError.single(
            "clients", "must map a platform id or a (platform, account) pair to a client"
        )
    bare: dict[str, C] = {}
    pairs: dict[tuple[str, str], C] = {}
    for key, client in clients.items():
        where = f"clients[{key!r}]"
        if isinstance(key, str) and key:
            platform = key
        elif (
            isinstance(key, tuple)
            and len(key) == 2
            and all(isinstance(part, str) and part for part in key)
        ):
            platform = key[0]
        else:
            raise InvalidInputError.single(
                "clients", "keys are a platform id or a (platform, account) pair", key
            )
        if not isinstance(client, driver):
            raise InvalidInputError.single(
                where,
                f"must be an instance of {driver.__name__} (for this kind of client, call {other})",
                type(client).__name__,
            )
        adapter: PlatformAdapter = client.adapter
        if adapter.publishes_to != platform:
            raise InvalidInputError.single(
                where, f"publishes to {adapter.publishes_to!r}, not {platform!r}", key
            )
        if isinstance(key, tuple):
            pairs[(key[0], key[1])] = client
        else:
            bare[key] = client
    return bare, pairs


def piece_table(
    pieces: Mapping[str, ContentPiece] | Iterable[ContentPiece],
) -> dict[str, ContentPiece]:
    """``pieces`` by id (a mapping is taken as it is), checked."""
    if isinstance(pieces, ContentPiece):
        pieces = (pieces,)
    if isinstance(pieces, (str, bytes)) or not isinstance(pieces, Iterable):
        raise InvalidInputError.single(
            "pieces", "must be ContentPieces or a mapping of ids to them", type(pieces).__name__
        )
    items = list(pieces.items()) if isinstance(pieces, Mapping) else None
    table: dict[str, ContentPiece] = {}
    if items is None:
        for number, piece in enumerate(pieces):
            if not isinstance(piece, ContentPiece):
                raise InvalidInputError.single(
                    f"pieces.{number}", "must be a ContentPiece", type(piece).__name__
                )
            if table.get(piece.id, piece) != piece:
                raise InvalidInputError.single(
                    f"pieces.{number}", "another piece has this id", piece.id
                )
            table[piece.id] = piece
        return table
    for key, piece in items:
        if not isinstance(piece, ContentPiece):
            raise InvalidInputError.single(
                f"pieces[{key!r}]", "must be a ContentPiece", type(piece).__name__
            )
        table[key] = piece
    return table


def native_lead(value: bool | timedelta) -> timedelta | None:
    """The lead of ``native_schedule=`` (``None`` when off), checked."""
    if value is False:
        return None
    if value is True:
        return DEFAULT_NATIVE_LEAD
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    raise InvalidInputError.single(
        "native_schedule", "must be True, False or a positive timedelta", value
    )


# -- the run -------------------------------------------------------------------------


@dataclass(frozen=True)
class Job(Generic[C]):
    """An entry to publish now (or to hand over natively) with its client."""

    entry: CalendarEntry
    client: C
    native: bool
    key: str


def _stamp(workflow: PostWorkflow, now: datetime) -> datetime:
    # A workflow's steps are in time order; a run with an earlier now (a replay) must
    # still append after the last step.
    if workflow.history and workflow.history[-1].at > now:
        return workflow.history[-1].at
    return now


def _is_crisis(blackout_id: str) -> bool:
    return blackout_id.startswith("crisis-")  # smmkit.crisis.freeze_window's ids


@dataclass
class DispatchRun(Generic[C]):
    """One run over a calendar at ``now``: its jobs, skips and results.

    Build it with :meth:`plan`; the drivers call :meth:`post_for` and :meth:`record`
    for each job, then :meth:`report`.
    """

    calendar: ContentCalendar
    now: datetime
    bare: dict[str, C]
    pairs: dict[tuple[str, str], C]
    pieces: dict[str, ContentPiece]
    lead: timedelta | None
    max_delay: timedelta | None
    adapt: Callable[..., PlatformPost]
    adapt_options: dict[str, Any]
    actor: str
    jobs: list[Job[C]] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    results: dict[str, DispatchedEntry | FailedEntry] = field(default_factory=dict)

    def plan(self) -> DispatchRun[C]:
        """Sort every entry of the calendar into a job, a skip or a settlement."""
        require_aware(self.now, "now")
        delay = self.max_delay
        if delay is not None and (not isinstance(delay, timedelta) or delay < timedelta(0)):
            raise InvalidInputError.single("max_delay", "must be a timedelta >= 0", delay)
        if not isinstance(self.actor, str) or not self.actor.strip():
            raise InvalidInputError.single("actor", "must not be empty", self.actor)
        for entry in self.calendar.entries:
            self._sort(entry)
        return self

    def client_for(self, entry: CalendarEntry) -> C | None:
        """The client of ``(platform, account)``, else the platform's (for its account)."""
        exact = self.pairs.get((entry.platform, entry.account))
        if exact is not None:
            return exact
        bare = self.bare.get(entry.platform)
        if bare is None:
            return None
        return bare if entry.account in ("default", bare.adapter.account) else None

    def _skip(self, entry: CalendarEntry, reason: SkipReason, detail: str) -> None:
        self.skipped.append(
            SkippedEntry(
                entry_id=entry.id,
                piece_id=entry.piece_id,
                platform=entry.platform,
                account=entry.account,
                at=entry.at,
                reason=reason,
                detail=detail,
            )
        )

    def _sort(self, entry: CalendarEntry) -> None:
        state = entry.state
        if state in _DONE:
            return
        at, now = as_utc(entry.at), as_utc(self.now)
        if state is PostState.PUBLISHING:
            held = self._handed_over(entry)
            if held is not None and at <= now:
                self.settled.append(entry.id)
            else:
                self._skip(entry, SkipReason.IN_FLIGHT, held or "publishing: not this run's")
            return
        client = self.client_for(entry)
        native = False
        if at > now:
            native = self._native(entry, client, at - now)
            if not native:
                self._skip(entry, SkipReason.NOT_DUE, f"due at {entry.at.isoformat()}")
                return
        if self._blacked_out(entry):
            return
        if state is PostState.FAILED:
            self._skip(entry, SkipReason.FAILED_BEFORE, "failed earlier: reschedule to retry")
            return
        if state is PostState.APPROVED:
            self._skip(entry, SkipReason.NOT_SCHEDULED, "approved but not scheduled")
            return
        if state in _NOT_APPROVED:
            self._skip(entry, SkipReason.APPROVAL_MISSING, f"{state.value}: not approved")
            return
        if self.max_delay is not None and now - at > self.max_delay:
            self._skip(entry, SkipReason.TOO_LATE, f"{now - at} late (max_delay {self.max_delay})")
            return
        if client is None:
            self._skip(
                entry, SkipReason.NO_CLIENT, f"no client for {entry.platform}/{entry.account}"
            )
            return
        if entry.post is None and entry.piece is None and entry.piece_id not in self.pieces:
            self._skip(entry, SkipReason.PIECE_MISSING, f"no piece {entry.piece_id!r}")
            return
        self.jobs.append(Job(entry, client, native, entry_idempotency_key(entry)))

    def _native(self, entry: CalendarEntry, client: C | None, ahead: timedelta) -> bool:
        if self.lead is None or client is None or entry.state is not PostState.SCHEDULED:
            return False
        shortest = client.adapter.min_schedule_lead
        return shortest is not None and shortest + CLOCK_SKEW < ahead <= self.lead

    def _handed_over(self, entry: CalendarEntry) -> str | None:
        """The runner's note if it handed ``entry`` to a platform's scheduler, else None."""
        workflow = entry.workflow
        if workflow is None or not workflow.history:
            return None
        # Recognised by the reason the runner wrote (any actor: cron jobs get renamed).
        reason = workflow.history[-1].reason or ""
        return reason if reason.startswith(NATIVE_MARK) else None

    def _blacked_out(self, entry: CalendarEntry) -> bool:
        holding: list[tuple[str, str]] = []
        if entry.paused_by is not None:
            named = next((b for b in self.calendar.blackouts if b.id == entry.paused_by), None)
            holding.append((entry.paused_by, named.reason if named else "paused"))
        for blackout in self.calendar.blackouts:
            if self._covers(blackout, entry):
                holding.append((blackout.id, blackout.reason))
        if not holding:
            return False
        crisis = [h for h in holding if _is_crisis(h[0])]
        blackout_id, why = (crisis or holding)[0]
        reason = SkipReason.CRISIS_FREEZE if crisis else SkipReason.BLACKOUT
        self._skip(entry, reason, f"{blackout_id}: {why}")
        return True

    def _covers(self, blackout: Blackout, entry: CalendarEntry) -> bool:
        # Its time, and now: a late run must not publish into a freeze declared since.
        return blackout.covers(entry.at, entry.platform) or blackout.covers(
            self.now, entry.platform
        )

    # -- per job ---------------------------------------------------------------------

    def post_for(self, job: Job[C]) -> PlatformPost | SkippedEntry:
        """The post to publish for ``job``: the entry's own post, else its piece (or the
        one in ``pieces``) adapted to the client's platform. Raises what ``adapt`` raises.
        """
        entry = job.entry
        post = entry.post
        adapter = job.client.adapter
        if post is None:
            piece = entry.piece or self.pieces[entry.piece_id]
            spec = _spec_or_none(adapter)
            if spec is None:
                raise InvalidInputError.single(
                    "platform", "has no catalog spec to adapt to", adapter.platform_id
                )
            post = self.adapt(piece, spec, **self.adapt_options)
        if job.native:
            if post.is_thread:
                return SkippedEntry(
                    entry_id=entry.id,
                    piece_id=entry.piece_id,
                    platform=entry.platform,
                    account=entry.account,
                    at=entry.at,
                    reason=SkipReason.NOT_DUE,
                    detail="a thread cannot be scheduled natively: it is published when due",
                )
            post = post.with_extras(scheduled_at=entry.at)
        return post

    def record(self, job: Job[C], result: PublishResult | SkippedEntry) -> None:
        """Keep the outcome of ``job``."""
        entry = job.entry
        if isinstance(result, SkippedEntry):
            self.skipped.append(result)
            return
        facts = {
            "entry_id": entry.id,
            "piece_id": entry.piece_id,
            "platform": entry.platform,
            "account": entry.account,
            "at": entry.at,
            "idempotency_key": job.key,
        }
        if result.error is None and result.receipt is not None:
            self.results[entry.id] = DispatchedEntry(receipt=result.receipt, **facts)
            return
        error = result.error or ErrorReport(
            error_type="PublishError", message="the platform returned no receipt"
        )
        self.results[entry.id] = FailedEntry(
            error=error, retry=_will_retry(error, job.client.adapter), **facts
        )

    # -- the new calendar ------------------------------------------------------------

    def report(self) -> DispatchReport:
        """The report, with the calendar the results are written into."""
        steps: dict[str, PostWorkflow] = {}
        published: list[DispatchedEntry] = []
        scheduled: list[DispatchedEntry] = []
        failed: list[FailedEntry] = []
        by_id = {e.id: e for e in self.calendar.entries}
        for job in self.jobs:
            outcome = self.results.get(job.entry.id)
            workflow = job.entry.workflow
            if outcome is None or workflow is None:
                continue
            at = _stamp(workflow, self.now)
            if isinstance(outcome, FailedEntry):
                failed.append(outcome)
                if not outcome.retry:
                    steps[job.entry.id] = workflow.start_publishing(
                        actor=self.actor, at=at
                    ).mark_failed(actor=self.actor, at=at, reason=_failure_reason(outcome))
                continue
            receipt = outcome.receipt
            if receipt.scheduled_at is not None:
                scheduled.append(outcome)
                until = receipt.scheduled_at.isoformat()
                reason = f"{NATIVE_MARK}{job.entry.platform} holds {receipt.post_id} until {until}"
                steps[job.entry.id] = workflow.start_publishing(
                    actor=self.actor, at=at, reason=reason
                )
                continue
            published.append(outcome)
            reason = f"published as {receipt.post_id}" if receipt.post_id else "published"
            steps[job.entry.id] = workflow.start_publishing(actor=self.actor, at=at).mark_published(
                actor=self.actor, at=at, reason=reason
            )
        for entry_id in self.settled:
            workflow = by_id[entry_id].workflow
            assert workflow is not None  # a publishing entry has a workflow
            steps[entry_id] = workflow.mark_published(
                actor=self.actor,
                at=_stamp(workflow, self.now),
                reason="its time passed: published by the platform's scheduler",
            )
        calendar = self.calendar
        if steps:
            calendar = calendar.model_copy(
                update={
                    "entries": tuple(
                        e.model_copy(update={"workflow": steps[e.id]}) if e.id in steps else e
                        for e in calendar.entries
                    )
                }
            )
        order = {e.id: n for n, e in enumerate(self.calendar.entries)}
        return DispatchReport(
            now=self.now,
            calendar=calendar,
            published=tuple(published),
            scheduled=tuple(scheduled),
            failed=tuple(failed),
            skipped=tuple(sorted(self.skipped, key=lambda s: order[s.entry_id])),
            settled=tuple(self.settled),
        )


def _will_retry(error: ErrorReport, adapter: PlatformAdapter) -> bool:
    if error.delivered:
        return False  # part of it is out: a person decides what to do with the rest
    if error.outcome_unknown:
        return adapter.idempotency in _SAFE_TO_RETRY
    return error.retryable


def _failure_reason(failed: FailedEntry) -> str:
    error = failed.error
    text = f"{error.error_type}: {error.message}"
    if error.outcome_unknown:
        text += " (the outcome is unknown: check the platform before rescheduling)"
    if error.delivered:
        text += f" (already live: {', '.join(error.delivered)})"
    return text
