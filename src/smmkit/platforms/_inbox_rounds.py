"""Comments followed post by post: the round cursor of WeChat OA and Douyin.

Neither platform has an account-wide comment feed: comments are listed per publication
(WeChat ``comment/list``, ``begin``/``count`` offsets) or per video (Douyin
``item/comment/list``, a ``cursor``). An incremental sync of their comments is a *round*
over the posts the adapter watches: each page reads one page of one post's comments;
the round ends after the last post, with ``more=False``.

Every post keeps a *mark*, the highest key delivered from it (keys are strings that
sort like the items: WeChat's ``user_comment_id`` zero-padded, Douyin's
``create_time|comment_id``). While a post is being read, the cursor also carries the
platform's token of its next page and the highest and lowest keys delivered so far
in the round (``top``, ``bottom``). An item is skipped when its key is at or below the
post's mark (delivered by an earlier round) or between ``bottom`` and ``top``
(delivered earlier in this round: an offset page shifted by new arrivals). A list read
newest first stops at the first item at or below the mark; a list in another order is
read to its end. Items arriving above ``top`` while a newest-first list is read are
left for the next round; in an oldest-first list they come at the end, in this round.

Marks of posts no longer watched are dropped, so the cursor stays as small as the
watch list.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from smmkit.exceptions import InvalidInputError
from smmkit.models.inbox import InboxEvent, InboxPage, InboxSource

__all__ = ["RoundCursor", "round_page", "watched_posts"]

_PREFIX = "r1."


def watched_posts(value: object, field_name: str = "watch_posts") -> tuple[str, ...]:
    """``value`` as the tuple of post ids an adapter follows the comments of.

    Example:
        >>> watched_posts(["a", "b", "a"])
        ('a', 'b')
        >>> watched_posts("a")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: watch_posts: must be a list of post ids (str) \
(got 'a')
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise InvalidInputError.single(field_name, "must be a list of post ids (str)", value)
    found: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError.single(f"{field_name}.{i}", "must be a non-empty str", item)
        if item not in found:
            found.append(item)
    return tuple(found)


@dataclass(frozen=True)
class RoundCursor:
    """Where a round over the watched posts stands; :meth:`encode` gives the string.

    Example:
        >>> cursor = RoundCursor(marks={"p1": "0007"}, index=1, page="49", top="0003")
        >>> RoundCursor.decode(cursor.encode()) == cursor
        True
        >>> RoundCursor.decode(None).index
        0
    """

    marks: dict[str, str] = field(default_factory=dict)
    index: int = 0
    page: str | None = None
    top: str | None = None
    bottom: str | None = None

    def encode(self) -> str:
        """The cursor as an opaque, URL-safe string."""
        raw = json.dumps(
            [self.marks, self.index, self.page, self.top, self.bottom],
            separators=(",", ":"),
            sort_keys=True,
        )
        return _PREFIX + base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str | None) -> RoundCursor:
        """The round a cursor from :meth:`encode` describes (``None``: a first sync)."""
        if cursor is None:
            return cls()
        try:
            if not cursor.startswith(_PREFIX):
                raise ValueError(cursor)
            body = cursor[len(_PREFIX) :]
            marks, index, page, top, bottom = json.loads(
                base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            )
            if not isinstance(marks, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in marks.items()
            ):
                raise ValueError(marks)
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise ValueError(index)
            for part in (page, top, bottom):
                if part is not None and not isinstance(part, str):
                    raise ValueError(part)
        except (ValueError, TypeError, binascii.Error):
            raise InvalidInputError.single(
                "since", "is not a cursor of this platform's comment inbox", cursor
            ) from None
        return cls(marks=marks, index=index, page=page, top=top, bottom=bottom)

    def current(self, posts: Sequence[str]) -> tuple[RoundCursor, str]:
        """This cursor fitted to the watch list ``posts``, and the post to read now.

        A cursor past the end of a shortened list starts a new round.
        """
        if not posts:
            raise InvalidInputError.single(
                "watch_posts", "name the posts whose comments to follow (an empty list)"
            )
        state = self
        if state.index >= len(posts):
            state = RoundCursor(marks=state.marks)
        return state, posts[state.index]


def round_page(
    source: InboxSource,
    cursor: RoundCursor,
    posts: Sequence[str],
    items: Iterable[tuple[str, InboxEvent]],
    next_page: str | None,
    *,
    newest_first: bool,
) -> InboxPage:
    """One page of one watched post's comments, and the cursor after it.

    ``cursor`` is :meth:`RoundCursor.current`'s (its ``index`` names the post read),
    ``items`` are ``(key, event)`` in the platform's order, ``next_page`` the platform's
    token of the post's next page (``None``: the end of its list).

    Example:
        >>> from datetime import datetime, timezone
        >>> def event(n):
        ...     return (f"{n:04}", InboxEvent(platform="wechat_oa", kind="comment",
        ...             event_id=str(n), author_id="o", text="hi",
        ...             at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        >>> start, post = RoundCursor().current(["p1"])
        >>> page = round_page("comments", start, ["p1"], [event(1), event(2)], None,
        ...                   newest_first=False)
        >>> [e.event_id for e in page.events], page.more, RoundCursor.decode(page.cursor).marks
        (['1', '2'], False, {'p1': '0002'})
        >>> again = round_page("comments", RoundCursor.decode(page.cursor), ["p1"],
        ...                    [event(1), event(2), event(3)], None, newest_first=False)
        >>> [e.event_id for e in again.events]
        ['3']
    """
    post = posts[cursor.index]
    floor = cursor.marks.get(post)
    top, bottom = cursor.top, cursor.bottom
    fresh: list[InboxEvent] = []
    reached_floor = False
    for key, event in items:
        if floor is not None and key <= floor:
            reached_floor = True
            continue
        if bottom is not None and top is not None and bottom <= key <= top:
            continue
        fresh.append(event)
        top = key if top is None or key > top else top
        bottom = key if bottom is None or key < bottom else bottom
    if next_page is not None and not (newest_first and reached_floor):
        after = replace(cursor, page=next_page, top=top, bottom=bottom)
        return InboxPage(source=source, events=tuple(fresh), cursor=after.encode(), more=True)
    marks = {p: m for p, m in cursor.marks.items() if p in posts}
    if top is not None and (floor is None or top > floor):
        marks[post] = top
    index = cursor.index + 1
    more = index < len(posts)
    after = RoundCursor(marks=marks, index=index if more else 0)
    return InboxPage(source=source, events=tuple(fresh), cursor=after.encode(), more=more)
