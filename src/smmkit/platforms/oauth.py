"""Account connection (OAuth 2.0): authorization URLs, code exchange, refresh, revoke.

Two calls connect an account from a web app (no web server in the library):

1. the login handler sends the browser to :func:`authorization_url`, with a fresh
   ``state`` (:func:`new_state`) and, where the provider takes it, a PKCE pair
   (:func:`pkce_pair`), both kept in the user's session;
2. the callback handler checks the returned ``state`` (:func:`check_state`) and trades
   the ``code`` for tokens with :func:`exchange_code`.

The calls to a provider are sans-I/O flows, like every platform operation:
:func:`exchange_code`, :func:`refresh`, :func:`revoke`, :func:`exchange_long_lived`
(Meta) and :func:`register_app` (Mastodon) yield ``httpx`` requests and are run by the
same drivers as everything else: :func:`run_oauth` / :func:`arun_oauth`, or a client
adapter's ``fetch_token`` (``fresh = yield from refresh(X, client=..., refresh_token=...)``,
whose ``parse_error`` answers :func:`oauth_error_info` for :func:`is_oauth_request`).

Built-in providers: :data:`X`, :data:`LINKEDIN`, :data:`META` (Graph API
:data:`META_GRAPH_VERSION`), :data:`GOOGLE`, :data:`TIKTOK`, :data:`WECHAT_WEB` (WeChat
网页授权), :data:`WEIBO` (with :func:`weibo_token_info`, which asks Weibo when a token
expires), :data:`DOUYIN` (with :func:`renew_refresh_token`), and :func:`mastodon` for an
instance. Their endpoints and quirks cite the official pages they come from.

Example:
    >>> import httpx
    >>> from datetime import datetime, timezone
    >>> from smmkit.testing import run_flow
    >>> pair = pkce_pair()
    >>> url = authorization_url(X, client_id="app-1", redirect_uri="https://app.example/cb",
    ...     scopes=["tweet.read", "offline.access"], state="st-1", code_challenge=pair)
    >>> url.startswith("https://x.com/i/oauth2/authorize?response_type=code&client_id=app-1")
    True
    >>> def x_server(request):
    ...     return httpx.Response(200, json={"access_token": "AT-1", "token_type": "bearer",
    ...         "expires_in": 7200, "refresh_token": "RT-1", "scope": "tweet.read offline.access"})
    >>> token = run_flow(exchange_code(X, client=OAuthClient(client_id="app-1"), code="c1",
    ...     redirect_uri="https://app.example/cb", code_verifier=pair), x_server,
    ...     now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    >>> token.expires_at.isoformat(), token.scopes
    ('2026-01-01T02:00:00+00:00', ('tweet.read', 'offline.access'))
"""

from __future__ import annotations

from smmkit.platforms._oauth_core import (
    BILIBILI,
    DOUYIN,
    GOOGLE,
    LINKEDIN,
    META,
    META_GRAPH_VERSION,
    TIKTOK,
    WECHAT_WEB,
    WEIBO,
    OAuthClient,
    OAuthProvider,
    OAuthToken,
    PkcePair,
    RenewedRefreshToken,
    WeiboTokenInfo,
    X,
    authorization_url,
    check_state,
    exchange_code,
    exchange_long_lived,
    is_oauth_request,
    mastodon,
    new_state,
    oauth_error_info,
    pkce_pair,
    refresh,
    register_app,
    renew_refresh_token,
    revoke,
    weibo_token_info,
)
from smmkit.platforms._oauth_run import arun_oauth, run_oauth

__all__ = [
    "BILIBILI",
    "DOUYIN",
    "GOOGLE",
    "LINKEDIN",
    "META",
    "META_GRAPH_VERSION",
    "OAuthClient",
    "OAuthProvider",
    "OAuthToken",
    "PkcePair",
    "RenewedRefreshToken",
    "TIKTOK",
    "WECHAT_WEB",
    "WEIBO",
    "WeiboTokenInfo",
    "X",
    "arun_oauth",
    "authorization_url",
    "check_state",
    "exchange_code",
    "exchange_long_lived",
    "is_oauth_request",
    "mastodon",
    "new_state",
    "oauth_error_info",
    "pkce_pair",
    "refresh",
    "register_app",
    "renew_refresh_token",
    "revoke",
    "run_oauth",
    "weibo_token_info",
]
