"""WeCom adapter on a transport built from the official docs (developer.work.weixin.qq.com).

Shapes: ``gettoken`` answers ``{"errcode":0,"access_token":...,"expires_in":7200}``;
every failure is HTTP 200 with ``errcode`` (40001 bad secret, 40014 bad token, 42001
expired, 45009 frequency limit, 81013 no valid recipient); ``message/send`` reports
rejected recipients in ``invaliduser``/``invalidparty``/``invalidtag`` and silently
truncates text over 2048 bytes; with ``enable_duplicate_check`` an identical request
within ``duplicate_check_interval`` is not delivered again. Both drivers everywhere.
"""

from __future__ import annotations

import base64
import itertools
import json
from datetime import datetime, timezone
from operator import methodcaller
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import (
    APIError,
    ContentRuleError,
    InvalidInputError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import Credentials, InMemoryMediaLoader, InMemoryTokenStore, SimulatedClock
from smmkit.platforms.wecom import MAX_TEXT_BYTES, WeComAdapter
from smmkit.testing import AdapterConformance, FakePlatform, client_for, drive

CORP = "ww0123456789abcdef"
SECRET = "corp-app-secret"
PNG = "https://media.example/cover.png"
# Media bytes come through an explicit loader: the default one downloads the URL
# (tests/platforms/test_media_loading.py covers that path).
MEDIA = InMemoryMediaLoader({PNG: base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB")})


def answer(errcode: int = 0, errmsg: str = "ok", **fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"errcode": errcode, "errmsg": errmsg, **fields})


class FakeWeCom(FakePlatform):
    """qyapi.weixin.qq.com for one corp and one self-built app (agent 1000002)."""

    def __init__(
        self,
        *,
        client_id: str = CORP,
        client_secret: str = SECRET,
        clock: SimulatedClock | None = None,
    ) -> None:
        self.corp, self.secret = client_id, client_secret
        self.clock = clock or SimulatedClock()
        self.members = {"zhangsan", "lisi"}
        self.token: str | None = None
        self.token_expires = 0.0
        self.token_fetches = 0
        self.seen: list[str] = []
        self.delivered: list[dict[str, Any]] = []
        self.recalled: list[str] = []
        self.recent: dict[str, tuple[str, float]] = {}
        self.faults: list[tuple[str, int, str]] = []
        self.reset_after_send = 0
        self._n = itertools.count(1)

    def answer(self, request: httpx.Request) -> httpx.Response:
        response = self._route(request)
        if self.reset_after_send and request.url.path == "/cgi-bin/message/send":
            self.reset_after_send -= 1
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path, params = request.url.path, request.url.params
        self.seen.append(path)
        if path == "/cgi-bin/gettoken":
            if params.get("corpid") != self.corp or params.get("corpsecret") != self.secret:
                return answer(40001, "invalid credential")
            self.token_fetches += 1
            self.token = f"wecom-token-{next(self._n)}"
            self.token_expires = self.clock.time() + 7200
            return answer(access_token=self.token, expires_in=7200)
        if params.get("access_token") != self.token:
            return answer(40014, "invalid access_token")
        if self.clock.time() >= self.token_expires:
            return answer(42001, "access_token expired")
        for index, (fault_path, code, message) in enumerate(self.faults):
            if fault_path == path:
                del self.faults[index]
                return answer(code, message)
        if path == "/cgi-bin/message/send":
            return self._send(json.loads(request.content))
        if path == "/cgi-bin/message/recall":
            self.recalled.append(json.loads(request.content)["msgid"])
            return answer()
        if path == "/cgi-bin/media/upload":
            assert b'name="media"' in request.content
            media_type = params["type"]
            return answer(
                errmsg="", type=media_type, media_id=f"3a{next(self._n)}", created_at="1380000000"
            )
        return answer(60011, "no privilege to access/modify contact/party/agent")

    def _send(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("agentid") != 1000002:
            return answer(301002, "not allow operate another agent with this accesstoken.")
        fingerprint = json.dumps(
            {k: v for k, v in body.items() if k != "duplicate_check_interval"}, sort_keys=True
        )
        seen = self.recent.get(fingerprint)
        interval = body.get("duplicate_check_interval", 1800)
        if body.get("enable_duplicate_check") and seen and self.clock.time() - seen[1] < interval:
            return answer(msgid=seen[0])
        users = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in users if u not in self.members]
        if users and len(invalid) == len(users) and not body.get("toparty"):
            return answer(81013, "user & party & tag all invalid")
        message = dict(body)
        for kind in ("text", "markdown"):
            if kind in message:  # WeCom cuts long text instead of refusing it
                cut = message[kind]["content"].encode()[:MAX_TEXT_BYTES]
                message[kind] = {"content": cut.decode("utf-8", "ignore")}
        msgid = f"msg{next(self._n)}"
        self.delivered.append(message)
        self.recent[fingerprint] = (msgid, self.clock.time())
        extra: dict[str, Any] = {"invaliduser": "|".join(invalid)} if invalid else {}
        return answer(msgid=msgid, **extra)


def make_adapter(**options: Any) -> WeComAdapter:
    options.setdefault("to_users", ("zhangsan",))
    options.setdefault("media_loader", MEDIA)
    secret = options.pop("secret", SECRET)
    return WeComAdapter(
        credentials=Credentials(client_id=CORP, client_secret=secret), agent_id=1000002, **options
    )


def make_client(kind: str, server: FakeWeCom, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or make_adapter()
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeWeCom:
    return FakeWeCom(clock=SimulatedClock())


def message(body: str = "今天三点开会", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="wecom", piece_id="m1", body=body, **fields)


class TestWeComConformance(AdapterConformance, adapter=WeComAdapter, platform=FakeWeCom):
    def make_adapter(self) -> WeComAdapter:
        return WeComAdapter(
            credentials=self.credentials(),
            agent_id=1000002,
            to_users=("zhangsan",),
        )


# -- sending ---------------------------------------------------------------------------


def test_text_is_sent_with_the_duplicate_check(kind: str, server: FakeWeCom) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(message()))
    assert result.ok, result.error
    (sent,) = server.delivered
    assert sent["text"] == {"content": "今天三点开会"}
    assert (sent["enable_duplicate_check"], sent["duplicate_check_interval"]) == (1, 1800)
    assert result.receipt.post_id.startswith("msg")


def test_lost_answer_is_resent_and_the_duplicate_check_drops_it(
    kind: str, server: FakeWeCom
) -> None:
    server.reset_after_send = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(message()))
    assert result.ok, result.error
    assert server.seen.count("/cgi-bin/message/send") == 2
    assert len(server.delivered) == 1


@pytest.mark.parametrize(
    ("body", "fits"),
    [("茶" * 682 + "ab", True), ("茶" * 683, False), ("a" * 2048, True), ("a" * 2049, False)],
)
def test_2048_byte_limit_is_checked_before_sending(
    kind: str, server: FakeWeCom, body: str, fits: bool
) -> None:
    client = make_client(kind, server)
    if fits:
        assert drive(kind, client, lambda c: c.publish(message(body))).ok
        assert server.delivered[0]["text"]["content"] == body
        return
    with pytest.raises(ContentRuleError) as caught:
        drive(kind, client, lambda c: c.publish(message(body)))
    assert caught.value.fields == ("body",) and "2048" in str(caught.value)
    assert "/cgi-bin/message/send" not in server.seen


def test_markdown_news_and_template_card_payloads(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server)
    card = {"card_type": "text_notice", "main_title": {"title": "新品上架"}}
    article = {"title": "冷泡茶", "url": "https://brand.example/t", "picurl": "https://p/x.png"}
    posts = [
        message("**会议** 改到三点", extras={"msgtype": "markdown"}),
        message("", extras={"msgtype": "news", "articles": [article]}),
        message("", extras={"msgtype": "template_card", "template_card": card}),
    ]
    for item in posts:
        assert drive(kind, client, methodcaller("publish", item)).ok
    assert [m["msgtype"] for m in server.delivered] == ["markdown", "news", "template_card"]
    assert server.delivered[1]["news"] == {"articles": [article]}
    assert server.delivered[2]["template_card"] == card


def test_image_is_uploaded_and_words_are_not_dropped(kind: str, server: FakeWeCom) -> None:
    photo = MediaAsset(kind="image", url=PNG)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(message(media=(photo,))))
    assert result.ok, result.error
    assert [m["msgtype"] for m in server.delivered] == ["text", "image"]
    assert server.delivered[1]["image"]["media_id"].startswith("3a")
    assert len(result.receipt.post_id.split("|")) == 2
    drive(kind, make_client(kind, server), lambda c: c.delete(result.receipt.post_id))
    assert server.recalled == result.receipt.post_id.split("|")


