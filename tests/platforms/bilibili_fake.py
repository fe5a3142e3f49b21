"""A fake Bilibili open platform: signed requests, chunked upload, archives in review.

It follows the open platform's documented answers (``{"code", "message", "ttl",
"data"}``), checks every request's signature as Bilibili's signature standard
describes it, and counts on its own side what reached it: the chunks per part number
and the archives submitted, so tests can see a duplicate or a loss the client cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from smmkit.platforms import SimulatedClock
from smmkit.testing import FakePlatform

TOKEN = "bili-access-token-1"


@dataclass
class Archive:
    resource_id: str
    body: dict[str, Any]
    ctime: int
    views: int = 0
    state: int = -1
    deleted: bool = False


@dataclass
class Upload:
    name: str
    parts: dict[int, bytes] = field(default_factory=dict)
    completed: bool = False
    used: bool = False


class FakeBilibili(FakePlatform):
    """The open platform for one member and one app."""

    def __init__(
        self,
        *,
        client_id: str = "bili-app",
        client_secret: str = "bili-app-secret",
        clock: SimulatedClock | None = None,
        review_polls: int = 1,
        reject_reason: str | None = None,
        check_time: bool = False,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.clock = clock or SimulatedClock()
        self.token = TOKEN
        self.review_polls = review_polls
        self.reject_reason = reject_reason
        self.check_time = check_time  # the adapter signs with the clock it was given
        self.uploads: dict[str, Upload] = {}
        self.part_hits: dict[tuple[str, int], int] = {}
        self.archives: dict[str, Archive] = {}
        self.submissions = 0
        self.nonces: set[str] = set()
        self.refused_signatures = 0

    # -- helpers -----------------------------------------------------------------------

    def _answer(self, data: Any = None, *, code: int = 0, message: str = "0") -> httpx.Response:
        body: dict[str, Any] = {
            "code": code,
            "message": message,
            "ttl": 1,
            "request_id": f"rid-{len(self.nonces)}",
        }
        if data is not None:
            body["data"] = data
        return httpx.Response(200, json=body, headers={"x-bili-trace-id": "trace-1"})

    def _signed(self, request: httpx.Request) -> bool:
        h = request.headers
        names = (
            "x-bili-accesskeyid",
            "x-bili-content-md5",
            "x-bili-signature-method",
            "x-bili-signature-nonce",
            "x-bili-signature-version",
            "x-bili-timestamp",
        )
        if any(n not in h for n in names) or h["x-bili-accesskeyid"] != self.client_id:
            return False
        text = "\n".join(f"{n}:{h[n]}" for n in sorted(names))
        want = hmac.new(self.client_secret.encode(), text.encode(), hashlib.sha256).hexdigest()
        if h.get("authorization") != want:
            return False
        if h["x-bili-content-md5"] != hashlib.md5(request.content).hexdigest():
            return False
        if self.check_time and abs(int(h["x-bili-timestamp"]) - self.clock.time()) > 600:
            return False
        nonce = h["x-bili-signature-nonce"]
        if nonce in self.nonces:
            return False  # a replay
        self.nonces.add(nonce)
        return True

    def live(self) -> list[Archive]:
        return [a for a in self.archives.values() if not a.deleted]

    def expire_tokens(self) -> None:
        self.token = self.token + "-rotated"

    # -- the API -----------------------------------------------------------------------

    def answer(self, request: httpx.Request) -> httpx.Response:
        if not self._signed(request):
            self.refused_signatures += 1
            return self._answer(code=127012, message="鉴权错误")
        if request.headers.get("access-token") != self.token:
            return self._answer(code=-101, message="账号未登录")
        path, query = request.url.path, request.url.params
        if path == "/video/v2/part/upload":
            upload = self.uploads.get(query.get("upload_token", ""))
            if upload is None:
                return self._answer(code=127022, message="upload_token验证错误")
            number = int(query["part_number"])
            upload.parts[number] = request.content
            key = (query["upload_token"], number)
            self.part_hits[key] = self.part_hits.get(key, 0) + 1
            return self._answer({"etag": f'"{number}"'})
        route = path.removeprefix("/arcopen/fn/")
        handler = getattr(self, "_" + route.replace("/", "_").replace("-", "_"), None)
        if handler is None:
            return httpx.Response(404, json={"code": -404, "message": "啥都木有", "ttl": 1})
        response: httpx.Response = handler(request)
        return response

    def _archive_video_init(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        token = f"utoken-{len(self.uploads) + 1}"
        self.uploads[token] = Upload(name=body["name"])
        return self._answer({"upload_token": token})

    def _archive_video_complete(self, request: httpx.Request) -> httpx.Response:
        upload = self.uploads.get(request.url.params.get("upload_token", ""))
        if upload is None or not upload.parts:
            return self._answer(code=127022, message="upload_token验证错误")
        upload.completed = True
        return self._answer()

    def _archive_cover_upload(self, request: httpx.Request) -> httpx.Response:
        return self._answer({"url": "https://archive.biliimg.com/bfs/archive/cover-1.jpg"})

    def _archive_add_by_utoken(self, request: httpx.Request) -> httpx.Response:
        upload = self.uploads.get(request.url.params.get("upload_token", ""))
        if upload is None or not upload.completed or upload.used:
            return self._answer(code=127022, message="upload_token验证错误")
        upload.used = True
        self.submissions += 1
        rid = f"BV1fake{self.submissions:05d}"
        self.archives[rid] = Archive(rid, json.loads(request.content), int(self.clock.time()))
        return self._answer({"resource_id": rid})

    def _wire(self, archive: Archive) -> dict[str, Any]:
        state_desc = {0: "开放浏览", -1: "待审", -2: "打回"}.get(archive.state, "")
        return {
            "resource_id": archive.resource_id,
            **{k: archive.body.get(k, "") for k in ("title", "desc", "tag", "cover")},
            "tid": archive.body.get("tid"),
            "ctime": archive.ctime,
            "ptime": archive.ctime,
            "addit_info": {
                "state": archive.state,
                "state_desc": state_desc,
                "reject_reason": self.reject_reason if archive.state == -2 else "",
            },
            "video_info": {
                "share_url": f"https://www.bilibili.com/video/{archive.resource_id}"
                "?share_source=open_plat"
            },
        }

    def _archive_view(self, request: httpx.Request) -> httpx.Response:
        archive = self.archives.get(request.url.params.get("resource_id", ""))
        if archive is None or archive.deleted:
            return self._answer(code=127124, message="不存在该稿件")
        archive.views += 1
        if archive.state == -1 and archive.views >= self.review_polls:
            archive.state = -2 if self.reject_reason else 0
        return self._answer(self._wire(archive))

    def _archive_viewlist(self, request: httpx.Request) -> httpx.Response:
        size = int(request.url.params.get("ps", "20"))
        items = sorted(self.live(), key=lambda a: a.ctime, reverse=True)[:size]
        return self._answer(
            {
                "page": {"pn": 1, "ps": size, "total": len(self.live())},
                "list": [self._wire(a) for a in items],
            }
        )

    def _archive_delete(self, request: httpx.Request) -> httpx.Response:
        archive = self.archives.get(json.loads(request.content)["resource_id"])
        if archive is None:
            return self._answer(code=127124, message="不存在该稿件")
        if archive.deleted:
            return self._answer(code=127107, message="稿件已经被删除")
        archive.deleted = True
        return self._answer()

    def _data_arc_stat(self, request: httpx.Request) -> httpx.Response:
        archive = self.archives.get(request.url.params.get("resource_id", ""))
        if archive is None:
            return self._answer(code=127124, message="不存在该稿件")
        return self._answer(
            {
                "view": 198,
                "danmaku": 166,
                "reply": 11,
                "favorite": 36,
                "coin": 8,
                "share": 79,
                "like": 135,
                "ptime": archive.ctime,
                "title": archive.body.get("title"),
            }
        )
