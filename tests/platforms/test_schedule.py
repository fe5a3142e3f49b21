"""The scheduling runner (``dispatch_due``/``adispatch_due``) against the sandbox, both drivers.

What is counted is what the sandbox *server* holds: a re-run or a crash must never add
a second copy of a post.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from smmkit.content.calendar import Blackout, CalendarEntry, ContentCalendar
from smmkit.crisis import freeze_window
from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece, Crisis, PlatformPost, Severity
from smmkit.platforms import (
    DispatchReport,
    FaultPlan,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    SkipReason,
    Storm,
    adispatch_due,
    dispatch_due,
    entry_idempotency_key,
)
from smmkit.testing import client_for

T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
TIP = ContentPiece(id="tip", body="Cold brew: twelve hours in the fridge, then strain.")
PATHS = {
    "draft": (),
    "in_review": ("in_review",),
    "changes_requested": ("in_review", "changes_requested"),
    "approved": ("in_review", "approved"),
    "scheduled": ("in_review", "approved", "scheduled"),
    "failed": ("in_review", "approved", "scheduled", "publishing", "failed"),
}


def entry(entry_id: str, at: datetime, **fields: Any) -> CalendarEntry:
    fields.setdefault("platform", "mastodon")
    fields.setdefault("piece_id", "tip")
    return CalendarEntry(id=entry_id, at=at, **fields)


def plan(*entries: CalendarEntry, state: str = "scheduled") -> ContentCalendar:
    """A calendar with ``entries`` moved through the approval workflow to ``state``."""
    cal = ContentCalendar().add(*entries)
    for e in entries:
        for step in PATHS[state]:
            cal = cal.advance(e.id, step, actor="li.na", at=T0 - timedelta(days=2), reason="t")
    return cal


def dispatch(
    kind: str, calendar: ContentCalendar, clients: Mapping[Any, Any], **options: Any
) -> DispatchReport:
    options.setdefault("pieces", [TIP])
    if kind == "sync":
        return dispatch_due(calendar, clients, **options)

    async def main() -> DispatchReport:
        return await adispatch_due(calendar, clients, **options)

    return asyncio.run(main())


def client(kind: str, sandbox: SandboxPlatform, transport: Any = None, **options: Any) -> Any:
    adapter = sandbox.adapter(account=options.pop("account", "default"))
    return client_for(kind, adapter, transport or sandbox, clock=sandbox.clock, **options)


class Crash(BaseException):
    """The process dies: nothing after it runs, the returned calendar is never stored."""


class CrashAfter(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Lets ``publishes`` posts through, then dies right after the server applied the next."""

    def __init__(self, inner: SandboxPlatform, publishes: int) -> None:
        self.inner = inner
        self.left = publishes

    def _count(self, request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == "/api/posts":
            self.left -= 1
            if self.left < 0:
                raise Crash

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self._count(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self._count(request)
        return response


@pytest.fixture
def sandbox() -> SandboxPlatform:
    return SandboxPlatform(clock=SimulatedClock())


# -- due or not --------------------------------------------------------------------


def test_an_entry_exactly_at_now_is_due_and_one_microsecond_later_is_not(
    kind: str, sandbox: SandboxPlatform
) -> None:
    tick = timedelta(microseconds=1)
    cal = plan(entry("before", T0 - tick), entry("at", T0), entry("after", T0 + tick))
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert [d.entry_id for d in report.published] == ["before", "at"]
    assert report.skipped_for(SkipReason.NOT_DUE) == ("after",)
    assert sandbox.published_count == 2
    assert report.calendar.get("at").state.value == "published"
    assert report.calendar.get("after").state.value == "scheduled"
    assert report.ok and report.receipts["at"].status.value == "published"


def test_due_is_judged_on_the_instant_whatever_the_zones(
    kind: str, sandbox: SandboxPlatform
) -> None:
    from zoneinfo import ZoneInfo

    shanghai = T0.astimezone(ZoneInfo("Asia/Shanghai"))  # 17:00 there, the same instant
    cal = plan(entry("sh", shanghai), entry("ny", T0.astimezone(ZoneInfo("America/New_York"))))
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=shanghai)
    assert sorted(d.entry_id for d in report.published) == ["ny", "sh"]


def test_a_rerun_on_the_returned_calendar_publishes_nothing_twice(
    kind: str, sandbox: SandboxPlatform
) -> None:
    cal = plan(*(entry(f"e{i}", T0 - timedelta(minutes=10 * i)) for i in range(4)))
    clients = {"mastodon": client(kind, sandbox)}
    first = dispatch(kind, cal, clients, now=T0)
    assert first.summary()["published"] == 4 and sandbox.published_count == 4
    second = dispatch(kind, first.calendar, clients, now=T0 + timedelta(hours=1))
    assert second.summary() == {
        "published": 0,
        "scheduled": 0,
        "failed": 0,
        "skipped": 0,
        "settled": 0,
    }
    assert sandbox.published_count == 4
    assert second.calendar == first.calendar


def test_the_workflow_records_the_runner_and_the_post_id(
    kind: str, sandbox: SandboxPlatform
) -> None:
    report = dispatch(
        kind, plan(entry("e1", T0)), {"mastodon": client(kind, sandbox)}, now=T0, actor="cron"
    )
    history = report.calendar.get("e1").workflow.history  # type: ignore[union-attr]
    assert [(t.target.value, t.actor) for t in history[-2:]] == [
        ("publishing", "cron"),
        ("published", "cron"),
    ]
    assert history[-1].reason == f"published as {report.published[0].receipt.post_id}"


# -- crash safety ------------------------------------------------------------------


@pytest.mark.parametrize("crash_after", [0, 2, 4])
def test_a_crash_mid_run_then_a_rerun_posts_each_entry_once(kind: str, crash_after: int) -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    cal = plan(*(entry(f"e{i}", T0 - timedelta(minutes=5 * (6 - i))) for i in range(6)))
    dying = client(kind, sandbox, CrashAfter(sandbox, crash_after))
    with pytest.raises(Crash):
        dispatch(kind, cal, {"mastodon": dying}, now=T0)
    assert sandbox.published_count == crash_after + 1  # the last one went out unrecorded
    # The process restarts from the calendar it had stored before the run.
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert report.summary()["published"] == 6
    assert sandbox.published_count == 6
    assert set(sandbox.publish_counts().values()) == {1}
    keys = {entry_idempotency_key(e) for e in cal.entries}
    assert {d.idempotency_key for d in report.published} == keys


def test_a_read_back_platform_is_crash_safe_too(kind: str) -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    cal = plan(entry("e1", T0 - timedelta(minutes=1)), entry("e2", T0))
    dying = client_for(
        kind, sandbox.adapter(read_back=True), CrashAfter(sandbox, 1), clock=sandbox.clock
    )
    with pytest.raises(Crash):
        dispatch(kind, cal, {"mastodon": dying}, now=T0)
    assert sandbox.published_count == 2
    rerun = client_for(kind, sandbox.adapter(read_back=True), sandbox, clock=sandbox.clock)
    report = dispatch(kind, cal, {"mastodon": rerun}, now=T0)
    assert report.summary()["published"] == 2 and sandbox.published_count == 2


def test_a_platform_that_forgot_the_keys_posts_twice_the_documented_limit(kind: str) -> None:
    # Mastodon keeps a key about an hour; the sandbox here keeps none. A rerun long
    # after a crash is not protected: docs/scheduling.md says so.
    sandbox = SandboxPlatform(clock=SimulatedClock(), idempotency_retention=0)
    cal = plan(entry("e1", T0))
    with pytest.raises(Crash):
        dispatch(kind, cal, {"mastodon": client(kind, sandbox, CrashAfter(sandbox, 0))}, now=T0)
    dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert sandbox.published_count == 2


# -- what waits, and why -----------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("draft", SkipReason.APPROVAL_MISSING),
        ("in_review", SkipReason.APPROVAL_MISSING),
        ("changes_requested", SkipReason.APPROVAL_MISSING),
        ("approved", SkipReason.NOT_SCHEDULED),
        ("failed", SkipReason.FAILED_BEFORE),
    ],
)
def test_only_scheduled_entries_go_out(
    kind: str, sandbox: SandboxPlatform, state: str, reason: SkipReason
) -> None:
    cal = plan(entry("e1", T0 - timedelta(hours=1)), state=state)
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert report.skipped_for(reason) == ("e1",)
    assert sandbox.published_count == 0 and report.calendar == cal


