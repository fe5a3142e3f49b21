"""The approval state machine: legal paths, illegal steps, reasons, audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.content.workflow import TRANSITIONS, PostState, PostWorkflow, Transition
from smmkit.exceptions import IllegalTransitionError, InvalidInputError

T0 = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
REASONS = {
    PostState.CHANGES_REQUESTED: "tone too salesy",
    PostState.FAILED: "45009 daily quota",
    PostState.RETRACTED: "wrong price",
}


def _step(wf: PostWorkflow, target: PostState, minutes: int, actor: str = "ops") -> PostWorkflow:
    return wf.transition(
        target, actor=actor, at=T0 + timedelta(minutes=minutes), reason=REASONS.get(target)
    )


def test_happy_path_records_who_when_why() -> None:
    wf = PostWorkflow(post_id="tea-001@xiaohongshu")
    wf = wf.submit(actor="li.na", at=T0)
    wf = wf.request_changes(actor="wang.fang", at=T0 + timedelta(hours=1), reason="加上价格")
    wf = wf.submit(actor="li.na", at=T0 + timedelta(hours=2))
    wf = wf.approve(actor="wang.fang", at=T0 + timedelta(hours=3))
    wf = wf.schedule(actor="li.na", at=T0 + timedelta(hours=4), reason="15:00 slot")
    wf = wf.start_publishing(actor="scheduler", at=T0 + timedelta(hours=5))
    wf = wf.mark_failed(actor="scheduler", at=T0 + timedelta(hours=5), reason="45009")
    wf = wf.start_publishing(actor="scheduler", at=T0 + timedelta(hours=6))
    wf = wf.mark_published(actor="scheduler", at=T0 + timedelta(hours=6))
    wf = wf.retract(actor="pr.lead", at=T0 + timedelta(days=1), reason="price error")
    assert wf.state is PostState.RETRACTED and wf.is_final and wf.allowed_next == ()
    assert [(t.source.value, t.target.value) for t in wf.history] == [
        ("draft", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "in_review"),
        ("in_review", "approved"),
        ("approved", "scheduled"),
        ("scheduled", "publishing"),
        ("publishing", "failed"),
        ("failed", "publishing"),
        ("publishing", "published"),
        ("published", "retracted"),
    ]
    assert wf.history[1].reason == "加上价格" and wf.history[1].actor == "wang.fang"
    assert wf.history[-1].at == T0 + timedelta(days=1)
    # The value is a complete, self-checking record: it survives JSON.
    assert PostWorkflow.model_validate_json(wf.model_dump_json()) == wf


ALL_PAIRS = [(a, b) for a in PostState for b in PostState]


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_every_pair_is_either_allowed_or_refused_clearly(
    source: PostState, target: PostState
) -> None:
    wf = _reach(source)
    if target in TRANSITIONS[source]:
        nxt = _step(wf, target, 1000)
        assert nxt.state is target and len(nxt.history) == len(wf.history) + 1
    else:
        with pytest.raises(IllegalTransitionError) as info:
            _step(wf, target, 1000)
        err = info.value
        assert (err.current, err.target) == (source.value, target.value)
        assert err.allowed == tuple(s.value for s in TRANSITIONS[source])
        assert wf.state is source  # unchanged


def _reach(state: PostState) -> PostWorkflow:
    """The shortest legal path from draft to ``state``."""
    paths: dict[PostState, list[PostState]] = {PostState.DRAFT: []}
    frontier = [PostState.DRAFT]
    while frontier:
        nxt = []
        for s in frontier:
            for t in TRANSITIONS[s]:
                if t not in paths:
                    paths[t] = [*paths[s], t]
                    nxt.append(t)
        frontier = nxt
    wf = PostWorkflow(post_id="p")
    for i, target in enumerate(paths[state]):
        wf = _step(wf, target, i)
    return wf


def test_every_state_is_reachable() -> None:
    assert {_reach(s).state for s in PostState} == set(PostState)


@pytest.mark.parametrize("target", sorted(REASONS, key=lambda s: PostState(s).value))
def test_judgements_and_incidents_need_a_reason(target: PostState) -> None:
    source = next(s for s in PostState if target in TRANSITIONS[s])
    wf = _reach(source)
    for reason in (None, "   "):
        with pytest.raises(InvalidInputError) as info:
            wf.transition(target, actor="x", at=T0 + timedelta(days=9), reason=reason)
        assert info.value.fields == ("reason",)


def test_time_cannot_run_backwards_and_target_must_be_a_state() -> None:
    wf = PostWorkflow(post_id="p").submit(actor="a", at=T0)
    with pytest.raises(InvalidInputError) as info:
        wf.approve(actor="b", at=T0 - timedelta(seconds=1))
    assert info.value.fields == ("at",)
    with pytest.raises(InvalidInputError) as info:
        wf.transition("sent", actor="b", at=T0)
    assert info.value.fields == ("target",)
    with pytest.raises(InvalidInputError):
        wf.approve(actor="b", at=datetime(2026, 5, 2))  # naive


def test_four_eyes_rule() -> None:
    wf = PostWorkflow(post_id="p", four_eyes=True).submit(actor="li", at=T0)
    with pytest.raises(InvalidInputError) as info:
        wf.approve(actor="li", at=T0)
    assert info.value.fields == ("actor",)
    assert wf.approve(actor="wang", at=T0).state is PostState.APPROVED


def test_a_tampered_history_is_rejected() -> None:
    good = _reach(PostState.PUBLISHED)
    skipped = (good.history[0], *good.history[2:])
    with pytest.raises(InvalidInputError):
        PostWorkflow(post_id="p", state=PostState.PUBLISHED, history=skipped)
    with pytest.raises(InvalidInputError):
        PostWorkflow(post_id="p", state=PostState.APPROVED, history=good.history)
    backwards = (
        good.history[0].model_copy(update={"at": T0 + timedelta(days=1)}),
        *good.history[1:],
    )
    with pytest.raises(InvalidInputError):
        PostWorkflow(post_id="p", state=PostState.PUBLISHED, history=backwards)
    illegal = (Transition(source="draft", target="published", actor="x", at=T0),)
    with pytest.raises(InvalidInputError):
        PostWorkflow(post_id="p", state=PostState.PUBLISHED, history=illegal)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list(PostState)), max_size=25))
def test_random_walks_keep_a_complete_trail(targets: list[PostState]) -> None:
    wf = PostWorkflow(post_id="p")
    taken = 0
    for i, target in enumerate(targets):
        if wf.can(target):
            wf = _step(wf, target, i)
            taken += 1
        else:
            with pytest.raises(IllegalTransitionError):
                _step(wf, target, i)
    assert len(wf.history) == taken
    assert (wf.history[-1].target if wf.history else PostState.DRAFT) is wf.state
    for a, b in zip(wf.history, wf.history[1:], strict=False):
        assert a.target is b.source and a.at <= b.at
