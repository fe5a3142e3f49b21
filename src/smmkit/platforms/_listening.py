"""Incremental sync: an inbox source read page by page, resumable from a persisted cursor.

Each adapter reads one page of a source with :meth:`PlatformAdapter.inbox_page
<smmkit.platforms.PlatformAdapter.inbox_page>` (a flow, so it is sans-I/O); the drivers
loop over pages with :meth:`Client.iter_inbox <smmkit.platforms.Client.iter_inbox>` and
:meth:`AsyncClient.iter_inbox <smmkit.platforms.AsyncClient.iter_inbox>`. The loop itself
is :class:`InboxSync`, written once: the drivers only run the flow it hands them.

The cursor contract, for every platform:

* The ``cursor`` of a page means "everything up to and including this page was
  delivered". Persist it after handling the page; passing it back as ``since=`` resumes
  with nothing lost and nothing repeated. Cursors are opaque strings, one per source.
* ``since=None`` (the first sync) starts from the oldest item the platform's API still
  serves (a backfill; bound it with ``max_pages``). Mastodon pages forward from there;
  newest-first APIs walk from the newest down to that limit, then follow new items.
* A page with ``more=False`` means caught up: the iteration ends. Call again later with
  the last cursor to get what arrived since.
* Items arriving while a sync runs are delivered exactly once: either in this sync or,
  when they arrive above a walk already under way, in the next one.

Platforms whose API lists newest first (X, Bluesky, Facebook, Instagram, YouTube,
LinkedIn) use a :class:`WalkCursor`: a walk goes from the newest item down to the
high-water mark of the previous walk (``floor``), and the cursor in the middle of a walk
carries the platform's page token and the lowest key delivered so far, so a resumed walk
neither repeats nor skips (an offset page shifted by new arrivals is filtered by key).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass

from smmkit.exceptions import APIError, InvalidInputError, UnsupportedOperationError
from smmkit.models.inbox import InboxEvent, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._checks import require

__all__ = ["InboxSync", "WalkCursor", "inbox_source", "walk_page"]

_WALK_PREFIX = "w1."


def inbox_source(adapter: PlatformAdapter, source: InboxSource | str) -> InboxSource:
    """``source`` as an :class:`~smmkit.models.InboxSource`, if ``adapter`` can read it.

    Raises :class:`~smmkit.exceptions.InvalidInputError` for an unknown source and
    :class:`~smmkit.exceptions.UnsupportedOperationError` (naming the platform and the
    source) for one the platform's API does not give to an app.

    Example:
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> inbox_source(SandboxAdapter(), "mentions")
        <InboxSource.MENTIONS: 'mentions'>
        >>> inbox_source(SandboxAdapter(), "likes")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: source: must be one of mentions, comments, \
