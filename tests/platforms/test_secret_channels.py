"""Secrets stay secret on every channel (issue 16, item 5): one sentinel test per channel.

Unique sentinels stand for the app secret (a password on Bluesky), the access token,
the refresh token and a numeric app secret; each test asserts that none appears in:

1. the locals of any frame of a raised exception's tracebacks, ``__cause__`` and
   ``__context__`` included, each value ``repr``-ed and walked into containers the way
   error reporters (Sentry and the like) serialise them;
2. pickles: credentials, tokens, token stores, adapters, clients and webhook handlers
   refuse with :class:`~smmkit.exceptions.NotPicklableError`;
3. validation errors: a secret of the wrong type (a number) is not echoed;
4. a platform's error text copied into the exception: ``str``, ``repr``, attributes and
   the logs are redacted;
5. httpx/httpcore DEBUG logs of a real exchange over 127.0.0.1: ``Set-Cookie`` and
   other credential headers are blanked.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import pickle
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from tests.support.json_server import JsonHandler, serving

from smmkit.exceptions import (
    AuthenticationError,
    ConfigurationError,
    InvalidInputError,
    NotPicklableError,
    PlatformError,
)
from smmkit.models import PlatformPost
from smmkit.platforms import (
    AsyncClient,
    Client,
    Credentials,
    FileTokenStore,
    InMemoryTokenStore,
    RetryPolicy,
    SimulatedClock,
    Token,
)
from smmkit.platforms.bluesky import BlueskyAdapter
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.platforms.sandbox import SandboxAdapter
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.platforms.wecom import WeComAdapter
from smmkit.testing import drive
from smmkit.webhooks import MessageCrypto, WeChatCallback, WeComCallback

SECRET = "SENTINEL-APPSECRET-9f3a1c77"
ACCESS = "SENTINEL-ACCESS-TOKEN-4b7e2d"
REFRESH = "SENTINEL-REFRESH-TOKEN-8c1f0a"
COOKIE = "SENTINEL-SESSION-COOKIE-5d2e"
NUMERIC = 918273645546372819
AES_KEY = ("SENTINELAESKEY" + "k" * 43)[:43]
SENTINELS = (SECRET, ACCESS, REFRESH, COOKIE, str(NUMERIC), AES_KEY)


# -- the frame walker -------------------------------------------------------------------


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:  # an object half built when its constructor failed
        return f"<repr failed: {type(exc).__name__}>"


def _texts(value: object, depth: int = 0) -> Iterator[str]:
    """``repr(value)``, and the reprs inside containers, bounded (as reporters do)."""
    yield _safe_repr(value)
    if depth >= 4:
        return
    items: list[object] = []
    if isinstance(value, Mapping):
        for key, item in list(value.items())[:100]:
            items += [key, item]
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)[:100]
    elif isinstance(value, BaseException):
        items = [*value.args, *vars(value).values()]
    for item in items:
        yield from _texts(item, depth + 1)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every cause and context, suppressed or not."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        err = todo.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        yield err
        todo += [e for e in (err.__cause__, err.__context__) if e is not None]


def frame_texts(exc: BaseException) -> list[str]:
    """What an error reporter records of ``exc``: every frame's locals, and its text."""
    texts = []
    for err in _chain(exc):
        texts += [str(err), _safe_repr(err), *_texts(err)]
        texts.append("".join(traceback.format_exception(type(err), err, err.__traceback__)))
        tb = err.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_name != "_raised":  # this module's catcher
                for name, value in tb.tb_frame.f_locals.items():
                    texts.append(name)
                    texts.extend(_texts(value))
            tb = tb.tb_next
    return texts


def assert_no_sentinel(texts: list[str], what: str) -> None:
    for text in texts:
        for secret in SENTINELS:
            assert secret not in text, f"{what}: {secret[:20]}... in {text[:300]!r}"


def _raised(call: Callable[[], object]) -> BaseException:
    """The exception ``call`` raises (the catcher's own frame is skipped by the walker)."""
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError("expected an exception")


def test_the_walker_finds_a_secret_in_a_frame() -> None:
    """The check itself: a frame holding a request with the token in its URL is found."""

    def leaky() -> None:
        request = httpx.Request("GET", f"https://h.example/x?access_token={ACCESS}")
        raise RuntimeError(request.method)

    texts = frame_texts(_raised(leaky))
    assert any(ACCESS in text for text in texts)


# -- platform scenarios -------------------------------------------------------------------


