"""The sandbox's inbox: mentions, comments and direct messages people send the brand.

Tests and docs add incoming items with :meth:`SandboxInbox.add_incoming` (comments go
under a post stored in the sandbox: publish one, or store one with
``SandboxPlatform.add_post``). The server lists each source oldest first at
``GET /api/inbox/{source}`` with ``after=`` (the sequence number of the last item seen)
and ``limit=``, the simplest scheme a cursor can follow.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.models.inbox import InboxSource
from smmkit.platforms._checks import require
from smmkit.platforms._clock import Clock

__all__ = ["SandboxInbox"]

_KINDS = {"mentions": "mention", "comments": "comment", "direct_messages": "direct_message"}


class SandboxInbox:
    """The inbox part of :class:`~smmkit.platforms._sandbox_server.SandboxServer`.

    Example:
        >>> from smmkit.platforms import SandboxPlatform
        >>> sandbox = SandboxPlatform()
        >>> post = sandbox.add_post("New matcha")
        >>> sandbox.add_incoming("comments", "price?", post_id=post.id)["kind"]
        'comment'
        >>> len(sandbox.incoming)
        1
    """

    clock: Clock
    _lock: threading.RLock
    _posts: dict[str, Any]
    _incoming: list[dict[str, Any]]

    @property
    def incoming(self) -> tuple[dict[str, Any], ...]:
        """Every incoming item added, in order of arrival."""
        return tuple(self._incoming)

    def add_incoming(
        self,
        source: InboxSource | str,
        text: str,
        *,
        author: str = "user1",
        post_id: str | None = None,
        in_reply_to: str | None = None,
    ) -> dict[str, Any]:
        """A test hook: someone mentions the brand, comments on ``post_id`` or messages it.

        A comment needs the id of a post stored in the sandbox (it also shows in that
        post's ``comments``); ``in_reply_to`` makes it a reply to a comment.
        """
        try:
            chosen = InboxSource(source).value
        except ValueError:
            raise InvalidInputError.single("source", "is not an inbox source", source) from None
        require(text, "text", str, "a str")
        require(author, "author", str, "a str")
        with self._lock:
            post = self._posts.get(post_id) if post_id is not None else None
            if chosen == "comments" and post is None:
                raise InvalidInputError.single(
                    "post_id", "must name a post stored in the sandbox", post_id
                )
            items = self._incoming
            seq = len(items) + 1
            item = {
                "seq": seq,
                "id": f"in{seq}",
                "source": chosen,
                "kind": "reply" if chosen == "comments" and in_reply_to else _KINDS[chosen],
                "author": author,
                "text": text,
                "created_at": self.clock.time(),
                "post_id": post_id,
                "in_reply_to": in_reply_to,
            }
            items.append(item)
            if post is not None and chosen == "comments":
                post.replies.append({k: item[k] for k in ("id", "author", "text", "created_at")})
                post.replies[-1]["in_reply_to"] = in_reply_to
            return item

    def _serve_inbox(self, request: httpx.Request, source: str) -> httpx.Response:
        if source not in _KINDS:
            return httpx.Response(404, json={"error": "not_found", "message": "no such inbox"})
        try:
            after = int(request.url.params.get("after", "0"))
            limit = int(request.url.params.get("limit", "20"))
        except ValueError:
            return httpx.Response(400, json={"error": "bad_request", "message": "bad paging"})
        limit = max(1, min(limit, 100))
        matching = (i for i in self._incoming if i["source"] == source and i["seq"] > after)
        page = list(itertools.islice(matching, limit + 1))
        return httpx.Response(200, json={"events": page[:limit], "more": len(page) > limit})
