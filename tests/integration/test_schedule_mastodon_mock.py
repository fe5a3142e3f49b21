"""The scheduling runner against ``mastodon-mock`` on 127.0.0.1, both drivers.

Start it as for ``test_mastodon_mock.py`` (``scripts/integration/start-masto.sh``). The
mock schedules a status whose ``scheduled_at`` is more than 5 minutes ahead (by the real
clock, so these tests pass ``now`` from the real clock too) and answers with a
``ScheduledStatus``. Unlike Mastodon, mastodon-mock 0.6.1 does not remember the
``Idempotency-Key`` of a *scheduled* status, so the crash-and-rerun case of native
scheduling is covered by the fake in ``tests/platforms/test_schedule_mastodon.py`` only.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from smmkit.content.calendar import CalendarEntry, ContentCalendar
from smmkit.models import ContentPiece
from smmkit.platforms import (
    AsyncClient,
    Client,
    DispatchReport,
    PublishStatus,
    adispatch_due,
    dispatch_due,
)
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.testing import RecordingTransport

pytestmark = pytest.mark.integration

NO_POOL = httpx.Limits(max_keepalive_connections=0)


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"{name} is not set: start mastodon-mock with scripts/integration/")
    return value


@pytest.fixture
def url() -> str:
    return _env("SMMKIT_MASTO_URL")


@pytest.fixture
def token() -> str:
    return _env("SMMKIT_MASTO_TOKEN")


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def scheduled_ids(url: str, token: str) -> Iterator[list[str]]:
    """Scheduled statuses a test created: deleted afterwards, so the mock's list stays short."""
    made: list[str] = []
    yield made
    for scheduled_id in made:
        httpx.delete(f"{url}/api/v1/scheduled_statuses/{scheduled_id}", headers=_auth(token))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_client(kind: str, url: str, token: str) -> tuple[Any, RecordingTransport]:
    adapter = MastodonAdapter(base_url=url, access_token=token)
    if kind == "sync":
        recording = RecordingTransport(httpx.HTTPTransport(limits=NO_POOL))
        return Client(adapter, http_client=httpx.Client(transport=recording)), recording
    recording = RecordingTransport(httpx.AsyncHTTPTransport(limits=NO_POOL))
    return AsyncClient(adapter, http_client=httpx.AsyncClient(transport=recording)), recording


def dispatch(
    kind: str, calendar: ContentCalendar, clients: Mapping[Any, Any], **options: Any
) -> DispatchReport:
    if kind == "sync":
        return dispatch_due(calendar, clients, **options)

    async def main() -> DispatchReport:
        return await adispatch_due(calendar, clients, **options)

    return asyncio.run(main())


def plan(now: datetime, *entries: CalendarEntry) -> ContentCalendar:
    cal = ContentCalendar().add(*entries)
    for e in entries:
        for step in ("in_review", "approved", "scheduled"):
            cal = cal.advance(e.id, step, actor="li.na", at=now - timedelta(hours=1))
    return cal


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def test_due_entries_go_out_and_later_ones_are_handed_to_the_scheduler(
    kind: str, url: str, token: str, scheduled_ids: list[str]
) -> None:
    now = datetime.now(timezone.utc)
    tag = uuid.uuid4().hex[:8]
    piece = ContentPiece(id=f"tip-{tag}", body=f"Cold brew, twelve hours {tag}")
    later = (now + timedelta(hours=2)).replace(microsecond=0)
    cal = plan(
        now,
        CalendarEntry(id="due", piece_id=piece.id, platform="mastodon", at=now),
        CalendarEntry(id="later", piece_id=piece.id, platform="mastodon", at=later),
    )
    client, recording = make_client(kind, url, token)
    clients = {"mastodon": client}
    report = dispatch(kind, cal, clients, now=now, pieces=[piece], native_schedule=True)
    assert report.ok, report.failures
    assert [d.entry_id for d in report.published] == ["due"]
    (handed,) = report.scheduled
    scheduled_ids.append(str(handed.receipt.post_id))
    assert handed.receipt.status is PublishStatus.PENDING
    assert handed.receipt.scheduled_at == later
    held = httpx.get(
        f"{url}/api/v1/scheduled_statuses/{handed.receipt.post_id}", headers=_auth(token)
    )
    assert held.status_code == 200, held.text
    assert _instant(held.json()["scheduled_at"]) == later
    assert tag in held.json()["params"]["text"]
    live = httpx.get(f"{url}/api/v1/statuses/{report.published[0].receipt.post_id}")
    assert tag in live.json()["content"]

    creates = len([r for r in recording.requests if r.url.path == "/api/v1/statuses"])
    again = dispatch(kind, report.calendar, clients, now=now, pieces=[piece], native_schedule=True)
    assert again.skipped_for("in_flight") == ("later",)
    assert len([r for r in recording.requests if r.url.path == "/api/v1/statuses"]) == creates
