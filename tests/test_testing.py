"""The conformance suite, run against the sandbox adapters, and the fakes themselves."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import UnsupportedOperationError
from smmkit.platforms import Capability, PlatformAdapter, SandboxAdapter, SandboxPlatform
from smmkit.platforms.sandbox import SandboxReadBackAdapter
from smmkit.testing import (
    AdapterConformance,
    CountingTokenEndpoint,
    FaultInjectingTransport,
    RecordingTransport,
    run_flow,
)


class TestSandboxConformance(AdapterConformance, adapter=SandboxAdapter, platform=SandboxPlatform):
    """The one line a plugin author writes."""


class TestSandboxReadBackConformance(
    AdapterConformance, adapter=SandboxReadBackAdapter, platform=SandboxPlatform
):
    """The read-back flavour passes the same contract."""


# -- the suite must catch broken adapters --------------------------------------------


class LeakyAdapter(SandboxAdapter):
    name = "leaky"

    def __repr__(self) -> str:
        assert self.credentials is not None
        return f"Leaky({self.credentials.client_secret.get_secret_value()})"


class Liar(PlatformAdapter):
    name = platform_id = "mastodon"
    capabilities = frozenset({Capability.PUBLISH_TEXT, Capability.DELETE})


class SwallowsErrors(SandboxAdapter):
    name = "swallows"

    def parse_error(self, response: httpx.Response) -> None:
        return None  # pretends every answer is a success


def test_conformance_catches_a_secret_in_repr(caplog: pytest.LogCaptureFixture) -> None:
    class Check(AdapterConformance, adapter=LeakyAdapter, platform=SandboxPlatform):
        pass

    with pytest.raises(AssertionError):
        Check().test_secrets_never_leak("sync", caplog)


def test_conformance_catches_an_undeclared_implementation() -> None:
    class Check(AdapterConformance, adapter=Liar, platform=SandboxPlatform):
        pass

    with pytest.raises(AssertionError, match="delete is declared"):
        Check().test_capabilities_match_implementation()


def test_conformance_catches_untranslated_errors() -> None:
    class Check(AdapterConformance, adapter=SwallowsErrors, platform=SandboxPlatform):
        pass

    with pytest.raises((AssertionError, pytest.fail.Exception)):
        Check().test_failures_are_translated("sync", "500")


def test_run_flow_without_any_transport() -> None:
    adapter = SandboxAdapter()
    with pytest.raises(UnsupportedOperationError):
        run_flow(Liar().delete("1"), lambda r: httpx.Response(204))
    assert run_flow(adapter.delete("1"), lambda r: httpx.Response(204)) is None


def test_recording_and_fault_injection_compose() -> None:
    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    recording = RecordingTransport(FaultInjectingTransport(ok, ["429", "connect_error"]))
    client = httpx.Client(transport=recording)
    assert client.get("https://h.example/").status_code == 429
    with pytest.raises(httpx.ConnectError):
        client.get("https://h.example/")
    assert client.get("https://h.example/").status_code == 200
    assert len(recording.requests) == 3


def test_counting_endpoint_counts_across_instances(tmp_path: object) -> None:
    first = CountingTokenEndpoint(str(tmp_path), client_secret="s")
    second = CountingTokenEndpoint(str(tmp_path), client_secret="s")
    client = httpx.Client(transport=first)
    response = client.post(
        "https://t.example/oauth/token",
        data={"grant_type": "client_credentials", "client_secret": "s"},
    )
    assert response.json()["access_token"] == "token-1"
    assert second.fetches == 1
    refused = client.post("https://t.example/oauth/token", data={"client_secret": "wrong"})
    assert refused.status_code == 401 and second.fetches == 1


def test_run_flow_answers_now_only_when_given() -> None:
    from smmkit.platforms import Now

    def flow() -> Any:
        at = yield Now()
        return at

    at = datetime(2026, 5, 1, tzinfo=timezone.utc)
    assert run_flow(flow(), lambda r: httpx.Response(204), now=at) == at
    with pytest.raises(ValueError, match="now="):
        run_flow(flow(), lambda r: httpx.Response(204))
    with pytest.raises(ValueError, match="aware"):
        run_flow(flow(), lambda r: httpx.Response(204), now=datetime(2026, 5, 1))


def test_tiny_png_is_loadable_by_the_default_loader() -> None:
    from smmkit.models import MediaAsset
    from smmkit.platforms import load_media, media_type
    from smmkit.testing import TINY_PNG, TINY_PNG_BYTES

    asset = MediaAsset(kind="image", url=TINY_PNG)
    served = {TINY_PNG: TINY_PNG_BYTES}  # the default loader downloads the URL
    data = run_flow(
        load_media(asset, None), lambda r: httpx.Response(200, content=served[str(r.url)])
    )
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
    assert media_type(asset) == "image/png"


def test_fake_platform_serves_both_drivers_from_one_answer() -> None:
    import asyncio

    from smmkit.testing import FakePlatform

    class Echo(FakePlatform):
        def answer(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=request.content[::-1])

    assert httpx.Client(transport=Echo()).post("https://h.example/", content=b"abc").text == "cba"

    async def post() -> str:
        async with httpx.AsyncClient(transport=Echo()) as client:
            return (await client.post("https://h.example/", content=b"xyz")).text

    assert asyncio.run(post()) == "zyx"
    with pytest.raises(NotImplementedError):
        httpx.Client(transport=FakePlatform()).get("https://h.example/")


@pytest.mark.parametrize(("kind", "expected"), [("sync", "Client"), ("async", "AsyncClient")])
def test_client_for_builds_the_named_driver_over_the_transport(kind: str, expected: str) -> None:
    from smmkit.platforms import SimulatedClock
    from smmkit.testing import client_for, drive

    sandbox = SandboxPlatform(clock=SimulatedClock())
    client = client_for(kind, sandbox.adapter(), sandbox, clock=sandbox.clock)
    assert type(client).__name__ == expected
    assert drive(kind, client, lambda c: c.publish(sandbox.sample_post("hi"))).ok
    assert sandbox.published_count == 1


# -- one fault vocabulary for the sandbox and FaultInjectingTransport ----------------------


def test_fault_injection_speaks_the_sandbox_vocabulary() -> None:
    from smmkit.platforms import FaultKind

    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    faults: list[FaultKind | str | int | None] = [
        FaultKind.SERVER_ERROR,
        "rate_limit",
        500,
        "404",
        "connection_reset",
        "timeout",
    ]
    client = httpx.Client(transport=FaultInjectingTransport(ok, faults))
    answers = [client.get("https://h.example/") for _ in range(4)]
    assert [a.status_code for a in answers] == [503, 429, 500, 404]
    assert answers[1].headers["Retry-After"] == "1"
    with pytest.raises(httpx.ReadError):
        client.get("https://h.example/")
    with pytest.raises(httpx.ReadTimeout):
        client.get("https://h.example/")


@pytest.mark.parametrize("kind", ["timeout", "connection_reset", "connect_error", "server_error"])
def test_sandbox_and_fault_injection_fail_alike(kind: str) -> None:
    """The same fault name gives the same httpx error or status on both fakes."""
    from smmkit.platforms import FaultPlan, SimulatedClock, Storm

    def outcome(transport: Any) -> object:
        try:
            return (
                httpx.Client(transport=transport).get("https://sandbox.smmkit.invalid/").status_code
            )
        except httpx.HTTPError as exc:
            return type(exc)

    storm = FaultPlan(storms=[Storm(kind=kind, start=0)])
    sandbox = SandboxPlatform(clock=SimulatedClock(), faults=storm)
    injected = FaultInjectingTransport(SandboxPlatform(clock=SimulatedClock()), [kind])
    assert outcome(sandbox) == outcome(injected)


def test_old_fault_spelling_warns() -> None:
    from smmkit.platforms import FaultKind

    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    with pytest.warns(DeprecationWarning, match="'read_timeout' is deprecated.*'timeout'"):
        transport = FaultInjectingTransport(ok, ["read_timeout"])
    assert transport.faults == [FaultKind.TIMEOUT]
    with pytest.raises(httpx.ReadTimeout):
        httpx.Client(transport=transport).get("https://h.example/")


def test_unknown_faults_are_refused_up_front() -> None:
    from smmkit.exceptions import InvalidInputError

    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    with pytest.raises(InvalidInputError, match="faults"):
        FaultInjectingTransport(ok, ["boom"])
    with pytest.raises(InvalidInputError, match="faults"):
        FaultInjectingTransport(ok, [999])
    with pytest.raises(InvalidInputError, match="expire_tokens"):
        FaultInjectingTransport(ok, ["token_expiry"])


def test_token_expiry_and_lost_answers_on_any_fake() -> None:
    from smmkit.platforms import SimulatedClock
    from smmkit.testing import client_for

    sandbox = SandboxPlatform(clock=SimulatedClock())
    # request 0 fetches a token, 1 publishes (its answer lost after the write), then
    # every token is revoked before the read-back: the client refreshes and finds the post
    faults = [None, "timeout", "token_expiry"]
    transport = FaultInjectingTransport(sandbox, faults, after_commit=True)
    client = client_for("sync", sandbox.adapter(read_back=True), transport, clock=sandbox.clock)
    result = client.publish(sandbox.sample_post("once"))
    assert result.ok, result.error
    assert sandbox.published_count == 1 and sandbox.tokens_issued == 2


def test_lost_answers_on_the_async_driver() -> None:
    import asyncio

    from smmkit.platforms import SimulatedClock
    from smmkit.testing import client_for

    sandbox = SandboxPlatform(clock=SimulatedClock())
    transport = FaultInjectingTransport(sandbox, [None, 503], after_commit=True)
    client = client_for("async", sandbox.adapter(), transport, clock=sandbox.clock)

    async def main() -> bool:
        async with client:
            return bool((await client.publish(sandbox.sample_post("once"))).ok)

    assert asyncio.run(main())
    assert sandbox.published_count == 1 and transport.seen == 3


# -- malformed arguments are typed errors (issue 15, item 4) -------------------------------


def _fields(build: Any) -> tuple[str, ...]:
    from smmkit.exceptions import InvalidInputError

    with pytest.raises(InvalidInputError) as info:
        build()
    fields: tuple[str, ...] = info.value.fields
    return fields


def test_drive_and_client_for_refuse_malformed_arguments() -> None:
    from smmkit.testing import client_for, drive

    adapter = SandboxAdapter()
    junk: Any = None
    assert _fields(lambda: drive("sync", None, junk)) == ("call",)
    assert _fields(lambda: drive("threads", None, len)) == ("kind",)
    assert _fields(lambda: drive(junk, None, len)) == ("kind",)
    assert _fields(lambda: client_for("Sync", adapter, None)) == ("kind",)
    assert drive("sync", [1, 2], len) == 2


def test_run_flow_refuses_malformed_arguments() -> None:
    from smmkit.platforms import Now

    def flow() -> Any:
        at = yield Now()
        return at

    ok = lambda r: httpx.Response(204)  # noqa: E731
    assert _fields(lambda: run_flow(None, None, now=datetime(2026, 1, 1))) == ("now",)  # type: ignore[arg-type]
    assert _fields(lambda: run_flow(flow(), ok, now="2026-01-01")) == ("now",)  # type: ignore[arg-type]
    assert _fields(lambda: run_flow([], ok)) == ("flow",)  # type: ignore[arg-type]
    assert _fields(lambda: run_flow(flow(), None)) == ("handler",)  # type: ignore[arg-type]
    assert _fields(lambda: run_flow(flow(), ok)) == ("now",)
    adapter = SandboxAdapter()
    text: Any = lambda r: "204"  # noqa: E731
    assert _fields(lambda: run_flow(adapter.delete("1"), text)) == ("handler",)


@pytest.mark.parametrize(
    ("faults", "field"),
    [
        (None, "faults"),
        ("timeout", "faults"),
        (3, "faults"),
        ([b"timeout"], "faults"),
        ([10**5000], "faults"),
        (["9" * 5000], "faults"),
        ([True], "faults"),
    ],
)
def test_fault_injection_refuses_malformed_faults(faults: Any, field: str) -> None:
    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    assert _fields(lambda: FaultInjectingTransport(ok, faults)) == (field,)


def test_fault_injection_refuses_non_bool_flags() -> None:
    ok = httpx.MockTransport(lambda r: httpx.Response(200))
    assert _fields(lambda: FaultInjectingTransport(ok, [], repeat=1)) == ("repeat",)  # type: ignore[arg-type]
    assert _fields(lambda: FaultInjectingTransport(ok, [], after_commit="yes")) == (  # type: ignore[arg-type]
        "after_commit",
    )
    assert FaultInjectingTransport(ok, ("timeout", None)).faults[1] is None


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((None,), {}, "directory"),
        ((b"/tmp",), {}, "directory"),
        (("",), {}, "directory"),
        (("/tmp",), {"client_secret": None}, "client_secret"),
        (("/tmp",), {"fetch_delay": -1}, "fetch_delay"),
        (("/tmp",), {"fetch_delay": float("nan")}, "fetch_delay"),
    ],
)
def test_counting_endpoint_refuses_malformed_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    assert _fields(lambda: CountingTokenEndpoint(*args, **kwargs)) == (field,)
