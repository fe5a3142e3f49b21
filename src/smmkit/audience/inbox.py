"""The unified inbox: every platform's comments, mentions and messages in one state.

The playbook's interaction chapter starts from what people say, and its crisis chapter
asks for a minor complaint to be answered within the hour. :class:`InboxState` takes the
:class:`~smmkit.models.InboxEvent` values that listening produces (incremental syncs,
live streams, webhooks) and

* **de-duplicates** them by :attr:`InboxEvent.key <smmkit.models.InboxEvent.key>`: a page
  fetched twice, a stream replayed from a cursor or a retried webhook changes nothing;
* **threads** replies under their parents (``parent_id``): a reply that arrives before its
  parent is kept and attached when the parent comes;
* **assigns** each item by ordered :class:`AssignmentRule` values (first match wins; an
  item no rule matches goes to ``default_assignee`` or stays unassigned, and
  :meth:`InboxState.unassigned` lists it);
* tracks each item's **response SLA** as a :class:`~smmkit.crisis.SlaClock`, the one SLA
  model that :func:`smmkit.crisis.sla_status` reads too: a complaint (negative
  sentiment) is due within the playbook's hour, anything else within a day
  (:class:`SlaPolicy`);
* is **mergeable** (:meth:`InboxState.merge`, associative and commutative) and saves to
  JSON, with bounded memory: items older than ``horizon`` before the newest event
  leave the state.

Nothing here reads the clock or sends anything: :meth:`InboxState.overdue` takes
``now=``, and :func:`reply_call` says which client call answers an item, on its own
platform.

Example:
    >>> from datetime import datetime, timedelta, timezone
    >>> t = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    >>> inbox = InboxState(rules=[AssignmentRule(platform="weibo", assignee="lin")])
    >>> complaint = InboxEvent(platform="weibo", kind="comment", event_id="1",
    ...                        author_id="u1", text="茶意喝完拉肚子，太差了", at=t)
    >>> inbox.add([complaint, complaint])
    ('weibo:comment:1',)
    >>> [(i.key, i.assignee) for i in inbox.overdue(now=t + timedelta(minutes=61))]
    [('weibo:comment:1', 'lin')]
    >>> _ = inbox.answer("weibo:comment:1", at=t + timedelta(minutes=40), by="lin")
    >>> inbox.overdue(now=t + timedelta(hours=2))
    ()
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from smmkit.audience._checks import instance_of, items_of, optional_text, text
from smmkit.audience._inbox_json import InboxConfig, InboxSnapshot, dump_state, parse_state
from smmkit.audience._inbox_values import (
    AssignmentRule,
    InboxItem,
    ReplyCall,
    SlaPolicy,
    reply_call,
)
from smmkit.crisis.sentiment import SentimentAnalyzer, SentimentLabel, default_analyzer
from smmkit.crisis.sla import SlaClock, SlaState
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import require_aware
from smmkit.models.inbox import InboxEvent

__all__ = [
    "AssignmentRule",
    "InboxConfig",
    "InboxEvent",
    "InboxItem",
    "InboxState",
    "ReplyCall",
    "SlaPolicy",
    "reply_call",
]

_Ref = tuple[str, str]  # (platform, event_id)


def _canonical(event: InboxEvent) -> str:
    return json.dumps(event.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


def _pick(a: InboxEvent, b: InboxEvent) -> InboxEvent:
    """One of two events with the same key, whatever the order they came in: the later
    one (so that dropping a version older than the horizon never loses the pick), then
    the first in canonical JSON order."""
    if a == b or a.at != b.at:
        return a if a.at >= b.at else b
    return a if _canonical(a) <= _canonical(b) else b


class InboxState:
    """De-duplicated, threaded, assigned inbox items with response SLAs; mergeable.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
        >>> reply = InboxEvent(platform="mastodon", kind="reply", event_id="2",
        ...                    parent_id="1", author_id="b", text="same here", at=t)
        >>> root = InboxEvent(platform="mastodon", kind="comment", event_id="1",
        ...                   author_id="a", text="cold tea?", at=t)
        >>> inbox = InboxState()
        >>> _ = inbox.add([reply])
        >>> [i.key for i in inbox.orphans()]
        ['mastodon:reply:2']
        >>> _ = inbox.add([root])
        >>> [i.key for i in inbox.replies("mastodon:comment:1")], inbox.orphans()
        (['mastodon:reply:2'], ())
    """

    __slots__ = (
        "_answers",
        "_by_id",
        "_by_parent",
        "_complaint",
        "_events",
        "_heap",
        "_latest",
        "analyzer",
        "config",
    )

    def __init__(
        self,
        *,
        rules: Iterable[AssignmentRule] = (),
        default_assignee: str | None = None,
        sla: SlaPolicy | None = None,
        horizon: timedelta | None = timedelta(days=30),
        analyzer: SentimentAnalyzer | None = None,
    ) -> None:
        policy = SlaPolicy() if sla is None else instance_of(sla, SlaPolicy, "sla")
        if horizon is not None:
            instance_of(horizon, timedelta, "horizon")
        self.config = InboxConfig(
            rules=tuple(items_of(rules, AssignmentRule, "rules")),
            default_assignee=optional_text(default_assignee, "default_assignee"),
            sla=policy,
            horizon=horizon,
        )
        if horizon is not None and horizon <= timedelta(0):
            raise InvalidInputError.single("horizon", "must be positive (or None)", str(horizon))
        self.analyzer = default_analyzer() if analyzer is None else analyzer
        if not isinstance(self.analyzer, SentimentAnalyzer):
            raise InvalidInputError.single(
                "analyzer", "must have score() and score_many()", type(analyzer).__name__
            )
        self._events: dict[str, InboxEvent] = {}
        self._complaint: dict[str, bool] = {}
        self._answers: dict[str, tuple[datetime, str]] = {}
        self._latest: datetime | None = None
        self._heap: list[tuple[datetime, str]] = []
        self._by_id: dict[_Ref, set[str]] = {}
        self._by_parent: dict[_Ref, set[str]] = {}

    # -- feeding -----------------------------------------------------------------------

    def add(self, events: Iterable[InboxEvent]) -> tuple[str, ...]:
        """Take ``events`` in; return the keys of the items that are new, in order.

        A key already present changes nothing (re-delivery); of two different events
        with one key (an edit) the later is kept, the same one whatever the order. An
        event older than ``horizon`` before the newest event seen is ignored. Each item
        must be an
        :class:`~smmkit.models.InboxEvent` (``InvalidInputError`` naming ``events.3``).

        Example:
            >>> from datetime import datetime, timezone
            >>> e = InboxEvent(platform="weibo", kind="mention", event_id="9", author_id="u",
            ...                text="hi", at=datetime(2026, 5, 1, tzinfo=timezone.utc))
            >>> inbox = InboxState()
            >>> inbox.add([e]), inbox.add([e])
            (('weibo:mention:9',), ())
        """
        batch = items_of(events, InboxEvent, "events")
        if not batch:
            return ()
        newest = max(e.at for e in batch)
        self._latest = newest if self._latest is None else max(self._latest, newest)
        cut = self._cut()
        chosen: dict[str, InboxEvent] = {}
        for event in batch:
            if cut is not None and event.at < cut:
                continue
            held = chosen.get(event.key, self._events.get(event.key))
            chosen[event.key] = event if held is None else _pick(held, event)
        changed = {k: e for k, e in chosen.items() if self._events.get(k) is not e}
        scores = self.analyzer.score_many([e.text for e in changed.values()])
        fresh = []
        for (key, event), score in zip(changed.items(), scores, strict=True):
            if key not in self._events:
                fresh.append(key)
            self._put(event, score.label is SentimentLabel.NEGATIVE)
        self._evict()
        return tuple(k for k in fresh if k in self._events)

    def _put(self, event: InboxEvent, complaint: bool) -> None:
        key = event.key
        old = self._events.get(key)
        if old is not None:
            self._unindex(old)
        if old is None or old.at != event.at:
            heapq.heappush(self._heap, (event.at, key))
        self._events[key] = event
        self._complaint[key] = complaint
        self._by_id.setdefault((event.platform, event.event_id), set()).add(key)
        if event.parent_id is not None:
            self._by_parent.setdefault((event.platform, event.parent_id), set()).add(key)

    def _unindex(self, event: InboxEvent) -> None:
        for table, ref in (
            (self._by_id, (event.platform, event.event_id)),
            (self._by_parent, (event.platform, event.parent_id or "")),
        ):
            keys = table.get(ref)
            if keys is not None:
                keys.discard(event.key)
                if not keys:
                    del table[ref]

    def _cut(self) -> datetime | None:
        horizon = self.config.horizon
        return None if horizon is None or self._latest is None else self._latest - horizon

    def _evict(self) -> None:
        cut = self._cut()
        if cut is None:
            return
        while self._heap and self._heap[0][0] < cut:
            _, key = heapq.heappop(self._heap)
            event = self._events.get(key)
            if event is not None and event.at < cut:  # else: a stale entry of a replaced copy
                del self._events[key]
                self._unindex(event)
                self._complaint.pop(key, None)
                self._answers.pop(key, None)

    def answer(self, event_key: str, *, at: datetime, by: str) -> InboxItem:
        """Record that ``by`` answered item ``event_key`` at ``at``; return the item.

        The earliest answer counts (answers merge in any order). ``at`` must be
        timezone-aware and not before the event.

        Example:
            >>> from datetime import datetime, timedelta, timezone
            >>> t = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
            >>> inbox = InboxState()
            >>> _ = inbox.add([InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...                           author_id="u", text="好喝吗？", at=t)])
            >>> inbox.answer("weibo:comment:1", at=t + timedelta(minutes=5), by="lin").answered
            True
        """
        key = text(event_key, "event_key")
        require_aware(at, "at")
        who = text(by, "by")
        if not who.strip():
            raise InvalidInputError.single("by", "must name who answered", who)
        event = self._events.get(key)
        if event is None:
            raise InvalidInputError.single("event_key", "is not in the inbox", key[:80])
        if at < event.at:
            raise InvalidInputError.single("at", "is before the event it answers", at.isoformat())
        held = self._answers.get(key)
        if held is None or (at, who) < held:
            self._answers[key] = (at, who)
        return self._item(key)

    # -- reading -----------------------------------------------------------------------

    def _assignee(self, event: InboxEvent) -> str | None:
        for rule in self.config.rules:
            if rule.matches(event):
                return rule.assignee
        return self.config.default_assignee

    def _item(self, key: str) -> InboxItem:
        event = self._events[key]
        complaint = self._complaint[key]
        answer = self._answers.get(key)
        due = self.config.sla.due(event, complaint=complaint)
        return InboxItem(
            event=event,
            complaint=complaint,
            assignee=self._assignee(event),
            sla=SlaClock(due=due, done_at=None if answer is None else answer[0]),
            answered_by=None if answer is None else answer[1],
        )

    def _sorted(self, keys: Iterable[str]) -> tuple[InboxItem, ...]:
        return tuple(self._item(k) for k in sorted(keys, key=lambda k: (self._events[k].at, k)))

    def item(self, event_key: str) -> InboxItem:
        """The item of ``event_key`` (``InvalidInputError`` when it is not in the inbox).

        Example:
            >>> from datetime import datetime, timezone
            >>> inbox = InboxState()
            >>> _ = inbox.add([InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...     author_id="u", text="hi", at=datetime(2026, 5, 1, tzinfo=timezone.utc))])
            >>> inbox.item("weibo:comment:1").complaint
            False
        """
        key = text(event_key, "event_key")
        if key not in self._events:
            raise InvalidInputError.single("event_key", "is not in the inbox", key[:80])
        return self._item(key)

    def items(self) -> tuple[InboxItem, ...]:
        """Every item, oldest first.

        Example:
            >>> InboxState().items()
            ()
        """
        return self._sorted(self._events)

    def unanswered(self) -> tuple[InboxItem, ...]:
        """Items with no answer recorded, oldest first.

        Example:
            >>> InboxState().unanswered()
            ()
        """
        return self._sorted(k for k in self._events if k not in self._answers)

    def unassigned(self) -> tuple[InboxItem, ...]:
        """Items no rule matched (and no default assignee took), oldest first.

        Example:
            >>> InboxState(default_assignee="team").unassigned()
            ()
        """
        return self._sorted(k for k, e in self._events.items() if self._assignee(e) is None)

    def assigned_to(self, assignee: str) -> tuple[InboxItem, ...]:
        """Items assigned to ``assignee``, oldest first.

        Example:
            >>> InboxState().assigned_to("lin")
            ()
        """
        who = text(assignee, "assignee")
        return self._sorted(k for k, e in self._events.items() if self._assignee(e) == who)

    def overdue(self, *, now: datetime) -> tuple[InboxItem, ...]:
        """Unanswered items past their deadline at ``now``, most overdue first.

        Example:
            >>> from datetime import datetime, timezone
            >>> InboxState().overdue(now=datetime(2026, 5, 1, tzinfo=timezone.utc))
            ()
        """
        require_aware(now, "now")
        late = [i for i in map(self._item, self._events) if i.state(now=now) is SlaState.BREACHED]
        return tuple(sorted(late, key=lambda i: (i.sla.due, i.key)))

    def replies(self, event_key: str) -> tuple[InboxItem, ...]:
        """The direct replies to an item, oldest first.

        Example:
            >>> from datetime import datetime, timezone
            >>> inbox = InboxState()
            >>> _ = inbox.add([InboxEvent(platform="weibo", kind="comment", event_id="1",
            ...     author_id="u", text="hi", at=datetime(2026, 5, 1, tzinfo=timezone.utc))])
            >>> inbox.replies("weibo:comment:1")
            ()
        """
        event = self.item(event_key).event
        return self._sorted(self._by_parent.get((event.platform, event.event_id), ()))

    def parent(self, event_key: str) -> InboxItem | None:
        """The item an item replies to, when it is in the inbox.

        Example:
            >>> from datetime import datetime, timezone
            >>> inbox = InboxState()
            >>> _ = inbox.add([InboxEvent(platform="weibo", kind="reply", event_id="2",
            ...     parent_id="1", author_id="u", text="hi",
            ...     at=datetime(2026, 5, 1, tzinfo=timezone.utc))])
            >>> inbox.parent("weibo:reply:2") is None
            True
        """
        event = self.item(event_key).event
        if event.parent_id is None:
            return None
        found = self._by_id.get((event.platform, event.parent_id))
        return self._sorted(found)[0] if found else None

    def thread(self, event_key: str) -> tuple[InboxItem, ...]:
        """The conversation of an item: its topmost ancestor in the inbox and every reply
        below it, oldest first.

        Example:
            >>> from datetime import datetime, timezone
            >>> t = datetime(2026, 5, 1, tzinfo=timezone.utc)
            >>> inbox = InboxState()
            >>> _ = inbox.add([
            ...     InboxEvent(platform="weibo", kind="comment", event_id="1", author_id="a",
            ...                text="cold?", at=t),
            ...     InboxEvent(platform="weibo", kind="reply", event_id="2", parent_id="1",
            ...                author_id="b", text="yes", at=t),
            ...     InboxEvent(platform="weibo", kind="reply", event_id="3", parent_id="2",
            ...                author_id="a", text="thanks", at=t)])
            >>> [i.event.event_id for i in inbox.thread("weibo:reply:3")]
            ['1', '2', '3']
        """
        top = self.item(event_key)
        seen = {top.key}
        while (up := self.parent(top.key)) is not None and up.key not in seen:
            seen.add(up.key)
            top = up
        found, todo = {top.key}, [top.event]
        while todo:
            event = todo.pop()
            for key in self._by_parent.get((event.platform, event.event_id), ()):
                if key not in found:
                    found.add(key)
                    todo.append(self._events[key])
        return self._sorted(found)

    def orphans(self) -> tuple[InboxItem, ...]:
        """Replies whose parent is not (yet) in the inbox, oldest first.

        Example:
            >>> InboxState().orphans()
            ()
        """
        return self._sorted(
            k
            for k, e in self._events.items()
            if e.parent_id is not None and (e.platform, e.parent_id) not in self._by_id
        )

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, event_key: object) -> bool:
        return event_key in self._events

    # -- merging and saving ------------------------------------------------------------

    def merge(self, other: InboxState) -> InboxState:
        """A new inbox holding both inboxes' items (associative and commutative).

        The configs (rules, default assignee, SLA policy, horizon) must be equal; the
        analyzer is taken from ``self``.

        Example:
            >>> from datetime import datetime, timezone
            >>> e = InboxEvent(platform="weibo", kind="mention", event_id="1", author_id="u",
            ...                text="hi", at=datetime(2026, 5, 1, tzinfo=timezone.utc))
            >>> a, b = InboxState(), InboxState()
            >>> _ = a.add([e]), b.add([e])
            >>> len(a.merge(b))
            1
        """
        if instance_of(other, InboxState, "other").config != self.config:
            raise InvalidInputError.single("other", "was built with a different config")
        snap = self._snapshot()
        theirs = other._snapshot()
        for key, (event, complaint) in theirs.events.items():
            held = snap.events.get(key)
            if held is None:
                snap.events[key] = (event, complaint)
            else:
                snap.events[key] = (_pick(held[0], event), held[1] or complaint)
        for key, answer in theirs.answers.items():
            held_answer = snap.answers.get(key)
            snap.answers[key] = answer if held_answer is None else min(held_answer, answer)
        latest = [t for t in (snap.latest, theirs.latest) if t is not None]
        snap.latest = max(latest) if latest else None
        return self._restore(snap, self.analyzer)

    def _snapshot(self) -> InboxSnapshot:
        events = {k: (e, self._complaint[k]) for k, e in self._events.items()}
        return InboxSnapshot(self.config, self._latest, events, dict(self._answers))

    @classmethod
    def _restore(cls, snap: InboxSnapshot, analyzer: SentimentAnalyzer | None) -> InboxState:
        c = snap.config
        out = cls(
            rules=c.rules,
            default_assignee=c.default_assignee,
            sla=c.sla,
            horizon=c.horizon,
            analyzer=analyzer,
        )
        out._latest = snap.latest
        for event, complaint in snap.events.values():
            out._put(event, complaint)
        out._answers = {k: a for k, a in snap.answers.items() if k in out._events}
        out._evict()
        return out

    def to_json(self) -> str:
        """The state (config, items, answers) as JSON; equal states give equal text.

        Example:
            >>> InboxState.from_json(InboxState().to_json()) == InboxState()
            True
        """
        return dump_state(self._snapshot())

    @classmethod
    def from_json(cls, data: str, *, analyzer: SentimentAnalyzer | None = None) -> InboxState:
        """Rebuild an inbox from :meth:`to_json` output.

        The state is checked before anything is built: a wrong shape, a wrong type or a
        missing key raises :class:`~smmkit.exceptions.InvalidInputError` naming where
        (``events.3.0.at``, ``answers.1``, ``data``).

        Example:
            >>> try:
            ...     InboxState.from_json('{"version": 1}')
            ... except InvalidInputError as exc:
            ...     print(exc.fields)
            ('config',)
        """
        return cls._restore(parse_state(data), analyzer)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InboxState):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"InboxState({len(self._events)} items, {len(self._answers)} answered)"
