"""Mastodon's inbox: mention notifications, paged forward with ``min_id``.

Every source reads ``GET /api/v1/notifications?types[]=mention`` (scope
``read:notifications``), forward from the cursor: ``min_id`` returns the notifications
immediately newer than it (the page's ``Link: rel="prev"`` points past its newest one),
so a page never skips what arrived after the previous one, and ``min_id=0`` starts
from the oldest notification the server keeps. The three sources split that one list:

* **direct_messages**: mentions in a status of ``direct`` visibility (Mastodon's DMs);
* **comments**: replies to one of the brand's statuses (``in_reply_to_account_id`` is
  the brand's account, read once from ``verify_credentials``);
* **mentions**: every other mention.

Each source keeps its own cursor (the last notification id it has read). The event id
is the status id, the same one the streaming API and a status' context give.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any, ClassVar

import httpx

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow, PlatformAdapter

__all__ = ["MastodonInbox"]


def _plain(content: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.IGNORECASE)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _newer(a: str, b: str) -> bool:
    """Whether id ``a`` is after ``b`` (numeric ids compare as numbers)."""
    if a.isdigit() and b.isdigit():
        return int(a) > int(b)
    return (len(a), a) > (len(b), b)


class MastodonInbox(PlatformAdapter):
    """The ``inbox_page`` operation of :class:`~smmkit.platforms.mastodon.MastodonAdapter`.

    Example:
        >>> from smmkit.platforms.mastodon import MastodonAdapter
        >>> adapter = MastodonAdapter(base_url="https://social.example", access_token="t")
        >>> adapter._inbox_account = "1"  # else the first request reads verify_credentials
        >>> request = next(adapter.inbox_page(InboxSource.MENTIONS, "109"))
        >>> request.url.path, request.url.params["min_id"], request.url.params["types[]"]
        ('/api/v1/notifications', '109', 'mention')
    """

    inbox_sources = frozenset(InboxSource)
    inbox_page_size: ClassVar[int] = 40  # the documented default (and 80 the maximum)
    _inbox_account: str | None = None

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One page of ``source`` after the notification id ``cursor`` (see the module)."""
        source = InboxSource(source)
        if self._inbox_account is None:
            response = yield self.request(
                "GET", "/api/v1/accounts/verify_credentials", endpoint="api_requests"
            )
            self._inbox_account = str(response.json()["id"])
        response = yield self.request(
            "GET",
            "/api/v1/notifications",
            endpoint="api_requests",
            params=[
                ("types[]", "mention"),
                ("min_id", cursor or "0"),
                ("limit", str(self.inbox_page_size)),
            ],
        )
        notifications: list[dict[str, Any]] = response.json()
        newest = cursor
        prev = response.links.get("prev", {}).get("url")
        linked = prev and link_param(prev, "min_id")
        for item in notifications:
            if newest is None or _newer(str(item["id"]), newest):
                newest = str(item["id"])
        if linked and (newest is None or _newer(linked, newest)):
            newest = linked
        events = []
        for item in sorted(notifications, key=lambda n: (len(str(n["id"])), str(n["id"]))):
            status = item.get("status")
            if not isinstance(status, dict) or self._source_of(status) is not source:
                continue
            events.append(self._inbox_event(status, source))
        more = len(notifications) >= self.inbox_page_size
        return InboxPage(source=source, events=tuple(events), cursor=newest, more=more)

    def _source_of(self, status: dict[str, Any]) -> InboxSource:
        if status.get("visibility") == "direct":
            return InboxSource.DIRECT_MESSAGES
        if status.get("in_reply_to_account_id") == self._inbox_account:
            return InboxSource.COMMENTS
        return InboxSource.MENTIONS

    def _inbox_event(self, status: dict[str, Any], source: InboxSource) -> InboxEvent:
        kind = {
            InboxSource.MENTIONS: InboxKind.MENTION,
            InboxSource.COMMENTS: InboxKind.COMMENT,
            InboxSource.DIRECT_MESSAGES: InboxKind.DIRECT_MESSAGE,
        }[source]
        account = status.get("account") or {}
        parent = status.get("in_reply_to_id")
        return InboxEvent(
            platform=self.platform_id,
            kind=kind,
            event_id=str(status["id"]),
            author_id=str(account.get("id") or "unknown"),
            author_name=account.get("acct"),
            text=_plain(str(status.get("content") or "")),
            at=datetime.fromisoformat(str(status["created_at"]).replace("Z", "+00:00")),
            parent_id=str(parent) if parent else None,
            post_id=str(parent) if parent and source is InboxSource.COMMENTS else None,
            language=status.get("language"),
            url=status.get("url"),
        )


def link_param(url: str, name: str) -> str | None:
    """The query parameter ``name`` of ``url`` (a Link header's target), if any.

    Example:
        >>> link_param("https://social.example/api/v1/notifications?min_id=7", "min_id")
        '7'
    """
    value = httpx.URL(url).params.get(name)
    return str(value) if value else None
