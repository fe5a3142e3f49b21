"""Renewing a refresh token (Douyin's ``/oauth/renew_refresh_token/``): a flow of
:mod:`smmkit.platforms.oauth`.

Douyin's refresh token lives 30 days and a refresh of the access token does not extend
it; ``renew_refresh_token`` trades it for a new one (the old one stops working), at most
``provider.renew_limit`` times (5) after the user authorised; then the user must
authorise again (error 10020). Sources: the SDK ``@open-dy/open_api_sdk`` 1.1.0
(``oauthRenewRefreshToken``: form body ``client_key``, ``refresh_token``) and
https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
(read 2026-12-06).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit.exceptions import APIError, UnsupportedOperationError
from smmkit.platforms._adapter import Flow, Now
from smmkit.platforms._oauth_flows import (
    _body,
    _checked,
    _request,
    _require_client,
    _seconds,
    _secret,
    require_provider,
    unreadable,
)
from smmkit.platforms._oauth_models import OAuthClient, OAuthProvider, RenewedRefreshToken

__all__ = ["renew_refresh_token"]


def renew_refresh_token(
    provider: OAuthProvider, *, client: OAuthClient, refresh_token: str | SecretStr
) -> Flow[RenewedRefreshToken]:
    """Flow: a new refresh token for ``refresh_token`` (providers with ``renew_url``).

    The old refresh token stops working; store the new one. Counting renewals against
    ``provider.renew_limit`` is the caller's part (the Douyin client keeps the count in
    its ``TokenStore``); the provider refuses one renewal too many with error 10020, an
    :class:`~smmkit.exceptions.AuthenticationError` saying to authorise again.

    Example:
        >>> import httpx
        >>> from datetime import datetime, timezone
        >>> from smmkit.testing import run_flow
        >>> from smmkit.platforms.oauth import DOUYIN, OAuthClient
        >>> def douyin(request):
        ...     assert sorted(request.content.split(b"&")) == [
        ...         b"client_key=ck-1", b"refresh_token=rft.1"]
        ...     return httpx.Response(200, json={"data": {"error_code": 0, "description": "",
        ...         "expires_in": 2592000, "refresh_token": "rft.2"}, "message": "success"})
        >>> renewed = run_flow(renew_refresh_token(DOUYIN, client=OAuthClient(client_id="ck-1"),
        ...     refresh_token="rft.1"), douyin, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> renewed.refresh_token.get_secret_value(), renewed.expires_at.date().isoformat()
        ('rft.2', '2026-01-31')
    """
    require_provider(provider)
    _require_client(client)
    if provider.renew_url is None:
        raise UnsupportedOperationError(
            f"{provider.name} has no refresh-token renewal", platform=provider.name
        )
    params = {"refresh_token": _secret(refresh_token, "refresh_token")}
    anonymous = OAuthClient(client_id=client.client_id)  # client_key only, no secret
    request = _request(provider, "POST", provider.renew_url, params, client=anonymous, safe=True)
    return _renew_flow(provider, request)


def _renew_flow(
    provider: OAuthProvider, request: httpx.Request
) -> Generator[httpx.Request | Now, Any, RenewedRefreshToken]:
    response = _checked((yield request))
    now: datetime = yield Now()
    body = _body(provider, response)
    failed: APIError
    try:
        value = body["refresh_token"]
        if not isinstance(value, str) or not value:
            raise TypeError("refresh_token")
        lifetime = _seconds(body.get("expires_in"))
        expires = None if lifetime is None else now + timedelta(seconds=lifetime)
        return RenewedRefreshToken(refresh_token=value, expires_at=expires)
    except (LookupError, TypeError, ValueError) as exc:
        failed = unreadable(provider, exc, request, response)
    raise failed
