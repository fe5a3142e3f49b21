"""Douyin adapter: a fake open.douyin.com built from the SDK's operations, both drivers.

The fake follows ``@open-dy/open_api_sdk`` 1.1.0 (paths, methods, field names) and the
documented answer shape ``{"data": {..., "error_code", "description"}, "extra":
{"logid"}}`` in HTTP 200. Tokens: access 15 days, refresh 30 days, a refresh token may
be renewed 5 times (then 10020). Creates are counted on the fake's side.
"""

from __future__ import annotations

import itertools
import json
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from smmkit.exceptions import InvalidInputError, PermissionDeniedError, RateLimitError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import DouyinExtras, extras_model_for
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RetryPolicy,
    SimulatedClock,
    Token,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.douyin import DouyinAdapter, DouyinReauthorizeError, DouyinShareHandoff
from smmkit.testing import (
    SENTINEL_SECRET,
    AdapterConformance,
    FakePlatform,
    FaultInjectingTransport,
    RecordingTransport,
    client_for,
    drive,
)

OPEN_ID = "ou-brand-1"
CLIP = "https://cdn.example/brew.mp4"
BIG = "https://cdn.example/long.mp4"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"v" * 1000
LONG = bytes(range(256)) * (11 * 1024 * 1024 // 256 + 7)  # ~11 MB: three 5 MB parts
MEDIA = InMemoryMediaLoader({CLIP: VIDEO, BIG: LONG})
ALL_SCOPES = "user_info,video.create.bind,video.list.bind,video.data.bind,item.comment"


def _ok(data: dict[str, Any]) -> httpx.Response:
    data = {"error_code": 0, "description": "", **data}
    return httpx.Response(200, json={"data": data, "extra": {"error_code": 0, "logid": "L0"}})


def _err(code: int, text: str) -> httpx.Response:
    body = {
        "data": {"error_code": code, "description": text},
        "extra": {"error_code": code, "description": text, "logid": f"log-{code}"},
    }
    return httpx.Response(200, json=body)


def _video_part(request: httpx.Request) -> bytes:
    body = request.content
    start = body.index(b"\r\n\r\n") + 4
    end = body.rindex(b"\r\n--")
    assert b'name="video"' in body[:start]
    return body[start:end]


class FakeDouyin(FakePlatform):
    """Tokens, uploads, posts, video data and comments of open.douyin.com."""

    def __init__(
        self, *, client_id: str = "ck", client_secret: str = "cs", clock: SimulatedClock
    ) -> None:
        self.client_id, self.client_secret, self.clock = client_id, client_secret, clock
        self.ids = itertools.count(1)
        self.refresh_tokens: dict[str, float] = {"rft.seed": clock.time() + 30 * 86400}
        self.renewals = 0
        self.access: dict[str, float] = {}
        self.scope = ALL_SCOPES
        self.uploads: dict[str, bytes] = {}
        self.parts: dict[str, dict[int, bytes]] = {}
        self.items: list[dict[str, Any]] = []
        self.creates = 0
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.throttle_next = 0

    def _form(self, request: httpx.Request) -> dict[str, str]:
        return dict(parse_qsl(request.content.decode()))

    def answer(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "open.douyin.com"
        path, now = request.url.path, self.clock.time()
        if path == "/oauth/renew_refresh_token/":
            form = self._form(request)
            assert set(form) == {"client_key", "refresh_token"}
            if self.refresh_tokens.get(form["refresh_token"], 0) <= now:
                return _err(10010, "refresh_token 过期")
            if self.renewals >= 5:
                return _err(10020, "超过刷新次数限制")
            self.renewals += 1
            del self.refresh_tokens[form["refresh_token"]]
            fresh = f"rft.{next(self.ids)}"
            self.refresh_tokens[fresh] = now + 30 * 86400
            return _ok({"refresh_token": fresh, "expires_in": 30 * 86400})
        if path == "/oauth/refresh_token/":
            form = self._form(request)
            assert set(form) == {"client_key", "grant_type", "refresh_token"}
            left = self.refresh_tokens.get(form["refresh_token"], 0) - now
            if left <= 0:
                return _err(10010, "refresh_token 过期")
            token = f"act.{next(self.ids)}"
            self.access[token] = now + 15 * 86400
            return _ok(
                {
                    "access_token": token,
                    "expires_in": 15 * 86400,
                    "open_id": OPEN_ID,
                    "refresh_token": form["refresh_token"],
                    "refresh_expires_in": left,
                    "scope": self.scope,
                }
            )
        if path == "/oauth/client_token/":
            body = json.loads(request.content)
            assert body["client_secret"] == self.client_secret
            return _ok({"access_token": "clt.1", "expires_in": 7200})
        if path == "/open/getticket/":
            assert request.headers["access-token"] == "clt.1"
            return _ok({"ticket": "tkt-1", "expires_in": 7200})
        if path == "/share-id/":
            assert request.headers["access-token"] == "clt.1"
            return _ok({"share_id": "7001"})
        if self.access.get(request.headers.get("access-token", ""), 0) <= now:
            return _err(2190008, "access_token过期,请刷新或重新授权")
        assert request.url.params["open_id"] == OPEN_ID
        if self.throttle_next:
            self.throttle_next -= 1
            return _err(2118110, "请求过于频繁")
        return self._api(request, path, now)

    def _api(self, request: httpx.Request, path: str, now: float) -> httpx.Response:
        params = request.url.params
        if path == "/api/douyin/v1/video/upload_video/":
            video_id = f"v{next(self.ids)}"
            self.uploads[video_id] = _video_part(request)
            return _ok({"video": {"video_id": video_id, "width": 1080, "height": 1920}})
        if path == "/api/douyin/v1/video/init_video_part_upload/":
            upload_id = f"up{next(self.ids)}"
            self.parts[upload_id] = {}
            return _ok({"upload_id": upload_id})
        if path == "/api/douyin/v1/video/upload_video_part/":
            self.parts[params["upload_id"]][int(params["part_number"])] = _video_part(request)
            return _ok({})
        if path == "/api/douyin/v1/video/complete_video_part_upload/":
            parts = self.parts[params["upload_id"]]
            assert all(len(p) >= 5 * 1024 * 1024 for n, p in parts.items() if n < len(parts))
            video_id = f"v{next(self.ids)}"
            self.uploads[video_id] = b"".join(parts[n] for n in sorted(parts))
            return _ok({"video": {"video_id": video_id}})
        if path == "/api/douyin/v1/video/create_video/":
            body = json.loads(request.content)
            if body["video_id"] not in self.uploads:
                return _err(2100005, "参数不合法")
            self.creates += 1
            item = {
                "item_id": f"@it{next(self.ids)}",
                "video_id": body["video_id"],
                "title": body["text"],
                "create_time": int(now),
                "body": body,
                "statistics": {
                    "play_count": 120,
                    "digg_count": 9,
                    "comment_count": 2,
                    "share_count": 1,
                    "download_count": 0,
                    "forward_count": 1,
                },
            }
            self.items.insert(0, item)
            return _ok({"item_id": item["item_id"], "video_id": body["video_id"]})
        if path == "/api/douyin/v1/video/video_list/":
            count = int(params["count"])
            return _ok({"list": self.items[:count], "has_more": False, "cursor": 0})
        if path == "/api/douyin/v1/video/video_data/":
            wanted = json.loads(request.content)["item_ids"]
            return _ok({"list": [i for i in self.items if i["item_id"] in wanted]})
        if path == "/item/comment/list/":
            return _ok({"list": self.comments.get(params["item_id"], []), "has_more": False})
        if path == "/item/comment/reply/list/":
            return _ok({"list": self.replies.get(params["comment_id"], []), "has_more": False})
        if path == "/item/comment/reply/":
            body = json.loads(request.content)
            new = {
                "comment_id": f"c{next(self.ids)}",
                "content": body["content"],
                "comment_user_id": OPEN_ID,
                "create_time": int(now),
            }
            parent = body.get("comment_id")
            if parent:
                self.replies.setdefault(parent, []).append(new)
            else:
                self.comments.setdefault(body["item_id"], []).append(new)
            return _ok({"comment_id": new["comment_id"]})
        return httpx.Response(404, json={"data": {"error_code": 404, "description": "no"}})


def publish_one(item: PlatformPost, client: Any) -> Any:
    return client.publish(item)


def creds(secret: str = "cs") -> Credentials:
    return Credentials(
        client_id="ck", client_secret=secret, refresh_token="rft.seed", account=OPEN_ID
    )


def adapter(**kw: Any) -> DouyinAdapter:
    options: dict[str, Any] = {"credentials": creds(), "media_loader": MEDIA, **kw}
    return DouyinAdapter(**options)


def post(body: str = "三分钟冷泡茶 #夏天", url: str = CLIP, **extras: Any) -> PlatformPost:
    return PlatformPost(
        platform="douyin",
        piece_id="p1",
        body=body,
        media=(MediaAsset(kind="video", url=url),),
        extras=extras,
    )


@pytest.fixture
def server() -> FakeDouyin:
    return FakeDouyin(clock=SimulatedClock())


def make(kind: str, server: FakeDouyin, transport: Any = None, **kw: Any) -> Any:
    chosen = kw.pop("adapter", None) or adapter()
    options: dict[str, Any] = {"clock": server.clock, "token_store": InMemoryTokenStore()}
    options.update(kw)
    return client_for(kind, chosen, transport or server, **options)


class TestDouyinConformance(AdapterConformance, adapter=DouyinAdapter, platform=FakeDouyin):
    def make_adapter(self) -> DouyinAdapter:
        return DouyinAdapter(
            credentials=Credentials(
                client_id="conformance-app",
                client_secret=SENTINEL_SECRET,
                refresh_token="rft.seed",
                account=OPEN_ID,
            ),
            media_loader=MEDIA,
        )

    def sample_post(self) -> PlatformPost:
        return post()


def test_registered_with_its_extras() -> None:
    # The entry point a packaged install declares:
    #   douyin = "smmkit.platforms.douyin:DouyinAdapter"
    register_platform("douyin", DouyinAdapter, clobber=True)
    assert "douyin" in available_platforms()
    assert get_platform("douyin") is DouyinAdapter
    assert extras_model_for("douyin") is DouyinExtras


def test_publish_uploads_then_creates_with_extras(kind: str, server: FakeDouyin) -> None:
    extras: dict[str, Any] = {
        "poi_id": "6601136",
        "micro_app_id": "tt01",
        "micro_app_title": "店",
        "micro_app_url": "pages/i",
        "private_status": 1,
        "at_users": ["ou-2"],
    }
    result = drive(kind, make(kind, server), lambda c: c.publish(post(**extras)))
    assert result.ok, result.error
    (item,) = server.items
    assert result.receipt.post_id == item["item_id"] and server.creates == 1
    assert server.uploads[item["video_id"]] == VIDEO
    sent = item["body"]
    assert sent["text"] == "三分钟冷泡茶 #夏天" and sent["poi_id"] == "6601136"
    assert sent["micro_app_title"] == "店" and sent["at_users"] == ["ou-2"]


def test_large_video_goes_in_parts(kind: str, server: FakeDouyin) -> None:
    client = make(
        kind, server, adapter=adapter(single_upload_max=1024 * 1024, part_bytes=5 * 1024 * 1024)
    )
    result = drive(kind, client, lambda c: c.publish(post(url=BIG)))
    assert result.ok, result.error
    (upload_id,) = server.parts
    assert sorted(server.parts[upload_id]) == [1, 2, 3]
    assert server.uploads[server.items[0]["video_id"]] == LONG


@pytest.mark.parametrize("lost", ["create", "upload"])
def test_lost_answer_never_posts_twice(kind: str, server: FakeDouyin, lost: str) -> None:
    # request 0,1: renew + refresh; 2: upload; 3: create
    target = 3 if lost == "create" else 2
    plan: list[Any] = [None] * target + ["timeout"]
    faulty = FaultInjectingTransport(server, plan, after_commit=True)  # the server acted
    faulty_kwargs: dict[str, Any] = {"retry": RetryPolicy(max_attempts=4)}
    result = drive(
        kind, make(kind, server, transport=faulty, **faulty_kwargs), lambda c: c.publish(post())
    )
    assert result.ok, result.error
    assert server.creates == 1 and len(server.items) == 1
    assert result.receipt.post_id == server.items[0]["item_id"]
    assert len(server.uploads) == (2 if lost == "upload" else 1)  # an unused upload, no post


def test_refresh_token_renewal_is_tracked_and_limited(kind: str, server: FakeDouyin) -> None:
    store = InMemoryTokenStore()
    client = make(kind, server, token_store=store)
    for day in range(7):
        item = post(f"第{day}天")
        result = drive(kind, client, partial(publish_one, item))
        assert result.ok, result.error
        token = store.get(f"douyin:{OPEN_ID}")
        assert token is not None and token.refresh_renewals == min(day + 1, 5)
        server.clock.advance(16 * 86400)  # the access token has expired
        if day >= 4:
            break
    assert server.renewals == 5
    server.clock.advance(31 * 86400)  # the last refresh token runs out too
    failed = drive(kind, client, lambda c: c.publish(post("再来")))
    assert isinstance(failed.exception, DouyinReauthorizeError)
    assert "authorised again" in str(failed.exception)


def test_missing_scope_is_refused_before_sending(server: FakeDouyin) -> None:
    recording = RecordingTransport(server)
    client = make(
        "sync", server, transport=recording, adapter=adapter(scopes="user_info,video.data.bind")
    )
    result = client.publish(post())
    assert isinstance(result.exception, PermissionDeniedError)
    assert "share_handoff" in str(result.exception)
    with pytest.raises(PermissionDeniedError):
        client.comments("@it1")
    assert recording.requests == []


def test_errors_carry_code_and_logid(server: FakeDouyin) -> None:
    server.throttle_next = 10
    client = make("sync", server, retry=RetryPolicy.none())
    result = client.publish(post())
    assert isinstance(result.exception, RateLimitError)
    assert result.exception.code == 2118110 and result.exception.request_id == "log-2118110"


def test_metrics_comments_and_replies(kind: str, server: FakeDouyin) -> None:
    client = make(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    numbers = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))}
    assert numbers["views"] == 120 and numbers["likes"] == 9 and numbers["interactions"] == 12
    top = drive(kind, client, lambda c: c.reply(receipt.post_id, receipt.post_id, "来试试"))
    server.comments[receipt.post_id][0]["reply_comment_total"] = 1
    answer = drive(kind, client, lambda c: c.reply(receipt.post_id, top.id, "谢谢"))
    found = drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert [(c.id, c.in_reply_to) for c in found] == [
        (top.id, receipt.post_id),
        (answer.id, top.id),
    ]


