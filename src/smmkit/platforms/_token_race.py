"""A token server whose state lives in a directory, and the multi-process race that
uses it: several real processes refreshing one stale token at once.

Re-exported by :mod:`smmkit.testing` (:class:`CountingTokenEndpoint`,
:func:`refresh_in_processes`); needs no pytest.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._auth import Credentials, FileTokenStore, TokenStore
from smmkit.platforms._client import Client
from smmkit.platforms._filelock import exclusive_lock
from smmkit.platforms._retry import RetryPolicy
from smmkit.platforms.sandbox import SandboxAdapter

__all__ = ["CountingTokenEndpoint", "refresh_in_processes"]


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
        if not isinstance(directory, (str, os.PathLike)) or not str(directory).strip():
            raise InvalidInputError.single(
                "directory", "must be a path (str or os.PathLike)", type(directory).__name__
            )
        if not isinstance(client_secret, str):
            raise InvalidInputError.single(
                "client_secret", "must be a str", type(client_secret).__name__
            )
        if (
            isinstance(fetch_delay, bool)
            or not isinstance(fetch_delay, (int, float))
            or not 0 <= fetch_delay <= 60
        ):
            raise InvalidInputError.single(
                "fetch_delay", "must be a number of seconds in [0, 60]", type(fetch_delay).__name__
            )
        self.directory = Path(directory)
        self.client_secret = client_secret
        self.fetch_delay = fetch_delay
        self._state = self.directory / "token-endpoint.json"

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        with exclusive_lock(self.directory / "token-endpoint.lock"):
            state = (
                json.loads(self._state.read_text())
                if self._state.exists()
                else {"fetches": 0, "live": None, "refresh": None}
            )
            yield state
            self._state.write_text(json.dumps(state))

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


def _refresh_worker(
    store: str | Callable[[], TokenStore], directory: str, barrier: Any, results: Any
) -> None:
    try:
        endpoint = CountingTokenEndpoint(directory, fetch_delay=0.3)
        adapter = SandboxAdapter(credentials=Credentials(client_id="app", client_secret="s"))
        with Client(
            adapter,
            http_client=httpx.Client(transport=endpoint),
            token_store=store() if callable(store) else FileTokenStore(store),
            retry=RetryPolicy(max_attempts=3),
        ) as client:
            barrier.wait(timeout=120)
            results.put(client.run(_ping(adapter)))
    except BaseException as exc:  # report everything: the caller asserts
        results.put(f"error: {type(exc).__name__}: {exc}")


def refresh_in_processes(
    store_path: str | os.PathLike[str] | Callable[[], TokenStore],
    directory: str | os.PathLike[str],
    *,
    processes: int = 2,
    timeout: float = 180.0,
) -> list[str]:
    """Start ``processes`` real processes that refresh the same stale token at once.

    Each process uses a :class:`~smmkit.platforms.FileTokenStore` at ``store_path`` (or
    the store that ``store_path``, a picklable callable, builds in each process: e.g.
    ``functools.partial(RedisTokenStore.from_url, url)``) and
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
    store = store_path if callable(store_path) else str(store_path)
    workers = [
        ctx.Process(target=_refresh_worker, args=(store, str(directory), barrier, results))
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