def _json(status: int, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def wechat_token_ok(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return _json(200, {"access_token": ACCESS, "expires_in": 7200})
    return _json(200, {"errcode": 0, "msgid": 1})


def wechat_timeout_after_token(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return wechat_token_ok(request)
    raise httpx.ReadTimeout("timed out", request=request)


def wechat_echoes_the_token(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return wechat_token_ok(request)
    message = f"invalid credential, access_token is {ACCESS}, rid: 65a1-{SECRET}"
    return _json(200, {"errcode": 40001, "errmsg": message})


def wechat_echoes_the_secret(request: httpx.Request) -> httpx.Response:
    return _json(200, {"errcode": 40125, "errmsg": f"invalid appsecret {SECRET} hint: [x]"})


def wechat_html_after_token(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return wechat_token_ok(request)
    return httpx.Response(200, text="<html>maintenance</html>")


def wecom_token_outage(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def wecom_token_server_error(request: httpx.Request) -> httpx.Response:
    return _json(503, {"errcode": -1, "errmsg": f"system busy for corpsecret={SECRET}"})


def mastodon_refresh_revoked(request: httpx.Request) -> httpx.Response:
    text = f"refresh token {REFRESH} revoked; client {SECRET}"
    return _json(400, {"error": "invalid_grant", "error_description": text})


def mastodon_token_refused(request: httpx.Request) -> httpx.Response:
    return _json(401, {"error": f"The access token {ACCESS} is invalid"})


def bluesky_login_refused(request: httpx.Request) -> httpx.Response:
    text = f"Invalid identifier or password {SECRET}"
    return _json(401, {"error": "AuthenticationRequired", "message": text})


def _wechat() -> WeChatOfficialAccountAdapter:
    return WeChatOfficialAccountAdapter(
        credentials=Credentials(client_id="wx1", client_secret=SECRET)
    )


def _wecom() -> WeComAdapter:
    return WeComAdapter(
        credentials=Credentials(client_id="ww1", client_secret=SECRET),
        agent_id=1000002,
        to_users=("zhangsan",),
    )


def _mastodon_oauth() -> MastodonAdapter:
    return MastodonAdapter(
        base_url="https://mastodon.example",
        credentials=Credentials(client_id="app", client_secret=SECRET, refresh_token=REFRESH),
    )


def _mastodon_static() -> MastodonAdapter:
    return MastodonAdapter(base_url="https://mastodon.example", access_token=ACCESS)


def _bluesky() -> BlueskyAdapter:
    return BlueskyAdapter(credentials=Credentials(client_id="alice.test", client_secret=SECRET))


SCENARIOS: dict[str, tuple[Callable[[], Any], Any, Callable[[Any], Any]]] = {
    "wechat timeout after the token": (
        _wechat,
        wechat_timeout_after_token,
        lambda c: c.send_message("openid", "hi"),
    ),
    "wechat echoes the token": (
        _wechat,
        wechat_echoes_the_token,
        lambda c: c.send_message("openid", "hi"),
    ),
    "wechat echoes the secret": (
        _wechat,
        wechat_echoes_the_secret,
        lambda c: c.send_message("openid", "hi"),
    ),
    "wechat answers html": (
        _wechat,
        wechat_html_after_token,
        lambda c: c.send_message("openid", "hi"),
    ),
    "wecom token endpoint down": (
        _wecom,
        wecom_token_outage,
        lambda c: c.send_message("zhangsan", "hi"),
    ),
    "wecom token endpoint 503": (
        _wecom,
        wecom_token_server_error,
        lambda c: c.send_message("zhangsan", "hi"),
    ),
    "mastodon refresh revoked": (
        _mastodon_oauth,
        mastodon_refresh_revoked,
        lambda c: c.metrics("109"),
    ),
    "mastodon token refused": (
        _mastodon_static,
        mastodon_token_refused,
        lambda c: c.metrics("109"),
    ),
    "bluesky login refused": (
        _bluesky,
        bluesky_login_refused,
        lambda c: c.metrics("at://did:plc:abc/app.bsky.feed.post/3kabc"),
    ),
}


def _client(kind: str, adapter: Any, handler: Any) -> Any:
    options: dict[str, Any] = {
        "clock": SimulatedClock(),
        "retry": RetryPolicy(max_attempts=2),
        "token_store": InMemoryTokenStore(),
    }
    if kind == "sync":
        return Client(adapter, http_client=httpx.Client(transport=httpx.MockTransport(handler)),
                      **options)  # fmt: skip
    transport = httpx.MockTransport(handler)
    return AsyncClient(adapter, http_client=httpx.AsyncClient(transport=transport), **options)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_failed_call_leaves_no_secret_in_frames_text_or_logs(
    kind: str, scenario: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    make, handler, call = SCENARIOS[scenario]
    client = _client(kind, make(), handler)
    exc = _raised(lambda: drive(kind, client, call))
    assert isinstance(exc, PlatformError), repr(exc)
    assert_no_sentinel(frame_texts(exc), f"{scenario} ({kind})")
    assert_no_sentinel([caplog.text, pickle.dumps(exc).decode("latin-1")], "logs and pickle")


def test_the_echoed_token_is_redacted_where_the_message_was() -> None:
    client = _client("sync", _wechat(), wechat_echoes_the_token)
    exc = _raised(lambda: client.send_message("openid", "hi"))
    assert isinstance(exc, AuthenticationError)
    assert "access_token is [redacted]" in str(exc)  # the rest of the message stays
    assert "rid: 65a1-[redacted]" in repr(exc)


def test_a_failed_publish_result_keeps_no_secret(kind: str) -> None:
    """``publish`` returns its error inside the result: the same guarantees hold."""
    client = _client(kind, _wecom(), wecom_token_server_error)
    post = PlatformPost(platform="wecom", piece_id="p", body="会议改到三点")
    result = drive(kind, client, lambda c: c.publish(post))
    assert not result.ok and result.exception is not None
    texts = frame_texts(result.exception)
    texts += [repr(result), result.model_dump_json()]
    assert_no_sentinel(texts, "publish result")


async def wechat_hangs_after_token(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return wechat_token_ok(request)
    await asyncio.sleep(60)  # cancelled long before
    raise AssertionError("not reached")


def test_a_cancelled_call_leaves_no_secret_in_frames() -> None:
    """A timeout around an async call cancels it mid-request: the cancellation's
    traceback went through the authorised request's frames, and is cleared too."""
    client = _client("async", _wechat(), wechat_hangs_after_token)

    async def main() -> None:
        await asyncio.wait_for(client.send_message("openid", "hi"), timeout=0.5)

    exc = _raised(lambda: asyncio.run(main()))
    assert isinstance(exc, asyncio.TimeoutError)
    assert any(isinstance(e, asyncio.CancelledError) for e in _chain(exc))
    assert_no_sentinel(frame_texts(exc), "cancelled call")


def test_a_callers_own_exception_keeps_its_frames() -> None:
    """Only the frames the client's error went through are cleared, not the caller's."""
    client = _client("sync", _wechat(), wechat_echoes_the_secret)

    def callers_helper() -> None:
        mine = "caller-local-value"
        raise KeyError(mine)

    def caller_code() -> BaseException:
        try:
            callers_helper()
        except KeyError:
            return _raised(lambda: client.send_message("openid", "hi"))
        raise AssertionError("unreachable")

    exc = caller_code()
    context = exc.__context__
    while context is not None and not isinstance(context, KeyError):
        context = context.__context__
    assert isinstance(context, KeyError)  # the caller's exception, still chained...
    tb = context.__traceback__
    assert tb is not None and tb.tb_next is not None
    assert tb.tb_next.tb_frame.f_locals.get("mine") == "caller-local-value"  # ...untouched


# -- pickles ----------------------------------------------------------------------------------


def _holders(tmp_path: Path) -> dict[str, object]:
    creds = Credentials(client_id="wx1", client_secret=SECRET, refresh_token=REFRESH)
    transport = httpx.MockTransport(wechat_token_ok)
    return {
        "Credentials": creds,
        "Token": Token(access_token=ACCESS, refresh_token=REFRESH),
        "InMemoryTokenStore": InMemoryTokenStore(),
        "FileTokenStore": FileTokenStore(tmp_path / "tokens.json"),
        "WeChatOfficialAccountAdapter": _wechat(),
        "WeComAdapter": _wecom(),
        "MastodonAdapter": _mastodon_static(),
        "BlueskyAdapter": _bluesky(),
        "SandboxAdapter": SandboxAdapter(credentials=creds),
        "Client": Client(_wechat(), http_client=httpx.Client(transport=transport)),
        "AsyncClient": AsyncClient(_wechat(), http_client=httpx.AsyncClient(transport=transport)),
        "MessageCrypto": MessageCrypto(token=SECRET, encoding_aes_key=AES_KEY, receive_id="wx1"),
        "WeChatCallback": WeChatCallback(token=SECRET, app_id="wx1", encoding_aes_key=AES_KEY),
        "WeComCallback": WeComCallback(token=SECRET, corp_id="ww1", encoding_aes_key=AES_KEY),
    }


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secret_holders_refuse_to_pickle(tmp_path: Path, protocol: int) -> None:
    for name, holder in _holders(tmp_path).items():
        for wrapped in (holder, [holder], {"inside": (holder,)}):
            with pytest.raises(NotPicklableError) as info:
                pickle.dumps(wrapped, protocol=protocol)
            err = info.value
            assert isinstance(err, TypeError)  # what pickle's callers expect
            assert name in str(err) and "cannot be pickled" in str(err)
            assert_no_sentinel(frame_texts(err), f"pickling {name}")


def test_copies_in_memory_follow_a_documented_rule(tmp_path: Path) -> None:
    """Credentials and tokens are values: ``copy``/``deepcopy``/``model_copy`` work and
    stay hidden. Stores, adapters, clients and webhook handlers hold locks, caches and
    connections: they refuse copying as they refuse pickling (a copy would split the
    one refresh lock)."""
    holders = _holders(tmp_path)
    for name in ("Credentials", "Token"):
        value: Any = holders.pop(name)
        for twin in (copy.copy(value), copy.deepcopy(value), value.model_copy()):
            assert twin == value
            assert_no_sentinel([repr(twin), str(twin), twin.model_dump_json()], name)
    for name, holder in holders.items():
        for copier in (copy.copy, copy.deepcopy):
            with pytest.raises(NotPicklableError, match=name):
                copier(holder)


def test_errors_and_results_still_pickle_without_secrets() -> None:
    """Values that travel between processes (errors, results) pickle, and hold no secret."""
    client = _client("sync", _wechat(), wechat_echoes_the_token)
    exc = _raised(lambda: client.send_message("openid", "hi"))
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is type(exc) and str(again) == str(exc)
    assert_no_sentinel([pickle.dumps(exc).decode("latin-1"), str(again)], "pickled error")


# -- validation errors -------------------------------------------------------------------------


VALIDATION_CASES: dict[str, Callable[[], object]] = {
    "numeric client_secret": lambda: Credentials(client_id="wx1", client_secret=NUMERIC),
    "numeric refresh_token": lambda: Credentials(
        client_id="wx1", client_secret="x", refresh_token=NUMERIC
    ),
    "secret under a wrong name": lambda: Credentials(client_id="wx1", secret=SECRET),  # type: ignore[call-arg]
    "secret in a list": lambda: Credentials(client_id="wx1", client_secret=[SECRET]),
    "numeric access_token": lambda: Token(access_token=NUMERIC),
    "model_validate": lambda: Token.model_validate({"access_token": NUMERIC, "x": ACCESS}),
    "model_validate_json": lambda: Token.model_validate_json(
        json.dumps({"access_token": NUMERIC, "refresh_token": [REFRESH]})
    ),
    "mastodon access_token": lambda: MastodonAdapter(access_token=NUMERIC),  # type: ignore[arg-type]
    "callback token": lambda: WeChatCallback(token=NUMERIC, app_id="wx1"),  # type: ignore[arg-type]
    "bad aes key": lambda: MessageCrypto(
        token=SECRET, encoding_aes_key=AES_KEY[:-1] + "!", receive_id="wx1"
    ),
    "numeric aes key": lambda: WeComCallback(
        token=SECRET,
        corp_id="ww1",
        encoding_aes_key=NUMERIC,  # type: ignore[arg-type]
    ),
}


@pytest.mark.parametrize("case", list(VALIDATION_CASES))
def test_validation_errors_do_not_echo_a_secret(case: str) -> None:
    exc = _raised(VALIDATION_CASES[case])
    assert isinstance(exc, InvalidInputError), repr(exc)
    assert exc.fields  # the field is still named
    assert_no_sentinel(frame_texts(exc), case)


def test_a_corrupt_token_file_is_reported_without_its_contents(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    path.write_text('{"k": {"access_token": "' + ACCESS + '", ', "utf-8")  # cut short
    exc = _raised(lambda: store.get("k"))
    assert isinstance(exc, ConfigurationError) and "not valid JSON" in str(exc)
    assert_no_sentinel(frame_texts(exc), "corrupt JSON")
    path.write_text(json.dumps({"k": {"access_token": NUMERIC, "refresh_token": REFRESH}}))
    exc = _raised(lambda: store.get("k"))
    assert isinstance(exc, InvalidInputError)
    assert_no_sentinel(frame_texts(exc), "wrong-typed token in the file")


class _FakeRedis:
    """Just enough of redis-py for ``RedisTokenStore.get``: one stored value."""

    def __init__(self, value: bytes) -> None:
        self.value = value

    def get(self, key: str) -> bytes:
        return self.value

    def set(self, key: str, value: str) -> None:
        self.value = value.encode()

    def register_script(self, script: str) -> object:
        return object()


def test_a_corrupt_redis_token_is_reported_without_its_contents() -> None:
    pytest.importorskip("redis")
    from smmkit.platforms.redis import RedisTokenStore

    fake = _FakeRedis(b'{"access_token": "' + ACCESS.encode() + b'", "refresh')
    store = RedisTokenStore(fake)  # type: ignore[arg-type]
    exc = _raised(lambda: store.get("k"))
    assert isinstance(exc, ConfigurationError) and "not valid JSON" in str(exc)
    assert_no_sentinel(frame_texts(exc), "corrupt Redis value")
    fake.value = json.dumps({"access_token": NUMERIC, "refresh_token": REFRESH}).encode()
    exc = _raised(lambda: store.get("k"))
    assert isinstance(exc, InvalidInputError)
    assert_no_sentinel(frame_texts(exc), "wrong-typed token in Redis")
    with pytest.raises(NotPicklableError, match="RedisTokenStore"):
        pickle.dumps(store)


# -- webhooks: frames of refused callbacks ------------------------------------------------------


def test_a_refused_callback_leaves_no_key_in_frames() -> None:
    import base64

    raw = base64.b64decode(AES_KEY + "=")
    callback = WeComCallback(token=SECRET, corp_id="ww1", encoding_aes_key=AES_KEY)
    crypto = MessageCrypto(token=SECRET, encoding_aes_key=AES_KEY, receive_id="ww-other")
    sealed = crypto.encrypt("<xml><MsgType>text</MsgType></xml>")
    params = {
        "timestamp": "1700000000",
        "nonce": "1",
        "msg_signature": crypto.sign("1700000000", "1", sealed),
    }
    body = f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
    exc = _raised(lambda: callback.parse(params, body, now=None))
    texts = frame_texts(exc)
    assert_no_sentinel(texts, "refused callback")
    for form in (raw.hex(), repr(raw)[2:-1]):
        assert not any(form in text for text in texts)


# -- logs of a real exchange ----------------------------------------------------------------------


class _Handler(JsonHandler):
    """Token and API answers that set a session cookie and echo a credential header."""

    extra_headers: ClassVar[Mapping[str, str]] = {
        "Set-Cookie": f"session={COOKIE}; Path=/; HttpOnly",
        "X-Echo-Authorization": f"Bearer {ACCESS}",
        "X-Refresh-Token": REFRESH,
    }

    def body(self, path: str) -> dict[str, Any]:
        if path in ("/cgi-bin/stable_token", "/oauth/token"):
            return {"access_token": ACCESS, "expires_in": 7200}
        # both a WeChat success and a Mastodon status
        return {"errcode": 0, "errmsg": "ok", "msgid": "m1", "id": "1",
                "created_at": "2026-01-01T00:00:00Z"}  # fmt: skip


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


@pytest.mark.parametrize("platform", ["wechat_oa", "mastodon"])
def test_httpcore_debug_logs_show_no_credential_header(
    kind: str, platform: str, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    adapter: Any
    if platform == "wechat_oa":
        adapter = WeChatOfficialAccountAdapter(
            base_url=base_url, credentials=Credentials(client_id="wx1", client_secret=SECRET)
        )
    else:
        adapter = MastodonAdapter(base_url=base_url, access_token=ACCESS)
    options: dict[str, Any] = {"token_store": InMemoryTokenStore()}
    client: Any
    if kind == "sync":
        client = Client(adapter, http_client=httpx.Client(trust_env=False), **options)
    else:
        client = AsyncClient(adapter, http_client=httpx.AsyncClient(trust_env=False), **options)
    drive(kind, client, lambda c: c.send_message("o1", "hi"))
    lines = [r.getMessage() for r in caplog.records]
    headers = [m for m in lines if m.startswith("receive_response_headers.complete")]
    assert headers and "(b'Set-Cookie', b'[redacted]')" in headers[0], headers  # logged...
    assert "(b'Content-Type', b'application/json')" in headers[0]  # ...others kept
    assert_no_sentinel([caplog.text], f"httpcore logs ({platform})")
