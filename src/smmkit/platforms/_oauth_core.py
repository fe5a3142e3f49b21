"""The OAuth pieces the platform adapters build on: providers, PKCE, state, authorization
URLs and the sans-I/O flows. :mod:`smmkit.platforms.oauth` is the public face of this
module plus the runners; adapters import this one, so that they stay below the drivers
(the runners drive flows on :class:`~smmkit.platforms.Client`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require
from smmkit.platforms._oauth_errors import is_oauth_request, oauth_error_info
from smmkit.platforms._oauth_flows import (
    VERIFIER,
    check_redirect,
    encodable,
    exchange_code,
    exchange_long_lived,
    refresh,
    register_app,
    require_provider,
    require_text,
    revoke,
    scope_list,
)
from smmkit.platforms._oauth_models import (
    OAuthClient,
    OAuthProvider,
    OAuthToken,
    PkcePair,
    RenewedRefreshToken,
)
from smmkit.platforms._oauth_providers import (
    BILIBILI,
    DOUYIN,
    GOOGLE,
    LINKEDIN,
    META,
    META_GRAPH_VERSION,
    TIKTOK,
    WECHAT_WEB,
    WEIBO,
    X,
    mastodon,
)
from smmkit.platforms._oauth_renew import renew_refresh_token
from smmkit.platforms._weibo_oauth import WeiboTokenInfo, weibo_token_info

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
    "weibo_token_info",
]

_RESERVED = frozenset(
    {"response_type", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"}
)

# -- pure helpers -----------------------------------------------------------------------


def pkce_pair(verifier: str | None = None) -> PkcePair:
    """An RFC 7636 code verifier and its S256 challenge (a new random verifier unless given).

    A given verifier must be 43 to 128 characters from ``A-Z a-z 0-9 - . _ ~``.

    Example (RFC 7636 appendix B):
        >>> pair = pkce_pair("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        >>> pair.challenge, pair.method
        ('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'S256')
        >>> len(pkce_pair().verifier.get_secret_value())
        86
    """
    if verifier is None:
        verifier = secrets.token_urlsafe(64)  # 86 characters, 512 bits
    else:
        require(verifier, "verifier", str, "a str or None")
        if not VERIFIER.fullmatch(verifier):
            raise InvalidInputError.single(
                "verifier", "must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ (RFC 7636)"
            )
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return PkcePair(verifier=verifier, challenge=challenge)


def new_state() -> str:
    """A fresh, unguessable ``state`` for one authorization (256 random bits).

    Example:
        >>> len(new_state()), new_state() == new_state()
        (43, False)
    """
    return secrets.token_urlsafe(32)


def check_state(expected: str, received: str | None) -> None:
    """Refuse a callback whose ``state`` is not the one this session sent.

    A missing or different state means the callback was not started by this user's
    login (cross-site request forgery): an
    :class:`~smmkit.exceptions.InvalidInputError` naming ``state``, showing neither value.
    The comparison takes the same time wherever the values differ.

    Example:
        >>> check_state("st-1", "st-1")
        >>> try:
        ...     check_state("st-1", "forged")
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0].field)
        state
    """
    require(expected, "expected", str, "a str (the state kept in the session)")
    if not expected:
        raise InvalidInputError.single("expected", "must not be empty")
    if received is not None:
        require(received, "state", str, "a str or None")
    # surrogatepass: a lone surrogate (from a broken decoder) still compares, and fails
    if received is None or not hmac.compare_digest(
        expected.encode("utf-8", "surrogatepass"), received.encode("utf-8", "surrogatepass")
    ):
        raise InvalidInputError.single(
            "state",
            "does not match the state this session sent (a forged or stale callback): "
            "start the authorization again",
        )


def authorization_url(
    provider: OAuthProvider,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: Sequence[str] | str,
    state: str,
    code_challenge: str | PkcePair | None = None,
    extra_params: Mapping[str, str] | None = None,
) -> str:
    """The URL to send the user's browser to, to authorize ``client_id`` for ``scopes``.

    ``code_challenge`` is a :class:`PkcePair` or its ``challenge`` (method S256);
    required by providers with ``pkce="required"`` (X), refused by those without PKCE
    (LinkedIn's standard apps). ``redirect_uri`` must be ``https://`` (``http://`` only
    on a loopback host; Mastodon also takes ``urn:ietf:wg:oauth:2.0:oob``). The
    provider's ``authorize_params`` (Google: ``access_type=offline``, ``prompt=consent``)
    are added; ``extra_params`` add or override those, never the protocol's own.

    Example:
        >>> authorization_url(TIKTOK, client_id="ck-1", redirect_uri="https://app.example/cb",
        ...                   scopes=["user.info.basic", "video.publish"], state="st-1")
        'https://www.tiktok.com/v2/auth/authorize/?response_type=code&client_key=ck-1&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=user.info.basic%2Cvideo.publish&state=st-1'
    """
    require_provider(provider)
    params: dict[str, str] = {
        "response_type": "code",
        provider.client_id_param: require_text(client_id, "client_id"),
        "redirect_uri": check_redirect(provider, redirect_uri),
    }
    if provider.client_id_first:  # WeChat checks the order: appid, redirect_uri, ...
        params = {key: params[key] for key in (provider.client_id_param, "redirect_uri")}
        params["response_type"] = "code"
    scope = scope_list(scopes)
    if scope:
        params["scope"] = provider.scope_separator.join(scope)
    params["state"] = require_text(state, "state")
    if isinstance(code_challenge, PkcePair):
        code_challenge = code_challenge.challenge
    if code_challenge is None:
        if provider.pkce == "required":
            raise InvalidInputError.single(
                "code_challenge", f"is required by {provider.name}: pass pkce_pair()"
            )
    else:
        require(code_challenge, "code_challenge", str, "a str, a PkcePair or None")
        if provider.pkce == "none":
            raise InvalidInputError.single(
                "code_challenge",
                f"{provider.name} takes no PKCE for this kind of app: leave it out",
            )
        if not re.fullmatch(r"[A-Za-z0-9\-_]{43}", code_challenge):
            raise InvalidInputError.single(
                "code_challenge", "must be an S256 challenge (43 base64url characters)"
            )
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    params.update(provider.authorize_params)
    if extra_params is not None:
        require(extra_params, "extra_params", Mapping, "a mapping of str to str, or None")
        for key, value in extra_params.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise InvalidInputError.single("extra_params", "keys and values must be str", key)
            encodable(key, "extra_params")
            encodable(value, "extra_params")
            if key in _RESERVED or key == provider.client_id_param:
                raise InvalidInputError.single(
                    "extra_params", "must not set a parameter this function sets", key
                )
            params[key] = value
    separator = "&" if "?" in provider.authorize_url else "?"
    url = provider.authorize_url + separator + urlencode(params, quote_via=quote)
    return url + (f"#{provider.authorize_fragment}" if provider.authorize_fragment else "")
