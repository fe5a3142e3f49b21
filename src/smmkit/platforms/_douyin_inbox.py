"""Douyin video comments as inbox events, read round by round over watched videos.

What an app can read (developer.open-douyin.com, read 2026-12-08):

* **comments**: ``GET /item/comment/list/`` lists one video's comments with a
  ``cursor`` (0 first, then the answer's ``cursor`` while ``has_more``), ``count`` ≤ 50
  and ``sort_type=time`` (newest first); scope ``item.comment``
  (https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/enterprise-open-ability/comment-management-enterprise/comment-list).
  There is no account-wide feed: the adapter follows the videos in ``watch_posts``
  (``item_id``\\ s), one round over them per sync (:mod:`._inbox_rounds`). Replies under a
  comment (``item/comment/reply/list``, one list per comment) are not followed: a
  comment's ``reply_comment_total`` says when there are some.
* **direct messages** (私信) reach an app only as webhooks of enterprise accounts;
  no API lists them. **Mentions**: no API.

Keys are ``create_time|comment_id`` (ids are opaque strings): a newest-first list stops
at the first comment at or below the video's mark.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms import _douyin_wire as wire
from smmkit.platforms._adapter import Flow, Now
from smmkit.platforms._inbox_rounds import RoundCursor, round_page

if TYPE_CHECKING:
    from smmkit.platforms.douyin import DouyinAdapter

__all__ = ["comment_page"]

_PAGE = 50


def _event(platform: str, item_id: str, comment: wire.WireComment, now: datetime) -> InboxEvent:
    return InboxEvent(
        platform=platform,
        kind=InboxKind.COMMENT,
        event_id=comment.comment_id,
        author_id=comment.comment_user_id or "unknown",
        text=comment.content,
        at=comment.created_at or now,
        thread_id=item_id,
        parent_id=item_id,
        post_id=item_id,
    )


def comment_page(adapter: DouyinAdapter, cursor: str | None) -> Flow[InboxPage]:
    """One ``item/comment/list`` page of the watched video the round is at."""
    adapter._require_scope("comments")
    state, item_id = RoundCursor.decode(cursor).current(adapter.watch_posts)
    params: dict[str, Any] = {
        "item_id": item_id,
        "cursor": int(state.page or 0),
        "count": _PAGE,
        "sort_type": "time",
    }
    response = yield adapter._get("/item/comment/list/", params)
    now: datetime = yield Now()
    data = wire.answer_data(response)
    found = [wire.WireComment.model_validate(c) for c in data.get("list") or ()]
    items = [
        (f"{c.create_time or 0:012d}|{c.comment_id}", _event(adapter.spec.id, item_id, c, now))
        for c in found
    ]
    more = bool(data.get("has_more")) and bool(found)
    next_page = str(data.get("cursor", 0)) if more else None
    return round_page(
        InboxSource.COMMENTS, state, adapter.watch_posts, items, next_page, newest_first=True
    )
