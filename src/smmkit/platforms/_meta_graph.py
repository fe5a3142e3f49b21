"""The shared base of the Meta Graph API clients (Facebook Pages, Instagram).

What the two clients share, written once:

* **the pinned Graph API version**: every path starts with
  :data:`~smmkit.platforms.oauth.META_GRAPH_VERSION` (``/v26.0/...``), the version the
  ``facebook-business`` SDK 26.0.x that the contract tests check against is built for;
* **Graph errors** ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}`` read into typed errors
  (https://developers.facebook.com/docs/graph-api/guides/error-handling, read
  2026-12-06): throttling codes 4, 17, 32, 613 and the Business Use Case codes
  80000-80014 are :class:`~smmkit.exceptions.RateLimitError`; 102 and 190 (session or
  token invalid) :class:`~smmkit.exceptions.TokenExpiredError` when the adapter can get
  a new token, else :class:`~smmkit.exceptions.AuthenticationError`; 10 and 200-299
  (permissions) :class:`~smmkit.exceptions.PermissionDeniedError`; 506 (duplicate post)
  :class:`~smmkit.exceptions.DuplicateContentError`; 1, 2 and ``is_transient`` answers
  :class:`~smmkit.exceptions.ServerError`. The request id is the ``x-fb-trace-id``
  header, else the body's ``fbtrace_id``;
* **rate limits from the headers** ``X-App-Usage``, ``X-Page-Usage`` and
  ``X-Business-Use-Case-Usage`` (https://developers.facebook.com/docs/graph-api/overview/rate-limiting):
  percentages of the budget used and, when throttled, ``estimated_time_to_regain_access``
  in minutes. The last state is kept (:attr:`MetaGraphAdapter.usage`); a request made
  while Meta said the budget is spent waits up to a minute or is not sent at all
  (a :class:`~smmkit.exceptions.RateLimitError` with ``retry_after``);
* **tokens**: a fixed ``access_token``, or the user's ``user_token`` exchanged once for a
  long-lived (~60-day) token with :func:`smmkit.platforms.oauth.exchange_long_lived`
  when the app's ``credentials`` are given; the client's ``TokenStore`` keeps the result.

Example:
    >>> import httpx
    >>> adapter = MetaGraphAdapter(access_token="t0k")
    >>> adapter.graph("GET", "123", "feed").url.path
    '/v26.0/123/feed'
    >>> body = {"error": {"message": "Application request limit reached", "type":
    ...     "OAuthException", "code": 4, "fbtrace_id": "AbC"}}
    >>> info = adapter.parse_error(httpx.Response(400, json=body))
    >>> info.kind.__name__, info.code
    ('RateLimitError', 4)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    DuplicateContentError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import ENDPOINT, RECEIVED_AT, Flow, PlatformAdapter
from smmkit.platforms._answers import (
    RequestIds,
    json_object,
    request_of,
    send_noting,
    wait_out,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._media import MediaLoader, media_loader_or_default
from smmkit.platforms._oauth_core import (
    META,
    META_GRAPH_VERSION,
    OAuthClient,
    exchange_long_lived,
    is_oauth_request,
    oauth_error_info,
)

__all__ = [
    "GRAPH_URL",
    "MetaGraphAdapter",
    "MetaUsage",
    "content_key",
    "created_id",
    "graph_time",
    "usage_from",
]

GRAPH_URL = "https://graph.facebook.com"
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
AUTH_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
DUPLICATE_CODES = frozenset({506})
SERVER_CODES = frozenset({1, 2})
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-business-use-case-usage")
OWN_AUTH = "smmkit.meta.own_auth"  # request extension: it carries its own (user) token
_NODE = re.compile(r"[A-Za-z0-9_.\-]{1,100}")


@dataclass(frozen=True)
class MetaUsage:
    """The rate-limit state Meta stated in one answer's usage headers.

    ``percent`` is the highest share of any budget used (calls, CPU time, total time),
    ``regain_seconds`` Meta's estimate of the wait when throttled, ``received`` when the
    answer came (epoch seconds on the driver's clock).

    Example:
        >>> MetaUsage(percent=100.0, regain_seconds=120.0, received=10.0).wait(70.0)
        60.0
    """

    percent: float
    regain_seconds: float | None
    received: float

    def wait(self, now: float) -> float:
        """Seconds until the budget is back (0 when it is not spent)."""
        if self.percent < 100 or not self.regain_seconds:
            return 0.0
        return max(0.0, self.received + self.regain_seconds - now)


def _numbers(entry: Mapping[str, Any]) -> tuple[float, float | None]:
    shares = [
        float(v)
        for k in ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
        if isinstance(v := entry.get(k), (int, float)) and not isinstance(v, bool)
    ]
    regain = entry.get("estimated_time_to_regain_access")
    minutes = float(regain) if isinstance(regain, (int, float)) and regain > 0 else None
    return max(shares, default=0.0), None if minutes is None else minutes * 60


def usage_from(headers: httpx.Headers, *, received: float) -> MetaUsage | None:
    """The rate-limit state in ``headers`` (``None`` when Meta sent no usage header).

    ``X-Business-Use-Case-Usage`` maps business ids to lists of entries; the highest
    share and the longest regain time of all entries count.

    Example:
        >>> headers = httpx.Headers({"X-Business-Use-Case-Usage": '{"1": [{"type":'
        ...     ' "pages", "call_count": 100, "total_cputime": 3, "total_time": 5,'
        ...     ' "estimated_time_to_regain_access": 2}]}', "X-App-Usage":
        ...     '{"call_count": 7, "total_time": 1, "total_cputime": 1}'})
        >>> usage_from(headers, received=0.0)
        MetaUsage(percent=100.0, regain_seconds=120.0, received=0.0)
    """
    found: list[tuple[float, float | None]] = []
    for name in USAGE_HEADERS:
        raw = headers.get(name)
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        entries: list[Any] = [value]
        if name == "x-business-use-case-usage" and isinstance(value, dict):
            entries = [e for v in value.values() if isinstance(v, list) for e in v]
        found.extend(_numbers(e) for e in entries if isinstance(e, dict))
    if not found:
        return None
    regains = [r for _, r in found if r is not None]
    return MetaUsage(
        percent=max(p for p, _ in found),
        regain_seconds=max(regains) if regains else None,
        received=received,
    )


def content_key(text: str | None) -> str:
    """What a read-back compares: the text with its whitespace runs made one space.

    Example:
        >>> content_key("  Cold  brew\\n at three ")
        'Cold brew at three'
    """
    return " ".join((text or "").split())


def created_id(response: httpx.Response) -> str:
    """The ``id`` a Graph answer to a create carries (a ``TypeError`` when it has none,
    read by :func:`~smmkit.platforms._translate.read_answer` as an unexpected answer).

    Example:
        >>> created_id(httpx.Response(200, json={"id": "1001_42"}))
        '1001_42'
    """
    value = response.json()["id"]
    if not isinstance(value, str) or not value:
        raise TypeError("the answer carries no id")
    return value


def graph_time(value: object) -> datetime:
    """A Graph API time (``2026-01-01T08:00:00+0000``) as an aware datetime.

    Example:
        >>> graph_time("2026-01-01T08:00:00+0000").isoformat()
        '2026-01-01T08:00:00+00:00'
    """
    if not isinstance(value, str):
        raise TypeError("a Graph API time is a str")
    parsed = datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")
    return parsed.astimezone(timezone.utc)


def _error_body(response: httpx.Response) -> dict[str, Any] | None:
    body = json_object(response.content)
    error = body.get("error") if body is not None else None
    return error if isinstance(error, dict) else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class MetaGraphAdapter(PlatformAdapter):
    """The Graph API plumbing shared by the Facebook Pages and Instagram adapters.

    Not a platform of its own: subclasses declare the platform, its capabilities and
    operations. ``access_token`` is used as it is; otherwise ``user_token`` (the token
    Facebook Login returned) is exchanged once for a long-lived one when ``credentials``
    (the app's id and secret) are given, else used as it is.

    Example:
        >>> MetaGraphAdapter(access_token="EAA...").can_refresh  # a fixed token
        False
    """

    default_base_url = GRAPH_URL
    requires_token = True
    request_id_headers = ("x-fb-trace-id", "x-fb-request-id")
    token_endpoints: ClassVar[frozenset[str]] = frozenset({"oauth"})

    @conceals_secrets  # tokens given as plain str stay out of tracebacks
    def __init__(
        self,
        *,
        base_url: str | None = None,
        access_token: SecretStr | str | None = None,
        user_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        api_version: str = META_GRAPH_VERSION,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        self._user_token = secret_or_none(user_token, "user_token")
        require(api_version, "api_version", str, "a str such as 'v26.0'")
        if not re.fullmatch(r"v\d{1,3}\.\d", api_version):
            raise InvalidInputError.single("api_version", "must look like 'v26.0'", api_version)
        self.api_version = api_version
        self._media_loader = media_loader_or_default(media_loader)
        self._usage: MetaUsage | None = None
        self._traces = RequestIds()  # fbtrace_id of error bodies, by request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self.base_url)!r}, account={self.account!r})"

    @property
    def can_refresh(self) -> bool:
        """True when a refused token can be replaced without the user (a stored or given
        user token to derive it from)."""
        return self._access_token is None and self._user_token is not None

    @property
    def usage(self) -> MetaUsage | None:
        """The rate-limit state of Meta's last answer that stated one."""
        return self._usage

    # -- requests ---------------------------------------------------------------------

    def graph(
        self,
        method: str,
        *nodes: str,
        endpoint: str = "graph",
        safe: bool | None = None,
        **kwargs: Any,
    ) -> httpx.Request:
        """A request to ``/{version}/{node}/{edge}...`` (each part checked and encoded)."""
        parts = [quote(node_id(n, "id"), safe="") for n in nodes]
        path = "/" + "/".join([self.api_version, *parts])
        return self.request(method, path, endpoint=endpoint, safe=safe, **kwargs)

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """A Bearer header, except on requests that carry the user's own token."""
        if request.extensions.get(OWN_AUTH):
            return request
        return super().authorize(request, token)

    def exchange(self, request: httpx.Request) -> Flow[httpx.Response]:
        """Send ``request`` (a step of a flow), minding and recording Meta's usage headers."""
        if self._usage is not None and self._usage.percent >= 100:
            yield from wait_out(
                self.platform_id,
                self._usage.wait,
                lambda wait: (
                    f"Meta says the call budget is spent for {wait:.0f} s more; nothing was sent"
                ),
            )
            self._usage = None
        response = yield from send_noting(request, self._traces)
        self._note(response)
        return response

    def _note(self, response: httpx.Response) -> None:
        received = response.extensions.get(RECEIVED_AT)
        if isinstance(received, (int, float)):
            usage = usage_from(response.headers, received=float(received))
            if usage is not None:
                self._usage = usage

    # -- errors -----------------------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """A Graph error body as a typed error (see the module's table)."""
        request = request_of(response)
        if request is not None and is_oauth_request(request):
            return oauth_error_info(response)
        self._note(response)
        error = _error_body(response)
        status = response.status_code
        if error is None:
            if status < 400:
                return None
            kind = status_error(status) or APIError
            return ErrorInfo(kind, response.reason_phrase or f"HTTP {status}")
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        trace = error.get("fbtrace_id")
        if request is not None and isinstance(trace, str) and trace:
            self._traces[request] = trace
        said = error.get("message")
        message = (said if isinstance(said, str) and said else f"HTTP {status}")[:200]
        detail = ", ".join(
            f"{name} {value}" for name, value in (("subcode", subcode),) if value is not None
        )
        text = f"{message} ({detail})" if detail else message
        kind = self._kind(code, subcode, error, status, request)
        retry_after = None
        if kind is RateLimitError and self._usage is not None:
            retry_after = self._usage.regain_seconds
        return ErrorInfo(kind, text, code=code, retry_after=retry_after)

    def _kind(
        self,
        code: int | None,
        subcode: int | None,
        error: Mapping[str, Any],
        status: int,
        request: httpx.Request | None,
    ) -> type[PlatformError]:
        if code in THROTTLE_CODES:
            return RateLimitError
        if code in AUTH_CODES:
            token_call = request is not None and (
                request.extensions.get(ENDPOINT) in self.token_endpoints
            )
            return TokenExpiredError if self.can_refresh and not token_call else AuthenticationError
        if code in PERMISSION_CODES or code == 368:
            return PermissionDeniedError
        if code in DUPLICATE_CODES:
            return DuplicateContentError
        if code in SERVER_CODES or error.get("is_transient") is True or status >= 500:
            return ServerError
        if code == 803 or (code == 100 and subcode == 33):
            return NotFoundError
        return status_error(status) or APIError

    # -- tokens -----------------------------------------------------------------------

    def user_access(self) -> Flow[Token]:
        """The user's token: exchanged once for a long-lived one (about 60 days) through
        the app's ``credentials`` when given, else ``user_token`` as it is."""
        if self._user_token is None:
            raise AuthenticationError(
                f"{type(self).__name__} needs access_token= or user_token=",
                platform=self.platform_id,
            )
        if self.credentials is None:
            return Token(access_token=self._user_token)
        token = yield from exchange_long_lived(
            META,
            client=OAuthClient.from_credentials(self.credentials),
            short_lived_token=self._user_token,
        )
        return token.to_token()

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The fixed ``access_token``, else the user's (long-lived) token."""
        if self._access_token is not None:
            return Token(access_token=self._access_token)
        token = yield from self.user_access()
        return token


def node_id(value: object, field: str) -> str:
    """``value`` as one Graph node or edge name (ids, ``me``, ``123_456``), else an error.

    Example:
        >>> node_id("123_456", "post_id")
        '123_456'
    """
    if not isinstance(value, str) or not _NODE.fullmatch(value):
        raise InvalidInputError.single(
            field, "must be a Graph API id (letters, digits, '_', '.', '-')", value
        )
    return value