def test_a_blackout_holds_entries_paused_covered_or_running_now(
    kind: str, sandbox: SandboxPlatform
) -> None:
    mourning = Blackout(id="mourning", start=T0 - timedelta(hours=2), reason="day of mourning")
    cal = plan(entry("paused", T0 - timedelta(hours=1)), entry("early", T0 - timedelta(hours=3)))
    frozen = cal.freeze(mourning).calendar
    assert frozen.get("paused").paused and not frozen.get("early").paused
    # Added after the freeze: not paused, but its time is inside the blackout.
    frozen = frozen.add(entry("added", T0 - timedelta(minutes=5)))
    frozen = frozen.advance("added", "in_review", actor="li", at=T0 - timedelta(hours=1))
    frozen = frozen.advance("added", "approved", actor="wang", at=T0 - timedelta(hours=1))
    frozen = frozen.advance("added", "scheduled", actor="wang", at=T0 - timedelta(hours=1))
    report = dispatch(kind, frozen, {"mastodon": client(kind, sandbox)}, now=T0)
    # "early" was due before the blackout began, but the run is late: now is inside it.
    assert set(report.skipped_for("blackout")) == {"paused", "early", "added"}
    assert "day of mourning" in report.skipped[0].detail
    assert sandbox.published_count == 0
    lifted = dispatch(kind, frozen.lift("mourning"), {"mastodon": client(kind, sandbox)}, now=T0)
    assert lifted.summary()["published"] == 3


