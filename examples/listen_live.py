"""Listen live: a Bluesky PDS and a Mastodon account at once, into one inbox and the
crisis watch.

Two live streams run side by side and are merged into one: the PDS's repository event
stream (``BlueskyFirehose``: mentions, comments, replies and quotes of the brand's
accounts, and any post with a complaint word) and the Mastodon account's user stream
(``MastodonStream``: mentions, comments and direct messages). Every event goes into an
``InboxState`` (complaints, i.e. items with a complaint word, to a person; everything
else to the community team) and, through ``awatch_stream``, into a ``CrisisMonitor``.
Each new inbox item is printed with its assignee and reply deadline, and each tier
change as it happens. The run ends after ``--seconds``, after ``--max-events`` events,
or on Ctrl-C / SIGTERM; both streams are closed, and their cursors are printed so that
a later run resumes where this one stopped (``--bsky-cursor``, ``--masto-since``).

With the local servers of the integration tests running
(``out=$(bash scripts/integration/start-bsky.sh) && eval "$out"``, the same with
``start-masto.sh``)::

    pip install -e '.[firehose]'
    python examples/listen_live.py --bsky-brand chayi.test --seconds 120

The PDS, the Mastodon instance and its token come from ``--pds-url``, ``--masto-url``
and ``--masto-token`` or from ``SMMKIT_BSKY_URL``, ``SMMKIT_MASTO_URL`` and
``SMMKIT_MASTO_TOKEN``; the brand's Bluesky account (a DID, or a handle the PDS
resolves) from ``--bsky-brand`` or ``SMMKIT_BSKY_BRAND``. The Mastodon brand is the
token's own account. ``tests/integration/test_listen_live_example.py`` runs
:func:`listen` against those servers during a complaint wave.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import textwrap
from collections.abc import AsyncGenerator, AsyncIterable, Callable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import timezone

import httpx  # noqa: TID251 (an application: resolving a handle is I/O)

from smmkit.audience import AssignmentRule, InboxItem, InboxState
from smmkit.crisis import CrisisMonitor, TierChange, Watchlist, awatch_stream
from smmkit.models import InboxEvent
from smmkit.platforms import AsyncClient
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.platforms.streams import BlueskyFirehose, MastodonStream, merge_streams

COMPLAINT_TERMS = ("refund", "broken", "spoiled", "sick", "expired", "never arrived")


@dataclass(frozen=True)
class Settings:
    """What to listen to, who answers what, and when to stop."""

    pds_url: str
    bsky_dids: tuple[str, ...]
    masto_url: str
    masto_token: str
    brand: str = "Chayi"
    industries: tuple[str, ...] = ("food_safety",)
    complaint_terms: tuple[str, ...] = COMPLAINT_TERMS
    complaints_to: str = "care"
    community: str = "community"
    seconds: float | None = 60.0
    max_events: int | None = None
    bsky_cursor: str | None = None
    masto_since: str | None = None


@dataclass
class Listened:
    """What a run saw: the inbox, the tier changes, and where to resume."""

    inbox: InboxState
    changes: list[TierChange] = field(default_factory=list)
    events: int = 0
    ended_by: str = "streams ended"
    cursors: dict[str, str | None] = field(default_factory=dict)


def item_line(item: InboxItem) -> str:
    """One printed line per new inbox item: where, who, what, to whom, by when."""
    event = item.event
    who = event.author_name or event.author_id
    text = textwrap.shorten(event.text, 60, placeholder="...")
    what = "complaint, " if item.complaint else ""
    due = item.sla.due.astimezone(timezone.utc)
    return (
        f"+ {event.platform:<8} {event.kind.value:<14} {who}: {text!r}"
        f" -> {item.assignee} ({what}reply by {due:%d %b %H:%M} UTC)"
    )


def change_line(change: TierChange) -> str:
    """One printed line per tier change."""
    before = change.from_tier.value if change.from_tier else "calm"
    after = change.to_tier.value if change.to_tier else "calm"
    seen_on = ", ".join(change.platforms)
    at = change.at.astimezone(timezone.utc)
    return f"! {at:%H:%M:%S} UTC tier {change.topic}: {before} -> {after} [{seen_on}]"


async def listen(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    out: Callable[[str], None] = print,
) -> Listened:
    """Watch both servers until a bound is reached or ``stop`` is set; both streams are
    closed on the way out, whatever ended the run. ``ready`` is set (and a line
    printed) once both streams are connected: what is said from then on is seen."""
    rules = [
        AssignmentRule(watch_term=t, assignee=settings.complaints_to)
        for t in settings.complaint_terms
    ]
    inbox = InboxState(rules=rules, default_assignee=settings.community)
    monitor = CrisisMonitor(Watchlist.for_brand(settings.brand, industries=settings.industries))
    run = Listened(inbox=inbox)
    client = AsyncClient(
        MastodonAdapter(base_url=settings.masto_url, access_token=settings.masto_token)
    )
    terms = settings.complaint_terms
    sky = BlueskyFirehose(
        settings.pds_url, settings.bsky_dids, watch_terms=terms, cursor=settings.bsky_cursor
    )
    masto = MastodonStream(client, watch_terms=terms, since=settings.masto_since)

    async def into_inbox(
        events: AsyncIterable[InboxEvent],
    ) -> AsyncGenerator[InboxEvent, None]:
        """Every event goes to the inbox on its way to the monitor."""
        async for event in events:
            run.events += 1
            for key in inbox.add([event]):
                out(item_line(inbox.item(key)))
            yield event
            if settings.max_events is not None and run.events >= settings.max_events:
                run.ended_by = f"{run.events} events"
                return

    async def connected() -> None:
        while not (sky.connections and masto.connections and masto.cursor is not None):
            await asyncio.sleep(0.05)
        out(f"~ connected: bluesky {settings.pds_url}, mastodon {settings.masto_url}")
        if ready is not None:
            ready.set()

    async def report(changes: AsyncIterable[TierChange]) -> None:
        async for change in changes:
            run.changes.append(change)
            out(change_line(change))

    async with client, sky, masto:
        # Closed in reverse order on exit: the crisis feed, the inbox feed, then the
        # merge, which closes both streams' connections.
        async with (
            aclosing(merge_streams(sky, masto)) as merged,
            aclosing(into_inbox(merged)) as fed,
            aclosing(awatch_stream(fed, monitor, max_pending=1)) as changes,
        ):
            watching = asyncio.ensure_future(report(changes))
            stopping = asyncio.ensure_future((stop or asyncio.Event()).wait())
            announcing = asyncio.ensure_future(connected())
            try:
                await asyncio.wait(
                    {watching, stopping},
                    timeout=settings.seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                if stopping.done():
                    run.ended_by = "stop"
                elif not watching.done():
                    run.ended_by = f"{settings.seconds:g} s"
                for task in (announcing, stopping, watching):
                    task.cancel()
                await asyncio.gather(announcing, stopping, return_exceptions=True)
                with contextlib.suppress(asyncio.CancelledError):
                    await watching  # a stream's error is raised here
        run.cursors = {"bluesky": sky.cursor, "mastodon": masto.cursor}
    return run


async def resolve_dids(pds_url: str, brands: Sequence[str]) -> tuple[str, ...]:
    """DIDs as given; handles resolved by the PDS (``com.atproto.identity.resolveHandle``)."""
    dids = []
    async with httpx.AsyncClient(base_url=pds_url, timeout=10) as http:
        for brand in brands:
            if brand.startswith("did:"):
                dids.append(brand)
                continue
            response = await http.get(
                "/xrpc/com.atproto.identity.resolveHandle", params={"handle": brand.lstrip("@")}
            )
            response.raise_for_status()
            dids.append(str(response.json()["did"]))
    return tuple(dids)


def parse_args(argv: Sequence[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    """The command line, with defaults from the integration servers' variables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pds-url", default=env.get("SMMKIT_BSKY_URL"))
    parser.add_argument(
        "--bsky-brand",
        action="append",
        help="the brand's Bluesky DID or handle (repeatable; env SMMKIT_BSKY_BRAND)",
    )
    parser.add_argument("--masto-url", default=env.get("SMMKIT_MASTO_URL"))
    parser.add_argument("--masto-token", default=env.get("SMMKIT_MASTO_TOKEN"))
    parser.add_argument("--brand", default="Chayi", help="the brand's name, for the crisis watch")
    parser.add_argument("--industry", action="append", help="risk packs (default food_safety)")
    parser.add_argument("--complaint-term", action="append", help="words that make a complaint")
    parser.add_argument("--complaints-to", default="care")
    parser.add_argument("--community", default="community")
    parser.add_argument("--seconds", type=float, default=60.0, help="0: until Ctrl-C")
    parser.add_argument("--max-events", type=int)
    parser.add_argument("--bsky-cursor")
    parser.add_argument("--masto-since")
    args = parser.parse_args(argv)
    args.bsky_brand = args.bsky_brand or [b for b in [env.get("SMMKIT_BSKY_BRAND")] if b]
    missing = [
        flag
        for flag, value in (
            ("--pds-url", args.pds_url),
            ("--bsky-brand", args.bsky_brand),
            ("--masto-url", args.masto_url),
            ("--masto-token", args.masto_token),
        )
        if not value
    ]
    if missing:
        parser.error(f"missing {', '.join(missing)} (or their SMMKIT_* environment variables)")
    return args


