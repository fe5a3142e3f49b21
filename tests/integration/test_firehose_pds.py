"""BlueskyFirehose against a real PDS (``@atproto/pds``) on 127.0.0.1.

Start it with ``out=$(bash scripts/integration/start-bsky.sh) && eval "$out"`` (sets
``SMMKIT_BSKY_URL``); skips when that is unset. Every test makes fresh accounts, so the
brand's DID is new and only this test's posts can be events. Posts are written with plain
httpx (``createRecord``/``applyWrites`` are test set-up); everything read comes through
the stream, decoded from the PDS's own DAG-CBOR frames and CAR blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from tests.support.pds_accounts import Account, create_account
from tests.support.tcp_proxy import proxy_to

from smmkit.models import InboxEvent
from smmkit.platforms import RetryPolicy, SimulatedClock
from smmkit.platforms.streams import BlueskyFirehose

pytest.importorskip("libipld")
pytest.importorskip("websockets")
pytestmark = pytest.mark.integration

POST = "app.bsky.feed.post"
WAIT = 20.0  # seconds for one event to arrive through the stream


def now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def mention(text: str, brand: Account) -> dict[str, Any]:
    """A post record whose text starts with ``@brand``, with the mention facet."""
    tag = f"@{brand.handle}"
    return {
        "$type": POST,
        "text": f"{tag} {text}",
        "createdAt": now(),
        "langs": ["en"],
        "facets": [
            {
                "index": {"byteStart": 0, "byteEnd": len(tag.encode())},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand.did}],
            }
        ],
    }


def reply(text: str, parent: dict[str, str], root: dict[str, str]) -> dict[str, Any]:
    return {
        "$type": POST,
        "text": text,
        "createdAt": now(),
        "reply": {"parent": parent, "root": root},
    }


def create(url: str, author: Account, record: dict[str, Any]) -> dict[str, str]:
    """Write ``record``; returns its strong ref ``{"uri", "cid"}``."""
    response = httpx.post(
        f"{url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {author.jwt}"},
        json={"repo": author.did, "collection": POST, "record": record},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"uri": response.json()["uri"], "cid": response.json()["cid"]}


def create_many(url: str, author: Account, records: list[dict[str, Any]]) -> list[str]:
    """Write ``records`` in ONE commit (``applyWrites``); returns their URIs."""
    writes = [
        {"$type": "com.atproto.repo.applyWrites#create", "collection": POST, "value": r}
        for r in records
    ]
    response = httpx.post(
        f"{url}/xrpc/com.atproto.repo.applyWrites",
        headers={"Authorization": f"Bearer {author.jwt}"},
        json={"repo": author.did, "writes": writes},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [r["uri"] for r in response.json()["results"]]


async def take(stream: BlueskyFirehose, count: int) -> list[InboxEvent]:
    """The next ``count`` events of ``stream`` (fails after WAIT seconds without one)."""
    events: list[InboxEvent] = []
    iterator = stream.__aiter__()
    while len(events) < count:
        events.append(await asyncio.wait_for(iterator.__anext__(), WAIT))
    return events


async def nothing_more(stream: BlueskyFirehose, seconds: float = 1.5) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        extra = await asyncio.wait_for(stream.__aiter__().__anext__(), seconds)
        raise AssertionError(f"unexpected event {extra.key}")


async def connected(stream: BlueskyFirehose, count: int = 1) -> None:
    for _ in range(200):
        if stream.connections >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the stream did not connect")


def test_posts_created_during_the_test_arrive_through_the_stream(pds_url: str) -> None:
    brand, fan, other = (create_account(pds_url, "fh") for _ in range(3))

    async def main() -> list[InboxEvent]:
        stream = BlueskyFirehose(pds_url, [brand.did], watch_terms=["refund"])
        async with stream:
            pending = asyncio.ensure_future(take(stream, 5))
            await asyncio.sleep(0)  # the first __anext__ opens the WebSocket (live: no cursor)
            await connected(stream)
            brand_post = create(
                pds_url, brand, {"$type": POST, "text": "New oolong!", "createdAt": now()}
            )
            create(pds_url, other, {"$type": POST, "text": "unrelated", "createdAt": now()})
            create(pds_url, fan, mention("my parcel never came", brand))
            comment = create(pds_url, fan, reply("is it smoky?", brand_post, brand_post))
            create(pds_url, other, reply("very smoky", comment, brand_post))
            quote = {"$type": "app.bsky.embed.record", "record": brand_post}
            create(
                pds_url, fan, {"$type": POST, "text": "look", "createdAt": now(), "embed": quote}
            )
            create(pds_url, other, {"$type": POST, "text": "I want a REFUND", "createdAt": now()})
            events = await pending
            await nothing_more(stream)
            return events

    events = asyncio.run(main())
    kinds = [(e.kind.value, e.author_id) for e in events]
    assert kinds == [
        ("mention", fan.did),
        ("comment", fan.did),
        ("reply", other.did),
        ("quote", fan.did),
        ("mention", other.did),
    ]
    mention_event, comment_event, reply_event, quote_event, term_event = events
    assert mention_event.text == f"@{brand.handle} my parcel never came"
    assert mention_event.language == "en"
    assert comment_event.post_id == comment_event.parent_id == comment_event.thread_id
    assert comment_event.post_id is not None and comment_event.post_id.startswith(
        f"at://{brand.did}/"
    )
    assert reply_event.parent_id == comment_event.event_id
    assert reply_event.post_id == comment_event.post_id
    assert quote_event.post_id == comment_event.post_id
    assert term_event.watch_terms == ("refund",)
    assert all(e.event_id.startswith("at://") and e.platform == "bluesky" for e in events)


def test_a_stream_stopped_mid_way_resumes_from_its_cursor_with_every_event_once(
    pds_url: str,
) -> None:
    brand, fan = create_account(pds_url, "fh"), create_account(pds_url, "fh")
    singles = [create(pds_url, fan, mention(f"complaint {n}", brand))["uri"] for n in range(3)]
    # one commit with three posts: the cursor must also stop between events of one commit
    batch = create_many(pds_url, fan, [mention(f"batch {n}", brand) for n in range(3)])
    created = singles + batch

    async def main() -> list[InboxEvent]:
        seen: list[InboxEvent] = []
        cursor = "0"  # a fresh local PDS keeps its whole history
        for count in (2, 2, 1, 1):  # stops after 2, then inside the batch commit, ...
            stream = BlueskyFirehose(pds_url, [brand.did], cursor=cursor)
            async with stream:
                seen += await take(stream, count)
            assert stream.cursor is not None
            cursor = stream.cursor
        stream = BlueskyFirehose(pds_url, [brand.did], cursor=cursor)
        async with stream:
            await nothing_more(stream)
        return seen

    seen = asyncio.run(main())
    assert [e.event_id for e in seen] == created


def test_a_dropped_connection_reconnects_from_the_cursor_by_itself(pds_url: str) -> None:
    brand, fan = create_account(pds_url, "fh"), create_account(pds_url, "fh")
    created = [create(pds_url, fan, mention(f"cold tea {n}", brand))["uri"] for n in range(4)]
    clock = SimulatedClock()

    async def main() -> tuple[list[InboxEvent], BlueskyFirehose]:
        async with proxy_to(pds_url) as proxy:
            stream = BlueskyFirehose(
                proxy.url, [brand.did], cursor="0", clock=clock, retry=RetryPolicy(jitter=0)
            )
            async with stream:
                seen = await take(stream, 2)
                proxy.drop()  # mid-way: the socket dies under the stream
                seen += await take(stream, 2)
                created.append(create(pds_url, fan, mention("and now?", brand))["uri"])
                seen += await take(stream, 1)
                await nothing_more(stream)
            return seen, stream

    seen, stream = asyncio.run(main())
    assert [e.event_id for e in seen] == created
    assert stream.connections == 2
    assert stream.backoff.reconnects == 1
    assert clock.slept == 0.5  # the retry policy's first backoff, on the injected clock
