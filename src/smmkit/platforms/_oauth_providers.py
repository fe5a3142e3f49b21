"""The built-in OAuth providers, each with the official pages its facts come from.

Every URL and parameter below was read on 2026-12-06 from the page cited next to it.
"""

from __future__ import annotations

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require
from smmkit.platforms._oauth_models import OAuthProvider

__all__ = [
    "GOOGLE",
    "LINKEDIN",
    "META",
    "META_GRAPH_VERSION",
    "TIKTOK",
    "X",
    "mastodon",
    "mastodon_origin",
]

META_GRAPH_VERSION = "v26.0"
"""The Graph API version smmkit pins for Facebook Login and the Meta clients (Facebook
Pages, Instagram): the newest on the Graph API changelog
(https://developers.facebook.com/docs/graph-api/changelog: v26.0 introduced 2026-07-29,
read 2026-12-06), the version ``facebook-business`` 26.0.x is built for."""

X = OAuthProvider(
    # https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token and
    # .../oauth-2-0/authorization-code (2026-12-06): PKCE is part of every authorization
    # request; confidential clients authenticate with HTTP Basic at the token endpoints;
    # access tokens live 2 hours; a refresh token only with the offline.access scope.
    name="x",
    authorize_url="https://x.com/i/oauth2/authorize",
    token_url="https://api.x.com/2/oauth2/token",
    revoke_url="https://api.x.com/2/oauth2/revoke",
    scope_separator=" ",
    pkce="required",
    client_auth="basic",
    refresh_tokens="scope",
    refresh_scope="offline.access",
    request_id_headers=("x-transaction-id", "x-request-id"),
    docs=(
        "https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token",
        "https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code",
    ),
)

LINKEDIN = OAuthProvider(
    # https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
    # (2026-12-06): client_id/client_secret in the form; access tokens live 60 days;
    # programmatic refresh tokens (365 days, refresh_token_expires_in) only for approved
    # Marketing Developer Platform partners
    # (https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens).
    # PKCE is for native clients LinkedIn enables, not for standard web apps. The revoke
    # endpoint is not on those pages; it is LinkedIn's RFC 7009 endpoint in common use.
    name="linkedin",
    authorize_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    revoke_url="https://www.linkedin.com/oauth/v2/revoke",
    scope_separator=" ",
    pkce="none",
    client_auth="body",
    refresh_tokens="partners",
    request_id_headers=("x-li-uuid", "x-request-id"),
    docs=(
        "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
        "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
    ),
)

META = OAuthProvider(
    # https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow
    # (2026-12-06): the dialog at www.facebook.com/{version}/dialog/oauth, scopes
    # comma-separated, the code exchanged with GET {graph}/oauth/access_token (client_id,
    # redirect_uri, client_secret, code). No refresh tokens: a short-lived user token is
    # exchanged for a ~60-day one with grant_type=fb_exchange_token
    # (https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived).
    # PKCE (OIDC code flow) is accepted for manually built flows
    # (https://developers.facebook.com/documentation/facebook-login/guides/advanced/oidc-token).
    # Revoking is DELETE /me/permissions with the user's token
    # (https://developers.facebook.com/docs/graph-api/reference/user/permissions/).
    name="meta",
    authorize_url=f"https://www.facebook.com/{META_GRAPH_VERSION}/dialog/oauth",
    token_url=f"https://graph.facebook.com/{META_GRAPH_VERSION}/oauth/access_token",
    revoke_url=f"https://graph.facebook.com/{META_GRAPH_VERSION}/me/permissions",
    revoke_method="DELETE",
    revoke_auth="bearer",
    scope_separator=",",
    pkce="optional",
    client_auth="body",
    token_method="GET",
    code_grant_type=False,
    refresh_tokens="never",
    long_lived_exchange=True,
    request_id_headers=("x-fb-trace-id", "x-fb-request-id"),
    docs=(
        "https://developers.facebook.com/documentation/facebook-login/guides/advanced/manual-flow",
        "https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived",
        "https://developers.facebook.com/docs/graph-api/reference/user/permissions/",
    ),
)

