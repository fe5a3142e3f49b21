"""Reading the error answers of OAuth endpoints into smmkit's errors, with no secret.

Three shapes are read:

* RFC 6749 §5.2 (X, LinkedIn, Google, TikTok, Mastodon):
  ``{"error": "invalid_grant", "error_description": "..."}``; TikTok adds ``log_id``
  (https://developers.tiktok.com/doc/oauth-error-handling, read 2026-12-06);
* Meta's Graph API errors: ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}`` (https://developers.facebook.com/docs/graph-api/guides/error-handling);
* TikTok API v2 errors: ``{"error": {"code", "message", "log_id"}}``, where code ``"ok"``
  is a success (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling).

A refused grant or client (``invalid_grant``, ``invalid_client``, Meta 190) is an
:class:`~smmkit.exceptions.AuthenticationError`: only the user (authorize again) or the
app's owner (fix the secret) can fix it, so no retry follows. Messages come from the
provider but pass through :func:`redact_text` with every secret the request carried
(form values, query values, the Basic credentials), so a provider that echoes a code or a
secret does not put it into an exception.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from smmkit._secrets import redact_text
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
)
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._http import redact_url
from smmkit.platforms._oauth_models import OAuthProvider
from smmkit.platforms._translate import request_id_of

__all__ = [
    "OAUTH_PROVIDER",
    "build_error",
    "is_oauth_request",
    "oauth_error_info",
    "provider_of",
    "request_secrets",
]

OAUTH_PROVIDER = "smmkit.oauth_provider"
"""Request extension: the :class:`OAuthProvider` an OAuth flow's request goes to."""

# Parameters that are not secrets (everything else a request carries is redacted).
_PUBLIC_PARAMS = frozenset(
    {
        "grant_type",
        "redirect_uri",
        "redirect_uris",
        "client_id",
        "client_key",
        "client_name",
        "appid",
        "token_type_hint",
        "scope",
        "scopes",
        "website",
    }
)

_RFC_ERRORS: dict[str, type[PlatformError]] = {
    "invalid_grant": AuthenticationError,
    "invalid_client": AuthenticationError,
    "invalid_token": AuthenticationError,
    "unauthorized_client": PermissionDeniedError,
    "access_denied": PermissionDeniedError,
    "invalid_request": BadRequestError,
    "invalid_scope": BadRequestError,
    "unsupported_grant_type": BadRequestError,
    "unsupported_response_type": BadRequestError,
    "unsupported_token_type": BadRequestError,
    "server_error": ServerError,
    "temporarily_unavailable": ServerError,
    "slow_down": RateLimitError,
    # TikTok API v2 codes (the revoke endpoint may answer in this shape)
    "access_token_invalid": AuthenticationError,
    "scope_not_authorized": PermissionDeniedError,
    "rate_limit_exceeded": RateLimitError,
    "internal_error": ServerError,
    "invalid_params": BadRequestError,
}

# Meta Graph API codes (https://developers.facebook.com/docs/graph-api/guides/error-handling)
_META_AUTH = frozenset({101, 102, 190})  # app id/secret refused, session or token invalid
_META_THROTTLE = frozenset({4, 17, 32, 613})
_META_SERVER = frozenset({1, 2})
_META_PERMISSION = frozenset({10, *range(200, 300)})

_HINTS: dict[str | int, str] = {
    "invalid_grant": "the code or refresh token is no longer valid: authorize again",
    "invalid_client": "the client id or secret was refused: check the app's credentials",
    10010: "the refresh token expired (30 days): the user must authorize again",
    10020: "the refresh token was renewed as often as Douyin allows: the user must authorize again",
    40163: "the code was used already: start the authorization again",
    42002: "the refresh token expired (30 days): the user must authorize again",
}

