"""Token buckets: pacing before the platform says no."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import smmkit
from smmkit.platforms import (
    BucketKey,
    RateLimiter,
    RequestRate,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
)

KEY = BucketKey("sandbox", "brand", "statuses")


def publish_each(kind: str, posts: Sequence[Any]) -> Callable[[Any], Any]:
    """A call for the ``driver`` fixture that publishes ``posts`` one after another."""

    def publish_all(client: Any) -> Any:
        if kind == "sync":
            return [client.publish(p) for p in posts]

        async def run() -> list[Any]:
            return [await client.publish(p) for p in posts]

        return run()

    return publish_all


def test_burst_then_paced() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter({"statuses": RequestRate(limit=3, per_seconds=3)}, clock=clock)
    assert [limiter.reserve(KEY) for _ in range(5)] == [0, 0, 0, 1, 2]


def test_refills_as_time_passes() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter({"*": RequestRate(limit=2, per_seconds=10)}, clock=clock)
    limiter.reserve(KEY)
    limiter.reserve(KEY)
    clock.advance(10)
    assert limiter.reserve(KEY) == 0


def test_keys_are_independent_and_unknown_endpoints_unlimited() -> None:
    clock = SimulatedClock()
    limiter = RateLimiter({"statuses": RequestRate(limit=1, per_seconds=60)}, clock=clock)
    other_account = BucketKey("sandbox", "other", "statuses")
    assert limiter.reserve(KEY) == 0
    assert limiter.reserve(other_account) == 0
    assert limiter.reserve(KEY) == 60
    assert limiter.reserve(BucketKey("sandbox", "brand", "read")) == 0


def test_rates_from_the_catalog() -> None:
    limiter = RateLimiter.from_spec(smmkit.get_platform_spec("x"))
    assert limiter.rate_for("post_create") == RequestRate(limit=100, per_seconds=900)
    assert limiter.rate_for("unknown") is None


@given(
    limit=st.integers(1, 20),
    per=st.floats(1, 100),
    gaps=st.lists(st.floats(0, 5), min_size=1, max_size=60),
)
def test_never_schedules_more_than_the_bucket_allows(
    limit: int, per: float, gaps: list[float]
) -> None:
    clock = SimulatedClock()
    rate = RequestRate(limit=limit, per_seconds=per)
    limiter = RateLimiter({"*": rate}, clock=clock)
    start = clock.monotonic()
    slots = []
    for gap in gaps:
        clock.advance(gap)
        slots.append(clock.monotonic() + limiter.reserve(KEY))
    # k requests can never be scheduled faster than capacity + rate * elapsed.
    for k, slot in enumerate(sorted(slots), start=1):
        assert k <= rate.capacity + (slot - start) * rate.per_second + 1e-6


def test_driver_paces_so_the_server_never_throttles(driver: Any) -> None:
    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock, rate_limit=RequestRate(limit=3, per_seconds=30))
    limiter = RateLimiter({"*": RequestRate(limit=3, per_seconds=30)}, clock=clock)
    client = driver.client(sandbox, rate_limiter=limiter)
    posts = [sandbox.sample_post(f"post {i}") for i in range(4)]
    results = driver(client, publish_each(driver.kind, posts))
    assert all(r.ok for r in results)
    assert sandbox.throttled == 0
    assert clock.slept > 0  # it waited instead of being told no


def test_without_pacing_the_server_throttles_and_retries_honour_it(driver: Any) -> None:
    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock, rate_limit=RequestRate(limit=3, per_seconds=30))
    client = driver.client(sandbox, retry=RetryPolicy(max_attempts=10))
    posts = [sandbox.sample_post(f"post {i}") for i in range(4)]
    results = driver(client, publish_each(driver.kind, posts))
    assert all(r.ok for r in results)
    assert sandbox.throttled >= 1
    assert sandbox.published_count == 4


def test_rate_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="limit"):
        RequestRate(limit=0, per_seconds=1)
