"""The drivers: every scenario runs on Client and AsyncClient (the ``driver`` fixture)."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from datetime import datetime, timezone
from typing import Any, ClassVar

import httpx
import pytest

from smmkit.exceptions import (
    NotFoundError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    TransportError,
    UnsupportedOperationError,
)
from smmkit.models import MediaAsset
from smmkit.platforms import (
    AsyncClient,
    Capability,
    Client,
    Credentials,
    FaultPlan,
    MediaState,
    Now,
    PlatformAdapter,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    Storm,
    Token,
    Wait,
)
from smmkit.platforms._adapter import Flow
from smmkit.testing import FaultInjectingTransport, RecordingTransport, client_for, run_flow


def test_every_operation(driver: Any, sandbox: SandboxPlatform) -> None:
    client = driver.client(sandbox)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Tea time")))
    post_id = result.receipt.post_id
    assert isinstance(sandbox.clock, SimulatedClock)
    sandbox.clock.advance(6 * 3600)  # let engagement grow
    metrics = driver(client, lambda c: c.metrics(post_id))
    comments = driver(client, lambda c: c.comments(post_id))
    assert {m.metric for m in metrics} == {"impressions", "likes", "comments", "shares"}
    assert next(m for m in metrics if m.metric == "impressions").value > 0
    assert next(m for m in metrics if m.metric == "comments").value == len(comments)
    if comments:
        reply = driver(client, lambda c: c.reply(post_id, comments[0].id, "Thank you!"))
        assert reply.in_reply_to == comments[0].id
        assert comments[0].to_interaction().kind.value == "comment"
    message = driver(client, lambda c: c.send_message("user42", "Your coupon: TEA10"))
    assert message.recipient == "user42"
    assert sandbox.messages[-1]["text"] == "Your coupon: TEA10"
    handle = driver(
        client,
        lambda c: c.upload_media(
            MediaAsset(kind="image", url="https://cdn.example/a.png", size_bytes=10)
        ),
    )
    assert handle.state is MediaState.READY
    driver(client, lambda c: c.delete(post_id))
    with pytest.raises(NotFoundError) as caught:
        driver(client, lambda c: c.delete(post_id))
    assert caught.value.status == 404
    assert caught.value.request_id == "sbx-not_found"
    assert caught.value.url == f"https://sandbox.smmkit.invalid/api/posts/{post_id}"


def test_errors_are_thrown_into_the_flow(driver: Any, sandbox: SandboxPlatform) -> None:
    """A flow may catch a translated error (a read-back that finds nothing, say)."""
    adapter = sandbox.adapter()

    def delete_if_present(post_id: str) -> Flow[bool]:
        try:
            yield from adapter.delete(post_id)
        except NotFoundError:
            return False
        return True

    client = driver.client(sandbox)
    assert driver(client, lambda c: c.run(delete_if_present("nope"))) is False


def test_wait_pauses_on_the_clock(driver: Any, sandbox: SandboxPlatform) -> None:
    def flow() -> Generator[Any, Any, float]:
        before = sandbox.clock.time()
        yield Wait(42)
        return sandbox.clock.time() - before

    assert driver(driver.client(sandbox), lambda c: c.run(flow())) == 42


def test_now_is_answered_from_the_drivers_clock(driver: Any, sandbox: SandboxPlatform) -> None:
    def flow() -> Generator[Any, Any, tuple[datetime, datetime]]:
        first = yield Now()
        yield Wait(90)
        second = yield Now()
        return first, second

    assert isinstance(sandbox.clock, SimulatedClock)
    sandbox.clock.advance(3600)
    first, second = driver(driver.client(sandbox), lambda c: c.run(flow()))
    assert first == datetime(2026, 1, 1, 1, tzinfo=timezone.utc)
    assert first.tzinfo is not None and (second - first).total_seconds() == 90


def _client(driver: Any, adapter: PlatformAdapter, transport: Any, **options: Any) -> Any:
    return client_for(driver.kind, adapter, transport, **options)


def test_safe_requests_are_retried_until_they_succeed(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock)
    faults = [None, None, "503", "connection_reset", "timeout"]
    recording = RecordingTransport(FaultInjectingTransport(sandbox, faults))
    adapter = sandbox.adapter()
    client = _client(driver, adapter, recording, clock=clock)
    receipt = driver(client, lambda c: c.run(adapter.publish(sandbox.sample_post("x"))))
    comments = driver(client, lambda c: c.run(adapter.comments(receipt.post_id)))
    assert all(c.post_id == receipt.post_id for c in comments)
    assert [r.method for r in recording.requests] == ["POST", "POST", "GET", "GET", "GET", "GET"]
    assert clock.slept > 0


def test_retries_give_up_with_the_last_error(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock)
    # The token call passes: a token endpoint that fails is a TokenUnavailableError.
    transport = FaultInjectingTransport(sandbox, [None] + ["503"] * 5)
    adapter = sandbox.adapter()
    client = _client(driver, adapter, transport, clock=clock, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(ServerError) as caught:
        driver(client, lambda c: c.run(adapter.comments("p1")))
    assert transport.seen == 1 + 3
    assert caught.value.status == 503


def test_an_unsafe_publish_is_not_blindly_resent(driver: Any, clock: SimulatedClock) -> None:
    """A POST without idempotency key that timed out goes back to its caller, once."""
    sandbox = SandboxPlatform(clock=clock)
    adapter = sandbox.adapter(read_back=True)
    transport = FaultInjectingTransport(sandbox, [None, "timeout", None])
    client = _client(driver, adapter, transport, clock=clock)
    with pytest.raises(TransportError):
        driver(client, lambda c: c.run(adapter.publish(sandbox.sample_post("x"))))
    assert transport.seen == 2


def test_connection_refused_publish_is_resent(driver: Any, clock: SimulatedClock) -> None:
    """Nothing left the machine: resending cannot publish twice."""
    sandbox = SandboxPlatform(clock=clock)
    adapter = sandbox.adapter(read_back=True)
    transport = FaultInjectingTransport(sandbox, [None, "connect_error", None])
    client = _client(driver, adapter, transport, clock=clock)
    driver(client, lambda c: c.run(adapter.publish(sandbox.sample_post("x"))))
    assert sandbox.published_count == 1


def test_unsupported_operation(driver: Any) -> None:
    class TextOnly(PlatformAdapter):
        name = platform_id = "mastodon"
        capabilities: ClassVar = frozenset({Capability.PUBLISH_TEXT})

    adapter = TextOnly()
    client = _client(driver, adapter, httpx.MockTransport(lambda r: httpx.Response(200)))
    with pytest.raises(UnsupportedOperationError, match="delete"):
        driver(client, lambda c: c.delete("1"))


class WeChatLike(PlatformAdapter):
    """Errors in HTTP 200 bodies, token in the query string: WeChat's shape."""

    name = "wechat_like"
    platform_id = "wechat_oa"
    default_base_url = "https://api.weixin.example/cgi-bin/"
    requires_token = True
    throttle_codes: ClassVar = frozenset({45009, 45011})
    token_expired_codes: ClassVar = frozenset({40001, 40014, 42001})
    capabilities: ClassVar = frozenset({Capability.PUBLISH_TEXT})

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        url = request.url.copy_merge_params({"access_token": token.access_token.get_secret_value()})
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            content=request.content,
            extensions=request.extensions,
        )

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        assert self.credentials is not None
        response = yield self.request(
            "GET",
            "token",
            endpoint="token",
            params={
                "grant_type": "client_credential",
                "appid": self.credentials.client_id,
                "secret": self.credentials.client_secret.get_secret_value(),
            },
        )
        return Token(access_token=response.json()["access_token"])

    def ping(self) -> Flow[dict[str, Any]]:
        response = yield self.request("GET", "getcallbackip", endpoint="api")
        body: dict[str, Any] = response.json()
        return body