# Douyin's OAuth codes (sources: the renew_refresh_token and refresh_token pages of
# developer.open-douyin.com, the client_token page; read 2026-12-06). Its codes have
# five or more digits, so they never meet Meta's.
_DOUYIN_ERRORS: dict[int, type[PlatformError]] = {
    10002: BadRequestError,  # parameter error
    10003: AuthenticationError,  # client_key does not exist
    10004: PermissionDeniedError,  # the app lacks the permission (scope)
    10005: BadRequestError,  # a parameter is missing
    10007: AuthenticationError,  # the authorization code expired
    10008: AuthenticationError,  # access_token expired (at a token endpoint: a used grant)
    10010: AuthenticationError,  # refresh_token expired: authorize again
    10013: AuthenticationError,  # client_key or client_secret wrong
    10020: AuthenticationError,  # refresh token renewed too often: authorize again
    2100004: ServerError,  # system busy
    2100005: BadRequestError,  # parameter invalid
}

# Bilibili's OAuth codes (状态码, https://apifox.com/apidoc/docs-site/1106400/doc-895951,
# read 2026-12-07): six digits starting 122, so they meet neither Meta's nor Douyin's.
_BILIBILI_ERRORS: dict[int, type[PlatformError]] = {
    122000: AuthenticationError,  # client_id wrong
    122001: AuthenticationError,  # client_secret wrong
    122002: AuthenticationError,  # code not found (used or expired)
    122007: AuthenticationError,  # refresh token invalid (each one works once)
    127009: RateLimitError,  # the app's API calls reached their limit
}


# WeChat's web-authorization codes (网页授权 and the global return codes,
# https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html,
# read 2026-12-07): {"errcode", "errmsg"}, the request id as "rid: ..." in errmsg.
# Five digits from 40001 up (and -1), so they meet none of the tables above.
_WECHAT_ERRORS: dict[int, type[PlatformError]] = {
    -1: ServerError,  # system busy
    40001: AuthenticationError,  # invalid credential (AppSecret)
    40013: AuthenticationError,  # invalid appid
    40029: AuthenticationError,  # invalid code
    40030: AuthenticationError,  # invalid refresh_token
    40125: AuthenticationError,  # invalid appsecret
    40163: AuthenticationError,  # code been used
    41008: BadRequestError,  # missing code
    42002: AuthenticationError,  # refresh_token expired (30 days)
    42003: AuthenticationError,  # code expired
    45009: RateLimitError,  # daily quota
    45011: RateLimitError,  # minute quota
    48001: PermissionDeniedError,  # api unauthorized (snsapi_base token, unverified account)
}
_WECHAT_RID = re.compile(r"(?:rid|req_id):\s*([\w\-]+)")


def provider_of(request: httpx.Request | None) -> OAuthProvider | None:
    """The provider an OAuth flow's ``request`` goes to, else ``None``."""
    if request is None:
        return None
    provider = request.extensions.get(OAUTH_PROVIDER)
    return provider if isinstance(provider, OAuthProvider) else None


def is_oauth_request(request: httpx.Request) -> bool:
    """True when ``request`` was built by one of :mod:`smmkit.platforms.oauth`'s flows.

    Example:
        >>> import httpx
        >>> is_oauth_request(httpx.Request("POST", "https://api.x.com/2/tweets"))
        False
    """
    require(request, "request", httpx.Request, "an httpx.Request")
    return provider_of(request) is not None


