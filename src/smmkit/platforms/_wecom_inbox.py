"""WeCom customer messages as inbox events: 微信客服 ``kf/sync_msg`` with its cursor.

What a WeCom app can read (developer.work.weixin.qq.com, read 2026-12-08):

* **direct messages** from WeChat users to the corp's customer-service accounts
  (微信客服): ``POST cgi-bin/kf/sync_msg`` returns them oldest first with a
  ``next_cursor`` and ``has_more``; without a cursor it starts at the oldest message of
  the last **3 days** (older ones are gone: sync at least every 3 days). The ``token`` of
  the ``kf_msg_or_event`` callback is optional; without it WeCom applies a strict call
  frequency limit (https://developer.work.weixin.qq.com/document/path/94670). Only
  ``origin`` 3 (sent by the customer) becomes an event; servicer replies (5) and system
  events (4) are skipped. The app must be one of the 微信客服 "可调用接口的应用".
* Messages members send *to the app* arrive only as callbacks
  (:class:`smmkit.webhooks.WeComCallback`).
* Chats with customers in members' own WeCom (客户联系 1:1 and group chats) are readable
  only through 会话内容存档 (the chat archive), which needs the Finance SDK (a native
  library, RSA-encrypted records) and a separate licence: not an HTTP pull source.
* WeCom has no posts, mentions or comments an app can list.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._weixin import CHINA_TZ

if TYPE_CHECKING:
    from smmkit.platforms.wecom import WeComAdapter

__all__ = ["message_event", "message_page"]

_CUSTOMER = 3  # origin: sent by the WeChat customer


def message_event(platform: str, item: dict[str, Any]) -> InboxEvent | None:
    """One ``msg_list`` entry as an event (``None``: not a customer's message).

    Example:
        >>> event = message_event("wecom", {"msgid": "m1", "open_kfid": "wk1",
        ...     "external_userid": "wm1", "send_time": 1767225600, "origin": 3,
        ...     "msgtype": "text", "text": {"content": "还没发货"}})
        >>> event.text, event.thread_id, event.at.isoformat()
        ('还没发货', 'wk1:wm1', '2026-01-01T08:00:00+08:00')
    """
    if item.get("origin") != _CUSTOMER or not item.get("msgid"):
        return None
    msgtype = str(item.get("msgtype") or "")
    raw = item.get(msgtype)
    content: dict[str, Any] = raw if isinstance(raw, dict) else {}
    text = str(content.get("content", "")) if msgtype in ("text", "menu") else f"[{msgtype}]"
    customer = str(item.get("external_userid") or "unknown")
    return InboxEvent(
        platform=platform,
        kind=InboxKind.DIRECT_MESSAGE,
        event_id=str(item["msgid"]),
        author_id=customer,
        text=text,
        at=datetime.fromtimestamp(int(item.get("send_time") or 0), CHINA_TZ),
        thread_id=f"{item.get('open_kfid', '')}:{customer}",
    )


def message_page(adapter: WeComAdapter, cursor: str | None) -> Flow[InboxPage]:
    """One ``kf/sync_msg`` page after ``cursor`` (WeCom's own ``next_cursor``)."""
    payload: dict[str, Any] = {"limit": adapter.kf_page_size}
    if cursor is not None:
        payload["cursor"] = cursor
    if adapter.open_kfid is not None:
        payload["open_kfid"] = adapter.open_kfid
    response = yield adapter._post("/cgi-bin/kf/sync_msg", payload, endpoint="api_calls", safe=True)
    body = response.json()
    events = [message_event(adapter.platform_id, m) for m in body.get("msg_list") or ()]
    after = body.get("next_cursor") or cursor
    return InboxPage(
        source=InboxSource.DIRECT_MESSAGES,
        events=tuple(e for e in events if e is not None),
        cursor=after,
        more=bool(body.get("has_more")),
    )