async def main(argv: Sequence[str] | None = None) -> Listened:
    """Parse the command line, listen until a bound or a signal, print where to resume."""
    args = parse_args(argv, os.environ)
    settings = Settings(
        pds_url=args.pds_url,
        bsky_dids=await resolve_dids(args.pds_url, args.bsky_brand),
        masto_url=args.masto_url,
        masto_token=args.masto_token,
        brand=args.brand,
        industries=tuple(args.industry or ("food_safety",)),
        complaint_terms=tuple(args.complaint_term or COMPLAINT_TERMS),
        complaints_to=args.complaints_to,
        community=args.community,
        seconds=args.seconds or None,
        max_events=args.max_events,
        bsky_cursor=args.bsky_cursor,
        masto_since=args.masto_since,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
            loop.add_signal_handler(signum, stop.set)
    dids = ", ".join(settings.bsky_dids)
    print(f"listening to {settings.pds_url} ({dids}) and {settings.masto_url}")
    run = await listen(settings, stop=stop)
    print(
        f"ended by {run.ended_by}: {run.events} events, {len(run.inbox)} items, "
        f"{len(run.changes)} tier changes"
    )
    flags = {"bluesky": "--bsky-cursor", "mastodon": "--masto-since"}
    resume = [f"{flags[name]} {cursor}" for name, cursor in run.cursors.items() if cursor]
    if resume:
        print("resume with", " ".join(resume))
    return run


if __name__ == "__main__":
    asyncio.run(main())
