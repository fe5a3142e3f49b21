"""Tokens and rate limits shared through Redis, for workers in many processes or machines.

One process shares its budget through :class:`~smmkit.platforms.RateLimiter` and its
token through :class:`~smmkit.platforms.InMemoryTokenStore`; processes on one machine can
share a token through :class:`~smmkit.platforms.FileTokenStore`. When the work spreads over
several processes or hosts, give every client the same Redis:

* :class:`RedisTokenStore`: tokens stored as :class:`FileTokenStore` stores them, and a
  distributed refresh lock (``SET NX PX`` with a random token, renewed while held,
  released by compare-and-delete), so that of all the workers that find a token expired
  only one asks the platform for a new one: a second WeChat fetch would invalidate the
  first;
* :class:`RedisRateLimiter`: the token buckets of :class:`RateLimiter`, kept in Redis and
  updated by one Lua script per reservation, on the server's clock, so the workers
  together stay within the platform's budget.

Both serve :class:`~smmkit.platforms.Client` and :class:`~smmkit.platforms.AsyncClient`;
the async client reserves through :meth:`RedisRateLimiter.areserve` (a worker thread, so
the event loop never waits on Redis) and waits for the lock in a worker thread. Needs the
``redis`` extra: ``pip install 'smmkit[redis]'``.

Example:
    >>> from smmkit.platforms import RequestRate, SandboxPlatform
    >>> from smmkit.platforms._redis_server import redis_server
    >>> sandbox = SandboxPlatform()
    >>> with redis_server() as url:  # your Redis' URL, e.g. redis://:password@cache:6379/0
    ...     store = RedisTokenStore.from_url(url)
    ...     limiter = RedisRateLimiter.from_url(url, {"*": RequestRate(limit=300, per_seconds=300)})
    ...     with sandbox.client(token_store=store, rate_limiter=limiter) as client:
    ...         ok = client.publish(sandbox.sample_post("Shared by every worker")).ok
    ...     stored = store.get("sandbox:default") is not None
    ...     store.close(), limiter.close()
    (None, None)
    >>> ok, stored
    (True, True)
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, NoReturn

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    ConfigurationError,
    InvalidInputError,
    MissingExtraError,
    NotPicklableError,
)
from smmkit.platforms._auth import Token, token_record
from smmkit.platforms._checks import require, require_number
from smmkit.platforms._clock import Clock
from smmkit.platforms._ratelimit import BucketKey, RateLimiter, RequestRate
from smmkit.platforms._redis_scripts import (
    RELEASE_LOCK,
    RENEW_LOCK,
    TOKEN_BUCKET,
    bucket_name,
    describe_connection,
    text,
)

try:
    import redis
except ImportError as exc:  # pragma: no cover - the extra is in the test extra
    raise MissingExtraError("redis", extra="redis") from exc

__all__ = ["RedisLock", "RedisRateLimiter", "RedisTokenStore"]

logger = logging.getLogger("smmkit.platforms.redis")

DEFAULT_PREFIX = "smmkit:"
"""Where smmkit's keys start in Redis: ``smmkit:token:<key>``, ``smmkit:lock:<key>``,
``smmkit:rate:<platform>:<account>:<endpoint>``."""

_TIMEOUTS = {"socket_timeout": 10.0, "socket_connect_timeout": 10.0}


def _client_from_url(url: str, options: dict[str, Any]) -> redis.Redis:
    """``redis.Redis.from_url`` with finite socket timeouts unless ``options`` says otherwise."""
    return redis.Redis.from_url(url, **{**_TIMEOUTS, **options})


def _no_pickle(obj: object) -> NoReturn:
    raise NotPicklableError(
        f"{type(obj).__name__} holds a Redis connection and its password and cannot be "
        "pickled: build one in each process (e.g. from_url)"
    )


def _check_client(client: object) -> None:
    """A Redis client: anything with redis-py's ``set`` and ``register_script``."""
    if not (
        callable(getattr(client, "set", None))
        and callable(getattr(client, "register_script", None))
    ):
        raise InvalidInputError.single(
            "client", "must be a redis.Redis client", type(client).__name__
        )


