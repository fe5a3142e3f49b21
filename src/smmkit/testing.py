"""Fakes and the adapter conformance suite, for smmkit's tests and for plugin authors.

A plugin author checks an adapter against the contract with one class::

    from smmkit.testing import AdapterConformance
    from my_plugin import MyAdapter, MyFakeServer

    class TestMyAdapter(AdapterConformance, adapter=MyAdapter, platform=MyFakeServer):
        pass

``platform`` is a fake server served as an httpx transport (sync and async), built
with the keywords ``client_id``, ``client_secret`` and ``clock`` (override
:meth:`AdapterConformance.make_platform` otherwise). The suite checks the declared
capabilities, that both drivers give the same results, that every failure is
translated into smmkit's errors, and that a sentinel secret never shows up in a repr,
an error, a log line or a dump.

The fakes: :class:`FakePlatform` (the base of a fake server: one method serves both
drivers), :class:`RecordingTransport` (keeps what was sent), :class:`FaultInjectingTransport`
(fails chosen requests the way networks do, in the sandbox's fault vocabulary,
:class:`~smmkit.platforms.FaultKind`), :func:`run_flow` (drives a flow with a plain
function, no transport at all) and :class:`CountingTokenEndpoint` (a token server whose
fetch count lives in a file, so several *processes* can share it). :func:`client_for`
and :func:`drive` let one test body run on :class:`~smmkit.platforms.Client` and
:class:`~smmkit.platforms.AsyncClient` alike.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Generator, Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import httpx

try:
    import pytest
except ImportError as exc:  # pragma: no cover
    from smmkit.exceptions import MissingExtraError

    raise MissingExtraError("pytest", extra="test") from exc

from smmkit.exceptions import (
    InvalidInputError,
    PlatformError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnsupportedOperationError,
)
from smmkit.models._base import require_aware
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.platforms._adapter import Capability, Flow, Now, PlatformAdapter, Wait
from smmkit.platforms._auth import Credentials, InMemoryTokenStore
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._clock import SimulatedClock
from smmkit.platforms._faults import Fault, FaultKind, as_fault, follows_commit, produce
from smmkit.platforms._retry import RetryPolicy
from smmkit.platforms._token_race import CountingTokenEndpoint, refresh_in_processes

__all__ = [
    "AdapterConformance",
    "CountingTokenEndpoint",
    "FakePlatform",
    "FaultInjectingTransport",
    "RecordingTransport",
    "SENTINEL_SECRET",
    "TINY_PNG",
    "TINY_PNG_BYTES",
    "client_for",
    "drive",
    "refresh_in_processes",
    "run_flow",
]

T = TypeVar("T")

SENTINEL_SECRET = "smmkit-SENTINEL-5e3f9a"
"""A secret that must never appear in any output; the hygiene checks look for it."""

# The failures every adapter must translate, in the shared vocabulary (FaultKind).
_FAULTS = ("connect_error", "timeout", "connection_reset", "500", "server_error", "rate_limit")
_EXPECTED: dict[Fault, type[PlatformError]] = {
    FaultKind.CONNECT_ERROR: TransportError,
    FaultKind.TIMEOUT: RequestTimeoutError,
    FaultKind.CONNECTION_RESET: TransportError,
    FaultKind.SERVER_ERROR: ServerError,
    FaultKind.RATE_LIMIT: RateLimitError,
    500: ServerError,
    503: ServerError,
    429: RateLimitError,
}


def run_flow(
    flow: Flow[T],
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    now: datetime | None = None,
) -> T:
    """Drive ``flow`` with ``handler`` answering each request; ``Wait`` is skipped.

    No transport, no client, no retries: what an adapter unit test needs. A flow that
    asks for the time (``yield Now()``) gets ``now``, which must then be given (aware).

    Example:
        >>> import httpx
        >>> from smmkit.platforms.sandbox import SandboxAdapter
        >>> def server(request):
        ...     return httpx.Response(200, json={"comments": []})
        >>> run_flow(SandboxAdapter().comments("p1"), server)
        ()
    """
    if now is not None:
        require_aware(now, "now", "must be a timezone-aware datetime")
    if not isinstance(flow, Generator):
        raise InvalidInputError.single(
            "flow",
            f"must be a flow (a generator from an adapter method), not of type"
            f" {type(flow).__name__}",
            type(flow).__name__,
        )
    _callable(handler, "handler")
    item: Any
    try:
        item = next(flow)
        while True:
            if isinstance(item, Wait):
                item = flow.send(None)
                continue
            if isinstance(item, Now):
                if now is None:
                    raise InvalidInputError.single(
                        "now", "the flow asks for the time (yield Now()): pass now="
                    )
                item = flow.send(now)
                continue
            response = handler(item)
            if not isinstance(response, httpx.Response):
                raise InvalidInputError.single(
                    "handler",
                    "must return an httpx.Response",
                    type(response).__name__,
                )
            response.request = item
            item = flow.send(response)
    except StopIteration as done:
        result: T = done.value
        return result


class FakePlatform(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Base of a fake platform served in memory: implement :meth:`answer` once.

    The request body is read before :meth:`answer` is called, so ``request.content``
    is there on both the sync and the async transport.

    Example:
        >>> import httpx
        >>> class Echo(FakePlatform):
        ...     def answer(self, request):
        ...         return httpx.Response(200, content=request.content)
        >>> httpx.Client(transport=Echo()).post("https://h.example/", content=b"hi").text
        'hi'
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Read the body, then :meth:`answer`."""
        request.read()
        return self.answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Read the body, then :meth:`answer`."""
        await request.aread()
        return self.answer(request)

    def answer(self, request: httpx.Request) -> httpx.Response:
        """The platform's answer to ``request`` (or raise an ``httpx`` error to fail it)."""
        raise NotImplementedError


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a transport and keeps every request that went through it.

    Example:
        >>> import httpx
        >>> inner = httpx.MockTransport(lambda request: httpx.Response(204))
        >>> recording = RecordingTransport(inner)
        >>> httpx.Client(transport=recording).get("https://h.example/a").status_code
        204
        >>> [r.url.path for r in recording.requests]
        ['/a']
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then pass on."""
        self.requests.append(request)
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Record, then pass on."""
        self.requests.append(request)
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response


class FaultInjectingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a transport and fails requests the way networks and platforms do.

    ``faults`` is a sequence consumed one per request (``None`` lets the request
    through), in the sandbox's vocabulary (:class:`~smmkit.platforms.FaultKind`, or its
    names): ``"connect_error"``, ``"timeout"``, ``"connection_reset"``,
    ``"server_error"`` (503), ``"rate_limit"`` (429 with ``Retry-After: 1``),
    ``"token_expiry"`` (calls the inner transport's ``expire_tokens()``, then passes the
    request on); or an HTTP status to answer with (``500``, ``"404"``). ``repeat=True``
    cycles it forever. With ``after_commit=True``, timeouts, resets and 5xx pass the
    request on first and then lose its answer: the server acted, the client cannot know.
    ``"read_timeout"`` is a deprecated spelling of ``"timeout"``.

    Example:
        >>> import httpx
        >>> ok = httpx.MockTransport(lambda request: httpx.Response(200))
        >>> flaky = FaultInjectingTransport(ok, ["server_error", None, 500])
        >>> client = httpx.Client(transport=flaky)
        >>> [client.get("https://h.example/").status_code for _ in range(3)]
        [503, 200, 500]
    """

    def __init__(
        self,
        inner: Any,
        faults: Sequence[FaultKind | str | int | None],
        *,
        repeat: bool = False,
        after_commit: bool = False,
    ) -> None:
        if isinstance(faults, (str, bytes)) or not isinstance(faults, Iterable):
            raise InvalidInputError.single(
                "faults",
                f"must be a sequence of faults (None lets a request through), not of type"
                f" {type(faults).__name__}",
                type(faults).__name__,
            )
        for name, flag in (("repeat", repeat), ("after_commit", after_commit)):
            if not isinstance(flag, bool):
                raise InvalidInputError.single(name, "must be a bool", type(flag).__name__)
        self.inner = inner
        self.faults: list[Fault | None] = []
        for fault in faults:  # a loop, not a comprehension: the warning names the caller
            self.faults.append(None if fault is None else _fault(fault))
        if FaultKind.TOKEN_EXPIRY in self.faults and not callable(
            getattr(inner, "expire_tokens", None)
        ):
            raise InvalidInputError.single(
                "faults",
                "token_expiry needs an inner transport with expire_tokens()",
                "token_expiry",
            )
        self.repeat = repeat
        self.after_commit = after_commit
        self.seen = 0

    def _next(self) -> Fault | None:
        index = self.seen
        self.seen += 1
        if self.repeat and self.faults:
            return self.faults[index % len(self.faults)]
        return self.faults[index] if index < len(self.faults) else None

    def _passes(self, fault: Fault | None) -> bool:
        """Whether the request goes through untouched (a token expiry revokes first)."""
        if fault is FaultKind.TOKEN_EXPIRY:
            self.inner.expire_tokens()
            return True
        return fault is None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Fail or pass on."""
        fault = self._next()
        if fault is None or self._passes(fault):
            response: httpx.Response = self.inner.handle_request(request)
            return response
        if self.after_commit and follows_commit(fault):
            self.inner.handle_request(request).close()  # the server acted; the answer is lost
        return produce(fault, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Fail or pass on."""
        fault = self._next()
        if fault is None or self._passes(fault):
            response: httpx.Response = await self.inner.handle_async_request(request)
            return response
        if self.after_commit and follows_commit(fault):
            lost: httpx.Response = await self.inner.handle_async_request(request)
            await lost.aclose()  # the server acted; the answer is lost
        return produce(fault, request)


def _fault(value: object) -> Fault:
    """One fault of ``FaultInjectingTransport``'s list (warnings point at its caller)."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        too_long = isinstance(value, str) and len(value) > 100
        if too_long or (isinstance(value, int) and not 100 <= value <= 599):
            # as_fault would echo it: a huge number cannot even be printed
            raise InvalidInputError.single(
                "faults",
                "a fault is a FaultKind name or an HTTP status between 100 and 599",
                type(value).__name__,
            )
        return as_fault(value, stacklevel=3)
    if isinstance(value, FaultKind):
        return value
    raise InvalidInputError.single(
        "faults",
        f"a fault is a FaultKind, its name or an HTTP status, not of type {type(value).__name__}",
        type(value).__name__,
    )


def _kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in ("sync", "async"):
        raise InvalidInputError.single(
            "kind", "must be 'sync' or 'async'", kind if isinstance(kind, str) else None
        )
    return kind


def _callable(value: object, field: str) -> None:
    if not callable(value):
        raise InvalidInputError.single(
            field, f"must be callable, not of type {type(value).__name__}", type(value).__name__
        )


# -- the conformance suite --------------------------------------------------------------


def drive(kind: str, client: Any, call: Callable[[Any], Any]) -> Any:
    """Run ``call(client)``; with ``kind="async"`` await it in a fresh event loop.

    Lets one test body exercise :class:`Client` and :class:`AsyncClient` alike.

    Example:
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> [drive(kind, client, lambda c: c.publish(sandbox.sample_post(kind))).ok
        ...  for kind, client in (("sync", sandbox.client()), ("async", sandbox.async_client()))]
        [True, True]
    """
    _kind(kind)
    _callable(call, "call")
    if kind == "sync":
        return call(client)

    async def main() -> Any:
        return await call(client)

    return asyncio.run(main())


def client_for(kind: str, adapter: PlatformAdapter, transport: Any, **options: Any) -> Any:
    """A :class:`Client` (``kind="sync"``) or an :class:`AsyncClient` over ``transport``.

    ``options`` go to the client (``clock``, ``retry``, ``token_store``, ...); pair it
    with :func:`drive` to run one test body on both drivers.

    Example:
        >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
        >>> sandbox = SandboxPlatform(clock=SimulatedClock())
        >>> [type(client_for(kind, sandbox.adapter(), sandbox)).__name__
        ...  for kind in ("sync", "async")]
        ['Client', 'AsyncClient']
    """
    if _kind(kind) == "sync":
        return Client(adapter, http_client=httpx.Client(transport=transport), **options)
    return AsyncClient(adapter, http_client=httpx.AsyncClient(transport=transport), **options)


TINY_PNG = "https://media.smmkit.test/tiny.png"
"""The URL of a complete 1x1 PNG (:data:`TINY_PNG_BYTES`) for upload checks.

Media URLs are ``http(s)`` only: a client downloads it through its own transport, so a
fake serves it (or pass ``media_loader=InMemoryMediaLoader({TINY_PNG: TINY_PNG_BYTES})``).
"""

TINY_PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk+A8AAQUBAScY42YAAAAASUVORK5CYII="
)
"""The bytes of a complete 1x1 PNG, served at :data:`TINY_PNG` by the fakes you write."""

