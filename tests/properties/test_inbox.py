"""Properties of the unified inbox and the listening feeders (issue 19, items 3 and 4).

* any interleaving, duplication and re-delivery of a set of events, in batches of any
  size, gives the same :class:`~smmkit.audience.InboxState` (horizon or none);
* ``merge`` is associative and commutative, and the merge of partitions is the inbox of
  the whole;
* ``to_json`` / ``from_json`` round-trip, and any other text is refused with a typed error;
* the public entry points (inbox, reply calls, SLA lines, stream feeders) return or raise
  smmkit's typed errors whatever they are given.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    anything,
    attempt,
    covers,
    fast,
    isolated_registries,
    kw,
    probe_params,
    run_probe,
    texts,
)

from smmkit.audience import AssignmentRule, InboxState
from smmkit.crisis import CrisisMonitor, Watchlist, watch_stream
from smmkit.models import InboxEvent, InboxKind, InboxPage, InboxSource

T = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
WL = Watchlist.for_brand("茶意", industries=("food_safety",), accelerator="python")
TEXTS = ("茶意喝完拉肚子，太差了", "好喝", "新品什么时候上？", "love it", "awful service")
RULES = (
    AssignmentRule(platform="weibo", kind="direct_message", assignee="dm"),
    AssignmentRule(language="en", assignee="sam"),
)

events: st.SearchStrategy[InboxEvent] = st.builds(
    lambda platform, kind, n, parent, text, minutes, lang: InboxEvent(
        platform=platform,
        kind=kind,
        event_id=str(n),
        author_id=f"u{n % 3}",
        text=text,
        at=T + timedelta(minutes=minutes),
        parent_id=None if parent is None else str(parent),
        language=lang,
    ),
    st.sampled_from(["weibo", "mastodon", "bluesky"]),
    st.sampled_from(list(InboxKind)),
    st.integers(0, 8),  # few ids: duplicates and conflicting versions of one key
    st.none() | st.integers(0, 8),
    st.sampled_from(TEXTS),
    st.integers(0, 6 * 24 * 60),  # six days, past a two-day horizon
    st.sampled_from([None, "en", "zh-CN"]),
)
horizons = st.sampled_from([None, timedelta(days=2), timedelta(hours=5)])


def _inbox(horizon: timedelta | None) -> InboxState:
    return InboxState(rules=RULES, default_assignee=None, horizon=horizon)


@st.composite
def _deliveries(draw: st.DrawFn, found: list[InboxEvent]) -> list[list[InboxEvent]]:
    """``found`` re-delivered: shuffled, some repeated, cut into batches of any size."""
    again = draw(st.lists(st.sampled_from(found), max_size=len(found))) if found else []
    order = draw(st.permutations(found + again))
    cuts = sorted(draw(st.lists(st.integers(0, len(order)), max_size=5)))
    bounds = [0, *cuts, len(order)]
    return [order[a:b] for a, b in itertools.pairwise(bounds)]


@fast(40)
@given(data=st.data(), found=st.lists(events, max_size=25), horizon=horizons)
@covers("smmkit.audience.InboxState", "smmkit.models.InboxEvent")
def test_any_interleaving_and_redelivery_gives_the_same_inbox(
    data: st.DataObject, found: list[InboxEvent], horizon: timedelta | None
) -> None:
    once = _inbox(horizon)
    once.add(found)
    replayed = _inbox(horizon)
    for batch in data.draw(_deliveries(found), label="deliveries"):
        replayed.add(batch)
    assert replayed == once
    assert replayed.items() == once.items()
    if horizon is None:
        assert len(once) == len({e.key for e in found})


@fast(30)
@given(
    parts=st.lists(st.lists(events, max_size=10), min_size=3, max_size=3),
    horizon=horizons,
    answers=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 99), st.sampled_from("ab"))),
)
@covers("smmkit.audience.InboxState")
def test_merge_is_associative_commutative_and_the_inbox_of_the_whole(
    parts: list[list[InboxEvent]],
    horizon: timedelta | None,
    answers: list[tuple[int, int, str]],
) -> None:
    inboxes = [_inbox(horizon) for _ in parts]
    for inbox, part in zip(inboxes, parts, strict=True):
        inbox.add(part)
    for which, pick, by in answers:  # answers recorded on any partition
        items = inboxes[which].items()
        if items:
            item = items[pick % len(items)]
            at = item.event.at + timedelta(minutes=pick)
            inboxes[which].answer(item.key, at=at, by=by)
    a, b, c = inboxes
    assert a.merge(b).merge(c) == a.merge(b.merge(c))
    assert a.merge(b) == b.merge(a)
    assert a.merge(a) == a
    whole = _inbox(horizon)
    whole.add([e for part in parts for e in part])
    merged = a.merge(b).merge(c)
    assert {i.key for i in merged.items()} == {i.key for i in whole.items()}
    assert [i.event for i in merged.items()] == [i.event for i in whole.items()]


@fast(30)
@given(found=st.lists(events, max_size=15), horizon=horizons, junk=st.one_of(texts, anything))
@covers("smmkit.audience.InboxState")
def test_json_round_trips_and_other_text_is_refused(
    found: list[InboxEvent], horizon: timedelta | None, junk: object
) -> None:
    inbox = _inbox(horizon)
    inbox.add(found)
    for item in inbox.items()[::2]:
        inbox.answer(item.key, at=item.event.at + timedelta(minutes=30), by="lin")
    back = InboxState.from_json(inbox.to_json())
    assert back == inbox
    assert back.items() == inbox.items()
    assert back.overdue(now=T + timedelta(days=3)) == inbox.overdue(now=T + timedelta(days=3))
    result = attempt(InboxState.from_json, junk)
    assert result is REFUSED or isinstance(result, InboxState)


@fast(20)
@given(found=st.lists(events, max_size=12), cursor=st.none() | texts)
@covers("smmkit.models.InboxEvent", "smmkit.models.InboxPage")
def test_event_keys_identify_events_and_pages_round_trip(
    found: list[InboxEvent], cursor: str | None
) -> None:
    for event in found:
        assert event.key == f"{event.platform}:{event.kind.value}:{event.event_id}"
        assert InboxEvent.model_validate_json(event.model_dump_json()) == event
    page = attempt(InboxPage, source=InboxSource.MENTIONS, events=tuple(found), cursor=cursor)
    if page is not REFUSED:
        assert InboxPage.model_validate(page.model_dump()) == page


@fast(10)
@given(found=st.lists(events, max_size=30), max_pending=st.integers(1, 7))
@covers("smmkit.crisis.watch_stream", "smmkit.crisis.awatch_stream")
def test_the_sync_and_async_feeders_agree_on_any_stream(
    found: list[InboxEvent], max_pending: int
) -> None:
    stream = sorted(found, key=lambda e: (e.at, e.key))

    async def source() -> Any:
        for event in stream:
            yield event

    async def collect() -> list[Any]:
        feeder = watch_async(source(), max_pending)
        return [c async for c in feeder]

    def watch_async(src: Any, pending: int) -> Any:
        from smmkit.crisis import awatch_stream

        return awatch_stream(src, CrisisMonitor(WL), max_pending=pending)

    sync = list(watch_stream(stream, CrisisMonitor(WL), max_pending=max_pending))
    assert asyncio.run(collect()) == sync
    for before, after in itertools.pairwise(sync):
        assert before.at <= after.at


_EVENT = InboxEvent(
    platform="weibo", kind="comment", event_id="1", author_id="u", text="太差了", at=T
)

INBOX: dict[str, Probe] = {
    "smmkit.audience.InboxState": Probe(),
    "smmkit.audience.reply_call": Probe(
        args=st.tuples(st.tuples(st.one_of(st.just(_EVENT), anything), texts), st.just({}))
    ),
    "smmkit.crisis.sla_item": Probe(),
    "smmkit.crisis.watch_stream": Probe(
        args=kw(
            events=st.one_of(st.lists(events, max_size=3), anything),
            monitor=st.one_of(st.just(CrisisMonitor(WL)), anything),
            max_pending=st.one_of(st.integers(-2, 5), anything),
        )
    ),
    "smmkit.crisis.awatch_stream": Probe(),
}


@pytest.mark.parametrize("name", probe_params(INBOX))
@fast(20)
@given(data=st.data())
@covers(*INBOX)
def test_inbox_entry_points(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, INBOX[name], data)