def request_secrets(request: httpx.Request) -> list[str]:
    """Every value ``request`` carries that may be a secret: form and query values other
    than the public parameters, the Basic or Bearer credentials.

    Example:
        >>> import httpx
        >>> req = httpx.Request("POST", "https://id.example/token",
        ...     data={"grant_type": "authorization_code", "code": "c0de-123456"})
        >>> request_secrets(req)
        ['c0de-123456']
    """
    found: list[str] = []
    pairs = list(request.url.params.multi_items())
    content_type = request.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in content_type:
        with contextlib.suppress(httpx.RequestNotRead, UnicodeDecodeError):
            pairs += parse_qsl(request.content.decode("utf-8"), keep_blank_values=False)
    found.extend(value for key, value in pairs if key not in _PUBLIC_PARAMS and value)
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        found.append(credentials)
    elif scheme.lower() == "basic" and credentials:
        found.append(credentials)
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        found.extend(unquote(part) for part in decoded.split(":", 1)[1:] if part)
    return found


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _read(body: dict[str, Any] | None) -> tuple[str | int | None, str, str | None, Any]:
    """``(code, message, body request id, Meta's type)``; code ``None``: no error named."""
    if body is None:
        return None, "", None, None
    douyin = _douyin(body)
    if douyin is not None:
        return douyin
    bilibili = _bilibili(body)
    if bilibili is not None:
        return bilibili
    wechat = _wechat(body)
    if wechat is not None:
        return wechat
    error = body.get("error")
    if isinstance(error, dict):  # Meta, or TikTok API v2
        code = error.get("code")
        if code == "ok":
            return None, "", None, None
        message = error.get("message")
        rid = error.get("fbtrace_id") or error.get("log_id")
        if not isinstance(code, (str, int)) or isinstance(code, bool):
            code = None
        return (
            code,
            message if isinstance(message, str) else "",
            rid if isinstance(rid, str) else None,
            error.get("type"),
        )
    if isinstance(error, str) and error:
        description = body.get("error_description")
        rid = body.get("log_id")
        return (
            error,
            description if isinstance(description, str) else "",
            rid if isinstance(rid, str) else None,
            None,
        )
    for key in ("message", "detail", "title"):  # LinkedIn's and X's API error shapes
        value = body.get(key)
        if isinstance(value, str) and value:
            return None, value, None, None
    return None, "", None, None


def _douyin(body: dict[str, Any]) -> tuple[int, str, str | None, None] | None:
    """Douyin's ``{"data": {"error_code", "description"}, "extra": {"logid"}}``, when
    ``error_code`` is not 0 (https://developer.open-douyin.com/docs/resource/zh-CN/dop/
    develop/openapi/account-permission/refresh-access-token, read 2026-12-06)."""
    data = body.get("data")
    if not isinstance(data, dict):
        return None
    code = data.get("error_code")
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return None
    extra = body.get("extra")
    rid = extra.get("logid") if isinstance(extra, dict) else None
    rid = rid or data.get("log_id")
    said = data.get("description")
    return code, said if isinstance(said, str) else "", rid if isinstance(rid, str) else None, None


def _bilibili(body: dict[str, Any]) -> tuple[int, str, str | None, None] | None:
    """Bilibili's ``{"code": 122002, "message": "code未找到", "ttl": 1}`` (any non-zero
    integer ``code`` beside a ``ttl`` or ``request_id``: 状态码,
    https://apifox.com/apidoc/docs-site/1106400/doc-895951, read 2026-12-07)."""
    code = body.get("code")
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return None
    if "ttl" not in body and "request_id" not in body:
        return None
    said, rid = body.get("message"), body.get("request_id")
    return code, said if isinstance(said, str) else "", rid if isinstance(rid, str) else None, None


def _wechat(body: dict[str, Any]) -> tuple[int, str, str | None, None] | None:
    """WeChat's ``{"errcode": 40029, "errmsg": "invalid code, rid: 6142cae2-..."}`` when
    ``errcode`` is not 0; the ``rid`` (or ``req_id``) in ``errmsg`` is the request id."""
    code = body.get("errcode")
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        return None
    said = body.get("errmsg")
    said = said if isinstance(said, str) else ""
    found = _WECHAT_RID.search(said)
    return code, said, found.group(1) if found else None, None


def _kind(code: str | int | None, meta_type: Any, status: int) -> type[PlatformError] | None:
    if isinstance(code, str) and code in _RFC_ERRORS:
        return _RFC_ERRORS[code]
    if isinstance(code, int) and code in _DOUYIN_ERRORS:
        return _DOUYIN_ERRORS[code]
    if isinstance(code, int) and code in _BILIBILI_ERRORS:
        return _BILIBILI_ERRORS[code]
    if isinstance(code, int) and code in _WECHAT_ERRORS:
        return _WECHAT_ERRORS[code]
    if isinstance(code, int):
        if code in _META_AUTH or (code == 100 and meta_type == "OAuthException" and status < 500):
            # Meta's token endpoint answers a wrong, used or expired code with 100 and
            # type OAuthException: the grant is refused, like RFC 6749's invalid_grant.
            return AuthenticationError
        if code in _META_THROTTLE:
            return RateLimitError
        if code in _META_SERVER:
            return ServerError
        if code in _META_PERMISSION:
            return PermissionDeniedError
    return None


