"""The mergeable accumulators on a real Dask cluster (two worker processes, loopback).

Partitions are reduced in worker processes (the accumulators travel by pickle) and
merged in whatever order Dask chooses; the result must equal one serial pass.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from smmkit.analytics import HyperLogLog, QuantileSketch
from smmkit.analytics.accumulators import Counts, Sum

pytest.importorskip("distributed", reason="Dask is installed by the test extra")
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    import sys
    from pathlib import Path

    from dask.distributed import Client, LocalCluster

    # Worker processes unpickle this module's helpers by name; spawned workers start
    # with the parent's sys.path, so put the repository root (for `tests.`) on it.
    root = str(Path(__file__).resolve().parents[2])
    sys.path.insert(0, root)
    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit="1GiB",
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        client.wait_for_workers(2, timeout=60)
        yield client
    sys.path.remove(root)


def _events(n: int) -> list[tuple[str, str, float]]:
    rng = random.Random(42)
    platforms = ("xiaohongshu", "douyin", "wecom", "weibo")
    return [
        (rng.choice(platforms), f"user-{rng.randrange(n // 3)}", rng.lognormvariate(3, 1))
        for _ in range(n)
    ]


class _Partial:
    """Per-partition state: counts per platform, distinct users, order value sum and quantiles."""

    def __init__(self) -> None:
        self.counts: Counts[str] = Counts()
        self.users = HyperLogLog()
        self.total = Sum()
        self.values = QuantileSketch()

    def add(self, event: tuple[str, str, float]) -> _Partial:
        platform, user, value = event
        self.counts.add(platform)
        self.users.add(user)
        self.total.add(value)
        self.values.add(value)
        return self

    def merge(self, other: _Partial) -> _Partial:
        out = _Partial()
        out.counts = self.counts.merge(other.counts)
        out.users = self.users.merge(other.users)
        out.total = self.total.merge(other.total)
        out.values = self.values.merge(other.values)
        return out


def _reduce_partition(events: list[tuple[str, str, float]]) -> _Partial:
    acc = _Partial()
    for event in events:
        acc.add(event)
    return acc


def _merge_all(partials: list[_Partial]) -> _Partial:
    out = _Partial()
    for p in partials:
        out = out.merge(p)
    return out


def test_partitioned_reduction_equals_a_single_pass(dask_client: Any) -> None:
    import dask.bag as db

    events = _events(60_000)
    serial = _reduce_partition(events)
    bag = db.from_sequence(events, npartitions=8)  # type: ignore[no-untyped-call]
    merged = bag.reduction(_reduce_partition, _merge_all).compute()
    assert merged.counts == serial.counts
    assert merged.users == serial.users
    assert merged.total == serial.total
    assert merged.values == serial.values
    assert merged.values.quantile(0.5) == serial.values.quantile(0.5)
    distinct = len({user for _, user, _ in events})
    assert (
        abs(merged.users.estimate() - distinct)
        <= 3 * merged.users.relative_standard_error * distinct
    )