GOOGLE = OAuthProvider(
    # https://developers.google.com/identity/protocols/oauth2/web-server (2026-12-06):
    # access_type=offline for a refresh token, prompt=consent to get one again on a
    # repeated authorization; PKCE (S256) accepted; client credentials in the form;
    # revoke with POST https://oauth2.googleapis.com/revoke (token only).
    name="google",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    revoke_url="https://oauth2.googleapis.com/revoke",
    revoke_auth="none",
    scope_separator=" ",
    pkce="optional",
    client_auth="body",
    authorize_params={"access_type": "offline", "prompt": "consent"},
    refresh_tokens="offline",
    request_id_headers=("x-request-id",),
    docs=("https://developers.google.com/identity/protocols/oauth2/web-server",),
)

TIKTOK = OAuthProvider(
    # https://developers.tiktok.com/doc/login-kit-web and
    # https://developers.tiktok.com/doc/oauth-user-access-token-management (2026-12-06):
    # client_key instead of client_id, scopes comma-separated, form bodies; the answer
    # carries open_id, expires_in and refresh_expires_in; refresh tokens rotate
    # (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token);
    # revoke: https://developers.tiktok.com/docs/en/oauth-revoke-a-user-access-token.
    # code_verifier is required for mobile and desktop apps only.
    name="tiktok",
    authorize_url="https://www.tiktok.com/v2/auth/authorize/",
    token_url="https://open.tiktokapis.com/v2/oauth/token/",
    revoke_url="https://open.tiktokapis.com/v2/oauth/revoke/",
    scope_separator=",",
    pkce="optional",
    client_auth="body",
    client_id_param="client_key",
    refresh_tokens="always",
    request_id_headers=("x-tt-logid",),
    docs=(
        "https://developers.tiktok.com/doc/login-kit-web",
        "https://developers.tiktok.com/doc/oauth-user-access-token-management",
        "https://developers.tiktok.com/doc/oauth-error-handling",
    ),
)


def mastodon_origin(instance_url: str, field: str = "instance_url") -> str:
    """``https://host[:port]`` of a Mastodon instance URL (no path, query or fragment).

    Example:
        >>> mastodon_origin("https://mastodon.social/")
        'https://mastodon.social'
    """
    require(instance_url, field, str, "a str (the instance's https:// URL)")
    try:
        url = httpx.URL(instance_url)
    except (httpx.InvalidURL, ValueError):
        raise InvalidInputError.single(field, "is not a URL", instance_url) from None
    if url.scheme != "https" or not url.host:
        raise InvalidInputError.single(field, "must be an https:// URL", instance_url)
    if url.path not in ("", "/") or url.query or url.fragment or url.userinfo:
        raise InvalidInputError.single(
            field, "must be the server's address only (no path, query or user)", instance_url
        )
    return str(url.copy_with(path="/")).rstrip("/")


def mastodon(instance_url: str) -> OAuthProvider:
    """The OAuth provider of one Mastodon server (``https://`` URL of the instance).

    Endpoints from https://docs.joinmastodon.org/methods/oauth/ (2026-12-06):
    ``/oauth/authorize``, ``/oauth/token``, ``/oauth/revoke``; PKCE (S256) since Mastodon
    4.3; ``urn:ietf:wg:oauth:2.0:oob`` shows the code instead of redirecting; access
    tokens do not expire, so there is nothing to refresh. Register
    the app first with :func:`~smmkit.platforms.oauth.register_app`.

    Example:
        >>> provider = mastodon("https://social.example")
        >>> provider.token_url, provider.pkce
        ('https://social.example/oauth/token', 'optional')
    """
    origin = mastodon_origin(instance_url)
    return OAuthProvider(
        name="mastodon",
        authorize_url=f"{origin}/oauth/authorize",
        token_url=f"{origin}/oauth/token",
        revoke_url=f"{origin}/oauth/revoke",
        scope_separator=" ",
        pkce="optional",
        client_auth="body",
        refresh_tokens="never",  # access tokens do not expire; none is refreshed
        oob_redirect=True,
        request_id_headers=("x-request-id",),
        docs=("https://docs.joinmastodon.org/methods/oauth/",),
    )
