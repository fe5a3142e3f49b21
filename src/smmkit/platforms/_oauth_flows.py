"""The token-endpoint flows of :mod:`smmkit.platforms.oauth` and the checks they share
with its pure helpers: requests built from a provider's quirks, answers read into
:class:`~smmkit.platforms.oauth.OAuthToken`, errors raised typed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Generator, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from smmkit.exceptions import APIError, InvalidInputError, UnsupportedOperationError
from smmkit.platforms._adapter import ENDPOINT, SAFE, Flow, Now
from smmkit.platforms._checks import require
from smmkit.platforms._oauth_errors import OAUTH_PROVIDER, build_error
from smmkit.platforms._oauth_models import OAuthClient, OAuthProvider, OAuthToken, PkcePair
from smmkit.platforms._oauth_providers import mastodon, mastodon_origin
from smmkit.platforms._translate import unexpected_answer

__all__ = [
    "VERIFIER",
    "check_redirect",
    "exchange_code",
    "exchange_long_lived",
    "refresh",
    "register_app",
    "require_provider",
    "require_text",
    "revoke",
    "scope_list",
    "unreadable",
]

OOB_REDIRECT = "urn:ietf:wg:oauth:2.0:oob"
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.1
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_LIFETIME = 100 * 365 * 86400.0  # beyond this an expires_in is nonsense: no expiry
_EPOCH_FLOOR = 1e9  # an expires_in past 2001-09-09 as epoch seconds is an expiry time


def scope_list(scopes: Sequence[str] | str, field: str = "scopes") -> list[str]:
    if isinstance(scopes, str):
        items = [s for s in re.split(r"[ ,]+", scopes) if s]
    else:
        if not isinstance(scopes, Sequence):
            raise InvalidInputError.single(
                field, "must be a list of scope names or one str", type(scopes).__name__
            )
        items = list(scopes)
        for item in items:
            if not isinstance(item, str) or not item or re.search(r"[\s,]", item):
                raise InvalidInputError.single(
                    field, "each scope must be a non-empty str without spaces or commas", item
                )
    return list(dict.fromkeys(encodable(item, field) for item in items))


def check_redirect(provider: OAuthProvider, value: Any, field: str = "redirect_uri") -> str:
    uri: str = require(value, field, str, "a str (the callback URL registered with the provider)")
    encodable(uri, field)
    if provider.oob_redirect and uri == OOB_REDIRECT:
        return uri
    what = "must be an https:// URL (http:// only for localhost, 127.0.0.1 or [::1])"
    try:
        url = httpx.URL(uri)
    except (httpx.InvalidURL, ValueError):
        raise InvalidInputError.single(field, what, uri) from None
    if not url.host or not (
        url.scheme == "https" or (url.scheme == "http" and url.host in _LOOPBACK)
    ):
        raise InvalidInputError.single(field, what, uri)
    if url.fragment or "#" in uri:
        raise InvalidInputError.single(field, "must not have a fragment (RFC 6749 §3.1.2)", uri)
    return uri


def require_provider(provider: Any) -> OAuthProvider:
    return require(provider, "provider", OAuthProvider, "an OAuthProvider (e.g. oauth.X)")


def require_text(value: Any, field: str) -> str:
    """``value`` when it is a non-empty str that encodes as UTF-8 (no lone surrogate)."""
    require(value, field, str, "a non-empty str")
    if not value:
        raise InvalidInputError.single(field, "must not be empty")
    return encodable(value, field)


def encodable(value: str, field: str) -> str:
    """``value`` when it encodes as UTF-8: a lone surrogate cannot go into a URL or form."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError.single(
            field, "must be valid Unicode text (it holds a lone surrogate)"
        ) from None
    return value


# -- requests ---------------------------------------------------------------------------


def _secret(value: Any, field: str) -> str:
    if isinstance(value, PkcePair):
        value = value.verifier
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if not isinstance(value, str) or not value:
        raise InvalidInputError.single(field, "must be a non-empty str or SecretStr")
    return encodable(value, field)


def _require_client(client: Any) -> OAuthClient:
    return require(client, "client", OAuthClient, "an OAuthClient")


