"""examples/listen_live.py against the local PDS and mastodon-mock, during a complaint wave.

The example's :func:`listen` runs with small bounds while this test writes to both
servers: on the PDS a fan mentions a fresh brand account, on mastodon-mock bob mentions
alice (the token's account). Each server gets a friendly mention and a wave of
complaints about the brand. Everything read comes through the two live streams, merged.
Skips, like the other integration tests, when ``SMMKIT_BSKY_URL`` or ``SMMKIT_MASTO_URL``
is unset (``scripts/integration/start-bsky.sh``, ``start-masto.sh``; CI starts both).

Other runs may write to the same servers at the same time, so the assertions look only
at the items that carry this test's mark.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from tests.support.pds_accounts import Account, create_account

pytest.importorskip("libipld")
pytest.importorskip("websockets")
pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "listen_live.py"
WAIT = 30.0  # seconds for the wave to come through both streams


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("listen_live_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def masto() -> tuple[str, str, str]:
    url = os.environ.get("SMMKIT_MASTO_URL", "")
    if not url:
        pytest.skip("SMMKIT_MASTO_URL is not set: start mastodon-mock with scripts/integration/")
    return url, os.environ["SMMKIT_MASTO_TOKEN"], os.environ["SMMKIT_MASTO_TOKEN_2"]


def skeet(url: str, author: Account, brand: Account, text: str) -> None:
    """``author`` posts ``@brand text`` with the mention facet."""
    tag = f"@{brand.handle}"
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": f"{tag} {text}",
        "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "langs": ["en"],
        "facets": [
            {
                "index": {"byteStart": 0, "byteEnd": len(tag.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}],
            }
        ],
    }
    response = httpx.post(
        f"{url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {author.jwt}"},
        json={"repo": author.did, "collection": "app.bsky.feed.post", "record": record},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def toot(url: str, token: str, text: str) -> None:
    response = httpx.post(
        f"{url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {token}"},
        data={"status": text},
        timeout=30,
    )
    assert response.status_code == 200, response.text


FRIENDLY = "Chayi oolong is lovely"
WAVE = (
    "Chayi cold brew was spoiled, I want a refund",
    "Chayi tea made me sick, refund please",
    "my Chayi box arrived broken and the tea expired",
)


async def until(predicate: Any, what: str) -> None:
    for _ in range(int(WAIT / 0.1)):
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_complaint_wave_on_both_servers_is_seen_assigned_and_tiered(
    pds_url: str, masto: tuple[str, str, str]
) -> None:
    example = load_example()
    masto_url, alice, bob = masto
    brand, fan = create_account(pds_url, "ll"), create_account(pds_url, "ll")
    mark = uuid.uuid4().hex[:8]
    settings = example.Settings(
        pds_url=pds_url,
        bsky_dids=(brand.did,),
        masto_url=masto_url,
        masto_token=alice,
        seconds=2 * WAIT,
    )
    lines: list[str] = []

    def printed_items() -> int:
        return sum(line.startswith("+ ") and mark in line for line in lines)

    async def main() -> Any:
        stop, ready = asyncio.Event(), asyncio.Event()
        running = asyncio.ensure_future(
            example.listen(settings, stop=stop, ready=ready, out=lines.append)
        )
        await asyncio.wait_for(ready.wait(), WAIT)
        for text in (FRIENDLY, *WAVE):
            await asyncio.to_thread(skeet, pds_url, fan, brand, f"{mark} {text}")
            await asyncio.to_thread(toot, masto_url, bob, f"@alice {mark} {text}")
        await until(lambda: printed_items() >= 8, "8 marked items")
        await until(lambda: any(line.startswith("! ") for line in lines), "a tier change")
        stop.set()
        return await asyncio.wait_for(running, WAIT)

    run = asyncio.run(main())
    assert run.ended_by == "stop"
    items = [item for item in run.inbox.items() if mark in item.event.text]
    assert {item.event.platform for item in items} == {"bluesky", "mastodon"}
    assert len(items) == 8
    for platform in ("bluesky", "mastodon"):
        mine = [item for item in items if item.event.platform == platform]
        complaints = [item for item in mine if FRIENDLY not in item.event.text]
        assert [item.assignee for item in complaints] == ["care"] * 3, platform
        assert [item.assignee for item in mine if item not in complaints] == ["community"]
        assert all(item.event.kind.value == "mention" for item in mine)
    # the wave raised the brand's tier, reported as it happened
    brand_changes = [c for c in run.changes if c.topic == "Chayi"]
    assert brand_changes and brand_changes[0].escalated
    assert any(line.startswith("! ") and "tier Chayi: calm -> " in line for line in lines)
    assert printed_items() == 8
    # both streams closed with a cursor to resume from
    assert run.cursors["bluesky"] is not None and run.cursors["mastodon"] is not None


def test_the_run_ends_after_max_events_and_closes_both_streams(
    pds_url: str, masto: tuple[str, str, str]
) -> None:
    example = load_example()
    masto_url, alice, bob = masto
    brand, fan = create_account(pds_url, "ll"), create_account(pds_url, "ll")
    mark = uuid.uuid4().hex[:8]
    settings = example.Settings(
        pds_url=pds_url,
        bsky_dids=(brand.did,),
        masto_url=masto_url,
        masto_token=alice,
        seconds=2 * WAIT,
        max_events=2,
    )

    async def main() -> Any:
        ready = asyncio.Event()
        running = asyncio.ensure_future(example.listen(settings, ready=ready, out=lambda _: None))
        await asyncio.wait_for(ready.wait(), WAIT)
        await asyncio.to_thread(skeet, pds_url, fan, brand, f"{mark} {WAVE[0]}")
        await asyncio.to_thread(toot, masto_url, bob, f"@alice {mark} {WAVE[1]}")
        return await asyncio.wait_for(running, WAIT)

    run = asyncio.run(main())
    assert run.ended_by == "2 events"
    assert run.events == 2
