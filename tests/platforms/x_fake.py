"""A stateful fake of X API v2, built from docs.x.com and the shipped OpenAPI document.

It follows the documented behaviours the client depends on: ``POST /2/tweets`` answers
201 and refuses the same text twice with a 403 problem (*duplicate content*); links come
back as ``t.co`` links and ``&`` as ``&amp;``; a post that does not exist is a 200 whose
``errors`` replaced the ``data``; chunked media upload (initialize, append, finalize,
``GET /2/media/upload?command=STATUS`` with ``processing_info``), a second finalize is
refused; every answer carries ``x-rate-limit-*`` headers and ``x-transaction-id``.

Everything is counted on the server's side (``creates``, ``live``), which is what the
exactly-once tests look at. ``lose`` loses the answer of chosen requests *after* they
were applied.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import httpx

from smmkit.platforms import InMemoryMediaLoader, SimulatedClock
from smmkit.testing import FakePlatform

BASE = "https://api.x.com"
ME = "2244994945"
PNG = "https://media.example/cup.png"
MP4 = "https://media.example/pour.mp4"
MEDIA = InMemoryMediaLoader(
    {PNG: base64.b64decode("iVBORw0KGgo="), MP4: base64.b64decode("AAAAGGZ0eXBtcDQy") * 40}
)
_EPOCH_MS = 1288834974657
_LINK = re.compile(r"https?://\S+")


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> httpx.Response:
    body = {"title": title, "detail": detail, "type": kind, "status": status}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


class FakeX(FakePlatform):
    """Posts, the user timeline, mentions, recent search, media upload, OAuth refresh."""

    def __init__(
        self,
        *,
        client_id: str = "app",
        client_secret: str = "token-1",
        clock: SimulatedClock | None = None,
        processing_polls: int = 2,
    ) -> None:
        self.client_id = client_id
        self.token = client_secret
        self.refresh_token = "refresh-1"
        self.clock = clock or SimulatedClock()
        self.processing_polls = processing_polls
        self.posts: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.seen: list[tuple[str, str]] = []
        self.creates = 0
        self.refreshes = 0
        self.throttle_next = 0
        self.throttle_day = False
        self.remaining: dict[str, int] = {}
        self.lose: dict[tuple[str, str], int] = {}
        self.hook: Callable[[httpx.Request], None] | None = None
        self._seq = itertools.count(1)

    # -- helpers for tests -------------------------------------------------------------

    def new_id(self) -> str:
        ms = int(self.clock.time() * 1000) - _EPOCH_MS
        return str((ms << 22) + next(self._seq))

    def add_post(self, text: str, *, author: str = "777", reply_to: str | None = None) -> str:
        """A post by someone else (a mention, a reply), as if made on x.com."""
        return self._store(text, author=author, reply_to=reply_to)

    @property
    def live(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if p["author_id"] == ME and not p.get("deleted")]

    def expire_tokens(self) -> None:
        self.token = f"{self.token}-expired"

    # -- routing -----------------------------------------------------------------------

    def answer(self, request: httpx.Request) -> httpx.Response:
        if self.hook is not None:
            self.hook(request)
        response = self._route(request)
        response.headers["x-transaction-id"] = f"tx-{len(self.seen)}"
        for (method, prefix), left in list(self.lose.items()):
            if left and request.method == method and request.url.path.startswith(prefix):
                self.lose[(method, prefix)] = left - 1
                raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    def _limits(self, endpoint: str, response: httpx.Response) -> httpx.Response:
        left = self.remaining.get(endpoint, 100)
        reset = int(self.clock.time()) + 900
        response.headers.update(
            {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": str(left),
                "x-rate-limit-reset": str(reset),
            }
        )
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        self.seen.append((method, path))
        if path == "/2/oauth2/token":
            return self._token(request)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return problem(401, "Unauthorized", "Unauthorized")
        if self.throttle_next:
            self.throttle_next -= 1
            now = int(self.clock.time())
            headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(now + 30),
            }
            if self.throttle_day:
                headers.update(
                    {
                        "x-user-limit-24hour-remaining": "0",
                        "x-user-limit-24hour-reset": str(now + 50),
                    }
                )
            response = problem(429, "Too Many Requests", "Too Many Requests")
            response.headers.update(headers)
            return response
        parts = [p for p in path.split("/") if p]
        if path == "/2/tweets" and method == "POST":
            return self._limits("post_create", self._create(json.loads(request.content)))
        if parts[:2] == ["2", "tweets"] and len(parts) == 3 and parts[2] != "search":
            return self._limits("post", self._one(method, parts[2], request))
        if path == "/2/users/me":
            return httpx.Response(200, json={"data": {"id": ME, "name": "Tea", "username": "tea"}})
        if parts[:2] == ["2", "users"] and len(parts) == 4 and parts[3] in ("tweets", "mentions"):
            return self._limits(parts[3], self._listing(request, parts[2], parts[3]))
        if path == "/2/tweets/search/recent":
            return self._search(request)
        if path.startswith("/2/media"):
            return self._media(request, parts)
        return problem(404, "Not Found Error", f"no route {method} {path}")

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&") if x)
        if form.get("refresh_token") != self.refresh_token:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_request",
                    "error_description": "Value passed for the token was invalid.",
                },
            )
        self.refreshes += 1
        self.token = f"access-{self.refreshes}"
        self.refresh_token = f"refresh-{self.refreshes + 1}"
        return httpx.Response(
            200,
            json={
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": self.token,
                "scope": "tweet.write tweet.read users.read media.write offline.access",
                "refresh_token": self.refresh_token,
            },
        )

    # -- posts ---------------------------------------------------------------------------

    def _store(self, text: str, *, author: str, reply_to: str | None, media: list[str] = ()) -> str:  # type: ignore[assignment]
        post_id = self.new_id()
        parent = self.posts.get(reply_to or "")
        shown = _LINK.sub("https://t.co/abc123", text).replace("&", "&amp;")
        if media:
            shown = f"{shown} https://t.co/media{post_id[-4:]}".strip()
        self.posts[post_id] = {
            "id": post_id,
            "text": shown,
            "sent": text,
            "author_id": author,
            "created_at": _iso(self.clock.time()),
            "conversation_id": parent["conversation_id"] if parent else post_id,
            "replied_to": reply_to,
            "media": list(media),
            "public_metrics": {
                "repost_count": 2,
                "reply_count": 0,
                "like_count": 5,
                "quote_count": 1,
                "bookmark_count": 0,
                "impression_count": 300,
            },
        }
        if parent is not None:
            parent["public_metrics"]["reply_count"] += 1
        return post_id

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        text = body.get("text", "")
        media = (body.get("media") or {}).get("media_ids") or []
        for item in self.live:
            if item["sent"] == text and text:
                return problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                )
        for media_id in media:
            entry = self.media.get(media_id)
            if entry is None or not entry.get("ready"):
                return problem(
                    400,
                    "Invalid Request",
                    "Your media IDs are invalid.",
                    "https://api.x.com/2/problems/invalid-request",
                )
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        if reply_to is not None and reply_to not in self.posts:
            return problem(
                400,
                "Invalid Request",
                "The post you are replying to does not exist.",
                "https://api.x.com/2/problems/invalid-request",
            )
        self.creates += 1
        post_id = self._store(text, author=ME, reply_to=reply_to, media=media)
        shown = self.posts[post_id]["text"]
        return httpx.Response(
            201, json={"data": {"id": post_id, "text": shown, "edit_history_post_ids": [post_id]}}
        )

    def _view(self, post: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
        fields = set((request.url.params.get("post.fields") or "").split(","))
        expansions = set((request.url.params.get("expansions") or "").split(","))
        view = {"id": post["id"], "text": post["text"], "edit_history_post_ids": [post["id"]]}
        for name in ("created_at", "conversation_id", "public_metrics"):
            if name in fields:
                view[name] = post[name]
        if {"non_public_metrics", "organic_metrics"} & fields:
            view["non_public_metrics"] = {
                "impression_count": 310,
                "url_link_clicks": 4,
                "user_profile_clicks": 2,
            }
        if "author_id" in expansions:
            view["author_id"] = post["author_id"]
        if "referenced_posts" in expansions and post["replied_to"]:
            view["referenced_posts"] = [{"type": "replied_to", "id": post["replied_to"]}]
        return view

    def _one(self, method: str, post_id: str, request: httpx.Request) -> httpx.Response:
        post = self.posts.get(post_id)
        if post is None or post.get("deleted"):
            missing = {
                "value": post_id,
                "detail": f"Could not find tweet with id: [{post_id}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "id",
                "resource_id": post_id,
                "type": "https://api.x.com/2/problems/resource-not-found",
            }
            return httpx.Response(200, json={"errors": [missing]})
        if method == "DELETE":
            post["deleted"] = True
            return httpx.Response(200, json={"data": {"deleted": True}})
        return httpx.Response(200, json={"data": self._view(post, request)})

    def _listing(self, request: httpx.Request, user: str, kind: str) -> httpx.Response:
        if user != ME:
            return problem(403, "Forbidden", "not your timeline")
        if kind == "tweets":
            found = [p for p in self.posts.values() if p["author_id"] == ME]
        else:
            found = [p for p in self.posts.values() if "@tea" in p["sent"] and p["author_id"] != ME]
        since = request.url.params.get("since_id")
        found = [
            p
            for p in found
            if not p.get("deleted") and (since is None or int(p["id"]) > int(since))
        ]
        found.sort(key=lambda p: int(p["id"]), reverse=True)
        limit = int(request.url.params.get("max_results", "10"))
        data = [self._view(p, request) for p in found[:limit]]
        return httpx.Response(
            200,
            json={"data": data, "meta": {"result_count": len(data)}}
            if data
            else {"meta": {"result_count": 0}},
        )

    def _search(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        conversation = query.removeprefix("conversation_id:")
        found = [
            p
            for p in self.posts.values()
            if p["conversation_id"] == conversation and not p.get("deleted")
        ]
        found.sort(key=lambda p: int(p["id"]), reverse=True)
        data = [self._view(p, request) for p in found]
        return httpx.Response(200, json={"data": data, "meta": {"result_count": len(data)}})

    # -- media -----------------------------------------------------------------------------

    def _media(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        invalid = "https://api.x.com/2/problems/invalid-request"
        if parts[2:] == ["upload", "initialize"]:
            body = json.loads(request.content)
            media_id = self.new_id()
            self.media[media_id] = {
                "init": body,
                "segments": {},
                "finalized": False,
                "ready": False,
            }
            return httpx.Response(
                200,
                json={
                    "data": {
                        "id": media_id,
                        "media_key": f"3_{media_id}",
                        "expires_after_secs": 86400,
                    }
                },
            )
        if parts[2:3] == ["upload"] and len(parts) == 5:
            entry = self.media.get(parts[3])
            if entry is None:
                return problem(400, "Invalid Request", "unknown media id", invalid)
            if parts[4] == "append":
                index = int(_form_value(request, "segment_index"))
                entry["segments"][index] = _form_file(request, "media")
                return httpx.Response(
                    200, json={"data": {"expires_at": int(self.clock.time()) + 86400}}
                )
            if entry["finalized"]:
                return problem(400, "Invalid Request", "media already finalized", invalid)
            size = sum(len(b) for b in entry["segments"].values())
            if size != entry["init"]["total_bytes"]:
                return problem(400, "Invalid Request", "segments do not add up", invalid)
            entry["finalized"] = True
            video = entry["init"]["media_category"] == "tweet_video"
            entry["polls"] = self.processing_polls if video else 0
            entry["ready"] = not video
            return httpx.Response(200, json={"data": self._media_view(parts[3])})
        if parts[2:] == ["upload"] and request.method == "GET":
            media_id = request.url.params["media_id"]
            entry = self.media.get(media_id)
            if entry is None or not entry["finalized"]:
                return problem(400, "Invalid Request", "media not finalized", invalid)
            if entry["polls"] > 0:
                entry["polls"] -= 1
                entry["ready"] = entry["polls"] == 0
            return httpx.Response(200, json={"data": self._media_view(media_id)})
        if parts[2:] == ["metadata"]:
            body = json.loads(request.content)
            self.media[body["id"]]["alt_text"] = body["metadata"]["alt_text"]["text"]
            return httpx.Response(
                200, json={"data": {"associated_metadata": True, "id": body["id"]}}
            )
        return problem(404, "Not Found Error", "no such media route")

    def _media_view(self, media_id: str) -> dict[str, Any]:
        entry = self.media[media_id]
        view: dict[str, Any] = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": entry["init"]["total_bytes"],
            "expires_after_secs": 86400,
        }
        if entry["init"]["media_category"] == "tweet_video":
            state = "succeeded" if entry["ready"] else "in_progress"
            view["processing_info"] = {"state": state, "check_after_secs": 1}
            if entry.get("fail"):
                view["processing_info"] = {"state": "failed", "error": {"message": "bad codec"}}
        return view


def _iso(seconds: float) -> str:
    from datetime import datetime, timezone

    return (
        datetime.fromtimestamp(seconds, timezone.utc)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _form_value(request: httpx.Request, name: str) -> str:
    match = re.search(rb'name="' + name.encode() + rb'"\r\n\r\n([^\r]*)\r\n', request.content)
    assert match is not None, f"no form field {name}"
    return match.group(1).decode()


def _form_file(request: httpx.Request, name: str) -> bytes:
    match = re.search(
        rb'name="'
        + name.encode()
        + rb'"; filename="[^"]*"\r\nContent-Type: [^\r]+\r\n\r\n(.*?)\r\n--',
        request.content,
        re.DOTALL,
    )
    assert match is not None, f"no form file {name}"
    return match.group(1)