def test_a_crisis_freeze_is_named_as_such(kind: str, sandbox: SandboxPlatform) -> None:
    crisis = Crisis(
        id="recall-7",
        topic="过热召回",
        severity=Severity.MAJOR,
        detected_at=T0 - timedelta(hours=1),
    )
    freeze = freeze_window(crisis)
    assert freeze is not None
    cal = plan(entry("e1", T0 - timedelta(minutes=30)), entry("later", T0 + timedelta(days=9)))
    frozen = cal.freeze(freeze).calendar
    report = dispatch(kind, frozen, {"mastodon": client(kind, sandbox)}, now=T0)
    assert report.skipped_for(SkipReason.CRISIS_FREEZE) == ("e1",)
    assert report.skipped_for(SkipReason.NOT_DUE) == ("later",)
    assert sandbox.published_count == 0


def test_a_platform_scoped_blackout_holds_only_its_platform(kind: str) -> None:
    mastodon, x = SandboxPlatform(clock=SimulatedClock()), SandboxPlatform(spec="x")
    quiet = Blackout(id="x-quiet", start=T0 - timedelta(days=1), reason="r", platforms=("x",))
    cal = plan(entry("m", T0), entry("x", T0, platform="x"))
    cal = cal.freeze(quiet).calendar
    clients = {"mastodon": client(kind, mastodon), "x": client(kind, x)}
    report = dispatch(kind, cal, clients, now=T0)
    assert [d.entry_id for d in report.published] == ["m"]
    assert report.skipped_for("blackout") == ("x",)


def test_too_late_entries_wait_for_a_person(kind: str, sandbox: SandboxPlatform) -> None:
    cal = plan(entry("stale", T0 - timedelta(days=2)), entry("fresh", T0 - timedelta(minutes=20)))
    report = dispatch(
        kind, cal, {"mastodon": client(kind, sandbox)}, now=T0, max_delay=timedelta(hours=1)
    )
    assert report.skipped_for(SkipReason.TOO_LATE) == ("stale",)
    assert [d.entry_id for d in report.published] == ["fresh"]


