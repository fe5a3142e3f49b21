"""LinkedIn incremental sync: comments under the page's recent posts, by offsets.

The fake follows the Community Management API reference (learn.microsoft.com, Posts
API and Comments API, read 2026-12): ``GET /rest/posts?q=author`` lists the author's
posts newest first; ``GET /rest/socialActions/{urn}/comments?start=&count=`` answers
``{"elements", "paging": {"start", "count", "total"}}``, here newest first, so a comment
arriving between two pages shifts the next page by one (the client filters by key).
Every answer carries a ``Date`` from the fake's clock (100 s per request and item).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from tests.platforms.inbox_check import assert_exactly_once, drain, one_page
from tests.platforms.inbox_fakes import Listing

from smmkit.exceptions import UnsupportedOperationError
from smmkit.models import InboxSource
from smmkit.platforms.linkedin import LinkedInAdapter
from smmkit.testing import FakePlatform, client_for

ORG = "urn:li:organization:2414183"


class InboxLinkedIn(FakePlatform):
    def __init__(self) -> None:
        self.now = 1_777_000_000
        self._ids = itertools.count(7_100_000_000_000_000_000)
        self.posts = Listing()
        self.comments: dict[str, Listing] = {}
        self.requests: list[httpx.Request] = []

    def _tick(self) -> int:
        self.now += 100
        return self.now

    def post(self) -> str:
        urn = f"urn:li:share:{next(self._ids)}"
        self.posts.add({"id": urn, "author": ORG, "createdAt": self._tick() * 1000})
        self.comments[urn] = Listing()
        return urn

    def comment(self, post: str, *, actor: str = "urn:li:person:ann") -> str:
        urn = f"urn:li:comment:({post.replace('share', 'activity')},{next(self._ids)})"
        self.comments[post].add(
            {
                "commentUrn": urn,
                "actor": actor,
                "object": post,
                "created": {"time": self._tick() * 1000},
                "message": {"text": "which oolong is this?"},
            }
        )
        return urn

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        date = format_datetime(datetime.fromtimestamp(self._tick(), timezone.utc), usegmt=True)
        headers = {"Date": date}
        if request.headers.get("authorization") != "Bearer t":
            return httpx.Response(401, json={"status": 401, "message": "bad"}, headers=headers)
        assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
        path = unquote(request.url.path).removeprefix("/rest/")
        params = request.url.params
        if path == "posts":
            assert params["q"] == "author" and params["author"] == ORG
            posts, _ = self.posts.by_token(int(params["count"]), None)
            return httpx.Response(200, json={"elements": posts}, headers=headers)
        prefix, _, rest = path.partition("/")
        post, _, edge = rest.rpartition("/")
        assert prefix == "socialActions" and edge == "comments", path
        listing = self.comments[post]
        start, count = int(params["start"]), int(params["count"])
        elements = listing.by_offset(start, count)
        paging = {"start": start, "count": count, "total": len(listing.items)}
        return httpx.Response(200, json={"elements": elements, "paging": paging}, headers=headers)


def _client(kind: str, server: InboxLinkedIn, size: int = 2) -> Any:
    adapter = LinkedInAdapter(access_token="t", author=ORG)
    adapter.inbox_page_size = size
    return client_for(kind, adapter, server)


def test_comments_exactly_once(kind: str) -> None:
    server = InboxLinkedIn()
    posts = [server.post() for _ in range(3)]
    turn = itertools.count()

    def add(n: int) -> Sequence[str]:
        keys = []
        for _ in range(n):
            post = posts[next(turn) % 2]  # two busy posts, one quiet
            keys.append(f"linkedin:comment:{server.comment(post)}")
            server.comment(post, actor=ORG)  # the page's own answer: not inbox
        return keys

    assert_exactly_once(kind, _client(kind, server), "comments", add)


def test_a_shifted_offset_page_repeats_nothing(kind: str) -> None:
    server = InboxLinkedIn()
    post = server.post()
    ids = [server.comment(post) for _ in range(4)]
    client = _client(kind, server)
    first = one_page(kind, client, "comments", None)
    assert [e.event_id for e in first.events] == ids[:1:-1]
    late = server.comment(post)  # pushes the list down by one
    seen, cursor = drain(kind, client, "comments", first.cursor)
    assert seen == [f"linkedin:comment:{i}" for i in ids[1::-1]]
    assert [e.event_id for e in one_page(kind, client, "comments", cursor).events] == [late]
    event = first.events[0]
    assert event.post_id == event.thread_id == event.parent_id == post
    assert event.author_id == "urn:li:person:ann" and event.kind.value == "comment"


@pytest.mark.parametrize("source", [InboxSource.MENTIONS, InboxSource.DIRECT_MESSAGES])
def test_mentions_and_messages_are_unsupported(kind: str, source: InboxSource) -> None:
    with pytest.raises(UnsupportedOperationError, match=f"{source.value} on linkedin") as err:
        one_page(kind, _client(kind, InboxLinkedIn()), source, None)
    assert err.value.platform == "linkedin"
