"""X's inbox: mentions, replies to the account and direct messages, newest first.

* **mentions**: ``GET /2/users/:id/mentions`` (``since_id`` = the last walk's newest,
  ``pagination_token`` down the walk); replies to the account are left to comments.
* **comments**: ``GET /2/tweets/search/recent`` with ``to:<id> is:reply -from:<id>``
  (every reply in the account's conversations; recent search covers the last 7 days,
  so a first sync starts a week back), ``since_id`` and ``next_token``.
* **direct_messages**: ``GET /2/dm_events`` (scope ``dm.read``, ``MessageCreate`` events
  sent to the account), ``pagination_token``; it takes no ``since_id``, so the walk
  stops at the last walk's newest id itself.

X lists newest first, so each source is a :class:`~smmkit.platforms.WalkCursor` walk;
keys are the ids zero-padded to 20 digits (snowflakes grow with time).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._listening import WalkCursor, walk_page
from smmkit.platforms._x_wire import snowflake_time

if TYPE_CHECKING:
    from smmkit.platforms.x import XAdapter

__all__ = ["SOURCES", "inbox_page"]

SOURCES = frozenset(InboxSource)
_POST_FIELDS = "conversation_id,created_at,in_reply_to_user_id,lang,referenced_tweets"


def _key(item_id: str) -> str:
    return item_id.zfill(20)


def _at(item: dict[str, Any]) -> datetime:
    raw = item.get("created_at")
    if isinstance(raw, str):
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
    return snowflake_time(str(item["id"]))


def _parent(item: dict[str, Any]) -> str | None:
    for ref in item.get("referenced_tweets") or ():
        if ref.get("type") == "replied_to":
            return str(ref["id"])
    return None


def inbox_page(adapter: XAdapter, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
    """One page of ``source`` (see the module); the body of ``XAdapter.inbox_page``."""
    source = InboxSource(source)
    walk = WalkCursor.decode(cursor)
    me = yield from adapter.user_id()
    size = adapter.inbox_page_size
    params: dict[str, Any]
    if source is InboxSource.DIRECT_MESSAGES:
        params = {
            "event_types": "MessageCreate",
            "dm_event.fields": "id,text,sender_id,created_at,dm_conversation_id",
            "max_results": size,
        }
        if walk.page:
            params["pagination_token"] = walk.page
        request = adapter.request("GET", "/2/dm_events", endpoint="dm_events", params=params)
    else:
        params = {"max_results": size, "post.fields": _POST_FIELDS, "expansions": "author_id"}
        if walk.floor is not None:
            params["since_id"] = walk.floor.lstrip("0") or "0"
        if source is InboxSource.MENTIONS:
            if walk.page:
                params["pagination_token"] = walk.page
            path, endpoint = f"/2/users/{me}/mentions", "mentions"
        else:
            params["query"] = f"to:{me} is:reply -from:{me}"
            if walk.page:
                params["next_token"] = walk.page
            path, endpoint = "/2/tweets/search/recent", "search_recent"
        request = adapter.request("GET", path, endpoint=endpoint, params=params)
    response = yield from adapter.exchange(request)
    body = response.json()
    users = {
        str(u.get("id")): u.get("username") for u in (body.get("includes") or {}).get("users", ())
    }
    items = [
        (_key(str(i["id"])), _event(adapter, source, i, me, users)) for i in body.get("data") or ()
    ]
    next_token = (body.get("meta") or {}).get("next_token")
    return walk_page(source, walk, items, str(next_token) if next_token else None)


def _event(
    adapter: XAdapter,
    source: InboxSource,
    item: dict[str, Any],
    me: str,
    users: dict[str, Any],
) -> InboxEvent | None:
    if source is InboxSource.DIRECT_MESSAGES:
        sender = str(item.get("sender_id") or "")
        if not sender or sender == me:
            return None  # the account's own messages
        return InboxEvent(
            platform=adapter.spec.id,
            kind=InboxKind.DIRECT_MESSAGE,
            event_id=str(item["id"]),
            author_id=sender,
            author_name=users.get(sender),
            text=str(item.get("text") or ""),
            at=_at(item),
            thread_id=item.get("dm_conversation_id"),
        )
    replying_to_me = str(item.get("in_reply_to_user_id") or "") == me
    if source is InboxSource.MENTIONS and replying_to_me:
        return None  # a reply to the account: the comments source has it
    author = str(item.get("author_id") or "unknown")
    parent = _parent(item)
    return InboxEvent(
        platform=adapter.spec.id,
        kind=InboxKind.MENTION if source is InboxSource.MENTIONS else InboxKind.COMMENT,
        event_id=str(item["id"]),
        author_id=author,
        author_name=users.get(author),
        text=str(item.get("text") or ""),
        at=_at(item),
        thread_id=item.get("conversation_id"),
        parent_id=parent,
        post_id=item.get("conversation_id") if source is InboxSource.COMMENTS else None,
        language=item.get("lang"),
        url=f"https://x.com/i/web/status/{item['id']}",
    )
