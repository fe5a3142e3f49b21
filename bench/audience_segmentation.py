"""Lifecycle segmentation + RFM: smmkit's streaming accumulator vs a pandas groupby.

Both sides read the same synthetic stream, generated chunk by chunk (same seed), as a
streaming source would deliver it: Python lists of user ids, kind codes, POSIX
timestamps and order values. Each side runs in its own process so peak RSS
(``ru_maxrss``) is its own; a third process only generates the stream, to show what the
data source itself costs. The pandas side is the straightforward implementation:
one DataFrame per chunk, ``concat``, then ``groupby`` aggregations and vectorised rules
with the same precedence and the same RFM tie-breaking. The parent checks that both
sides assign every user the same stage and RFM code.

Run:  /work/venv/bin/python bench/audience_segmentation.py [--users 1000000]
      [--interactions 10000000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
DAY = 86_400.0
CHUNK = 500_000
SEED = 20260301

# Kind mix (codes are smmkit.audience.lifecycle.KIND_CODES); order, post and unfollow
# are the rare kinds, as in real logs.
KIND_MIX = {
    "view": 0.20,
    "like": 0.34,
    "comment": 0.10,
    "share": 0.05,
    "save": 0.05,
    "click": 0.10,
    "follow": 0.03,
    "message": 0.03,
    "check_in": 0.03,
    "order": 0.05,
    "post": 0.01,
    "unfollow": 0.01,
}


def _users(n_users: int) -> tuple[list[int], list[float]]:
    import numpy as np

    rng = np.random.default_rng(SEED)
    joined = NOW.timestamp() - rng.random(n_users) * 730 * DAY
    return list(range(n_users)), joined.tolist()


def _chunks(
    n_users: int, n_interactions: int, joined: list[float]
) -> Iterator[dict[str, list[Any]]]:
    """The interaction stream: lists per column, CHUNK rows at a time."""
    import numpy as np

    from smmkit.audience.lifecycle import KIND_CODES
    from smmkit.models import InteractionKind

    rng = np.random.default_rng(SEED + 1)
    joined_arr = np.asarray(joined)
    codes = np.array([KIND_CODES[InteractionKind(k)] for k in KIND_MIX], dtype=np.int64)
    probs = np.array(list(KIND_MIX.values()))
    probs = probs / probs.sum()
    now = NOW.timestamp()
    done = 0
    while done < n_interactions:
        m = min(CHUNK, n_interactions - done)
        # Skewed activity: a few users do a lot, many do little.
        uid = (rng.random(m) ** 2 * n_users).astype(np.int64)
        kind = rng.choice(codes, size=m, p=probs)
        start = np.maximum(joined_arr[uid], now - 365 * DAY)
        ts = start + rng.random(m) * (now - start)
        value = np.round(rng.random(m) * 200, 2)
        yield {
            "user_ids": uid.tolist(),
            "kinds": kind.tolist(),
            "timestamps": ts.tolist(),
            "values": value.tolist(),
        }
        done += m


def _warm() -> None:
    """Import what every side needs before its clock starts (imports are not the work)."""
    import numpy  # noqa: F401

    import smmkit.audience.lifecycle  # noqa: F401


def run_generate(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    _warm()
    t0 = time.perf_counter()
    c0 = time.process_time()
    _ids, joined = _users(n_users)
    rows = 0
    for chunk in _chunks(n_users, n_interactions, joined):
        rows += len(chunk["user_ids"])
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "rows": rows}


def run_smmkit(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    from smmkit.audience.lifecycle import InteractionBatch, segment_users

    _warm()
    t0 = time.perf_counter()
    c0 = time.process_time()
    ids, joined = _users(n_users)
    batches = (InteractionBatch(**c) for c in _chunks(n_users, n_interactions, joined))
    seg = segment_users(zip(ids, joined, strict=True), batches, now=NOW)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rfm = bytearray(3 * len(seg))  # per-user layout, for the comparison only
    for b, i in enumerate(seg.buyer_positions):
        rfm[3 * i : 3 * i + 3] = seg.buyer_rfm[3 * b : 3 * b + 3]
    with open(out, "wb") as fh:
        fh.write(seg.stage_codes)
        fh.write(rfm)
    return {"seconds": seconds, "cpu": cpu, "counts": {s.value: n for s, n in seg.counts().items()}}


def run_smmkit_numpy(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    from smmkit.audience.lifecycle import InteractionBatch, segment_columns

    _warm()
    t0 = time.perf_counter()
    c0 = time.process_time()
    ids, joined = _users(n_users)
    batches = (InteractionBatch(**c) for c in _chunks(n_users, n_interactions, joined))
    seg = segment_columns(ids, joined, batches, now=NOW)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    _write(seg, out)
    return {"seconds": seconds, "cpu": cpu, "counts": {s.value: n for s, n in seg.counts().items()}}


def _write(seg: Any, out: str) -> None:
    rfm = bytearray(3 * len(seg))  # per-user layout, for the comparison only
    for b, i in enumerate(seg.buyer_positions):
        rfm[3 * i : 3 * i + 3] = seg.buyer_rfm[3 * b : 3 * b + 3]
    with open(out, "wb") as fh:
        fh.write(seg.stage_codes)
        fh.write(rfm)


def run_pandas(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from smmkit.audience.lifecycle import KIND_CODES, LifecycleRules
    from smmkit.models import InteractionKind

    rules = LifecycleRules()
    _warm()
    t0 = time.perf_counter()
    c0 = time.process_time()
    ids, joined = _users(n_users)
    frames = []
    for c in _chunks(n_users, n_interactions, joined):
        frames.append(
            pd.DataFrame(
                {
                    "user": np.asarray(c["user_ids"], dtype=np.int64),
                    "kind": np.asarray(c["kinds"], dtype=np.int8),
                    "ts": np.asarray(c["timestamps"], dtype=np.float64),
                    "value": np.asarray(c["values"], dtype=np.float64),
                }
            )
        )
    df = pd.concat(frames, ignore_index=True)
    del frames
    now = NOW.timestamp()
    users = pd.DataFrame({"joined": np.asarray(joined)}, index=pd.Index(ids, name="user"))
    activity = [KIND_CODES[k] for k in rules.activity_kinds]
    order_code = KIND_CODES[InteractionKind.ORDER]
    unfollow_code = KIND_CODES[InteractionKind.UNFOLLOW]
    last = df.loc[df["kind"].isin(activity)].groupby("user")["ts"].max()
    orders = df.loc[df["kind"] == order_code].copy()
    # Order values summed as integer 1/10 000 units, exactly like smmkit does.
    orders["units"] = np.round(orders["value"].to_numpy() * 10_000).astype(np.int64)
    window_start = now - rules.loyal_window_days * DAY
    og = orders.groupby("user").agg(
        n=("ts", "size"), last_order=("ts", "max"), money=("units", "sum")
    )
    og["in_window"] = (
        orders.loc[orders["ts"] >= window_start].groupby("user").size().reindex(og.index)
    ).fillna(0)
    unf = df.loc[df["kind"] == unfollow_code].groupby("user")["ts"].max()
    users = users.join(last.rename("last")).join(og).join(unf.rename("unfollow"))
    last_v = users["last"].fillna(-np.inf).to_numpy()
    seen = np.maximum(last_v, users["joined"].to_numpy())
    idle = now - seen
    tenure = now - users["joined"].to_numpy()
    in_window = users["in_window"].fillna(0).to_numpy()
    unfollowed = users["unfollow"].fillna(-np.inf).to_numpy() > last_v
    stage = np.select(
        [
            unfollowed,
            idle > rules.churn_days * DAY,
            idle > rules.dormant_days * DAY,
            in_window >= rules.loyal_min_orders,
            tenure <= rules.new_days * DAY,
        ],
        [4, 4, 3, 2, 0],  # LifecycleStage order: new, active, loyal, dormant, churned
        default=1,
    ).astype(np.uint8)
    buyers = users.loc[users["n"].notna()]
    nb = len(buyers)
    rfm = np.zeros((len(users), 3), dtype=np.uint8)
    pos = users.index.get_indexer(buyers.index)
    # Rank by value, ties by user id (the index is in id order): same rule as smmkit.
    for col, values in enumerate((buyers["last_order"], buyers["n"], buyers["money"])):
        order = np.argsort(np.asarray(values), kind="stable")
        scores = np.empty(nb, dtype=np.uint8)
        scores[order] = np.arange(nb) * 5 // nb + 1
        rfm[pos, col] = scores
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    with open(out, "wb") as fh:
        fh.write(stage.tobytes())
        fh.write(rfm.tobytes())
    names = ("new", "active", "loyal", "dormant", "churned")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "counts": {names[i]: int((stage == i).sum()) for i in range(5)},
    }


SIDES = {
    "generate": run_generate,
    "smmkit": run_smmkit,
    "smmkit-numpy": run_smmkit_numpy,
    "pandas": run_pandas,
}


def _child(side: str, n_users: int, n_interactions: int, out: str) -> None:
    result = SIDES[side](n_users, n_interactions, out)
    # ru_maxrss is KiB on Linux.
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--side", choices=sorted(SIDES))
    parser.add_argument("--out", default=os.devnull)
    args = parser.parse_args()
    if args.side:
        _child(args.side, args.users, args.interactions, args.out)
        return
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in SIDES}
    outputs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for side in SIDES:
                out = os.path.join(tmp, side)
                proc = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--side",
                        side,
                        "--users",
                        str(args.users),
                        "--interactions",
                        str(args.interactions),
                        "--out",
                        out,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                results[side].append(json.loads(proc.stdout))
                if side != "generate":
                    with open(out, "rb") as fh:
                        outputs[side] = fh.read()
        same = outputs["smmkit"] == outputs["pandas"] == outputs["smmkit-numpy"]
    print(
        f"segmentation of {args.users:,} users, {args.interactions:,} interactions "
        f"(best of {args.repeat} by CPU time; separate processes; 2 shared cores)"
    )
    print(f"{'side':<26}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>15}")
    best = {s: min(r, key=lambda x: x["cpu"]) for s, r in results.items()}
    labels = {
        "generate": "stream generation only",
        "smmkit": "smmkit segment_users",
        "smmkit-numpy": "smmkit segment_columns",
        "pandas": "pandas concat+groupby",
    }
    for side in SIDES:
        r = best[side]
        print(f"{labels[side]:<26}{r['seconds']:>9.2f}{r['cpu']:>9.2f}{r['peak_rss_mib']:>15.0f}")
    gen = best["generate"]["cpu"]
    pd_cpu = best["pandas"]["cpu"]
    for side in ("smmkit", "smmkit-numpy"):
        r = best[side]
        net = (r["cpu"] - gen) / max(1e-9, pd_cpu - gen)
        print(
            f"{labels[side]} / pandas: CPU {r['cpu'] / pd_cpu:.2f}x (net of stream "
            f"generation {net:.2f}x), wall {r['seconds'] / best['pandas']['seconds']:.2f}x, "
            f"peak memory {r['peak_rss_mib'] / best['pandas']['peak_rss_mib']:.2f}x"
        )
    print(f"identical stages and RFM codes for every user: {same}")
    print(f"stage counts: {best['smmkit']['counts']}")
    if not same:
        raise SystemExit("the two implementations disagree")


if __name__ == "__main__":
    main()
