"""Incremental sync over many lists at once: comments under an account's recent posts.

Facebook, Instagram and LinkedIn give no single list of "every comment on my posts":
each post has its own comment list, and a conversation its own message list. One
:class:`~smmkit.platforms.WalkCursor` floor cannot serve several lists (a comment
arriving under a post the walk already passed can be older than one seen later under
another post, and would fall below the next floor), so these sources are read as a
*fan*: a walk takes a snapshot of the parents (the ``N`` most recent posts, or the
``N`` most recently active conversations) and reads their lists one after another.

Each walk delivers exactly the items created in a time window: after the previous
walk's start and before its own start, as the server's clock (its ``Date`` header,
less a margin of :data:`CLOCK_MARGIN` for clock skew) tells it. An item created while
the walk runs is at or above that bound, so this walk skips it and the next one
delivers it; nothing is delivered twice, nothing is lost, and the cursor stays small
(two times, the snapshot of parent ids, the position and the platform's page token).
Lists known to be newest first stop at the previous bound; others are read to their
end. What lies under a post outside the snapshot is not followed (say so in the docs).

Example:
    >>> cursor = FanCursor(since="00000000100|", until="00000000200|", lists=("a", "b"))
    >>> FanCursor.decode(cursor.encode()) == cursor
    True
    >>> time_key(datetime(2026, 1, 1, tzinfo=timezone.utc))
    '01767225600|'
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.models.inbox import InboxEvent, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow, Now

__all__ = ["CLOCK_MARGIN", "FanCursor", "Item", "fan_page", "item_key", "time_key"]

CLOCK_MARGIN = timedelta(seconds=10)
"""Subtracted from the server's clock at a walk's start: items of those last seconds
wait for the next walk rather than risk a clock running ahead of the items' times."""

_PREFIX = "f1."

Item = tuple[str, InboxEvent | None]
"""``(key, event)``; an event of ``None`` is an item of the list that is not delivered
(the account's own comment, say)."""


def time_key(at: datetime) -> str:
    """The key of a moment: whole seconds, zero-padded, then ``|`` (below every item of
    that second).

    Example:
        >>> time_key(datetime(1970, 1, 1, 0, 1, tzinfo=timezone.utc))
        '00000000060|'
    """
    return f"{int(at.timestamp()):011d}|"


def item_key(at: datetime, item_id: str) -> str:
    """An item's key: its time, then its id (its last run of digits zero-padded first).

    Example:
        >>> item_key(datetime(1970, 1, 1, tzinfo=timezone.utc), "1001_77")
        '00000000000|00000000000000000077|1001_77'
    """
    digits = ""
    for part in reversed(item_id.replace(",", "_").replace(")", "_").split("_")):
        if part.isdigit():
            digits = part
            break
    return f"{time_key(at)}{digits.zfill(20)}|{item_id}"


def server_time(response: httpx.Response) -> datetime | None:
    """The time in a response's ``Date`` header, if it has a valid one.

    Example:
        >>> server_time(httpx.Response(200, headers={"Date": "Thu, 01 Jan 2026 00:00:00 GMT"}))
        datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    raw = response.headers.get("date")
    if not raw:
        return None
    try:
        at = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class FanCursor:
    """Where a fan walk stands; :meth:`encode` gives the opaque cursor string.

    ``since`` is the previous walk's bound (everything created before it was
    delivered), ``until`` this walk's (``None`` between walks), ``lists`` the parents of
    the walk under way, ``at`` the one being read, ``page`` the platform's token (or
    offset) of its next page and ``bottom`` the lowest key delivered from it (an offset
    page shifted by new arrivals is filtered by key).
    """

    since: str | None = None
    until: str | None = None
    lists: tuple[str, ...] = ()
    at: int = 0
    page: str | None = None
    bottom: str | None = None

    def encode(self) -> str:
        """The cursor as an opaque, URL-safe string."""
        raw = [self.since, self.until, list(self.lists), self.at, self.page, self.bottom]
        body = json.dumps(raw, separators=(",", ":")).encode()
        return _PREFIX + base64.urlsafe_b64encode(body).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> FanCursor:
        """The walk a cursor from :meth:`encode` describes (``None``: a first sync)."""
        if cursor is None:
            return cls()
        try:
            if not cursor.startswith(_PREFIX):
                raise ValueError(cursor)
            body = cursor[len(_PREFIX) :]
            since, until, lists, at, page, bottom = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
            texts = (since, until, page, bottom)
            if any(t is not None and not isinstance(t, str) for t in texts):
                raise ValueError(texts)
            if not isinstance(lists, list) or not all(isinstance(i, str) for i in lists):
                raise ValueError(lists)
            if isinstance(at, bool) or not isinstance(at, int) or not 0 <= at <= len(lists):
                raise ValueError(at)
            if lists and (until is None or at == len(lists)):
                raise ValueError(lists)
        except (ValueError, TypeError, binascii.Error):
            raise InvalidInputError.single(
                "since", "is not a cursor of this platform's inbox", cursor
            ) from None
        return cls(since=since, until=until, lists=tuple(lists), at=at, page=page, bottom=bottom)


def fan_page(
    source: InboxSource,
    cursor: str | None,
    *,
    parents: Callable[[], Flow[tuple[Sequence[str], httpx.Response]]],
    read: Callable[[str, str | None], Flow[tuple[Sequence[Item], str | None]]],
    newest_first: bool,
) -> Flow[InboxPage]:
    """One page of a fan walk (see the module).

    ``parents()`` lists the parents' ids (it runs at a walk's start; its response's
    ``Date`` sets the walk's bound); ``read(parent, page)`` reads one page of a parent's
    list: its ``(key, event)`` items (keys from :func:`item_key`) and the next page's
    token (``None`` at the end). ``newest_first`` lists stop at the previous bound.
    """
    fan = FanCursor.decode(cursor)
    if not fan.lists:
        ids, response = yield from parents()
        now = server_time(response)
        if now is None:
            now = yield Now()
        until = time_key(now - CLOCK_MARGIN)
        if fan.since is not None and until < fan.since:
            until = fan.since  # a clock gone back: an empty window, never a repeated one
        if not ids:
            return InboxPage(source=source, cursor=FanCursor(since=until).encode(), more=False)
        fan = FanCursor(since=fan.since, until=until, lists=tuple(dict.fromkeys(ids)))
    assert fan.until is not None
    items, next_page = yield from read(fan.lists[fan.at], fan.page)
    fresh: list[InboxEvent] = []
    bottom = fan.bottom
    ended = next_page is None
    for key, event in items:
        if fan.since is not None and key <= fan.since:
            ended = ended or newest_first  # the rest was delivered by an earlier walk
            continue
        if key >= fan.until:
            continue  # created while this walk runs: the next walk delivers it
        if newest_first and bottom is not None and key >= bottom:
            continue  # seen on the previous page (an offset shifted by new arrivals)
        if event is not None:
            fresh.append(event)
        if newest_first:
            bottom = key if bottom is None or key < bottom else bottom
    if not ended:
        after = replace(fan, page=next_page, bottom=bottom)
    elif fan.at + 1 < len(fan.lists):
        after = replace(fan, at=fan.at + 1, page=None, bottom=None)
    else:
        after = FanCursor(since=fan.until)
    return InboxPage(
        source=source, events=tuple(fresh), cursor=after.encode(), more=bool(after.lists)
    )
