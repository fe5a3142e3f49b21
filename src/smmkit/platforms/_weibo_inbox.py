"""Weibo mentions and comments as inbox events: ``since_id``/``max_id`` walks.

What an app can read (open.weibo.com/wiki, read 2026-12-08; both need the account's
user token and are advanced APIs an app must be granted):

* **mentions**: ``statuses/mentions`` (weibos that @ the account,
  https://open.weibo.com/wiki/2/statuses/mentions);
* **comments**: ``comments/to_me`` (comments on the account's weibos and replies to its
  comments, https://open.weibo.com/wiki/2/comments/to_me).
* **direct messages**: 私信 reach third parties only through the 粉丝服务 platform's
  push (a callback to the account's server): no API lists them.

Both lists are newest first and take ``since_id`` (only ids above it) and ``max_id``
(ids at or below it). A walk (:class:`~smmkit.platforms._listening.WalkCursor`) reads
from the newest item down to the previous walk's newest (``since_id`` = ``floor``), each
next page with ``max_id`` one below the lowest id read, so no page overlaps or skips,
and items posted during the walk are the next walk's. Ids are numbers that grow with
time; keys are the ids zero-padded to 20 digits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._listening import WalkCursor, walk_page
from smmkit.platforms._weibo_wire import status_url, weibo_time

if TYPE_CHECKING:
    from smmkit.platforms.weibo import WeiboAdapter

__all__ = ["PATHS", "inbox_event", "weibo_inbox_page"]

PATHS = {
    InboxSource.MENTIONS: ("statuses/mentions.json", "statuses"),
    InboxSource.COMMENTS: ("comments/to_me.json", "comments"),
}


def _id(item: dict[str, Any] | None) -> str | None:
    if not isinstance(item, dict):
        return None
    found = item.get("idstr") or item.get("id")
    return None if found is None else str(found)


def inbox_event(platform: str, source: InboxSource, item: dict[str, Any]) -> InboxEvent:
    """A ``statuses/mentions`` status or a ``comments/to_me`` comment as an event.

    Example:
        >>> event = inbox_event("weibo", InboxSource.COMMENTS, {"id": 42, "text": "退款呢",
        ...     "created_at": "Fri Jan 02 09:30:00 +0800 2026",
        ...     "user": {"id": 7, "screen_name": "茶友"}, "status": {"idstr": "40"}})
        >>> event.kind.value, event.post_id, event.parent_id, event.at.isoformat()
        ('comment', '40', '40', '2026-01-02T09:30:00+08:00')
    """
    raw_user = item.get("user")
    user: dict[str, Any] = raw_user if isinstance(raw_user, dict) else {}
    event_id = _id(item) or ""
    author = _id(user) or "unknown"
    fields: dict[str, Any] = {
        "platform": platform,
        "event_id": event_id,
        "author_id": author,
        "author_name": user.get("screen_name"),
        "text": str(item.get("text", "")),
        "at": weibo_time(str(item["created_at"])),
    }
    if source is InboxSource.MENTIONS:
        shared = _id(item.get("retweeted_status"))
        return InboxEvent(
            kind=InboxKind.MENTION,
            thread_id=shared or event_id,
            parent_id=shared,
            url=status_url(event_id),
            **fields,
        )
    post = _id(item.get("status"))
    answered = _id(item.get("reply_comment"))
    return InboxEvent(
        kind=InboxKind.REPLY if answered else InboxKind.COMMENT,
        thread_id=post,
        parent_id=answered or post,
        post_id=post,
        url=status_url(post) if post else None,
        **fields,
    )


def weibo_inbox_page(
    adapter: WeiboAdapter, source: InboxSource, cursor: str | None
) -> Flow[InboxPage]:
    """One page of a walk over ``statuses/mentions`` or ``comments/to_me``."""
    walk = WalkCursor.decode(cursor)
    path, field = PATHS[source]
    params: dict[str, Any] = {"count": adapter.inbox_page_size}
    if walk.floor is not None:
        params["since_id"] = int(walk.floor)
    if walk.page is not None:
        params["max_id"] = int(walk.page)
    response = yield adapter.request("GET", path, endpoint="read", params=params)
    raw = [i for i in response.json().get(field) or () if isinstance(i, dict) and _id(i)]
    ids = [int(str(_id(i))) for i in raw]
    items = [
        (f"{n:020d}", inbox_event(adapter.platform_id, source, i))
        for n, i in zip(ids, raw, strict=True)
    ]
    next_page = f"{min(ids) - 1:020d}" if ids and min(ids) > 1 else None
    return walk_page(source, walk, items, next_page)
