"""The values of the unified inbox: assignment rules, SLA policy, items, reply calls.

:class:`~smmkit.audience.inbox.InboxState` holds the state; these are what goes in and
what comes out. Every item's response deadline is a :class:`~smmkit.crisis.SlaClock`,
the same value (and clock) as a crisis checklist step's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator

from smmkit.audience._checks import instance_of
from smmkit.audience._checks import text as checked_text
from smmkit.crisis.response import ResponseAction, ResponseTimings, SlaItem, sla_item
from smmkit.crisis.sla import SlaClock, SlaState
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import PlatformId, SmmkitModel
from smmkit.models.inbox import InboxEvent, InboxKind

__all__ = ["AssignmentRule", "InboxItem", "ReplyCall", "SlaPolicy", "reply_call"]


class AssignmentRule(SmmkitModel):
    """Who answers what: every criterion given must match (``None`` matches anything).

    ``platform`` and ``kind`` compare exactly; ``watch_term`` must be one of the event's
    ``watch_terms`` (case-insensitively); ``language`` matches the event's language or
    its region variants (``"zh"`` matches ``"zh-CN"``). Rules are ordered: the first
    that matches assigns the item.

    Example:
        >>> from datetime import datetime, timezone
        >>> rule = AssignmentRule(assignee="lin", platform="weibo", watch_term="拉肚子")
        >>> event = InboxEvent(platform="weibo", kind="mention", event_id="1",
        ...                    author_id="u", text="茶意拉肚子", watch_terms=("拉肚子",),
        ...                    at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
        >>> rule.matches(event)
        True
    """

    assignee: str = Field(min_length=1, max_length=256)
    platform: PlatformId | None = None
    kind: InboxKind | None = None
    watch_term: str | None = Field(default=None, min_length=1, max_length=256)
    language: str | None = Field(default=None, min_length=1, max_length=64)

    def matches(self, event: InboxEvent) -> bool:
        """Whether ``event`` meets every criterion of this rule.

        Example:
            >>> from datetime import datetime, timezone
            >>> event = InboxEvent(platform="mastodon", kind="comment", event_id="9",
            ...                    author_id="u", text="hi", language="en-GB",
            ...                    at=datetime(2026, 5, 1, tzinfo=timezone.utc))
            >>> AssignmentRule(assignee="sam", language="en").matches(event)
            True
        """
        instance_of(event, InboxEvent, "event")
        if self.platform is not None and event.platform != self.platform:
            return False
        if self.kind is not None and event.kind is not self.kind:
            return False
        if self.watch_term is not None:
            wanted = self.watch_term.casefold()
            if not any(term.casefold() == wanted for term in event.watch_terms):
                return False
        if self.language is not None:
            have = (event.language or "").lower().replace("_", "-")
            want = self.language.lower().replace("_", "-")
            if have != want and not have.startswith(want + "-"):
                return False
        return True


class SlaPolicy(SmmkitModel):
    """How long an inbox item may wait for its first reply.

    ``complaint`` (a negative item) defaults to the playbook's one hour for a minor
    complaint (``ResponseTimings().minor_first_reply``); everything else gets ``other``.

    Example:
        >>> SlaPolicy().complaint
        datetime.timedelta(seconds=3600)
    """

    complaint: timedelta = ResponseTimings().minor_first_reply
    other: timedelta = timedelta(hours=24)

    @field_validator("complaint", "other")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be positive")
        return value

    def due(self, event: InboxEvent, *, complaint: bool) -> datetime:
        """When ``event`` must have had its first reply.

        Example:
            >>> from datetime import datetime, timezone
            >>> event = InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...                    author_id="u", text="太差了",
            ...                    at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
            >>> SlaPolicy().due(event, complaint=True).hour
            10
        """
        instance_of(event, InboxEvent, "event")
        return event.at + (self.complaint if complaint else self.other)


class InboxItem(SmmkitModel):
    """One inbox item: the event, who it is assigned to, and its response SLA.

    ``sla`` is a :class:`~smmkit.crisis.SlaClock` (due, and when it was answered), read
    by the same clock as :func:`smmkit.crisis.sla_status`.

    Example:
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
        >>> event = InboxEvent(platform="weibo", kind="comment", event_id="1",
        ...                    author_id="u", text="太差了", at=at)
        >>> item = InboxItem(event=event, complaint=True,
        ...                  sla=SlaClock(due=SlaPolicy().due(event, complaint=True)))
        >>> item.key, item.answered, item.state(now=at).value
        ('weibo:comment:1', False, 'pending')
    """

    event: InboxEvent
    complaint: bool = False
    assignee: str | None = None
    sla: SlaClock
    answered_by: str | None = None

    @property
    def key(self) -> str:
        """The event's de-duplication key."""
        return self.event.key

    @property
    def answered(self) -> bool:
        """Whether a first reply was recorded."""
        return self.sla.done_at is not None

    def state(self, *, now: datetime) -> SlaState:
        """The SLA state at ``now`` (done, done late, pending, breached).

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
            >>> e = InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...                author_id="u", text="?", at=t)
            >>> InboxItem(event=e, sla=SlaClock(due=t)).state(now=t).value
            'pending'
        """
        return self.sla.state(now=now)

    def sla_item(self, *, now: datetime) -> SlaItem:
        """This item as a crisis SLA line: the playbook's ``first_reply`` step.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
            >>> e = InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...                author_id="u", text="?", at=t)
            >>> InboxItem(event=e, sla=SlaClock(due=t)).sla_item(now=t).action.value
            'first_reply'
        """
        return sla_item(ResponseAction.FIRST_REPLY, self.sla, now=now)


class ReplyCall(SmmkitModel):
    """The client call that answers an inbox item, on its own platform.

    ``method`` is ``"reply"`` (``Client.reply(post_id, comment_id, text)``) or
    ``"send_message"`` (``Client.send_message(recipient, text)``, for direct messages);
    :attr:`arguments` are the positional arguments of that call. Hand it to the client
    of ``platform``::

        call = reply_call(item, "Sorry! We are sending a new box today.")
        getattr(clients[call.platform], call.method)(*call.arguments)

    Example:
        >>> ReplyCall(platform="mastodon", method="reply", post_id="1", comment_id="2",
        ...           text="Thanks!").arguments
        ('1', '2', 'Thanks!')
    """

    platform: PlatformId
    method: Literal["reply", "send_message"]
    text: str = Field(min_length=1)
    post_id: str | None = None
    comment_id: str | None = None
    recipient: str | None = None

    @property
    def arguments(self) -> tuple[str, ...]:
        """The positional arguments of ``Client.<method>``."""
        if self.method == "send_message":
            return (self.recipient or "", self.text)
        return (self.post_id or "", self.comment_id or "", self.text)


def reply_call(item: InboxItem | InboxEvent, text: str) -> ReplyCall:
    """The call that answers ``item`` with ``text``, on the item's own platform.

    A direct message is answered by a direct message to its author; a comment, reply,
    mention or quote by a reply to it (``comment_id``) under its post (``post_id``,
    else the conversation's root, else the item itself). Nothing is sent: give the
    call to the client of ``call.platform``.

    Example:
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
        >>> dm = InboxEvent(platform="mastodon", kind="direct_message", event_id="7",
        ...                 author_id="alice@tea.example", text="where is my order?", at=at)
        >>> call = reply_call(dm, "Checking now!")
        >>> call.method, call.arguments
        ('send_message', ('alice@tea.example', 'Checking now!'))
        >>> c = InboxEvent(platform="bluesky", kind="comment", event_id="at://c/1",
        ...                post_id="at://p/1", author_id="did:plc:x", text="cold?", at=at)
        >>> reply_call(c, "Yes, iced!").arguments
        ('at://p/1', 'at://c/1', 'Yes, iced!')
    """
    event = item.event if isinstance(item, InboxItem) else item
    instance_of(event, InboxEvent, "item", "an InboxItem or an InboxEvent")
    body = checked_text(text, "text")
    if not body.strip():
        raise InvalidInputError.single("text", "must not be empty", body)
    if event.kind is InboxKind.DIRECT_MESSAGE:
        return ReplyCall(
            platform=event.platform, method="send_message", text=body, recipient=event.author_id
        )
    return ReplyCall(
        platform=event.platform,
        method="reply",
        text=body,
        post_id=event.post_id or event.thread_id or event.event_id,
        comment_id=event.event_id,
    )
