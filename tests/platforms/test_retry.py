"""RetryPolicy: what is retried, how long it waits, and tenacity on both drivers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PlatformError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TokenExpiredError,
    TransportError,
)
from smmkit.platforms import RetryPolicy


def _transport(cause: Exception) -> TransportError:
    err = (
        RequestTimeoutError("t")
        if isinstance(cause, httpx.TimeoutException)
        else TransportError("t")
    )
    err.__cause__ = cause
    return err


@pytest.mark.parametrize(
    ("exc", "safe", "retry"),
    [
        (ServerError("busy", status=503), True, True),
        (ServerError("busy", status=503), False, False),  # a publish may have happened
        (ServerError("busy", status=200), False, True),  # "busy" code in a 200 body
        (ServerError("timeout", status=408), False, True),
        (ServerError("nope", status=501), True, False),
        (ServerError("back in 30 s", status=503, retry_after=30), True, True),
        (ServerError("back in an hour", status=503, retry_after=3600), True, False),
        (RateLimitError("slow", status=429), False, True),
        (RateLimitError("slow", status=429, retry_after=60), False, True),
        (RateLimitError("slow", status=429, retry_after=900), True, False),  # above the cap
        (_transport(httpx.ConnectError("refused")), False, True),  # never sent
        (_transport(httpx.ReadError("reset")), False, False),
        (_transport(httpx.ReadError("reset")), True, True),
        (_transport(httpx.ReadTimeout("slow")), True, True),
        (TokenExpiredError("expired", status=401), False, True),
        (AuthenticationError("bad secret", status=401), True, False),
        (BadRequestError("too long", status=422), True, False),
        (NotFoundError("gone", status=404), True, False),
        (ValueError("not ours"), True, False),
    ],
)
def test_should_retry(exc: Exception, safe: bool, retry: bool) -> None:
    assert RetryPolicy().should_retry(exc, safe=safe, attempt=1) is retry


def test_no_retry_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    busy = ServerError("busy", status=503)
    assert policy.should_retry(busy, safe=True, attempt=2)
    assert not policy.should_retry(busy, safe=True, attempt=3)


def test_waits_grow_exponentially_and_are_capped() -> None:
    policy = RetryPolicy(jitter=0, initial_backoff=1, backoff_multiplier=2, max_backoff=5)
    waits = [policy.wait_seconds(n, ServerError("busy")) for n in range(1, 6)]
    assert waits == [1, 2, 4, 5, 5]


def test_server_wait_is_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=60)
    assert policy.wait_seconds(1, RateLimitError("x", retry_after=12.5)) == 12.5
    assert policy.wait_seconds(1, RateLimitError("x", retry_after=600)) == 60
    assert policy.wait_seconds(4, TokenExpiredError("x")) == 0


@given(
    attempt=st.integers(1, 50),
    retry_after=st.none() | st.floats(0, 1e6),
    jitter=st.floats(0, 1),
)
def test_wait_is_never_negative_nor_above_the_caps(
    attempt: int, retry_after: float | None, jitter: float
) -> None:
    policy = RetryPolicy(jitter=jitter, max_backoff=30, max_retry_after=120)
    wait = policy.wait_seconds(attempt, RateLimitError("x", retry_after=retry_after))
    assert 0 <= wait <= 120


def test_invalid_policy_names_the_field() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def _flaky(failures: list[Exception]) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "ok"

    return calls, call


def test_sync_retrying_retries_then_succeeds() -> None:
    slept: list[float] = []
    calls, call = _flaky([ServerError("a", status=503), RateLimitError("b", retry_after=3)])
    policy = RetryPolicy(jitter=0, initial_backoff=1)
    assert policy.retrying(safe=True, sleep=slept.append)(call) == "ok"
    assert len(calls) == 3
    assert slept == [1.0, 3.0]


def test_async_retrying_follows_the_same_policy() -> None:
    slept: list[float] = []

    async def nap(seconds: float) -> None:
        slept.append(seconds)

    failures: list[Exception] = [ServerError("a", status=503), RateLimitError("b", retry_after=3)]

    async def call() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    policy = RetryPolicy(jitter=0, initial_backoff=1)
    assert asyncio.run(policy.async_retrying(safe=True, sleep=nap)(call)) == "ok"
    assert slept == [1.0, 3.0]


def test_reraises_the_smmkit_error_not_tenacitys() -> None:
    calls, call = _flaky([ServerError("a", status=503)] * 5)
    with pytest.raises(ServerError):
        RetryPolicy(max_attempts=3).retrying(safe=True, sleep=lambda s: None)(call)
    assert len(calls) == 3


def test_total_wait_budget_stops_retries() -> None:
    calls, call = _flaky([RateLimitError("a", retry_after=100)] * 10)
    policy = RetryPolicy(max_attempts=10, max_total_wait=150)
    with pytest.raises(PlatformError):
        policy.retrying(safe=True, sleep=lambda s: None)(call)
    assert len(calls) == 2


@pytest.mark.parametrize("safe", [True, False])
def test_a_rejected_token_is_retried_once_per_request(safe: bool) -> None:
    policy = RetryPolicy(max_attempts=10, jitter=0)
    expired = TokenExpiredError("access_token expired", code=42001)
    assert policy.should_retry(expired, safe=safe, attempt=1, token_refreshes=0)
    assert not policy.should_retry(expired, safe=safe, attempt=2, token_refreshes=1)
    calls, call = _flaky([expired] * 5)
    with pytest.raises(TokenExpiredError):
        policy.retrying(safe=safe, sleep=lambda s: None)(call)
    assert len(calls) == 2


def test_other_failures_between_token_rejections_do_not_reset_the_count() -> None:
    expired = TokenExpiredError("access_token expired", code=42001)
    calls, call = _flaky([expired, ServerError("busy", status=503), expired, expired])
    policy = RetryPolicy(max_attempts=10, jitter=0)
    with pytest.raises(TokenExpiredError):
        policy.retrying(safe=True, sleep=lambda s: None)(call)
    assert len(calls) == 3  # expired (retried), 503 (retried), expired again: stop


def test_every_request_gets_its_own_token_retry() -> None:
    policy = RetryPolicy(max_attempts=10, jitter=0)
    for _ in range(2):  # a fresh Retrying per request starts with a fresh count
        calls, call = _flaky([TokenExpiredError("expired", code=42001)])
        assert policy.retrying(safe=False, sleep=lambda s: None)(call) == "ok"
        assert len(calls) == 2


def test_async_retrying_retries_a_rejected_token_once() -> None:
    attempts: list[int] = []

    async def nap(seconds: float) -> None:
        del seconds

    async def call() -> str:
        attempts.append(1)
        raise TokenExpiredError("expired", code=42001)

    policy = RetryPolicy(max_attempts=10)
    with pytest.raises(TokenExpiredError):
        asyncio.run(policy.async_retrying(safe=False, sleep=nap)(call))
    assert len(attempts) == 2


def test_a_503_with_retry_after_waits_as_asked() -> None:
    from smmkit.platforms import Client, SimulatedClock
    from smmkit.platforms._auth import InMemoryTokenStore, Token
    from smmkit.platforms.sandbox import SandboxAdapter

    clock = SimulatedClock()
    hits: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        hits.append(clock.time())
        if len(hits) == 1:
            return httpx.Response(503, headers={"Retry-After": "30"}, json={"error": "down"})
        body = {"period_start": 0, "period_end": 1, "impressions": 1}
        return httpx.Response(200, json={**body, "likes": 0, "comments": 0, "shares": 0})

    store = InMemoryTokenStore()
    client = Client(
        SandboxAdapter(),
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        token_store=store,
        clock=clock,
        retry=RetryPolicy(jitter=0),
    )
    store.put(client._core.token_key, Token(access_token="t"))
    client.metrics("p1")
    assert hits[1] - hits[0] == 30.0
    assert RetryPolicy().wait_seconds(1, ServerError("x", status=503, retry_after=12)) == 12.0