def test_missing_content_is_a_skip_and_an_entrys_own_content_wins(
    kind: str, sandbox: SandboxPlatform
) -> None:
    own_piece = ContentPiece(id="own", body="The entry carries its own piece.")
    own_post = PlatformPost(platform="mastodon", piece_id="ready", body="Adapted by hand.")
    cal = plan(
        entry("nothing", T0, piece_id="unknown"),
        entry("piece", T0, piece_id="own", piece=own_piece),
        entry("post", T0, piece_id="ready", post=own_post),
    )
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert report.skipped_for(SkipReason.PIECE_MISSING) == ("nothing",)
    assert sorted(p.text for p in sandbox.posts) == sorted(
        ["The entry carries its own piece.", "Adapted by hand."]
    )


# -- routing -------------------------------------------------------------------------


def test_platform_account_pairs_route_each_entry_to_its_account(kind: str) -> None:
    brand_a, brand_b = SandboxPlatform(clock=SimulatedClock()), SandboxPlatform()
    shared = SandboxPlatform(clock=SimulatedClock())
    cal = plan(
        entry("a", T0, account="brand-a"),
        entry("b", T0, account="brand-b"),
        entry("c", T0, account="brand-c"),
        entry("d", T0),
    )
    clients = {
        ("mastodon", "brand-a"): client(kind, brand_a, account="brand-a"),
        ("mastodon", "brand-b"): client(kind, brand_b, account="brand-b"),
        "mastodon": client(kind, shared),
    }
    report = dispatch(kind, cal, clients, now=T0)
    assert (brand_a.published_count, brand_b.published_count, shared.published_count) == (1, 1, 1)
    assert report.skipped_for(SkipReason.NO_CLIENT) == ("c",)  # never from another account
    assert "mastodon/brand-c" in report.skipped[0].detail
    assert {d.entry_id: d.account for d in report.published} == {
        "a": "brand-a",
        "b": "brand-b",
        "d": "default",
    }


def test_a_platform_key_serves_its_own_adapters_account(kind: str) -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    cal = plan(entry("e", T0, account="brand-a"))
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox, account="brand-a")}, now=T0)
    assert [d.entry_id for d in report.published] == ["e"]


def test_no_client_for_a_platform(kind: str, sandbox: SandboxPlatform) -> None:
    cal = plan(entry("m", T0), entry("x", T0, platform="x"))
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0)
    assert report.skipped_for(SkipReason.NO_CLIENT) == ("x",)


# -- failures ------------------------------------------------------------------------


def test_a_passing_outage_is_retried_by_the_next_run(kind: str) -> None:
    storm = FaultPlan(storms=[Storm(kind="server_error", start=1, length=50)])
    sandbox = SandboxPlatform(clock=SimulatedClock(), faults=storm)
    cal = plan(entry("e1", T0))
    fast = RetryPolicy(max_attempts=2)
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox, retry=fast)}, now=T0)
    (failure,) = report.failed
    assert failure.retry and failure.error.error_type == "ServerError"
    assert report.failures["e1"].status == 503
    assert report.calendar.get("e1").state.value == "scheduled"  # the next run tries again
    sandbox.faults = FaultPlan()
    again = dispatch(kind, report.calendar, {"mastodon": client(kind, sandbox)}, now=T0)
    assert [d.entry_id for d in again.published] == ["e1"] and sandbox.published_count == 1


def test_an_empty_post_fails_for_good_naming_body(kind: str, sandbox: SandboxPlatform) -> None:
    blank = ContentPiece(id="blank", body="  \n\t ")
    cal = plan(entry("e1", T0, piece_id="blank"), entry("e2", T0))
    report = dispatch(kind, cal, {"mastodon": client(kind, sandbox)}, now=T0, pieces=[blank, TIP])
    (failure,) = report.failed
    assert (failure.entry_id, failure.retry) == ("e1", False)
    assert failure.error.error_type == "InvalidInputError" and failure.error.fields == ("body",)
    assert [d.entry_id for d in report.published] == ["e2"]  # one failure costs nothing else
    failed = report.calendar.get("e1")
    assert failed.state.value == "failed"
    assert failed.workflow.history[-1].reason.startswith("InvalidInputError: body")  # type: ignore[union-attr]
    again = dispatch(kind, report.calendar, {"mastodon": client(kind, sandbox)}, now=T0)
    assert again.skipped_for(SkipReason.FAILED_BEFORE) == ("e1",)
    assert sandbox.published_count == 1


