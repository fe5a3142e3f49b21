"""Incremental sync on WeChat OA, WeCom, Weibo, Douyin and Bilibili, on both drivers.

Each platform is driven through ``http_client=`` over a fake of its documented list API
(``cn_inbox_fake``): items arriving between two pages are delivered exactly once (in the
sync under way or the next one), a sync stopped after one page and resumed from the
persisted cursor loses and repeats nothing, and sources the platform does not give an
app raise :class:`UnsupportedOperationError` naming the platform and the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from tests.platforms.cn_inbox_fake import (
    FakeDouyinComments,
    FakeWeChatComments,
    FakeWeComKf,
    FakeWeiboInbox,
)

from smmkit.exceptions import InvalidInputError, UnsupportedOperationError
from smmkit.models import InboxPage
from smmkit.platforms import Credentials, InMemoryTokenStore, SimulatedClock
from smmkit.platforms.bilibili import BilibiliAdapter
from smmkit.platforms.douyin import DouyinAdapter
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.platforms.wecom import WeComAdapter
from smmkit.platforms.weibo import WeiboAdapter
from smmkit.testing import client_for, drive

POST_A = "Art_1|2247483650"
POST_B = "2247483651"


def sync(
    kind: str, client: Any, source: str, since: str | None = None, max_pages: int | None = None
) -> list[InboxPage]:
    """Every page of one ``iter_inbox`` run, on the sync or the async driver."""

    def run_sync(c: Any) -> list[InboxPage]:
        return list(c.iter_inbox(source, since=since, max_pages=max_pages))

    async def run_async(c: Any) -> list[InboxPage]:
        return [p async for p in c.iter_inbox(source, since=since, max_pages=max_pages)]

    result: list[InboxPage] = drive(kind, client, run_sync if kind == "sync" else run_async)
    return result


def ids(pages: list[InboxPage]) -> list[str]:
    return [e.event_id for p in pages for e in p.events]


def client(kind: str, adapter: Any, server: Any) -> Any:
    return client_for(
        kind, adapter, server, clock=SimulatedClock(), token_store=InMemoryTokenStore()
    )


# -- the two scenarios every platform passes ------------------------------------------


def exactly_once_with_arrivals(
    kind: str,
    cl: Any,
    source: str,
    *,
    arrive: Callable[[], list[str]],
    seeded: list[str],
    server: Any,
) -> None:
    """Items arriving before the 2nd read come in this sync or the next: once each."""
    expected = list(seeded)
    server.on_read[2] = lambda: expected.extend(arrive())
    first = sync(kind, cl, source)
    assert len(first) >= 2 and not first[-1].more and not server.on_read  # they arrived
    second = sync(kind, cl, source, since=first[-1].cursor)
    delivered = ids(first) + ids(second)
    assert Counter(delivered) == Counter(expected), (delivered, expected)
    third = sync(kind, cl, source, since=second[-1].cursor)
    assert ids(third) == []


def resumed_loses_and_repeats_nothing(
    kind: str,
    cl: Any,
    source: str,
    *,
    arrive: Callable[[], list[str]],
    seeded: list[str],
    server: Any,
) -> None:
    """One page, the cursor persisted, arrivals, then the rest from the cursor."""
    expected = list(seeded)
    head = sync(kind, cl, source, max_pages=1)
    assert len(head) == 1 and head[0].more
    cursor = head[0].cursor
    assert isinstance(cursor, str)
    expected.extend(arrive())  # while the cursor sat in storage
    rest = sync(kind, cl, source, since=cursor)
    later = sync(kind, cl, source, since=rest[-1].cursor)
    delivered = ids(head) + ids(rest) + ids(later)
    assert Counter(delivered) == Counter(expected), (delivered, expected)


def unsupported(kind: str, cl: Any, source: str, platform: str) -> None:
    with pytest.raises(UnsupportedOperationError) as caught:
        sync(kind, cl, source)
    assert platform in str(caught.value) and source in str(caught.value)
    assert caught.value.platform == platform


# -- WeChat Official Account --------------------------------------------------------------


def wechat(kind: str, server: FakeWeChatComments, **options: Any) -> Any:
    options.setdefault("watch_posts", [POST_A, POST_B])
    adapter = WeChatOfficialAccountAdapter(
        credentials=Credentials(client_id="wx1", client_secret="s"), **options
    )
    return client(kind, adapter, server)


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest-first", "newest-first"])
def test_wechat_comments_arriving_between_pages_come_once(kind: str, newest_first: bool) -> None:
    server = FakeWeChatComments(newest_first=newest_first)
    seeded = server.add("2247483650", 120) + server.add("2247483651", 3)
    cl = wechat(kind, server)
    exactly_once_with_arrivals(
        kind,
        cl,
        "comments",
        arrive=lambda: server.add("2247483650", 4),
        seeded=seeded,
        server=server,
    )


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest-first", "newest-first"])
def test_wechat_resumed_sync_loses_and_repeats_nothing(kind: str, newest_first: bool) -> None:
    server = FakeWeChatComments(newest_first=newest_first)
    seeded = server.add("2247483650", 60) + server.add("2247483651", 2)
    cl = wechat(kind, server)

    def arrive() -> list[str]:
        return server.add("2247483650", 3) + server.add("2247483651", 1)

    resumed_loses_and_repeats_nothing(
        kind, cl, "comments", arrive=arrive, seeded=seeded, server=server
    )


def test_wechat_a_comment_deleted_between_pages_shifts_nothing_past_the_next_page(
    kind: str,
) -> None:
    server = FakeWeChatComments()
    seeded = server.add("2247483650", 100)
    server.on_read[2] = lambda: server.delete("2247483650", 3)
    pages = sync(kind, wechat(kind, server, watch_posts=[POST_A]), "comments")
    assert Counter(ids(pages)) == Counter(seeded)


def test_wechat_events_carry_the_post_author_and_beijing_time(kind: str) -> None:
    server = FakeWeChatComments()
    server.add("2247483650", 1)
    (event,) = ids_events = [
        e for p in sync(kind, wechat(kind, server), "comments") for e in p.events
    ]
    assert ids_events[0].kind.value == "comment"
    assert (event.post_id, event.thread_id, event.author_id) == (POST_A, POST_A, "o1")
    assert event.at.utcoffset() is not None and event.at.isoformat().endswith("+08:00")


def test_wechat_reply_accepts_an_inbox_event_id(kind: str) -> None:
    from smmkit.platforms.wechat import _comment_number

    assert _comment_number("2247483650-12") == 12


@pytest.mark.parametrize("source", ["mentions", "direct_messages"])
def test_wechat_unsupported_sources(kind: str, source: str) -> None:
    unsupported(kind, wechat(kind, FakeWeChatComments()), source, "wechat_oa")


def test_wechat_needs_watched_posts(kind: str) -> None:
    with pytest.raises(InvalidInputError, match="watch_posts"):
        sync(kind, wechat(kind, FakeWeChatComments(), watch_posts=[]), "comments")


# -- WeCom ----------------------------------------------------------------------------------


def wecom(kind: str, server: FakeWeComKf, **options: Any) -> Any:
    adapter = WeComAdapter(
        credentials=Credentials(client_id="ww1", client_secret="s"), agent_id=1000002, **options
    )
    return client(kind, adapter, server)


def test_wecom_messages_arriving_between_pages_come_once(kind: str) -> None:
    server = FakeWeComKf()
    seeded = server.add(3)
    server.add(1, origin=5)  # a servicer's reply: not an inbox event
    seeded += server.add(2)
    exactly_once_with_arrivals(
        kind,
        wecom(kind, server, kf_page_size=2),
        "direct_messages",
        arrive=lambda: server.add(3),
        seeded=seeded,
        server=server,
    )


def test_wecom_resumed_sync_loses_and_repeats_nothing(kind: str) -> None:
    server = FakeWeComKf()
    seeded = server.add(5)
    resumed_loses_and_repeats_nothing(
        kind,
        wecom(kind, server, kf_page_size=2, open_kfid="wkTEA"),
        "direct_messages",
        arrive=lambda: server.add(2),
        seeded=seeded,
        server=server,
    )


@pytest.mark.parametrize("source", ["mentions", "comments"])
def test_wecom_unsupported_sources(kind: str, source: str) -> None:
    unsupported(kind, wecom(kind, FakeWeComKf()), source, "wecom")


# -- Weibo ----------------------------------------------------------------------------------


def weibo(kind: str, server: FakeWeiboInbox, page: int = 2) -> Any:
    adapter = WeiboAdapter(
        access_token="weibo-token", bound_domain="tea.example.cn", check_token=False
    )
    adapter.inbox_page_size = page
    return client(kind, adapter, server)


@pytest.mark.parametrize("source", ["mentions", "comments"])
def test_weibo_items_arriving_between_pages_come_once(kind: str, source: str) -> None:
    server = FakeWeiboInbox()
    seeded = server.add(source, 5)
    exactly_once_with_arrivals(
        kind,
        weibo(kind, server),
        source,
        arrive=lambda: server.add(source, 3),
        seeded=seeded,
        server=server,
    )


@pytest.mark.parametrize("source", ["mentions", "comments"])
def test_weibo_resumed_sync_loses_and_repeats_nothing(kind: str, source: str) -> None:
    server = FakeWeiboInbox()
    seeded = server.add(source, 5)
    resumed_loses_and_repeats_nothing(
        kind,
        weibo(kind, server),
        source,
        arrive=lambda: server.add(source, 3),
        seeded=seeded,
        server=server,
    )


def test_weibo_comment_events_name_the_weibo(kind: str) -> None:
    server = FakeWeiboInbox()
    server.add("comments", 1)
    (event,) = [e for p in sync(kind, weibo(kind, server), "comments") for e in p.events]
    assert event.post_id == event.thread_id == "4200000000000001"
    assert event.author_name == "茶友" and event.at.isoformat().endswith("+08:00")


def test_weibo_direct_messages_are_unsupported(kind: str) -> None:
    unsupported(kind, weibo(kind, FakeWeiboInbox()), "direct_messages", "weibo")


# -- Douyin ---------------------------------------------------------------------------------


def douyin(kind: str, server: FakeDouyinComments) -> Any:
    adapter = DouyinAdapter(open_id="ou-1", access_token="act.douyin", watch_posts=["@v1", "@v2"])
    return client(kind, adapter, server)


def test_douyin_comments_arriving_between_pages_come_once(kind: str) -> None:
    server = FakeDouyinComments()
    seeded = server.add("@v1", 120) + server.add("@v2", 2)
    exactly_once_with_arrivals(
        kind,
        douyin(kind, server),
        "comments",
        arrive=lambda: server.add("@v1", 4),
        seeded=seeded,
        server=server,
    )


def test_douyin_resumed_sync_loses_and_repeats_nothing(kind: str) -> None:
    server = FakeDouyinComments()
    seeded = server.add("@v1", 70) + server.add("@v2", 3)

    def arrive() -> list[str]:
        return server.add("@v1", 2) + server.add("@v2", 2)

    resumed_loses_and_repeats_nothing(
        kind, douyin(kind, server), "comments", arrive=arrive, seeded=seeded, server=server
    )


@pytest.mark.parametrize("source", ["mentions", "direct_messages"])
def test_douyin_unsupported_sources(kind: str, source: str) -> None:
    unsupported(kind, douyin(kind, FakeDouyinComments()), source, "douyin")


# -- Bilibili -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["mentions", "comments", "direct_messages"])
def test_bilibili_declares_no_inbox_source(kind: str, source: str) -> None:
    adapter = BilibiliAdapter(
        access_token="t", credentials=Credentials(client_id="cid", client_secret="s")
    )
    assert adapter.inbox_sources == frozenset()
    unsupported(kind, client(kind, adapter, FakeWeComKf()), source, "bilibili")
