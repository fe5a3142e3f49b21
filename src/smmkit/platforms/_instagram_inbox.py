"""An Instagram professional account's inbox: tags and comments on its recent media.

* **mentions**: ``GET /{ig-user-id}/tags`` (media in which the account is tagged),
  newest first with ``paging.cursors.after``: a :class:`~smmkit.platforms.WalkCursor`
  walk keyed by ``timestamp|id``. @mentions in captions and comments are only
  announced by the ``mentions`` webhook (``mentioned_media`` and
  ``mentioned_comment`` read one item whose id the webhook gave): there is no list.
* **comments**: the comments under the account's ``inbox_media`` most recent media
  (``GET /{ig-user-id}/media?fields=id``), each media's through
  ``GET /{ig-media-id}/comments`` with the first ``inbox_replies`` replies of each
  comment nested (``replies.limit(n){...}``), paged by ``paging.cursors.after``. Meta
  does not document the order of this list, so each media's comments are read to the
  end on every sync (a fan of :mod:`smmkit.platforms._inbox_fan`, not stopping early):
  a new reply under an old comment is found too. Comments under older media are not
  followed, nor replies beyond a comment's first ``inbox_replies``. The account's own
  comments are not delivered.

Direct messages belong to the Instagram Messaging API (Messenger Platform, a separate
product with its own review, webhooks first): not read here.

References (read 2026-12): https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/tags/,
https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments/.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._facebook_inbox import next_token
from smmkit.platforms._inbox_fan import Item, fan_page, item_key
from smmkit.platforms._listening import WalkCursor, walk_page
from smmkit.platforms._meta_graph import graph_time

if TYPE_CHECKING:
    from smmkit.platforms.instagram import InstagramAdapter

__all__ = ["SOURCES", "inbox_page"]

SOURCES = frozenset({InboxSource.MENTIONS, InboxSource.COMMENTS})
_FIELDS = "id,text,timestamp,username,from"
_TAG_FIELDS = "id,caption,timestamp,username,permalink"


def inbox_page(
    adapter: InstagramAdapter, source: InboxSource, cursor: str | None
) -> Flow[InboxPage]:
    """One page of ``source`` (see the module); the body of ``InstagramAdapter.inbox_page``."""
    source = InboxSource(source)
    if source is InboxSource.MENTIONS:
        return (yield from _tags(adapter, cursor))

    def parents() -> Flow[tuple[Sequence[str], httpx.Response]]:
        params = {"fields": "id", "limit": adapter.inbox_media}
        request = adapter.graph("GET", adapter.ig_user_id, "media", endpoint="inbox", params=params)
        response = yield from adapter.exchange(request)
        return [str(m["id"]) for m in response.json().get("data") or ()], response

    def read(media: str, page: str | None) -> Flow[tuple[Sequence[Item], str | None]]:
        fields = f"{_FIELDS},replies.limit({adapter.inbox_replies}){{{_FIELDS}}}"
        params: dict[str, Any] = {"fields": fields, "limit": adapter.inbox_page_size}
        if page:
            params["after"] = page
        request = adapter.graph("GET", media, "comments", endpoint="inbox", params=params)
        response = yield from adapter.exchange(request)
        body = response.json()
        items: list[Item] = []
        for comment in body.get("data") or ():
            items.append(_item(adapter, media, comment, None))
            for reply in (comment.get("replies") or {}).get("data") or ():
                items.append(_item(adapter, media, reply, str(comment["id"])))
        return items, next_token(body)

    return (yield from fan_page(source, cursor, parents=parents, read=read, newest_first=False))


def _tags(adapter: InstagramAdapter, cursor: str | None) -> Flow[InboxPage]:
    walk = WalkCursor.decode(cursor)
    params: dict[str, Any] = {"fields": _TAG_FIELDS, "limit": adapter.inbox_page_size}
    if walk.page:
        params["after"] = walk.page
    request = adapter.graph("GET", adapter.ig_user_id, "tags", endpoint="inbox", params=params)
    response = yield from adapter.exchange(request)
    body = response.json()
    items = []
    for media in body.get("data") or ():
        at = graph_time(media["timestamp"])
        name = media.get("username")
        event = InboxEvent(
            platform=adapter.spec.id,
            kind=InboxKind.MENTION,
            event_id=str(media["id"]),
            author_id=str(name or "unknown"),
            author_name=name,
            text=str(media.get("caption") or ""),
            at=at,
            thread_id=str(media["id"]),
            url=media.get("permalink"),
        )
        items.append((item_key(at, str(media["id"])), event))
    return walk_page(InboxSource.MENTIONS, walk, items, next_token(body))


def _item(adapter: InstagramAdapter, media: str, item: dict[str, Any], parent: str | None) -> Item:
    at = graph_time(item["timestamp"])
    key = item_key(at, str(item["id"]))
    author = item.get("from") or {}
    if str(author.get("id") or "") == adapter.ig_user_id:
        return key, None  # the account's own comment or reply
    name = item.get("username") or author.get("username")
    event = InboxEvent(
        platform=adapter.spec.id,
        kind=InboxKind.REPLY if parent else InboxKind.COMMENT,
        event_id=str(item["id"]),
        author_id=str(author.get("id") or name or "unknown"),
        author_name=name,
        text=str(item.get("text") or ""),
        at=at,
        thread_id=media,
        parent_id=parent or media,
        post_id=media,
    )
    return key, event