def _basic(client: OAuthClient) -> str:
    secret = client.client_secret.get_secret_value() if client.client_secret else ""
    # RFC 6749 §2.3.1: each part form-encoded, then base64
    raw = f"{quote(client.client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _request(
    provider: OAuthProvider,
    method: str,
    url: str,
    params: dict[str, str],
    *,
    safe: bool,
    client: OAuthClient | None = None,
    bearer: str | None = None,
) -> httpx.Request:
    """One request to ``provider``, authenticated as ``client`` (or with ``bearer``)."""
    params = dict(params)
    headers = {"Accept": "application/json"}
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    elif client is not None:
        if provider.client_auth == "basic" and client.client_secret is not None:
            headers["Authorization"] = _basic(client)
        else:
            params[provider.client_id_param] = client.client_id
            if client.client_secret is not None:
                params[provider.client_secret_param] = client.client_secret.get_secret_value()
    extensions = {ENDPOINT: "oauth", SAFE: safe, OAUTH_PROVIDER: provider}
    if method in ("GET", "DELETE"):
        return httpx.Request(method, url, params=params, headers=headers, extensions=extensions)
    return httpx.Request(method, url, data=params, headers=headers, extensions=extensions)


def unreadable(
    provider: OAuthProvider, exc: Exception, request: httpx.Request, response: httpx.Response
) -> APIError:
    """The error for an answer of ``provider`` that could not be read (raise it unchained)."""
    return unexpected_answer(
        exc,
        request,
        response,
        platform=provider.name,
        request_id_headers=provider.request_id_headers,
    )


def _checked(response: httpx.Response) -> httpx.Response:
    """``response`` if it is a success; else raise the provider's typed error.

    Under a driver, error statuses were raised already; this catches errors in a 2xx
    body and answers given straight to the flow (``smmkit.testing.run_flow``).
    """
    error = build_error(response)
    if error is not None:
        raise error
    return response


def _body(provider: OAuthProvider, response: httpx.Response) -> dict[str, Any]:
    failed: APIError
    try:
        body = response.json()
        if not isinstance(body, dict):
            raise TypeError("not a JSON object")
        if provider.answer_envelope is not None:  # Douyin: {"data": {...}, "message"}
            body = body[provider.answer_envelope]
            if not isinstance(body, dict):
                raise TypeError("not a JSON object")
        return body
    except (LookupError, ValueError, TypeError) as exc:
        failed = unreadable(provider, exc, response.request, response)
    raise failed  # outside the handler: a JSONDecodeError holds the body (the tokens)


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        return None
    return min(float(value), _MAX_LIFETIME)


def _token(
    provider: OAuthProvider,
    response: httpx.Response,
    now: datetime,
    *,
    previous_refresh: str | None = None,
) -> OAuthToken:
    body = _body(provider, response)
    failed: APIError
    try:
        access = body["access_token"]
        if not isinstance(access, str) or not access:
            raise TypeError("access_token")
        expires_in = _seconds(body.get("expires_in"))
        if expires_in is not None and _EPOCH_FLOOR < expires_in < _MAX_LIFETIME:
            # Bilibili documents expires_in as the expiry itself, in epoch seconds
            expires_in = max(1.0, expires_in - now.timestamp())
        refresh_in = _seconds(body.get("refresh_token_expires_in", body.get("refresh_expires_in")))
        refresh_token = body.get("refresh_token")
        if not isinstance(refresh_token, str) or not refresh_token:
            refresh_token = previous_refresh  # not rotated (Google, LinkedIn): keep it
            refresh_in = None if refresh_token is None else refresh_in
        scope = body.get("scope", body.get("scopes"))  # Bilibili: "scopes", a list
        if isinstance(scope, str):
            scopes = tuple(dict.fromkeys(s for s in re.split(r"[ ,]+", scope) if s))
        elif isinstance(scope, list):
            scopes = tuple(dict.fromkeys(str(s) for s in scope if s))
        else:
            scopes = ()
        token_type = body.get("token_type")
        # TikTok open_id, Weibo uid, WeChat openid
        account = body.get("open_id", body.get("uid", body.get("openid")))
        id_token = body.get("id_token")
        return OAuthToken(
            access_token=access,
            refresh_token=refresh_token,
            token_type=token_type if isinstance(token_type, str) and token_type else "bearer",
            expires_at=None if expires_in is None else now + timedelta(seconds=expires_in),
            refresh_expires_at=None if refresh_in is None else now + timedelta(seconds=refresh_in),
            scopes=scopes,
            account_id=account if isinstance(account, str) and account else None,
            id_token=id_token if isinstance(id_token, str) and id_token else None,
        )
    except (LookupError, TypeError, ValueError) as exc:
        failed = unreadable(provider, exc, response.request, response)
    raise failed


