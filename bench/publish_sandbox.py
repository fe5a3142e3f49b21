"""10,000 publishes to the sandbox over the async driver, against plain httpx.

Both sides talk to the same in-memory ``SandboxPlatform`` transport, so the difference
is what smmkit's driver adds per request: the publish protocol (idempotency key,
status machine), token handling, the token bucket, tenacity's retry wrapper, error
translation and result models. Run: ``/work/venv/bin/python bench/publish_sandbox.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx

from smmkit.models import PlatformPost
from smmkit.platforms import (
    AsyncClient,
    RateLimiter,
    RequestRate,
    SandboxPlatform,
    SimulatedClock,
    idempotency_key_for,
)

URL = "https://sandbox.smmkit.invalid"


def _sandbox() -> SandboxPlatform:
    return SandboxPlatform(clock=SimulatedClock(), token_ttl=10**9)


def _posts(n: int, tag: str) -> list[PlatformPost]:
    return [
        PlatformPost(
            platform="mastodon", piece_id=f"{tag}-{i}", body=f"Office tea tip #{i} ({tag})"
        )
        for i in range(n)
    ]


async def _timed(
    jobs: list[Callable[[], Awaitable[None]]], concurrency: int
) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            start = time.perf_counter()
            await job()
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs))
    return time.perf_counter() - start, latencies


async def run_smmkit(n: int, concurrency: int) -> tuple[float, list[float], int]:
    sandbox = _sandbox()
    limiter = RateLimiter({"*": RequestRate(limit=10**9, per_seconds=1)}, clock=sandbox.clock)
    async with AsyncClient(
        sandbox.adapter(),
        http_client=httpx.AsyncClient(transport=sandbox),
        clock=sandbox.clock,
        rate_limiter=limiter,
    ) as client:
        posts = _posts(n, "smmkit")

        def job(post: PlatformPost) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                result = await client.publish(post)
                assert result.ok, result.error

            return call

        elapsed, latencies = await _timed([job(p) for p in posts], concurrency)
    return elapsed, latencies, sandbox.published_count


async def run_httpx(n: int, concurrency: int) -> tuple[float, list[float], int]:
    sandbox = _sandbox()
    async with httpx.AsyncClient(transport=sandbox, base_url=URL) as client:
        token = (
            await client.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": sandbox.client_id,
                    "client_secret": sandbox.client_secret.get_secret_value(),
                },
            )
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        posts = _posts(n, "httpx")

        def job(post: PlatformPost) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                key = idempotency_key_for(post)
                response = await client.post(
                    "/api/posts",
                    json={"text": post.body, "title": None, "media_ids": [], "client_ref": key},
                    headers={"Idempotency-Key": key},
                )
                response.raise_for_status()
                assert response.json()["status"] == "published"

            return call

        elapsed, latencies = await _timed([job(p) for p in posts], concurrency)
    return elapsed, latencies, sandbox.published_count


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; medians are shown")
    args = parser.parse_args()

    rows = []
    for label, concurrency, n in (
        (f"concurrency {args.concurrency}", args.concurrency, args.n),
        ("sequential", 1, args.sequential),
    ):
        stats: dict[str, list[tuple[float, float, float, float]]] = {}
        for _ in range(args.repeat):
            # Alternate the two clients so that machine noise hits both alike.
            for name, runner in (
                ("httpx.AsyncClient", run_httpx),
                ("smmkit AsyncClient", run_smmkit),
            ):
                elapsed, latencies, published = asyncio.run(runner(n, concurrency))
                assert published == n, (name, published)
                stats.setdefault(name, []).append(
                    (
                        n / elapsed,
                        _pct(latencies, 0.50),
                        _pct(latencies, 0.99),
                        statistics.fmean(latencies) * 1e6,
                    )
                )
        medians = {
            name: tuple(statistics.median(run[i] for run in runs) for i in range(4))
            for name, runs in stats.items()
        }
        for name, (rate, p50, p99, mean) in medians.items():
            rows.append((label, name, n, rate, p50, p99, mean))
        raw, ours = medians["httpx.AsyncClient"], medians["smmkit AsyncClient"]
        rows.append(
            (
                label,
                "driver overhead",
                n,
                float("nan"),
                ours[1] - raw[1],
                ours[2] - raw[2],
                ours[3] - raw[3],
            )
        )

    print(f"medians of {args.repeat} runs; the sandbox transport does no I/O")
    header = f"{'run':<16} {'client':<20} {'posts':>6} {'posts/s':>9} {'p50 µs':>9} {'p99 µs':>9}"
    print(header + f" {'mean µs':>9}")
    for label, name, n, rate, p50, p99, mean in rows:
        shown_rate = "" if math.isnan(rate) else f"{rate:9.0f}"
        print(f"{label:<16} {name:<20} {n:>6} {shown_rate:>9} {p50:9.0f} {p99:9.0f} {mean:9.0f}")


if __name__ == "__main__":
    main()
