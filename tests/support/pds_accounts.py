"""Accounts on the local Bluesky PDS that the integration tests create for themselves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx


@dataclass
class Account:
    """A fresh PDS account: its handle, DID and access token."""

    handle: str
    did: str
    jwt: str


def create_account(url: str, prefix: str = "it") -> Account:
    """A new account on the PDS at ``url``, with a random handle starting with ``prefix``."""
    handle = f"{prefix}{uuid.uuid4().hex[:10]}.test"
    response = httpx.post(
        f"{url}/xrpc/com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.test", "password": uuid.uuid4().hex},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return Account(handle, body["did"], body["accessJwt"])
