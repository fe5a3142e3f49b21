"""Mastodon adapter: a fake server built from docs.joinmastodon.org, both drivers.

The fake follows the documented shapes: ``POST /api/v2/media`` answers 202 with
``url: null`` while processing and ``GET /api/v1/media/:id`` answers 206 until done;
statuses refuse media that is still processing (422); ``Idempotency-Key`` returns the
status created first; 429 carries ``X-RateLimit-Reset`` as an ISO-8601 timestamp.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, InvalidInputError, NotFoundError
from smmkit.models import MediaAsset, MediaKind, PlatformPost
from smmkit.platforms import InMemoryMediaLoader, InMemoryTokenStore, SimulatedClock
from smmkit.platforms.mastodon import MastodonAdapter, instance_overrides
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, FakePlatform, client_for, drive

BASE = "https://social.example"
PNG = "https://media.example/cup.png"
MP4 = "https://media.example/pour.mp4"
# Media bytes come through an explicit loader: the default one downloads the URL
# (tests/platforms/test_media_loading.py covers that path).
MEDIA = InMemoryMediaLoader(
    {PNG: base64.b64decode("iVBORw0KGgo="), MP4: base64.b64decode("AAAAGGZ0eXBtcDQy")}
)


class FakeMastodon(FakePlatform):
    """A small stateful Mastodon client API (statuses, media, context, instance)."""

    def __init__(
        self,
        *,
        client_id: str = "app",
        client_secret: str = "token-1",
        clock: SimulatedClock | None = None,
        processing_polls: int = 2,
        max_characters: int = 500,
    ) -> None:
        self.token = client_secret
        self.clock = clock or SimulatedClock()
        self.processing_polls = processing_polls
        self.max_characters = max_characters
        self.statuses: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, str] = {}
        self.seen: list[tuple[str, str]] = []
        self.throttle_next = 0
        self.timeout_after_create = 0
        self._ids = itertools.count(100)
        del client_id

    def answer(self, request: httpx.Request) -> httpx.Response:
        response = self._route(request)
        if (
            self.timeout_after_create
            and request.method == "POST"
            and request.url.path == "/api/v1/statuses"
        ):
            self.timeout_after_create -= 1
            raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        self.seen.append((method, path))
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"error": "The access token is invalid"})
        if self.throttle_next:
            self.throttle_next -= 1
            reset = datetime.fromtimestamp(self.clock.time() + 30, timezone.utc)
            return httpx.Response(
                429,
                json={"error": "Too many requests"},
                headers={
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace(
                        "+00:00", "Z"
                    ),
                },
            )
        parts = [p for p in path.split("/") if p]
        if path == "/api/v2/instance":
            return httpx.Response(200, json=self._instance())
        if path == "/api/v2/media" and method == "POST":
            return self._upload(request)
        if parts[:3] == ["api", "v1", "media"] and method == "GET":
            media = self.media.get(parts[3])
            if media is None:
                return httpx.Response(404, json={"error": "Record not found"})
            if media["polls_left"] > 0:
                media["polls_left"] -= 1
                return httpx.Response(206, json={**media["json"], "url": None})
            return httpx.Response(200, json=media["json"])
        if path == "/api/v1/statuses" and method == "POST":
            return self._create(request)
        if parts[:3] == ["api", "v1", "statuses"] and len(parts) >= 4:
            status = self.statuses.get(parts[3])
            if status is None or status.get("deleted"):
                return httpx.Response(404, json={"error": "Record not found"})
            if len(parts) == 4 and method == "GET":
                return httpx.Response(200, json=status)
            if len(parts) == 4 and method == "DELETE":
                status["deleted"] = True
                return httpx.Response(200, json={**status, "text": status["content"]})
            if parts[4:] == ["context"]:
                return httpx.Response(200, json=self._context(status["id"]))
        return httpx.Response(404, json={"error": "Record not found"})

    def _instance(self) -> dict[str, Any]:
        return {
            "domain": "social.example",
            "configuration": {
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {
                    "image_size_limit": 16777216,
                    "video_size_limit": 103809024,
                },
            },
        }

    def _upload(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers["content-type"]
        assert content_type.startswith("multipart/form-data")
        assert b'name="file"' in request.content
        media_id = str(next(self._ids))
        is_video = b"video/mp4" in request.content
        body = {"id": media_id, "type": "video" if is_video else "image", "url": None}
        polls = self.processing_polls if is_video else 0
        self.media[media_id] = {
            "json": {**body, "url": f"{BASE}/m/{media_id}"},
            "polls_left": polls,
            "description": b'name="description"' in request.content,
        }
        if polls:
            return httpx.Response(202, json=body)
        return httpx.Response(200, json=self.media[media_id]["json"])

    def _create(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key and key in self.keys:
            return httpx.Response(200, json=self.statuses[self.keys[key]])
        body = json.loads(request.content)
        text = body.get("status") or ""
        media_ids = body.get("media_ids") or []
        if not text and not media_ids:
            return httpx.Response(422, json={"error": "Validation failed: Text can't be blank"})
        if len(text) > self.max_characters:
            return httpx.Response(
                422, json={"error": "Validation failed: Text character limit exceeded"}
            )
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media["polls_left"] > 0:
                return httpx.Response(
                    422,
                    json={
                        "error": "Cannot attach files that have not finished processing. "
                        "Try again in a moment!"
                    },
                )
        status_id = str(next(self._ids))
        created = datetime.fromtimestamp(self.clock.time(), timezone.utc)
        status = {
            "id": status_id,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "url": f"{BASE}/@alice/{status_id}",
            "uri": f"{BASE}/users/alice/statuses/{status_id}",
            "content": f"<p>{text}</p>",
            "visibility": body.get("visibility", "public"),
            "in_reply_to_id": body.get("in_reply_to_id"),
            "media_attachments": [self.media[m]["json"] for m in media_ids],
            "replies_count": 0,
            "reblogs_count": 2,
            "favourites_count": 5,
            "account": {"id": "1", "acct": "alice"},
        }
        self.statuses[status_id] = status
        parent = self.statuses.get(body.get("in_reply_to_id") or "")
        if parent is not None:
            parent["replies_count"] += 1
        if key:
            self.keys[key] = status_id
        return httpx.Response(200, json=status)

    def _context(self, status_id: str) -> dict[str, Any]:
        descendants = []
        frontier = {status_id}
        for status in self.statuses.values():
            if status.get("in_reply_to_id") in frontier and not status.get("deleted"):
                descendants.append(status)
                frontier.add(status["id"])
        return {"ancestors": [], "descendants": descendants}

    @property
    def live(self) -> list[dict[str, Any]]:
        return [s for s in self.statuses.values() if not s.get("deleted")]


def make_client(kind: str, server: FakeMastodon, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or MastodonAdapter(
        base_url=BASE, access_token=server.token, media_loader=MEDIA
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeMastodon:
    return FakeMastodon(clock=SimulatedClock())


def post(body: str = "Cold brew at three.", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="mastodon", piece_id="p1", body=body, **fields)


# -- the conformance suite ----------------------------------------------------------


class TestMastodonConformance(AdapterConformance, adapter=MastodonAdapter, platform=FakeMastodon):
    def make_adapter(self) -> MastodonAdapter:
        return MastodonAdapter(base_url=BASE, access_token=SENTINEL_SECRET)


# -- publishing ---------------------------------------------------------------------


def test_publish_sends_idempotency_key_and_returns_the_status(
    kind: str, server: FakeMastodon
) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert result.receipt.post_id in server.statuses
    assert result.receipt.url == f"{BASE}/@alice/{result.receipt.post_id}"
    assert result.receipt.idempotency_key in server.keys


def test_lost_answer_is_retried_with_the_same_key_and_posts_once(
    kind: str, server: FakeMastodon
) -> None:
    server.timeout_after_create = 2
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    creates = [s for s in server.seen if s == ("POST", "/api/v1/statuses")]
    assert len(creates) == 3
    assert len(server.live) == 1


def test_media_is_posted_only_after_processing_finishes(kind: str, server: FakeMastodon) -> None:
    video = MediaAsset(kind="video", url=MP4, alt_text="pouring tea")
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(video,))))
    assert result.ok, result.error
    polls = [s for s in server.seen if s[0] == "GET" and s[1].startswith("/api/v1/media/")]
    assert len(polls) == server.processing_polls + 1
    status = server.statuses[result.receipt.post_id]
    assert [m["type"] for m in status["media_attachments"]] == ["video"]
    assert next(iter(server.media.values()))["description"]
    assert server.clock.slept >= 2 * server.processing_polls


def test_media_processing_past_the_deadline_fails_without_posting(
    kind: str, server: FakeMastodon
) -> None:
    server.processing_polls = 10_000
    video = MediaAsset(kind="video", url=MP4)
    client = make_client(kind, server, publish_deadline=30)
    result = drive(kind, client, lambda c: c.publish(post(media=(video,))))
    assert not result.ok
    assert result.error.error_type == "PublishTimeoutError"
    assert server.live == []


def test_thread_parts_are_chained_replies(kind: str, server: FakeMastodon) -> None:
    thread = post(body="1/2 first", parts=("1/2 first", "2/2 second"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    first, second = server.live
    assert result.receipt.post_id == first["id"]
    assert second["in_reply_to_id"] == first["id"]


def test_rate_limit_iso_reset_is_honoured(kind: str, server: FakeMastodon) -> None:
    server.throttle_next = 1
    before = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.clock.time() - before == pytest.approx(30, abs=1)


def test_rejected_static_token_is_an_authentication_error_not_a_loop(
    kind: str, server: FakeMastodon
) -> None:
    adapter = MastodonAdapter(base_url=BASE, access_token="revoked")
    client = make_client(kind, server, adapter=adapter)
    with pytest.raises(AuthenticationError) as caught:
        drive(kind, client, lambda c: c.delete("1"))
    assert "revoked" not in str(caught.value)
    assert len(server.seen) == 1


# -- reading and answering -----------------------------------------------------------


def test_reply_comments_metrics_and_delete(kind: str, server: FakeMastodon) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    reply = drive(kind, client, lambda c: c.reply(receipt.post_id, receipt.post_id, "@bob thanks"))
    assert reply.in_reply_to == receipt.post_id
    comments = drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert [(c.id, c.text, c.author_id) for c in comments] == [(reply.id, "@bob thanks", "alice")]
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))}
    assert metrics == {
        "favourites_count": 5,
        "reblogs_count": 2,
        "replies_count": 1,
        "interactions": 8,
    }
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(receipt.post_id))


def test_direct_message_is_a_direct_status_mentioning_the_recipient(
    kind: str, server: FakeMastodon
) -> None:
    receipt = drive(kind, make_client(kind, server), lambda c: c.send_message("bob@ex.org", "hi"))
    status = server.statuses[receipt.message_id]
    assert status["visibility"] == "direct"
    assert status["content"] == "<p>@bob@ex.org hi</p>"


def test_instance_limits_become_the_spec(kind: str, server: FakeMastodon) -> None:
    server.max_characters = 5000
    client = make_client(kind, server)
    spec = drive(kind, client, lambda c: c.run(c.adapter.instance_spec()))
    assert spec.text.max_length.value == 5000
    assert spec.text.max_length.confidence.value == "user"
    assert client.adapter.spec.text.max_length.value == 5000
    long_post = post(body="a" * 1000)
    dry = drive(kind, client, lambda c: c.publish(long_post, dry_run=True))
    assert dry.ok, dry.problems


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        ({}, {}),
        ({"configuration": {"statuses": {"max_characters": 0}}}, {}),
        ({"configuration": {"statuses": {"max_characters": True}}}, {}),
        (
            {"configuration": {"media_attachments": {"video_size_limit": 99}}},
            {"media.video_max_bytes": 99},
        ),
    ],
)
def test_instance_overrides_take_only_stated_positive_numbers(
    instance: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert instance_overrides(instance) == expected


def test_bad_visibility_and_local_media_are_refused_before_sending() -> None:
    adapter = MastodonAdapter(base_url=BASE, access_token="t")
    with pytest.raises(InvalidInputError, match=r"extras\.visibility"):
        next(adapter.publish(post(extras={"visibility": "friends"})))
    local = MediaAsset.model_construct(kind=MediaKind.IMAGE, url="file:///etc/passwd")
    with pytest.raises(InvalidInputError, match=r"media\.url"):
        next(adapter.upload_media(local))
    # A remote URL is downloaded first (by the driver, without the token).
    fetch = next(adapter.upload_media(MediaAsset(kind="image", url="https://cdn.example/a.png")))
    assert isinstance(fetch, httpx.Request) and fetch.url.host == "cdn.example"
    assert "authorization" not in fetch.headers


def _first_request(flow: Iterator[object]) -> httpx.Request:
    """The flow's first step, which for every operation here is its HTTP request."""
    step = next(flow)
    assert isinstance(step, httpx.Request)
    return step


def test_upload_request_matches_the_documented_shape() -> None:
    adapter = MastodonAdapter(base_url=BASE, access_token="t", media_loader=MEDIA)
    request = _first_request(
        adapter.upload_media(MediaAsset(kind="image", url=PNG, alt_text="a cup"))
    )
    request.read()
    assert (request.method, request.url.path) == ("POST", "/api/v2/media")
    assert b'name="file"; filename="cup.png"' in request.content
    assert b"Content-Type: image/png" in request.content
    assert b'name="description"\r\n\r\na cup' in request.content