class WeChatServer:
    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.answers = answers
        self.tokens = 0
        self.urls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        if request.url.path.endswith("/token"):
            self.tokens += 1
            return httpx.Response(
                200, json={"access_token": f"WXTOKEN{self.tokens}", "expires_in": 7200}
            )
        return httpx.Response(200, json=self.answers.pop(0))


@pytest.mark.parametrize("code", [45009, 45011])
def test_wechat_throttling_in_http_200_is_retried(driver: Any, code: int) -> None:
    server = WeChatServer(
        [{"errcode": code, "errmsg": "api freq out of limit"}, {"errcode": 0, "ip_list": []}]
    )
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(driver, adapter, httpx.MockTransport(server), clock=SimulatedClock())
    assert driver(client, lambda c: c.run(adapter.ping())) == {"errcode": 0, "ip_list": []}
    assert len(server.urls) == 3


def test_wechat_errors_carry_code_and_no_token(driver: Any) -> None:
    server = WeChatServer([{"errcode": 45009, "errmsg": "reach max api daily quota limit"}] * 3)
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(
        driver,
        adapter,
        httpx.MockTransport(server),
        clock=SimulatedClock(),
        retry=RetryPolicy(max_attempts=2),
    )
    with pytest.raises(RateLimitError) as caught:
        driver(client, lambda c: c.run(adapter.ping()))
    err = caught.value
    assert err.code == 45009 and err.status == 200 and err.platform == "wechat_oa"
    assert "WXTOKEN" not in str(err) and "WXSECRET" not in str(err)
    assert err.url == "https://api.weixin.example/cgi-bin/getcallbackip?access_token=[redacted]"
    assert any("WXTOKEN1" in u for u in server.urls)  # the token did travel in the query


