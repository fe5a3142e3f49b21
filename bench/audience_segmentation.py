"""Lifecycle segmentation + RFM: smmkit's engines vs a pandas groupby, in two modes.

* ``--mode stream`` (end to end from a Python iterator): every side reads the same
  iterator of row tuples ``(user_id, kind, at_seconds, value)``, the way events arrive
  from a client or a file (kinds as their string values, ``value`` only on orders), and
  the users as an iterator of ``(user_id, joined_seconds)`` pairs. smmkit:
  ``segment_users(users, rows)``; pandas: ``DataFrame.from_records`` on each iterator,
  then the rules. A ``rows`` side only drains the iterators: what the source costs.
* ``--mode columns`` (prepared arrays): the stream arrives as column lists, chunk by
  chunk; smmkit reads them as ``InteractionBatch`` (``segment_users`` and the NumPy
  ``segment_columns``), pandas builds one DataFrame per chunk and concatenates.

The pandas rules are the straightforward implementation: ``groupby`` aggregations and
vectorised rules with the same precedence and the same RFM tie-breaking. Each side runs
in its own process, so its peak RSS (``ru_maxrss``) is its own (``--tracemalloc`` also
reports traced peaks, at a cost in time); the sides take turns, ``--repeat`` times
(default 3, the order rotated each time), and the table shows medians. The parent
checks that all sides of a mode give every user the same stage and RFM code, and exits
1 if not.

Run:  python bench/audience_segmentation.py [--quick] [--mode stream|columns|all]
      [--users 1000000] [--interactions 10000000] [--repeat 3] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from _common import fail, peer

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)
DAY = 86_400.0
CHUNK = 500_000
SEED = 20260301

# Kind mix; order, post and unfollow are the rare kinds, as in real logs.
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
    """The interaction stream as column lists, CHUNK rows at a time (kinds as codes)."""
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


def _rows(n_users: int, n_interactions: int, joined: list[float]) -> Iterator[tuple[Any, ...]]:
    """The same stream as row tuples ``(user_id, kind, at, value)``, one at a time."""
    from smmkit.audience.lifecycle import KIND_CODES

    name = [k.value for k in sorted(KIND_CODES, key=KIND_CODES.__getitem__)]
    order = KIND_CODES[next(k for k in KIND_CODES if k.value == "order")]
    for c in _chunks(n_users, n_interactions, joined):
        kinds = c["kinds"]
        values = [v if k == order else None for k, v in zip(kinds, c["values"], strict=True)]
        yield from zip(
            c["user_ids"], [name[k] for k in kinds], c["timestamps"], values, strict=True
        )


def _warm() -> None:
    """Import what every side needs before its clock starts (imports are not the work)."""
    import numpy  # noqa: F401

    import smmkit.audience.lifecycle  # noqa: F401


# -- sides: columns mode -------------------------------------------------------------
def run_generate(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    _ids, joined = _users(n_users)
    rows = 0
    for chunk in _chunks(n_users, n_interactions, joined):
        rows += len(chunk["user_ids"])
    return {"rows": rows}


def run_smmkit(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    from smmkit.audience.lifecycle import InteractionBatch, segment_users

    ids, joined = _users(n_users)
    batches = (InteractionBatch(**c) for c in _chunks(n_users, n_interactions, joined))
    return {"seg": segment_users(zip(ids, joined, strict=True), batches, now=NOW)}


def run_smmkit_numpy(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    from smmkit.audience.lifecycle import InteractionBatch, segment_columns

    ids, joined = _users(n_users)
    batches = (InteractionBatch(**c) for c in _chunks(n_users, n_interactions, joined))
    return {"seg": segment_columns(ids, joined, batches, now=NOW)}


def run_pandas(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from smmkit.audience.lifecycle import KIND_CODES

    ids, joined = _users(n_users)
    frames = [
        pd.DataFrame(
            {
                "user": np.asarray(c["user_ids"], dtype=np.int64),
                "kind": np.asarray(c["kinds"], dtype=np.int8),
                "ts": np.asarray(c["timestamps"], dtype=np.float64),
                "value": np.asarray(c["values"], dtype=np.float64),
            }
        )
        for c in _chunks(n_users, n_interactions, joined)
    ]
    df = pd.concat(frames, ignore_index=True)
    del frames
    users = pd.DataFrame({"joined": np.asarray(joined)}, index=pd.Index(ids, name="user"))
    return {"stage_rfm": _pandas_rules(df, users, {k.value: c for k, c in KIND_CODES.items()})}


# -- sides: stream mode (end to end from one iterator of row tuples) --------------------
def run_rows(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    ids, joined = _users(n_users)
    users = sum(1 for _ in zip(ids, joined, strict=True))
    rows = sum(1 for _ in _rows(n_users, n_interactions, joined))
    return {"rows": rows, "users": users}


def run_smmkit_rows(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    from smmkit.audience.lifecycle import segment_users

    ids, joined = _users(n_users)
    rows = _rows(n_users, n_interactions, joined)
    return {"seg": segment_users(zip(ids, joined, strict=True), rows, now=NOW)}


def run_pandas_rows(n_users: int, n_interactions: int, out: str) -> dict[str, Any]:
    import pandas as pd

    ids, joined = _users(n_users)
    users = pd.DataFrame.from_records(
        zip(ids, joined, strict=True), columns=["user", "joined"], index="user"
    )
    df = pd.DataFrame.from_records(
        _rows(n_users, n_interactions, joined), columns=["user", "kind", "ts", "value"]
    )
    from smmkit.models import InteractionKind

    return {"stage_rfm": _pandas_rules(df, users, {k.value: k.value for k in InteractionKind})}


def _pandas_rules(df: Any, users: Any, key: dict[str, Any]) -> tuple[bytes, bytes]:
    """Stages and per-user RFM bytes from an interactions frame and a users frame.

    ``key`` maps each kind's name to how the frame spells it (its code or its name).
    """
    import numpy as np

    from smmkit.audience.lifecycle import LifecycleRules

    rules = LifecycleRules()
    now = NOW.timestamp()
    activity = [key[k.value] for k in rules.activity_kinds]
    last = df.loc[df["kind"].isin(activity)].groupby("user")["ts"].max()
    orders = df.loc[df["kind"] == key["order"]].copy()
    # Order values summed as integer 1/10 000 units, exactly like smmkit does.
    orders["units"] = np.round(orders["value"].to_numpy() * 10_000).astype(np.int64)
    window_start = now - rules.loyal_window_days * DAY
    og = orders.groupby("user").agg(
        n=("ts", "size"), last_order=("ts", "max"), money=("units", "sum")
    )
    og["in_window"] = (
        orders.loc[orders["ts"] >= window_start].groupby("user").size().reindex(og.index)
    ).fillna(0)
    unf = df.loc[df["kind"] == key["unfollow"]].groupby("user")["ts"].max()
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
    return stage.tobytes(), rfm.tobytes()


SIDES = {
    "generate": run_generate,
    "smmkit": run_smmkit,
    "smmkit-numpy": run_smmkit_numpy,
    "pandas": run_pandas,
    "rows": run_rows,
    "smmkit-rows": run_smmkit_rows,
    "pandas-rows": run_pandas_rows,
}
MODES = {
    "stream": ("rows", "smmkit-rows", "pandas-rows"),
    "columns": ("generate", "smmkit", "smmkit-numpy", "pandas"),
}
LABELS = {
    "generate": "stream generation only",
    "smmkit": "smmkit segment_users",
    "smmkit-numpy": "smmkit segment_columns",
    "pandas": "pandas concat+groupby",
    "rows": "iterators only (source)",
    "smmkit-rows": "smmkit segment_users",
    "pandas-rows": "pandas from_records+groupby",
}
PEERS = {"pandas": "pandas", "pandas-rows": "pandas", "smmkit-numpy": "numpy"}


def _child(side: str, n_users: int, n_interactions: int, out: str, traced: bool) -> None:
    import tracemalloc

    _warm()
    if side.startswith("pandas"):
        import pandas  # noqa: F401  (imports are not the work)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    c0 = time.process_time()
    result = SIDES[side](n_users, n_interactions, out)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    report: dict[str, Any] = {"seconds": seconds, "cpu": cpu, "base_rss_mib": base}
    if traced:
        report["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    # ru_maxrss is KiB on Linux.
    report["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "seg" in result:
        seg = result["seg"]
        rfm = bytearray(3 * len(seg))  # per-user layout, for the comparison only
        for b, i in enumerate(seg.buyer_positions):
            rfm[3 * i : 3 * i + 3] = seg.buyer_rfm[3 * b : 3 * b + 3]
        stage_rfm = (seg.stage_codes, bytes(rfm))
        report["counts"] = {s.value: n for s, n in seg.counts().items()}
    elif "stage_rfm" in result:
        stage_rfm = result["stage_rfm"]
    else:
        stage_rfm = (b"", b"")
    with open(out, "wb") as fh:
        fh.write(stage_rfm[0])
        fh.write(stage_rfm[1])
    print(json.dumps(report))


def _run_mode(mode: str, args: argparse.Namespace, tmp: str) -> bool:
    sides = [s for s in MODES[mode] if s not in PEERS or peer(PEERS[s]) is not None]
    results: dict[str, list[dict[str, Any]]] = {s: [] for s in sides}
    outputs: dict[str, bytes] = {}
    for rep in range(args.repeat):
        for side in sides[rep % len(sides) :] + sides[: rep % len(sides)]:  # rotate the order
            out = os.path.join(tmp, side)
            command = [sys.executable, __file__, "--side", side, "--users", str(args.users)]
            command += ["--interactions", str(args.interactions), "--out", out]
            command += ["--tracemalloc"] if args.tracemalloc else []
            proc = subprocess.run(command, check=False, capture_output=True, text=True)
            if proc.returncode:
                fail(f"side {side} failed:\n{proc.stderr[-3000:]}")
            results[side].append(json.loads(proc.stdout))
            if side not in ("generate", "rows"):
                with open(out, "rb") as fh:
                    outputs[side] = fh.read()
    what = "end to end from one iterator of row tuples" if mode == "stream" else "column lists"
    print(
        f"\n{mode} mode ({what}): {args.users:,} users, {args.interactions:,} interactions; "
        f"median of {args.repeat}, separate processes"
    )
    keys = ["seconds", "cpu", "peak_rss_mib"] + (["traced_peak_mib"] if args.tracemalloc else [])
    med = {s: {k: statistics.median(r[k] for r in results[s]) for k in keys} for s in sides}
    head = f"{'side':<30}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}"
    print(head + (f"{'traced MiB':>12}" if args.tracemalloc else ""))
    for side in sides:
        m = med[side]
        line = f"{LABELS[side]:<30}{m['seconds']:>9.2f}{m['cpu']:>9.2f}{m['peak_rss_mib']:>14.0f}"
        print(line + (f"{m['traced_peak_mib']:>12.0f}" if args.tracemalloc else ""))
    base = next(s for s in sides if s in ("generate", "rows"))
    starts = ", ".join(f"{s} {results[s][0]['base_rss_mib']:.0f}" for s in sides)
    print(f"(peak RSS includes the interpreter and imports; RSS at clock start, MiB: {starts})")
    peer_side = next((s for s in sides if s.startswith("pandas")), None)
    if peer_side is not None:
        p = med[peer_side]
        for side in sides:
            if side in (peer_side, base):
                continue
            m = med[side]
            net = (m["cpu"] - med[base]["cpu"]) / max(1e-9, p["cpu"] - med[base]["cpu"])
            line = (
                f"{LABELS[side]} / pandas: CPU {m['cpu'] / p['cpu']:.2f}x (net of the source "
                f"{net:.2f}x), wall {m['seconds'] / p['seconds']:.2f}x, peak RSS "
                f"{m['peak_rss_mib'] / p['peak_rss_mib']:.2f}x"
            )
            if args.tracemalloc:
                line += f", traced peak {m['traced_peak_mib'] / p['traced_peak_mib']:.2f}x"
            print(line)
    judged = [s for s in sides if s in outputs]
    same = len({outputs[s] for s in judged}) == 1
    print(f"identical stages and RFM codes for every user ({', '.join(judged)}): {same}")
    smmkit_side = next(s for s in sides if s.startswith("smmkit"))
    print(f"stage counts: {results[smmkit_side][0]['counts']}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", choices=("stream", "columns", "all"), default="all")
    parser.add_argument("--quick", action="store_true", help="20,000 users, 200,000 rows, once")
    parser.add_argument("--tracemalloc", action="store_true", help="also traced peaks (slower)")
    parser.add_argument("--side", choices=sorted(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--out", default=os.devnull, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        _child(args.side, args.users, args.interactions, args.out, args.tracemalloc)
        return
    if args.quick:
        args.users, args.interactions, args.repeat = 20_000, 200_000, 1
    if peer("numpy") is None:
        fail("the data generator needs numpy: pip install numpy")
    modes = ("stream", "columns") if args.mode == "all" else (args.mode,)
    print("lifecycle segmentation + RFM; 2 shared cores expected: compare the ratios")
    with tempfile.TemporaryDirectory() as tmp:
        agree = [_run_mode(mode, args, tmp) for mode in modes]
    if not all(agree):
        fail("the implementations disagree")


if __name__ == "__main__":
    main()
