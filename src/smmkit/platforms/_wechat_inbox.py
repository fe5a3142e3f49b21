"""WeChat Official Account comments as inbox events, read round by round.

What an app can read (developers.weixin.qq.com, read 2026-12-08):

* **comments**: ``cgi-bin/comment/list`` lists one publication's comments by
  ``msg_data_id`` with ``begin``/``count`` offsets (``count`` < 50, ``type=0`` for normal
  and selected comments; https://developers.weixin.qq.com/doc/service/api/leaving/api_listcomment).
  There is no account-wide feed, and ``freepublish/batchget`` does not give the
  ``msg_data_id``: the adapter follows the publications named in ``watch_posts`` (the
  post ids of publish receipts, ``"<article_id>|<msg_data_id>"``, or bare
  ``msg_data_id``\\ s), one round over them per sync (:mod:`._inbox_rounds`).
* **direct messages** reach the account only as callbacks (消息推送, decrypted by
  :mod:`smmkit.webhooks`); no API lists them, so there is no pull source.
* **mentions**: WeChat has no mention API.

``user_comment_id`` numbers the comments of a publication in order, so it is the key
(zero-padded); WeChat does not document the order of ``comment/list``, so a round reads a
publication's list to its end unless a page shows it newest first. Offset pages overlap
by a few items so a comment deleted between two pages cannot shift a new one past the
next page's start.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._inbox_rounds import RoundCursor, round_page
from smmkit.platforms._wechat_receipts import split_post_id
from smmkit.platforms._weixin import CHINA_TZ

if TYPE_CHECKING:
    from smmkit.platforms.wechat import WeChatOfficialAccountAdapter

__all__ = ["PAGE", "comment_event_id", "comment_page"]

PAGE = 49  # comment/list refuses count >= 50
_OVERLAP = 5  # items re-read at the start of the next offset page


def comment_event_id(msg_data_id: str, user_comment_id: object) -> str:
    """The inbox id of a comment: ``user_comment_id`` is unique per publication only.

    Example:
        >>> comment_event_id("2247483650", 12)
        '2247483650-12'
    """
    return f"{msg_data_id}-{user_comment_id}"


def _key(user_comment_id: object) -> str:
    return f"{int(str(user_comment_id)):020d}"


def _event(
    adapter: WeChatOfficialAccountAdapter, post_id: str, msg_data_id: str, item: dict[str, Any]
) -> InboxEvent:
    return InboxEvent(
        platform=adapter.platform_id,
        kind=InboxKind.COMMENT,
        event_id=comment_event_id(msg_data_id, item["user_comment_id"]),
        author_id=str(item.get("openid") or "anonymous"),  # non-WeChat identities have none
        text=str(item.get("content", "")),
        at=datetime.fromtimestamp(int(item["create_time"]), CHINA_TZ),
        thread_id=post_id,
        parent_id=post_id,
        post_id=post_id,
    )


def comment_page(adapter: WeChatOfficialAccountAdapter, cursor: str | None) -> Flow[InboxPage]:
    """One ``comment/list`` page of the watched publication the round is at."""
    state, post_id = RoundCursor.decode(cursor).current(adapter.watch_posts)
    head, tail = split_post_id(post_id)
    msg_data_id = tail or head
    begin = int(state.page or 0)
    payload = {"msg_data_id": msg_data_id, "index": 0, "begin": begin, "count": PAGE, "type": 0}
    response = yield adapter._post("/cgi-bin/comment/list", payload, endpoint="read", safe=True)
    body = response.json()
    page = [c for c in body.get("comment") or [] if "user_comment_id" in c]
    keys = [_key(c["user_comment_id"]) for c in page]
    total = int(body.get("total") or 0)
    end = begin + len(page)
    next_page = None if not page or end >= total else str(max(begin + 1, end - _OVERLAP))
    return round_page(
        InboxSource.COMMENTS,
        state,
        adapter.watch_posts,
        [(k, _event(adapter, post_id, msg_data_id, c)) for k, c in zip(keys, page, strict=True)],
        next_page,
        newest_first=len(keys) > 1 and keys[0] > keys[-1],
    )
