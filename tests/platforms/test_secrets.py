"""Secrets never appear in repr, str, logs, exceptions or dumps (sentinel checks)."""

from __future__ import annotations

import copy
import logging
import pickle
from pathlib import Path
from typing import Any

import httpx
import pytest

from smmkit.exceptions import NotPicklableError
from smmkit.platforms import (
    AsyncClient,
    Client,
    Credentials,
    FaultKind,
    FaultPlan,
    FileTokenStore,
    InMemoryTokenStore,
    RetryPolicy,
    SandboxAdapter,
    SandboxPlatform,
    SimulatedClock,
    Storm,
)
from smmkit.testing import SENTINEL_SECRET


def _clients(driver: Any, sandbox: SandboxPlatform, store: Any, secret: str, **options: Any) -> Any:
    adapter = SandboxAdapter(credentials=Credentials(client_id="sandbox-app", client_secret=secret))
    if driver.kind == "sync":
        return Client(
            adapter,
            http_client=httpx.Client(transport=sandbox),
            token_store=store,
            clock=sandbox.clock,
            **options,
        )
    return AsyncClient(
        adapter,
        http_client=httpx.AsyncClient(transport=sandbox),
        token_store=store,
        clock=sandbox.clock,
        **options,
    )


def test_sentinel_never_leaks(
    driver: Any, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    faults = FaultPlan(
        storms=[
            Storm(kind=FaultKind.SERVER_ERROR, start=1, length=2),
            Storm(kind=FaultKind.TOKEN_EXPIRY, start=5),
        ],
        rates={FaultKind.TIMEOUT: 0.2},
    )
    sandbox = SandboxPlatform(
        clock=SimulatedClock(),
        faults=faults,
        client_secret=SENTINEL_SECRET,
        rotate_refresh_tokens=False,
    )
    store = FileTokenStore(tmp_path / "tokens.json")
    client = _clients(driver, sandbox, store, SENTINEL_SECRET, retry=RetryPolicy(max_attempts=6))
    results = [
        driver(client, lambda c, i=i: c.publish(sandbox.sample_post(f"post {i}"))) for i in range(6)
    ]
    # A failing call too: wrong secret, so the error path is covered.
    wrong = _clients(driver, sandbox, InMemoryTokenStore(), SENTINEL_SECRET + "-wrong")
    failed = driver(wrong, lambda c: c.publish(sandbox.sample_post("nope")))
    assert not failed.ok and failed.exception is not None

    token = store.get("sandbox:default")
    assert token is not None
    secrets = [SENTINEL_SECRET, token.access_token.get_secret_value()]
    outputs = [
        caplog.text,
        repr(client),
        repr(client.adapter),
        repr(client.adapter.credentials),
        str(client.adapter.credentials),
        client.adapter.credentials.model_dump_json(),
        repr(client.adapter.credentials.model_dump()),
        repr(store),
        repr(token),
        str(token),
        token.model_dump_json(),
        repr(sandbox),
        str(failed.exception),
        repr(failed.exception),
        failed.model_dump_json(),
        repr(failed),
        *(r.model_dump_json() for r in results),
        *(repr(r) for r in results),
    ]
    for secret in secrets:
        for text in outputs:
            assert secret not in text
    assert "retrying" in caplog.text  # the logs did run, and stayed clean


def test_credentials_refuse_to_pickle_and_copy_in_memory() -> None:
    """A pickle would keep the secret in clear (issue 16): refused with a typed error.
    Copies in memory stay values (more in test_secret_channels.py)."""
    creds = Credentials(client_id="a", client_secret=SENTINEL_SECRET)
    with pytest.raises(NotPicklableError, match="Credentials") as info:
        pickle.dumps(creds)
    assert SENTINEL_SECRET not in str(info.value)
    again = copy.deepcopy(creds)
    assert again.client_secret.get_secret_value() == SENTINEL_SECRET
    assert SENTINEL_SECRET not in repr(again)


def test_token_store_file_is_the_only_place_with_the_token(tmp_path: Path) -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    store = FileTokenStore(tmp_path / "tokens.json")
    with sandbox.client(token_store=store) as client:
        client.publish(sandbox.sample_post("x"))
    token = store.get("sandbox:default")
    assert token is not None
    assert token.access_token.get_secret_value() in (tmp_path / "tokens.json").read_text()
    assert (tmp_path / "tokens.json").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_transport_errors_keep_no_authorised_request(kind: str) -> None:
    """A network failure after authorising must not carry the httpx error along: its
    request holds the token in the URL (WeChat) or headers, and error reporters walk
    ``__cause__`` and ``__context__``."""
    import asyncio

    from smmkit.exceptions import TransportError
    from smmkit.platforms.wechat import WeChatOfficialAccountAdapter

    token = "ACCESS-TOKEN-" + SENTINEL_SECRET

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": token, "expires_in": 7200})
        raise httpx.ReadTimeout("timed out", request=request)

    adapter = WeChatOfficialAccountAdapter(
        credentials=Credentials(client_id="wx1", client_secret=SENTINEL_SECRET)
    )
    retry = RetryPolicy(max_attempts=1)
    if kind == "sync":
        client: Any = Client(
            adapter,
            http_client=httpx.Client(transport=httpx.MockTransport(answer)),
            clock=SimulatedClock(),
            retry=retry,
        )
        with pytest.raises(TransportError) as info:
            client.send_message("openid", "hi")
    else:
        aclient = AsyncClient(
            adapter,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
            clock=SimulatedClock(),
            retry=retry,
        )
        with pytest.raises(TransportError) as info:
            asyncio.run(aclient.send_message("openid", "hi"))
    err = info.value
    assert err.__cause__ is None and err.__context__ is None
    assert err.outcome_unknown is True  # a read timeout may hide a message that went out
    seen = [str(err), repr(err), *map(repr, vars(err).values())]
    assert not any(token in text or SENTINEL_SECRET in text for text in seen)
