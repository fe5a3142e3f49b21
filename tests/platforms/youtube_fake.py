"""A fake YouTube Data API v3 built from Google's reference pages, with fault knobs.

Shapes from https://developers.google.com/youtube/v3/docs and the resumable upload
guide (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol):
the session URI comes back in ``Location``; a chunk must start exactly at the byte the
server holds next and (but the last) be a multiple of 256 KiB; ``308`` carries
``Range: bytes=0-N``; ``Content-Range: bytes */TOTAL`` asks for the offset, and a
finished session answers it with the video. Errors use Google's
``{"error": {"code", "message", "errors": [{"reason", "domain"}], "status"}}``.

The fake counts quota units with the quota table's costs, independently of the client,
and every byte that reaches it (``bytes_received``), kept or not.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timezone
from typing import Any

import httpx

from smmkit.platforms import SimulatedClock
from smmkit.testing import FakePlatform

UPLOAD_PATH = "/upload/youtube/v3/videos"
API = "/youtube/v3/"
GRANULE = 256 * 1024
COSTS = {
    ("POST", "videos"): 0,  # videos.insert has a bucket of its own (counted in inserts)
    ("GET", "videos"): 1,
    ("DELETE", "videos"): 50,
    ("GET", "channels"): 1,
    ("GET", "playlistItems"): 1,
    ("POST", "playlistItems"): 50,
    ("GET", "commentThreads"): 1,
    ("POST", "commentThreads"): 50,
    ("GET", "comments"): 1,
    ("POST", "comments"): 50,
}


def google_error(status: int, reason: str, message: str, domain: str = "youtube") -> httpx.Response:
    statuses = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE"}  # fmt: skip
    body = {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": statuses.get(status, "UNKNOWN"),
        }
    }
    return httpx.Response(status, json=body, headers={"X-GUploader-UploadID": "up-err-1"})


class FakeYouTube(FakePlatform):
    """Videos, resumable sessions, the uploads playlist, playlists and comments."""

    def __init__(
        self,
        *,
        client_id: str = "app",
        client_secret: str = "ya29.token",
        clock: SimulatedClock | None = None,
        audited: bool = True,
    ) -> None:
        del client_id
        self.token = client_secret
        self.clock = clock or SimulatedClock()
        self.audited = audited  # unaudited projects' uploads are locked private
        self.videos: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.uploads: list[str] = []  # the uploads playlist, newest first
        self.playlists: dict[str, list[tuple[str, str]]] = {"PLtea": []}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.seen: list[tuple[str, str]] = []
        self.bytes_received = 0
        self.units = 0
        self.inserts = 0
        # fault knobs
        self.break_chunks: dict[int, int] = {}  # chunk PUT number -> bytes kept, then reset
        self.lose_final_answer = 0  # finish the video, then lose the answer (read timeout)
        self.fail_status_queries = 0  # status queries answered 503
        self.hide_uploads = False  # the uploads playlist lags behind (eventual consistency)
        self.quota_exceeded = False
        self.expire_on_break = False  # a broken chunk also ends its session
        self.expired: set[str] = set()
        self.chunk_puts = 0
        self.refreshes = 0
        self._ids = itertools.count(1)

    # -- plumbing --------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _now(self) -> str:
        at = datetime.fromtimestamp(self.clock.time(), timezone.utc)
        return at.isoformat().replace("+00:00", "Z")

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append((request.method, path))
        if request.url.host == "cdn.example":
            return httpx.Response(200, content=b"\x00" * 1000)
        if request.url.host == "oauth2.googleapis.com" and path == "/token":
            self.refreshes += 1
            form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
            if form.get("refresh_token") != "1--rt":
                return httpx.Response(400, json={"error": "invalid_grant"})
            return httpx.Response(
                200, json={"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}
            )
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return google_error(401, "authError", "Invalid Credentials", "global")
        if path == UPLOAD_PATH:
            if request.method == "POST":
                return self._initiate(request)
            return self._put(request)
        if not path.startswith(API):
            return google_error(404, "notFound", "Not Found", "global")
        resource = path[len(API) :]
        if self.quota_exceeded:
            return google_error(403, "quotaExceeded", "The request cannot be completed because"
                                " you have exceeded your quota.", "youtube.quota")  # fmt: skip
        self.units += COSTS.get((request.method, resource), 1)
        handler = getattr(self, f"_{request.method.lower()}_{resource}", None)
        if handler is None:
            return google_error(404, "notFound", "Not Found", "global")
        response: httpx.Response = handler(request)
        return response

    # -- uploads ---------------------------------------------------------------------

    def _initiate(self, request: httpx.Request) -> httpx.Response:
        if self.quota_exceeded:
            return google_error(403, "quotaExceeded", "quota", "youtube.quota")
        self.inserts += 1
        assert request.url.params["uploadType"] == "resumable"
        total = int(request.headers["x-upload-content-length"])
        meta = json.loads(request.content)
        if not meta.get("snippet", {}).get("title"):
            return google_error(400, "invalidTitle", "The request metadata specifies an"
                                " invalid or empty video title.")  # fmt: skip
        upload_id = self._id("up")
        mime = request.headers["x-upload-content-type"]
        self.sessions[upload_id] = {
            "meta": meta,
            "total": total,
            "data": bytearray(),
            "video": None,
            "type": mime,
        }
        location = (
            f"https://www.googleapis.com{UPLOAD_PATH}?uploadType=resumable&upload_id={upload_id}"
        )
        headers = {"Location": location, "X-GUploader-UploadID": upload_id}
        return httpx.Response(200, headers=headers)

    def _put(self, request: httpx.Request) -> httpx.Response:
        upload_id = request.url.params.get("upload_id", "")
        session = self.sessions.get(upload_id)
        if session is None or upload_id in self.expired:
            return google_error(404, "notFound", "Not Found", "global")
        total = session["total"]
        held = len(session["data"])
        spec = request.headers["content-range"]
        if spec == f"bytes */{total}":
            if self.fail_status_queries:
                self.fail_status_queries -= 1
                return google_error(503, "backendError", "Backend Error", "global")
            return self._progress(session)
        first, last = (int(x) for x in spec.removeprefix("bytes ").split("/")[0].split("-"))
        body = request.content
        assert spec.endswith(f"/{total}") and len(body) == last - first + 1
        if first != held:
            return google_error(400, "badRequest", f"Invalid Content-Range: expected {held}")
        if last != total - 1 and len(body) % GRANULE:
            return google_error(400, "badRequest", "chunk is not a multiple of 256 KiB")
        self.chunk_puts += 1
        kept = self.break_chunks.pop(self.chunk_puts, None)
        if kept is not None:  # the connection breaks mid-chunk: only `kept` bytes arrive
            self.bytes_received += kept
            session["data"] += body[:kept]
            if self.expire_on_break:
                self.expired.add(upload_id)
            raise httpx.RemoteProtocolError("peer closed connection mid-chunk", request=request)
        self.bytes_received += len(body)
        session["data"] += body
        response = self._progress(session)
        if session["video"] is not None and self.lose_final_answer:
            self.lose_final_answer -= 1
            raise httpx.ReadTimeout("the video is there; its answer is lost", request=request)
        return response

    def _progress(self, session: dict[str, Any]) -> httpx.Response:
        held = len(session["data"])
        if held == session["total"] and session["video"] is None:
            session["video"] = self._create_video(session)
        if session["video"] is not None:
            return httpx.Response(201, json=self.videos[session["video"]])
        headers = {"Range": f"bytes=0-{held - 1}"} if held else {}
        return httpx.Response(308, headers=headers)

    def _create_video(self, session: dict[str, Any]) -> str:
        video_id = self._id("vid")
        meta = session["meta"]
        status = {"uploadStatus": "uploaded", "privacyStatus": "public", "license": "youtube",
                  "embeddable": True, **meta.get("status", {})}  # fmt: skip
        if not self.audited:
            status["privacyStatus"] = "private"
        self.videos[video_id] = {
            "kind": "youtube#video",
            "id": video_id,
            "snippet": {**meta["snippet"], "publishedAt": self._now(), "channelId": "UCtea"},
            "status": status,
            "statistics": {
                "viewCount": "120",
                "likeCount": "7",
                "favoriteCount": "0",
                "commentCount": "0",
            },
        }
        self.contents[video_id] = bytes(session["data"])
        self.uploads.insert(0, video_id)
        return video_id

    # -- videos, channels, playlists -----------------------------------------------------

    def _public(self, video: dict[str, Any], parts: list[str]) -> dict[str, Any]:
        shown = {"kind": "youtube#video", "id": video["id"]}
        shown.update({p: video[p] for p in parts if p in video})
        return shown

    def _get_videos(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.params["part"].split(",")
        ids = request.url.params["id"].split(",")
        items = [self._public(self.videos[i], parts) for i in ids if i in self.videos]
        return httpx.Response(200, json={"kind": "youtube#videoListResponse", "items": items})

    def _delete_videos(self, request: httpx.Request) -> httpx.Response:
        video_id = request.url.params["id"]
        if self.videos.pop(video_id, None) is None:
            return google_error(404, "videoNotFound", "Video not found.")
        self.uploads.remove(video_id)
        return httpx.Response(204)

    def _get_channels(self, request: httpx.Request) -> httpx.Response:
        assert request.url.params["mine"] == "true"
        channel = {"id": "UCtea", "contentDetails": {"relatedPlaylists": {"uploads": "UUtea"}}}
        return httpx.Response(200, json={"items": [channel]})

    def _get_playlistItems(self, request: httpx.Request) -> httpx.Response:
        playlist = request.url.params["playlistId"]
        if playlist == "UUtea":
            pairs = [] if self.hide_uploads else [(f"pi-{v}", v) for v in self.uploads]
        else:
            pairs = self.playlists.get(playlist, [])
        wanted = request.url.params.get("videoId")
        limit = int(request.url.params.get("maxResults", "5"))
        items = [
            {"id": item, "contentDetails": {"videoId": video}}
            for item, video in pairs
            if wanted is None or video == wanted
        ][:limit]
        return httpx.Response(200, json={"items": items})

    def _post_playlistItems(self, request: httpx.Request) -> httpx.Response:
        snippet = json.loads(request.content)["snippet"]
        playlist = snippet["playlistId"]
        if playlist not in self.playlists:
            return google_error(404, "playlistNotFound", "Playlist not found.")
        item = self._id("pli")
        self.playlists[playlist].append((item, snippet["resourceId"]["videoId"]))
        return httpx.Response(200, json={"id": item, "snippet": snippet})

    # -- comments ----------------------------------------------------------------------

    def _comment(self, text: str, video_id: str, parent: str | None) -> dict[str, Any]:
        snippet: dict[str, Any] = {"videoId": video_id, "textOriginal": text, "textDisplay": text,
                                   "authorDisplayName": "Tea Fan", "publishedAt": self._now(),
                                   "authorChannelId": {"value": "UCfan"}}  # fmt: skip
        if parent is not None:
            snippet["parentId"] = parent
        comment_id = self._id("Ug") if parent is None else f"{parent}.{self._id('r')}"
        return {"kind": "youtube#comment", "id": comment_id, "snippet": snippet}

    def add_thread(self, video_id: str, text: str, replies: int = 0) -> str:
        top = self._comment(text, video_id, None)
        thread = {"kind": "youtube#commentThread", "id": top["id"],
                  "snippet": {"videoId": video_id, "topLevelComment": top,
                              "totalReplyCount": 0}, "all": []}  # fmt: skip
        self.threads[top["id"]] = thread
        for n in range(replies):
            self._reply(top["id"], f"reply {n}")
        return str(top["id"])

    def _reply(self, parent: str, text: str) -> dict[str, Any]:
        thread = self.threads[parent]
        reply = self._comment(text, thread["snippet"]["videoId"], parent)
        thread["all"].append(reply)
        thread["snippet"]["totalReplyCount"] += 1
        self.videos[thread["snippet"]["videoId"]]["statistics"]["commentCount"] = str(
            sum(1 + len(t["all"]) for t in self.threads.values())
        )
        return reply

    def _get_commentThreads(self, request: httpx.Request) -> httpx.Response:
        video_id = request.url.params["videoId"]
        if video_id not in self.videos:
            return google_error(404, "videoNotFound", "Video not found.")
        items = []
        for thread in self.threads.values():
            if thread["snippet"]["videoId"] == video_id:
                shown = {k: v for k, v in thread.items() if k != "all"}
                if thread["all"]:
                    shown["replies"] = {"comments": thread["all"][:5]}
                items.append(shown)
        return httpx.Response(200, json={"items": items})

    def _post_commentThreads(self, request: httpx.Request) -> httpx.Response:
        snippet = json.loads(request.content)["snippet"]
        text = snippet["topLevelComment"]["snippet"]["textOriginal"]
        thread_id = self.add_thread(snippet["videoId"], text)
        thread = self.threads[thread_id]
        return httpx.Response(200, json={k: v for k, v in thread.items() if k != "all"})

    def _get_comments(self, request: httpx.Request) -> httpx.Response:
        thread = self.threads.get(request.url.params["parentId"])
        if thread is None:
            return google_error(404, "commentNotFound", "Comment not found.")
        return httpx.Response(200, json={"items": thread["all"]})

    def _post_comments(self, request: httpx.Request) -> httpx.Response:
        snippet = json.loads(request.content)["snippet"]
        if snippet["parentId"] not in self.threads:
            return google_error(404, "parentCommentNotFound", "Parent comment not found.")
        reply = self._reply(snippet["parentId"], snippet["textOriginal"])
        return httpx.Response(200, json={k: v for k, v in reply.items() if k != "all"})

    # -- views for tests ---------------------------------------------------------------

    @property
    def live(self) -> list[str]:
        return list(self.uploads)
