"""TikTok adapter: a fake of the Content Posting and Display APIs built from TikTok's docs.

The fake follows developers.tiktok.com (read 2026-12-06): every answer is the
``{"data", "error": {"code", "message", "log_id"}}`` envelope; ``creator_info`` gives the
privacy options and interaction settings; an init with a privacy level not among them is
``privacy_level_option_mismatch``; ``FILE_UPLOAD`` chunks arrive in order by
``Content-Range`` (206, and 201 for the last; a range out of step is 416); a pull from an
unverified URL is ``url_ownership_unverified``; ``status/fetch`` reports
``uploaded_bytes`` and the statuses; only public videos are listed by ``/v2/video/list/``.
Posts are counted on the server's side (``created``) when TikTok would start posting:
all bytes uploaded, or a pull begun.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import TikTokExtras, extras_model_for
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RequestRate,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    Token,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.tiktok import TikTokAdapter
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, FakePlatform, client_for, drive

MIB = 1024 * 1024
VIDEO = "https://media.example/brew.mp4"
BIG = "https://media.example/long.mp4"
PULLED = "https://cdn.tea.example/videos/brew.mp4"
PHOTOS = ("https://cdn.tea.example/p/1.jpg", "https://cdn.tea.example/p/2.webp")
SMALL_BYTES = bytes(range(256)) * 40  # 10,240 bytes: one chunk
BIG_BYTES = bytes(range(256)) * (12 * MIB // 256 + 3)  # just over 12 MiB
MEDIA = InMemoryMediaLoader({VIDEO: SMALL_BYTES, BIG: BIG_BYTES})
API = "open.tiktokapis.com"
UPLOAD = "open-upload.tiktokapis.com"


def _envelope(http: int, code: str = "ok", message: str = "", **data: Any) -> httpx.Response:
    body = {"data": data, "error": {"code": code, "message": message, "log_id": "LOG-42"}}
    return httpx.Response(http, json=body)


class FakeTikTok(FakePlatform):
    """creator_info, the three inits, chunked upload, status, video list and query."""

    def __init__(
        self,
        *,
        client_id: str = "app",
        client_secret: str = "act.token-1",
        clock: SimulatedClock | None = None,
    ) -> None:
        del client_id
        self.token = client_secret
        self.clock = clock or SimulatedClock()
        self.creator: dict[str, Any] = {
            "creator_avatar_url": "https://p16.tiktokcdn.example/a.jpg",
            "creator_username": "teahouse",
            "creator_nickname": "Tea House",
            "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
            "comment_disabled": False,
            "duet_disabled": False,
            "stitch_disabled": True,
            "max_video_post_duration_sec": 300,
        }
        self.verified = ("cdn.tea.example",)
        self.tasks: dict[str, dict[str, Any]] = {}
        self.videos: list[dict[str, Any]] = []
        self.inits: list[dict[str, Any]] = []
        self.seen: list[tuple[str, str]] = []
        self.puts: list[str] = []
        self.created = 0  # posts TikTok starts publishing, counted here
        self.lose: dict[str, int] = {}  # route -> answers to lose after acting
        self.fail: dict[str, int] = {}  # route -> 5xx answers before acting
        self.polls_to_finish = 1
        self.never_finish = False
        self.fail_reason: str | None = None
        self.can_list = True
        self.refresh_tokens: list[str] = []
        self.throttle: dict[str, int] = {}
        self.cap_reached = False
        self._seq = itertools.count(1)

    def answer(self, request: httpx.Request) -> httpx.Response:
        route, response = self._route(request)
        if self.lose.get(route):
            self.lose[route] -= 1
            raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    def _route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        url = request.url
        self.seen.append((request.method, url.path))
        if url.host == UPLOAD:
            assert "authorization" not in request.headers  # the URL is signed itself
            return self._guarded("put", lambda: self._put(request))
        if url.path == "/v2/oauth/token/":
            return "token", self._token(request)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return "auth", _envelope(401, "access_token_invalid", "Access token is invalid")
        if request.headers.get("content-type") != "application/json; charset=UTF-8":
            return "type", _envelope(400, "invalid_params", "Content-Type")
        body = json.loads(request.content) if request.content else {}
        path = url.path
        route = {
            "/v2/post/publish/creator_info/query/": "creator_info",
            "/v2/post/publish/video/init/": "init",
            "/v2/post/publish/inbox/video/init/": "init",
            "/v2/post/publish/content/init/": "init",
            "/v2/post/publish/status/fetch/": "status",
            "/v2/video/list/": "list",
            "/v2/video/query/": "query",
        }.get(path, "unknown")
        if self.throttle.get(route):
            self.throttle[route] -= 1
            return route, _envelope(429, "rate_limit_exceeded", "Too many requests")
        handlers = {
            "creator_info": self._creator_info,
            "init": lambda: self._init(path, body),
            "status": lambda: self._status(body),
            "list": self._list,
            "query": lambda: self._query(request, body),
        }
        if route not in handlers:
            return route, _envelope(404, "invalid_params", "no such endpoint")
        return self._guarded(route, handlers[route])

    def _guarded(self, route: str, act: Any) -> tuple[str, httpx.Response]:
        if self.fail.get(route):
            self.fail[route] -= 1
            return route, _envelope(503, "internal_error", "try again")
        return route, act()

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = dict(httpx.QueryParams(request.content.decode()))
        assert form["grant_type"] == "refresh_token" and form["client_key"] == "ck"
        self.refresh_tokens.append(form["refresh_token"])
        self.token = f"act.refreshed-{len(self.refresh_tokens)}"
        return httpx.Response(
            200,
            json={
                "access_token": self.token,
                "expires_in": 86400,
                "open_id": "open-1",
                "refresh_expires_in": 31536000,
                "refresh_token": f"rft.{len(self.refresh_tokens)}",
                "scope": "video.publish,video.list",
                "token_type": "Bearer",
            },
        )

    # -- content posting ---------------------------------------------------------------

    def _creator_info(self) -> httpx.Response:
        if self.cap_reached:  # "200 (intentional)": the daily post cap
            return _envelope(200, "spam_risk_too_many_posts", "daily post cap reached")
        return _envelope(200, **self.creator)

    def _init(self, path: str, body: dict[str, Any]) -> httpx.Response:
        self.inits.append({"path": path, **body})
        number = next(self._seq)
        post_info = body.get("post_info") or {}
        source = body["source_info"]
        inbox = "inbox" in path or body.get("post_mode") == "MEDIA_UPLOAD"
        if not inbox:
            if post_info.get("privacy_level") not in self.creator["privacy_level_options"]:
                return _envelope(403, "privacy_level_option_mismatch", "privacy_level")
            assert "brand_content_toggle" in post_info  # required by the field table
        task: dict[str, Any] = {
            "inbox": inbox,
            "source": source["source"],
            "info": post_info,
            "received": 0,
            "polls": 0,
            "state": "",
        }
        kind = "p" if body.get("media_type") == "PHOTO" else "v"
        if source["source"] == "FILE_UPLOAD":
            size, chunk, count = (
                source["video_size"],
                source["chunk_size"],
                source["total_chunk_count"],
            )
            whole = size < 5 * MIB and chunk == size and count == 1
            if not (whole or (5 * MIB <= chunk <= 64 * MIB and count == size // chunk)):
                return _envelope(400, "invalid_param", "chunk_size / total_chunk_count")
            task.update(size=size, chunk=chunk, count=count, state="PROCESSING_UPLOAD")
            publish_id = f"{kind}_{'inbox' if inbox else 'pub'}_file~v2-1.{number}"
            upload = f"https://{UPLOAD}/video/?upload_id={number}&upload_token=Xza{number}"
            task["upload_url"] = upload
        else:
            urls = [source["video_url"]] if "video_url" in source else source["photo_images"]
            if not all(any(u.split("/")[2].endswith(v) for v in self.verified) for u in urls):
                return _envelope(403, "url_ownership_unverified", "verify the domain")
            publish_id = f"{kind}_{'inbox' if inbox else 'pub'}_url~v2.{number}"
            task["state"] = "PROCESSING_DOWNLOAD"
            self._start_posting(task, publish_id)
        self.tasks[publish_id] = task
        data = {"publish_id": publish_id}
        if "upload_url" in task:
            data["upload_url"] = task["upload_url"]
        return _envelope(200, **data)

    def _start_posting(self, task: dict[str, Any], publish_id: str) -> None:
        self.created += 1
        task["state"] = "PROCESSING"
        if not task["inbox"] and task["info"].get("privacy_level") == "PUBLIC_TO_EVERYONE":
            video_id = str(7_300_000_000_000_000_000 + len(self.videos))
            task["video_id"] = video_id
            self.videos.append(
                {
                    "id": video_id,
                    "title": task["info"].get("title", task["info"].get("description", "")),
                    "video_description": task["info"].get("description", ""),
                    "create_time": int(self.clock.time()),
                    "share_url": f"https://www.tiktok.com/@teahouse/video/{video_id}",
                    "view_count": 120,
                    "like_count": 9,
                    "comment_count": 3,
                    "share_count": 2,
                }
            )
        task["publish_id"] = publish_id

    def _put(self, request: httpx.Request) -> httpx.Response:
        upload_id = request.url.params["upload_id"]
        publish_id, task = next(
            (p, t)
            for p, t in self.tasks.items()
            if t.get("upload_url", "").endswith(
                f"upload_id={upload_id}&upload_token=Xza{upload_id}"
            )
        )
        span, total = request.headers["content-range"].removeprefix("bytes ").split("/")
        first, last = (int(n) for n in span.split("-"))
        self.puts.append(request.headers["content-range"])
        assert int(total) == task["size"]
        assert request.headers["content-type"] in ("video/mp4", "video/quicktime", "video/webm")
        if first != task["received"] or last - first + 1 != len(request.content):
            return httpx.Response(416)
        task["received"] = last + 1
        if task["received"] == task["size"]:
            self._start_posting(task, publish_id)
            return httpx.Response(201)
        return httpx.Response(206, headers={"Content-Range": f"bytes 0-{last}/{total}"})

    def _status(self, body: dict[str, Any]) -> httpx.Response:
        task = self.tasks.get(body["publish_id"])
        if task is None:
            return _envelope(400, "invalid_publish_id", "no such publish_id")
        data: dict[str, Any] = {"status": task["state"]}
        if task["source"] == "FILE_UPLOAD":
            data["uploaded_bytes"] = task["received"]
        if task["state"] == "PROCESSING" and not self.never_finish:
            task["polls"] += 1
            if task["polls"] >= self.polls_to_finish:
                if self.fail_reason:
                    task["state"] = "FAILED"
                else:
                    task["state"] = "SEND_TO_USER_INBOX" if task["inbox"] else "PUBLISH_COMPLETE"
        data["status"] = (
            task["state"]
            if task["state"] != "PROCESSING"
            else ("PROCESSING_UPLOAD" if task["source"] == "FILE_UPLOAD" else "PROCESSING_DOWNLOAD")
        )
        if task["state"] == "FAILED":
            data["fail_reason"] = self.fail_reason
        public = (
            [task["video_id"]] if task["state"] == "PUBLISH_COMPLETE" and "video_id" in task else []
        )
        data["publicaly_available_post_id"] = public
        return _envelope(200, **data)

    # -- display ---------------------------------------------------------------------------

    def _list(self) -> httpx.Response:
        if not self.can_list:
            return _envelope(401, "scope_not_authorized", "video.list")
        newest = sorted(self.videos, key=lambda v: v["create_time"], reverse=True)[:20]
        return _envelope(200, videos=newest, cursor=0, has_more=False)

    def _query(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        fields = request.url.params["fields"].split(",")
        wanted = body["filters"]["video_ids"]
        found = [{k: v[k] for k in fields if k in v} for v in self.videos if v["id"] in wanted]
        return _envelope(200, videos=found)


def make_client(kind: str, server: FakeTikTok, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or TikTokAdapter(
        access_token=server.token,
        media_loader=MEDIA,
        verified_prefixes=options.pop("verified", ()),
        chunk_size=options.pop("chunk_size", 10_000_000),
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeTikTok:
    clock = SimulatedClock()
    clock.advance(1_780_000_000)
    return FakeTikTok(clock=clock)


def video_post(
    url: str = VIDEO, body: str = "Cold brew in 30 s #tea", *, seconds: float = 30, **extras: Any
) -> PlatformPost:
    extras.setdefault("privacy_level", "PUBLIC_TO_EVERYONE")
    asset = MediaAsset(kind="video", url=url, duration_seconds=seconds)
    return PlatformPost(platform="tiktok", piece_id="p1", body=body, media=(asset,), extras=extras)


def photo_post(*urls: str, **extras: Any) -> PlatformPost:
    extras.setdefault("privacy_level", "PUBLIC_TO_EVERYONE")
    media = tuple(MediaAsset(kind="image", url=u) for u in urls or PHOTOS)
    return PlatformPost(
        platform="tiktok", piece_id="p2", title="Tea cups", body="Our cups #tea", media=media,
        extras=extras,
    )  # fmt: skip


def publish(kind: str, server: FakeTikTok, post: PlatformPost, **options: Any) -> Any:
    deadline = options.pop("deadline", None)
    client = make_client(kind, server, **options)
    return drive(kind, client, lambda c: c.publish(post, deadline=deadline))


# -- the conformance suite and the registry ---------------------------------------------


class TestTikTokConformance(AdapterConformance, adapter=TikTokAdapter, platform=FakeTikTok):
    def make_adapter(self) -> TikTokAdapter:
        return TikTokAdapter(access_token=SENTINEL_SECRET, media_loader=MEDIA)

    def sample_post(self) -> PlatformPost:
        return video_post()


def test_registered_programmatically_with_its_extras() -> None:
    # The entry point a packaged install declares
    # (tiktok = "smmkit.platforms.tiktok:TikTokAdapter"), registered here by hand.
    register_platform("tiktok", TikTokAdapter, clobber=True)
    assert get_platform("tiktok") is TikTokAdapter
    assert "tiktok" in available_platforms()
    assert extras_model_for("tiktok") is TikTokExtras
    with pytest.raises(InvalidInputError, match=r"extras\.privacy_level"):
        video_post(privacy_level="EVERYONE")
    with pytest.raises(InvalidInputError, match=r"extras\.privacy_level"):
        video_post(privacy_level="SELF_ONLY", brand_content_toggle=True)


# -- direct posts ----------------------------------------------------------------------


def test_direct_file_upload_asks_creator_info_first_and_follows_the_status(
    kind: str, server: FakeTikTok
) -> None:
    result = publish(kind, server, video_post(video_cover_timestamp_ms=1000, is_aigc=True))
    assert result.ok, result.error
    assert server.seen[0] == ("POST", "/v2/post/publish/creator_info/query/")
    (init,) = server.inits
    assert init["path"] == "/v2/post/publish/video/init/"
    assert init["post_info"] == {
        "title": "Cold brew in 30 s #tea",
        "privacy_level": "PUBLIC_TO_EVERYONE",
        "disable_comment": True,  # interactions are opt-in
        "disable_duet": True,
        "disable_stitch": True,
        "video_cover_timestamp_ms": 1000,
        "brand_content_toggle": False,
        "brand_organic_toggle": False,
        "is_aigc": True,
    }
    size = len(SMALL_BYTES)
    assert init["source_info"] == {
        "source": "FILE_UPLOAD", "video_size": size, "chunk_size": size, "total_chunk_count": 1,
    }  # fmt: skip
    assert server.puts == [f"bytes 0-{size - 1}/{size}"]
    receipt = result.receipt
    assert receipt.status.value == "published" and server.created == 1
    video_id = server.videos[0]["id"]
    assert receipt.post_id == video_id
    assert receipt.platform_ids["publish_id"].startswith("v_pub_file~")
    assert receipt.url == f"https://www.tiktok.com/@teahouse/video/{video_id}"


def test_a_big_video_goes_in_chunks_the_last_taking_the_trailing_bytes(
    kind: str, server: FakeTikTok
) -> None:
    result = publish(kind, server, video_post(BIG), chunk_size=5 * MIB)
    assert result.ok, result.error
    size = len(BIG_BYTES)
    source = server.inits[0]["source_info"]
    assert source == {
        "source": "FILE_UPLOAD", "video_size": size, "chunk_size": 5 * MIB, "total_chunk_count": 2,
    }  # fmt: skip
    assert server.puts == [f"bytes 0-{5 * MIB - 1}/{size}", f"bytes {5 * MIB}-{size - 1}/{size}"]
    assert server.created == 1


def test_interactions_follow_the_post_and_the_creator(kind: str, server: FakeTikTok) -> None:
    post = video_post(disable_comment=False, disable_duet=False)
    assert publish(kind, server, post).ok
    info = server.inits[0]["post_info"]
    assert (info["disable_comment"], info["disable_duet"], info["disable_stitch"]) == (
        False, False, True,  # the creator turned stitches off
    )  # fmt: skip
    with pytest.raises(InvalidInputError, match=r"extras\.disable_stitch"):
        publish(kind, server, video_post(disable_stitch=False))
    assert len(server.inits) == 1


def test_privacy_levels_come_from_creator_info_only(kind: str, server: FakeTikTok) -> None:
    server.creator["privacy_level_options"] = ["FOLLOWER_OF_CREATOR", "SELF_ONLY"]
    with pytest.raises(InvalidInputError, match="privacy_level_options") as caught:
        publish(kind, server, video_post(privacy_level="PUBLIC_TO_EVERYONE"))
    assert caught.value.fields == ("extras.privacy_level",)
    with pytest.raises(InvalidInputError, match="TikTok allows no default"):
        publish(kind, server, video_post(privacy_level=None))
    assert (
        server.inits == []
        and server.seen.count(("POST", "/v2/post/publish/creator_info/query/")) == 2
    )
    adapter = TikTokAdapter(
        access_token=server.token, media_loader=MEDIA, privacy_level="SELF_ONLY"
    )
    result = publish(kind, server, video_post(privacy_level=None), adapter=adapter)
    assert result.ok and server.inits[0]["post_info"]["privacy_level"] == "SELF_ONLY"
    assert result.receipt.post_id.startswith("v_pub_file~")  # private: no public video id


def test_a_video_longer_than_the_creator_may_post_is_refused(kind: str, server: FakeTikTok) -> None:
    with pytest.raises(InvalidInputError) as caught:
        publish(kind, server, video_post(seconds=301))
    assert caught.value.fields == ("media.0.duration_seconds",)
    assert server.inits == []


def test_pull_from_a_verified_prefix_sends_no_bytes(kind: str, server: FakeTikTok) -> None:
    result = publish(kind, server, video_post(PULLED), verified=["cdn.tea.example"])
    assert result.ok, result.error
    assert server.inits[0]["source_info"] == {"source": "PULL_FROM_URL", "video_url": PULLED}
    assert server.puts == [] and server.created == 1


def test_pull_from_an_unverified_url(kind: str, server: FakeTikTok) -> None:
    with pytest.raises(InvalidInputError, match="verified") as caught:
        publish(kind, server, video_post(VIDEO, source="PULL_FROM_URL"), verified=["tea.example"])
    assert caught.value.fields == ("media.0.url",)
    result = publish(kind, server, video_post(VIDEO, source="PULL_FROM_URL"))
    error = result.exception
    assert isinstance(error, PermissionDeniedError) and error.code == "url_ownership_unverified"
    assert error.request_id == "LOG-42" and server.created == 0


def test_photo_post_is_pulled_through_content_init(kind: str, server: FakeTikTok) -> None:
    result = publish(kind, server, photo_post(photo_cover_index=1, auto_add_music=True))
    assert result.ok, result.error
    init = server.inits[0]
    assert init["path"] == "/v2/post/publish/content/init/"
    assert init["post_mode"] == "DIRECT_POST" and init["media_type"] == "PHOTO"
    assert init["source_info"] == {
        "source": "PULL_FROM_URL", "photo_cover_index": 1, "photo_images": list(PHOTOS),
    }  # fmt: skip
    assert init["post_info"]["title"] == "Tea cups"
    assert init["post_info"]["description"] == "Our cups #tea"
    assert "disable_duet" not in init["post_info"]  # not for photos
    with pytest.raises(InvalidInputError, match="JPEG or WebP"):
        publish(kind, server, photo_post("https://cdn.tea.example/p/3.png"))


# -- inbox (draft) mode ------------------------------------------------------------------


def test_inbox_mode_needs_no_creator_info_and_ends_in_the_inbox(
    kind: str, server: FakeTikTok
) -> None:
    adapter = TikTokAdapter(access_token=server.token, media_loader=MEDIA, mode="inbox")
    result = publish(kind, server, video_post(privacy_level=None), adapter=adapter)
    assert result.ok, result.error
    assert ("POST", "/v2/post/publish/creator_info/query/") not in server.seen
    init = server.inits[0]
    assert init["path"] == "/v2/post/publish/inbox/video/init/" and "post_info" not in init
    assert result.receipt.detail and "SEND_TO_USER_INBOX" in result.receipt.detail
    assert result.receipt.platform_ids["mode"] == "inbox"
    photos = publish(kind, server, photo_post(privacy_level=None, mode="inbox"))
    assert photos.ok and server.inits[1]["post_mode"] == "MEDIA_UPLOAD"
    assert server.inits[1]["post_info"] == {"title": "Tea cups", "description": "Our cups #tea"}


# -- exactly once ---------------------------------------------------------------------------


def test_lost_file_upload_init_answer_reinitialises_and_posts_once(
    kind: str, server: FakeTikTok
) -> None:
    server.lose["init"] = 1
    result = publish(kind, server, video_post())
    assert result.ok, result.error
    assert len(server.inits) == 2  # the lost task never got bytes: it cannot post
    assert ("POST", "/v2/video/list/") in server.seen  # read back first
    assert server.created == 1


def test_lost_pull_init_answer_is_found_among_the_public_videos(
    kind: str, server: FakeTikTok
) -> None:
    server.lose["init"] = 1
    result = publish(kind, server, video_post(PULLED), verified=["cdn.tea.example"])
    assert result.ok, result.error
    assert len(server.inits) == 1 and server.created == 1
    assert result.receipt.post_id == server.videos[0]["id"]


def test_lost_private_pull_init_answer_is_reported_never_reposted(
    kind: str, server: FakeTikTok
) -> None:
    server.lose["init"] = 1
    post = video_post(PULLED, privacy_level="SELF_ONLY")
    result = publish(kind, server, post, verified=["cdn.tea.example"])
    assert not result.ok and result.error.outcome_unknown
    assert len(server.inits) == 1 and server.created == 1  # live, and said maybe-live


def test_lost_chunk_answer_resumes_from_tiktoks_count(kind: str, server: FakeTikTok) -> None:
    server.lose["put"] = 1  # the first chunk lands, its answer does not come back
    result = publish(kind, server, video_post(BIG), chunk_size=5 * MIB)
    assert result.ok, result.error
    size = len(BIG_BYTES)
    assert server.puts == [f"bytes 0-{5 * MIB - 1}/{size}", f"bytes {5 * MIB}-{size - 1}/{size}"]
    assert len(server.inits) == 1 and server.created == 1


def test_failed_chunk_is_sent_again_and_only_that_chunk(kind: str, server: FakeTikTok) -> None:
    server.fail["put"] = 1  # a 5xx before TikTok took the chunk
    result = publish(kind, server, video_post(BIG), chunk_size=5 * MIB)
    assert result.ok, result.error
    first = f"bytes 0-{5 * MIB - 1}/{len(BIG_BYTES)}"
    assert server.puts.count(first) == 1 and len(server.puts) == 2  # the 5xx was not logged
    assert server.created == 1


def test_lost_last_chunk_answer_never_posts_twice(kind: str, server: FakeTikTok) -> None:
    server.lose["put"] = 1
    result = publish(kind, server, video_post())
    assert result.ok, result.error
    assert len(server.puts) == 1 and len(server.inits) == 1 and server.created == 1


def test_lost_answers_everywhere_still_post_exactly_once(kind: str, server: FakeTikTok) -> None:
    server.lose.update(init=1, put=2)
    server.fail["status"] = 1
    result = publish(
        kind, server, video_post(BIG), chunk_size=5 * MIB, retry=RetryPolicy(max_attempts=8)
    )
    assert result.ok, result.error
    assert server.created == 1
    assert sum(1 for t in server.tasks.values() if t["received"]) == 1


def test_a_broken_upload_is_resumed_by_the_next_attempt(kind: str, server: FakeTikTok) -> None:
    adapter = TikTokAdapter(
        access_token=server.token, media_loader=MEDIA, chunk_size=5 * MIB, chunk_retries=0
    )
    server.lose["put"] = 1
    result = publish(kind, server, video_post(BIG), adapter=adapter)
    assert result.ok, result.error
    assert len(server.inits) == 1 and len(server.puts) == 2 and server.created == 1


# -- status, deadline, errors, tokens --------------------------------------------------------


def test_status_polling_stops_at_the_deadline(kind: str, server: FakeTikTok) -> None:
    server.never_finish = True
    result = publish(kind, server, video_post(), deadline=30)
    assert result.error.error_type == "PublishTimeoutError"
    assert server.created == 1  # TikTok has it: a later status/fetch will say


def test_failed_processing_reports_tiktoks_reason(kind: str, server: FakeTikTok) -> None:
    server.fail_reason = "duration_check_failed"
    result = publish(kind, server, video_post())
    assert not result.ok and "duration_check_failed" in result.error.message


def test_daily_post_cap_from_creator_info_under_http_200(kind: str, server: FakeTikTok) -> None:
    server.cap_reached = True
    result = publish(kind, server, video_post())
    error = result.exception
    assert isinstance(error, RateLimitError) and error.code == "spam_risk_too_many_posts"
    assert error.retry_after == 86400 and error.request_id == "LOG-42"
    assert server.inits == [] and server.seen.count(server.seen[0]) == 1


def test_rate_limited_init_is_retried(kind: str, server: FakeTikTok) -> None:
    server.throttle["init"] = 1
    result = publish(kind, server, video_post())
    assert result.ok, result.error
    assert len(server.inits) == 1 and server.created == 1


def test_pacing_comes_from_the_documented_limits() -> None:
    rates = TikTokAdapter(access_token="t").default_rates()
    assert rates["init"] == RequestRate(limit=6, per_seconds=60)
    assert rates["creator_info"] == RequestRate(limit=20, per_seconds=60)
    assert rates["status"] == RequestRate(limit=30, per_seconds=60)
    assert rates["video_list"] == RequestRate(limit=600, per_seconds=60)


def test_invalid_token_says_reconnect(kind: str, server: FakeTikTok) -> None:
    adapter = TikTokAdapter(access_token="act.expired", media_loader=MEDIA)
    with pytest.raises(AuthenticationError, match="connect the account again") as caught:
        drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.metrics("7"))
    assert caught.value.code == "access_token_invalid" and caught.value.request_id == "LOG-42"


def test_refresh_token_goes_through_the_oauth_module(kind: str, server: FakeTikTok) -> None:
    creds = Credentials(client_id="ck", client_secret="cs", refresh_token="rft.0")
    adapter = TikTokAdapter(credentials=creds, media_loader=MEDIA)
    store = InMemoryTokenStore()
    store.put("tiktok:default", Token(access_token="act.stale", refresh_token="rft.0"))
    result = publish(kind, server, video_post(), adapter=adapter, token_store=store)
    assert result.ok, result.error
    assert server.refresh_tokens == ["rft.0"]
    stored = store.get("tiktok:default")
    assert stored is not None and stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == "rft.1"  # rotated


def test_dry_run_checks_the_catalog_and_sends_nothing(kind: str, server: FakeTikTok) -> None:
    text_only = PlatformPost(platform="tiktok", piece_id="p", body="no video")
    client = make_client(kind, server)
    result = drive(kind, client, lambda c: c.publish(text_only, dry_run=True))
    assert result.problems == ("media: this platform needs at least one media item",)
    long = video_post(body="a" * 2201, seconds=700)
    problems = drive(kind, client, lambda c: c.publish(long, dry_run=True)).problems
    assert "body: 2201 utf16_units > 2200" in problems and "media.0: 700 s > 600" in problems
    assert server.seen == []


def test_bad_input_is_refused_before_sending() -> None:
    adapter = TikTokAdapter(access_token="t", media_loader=MEDIA)
    text_only = PlatformPost(platform="tiktok", piece_id="p", body="hi")
    two = video_post().model_copy(update={"media": video_post().media * 2})
    for post, field in (
        (text_only, "media"),
        (two, "media"),
        (video_post(body="a" * 2201), "body"),
    ):
        with pytest.raises(InvalidInputError) as caught:
            next(adapter.publish(post))
        assert caught.value.fields == (field,)
    with pytest.raises(InvalidInputError, match="mode"):
        TikTokAdapter(access_token="t", mode="draft")
    with pytest.raises(InvalidInputError, match="chunk_size"):
        TikTokAdapter(access_token="t", chunk_size=1000)
    with pytest.raises(InvalidInputError, match="post_id"):
        next(adapter.metrics(" "))


# -- metrics ---------------------------------------------------------------------------------


def test_metrics_by_video_id_or_publish_id(kind: str, server: FakeTikTok) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(video_post())).receipt
    by_video = {
        m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))
    }
    assert by_video == {
        "views": 120, "like_count": 9, "comment_count": 3, "share_count": 2, "interactions": 14,
    }  # fmt: skip
    publish_id = receipt.platform_ids["publish_id"]
    by_publish = drive(kind, client, lambda c: c.metrics(publish_id))
    assert {m.metric: m.value for m in by_publish} == by_video
    private = drive(kind, client, lambda c: c.publish(video_post(privacy_level="SELF_ONLY")))
    with pytest.raises(NotFoundError, match="no public video"):
        drive(kind, client, lambda c: c.metrics(private.receipt.post_id))


# -- the sandbox stands in ---------------------------------------------------------------


def test_the_sandbox_stands_in_with_the_same_catalog_spec(kind: str) -> None:
    sandbox = SandboxPlatform(spec="tiktok", clock=SimulatedClock())
    client = sandbox.client() if kind == "sync" else sandbox.async_client()
    video = MediaAsset(kind="video", url=VIDEO, size_bytes=10_240, duration_seconds=30)
    result = drive(kind, client, lambda c: c.publish(sandbox.sample_post("Tea", media=(video,))))
    assert result.ok and sandbox.published_count == 1
    spec = TikTokAdapter(access_token="t").spec
    assert spec == sandbox.spec
    assert spec.media.requires_media and spec.media.max_items is not None
    assert spec.media.max_items.value == 35
    assert spec.media.video_max_seconds is not None and spec.media.video_max_seconds.value == 600
    assert spec.idempotency and "read back" in spec.idempotency