def test_wechat_token_invalidated_elsewhere_is_refetched(driver: Any) -> None:
    server = WeChatServer([{"errcode": 40001, "errmsg": "invalid credential"}, {"errcode": 0}])
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(driver, adapter, httpx.MockTransport(server), clock=SimulatedClock())
    assert driver(client, lambda c: c.run(adapter.ping())) == {"errcode": 0}
    assert server.tokens == 2
    assert "access_token=WXTOKEN2" in server.urls[-1]


@pytest.mark.parametrize("code", [40001, 40014, 42001])
def test_an_endpoint_that_keeps_rejecting_tokens_costs_exactly_one_refresh(
    driver: Any, code: int
) -> None:
    server = WeChatServer([{"errcode": code, "errmsg": "access_token expired"}] * 9)
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(
        driver,
        adapter,
        httpx.MockTransport(server),
        clock=SimulatedClock(),
        retry=RetryPolicy(max_attempts=8),  # plenty of attempts left: the cap is the rule
    )
    with pytest.raises(TokenExpiredError) as caught:
        driver(client, lambda c: c.run(adapter.ping()))
    assert caught.value.code == code
    assert server.tokens == 2  # the first token, then exactly one refresh
    calls = [u for u in server.urls if "getcallbackip" in u]
    assert len(calls) == 2  # the refused call and one retry with the new token
    assert "access_token=WXTOKEN1" in calls[0] and "access_token=WXTOKEN2" in calls[1]


def test_each_request_gets_its_own_refresh(driver: Any) -> None:
    server = WeChatServer(
        [{"errcode": 42001, "errmsg": "access_token expired"}] * 2
        + [{"errcode": 42001, "errmsg": "access_token expired"}, {"errcode": 0}]
    )
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(driver, adapter, httpx.MockTransport(server), clock=SimulatedClock())
    with pytest.raises(TokenExpiredError):
        driver(client, lambda c: c.run(adapter.ping()))
    # The next request starts with a refresh (its token was refused last), and its own
    # refusal earns it one more.
    assert driver(client, lambda c: c.run(adapter.ping())) == {"errcode": 0}
    assert server.tokens == 4


def test_a_refused_token_is_replaced_even_when_the_policy_never_retries(driver: Any) -> None:
    server = WeChatServer([{"errcode": 42001, "errmsg": "access_token expired"}, {"errcode": 0}])
    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="WXSECRET"))
    client = _client(
        driver,
        adapter,
        httpx.MockTransport(server),
        clock=SimulatedClock(),
        retry=RetryPolicy.none(),
    )
    with pytest.raises(TokenExpiredError):
        driver(client, lambda c: c.run(adapter.ping()))
    assert server.tokens == 1  # no retry, so no refresh yet...
    assert driver(client, lambda c: c.run(adapter.ping())) == {"errcode": 0}
    assert server.tokens == 2  # ...but the next request does not reuse the refused token
    assert "access_token=WXTOKEN2" in server.urls[-1]


@pytest.mark.parametrize("style", ["retry-after", "x", "mastodon", "ietf"])
def test_reset_headers_of_every_style_are_honoured(driver: Any, style: str) -> None:
    clock = SimulatedClock()
    faults = FaultPlan(storms=[Storm(kind="rate_limit", start=1)], retry_after=30)
    sandbox = SandboxPlatform(clock=clock, rate_limit_style=style, faults=faults)
    client = driver.client(sandbox, retry=RetryPolicy(jitter=0))
    start = clock.time()
    result = driver(client, lambda c: c.publish(sandbox.sample_post("x")))
    assert result.ok
    assert sandbox.throttled == 1
    assert 30 <= clock.time() - start <= 32  # waited for the reset, not a default backoff


