"""A Facebook Page's inbox: mentions, comments on its posts, Messenger conversations.

* **mentions**: ``GET /{page-id}/tagged`` (posts, photos and videos the Page is tagged
  in), newest first with ``paging.cursors.after``: a
  :class:`~smmkit.platforms.WalkCursor` walk keyed by ``created_time|id``.
* **comments**: the comments under the Page's ``inbox_posts`` most recent posts
  (``GET /{page-id}/feed?fields=id``), each post's through ``GET /{post-id}/comments``
  with ``filter=stream`` (replies included, with their ``parent``) and
  ``order=reverse_chronological``, paged by ``paging.cursors.after``. Read as a fan
  (:mod:`smmkit.platforms._inbox_fan`): comments under older posts are not followed.
  The Page's own comments are not delivered.
* **direct_messages**: ``GET /{page-id}/conversations?platform=messenger`` (the
  ``inbox_conversations`` most recently active; permission ``pages_messaging``), then
  ``GET /{conversation-id}/messages``, newest first. Meta serves the details of only
  the 20 most recent messages of a conversation, so a first sync reaches back that far.
  Messages the Page sent are not delivered.

References (read 2026-12): https://developers.facebook.com/docs/graph-api/reference/page/tagged/,
https://developers.facebook.com/docs/graph-api/reference/object/comments/,
https://developers.facebook.com/docs/graph-api/reference/page/conversations/.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._inbox_fan import Item, fan_page, item_key
from smmkit.platforms._listening import WalkCursor, walk_page
from smmkit.platforms._meta_graph import graph_time

if TYPE_CHECKING:
    from smmkit.platforms.facebook import FacebookPageAdapter

__all__ = ["SOURCES", "inbox_page", "next_token"]

SOURCES = frozenset(InboxSource)
_COMMENT_FIELDS = "id,message,created_time,from,parent,permalink_url"
_TAGGED_FIELDS = "id,message,created_time,from,permalink_url"
_MESSAGE_FIELDS = "id,message,created_time,from"


def next_token(body: dict[str, Any]) -> str | None:
    """The ``after`` cursor of a Graph list, when Meta says a next page exists.

    Example:
        >>> next_token({"data": [], "paging": {"cursors": {"after": "QVF"}, "next": "https://"}})
        'QVF'
        >>> next_token({"data": [], "paging": {"cursors": {"after": "QVF"}}}) is None
        True
    """
    paging = body.get("paging") or {}
    after = (paging.get("cursors") or {}).get("after")
    return str(after) if paging.get("next") and after else None


def inbox_page(
    adapter: FacebookPageAdapter, source: InboxSource, cursor: str | None
) -> Flow[InboxPage]:
    """One page of ``source`` (see the module); the body of ``FacebookPageAdapter.inbox_page``."""
    source = InboxSource(source)
    if source is InboxSource.MENTIONS:
        return (yield from _mentions(adapter, cursor))

    def parents() -> Flow[tuple[Sequence[str], httpx.Response]]:
        if source is InboxSource.COMMENTS:
            params: dict[str, Any] = {"fields": "id", "limit": adapter.inbox_posts}
            edge = "feed"
        else:
            params = {
                "platform": "messenger",
                "fields": "id",
                "limit": adapter.inbox_conversations,
            }
            edge = "conversations"
        request = adapter.graph("GET", adapter.page_id, edge, endpoint="inbox", params=params)
        response = yield from adapter.exchange(request)
        return [str(p["id"]) for p in response.json().get("data") or ()], response

    def read(parent: str, page: str | None) -> Flow[tuple[Sequence[Item], str | None]]:
        params: dict[str, Any] = {"limit": adapter.inbox_page_size}
        if source is InboxSource.COMMENTS:
            params.update(fields=_COMMENT_FIELDS, filter="stream", order="reverse_chronological")
            edge = "comments"
        else:
            params["fields"] = _MESSAGE_FIELDS
            edge = "messages"
        if page:
            params["after"] = page
        request = adapter.graph("GET", parent, edge, endpoint="inbox", params=params)
        response = yield from adapter.exchange(request)
        body = response.json()
        items = [
            (
                item_key(graph_time(i["created_time"]), str(i["id"])),
                _event(adapter, source, parent, i),
            )
            for i in body.get("data") or ()
        ]
        return items, next_token(body)

    return (yield from fan_page(source, cursor, parents=parents, read=read, newest_first=True))


def _mentions(adapter: FacebookPageAdapter, cursor: str | None) -> Flow[InboxPage]:
    walk = WalkCursor.decode(cursor)
    params: dict[str, Any] = {"fields": _TAGGED_FIELDS, "limit": adapter.inbox_page_size}
    if walk.page:
        params["after"] = walk.page
    request = adapter.graph("GET", adapter.page_id, "tagged", endpoint="inbox", params=params)
    response = yield from adapter.exchange(request)
    body = response.json()
    items = []
    for item in body.get("data") or ():
        at = graph_time(item["created_time"])
        author = item.get("from") or {}
        event = InboxEvent(
            platform=adapter.spec.id,
            kind=InboxKind.MENTION,
            event_id=str(item["id"]),
            author_id=str(author.get("id") or "unknown"),
            author_name=author.get("name"),
            text=str(item.get("message") or ""),
            at=at,
            thread_id=str(item["id"]),
            url=item.get("permalink_url"),
        )
        items.append((item_key(at, str(item["id"])), event))
    return walk_page(InboxSource.MENTIONS, walk, items, next_token(body))


def _event(
    adapter: FacebookPageAdapter, source: InboxSource, parent: str, item: dict[str, Any]
) -> InboxEvent | None:
    author = item.get("from") or {}
    author_id = str(author.get("id") or "")
    if author_id == adapter.page_id:
        return None  # the Page's own comment or message
    common: dict[str, Any] = {
        "platform": adapter.spec.id,
        "event_id": str(item["id"]),
        "author_id": author_id or "unknown",
        "author_name": author.get("name"),
        "text": str(item.get("message") or ""),
        "at": graph_time(item["created_time"]),
        "thread_id": parent,
    }
    if source is InboxSource.DIRECT_MESSAGES:
        return InboxEvent(kind=InboxKind.DIRECT_MESSAGE, **common)
    answered = (item.get("parent") or {}).get("id")
    return InboxEvent(
        kind=InboxKind.REPLY if answered else InboxKind.COMMENT,
        parent_id=str(answered or parent),
        post_id=parent,
        url=item.get("permalink_url"),
        **common,
    )