def _positive(**values: object) -> None:
    """Each value a finite number > 0 (the InvalidInputError, a ValueError, names it)."""
    for field, value in values.items():
        if require_number(value, field) <= 0:
            raise InvalidInputError.single(field, "must be positive", value)


class RedisLock:
    """An exclusive lock named ``name`` in ``client``'s Redis; a context manager.

    ``ttl``: seconds the lock outlives a holder that stopped renewing it (died or lost
    its connection). ``wait``: seconds to wait for it before :class:`TimeoutError`
    (``None``: as long as it takes; a dead holder's lock frees itself after ``ttl``).

    Example:
        >>> import redis
        >>> from smmkit.platforms._redis_server import redis_server
        >>> with redis_server() as url:
        ...     client = redis.Redis.from_url(url)
        ...     first = RedisLock(client, "demo-lock", ttl=5.0)
        ...     with first:
        ...         taken = RedisLock(client, "demo-lock", ttl=5.0).try_acquire()
        ...     second = RedisLock(client, "demo-lock", ttl=5.0)
        ...     after = second.try_acquire()
        ...     second.release()
        ...     client.close()
        >>> taken, after
        (False, True)
    """

    def __init__(
        self,
        client: redis.Redis,
        name: str,
        *,
        ttl: float = 30.0,
        wait: float | None = None,
        poll: float = 0.005,
        max_poll: float = 0.1,
    ) -> None:
        _check_client(client)
        require(name, "name", str, "a str (the lock's key)")
        _positive(ttl=ttl, poll=poll, max_poll=max_poll)
        if wait is not None and require_number(wait, "wait") < 0:
            raise InvalidInputError.single("wait", "must be >= 0 or None", wait)
        self._client = client
        self.name = name
        self.ttl = ttl
        self.wait = wait
        self._poll = poll
        self._max_poll = max_poll
        self._token: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._renew = client.register_script(RENEW_LOCK)
        self._release = client.register_script(RELEASE_LOCK)

    @property
    def _ttl_ms(self) -> int:
        return max(int(self.ttl * 1000), 1)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self._token is not None:
            raise RuntimeError(f"lock {self.name!r} is already held by this object")
        token = secrets.token_hex(16)
        if not self._client.set(self.name, token, nx=True, px=self._ttl_ms):
            return False
        self._token = token
        self._stop = threading.Event()
        self._renewer = threading.Thread(
            target=self._keep, args=(token, self._stop), name="smmkit-redis-lock", daemon=True
        )
        self._renewer.start()
        return True

    def acquire(self) -> None:
        """Wait for the lock (polling with growing, jittered pauses) and take it."""
        deadline = None if self.wait is None else time.monotonic() + self.wait
        pause = self._poll
        while not self.try_acquire():
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"lock {self.name!r} still held after {self.wait} s")
            time.sleep(pause * random.uniform(0.5, 1.5))  # jitter: waiters drift apart
            pause = min(pause * 2, self._max_poll)

    def release(self) -> None:
        """Give the lock back, if it is still this holder's (else log: it had expired)."""
        token, self._token = self._token, None
        if token is None:
            return
        self._stop.set()
        if not self._release(keys=[self.name], args=[token]):
            logger.warning(
                "lock %r had expired before it was released (not renewed within ttl=%s s)",
                self.name,
                self.ttl,
            )

    def _keep(self, token: str, stop: threading.Event) -> None:
        """Renew the expiry every ``ttl / 3`` until released; stop if the lock was lost."""
        while not stop.wait(self.ttl / 3):
            try:
                kept = self._renew(keys=[self.name], args=[token, self._ttl_ms])
            except Exception as exc:  # a dropped connection: try again next period
                logger.warning("could not renew lock %r: %s", self.name, type(exc).__name__)
                continue
            if not kept and not stop.is_set():
                logger.warning("lock %r expired while held (renewal came too late)", self.name)
                return

    @property
    def held(self) -> bool:
        """True while this object holds the lock (as far as it knows)."""
        return self._token is not None

    def __enter__(self) -> None:
        self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"RedisLock({self.name!r}, ttl={self.ttl}, held={self.held})"


