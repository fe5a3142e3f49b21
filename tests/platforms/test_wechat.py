"""WeChat Official Account adapter on a transport built from the official API docs.

Shapes follow developers.weixin.qq.com: every answer is HTTP 200 and failures carry
``errcode``/``errmsg`` (40001 token not latest, 42001 token expired, 45009 daily quota,
45011 minute quota, 45015 outside the 48-hour window, 48001 API unauthorised, -1 busy);
``stable_token`` returns the current token in normal mode and a new one with
``force_refresh``; ``freepublish/submit`` only accepts the task and ``freepublish/get``
reports ``publish_status`` 1 (publishing), 0 (done, with ``article_id``) or 2–6.
Every scenario runs on both drivers.
"""

from __future__ import annotations

import base64
import itertools
import json
from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    OutsideWindowError,
    PermissionDeniedError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    PublishReceipt,
    PublishStatus,
    SimulatedClock,
)
from smmkit.platforms.wechat import (
    WeChatOfficialAccountAdapter,
    receipt_from_event,
    split_post_id,
)
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, FakePlatform, client_for, drive
from smmkit.webhooks import parse_message

APPID = "wx1234567890abcdef"
SECRET = "app-secret-value"
PNG = "https://media.example/cover.png"
# Media bytes come through an explicit loader: the default one downloads the URL
# (tests/platforms/test_media_loading.py covers that path).
MEDIA = InMemoryMediaLoader({PNG: base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB")})


def ok(**fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", **fields})


def fail(code: int, message: str) -> httpx.Response:
    return httpx.Response(200, json={"errcode": code, "errmsg": message})


class FakeWeChat(FakePlatform):
    """api.weixin.qq.com for one Official Account."""

    def __init__(
        self,
        *,
        client_id: str = APPID,
        client_secret: str = SECRET,
        clock: SimulatedClock | None = None,
        publish_polls: int = 2,
        final_status: int = 0,
    ) -> None:
        self.appid, self.secret = client_id, client_secret
        self.clock = clock or SimulatedClock()
        self.publish_polls = publish_polls
        self.final_status = final_status
        self.token: str | None = None
        self.token_expires = 0.0
        self.token_fetches: list[bool] = []  # force_refresh of each fetch
        self.seen: list[str] = []
        self.faults: list[tuple[str, int, str]] = []  # (path, errcode, errmsg), consumed
        self.window_open: set[str] = {"o_in_window"}
        self.materials: dict[str, bytes] = {"MAT_COVER": b"uploaded earlier"}
        self.drafts: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.articles: dict[str, dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []
        self.replies: dict[int, str] = {}
        self.deleted_comments: list[int] = []
        self._n = itertools.count(1)

    def expire_token(self) -> None:
        self.token_expires = self.clock.time() - 1

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        if path == "/cgi-bin/stable_token":
            return self._stable_token(json.loads(request.content))
        given = request.url.params.get("access_token")
        if given is None:
            return fail(41001, "access_token missing")
        if given != self.token:
            return fail(40001, "invalid credential, access_token is invalid or not latest")
        if self.clock.time() >= self.token_expires:
            return fail(42001, "access_token expired")
        for index, (fault_path, code, message) in enumerate(self.faults):
            if fault_path == path:
                del self.faults[index]
                return fail(code, message)
        body = json.loads(request.content) if request.content.startswith(b"{") else {}
        handler = getattr(self, "_" + path.strip("/").replace("/", "_").replace("-", "_"), None)
        if handler is None:
            return fail(48001, "api unauthorized")
        response: httpx.Response = handler(request, body)
        return response

    def _stable_token(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("grant_type") != "client_credential" or body.get("appid") != self.appid:
            return fail(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return fail(40125, "invalid appsecret")
        force = bool(body.get("force_refresh"))
        self.token_fetches.append(force)
        now = self.clock.time()
        if force or self.token is None or now >= self.token_expires:
            self.token = f"tok-{next(self._n)}-{'x' * 20}"
            self.token_expires = now + 7200
        return httpx.Response(
            200, json={"access_token": self.token, "expires_in": int(self.token_expires - now)}
        )

    # -- material ------------------------------------------------------------------------
    def _cgi_bin_material_add_material(self, request: httpx.Request, _: Any) -> httpx.Response:
        assert request.url.params["type"] == "image"
        assert b'name="media"' in request.content
        media_id = f"MAT_{next(self._n)}"
        self.materials[media_id] = request.content
        return httpx.Response(
            200, json={"media_id": media_id, "url": f"http://mmbiz.qpic.cn/{media_id}"}
        )

    def _cgi_bin_media_uploadimg(self, request: httpx.Request, _: Any) -> httpx.Response:
        return httpx.Response(200, json={"url": f"http://mmbiz.qpic.cn/inline/{next(self._n)}"})

    # -- publishing --------------------------------------------------------------------
    def _cgi_bin_draft_add(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        (article,) = body["articles"]
        if len(article["title"]) > 32:
            return fail(45003, "title size out of limit")
        if article["thumb_media_id"] not in self.materials:
            return fail(40007, "invalid media_id")
        media_id = f"DRAFT_{next(self._n)}"
        self.drafts[media_id] = article
        return httpx.Response(200, json={"media_id": media_id})

    def _cgi_bin_freepublish_submit(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if body["media_id"] not in self.drafts:
            return fail(40007, "invalid media_id")
        publish_id = str(100000000 + next(self._n))
        self.jobs[publish_id] = {"draft": body["media_id"], "polls": self.publish_polls}
        return ok(publish_id=publish_id, msg_data_id=2247483650)

    def _cgi_bin_freepublish_get(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        job = self.jobs[body["publish_id"]]
        if job["polls"] > 0:
            job["polls"] -= 1
            return ok(publish_id=body["publish_id"], publish_status=1)
        if self.final_status != 0:
            return ok(publish_id=body["publish_id"], publish_status=self.final_status, fail_idx=[1])
        article_id = job.setdefault("article_id", f"ART_{body['publish_id']}")
        self.articles[article_id] = self.drafts[job["draft"]]
        return ok(
            publish_id=body["publish_id"],
            publish_status=0,
            article_id=article_id,
            article_detail={
                "count": 1,
                "item": [{"idx": 1, "article_url": f"https://mp.weixin.qq.com/s/{article_id}"}],
            },
            fail_idx=[],
        )

    def _cgi_bin_freepublish_delete(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if self.articles.pop(body["article_id"], None) is None:
            return fail(53600, "article_id invalid")
        return ok()

    def _cgi_bin_freepublish_getarticle(
        self, _: httpx.Request, body: dict[str, Any]
    ) -> httpx.Response:
        article = self.articles.get(body["article_id"])
        if article is None:
            return fail(53600, "article_id invalid")
        return httpx.Response(200, json={"news_item": [article]})

    # -- comments and messages -------------------------------------------------------------
    def _cgi_bin_comment_list(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        assert body["msg_data_id"] == "2247483650" and body["count"] < 50
        comments = [
            {
                "user_comment_id": n,
                "openid": f"o_user{n}",
                "create_time": 1767225600 + n,
                "content": f"comment {n}",
                "comment_type": 0,
                **(
                    {"reply": {"content": self.replies[n], "create_time": 1767229200}}
                    if n in self.replies
                    else {}
                ),
            }
            for n in (1, 2, 3)
            if n not in self.deleted_comments
        ]
        begin = body["begin"]
        return ok(total=len(comments), comment=comments[begin : begin + 2])

    def _cgi_bin_comment_reply_add(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        self.replies[body["user_comment_id"]] = body["content"]
        return ok()

    def _cgi_bin_comment_reply_delete(
        self, _: httpx.Request, body: dict[str, Any]
    ) -> httpx.Response:
        self.replies.pop(body["user_comment_id"], None)
        return ok()

    def _cgi_bin_comment_delete(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        self.deleted_comments.append(body["user_comment_id"])
        return ok()

    def _cgi_bin_message_custom_send(
        self, _: httpx.Request, body: dict[str, Any]
    ) -> httpx.Response:
        if body["touser"] not in self.window_open:
            return fail(45015, "response out of time limit or subscription is canceled")
        self.messages.append(body)
        return ok()

    def _datacube_getarticlesummary(self, _: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        day = body["begin_date"]
        row = {
            "ref_date": day,
            "title": "t",
            "int_page_read_user": 80,
            "int_page_read_count": 120,
            "ori_page_read_user": 5,
            "ori_page_read_count": 6,
            "share_user": 7,
            "share_count": 9,
            "add_to_fav_user": 3,
            "add_to_fav_count": 4,
        }
        rows = [
            {**row, "msgid": "2247483650_1"},
            {**row, "msgid": "999_1", "int_page_read_count": 1},
        ]
        return httpx.Response(200, json={"list": rows})


def make_adapter(**options: Any) -> WeChatOfficialAccountAdapter:
    creds = Credentials(client_id=APPID, client_secret=options.pop("secret", SECRET))
    options.setdefault("media_loader", MEDIA)
    return WeChatOfficialAccountAdapter(credentials=creds, **options)


def make_client(kind: str, server: FakeWeChat, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or make_adapter()
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeWeChat:
    return FakeWeChat(clock=SimulatedClock())


def article(
    body: str = "下午三点，给自己泡一杯。\n\n冷泡茶更清爽。", **fields: Any
) -> PlatformPost:
    fields.setdefault("media", (MediaAsset(kind="image", url=PNG),))
    fields.setdefault("title", "三分钟办公室冷泡茶")
    return PlatformPost(platform="wechat_oa", piece_id="tea-1", body=body, **fields)


class TestWeChatConformance(
    AdapterConformance, adapter=WeChatOfficialAccountAdapter, platform=FakeWeChat
):
    def make_adapter(self) -> WeChatOfficialAccountAdapter:
        return WeChatOfficialAccountAdapter(credentials=self.credentials())

    def sample_post(self) -> PlatformPost:
        # An article needs a cover; the suite's post names one uploaded earlier.
        return PlatformPost(
            platform="wechat_oa",
            piece_id="conformance-1",
            body="Conformance check",
            extras={"thumb_media_id": "MAT_COVER"},
        )


# -- tokens ---------------------------------------------------------------------------


def test_token_is_fetched_once_and_sent_in_the_query(kind: str, server: FakeWeChat) -> None:
    client = make_client(kind, server)
    for _ in range(2):
        assert drive(kind, client, lambda c: c.publish(article())).ok
    assert server.token_fetches == [False]
    assert all("access_token" not in p for p in server.seen)


def test_expired_token_is_refreshed_once_and_the_call_retried(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.send_message("o_in_window", "你好"))
    server.expire_token()  # 42001 on the next call; the client's own clock has not noticed
    drive(kind, client, lambda c: c.send_message("o_in_window", "再见"))
    assert server.token_fetches == [False, False]
    assert server.seen.count("/cgi-bin/message/custom/send") == 3
    assert [m["text"]["content"] for m in server.messages] == ["你好", "再见"]


def test_rejected_token_that_the_platform_still_returns_is_force_refreshed(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.send_message("o_in_window", "一"))
    server.faults.append(("/cgi-bin/message/custom/send", 40001, "access_token is not latest"))
    drive(kind, client, lambda c: c.send_message("o_in_window", "二"))
    assert server.token_fetches == [False, False, True]
    assert len(server.messages) == 2


def test_a_token_rejected_again_after_a_forced_refresh_ends_in_a_typed_error(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.send_message("o_in_window", "一"))
    rejected = ("/cgi-bin/message/custom/send", 40001, "access_token is not latest")
    server.faults.extend([rejected] * 5)
    with pytest.raises(TokenExpiredError) as caught:
        drive(kind, client, lambda c: c.send_message("o_in_window", "二"))
    assert caught.value.code == 40001
    # One refresh for the request (normal mode gave the rejected token back, so it
    # was forced), one retry, then the error: no refresh loop.
    assert server.token_fetches == [False, False, True]
    assert server.seen.count("/cgi-bin/message/custom/send") == 3


def test_a_second_forced_refresh_within_30_seconds_is_refused_to_save_the_quota(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.send_message("o_in_window", "一"))
    rejected = ("/cgi-bin/message/custom/send", 40001, "access_token is not latest")
    server.faults.extend([rejected] * 5)
    with pytest.raises(TokenExpiredError):
        drive(kind, client, lambda c: c.send_message("o_in_window", "二"))
    with pytest.raises(AuthenticationError, match="forced"):
        drive(kind, client, lambda c: c.send_message("o_in_window", "三"))
    assert server.token_fetches == [False, False, True, False]  # one forced refresh only
    assert server.seen.count("/cgi-bin/message/custom/send") == 3
    server.clock.advance(31)  # past the gap, a forced refresh is allowed again
    server.faults.clear()
    drive(kind, client, lambda c: c.send_message("o_in_window", "四"))
    assert server.token_fetches == [False, False, True, False, False, True]
    assert [m["text"]["content"] for m in server.messages] == ["一", "四"]


@pytest.mark.parametrize("code", [40001, 40014, 42001])
def test_an_endpoint_that_keeps_rejecting_tokens_costs_one_refresh(
    kind: str, server: FakeWeChat, code: int
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.send_message("o_in_window", "一"))
    server.faults.extend([("/cgi-bin/message/custom/send", code, "token refused")] * 9)
    with pytest.raises(TokenExpiredError) as caught:
        drive(kind, client, lambda c: c.send_message("o_in_window", "二"))
    assert caught.value.code == code and caught.value.platform == "wechat_oa"
    # WeChat still hands out the refused token, so the one refresh is forced.
    assert server.token_fetches == [False, False, True]
    assert server.seen.count("/cgi-bin/message/custom/send") == 3


def test_wrong_secret_is_an_authentication_error_without_retries(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server, adapter=make_adapter(secret="wrong-secret"))
    result = drive(kind, client, lambda c: c.publish(article()))
    assert result.error.error_type == "AuthenticationError"
    assert result.error.code == "40125"
    assert server.seen == ["/cgi-bin/stable_token"]
    assert "wrong-secret" not in result.model_dump_json() + str(result.exception)


# -- errcode inside HTTP 200 -------------------------------------------------------------


def test_minute_quota_waits_for_the_next_minute_then_succeeds(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    server.faults.append(("/cgi-bin/message/custom/send", 45011, "api minute-quota reach limit"))
    started = server.clock.time()
    drive(kind, client, lambda c: c.send_message("o_in_window", "hi"))
    waited = server.clock.time() - started
    assert 0 < waited <= 60
    assert (started + waited) % 60 == pytest.approx(0, abs=1e-6)
    assert len(server.messages) == 1


def test_daily_quota_is_reported_with_the_wait_until_beijing_midnight(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    server.faults.append(("/cgi-bin/message/custom/send", 45009, "reach max api daily quota"))
    with pytest.raises(RateLimitError) as caught:
        drive(kind, client, lambda c: c.send_message("o_in_window", "hi"))
    # The simulated clock starts 2026-01-01 00:00 UTC = 08:00 in Beijing: 16 h left.
    assert caught.value.retry_after == pytest.approx(16 * 3600)
    assert caught.value.code == 45009 and caught.value.status == 200
    assert server.messages == []


def test_outside_the_48_hour_window_is_a_typed_error_not_a_retry(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    with pytest.raises(OutsideWindowError) as caught:
        drive(kind, client, lambda c: c.send_message("o_silent_for_a_week", "优惠券"))
    assert caught.value.code == 45015
    assert server.seen.count("/cgi-bin/message/custom/send") == 1


def test_unauthorised_api_is_a_permission_error(kind: str, server: FakeWeChat) -> None:
    server.faults.append(("/cgi-bin/draft/add", 48001, "api unauthorized"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(article()))
    assert result.error.error_type == "PermissionDeniedError"
    assert isinstance(result.exception, PermissionDeniedError)
    assert server.seen.count("/cgi-bin/draft/add") == 1
    assert server.jobs == {}


def test_system_busy_is_retried_for_safe_requests(kind: str, server: FakeWeChat) -> None:
    server.faults.append(("/cgi-bin/draft/add", -1, "system error"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(article()))
    assert result.ok, result.error
    assert server.seen.count("/cgi-bin/draft/add") == 2


# -- publishing -------------------------------------------------------------------------


def test_publish_uploads_cover_drafts_submits_and_polls_until_published(
    kind: str, server: FakeWeChat
) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(article()))
    assert result.ok, result.error
    article_id, msg_data_id = split_post_id(result.receipt.post_id)
    assert msg_data_id == "2247483650"
    assert result.receipt.url == f"https://mp.weixin.qq.com/s/{article_id}"
    draft = server.articles[article_id]
    assert draft["content"] == "<p>下午三点，给自己泡一杯。</p><p>冷泡茶更清爽。</p>"
    assert draft["thumb_media_id"] in server.materials
    assert server.seen.count("/cgi-bin/freepublish/get") == server.publish_polls + 1
    ids = result.receipt.platform_ids
    assert ids["article_id"] == article_id and ids["msg_data_id"] == msg_data_id
    assert ids["publish_id"] in server.jobs
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.delete(result.receipt.post_id))  # post_id still deletes
    assert article_id not in server.articles


def test_review_rejection_is_a_failed_publish_with_the_reason(kind: str) -> None:
    server = FakeWeChat(clock=SimulatedClock(), final_status=4)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(article()))
    assert not result.ok
    assert "rejected by platform review" in result.error.message


def test_publishing_past_the_deadline_times_out(kind: str) -> None:
    server = FakeWeChat(clock=SimulatedClock(), publish_polls=1000)
    client = make_client(kind, server, publish_deadline=60)
    result = drive(kind, client, lambda c: c.publish(article()))
    assert result.error.error_type == "PublishTimeoutError"
    assert server.seen.count("/cgi-bin/freepublish/get") <= 7


def test_publishjobfinish_callback_completes_a_pending_receipt() -> None:
    pending = PublishReceipt(
        platform="wechat_oa", post_id="100000007|2247483650", status="processing"
    )
    xml = (
        "<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>"
        "<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>"
        "<CreateTime>1481013459</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo>"
        "<publish_id>100000007</publish_id><publish_status>0</publish_status>"
        "<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy]]></article_id>"
        "<article_detail><count>1</count><item><idx>1</idx>"
        "<article_url><![CDATA[https://mp.weixin.qq.com/s/x]]></article_url></item>"
        "</article_detail></PublishEventInfo></xml>"
    )
    receipt = receipt_from_event(parse_message(xml), pending)
    assert receipt.status is PublishStatus.PUBLISHED
    assert receipt.platform_ids == {
        "publish_id": "100000007",
        "msg_data_id": "2247483650",
        "article_id": "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy",
    }
    assert receipt.post_id == "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy|2247483650"
    assert receipt.url == "https://mp.weixin.qq.com/s/x"
    other = pending.model_copy(update={"post_id": "100000008|1"})
    with pytest.raises(InvalidInputError, match="publish_id"):
        receipt_from_event(parse_message(xml), other)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": "标" * 33}, "title"),
        ({"media": ()}, "thumb_media_id"),
        ({"extras": {"media_ids": ["a", "b"]}, "media": ()}, "media"),
    ],
)
def test_articles_wechat_would_refuse_fail_before_any_request(
    fields: dict[str, Any], problem: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        next(make_adapter().publish(article(**fields)))
    assert caught.value.fields[0].endswith(problem)


def test_inline_image_upload_returns_the_url(kind: str, server: FakeWeChat) -> None:
    client = make_client(kind, server)
    asset = MediaAsset(kind="image", url=PNG)
    url = drive(kind, client, lambda c: c.run(c.adapter.upload_article_image(asset)))
    assert url.startswith("http://mmbiz.qpic.cn/inline/")


# -- after publishing -------------------------------------------------------------------


def test_comments_reply_delete_and_article_delete(kind: str, server: FakeWeChat) -> None:
    client = make_client(kind, server)
    post_id = drive(kind, client, lambda c: c.publish(article())).receipt.post_id
    first = drive(kind, client, lambda c: c.comments(post_id))
    assert [c.id for c in first] == ["1", "2", "3"]  # two pages of two
    reply = drive(kind, client, lambda c: c.reply(post_id, "2", "谢谢支持"))
    assert reply.in_reply_to == "2"
    again = drive(kind, client, lambda c: c.comments(post_id))
    assert [(c.id, c.text) for c in again if c.in_reply_to] == [("2:reply", "谢谢支持")]
    drive(kind, client, lambda c: c.run(c.adapter.delete_comment(post_id, "2:reply")))
    drive(kind, client, lambda c: c.run(c.adapter.delete_comment(post_id, "3")))
    assert server.replies == {} and server.deleted_comments == [3]
    drive(kind, client, lambda c: c.delete(post_id))
    assert server.articles == {}


def test_metrics_are_yesterdays_datacube_numbers_in_the_vocabulary(
    kind: str, server: FakeWeChat
) -> None:
    client = make_client(kind, server)
    post_id = drive(kind, client, lambda c: c.publish(article())).receipt.post_id
    observations = drive(kind, client, lambda c: c.metrics(post_id))
    values = {o.metric: o.value for o in observations}
    assert values["views"] == 120 and values["reach"] == 80
    assert values["interactions"] == 9 + 4
    start = observations[0].period_start
    assert start.date() == date(2025, 12, 31)  # "today" is 2026-01-01 in Beijing
    assert start.utcoffset().total_seconds() == 8 * 3600
    day = drive(
        kind, client, lambda c: c.run(c.adapter.article_metrics(post_id, date(2025, 12, 1)))
    )
    assert day[0].period_start == datetime(2025, 11, 30, 16, tzinfo=timezone.utc)
    server.clock.advance(16 * 3600)  # 00:00 in Beijing: "yesterday" moves with the driver
    later = drive(kind, client, lambda c: c.metrics(post_id))
    assert later[0].period_start.date() == date(2026, 1, 1)


def test_token_never_leaks_into_errors(kind: str, server: FakeWeChat) -> None:
    adapter = make_adapter(secret=SENTINEL_SECRET)
    server.secret = SENTINEL_SECRET
    store = InMemoryTokenStore()
    client = make_client(kind, server, adapter=adapter, token_store=store)
    with pytest.raises(OutsideWindowError) as caught:
        drive(kind, client, lambda c: c.send_message("o_nobody", "hi"))
    stored = store.get("wechat_oa:default")
    assert stored is not None
    token = stored.access_token.get_secret_value()
    text = str(caught.value) + repr(caught.value) + repr(client) + repr(store)
    assert token not in text and SENTINEL_SECRET not in text
    assert "access_token=[redacted]" in str(caught.value)
