"""Incremental sync: the framework (InboxSync, WalkCursor, walk_page) and the sandbox inbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import pytest
from tests.platforms.conftest import Driver
from tests.platforms.inbox_check import assert_exactly_once, drain, one_page

from smmkit.exceptions import APIError, InvalidInputError, UnsupportedOperationError
from smmkit.models import InboxEvent, InboxPage, InboxSource
from smmkit.platforms import (
    Client,
    InboxSync,
    PlatformAdapter,
    SandboxPlatform,
    WalkCursor,
    walk_page,
)
from smmkit.platforms._adapter import Flow


def _adder(sandbox: SandboxPlatform, source: str) -> Callable[[int], Sequence[str]]:
    post = sandbox.add_post("Spring oolong")

    def add(n: int) -> Sequence[str]:
        keys = []
        for _ in range(n):
            item = sandbox.add_incoming(source, "hello", post_id=post.id)
            keys.append(f"{sandbox.spec.id}:{item['kind']}:{item['id']}")
        return keys

    return add


@pytest.mark.parametrize("source", list(InboxSource))
def test_sandbox_exactly_once(sandbox: SandboxPlatform, driver: Driver, source: str) -> None:
    client = driver.client(sandbox)
    client.adapter.inbox_page_size = 2
    assert_exactly_once(driver.kind, client, source, _adder(sandbox, source))


def test_cursor_resumes_with_nothing_repeated(sandbox: SandboxPlatform, driver: Driver) -> None:
    client = driver.client(sandbox)
    client.adapter.inbox_page_size = 2
    for n in range(5):
        sandbox.add_incoming("mentions", f"m{n}")
    page = one_page(driver.kind, client, "mentions", None)
    assert [e.text for e in page.events] == ["m0", "m1"] and page.more
    keys, cursor = drain(driver.kind, client, "mentions", page.cursor)
    assert keys == ["mastodon:mention:in3", "mastodon:mention:in4", "mastodon:mention:in5"]
    assert drain(driver.kind, client, "mentions", cursor)[0] == []


def test_events_carry_the_thread(sandbox: SandboxPlatform) -> None:
    post = sandbox.add_post("New matcha")
    sandbox.add_incoming("comments", "price?", post_id=post.id, author="ann")
    sandbox.add_incoming("comments", "same q", post_id=post.id, in_reply_to="in1")
    with sandbox.client() as client:
        (page,) = client.iter_inbox("comments")
        comments = client.comments(post.id)
    first, reply = page.events
    assert (first.kind.value, first.post_id, first.author_id) == ("comment", post.id, "ann")
    assert (reply.kind.value, reply.parent_id, reply.thread_id) == ("reply", "in1", post.id)
    assert {"in1", "in2"} <= {c.id for c in comments}


def test_max_pages_bounds_a_backfill(sandbox: SandboxPlatform) -> None:
    for n in range(7):
        sandbox.add_incoming("direct_messages", f"dm{n}")
    with sandbox.client() as client:
        client.adapter.inbox_page_size = 2  # type: ignore[attr-defined]
        pages = list(client.iter_inbox("direct_messages", max_pages=2))
        rest = list(client.iter_inbox("direct_messages", since=pages[-1].cursor))
    assert [len(p.events) for p in pages] == [2, 2] and pages[-1].more
    assert [e.text for p in rest for e in p.events] == ["dm4", "dm5", "dm6"]
    assert not rest[-1].more


def test_nothing_new_keeps_the_cursor(sandbox: SandboxPlatform) -> None:
    sandbox.add_incoming("mentions", "hi")
    with sandbox.client() as client:
        (page,) = client.iter_inbox("mentions")
        (again,) = client.iter_inbox("mentions", since=page.cursor)
    assert again.events == () and again.cursor == page.cursor and not again.more


def test_bad_arguments_raise_before_any_request(sandbox: SandboxPlatform) -> None:
    with sandbox.client() as client:
        with pytest.raises(InvalidInputError) as bad:
            client.iter_inbox("likes")
        assert bad.value.fields == ("source",)
        with pytest.raises(InvalidInputError) as bad:
            client.iter_inbox("mentions", max_pages=0)
        assert bad.value.fields == ("max_pages",)
        with pytest.raises(InvalidInputError) as bad:
            client.iter_inbox("mentions", since="")
        assert bad.value.fields == ("since",)
    assert sandbox.requests_seen == 0


class _Deaf(PlatformAdapter):
    name = platform_id = "mastodon"
    default_base_url = "https://social.example"
    inbox_sources = frozenset({InboxSource.MENTIONS})


def test_unsupported_source_names_platform_and_source() -> None:
    with Client(_Deaf()) as client:
        with pytest.raises(UnsupportedOperationError) as refused:
            client.iter_inbox(InboxSource.DIRECT_MESSAGES)
        assert "direct_messages" in str(refused.value) and "mastodon" in str(refused.value)
        assert refused.value.platform == "mastodon"
        # declared but not implemented: the default operation says so when driven
        with pytest.raises(UnsupportedOperationError, match="mentions"):
            list(client.iter_inbox("mentions"))


class _Stuck(_Deaf):
    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        return InboxPage(source=source, cursor="same", more=True)
        yield  # pragma: no cover


def test_a_cursor_that_does_not_move_stops_the_loop() -> None:
    with Client(_Stuck()) as client, pytest.raises(APIError, match="same cursor"):
        list(client.iter_inbox("mentions", since="same"))


def _event(n: int) -> tuple[str, InboxEvent]:
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    event = InboxEvent(
        platform="x", kind="mention", event_id=str(n), author_id="a", text="t", at=at
    )
    return f"{n:06}", event


def test_walk_over_offsets_shifted_by_new_arrivals() -> None:
    # An offset-paged, newest-first list: 6..1, pages of 2; 2 new items arrive (8, 7)
    items = [6, 5, 4, 3, 2, 1]
    page = walk_page(InboxSource.COMMENTS, WalkCursor(), [_event(n) for n in items[:2]], "2")
    seen = [e.event_id for e in page.events]
    items = [8, 7, *items]
    offset = 2
    while page.more:
        cursor = WalkCursor.decode(page.cursor)
        chunk = items[offset : offset + 2]
        offset += 2
        nxt = str(offset) if offset < len(items) else None
        page = walk_page(InboxSource.COMMENTS, cursor, [_event(n) for n in chunk], nxt)
        seen += [e.event_id for e in page.events]
    assert seen == ["6", "5", "4", "3", "2", "1"]
    after = WalkCursor.decode(page.cursor)
    assert after == WalkCursor(floor="000006")
    nxt_walk = walk_page(InboxSource.COMMENTS, after, [_event(n) for n in (8, 7, 6)], "x")
    assert [e.event_id for e in nxt_walk.events] == ["8", "7"] and not nxt_walk.more
    assert WalkCursor.decode(nxt_walk.cursor).floor == "000008"


def test_walk_cursor_rejects_foreign_strings() -> None:
    for bad in ("123", "w1.!!", "w1." + "WzEsMiwzLDRd"):  # the last: [1,2,3,4]
        with pytest.raises(InvalidInputError) as refused:
            WalkCursor.decode(bad)
        assert refused.value.fields == ("since",)


def test_inbox_sync_is_sans_io(sandbox: SandboxPlatform) -> None:
    sandbox.add_incoming("mentions", "hi")
    with sandbox.client() as client:
        sync = InboxSync(client.adapter, "mentions")
        flow = sync.next_flow()
        assert flow is not None
        request = next(flow)
        assert request.url.path == "/api/inbox/mentions"  # type: ignore[union-attr]
        flow.close()
        page = sync.accept(client.run(sync.next_flow()))  # type: ignore[arg-type]
    assert len(page.events) == 1 and sync.next_flow() is None