class RedisTokenStore:
    """A :class:`~smmkit.platforms.TokenStore` in Redis, shared by every worker that uses it.

    ``get``/``put`` read and write ``<prefix>token:<key>``: one JSON object in the shape
    :class:`~smmkit.platforms.FileTokenStore` writes (secrets in clear: protect the Redis
    as you protect that file, with a password, TLS and no public port). ``put`` is one
    ``SET``, atomic. ``lock(key)`` is a :class:`RedisLock` on ``<prefix>lock:<key>``:
    exclusive across threads, processes and hosts, renewed while held, freed ``lock_ttl``
    seconds after a holder dies. ``lock_wait`` bounds the wait for it (``None``: no bound).
    ``repr`` names the server, never the password.

    Example:
        >>> from smmkit.platforms import Token
        >>> from smmkit.platforms._redis_server import redis_server
        >>> with redis_server(password="hunter2") as url:
        ...     store = RedisTokenStore.from_url(url, lock_ttl=10)
        ...     with store.lock("wechat_oa:brand"):
        ...         store.put("wechat_oa:brand", Token(access_token="t", refresh_token="r"))
        ...     token = store.get("wechat_oa:brand")
        ...     shown = repr(store)
        ...     store.close()
        >>> token.refresh_token.get_secret_value(), "hunter2" in shown
        ('r', False)
        >>> shown  # doctest: +ELLIPSIS
        "RedisTokenStore('redis://127.0.0.1:.../0', prefix='smmkit:')"
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        lock_ttl: float = 30.0,
        lock_wait: float | None = None,
    ) -> None:
        _check_client(client)
        require(prefix, "prefix", str, "a str")
        _positive(lock_ttl=lock_ttl)
        if lock_wait is not None and require_number(lock_wait, "lock_wait") < 0:
            raise InvalidInputError.single("lock_wait", "must be >= 0 or None", lock_wait)
        self._client = client
        self.prefix = prefix
        self.lock_ttl = float(lock_ttl)
        self.lock_wait = lock_wait

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        lock_ttl: float = 30.0,
        lock_wait: float | None = None,
        **options: Any,
    ) -> RedisTokenStore:
        """A store on a new client for ``url`` (``redis://``, ``rediss://``, ``unix://``).

        ``options`` go to :meth:`redis.Redis.from_url`; socket timeouts default to 10 s.

        Example:
            >>> RedisTokenStore.from_url("rediss://:secret@cache.internal:6380/1")
            RedisTokenStore('rediss://cache.internal:6380/1', prefix='smmkit:')
        """
        return cls(
            _client_from_url(url, options), prefix=prefix, lock_ttl=lock_ttl, lock_wait=lock_wait
        )

    def _token_key(self, key: str) -> str:
        return f"{self.prefix}token:{key}"

    @conceals_secrets
    def get(self, key: str) -> Token | None:
        """The stored token for ``key``, or ``None``."""
        raw = self._client.get(self._token_key(key))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            # Not chained: a JSONDecodeError keeps the whole value (the tokens) in ``doc``.
            data = None
        del raw
        if data is None:
            raise ConfigurationError(f"the token under {key!r} is not valid JSON")
        token: Token = Token.model_validate(data)
        return token

    def put(self, key: str, token: Token) -> None:
        """Store ``token`` for ``key`` (one ``SET``: readers see the old or the new token)."""
        self._client.set(self._token_key(key), json.dumps(token_record(token), sort_keys=True))

    def lock(self, key: str) -> RedisLock:
        """An exclusive lock for refreshing ``key``, shared by every worker of this Redis."""
        return RedisLock(
            self._client, f"{self.prefix}lock:{key}", ttl=self.lock_ttl, wait=self.lock_wait
        )

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({describe_connection(self._client)!r}, prefix={self.prefix!r})"
        )

    def __reduce__(self) -> NoReturn:
        _no_pickle(self)


class RedisRateLimiter(RateLimiter):
    """A :class:`~smmkit.platforms.RateLimiter` whose buckets live in Redis.

    Every worker that reserves through the same Redis draws from the same buckets, so
    together they stay within ``rates`` (endpoint name to :class:`RequestRate`, ``"*"`` for
    the rest, as for :class:`RateLimiter`). Pass the rates the driver would use on its own:
    ``adapter.default_rates()``, or :meth:`from_spec` for the catalog's limits; with
    ``rates={}`` nothing is paced. Each reservation is one Lua script that refills, takes a
    slot and answers the wait, atomically, on the Redis server's clock; with ``clock``,
    ``clock.time()`` is used instead (then every worker's clock must agree). Idle buckets
    expire once they are full again. Workers with different rates for one bucket keep its
    level rather than refilling it.

    Example:
        >>> from smmkit.platforms import BucketKey, SimulatedClock
        >>> from smmkit.platforms._redis_server import redis_server
        >>> rates = {"*": RequestRate(limit=2, per_seconds=10)}
        >>> key = BucketKey("mastodon", "brand", "statuses")
        >>> with redis_server() as url:
        ...     clock = SimulatedClock()
        ...     one = RedisRateLimiter.from_url(url, rates, clock=clock)
        ...     other = RedisRateLimiter.from_url(url, rates, clock=clock)  # another worker
        ...     waits = [one.reserve(key), other.reserve(key), one.reserve(key), other.reserve(key)]
        ...     one.close(), other.close()
        (None, None)
        >>> waits
        [0.0, 0.0, 5.0, 10.0]
    """

    def __init__(
        self,
        rates: Mapping[str, RequestRate] | None,
        *,
        client: redis.Redis,
        clock: Clock | None = None,
        prefix: str = DEFAULT_PREFIX,
    ) -> None:
        super().__init__(rates, clock=clock)
        _check_client(client)
        require(prefix, "prefix", str, "a str")
        self._client = client
        self._own_clock = clock
        self.prefix = prefix
        self._script = client.register_script(TOKEN_BUCKET)

    @classmethod
    def from_url(
        cls,
        url: str,
        rates: Mapping[str, RequestRate] | None,
        *,
        clock: Clock | None = None,
        prefix: str = DEFAULT_PREFIX,
        **options: Any,
    ) -> RedisRateLimiter:
        """A limiter on a new client for ``url``; ``options`` go to ``redis.Redis.from_url``.

        Example:
            >>> RedisRateLimiter.from_url("redis://:pw@localhost:6379/0", {})
            RedisRateLimiter('redis://localhost:6379/0', endpoints=[])
        """
        return cls(rates, client=_client_from_url(url, options), clock=clock, prefix=prefix)

    def reserve(self, key: BucketKey) -> float:
        """Take a slot for ``key`` from the shared bucket; the seconds to wait before using it."""
        rate = self.rate_for(key.endpoint)
        if rate is None:
            return 0.0
        now = "" if self._own_clock is None else repr(self._own_clock.time())
        answer = self._script(
            keys=[bucket_name(self.prefix, key)],
            args=[repr(rate.capacity), repr(rate.per_second), now],
        )
        return float(text(answer))

    async def areserve(self, key: BucketKey) -> float:
        """:meth:`reserve` in a worker thread, so the event loop does not wait on Redis."""
        if self.rate_for(key.endpoint) is None:
            return 0.0
        return await asyncio.to_thread(self.reserve, key)

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({describe_connection(self._client)!r}, "
            f"endpoints={sorted(self._rates)})"
        )

    def __reduce__(self) -> NoReturn:
        _no_pickle(self)