def test_a_reset_beyond_the_cap_is_reported_not_waited(driver: Any) -> None:
    clock = SimulatedClock()
    faults = FaultPlan(storms=[Storm(kind="rate_limit", start=1)], retry_after=900)
    sandbox = SandboxPlatform(clock=clock, faults=faults)
    client = driver.client(sandbox, retry=RetryPolicy(max_retry_after=120))
    result = driver(client, lambda c: c.publish(sandbox.sample_post("x")))
    assert not result.ok
    assert result.error.error_type == "RateLimitError"
    assert result.error.retry_after == 900
    assert clock.time() - SimulatedClock().time() < 1  # did not sleep 900 s
    assert sandbox.published_count == 0


def test_http_errors_never_escape(driver: Any) -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("garbage", request=request)

    adapter = WeChatLike(credentials=Credentials(client_id="wx1", client_secret="s"))
    client = _client(driver, adapter, httpx.MockTransport(explode), retry=RetryPolicy.none())
    with pytest.raises(PlatformError) as caught:
        driver(client, lambda c: c.run(adapter.ping()))
    assert not isinstance(caught.value, httpx.HTTPError)
    # The httpx error is named, not chained: its request carries the credentials.
    assert "RemoteProtocolError" in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_requests_get_the_client_timeout(driver: Any, sandbox: SandboxPlatform) -> None:
    recording = RecordingTransport(sandbox)
    adapter = sandbox.adapter()
    timeout = httpx.Timeout(3.0)
    if driver.kind == "sync":
        client: Any = Client(
            adapter,
            http_client=httpx.Client(transport=recording, timeout=timeout),
            clock=sandbox.clock,
        )
    else:
        client = AsyncClient(
            adapter,
            http_client=httpx.AsyncClient(transport=recording, timeout=timeout),
            clock=sandbox.clock,
        )
    driver(client, lambda c: c.publish(sandbox.sample_post("x")))
    assert all(r.extensions["timeout"]["read"] == 3.0 for r in recording.requests)


def test_flows_can_be_stepped_by_hand() -> None:
    sandbox_adapter = SandboxPlatform().adapter()

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/posts/p9/comments"
        return httpx.Response(
            200,
            json={
                "comments": [
                    {"id": "c1", "author": "u1", "text": "hi", "created_at": 0, "in_reply_to": None}
                ]
            },
        )

    comments = run_flow(sandbox_adapter.comments("p9"), server)
    assert [c.text for c in comments] == ["hi"]
    assert json.loads(httpx.Response(200, json=[]).content) == []


def test_client_reprs_show_no_credentials(sandbox: SandboxPlatform) -> None:
    client = sandbox.client()
    async_client = sandbox.async_client()
    for text in (repr(client), repr(async_client)):
        assert "sandbox-secret" not in text
        assert "SandboxAdapter" in text


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("lose_first_answer", [True, False])
def test_a_retried_delete_that_finds_nothing_succeeded(kind: str, lose_first_answer: bool) -> None:
    """DELETE is retried after a lost answer; the retry's 404 means the first attempt
    deleted the post. Without a lost answer a 404 stays a NotFoundError."""
    import asyncio

    from smmkit.exceptions import NotFoundError
    from smmkit.platforms import AsyncClient, Client, SandboxPlatform, SimulatedClock

    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock)
    lost: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        response = sandbox.handle_request(request)
        if request.method == "DELETE" and lose_first_answer and not lost:
            lost.append(1)
            raise httpx.ReadTimeout("answer lost", request=request)
        return response

    receipt = sandbox.client().publish(sandbox.sample_post("bye")).receipt
    assert receipt is not None and receipt.post_id is not None
    post_id = receipt.post_id
    missing = post_id if lose_first_answer else "no-such-post"
    call: Callable[[], object]
    if kind == "sync":
        client = Client(
            sandbox.adapter(),
            http_client=httpx.Client(transport=httpx.MockTransport(answer)),
            clock=clock,
        )
        call = lambda: client.delete(missing)  # noqa: E731
    else:
        aclient = AsyncClient(
            sandbox.adapter(),
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
            clock=clock,
        )
        call = lambda: asyncio.run(aclient.delete(missing))  # noqa: E731
    if lose_first_answer:
        call()
        assert sandbox.posts[0].deleted and lost == [1]
    else:
        with pytest.raises(NotFoundError):
            call()