_OPERATIONS: dict[Capability, Callable[[PlatformAdapter], Flow[Any]]] = {
    Capability.DELETE: lambda a: a.delete("conformance-1"),
    Capability.METRICS: lambda a: a.metrics("conformance-1"),
    Capability.COMMENTS: lambda a: a.comments("conformance-1"),
    Capability.REPLY: lambda a: a.reply("conformance-1", "c1", "thanks"),
    Capability.DIRECT_MESSAGE: lambda a: a.send_message("someone", "hello"),
    Capability.UPLOAD_MEDIA: lambda a: a.upload_media(
        MediaAsset(kind="image", url=TINY_PNG, mime_type="image/png")
    ),
}


class AdapterConformance:
    """Subclass with ``adapter=`` and ``platform=`` to run the contract checks.

    Override :meth:`sample_post`, :meth:`credentials`, :meth:`make_adapter` or
    :meth:`make_platform` when your adapter or fake needs something else.
    """

    adapter_class: ClassVar[type[PlatformAdapter]]
    platform_factory: ClassVar[Callable[..., Any]]

    def __init_subclass__(
        cls,
        *,
        adapter: type[PlatformAdapter] | None = None,
        platform: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if adapter is not None:
            cls.adapter_class = adapter
        if platform is not None:
            cls.platform_factory = staticmethod(platform)

    # -- hooks ------------------------------------------------------------------------

    def credentials(self) -> Credentials:
        """Credentials carrying :data:`SENTINEL_SECRET`."""
        return Credentials(client_id="conformance-app", client_secret=SENTINEL_SECRET)

    def make_platform(self, clock: SimulatedClock) -> Any:
        """A fresh fake platform (an httpx transport, sync and async)."""
        creds = self.credentials()
        return type(self).platform_factory(
            client_id=creds.client_id,
            client_secret=creds.client_secret.get_secret_value(),
            clock=clock,
        )

    def make_adapter(self) -> PlatformAdapter:
        """The adapter under test."""
        return self.adapter_class(credentials=self.credentials())

    def sample_post(self) -> PlatformPost:
        """A short text post the platform accepts."""
        adapter = self.make_adapter()
        try:
            platform = adapter.spec.id
        except Exception:
            platform = adapter.platform_id
        return PlatformPost(platform=platform, piece_id="conformance-1", body="Conformance check")

    def make_client(self, kind: str, transport: Any, clock: SimulatedClock, **kwargs: Any) -> Any:
        """A sync or async client over ``transport`` with zero-wait retries."""
        options: dict[str, Any] = {"clock": clock, "token_store": InMemoryTokenStore(), **kwargs}
        return client_for(kind, self.make_adapter(), transport, **options)

    # -- checks -----------------------------------------------------------------------

    def test_declares_itself(self) -> None:
        """Name, platform id and capabilities are declared and well-typed."""
        cls = self.adapter_class
        assert cls.name, "declare `name` (the registry name)"
        assert cls.platform_id, "declare `platform_id`"
        assert isinstance(cls.capabilities, frozenset)
        assert all(isinstance(c, Capability) for c in cls.capabilities)
        assert Capability.PUBLISH_TEXT in cls.capabilities or not (
            {Capability.PUBLISH_IMAGE, Capability.PUBLISH_VIDEO} & cls.capabilities
        ), "media publishing implies text publishing"

    def test_capabilities_match_implementation(self) -> None:
        """Declared operations are implemented; undeclared ones raise UnsupportedOperation."""
        adapter = self.make_adapter()
        for capability, start in _OPERATIONS.items():
            method = {
                Capability.DIRECT_MESSAGE: "send_message",
            }.get(capability, capability.value)
            overridden = getattr(type(adapter), method) is not getattr(PlatformAdapter, method)
            if capability in adapter.capabilities:
                assert overridden, f"{capability.value} is declared but {method} is not implemented"
                first = next(start(adapter))
                assert isinstance(first, (httpx.Request, Wait, Now)), "flows yield requests"
            else:
                with pytest.raises(UnsupportedOperationError):
                    next(start(adapter))
        if Capability.PUBLISH_TEXT in adapter.capabilities:
            first = next(adapter.publish(self.sample_post(), idempotency_key="k"))
            assert isinstance(first, (httpx.Request, Wait, Now))

    @pytest.mark.parametrize("kind", ["sync", "async"])
    def test_publish_works_on_both_drivers(self, kind: str) -> None:
        """A sample post publishes through each driver."""
        clock = SimulatedClock()
        client = self.make_client(kind, self.make_platform(clock), clock)
        result = drive(kind, client, lambda c: c.publish(self.sample_post()))
        assert result.ok, result.error

    def test_sync_and_async_send_the_same_requests(self) -> None:
        """Both drivers run the same flow: same requests, same result."""
        outcomes = []
        for kind in ("sync", "async"):
            clock = SimulatedClock()
            recording = RecordingTransport(self.make_platform(clock))
            client = self.make_client(kind, recording, clock)
            result = drive(kind, client, lambda c: c.publish(self.sample_post()))
            trace = [(r.method, r.url.path, r.content) for r in recording.requests]
            outcomes.append((trace, result.receipt))
        assert outcomes[0] == outcomes[1]

    @pytest.mark.parametrize("kind", ["sync", "async"])
    @pytest.mark.parametrize("fault", _FAULTS)
    def test_failures_are_translated(self, kind: str, fault: str) -> None:
        """Every transport failure and error status becomes a smmkit error, never httpx's."""
        expected = _EXPECTED[as_fault(fault)]
        clock = SimulatedClock()
        platform, store = self.make_platform(clock), InMemoryTokenStore()
        if self.make_adapter().requires_token:
            # The token first, so that the fault strikes the operation's own requests (a
            # token endpoint that fails is a TokenUnavailableError before anything is sent).
            warm = self.make_client(kind, platform, clock, token_store=store)
            drive(kind, warm, lambda c: c._ensure_token())
        transport = FaultInjectingTransport(platform, [fault], repeat=True)
        client = self.make_client(
            kind, transport, clock, retry=RetryPolicy.none(), token_store=store
        )
        adapter = client.adapter
        try:
            drive(kind, client, lambda c: c.run(adapter.publish(self.sample_post())))
        except PlatformError as exc:
            caught = exc
        except Exception as exc:
            pytest.fail(f"{type(exc).__name__} escaped instead of a PlatformError: {exc}")
        else:
            pytest.fail(f"an injected {fault} was reported as a success")
        assert isinstance(caught, expected), type(caught)
        assert caught.platform == adapter.platform_id
        result = drive(kind, client, lambda c: c.publish(self.sample_post()))
        assert not result.ok and result.error is not None

    @pytest.mark.parametrize("kind", ["sync", "async"])
    def test_secrets_never_leak(self, kind: str, caplog: pytest.LogCaptureFixture) -> None:
        """The sentinel secret and the live token appear in no repr, error, log or dump."""
        caplog.set_level(logging.DEBUG)
        clock = SimulatedClock()
        transport = FaultInjectingTransport(
            self.make_platform(clock), [None, FaultKind.SERVER_ERROR, FaultKind.TIMEOUT]
        )
        store = InMemoryTokenStore()
        client = self.make_client(kind, transport, clock, token_store=store)
        good = drive(kind, client, lambda c: c.publish(self.sample_post()))
        failing = self.make_client(
            kind,
            FaultInjectingTransport(self.make_platform(clock), [500], repeat=True),
            clock,
            retry=RetryPolicy(max_attempts=2),
        )
        bad = drive(kind, failing, lambda c: c.publish(self.sample_post()))
        secrets = [SENTINEL_SECRET]
        for key in (f"{client.adapter.name}:{client.adapter.account}",):
            token = store.get(key)
            if token is not None:
                secrets.append(token.access_token.get_secret_value())
                if token.refresh_token is not None:
                    secrets.append(token.refresh_token.get_secret_value())
        outputs = [
            repr(client),
            repr(client.adapter),
            repr(client.adapter.credentials),
            str(client.adapter.credentials),
            client.adapter.credentials.model_dump_json() if client.adapter.credentials else "",
            repr(store),
            repr(good),
            good.model_dump_json(),
            repr(bad),
            bad.model_dump_json(),
            str(bad.exception),
            repr(bad.exception),
            caplog.text,
        ]
        for secret in secrets:
            for output in outputs:
                assert secret not in output