def test_rejected_recipients_are_reported_not_swallowed(kind: str, server: FakeWeCom) -> None:
    post = message(extras={"touser": ["zhangsan", "wangwu"]})
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post))
    assert result.ok
    assert result.receipt.detail == "invaliduser=wangwu"


def test_no_recipient_at_all_is_refused(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server, adapter=make_adapter(to_users=()))
    with pytest.raises(InvalidInputError) as caught:
        drive(kind, client, lambda c: c.publish(message()))
    assert caught.value.fields == ("extras.touser",)
    assert server.seen == []


def test_direct_message_to_an_unknown_member_fails(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.send_message("lisi", "单独提醒"))
    assert receipt.recipient == "lisi" and server.delivered[-1]["touser"] == "lisi"
    with pytest.raises(APIError) as caught:
        drive(kind, client, lambda c: c.send_message("nobody", "hi"))
    assert caught.value.code == 81013 and caught.value.status == 200


# -- errcode inside HTTP 200 --------------------------------------------------------------


def test_expired_token_is_refreshed_once(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.publish(message("一")))
    server.token_expires = server.clock.time() - 1
    drive(kind, client, lambda c: c.publish(message("二")))
    assert server.token_fetches == 2
    assert [m["text"]["content"] for m in server.delivered] == ["一", "二"]


