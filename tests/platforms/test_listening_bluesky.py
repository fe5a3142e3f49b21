"""Bluesky incremental sync: ``app.bsky.notification.listNotifications`` by cursor.

The session and the repo are the FakePDS of ``test_bluesky``; only the AppView call
(which a PDS proxies) is faked, as in the lexicon: newest first by ``indexedAt``, an
opaque ``cursor`` to older ones, ``reason`` mention/reply/quote/like/...
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from tests.platforms.inbox_check import assert_exactly_once, one_page
from tests.platforms.inbox_fakes import Listing
from tests.platforms.test_bluesky import FakePDS, error, make_client

from smmkit.exceptions import UnsupportedOperationError
from smmkit.models import InboxSource

NSID = "app.bsky.notification.listNotifications"


class InboxPDS(FakePDS):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.notifications = Listing()
        self._seq = itertools.count(1)

    def notify(self, reason: str, text: str) -> str:
        n = next(self._seq)
        uri = f"at://did:plc:bob0000000000000000000000/app.bsky.feed.post/3k{n:011d}"
        root = f"at://{self.did}/app.bsky.feed.post/3kroot0000000"
        record: dict[str, Any] = {"text": text, "createdAt": "2026-05-01T09:30:00.000Z"}
        if reason == "reply":
            record["reply"] = {"root": {"uri": root}, "parent": {"uri": root}}
        self.notifications.add(
            {
                "uri": uri,
                "cid": f"bafyrei{n:020d}",
                "author": {"did": "did:plc:bob0000000000000000000000", "handle": "bob.test"},
                "reason": reason,
                "record": record,
                "isRead": False,
                "indexedAt": f"2026-05-01T09:{30 + n // 60:02d}:{n % 60:02d}.000Z",
            }
        )
        return uri

    def _xrpc(self, nsid: str, request: httpx.Request) -> httpx.Response:
        if nsid != NSID:
            return super()._xrpc(nsid, request)
        if not self.appview:
            return error(400, "InvalidRequest", f"No service configured for {nsid}")
        params = request.url.params
        page, token = self.notifications.by_token(int(params["limit"]), params.get("cursor"))
        body: dict[str, Any] = {"notifications": page}
        if token:
            body["cursor"] = token
        return httpx.Response(200, json=body)


def _client(kind: str, server: InboxPDS, size: int = 2) -> Any:
    client = make_client(kind, server)
    client.adapter.inbox_page_size = size
    return client


@pytest.mark.parametrize("source", [InboxSource.MENTIONS, InboxSource.COMMENTS])
def test_each_source_exactly_once(kind: str, source: InboxSource) -> None:
    server = InboxPDS(appview=True)

    def add(n: int) -> Sequence[str]:
        keys = []
        for i in range(n):
            if source is InboxSource.MENTIONS:
                keys.append(f"bluesky:mention:{server.notify('mention', f'm{i}')}")
                keys.append(f"bluesky:quote:{server.notify('quote', f'q{i}')}")
                server.notify("reply", "not a mention")
            else:
                keys.append(f"bluesky:comment:{server.notify('reply', f'r{i}')}")
                server.notify("like", "")
        return keys

    assert_exactly_once(kind, _client(kind, server), source, add)


def test_replies_carry_their_thread(kind: str) -> None:
    server = InboxPDS(appview=True)
    server.notify("reply", "where is my order?")
    (event,) = one_page(kind, _client(kind, server), "comments", None).events
    assert event.thread_id == event.post_id == event.parent_id
    assert event.author_name == "bob.test" and event.text == "where is my order?"


def test_direct_messages_are_not_read_and_a_bare_pds_says_so(kind: str) -> None:
    client = _client(kind, InboxPDS(appview=False))
    with pytest.raises(UnsupportedOperationError, match="direct_messages"):
        client.iter_inbox("direct_messages")
    with pytest.raises(UnsupportedOperationError, match="AppView"):
        one_page(kind, client, "mentions", None)
