"""A fake Graph API for the inbox of a Facebook Page and an Instagram account.

Shapes followed (developers.facebook.com, Graph API reference, read 2026-12): lists are
``{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}`` with ``next``
only when a further page exists; ``/{page-id}/feed`` and ``/{ig-user-id}/media`` list
newest first; ``/{post-id}/comments`` with ``filter=stream`` and
``order=reverse_chronological`` lists comments and replies (with ``parent``) newest
first; ``/{page-id}/conversations?platform=messenger`` lists conversations by last
activity and ``/{conversation-id}/messages`` newest first; ``/{page-id}/tagged`` and
``/{ig-user-id}/tags`` newest first. ``/{ig-media-id}/comments`` lists here *oldest*
first (Meta does not document the order; the client must not depend on it) with the
``replies`` nested. Every answer carries a ``Date`` header from the fake's clock, which
moves 100 s with every request and every new item.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import httpx
from tests.platforms.inbox_fakes import Listing

from smmkit.testing import FakePlatform

PAGE = "1001"
IG_USER = "17841400000000001"
TOKEN = "EAA-inbox"


def _stamp(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


class InboxGraph(FakePlatform):
    def __init__(self) -> None:
        self.now = 1_777_000_000
        self._ids = itertools.count(10_000)
        self.posts = Listing()  # the Page's posts
        self.comments: dict[str, Listing] = {}
        self.tagged = Listing()
        self.conversations: dict[str, Listing] = {}
        self.active: list[str] = []  # conversation ids, least recently active first
        self.media = Listing()
        self.ig_comments: dict[str, list[dict[str, Any]]] = {}
        self.tags = Listing()
        self.requests: list[httpx.Request] = []

    def _tick(self) -> str:
        self.now += 100
        return _stamp(self.now)

    def _id(self) -> str:
        return str(next(self._ids))

    # -- Facebook --------------------------------------------------------------------

    def post(self) -> str:
        post_id = f"{PAGE}_{self._id()}"
        self.posts.add({"id": post_id, "created_time": self._tick()})
        self.comments[post_id] = Listing()
        return post_id

    def comment(self, post_id: str, *, parent: str | None = None, by: str = "42") -> str:
        comment_id = f"{post_id.split('_')[1]}_{self._id()}"
        item: dict[str, Any] = {
            "id": comment_id,
            "message": "the tea arrived cold",
            "created_time": self._tick(),
            "from": {"id": by, "name": "Ann" if by != PAGE else "Tea House"},
        }
        if parent is not None:
            item["parent"] = {"id": parent}
        self.comments[post_id].add(item)
        return comment_id

    def tag(self) -> str:
        item_id = f"77_{self._id()}"
        self.tagged.add(
            {
                "id": item_id,
                "message": "@Tea House best oolong",
                "created_time": self._tick(),
                "from": {"id": "43", "name": "Bo"},
                "permalink_url": f"https://www.facebook.com/{item_id}",
            }
        )
        return item_id

    def message(self, conversation: str, *, by: str = "42") -> str:
        message_id = f"m_{self._id()}"
        listing = self.conversations.setdefault(conversation, Listing())
        listing.add(
            {
                "id": message_id,
                "message": "where is my order?",
                "created_time": self._tick(),
                "from": {"id": by, "name": "Ann"},
            }
        )
        if conversation in self.active:
            self.active.remove(conversation)
        self.active.append(conversation)
        return message_id

    # -- Instagram -------------------------------------------------------------------

    def ig_media(self) -> str:
        media_id = self._id()
        self.media.add({"id": media_id, "timestamp": self._tick()})
        self.ig_comments[media_id] = []
        return media_id

    def ig_comment(self, media: str, *, reply_to: str | None = None, by: str = "555") -> str:
        comment_id = self._id()
        item: dict[str, Any] = {
            "id": comment_id,
            "text": "love this blend",
            "timestamp": self._tick(),
            "username": "ann.tea" if by != IG_USER else "teahouse",
            "from": {"id": by, "username": "ann.tea"},
        }
        if reply_to is None:
            item["replies"] = []
            self.ig_comments[media].append(item)
        else:
            parent = next(c for c in self.ig_comments[media] if c["id"] == reply_to)
            parent["replies"].append(item)
        return comment_id

    def ig_tag(self) -> str:
        media_id = self._id()
        self.tags.add(
            {
                "id": media_id,
                "caption": "tea time with @teahouse",
                "timestamp": self._tick(),
                "username": "bo.sips",
                "permalink": f"https://www.instagram.com/p/{media_id}/",
            }
        )
        return media_id

    # -- the server ------------------------------------------------------------------

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self._tick()  # the answer's time is after every item created before the request
        date = format_datetime(datetime.fromtimestamp(self.now, timezone.utc), usegmt=True)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            body: Any = {"error": {"message": "Invalid OAuth access token.", "code": 190}}
            return httpx.Response(400, json=body, headers={"Date": date})
        status, body = self._route(request)
        return httpx.Response(status, json=body, headers={"Date": date})

    def _route(self, request: httpx.Request) -> tuple[int, Any]:
        parts = request.url.path.strip("/").split("/")
        params = request.url.params
        limit = int(params.get("limit", "25"))
        after = params.get("after")
        if len(parts) != 3 or request.method != "GET":
            return 404, {"error": {"message": "Unsupported request", "code": 100}}
        node, edge = parts[1], parts[2]
        if node == PAGE and edge == "feed":
            return 200, {"data": [{"id": p["id"]} for p in self.posts.by_token(limit, None)[0]]}
        if node == PAGE and edge == "tagged":
            return 200, self._list(*self.tagged.by_token(limit, after))
        if node == PAGE and edge == "conversations":
            assert params["platform"] == "messenger"
            recent = list(reversed(self.active))[:limit]
            return 200, {"data": [{"id": c, "updated_time": "x"} for c in recent]}
        if edge == "comments" and node in self.comments:
            assert params["filter"] == "stream" and params["order"] == "reverse_chronological"
            return 200, self._list(*self.comments[node].by_token(limit, after))
        if edge == "messages" and node in self.conversations:
            return 200, self._list(*self.conversations[node].by_token(limit, after))
        if node == IG_USER and edge == "media":
            return 200, {"data": [{"id": m["id"]} for m in self.media.by_token(limit, None)[0]]}
        if node == IG_USER and edge == "tags":
            return 200, self._list(*self.tags.by_token(limit, after))
        if edge == "comments" and node in self.ig_comments:
            return 200, self._ig_page(self.ig_comments[node], limit, after)
        return 404, {"error": {"message": f"Unknown path {request.url.path}", "code": 803}}

    @staticmethod
    def _list(data: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        paging: dict[str, Any] = {"cursors": {"before": "b", "after": after or "end"}}
        if after:
            paging["next"] = f"https://graph.facebook.com/next?after={after}"
        return {"data": data, "paging": paging}

    def _ig_page(self, comments: list[dict[str, Any]], limit: int, after: str | None) -> Any:
        start = int(after) if after else 0
        chosen = comments[start : start + limit]
        data = []
        for c in chosen:
            shaped = {k: v for k, v in c.items() if k != "replies"}
            if c["replies"]:
                shaped["replies"] = {"data": list(c["replies"])}
            data.append(shaped)
        more = start + limit < len(comments)
        return self._list(data, str(start + limit) if more else None)