def _token_flow(
    provider: OAuthProvider, request: httpx.Request, *, previous_refresh: str | None = None
) -> Generator[httpx.Request | Now, Any, OAuthToken]:
    response = _checked((yield request))
    now = yield Now()  # the driver's clock: expires_in counts from the answer
    return _token(provider, response, now, previous_refresh=previous_refresh)


# -- flows ------------------------------------------------------------------------------


def exchange_code(
    provider: OAuthProvider,
    *,
    client: OAuthClient,
    code: str,
    redirect_uri: str,
    code_verifier: str | SecretStr | PkcePair | None = None,
) -> Flow[OAuthToken]:
    """Flow: trade the callback's ``code`` for tokens (``grant_type=authorization_code``).

    ``redirect_uri`` must be the one the authorization URL carried; ``code_verifier`` the
    verifier of the PKCE pair whose challenge it carried (required by X). Arguments are
    checked at once; the request goes out when the flow is run.

    Example:
        >>> import httpx
        >>> from datetime import datetime, timezone
        >>> from smmkit.testing import run_flow
        >>> from smmkit.platforms.oauth import TIKTOK, OAuthClient
        >>> app = OAuthClient(client_id="ck-1", client_secret="cs-123456789")
        >>> seen = []
        >>> def tiktok(request):
        ...     seen.append(request.content.decode())
        ...     return httpx.Response(200, json={"access_token": "act.1", "expires_in": 86400,
        ...         "open_id": "u-1", "refresh_token": "rft.1", "refresh_expires_in": 31536000,
        ...         "scope": "user.info.basic,video.publish", "token_type": "Bearer"})
        >>> token = run_flow(exchange_code(TIKTOK, client=app, code="c-1",
        ...     redirect_uri="https://app.example/cb"), tiktok,
        ...     now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> token.account_id, token.refresh_expires_at.year, token.scopes
        ('u-1', 2027, ('user.info.basic', 'video.publish'))
        >>> seen[0].split("&")[:3]
        ['grant_type=authorization_code', 'code=c-1', 'redirect_uri=https%3A%2F%2Fapp.example%2Fcb']
    """
    require_provider(provider)
    _require_client(client)
    params = {
        "grant_type": "authorization_code",
        "code": _secret(code, "code"),
        "redirect_uri": check_redirect(provider, redirect_uri),
    }
    if not provider.code_grant_type:
        del params["grant_type"]  # Meta's GET oauth/access_token documents none
    if not provider.exchange_redirect_uri:
        del params["redirect_uri"]  # Douyin's exchange takes none (checked all the same)
    if code_verifier is not None:
        if provider.pkce == "none":
            raise InvalidInputError.single(
                "code_verifier", f"{provider.name} takes no PKCE for this kind of app"
            )
        verifier = _secret(code_verifier, "code_verifier")
        if not VERIFIER.fullmatch(verifier):
            raise InvalidInputError.single(
                "code_verifier", "must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~"
            )
        params["code_verifier"] = verifier
    elif provider.pkce == "required":
        raise InvalidInputError.single(
            "code_verifier", f"is required by {provider.name}: the verifier of the PKCE pair"
        )
    request = _request(
        provider, provider.token_method, provider.token_url, params, client=client, safe=True
    )
    return _token_flow(provider, request)


