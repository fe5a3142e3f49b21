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
(fails chosen requests the way networks do), :func:`run_flow` (drives a flow with a plain
function, no transport at all) and :class:`CountingTokenEndpoint` (a token server whose
fetch count lives in a file, so several *processes* can share it). :func:`client_for`
and :func:`drive` let one test body run on :class:`~smmkit.platforms.Client` and
:class:`~smmkit.platforms.AsyncClient` alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs

import httpx

try:
    import pytest
except ImportError as exc:  # pragma: no cover
    from smmkit.exceptions import MissingExtraError

    raise MissingExtraError("pytest", extra="test") from exc

from smmkit.exceptions import (
    PlatformError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    TransportError,
    UnsupportedOperationError,
)
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.platforms._adapter import Capability, Flow, Now, PlatformAdapter, Wait
from smmkit.platforms._auth import Credentials, InMemoryTokenStore
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._clock import SimulatedClock
from smmkit.platforms._retry import RetryPolicy

__all__ = [
    "AdapterConformance",
    "CountingTokenEndpoint",
    "FakePlatform",
    "FaultInjectingTransport",
    "RecordingTransport",
    "SENTINEL_SECRET",
    "TINY_PNG",
    "client_for",
    "drive",
    "refresh_in_processes",
    "run_flow",
]

T = TypeVar("T")

SENTINEL_SECRET = "smmkit-SENTINEL-5e3f9a"
"""A secret that must never appear in any output; the hygiene checks look for it."""