direct_messages (got 'likes')
    """
    require(adapter, "adapter", PlatformAdapter, "a PlatformAdapter")
    chosen = _source(source)
    if chosen not in adapter.inbox_sources:
        readable = ", ".join(sorted(s.value for s in adapter.inbox_sources)) or "none"
        raise UnsupportedOperationError(
            f"{type(adapter).__name__} cannot read {chosen.value} on {adapter.platform_id} "
            f"(readable by an app: {readable})",
            platform=adapter.platform_id,
        )
    return chosen


def _source(source: object) -> InboxSource:
    """``source`` as an :class:`~smmkit.models.InboxSource`, or a typed error listing them."""
    try:
        return InboxSource(source)
    except ValueError:
        names = ", ".join(s.value for s in InboxSource)
        raise InvalidInputError.single("source", f"must be one of {names}", source) from None


class InboxSync:
    """The page loop of one incremental sync, without I/O: both drivers run it.

    :meth:`next_flow` gives the flow of the next page (``None`` when done); the driver
    runs it and hands the page to :meth:`accept`, which returns it and decides whether
    another page follows (the platform says ``more``, and ``max_pages`` is not reached).

    Example:
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> _ = sandbox.add_incoming("mentions", "@brand hello")
        >>> with sandbox.client() as client:
        ...     sync = InboxSync(client.adapter, "mentions")
        ...     while (flow := sync.next_flow()) is not None:
        ...         page = sync.accept(client.run(flow))
        >>> [e.text for e in page.events], page.more
        (['@brand hello'], False)
    """

    def __init__(
        self,
        adapter: PlatformAdapter,
        source: InboxSource | str,
        *,
        since: str | None = None,
        max_pages: int | None = None,
    ) -> None:
        self.source = inbox_source(adapter, source)
        if since is not None and (not isinstance(since, str) or not since):
            raise InvalidInputError.single("since", "must be a non-empty str or None", since)
        if max_pages is not None and (
            isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1
        ):
            raise InvalidInputError.single("max_pages", "must be an int >= 1 or None", max_pages)
        self.adapter = adapter
        self.cursor = since
        self.max_pages = max_pages
        self.pages = 0
        self._done = False

    def next_flow(self) -> Flow[InboxPage] | None:
        """The flow that reads the next page, or ``None`` when the sync is over."""
        if self._done:
            return None
        return self.adapter.inbox_page(self.source, self.cursor)

    def accept(self, page: InboxPage) -> InboxPage:
        """Record ``page`` (its cursor is the one to persist) and return it."""
        self.pages += 1
        if page.more and page.cursor == self.cursor:
            self._done = True
            raise APIError(
                f"{self.adapter.platform_id} answered {self.source.value} with more to come "
                "but the same cursor: stopping rather than loop",
                platform=self.adapter.platform_id,
            )
        self.cursor = page.cursor
        self._done = not page.more or (self.max_pages is not None and self.pages >= self.max_pages)
        return page


@dataclass(frozen=True)
class WalkCursor:
    """Where a newest-first walk stands; :meth:`encode` gives the opaque cursor string.

    ``floor`` is the key of the newest item of the last finished walk: everything at or
    below it was delivered. In a walk under way, ``top`` is its newest key (the next
    floor), ``bottom`` the lowest key delivered so far and ``page`` the platform's token
    (or offset) of the next, older page. Keys compare as strings: platforms use
    zero-padded ids or ``timestamp|id`` (see :func:`walk_page`).

    Example:
        >>> cursor = WalkCursor(floor="0005", top="0009", bottom="0007", page="t2")
        >>> WalkCursor.decode(cursor.encode()) == cursor
        True
        >>> WalkCursor.decode(None)
        WalkCursor(floor=None, top=None, bottom=None, page=None)
    """

    floor: str | None = None
    top: str | None = None
    bottom: str | None = None
    page: str | None = None

    def __post_init__(self) -> None:
        for name in ("floor", "top", "bottom", "page"):
            part = getattr(self, name)
            if part is not None:
                require(part, name, str, "a str or None")

    def encode(self) -> str:
        """The cursor as an opaque, URL-safe string."""
        raw = json.dumps([self.floor, self.top, self.bottom, self.page], separators=(",", ":"))
        return _WALK_PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> WalkCursor:
        """The walk a cursor from :meth:`encode` describes (``None``: a first sync)."""
        if cursor is None:
            return cls()
        try:
            if not cursor.startswith(_WALK_PREFIX):
                raise ValueError(cursor)
            body = cursor[len(_WALK_PREFIX) :]
            raw = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            floor, top, bottom, page = raw
            for part in raw:
                if part is not None and not isinstance(part, str):
                    raise ValueError(part)
        except (ValueError, TypeError, binascii.Error):
            raise InvalidInputError.single(
                "since", "is not a cursor of this platform's inbox", cursor
            ) from None
        return cls(floor=floor, top=top, bottom=bottom, page=page)


def walk_page(
    source: InboxSource,
    cursor: WalkCursor,
    items: Iterable[tuple[str, InboxEvent | None]],
    next_page: str | None,
) -> InboxPage:
    """One page of a newest-first walk: the items not yet delivered, and the next cursor.

    ``items`` are ``(key, event)`` in the platform's order (newest first); ``next_page``
    is the platform's token of the next older page (``None``: the end of the list); an
    event of ``None`` is an item of the list that belongs to another source (it moves
    the walk but is not delivered). An
    item at or below ``floor`` ends the walk (it was delivered by an earlier walk); one
    at or above ``bottom`` was delivered earlier in this walk (an offset page shifted by
    new arrivals) or arrived above it (the next walk takes it) and is skipped.

    Example:
        >>> from datetime import datetime, timezone
        >>> def event(n):
        ...     return (f"{n:04}", InboxEvent(platform="x", kind="mention", event_id=str(n),
        ...             author_id="a", text="hi", at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        >>> first = walk_page(InboxSource.MENTIONS, WalkCursor(), [event(9), event(8)], "t2")
        >>> [e.event_id for e in first.events], first.more
        (['9', '8'], True)
        >>> shifted = [event(8), event(7)]  # an offset page after one new arrival
        >>> last = walk_page(InboxSource.MENTIONS, WalkCursor.decode(first.cursor), shifted, None)
        >>> [e.event_id for e in last.events], last.more, WalkCursor.decode(last.cursor).floor
        (['7'], False, '0009')
    """
    source = _source(source)
    require(cursor, "cursor", WalkCursor, "a WalkCursor")
    if next_page is not None:
        require(next_page, "next_page", str, "a str or None")
    require(items, "items", Iterable, "an iterable of (key, event) pairs")
    fresh: list[InboxEvent] = []
    top, bottom = cursor.top, cursor.bottom
    ended = next_page is None
    for index, item in enumerate(items):
        key, event = _walk_item(item, index)
        if cursor.floor is not None and key <= cursor.floor:
            ended = True  # the rest of the list was delivered by an earlier walk
            continue
        if cursor.bottom is not None and key >= cursor.bottom:
            continue
        if event is not None:
            fresh.append(event)
        top = key if top is None or key > top else top
        bottom = key if bottom is None or key < bottom else bottom
    if ended:
        floor = cursor.floor if top is None or (cursor.floor or "") >= top else top
        after = WalkCursor(floor=floor)
    else:
        after = WalkCursor(floor=cursor.floor, top=top, bottom=bottom, page=next_page)
    return InboxPage(source=source, events=tuple(fresh), cursor=after.encode(), more=not ended)


def _walk_item(item: object, index: int) -> tuple[str, InboxEvent | None]:
    """One ``(key, event)`` pair of :func:`walk_page`'s ``items``, checked."""
    field = f"items[{index}]"
    pair = require(item, field, tuple, "a (key, event) pair")
    if len(pair) != 2:
        raise InvalidInputError.single(field, "must be a (key, event) pair", f"{len(pair)} items")
    key = require(pair[0], f"{field}.key", str, "a str")
    event = pair[1]
    if event is not None:
        require(event, f"{field}.event", InboxEvent, "an InboxEvent or None")
    return key, event
