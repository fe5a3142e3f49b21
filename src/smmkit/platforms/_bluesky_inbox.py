"""Bluesky's inbox: ``app.bsky.notification.listNotifications``, newest first, by cursor.

The PDS proxies the call to the account's AppView (a bare PDS has none: an
:class:`~smmkit.exceptions.UnsupportedOperationError`). Notifications come newest
first by ``indexedAt`` with an opaque ``cursor`` to the older ones, so each source is a
:class:`~smmkit.platforms.WalkCursor` walk keyed by ``indexedAt|uri``:

* **mentions**: reasons ``mention`` and ``quote`` (a quote is an :class:`InboxKind.QUOTE`);
* **comments**: reason ``reply`` (the reply's root is the thread, its parent the post
  answered).

Direct messages live in a separate service (``chat.bsky.convo.*`` through the
``atproto-proxy`` header, with an app password allowed to read DMs): not read here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, ClassVar

from smmkit.exceptions import APIError, BadRequestError, UnsupportedOperationError
from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._listening import WalkCursor, walk_page

__all__ = ["BlueskyInbox"]

_REASONS = {
    InboxSource.MENTIONS: {"mention": InboxKind.MENTION, "quote": InboxKind.QUOTE},
    InboxSource.COMMENTS: {"reply": InboxKind.COMMENT},
}


def _at(raw: object) -> datetime:
    if not isinstance(raw, str):
        return datetime.fromtimestamp(0, timezone.utc)
    at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


class BlueskyInbox(PlatformAdapter):
    """The ``inbox_page`` operation of :class:`~smmkit.platforms.bluesky.BlueskyAdapter`.

    Example:
        >>> from smmkit.platforms.bluesky import BlueskyAdapter
        >>> request = next(BlueskyAdapter().inbox_page(InboxSource.MENTIONS, None))
        >>> request.url.path, request.url.params["limit"]
        ('/xrpc/app.bsky.notification.listNotifications', '50')
    """

    inbox_sources = frozenset(_REASONS)
    inbox_page_size: ClassVar[int] = 50

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One page of ``source`` (see ``smmkit.platforms._bluesky_inbox``)."""
        source = InboxSource(source)
        walk = WalkCursor.decode(cursor)
        params: dict[str, Any] = {"limit": self.inbox_page_size}
        if walk.page:
            params["cursor"] = walk.page
        nsid = "app.bsky.notification.listNotifications"
        try:
            response = yield self.request(
                "GET", f"/xrpc/{nsid}", endpoint="requests", params=params
            )
        except (BadRequestError, APIError) as exc:
            if "no service configured" in str(exc).lower():
                raise UnsupportedOperationError(
                    f"{nsid} needs an AppView; this server has none (a bare PDS)",
                    platform=self.platform_id,
                ) from exc
            raise
        body = response.json()
        items = [
            (f"{n.get('indexedAt', '')}|{n.get('uri', '')}", self._inbox_event(source, n))
            for n in body.get("notifications") or ()
        ]
        notifications = body.get("notifications") or ()
        following = body.get("cursor") if notifications else None
        return walk_page(source, walk, items, str(following) if following else None)

    def _inbox_event(self, source: InboxSource, item: dict[str, Any]) -> InboxEvent | None:
        kind = _REASONS[source].get(str(item.get("reason")))
        if kind is None or not item.get("uri"):
            return None
        record = item.get("record") or {}
        reply = record.get("reply") or {}
        author = item.get("author") or {}
        parent = (reply.get("parent") or {}).get("uri")
        root = (reply.get("root") or {}).get("uri")
        langs = record.get("langs") or ()
        return InboxEvent(
            platform=self.platform_id,
            kind=kind,
            event_id=str(item["uri"]),
            author_id=str(author.get("did") or "unknown"),
            author_name=author.get("handle"),
            text=str(record.get("text") or ""),
            at=_at(record.get("createdAt") or item.get("indexedAt")),
            thread_id=root,
            parent_id=parent,
            post_id=root if kind is InboxKind.COMMENT else item.get("reasonSubject"),
            language=str(langs[0]) if langs else None,
        )
