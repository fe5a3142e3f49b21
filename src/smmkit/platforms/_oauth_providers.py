"""The built-in OAuth providers, each with the official pages its facts come from.

Every URL and parameter below was read on 2026-12-06 from the page cited next to it.
"""

from __future__ import annotations

import httpx

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require
from smmkit.platforms._oauth_models import OAuthProvider

__all__ = [
    "BILIBILI",
    "DOUYIN",
    "GOOGLE",
    "LINKEDIN",
    "META",
    "META_GRAPH_VERSION",
    "TIKTOK",
    "WECHAT_WEB",
    "WEIBO",
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


WEIBO = OAuthProvider(
    # https://open.weibo.com/wiki/Oauth2/authorize, .../Oauth2/access_token,
    # .../Oauth2/revokeoauth2 and .../Oauth2/get_token_info (2026-12-07): scopes
    # comma-separated, client_id/client_secret in the form, no PKCE; the token answer
    # carries expires_in and the user's uid; refresh tokens only for apps on Weibo's
    # mobile SDK (web apps authorize again); revokeoauth2 takes the token as
    # access_token and answers {"result": "true"}. How long a token lives is asked with
    # smmkit.platforms.oauth.weibo_token_info (get_token_info: expire_in).
    name="weibo",
    authorize_url="https://api.weibo.com/oauth2/authorize",
    token_url="https://api.weibo.com/oauth2/access_token",
    revoke_url="https://api.weibo.com/oauth2/revokeoauth2",
    revoke_auth="none",
    revoke_token_param="access_token",
    scope_separator=",",
    pkce="none",
    client_auth="body",
    refresh_tokens="partners",
    request_id_headers=("x-request-id",),
    docs=(
        "https://open.weibo.com/wiki/Oauth2/authorize",
        "https://open.weibo.com/wiki/Oauth2/access_token",
        "https://open.weibo.com/wiki/Oauth2/revokeoauth2",
        "https://open.weibo.com/wiki/Oauth2/get_token_info",
    ),
)

DOUYIN = OAuthProvider(
    # Paths, methods and form fields from ByteDance's SDK @open-dy/open_api_sdk 1.1.0
    # (oauthAccessToken, oauthRefreshToken, oauthRenewRefreshToken: form bodies; the
    # code exchange sends client_key, client_secret, code, grant_type and no
    # redirect_uri; a refresh sends client_key, grant_type, refresh_token and no secret;
    # a renewal client_key and refresh_token). Lifetimes and the renewal limit from
    # https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
    # (2026-12-06): access tokens 15 days, refresh tokens 30 days, a refresh does not
    # extend the refresh token; renew_refresh_token gives a new one, at most 5 times
    # (error 10020 after that: the user authorizes again). Answers: {"data": {...}}.
    # Scopes are comma-separated; the authorize page is /platform/oauth/connect/.
    name="douyin",
    authorize_url="https://open.douyin.com/platform/oauth/connect/",
    token_url="https://open.douyin.com/oauth/access_token/",
    refresh_url="https://open.douyin.com/oauth/refresh_token/",
    renew_url="https://open.douyin.com/oauth/renew_refresh_token/",
    renew_limit=5,
    scope_separator=",",
    pkce="none",
    client_auth="body",
    client_id_param="client_key",
    exchange_redirect_uri=False,
    refresh_client_secret=False,
    answer_envelope="data",
    refresh_tokens="always",
    request_id_headers=("x-tt-logid",),
    docs=(
        "https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token",
        "https://www.npmjs.com/package/@open-dy/open_api_sdk/v/1.1.0",
    ),
)


BILIBILI = OAuthProvider(
    # Bilibili open platform, 账号授权 and 账号管理 (https://openhome.bilibili.com/doc/4/…,
    # rendered from https://apifox.com/apidoc/docs-site/1106400/api-23688085 and
    # .../api-23689934, read 2026-12-07): the PC authorize page takes client_id, gourl
    # (the callback; pass it with extra_params or use smmkit.platforms.bilibili.
    # authorization_url) and state; the code exchange (POST /x/account-oauth2/v1/token)
    # and the refresh (POST .../refresh_token, every refresh token once only) take
    # client_id, client_secret, grant_type and code or refresh_token, form or query, no
    # redirect_uri and no PKCE. Answers: {"code": 0, "message": "0", "ttl": 1, "data":
    # {"access_token", "refresh_token", "expires_in", "scopes"}}, where expires_in is
    # the expiry as epoch seconds (about 30 days ahead). Errors: code 122000 (client_id),
    # 122001 (client_secret), 122002 (code not found), 122007 (refresh token invalid).
    name="bilibili",
    authorize_url="https://account.bilibili.com/pc/account-pc/auth/oauth",
    token_url="https://api.bilibili.com/x/account-oauth2/v1/token",
    refresh_url="https://api.bilibili.com/x/account-oauth2/v1/refresh_token",
    scope_separator=",",
    pkce="none",
    client_auth="body",
    exchange_redirect_uri=False,
    answer_envelope="data",
    refresh_tokens="always",
    request_id_headers=("x-bili-trace-id", "bili-trace-id"),
    docs=(
        "https://apifox.com/apidoc/docs-site/1106400/api-23688085",
        "https://apifox.com/apidoc/docs-site/1106400/api-23689934",
        "https://apifox.com/apidoc/docs-site/1106400/doc-895951",
    ),
)

WECHAT_WEB = OAuthProvider(
    # WeChat Official Account web authorization (网页授权), read 2026-12-07:
    # https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
    # (the authorize URL open.weixin.qq.com/connect/oauth2/authorize with appid,
    # redirect_uri, response_type=code, scope snsapi_base or snsapi_userinfo, state, in
    # that order, and the #wechat_redirect fragment: WeChat checks the order; the code
    # exchange GET sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code)
    # and https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken
    # (GET sns/oauth2/refresh_token?appid&grant_type=refresh_token&refresh_token, no
    # secret; refresh tokens live 30 days). Answers carry access_token, expires_in (7200),
    # refresh_token, openid and scope; errors {"errcode", "errmsg"} (40029 invalid code,
    # 40163 code used, 40030/42002 refresh token invalid or expired). No PKCE, no revoke.
    name="wechat_web",
    authorize_url="https://open.weixin.qq.com/connect/oauth2/authorize",
    token_url="https://api.weixin.qq.com/sns/oauth2/access_token",
    refresh_url="https://api.weixin.qq.com/sns/oauth2/refresh_token",
    scope_separator=",",
    pkce="none",
    client_auth="body",
    client_id_param="appid",
    client_secret_param="secret",
    token_method="GET",
    refresh_method="GET",
    exchange_redirect_uri=False,
    refresh_client_secret=False,
    client_id_first=True,
    authorize_fragment="wechat_redirect",
    refresh_tokens="always",
    request_id_headers=("request-id", "x-request-id"),
    docs=(
        "https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html",
        "https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken",
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
