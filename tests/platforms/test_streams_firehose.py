"""BlueskyFirehose offline: frames made by tests/support/firehose_frames.py, served by a
loopback WebSocket server that honours ``cursor`` as a PDS does (every event after it).
The real PDS is in tests/integration/test_firehose_pds.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from tests.support.firehose_frames import commit_frame, encode, error_frame, post_record

from smmkit.exceptions import InvalidInputError, MalformedPayloadError, ServerError
from smmkit.models import InboxEvent
from smmkit.platforms import RetryPolicy, SimulatedClock
from smmkit.platforms.streams import BlueskyFirehose, BrandWatch, decode_frame, frame_events

pytest.importorskip("libipld")
websockets_server = pytest.importorskip("websockets.asyncio.server")

BRAND = "did:plc:teabrand"
FAN = "did:plc:fan"
BRAND_POST = f"at://{BRAND}/app.bsky.feed.post/root1"
WATCH = BrandWatch(dids=(BRAND,), watch_terms=("refund",))


def events_of(frame: bytes) -> list[InboxEvent]:
    return frame_events(decode_frame(frame), WATCH)


def test_frames_give_mentions_comments_replies_quotes_and_watch_terms() -> None:
    quote = post_record("look at this")
    quote["embed"] = {"$type": "app.bsky.embed.record", "record": {"uri": BRAND_POST, "cid": "x"}}
    frame = commit_frame(
        9,
        FAN,
        [
            ("a", post_record("@tea my order", mention=BRAND)),
            ("b", post_record("smoky?", reply_to=(BRAND_POST, BRAND_POST))),
            ("c", post_record("me too", reply_to=(f"at://{FAN}/app.bsky.feed.post/b", BRAND_POST))),
            ("d", quote),
            ("e", post_record("I want a REFUND", langs=())),
            ("f", post_record("nothing to do with tea")),
        ],
    )
    events = events_of(frame)
    assert [(e.kind.value, e.event_id.rsplit("/", 1)[1]) for e in events] == [
        ("mention", "a"),
        ("comment", "b"),
        ("reply", "c"),
        ("quote", "d"),
        ("mention", "e"),
    ]
    assert events[1].post_id == events[1].parent_id == BRAND_POST
    assert events[2].post_id == events[2].thread_id == BRAND_POST
    assert events[2].parent_id == f"at://{FAN}/app.bsky.feed.post/b"
    assert events[3].post_id == BRAND_POST
    assert events[4].watch_terms == ("refund",) and events[4].language is None
    assert events[0].at.isoformat() == "2026-05-01T09:30:00+00:00"
    assert events[0].author_id == FAN and events[0].language == "en"


def test_the_brands_own_posts_and_other_frames_give_nothing() -> None:
    own = commit_frame(3, BRAND, [("a", post_record("@tea hi", mention=BRAND))])
    identity = encode({"op": 1, "t": "#identity"}) + encode({"seq": 4, "did": FAN})
    assert events_of(own) == [] and events_of(identity) == []
    assert decode_frame(identity).seq == 4


def test_error_and_malformed_frames() -> None:
    assert decode_frame(error_frame("FutureCursor", "too far")).error == ("FutureCursor", "too far")
    with pytest.raises(MalformedPayloadError):
        decode_frame(b"\xa1")
    with pytest.raises(InvalidInputError):
        BrandWatch(dids=("teabrand",))
    with pytest.raises(InvalidInputError):
        BlueskyFirehose("http://pds.test", [BRAND], cursor="x1")
    with pytest.raises(InvalidInputError):
        BlueskyFirehose("ftp://pds.test", [BRAND])


# -- a loopback PDS event stream -----------------------------------------------------


def history() -> list[tuple[int, bytes]]:
    """seq 1..6; seq 3 is one commit with three posts; seq 4 is not for the brand."""
    frames = [
        (1, [("p1", "one")]),
        (2, [("p2", "two")]),
        (3, [("p3", "three"), ("p4", "four"), ("p5", "five")]),
        (5, [("p6", "six")]),
    ]
    out = [
        (
            seq,
            commit_frame(
                seq, FAN, [(k, post_record(f"@tea {t}", mention=BRAND)) for k, t in posts]
            ),
        )
        for seq, posts in frames
    ]
    out.insert(3, (4, commit_frame(4, FAN, [("x", post_record("unrelated"))])))
    return out


class Server:
    def __init__(self, drop_after: int | None = None, error: bytes | None = None) -> None:
        self.frames = history()
        self.drop_after = drop_after
        self.error = error
        self.cursors: list[str | None] = []

    async def handler(self, socket: Any) -> None:
        query = dict(p.split("=") for p in socket.request.path.partition("?")[2].split("&") if p)
        self.cursors.append(query.get("cursor"))
        if self.error is not None:
            await socket.send(self.error)
            return
        after = int(query.get("cursor", 0))
        sent = 0
        for seq, frame in self.frames:
            if seq > after:
                if self.drop_after is not None and sent == self.drop_after:
                    self.drop_after = None
                    return  # the connection ends mid-history
                await socket.send(frame)
                sent += 1
        await socket.wait_closed()  # live: nothing more until the client leaves


@asynccontextmanager
async def serving(server: Server) -> AsyncIterator[str]:
    async with websockets_server.serve(server.handler, "127.0.0.1", 0) as ws:
        port = next(iter(ws.sockets)).getsockname()[1]
        yield f"http://127.0.0.1:{port}"


async def take(stream: BlueskyFirehose, count: int) -> list[str]:
    iterator = stream.__aiter__()
    got = [await asyncio.wait_for(iterator.__anext__(), 5) for _ in range(count)]
    return [e.text.split(" ")[1] for e in got]


ALL = ["one", "two", "three", "four", "five", "six"]


@pytest.mark.parametrize("stops", [(1, 1, 1, 1, 1, 1), (3, 2, 1), (2, 4), (6,)])
def test_stopping_anywhere_and_resuming_from_the_cursor_yields_every_event_once(
    stops: tuple[int, ...],
) -> None:
    async def main() -> tuple[list[str], list[str | None]]:
        server = Server()
        seen: list[str] = []
        cursors: list[str | None] = []
        cursor = "0"
        async with serving(server) as url:
            for count in stops:
                async with BlueskyFirehose(url, [BRAND], cursor=cursor) as stream:
                    seen += await take(stream, count)
                cursor = stream.cursor or "0"
                cursors.append(cursor)
        return seen, cursors

    seen, cursors = asyncio.run(main())
    assert seen == ALL
    if stops == (3, 2, 1):
        assert cursors == ["2:1", "3", "5"]  # inside commit 3 after "three", then past it


def test_a_dropped_connection_is_reopened_from_the_cursor() -> None:
    clock = SimulatedClock()

    async def main() -> tuple[list[str], Server, BlueskyFirehose]:
        server = Server(drop_after=2)
        async with serving(server) as url:
            policy = RetryPolicy(jitter=0)
            async with BlueskyFirehose(
                url, [BRAND], cursor="0", clock=clock, retry=policy
            ) as stream:
                seen = await take(stream, 6)
        return seen, server, stream

    seen, server, stream = asyncio.run(main())
    assert seen == ALL
    assert server.cursors == ["0", "2"]
    assert stream.backoff.reconnects == 1 and clock.slept == 0.5


def test_a_future_cursor_is_raised_not_retried() -> None:
    async def main() -> None:
        server = Server(error=error_frame("FutureCursor", "cursor in the future"))
        async with (
            serving(server) as url,
            BlueskyFirehose(url, [BRAND], cursor="99", clock=SimulatedClock()) as stream,
        ):
            await take(stream, 1)

    with pytest.raises(ServerError, match="FutureCursor"):
        asyncio.run(main())
