"""MastodonAdapter against ``mastodon-mock`` (a stateful Mastodon-API fake) on 127.0.0.1.

Start it with ``out=$(bash scripts/integration/start-masto.sh) && eval "$out"`` (sets
``SMMKIT_MASTO_URL``, ``SMMKIT_MASTO_TOKEN`` for alice and ``SMMKIT_MASTO_TOKEN_2`` for
bob). The mock is not Mastodon (its media is ready at once, for example), so the
processing and ISO-reset paths are covered by the doc-built fake in
``tests/platforms/test_mastodon.py``. Skips only when the variables are unset.
"""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, BadRequestError, NotFoundError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import AsyncClient, Client, InMemoryMediaLoader
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.testing import RecordingTransport, drive

pytestmark = pytest.mark.integration

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URL = "https://media.example/tea.png"  # served by an explicit loader, never fetched
MEDIA = InMemoryMediaLoader({PNG_URL: PNG})
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


def make_client(kind: str, url: str, token: str, **options: Any) -> tuple[Any, RecordingTransport]:
    adapter = MastodonAdapter(base_url=url, access_token=token, media_loader=MEDIA)
    if kind == "sync":
        recording = RecordingTransport(httpx.HTTPTransport(limits=NO_POOL))
        return Client(adapter, http_client=httpx.Client(transport=recording), **options), recording
    recording = RecordingTransport(httpx.AsyncHTTPTransport(limits=NO_POOL))
    client = AsyncClient(adapter, http_client=httpx.AsyncClient(transport=recording), **options)
    return client, recording


def status(url: str, token: str, status_id: str) -> httpx.Response:
    return httpx.get(
        f"{url}/api/v1/statuses/{status_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_instance_limits_are_read_into_the_spec(kind: str, url: str, token: str) -> None:
    client, _ = make_client(kind, url, token)
    spec = drive(kind, client, lambda c: c.run(c.adapter.instance_spec()))
    config = httpx.get(f"{url}/api/v2/instance", timeout=30).json()["configuration"]
    assert spec.text.max_length.value == config["statuses"]["max_characters"]
    assert spec.media.max_items.value == config["statuses"]["max_media_attachments"]
    assert spec.media.image_max_bytes.value == config["media_attachments"]["image_size_limit"]
    assert spec.media.video_max_bytes.value == config["media_attachments"]["video_size_limit"]
    assert client.adapter.spec is spec


def test_status_with_image_and_alt_text(kind: str, url: str, token: str) -> None:
    client, recording = make_client(kind, url, token)
    image = MediaAsset(kind="image", url=PNG_URL, alt_text="a one-pixel tea")
    text = f"Cold brew at three {uuid.uuid4().hex[:6]} #tea"
    post = PlatformPost(platform="mastodon", piece_id="it-1", body=text, media=(image,))
    result = drive(kind, client, lambda c: c.publish(post))
    assert result.ok, result.error
    stored = status(url, token, result.receipt.post_id).json()
    assert text in stored["content"]
    (media,) = stored["media_attachments"]
    assert media["description"] == "a one-pixel tea"
    create = next(r for r in recording.requests if r.url.path == "/api/v1/statuses")
    assert create.headers["Idempotency-Key"] == result.receipt.idempotency_key


def test_same_idempotency_key_gives_one_status(kind: str, url: str, token: str) -> None:
    client, _ = make_client(kind, url, token)
    post = PlatformPost(platform="mastodon", piece_id="it-2", body=f"once {uuid.uuid4().hex}")
    key = f"smmkit-it-{uuid.uuid4().hex}"
    first = drive(kind, client, lambda c: c.publish(post, idempotency_key=key))
    second = drive(kind, client, lambda c: c.publish(post, idempotency_key=key))
    assert first.ok and second.ok
    assert first.receipt.post_id == second.receipt.post_id


def test_throttled_create_is_retried_and_posts_once(kind: str, url: str, token: str) -> None:
    fault = {
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "ratelimit", "headers": {"Retry-After": "1"}},
        "count": 1,
    }
    assert httpx.post(f"{url}/api/v1/_mock/faults", json=fault, timeout=30).status_code == 200
    client, recording = make_client(kind, url, token)
    post = PlatformPost(platform="mastodon", piece_id="it-3", body=f"patient {uuid.uuid4().hex}")
    result = drive(kind, client, lambda c: c.publish(post))
    assert result.ok, result.error
    creates = [r for r in recording.requests if r.url.path == "/api/v1/statuses"]
    assert len(creates) == 2
    assert {r.headers["Idempotency-Key"] for r in creates} == {result.receipt.idempotency_key}


def test_reply_context_counts_and_delete(kind: str, url: str, token: str) -> None:
    bob = {"Authorization": f"Bearer {_env('SMMKIT_MASTO_TOKEN_2')}"}
    client, _ = make_client(kind, url, token)
    post = PlatformPost(platform="mastodon", piece_id="it-4", body=f"Tea? {uuid.uuid4().hex}")
    status_id = drive(kind, client, lambda c: c.publish(post)).receipt.post_id
    for action in ("favourite", "reblog"):
        done = httpx.post(f"{url}/api/v1/statuses/{status_id}/{action}", headers=bob, timeout=30)
        assert done.status_code == 200, done.text
    reply = drive(kind, client, lambda c: c.reply(status_id, status_id, "Always."))
    comments = drive(kind, client, lambda c: c.comments(status_id))
    assert [(c.id, c.text, c.in_reply_to) for c in comments] == [(reply.id, "Always.", status_id)]
    counts = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(status_id))}
    assert counts == {
        "favourites_count": 1,
        "reblogs_count": 1,
        "replies_count": 1,
        "interactions": 3,
    }
    drive(kind, client, lambda c: c.delete(status_id))
    assert status(url, token, status_id).status_code == 404
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(status_id))


def test_bad_token_and_empty_status_are_typed_errors(kind: str, url: str, token: str) -> None:
    bad, _ = make_client(kind, url, "not-a-token")
    with pytest.raises(AuthenticationError) as caught:
        drive(kind, bad, lambda c: c.delete("1"))  # reads of public statuses need no token
    assert "not-a-token" not in str(caught.value)
    client, _ = make_client(kind, url, token)
    empty = PlatformPost(platform="mastodon", piece_id="it-5", body="")
    result = drive(kind, client, lambda c: c.publish(empty))
    # smmkit refuses an empty body before sending it; the server's own 422 stays typed.
    assert result.error.error_type == "InvalidInputError" and result.error.fields == ("body",)
    with pytest.raises(BadRequestError) as refused:
        drive(kind, client, lambda c: c.run(c.adapter.publish(empty)))
    assert refused.value.status == 422
