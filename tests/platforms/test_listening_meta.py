"""Facebook Page and Instagram incremental sync, against the fake of ``meta_inbox_fake``.

Comments live under each post, so these sources are fans (``_inbox_fan``): every walk
delivers what was created between the previous walk's start and its own, as the
server's ``Date`` says; comments arriving during a walk wait for the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from tests.platforms.inbox_check import assert_exactly_once, one_page
from tests.platforms.meta_inbox_fake import IG_USER, PAGE, TOKEN, InboxGraph

from smmkit.exceptions import InvalidInputError, UnsupportedOperationError
from smmkit.platforms.facebook import FacebookPageAdapter
from smmkit.platforms.instagram import InstagramAdapter
from smmkit.testing import client_for, drive


def _facebook(kind: str, server: InboxGraph, size: int = 2) -> Any:
    adapter = FacebookPageAdapter(page_id=PAGE, access_token=TOKEN)
    adapter.inbox_page_size = size
    return client_for(kind, adapter, server)


def _instagram(kind: str, server: InboxGraph, size: int = 2) -> Any:
    adapter = InstagramAdapter(ig_user_id=IG_USER, access_token=TOKEN)
    adapter.inbox_page_size = size
    return client_for(kind, adapter, server)


# -- Facebook --------------------------------------------------------------------------


def test_facebook_comments_exactly_once(kind: str) -> None:
    server = InboxGraph()
    posts = [server.post() for _ in range(3)]
    turn = iter(range(1000))

    def add(n: int) -> Sequence[str]:
        keys = []
        for _ in range(n):
            post = posts[next(turn) % len(posts)]
            top = server.comment(post)
            keys.append(f"facebook:comment:{top}")
            keys.append(f"facebook:reply:{server.comment(post, parent=top)}")
            server.comment(post, parent=top, by=PAGE)  # the Page's answer: not inbox
        return keys

    assert_exactly_once(kind, _facebook(kind, server), "comments", add)


def test_facebook_mentions_exactly_once(kind: str) -> None:
    server = InboxGraph()

    def add(n: int) -> Sequence[str]:
        return [f"facebook:mention:{server.tag()}" for _ in range(n)]

    assert_exactly_once(kind, _facebook(kind, server), "mentions", add)


def test_facebook_messages_exactly_once(kind: str) -> None:
    server = InboxGraph()
    turn = iter(range(1000))

    def add(n: int) -> Sequence[str]:
        keys = []
        for _ in range(n):
            conversation = f"t_{next(turn) % 3}"
            keys.append(f"facebook:direct_message:{server.message(conversation)}")
            server.message(conversation, by=PAGE)  # the Page's answer: not inbox
        return keys

    assert_exactly_once(kind, _facebook(kind, server), "direct_messages", add)


def test_facebook_comment_events_say_where_they_are(kind: str) -> None:
    server = InboxGraph()
    post = server.post()
    top = server.comment(post)
    reply = server.comment(post, parent=top)
    page = one_page(kind, _facebook(kind, server, size=10), "comments", None)
    events = {e.event_id: e for e in page.events}
    assert events[top].kind.value == "comment" and events[top].parent_id == post
    assert events[reply].kind.value == "reply" and events[reply].parent_id == top
    assert events[reply].post_id == events[reply].thread_id == post
    assert events[top].author_name == "Ann"
    feed = next(r for r in server.requests if r.url.path.endswith(f"/{PAGE}/feed"))
    assert feed.url.params["limit"] == "10"  # inbox_posts: the recent posts followed


def test_a_comment_under_an_older_post_than_the_window_is_not_followed(kind: str) -> None:
    server = InboxGraph()
    old = server.post()
    client = _facebook(kind, server)
    client.adapter.inbox_posts = 1
    recent = server.post()
    server.comment(old)
    fresh = server.comment(recent)
    pages = list(_all(kind, client, "comments"))
    assert [e.event_id for p in pages for e in p.events] == [fresh]


def test_arrivals_during_a_walk_wait_for_the_next_walk(kind: str) -> None:
    server = InboxGraph()
    first, second = server.post(), server.post()
    server.comment(first)
    server.comment(second)
    client = _facebook(kind, server, size=5)
    page = one_page(kind, client, "comments", None)  # the newer post's list
    assert page.more
    late = server.comment(second)  # under the list already read, after the walk began
    rest = one_page(kind, client, "comments", page.cursor)
    assert late not in [e.event_id for e in rest.events] and not rest.more
    later = one_page(kind, client, "comments", rest.cursor)
    assert [e.event_id for e in later.events] == [late]


def test_a_foreign_cursor_is_refused(kind: str) -> None:
    client = _facebook(kind, InboxGraph())
    with pytest.raises(InvalidInputError, match="since"):
        one_page(kind, client, "comments", "w1.bm90")


# -- Instagram -------------------------------------------------------------------------


def test_instagram_comments_and_replies_exactly_once(kind: str) -> None:
    server = InboxGraph()
    media = [server.ig_media() for _ in range(2)]
    early = server.ig_comment(media[0])
    pending = [f"instagram:comment:{early}"]
    turn = iter(range(1000))

    def add(n: int) -> Sequence[str]:
        # a new reply under an old comment is found too (every list is read to its end)
        keys = [*pending, f"instagram:reply:{server.ig_comment(media[0], reply_to=early)}"]
        pending.clear()
        for _ in range(n - 1):
            keys.append(f"instagram:comment:{server.ig_comment(media[next(turn) % 2])}")
        server.ig_comment(media[1], by=IG_USER)  # the account's own: not inbox
        return keys

    assert_exactly_once(kind, _instagram(kind, server), "comments", add)


def test_instagram_mentions_are_tags_exactly_once(kind: str) -> None:
    server = InboxGraph()

    def add(n: int) -> Sequence[str]:
        return [f"instagram:mention:{server.ig_tag()}" for _ in range(n)]

    assert_exactly_once(kind, _instagram(kind, server), "mentions", add)


def test_instagram_reply_carries_its_comment(kind: str) -> None:
    server = InboxGraph()
    media = server.ig_media()
    top = server.ig_comment(media)
    reply = server.ig_comment(media, reply_to=top)
    page = one_page(kind, _instagram(kind, server, size=10), "comments", None)
    events = {e.event_id: e for e in page.events}
    assert events[reply].parent_id == top and events[reply].post_id == media
    assert events[top].parent_id == media and events[top].author_name == "ann.tea"


def test_instagram_direct_messages_are_unsupported(kind: str) -> None:
    client = _instagram(kind, InboxGraph())
    with pytest.raises(UnsupportedOperationError, match="direct_messages on instagram") as err:
        one_page(kind, client, "direct_messages", None)
    assert err.value.platform == "instagram"


def _all(kind: str, client: Any, source: str) -> list[Any]:
    if kind == "sync":
        return list(client.iter_inbox(source))

    async def collect(c: Any) -> list[Any]:
        return [p async for p in c.iter_inbox(source)]

    result: list[Any] = drive(kind, client, collect)
    return result
