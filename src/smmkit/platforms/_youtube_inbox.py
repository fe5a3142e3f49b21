"""A YouTube channel's inbox: the comment threads on its videos, newest first.

* **comments**: ``commentThreads.list`` with ``allThreadsRelatedToChannelId`` (the
  channel from ``channels.list mine=true``, asked once, unless ``inbox_channel`` is
  set), ``order=time`` (threads by the time of their top-level comment, newest first)
  and ``pageToken``: a :class:`~smmkit.platforms.WalkCursor` walk keyed by
  ``publishedAt|id``. A new thread comes with its replies (the ``replies`` part, and
  ``comments.list parentId=`` when a thread has more than it carries); a reply posted
  later under a thread already delivered is not found (YouTube lists threads by their
  first comment, not their last activity). The channel's own comments are not
  delivered. Every call is counted in the adapter's
  :class:`~smmkit.platforms.youtube.QuotaTracker` (1 unit each) before it is sent.

YouTube has no mentions an app can list, and no direct messages.

Reference (read 2026-12): https://developers.google.com/youtube/v3/docs/commentThreads/list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smmkit.exceptions import NotFoundError
from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._inbox_fan import item_key
from smmkit.platforms._listening import WalkCursor, walk_page
from smmkit.platforms._youtube_wire import parse_time

if TYPE_CHECKING:
    from smmkit.platforms.youtube import YouTubeAdapter

__all__ = ["SOURCES", "inbox_page"]

SOURCES = frozenset({InboxSource.COMMENTS})


def channel(adapter: YouTubeAdapter) -> Flow[str]:
    """The channel whose threads the inbox reads (``channels.list mine=true``, kept)."""
    if adapter.inbox_channel is None:
        response = yield from adapter._get(
            "channels.list", "channels", {"part": "id", "mine": "true"}
        )
        items = response.json().get("items") or ()
        if not items:
            raise NotFoundError("the token's account has no channel", platform=adapter.platform_id)
        adapter.inbox_channel = str(items[0]["id"])
    return adapter.inbox_channel


def inbox_page(adapter: YouTubeAdapter, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
    """One page of ``source`` (see the module); the body of ``YouTubeAdapter.inbox_page``."""
    source = InboxSource(source)
    walk = WalkCursor.decode(cursor)
    me = yield from channel(adapter)
    params: dict[str, Any] = {
        "part": "snippet,replies",
        "allThreadsRelatedToChannelId": me,
        "order": "time",
        "maxResults": str(adapter.inbox_page_size),
        "textFormat": "plainText",
    }
    if walk.page:
        params["pageToken"] = walk.page
    response = yield from adapter._get("commentThreads.list", "commentThreads", params)
    body = response.json()
    threads = list(body.get("items") or ())
    keyed = []
    for thread in threads:
        top = thread["snippet"]["topLevelComment"]
        keyed.append(
            (item_key(parse_time(top["snippet"]["publishedAt"]), str(thread["id"])), thread)
        )
    token = body.get("nextPageToken")
    page = walk_page(
        source,
        walk,
        [(k, _event(adapter, t["snippet"]["topLevelComment"], me)) for k, t in keyed],
        str(token) if token and threads else None,
    )
    events: list[InboxEvent] = []
    for key, thread in keyed:
        if (walk.floor is not None and key <= walk.floor) or (
            walk.bottom is not None and key >= walk.bottom
        ):
            continue  # not new to this walk (walk_page's own rule)
        top = thread["snippet"]["topLevelComment"]
        found = _event(adapter, top, me)
        if found is not None:
            events.append(found)
        replies = list((thread.get("replies") or {}).get("comments") or ())
        if int(thread["snippet"].get("totalReplyCount") or 0) > len(replies):
            more = {"part": "snippet", "parentId": str(top["id"]), "maxResults": "100",
                    "textFormat": "plainText"}  # fmt: skip
            answer = yield from adapter._get("comments.list", "comments", more)
            replies = list(answer.json().get("items") or ())
        for reply in sorted(replies, key=lambda r: str(r["snippet"].get("publishedAt"))):
            found = _event(adapter, reply, me)
            if found is not None:
                events.append(found)
    return InboxPage(source=source, events=tuple(events), cursor=page.cursor, more=page.more)


def _event(adapter: YouTubeAdapter, raw: dict[str, Any], me: str) -> InboxEvent | None:
    snippet = raw["snippet"]
    author = snippet.get("authorChannelId") or {}
    author_id = author.get("value") if isinstance(author, dict) else None
    if author_id == me:
        return None  # the channel's own comment
    parent = snippet.get("parentId")
    video = snippet.get("videoId")
    return InboxEvent(
        platform=adapter.spec.id,
        kind=InboxKind.REPLY if parent else InboxKind.COMMENT,
        event_id=str(raw["id"]),
        author_id=str(author_id or snippet.get("authorDisplayName") or "unknown"),
        author_name=snippet.get("authorDisplayName"),
        text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
        at=parse_time(snippet["publishedAt"]),
        thread_id=str(parent or raw["id"]),
        parent_id=str(parent or video) if (parent or video) else None,
        post_id=str(video) if video else None,
        url=f"https://www.youtube.com/watch?v={video}&lc={raw['id']}" if video else None,
    )
