"""WeChat third-party platform (开放平台第三方平台, "component"): connect clients' accounts.

An agency registers one third-party platform and each client's Official Account
authorizes it; the agency then calls the account's APIs with an
``authorizer_access_token`` instead of the account's AppSecret. The steps (facts read
2026-12-07 from developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/, pages
cited on each method):

1. WeChat pushes a ``component_verify_ticket`` every 10 minutes to the authorization
   event URL: read it with :class:`smmkit.webhooks.WeChatComponentCallback` and keep it
   with :meth:`WeChatComponentAdapter.save_ticket` (it is valid 12 hours);
2. the component access token (``api_component_token``, 2 hours) is fetched with the
   ticket by the client's token machinery: stored, shared, refreshed before expiry;
3. :meth:`~WeChatComponentAdapter.pre_auth_code` and :func:`authorization_url` give the
   page an account administrator scans (PC) or opens (mobile) to authorize;
4. the callback's ``auth_code`` goes to :meth:`~WeChatComponentAdapter.query_auth`,
   whose :class:`Authorization` (authorizer AppID, access and refresh token, granted
   permission sets) :meth:`~WeChatComponentAdapter.save_authorization` keeps;
5. ``WeChatOfficialAccountAdapter(authorizer=component.authorizer(appid))`` then
   publishes for that account; its token is renewed with ``api_authorizer_token``.

Every token lives in the :class:`~smmkit.platforms.TokenStore` you give the component
(in memory, file or Redis), behind :attr:`WeChatComponentAdapter.store`: give that store
to every client (``token_store=component.store``) so that one lock covers the component
token and all authorizer tokens (single flight across workers).

Example:
    >>> from smmkit.platforms import Credentials, InMemoryTokenStore
    >>> component = WeChatComponentAdapter(
    ...     credentials=Credentials(client_id="wx_c", client_secret="component-secret"),
    ...     token_store=InMemoryTokenStore())
    >>> authorization_url("wx_c", "preauthcode@@@1", redirect_uri="https://agency.example/cb")
    'https://mp.weixin.qq.com/cgi-bin/componentloginpage?component_appid=wx_c&pre_auth_code=preauthcode%40%40%401&redirect_uri=https%3A%2F%2Fagency.example%2Fcb&auth_type=1'
    >>> "component-secret" in repr(component)
    False
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from pydantic import SecretStr

from smmkit.exceptions import AuthenticationError, InvalidInputError, TokenExpiredError
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import Flow, Now, received_at
from smmkit.platforms._auth import Credentials, SecretModel, Token, TokenStore, needs_refresh
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._wechat_component_wire import (
    Authorization,
    AuthorizerRefreshTokenError,
    ComponentIPNotAllowedError,
    ComponentTicketError,
    ComponentTokenStore,
    PreAuthCode,
    WeChatComponentError,
    authorizer_token_key,
    component_error_info,
)
from smmkit.platforms._weixin import WeixinAdapter

__all__ = [
    "Authorization",
    "AuthorizerRefreshTokenError",
    "AuthorizerSource",
    "ComponentIPNotAllowedError",
    "ComponentTicketError",
    "ComponentTokenStore",
    "PreAuthCode",
    "WeChatComponentAdapter",
    "WeChatComponentError",
    "authorization_url",
    "authorizer_token_key",
]

_PC_URL = "https://mp.weixin.qq.com/cgi-bin/componentloginpage"
_MOBILE_URL = "https://mp.weixin.qq.com/safe/bindcomponent"
_TICKET_LIFETIME = timedelta(hours=12)
_COMPONENT_MARGIN = 600.0  # renew 10 minutes early (the docs suggest at 1 h 50 min)


def authorization_url(
    component_appid: str,
    pre_auth_code: str | PreAuthCode,
    *,
    redirect_uri: str,
    auth_type: int | None = 1,
    biz_appid: str | None = None,
    mobile: bool = False,
) -> str:
    """The authorization page for an account administrator (授权流程技术说明, 2026-12-07:
    https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/Authorization_Process_Technical_Description.html).

    PC: ``mp.weixin.qq.com/cgi-bin/componentloginpage`` shows a QR code to scan;
    ``mobile=True``: ``mp.weixin.qq.com/safe/bindcomponent?action=bindcomponent&no_scan=1``
    opened inside WeChat (``#wechat_redirect``). ``auth_type`` 1 lists Official Accounts,
    2 Mini Programs, 3 both; ``biz_appid`` names the one account to authorize instead
    (the two exclude each other). After the administrator agrees, WeChat redirects to
    ``redirect_uri?auth_code=...&expires_in=600``.

    Example:
        >>> authorization_url("wx_c", "pre@@@1", redirect_uri="https://a.example/cb",
        ...                   auth_type=None, biz_appid="wx_oa", mobile=True)[:90]
        'https://mp.weixin.qq.com/safe/bindcomponent?action=bindcomponent&no_scan=1&component_appid'
    """
    require(component_appid, "component_appid", str, "a str (the component's AppID)")
    if isinstance(pre_auth_code, PreAuthCode):
        pre_auth_code = pre_auth_code.code.get_secret_value()
    require(pre_auth_code, "pre_auth_code", str, "a str or a PreAuthCode")
    require(redirect_uri, "redirect_uri", str, "a str (an https:// URL)")
    if not component_appid or not pre_auth_code:
        raise InvalidInputError.single("pre_auth_code", "must not be empty")
    if not redirect_uri.startswith(("https://", "http://")):
        raise InvalidInputError.single("redirect_uri", "must be an http(s) URL", redirect_uri)
    if biz_appid is not None and auth_type is not None:
        raise InvalidInputError.single(
            "auth_type", "leave it out (None) when naming one account with biz_appid"
        )
    params: dict[str, str] = {}
    if mobile:
        params.update(action="bindcomponent", no_scan="1")
    params.update(
        component_appid=component_appid, pre_auth_code=pre_auth_code, redirect_uri=redirect_uri
    )
    if auth_type is not None:
        if isinstance(auth_type, bool) or not isinstance(auth_type, int) or auth_type < 1:
            raise InvalidInputError.single("auth_type", "must be 1, 2, 3 (or None)", auth_type)
        params["auth_type"] = str(auth_type)
    if biz_appid is not None:
        require(biz_appid, "biz_appid", str, "a str or None")
        params["biz_appid"] = biz_appid
    query = urlencode(params, quote_via=quote)
    if mobile:
        return f"{_MOBILE_URL}?{query}#wechat_redirect"
    return f"{_PC_URL}?{query}"


class WeChatComponentAdapter(WeixinAdapter):
    """The third-party platform's own calls, driven by a :class:`~smmkit.platforms.Client`.

    ``credentials`` are the component's AppID and AppSecret; ``token_store`` keeps the
    ticket, the component token and the authorizers' tokens (wrapped in a
    :class:`ComponentTokenStore`, :attr:`store`). The client's token is the component
    access token (``component_access_token`` in the query); it is fetched with the stored
    ticket. Errors: 61004 :class:`ComponentIPNotAllowedError`, 61005/61006
    :class:`ComponentTicketError`, 61023 :class:`AuthorizerRefreshTokenError` (all
    :class:`~smmkit.exceptions.AuthenticationError`); 40001/40014/42001 a rejected
    component token (refreshed once); each with ``code`` and WeChat's ``rid`` as
    ``request_id``.

    Example:
        >>> from smmkit.platforms import Client, Credentials, InMemoryTokenStore
        >>> import httpx
        >>> component = WeChatComponentAdapter(
        ...     credentials=Credentials(client_id="wx_c", client_secret="secret-1"),
        ...     token_store=InMemoryTokenStore())
        >>> try:
        ...     Client(component, token_store=component.store).run(component.pre_auth_code())
        ... except ComponentTicketError as exc:
        ...     print(exc.code)
        61005
    """

    name = "wechat_component"
    platform_id = "wechat_oa"
    default_base_url = "https://api.weixin.qq.com"
    token_path = "/cgi-bin/component/api_component_token"
    capabilities = frozenset()
    token_expired_codes = frozenset({40001, 40014, 42001})
    throttle_codes = frozenset({45009, 45011})
    permission_codes = frozenset({48001})

    def __init__(
        self,
        *,
        credentials: Credentials,
        token_store: TokenStore,
        base_url: str | None = None,
        spec: Platform | None = None,
    ) -> None:
        require(credentials, "credentials", Credentials, "Credentials (the component's AppID)")
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        if isinstance(token_store, ComponentTokenStore):
            token_store = token_store.inner
        self.store = ComponentTokenStore(token_store, credentials.client_id)

    @property
    def appid(self) -> str:
        """The component's AppID."""
        return self._credentials().client_id

    @property
    def account(self) -> str:
        """The component's AppID (keys its token: ``wechat_component:<appid>``)."""
        return self.appid

    @property
    def token_key(self) -> str:
        """Where the component access token is stored."""
        return f"{self.name}:{self.appid}"

    @property
    def ticket_key(self) -> str:
        """Where the latest ``component_verify_ticket`` is stored."""
        return f"{self.name}:{self.appid}:ticket"

    # -- the ticket ------------------------------------------------------------------

    def save_ticket(self, event: Any) -> None:
        """Keep the ticket of a ``component_verify_ticket`` push (valid 12 hours).

        ``event`` is the :class:`smmkit.webhooks.ComponentVerifyTicket` that
        :class:`smmkit.webhooks.WeChatComponentCallback` returned (its ``event``).
        """
        from smmkit.webhooks import ComponentVerifyTicket

        require(event, "event", ComponentVerifyTicket, "a ComponentVerifyTicket event")
        if event.app_id != self.appid:
            raise InvalidInputError.single("event", "is a ticket of another component")
        self.store.put(
            self.ticket_key,
            Token(access_token=event.ticket, expires_at=event.create_time + _TICKET_LIFETIME),
        )

    # -- the component token ---------------------------------------------------------

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """Put the component token in the ``component_access_token`` query parameter."""
        url = request.url.copy_set_param(
            "component_access_token", token.access_token.get_secret_value()
        )
        return httpx.Request(
            request.method,
            url,
            headers=request.headers,
            stream=request.stream,
            extensions=request.extensions,
        )

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """``POST cgi-bin/component/api_component_token`` with the stored ticket.

        https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/component_access_token.html
        A new token invalidates the previous one soon after: the client fetches inside
        the store's lock, once for all workers.
        """
        ticket = self.store.get(self.ticket_key)
        if ticket is None:
            raise ComponentTicketError(
                "no component_verify_ticket stored yet: WeChat pushes one every 10 minutes "
                "to the authorization event URL (save it with save_ticket)",
                platform=self.platform_id,
                code=61005,
            )
        creds = self._credentials()
        body = {
            "component_appid": creds.client_id,
            "component_appsecret": creds.client_secret.get_secret_value(),
            "component_verify_ticket": ticket.access_token.get_secret_value(),
        }
        response = yield self._post(self.token_path, body, endpoint="component_token", safe=True)
        answer = response.json()
        expires_in = float(answer.get("expires_in") or 7200)
        return Token(
            access_token=answer["component_access_token"],
            expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
        )

    def component_token(self, *, stale: Token | None = None) -> Flow[Token]:
        """The stored component token, renewed first when it expires within 10 minutes
        (or is ``stale``, one WeChat refused). For flows run under :attr:`store`'s lock
        (an authorizer's refresh); the component's own client manages it by itself."""
        now: datetime = yield Now()
        token = self.store.get(self.token_key)
        if (
            token is not None
            and not token.same_as(stale)
            and not needs_refresh(token, now=now.timestamp(), margin=_COMPONENT_MARGIN)
        ):
            return token
        if not self.store.held:
            raise InvalidInputError.single(
                "token_store",
                "give the client token_store=component.store: the component token must be "
                "renewed under the component's lock",
            )
        fresh = yield from self.fetch_token(token)
        self.store.put(self.token_key, fresh)
        return fresh

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """WeChat's ``errcode`` mapping plus the component's own codes (61004, 61005,
        61006, 61023) and WeChat's ``rid`` as the request id."""
        return component_error_info(response, super().parse_error(response))

    # -- authorization ----------------------------------------------------------------

    def pre_auth_code(self) -> Flow[PreAuthCode]:
        """``api_create_preauthcode``: a code for one authorization page (600 s in the example).

        https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/pre_auth_code.html
        """
        response = yield self._post(
            "/cgi-bin/component/api_create_preauthcode",
            {"component_appid": self.appid},
            endpoint="component",
            safe=True,  # an unused pre-auth code expires on its own
        )
        body = response.json()
        expires_in = float(body.get("expires_in") or 600)
        return PreAuthCode(
            code=body["pre_auth_code"],
            expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
        )

    def authorization_url(
        self, pre_auth_code: str | PreAuthCode, *, redirect_uri: str, **options: Any
    ) -> str:
        """:func:`authorization_url` for this component (``options``: ``auth_type``,
        ``biz_appid``, ``mobile``)."""
        return authorization_url(self.appid, pre_auth_code, redirect_uri=redirect_uri, **options)

    def query_auth(self, authorization_code: str) -> Flow[Authorization]:
        """``api_query_auth``: the account, its tokens and permissions for an ``auth_code``.

        https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/authorization_info.html
        """
        require(authorization_code, "authorization_code", str, "a str (the callback's auth_code)")
        if not authorization_code:
            raise InvalidInputError.single("authorization_code", "must not be empty")
        response = yield self._post(
            "/cgi-bin/component/api_query_auth",
            {"component_appid": self.appid, "authorization_code": authorization_code},
            endpoint="component",
            safe=True,
        )
        info = response.json()["authorization_info"]
        funcs = tuple(
            int(item["funcscope_category"]["id"])
            for item in info.get("func_info") or ()
            if isinstance(item, dict) and isinstance(item.get("funcscope_category"), dict)
        )
        expires_in = float(info.get("expires_in") or 7200)
        return Authorization(
            authorizer_appid=str(info["authorizer_appid"]),
            token=Token(
                access_token=info["authorizer_access_token"],
                refresh_token=info["authorizer_refresh_token"],
                expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
            ),
            func_info=funcs,
        )

    def save_authorization(self, authorization: Authorization) -> None:
        """Keep an account's tokens where its Official Account client looks for them."""
        require(authorization, "authorization", Authorization, "an Authorization")
        self.store.put(authorizer_token_key(authorization.authorizer_appid), authorization.token)

    def _authorizer_request(
        self, component_token: Token, authorizer_appid: str, refresh_token: str
    ) -> httpx.Request:
        request = self._post(
            "/cgi-bin/component/api_authorizer_token",
            {
                "component_appid": self.appid,
                "authorizer_appid": authorizer_appid,
                "authorizer_refresh_token": refresh_token,
            },
            endpoint="component",
            safe=True,
        )
        return self.authorize(request, component_token)

    def refresh_authorizer(self, authorizer_appid: str, refresh_token: str) -> Flow[Token]:
        """``api_authorizer_token``: a new ``authorizer_access_token`` (2 hours).

        https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/ThirdParty/token/api_authorizer_token.html
        Run it on the component's client; an Official Account client with
        ``authorizer=`` calls it by itself when its token expires.
        """
        require(authorizer_appid, "authorizer_appid", str, "a str")
        response = yield self._post(
            "/cgi-bin/component/api_authorizer_token",
            {
                "component_appid": self.appid,
                "authorizer_appid": authorizer_appid,
                "authorizer_refresh_token": refresh_token,
            },
            endpoint="component",
            safe=True,
        )
        return _authorizer_token(response, refresh_token)

    def authorizer(self, authorizer_appid: str) -> AuthorizerSource:
        """The token source of one authorized account, for ``WeChatOfficialAccountAdapter``."""
        return AuthorizerSource(self, authorizer_appid)


