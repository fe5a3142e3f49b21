"""MastodonStream offline, over ``httpx.MockTransport``: each streaming connection is a
scripted ``text/event-stream`` body in Mastodon's documented format (named events with
JSON data, ``:thump`` comments); the REST catch-up answers from the same scripted history.
The live protocol is tested against mastodon-mock in tests/integration/test_mastodon_stream.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, InvalidInputError
from smmkit.models import InboxEvent
from smmkit.platforms import AsyncClient, RetryPolicy, SimulatedClock
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.platforms.streams import MastodonStream, SseParser, iterate_sync


def status(sid: int, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(sid),
        "created_at": "2026-05-01T09:30:00.000Z",
        "content": f"<p>{text}</p>",
        "account": {"id": "2", "acct": "bob"},
        **extra,
    }


def mention(nid: int, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": str(nid), "type": "mention", "status": status(nid * 10, text, **extra)}


def sse(*items: tuple[str, Any]) -> bytes:
    out = [":connected\n\n", ":thump\n\n"]
    out += [f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in items]
    return "".join(out).encode()


class Fake:
    """Scripted connections; ``notifications`` is what the REST API knows."""

    def __init__(
        self,
        connections: list[httpx.Response | bytes],
        history: list[dict[str, Any]] | None = None,
        visible: list[int] | None = None,
    ) -> None:
        self.connections = connections
        self.history = history or []
        self.visible = visible or []  # how much of history REST knows, per connection
        self.notifications: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, json={"id": "1", "acct": "tea"})
        if path == "/api/v1/notifications":
            after = request.url.params.get("min_id")
            found = [n for n in self.notifications if after is None or int(n["id"]) > int(after)]
            found = found[: int(request.url.params.get("limit", 40))]
            return httpx.Response(200, json=list(reversed(found)))  # newest first
        if path.startswith("/api/v1/timelines/"):
            return httpx.Response(200, json=[])
        if path.startswith("/api/v1/streaming/"):
            if self.visible:
                self.notifications = self.history[: self.visible.pop(0)]
            if not self.connections:
                return httpx.Response(401, json={"error": "The access token is invalid"})
            answer = self.connections.pop(0)
            if isinstance(answer, httpx.Response):
                return answer
            return httpx.Response(
                200, content=answer, headers={"Content-Type": "text/event-stream"}
            )
        return httpx.Response(404, json={"error": "not found"})

    def client(self, clock: SimulatedClock) -> AsyncClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handler))
        adapter = MastodonAdapter(base_url="https://social.test", access_token="t0k")
        return AsyncClient(adapter, http_client=http, clock=clock, retry=RetryPolicy(jitter=0))


async def collect(stream: MastodonStream, count: int) -> list[InboxEvent]:
    iterator = stream.__aiter__()
    return [await iterator.__anext__() for _ in range(count)]


def test_reconnects_catches_up_and_never_repeats() -> None:
    history = [mention(n, f"@tea complaint {n}") for n in range(1, 6)]
    connections: list[httpx.Response | bytes] = [
        sse(
            ("notification", history[0]),
            ("update", status(99, "home timeline")),
            ("notification", history[1]),
        ),
        httpx.Response(503, json={"error": "busy"}),
        sse(("notification", history[3]), ("notification", history[4]), ("delete", "10")),
    ]
    # 3 was said while the stream was down; 4 and 5 come from both REST and the stream
    fake = Fake(connections, history, visible=[0, 3, 5])
    clock = SimulatedClock()

    async def main() -> tuple[list[InboxEvent], MastodonStream]:
        async with MastodonStream(fake.client(clock)) as stream:
            return await collect(stream, 5), stream

    events, stream = asyncio.run(main())
    assert [e.text for e in events] == [f"@tea complaint {n}" for n in range(1, 6)]
    assert stream.cursor == "5" and stream.connections == 2
    assert clock.slept == 0.5 + 1.0  # the closed stream, then the 503: the policy's backoff
    streaming = [r for r in fake.requests if "streaming" in r.url.path]
    assert all(r.headers["Authorization"] == "Bearer t0k" for r in streaming)
    assert all(r.headers["Accept"] == "text/event-stream" for r in streaming)


def test_kinds_from_notifications() -> None:
    fake = Fake(
        [
            sse(
                ("notification", mention(1, "@tea hi")),
                (
                    "notification",
                    mention(2, "@tea is it smoky?", in_reply_to_id="7", in_reply_to_account_id="1"),
                ),
                ("notification", mention(3, "@tea my address", visibility="direct")),
                ("notification", {"id": "4", "type": "favourite", "status": status(5, "x")}),
                ("notification", mention(5, "@tea bye")),
            )
        ]
    )

    async def main() -> list[InboxEvent]:
        async with MastodonStream(fake.client(SimulatedClock())) as stream:
            return await collect(stream, 4)

    events = asyncio.run(main())
    assert [e.kind.value for e in events] == ["mention", "comment", "direct_message", "mention"]
    assert events[1].post_id == "7"


def test_a_rejected_token_is_raised_after_the_retry_policy_gives_up() -> None:
    fake = Fake([])
    clock = SimulatedClock()

    async def main() -> None:
        async with MastodonStream(fake.client(clock), since="0") as stream:
            await collect(stream, 1)

    with pytest.raises(AuthenticationError):
        asyncio.run(main())


def test_public_stream_keeps_watched_statuses_and_iterates_from_sync_code() -> None:
    fake = Fake(
        [
            sse(
                ("update", status(1, "Oolong is great")),
                ("update", status(2, "where is my REFUND")),
                ("update", {**status(3, "refund boosted"), "reblog": status(2, "x")}),
                ("update", status(4, "refund please")),
            )
        ]
    )
    stream = MastodonStream(
        fake.client(SimulatedClock()), stream="public", watch_terms=["refund"], since="0"
    )
    texts = []
    for event in iterate_sync(stream):
        texts.append((event.text, event.watch_terms))
        if len(texts) == 2:
            break
    assert texts == [("where is my REFUND", ("refund",)), ("refund please", ("refund",))]


def test_bad_arguments_are_refused() -> None:
    client = Fake([]).client(SimulatedClock())
    with pytest.raises(InvalidInputError, match="tag"):
        MastodonStream(client, stream="hashtag")
    with pytest.raises(InvalidInputError, match="stream"):
        MastodonStream(client, stream="home")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="since"):
        MastodonStream(client, since="abc")
    with pytest.raises(InvalidInputError, match="client"):
        MastodonStream("not a client")  # type: ignore[arg-type]


def test_sse_parser_follows_the_standard() -> None:
    parser = SseParser()
    lines = ["event: update", "data:{}", "id: 7", "retry: 10", "", "", "data: a", "data: b", ""]
    events = [e for line in lines if (e := parser.feed(line))]
    assert [(e.event, e.data, e.id) for e in events] == [
        ("update", "{}", "7"),
        ("message", "a\nb", "7"),
    ]