def refresh(
    provider: OAuthProvider, *, client: OAuthClient, refresh_token: str | SecretStr
) -> Flow[OAuthToken]:
    """Flow: a new access token for a refresh token (``grant_type=refresh_token``).

    Providers that rotate refresh tokens (X, TikTok) send a new one: store it, the old
    one stops working. Those that do not (Google, LinkedIn) send none: the result then
    keeps the one given. Meta and Mastodon issue no refresh tokens
    (:class:`~smmkit.exceptions.UnsupportedOperationError`; for Meta see
    :func:`exchange_long_lived`).

    Example:
        >>> import httpx
        >>> from datetime import datetime, timezone
        >>> from smmkit.testing import run_flow
        >>> from smmkit.platforms.oauth import GOOGLE, OAuthClient
        >>> app = OAuthClient(client_id="cid", client_secret="cs-123456789")
        >>> def google(request):
        ...     return httpx.Response(200, json={"access_token": "ya29.new",
        ...                                      "expires_in": 3599, "token_type": "Bearer"})
        >>> token = run_flow(refresh(GOOGLE, client=app, refresh_token="1//rt-old"), google,
        ...                  now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> token.refresh_token.get_secret_value(), token.to_token().access_token
        ('1//rt-old', SecretStr('**********'))
    """
    require_provider(provider)
    _require_client(client)
    if provider.refresh_tokens == "never":
        instead = (
            " (exchange_long_lived gives a ~60-day token)" if provider.long_lived_exchange else ""
        )
        raise UnsupportedOperationError(
            f"{provider.name} issues no refresh tokens{instead}", platform=provider.name
        )
    current = _secret(refresh_token, "refresh_token")
    params = {"grant_type": "refresh_token", "refresh_token": current}
    if not provider.refresh_client_secret:  # Douyin: client_key only
        client = OAuthClient(client_id=client.client_id)
    url = provider.refresh_url or provider.token_url
    request = _request(provider, provider.refresh_method, url, params, client=client, safe=True)
    return _token_flow(provider, request, previous_refresh=current)


def exchange_long_lived(
    provider: OAuthProvider, *, client: OAuthClient, short_lived_token: str | SecretStr
) -> Flow[OAuthToken]:
    """Flow (Meta): a long-lived (~60 days) user token for a short-lived one.

    ``GET {graph}/oauth/access_token?grant_type=fb_exchange_token`` with the app's id and
    secret (https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived).

    Example:
        >>> import httpx
        >>> from datetime import datetime, timezone
        >>> from smmkit.testing import run_flow
        >>> from smmkit.platforms.oauth import META, OAuthClient
        >>> app = OAuthClient(client_id="1234", client_secret="app-secret-1")
        >>> def graph(request):
        ...     assert request.url.params["grant_type"] == "fb_exchange_token"
        ...     return httpx.Response(200, json={"access_token": "EAAlong", "token_type": "bearer",
        ...                                      "expires_in": 5183944})
        >>> token = run_flow(exchange_long_lived(META, client=app, short_lived_token="EAAshort"),
        ...                  graph, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> token.expires_at.date().isoformat()
        '2026-03-01'
    """
    require_provider(provider)
    _require_client(client)
    if not provider.long_lived_exchange:
        raise InvalidInputError.single(
            "provider", f"{provider.name} has no long-lived token exchange (Meta only)"
        )
    if client.client_secret is None:
        raise InvalidInputError.single("client", "needs the app's client_secret")
    params = {
        "grant_type": "fb_exchange_token",
        "fb_exchange_token": _secret(short_lived_token, "short_lived_token"),
    }
    request = _request(
        provider, provider.token_method, provider.token_url, params, client=client, safe=True
    )
    return _token_flow(provider, request)


def revoke(
    provider: OAuthProvider,
    *,
    client: OAuthClient,
    token: str | SecretStr | OAuthToken,
    token_type_hint: Literal["access_token", "refresh_token"] | None = None,
) -> Flow[None]:
    """Flow: revoke a token (RFC 7009; Meta: ``DELETE /me/permissions`` with the token).

    An :class:`OAuthToken` is revoked through its refresh token when it has one (that
    ends the whole grant), else its access token. A token the provider no longer accepts
    raises :class:`~smmkit.exceptions.AuthenticationError`.

    Example:
        >>> import httpx
        >>> from smmkit.testing import run_flow
        >>> from smmkit.platforms.oauth import GOOGLE, OAuthClient
        >>> sent = []
        >>> def google(request):
        ...     sent.append((request.url.path, request.content.decode()))
        ...     return httpx.Response(200)
        >>> run_flow(revoke(GOOGLE, client=OAuthClient(client_id="cid"), token="1//rt"), google)
        >>> sent
        [('/revoke', 'token=1%2F%2Frt')]
    """
    require_provider(provider)
    _require_client(client)
    if provider.revoke_url is None:
        raise UnsupportedOperationError(
            f"{provider.name} has no token revocation endpoint", platform=provider.name
        )
    if isinstance(token, OAuthToken):
        if token.refresh_token is not None and provider.revoke_auth != "bearer":
            value, hint = token.refresh_token.get_secret_value(), "refresh_token"
        else:
            value, hint = token.access_token.get_secret_value(), "access_token"
        token_type_hint = token_type_hint or hint  # type: ignore[assignment]
    else:
        value = _secret(token, "token")
    if token_type_hint is not None and token_type_hint not in ("access_token", "refresh_token"):
        raise InvalidInputError.single(
            "token_type_hint", "must be 'access_token', 'refresh_token' or None", token_type_hint
        )
    if provider.revoke_auth == "bearer":
        if not re.fullmatch(r"[A-Za-z0-9\-._~+/]+=*", value):  # RFC 6750 b64token
            raise InvalidInputError.single("token", "is not a bearer token (RFC 6750 characters)")
        request = _request(
            provider, provider.revoke_method, provider.revoke_url, {}, bearer=value, safe=True
        )
    else:
        params = {provider.revoke_token_param: value}
        if token_type_hint is not None and provider.name == "x":
            params["token_type_hint"] = token_type_hint  # X documents it; others ignore it
        request = _request(
            provider,
            provider.revoke_method,
            provider.revoke_url,
            params,
            client=client if provider.revoke_auth == "client" else None,
            safe=True,
        )
    return _revoke_flow(provider, request)


