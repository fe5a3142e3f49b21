"""A LinkedIn page's inbox: comments under its recent posts, by offset pages.

* **comments**: the comments under the author's ``inbox_posts`` most recent posts
  (``GET /rest/posts?q=author&sortBy=CREATED``), each post's through
  ``GET /rest/socialActions/{post-urn}/comments`` with ``start``/``count`` offsets,
  newest first. Read as a fan (:mod:`smmkit.platforms._inbox_fan`); an offset page
  shifted by comments arriving meanwhile is filtered by key. Comments under older posts
  are not followed, nor replies to comments (each comment's replies are a list of their
  own, ``socialActions/{comment-urn}/comments``). The author's own comments are not
  delivered. Needs ``r_organization_social`` (a page) or ``r_member_social`` (a member,
  granted to approved partners only).

LinkedIn gives apps no list of mentions (they arrive only as notifications to a page
admin, or as the Community Management webhooks of approved partners) and no messages.

Reference (read 2026-12): https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx

from smmkit.models.inbox import InboxEvent, InboxKind, InboxPage, InboxSource
from smmkit.platforms._adapter import Flow
from smmkit.platforms._inbox_fan import Item, fan_page, item_key
from smmkit.platforms._linkedin_wire import WireComment, post_url, restli

if TYPE_CHECKING:
    from smmkit.platforms.linkedin import LinkedInAdapter

__all__ = ["SOURCES", "inbox_page"]

SOURCES = frozenset({InboxSource.COMMENTS})


def inbox_page(
    adapter: LinkedInAdapter, source: InboxSource, cursor: str | None
) -> Flow[InboxPage]:
    """One page of ``source`` (see the module); the body of ``LinkedInAdapter.inbox_page``."""
    source = InboxSource(source)
    author = yield from adapter._author_for(None)

    def parents() -> Flow[tuple[Sequence[str], httpx.Response]]:
        query = f"posts?q=author&author={restli(author)}&count={adapter.inbox_posts}&sortBy=CREATED"
        response: httpx.Response = yield adapter._rest("GET", query, endpoint="read")
        return [str(p["id"]) for p in response.json().get("elements") or ()], response

    def read(post: str, page: str | None) -> Flow[tuple[Sequence[Item], str | None]]:
        start, count = int(page or 0), adapter.inbox_page_size
        path = f"socialActions/{restli(post)}/comments?start={start}&count={count}"
        response: httpx.Response = yield adapter._rest("GET", path, endpoint="read")
        body = response.json()
        elements = list(body.get("elements") or ())
        items: list[Item] = []
        for element in elements:
            wire = WireComment.model_validate(element)
            items.append(
                (item_key(wire.created_at, wire.comment_urn), _event(adapter, wire, post, author))
            )
        total = (body.get("paging") or {}).get("total")
        if isinstance(total, int) and not isinstance(total, bool):
            more = start + len(elements) < total and bool(elements)
        else:
            more = len(elements) >= count
        return items, str(start + len(elements)) if more else None

    return (yield from fan_page(source, cursor, parents=parents, read=read, newest_first=True))


def _event(
    adapter: LinkedInAdapter, wire: WireComment, post: str, author: str
) -> InboxEvent | None:
    if wire.actor == author:
        return None  # the author's own comment
    return InboxEvent(
        platform=adapter.spec.id,
        kind=InboxKind.REPLY if wire.parent_comment else InboxKind.COMMENT,
        event_id=wire.comment_urn,
        author_id=wire.actor,
        text=wire.text,
        at=wire.created_at,
        thread_id=post,
        parent_id=wire.parent_comment or post,
        post_id=post,
        url=post_url(post),
    )
