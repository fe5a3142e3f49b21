"""The scheduling runner: publish what a content calendar says is due, once.

:func:`dispatch_due` (over :class:`~smmkit.platforms.Client`) and :func:`adispatch_due`
(over :class:`~smmkit.platforms.AsyncClient`) are stateless: give them the calendar,
the clients, the pieces and ``now``; they adapt and publish every due entry and return
a :class:`DispatchReport` whose ``calendar`` has the published entries marked. Run them
from cron, a queue worker or a notebook, and store the returned calendar: the next run
on it publishes nothing twice. See docs/scheduling.md.

An entry is due when its time is at or before ``now`` and the calendar does not mark it
published. It is published only when it is ``scheduled`` in the approval workflow, no
blackout or crisis freeze holds it (at its time or now), a client serves its platform
and account, and its content is known; otherwise the report says why it waits.

Each publish carries a key derived from the entry (:func:`entry_idempotency_key`), so
a run repeated after a crash sends the keys the platform has seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from smmkit.content.calendar import ContentCalendar
from smmkit.exceptions import InvalidInputError, PlatformError
from smmkit.models.content import ContentPiece, PlatformPost
from smmkit.platforms._adapter import IdempotencyMode
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._dispatch import (
    DEFAULT_ACTOR,
    ClientKey,
    DispatchRun,
    Job,
    client_table,
    native_lead,
    piece_table,
)
from smmkit.platforms._dispatch_report import (
    DispatchedEntry,
    DispatchReport,
    FailedEntry,
    SkippedEntry,
    SkipReason,
    entry_idempotency_key,
)
from smmkit.platforms._flow import failed_result, published_result
from smmkit.platforms._results import PublishResult

__all__ = [
    "DispatchReport",
    "DispatchedEntry",
    "FailedEntry",
    "SkipReason",
    "SkippedEntry",
    "adispatch_due",
    "dispatch_due",
    "entry_idempotency_key",
]

Pieces = Mapping[str, ContentPiece] | Iterable[ContentPiece]


def _run(
    calendar: ContentCalendar,
    clients: Mapping[ClientKey, Any],
    driver: type[Any],
    other: str,
    *,
    now: datetime,
    pieces: Pieces,
    native_schedule: bool | timedelta,
    max_delay: timedelta | None,
    adapt: Callable[..., PlatformPost] | None,
    adapt_options: Mapping[str, Any] | None,
    actor: str,
) -> DispatchRun[Any]:
    if not isinstance(calendar, ContentCalendar):
        raise InvalidInputError.single(
            "calendar", "must be a ContentCalendar", type(calendar).__name__
        )
    bare, pairs = client_table(clients, driver, other)
    if adapt is None:
        from smmkit.content import adapt as adapt_piece

        adapt = adapt_piece
    options = dict(adapt_options or {})
    options.setdefault("now", now)  # a UGC permission's expiry is judged at the run's time
    return DispatchRun(
        calendar=calendar,
        now=now,
        bare=bare,
        pairs=pairs,
        pieces=piece_table(pieces),
        lead=native_lead(native_schedule),
        max_delay=max_delay,
        adapt=adapt,
        adapt_options=options,
        actor=actor,
    ).plan()


def dispatch_due(
    calendar: ContentCalendar,
    clients: Mapping[ClientKey, Client],
    *,
    now: datetime,
    pieces: Pieces = (),
    native_schedule: bool | timedelta = False,
    max_delay: timedelta | None = None,
    adapt: Callable[..., PlatformPost] | None = None,
    adapt_options: Mapping[str, Any] | None = None,
    actor: str = DEFAULT_ACTOR,
) -> DispatchReport:
    """Publish every due entry of ``calendar`` once; report what happened to each entry.

    ``clients`` maps a platform id, or a ``(platform, account)`` pair, to a
    :class:`~smmkit.platforms.Client`; a pair wins, and a platform key serves the
    entries of the ``default`` account and of its own adapter's account. An entry's
    content is its ``post`` (published as it is), else its ``piece``, else the piece
    with its ``piece_id`` in ``pieces`` (a mapping by id, or the pieces), adapted with
    ``adapt`` (:func:`smmkit.content.adapt` by default, given ``adapt_options`` and
    ``now``). Entries are published one after the other, in time order.

    ``native_schedule`` (``True`` for a day, or a lead ``timedelta``) hands entries due
    within the lead to platforms that schedule natively (Mastodon) with their time, so
    they go out on time without the runner; the report lists them as ``scheduled`` and
    the calendar marks them ``publishing`` until a later run sees their time pass.
    ``max_delay`` skips entries that are later than that (after an outage) instead of
    publishing them late. Workflow steps are recorded as ``actor``.

    Never raises for a failed publish (the report carries its typed error); raises
    :class:`~smmkit.exceptions.InvalidInputError` for bad arguments (naive ``now``, a
    client keyed to another platform, a piece that is not a ``ContentPiece``).

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from smmkit.content.calendar import CalendarEntry, ContentCalendar
        >>> from smmkit.models import ContentPiece
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> t = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> entry = CalendarEntry(id="tip-1", piece_id="tip", platform="mastodon", at=t)
        >>> cal = ContentCalendar().add(entry)
        >>> for step in ("in_review", "approved", "scheduled"):
        ...     cal = cal.advance("tip-1", step, actor="li", at=t - timedelta(days=1))
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> tip = ContentPiece(id="tip", body="Cold brew: 12 hours, in the fridge.")
        >>> with sandbox.client() as client:
        ...     report = dispatch_due(cal, {"mastodon": client}, now=t, pieces=[tip])
        ...     again = dispatch_due(report.calendar, {"mastodon": client}, now=t,
        ...                          pieces=[tip])
        >>> report.summary()["published"], report.calendar.get("tip-1").state.value
        (1, 'published')
        >>> again.summary()["published"], sandbox.published_count
        (0, 1)
    """
    run = _run(
        calendar,
        clients,
        Client,
        "adispatch_due",
        now=now,
        pieces=pieces,
        native_schedule=native_schedule,
        max_delay=max_delay,
        adapt=adapt,
        adapt_options=adapt_options,
        actor=actor,
    )
    for job in run.jobs:
        run.record(job, _publish(run, job))
    return run.report()


def _publish(run: DispatchRun[Client], job: Job[Client]) -> PublishResult | SkippedEntry:
    client = job.client
    adapter = client.adapter
    try:
        post = run.post_for(job)
        if isinstance(post, SkippedEntry):
            return post
        if adapter.idempotency is IdempotencyMode.READ_BACK:
            # The platform keeps no key: look for an earlier run's post before posting.
            try:
                found = client.run(adapter.find_published(post, idempotency_key=job.key))
            except PlatformError as exc:
                return failed_result(adapter, post, exc)
            if found is not None:
                return published_result(adapter, post, found)
        return client.publish(post, idempotency_key=job.key)
    except Exception as exc:  # one entry's failure must not cost the others
        return failed_result(adapter, None, exc, piece_id=job.entry.piece_id)


async def adispatch_due(
    calendar: ContentCalendar,
    clients: Mapping[ClientKey, AsyncClient],
    *,
    now: datetime,
    pieces: Pieces = (),
    native_schedule: bool | timedelta = False,
    max_delay: timedelta | None = None,
    adapt: Callable[..., PlatformPost] | None = None,
    adapt_options: Mapping[str, Any] | None = None,
    actor: str = DEFAULT_ACTOR,
    concurrency: int = 10,
) -> DispatchReport:
    """:func:`dispatch_due` over :class:`~smmkit.platforms.AsyncClient`: the same rules
    and report, with at most ``concurrency`` publishes in flight. Entries of one client
    still go out one after the other, in time order; different clients run side by side.

    Example:
        >>> import asyncio
        >>> from datetime import datetime, timedelta, timezone
        >>> from smmkit.content.calendar import CalendarEntry, ContentCalendar
        >>> from smmkit.models import ContentPiece
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> t = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
        >>> cal = ContentCalendar().add(
        ...     CalendarEntry(id="tip-1", piece_id="tip", platform="mastodon", at=t),
        ...     CalendarEntry(id="tip-2", piece_id="tip", platform="mastodon",
        ...                   at=t + timedelta(hours=2)))
        >>> for entry_id in ("tip-1", "tip-2"):
        ...     for step in ("in_review", "approved", "scheduled"):
        ...         cal = cal.advance(entry_id, step, actor="li", at=t - timedelta(days=1))
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> async def main():
        ...     async with sandbox.async_client() as client:
        ...         return await adispatch_due(cal, {"mastodon": client}, now=t,
        ...             pieces=[ContentPiece(id="tip", body="Steep green tea at 80 °C.")])
        >>> report = asyncio.run(main())
        >>> [d.entry_id for d in report.published], report.skipped_for("not_due")
        (['tip-1'], ('tip-2',))
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidInputError.single("concurrency", "must be an integer >= 1", concurrency)
    run = _run(
        calendar,
        clients,
        AsyncClient,
        "dispatch_due",
        now=now,
        pieces=pieces,
        native_schedule=native_schedule,
        max_delay=max_delay,
        adapt=adapt,
        adapt_options=adapt_options,
        actor=actor,
    )
    gate = asyncio.Semaphore(concurrency)
    queues: dict[int, list[Job[AsyncClient]]] = {}
    for job in run.jobs:  # one queue per client, in time order
        queues.setdefault(id(job.client), []).append(job)

    async def drain(queue: list[Job[AsyncClient]]) -> None:
        for job in queue:
            async with gate:
                result = await _apublish(run, job)
            run.record(job, result)

    await asyncio.gather(*(drain(queue) for queue in queues.values()))
    return run.report()


async def _apublish(
    run: DispatchRun[AsyncClient], job: Job[AsyncClient]
) -> PublishResult | SkippedEntry:
    client = job.client
    adapter = client.adapter
    try:
        post = run.post_for(job)
        if isinstance(post, SkippedEntry):
            return post
        if adapter.idempotency is IdempotencyMode.READ_BACK:
            try:
                found = await client.run(adapter.find_published(post, idempotency_key=job.key))
            except PlatformError as exc:
                return failed_result(adapter, post, exc)
            if found is not None:
                return published_result(adapter, post, found)
        return await client.publish(post, idempotency_key=job.key)
    except Exception as exc:  # one entry's failure must not cost the others
        return failed_result(adapter, None, exc, piece_id=job.entry.piece_id)
