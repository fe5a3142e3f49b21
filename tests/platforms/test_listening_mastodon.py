"""Mastodon incremental sync: mention notifications paged forward with ``min_id``.

The fake extends ``FakeMastodon`` with ``GET /api/v1/notifications`` as documented
(docs.joinmastodon.org/methods/notifications): ``types[]`` filters, ``min_id`` returns
the results immediately newer than it, newest first within the page, and ``Link``
carries ``rel="next"`` (``max_id``) and ``rel="prev"`` (``min_id``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from tests.platforms.inbox_check import assert_exactly_once, one_page
from tests.platforms.test_mastodon import BASE, FakeMastodon

from smmkit.models import InboxSource
from smmkit.platforms import InMemoryTokenStore
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.testing import client_for

ME = "1"


class InboxMastodon(FakeMastodon):
    """FakeMastodon plus the notifications a brand's account receives."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.notifications: list[dict[str, Any]] = []
        self._notification_ids = itertools.count(1000)

    def notify(self, text: str, *, visibility: str = "public", reply_to_me: bool = False) -> str:
        status_id = str(next(self._ids))
        status = {
            "id": status_id,
            "created_at": "2026-05-01T09:30:00.000Z",
            "content": f"<p>{text}</p>",
            "visibility": visibility,
            "in_reply_to_id": "77" if reply_to_me else None,
            "in_reply_to_account_id": ME if reply_to_me else None,
            "account": {"id": "42", "acct": "ann@tea.example"},
            "url": f"{BASE}/@ann/{status_id}",
        }
        note = {"id": str(next(self._notification_ids)), "type": "mention", "status": status}
        self.notifications.append(note)
        return status_id

    def _route(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/accounts/verify_credentials":
            self.seen.append(("GET", request.url.path))
            return httpx.Response(200, json={"id": ME, "acct": "teabrand"})
        if request.url.path != "/api/v1/notifications":
            return super()._route(request)
        params = request.url.params
        types = params.get_list("types[]")
        limit = min(int(params.get("limit", "40")), 80)
        chosen = [n for n in self.notifications if not types or n["type"] in types]
        if "min_id" in params:
            chosen = [n for n in chosen if int(n["id"]) > int(params["min_id"])][:limit]
        else:
            if "max_id" in params:
                chosen = [n for n in chosen if int(n["id"]) < int(params["max_id"])]
            if "since_id" in params:
                chosen = [n for n in chosen if int(n["id"]) > int(params["since_id"])]
            chosen = chosen[-limit:]
        page = list(reversed(chosen))
        headers = {}
        if page:
            url = f"{BASE}/api/v1/notifications"
            headers["Link"] = (
                f'<{url}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{url}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return httpx.Response(200, json=page, headers=headers)


def _client(kind: str, server: InboxMastodon, page_size: int = 2) -> Any:
    adapter = MastodonAdapter(base_url=BASE, access_token="token-1")
    adapter.inbox_page_size = page_size  # type: ignore[misc]
    return client_for(kind, adapter, server, token_store=InMemoryTokenStore())


SOURCES: dict[InboxSource, dict[str, Any]] = {
    InboxSource.MENTIONS: {},
    InboxSource.COMMENTS: {"reply_to_me": True},
    InboxSource.DIRECT_MESSAGES: {"visibility": "direct"},
}


KINDS = {"mentions": "mention", "comments": "comment", "direct_messages": "direct_message"}


@pytest.mark.parametrize("source", list(InboxSource))
def test_each_source_exactly_once(kind: str, source: InboxSource) -> None:
    server = InboxMastodon()
    options: dict[str, Any] = SOURCES[source]
    # another source's item between every wanted one: skipped here, never lost there
    noise: dict[str, Any] = {"visibility": "direct"} if not options else {}

    def add(n: int) -> Sequence[str]:
        keys = []
        for i in range(n):
            keys.append(server.notify(f"wanted {i}", **options))
            server.notify("noise", **noise)
        return [f"mastodon:{KINDS[source.value]}:{k}" for k in keys]

    assert_exactly_once(kind, _client(kind, server), source, add)


def test_pages_go_forward_from_min_id_and_read_the_account_once(kind: str) -> None:
    server = InboxMastodon()
    ids = [server.notify(f"m{i}") for i in range(3)]
    client = _client(kind, server)
    first = one_page(kind, client, "mentions", None)
    assert [e.event_id for e in first.events] == ids[:2] and first.more
    assert first.cursor == server.notifications[1]["id"]
    assert first.events[0].text == "m0" and first.events[0].author_name == "ann@tea.example"
    second = one_page(kind, client, "mentions", first.cursor)
    assert [e.event_id for e in second.events] == ids[2:]
    assert server.seen.count(("GET", "/api/v1/accounts/verify_credentials")) == 1


def test_comment_events_point_at_the_brand_status(kind: str) -> None:
    server = InboxMastodon()
    server.notify("is it organic?", reply_to_me=True)
    page = one_page(kind, _client(kind, server, page_size=40), "comments", None)
    (event,) = page.events
    assert (event.kind.value, event.post_id, event.parent_id) == ("comment", "77", "77")
    assert not page.more
