"""Smoke tests for the local integration servers (plain httpx, no smmkit client).

They prove that what scripts/integration/start-*.sh started is reachable and behaves
like the real thing for the calls smmkit's clients will make. Each test skips only when
its server's URL variable is unset, i.e. when the server was not started:

    eval "$(bash scripts/integration/start-bsky.sh)"
    eval "$(bash scripts/integration/start-masto.sh)"
    pytest -m integration tests/integration
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import httpx
import pytest

pytestmark = pytest.mark.integration

TIMEOUT = httpx.Timeout(30.0)


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"{name} is not set: start the server with scripts/integration/")
    return value


@pytest.fixture
def bsky() -> Iterator[httpx.Client]:
    with httpx.Client(base_url=_env("SMMKIT_BSKY_URL"), timeout=TIMEOUT) as client:
        yield client


@pytest.fixture
def masto() -> Iterator[httpx.Client]:
    url, token = _env("SMMKIT_MASTO_URL"), _env("SMMKIT_MASTO_TOKEN")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=TIMEOUT) as client:
        yield client


def test_bsky_pds_account_session_and_post(bsky: httpx.Client) -> None:
    assert bsky.get("/xrpc/_health").status_code == 200
    # Every run gets a fresh handle: the PDS keeps accounts until it is restarted.
    handle = f"smoke{uuid.uuid4().hex[:10]}.test"
    password = uuid.uuid4().hex
    created = bsky.post(
        "/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.test", "password": password},
    )
    assert created.status_code == 200, created.text
    did = created.json()["did"]
    assert did.startswith("did:plc:")

    session = bsky.post(
        "/xrpc/com.atproto.server.createSession",
        json={"identifier": handle, "password": password},
    )
    assert session.status_code == 200, session.text
    body = session.json()
    assert body["did"] == did and body["handle"] == handle

    refreshed = bsky.post(
        "/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {body['refreshJwt']}"},
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refreshJwt"] != body["refreshJwt"]  # refresh tokens rotate
    auth = {"Authorization": f"Bearer {refreshed.json()['accessJwt']}"}
    assert bsky.get("/xrpc/com.atproto.server.getSession", headers=auth).json()["did"] == did

    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    post = bsky.post(
        "/xrpc/com.atproto.repo.createRecord",
        headers=auth,
        json={
            "repo": did,
            "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": "smoke", "createdAt": now},
        },
    )
    assert post.status_code == 200, post.text
    uri = post.json()["uri"]
    assert uri.startswith(f"at://{did}/app.bsky.feed.post/")
    listed = bsky.get(
        "/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post"},
    )
    assert [r["uri"] for r in listed.json()["records"]] == [uri]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _expired_access_jwt(secret: str, did: str) -> str:
    """An access token in the PDS's own format (HS256, typ at+jwt) that expired a minute ago."""
    header = {"typ": "at+jwt", "alg": "HS256"}
    now = int(time.time())
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


def test_bsky_pds_expired_access_token_then_refresh(bsky: httpx.Client) -> None:
    """What a client's refresh path will meet: 400 ExpiredToken, then refreshSession works."""
    secret = _env("SMMKIT_BSKY_JWT_SECRET")
    handle = f"exp{uuid.uuid4().hex[:10]}.test"
    password = uuid.uuid4().hex
    created = bsky.post(
        "/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.test", "password": password},
    )
    assert created.status_code == 200, created.text
    did, refresh_jwt = created.json()["did"], created.json()["refreshJwt"]

    expired = {"Authorization": f"Bearer {_expired_access_jwt(secret, did)}"}
    response = bsky.get("/xrpc/com.atproto.server.getSession", headers=expired)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "ExpiredToken"

    refreshed = bsky.post(
        "/xrpc/com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {refresh_jwt}"},
    )
    assert refreshed.status_code == 200, refreshed.text
    fresh = {"Authorization": f"Bearer {refreshed.json()['accessJwt']}"}
    assert bsky.get("/xrpc/com.atproto.server.getSession", headers=fresh).json()["did"] == did


def test_bsky_pds_rejects_a_wrong_password(bsky: httpx.Client) -> None:
    bad = bsky.post(
        "/xrpc/com.atproto.server.createSession",
        json={"identifier": "nobody.test", "password": "wrong"},
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "AuthenticationRequired"


def test_masto_mock_posts_and_deletes_a_status(masto: httpx.Client) -> None:
    me = masto.get("/api/v1/accounts/verify_credentials")
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "alice"

    key = uuid.uuid4().hex
    text = f"smoke {key}"
    first = masto.post("/api/v1/statuses", data={"status": text}, headers={"Idempotency-Key": key})
    assert first.status_code == 200, first.text
    status = first.json()
    assert text in status["content"]
    again = masto.post("/api/v1/statuses", data={"status": text}, headers={"Idempotency-Key": key})
    assert again.json()["id"] == status["id"]  # same key, same status: safe to retry

    fetched = masto.get(f"/api/v1/statuses/{status['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["account"]["username"] == "alice"
    assert masto.delete(f"/api/v1/statuses/{status['id']}").status_code == 200
    assert masto.get(f"/api/v1/statuses/{status['id']}").status_code == 404


def test_masto_mock_rejects_a_bad_token(masto: httpx.Client) -> None:
    response = masto.get(
        "/api/v1/accounts/verify_credentials", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
