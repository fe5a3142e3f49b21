"""MastodonStream against mastodon-mock, which speaks Mastodon's streaming protocol.

mastodon-mock 0.6.1 serves ``/api/v1/streaming/{user,hashtag,public}`` as real
``text/event-stream`` responses (``:connected``, ``event: notification`` / ``update``,
``:thump`` heartbeats), so no fixture stands in for the server here. Start it with
``out=$(bash scripts/integration/start-masto.sh) && eval "$out"``; skips when
``SMMKIT_MASTO_URL`` is unset. alice is the brand, bob writes to her.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from typing import Any

import httpx
import pytest
from tests.support.tcp_proxy import proxy_to

from smmkit.models import InboxEvent
from smmkit.platforms import AsyncClient, RetryPolicy, SimulatedClock
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.platforms.streams import MastodonStream

pytestmark = pytest.mark.integration
WAIT = 15.0


@pytest.fixture(scope="module")
def masto() -> tuple[str, str, str]:
    url = os.environ.get("SMMKIT_MASTO_URL", "")
    if not url:
        pytest.skip("SMMKIT_MASTO_URL is not set: start mastodon-mock with scripts/integration/")
    return url, os.environ["SMMKIT_MASTO_TOKEN"], os.environ["SMMKIT_MASTO_TOKEN_2"]


def post(url: str, token: str, text: str, **fields: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/api/v1/statuses",
        headers={"Authorization": f"Bearer {token}"},
        data={"status": text, **fields},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def client(url: str, token: str, clock: SimulatedClock | None = None) -> AsyncClient:
    """A client that owns its HTTP client (closed with it, inside the test's event loop)."""
    adapter = MastodonAdapter(base_url=url, access_token=token)
    return AsyncClient(adapter, clock=clock, retry=RetryPolicy(jitter=0))


async def take(stream: MastodonStream, count: int) -> list[InboxEvent]:
    iterator = stream.__aiter__()
    return [await asyncio.wait_for(iterator.__anext__(), WAIT) for _ in range(count)]


async def nothing_more(stream: MastodonStream, seconds: float = 1.0) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        extra = await asyncio.wait_for(stream.__aiter__().__anext__(), seconds)
        raise AssertionError(f"unexpected event {extra.key}")


async def opened(stream: MastodonStream, count: int = 1) -> None:
    for _ in range(200):
        if stream.connections >= count and stream.cursor is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the stream did not connect")


def test_user_stream_yields_mentions_comments_and_direct_messages(
    masto: tuple[str, str, str],
) -> None:
    url, alice, bob = masto
    mark = uuid.uuid4().hex[:6]

    async def main() -> list[InboxEvent]:
        async with (
            client(url, alice) as brand,
            MastodonStream(brand, watch_terms=["refund"]) as stream,
        ):
            pending = asyncio.ensure_future(take(stream, 3))
            await opened(stream)
            own = post(url, alice, f"New oolong {mark}")
            post(url, bob, f"@alice where is my refund {mark}")
            post(url, bob, f"@alice is it smoky? {mark}", in_reply_to_id=own["id"])
            post(url, bob, f"@alice my address {mark}", visibility="direct")
            post(url, bob, f"just tea {mark}")  # says nothing to alice: no event
            events = await pending
            await nothing_more(stream)
            return events

    events = asyncio.run(main())
    assert [e.kind.value for e in events] == ["mention", "comment", "direct_message"]
    assert events[0].text == f"@alice where is my refund {mark}"
    assert events[0].watch_terms == ("refund",)
    assert events[1].post_id is not None and events[1].parent_id == events[1].post_id
    assert {e.author_name for e in events} == {"bob"}


def test_hashtag_stream_yields_tagged_statuses_with_the_tag_as_watch_term(
    masto: tuple[str, str, str],
) -> None:
    url, alice, bob = masto
    tag = f"tea{uuid.uuid4().hex[:6]}"

    async def main() -> list[InboxEvent]:
        async with (
            client(url, alice) as brand,
            MastodonStream(brand, stream="hashtag", tag=tag) as stream,
        ):
            pending = asyncio.ensure_future(take(stream, 2))
            await opened(stream)
            post(url, bob, f"cold brew #{tag}")
            post(url, bob, "no tag here")
            post(url, alice, f"our own #{tag} post counts too")
            return await pending

    events = asyncio.run(main())
    assert [e.text for e in events] == [f"cold brew #{tag}", f"our own #{tag} post counts too"]
    assert all(e.watch_terms == (f"#{tag}",) for e in events)


def test_a_gap_is_caught_up_through_the_rest_api(masto: tuple[str, str, str]) -> None:
    """Stop, let bob write while nobody listens, resume from the cursor: nothing lost,
    nothing twice; then the live stream goes on."""
    url, alice, bob = masto
    mark = uuid.uuid4().hex[:6]

    async def main() -> tuple[list[InboxEvent], list[InboxEvent]]:
        async with client(url, alice) as brand:
            async with MastodonStream(brand) as stream:
                pending = asyncio.ensure_future(take(stream, 1))
                await opened(stream)
                post(url, bob, f"@alice first {mark}")
                first = await pending
            cursor = stream.cursor
            missed = [post(url, bob, f"@alice while away {n} {mark}") for n in range(3)]
            async with MastodonStream(brand, since=cursor) as resumed:
                later = await take(resumed, 3)
                live = asyncio.ensure_future(take(resumed, 1))
                await asyncio.sleep(0.3)
                post(url, bob, f"@alice live again {mark}")
                later += await live
                await nothing_more(resumed)
            assert [e.event_id for e in later[:3]] == [m["id"] for m in missed]
            return first, later

    first, later = asyncio.run(main())
    assert [e.text for e in first] == [f"@alice first {mark}"]
    assert [e.text.split(" ")[1] for e in later] == ["while", "while", "while", "live"]


def test_a_dropped_connection_reconnects_and_catches_up(masto: tuple[str, str, str]) -> None:
    url, alice, bob = masto
    mark = uuid.uuid4().hex[:6]
    clock = SimulatedClock()

    async def main() -> tuple[list[InboxEvent], MastodonStream]:
        async with proxy_to(url) as proxy, client(proxy.url, alice, clock) as brand:
            async with MastodonStream(brand) as stream:
                pending = asyncio.ensure_future(take(stream, 1))
                await opened(stream)
                post(url, bob, f"@alice before {mark}")
                seen = await pending
                proxy.drop()  # the socket dies; bob goes on writing
                post(url, bob, f"@alice during {mark}")
                seen += await take(stream, 1)
                await opened(stream, 2)
                post(url, bob, f"@alice after {mark}")
                seen += await take(stream, 1)
                await nothing_more(stream)
            return seen, stream

    seen, stream = asyncio.run(main())
    assert [e.text.split(" ")[1] for e in seen] == ["before", "during", "after"]
    assert stream.connections == 2
    assert stream.backoff.reconnects == 1
    assert clock.slept == 0.5  # the client's retry policy, on the client's clock
