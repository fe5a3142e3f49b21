"""What the WeChat third-party platform (component) flow reads and keeps: its values,
its typed errors, the token-store keys and the store wrapper that gives the component
and all its authorizers one refresh lock.

Facts (read 2026-12-07) from developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/:
``api/ThirdParty/token/component_access_token.html`` (61004, 61005, 61006 and the
2-hour token), ``api/ThirdParty/token/pre_auth_code.html``,
``api/ThirdParty/token/authorization_info.html``,
``api/ThirdParty/token/api_authorizer_token.html`` and the community answers about 61023
(``refresh_token is invalid rid: ...``: the account must authorize again).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any, NoReturn

import httpx
from pydantic import Field, SecretStr

from smmkit._secrets import refuse_pickle
from smmkit.exceptions import AuthenticationError
from smmkit.models._base import AwareDatetime
from smmkit.platforms._auth import SecretModel, Token, TokenStore
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo

__all__ = [
    "Authorization",
    "AuthorizerRefreshTokenError",
    "ComponentIPNotAllowedError",
    "ComponentTicketError",
    "ComponentTokenStore",
    "PreAuthCode",
    "WeChatComponentError",
    "authorizer_token_key",
    "component_error_info",
]


class WeChatComponentError(AuthenticationError):
    """A refusal of the third-party platform flow that no retry can fix."""


class ComponentIPNotAllowedError(WeChatComponentError):
    """61004: the calling IP is not on the component's IP allow-list (白名单)."""


class ComponentTicketError(WeChatComponentError):
    """61005/61006 (or none stored yet): the ``component_verify_ticket`` is expired,
    invalid or missing; the next push (every 10 minutes) brings a new one."""


class AuthorizerRefreshTokenError(WeChatComponentError):
    """61023 (or none stored): the authorizer's refresh token is invalid; the account must
    authorize the component again (or fetch it with ``api_get_authorizer_list``)."""


_COMPONENT_ERRORS: dict[int, tuple[type[WeChatComponentError], str]] = {
    61004: (ComponentIPNotAllowedError, "add this server's IP to the component's allow-list"),
    61005: (ComponentTicketError, "the component_verify_ticket expired: wait for the next push"),
    61006: (ComponentTicketError, "the component_verify_ticket is invalid"),
    61023: (AuthorizerRefreshTokenError, "the account must authorize the component again"),
}
# WeChat's request ids ("rid: 6142cae2-160a288b-589e1ad2") as they appear in errmsg
_RID = re.compile(r"\brid:\s*([0-9a-f]{4,16}(?:-[0-9a-f]{4,16}){1,4})\b")


def component_error_info(response: httpx.Response, info: ErrorInfo | None) -> ErrorInfo | None:
    """``info`` with the component's own codes typed, and WeChat's ``rid`` kept.

    The ``rid`` WeChat writes into ``errmsg`` becomes the ``request-id`` header of the
    response when it sent none, so the raised error carries it as ``request_id``.

    Example:
        >>> from smmkit.exceptions import APIError
        >>> resp = httpx.Response(200, json={"errcode": 61023,
        ...     "errmsg": "refresh_token is invalid rid: 6142cae2-160a288b-589e1ad2"})
        >>> got = component_error_info(resp, ErrorInfo(APIError, "refresh_token is invalid",
        ...                                              code=61023))
        >>> got.kind.__name__, resp.headers["request-id"]
        ('AuthorizerRefreshTokenError', '6142cae2-160a288b-589e1ad2')
    """
    if info is None:
        return None
    body = _body(response)
    said = body.get("errmsg") if body else None
    if isinstance(said, str) and "request-id" not in response.headers:
        found = _RID.search(said)
        if found:
            response.headers["request-id"] = found.group(1)
    if isinstance(info.code, int) and info.code in _COMPONENT_ERRORS:
        kind, hint = _COMPONENT_ERRORS[info.code]
        return ErrorInfo(kind, f"{info.message} ({hint})", code=info.code)
    return info


def _body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def authorizer_token_key(authorizer_appid: str) -> str:
    """The token-store key of an authorizer's tokens: the OA client's own key.

    Example:
        >>> authorizer_token_key("wx_oa")
        'wechat_oa:wx_oa'
    """
    require(authorizer_appid, "authorizer_appid", str, "a str (the account's AppID)")
    return f"wechat_oa:{authorizer_appid}"


class PreAuthCode(SecretModel):
    """A pre-authorization code (``api_create_preauthcode``) and when it expires.

    Example:
        >>> PreAuthCode(code="preauthcode@@@x").code
        SecretStr('**********')
    """

    code: SecretStr
    expires_at: AwareDatetime | None = None


class Authorization(SecretModel):
    """What ``api_query_auth`` answered: the account, its tokens, the granted permissions.

    ``token`` holds the ``authorizer_access_token`` with its expiry and the
    ``authorizer_refresh_token`` (keep it: losing it means authorizing again);
    ``func_info`` the ids of the permission sets (权限集) the account granted.

    Example:
        >>> auth = Authorization(authorizer_appid="wx_oa",
        ...     token=Token(access_token="a", refresh_token="refreshtoken@@@r"), func_info=(1, 15))
        >>> "refreshtoken@@@r" in repr(auth), auth.func_info
        (False, (1, 15))
    """

    authorizer_appid: str = Field(min_length=1)
    token: Token
    func_info: tuple[int, ...] = ()


class ComponentTokenStore:
    """A token store whose ``lock`` is one lock per component, whatever the key.

    The component's token, its ticket and every authorizer's tokens live in the wrapped
    store under their own keys; refreshing any of them takes the same lock, so when an
    authorizer's refresh finds the component token stale as well, it renews it without a
    second (nested) lock, and only one worker does (a second ``api_component_token``
    call invalidates the first token). Refreshes are rare (every two hours per account),
    so one lock costs little. Give it as ``token_store=`` to the component's client and
    to every authorizer's client; :attr:`held` says whether the lock is held in this
    process.

    Example:
        >>> from smmkit.platforms import InMemoryTokenStore
        >>> store = ComponentTokenStore(InMemoryTokenStore(), "wx_c")
        >>> with store.lock("wechat_oa:wx_oa"):
        ...     store.held
        True
        >>> store
        ComponentTokenStore(InMemoryTokenStore(keys=[]), component='wx_c')
    """

    def __init__(self, inner: TokenStore, component_appid: str) -> None:
        require(inner, "token_store", TokenStore, "a TokenStore")
        require(component_appid, "component_appid", str, "a str")
        self.inner = inner
        self.lock_key = f"wechat_component:{component_appid}:lock"
        self._component = component_appid
        self._holders = 0
        self._guard = threading.Lock()

    def get(self, key: str) -> Token | None:
        """The stored token for ``key``, or ``None``."""
        return self.inner.get(key)

    def put(self, key: str, token: Token) -> None:
        """Store ``token`` for ``key`` (atomically, in the wrapped store)."""
        self.inner.put(key, token)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """The component's lock (one for every key)."""
        del key
        with self.inner.lock(self.lock_key):
            with self._guard:
                self._holders += 1
            try:
                yield
            finally:
                with self._guard:
                    self._holders -= 1

    @property
    def held(self) -> bool:
        """True while some thread or task of this process holds the lock."""
        return self._holders > 0

    def __repr__(self) -> str:
        return f"ComponentTokenStore({self.inner!r}, component={self._component!r})"

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds tokens")