def _authorizer_token(response: httpx.Response, refresh_token: str) -> Token:
    body = response.json()
    expires_in = float(body.get("expires_in") or 7200)
    return Token(
        access_token=body["authorizer_access_token"],
        refresh_token=body.get("authorizer_refresh_token") or refresh_token,
        expires_at=datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc),
    )


class ComponentSecrets(SecretModel):
    """The component secrets an Official Account client may meet (kept for redaction).

    Example:
        >>> ComponentSecrets(app_secret="s")
        ComponentSecrets(app_secret=SecretStr('**********'), ticket=None, component_token=None)
    """

    app_secret: SecretStr
    ticket: SecretStr | None = None
    component_token: SecretStr | None = None


class AuthorizerSource:
    """How an Official Account client gets its token through the component.

    ``WeChatOfficialAccountAdapter(authorizer=component.authorizer("wx_oa"))`` stores its
    token under ``wechat_oa:<authorizer appid>`` (where
    :meth:`WeChatComponentAdapter.save_authorization` put it) and renews it with
    ``api_authorizer_token``, renewing the component token first when needed, all under
    the component's lock (give the client ``token_store=component.store``).

    Example:
        >>> from smmkit.platforms import Credentials, InMemoryTokenStore
        >>> component = WeChatComponentAdapter(
        ...     credentials=Credentials(client_id="wx_c", client_secret="s"),
        ...     token_store=InMemoryTokenStore())
        >>> component.authorizer("wx_oa")
        AuthorizerSource(component='wx_c', authorizer_appid='wx_oa')
    """

    def __init__(self, component: WeChatComponentAdapter, authorizer_appid: str) -> None:
        require(component, "component", WeChatComponentAdapter, "a WeChatComponentAdapter")
        require(authorizer_appid, "authorizer_appid", str, "a str (the account's AppID)")
        if not authorizer_appid:
            raise InvalidInputError.single("authorizer_appid", "must not be empty")
        self.component = component
        self.authorizer_appid = authorizer_appid
        self._component_token: Token | None = None

    def __repr__(self) -> str:
        return (
            f"AuthorizerSource(component={self.component.appid!r}, "
            f"authorizer_appid={self.authorizer_appid!r})"
        )

    def secrets(self) -> ComponentSecrets:
        """The component's secrets this source knows of, for redaction: its AppSecret,
        the stored ticket and component token."""
        component = self.component
        ticket, token = component.store.get(component.ticket_key), self._component_token
        return ComponentSecrets(
            app_secret=component._credentials().client_secret,
            ticket=ticket.access_token if ticket is not None else None,
            component_token=token.access_token if token is not None else None,
        )

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """Renew the authorizer token with its stored refresh token (one flow, no lock).

        A component token WeChat refuses on the way (40001, 42001) is renewed once.
        """
        component = self.component
        stored = current or component.store.get(authorizer_token_key(self.authorizer_appid))
        refresh = stored.refresh_token if stored is not None else None
        if refresh is None:
            raise AuthorizerRefreshTokenError(
                f"no authorizer_refresh_token stored for {self.authorizer_appid}: connect the "
                "account first (query_auth, then save_authorization)",
                platform=component.platform_id,
            )
        secret = refresh.get_secret_value()
        token = self._component_token = yield from component.component_token()
        try:
            response = yield component._authorizer_request(token, self.authorizer_appid, secret)
        except TokenExpiredError:
            token = self._component_token = yield from component.component_token(stale=token)
            response = yield component._authorizer_request(token, self.authorizer_appid, secret)
        return _authorizer_token(response, secret)

    def error_info(self, response: httpx.Response, info: ErrorInfo | None) -> ErrorInfo | None:
        """The component's error mapping, for the component calls an OA client makes."""
        try:
            path = response.request.url.path
        except RuntimeError:
            return info
        if not path.startswith("/cgi-bin/component/"):
            return info
        if (
            path == self.component.token_path
            and info is not None
            and issubclass(info.kind, TokenExpiredError)
        ):  # on the token call itself a credential error means a wrong AppSecret
            info = ErrorInfo(AuthenticationError, info.message, code=info.code)
        return component_error_info(response, info)
