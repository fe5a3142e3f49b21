"""WeChat third-party platform (component): ticket callback, token lifecycle, OA publish.

The fake WeChat below answers the component endpoints as the official pages describe
them (see tests/contract/test_wechat_component_examples.py for the pages' own
examples) and the Official Account's draft/publish calls; it checks every token it is
given, so a stale or wrong token fails the test.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, InvalidInputError, PlatformError
from smmkit.models.content import PlatformPost
from smmkit.platforms import (
    Client,
    Credentials,
    FileTokenStore,
    InMemoryTokenStore,
    SimulatedClock,
    Token,
    TokenStore,
)
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.platforms.wechat_component import (
    AuthorizerRefreshTokenError,
    ComponentIPNotAllowedError,
    ComponentTicketError,
    WeChatComponentAdapter,
    authorizer_token_key,
)
from smmkit.testing import client_for, drive
from smmkit.webhooks import (
    ComponentAuthorizationEvent,
    ComponentVerifyTicket,
    MessageCrypto,
    WeChatComponentCallback,
)

APPID = "wx_component01"
SECRET = "SENTINEL-component-secret-7f3a"
TICKET = "ticket@@@SENTINEL-ticket-9b1c"
TOKEN = "component-push-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues
START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


class FakeWeChat:
    """The component endpoints and the OA publish calls, with token bookkeeping."""

    def __init__(self, clock: SimulatedClock) -> None:
        self.clock = clock
        self.calls: Counter[str] = Counter()
        self.component_tokens: dict[str, float] = {}  # token -> expiry
        self.authorizer_tokens: dict[str, tuple[str, float]] = {}  # token -> (appid, expiry)
        self.refresh_tokens = {
            "wx_oa1": "refreshtoken@@@SENTINEL-r1",
            "wx_oa2": "refreshtoken@@@r2",
        }
        self.fail: dict[str, list[dict[str, Any]]] = {}
        self.delay = 0.0
        self.published: list[str] = []
        self._n = 0
        self._lock = threading.Lock()

    def _next(self, prefix: str) -> str:
        with self._lock:
            self._n += 1
            return f"{prefix}-{self._n}"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        with self._lock:
            self.calls[path] += 1
        if self.delay:
            time.sleep(self.delay)
        queued = self.fail.get(path)
        if queued:
            return httpx.Response(200, json=queued.pop(0))
        body = json.loads(request.content) if request.content else {}
        now = self.clock.time()
        if path == "/cgi-bin/component/api_component_token":
            assert body == {
                "component_appid": APPID,
                "component_appsecret": SECRET,
                "component_verify_ticket": TICKET,
            }
            token = self._next("cat")
            with self._lock:
                self.component_tokens = {token: now + 7200}  # a new one replaces the old
            return httpx.Response(200, json={"component_access_token": token, "expires_in": 7200})
        if path.startswith("/cgi-bin/component/"):
            given = request.url.params.get("component_access_token", "")
            if self.component_tokens.get(given, 0) <= now:
                return httpx.Response(
                    200,
                    json={"errcode": 40001, "errmsg": "invalid credential rid: 6612ab01-0000cafe"},
                )
            assert body["component_appid"] == APPID
            if path.endswith("api_create_preauthcode"):
                return httpx.Response(
                    200, json={"pre_auth_code": "preauthcode@@@x", "expires_in": 600}
                )
            if path.endswith("api_query_auth"):
                return httpx.Response(200, json=self._authorization("wx_oa1"))
            if path.endswith("api_authorizer_token"):
                appid = body["authorizer_appid"]
                if body["authorizer_refresh_token"] != self.refresh_tokens[appid]:
                    return httpx.Response(
                        200,
                        json={
                            "errcode": 61023,
                            "errmsg": "refresh_token is invalid rid: 6142cae2-160a288b-589e1ad2",
                        },
                    )
                token = self._next("aat")
                self.authorizer_tokens[token] = (appid, now + 7200)
                return httpx.Response(
                    200,
                    json={
                        "authorizer_access_token": token,
                        "expires_in": 7200,
                        "authorizer_refresh_token": self.refresh_tokens[appid],
                    },
                )
        given = request.url.params.get("access_token", "")
        appid, expiry = self.authorizer_tokens.get(given, ("", 0.0))
        if expiry <= now:
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
        if path == "/cgi-bin/draft/add":
            return httpx.Response(200, json={"media_id": "MEDIA_1"})
        if path == "/cgi-bin/freepublish/submit":
            self.published.append(appid)
            return httpx.Response(
                200,
                json={
                    "errcode": 0,
                    "errmsg": "ok",
                    "publish_id": "100000001",
                    "msg_data_id": "2247483647",
                },
            )
        if path == "/cgi-bin/freepublish/get":
            return httpx.Response(
                200,
                json={
                    "publish_id": "100000001",
                    "publish_status": 0,
                    "article_id": "Art_1",
                    "article_detail": {
                        "count": 1,
                        "item": [{"idx": 1, "article_url": "https://mp.weixin.qq.com/s/a"}],
                    },
                },
            )
        return httpx.Response(404, json={"errcode": 404, "errmsg": "unknown path"})

    def _authorization(self, appid: str) -> dict[str, Any]:
        token = self._next("aat")
        self.authorizer_tokens[token] = (appid, self.clock.time() + 7200)
        return {
            "authorization_info": {
                "authorizer_appid": appid,
                "authorizer_access_token": token,
                "expires_in": 7200,
                "authorizer_refresh_token": self.refresh_tokens[appid],
                "func_info": [
                    {"funcscope_category": {"id": 1}},
                    {"funcscope_category": {"id": 15}},
                ],
            }
        }


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def wechat(clock: SimulatedClock) -> FakeWeChat:
    return FakeWeChat(clock)


def _component(store: TokenStore) -> WeChatComponentAdapter:
    return WeChatComponentAdapter(
        credentials=Credentials(client_id=APPID, client_secret=SECRET), token_store=store
    )


def _ticket_push(create_time: int) -> tuple[dict[str, str], str]:
    """An encrypted component_verify_ticket push, built as WeChat builds it."""
    xml = (
        f"<xml><AppId><![CDATA[{APPID}]]></AppId><CreateTime>{create_time}</CreateTime>"
        "<InfoType><![CDATA[component_verify_ticket]]></InfoType>"
        f"<ComponentVerifyTicket><![CDATA[{TICKET}]]></ComponentVerifyTicket></xml>"
    )
    wechat = MessageCrypto(token=TOKEN, encoding_aes_key=AES_KEY, receive_id=APPID)
    encrypt = wechat.encrypt(xml, random=b"0123456789abcdef")
    timestamp, nonce = str(create_time), "1320562132"
    query = {
        "encrypt_type": "aes",
        "timestamp": timestamp,
        "nonce": nonce,
        "msg_signature": wechat.sign(timestamp, nonce, encrypt),
    }
    body = f"<xml><AppId><![CDATA[{APPID}]]></AppId><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return query, body


def _receive_ticket(component: WeChatComponentAdapter, clock: SimulatedClock) -> None:
    callback = WeChatComponentCallback(token=TOKEN, component_appid=APPID, encoding_aes_key=AES_KEY)
    query, body = _ticket_push(int(clock.time()))
    got = callback.parse(query, body, now=datetime.fromtimestamp(clock.time(), timezone.utc))
    assert isinstance(got.event, ComponentVerifyTicket)
    component.save_ticket(got.event)


def _connect(component: WeChatComponentAdapter, wechat: FakeWeChat, clock: SimulatedClock) -> None:
    _receive_ticket(component, clock)
    with _client(component, component.store, wechat, clock) as client:
        code = client.run(component.pre_auth_code())
        url = component.authorization_url(code, redirect_uri="https://agency.example/cb")
        assert url.startswith(
            "https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid="
        )
        auth = client.run(component.query_auth("queryauthcode@@@1"))
    assert auth.authorizer_appid == "wx_oa1" and auth.func_info == (1, 15)
    component.save_authorization(auth)


def _client(
    adapter: Any,
    store: TokenStore,
    handler: Callable[[httpx.Request], httpx.Response],
    clock: SimulatedClock,
) -> Client:
    """A sync client of ``adapter`` over ``store``, answered by ``handler``."""
    return Client(
        adapter,
        token_store=store,
        clock=clock,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def _connected(
    wechat: FakeWeChat, clock: SimulatedClock
) -> tuple[InMemoryTokenStore, WeChatComponentAdapter]:
    """A component over a fresh store, with a ticket and ``wx_oa1`` authorized."""
    store = InMemoryTokenStore()
    component = _component(store)
    _connect(component, wechat, clock)
    return store, component


def _post() -> PlatformPost:
    return PlatformPost(
        platform="wechat_oa",
        piece_id="p1",
        title="冷泡茶",
        body="三分钟冷泡茶",
        extras={"thumb_media_id": "THUMB_1"},
    )


# -- the ticket callback ---------------------------------------------------------------


def test_ticket_push_is_decrypted_verified_and_stored(clock: SimulatedClock) -> None:
    store = InMemoryTokenStore()
    component = _component(store)
    _receive_ticket(component, clock)
    saved = store.get(component.ticket_key)
    assert saved is not None and saved.access_token.get_secret_value() == TICKET
    assert (
        saved.expires_at is not None and (saved.expires_at.timestamp() - clock.time()) == 12 * 3600
    )


def test_ticket_push_with_a_bad_signature_or_another_component_is_refused(
    clock: SimulatedClock,
) -> None:
    from smmkit.exceptions import SignatureError, WebhookError

    callback = WeChatComponentCallback(
        token=TOKEN, component_appid=APPID, encoding_aes_key=AES_KEY, replay_guard=False
    )
    query, body = _ticket_push(int(clock.time()))
    with pytest.raises(SignatureError):
        callback.parse({**query, "msg_signature": "0" * 40}, body)
    with pytest.raises(SignatureError):  # plaintext pushes are refused
        callback.parse({"timestamp": "1", "nonce": "2", "encrypt_type": "raw"}, body)
    other = WeChatComponentCallback(
        token=TOKEN, component_appid="wx_other", encoding_aes_key=AES_KEY, replay_guard=False
    )
    with pytest.raises(WebhookError):  # the ciphertext names another receive_id
        other.parse(query, body)


def test_authorization_events_parse() -> None:
    from smmkit.webhooks import parse_component_event

    event = parse_component_event(
        "<xml><AppId>wx_c</AppId><CreateTime>1413192760</CreateTime><InfoType>updateauthorized"
        "</InfoType><AuthorizerAppid>wx_oa</AuthorizerAppid><AuthorizationCode>code@@@SENTINEL"
        "</AuthorizationCode><AuthorizationCodeExpiredTime>600</AuthorizationCodeExpiredTime>"
        "<PreAuthCode>pre@@@1</PreAuthCode></xml>"
    )
    assert isinstance(event, ComponentAuthorizationEvent)
    assert event.authorization_code is not None
    assert event.authorization_code_expires_at is not None
    assert event.authorization_code_expires_at.timestamp() == 1413192760 + 600
    assert "SENTINEL" not in repr(event) and "SENTINEL" not in event.model_dump_json()


# -- tokens ----------------------------------------------------------------------------


@pytest.fixture(params=["memory", "file", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TokenStore]:
    if request.param == "memory":
        yield InMemoryTokenStore()
    elif request.param == "file":
        yield FileTokenStore(tmp_path / "tokens.json")
    else:
        from smmkit.platforms._redis_server import find_redis_server, redis_server

        if find_redis_server() is None:
            pytest.skip("no redis-server binary")
        from smmkit.platforms.redis import RedisTokenStore

        with redis_server() as url:
            built = RedisTokenStore.from_url(url, lock_ttl=5.0)
            yield built
            built.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_publish_with_an_authorizer_token_and_renewal_before_expiry(
    kind: str, store: TokenStore, wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    component = _component(store)
    _connect(component, wechat, clock)
    oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa1"))
    client = client_for(
        kind, oa, httpx.MockTransport(wechat), clock=clock, token_store=component.store
    )
    first = drive(kind, client, lambda c: c.publish(_post()))
    assert first.ok, first.error
    assert wechat.calls["/cgi-bin/component/api_authorizer_token"] == 0  # the stored token
    clock.advance(7200 - 30)  # inside the driver's 60 s margin: renewed before it expires
    second = drive(kind, client, lambda c: c.publish(_post()))
    assert second.ok, second.error
    assert wechat.calls["/cgi-bin/component/api_authorizer_token"] == 1
    # the component token had expired too (same age): renewed once, inside the same lock
    assert wechat.calls["/cgi-bin/component/api_component_token"] == 2
    assert wechat.published == ["wx_oa1", "wx_oa1"]
    stored = store.get(authorizer_token_key("wx_oa1"))
    assert stored is not None and stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == wechat.refresh_tokens["wx_oa1"]


def test_single_flight_across_threads_and_authorizers(
    wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    store, component = _connected(wechat, clock)
    wechat.refresh_tokens["wx_oa2"] = "refreshtoken@@@r2"
    store.put(
        authorizer_token_key("wx_oa2"), Token(access_token="old", refresh_token="refreshtoken@@@r2")
    )
    clock.advance(7200)  # every token is stale now
    wechat.delay = 0.02
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def worker(appid: str) -> None:
        oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer(appid))
        with _client(oa, component.store, wechat, clock) as client:
            barrier.wait()
            results.append(client.publish(_post()).ok)

    threads = [threading.Thread(target=worker, args=(f"wx_oa{1 + i % 2}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 6
    assert wechat.calls["/cgi-bin/component/api_component_token"] == 2  # connect + one renewal
    assert wechat.calls["/cgi-bin/component/api_authorizer_token"] == 2  # one per account


def test_a_component_token_wechat_refuses_is_renewed_once(
    wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    store, component = _connected(wechat, clock)
    clock.advance(7200)  # the authorizer token expired; the stored component token is
    stale = store.get(component.token_key)
    assert stale is not None
    store.put(
        component.token_key,
        stale.model_copy(update={"expires_at": datetime(2030, 1, 1, tzinfo=timezone.utc)}),
    )
    oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa1"))
    with _client(oa, component.store, wechat, clock) as client:
        assert client.publish(_post()).ok
    assert wechat.calls["/cgi-bin/component/api_authorizer_token"] == 2  # refused, then ok
    assert wechat.calls["/cgi-bin/component/api_component_token"] == 2


def test_the_component_store_is_required_for_renewals(
    wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    store, component = _connected(wechat, clock)
    clock.advance(7200)
    oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa1"))
    with (
        _client(oa, store, wechat, clock) as client,  # the bare store: no component lock
        pytest.raises(InvalidInputError, match=r"token_store=component\.store"),
    ):
        client.publish(_post())
    assert wechat.calls["/cgi-bin/component/api_component_token"] == 1  # only the first


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (61004, ComponentIPNotAllowedError),
        (61005, ComponentTicketError),
        (61006, ComponentTicketError),
        (61023, AuthorizerRefreshTokenError),
    ],
)
def test_component_codes_are_typed_with_code_and_request_id(
    code: int, kind: type[PlatformError], wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    store = InMemoryTokenStore()
    component = _component(store)
    _receive_ticket(component, clock)
    wechat.fail["/cgi-bin/component/api_component_token"] = [
        {"errcode": code, "errmsg": f"refused rid: 6142cae2-160a288b-{code:08x}"}
    ]
    with (
        _client(component, component.store, wechat, clock) as client,
        pytest.raises(kind) as caught,
    ):
        client.run(component.pre_auth_code())
    assert isinstance(caught.value, AuthenticationError)
    assert caught.value.code == code
    assert caught.value.request_id == f"6142cae2-160a288b-{code:08x}"


def test_an_invalid_refresh_token_says_authorize_again(
    wechat: FakeWeChat, clock: SimulatedClock
) -> None:
    _, component = _connected(wechat, clock)
    wechat.refresh_tokens["wx_oa1"] = "refreshtoken@@@rotated-by-reauthorization"
    clock.advance(7200)
    oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa1"))
    with _client(oa, component.store, wechat, clock) as client:
        result = client.publish(_post())
    assert isinstance(result.exception, AuthorizerRefreshTokenError)
    assert result.exception.code == 61023
    assert result.exception.request_id == "6142cae2-160a288b-589e1ad2"
    assert "authorize the component again" in str(result.exception)


def test_no_ticket_yet_is_a_ticket_error(clock: SimulatedClock) -> None:
    component = _component(InMemoryTokenStore())
    with (
        _client(component, component.store, lambda r: httpx.Response(500), clock) as client,
        pytest.raises(ComponentTicketError),
    ):
        client.run(component.pre_auth_code())


def test_wrong_arguments_are_refused() -> None:
    component = _component(InMemoryTokenStore())
    with pytest.raises(InvalidInputError):
        WeChatOfficialAccountAdapter(authorizer="wx_oa1")
    with pytest.raises(InvalidInputError):
        WeChatOfficialAccountAdapter(
            authorizer=component.authorizer("wx_oa1"),
            credentials=Credentials(client_id="a", client_secret="b"),
        )
    with pytest.raises(InvalidInputError):
        component.authorization_url("pre", redirect_uri="https://a.example", biz_appid="wx")
    url = component.authorization_url(
        "pre", redirect_uri="https://a.example", auth_type=None, biz_appid="wx_oa", mobile=True
    )
    assert url.endswith("biz_appid=wx_oa#wechat_redirect") and "no_scan=1" in url


# -- secrets -----------------------------------------------------------------------------


def test_secrets_stay_out_of_reprs_logs_and_errors(
    wechat: FakeWeChat, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store, component = _connected(wechat, clock)
    oa = WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa1"))
    clock.advance(7200)  # the OA client renews both tokens, then WeChat echoes secrets
    echo = f"invalid media {SECRET} {TICKET} cat-5 aat-6 refreshtoken@@@SENTINEL-r1"
    wechat.fail["/cgi-bin/draft/add"] = [{"errcode": 40007, "errmsg": echo}] * 5
    with _client(oa, component.store, wechat, clock) as client:
        result = client.publish(_post())
    assert not result.ok
    tokens = [*wechat.component_tokens, *wechat.authorizer_tokens]
    texts = [
        repr(component),
        repr(oa),
        repr(component.store),
        repr(store),
        caplog.text,
        str(result.exception),
        repr(result.exception),
        result.model_dump_json(),
    ]
    for text in texts:
        assert SECRET not in text and TICKET not in text and "SENTINEL" not in text
        assert not any(token in text for token in tokens)
    assert base64.b64encode(SECRET.encode()).decode() not in caplog.text


# -- web authorization (网页授权) ----------------------------------------------------------


def test_web_authorization_url_keeps_wechats_parameter_order_and_fragment() -> None:
    from smmkit.platforms.oauth import WECHAT_WEB, authorization_url

    url = authorization_url(
        WECHAT_WEB,
        client_id="wx520c15f417810387",
        redirect_uri="https://brand.example/cb",
        scopes="snsapi_base",
        state="st1",
    )
    assert url == (
        "https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx520c15f417810387"
        "&redirect_uri=https%3A%2F%2Fbrand.example%2Fcb&response_type=code&scope=snsapi_base"
        "&state=st1#wechat_redirect"
    )


@pytest.mark.parametrize(
    ("errcode", "kind"),
    [(40029, AuthenticationError), (40163, AuthenticationError), (42002, AuthenticationError)],
)
def test_web_authorization_exchange_and_errors(errcode: int, kind: type[PlatformError]) -> None:
    from smmkit.platforms.oauth import WECHAT_WEB, OAuthClient, exchange_code
    from smmkit.testing import run_flow

    app = OAuthClient(client_id="wx_oa", client_secret=SECRET)
    sent: list[httpx.Request] = []

    def ok(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(
            200,
            json={
                "access_token": "AT-1",
                "expires_in": 7200,
                "refresh_token": "RT-1",
                "openid": "o-1",
                "scope": "snsapi_userinfo",
            },
        )

    token = run_flow(
        exchange_code(WECHAT_WEB, client=app, code="c-1", redirect_uri="https://brand.example/cb"),
        ok,
        now=START,
    )
    assert token.account_id == "o-1" and token.refresh_token is not None
    assert sent[0].method == "GET" and dict(sent[0].url.params) == {
        "grant_type": "authorization_code",
        "code": "c-1",
        "appid": "wx_oa",
        "secret": SECRET,
    }

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"errcode": errcode, "errmsg": f"refused {SECRET}, rid: 6612ab01-0c0ffee0"}
        )

    with pytest.raises(kind) as caught:
        run_flow(
            exchange_code(
                WECHAT_WEB, client=app, code="c-1", redirect_uri="https://brand.example/cb"
            ),
            refused,
            now=START,
        )
    assert caught.value.code == errcode and caught.value.request_id == "6612ab01-0c0ffee0"
    assert SECRET not in str(caught.value)
