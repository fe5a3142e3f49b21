"""A fake Meta Graph API (Facebook Pages and Instagram), built from Meta's reference pages.

Shapes followed: errors ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}`` with HTTP 400 (https://developers.facebook.com/docs/graph-api/guides/error-handling);
``x-fb-trace-id`` and ``X-App-Usage`` on every answer; ``POST /{page-id}/feed`` answers
``{"id": "<page>_<post>"}`` and refuses a repeated message with code 506; unpublished
photos (``published=false``) are attached with ``attached_media``; IG containers answer
``status_code`` ``IN_PROGRESS`` while a video is processed, ``FINISHED`` when ready and
``PUBLISHED`` after ``media_publish``; ``content_publishing_limit`` answers
``{"data": [{"quota_usage", "config": {"quota_total", "quota_duration"}}]}`` and
``media_publish`` past the quota fails with code 9, subcode 2207042.

Everything that matters is counted here, on the server's side: ``posts``, ``media``.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from smmkit.platforms import SimulatedClock
from smmkit.testing import FakePlatform

PAGE = "1001"
IG_USER = "17841400000000001"
PAGE_TOKEN = "EAA-page-token-1"
USER_TOKEN = "EAA-user-short-1"
LONG_USER_TOKEN = "EAA-user-long-1"
APP_ID = "4242"
APP_SECRET = "app-secret-123"
PNG = "https://cdn.example/cup.png"
MP4 = "https://cdn.example/pour.mp4"


def _stamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeGraph(FakePlatform):
    """Facebook Page and Instagram account on one in-memory Graph API."""

    def __init__(
        self,
        *,
        client_id: str = APP_ID,
        client_secret: str = PAGE_TOKEN,
        clock: SimulatedClock | None = None,
        video_polls: int = 2,
        quota_total: int = 50,
    ) -> None:
        self.page_token = client_secret
        self.app = (client_id, APP_SECRET)
        self.clock = clock or SimulatedClock()
        self.video_polls = video_polls
        self.quota_total = quota_total
        self.quota_used = 0
        self.user_tokens = {USER_TOKEN, LONG_USER_TOKEN}
        self.posts: dict[str, dict[str, Any]] = {}
        self.photos: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, dict[str, Any]] = {}
        self.containers: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.seen: list[tuple[str, str]] = []
        self.lose: dict[tuple[str, str], int] = {}  # (method, edge) -> answers to lose
        self.drop: dict[tuple[str, str], int] = {}  # (method, edge) -> requests to drop
        self.throttle_next = 0
        self.container_error = False  # containers end in ERROR (a media Instagram refuses)
        self.usage = '{"call_count": 7, "total_cputime": 2, "total_time": 3}'
        self._ids = itertools.count(5000)

    # -- plumbing -------------------------------------------------------------------------

    def answer(self, request: httpx.Request) -> httpx.Response:
        parts = self._parts(request)
        edge = parts[-1] if len(parts) > 1 else "node"
        if self.drop.get((request.method, edge), 0) > 0:
            self.drop[(request.method, edge)] -= 1
            self.seen.append((request.method, "/".join(parts)))
            raise httpx.ReadTimeout("the request was lost before the server acted", request=request)
        response = self._route(request)
        if self.lose.get((request.method, edge), 0) > 0 and response.status_code < 400:
            self.lose[(request.method, edge)] -= 1
            raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    @staticmethod
    def _parts(request: httpx.Request) -> list[str]:
        parts = [p for p in request.url.path.split("/") if p]
        return parts[1:] if parts and parts[0].startswith("v") and "." in parts[0] else parts

    def _ok(self, body: Any, status: int = 200) -> httpx.Response:
        trace = f"trace-{next(self._ids)}"
        headers = {"x-fb-trace-id": trace, "X-App-Usage": self.usage}
        return httpx.Response(status, json=body, headers=headers)

    def _error(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        status: int = 400,
    ) -> httpx.Response:
        error: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": f"Ftrace{next(self._ids)}",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        return httpx.Response(status, json={"error": error})

    def _body(self, request: httpx.Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            return dict(json.loads(request.content))
        if content_type.startswith("multipart/form-data"):
            found: dict[str, Any] = {}
            for chunk in request.content.split(b"--"):
                head, _, value = chunk.partition(b"\r\n\r\n")
                if b'name="' in head:
                    name = head.split(b'name="')[1].split(b'"')[0].decode()
                    found[name] = value.rstrip(b"\r\n")
            return found
        return dict(parse_qsl(request.content.decode()))

    def expire_tokens(self) -> None:
        self.page_token = "revoked-" + self.page_token

    # -- routes ---------------------------------------------------------------------------

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, parts = request.method, self._parts(request)
        self.seen.append((method, "/".join(parts)))
        params = dict(request.url.params)
        if parts == ["oauth", "access_token"]:
            ok = (params.get("client_id"), params.get("client_secret")) == self.app
            if not ok or params.get("fb_exchange_token") not in self.user_tokens:
                return self._error(190, "Error validating access token")
            return self._ok(
                {"access_token": LONG_USER_TOKEN, "token_type": "bearer", "expires_in": 5183944}
            )
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.throttle_next:
            self.throttle_next -= 1
            response = self._error(32, "Page request limit reached")
            response.headers["X-Page-Usage"] = (
                '{"call_count": 100, "total_cputime": 4, "total_time": 9,'
                ' "estimated_time_to_regain_access": 1}'
            )
            return response
        if parts == ["me", "accounts"] or (
            parts == [PAGE] and "access_token" in params.get("fields", "")
        ):
            if token not in self.user_tokens:
                return self._error(190, "Invalid OAuth access token - Cannot parse access token")
            if parts == [PAGE]:
                return self._ok({"id": PAGE, "access_token": self.page_token})
            return self._ok(
                {
                    "data": [
                        {
                            "id": PAGE,
                            "name": "Tea House",
                            "access_token": self.page_token,
                            "tasks": ["CREATE_CONTENT", "MODERATE"],
                        }
                    ]
                }
            )
        if token != self.page_token:
            return self._error(
                190, "Error validating access token: Session has expired", subcode=463
            )
        if parts[0] == PAGE:
            return self._page(method, parts[1:], request, params)
        if parts[0] == IG_USER:
            return self._ig_user(method, parts[1:], request)
        return self._object(method, parts, request, params)

    def _page(
        self, method: str, rest: list[str], request: httpx.Request, params: dict[str, str]
    ) -> httpx.Response:
        now = self.clock.time()
        if rest == ["feed"] and method == "POST":
            body = self._body(request)
            message = body.get("message")
            if message and any(
                p["message"] == message for p in self.posts.values() if not p.get("deleted")
            ):
                return self._error(506, "Duplicate status message", kind="FacebookApiException")
            for item in body.get("attached_media") or []:
                if item["media_fbid"] not in self.photos:
                    return self._error(100, "Invalid parameter", subcode=33)
            post_id = f"{PAGE}_{next(self._ids)}"
            self.posts[post_id] = {
                "id": post_id,
                "message": message,
                "link": body.get("link"),
                "published": body.get("published", True),
                "attached": body.get("attached_media") or [],
                "created_time": _stamp(now),
                "shares": {"count": 3},
            }
            return self._ok({"id": post_id})
        if rest == ["published_posts"]:
            live = [p for p in self.posts.values() if p["published"] and not p.get("deleted")]
            return self._ok(
                {
                    "data": [
                        {
                            "id": p["id"],
                            "message": p["message"],
                            "created_time": p["created_time"],
                            "permalink_url": f"https://www.facebook.com/{p['id']}",
                        }
                        for p in reversed(live)
                    ]
                }
            )
        if rest == ["photos"] and method == "POST":
            body = self._body(request)
            photo_id = str(next(self._ids))
            self.photos[photo_id] = {
                "url": body.get("url"),
                "bytes": "source" in body,
                "published": body.get("published") not in (False, b"false"),
                "alt": body.get("alt_text_custom"),
            }
            return self._ok({"id": photo_id})
        if rest == ["insights"]:
            day = _stamp(now)
            return self._ok(
                {
                    "data": [
                        {
                            "name": name,
                            "period": "day",
                            "values": [{"value": value, "end_time": day}],
                        }
                        for name, value in (
                            ("page_media_view", 900),
                            ("page_total_media_view_unique", 400),
                            ("page_post_engagements", 40),
                            ("page_follows", 1200),
                        )
                    ]
                }
            )
        return self._error(100, "Unsupported request", subcode=33)

    def _ig_user(self, method: str, rest: list[str], request: httpx.Request) -> httpx.Response:
        now = self.clock.time()
        if rest == ["content_publishing_limit"]:
            return self._ok(
                {
                    "data": [
                        {
                            "quota_usage": self.quota_used,
                            "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                        }
                    ]
                }
            )
        if rest == ["media"] and method == "POST":
            body = self._body(request)
            for child in body.get("children") or []:
                if self.containers.get(child, {}).get("status_code") != "FINISHED":
                    return self._error(100, "The media is not ready", subcode=2207027)
            container = str(next(self._ids))
            video = "video_url" in body
            ready = "ERROR" if self.container_error else "FINISHED"
            self.containers[container] = {
                "payload": body,
                "status_code": "IN_PROGRESS" if video and self.video_polls else ready,
                "polls": self.video_polls if video else 0,
            }
            return self._ok({"id": container})
        if rest == ["media_publish"] and method == "POST":
            creation = str(self._body(request)["creation_id"])
            box = self.containers.get(creation)
            if box is None or box["status_code"] != "FINISHED":
                return self._error(9007, "Media ID is not available", subcode=2207027)
            if self.quota_used >= self.quota_total:
                return self._error(9, "Application request limit reached", subcode=2207042)
            self.quota_used += 1
            media_id = str(next(self._ids))
            box["status_code"] = "PUBLISHED"
            payload = box["payload"]
            self.media[media_id] = {
                "id": media_id,
                "caption": payload.get("caption"),
                "timestamp": _stamp(now),
                "container": creation,
                "permalink": f"https://www.instagram.com/p/{media_id}/",
                "media_type": payload.get("media_type", "IMAGE"),
            }
            return self._ok({"id": media_id})
        if rest == ["media"]:
            live = [m for m in self.media.values() if not m.get("deleted")]
            keep = ("id", "caption", "timestamp", "permalink")
            return self._ok({"data": [{k: m[k] for k in keep} for m in reversed(live)]})
        return self._error(100, "Unsupported request", subcode=33)

    def _object(
        self, method: str, parts: list[str], request: httpx.Request, params: dict[str, str]
    ) -> httpx.Response:
        node = parts[0]
        now = self.clock.time()
        if node in self.containers and len(parts) == 1:
            container = self.containers[node]
            if container["status_code"] == "IN_PROGRESS":
                container["polls"] -= 1
                if container["polls"] <= 0:
                    container["status_code"] = "FINISHED"
                return self._ok({"id": node, "status_code": "IN_PROGRESS"})
            return self._ok({"id": node, "status_code": container["status_code"]})
        target = self.posts.get(node) or self.media.get(node) or self.comments.get(node)
        if target is None or target.get("deleted"):
            return self._error(
                100, "Object does not exist", subcode=33, kind="GraphMethodException"
            )
        if len(parts) == 1 and method == "DELETE":
            target["deleted"] = True
            return self._ok({"success": True})
        if len(parts) == 1:
            if node in self.media:
                return self._ok({k: target[k] for k in ("id", "caption", "timestamp", "permalink")})
            total = sum(1 for c in self.comments.values() if c["post"] == node)
            return self._ok(
                {
                    "id": node,
                    "created_time": target["created_time"],
                    "shares": target["shares"],
                    "comments": {"data": [], "summary": {"total_count": total}},
                    "reactions": {"data": [], "summary": {"total_count": 12}},
                }
            )
        edge = parts[1]
        if edge == "insights":
            names = params.get("metric", "").split(",")
            values = {
                "post_media_view": 321,
                "post_total_media_view_unique": 150,
                "post_clicks": 9,
                "views": 800,
                "reach": 500,
                "likes": 40,
                "comments": 5,
                "shares": 3,
                "saved": 7,
                "total_interactions": 55,
            }
            return self._ok(
                {
                    "data": [
                        {"name": n, "period": "lifetime", "values": [{"value": values[n]}]}
                        for n in names
                        if n in values
                    ]
                }
            )
        if edge in ("comments", "replies") and method == "POST":
            message = self._body(request).get("message")
            comment_id = f"{node}_c{next(self._ids)}"
            root = target.get("post", node)
            self.comments[comment_id] = {
                "id": comment_id,
                "post": root,
                "parent": node,
                "message": message,
                "created_time": _stamp(now),
            }
            return self._ok({"id": comment_id})
        if edge == "comments":
            below = [c for c in self.comments.values() if c["post"] == node]
            if node in self.media:
                top = [c for c in below if c["parent"] == node]
                return self._ok({"data": [self._ig_comment(c, below) for c in top]})
            return self._ok(
                {
                    "data": [
                        {
                            "id": c["id"],
                            "message": c["message"],
                            "created_time": c["created_time"],
                            "from": {"id": PAGE, "name": "Tea House"},
                            **({"parent": {"id": c["parent"]}} if c["parent"] != node else {}),
                        }
                        for c in below
                    ]
                }
            )
        return self._error(100, "Unsupported request", subcode=33)

    @staticmethod
    def _ig_comment(comment: dict[str, Any], below: list[dict[str, Any]]) -> dict[str, Any]:
        def shape(c: dict[str, Any]) -> dict[str, Any]:
            return {
                "id": c["id"],
                "text": c["message"],
                "timestamp": c["created_time"],
                "username": "tea.house",
                "from": {"id": IG_USER, "username": "tea.house"},
            }

        replies = [shape(c) for c in below if c["parent"] == comment["id"]]
        return {**shape(comment), "replies": {"data": replies}}

    # -- what is out there ------------------------------------------------------------

    @property
    def live_posts(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if not p.get("deleted")]

    @property
    def live_media(self) -> list[dict[str, Any]]:
        return [m for m in self.media.values() if not m.get("deleted")]
