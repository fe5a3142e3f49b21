"""YouTube incremental sync: ``commentThreads.list allThreadsRelatedToChannelId``.

The fake follows the Data API v3 reference (developers.google.com/youtube/v3, read
2026-12): ``order=time`` lists threads newest first by their top-level comment,
``nextPageToken`` pages older, a thread carries at most five replies in its
``replies`` part and ``comments.list parentId=`` gives all of them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from tests.platforms.inbox_check import assert_exactly_once, one_page
from tests.platforms.inbox_fakes import Listing

from smmkit.exceptions import UnsupportedOperationError
from smmkit.models import InboxSource
from smmkit.platforms.youtube import DEFAULT_LIMITS, QuotaTracker, YouTubeAdapter, YouTubeQuotaError
from smmkit.testing import FakePlatform, client_for

CHANNEL = "UCteahouse0000000000000a"
VIDEO = "dQw4w9WgXcQ"


class InboxYouTube(FakePlatform):
    def __init__(self) -> None:
        self.threads = Listing()
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._at = datetime(2026, 5, 1, tzinfo=timezone.utc)
        self.requests: list[httpx.Request] = []

    def _comment(self, *, by: str, parent: str | None = None) -> dict[str, Any]:
        self._at += timedelta(seconds=30)
        snippet: dict[str, Any] = {
            "videoId": VIDEO,
            "textOriginal": "is this tea organic?",
            "authorDisplayName": "Ann" if by != CHANNEL else "Tea House",
            "authorChannelId": {"value": by},
            "publishedAt": self._at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if parent:
            snippet["parentId"] = parent
        comment_id = f"Ugz{next(self._ids):06d}" + (f".r{parent}" if parent else "")
        return {"kind": "youtube#comment", "id": comment_id, "snippet": snippet}

    def thread(self, *, by: str = "UCann", replies: int = 0) -> list[str]:
        top = self._comment(by=by)
        self.replies[top["id"]] = [
            self._comment(by="UCbo", parent=top["id"]) for _ in range(replies)
        ]
        self.threads.add({"id": top["id"], "snippet": {"videoId": VIDEO, "topLevelComment": top}})
        return [top["id"], *(r["id"] for r in self.replies[top["id"]])]

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != "Bearer t":
            return httpx.Response(401, json={"error": {"code": 401, "message": "bad token"}})
        params = request.url.params
        path = request.url.path.removeprefix("/youtube/v3/")
        if path == "channels":
            assert params["mine"] == "true"
            return httpx.Response(200, json={"items": [{"id": CHANNEL}]})
        if path == "comments":
            return httpx.Response(200, json={"items": self.replies[params["parentId"]]})
        assert path == "commentThreads"
        assert params["allThreadsRelatedToChannelId"] == CHANNEL and params["order"] == "time"
        page, token = self.threads.by_token(int(params["maxResults"]), params.get("pageToken"))
        items = []
        for thread in page:
            replies = self.replies[thread["id"]]
            shaped = {**thread, "snippet": {**thread["snippet"], "totalReplyCount": len(replies)}}
            if replies:
                shaped["replies"] = {"comments": replies[:5]}
            items.append(shaped)
        body: dict[str, Any] = {"items": items}
        if token:
            body["nextPageToken"] = token
        return httpx.Response(200, json=body)


def _client(kind: str, server: InboxYouTube, size: int = 2, **options: Any) -> Any:
    adapter = YouTubeAdapter(access_token="t", **options)
    adapter.inbox_page_size = size
    return client_for(kind, adapter, server)


def test_comments_exactly_once(kind: str) -> None:
    server = InboxYouTube()
    turn = itertools.count()

    def add(n: int) -> Sequence[str]:
        keys = []
        for _ in range(n):
            top, *replies = server.thread(replies=next(turn) % 3)
            keys.append(f"youtube:comment:{top}")
            keys.extend(f"youtube:reply:{r}" for r in replies)
            server.thread(by=CHANNEL)  # the channel's own comment: not inbox
        return keys

    assert_exactly_once(kind, _client(kind, server), "comments", add)


def test_a_thread_with_more_than_five_replies_reads_them_all(kind: str) -> None:
    server = InboxYouTube()
    top, *replies = server.thread(replies=7)
    page = one_page(kind, _client(kind, server, size=10), "comments", None)
    assert [e.event_id for e in page.events] == [top, *replies]
    reply = page.events[1]
    assert reply.kind.value == "reply" and reply.parent_id == reply.thread_id == top
    assert reply.post_id == VIDEO and page.events[0].parent_id == VIDEO
    assert any(r.url.path.endswith("/comments") for r in server.requests)


def test_every_call_is_counted_in_the_quota(kind: str) -> None:
    server = InboxYouTube()
    for _ in range(5):
        server.thread()
    quota = QuotaTracker(limits={**DEFAULT_LIMITS, "units": 2})
    client = _client(kind, server, quota=quota)
    first = one_page(kind, client, "comments", None)  # channels.list + commentThreads.list
    assert first.more and len(server.requests) == 2
    with pytest.raises(YouTubeQuotaError):
        one_page(kind, client, "comments", first.cursor)
    assert len(server.requests) == 2  # refused before anything was sent


@pytest.mark.parametrize("source", [InboxSource.MENTIONS, InboxSource.DIRECT_MESSAGES])
def test_mentions_and_messages_are_unsupported(kind: str, source: InboxSource) -> None:
    with pytest.raises(UnsupportedOperationError, match=f"{source.value} on youtube") as err:
        one_page(kind, _client(kind, InboxYouTube()), source, None)
    assert err.value.platform == "youtube"
