"""TikTok: the requests smmkit builds, checked against TikTok's own documented examples.

TikTok publishes no machine-readable contract (no OpenAPI document), so each check pins
one example to the developers.tiktok.com page it comes from (pages read 2026-12-06, in
the copies fetched 2026-09-11 that the search index holds). Each example says how it
was had:

* ``official``: the example as the page shows it (request bodies, answers, tables);
* ``official, repaired``: the page's example is not valid JSON as printed (a missing or
  trailing comma); the repair is said at the check;
* ``reconstructed``: the page has no example of this (or only placeholders such as
  ``exampleVideoSize``), so it is built from the page's documented field tables.

This file needs nothing outside the repository (no ``../shared`` contract files) and no
fixture of ``tests/contract/conftest.py``; it runs offline with
:func:`smmkit.testing.run_flow`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import InMemoryMediaLoader, RequestRate
from smmkit.platforms._tiktok_wire import WireVideo, chunk_plan, chunk_ranges
from smmkit.platforms.tiktok import TikTokAdapter
from smmkit.testing import run_flow

DOCS = "https://developers.tiktok.com/doc/"
GET_STARTED = DOCS + "content-posting-api-get-started"
CREATOR_INFO = DOCS + "content-posting-api-reference-query-creator-info"
DIRECT_POST = DOCS + "content-posting-api-reference-direct-post"
MEDIA_TRANSFER = DOCS + "content-posting-api-media-transfer-guide"
PHOTO_POST = DOCS + "content-posting-api-reference-photo-post"
UPLOAD = DOCS + "content-posting-api-reference-upload-video"
STATUS = DOCS + "content-posting-api-reference-get-video-status"
VIDEO_LIST = DOCS + "tiktok-api-v2-video-list"
VIDEO_QUERY = DOCS + "tiktok-api-v2-video-query"
ERRORS = DOCS + "tiktok-api-v2-error-handling"
RATE_LIMITS = DOCS + "tiktok-api-v2-rate-limit"

TOKEN = "act.example12345Example12345Example"
LOG_ID = "202210112248442CB9319E1FB30C1073F3"
NOW = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)

# creator_info's example answer (official, repaired: the page lacks the comma after
# privacy_level_options).
CREATOR_EXAMPLE = {
    "data": {
        "creator_avatar_url": "https://lf16-tt4d.tiktokcdn.com/obj/tiktok-open-platform/"
        "8d5740ac3844be417beeacd0df75aef1",
        "creator_username": "tiktok",
        "creator_nickname": "TikTok Official",
        "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
        "comment_disabled": False,
        "duet_disabled": False,
        "stitch_disabled": True,
        "max_video_post_duration_sec": 300,
    },
    "error": {"code": "ok", "message": "", "log_id": LOG_ID},
}
INIT_EXAMPLE = {
    "data": {
        "publish_id": "v_pub_file~v2-1.123456789",
        "upload_url": "https://open-upload.tiktokapis.com/video/?upload_id=67890&upload_token=Xza123",
    },
    "error": {"code": "ok", "message": "", "log_id": LOG_ID},
}
# The direct post example's body (official: the Direct Post page and Get Started).
DIRECT_BODY = {
    "post_info": {
        "title": "this will be a funny #cat video on your @tiktok #fyp",
        "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
        "disable_duet": False,
        "disable_comment": True,
        "disable_stitch": False,
        "video_cover_timestamp_ms": 1000,
    },
    "source_info": {
        "source": "FILE_UPLOAD",
        "video_size": 50000123,
        "chunk_size": 10000000,
        "total_chunk_count": 5,
    },
}
# Fields of post_info the Direct Post page's field table documents.
POST_INFO_FIELDS = {
    "privacy_level",
    "title",
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "video_cover_timestamp_ms",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
}


@dataclass(frozen=True)
class Source:
    """Where an example comes from and how it was had."""

    url: str
    origin: str  # official, official repaired, reconstructed

    def __post_init__(self) -> None:
        assert self.url.startswith("https://developers.tiktok.com/doc/")
        assert self.origin in ("official", "official repaired", "reconstructed")


class Server:
    """Answers a flow's requests from a script, keeping every request it saw."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.answers.pop(0)


