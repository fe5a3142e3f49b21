"""The unified inbox (issue 19, item 3): de-duplication, threads, assignment, SLAs, merge."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timedelta, timezone

import pytest

from smmkit.audience import (
    AssignmentRule,
    InboxItem,
    InboxState,
    ReplyCall,
    SlaPolicy,
    reply_call,
)
from smmkit.crisis import (
    ActionRecord,
    ResponseAction,
    ResponsePlan,
    ResponseStep,
    SlaClock,
    SlaState,
    sla_status,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import InboxEvent, Severity

T = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)


def ev(
    event_id: str,
    *,
    kind: str = "comment",
    platform: str = "weibo",
    text: str = "好喝",
    minutes: float = 0,
    **extra: object,
) -> InboxEvent:
    return InboxEvent(
        platform=platform,
        kind=kind,
        event_id=event_id,
        author_id=f"u{event_id}",
        text=text,
        at=T + timedelta(minutes=minutes),
        **extra,
    )


COMPLAINT = "茶意喝完拉肚子，太差了"


def test_duplicates_and_redelivery_change_nothing() -> None:
    inbox = InboxState()
    events = [ev("1"), ev("2", minutes=1), ev("1")]
    assert inbox.add(events) == ("weibo:comment:1", "weibo:comment:2")
    before = inbox.to_json()
    assert inbox.add(list(reversed(events))) == ()
    assert inbox.to_json() == before
    assert len(inbox) == 2 and "weibo:comment:1" in inbox


def test_two_versions_of_one_key_settle_on_the_same_one_in_any_order() -> None:
    a, b = ev("1", text="old"), ev("1", text="edited")
    first, second = InboxState(), InboxState()
    first.add([a])
    first.add([b])
    second.add([b, a])
    assert first == second
    assert first.item("weibo:comment:1").event.text in {"old", "edited"}


def test_a_reply_before_its_parent_is_kept_and_attached_when_the_parent_comes() -> None:
    inbox = InboxState()
    reply = ev("2", kind="reply", parent_id="1", minutes=5)
    nested = ev("3", kind="reply", parent_id="2", minutes=6)
    inbox.add([nested, reply])
    assert [i.key for i in inbox.orphans()] == ["weibo:reply:2"]
    assert inbox.parent("weibo:reply:3") is not None
    inbox.add([ev("1")])
    assert inbox.orphans() == ()
    assert [i.key for i in inbox.replies("weibo:comment:1")] == ["weibo:reply:2"]
    assert [i.event.event_id for i in inbox.thread("weibo:reply:3")] == ["1", "2", "3"]
    assert inbox.parent("weibo:comment:1") is None
    # same ids on another platform are another conversation
    inbox.add([ev("1", platform="douyin")])
    assert [i.key for i in inbox.replies("douyin:comment:1")] == []


def test_assignment_rules_are_ordered_and_the_first_match_wins() -> None:
    rules = [
        AssignmentRule(watch_term="拉肚子", assignee="care"),
        AssignmentRule(platform="weibo", kind="direct_message", assignee="dm-desk"),
        AssignmentRule(language="en", assignee="sam"),
        AssignmentRule(platform="weibo", assignee="lin"),
    ]
    inbox = InboxState(rules=rules)
    inbox.add(
        [
            ev("1", text=COMPLAINT, watch_terms=("茶意", "拉肚子")),
            ev("2", kind="direct_message"),
            ev("3", platform="mastodon", language="en-GB"),
            ev("4"),
            ev("5", platform="douyin"),
        ]
    )
    got = {i.event.event_id: i.assignee for i in inbox.items()}
    assert got == {"1": "care", "2": "dm-desk", "3": "sam", "4": "lin", "5": None}
    assert [i.event.event_id for i in inbox.unassigned()] == ["5"]
    assert [i.event.event_id for i in inbox.assigned_to("lin")] == ["4"]
    fallback = InboxState(rules=rules, default_assignee="team")
    fallback.add([ev("5", platform="douyin")])
    assert fallback.unassigned() == ()
    assert fallback.item("douyin:comment:5").assignee == "team"


def test_a_complaint_is_due_within_the_playbooks_hour_anything_else_within_a_day() -> None:
    inbox = InboxState()
    inbox.add([ev("1", text=COMPLAINT), ev("2", text="新品什么时候上？")])
    complaint, question = inbox.item("weibo:comment:1"), inbox.item("weibo:comment:2")
    assert complaint.complaint and not question.complaint
    assert complaint.sla.due == T + timedelta(hours=1)
    assert question.sla.due == T + timedelta(hours=24)
    assert inbox.overdue(now=T + timedelta(hours=1)) == ()
    assert [i.key for i in inbox.overdue(now=T + timedelta(minutes=61))] == ["weibo:comment:1"]
    assert len(inbox.overdue(now=T + timedelta(days=2))) == 2
    inbox.answer("weibo:comment:1", at=T + timedelta(minutes=30), by="lin")
    item = inbox.item("weibo:comment:1")
    assert item.answered and item.answered_by == "lin"
    assert item.state(now=T + timedelta(days=2)) is SlaState.DONE
    assert [i.key for i in inbox.overdue(now=T + timedelta(days=2))] == ["weibo:comment:2"]
    assert [i.key for i in inbox.unanswered()] == ["weibo:comment:2"]
    # a later answer does not move the first one; an earlier one does
    inbox.answer("weibo:comment:1", at=T + timedelta(minutes=50), by="sam")
    assert inbox.item("weibo:comment:1").answered_by == "lin"
    custom = InboxState(sla=SlaPolicy(complaint=timedelta(minutes=15)))
    custom.add([ev("1", text=COMPLAINT)])
    assert custom.item("weibo:comment:1").sla.due == T + timedelta(minutes=15)


def test_one_sla_model_the_inbox_and_crisis_sla_status_agree() -> None:
    inbox = InboxState()
    inbox.add([ev("1", text=COMPLAINT)])
    answered = T + timedelta(minutes=75)  # late
    inbox.answer("weibo:comment:1", at=answered, by="lin")
    item = inbox.item("weibo:comment:1")
    plan = ResponsePlan(
        crisis_id="c",
        severity=Severity.MINOR,
        since=T,
        steps=(
            ResponseStep(
                action=ResponseAction.FIRST_REPLY,
                due=item.sla.due,
                description="reply",
                owner="community",
                public=True,
            ),
        ),
    )
    record = ActionRecord(action=ResponseAction.FIRST_REPLY, at=answered)
    for now in (T, T + timedelta(hours=3)):
        from_crisis = sla_status(plan, [record], now=now).items[0]
        assert item.sla_item(now=now) == from_crisis
        assert from_crisis.state is SlaState.DONE_LATE
    open_item = InboxState()
    open_item.add([ev("1", text=COMPLAINT)])
    now = T + timedelta(hours=2)
    assert (
        open_item.item("weibo:comment:1").sla_item(now=now)
        == (sla_status(plan, [], now=now).items[0])
    )
    assert isinstance(item.sla, SlaClock)


def test_answers_are_checked() -> None:
    inbox = InboxState()
    inbox.add([ev("1")])
    bad: list[tuple[dict[str, object], str]] = [
        ({"event_key": "nope", "at": T, "by": "lin"}, "event_key"),
        ({"event_key": 3, "at": T, "by": "lin"}, "event_key"),
        ({"event_key": "weibo:comment:1", "at": T.replace(tzinfo=None), "by": "lin"}, "at"),
        ({"event_key": "weibo:comment:1", "at": T - timedelta(seconds=1), "by": "x"}, "at"),
        ({"event_key": "weibo:comment:1", "at": T, "by": " "}, "by"),
    ]
    for kwargs, field in bad:
        with pytest.raises(InvalidInputError) as caught:
            inbox.answer(**kwargs)  # type: ignore[arg-type]
        assert caught.value.fields == (field,)
    with pytest.raises(InvalidInputError) as caught:
        inbox.add([ev("2"), "text"])  # type: ignore[list-item]
    assert caught.value.fields == ("events.1",)
    with pytest.raises(InvalidInputError) as caught:
        inbox.add("weibo:comment:1")  # type: ignore[arg-type]
    assert caught.value.fields == ("events",)
    with pytest.raises(InvalidInputError) as caught:
        inbox.overdue(now=T.replace(tzinfo=None))
    assert caught.value.fields == ("now",)
    with pytest.raises(InvalidInputError) as caught:
        InboxState(horizon=timedelta(0))
    assert caught.value.fields == ("horizon",)
    with pytest.raises(InvalidInputError) as caught:
        InboxState(rules=["lin"])  # type: ignore[list-item]
    assert caught.value.fields == ("rules.0",)


def test_the_horizon_bounds_the_state() -> None:
    inbox = InboxState(horizon=timedelta(days=2))
    for day in range(30):
        inbox.add([ev(f"{day}-{k}", minutes=day * 24 * 60 + k) for k in range(10)])
        if day % 2:
            inbox.answer(f"weibo:comment:{day}-0", at=T + timedelta(days=day, hours=1), by="lin")
    assert len(inbox) <= 3 * 10  # two days and a bit, not thirty
    assert min(i.event.at for i in inbox.items()) >= T + timedelta(days=27)
    # a re-delivered old event does not come back, answered or not
    assert inbox.add([ev("3-0", minutes=3 * 24 * 60), ev("4-5", minutes=4 * 24 * 60 + 5)]) == ()
    assert len(inbox._answers) <= 3
    unbounded = InboxState(horizon=None)
    unbounded.add([ev(str(d), minutes=d * 24 * 60) for d in range(40)])
    assert len(unbounded) == 40


def test_merge_is_the_inbox_of_everything_and_needs_one_config() -> None:
    a, b, whole = InboxState(), InboxState(), InboxState()
    events = [ev(str(i), text=COMPLAINT if i % 3 else "好喝", minutes=i) for i in range(12)]
    a.add(events[::2])
    b.add(events[1::2] + events[:3])
    whole.add(events)
    a.answer("weibo:comment:2", at=T + timedelta(minutes=20), by="lin")
    b.answer("weibo:comment:2", at=T + timedelta(minutes=10), by="sam")
    whole.answer("weibo:comment:2", at=T + timedelta(minutes=10), by="sam")
    assert a.merge(b) == b.merge(a) == whole
    with pytest.raises(InvalidInputError) as caught:
        a.merge(InboxState(default_assignee="x"))
    assert caught.value.fields == ("other",)
    with pytest.raises(InvalidInputError):
        a.merge("inbox")  # type: ignore[arg-type]


def test_json_round_trip_and_typed_errors_for_a_malformed_state() -> None:
    inbox = InboxState(
        rules=[AssignmentRule(platform="weibo", assignee="lin")], default_assignee="team"
    )
    inbox.add([ev("1", text=COMPLAINT), ev("2", kind="reply", parent_id="1", minutes=3)])
    inbox.answer("weibo:comment:1", at=T + timedelta(minutes=9), by="lin")
    back = InboxState.from_json(inbox.to_json())
    assert back == inbox
    assert back.items() == inbox.items()
    assert pickle.loads(pickle.dumps(inbox)) == inbox
    state = json.loads(inbox.to_json())

    def broken(**change: object) -> str:
        return json.dumps({**state, **change})

    cases = [
        ("not json", "data"),
        (b"[]", "data"),
        (broken(version=2), "version"),
        (json.dumps({k: v for k, v in state.items() if k != "answers"}), "answers"),
        (broken(events={}), "events"),
        (broken(events=[[{**state["events"][0][0], "at": "yesterday"}, True]]), "events.0.0.at"),
        (broken(events=[[state["events"][0][0], "yes"]]), "events.0.1"),
        (broken(events=[state["events"][0], state["events"][0]]), "events.1"),
        (broken(answers=[["weibo:comment:9", T.isoformat(), "lin"]]), "answers.0.0"),
        (broken(answers=[["weibo:comment:1", "2026-05-01T09:00:00", "lin"]]), "answers.0.1"),
        (broken(config={"horizon": "soon"}), "config.horizon"),
        (broken(latest=5), "latest"),
        ("[" * 100_000, "data"),
    ]
    for data, field in cases:
        with pytest.raises(InvalidInputError) as caught:
            InboxState.from_json(data)  # type: ignore[arg-type]
        assert field in caught.value.fields, (data[:80], caught.value.fields)
    with pytest.raises(InvalidInputError) as caught:
        InboxState.from_json(42)  # type: ignore[arg-type]
    assert caught.value.fields == ("data",)


def test_replies_go_back_through_the_right_client() -> None:
    comment = ev("c1", platform="bluesky", post_id="at://p/1")
    dm = ev("d1", platform="mastodon", kind="direct_message")
    mention = ev("m1", platform="mastodon", kind="mention", thread_id="100")
    inbox = InboxState()
    inbox.add([comment, dm, mention])
    call = reply_call(inbox.item(comment.key), "Thanks!")
    assert call == ReplyCall(
        platform="bluesky", method="reply", post_id="at://p/1", comment_id="c1", text="Thanks!"
    )
    assert call.arguments == ("at://p/1", "c1", "Thanks!")
    to_dm = reply_call(dm, "On its way")
    assert (to_dm.method, to_dm.arguments) == ("send_message", ("ud1", "On its way"))
    assert reply_call(mention, "Hi").arguments == ("100", "m1", "Hi")

    class Client:
        def __init__(self) -> None:
            self.calls: list[tuple[str, tuple[str, ...]]] = []

        def reply(self, post_id: str, comment_id: str, text: str) -> None:
            self.calls.append(("reply", (post_id, comment_id, text)))

        def send_message(self, recipient: str, text: str) -> None:
            self.calls.append(("send_message", (recipient, text)))

    clients = {"bluesky": Client(), "mastodon": Client()}
    for item, text in ((inbox.item(comment.key), "Thanks!"), (inbox.item(dm.key), "Hi")):
        call = reply_call(item, text)
        getattr(clients[call.platform], call.method)(*call.arguments)
    assert clients["bluesky"].calls == [("reply", ("at://p/1", "c1", "Thanks!"))]
    assert clients["mastodon"].calls == [("send_message", ("ud1", "Hi"))]
    for bad, field in (("  ", "text"), (3, "text")):
        with pytest.raises(InvalidInputError) as caught:
            reply_call(comment, bad)  # type: ignore[arg-type]
        assert caught.value.fields == (field,)
    with pytest.raises(InvalidInputError) as caught:
        reply_call("item", "hi")  # type: ignore[arg-type]
    assert caught.value.fields == ("item",)


def test_items_are_values() -> None:
    inbox = InboxState()
    inbox.add([ev("1")])
    item = inbox.item("weibo:comment:1")
    assert isinstance(item, InboxItem)
    assert InboxItem.model_validate(item.model_dump()) == item
    assert repr(inbox) == "InboxState(1 items, 0 answered)"
