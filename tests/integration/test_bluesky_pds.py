"""BlueskyAdapter against a real PDS (``@atproto/pds``) on 127.0.0.1.

Start it with ``out=$(bash scripts/integration/start-bsky.sh) && eval "$out"`` (sets
``SMMKIT_BSKY_URL``). Every test makes fresh accounts (``createAccount`` on the PDS is
test set-up, done with plain httpx) and runs on both drivers. Skips only when
``SMMKIT_BSKY_URL`` is unset.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from operator import methodcaller
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from smmkit.exceptions import UnsupportedOperationError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import (
    AsyncClient,
    Client,
    Credentials,
    FileTokenStore,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    Token,
    idempotency_key_for,
)
from smmkit.platforms.bluesky import BlueskyAdapter, parse_at_uri
from smmkit.testing import RecordingTransport, drive

pytestmark = pytest.mark.integration

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PNG_URL = "https://media.example/tea.png"  # served by an explicit loader, never fetched
MEDIA = InMemoryMediaLoader({PNG_URL: PNG})
NO_POOL = httpx.Limits(max_keepalive_connections=0)
WRITES = ("com.atproto.repo.createRecord", "com.atproto.repo.putRecord")


@dataclass
class Account:
    handle: str
    password: str
    did: str


def create_account(url: str) -> Account:
    handle = f"it{uuid.uuid4().hex[:10]}.test"
    password = uuid.uuid4().hex
    response = httpx.post(
        f"{url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.test", "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return Account(handle, password, response.json()["did"])


@pytest.fixture
def alice(pds_url: str) -> Account:
    return create_account(pds_url)


@pytest.fixture
def bob(pds_url: str) -> Account:
    return create_account(pds_url)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Harness:
    """Clients over a recording transport, to count logins and refreshes."""

    def __init__(self, url: str, account: Account) -> None:
        self.url = url
        self.account = account
        # No keep-alive: drive() gives every async call its own event loop, and a pooled
        # connection must not outlive the loop (or the test) it was opened in.
        self.sync_transport = RecordingTransport(httpx.HTTPTransport(limits=NO_POOL))
        self.async_transport = RecordingTransport(httpx.AsyncHTTPTransport(limits=NO_POOL))

    def adapter(self) -> BlueskyAdapter:
        creds = Credentials(client_id=self.account.handle, client_secret=self.account.password)
        return BlueskyAdapter(base_url=self.url, credentials=creds, media_loader=MEDIA)

    def client(self, kind: str, **options: Any) -> Any:
        options.setdefault("token_store", InMemoryTokenStore())
        if kind == "sync":
            http = httpx.Client(transport=self.sync_transport, timeout=30)
            return Client(self.adapter(), http_client=http, **options)
        http_async = httpx.AsyncClient(transport=self.async_transport, timeout=30)
        return AsyncClient(self.adapter(), http_client=http_async, **options)

    def calls(self, nsid: str) -> int:
        requests = self.sync_transport.requests + self.async_transport.requests
        return sum(1 for r in requests if r.url.path == f"/xrpc/{nsid}")

    def record(self, uri: str) -> httpx.Response:
        repo, collection, rkey = parse_at_uri(uri)
        return httpx.get(
            f"{self.url}/xrpc/com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
            timeout=30,
        )


@pytest.fixture
def harness(pds_url: str, alice: Account) -> Harness:
    return Harness(pds_url, alice)


def test_post_with_image_and_facets(kind: str, harness: Harness, bob: Account) -> None:
    text = f"Tea 🍵 with @{bob.handle} at https://tea.example/menu #cold_brew"
    image = MediaAsset(kind="image", url=PNG_URL, alt_text="a one-pixel tea", width=1, height=1)
    post = PlatformPost(platform="bluesky", piece_id="it-1", body=text, media=(image,))
    result = drive(kind, harness.client(kind), lambda c: c.publish(post))
    assert result.ok, result.error
    stored = harness.record(result.receipt.post_id)
    assert stored.status_code == 200, stored.text
    value = stored.json()["value"]
    assert value["text"] == text
    spans = {
        f["features"][0]["$type"].split("#")[1]: text.encode()[
            f["index"]["byteStart"] : f["index"]["byteEnd"]
        ].decode()
        for f in value["facets"]
    }
    assert spans == {
        "mention": f"@{bob.handle}",
        "link": "https://tea.example/menu",
        "tag": "#cold_brew",
    }
    mention = next(f for f in value["facets"] if "did" in f["features"][0])
    assert mention["features"][0]["did"] == bob.did
    (embedded,) = value["embed"]["images"]
    assert embedded["alt"] == "a one-pixel tea"
    blob = httpx.get(
        f"{harness.url}/xrpc/com.atproto.sync.getBlob",
        params={"did": harness.account.did, "cid": embedded["image"]["ref"]["$link"]},
        timeout=30,
    )
    assert blob.status_code == 200 and blob.content == PNG


def test_reply_list_and_delete(kind: str, harness: Harness) -> None:
    client = harness.client(kind)
    root = drive(
        kind,
        client,
        lambda c: c.publish(
            PlatformPost(platform="bluesky", piece_id="it-2", body="Which tea today?")
        ),
    )
    assert root.ok, root.error
    uri = root.receipt.post_id
    answer = drive(kind, client, lambda c: c.reply(uri, uri, "Oolong, obviously"))
    deeper = drive(kind, client, lambda c: c.reply(uri, answer.id, "Agreed"))
    reply = harness.record(deeper.id).json()["value"]["reply"]
    assert (reply["root"]["uri"], reply["parent"]["uri"]) == (uri, answer.id)
    page = drive(kind, client, lambda c: c.run(c.adapter.list_posts(limit=10)))
    assert [p.uri for p in page.posts] == [deeper.id, answer.id, uri]  # newest first
    assert page.posts[0].reply_parent == answer.id
    drive(kind, client, lambda c: c.delete(answer.id))
    gone = harness.record(answer.id)
    assert gone.status_code == 400 and gone.json()["error"] == "RecordNotFound"
    after = drive(kind, client, lambda c: c.run(c.adapter.list_posts(limit=10)))
    assert answer.id not in {p.uri for p in after.posts}


def test_one_login_and_the_session_persists_in_the_token_store(
    kind: str, harness: Harness, tmp_path: Any
) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    for number in range(2):  # two "processes": two clients sharing one file store
        client = harness.client(kind, token_store=store)
        post = PlatformPost(platform="bluesky", piece_id=f"it-3-{number}", body=f"run {number}")
        assert drive(kind, client, methodcaller("publish", post)).ok
    assert harness.calls("com.atproto.server.createSession") == 1
    session = store.get("bluesky:default")
    assert session is not None and session.refresh_token is not None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def expired_access_jwt(secret: str, did: str) -> str:
    """An access JWT in the PDS's own format (HS256, ``at+jwt``) that expired a minute ago."""
    now = int(time.time())
    header = {"typ": "at+jwt", "alg": "HS256"}
    claims = {
        "scope": "com.atproto.access",
        "aud": "did:web:localhost",
        "sub": did,
        "iat": now - 7260,
        "exp": now - 60,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def test_expired_access_token_is_refreshed_without_a_new_login(kind: str, harness: Harness) -> None:
    store = InMemoryTokenStore()
    client = harness.client(kind, token_store=store)
    first = PlatformPost(platform="bluesky", piece_id="it-4a", body="before")
    assert drive(kind, client, lambda c: c.publish(first)).ok
    session = store.get("bluesky:default")
    assert session is not None
    secret = os.environ.get("SMMKIT_BSKY_JWT_SECRET")
    # With the PDS's key (start-bsky.sh exports it) the server itself says ExpiredToken;
    # without it, a token it cannot verify (InvalidToken) takes the same refresh path.
    # Either way the client does not know: the stored expiry says the token is fine.
    stale = expired_access_jwt(secret, harness.account.did) if secret else "x.eyJ9.y"
    store.put("bluesky:default", session.model_copy(update={"access_token": SecretStr(stale)}))
    later = harness.client(kind, token_store=store)
    second = PlatformPost(platform="bluesky", piece_id="it-4b", body="after")
    result = drive(kind, later, lambda c: c.publish(second))
    assert result.ok, result.error
    assert harness.calls("com.atproto.server.refreshSession") == 1
    assert harness.calls("com.atproto.server.createSession") == 1
    writes = [
        r
        for r in harness.sync_transport.requests + harness.async_transport.requests
        if r.url.path.endswith(WRITES)
    ]
    assert len(writes) == 3  # first, the rejected attempt, the retry after the refresh
    refreshed = store.get("bluesky:default")
    assert refreshed is not None
    assert refreshed.access_token.get_secret_value() != stale
    assert refreshed.refresh_token != session.refresh_token  # the PDS rotates it


def test_expired_access_token_is_refreshed_before_use(kind: str, harness: Harness) -> None:
    store = InMemoryTokenStore()
    client = harness.client(kind, token_store=store)
    assert drive(
        kind,
        client,
        lambda c: c.publish(PlatformPost(platform="bluesky", piece_id="it-5a", body="one")),
    ).ok
    session = store.get("bluesky:default")
    assert session is not None
    past = datetime(2020, 1, 1, tzinfo=timezone.utc)
    store.put("bluesky:default", Token.model_validate({**session.model_dump(), "expires_at": past}))
    later = harness.client(kind, token_store=store)
    assert drive(
        kind,
        later,
        lambda c: c.publish(PlatformPost(platform="bluesky", piece_id="it-5b", body="two")),
    ).ok
    assert harness.calls("com.atproto.server.refreshSession") == 1
    assert harness.calls("com.atproto.server.createSession") == 1
    refreshed = store.get("bluesky:default")
    assert refreshed is not None
    assert refreshed.expires_at is not None and refreshed.expires_at > past


def test_lost_answer_is_read_back_not_posted_twice(kind: str, harness: Harness) -> None:
    class LoseFirstCreate(httpx.BaseTransport, httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport(limits=NO_POOL)
            self.ainner = httpx.AsyncHTTPTransport(limits=NO_POOL)
            self.lost = False

        def _lose(self, request: httpx.Request) -> None:
            if request.url.path.endswith(WRITES) and not self.lost:
                self.lost = True
                raise httpx.ReadError("reset after the write (injected)", request=request)

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = self.inner.handle_request(request)
            response.read()
            self._lose(request)
            return response

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.ainner.handle_async_request(request)
            await response.aread()
            self._lose(request)
            return response

    transport = LoseFirstCreate()
    if kind == "sync":
        client: Any = Client(harness.adapter(), http_client=httpx.Client(transport=transport))
    else:
        client = AsyncClient(harness.adapter(), http_client=httpx.AsyncClient(transport=transport))
    post = PlatformPost(platform="bluesky", piece_id="it-6", body="exactly once")
    result = drive(kind, client, lambda c: c.publish(post))
    assert result.ok, result.error and transport.lost
    listed = drive(kind, client, lambda c: c.run(c.adapter.list_posts(limit=10)))
    assert [p.text for p in listed.posts] == ["exactly once"]


def test_counts_on_a_bare_pds_are_reported_unsupported(kind: str, harness: Harness) -> None:
    client = harness.client(kind)
    result = drive(
        kind,
        client,
        lambda c: c.publish(PlatformPost(platform="bluesky", piece_id="it-7", body="count me")),
    )
    if os.environ.get("SMMKIT_BSKY_APPVIEW"):  # variant B (dev-env) has an AppView
        metrics = drive(kind, client, lambda c: c.metrics(result.receipt.post_id))
        assert {m.metric for m in metrics} >= {"likeCount", "repostCount", "replyCount"}
        return
    with pytest.raises(UnsupportedOperationError, match="AppView"):  # variant A: PDS only
        drive(kind, client, lambda c: c.metrics(result.receipt.post_id))
    with pytest.raises(UnsupportedOperationError, match="AppView"):
        drive(kind, client, lambda c: c.comments(result.receipt.post_id))


def _listed(kind: str, client: Any) -> list[str]:
    page = drive(kind, client, lambda c: c.run(c.adapter.list_posts(limit=100)))
    return sorted(p.text for p in page.posts)


def test_a_rerun_by_another_process_posts_each_post_once(kind: str, harness: Harness) -> None:
    """Two adapters with nothing in common (two processes): the second finishes the batch.

    The first "process" dies after two posts and half a thread; the second re-runs the
    whole batch. Record keys come from the posts' idempotency keys, so the PDS itself
    says which are already there (``InvalidSwap``) and they are read back, not re-posted.
    """
    thread = PlatformPost(
        platform="bluesky", piece_id="it-8-t", body="1/2", parts=("1/2 first", "2/2 second")
    )
    batch = [
        PlatformPost(platform="bluesky", piece_id=f"it-8-{n}", body=f"batch post {n}")
        for n in range(4)
    ] + [thread]
    first = harness.client(kind)
    early = [drive(kind, first, methodcaller("publish", p)) for p in batch[:2]]
    # half the thread: its first part, as a crash between the parts would leave it
    head = thread.model_copy(update={"parts": ("1/2 first",)})
    assert drive(
        kind, first, methodcaller("publish", head, idempotency_key=idempotency_key_for(thread))
    ).ok
    second = harness.client(kind)  # a new adapter, a new token store: nothing shared
    again = [drive(kind, second, methodcaller("publish", p)) for p in batch]
    assert all(r.ok for r in early + again), [r.error for r in early + again if not r.ok]
    assert [r.receipt.post_id for r in again[:2]] == [r.receipt.post_id for r in early]
    expected = sorted([f"batch post {n}" for n in range(4)] + ["1/2 first", "2/2 second"])
    assert _listed(kind, second) == expected
    assert harness.calls("com.atproto.repo.getRecord") >= 3  # the read-backs


def test_two_processes_racing_on_one_batch_post_each_post_once(harness: Harness) -> None:
    """Two async clients publish the same batch at the same time, post by post."""
    batch = [
        PlatformPost(platform="bluesky", piece_id=f"it-9-{n}", body=f"race {n}") for n in range(6)
    ]

    async def race() -> list[Any]:
        one, two = harness.client("async"), harness.client("async")
        results = await asyncio.gather(*(client.publish(p) for p in batch for client in (one, two)))
        return list(results)

    results = asyncio.run(race())
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    by_piece: dict[str, set[str]] = {}
    for result in results:
        by_piece.setdefault(result.piece_id, set()).add(result.receipt.post_id)
    assert all(len(uris) == 1 for uris in by_piece.values())  # both saw the same post
    assert _listed("sync", harness.client("sync")) == sorted(f"race {n}" for n in range(6))
