"""The Bilibili client against the open platform's own request and response examples.

Bilibili publishes no machine-readable contract. The official pages
(openhome.bilibili.com/doc/4/…, also open.bilibili.com/doc/4/…) render the apifox
project 1106400; each example below is copied from the page named beside it (read
2026-12-07). Where a page gives a field table but no example, the test says so and the
example is **reconstructed** from the table.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, RateLimitError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import Credentials, InMemoryMediaLoader, Token, oauth
from smmkit.platforms._adapter import RECEIVED_AT
from smmkit.platforms._bilibili_wire import WireArchive, archive_state, sign, stat_counts
from smmkit.platforms.bilibili import BilibiliAdapter
from smmkit.testing import run_flow

PAGES = "https://apifox.com/apidoc/docs-site/1106400/"
SIGNATURE = "https://open.bilibili.com/doc/4/8673959e-f7bb-56e6-6e68-d225f971b81b"
NOW = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)


def envelope(data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": 0, "message": "0", "ttl": 1}
    if data is not None:
        body["data"] = data
    return body


def test_signature_string_follows_the_standard() -> None:
    """The string to sign (SIGNATURE page, 签名机制 step 1, and the demo repository
    bilibili-openplatform/SignatureAlgorithm_DotnetDemo README): the x-bili- headers
    sorted, ``key:value`` joined by newlines, HMAC-SHA256 with the app secret."""
    headers = sign(
        client_id="xxxx",
        client_secret="app-secret",
        access_token="t",
        body=b"",
        timestamp=1624594467,
        nonce="ad184c09-095f-91c3-0849-230dd3744045",
    )
    text = (
        "x-bili-accesskeyid:xxxx\n"
        "x-bili-content-md5:d41d8cd98f00b204e9800998ecf8427e\n"
        "x-bili-signature-method:HMAC-SHA256\n"
        "x-bili-signature-nonce:ad184c09-095f-91c3-0849-230dd3744045\n"
        "x-bili-signature-version:2.0\n"
        "x-bili-timestamp:1624594467"
    )
    want = hmac.new(b"app-secret", text.encode(), hashlib.sha256).hexdigest()
    assert headers["Authorization"] == want
    assert headers["access-token"] == "t" and headers["Accept"] == "application/json"


def test_token_exchange_example() -> None:
    """通过授权码获取access_token (PAGES + "api-23688085"): POST
    /x/account-oauth2/v1/token with client_id, client_secret, grant_type, code; the
    answer's example (``expires_in`` 1630220614 is the expiry as epoch seconds)."""
    sent: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200,
            json=envelope(
                {
                    "access_token": "d30bedaa4d8eb3128cf35ddc1030e27d",
                    "expires_in": 1630220614,
                    "refresh_token": "WxFDKwqScZIQDm4iWmKDvetyFugM6HkX",
                    "scopes": ["USER_INFO", "ATC_DATA", "ATC_BASE"],
                }
            ),
        )

    app = oauth.OAuthClient(client_id="395c8275dd674f17", client_secret="app-secret")
    token = run_flow(
        oauth.exchange_code(
            oauth.BILIBILI, client=app, code="c-1", redirect_uri="https://app.example/cb"
        ),
        server,
        now=datetime(2021, 8, 1, tzinfo=timezone.utc),
    )
    (request,) = sent
    assert str(request.url) == "https://api.bilibili.com/x/account-oauth2/v1/token"
    form = dict(x.split("=") for x in request.content.decode().split("&"))
    assert form == {
        "grant_type": "authorization_code",
        "code": "c-1",
        "client_id": "395c8275dd674f17",
        "client_secret": "app-secret",
    }
    assert token.expires_at == datetime.fromtimestamp(1630220614, timezone.utc)
    assert token.scopes == ("USER_INFO", "ATC_DATA", "ATC_BASE")


