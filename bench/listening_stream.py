"""Listening: Bluesky firehose frames → decode → inbox → crisis monitor, events per second.

    python bench/listening_stream.py              # 100k events
    python bench/listening_stream.py 20000        # fewer
    python bench/listening_stream.py --quick      # 5,000 (the run_all --quick contract)

The frames are valid ``com.atproto.sync.subscribeRepos`` ``#commit`` messages (DAG-CBOR
header + body, CAR blocks with the signed commit, a tree node and the post), made by
``tests/support/firehose_frames.py``, one post per frame, every post an inbox event for
the brand (a mention facet, a reply to its post, or a watch term). Stages, each timed on
its own and then with ``tracemalloc`` for its peak memory:

1. decode: ``decode_frame`` + ``frame_events`` (smmkit, libipld underneath);
2. inbox: ``InboxState.add`` in batches of 1000;
3. monitor: ``watch_stream`` into a ``CrisisMonitor`` (``max_pending=1000``).

The reference is atproto's own firehose decoder on the same frames, as its docs use it
(``parse_subscribe_repos_message``, ``CAR.from_bytes``, ``models.get_or_create``),
then the same brand check. atproto pins an older httpx, so it runs in its own
environment: set ``SMMKIT_ATPROTO_PYTHON`` to that interpreter (``.ci/run`` and
``scripts/bench/install_peers.sh`` build one: ``atproto==0.0.73``); without it the
comparison is skipped with a note.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support

from _common import PEERS_SCRIPT, fail, peer
from tests.support.firehose_frames import commit_frame, post_record

from smmkit.audience import InboxState
from smmkit.crisis import CrisisMonitor, Watchlist, watch_stream
from smmkit.models import InboxEvent
from smmkit.platforms.streams import BrandWatch, decode_frame, frame_events

BRAND = "did:plc:teacobrand0000000000000"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/3kbrandpost01"
TEXTS = (
    "@teaco my order arrived cold and late",
    "@teaco the new oolong is lovely",
    "@teaco got food poisoning after the milk tea, want a refund",
    "@teaco where is my parcel?",
)

ATPROTO = r"""
import json, sys, time
from atproto import CAR, firehose_models, models, parse_subscribe_repos_message
brand = sys.argv[2]
data = open(sys.argv[1], "rb").read()
frames, i = [], 0
while i < len(data):
    n = int.from_bytes(data[i:i + 4], "big"); frames.append(data[i + 4:i + 4 + n]); i += 4 + n
def hit(record):
    for facet in record.facets or ():
        for f in facet.features:
            if getattr(f, "did", None) == brand:
                return True
    reply = record.reply
    if reply is not None and reply.parent.uri.startswith("at://" + brand + "/"):
        return True
    return "refund" in record.text.casefold()
def run():
    found = 0
    for frame in frames:
        commit = parse_subscribe_repos_message(firehose_models.MessageFrame.from_bytes(frame))
        if not isinstance(commit, models.ComAtprotoSyncSubscribeRepos.Commit):
            continue
        car = CAR.from_bytes(commit.blocks)
        for op in commit.ops:
            if op.action == "create" and op.path.startswith("app.bsky.feed.post/"):
                record = models.get_or_create(car.blocks.get(op.cid), strict=False)
                if record is not None and hit(record):
                    found += 1
    return found
t0 = time.perf_counter()
found = run()
seconds = time.perf_counter() - t0
import tracemalloc
tracemalloc.start()
run()
peak = tracemalloc.get_traced_memory()[1]
from importlib.metadata import version
print(json.dumps({"seconds": seconds, "events": found, "atproto": version("atproto"),
                  "peak_mib": peak / 2**20}))
