"""What people say to a brand, from any platform, as one value: :class:`InboxEvent`.

Listening (incremental sync, live streams, webhooks) turns every platform's comments,
mentions and direct messages into ``InboxEvent``\\ s; the unified inbox, assignment,
response SLAs and the crisis monitor read nothing else. A page of events from an
incremental sync is an :class:`InboxPage` that carries the cursor to resume from.

Example:
    >>> from datetime import datetime, timezone
    >>> event = InboxEvent(
    ...     platform="mastodon", kind="mention", event_id="109",
    ...     author_id="42", text="@teabrand my order never came",
    ...     at=datetime(2026, 5, 1, 9, 30, tzinfo=timezone.utc),
    ... )
    >>> event.key
    'mastodon:mention:109'
    >>> InboxPage(source="mentions", events=(event,), cursor="109").cursor
    '109'
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from smmkit.models._base import AwareDatetime, PlatformId, SmmkitModel

__all__ = ["InboxEvent", "InboxKind", "InboxPage", "InboxSource"]


class InboxKind(str, Enum):
    """What an inbox event is.

    Example:
        >>> InboxKind("comment") is InboxKind.COMMENT
        True
    """

    MENTION = "mention"  #: the brand's account named in someone's post
    COMMENT = "comment"  #: a comment under one of the brand's posts
    REPLY = "reply"  #: a reply to a comment or to a reply (threaded under its parent)
    DIRECT_MESSAGE = "direct_message"  #: a private message to the brand's account
    QUOTE = "quote"  #: the brand's post quoted or reposted with text


class InboxSource(str, Enum):
    """The streams an incremental sync can follow, one cursor each.

    Example:
        >>> [source.value for source in InboxSource]
        ['mentions', 'comments', 'direct_messages']
    """

    MENTIONS = "mentions"
    COMMENTS = "comments"
    DIRECT_MESSAGES = "direct_messages"


class InboxEvent(SmmkitModel):
    """One thing someone said to or about the brand, on one platform.

    ``event_id`` is the platform's id of the item (unique per platform and kind), so
    :attr:`key` identifies the event across re-deliveries: a sync page fetched twice, a
    stream replayed from a cursor and a webhook retried all give the same key.
    ``thread_id`` is the root post of the conversation, ``parent_id`` the item replied to,
    ``post_id`` the brand's own post it is under (for comments and replies).

    Example:
        >>> from datetime import datetime, timezone
        >>> reply = InboxEvent(platform="bluesky", kind="reply", event_id="at://r/2",
        ...     author_id="did:plc:fan", text="same here", parent_id="at://r/1",
        ...     at=datetime(2026, 5, 1, 9, 31, tzinfo=timezone.utc))
        >>> reply.key, reply.parent_id
        ('bluesky:reply:at://r/2', 'at://r/1')
    """

    platform: PlatformId
    kind: InboxKind
    event_id: str = Field(min_length=1, max_length=512)
    author_id: str = Field(min_length=1, max_length=512)
    text: str
    at: AwareDatetime
    author_name: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    post_id: str | None = None
    language: str | None = None
    url: str | None = None
    watch_terms: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``platform:kind:event_id``, the de-duplication key of this event."""
        return f"{self.platform}:{self.kind.value}:{self.event_id}"


class InboxPage(SmmkitModel):
    """One page of an incremental sync: the events, and the cursor to resume from.

    Persist ``cursor`` anywhere; passing it back as ``since=`` resumes with nothing lost
    and nothing repeated. ``more`` is ``True`` while the platform has more to give now.

    Example:
        >>> page = InboxPage(source="comments", cursor="c-17", more=True)
        >>> page.source.value, page.events, page.more
        ('comments', (), True)
    """

    source: InboxSource
    events: tuple[InboxEvent, ...] = ()
    cursor: str | None = None
    more: bool = False