def test_a_crashing_adapt_is_a_failure_of_its_entry_only(
    kind: str, sandbox: SandboxPlatform
) -> None:
    def adapt(piece: ContentPiece, spec: Any, **options: Any) -> PlatformPost:
        if piece.id == "bad":
            raise RuntimeError("bug")
        return PlatformPost(platform=spec.id, piece_id=piece.id, body=piece.body)

    bad = ContentPiece(id="bad", body="x")
    cal = plan(entry("e1", T0, piece_id="bad"), entry("e2", T0))
    report = dispatch(
        kind, cal, {"mastodon": client(kind, sandbox)}, now=T0, pieces=[bad, TIP], adapt=adapt
    )
    assert report.failures["e1"].error_type == "RuntimeError"
    assert [d.entry_id for d in report.published] == ["e2"]


# -- strict input --------------------------------------------------------------------


def test_bad_arguments_are_typed_errors(kind: str, sandbox: SandboxPlatform) -> None:
    cal = plan(entry("e1", T0))
    good = {"mastodon": client(kind, sandbox)}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"now": T0.replace(tzinfo=None)}, "now"),
        ({"clients": {"x": client(kind, sandbox)}}, "clients['x']"),
        ({"clients": {42: client(kind, sandbox)}}, "clients"),
        ({"clients": {("mastodon",): client(kind, sandbox)}}, "clients"),
        ({"pieces": ["not a piece"]}, "pieces.0"),
        ({"pieces": [TIP, TIP.model_copy(update={"body": "other"})]}, "pieces.1"),
        ({"native_schedule": timedelta(0)}, "native_schedule"),
        ({"max_delay": timedelta(hours=-1)}, "max_delay"),
        ({"max_delay": 3600}, "max_delay"),
        ({"native_schedule": 24}, "native_schedule"),
        ({"actor": " "}, "actor"),
    ]
    for change, field in cases:
        options: dict[str, Any] = {"now": T0, "clients": good, **change}
        clients = options.pop("clients")
        with pytest.raises(InvalidInputError) as caught:
            dispatch(kind, cal, clients, **options)
        assert caught.value.fields == (field,), (change, caught.value)
    assert sandbox.published_count == 0


def test_a_client_of_the_other_driver_is_refused(kind: str, sandbox: SandboxPlatform) -> None:
    other = "async" if kind == "sync" else "sync"
    with pytest.raises(InvalidInputError, match=r"for this kind of client, call a?dispatch_due"):
        dispatch(kind, plan(entry("e1", T0)), {"mastodon": client(other, sandbox)}, now=T0)


def test_async_concurrency_must_be_positive(sandbox: SandboxPlatform) -> None:
    async def main() -> None:
        await adispatch_due(
            ContentCalendar(), {"mastodon": sandbox.async_client()}, now=T0, concurrency=0
        )

    with pytest.raises(InvalidInputError) as caught:
        asyncio.run(main())
    assert caught.value.fields == ("concurrency",)


# -- the async runner ------------------------------------------------------------------


def test_async_runs_clients_side_by_side_and_each_in_time_order() -> None:
    clock = SimulatedClock()
    sandboxes = [SandboxPlatform(clock=clock) for _ in range(3)]
    entries = [
        entry(f"e{n}-{i}", T0 - timedelta(minutes=10 * (5 - i)), account=f"a{n}")
        for n in range(3)
        for i in range(5)
    ]
    clients = {
        ("mastodon", f"a{n}"): client("async", box, account=f"a{n}")
        for n, box in enumerate(sandboxes)
    }
    report = dispatch("async", plan(*entries), clients, now=T0, concurrency=2)
    assert report.summary()["published"] == 15
    for n, box in enumerate(sandboxes):
        keys = [entry_idempotency_key(e) for e in plan(*entries).entries if e.account == f"a{n}"]
        assert [p.client_ref for p in box.posts] == keys  # one account's posts keep their order