def test_a_rejected_token_wecom_still_hands_out_is_not_refreshed_in_a_loop(
    kind: str, server: FakeWeCom
) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.publish(message("一")))
    server.faults.extend([("/cgi-bin/message/send", 40014, "invalid access_token")] * 5)
    original = server._route

    def same_token(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/gettoken":  # still valid on WeCom's side
            server.token_fetches += 1
            return answer(access_token=server.token, expires_in=3600)
        return original(request)

    server._route = same_token  # type: ignore[method-assign]
    with pytest.raises(TokenExpiredError) as caught:
        drive(kind, client, lambda c: c.run(c.adapter.publish(message("二"))))
    assert caught.value.code == 40014
    assert server.token_fetches == 2  # the first token, then one refresh: no loop
    assert server.seen.count("/cgi-bin/message/send") == 3
    assert len(server.delivered) == 1


def test_same_token_near_its_expiry_is_a_normal_refresh(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server)
    drive(kind, client, lambda c: c.publish(message("一")))
    server.clock.advance(7200 - 30)  # the client refreshes ahead of expiry...
    server.token_expires += 3600  # ...and WeCom still hands out the same token
    original = server._route

    def same_token(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/gettoken":
            server.token_fetches += 1
            return answer(access_token=server.token, expires_in=3600)
        return original(request)

    server._route = same_token  # type: ignore[method-assign]
    assert drive(kind, client, lambda c: c.publish(message("二"))).ok
    assert server.token_fetches == 2 and len(server.delivered) == 2


def test_frequency_limit_waits_and_retries(kind: str, server: FakeWeCom) -> None:
    server.faults.append(("/cgi-bin/message/send", 45009, "api freq out of limit"))
    started = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(message()))
    assert result.ok, result.error
    assert 0 < server.clock.time() - started <= 60
    assert len(server.delivered) == 1


def test_persistent_throttling_is_reported_with_its_wait(kind: str, server: FakeWeCom) -> None:
    server.faults.extend([("/cgi-bin/message/send", 45033, "api concurrent out of limit")] * 9)
    client = make_client(kind, server)
    with pytest.raises(RateLimitError) as caught:
        drive(kind, client, lambda c: c.run(c.adapter.publish(message())))
    assert caught.value.code == 45033 and caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 60
    assert server.delivered == []


def test_wrong_secret_is_an_authentication_error(kind: str, server: FakeWeCom) -> None:
    client = make_client(kind, server, adapter=make_adapter(secret="not-the-secret"))
    result = drive(kind, client, lambda c: c.publish(message()))
    assert result.error.error_type == "AuthenticationError"
    assert "not-the-secret" not in result.model_dump_json() + str(result.exception)
    assert "corpsecret=[redacted]" in result.error.message


# -- callbacks ---------------------------------------------------------------------------


def test_callback_uses_the_corp_id_as_receive_id() -> None:
    # Official vector (WeCom C# sample / Java testVerifyUrl): URL verification.
    adapter = WeComAdapter(
        credentials=Credentials(client_id="wx5823bf96d3bd56c7", client_secret="s"), agent_id=1
    )
    callback = adapter.callback(
        token="QDG6eK", encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
    )
    query = (
        "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589"
        "&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3"
        "zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
    )
    now = datetime.fromtimestamp(1409659590, timezone.utc)
    assert callback.verify_url(query, now=now) == "1616140317555161061"


@pytest.mark.parametrize(
    ("extras", "field"),
    [
        ({"msgtype": "voice"}, "extras.msgtype"),
        ({"msgtype": "news", "articles": []}, "extras.articles"),
        ({"msgtype": "template_card", "template_card": {}}, "extras.template_card"),
        ({"touser": [f"u{i}" for i in range(1001)]}, "extras.touser"),
    ],
)
def test_malformed_messages_name_their_field(extras: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        make_adapter().message_payload(message(extras=extras))
    assert caught.value.fields == (field,)


@given(st.text(alphabet=st.sampled_from("a茶🍵 é"), min_size=1, max_size=1200))
def test_refused_exactly_when_over_2048_utf8_bytes(body: str) -> None:
    post = message(body if body.strip() else body + "x")
    size = len(post.body.encode("utf-8"))
    try:
        payload = make_adapter().message_payload(post)
    except ContentRuleError:
        assert size > MAX_TEXT_BYTES
    else:
        assert size <= MAX_TEXT_BYTES and payload["text"]["content"] == post.body
