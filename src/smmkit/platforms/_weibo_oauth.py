"""Weibo's token information endpoint (``oauth2/get_token_info``): a token's expiry.

Weibo's web apps get no refresh token (only apps using the mobile SDK do), so the one
way to know when an access token stops working is to ask: ``POST
https://api.weibo.com/oauth2/get_token_info`` with ``access_token`` answers ``uid``,
``appkey``, ``scope``, ``create_at`` (epoch seconds) and ``expire_in`` (seconds left)
(https://open.weibo.com/wiki/Oauth2/get_token_info, read 2026-12-07; earlier revisions of
that page spell it ``expires_in``, both are read). Exported by
:mod:`smmkit.platforms.oauth` as :func:`weibo_token_info`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit.exceptions import APIError, InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.platforms._adapter import ENDPOINT, SAFE, Flow, Now
from smmkit.platforms._checks import require
from smmkit.platforms._oauth_errors import OAUTH_PROVIDER, build_error
from smmkit.platforms._oauth_providers import WEIBO
from smmkit.platforms._translate import unexpected_answer

__all__ = ["WEIBO_TOKEN_INFO_URL", "WeiboTokenInfo", "weibo_token_info"]

WEIBO_TOKEN_INFO_URL = "https://api.weibo.com/oauth2/get_token_info"


class WeiboTokenInfo(SmmkitModel):
    """What ``oauth2/get_token_info`` says of an access token.

    Example:
        >>> from datetime import datetime, timezone
        >>> info = WeiboTokenInfo(uid="1073880650", appkey="1352222456",
        ...     created_at=datetime(2012, 11, 7, tzinfo=timezone.utc),
        ...     expires_at=datetime(2017, 11, 6, tzinfo=timezone.utc))
        >>> info.uid, info.scopes
        ('1073880650', ())
    """

    uid: str
    appkey: str | None = None
    scopes: tuple[str, ...] = ()
    created_at: AwareDatetime | None = None
    expires_at: AwareDatetime


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, (int, str)) and str(value) else None


def _info(body: dict[str, Any], now: datetime) -> WeiboTokenInfo:
    left = body.get("expire_in", body.get("expires_in"))
    if isinstance(left, str) and left.lstrip("-").isdigit():
        left = int(left)
    if not isinstance(left, int) or isinstance(left, bool):
        raise ValueError("no expire_in in the answer")
    uid = _text(body.get("uid"))
    if uid is None:
        raise ValueError("no uid in the answer")
    created = body.get("create_at")
    if isinstance(created, str) and created.isdigit():
        created = int(created)
    scope = body.get("scope")
    return WeiboTokenInfo(
        uid=uid,
        appkey=_text(body.get("appkey")),
        scopes=tuple(s for s in scope.split(",") if s) if isinstance(scope, str) else (),
        created_at=(
            datetime.fromtimestamp(created, timezone.utc)
            if isinstance(created, int) and not isinstance(created, bool)
            else None
        ),
        expires_at=now + timedelta(seconds=left),
    )


def weibo_token_info(
    access_token: str | SecretStr, *, url: str = WEIBO_TOKEN_INFO_URL
) -> Flow[WeiboTokenInfo]:
    """Flow: ask Weibo when ``access_token`` expires (and whose it is).

    ``expires_at`` counts ``expire_in`` from the driver's clock. The token travels in
    the form body (never in a URL). Run it with :func:`smmkit.platforms.oauth.run_oauth`
    or from an adapter's ``fetch_token``.

    Example:
        >>> from smmkit.testing import run_flow
        >>> def weibo(request):
        ...     return httpx.Response(200, json={"uid": 1073880650, "appkey": 1352222456,
        ...         "scope": None, "create_at": 1352267591, "expire_in": 3600})
        >>> info = run_flow(weibo_token_info("2.00tok"), weibo,
        ...                 now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> info.uid, info.expires_at.isoformat()
        ('1073880650', '2026-01-01T01:00:00+00:00')
    """
    require(access_token, "access_token", (str, SecretStr), "a str or SecretStr")
    value = access_token.get_secret_value() if isinstance(access_token, SecretStr) else access_token
    if not value:
        raise InvalidInputError.single("access_token", "must not be empty")
    request = httpx.Request(
        "POST",
        _endpoint(url),
        data={"access_token": value},
        headers={"Accept": "application/json"},
        extensions={ENDPOINT: "oauth", SAFE: True, OAUTH_PROVIDER: WEIBO},
    )
    return _info_flow(request)


def _endpoint(url: object) -> httpx.URL:
    """``url`` as an absolute http(s) URL (the token endpoint, or a sandbox's)."""
    text = require(url, "url", str, "a str")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise InvalidInputError.single("url", "is not a URL", url) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInputError.single("url", "must be an absolute http(s) URL", url)
    return parsed


def _info_flow(request: httpx.Request) -> Flow[WeiboTokenInfo]:
    response = yield request
    error = build_error(response)  # under a driver, error statuses were raised already
    if error is not None:
        raise error
    now: datetime = yield Now()
    failed: APIError
    try:
        body = response.json()
        if not isinstance(body, dict):
            raise TypeError("not a JSON object")
        return _info(body, now)
    except (ValueError, TypeError, LookupError) as exc:
        failed = unexpected_answer(
            exc, request, response, platform="weibo", request_id_headers=WEIBO.request_id_headers
        )
    raise failed  # outside the handler: the parse error may hold the body
