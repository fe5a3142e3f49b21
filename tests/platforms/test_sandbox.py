"""The sandbox as a platform: limits, tokens, seeded engagement, faults, determinism."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from smmkit.models import MediaAsset
from smmkit.platforms import FaultKind, FaultPlan, SandboxPlatform, SimulatedClock, Storm


def _token(client: httpx.Client) -> str:
    response = client.post(
        "https://sandbox.smmkit.invalid/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-app",
            "client_secret": "sandbox-secret",
        },
    )
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def raw(sandbox: SandboxPlatform) -> httpx.Client:
    client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
    client.headers["Authorization"] = f"Bearer {_token(client)}"
    return client


@pytest.mark.parametrize(
    ("spec", "text", "status"),
    [
        ("mastodon", "a" * 500, 201),
        ("mastodon", "a" * 501, 422),
        ("x", "a" * 280, 201),
        ("x", "a" * 281, 422),
        ("x", "茶" * 140, 201),  # CJK weighs double on X
        ("x", "茶" * 141, 422),
        ("wecom", "茶" * 682, 201),  # WeCom counts UTF-8 bytes: 2048 / 3
        ("wecom", "茶" * 683, 422),
    ],
)
def test_catalog_text_limits_are_enforced(spec: str, text: str, status: int) -> None:
    sandbox = SandboxPlatform(spec=spec, clock=SimulatedClock())
    client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
    client.headers["Authorization"] = f"Bearer {_token(client)}"
    response = client.post("/api/posts", json={"text": text})
    assert response.status_code == status, response.text
    assert sandbox.published_count == (1 if status == 201 else 0)


def test_media_limits_are_enforced(raw: httpx.Client, sandbox: SandboxPlatform) -> None:
    ids = []
    for i in range(5):
        asset = MediaAsset(kind="image", url=f"https://cdn.example/{i}.png", size_bytes=1000)
        ids.append(raw.post("/api/media", json=asset.model_dump(mode="json")).json()["id"])
    too_many = raw.post("/api/posts", json={"text": "pics", "media_ids": ids})
    assert too_many.status_code == 422
    assert "5 items > 4" in too_many.json()["message"]
    assert raw.post("/api/posts", json={"text": "pics", "media_ids": ids[:4]}).status_code == 201


def test_media_must_finish_processing(raw: httpx.Client, sandbox: SandboxPlatform) -> None:
    video = MediaAsset(
        kind="video", url="https://cdn.example/v.mp4", size_bytes=1000, duration_seconds=10
    )
    media = raw.post("/api/media", json=video.model_dump(mode="json")).json()
    assert media["state"] == "processing"
    early = raw.post("/api/posts", json={"text": "v", "media_ids": [media["id"]]})
    assert early.json()["error"] == "media_not_ready"
    sandbox.clock.advance(sandbox.media_processing_seconds)  # type: ignore[attr-defined]
    assert raw.get(f"/api/media/{media['id']}").json()["state"] == "ready"
    assert raw.post("/api/posts", json={"text": "v", "media_ids": [media["id"]]}).status_code == 201


def test_tokens_expire_on_the_clock(raw: httpx.Client, sandbox: SandboxPlatform) -> None:
    assert raw.get("/api/posts").status_code == 200
    sandbox.clock.advance(sandbox.token_ttl + 1)  # type: ignore[attr-defined]
    expired = raw.get("/api/posts")
    assert expired.status_code == 401 and expired.json()["error"] == "token_expired"


def test_wechat_style_fetch_invalidates_the_previous_token() -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock(), invalidate_previous_token=True)
    client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
    first = _token(client)
    second = _token(client)
    assert client.get("/api/posts", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert (
        client.get("/api/posts", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    )


def test_refresh_tokens_rotate() -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
    creds = {"client_id": "sandbox-app", "client_secret": "sandbox-secret"}
    issued = client.post("/oauth/token", data={"grant_type": "client_credentials", **creds}).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"], **creds}
    assert client.post("/oauth/token", data=refresh).status_code == 200
    reused = client.post("/oauth/token", data=refresh)
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_idempotency_key_dedups(raw: httpx.Client, sandbox: SandboxPlatform) -> None:
    first = raw.post("/api/posts", json={"text": "once"}, headers={"Idempotency-Key": "k1"})
    second = raw.post("/api/posts", json={"text": "once"}, headers={"Idempotency-Key": "k1"})
    assert first.json()["id"] == second.json()["id"]
    assert sandbox.published_count == 1
    sandbox.clock.advance(sandbox.idempotency_retention + 1)  # type: ignore[attr-defined]
    raw.headers["Authorization"] = f"Bearer {_token(raw)}"
    raw.post("/api/posts", json={"text": "once"}, headers={"Idempotency-Key": "k1"})
    assert sandbox.published_count == 2  # keys are only kept for a while, like Mastodon's


def test_engagement_is_seeded_and_grows() -> None:
    def run(seed: int, hours: float) -> dict[str, Any]:
        sandbox = SandboxPlatform(clock=SimulatedClock(), seed=seed, token_ttl=10**6)
        client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
        client.headers["Authorization"] = f"Bearer {_token(client)}"
        post = client.post("/api/posts", json={"text": "t"}).json()
        sandbox.clock.advance(hours * 3600)  # type: ignore[attr-defined]
        metrics: dict[str, Any] = client.get(f"/api/posts/{post['id']}/metrics").json()
        metrics["comment_texts"] = [
            c["text"] for c in client.get(f"/api/posts/{post['id']}/comments").json()["comments"]
        ]
        return metrics

    assert run(1, 12) == run(1, 12)
    assert run(1, 1)["impressions"] < run(1, 12)["impressions"]
    assert [run(s, 12)["impressions"] for s in range(5)] != [run(0, 12)["impressions"]] * 5


def test_faults_are_deterministic_for_a_seed() -> None:
    plan = FaultPlan(seed=5, rates={FaultKind.SERVER_ERROR: 0.3, FaultKind.TIMEOUT: 0.2})

    def outcomes() -> list[str]:
        sandbox = SandboxPlatform(clock=SimulatedClock(), faults=plan)
        client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
        seen = []
        for _ in range(30):
            try:
                seen.append(str(client.get("/api/posts").status_code))
            except httpx.ReadTimeout:
                seen.append("timeout")
        return seen

    first = outcomes()
    assert first == outcomes()
    assert {"503", "timeout", "401"} <= set(first)


@pytest.mark.parametrize(
    ("kind", "raised"),
    [
        (FaultKind.TIMEOUT, httpx.ReadTimeout),
        (FaultKind.CONNECTION_RESET, httpx.ReadError),
        (FaultKind.CONNECT_ERROR, httpx.ConnectError),
    ],
)
def test_network_faults_raise_httpx_errors(kind: FaultKind, raised: type[Exception]) -> None:
    sandbox = SandboxPlatform(
        clock=SimulatedClock(), faults=FaultPlan(storms=[Storm(kind=kind, start=0)])
    )
    with pytest.raises(raised):
        httpx.Client(transport=sandbox).get("https://sandbox.smmkit.invalid/api/posts")
    assert sandbox.faults_injected[kind] == 1


def test_faults_after_commit_apply_the_write() -> None:
    plan = FaultPlan(storms=[Storm(kind=FaultKind.CONNECTION_RESET, start=1)], after_commit=1.0)
    sandbox = SandboxPlatform(clock=SimulatedClock(), faults=plan)
    client = httpx.Client(transport=sandbox, base_url="https://sandbox.smmkit.invalid")
    client.headers["Authorization"] = f"Bearer {_token(client)}"
    with pytest.raises(httpx.ReadError):
        client.post("/api/posts", json={"text": "lost answer"})
    assert sandbox.published_count == 1


def test_serves_async_clients_too(sandbox: SandboxPlatform) -> None:
    async def main() -> int:
        async with httpx.AsyncClient(transport=sandbox) as client:
            response = await client.post(
                "https://sandbox.smmkit.invalid/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "sandbox-app",
                    "client_secret": "sandbox-secret",
                },
            )
            return response.status_code

    assert asyncio.run(main()) == 200


def test_unknown_routes_and_bad_bodies(raw: httpx.Client) -> None:
    assert raw.get("/api/nothing").status_code == 404
    assert raw.post("/api/posts", json={"title": "no text"}).status_code == 400
    assert raw.post("/api/messages", json={"to": "u"}).status_code == 400
    assert raw.patch("/api/posts/p1").status_code == 404
