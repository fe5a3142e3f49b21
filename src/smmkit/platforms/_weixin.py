"""What the WeChat Official Account and WeCom adapters share: :class:`WeixinAdapter`.

Both platforms put the access token in the query string and say "no" inside HTTP 200
(``{"errcode": ..., "errmsg": ...}``); both count quotas per minute and per Beijing
day. :class:`WeixinAdapter` reads ``errcode`` into smmkit's errors with the right wait,
and :func:`was_rejected` tells a proactive refresh from a token the platform refuses.
The concrete adapters live in :mod:`smmkit.platforms.wechat` (which re-exports the
public names of this module) and :mod:`smmkit.platforms.wecom`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import httpx

from smmkit.exceptions import (
    AuthenticationError,
    OutsideWindowError,
    RateLimitError,
    ServerError,
)
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import RECEIVED_AT, PlatformAdapter, received_at
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._media import MediaLoader, media_loader_or_default

__all__ = ["CHINA_TZ", "WeixinAdapter", "was_rejected"]

CHINA_TZ = timezone(timedelta(hours=8))
"""WeChat's quotas and datacube days run on Beijing time."""

_NEAR_EXPIRY = 120.0


def _seconds_to_next_minute(now: float) -> float:
    return 60.0 - (now % 60.0) or 60.0


def _seconds_to_china_midnight(now: float) -> float:
    local = datetime.fromtimestamp(now, CHINA_TZ)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


class WeixinAdapter(PlatformAdapter):
    """What WeChat OA and WeCom share: the token in the query, ``errcode`` in HTTP 200.

    Subclasses set ``token_path`` and the codes. ``errcode`` 0 is success; any other
    value is an error whatever the HTTP status says.

    Example:
        >>> from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
        >>> adapter = WeChatOfficialAccountAdapter()
        >>> info = adapter.parse_error(httpx.Response(200, json={"errcode": 45011,
        ...     "errmsg": "api minute-quota reach limit"}, extensions={
        ...     "smmkit.received_at": 1700000030.0}))
        >>> info.kind.__name__, info.retry_after
        ('RateLimitError', 10.0)
    """

    requires_token = True
    token_path: ClassVar[str] = ""
    busy_codes = frozenset({-1})
    window_codes: ClassVar[frozenset[int]] = frozenset()
    daily_quota_codes: ClassVar[frozenset[int]] = frozenset({45009})
    request_id_headers = ("request-id", "x-request-id", "logicret")

    def __init__(
        self,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        # The token travels in the query: the drivers redact query values in httpx's
        # and httpcore's log records (smmkit.platforms._client), for every adapter.
        self._media_loader = media_loader_or_default(media_loader)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, account={self.account!r})"

    def _credentials(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationError(
                f"{type(self).__name__} needs credentials (app id and secret)",
                platform=self.platform_id,
            )
        return self.credentials

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """Put the token in the ``access_token`` query parameter (errors redact it)."""
        url = request.url.copy_set_param("access_token", token.access_token.get_secret_value())
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Map ``errcode`` (also inside HTTP 200) to smmkit's errors, with the right wait."""
        info = super().parse_error(response)
        if info is None or not isinstance(info.code, int):
            return info
        code = info.code
        try:
            on_token_path = response.request.url.path == self.token_path
        except RuntimeError:
            on_token_path = False
        if on_token_path and not issubclass(info.kind, (RateLimitError, ServerError)):
            # On the token endpoint every other code means a wrong app id or secret, or
            # an IP not on the allow-list: refreshing cannot help.
            return ErrorInfo(AuthenticationError, info.message, code=code)
        if code in self.window_codes:
            return ErrorInfo(OutsideWindowError, info.message, code=code)
        if info.kind is RateLimitError:
            now = response.extensions.get(RECEIVED_AT)
            wait = None
            if isinstance(now, (int, float)):
                if code in self.daily_quota_codes:
                    wait = _seconds_to_china_midnight(now)
                else:
                    wait = _seconds_to_next_minute(now)
            return ErrorInfo(RateLimitError, info.message, code=code, retry_after=wait)
        return info

    def _token_from(self, response: httpx.Response) -> Token:
        body = response.json()
        expires_in = float(body.get("expires_in") or 7200)
        return Token(
            access_token=body["access_token"],
            expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
        )

    def _post(
        self,
        path: str,
        payload: Mapping[str, Any],
        *,
        endpoint: str = "default",
        safe: bool = False,
    ) -> httpx.Request:
        # ensure_ascii=False: WeChat stores "\u4f60" literally when sent escaped.
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.request(
            "POST",
            path,
            endpoint=endpoint,
            safe=safe,
            content=content,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )


def was_rejected(current: Token | None, fresh: Token, response: httpx.Response) -> bool:
    """True when the token endpoint handed back the token that was just refused.

    The same token near its expiry is a proactive refresh WeChat/WeCom answered with the
    still-valid token; far from expiry it means the platform refused a token it
    considers live (another service reset it, or the IP is not allowed).

    Example:
        >>> from datetime import datetime, timezone
        >>> old = Token(access_token="t", expires_at=datetime(2026, 1, 1, 2, tzinfo=timezone.utc))
        >>> r = httpx.Response(200, extensions={RECEIVED_AT: datetime(2026, 1, 1,
        ...     tzinfo=timezone.utc).timestamp()})
        >>> was_rejected(old, Token(access_token="t"), r), was_rejected(None, old, r)
        (True, False)
    """
    if current is not None:
        require(current, "current", Token, "a Token or None")
    require(fresh, "fresh", Token, "a Token")
    require(response, "response", httpx.Response, "an httpx.Response")
    if current is None or not fresh.same_as(current):
        return False
    if current.expires_at is None:
        return True
    return current.expires_at.timestamp() - received_at(response) > _NEAR_EXPIRY
