"""Douyin tokens: refresh the access token, renew the refresh token within its limit.

The access token lives 15 days, the refresh token 30; a refresh does not extend the
refresh token; ``/oauth/renew_refresh_token/`` gives a new one at most 5 times after the
user authorised (then error 10020); an expired refresh token is error 10010
(https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token,
read 2026-12-06). The renewal count and the refresh token's expiry live in the
:class:`~smmkit.platforms.Token` (``refresh_renewals``, ``refresh_expires_at``), so every
``TokenStore`` (memory, file, Redis) keeps them with the token.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from smmkit.exceptions import AuthenticationError
from smmkit.platforms._adapter import Flow, Now
from smmkit.platforms._auth import Token
from smmkit.platforms._douyin_wire import scopes_of

if TYPE_CHECKING:
    from smmkit.platforms.douyin import DouyinAdapter

__all__ = ["DouyinReauthorizeError", "refresh_token_flow"]

_RECONNECT = "the Douyin account must be authorised again (connect it anew)"


class DouyinReauthorizeError(AuthenticationError):
    """The user must authorise the app again: the refresh token expired (30 days), or it
    was renewed as often as Douyin allows (5 times), or there is none.

    Example:
        >>> issubclass(DouyinReauthorizeError, AuthenticationError)
        True
    """


def refresh_token_flow(adapter: DouyinAdapter, current: Token | None) -> Flow[Token]:
    """Flow: a fresh user token for ``adapter``, renewing the refresh token first when it
    runs out within ``adapter.renew_margin`` and may still be renewed."""
    from smmkit.platforms import _oauth_core as oauth  # the OAuth flows sit beside the clients

    creds = adapter.credentials
    refresh_token = (current.refresh_token if current else None) or (
        creds.refresh_token if creds else None
    )
    if creds is None or refresh_token is None:
        raise DouyinReauthorizeError(
            f"no refresh token: {_RECONNECT}", platform=adapter.platform_id
        )
    now: datetime = yield Now()
    renewals = (current.refresh_renewals if current else None) or 0
    refresh_expires = current.refresh_expires_at if current else None
    if refresh_expires is not None and refresh_expires <= now:
        raise DouyinReauthorizeError(
            f"the refresh token expired at {refresh_expires.isoformat()}: {_RECONNECT}",
            platform=adapter.platform_id,
            code=10010,
        )
    client = oauth.OAuthClient.from_credentials(creds)
    due = refresh_expires is None or refresh_expires - now <= adapter.renew_margin
    try:
        if due and renewals < adapter.renew_limit:
            renewed = yield from oauth.renew_refresh_token(
                oauth.DOUYIN, client=client, refresh_token=refresh_token
            )
            refresh_token, refresh_expires = renewed.refresh_token, renewed.expires_at
            renewals += 1
        fresh = yield from oauth.refresh(oauth.DOUYIN, client=client, refresh_token=refresh_token)
    except AuthenticationError as exc:
        if exc.code in (10010, 10020):
            raise DouyinReauthorizeError(
                f"{exc}: {_RECONNECT}", platform=adapter.platform_id, code=exc.code
            ) from None
        raise
    scope = " ".join(fresh.scopes) or (current.scope if current else None)
    if scope and adapter.scopes is None:
        adapter.scopes = scopes_of(scope)
    return Token(
        access_token=fresh.access_token,
        refresh_token=fresh.refresh_token or refresh_token,
        expires_at=fresh.expires_at,
        scope=scope,
        refresh_expires_at=refresh_expires or fresh.refresh_expires_at,
        refresh_renewals=renewals,
    )
