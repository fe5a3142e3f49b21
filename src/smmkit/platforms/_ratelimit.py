"""Token buckets per (platform, account, endpoint): pace before the platform says no.

A 429 costs a round trip, and on some platforms (WeChat's daily quota, Bluesky's
session limits) repeated throttling costs far more. The limiter *reserves* a slot and
returns how long to wait for it, without sleeping itself, so the same object serves the
sync driver (``clock.sleep``) and the async one (``await clock.asleep``), and concurrent
callers are staggered instead of all waking at once. The async driver asks through
:meth:`RateLimiter.areserve`, which a limiter that does I/O (the Redis one in
:mod:`smmkit.platforms.redis`) overrides so that the event loop never blocks on it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field
from typing_extensions import Self

from smmkit.models._base import SmmkitModel
from smmkit.models.platform import Platform, RateLimitHint
from smmkit.platforms._checks import require
from smmkit.platforms._clock import Clock, SystemClock

__all__ = ["BucketKey", "RateLimiter", "RequestRate"]


class RequestRate(SmmkitModel):
    """``limit`` requests per ``per_seconds``, with bursts up to ``burst`` (default ``limit``).

    Example:
        >>> RequestRate(limit=300, per_seconds=300).per_second
        1.0
    """

    limit: int = Field(gt=0)
    per_seconds: float = Field(gt=0)
    burst: int | None = Field(default=None, gt=0)

    @property
    def per_second(self) -> float:
        """Refill rate in tokens per second."""
        return self.limit / self.per_seconds

    @property
    def capacity(self) -> float:
        """Bucket size."""
        return float(self.burst or self.limit)


@dataclass(frozen=True)
class BucketKey:
    """Which bucket a request draws from."""

    platform: str
    account: str
    endpoint: str


class _Bucket:
    __slots__ = ("rate", "tokens", "updated")

    def __init__(self, rate: RequestRate, now: float) -> None:
        self.rate = rate
        self.tokens = rate.capacity
        self.updated = now

    def reserve(self, now: float) -> float:
        elapsed = max(now - self.updated, 0.0)
        self.tokens = min(self.rate.capacity, self.tokens + elapsed * self.rate.per_second)
        self.updated = max(now, self.updated)
        self.tokens -= 1.0
        if self.tokens >= 0:
            return 0.0
        return -self.tokens / self.rate.per_second


class RateLimiter:
    """Token buckets keyed by :class:`BucketKey`; ``rates`` maps endpoint names to rates.

    The rate for an endpoint is ``rates[endpoint]``, else ``rates["*"]``, else unlimited.
    Use one limiter per process and share it between clients of the same account, so
    that their calls draw from the same budget.

    Example:
        >>> from smmkit.platforms import SimulatedClock
        >>> clock = SimulatedClock()
        >>> limiter = RateLimiter({"*": RequestRate(limit=2, per_seconds=10)}, clock=clock)
        >>> key = BucketKey("mastodon", "brand", "statuses")
        >>> [limiter.reserve(key) for _ in range(4)]
        [0.0, 0.0, 5.0, 10.0]
    """

    def __init__(
        self, rates: Mapping[str, RequestRate] | None = None, *, clock: Clock | None = None
    ):
        if rates is not None:
            require(rates, "rates", Mapping, "a mapping of endpoint names to RequestRate")
            for name, rate in rates.items():
                require(name, "rates", str, "keyed by endpoint names (str)")
                require(rate, f"rates.{name}", RequestRate, "a RequestRate")
        if clock is not None:
            require(clock, "clock", Clock, "a Clock or None")
        self._rates = dict(rates or {})
        self._clock = clock or SystemClock()
        self._buckets: dict[BucketKey, _Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_spec(cls, spec: Platform, *, clock: Clock | None = None, **options: Any) -> Self:
        """Buckets from the catalog's documented limits, keyed by their names.

        ``options`` go to the constructor (a subclass's own settings, such as the Redis
        client of :class:`~smmkit.platforms.redis.RedisRateLimiter`).

        Example:
            >>> import smmkit
            >>> limiter = RateLimiter.from_spec(smmkit.get_platform_spec("mastodon"))
            >>> limiter.rate_for("media_uploads")
            RequestRate(limit=30, per_seconds=1800.0, burst=None)
        """
        return cls(
            {h.name: RequestRate(limit=h.limit, per_seconds=h.per_seconds) for h in _hints(spec)},
            clock=clock,
            **options,
        )

    def rate_for(self, endpoint: str) -> RequestRate | None:
        """The rate that applies to ``endpoint`` (``None``: unlimited)."""
        return self._rates.get(endpoint) or self._rates.get("*")

    def reserve(self, key: BucketKey) -> float:
        """Take a slot for ``key``; the seconds to wait before using it (0 when free)."""
        rate = self.rate_for(key.endpoint)
        if rate is None:
            return 0.0
        now = self._clock.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            # Identity first: comparing two models field by field costs more than the rest.
            if bucket is None or (bucket.rate is not rate and bucket.rate != rate):
                bucket = self._buckets[key] = _Bucket(rate, now)
            return bucket.reserve(now)

    async def areserve(self, key: BucketKey) -> float:
        """:meth:`reserve` for the async driver; a limiter doing I/O keeps it off the loop.

        Example:
            >>> import asyncio
            >>> limiter = RateLimiter({"*": RequestRate(limit=1, per_seconds=10)})
            >>> asyncio.run(limiter.areserve(BucketKey("mastodon", "brand", "statuses")))
            0.0
        """
        return self.reserve(key)

    def __repr__(self) -> str:
        return f"RateLimiter(endpoints={sorted(self._rates)})"


def _hints(spec: Platform) -> Iterable[RateLimitHint]:
    return [h for h in spec.rate_limits if h.limit > 0]