def _describe(
    provider: OAuthProvider | None,
    response: httpx.Response,
) -> tuple[type[PlatformError], str, str | int | None, str | None] | None:
    body = _json_object(response)
    code, message, rid, meta_type = _read(body)
    status = response.status_code
    if code is None and status < 400:
        return None
    kind = _kind(code, meta_type, status) or status_error(status) or BadRequestError
    if status >= 500 and kind is not ServerError and not issubclass(kind, RateLimitError):
        kind = ServerError  # a 5xx is an outage whatever its body says
    name = provider.name if provider is not None else "oauth"
    said = message or response.reason_phrase or f"HTTP {status}"
    text = f"{name} OAuth endpoint refused the request"
    text += f": {code}: {said}" if code is not None and str(code) != said else f": {said}"
    hint = _HINTS.get(code) if code is not None else None
    if hint is None and kind is AuthenticationError and isinstance(code, int):
        hint = "the token, code or app credentials were refused: authorize again"
    if hint:
        text += f" ({hint})"
    request = response.request if _has_request(response) else None
    secrets = request_secrets(request) if request is not None else []
    text = redact_text(text, secrets)[:400]
    return kind, text, code, rid


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - raises when the response has no request
    except RuntimeError:
        return False
    return True


def oauth_error_info(response: httpx.Response) -> ErrorInfo | None:
    """The error an OAuth endpoint's answer stands for, else ``None`` (a success).

    For a client adapter's ``parse_error``: when ``is_oauth_request(response.request)``,
    return this. ``invalid_grant``/``invalid_client`` and Meta's 190 become
    :class:`~smmkit.exceptions.AuthenticationError`; the message names the provider
    and carries no secret the request held.

    Example:
        >>> import httpx
        >>> req = httpx.Request("POST", "https://id.example/token",
        ...                     data={"refresh_token": "rt-123456789"})
        >>> resp = httpx.Response(400, request=req, json={"error": "invalid_grant",
        ...     "error_description": "refresh token rt-123456789 expired"})
        >>> info = oauth_error_info(resp)
        >>> info.kind.__name__, info.code
        ('AuthenticationError', 'invalid_grant')
        >>> "rt-123456789" in info.message
        False
    """
    require(response, "response", httpx.Response, "an httpx.Response")
    request = response.request if _has_request(response) else None
    described = _describe(provider_of(request), response)
    if described is None:
        return None
    kind, text, code, _ = described
    return ErrorInfo(kind, text, code=code)


def build_error(response: httpx.Response) -> PlatformError | None:
    """The :class:`~smmkit.exceptions.PlatformError` for an OAuth answer, else ``None``.

    What a flow raises itself (when no driver translated the answer, e.g. under
    :func:`smmkit.testing.run_flow`, or for an error in a 200 body): the provider's name
    as ``platform``, the request id from the body (Meta ``fbtrace_id``, TikTok
    ``log_id``) or the provider's headers, the redacted URL.
    """
    request = response.request
    provider = provider_of(request)
    described = _describe(provider, response)
    if described is None:
        return None
    kind, text, code, rid = described
    headers = provider.request_id_headers if provider is not None else ()
    extra: dict[str, Any] = {}
    if issubclass(kind, (RateLimitError, ServerError)):
        extra["retry_after"] = _retry_after(response)
    error = kind(
        text,
        platform=provider.name if provider is not None else "oauth",
        status=response.status_code,
        code=code,
        request_id=rid or request_id_of(response, headers),
        method=request.method,
        url=redact_url(request.url),
        **extra,
    )
    if isinstance(error, APIError) and not isinstance(error, ServerError):
        error.outcome_unknown = False
    return error


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