def ok(body: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def body_of(request: httpx.Request) -> dict[str, Any]:
    value = json.loads(request.content)
    assert isinstance(value, dict)
    return value


def creator(**changes: Any) -> dict[str, Any]:
    answer = json.loads(json.dumps(CREATOR_EXAMPLE))
    answer["data"].update(changes)
    return dict(answer)


def direct_example_post(url: str, **extras: Any) -> PlatformPost:
    fields = {
        "privacy_level": "MUTUAL_FOLLOW_FRIENDS",
        "disable_duet": False,
        "disable_comment": True,
        "disable_stitch": False,
        "video_cover_timestamp_ms": 1000,
        **extras,
    }
    return PlatformPost(
        platform="tiktok",
        piece_id="cat",
        body="this will be a funny #cat video on your @tiktok #fyp",
        media=(MediaAsset(kind="video", url=url, mime_type="video/mp4"),),
        extras=fields,
    )


# -- creator_info ------------------------------------------------------------------------


def test_creator_info_request_and_answer() -> None:
    Source(CREATOR_INFO, "official repaired")  # curl example; answer (missing comma fixed)
    server = Server(ok(CREATOR_EXAMPLE))
    info = run_flow(TikTokAdapter(access_token=TOKEN).creator_info(), server)
    (request,) = server.requests
    assert (request.method, str(request.url)) == (
        "POST",
        "https://open.tiktokapis.com/v2/post/publish/creator_info/query/",
    )
    assert request.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert info.privacy_level_options == (
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "SELF_ONLY",
    )
    assert info.stitch_disabled and info.max_video_post_duration_sec == 300


# -- direct post, file upload ------------------------------------------------------------


def test_direct_post_file_upload_matches_the_example_then_sends_the_five_chunks() -> None:
    Source(DIRECT_POST, "official")  # the init example body and answer
    Source(MEDIA_TRANSFER, "official")  # "Chunk upload": 50,000,123 bytes in 5 chunks
    url = "https://media.example/cat.mp4"
    data = bytes(50_000_123)
    adapter = TikTokAdapter(
        access_token=TOKEN, media_loader=InMemoryMediaLoader({url: data}), chunk_size=10_000_000
    )
    status = {"status": "PROCESSING_UPLOAD", "uploaded_bytes": 0}
    server = Server(
        ok(creator(stitch_disabled=False)),  # so that the example's disable_stitch may be False
        ok(INIT_EXAMPLE),
        *(httpx.Response(206) for _ in range(4)),
        httpx.Response(201),
        ok({"data": status, "error": {"code": "ok", "message": "", "log_id": LOG_ID}}),
    )
    receipt = run_flow(adapter.publish(direct_example_post(url)), server)
    init = server.requests[1]
    assert (init.method, str(init.url)) == (
        "POST",
        "https://open.tiktokapis.com/v2/post/publish/video/init/",
    )
    assert init.headers["Content-Type"] == "application/json; charset=UTF-8"
    sent = body_of(init)
    assert sent["source_info"] == DIRECT_BODY["source_info"]
    assert DIRECT_BODY["post_info"].items() <= sent["post_info"].items()
    assert set(sent["post_info"]) <= POST_INFO_FIELDS  # nothing undocumented
    puts = server.requests[2:7]
    table = [
        ("bytes 0-9999999/50000123", 10_000_000),
        ("bytes 10000000-19999999/50000123", 10_000_000),
        ("bytes 20000000-29999999/50000123", 10_000_000),
        ("bytes 30000000-39999999/50000123", 10_000_000),
        ("bytes 40000000-50000122/50000123", 10_000_123),
    ]
    for put, (where, length) in zip(puts, table, strict=True):
        assert (put.method, str(put.url)) == ("PUT", INIT_EXAMPLE["data"]["upload_url"])
        assert put.headers["Content-Range"] == where
        assert put.headers["Content-Length"] == str(length)
        assert put.headers["Content-Type"] == "video/mp4"
        assert "authorization" not in put.headers
    assert receipt.platform_ids["publish_id"] == "v_pub_file~v2-1.123456789"


def test_the_creators_disabled_stitch_is_kept_off() -> None:
    Source(CREATOR_INFO, "official repaired")  # stitch_disabled: true in the example
    url = "https://media.example/cat.mp4"
    adapter = TikTokAdapter(access_token=TOKEN, media_loader=InMemoryMediaLoader({url: b"v"}))
    post = direct_example_post(url, disable_stitch=None)
    server = Server(ok(CREATOR_EXAMPLE), ok(INIT_EXAMPLE), httpx.Response(201))
    run_flow(adapter.publish(post), server)
    assert body_of(server.requests[1])["post_info"]["disable_stitch"] is True


@pytest.mark.parametrize(
    ("size", "chunk", "expected"),
    [(50_000_123, 10_000_000, (10_000_000, 5)), (4_194_304, 10_000_000, (4_194_304, 1))],
)
def test_chunk_plans_follow_the_guides_examples(
    size: int, chunk: int, expected: tuple[int, int]
) -> None:
    Source(MEDIA_TRANSFER, "official")  # "Chunk upload" and "Whole upload" source_info
    assert chunk_plan(size, chunk) == expected
    _, last = chunk_ranges(size, *expected)[-1]
    assert last == size - 1


def test_put_example_headers() -> None:
    Source(GET_STARTED, "official")  # PUT with Content-Range: bytes 0-30567099/30567100
    url = "https://media.example/whole.mp4"
    adapter = TikTokAdapter(
        access_token=TOKEN, media_loader=InMemoryMediaLoader({url: bytes(30_567_100)}),
        chunk_size=64_000_000,
    )  # fmt: skip
    server = Server(ok(CREATOR_EXAMPLE), ok(INIT_EXAMPLE), httpx.Response(201))
    run_flow(adapter.publish(direct_example_post(url, disable_stitch=None)), server)
    put = server.requests[2]
    assert put.headers["Content-Range"] == "bytes 0-30567099/30567100"
    assert put.headers["Content-Length"] == "30567100"


# -- direct post, pull from URL; photos; inbox ----------------------------------------------


def test_direct_post_pull_from_url_matches_the_example() -> None:
    Source(GET_STARTED, "official")  # "Example using source=PULL_FROM_URL"
    url = "https://example.verified.domain.com/example_video.mp4"
    adapter = TikTokAdapter(access_token=TOKEN, verified_prefixes=["example.verified.domain.com"])
    answer = {
        "data": {"publish_id": "v_pub_url~v2.123456789"},
        "error": {"code": "ok", "message": "", "log_id": "202210112248442CB9319E1FB30C1073F4"},
    }
    server = Server(ok(creator(stitch_disabled=False)), ok(answer))
    receipt = run_flow(adapter.publish(direct_example_post(url)), server)
    sent = body_of(server.requests[1])
    assert sent["source_info"] == {"source": "PULL_FROM_URL", "video_url": url}
    assert DIRECT_BODY["post_info"].items() <= sent["post_info"].items()
    assert receipt.platform_ids["publish_id"] == "v_pub_url~v2.123456789"


def test_photo_post_matches_the_example() -> None:
    Source(PHOTO_POST, "official")  # "Direct Post" example body and answer
    images = (
        "https://tiktokcdn.com/obj/example-image-01.webp",
        "https://tiktokcdn.com/obj/example-image-02.webp",
    )
    post = PlatformPost(
        platform="tiktok",
        piece_id="cat",
        title="funny cat",
        body="this will be a #funny photomode on your @tiktok #fyp",
        media=tuple(MediaAsset(kind="image", url=u) for u in images),
        extras={
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "disable_comment": True,
            "auto_add_music": True,
            "photo_cover_index": 1,
        },
    )
    answer = {"data": {"publish_id": "p_pub_url~v2.123456789"}, "error": CREATOR_EXAMPLE["error"]}
    server = Server(ok(CREATOR_EXAMPLE), ok(answer))
    run_flow(TikTokAdapter(access_token=TOKEN).publish(post), server)
    init = server.requests[1]
    assert str(init.url) == "https://open.tiktokapis.com/v2/post/publish/content/init/"
    example: dict[str, Any] = {
        "post_info": {
            "title": "funny cat",
            "description": "this will be a #funny photomode on your @tiktok #fyp",
            "disable_comment": True,
            "privacy_level": "PUBLIC_TO_EVERYONE",
            "auto_add_music": True,
        },
        "source_info": {
            "source": "PULL_FROM_URL",
            "photo_cover_index": 1,
            "photo_images": list(images),
        },
        "post_mode": "DIRECT_POST",
        "media_type": "PHOTO",
    }
    sent = body_of(init)
    assert {k: v for k, v in sent.items() if k != "post_info"} == {
        k: v for k, v in example.items() if k != "post_info"
    }
    assert example["post_info"].items() <= sent["post_info"].items()
    assert set(sent["post_info"]) - set(example["post_info"]) == {
        "brand_content_toggle", "brand_organic_toggle",  # in the Post Info field table
    }  # fmt: skip


def test_inbox_upload_matches_the_upload_pages_examples() -> None:
    Source(UPLOAD, "reconstructed")  # the FILE_UPLOAD example has placeholders
    # (exampleVideoSize...): numbers from the field table; the answer is official
    url = "https://media.example/draft.mp4"
    adapter = TikTokAdapter(
        access_token=TOKEN, mode="inbox", media_loader=InMemoryMediaLoader({url: bytes(1000)})
    )
    post = PlatformPost(
        platform="tiktok", piece_id="d", body="", media=(MediaAsset(kind="video", url=url),)
    )
    answer = {
        "data": {
            "publish_id": "v_inbox_file~v2.123456789",
            "upload_url": "https://open-upload.tiktokapis.com/video/?upload_id=12345&upload_token=Xza123",
        },
        "error": CREATOR_EXAMPLE["error"],
    }
    server = Server(ok(answer), httpx.Response(201))
    run_flow(adapter.publish(post), server)
    init = server.requests[0]
    assert str(init.url) == "https://open.tiktokapis.com/v2/post/publish/inbox/video/init/"
    assert body_of(init) == {
        "source_info": {
            "source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1,
        }
    }  # fmt: skip


# -- status ----------------------------------------------------------------------------------


def test_status_fetch_request_and_failed_answer() -> None:
    Source(STATUS, "official")  # the request and the FAILED example answer
    answer = {
        "data": {
            "status": "FAILED",
            "fail_reason": "picture_size_check_failed",
            "publicaly_available_post_id": [],
            "uploaded_bytes": 10000,
        },
        "error": {"code": "ok", "message": "", "log_id": LOG_ID},
    }
    from smmkit.platforms import PublishReceipt

    pending = PublishReceipt(
        platform="tiktok",
        post_id="v_pub_url~v2.123456789",
        platform_ids={"publish_id": "v_pub_url~v2.123456789", "mode": "direct"},
        status="processing",
    )
    server = Server(ok(answer))
    receipt = run_flow(TikTokAdapter(access_token=TOKEN).publish_status(pending), server)
    (request,) = server.requests
    assert str(request.url) == "https://open.tiktokapis.com/v2/post/publish/status/fetch/"
    assert body_of(request) == {"publish_id": "v_pub_url~v2.123456789"}
    assert receipt.status.value == "failed" and receipt.detail == "picture_size_check_failed"


# -- display API -----------------------------------------------------------------------------


def test_video_list_answer_is_read() -> None:
    Source(VIDEO_LIST, "official repaired")  # the answer has a trailing comma after title
    answer = {
        "data": {
            "videos": [
                {
                    "cover_image_url": "https://p16-sign.tiktokcdn-us.com/x.image",
                    "id": "12345123451234512345",
                    "title": "Video Title",
                }
            ],
            "cursor": 1643332803000,
            "has_more": False,
        },
        "error": {"code": "ok", "message": "", "log_id": "20220829194722CBE87ED59D524E727021"},
    }
    post = PlatformPost(
        platform="tiktok",
        piece_id="v",
        body="Video Title",
        media=(MediaAsset(kind="video", url="https://media.example/v.mp4"),),
    )
    server = Server(ok(answer))
    found = run_flow(TikTokAdapter(access_token=TOKEN).find_published(post), server)
    (request,) = server.requests
    assert request.url.path == "/v2/video/list/" and body_of(request) == {"max_count": 20}
    assert request.url.params["fields"].split(",")[:2] == ["id", "title"]
    assert found is not None and found.post_id == "12345123451234512345"


def test_video_query_request_and_answer() -> None:
    Source(VIDEO_QUERY, "official")  # filters.video_ids body; fields in the query
    request = next(TikTokAdapter(access_token=TOKEN).metrics("1234123412345678567"))
    assert isinstance(request, httpx.Request)
    assert request.url.path == "/v2/video/query/"
    assert body_of(request) == {"filters": {"video_ids": ["1234123412345678567"]}}
    assert set(request.url.params["fields"].split(",")) <= {
        "id", "create_time", "cover_image_url", "share_url", "video_description", "duration",
        "height", "width", "title", "embed_html", "embed_link", "like_count", "comment_count",
        "share_count", "view_count",
    }  # fmt: skip
    listed = [{"title": "Video 1", "id": "1234123412345678567"}]
    assert WireVideo.read(listed[0]).id == "1234123412345678567"


# -- errors and limits -------------------------------------------------------------------------


def answer(status: int, code: str, message: str = "") -> httpx.Response:
    request = httpx.Request("POST", "https://open.tiktokapis.com/v2/post/publish/video/init/")
    body = {"data": {}, "error": {"code": code, "message": message, "log_id": LOG_ID}}
    return httpx.Response(status, json=body, request=request)


def test_error_example_is_read() -> None:
    Source(ERRORS, "reconstructed")  # the page shows the error object alone; answers
    # carry it under "error" beside "data" (every endpoint's response table)
    info = TikTokAdapter(access_token=TOKEN).parse_error(
        answer(401, "access_token_invalid", "Access token is invalid, please refresh token")
    )
    assert info is not None and info.kind is AuthenticationError
    assert info.code == "access_token_invalid"


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (200, "spam_risk_too_many_posts", RateLimitError),  # creator_info: "200 (intentional)"
        (403, "privacy_level_option_mismatch", BadRequestError),
        (403, "url_ownership_unverified", PermissionDeniedError),
        (403, "unaudited_client_can_only_post_to_private_accounts", PermissionDeniedError),
        (401, "scope_not_authorized", PermissionDeniedError),
        (429, "rate_limit_exceeded", RateLimitError),
        (400, "invalid_param", BadRequestError),
    ],
)
def test_documented_error_codes_are_typed(status: int, code: str, kind: type[Exception]) -> None:
    Source(DIRECT_POST, "official")  # the error code tables of Direct Post and creator_info
    info = TikTokAdapter(access_token=TOKEN).parse_error(answer(status, code))
    assert info is not None and info.kind is kind and info.code == code
    assert TikTokAdapter(access_token=TOKEN).parse_error(answer(200, "ok")) is None


def test_rate_limits_are_the_documented_ones() -> None:
    Source(DIRECT_POST, "official")  # "Each user access_token is limited to 6 requests per minute"
    Source(CREATOR_INFO, "official")  # 20 per minute
    Source(STATUS, "official")  # 30 per minute
    Source(RATE_LIMITS, "official")  # /v2/video/list/ and /v2/video/query/: 600 a minute
    rates = TikTokAdapter(access_token=TOKEN).default_rates()
    assert rates == {
        "init": RequestRate(limit=6, per_seconds=60),
        "creator_info": RequestRate(limit=20, per_seconds=60),
        "status": RequestRate(limit=30, per_seconds=60),
        "video_list": RequestRate(limit=600, per_seconds=60),
        "video_query": RequestRate(limit=600, per_seconds=60),
    }