def test_share_handoff_is_not_a_post(kind: str, server: FakeDouyin) -> None:
    client = make(kind, server, adapter=adapter(scopes="user_info"))
    flow = client.adapter.share_handoff(post(), hashtags=["夏天"], nonce="n1")
    handoff = drive(kind, client, lambda c: c.run(flow, authenticated=False))
    assert isinstance(handoff, DouyinShareHandoff) and handoff.published is False
    assert handoff.share_id == "7001" and server.creates == 0
    assert handoff.schema_url.startswith("snssdk1128://openplatform/share?client_key=ck")
    assert "state=7001" in handoff.schema_url and "share_type=h5" in handoff.schema_url


def test_text_only_post_and_bad_input_are_typed() -> None:
    bare = PlatformPost(platform="douyin", piece_id="p", body="只有文字")
    with pytest.raises(InvalidInputError) as caught:
        next(adapter().publish(bare))
    assert caught.value.fields == ("media",)
    with pytest.raises(InvalidInputError):
        DouyinAdapter(access_token="act.1")  # no open_id
    with pytest.raises(InvalidInputError):
        adapter(part_bytes=1024)


def test_token_record_keeps_renewals() -> None:
    from smmkit.platforms._auth import token_record

    token = Token(access_token="a", refresh_token="r", refresh_renewals=2)
    assert Token.model_validate(token_record(token)).refresh_renewals == 2
    assert "refresh_renewals" not in token_record(Token(access_token="a"))
