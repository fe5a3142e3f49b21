"""Accumulating events: smmkit's mergeable accumulators against pandas and datasketch.

    /work/venv/bin/pip install pandas datasketch
    /work/venv/bin/python bench/analytics_accumulators.py [--events 10000000] [--chunk 500000]

Each event is ``(platform, user_id, value)``. The stream is cut into partitions of
``--chunk`` events, as Dask or Spark would hand them over; every partition gets fresh
accumulators (counts per platform, exact sum of values, HyperLogLog of distinct users,
quantile sketch of values, and a mergeable rate), and the partitions are merged at the
end. Peers on the same partitions:

* pandas (vectorised C, exact): ``value_counts``, ``sum``, a global ``set`` of users,
  quantiles over the concatenated values (not mergeable: it keeps every value);
* datasketch ``HyperLogLog(p=14)`` for distinct users (per-item Python updates, like ours).

Generating the events is not timed.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd
from datasketch import HyperLogLog as DSHyperLogLog

from smmkit.analytics import Counts, HyperLogLog, QuantileSketch, Rate, Sum

PLATFORMS = ["weibo", "douyin", "zhihu", "xiaohongshu", "wechat_oa", "wecom", "bilibili", "x"]


def partitions(events: int, chunk: int, users: int, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    done = 0
    while done < events:
        n = min(chunk, events - done)
        platform = rng.integers(0, len(PLATFORMS), n)
        user = rng.integers(0, users, n)
        value = np.round(rng.lognormal(3.0, 1.0, n), 2)
        yield (
            [PLATFORMS[i] for i in platform.tolist()],
            [f"u{u}" for u in user.tolist()],
            value.tolist(),
            platform,
            user,
            value,
        )
        done += n


def table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=False)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(
        [fmt.format(*head), "-+-".join("-" * w for w in widths)]
        + [fmt.format(*row) for row in rows]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--users", type=int, default=2_000_000)
    args = parser.parse_args()

    timers = dict.fromkeys(
        [
            "counts",
            "sum",
            "rate",
            "hll",
            "quantiles",
            "merge",
            "pd_counts",
            "pd_sum",
            "pd_distinct",
            "pd_quantiles",
            "ds_hll",
        ],
        0.0,
    )
    parts: list[tuple[Counts[str], Sum, Rate, HyperLogLog, QuantileSketch]] = []
    pd_counts = None
    pd_sum = 0.0
    pd_users: set[int] = set()
    pd_values: list[np.ndarray] = []
    ds = DSHyperLogLog(p=14)
    true_users: set[int] = set()
    for platforms, users, values, platform_arr, user_arr, value_arr in partitions(
        args.events, args.chunk, args.users
    ):
        t = time.perf_counter()
        counts: Counts[str] = Counts()
        counts.update(platforms)
        timers["counts"] += time.perf_counter() - t
        t = time.perf_counter()
        total = Sum()
        total.update(values)
        timers["sum"] += time.perf_counter() - t
        t = time.perf_counter()
        rate = Rate()
        big = [v >= 50.0 for v in values]
        rate.add(sum(big), len(big))
        timers["rate"] += time.perf_counter() - t
        t = time.perf_counter()
        hll = HyperLogLog()
        hll.update(users)
        timers["hll"] += time.perf_counter() - t
        t = time.perf_counter()
        sketch = QuantileSketch(0.01)
        sketch.update(values)
        timers["quantiles"] += time.perf_counter() - t
        parts.append((counts, total, rate, hll, sketch))

        t = time.perf_counter()
        vc = pd.Series(platform_arr).value_counts()
        pd_counts = vc if pd_counts is None else pd_counts.add(vc, fill_value=0)
        timers["pd_counts"] += time.perf_counter() - t
        t = time.perf_counter()
        pd_sum += float(pd.Series(value_arr).sum())
        timers["pd_sum"] += time.perf_counter() - t
        t = time.perf_counter()
        pd_users.update(pd.unique(user_arr).tolist())
        timers["pd_distinct"] += time.perf_counter() - t
        t = time.perf_counter()
        pd_values.append(value_arr)
        timers["pd_quantiles"] += time.perf_counter() - t
        t = time.perf_counter()
        for u in users:
            ds.update(u.encode("utf-8"))
        timers["ds_hll"] += time.perf_counter() - t
        true_users.update(user_arr.tolist())

    t = time.perf_counter()
    merged = parts[0]
    for other in parts[1:]:
        merged = (
            merged[0].merge(other[0]),
            merged[1].merge(other[1]),
            merged[2].merge(other[2]),
            merged[3].merge(other[3]),
            merged[4].merge(other[4]),
        )
    timers["merge"] = time.perf_counter() - t
    t = time.perf_counter()
    all_values = np.concatenate(pd_values)
    exact_q = np.quantile(all_values, [0.5, 0.9, 0.99], method="lower")
    timers["pd_quantiles"] += time.perf_counter() - t

    counts, total, rate, hll, sketch = merged
    distinct = len(true_users)
    n = args.events

    def thr(seconds: float) -> str:
        return f"{n / seconds / 1e6:.2f} M ev/s" if seconds > 0 else "-"

    est = hll.estimate()
    ds_est = ds.count()
    q_err = max(
        abs((sketch.quantile(q) or 0.0) - e) / e
        for q, e in zip((0.5, 0.9, 0.99), exact_q, strict=True)
    )
    ours_total = sum(timers[k] for k in ("counts", "sum", "rate", "hll", "quantiles", "merge"))
    print(f"{n:,} events in {len(parts)} partitions of {args.chunk:,}; {distinct:,} distinct users")
    print(
        table(
            [
                "accumulator",
                "smmkit time",
                "smmkit throughput",
                "peer",
                "peer time",
                "result check",
            ],
            [
                [
                    "counts per platform",
                    f"{timers['counts']:.2f}s",
                    thr(timers["counts"]),
                    "pandas value_counts",
                    f"{timers['pd_counts']:.2f}s",
                    "equal"
                    if all(counts[p] == int(pd_counts[i]) for i, p in enumerate(PLATFORMS))
                    else "DIFFERENT",
                ],
                [
                    "exact sum",
                    f"{timers['sum']:.2f}s",
                    thr(timers["sum"]),
                    "pandas sum (float)",
                    f"{timers['pd_sum']:.2f}s",
                    f"rel diff {abs(total.value - pd_sum) / pd_sum:.1e} (ours correctly rounded: "
                    f"{total.value == math.fsum(all_values.tolist())})",
                ],
                [
                    "rate (value >= 50)",
                    f"{timers['rate']:.2f}s",
                    thr(timers["rate"]),
                    "-",
                    "-",
                    f"{rate.value:.4f} vs {float(np.mean(all_values >= 50.0)):.4f}",
                ],
                [
                    "HyperLogLog p=14",
                    f"{timers['hll']:.2f}s",
                    thr(timers["hll"]),
                    "datasketch HLL p=14",
                    f"{timers['ds_hll']:.2f}s",
                    f"err ours {abs(est - distinct) / distinct:.3%}, datasketch "
                    f"{abs(ds_est - distinct) / distinct:.3%} "
                    f"(stated {hll.relative_standard_error:.2%})",
                ],
                ["", "", "", "exact set (pandas)", f"{timers['pd_distinct']:.2f}s", ""],
                [
                    "quantiles (1% rel.)",
                    f"{timers['quantiles']:.2f}s",
                    thr(timers["quantiles"]),
                    "numpy exact quantile",
                    f"{timers['pd_quantiles']:.2f}s",
                    f"max rel err p50/p90/p99 {q_err:.3%}",
                ],
                ["merge all partitions", f"{timers['merge']:.3f}s", "", "", "", ""],
                ["all five + merge", f"{ours_total:.2f}s", thr(ours_total), "", "", ""],
            ],
        )
    )
    print("Machine: 2 cores shared with other engineers; times are wall clock.")


if __name__ == "__main__":
    main()