def test_refresh_example_and_oauth_errors() -> None:
    """通过刷新令牌续期access_token (PAGES + "api-23689934"); error 122007 from 状态码
    (PAGES + "doc-895951")."""
    app = oauth.OAuthClient(client_id="cid", client_secret="app-secret")

    def refused(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/x/account-oauth2/v1/refresh_token"
        return httpx.Response(200, json={"code": 122007, "message": "refreshToken不合法", "ttl": 1})

    with pytest.raises(AuthenticationError) as caught:
        run_flow(oauth.refresh(oauth.BILIBILI, client=app, refresh_token="rt-1"), refused, now=NOW)
    assert caught.value.code == 122007


def adapter() -> BilibiliAdapter:
    loader = InMemoryMediaLoader({"https://m.example/v.mp4": b"0123456789"})
    return BilibiliAdapter(
        credentials=Credentials(client_id="cid", client_secret="s"),
        access_token="t",
        media_loader=loader,
    )


def test_submission_requests_match_the_examples() -> None:
    """文件上传预处理 (api-23693239): body ``{"name", "utype"}``, answer
    ``data.upload_token``; 文件分片上传 (api-23701336): ``upload_token`` and
    ``part_number`` in the query, answer ``{"code": 0, "message": "0"}``; 文件分片合片
    (api-23703677): ``upload_token`` in the query; 视频稿件提交 (api-23706538): body
    with title, cover, tid, no_reprint, desc, tag, copyright (field table; the page's
    body example is **reconstructed** from that table), answer ``data.resource_id``."""
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/video/init"):
            return httpx.Response(
                200, json=envelope({"upload_token": "d30bedaa4d8eb3128cf35ddc1030e27d"})
            )
        if path.endswith("/part/upload"):
            return httpx.Response(200, json={"code": 0, "message": "0"})
        if path.endswith("/add-by-utoken"):
            return httpx.Response(200, json=envelope({"resource_id": "BV17B4y1s7R1"}))
        return httpx.Response(200, json=envelope())

    post = PlatformPost(
        platform="bilibili",
        piece_id="p",
        title="openplat测试稿件",
        body="简介",
        media=(MediaAsset(kind="video", url="https://m.example/v.mp4"),),
        extras={
            "tid": 230,
            "tags": ["生活记录"],
            "no_reprint": True,
            "cover": "https://archive.biliimg.com/bfs/archive/c.jpg",
        },
    )
    receipt = run_flow(adapter().publish(post, idempotency_key="k"), _received(server), now=NOW)
    init, part, complete, submit = seen
    assert json.loads(init.content) == {"name": "v.mp4", "utype": "0"}
    assert part.url.host == "openupos.bilivideo.com" and part.url.path == "/video/v2/part/upload"
    assert part.url.params["part_number"] == "1" and part.content == b"0123456789"
    assert complete.url.params["upload_token"] == "d30bedaa4d8eb3128cf35ddc1030e27d"
    assert submit.url.params["upload_token"] == "d30bedaa4d8eb3128cf35ddc1030e27d"
    assert json.loads(submit.content) == {
        "title": "openplat测试稿件",
        "tid": 230,
        "tag": "生活记录",
        "desc": "简介",
        "copyright": 1,
        "no_reprint": 1,
        "cover": "https://archive.biliimg.com/bfs/archive/c.jpg",
    }
    assert receipt.post_id == "BV17B4y1s7R1" and receipt.status.value == "pending"


def _received(handler: Any) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        response: httpx.Response = handler(request)
        response.extensions = {RECEIVED_AT: NOW.timestamp()}
        return response

    return answer


def test_archive_view_and_viewlist_examples() -> None:
    """查询单一视频稿件详情 (api-23723558; openhome doc d9554788-…) and 查询用户视频稿件
    列表 (api-23727647; a24030b7-…): the examples' fields, ``addit_info.state`` 0 open.
    The pages elide the rest of the example; the remainder is **reconstructed** from
    their field tables (addit_info, video_info.share_url)."""
    item = {
        "resource_id": "BV1****1b7pv",
        "title": "测试稿件1",
        "cover": "http://i0.hdslb.com/bfs/archive/86cfbadbcefc9d.jpg",
        "tid": 230,
        "no_reprint": 1,
        "desc": "",
        "tag": "生活记录",
        "copyright": 1,
        "ctime": 1729154751,
        "ptime": 1729154822,
        "addit_info": {"state": 0, "state_desc": "开放浏览", "reject_reason": ""},
        "video_info": {
            "cid": 26300318231,
            "duration": 5,
            "filename": "n241017sa",
            "share_url": "https://www.bilibili.com/video/BV1MW421X7gM?share_source=open_plat",
        },
    }
    archive = WireArchive.model_validate(item)
    assert archive_state(archive) == "published"
    assert archive.url.endswith("share_source=open_plat")
    assert (
        archive_state(
            WireArchive.model_validate(
                {**item, "addit_info": {"state": -2, "reject_reason": "标题违规"}}
            )
        )
        == "rejected"
    )


def test_arc_stat_example() -> None:
    """获取单个稿件数据 (api-23908635): the example's numbers in the metric vocabulary."""
    counts = stat_counts(
        {
            "view": 198,
            "danmaku": 166,
            "reply": 11,
            "favorite": 36,
            "coin": 8,
            "share": 79,
            "like": 135,
        }
    )
    assert counts["views"] == 198 and counts["interactions"] == 435


@pytest.mark.parametrize(
    ("code", "kind"), [(127009, RateLimitError), (127001, AuthenticationError)]
)
def test_status_codes_page(code: int, kind: type[Exception]) -> None:
    """状态码 (PAGES + "doc-895951"): 127009 "api请求次数达到上限", 127001
    "access_token验证错误" (the token itself: refreshed when the adapter can)."""
    request = httpx.Request("GET", "https://member.bilibili.com/arcopen/fn/archive/view")
    response = httpx.Response(
        200,
        request=request,
        extensions={RECEIVED_AT: NOW.timestamp()},
        json={"code": code, "message": "x", "ttl": 1},
    )
    info = adapter().parse_error(response)
    assert info is not None and issubclass(info.kind, kind)
    _ = Token  # the token type the adapter signs with
