"""Accumulating events: smmkit's mergeable accumulators against pandas and datasketch.

    pip install -e '.[bench]'      # numpy, pandas, datasketch
    python bench/analytics_accumulators.py [--events 10000000] [--chunk 500000]
    python bench/analytics_accumulators.py --quick    # 200,000 events

Each event is ``(platform, user_id, value)``. The stream is cut into partitions of
``--chunk`` events, as Dask or Spark would hand them over; every partition gets fresh
accumulators (counts per platform, exact sum of values, HyperLogLog of distinct users,
quantile sketch of values, and a mergeable rate), and the partitions are merged at the
end. Peers on the same partitions:

* pandas (vectorised C, exact): ``value_counts``, ``sum``, a global ``set`` of users,
  quantiles over the concatenated values (not mergeable: it keeps every value);
* datasketch ``HyperLogLog(p=14)`` for distinct users (per-item Python updates, like ours).

Generating the events is not timed (numpy generates them). The script fails if a result
differs from the exact one: counts, the correctly rounded sum, or a sketch outside its
stated error.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import numpy as np
from _common import fail, peer

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--users", type=int, default=2_000_000)
    parser.add_argument("--quick", action="store_true", help="200,000 events")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.chunk, args.users = 200_000, 50_000, 40_000
    pd: Any = peer("pandas")
    datasketch: Any = peer("datasketch")

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
    platform_codes: list[np.ndarray] = []
    ds = None if datasketch is None else datasketch.HyperLogLog(p=14)
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

        if pd is not None:
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
        if ds is not None:
            t = time.perf_counter()
            for u in users:
                ds.update(u.encode("utf-8"))
            timers["ds_hll"] += time.perf_counter() - t
        true_users.update(user_arr.tolist())
        platform_codes.append(platform_arr)

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
    q_err = max(
        abs((sketch.quantile(q) or 0.0) - e) / e
        for q, e in zip((0.5, 0.9, 0.99), exact_q, strict=True)
    )
    exact_counts = np.bincount(np.concatenate(platform_codes), minlength=len(PLATFORMS))
    counts_equal = all(counts[p] == int(exact_counts[i]) for i, p in enumerate(PLATFORMS))
    if pd_counts is not None:
        counts_equal &= all(counts[p] == int(pd_counts[i]) for i, p in enumerate(PLATFORMS))
    rounded = total.value == math.fsum(all_values.tolist())
    exact_rate = float(np.mean(all_values >= 50.0))
    hll_err = abs(est - distinct) / distinct
    sum_check = f"correctly rounded: {rounded}"
    if pd is not None:
        sum_check = f"rel diff {abs(total.value - pd_sum) / pd_sum:.1e} ({sum_check})"
    hll_check = f"err ours {hll_err:.3%}"
    if ds is not None:
        hll_check += f", datasketch {abs(ds.count() - distinct) / distinct:.3%}"
    hll_check += f" (stated {hll.relative_standard_error:.2%})"

    def peer_time(key: str, present: object) -> str:
        return f"{timers[key]:.2f}s" if present is not None else "skipped"

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
                    peer_time("pd_counts", pd),
                    "equal" if counts_equal else "DIFFERENT",
                ],
                [
                    "exact sum",
                    f"{timers['sum']:.2f}s",
                    thr(timers["sum"]),
                    "pandas sum (float)",
                    peer_time("pd_sum", pd),
                    sum_check,
                ],
                [
                    "rate (value >= 50)",
                    f"{timers['rate']:.2f}s",
                    thr(timers["rate"]),
                    "-",
                    "-",
                    f"{rate.value:.4f} vs {exact_rate:.4f}",
                ],
                [
                    "HyperLogLog p=14",
                    f"{timers['hll']:.2f}s",
                    thr(timers["hll"]),
                    "datasketch HLL p=14",
                    peer_time("ds_hll", ds),
                    hll_check,
                ],
                ["", "", "", "exact set (pandas)", peer_time("pd_distinct", pd), ""],
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
    print("Times are wall clock.")
    if not counts_equal:
        fail("counts per platform differ from the exact counts")
    if not rounded:
        fail("the exact sum is not the correctly rounded sum (math.fsum)")
    if abs(rate.value - exact_rate) > 1e-12:
        fail(f"rate {rate.value} differs from the exact {exact_rate}")
    if hll_err > 5 * hll.relative_standard_error:
        fail(f"HyperLogLog error {hll_err:.3%} is over 5 stated standard errors")
    if q_err > 0.0101:
        fail(f"quantile relative error {q_err:.3%} is over the sketch's 1%")


if __name__ == "__main__":
    main()
