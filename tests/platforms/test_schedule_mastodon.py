"""Native scheduling on Mastodon: the runner hands posts over early with ``scheduled_at``.

The fake follows docs.joinmastodon.org and Mastodon's ``PostStatusService``: a
``scheduled_at`` more than 5 minutes ahead creates a ``ScheduledStatus`` (``id``,
``scheduled_at``, ``params``, ``media_attachments``), a nearer or past one publishes at
once; an ``Idempotency-Key`` seen before returns what it created first (a status or a
scheduled status).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from smmkit.content.calendar import Blackout, CalendarEntry, ContentCalendar
from smmkit.models import ContentPiece, PlatformPost
from smmkit.models.extras import MastodonExtras
from smmkit.platforms import (
    DispatchReport,
    PublishStatus,
    SimulatedClock,
    SkipReason,
    adispatch_due,
    dispatch_due,
)
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.testing import FakePlatform, client_for, drive

BASE = "https://social.example"
TOKEN = "alice-token"
T0 = datetime(2026, 6, 1, 9, tzinfo=timezone.utc)
TIP = ContentPiece(id="tip", body="Cold brew: twelve hours in the fridge, then strain.")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class SchedulingMastodon(FakePlatform):
    """``POST /api/v1/statuses`` with ``scheduled_at`` and ``Idempotency-Key``."""

    def __init__(self, clock: SimulatedClock) -> None:
        self.clock = clock
        self.statuses: dict[str, dict[str, Any]] = {}
        self.scheduled: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(100)

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": "The access token is invalid"})
        if request.method == "POST" and request.url.path == "/api/v1/statuses":
            return self._create(request)
        if request.method == "GET" and request.url.path == "/api/v1/scheduled_statuses":
            return httpx.Response(200, json=list(self.scheduled.values()))
        return httpx.Response(404, json={"error": "Record not found"})

    def _create(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key and key in self.keys:
            return httpx.Response(200, json=self.keys[key])
        body = json.loads(request.content)
        self.sent.append(body)
        if not (body.get("status") or "").strip() and not body.get("media_ids"):
            return httpx.Response(422, json={"error": "Validation failed: Text can't be blank"})
        now = datetime.fromtimestamp(self.clock.time(), timezone.utc)
        at = body.get("scheduled_at")
        when = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None
        made: dict[str, Any]
        if when is not None and when > now + timedelta(minutes=5):
            params = {k: v for k, v in body.items() if k not in ("status", "scheduled_at")}
            made = {
                "id": str(next(self._ids)),
                "scheduled_at": _iso(when),
                "params": {"text": body["status"], **params},
                "media_attachments": [],
            }
            self.scheduled[made["id"]] = made
        else:
            status_id = str(next(self._ids))
            made = {
                "id": status_id,
                "created_at": _iso(now),
                "url": f"{BASE}/@alice/{status_id}",
                "content": f"<p>{body['status']}</p>",
                "in_reply_to_id": body.get("in_reply_to_id"),
                "account": {"id": "1", "acct": "alice"},
            }
            self.statuses[status_id] = made
        if key:
            self.keys[key] = made
        return httpx.Response(200, json=made)


class Crash(BaseException):
    """The runner's process dies."""


