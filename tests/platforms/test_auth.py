"""Credentials, token stores and single-flight refresh across tasks, threads and processes."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from collections.abc import Generator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, ConfigurationError
from smmkit.platforms import (
    AsyncClient,
    Client,
    Credentials,
    FileTokenStore,
    InMemoryTokenStore,
    SandboxAdapter,
    SandboxPlatform,
    SimulatedClock,
    Token,
    TokenStore,
)
from smmkit.platforms._auth import keep_refresh_token, needs_refresh
from smmkit.testing import CountingTokenEndpoint, refresh_in_processes

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
KEY = "sandbox:default"


def test_secrets_are_masked_everywhere() -> None:
    creds = Credentials(client_id="app", client_secret="hunter2", refresh_token="r-hunter2")
    token = Token(access_token="at-hunter2", refresh_token="rt-hunter2", expires_at=T0)
    for text in (
        repr(creds),
        str(creds),
        creds.model_dump_json(),
        repr(token),
        str(token),
        token.model_dump_json(),
        repr(creds.model_dump()),
    ):
        assert "hunter2" not in text


def test_token_comparison_uses_the_secret() -> None:
    assert Token(access_token="a").same_as(Token(access_token="a"))
    assert not Token(access_token="a").same_as(Token(access_token="b"))
    assert not Token(access_token="a").same_as(None)


@pytest.mark.parametrize(
    ("expires_in", "margin", "expected"),
    [(None, 60, False), (3600, 60, False), (59, 60, True), (0, 0, True), (-5, 0, True)],
)
def test_needs_refresh(expires_in: float | None, margin: float, expected: bool) -> None:
    now = T0.timestamp()
    expires = None if expires_in is None else datetime.fromtimestamp(now + expires_in, timezone.utc)
    token = Token(access_token="a", expires_at=expires)
    assert needs_refresh(token, now=now, margin=margin) is expected
    assert needs_refresh(None, now=now)


def test_a_refresh_without_refresh_token_keeps_the_old_one() -> None:
    old = Token(access_token="a", refresh_token="r1")
    assert keep_refresh_token(old, Token(access_token="b")).refresh_token.get_secret_value() == "r1"  # type: ignore[union-attr]
    rotated = keep_refresh_token(old, Token(access_token="b", refresh_token="r2"))
    assert rotated.refresh_token.get_secret_value() == "r2"  # type: ignore[union-attr]
    assert keep_refresh_token(None, Token(access_token="b")).refresh_token is None


@pytest.mark.parametrize("make", [InMemoryTokenStore, "file"])
def test_stores_satisfy_the_protocol(make: Any, tmp_path: Path) -> None:
    store = (
        InMemoryTokenStore() if make is InMemoryTokenStore else FileTokenStore(tmp_path / "t.json")
    )
    assert isinstance(store, TokenStore)
    assert store.get(KEY) is None
    with store.lock(KEY):
        store.put(KEY, Token(access_token="a", refresh_token="r", expires_at=T0))
    again = store.get(KEY)
    assert again is not None
    assert again.access_token.get_secret_value() == "a"
    assert again.expires_at == T0


def test_file_store_is_private_atomic_and_persistent(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    FileTokenStore(path).put("a:1", Token(access_token="x", refresh_token="rx"))
    FileTokenStore(path).put("b:1", Token(access_token="y"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json"]  # no temp file left
    reopened = FileTokenStore(path)
    assert reopened.get("a:1").refresh_token.get_secret_value() == "rx"  # type: ignore[union-attr]
    assert reopened.get("b:1").access_token.get_secret_value() == "y"  # type: ignore[union-attr]
    assert "x" not in repr(reopened).replace(str(tmp_path), "")


def test_file_store_rejects_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("[1, 2]")
    with pytest.raises(ConfigurationError, match="not a JSON object"):
        FileTokenStore(path).get(KEY)
    with pytest.raises(ConfigurationError, match="does not exist"):
        FileTokenStore(tmp_path / "missing" / "t.json")


def test_file_lock_excludes_other_threads(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t.json")
    inside = 0
    overlap = []

    def work() -> None:
        nonlocal inside
        for _ in range(20):
            with store.lock(KEY):
                inside += 1
                overlap.append(inside)
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(overlap) == 1


# -- refresh through the drivers -----------------------------------------------------


def _ping(adapter: SandboxAdapter) -> Generator[Any, Any, str]:
    response = yield adapter.request("POST", "/api/ping", safe=True)
    token: str = response.json()["token"]
    return token


def _seed_stale(store: TokenStore, endpoint: CountingTokenEndpoint) -> None:
    # Another worker already replaced token-0; our stored copy is stale.
    store.put(KEY, Token(access_token="token-0", refresh_token="refresh-0"))
    endpoint.seed("token-other", "refresh-0")


def _adapter() -> SandboxAdapter:
    return SandboxAdapter(credentials=Credentials(client_id="app", client_secret="s"))


def test_concurrent_tasks_refresh_once(tmp_path: Path) -> None:
    endpoint = CountingTokenEndpoint(tmp_path)
    store = FileTokenStore(tmp_path / "tokens.json")
    _seed_stale(store, endpoint)
    adapter = _adapter()

    async def main() -> list[str]:
        async with AsyncClient(
            adapter, http_client=httpx.AsyncClient(transport=endpoint), token_store=store
        ) as client:
            return await asyncio.gather(*(client.run(_ping(adapter)) for _ in range(30)))

    tokens = asyncio.run(main())
    assert set(tokens) == {"token-1"}
    assert endpoint.fetches == 1


def test_concurrent_threads_refresh_once(tmp_path: Path) -> None:
    endpoint = CountingTokenEndpoint(tmp_path)
    store = InMemoryTokenStore()
    _seed_stale(store, endpoint)
    adapter = _adapter()
    client = Client(adapter, http_client=httpx.Client(transport=endpoint), token_store=store)
    tokens: list[str] = []

    def work() -> None:
        tokens.append(client.run(_ping(adapter)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tokens == ["token-1"] * 8
    assert endpoint.fetches == 1


def test_two_processes_refresh_once_and_keep_the_refresh_token(tmp_path: Path) -> None:
    endpoint = CountingTokenEndpoint(tmp_path)
    store = FileTokenStore(tmp_path / "tokens.json")
    _seed_stale(store, endpoint)
    got = refresh_in_processes(store.path, tmp_path, processes=2)
    assert got == ["token-1", "token-1"]
    # One fetch: the second process re-read the store under the lock and adopted the
    # first one's token. Two fetches would have burnt the rotating refresh token.
    assert endpoint.fetches == 1
    stored = store.get(KEY)
    assert stored is not None
    assert stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == "refresh-1"


def test_token_expiry_mid_session_is_refreshed(driver: Any, sandbox: SandboxPlatform) -> None:
    client = driver.client(sandbox)
    first = driver(client, lambda c: c.publish(sandbox.sample_post("one")))
    sandbox.expire_tokens()
    second = driver(client, lambda c: c.publish(sandbox.sample_post("two")))
    assert first.ok and second.ok
    assert sandbox.tokens_issued == 2
    assert sandbox.published_count == 2


def test_expired_by_clock_is_refreshed_before_sending(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock, token_ttl=600)
    client = driver.client(sandbox)
    driver(client, lambda c: c.publish(sandbox.sample_post("one")))
    clock.advance(3600)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("two")))
    assert result.ok
    assert sandbox.tokens_issued == 2
    assert sandbox.throttled == 0


def test_non_rotating_refresh_keeps_the_stored_refresh_token(
    driver: Any, clock: SimulatedClock
) -> None:
    sandbox = SandboxPlatform(clock=clock, rotate_refresh_tokens=False)
    store = InMemoryTokenStore()
    client = driver.client(sandbox, token_store=store)
    driver(client, lambda c: c.publish(sandbox.sample_post("one")))
    original = store.get(KEY).refresh_token  # type: ignore[union-attr]
    sandbox.expire_tokens()
    driver(client, lambda c: c.publish(sandbox.sample_post("two")))
    refreshed = store.get(KEY)
    assert refreshed is not None and original is not None
    assert refreshed.refresh_token == original  # the platform sent none; we kept ours
    assert sandbox.tokens_issued == 2


def test_wrong_secret_is_an_authentication_error(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock, client_secret="the-real-one")
    adapter = SandboxAdapter(
        credentials=Credentials(client_id="sandbox-app", client_secret="guess")
    )
    if driver.kind == "sync":
        client: Any = Client(adapter, http_client=httpx.Client(transport=sandbox), clock=clock)
    else:
        client = AsyncClient(adapter, http_client=httpx.AsyncClient(transport=sandbox), clock=clock)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("x")))
    assert not result.ok
    assert isinstance(result.exception, AuthenticationError)
    assert "guess" not in str(result.exception)
    assert sandbox.published_count == 0


def test_a_cancelled_async_refresh_gives_the_store_lock_back() -> None:
    """A task cancelled while waiting for a store's blocking lock must not leave it held
    once the worker thread finally gets it (an ordinary lock, not a generator one)."""
    import asyncio
    import threading

    from smmkit.platforms import InMemoryTokenStore, SandboxPlatform, SimulatedClock

    class PlainLockStore(InMemoryTokenStore):
        def __init__(self) -> None:
            super().__init__()
            self.the_lock = threading.Lock()

        def lock(self, key: str) -> Any:
            return self.the_lock

    sandbox = SandboxPlatform(clock=SimulatedClock())
    store = PlainLockStore()

    async def main() -> bool:
        client = sandbox.async_client(token_store=store)
        store.the_lock.acquire()  # another worker is refreshing
        with pytest.raises((asyncio.TimeoutError, TimeoutError)):
            await asyncio.wait_for(client.metrics("p1"), timeout=0.05)
        store.the_lock.release()  # ... and finishes
        await asyncio.sleep(0.1)  # the abandoned thread takes the lock meanwhile
        for _ in range(200):  # ... and must give it back (bounded wait, no timing check)
            if not store.the_lock.locked():
                break
            await asyncio.sleep(0.01)
        return store.the_lock.locked()

    assert asyncio.run(main()) is False


def test_a_used_up_refresh_token_falls_back_to_the_app_credentials() -> None:
    """The server rotated the refresh token but the answer was lost: the resent refresh
    is refused (invalid_grant). The sandbox app logs in again with its own credentials
    instead of failing every later call."""
    from smmkit.platforms import Client, InMemoryTokenStore, SandboxPlatform, SimulatedClock

    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock, token_ttl=600)
    lost: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        response = sandbox.handle_request(request)
        if b"grant_type=refresh_token" in request.content and not lost:
            lost.append(1)
            raise httpx.ReadTimeout("answer lost after the rotation", request=request)
        return response

    client = Client(
        sandbox.adapter(),
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        token_store=InMemoryTokenStore(),
        clock=clock,
    )
    assert client.publish(sandbox.sample_post("one")).ok
    clock.advance(3600)  # the access token expired: the next call refreshes
    assert client.publish(sandbox.sample_post("two")).ok
    assert client.publish(sandbox.sample_post("three")).ok and lost == [1]


def test_mastodon_says_to_authorize_again_when_its_refresh_token_is_refused() -> None:
    from smmkit.exceptions import AuthenticationError
    from smmkit.platforms import Client, Credentials, SimulatedClock
    from smmkit.platforms.mastodon import MastodonAdapter

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(400, json={"error": "invalid_grant"})
        return httpx.Response(401, json={"error": "The access token expired"})

    adapter = MastodonAdapter(
        base_url="https://social.example",
        credentials=Credentials(client_id="c", client_secret="s", refresh_token="r"),
    )
    client = Client(
        adapter,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        clock=SimulatedClock(),
    )
    with pytest.raises(AuthenticationError, match="authorize again"):
        client.run(adapter.status("1"))
