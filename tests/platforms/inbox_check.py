"""Incremental-sync checks shared by every client's tests (sync and async drivers).

A caller that persists the cursor after each page and resumes from it, one page per
call, must see every item exactly once, even when items arrive between two pages:
:func:`drain` does that, and :func:`assert_exactly_once` runs the whole scenario on a
fake that can add items (``add(n)`` adds ``n`` items and returns their event keys).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from smmkit.models import InboxPage, InboxSource
from smmkit.testing import drive


def one_page(kind: str, client: Any, source: InboxSource | str, since: str | None) -> InboxPage:
    """The first page of a sync from ``since`` (a fresh iterator each time: a resume)."""
    if kind == "sync":
        pages = list(client.iter_inbox(source, since=since, max_pages=1))
    else:

        async def collect(c: Any) -> list[InboxPage]:
            return [p async for p in c.iter_inbox(source, since=since, max_pages=1)]

        pages = drive(kind, client, collect)
    assert len(pages) == 1
    page: InboxPage = pages[0]
    return page


def drain(
    kind: str,
    client: Any,
    source: InboxSource | str,
    since: str | None,
    *,
    between: Callable[[], object] | None = None,
    max_calls: int = 50,
) -> tuple[list[str], str | None]:
    """Resume page by page from the persisted cursor until caught up; the keys seen."""
    keys: list[str] = []
    cursor = since
    for call in range(max_calls):
        page = one_page(kind, client, source, cursor)
        assert page.source == InboxSource(source)
        keys.extend(e.key for e in page.events)
        cursor = page.cursor
        if call == 0 and between is not None:
            between()
        if not page.more:
            return keys, cursor
    raise AssertionError(f"no end after {max_calls} pages")


def assert_exactly_once(
    kind: str,
    client: Any,
    source: InboxSource | str,
    add: Callable[[int], Sequence[str]],
    *,
    since: str | None = None,
    initial: int = 5,
) -> str | None:
    """Backfill, items arriving between two pages, a later sync: each key exactly once.

    Returns the last cursor; a sync from it finds nothing.
    """
    expected = list(add(initial))
    arrived: list[str] = []
    first, cursor = drain(kind, client, source, since, between=lambda: arrived.extend(add(2)))
    expected += arrived
    second, cursor = drain(kind, client, source, cursor)
    expected += add(1)
    third, cursor = drain(kind, client, source, cursor)
    seen = first + second + third
    repeated = [k for k, n in Counter(seen).items() if n > 1]
    assert not repeated, f"delivered twice: {repeated}"
    assert sorted(seen) == sorted(expected), (sorted(seen), sorted(expected))
    last, cursor = drain(kind, client, source, cursor)
    assert last == []
    return cursor
