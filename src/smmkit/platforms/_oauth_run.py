"""Running the OAuth flows on the two drivers, for code with no platform client at hand
(a web app's login callback).

:func:`run_oauth` and :func:`arun_oauth` drive a flow of :mod:`smmkit.platforms.oauth`
through :class:`~smmkit.platforms.Client` / :class:`~smmkit.platforms.AsyncClient` with
an adapter for the flow's provider: the same retries (token calls are repeated only
where that cannot do harm), clock, error translation, log redaction and secret hygiene
as every platform operation. A platform client's own ``fetch_token`` does not need them:
its driver runs the flow.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Generator, Mapping
from typing import Any, TypeVar

import httpx

from smmkit._secrets import conceals_secrets, forget_frames
from smmkit.exceptions import InvalidInputError
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._clock import Clock
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._oauth_errors import oauth_error_info, provider_of
from smmkit.platforms._oauth_models import OAuthProvider
from smmkit.platforms._ratelimit import RequestRate
from smmkit.platforms._retry import RetryPolicy

__all__ = ["arun_oauth", "run_oauth"]

T = TypeVar("T")


class _OAuthAdapter(PlatformAdapter):
    """The adapter a provider's OAuth calls are driven with: no token, no pacing."""

    name = "oauth"
    platform_id = "oauth"

    def default_rates(self) -> Mapping[str, RequestRate]:
        return {}

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        return oauth_error_info(response)


@functools.lru_cache(maxsize=64)
def _adapter_class(provider: OAuthProvider) -> type[_OAuthAdapter]:
    return type(
        f"OAuthAdapter[{provider.name}]",
        (_OAuthAdapter,),
        {
            "platform_id": provider.name,
            "default_base_url": provider.token_url,
            "request_id_headers": provider.request_id_headers,
        },
    )


def _start(flow: Any) -> tuple[httpx.Request, PlatformAdapter]:
    if not isinstance(flow, Generator):
        raise InvalidInputError.single(
            "flow",
            "must be a flow of smmkit.platforms.oauth (e.g. exchange_code(...))",
            type(flow).__name__,
        )
    first = next(flow)  # every OAuth flow starts with its request
    provider = provider_of(first) if isinstance(first, httpx.Request) else None
    if provider is None:
        flow.close()
        raise InvalidInputError.single(
            "flow", "must be a flow of smmkit.platforms.oauth (e.g. exchange_code(...))"
        )
    return first, _adapter_class(provider)()


def _resumed(first: httpx.Request, flow: Flow[T]) -> Flow[T]:
    """``flow`` again, from its first request (already taken to learn its provider)."""
    item: Any = first
    while True:
        try:
            answer = yield item
        except GeneratorExit:
            flow.close()
            raise
        except BaseException as exc:  # the driver's error, for the flow to see
            try:
                item = flow.throw(exc)
            except StopIteration as done:
                result: T = done.value
                return result
            continue
        try:
            item = flow.send(answer)
        except StopIteration as done:
            finished: T = done.value
            return finished


def run_oauth(
    flow: Flow[T],
    *,
    http_client: httpx.Client | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> T:
    """Run an OAuth flow (:func:`~smmkit.platforms.oauth.exchange_code`, ...) on the
    synchronous driver; ``http_client`` is the one seam for I/O (a client passed in stays
    yours to close).

    Example:
        >>> import httpx
        >>> from smmkit.platforms import oauth
        >>> def google(request):
        ...     return httpx.Response(200, json={"access_token": "ya29.a", "expires_in": 3599})
        >>> http = httpx.Client(transport=httpx.MockTransport(google))
        >>> token = run_oauth(oauth.refresh(oauth.GOOGLE, client=oauth.OAuthClient(
        ...     client_id="cid", client_secret="cs-1"), refresh_token="1//rt"), http_client=http)
        >>> token.access_token.get_secret_value(), token.expires_at is not None
        ('ya29.a', True)
    """
    if http_client is not None and not isinstance(http_client, httpx.Client):
        raise InvalidInputError.single(
            "http_client", "must be an httpx.Client or None", type(http_client).__name__
        )
    first, adapter = _start(flow)
    with Client(adapter, http_client=http_client, clock=clock, retry=retry) as client:
        return client.run(_resumed(first, flow), authenticated=False)


run_oauth = conceals_secrets(run_oauth)  # the first request (a secret in its body) stays here


async def arun_oauth(
    flow: Flow[T],
    *,
    http_client: httpx.AsyncClient | None = None,
    clock: Clock | None = None,
    retry: RetryPolicy | None = None,
) -> T:
    """Run an OAuth flow on the asynchronous driver (see :func:`run_oauth`).

    Example:
        >>> import asyncio, httpx
        >>> from smmkit.platforms import oauth
        >>> def tiktok(request):
        ...     return httpx.Response(200, json={})
        >>> http = httpx.AsyncClient(transport=httpx.MockTransport(tiktok))
        >>> app = oauth.OAuthClient(client_id="ck", client_secret="cs-1")
        >>> asyncio.run(arun_oauth(oauth.revoke(oauth.TIKTOK, client=app, token="act.1"),
        ...                        http_client=http))
    """
    if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
        raise InvalidInputError.single(
            "http_client", "must be an httpx.AsyncClient or None", type(http_client).__name__
        )
    outer = sys.exc_info()[1]
    try:
        return await _arun(flow, http_client=http_client, clock=clock, retry=retry)
    except BaseException as exc:
        # the finished frames hold the first request (a secret in its body): keep them
        # out of the traceback an error reporter records
        forget_frames(exc, stop=outer)
        del flow
        raise


async def _arun(
    flow: Flow[T],
    *,
    http_client: httpx.AsyncClient | None,
    clock: Clock | None,
    retry: RetryPolicy | None,
) -> T:
    first, adapter = _start(flow)
    async with AsyncClient(adapter, http_client=http_client, clock=clock, retry=retry) as client:
        return await client.run(_resumed(first, flow), authenticated=False)