_FAULTS = ("connect_error", "read_timeout", "connection_reset", "500", "503", "429")


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
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    item: Any
    try:
        item = next(flow)
        while True:
            if isinstance(item, Wait):
                item = flow.send(None)
                continue
            if isinstance(item, Now):
                if now is None:
                    raise ValueError("the flow asks for the time (yield Now()): pass now=")
                item = flow.send(now)
                continue
            response = handler(item)
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
    through): ``"connect_error"``, ``"read_timeout"``, ``"connection_reset"``, an HTTP
    status as a string (``"500"``, ``"429"``). ``repeat=True`` cycles it forever.

    Example:
        >>> import httpx
        >>> ok = httpx.MockTransport(lambda request: httpx.Response(200))
        >>> flaky = FaultInjectingTransport(ok, ["503", None])
        >>> client = httpx.Client(transport=flaky)
        >>> [client.get("https://h.example/").status_code for _ in range(2)]
        [503, 200]
    """

    def __init__(self, inner: Any, faults: Sequence[str | None], *, repeat: bool = False) -> None:
        self.inner = inner
        self.faults = list(faults)
        self.repeat = repeat
        self.seen = 0

    def _next(self) -> str | None:
        index = self.seen
        self.seen += 1
        if self.repeat and self.faults:
            return self.faults[index % len(self.faults)]
        return self.faults[index] if index < len(self.faults) else None

    def _fail(self, fault: str, request: httpx.Request) -> httpx.Response:
        if fault == "connect_error":
            raise httpx.ConnectError("connection refused (injected)", request=request)
        if fault == "read_timeout":
            raise httpx.ReadTimeout("read timed out (injected)", request=request)
        if fault == "connection_reset":
            raise httpx.ReadError("connection reset by peer (injected)", request=request)
        status = int(fault)
        headers = {"Retry-After": "1"} if status == 429 else {}
        return httpx.Response(status, headers=headers, json={"error": f"injected_{status}"})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Fail or pass on."""
        fault = self._next()
        if fault is not None:
            return self._fail(fault, request)
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Fail or pass on."""
        fault = self._next()
        if fault is not None:
            return self._fail(fault, request)
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response


class CountingTokenEndpoint(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A token server whose state lives in a directory: shared by several processes.

    Every fetch issues ``token-<n>`` and invalidates the previous token (WeChat) and
    the previous refresh token (rotating OAuth). ``fetches`` counts how many times a
    token was issued, across every process using the same directory. ``POST /api/ping``
    answers 200 with a live token and 401 ``token_expired`` otherwise. ``fetch_delay``
    (real seconds) makes each token call slow, so that racing processes really overlap.

    Example:
        >>> import tempfile
        >>> endpoint = CountingTokenEndpoint(tempfile.mkdtemp())
        >>> endpoint.fetches
        0
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        client_secret: str = "s",
        fetch_delay: float = 0.0,
    ) -> None:
        self.directory = Path(directory)
        self.client_secret = client_secret
        self.fetch_delay = fetch_delay
        self._state = self.directory / "token-endpoint.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        fd = os.open(self.directory / "token-endpoint.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            state = (
                json.loads(self._state.read_text())
                if self._state.exists()
                else {"fetches": 0, "live": None, "refresh": None}
            )
            yield state
            self._state.write_text(json.dumps(state))
        finally:
            os.close(fd)

    @property
    def fetches(self) -> int:
        """Tokens issued so far (all processes)."""
        with self._locked() as state:
            return int(state["fetches"])

    def seed(self, access_token: str, refresh_token: str) -> None:
        """Make ``access_token``/``refresh_token`` the current ones (a previous run)."""
        with self._locked() as state:
            state["live"], state["refresh"] = access_token, refresh_token

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Serve ``/oauth/token`` and ``/api/ping``."""
        request.read()
        if request.url.path == "/oauth/token" and self.fetch_delay:
            # Widen the race window for multi-process tests: a real token call takes time.
            time.sleep(self.fetch_delay)
        with self._locked() as state:
            if request.url.path == "/oauth/token":
                form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
                if form.get("client_secret") != self.client_secret:
                    return httpx.Response(401, json={"error": "invalid_client"})
                if (
                    form.get("grant_type") == "refresh_token"
                    and form.get("refresh_token") != state["refresh"]
                ):
                    return httpx.Response(400, json={"error": "invalid_grant"})
                state["fetches"] += 1
                number = state["fetches"]
                state["live"], state["refresh"] = f"token-{number}", f"refresh-{number}"
                return httpx.Response(
                    200,
                    json={
                        "access_token": state["live"],
                        "refresh_token": state["refresh"],
                        "expires_in": 7200,
                    },
                )
            presented = request.headers.get("authorization", "").removeprefix("Bearer ")
            if presented != state["live"]:
                return httpx.Response(401, json={"error": "token_expired"})
            return httpx.Response(200, json={"ok": True, "token": presented})

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Same as :meth:`handle_request`."""
        return self.handle_request(request)


def _ping(adapter: PlatformAdapter) -> Flow[str]:
    response = yield adapter.request("POST", "/api/ping", safe=True)
    token: str = response.json()["token"]
    return token


def _refresh_worker(store_path: str, directory: str, barrier: Any, results: Any) -> None:
    from smmkit.platforms._auth import FileTokenStore
    from smmkit.platforms.sandbox import SandboxAdapter

    try:
        endpoint = CountingTokenEndpoint(directory, fetch_delay=0.3)
        adapter = SandboxAdapter(credentials=Credentials(client_id="app", client_secret="s"))
        with Client(
            adapter,
            http_client=httpx.Client(transport=endpoint),
            token_store=FileTokenStore(store_path),
            retry=RetryPolicy(max_attempts=3),
        ) as client:
            barrier.wait(timeout=120)
            results.put(client.run(_ping(adapter)))
    except BaseException as exc:  # report everything: the caller asserts
        results.put(f"error: {type(exc).__name__}: {exc}")


def refresh_in_processes(
    store_path: str | os.PathLike[str],
    directory: str | os.PathLike[str],
    *,
    processes: int = 2,
    timeout: float = 180.0,
) -> list[str]:
    """Start ``processes`` real processes that refresh the same stale token at once.

    Each process uses a :class:`~smmkit.platforms.FileTokenStore` at ``store_path`` and
    the :class:`CountingTokenEndpoint` in ``directory`` (seed both first), waits on a
    barrier, then makes a call that is refused with ``token_expired``. Returns the
    token each process ended up using (or ``"error: ..."``). Afterwards
    ``CountingTokenEndpoint(directory).fetches`` tells how many refreshes reached the
    platform: one, when the store's lock works.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from smmkit.platforms import FileTokenStore, Token
        >>> folder = Path(tempfile.mkdtemp())
        >>> endpoint = CountingTokenEndpoint(folder)
        >>> store = FileTokenStore(folder / "tokens.json")
        >>> store.put("sandbox:default", Token(access_token="token-0", refresh_token="refresh-0"))
        >>> endpoint.seed("token-other", "refresh-0")  # another worker moved on already
        >>> refresh_in_processes(store.path, folder, processes=2), endpoint.fetches
        (['token-1', 'token-1'], 1)
    """
    import multiprocessing
    import queue

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_refresh_worker, args=(str(store_path), str(directory), barrier, results)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        return sorted(results.get(timeout=timeout) for _ in workers)
    except queue.Empty:
        codes = [w.exitcode for w in workers]
        raise AssertionError(f"workers did not report; exit codes {codes}") from None
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()


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
    if kind == "sync":
        return Client(adapter, http_client=httpx.Client(transport=transport), **options)
    return AsyncClient(adapter, http_client=httpx.AsyncClient(transport=transport), **options)


TINY_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
    "+A8AAQUBAScY42YAAAAASUVORK5CYII="
)
"""A complete 1x1 PNG as a ``data:`` URL: every adapter's default loader can read it."""

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
        expected: type[PlatformError] = {
            "connect_error": TransportError,
            "read_timeout": RequestTimeoutError,
            "connection_reset": TransportError,
            "500": ServerError,
            "503": ServerError,
            "429": RateLimitError,
        }[fault]
        clock = SimulatedClock()
        transport = FaultInjectingTransport(self.make_platform(clock), [fault], repeat=True)
        client = self.make_client(kind, transport, clock, retry=RetryPolicy.none())
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
            self.make_platform(clock), [None, "503", "read_timeout"]
        )
        store = InMemoryTokenStore()
        client = self.make_client(kind, transport, clock, token_store=store)
        good = drive(kind, client, lambda c: c.publish(self.sample_post()))
        failing = self.make_client(
            kind,
            FaultInjectingTransport(self.make_platform(clock), ["500"], repeat=True),
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