class CrashAfterCreate(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Dies right after the server applied the first ``POST /api/v1/statuses``."""

    def __init__(self, inner: SchedulingMastodon) -> None:
        self.inner = inner

    def _check(self, request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == "/api/v1/statuses":
            raise Crash

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self._check(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self._check(request)
        return response


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def server(clock: SimulatedClock) -> SchedulingMastodon:
    return SchedulingMastodon(clock)


def client(kind: str, transport: Any, clock: SimulatedClock) -> Any:
    adapter = MastodonAdapter(base_url=BASE, access_token=TOKEN)
    return client_for(kind, adapter, transport, clock=clock)


def plan(*entries: CalendarEntry) -> ContentCalendar:
    cal = ContentCalendar().add(*entries)
    for e in entries:
        for step in ("in_review", "approved", "scheduled"):
            cal = cal.advance(e.id, step, actor="li.na", at=T0 - timedelta(days=1))
    return cal


def entry(entry_id: str, at: datetime, **fields: Any) -> CalendarEntry:
    return CalendarEntry(id=entry_id, piece_id="tip", platform="mastodon", at=at, **fields)


def dispatch(
    kind: str, calendar: ContentCalendar, clients: Mapping[Any, Any], **options: Any
) -> DispatchReport:
    options.setdefault("pieces", [TIP])
    if kind == "sync":
        return dispatch_due(calendar, clients, **options)

    async def main() -> DispatchReport:
        return await adispatch_due(calendar, clients, **options)

    return asyncio.run(main())


def test_native_schedule_hands_over_what_is_within_the_lead(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    cal = plan(
        entry("due", T0),
        entry("soon", T0 + timedelta(minutes=4)),  # Mastodon would publish it at once
        entry("today", T0 + timedelta(hours=2)),
        entry("tomorrow", T0 + timedelta(hours=30)),  # beyond the default day of lead
    )
    clients = {"mastodon": client(kind, server, clock)}
    report = dispatch(kind, cal, clients, now=T0, native_schedule=True)
    assert [d.entry_id for d in report.published] == ["due"]
    (handed,) = report.scheduled
    assert handed.entry_id == "today"
    assert handed.receipt.status is PublishStatus.PENDING
    assert handed.receipt.scheduled_at == T0 + timedelta(hours=2)
    assert handed.receipt.platform_ids == {"scheduled_status_id": handed.receipt.post_id}
    assert set(report.skipped_for(SkipReason.NOT_DUE)) == {"soon", "tomorrow"}
    assert [s["scheduled_at"] for s in server.scheduled.values()] == ["2026-06-01T11:00:00Z"]
    assert len(server.statuses) == 1
    assert report.calendar.get("today").state.value == "publishing"
    assert clock.slept == 0  # a scheduled status is not polled
    # A freeze declared now cannot pause it: the calendar names it as in flight.
    freeze = report.calendar.freeze(Blackout(id="recall", start=T0, reason="recall"))
    assert [e.id for e in freeze.in_flight] == ["today"]


def test_a_rerun_leaves_a_handed_over_entry_and_settles_it_when_its_time_passes(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    cal = plan(entry("today", T0 + timedelta(hours=2)))
    clients = {"mastodon": client(kind, server, clock)}
    first = dispatch(kind, cal, clients, now=T0, native_schedule=True)
    again = dispatch(
        kind, first.calendar, clients, now=T0 + timedelta(hours=1), native_schedule=True
    )
    assert again.skipped_for(SkipReason.IN_FLIGHT) == ("today",)
    assert again.skipped[0].detail.startswith("native schedule: mastodon holds")
    assert len(server.sent) == 1
    later = dispatch(kind, again.calendar, clients, now=T0 + timedelta(hours=2))
    assert later.settled == ("today",)
    assert later.calendar.get("today").state.value == "published"
    assert len(server.sent) == 1
    final = dispatch(kind, later.calendar, clients, now=T0 + timedelta(days=1))
    assert final.summary() == {
        "published": 0,
        "scheduled": 0,
        "failed": 0,
        "skipped": 0,
        "settled": 0,
    }


def test_a_crash_after_the_hand_over_does_not_schedule_twice(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    cal = plan(entry("today", T0 + timedelta(hours=2)))
    with pytest.raises(Crash):
        dispatch(
            kind,
            cal,
            {"mastodon": client(kind, CrashAfterCreate(server), clock)},
            now=T0,
            native_schedule=True,
        )
    report = dispatch(
        kind, cal, {"mastodon": client(kind, server, clock)}, now=T0, native_schedule=True
    )
    assert len(server.scheduled) == 1
    assert report.scheduled[0].receipt.post_id == next(iter(server.scheduled))


def test_the_lead_is_yours_to_choose_and_off_by_default(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    cal = plan(entry("today", T0 + timedelta(hours=2)))
    clients = {"mastodon": client(kind, server, clock)}
    for option in (False, timedelta(hours=1)):
        report = dispatch(kind, cal, clients, now=T0, native_schedule=option)
        assert report.skipped_for(SkipReason.NOT_DUE) == ("today",)
    assert server.sent == []
    report = dispatch(kind, cal, clients, now=T0, native_schedule=timedelta(hours=3))
    assert [d.entry_id for d in report.scheduled] == ["today"]


def test_a_thread_is_not_handed_over_but_published_when_due(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    thread = PlatformPost(
        platform="mastodon", piece_id="tip", body="one two", parts=("1/2 one", "2/2 two")
    )
    cal = plan(entry("thread", T0 + timedelta(hours=2), post=thread))
    clients = {"mastodon": client(kind, server, clock)}
    early = dispatch(kind, cal, clients, now=T0, native_schedule=True)
    assert early.skipped_for(SkipReason.NOT_DUE) == ("thread",)
    assert "thread" in early.skipped[0].detail
    assert server.sent == []
    due = dispatch(kind, cal, clients, now=T0 + timedelta(hours=2), native_schedule=True)
    assert [d.entry_id for d in due.published] == ["thread"]
    assert [s["content"] for s in server.statuses.values()] == ["<p>1/2 one</p>", "<p>2/2 two</p>"]


def test_native_schedule_does_nothing_on_a_platform_without_it(kind: str) -> None:
    from smmkit.platforms import SandboxPlatform

    sandbox = SandboxPlatform(clock=SimulatedClock(T0))
    cal = plan(entry("today", T0 + timedelta(hours=2)))
    clients = {"mastodon": client_for(kind, sandbox.adapter(), sandbox, clock=sandbox.clock)}
    report = dispatch(kind, cal, clients, now=T0, native_schedule=True)
    assert report.skipped_for(SkipReason.NOT_DUE) == ("today",)
    assert sandbox.published_count == 0


# -- the adapter on its own ------------------------------------------------------------


def _post(at: datetime, **fields: Any) -> PlatformPost:
    return PlatformPost(
        platform="mastodon",
        piece_id="p",
        body="Tea at three.",
        extras=MastodonExtras(scheduled_at=at),
        **fields,
    )


def test_publish_with_scheduled_at_is_a_pending_receipt_not_ok_not_failed(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    result = drive(
        kind, client(kind, server, clock), lambda c: c.publish(_post(T0 + timedelta(days=1)))
    )
    assert result.error is None and not result.ok and result.scheduled
    assert result.receipt.detail == "scheduled by the server for 2026-06-02T09:00:00+00:00"
    assert server.sent[0]["scheduled_at"] == "2026-06-02T09:00:00Z"


def test_a_near_scheduled_at_is_published_at_once(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    result = drive(kind, client(kind, server, clock), lambda c: c.publish(_post(T0)))
    assert result.ok and not result.scheduled and len(server.statuses) == 1


def test_a_thread_cannot_carry_scheduled_at(
    kind: str, server: SchedulingMastodon, clock: SimulatedClock
) -> None:
    thread = _post(T0 + timedelta(days=1), parts=("1/2 a", "2/2 b"))
    result = drive(kind, client(kind, server, clock), lambda c: c.publish(thread))
    assert result.error.error_type == "UnsupportedOperationError"
    assert server.sent == []