def _revoke_flow(
    provider: OAuthProvider, request: httpx.Request
) -> Generator[httpx.Request, Any, None]:
    response = _checked((yield request))
    if provider.revoke_auth == "bearer" and response.content:
        body = _body(provider, response)
        if body.get("success") is False:  # Meta answers {"success": true}
            failed = unreadable(provider, ValueError("success: false"), request, response)
            failed.outcome_unknown = False
            raise failed


def register_app(
    instance_url: str,
    *,
    client_name: str,
    redirect_uris: Sequence[str] | str,
    scopes: Sequence[str] | str,
    website: str | None = None,
) -> Flow[OAuthClient]:
    """Flow (Mastodon): register an application on an instance (``POST /api/v1/apps``).

    Register once per instance and keep the client id and secret (an app per login
    leaves orphans on the server). Then :func:`authorization_url` with
    ``mastodon(instance_url)`` and the same scopes (https://docs.joinmastodon.org/methods/apps/).

    Example:
        >>> import httpx
        >>> from smmkit.testing import run_flow
        >>> def server(request):
        ...     return httpx.Response(200, json={"id": "1", "name": "brand",
        ...         "client_id": "cid-1", "client_secret": "cs-123456789"})
        >>> app = run_flow(register_app("https://social.example", client_name="brand",
        ...     redirect_uris=["https://app.example/cb"], scopes=["read", "write"]), server)
        >>> app
        OAuthClient(client_id='cid-1', client_secret=SecretStr('**********'))
    """
    provider = mastodon(instance_url)
    origin = mastodon_origin(instance_url)
    name = require_text(client_name, "client_name")
    uris = [redirect_uris] if isinstance(redirect_uris, str) else redirect_uris
    if not isinstance(uris, Sequence) or not uris:
        raise InvalidInputError.single("redirect_uris", "must be one URL or a non-empty list")
    checked = [check_redirect(provider, uri, "redirect_uris") for uri in uris]
    scope = scope_list(scopes)
    params = {"client_name": name, "redirect_uris": "\n".join(checked)}
    if scope:
        params["scopes"] = " ".join(scope)
    if website is not None:
        require(website, "website", str, "a str or None")
        encodable(website, "website")
        if not website.startswith(("https://", "http://")):
            raise InvalidInputError.single("website", "must be an http(s) URL", website)
        params["website"] = website
    request = _request(provider, "POST", f"{origin}/api/v1/apps", params, safe=False)
    return _register_flow(provider, request)


def _register_flow(
    provider: OAuthProvider, request: httpx.Request
) -> Generator[httpx.Request, Any, OAuthClient]:
    response = _checked((yield request))
    body = _body(provider, response)
    failed: APIError
    try:
        client_id, secret = body["client_id"], body["client_secret"]
        if not isinstance(client_id, str) or not isinstance(secret, str):
            raise TypeError("client_id")
        return OAuthClient(client_id=client_id, client_secret=secret)
    except (LookupError, TypeError, ValueError) as exc:
        failed = unreadable(provider, exc, request, response)
    raise failed