"""


def make_frames(count: int) -> list[bytes]:
    frames = []
    for n in range(count):
        text = TEXTS[n % len(TEXTS)]
        minute, second = divmod(n // 20, 60)
        stamp = f"2026-05-01T{9 + minute // 60:02d}:{minute % 60:02d}:{second:02d}.000Z"
        if n % 5 == 4:
            record = post_record(
                text.replace("@teaco ", ""), created_at=stamp, reply_to=(BRAND_POST, BRAND_POST)
            )
        else:
            record = post_record(text, created_at=stamp, mention=BRAND)
        author = f"did:plc:fan{n % 5000:021d}"
        frames.append(commit_frame(n + 1, author, [(f"3k{n:011d}", record)], time=stamp))
    return frames


def timed(label: str, run: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, tracemalloc peak MiB): one timed run, one traced run."""
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"  {label}: {seconds:.2f} s", flush=True)
    return result, seconds, peak


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sizes = [a for a in argv if a != "--quick"]
    count = 5_000 if quick else int(sizes[0]) if sizes else 100_000
    if peer("libipld", "pip install -e '.[firehose]'") is None:
        return 0
    print(f"making {count} frames ...", flush=True)
    frames = make_frames(count)
    size = sum(map(len, frames))
    watch = BrandWatch(dids=(BRAND,), watch_terms=("refund",))
    dids = frozenset(watch.dids)

    def decode() -> list[InboxEvent]:
        return [e for f in frames for e in frame_events(decode_frame(f), watch, dids=dids)]

    events, t_decode, m_decode = timed("decode", decode)
    if len(events) != count:
        fail(f"decode found {len(events)} events in {count} frames")

    def inbox() -> InboxState:
        state = InboxState(horizon=None)
        for start in range(0, len(events), 1000):
            state.add(events[start : start + 1000])
        return state

    state, t_inbox, m_inbox = timed("inbox", inbox)

    def monitor() -> int:
        crisis = CrisisMonitor(Watchlist.for_brand("teaco", industries=("food_safety",)))
        changes = watch_stream(events, crisis, max_pending=1000, quiet=timedelta(hours=1))
        return sum(1 for _ in changes)

    changes, t_monitor, m_monitor = timed("monitor", monitor)
    total = t_decode + t_inbox + t_monitor
    rows = [
        ("decode (smmkit, libipld)", t_decode, m_decode),
        ("inbox (InboxState.add)", t_inbox, m_inbox),
        ("monitor (watch_stream)", t_monitor, m_monitor),
        ("decode → inbox → monitor", total, max(m_decode, m_inbox, m_monitor)),
    ]
    reference = atproto_reference(frames)
    if reference is not None:
        label = f"decode (atproto {reference['atproto']})"
        rows.append((label, reference["seconds"], reference["peak_mib"]))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n{count} events in {count} frames ({size / 2**20:.1f} MiB), "
        f"{len(state)} inbox items, {changes} tier changes"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, peak RSS {rss:.0f} MiB"
    )
    print("\n| stage | seconds | events/s | peak traced memory |\n|---|---|---|---|")
    for label, seconds, peak in rows:
        memory = "n/a" if peak is None else f"{peak:.1f} MiB"
        print(f"| {label} | {seconds:.2f} | {count / seconds:,.0f} | {memory} |")
    if reference is not None:
        if reference["events"] != count:
            fail(f"atproto found {reference['events']} events, smmkit {count}")
        print(
            f"\natproto's decoder takes {reference['seconds'] / t_decode:.2f}x the time of "
            "smmkit's decode (which also builds and validates the InboxEvents)"
        )
    return 0


def atproto_reference(frames: list[bytes]) -> dict[str, Any] | None:
    python = os.environ.get("SMMKIT_ATPROTO_PYTHON")
    if not python:
        print(f"peer skipped: SMMKIT_ATPROTO_PYTHON is unset (atproto); {PEERS_SCRIPT}")
        return None
    with tempfile.NamedTemporaryFile(suffix=".frames") as file:
        for frame in frames:
            file.write(len(frame).to_bytes(4, "big") + frame)
        file.flush()
        out = subprocess.run(
            [python, "-c", ATPROTO, file.name, BRAND], capture_output=True, text=True, check=True
        )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
