"""10,000 publishes to the sandbox over the async driver, against plain httpx.

Both sides talk to the same in-memory ``SandboxPlatform`` transport, so the difference
is what smmkit's driver adds per request: the publish protocol (idempotency key,
status machine), token handling, the token bucket, tenacity's retry wrapper, error
translation and result models. Run: ``python bench/publish_sandbox.py`` (``--quick``: a
small run that only checks the script works).

Both clients publish one untimed post first, so that neither run's clock includes the
OAuth token fetch (the httpx side always fetched its token before timing). Within a run
the two clients take turns in blocks (``--blocks``, 20 each), so that load from other
work on a shared machine, which swings over seconds, meets both alike. Each cell reports
wall-clock throughput and latency, and the CPU time per post of the timed part.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

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
) -> tuple[float, list[float], float]:
    """Wall seconds, each job's latency, and the CPU seconds of the whole run."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            start = time.perf_counter()
            await job()
            latencies.append(time.perf_counter() - start)

    cpu = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(one(job) for job in jobs))
    return time.perf_counter() - start, latencies, time.process_time() - cpu


Jobs = list[Callable[[], Awaitable[None]]]


@asynccontextmanager
async def smmkit_side(n: int) -> AsyncIterator[tuple[Jobs, SandboxPlatform]]:
    """``n`` publishes through smmkit's ``AsyncClient``, after one untimed publish."""
    sandbox = _sandbox()
    limiter = RateLimiter({"*": RequestRate(limit=10**9, per_seconds=1)}, clock=sandbox.clock)
    async with AsyncClient(
        sandbox.adapter(),
        http_client=httpx.AsyncClient(transport=sandbox),
        clock=sandbox.clock,
        rate_limiter=limiter,
    ) as client:
        posts = _posts(n + 1, "smmkit")

        def job(post: PlatformPost) -> Callable[[], Awaitable[None]]:
            async def call() -> None:
                result = await client.publish(post)
                assert result.ok, result.error

            return call

        await job(posts.pop())()  # untimed: fetches the token, as the httpx side does
        yield [job(p) for p in posts], sandbox


@asynccontextmanager
async def httpx_side(n: int) -> AsyncIterator[tuple[Jobs, SandboxPlatform]]:
    """The same ``n`` publishes as plain ``httpx.AsyncClient`` calls."""
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
        posts = _posts(n + 1, "httpx")

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

        await job(posts.pop())()  # untimed, as on the smmkit side
        yield [job(p) for p in posts], sandbox


SIDES = {"httpx.AsyncClient": httpx_side, "smmkit AsyncClient": smmkit_side}


async def run_pair(
    n: int, concurrency: int, blocks: int
) -> dict[str, tuple[float, list[float], float]]:
    """One run: both clients publish ``n`` posts each, in ``blocks`` alternating blocks.

    Load from other work on a shared machine swings over seconds; blocks of a fraction
    of a second, taking turns (and swapping who goes first), meet the same load. Returns
    each side's wall seconds, latencies and CPU seconds, summed over its blocks.
    """
    async with AsyncExitStack() as stack:
        sides = {name: await stack.enter_async_context(side(n)) for name, side in SIDES.items()}
        totals: dict[str, tuple[float, list[float], float]] = {
            name: (0.0, [], 0.0) for name in sides
        }
        size = max(1, -(-n // blocks))
        for number, first in enumerate(range(0, n, size)):
            names = list(sides) if number % 2 == 0 else list(reversed(sides))
            for name in names:
                wall, latencies, cpu = await _timed(
                    sides[name][0][first : first + size], concurrency
                )
                total = totals[name]
                totals[name] = (total[0] + wall, total[1] + latencies, total[2] + cpu)
        for name, (_, sandbox) in sides.items():
            assert sandbox.published_count - 1 == n, (name, sandbox.published_count)
    return totals


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--sequential", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; medians are shown")
    parser.add_argument(
        "--blocks", type=int, default=20, help="blocks each run alternates between the clients"
    )
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 300 posts, one run: checks the script"
    )
    args = parser.parse_args()
    if args.quick:
        args.n, args.sequential, args.repeat = 1_000, 300, 1

    rows = []
    ratios: dict[str, list[float]] = {}
    for label, concurrency, n in (
        (f"concurrency {args.concurrency}", args.concurrency, args.n),
        ("sequential", 1, args.sequential),
    ):
        stats: dict[str, list[tuple[float, float, float, float, float]]] = {}
        for _ in range(args.repeat):
            run = asyncio.run(run_pair(n, concurrency, args.blocks))
            for name, (elapsed, latencies, cpu) in run.items():
                stats.setdefault(name, []).append(
                    (
                        n / elapsed,
                        _pct(latencies, 0.50),
                        _pct(latencies, 0.99),
                        statistics.fmean(latencies) * 1e6,
                        cpu / n * 1e6,
                    )
                )
            raw_run, our_run = stats["httpx.AsyncClient"][-1], stats["smmkit AsyncClient"][-1]
            ratios.setdefault(label, []).append(our_run[0] / raw_run[0])
        medians = {
            name: tuple(statistics.median(run[i] for run in runs) for i in range(5))
            for name, runs in stats.items()
        }
        for name, values in medians.items():
            rows.append((label, name, n, f"{values[0]:9.0f}", *values[1:]))
        raw, ours = medians["httpx.AsyncClient"], medians["smmkit AsyncClient"]
        ratio = statistics.median(ratios[label])
        extra = (o - r for o, r in zip(ours[1:], raw[1:], strict=True))
        rows.append((label, "smmkit ÷ httpx", n, f"{ratio:8.2f}x", *extra))

    print(f"medians of {args.repeat} runs; the sandbox transport does no I/O")
    print(
        f"{'run':<16} {'client':<20} {'posts':>6} {'posts/s':>9} {'p50 µs':>9} {'p99 µs':>9}"
        f" {'mean µs':>9} {'CPU µs':>9}"
    )
    for label, name, n, rate, p50, p99, mean, cpu in rows:
        print(
            f"{label:<16} {name:<20} {n:>6} {rate:>9} {p50:9.0f} {p99:9.0f} {mean:9.0f} {cpu:9.0f}"
        )
    print("throughput ratio smmkit ÷ httpx per run (the ÷ rows show the median; the µs there")
    print("are smmkit's extra per post, the driver's overhead; CPU µs: process time per post):")
    for label, per_run in ratios.items():
        print(f"  {label}: " + ", ".join(f"{v:.3f}" for v in per_run))


if __name__ == "__main__":
    main()
