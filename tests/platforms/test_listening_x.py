"""X incremental sync: mentions timeline, replies by recent search, DM events.

The fake follows the v2 reference (docs.x.com): every list is newest first; the
mentions timeline and recent search take ``since_id`` (ids strictly greater) and page
with ``pagination_token`` / ``next_token`` from ``meta.next_token``; ``/2/dm_events``
pages with ``pagination_token`` only.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from tests.platforms.inbox_check import assert_exactly_once, one_page
from tests.platforms.inbox_fakes import Listing

from smmkit.models import InboxSource
from smmkit.platforms.x import XAdapter
from smmkit.testing import FakePlatform, client_for

ME = "2244994945"


class InboxX(FakePlatform):
    def __init__(self) -> None:
        self.posts = Listing()
        self.dms = Listing()
        self._ids = itertools.count(1_500_000_000_000_000_000)
        self.requests: list[httpx.Request] = []

    def post(self, text: str, *, reply_to_me: bool = False, author: str = "42") -> str:
        post_id = str(next(self._ids))
        item: dict[str, Any] = {
            "id": post_id,
            "text": f"@teabrand {text}",
            "author_id": author,
            "created_at": "2026-05-01T09:30:00.000Z",
            "conversation_id": "1400000000000000000" if reply_to_me else post_id,
            "mentions_me": True,
        }
        if reply_to_me:
            item["in_reply_to_user_id"] = ME
            item["referenced_tweets"] = [{"type": "replied_to", "id": "1400000000000000000"}]
        self.posts.add(item)
        return post_id

    def dm(self, text: str, *, sender: str = "42") -> str:
        event_id = str(next(self._ids))
        self.dms.add(
            {
                "id": event_id,
                "event_type": "MessageCreate",
                "text": text,
                "sender_id": sender,
                "dm_conversation_id": f"{sender}-{ME}",
                "created_at": "2026-05-01T09:30:00.000Z",
            }
        )
        return event_id

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != "Bearer t":
            return httpx.Response(401, json={"title": "Unauthorized", "status": 401})
        params = request.url.params
        limit = int(params.get("max_results", "10"))
        since = int(params["since_id"]) if "since_id" in params else None
        path = request.url.path
        listing = self.posts
        if path == f"/2/users/{ME}/mentions":

            def match(i: dict[str, Any]) -> bool:
                return bool(i["mentions_me"]) and (since is None or int(i["id"]) > since)

            token = params.get("pagination_token")
        elif path == "/2/tweets/search/recent":
            assert params["query"] == f"to:{ME} is:reply -from:{ME}"

            def match(i: dict[str, Any]) -> bool:
                return (
                    i.get("in_reply_to_user_id") == ME
                    and i["author_id"] != ME
                    and (since is None or int(i["id"]) > since)
                )

            token = params.get("next_token")
        elif path == "/2/dm_events":
            assert "since_id" not in params
            listing, token = self.dms, params.get("pagination_token")

            def match(i: dict[str, Any]) -> bool:
                return True

        else:
            return httpx.Response(404, json={"title": "Not Found", "status": 404})
        page, next_token = listing.by_token(limit, token, match=match)
        meta: dict[str, Any] = {"result_count": len(page)}
        if next_token:
            meta["next_token"] = next_token
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = [{k: v for k, v in i.items() if k != "mentions_me"} for i in page]
            body["includes"] = {"users": [{"id": "42", "username": "ann"}]}
        return httpx.Response(200, json=body)


def _client(kind: str, server: InboxX, size: int = 2) -> Any:
    adapter = XAdapter(access_token="t", user_id=ME)
    adapter.inbox_page_size = size
    return client_for(kind, adapter, server)


@pytest.mark.parametrize("source", list(InboxSource))
def test_each_source_exactly_once(kind: str, source: InboxSource) -> None:
    server = InboxX()

    def add(n: int) -> Sequence[str]:
        keys = []
        for i in range(n):
            if source is InboxSource.MENTIONS:
                keys.append(f"x:mention:{server.post(f'm{i}')}")
                server.post("a reply", reply_to_me=True)  # the comments source's
            elif source is InboxSource.COMMENTS:
                keys.append(f"x:comment:{server.post(f'c{i}', reply_to_me=True)}")
                server.post("a mention")
            else:
                keys.append(f"x:direct_message:{server.dm(f'd{i}')}")
                server.dm("our answer", sender=ME)  # the account's own: not inbox
        return keys

    assert_exactly_once(kind, _client(kind, server), source, add)


def test_a_finished_walk_asks_since_its_newest_id(kind: str) -> None:
    server = InboxX()
    ids = [server.post(f"m{i}") for i in range(3)]
    client = _client(kind, server, size=5)
    page = one_page(kind, client, "mentions", None)
    assert [e.event_id for e in page.events] == ids[::-1] and not page.more
    assert page.events[0].author_name == "ann" and page.events[0].kind.value == "mention"
    one_page(kind, client, "mentions", page.cursor)
    assert server.requests[-1].url.params["since_id"] == ids[-1]


def test_comments_carry_the_conversation(kind: str) -> None:
    server = InboxX()
    server.post("late delivery", reply_to_me=True)
    (event,) = one_page(kind, _client(kind, server), "comments", None).events
    assert event.post_id == event.thread_id == "1400000000000000000"
    assert event.parent_id == "1400000000000000000"
