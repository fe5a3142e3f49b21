"""The values of :mod:`smmkit.platforms.oauth`: providers, clients, tokens, PKCE pairs.

Secrets (client secrets, tokens, PKCE verifiers) are :class:`pydantic.SecretStr`: a
``repr``, ``str`` or JSON dump shows ``**********``, a validation error shows no input,
and the models holding them refuse to be pickled, like :class:`~smmkit.platforms.Token`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.platforms._auth import Credentials, SecretModel, Token

__all__ = [
    "ClientAuth",
    "OAuthClient",
    "OAuthProvider",
    "OAuthToken",
    "PkceMode",
    "PkcePair",
    "RefreshTokens",
    "RenewedRefreshToken",
]

PkceMode = Literal["required", "optional", "none"]
"""Whether the provider requires PKCE (X), accepts it (Google, Mastodon) or not (LinkedIn)."""

ClientAuth = Literal["basic", "body"]
"""How a confidential client authenticates at the token endpoint: an HTTP Basic
``Authorization`` header (X) or ``client_id``/``client_secret`` in the form (the rest)."""

RefreshTokens = Literal["always", "scope", "offline", "partners", "never"]
"""When the provider issues refresh tokens: with every code exchange (TikTok, Mastodon),
when a scope asks for one (X ``offline.access``), with ``access_type=offline`` (Google),
to approved partners only (LinkedIn), or never (Meta: exchange for a long-lived token)."""


class OAuthProvider(SmmkitModel):
    """One OAuth 2.0 authorization server and its quirks.

    The built-in providers are :data:`~smmkit.platforms.oauth.X`,
    :data:`~smmkit.platforms.oauth.LINKEDIN`, :data:`~smmkit.platforms.oauth.META`,
    :data:`~smmkit.platforms.oauth.GOOGLE` and :data:`~smmkit.platforms.oauth.TIKTOK`,
    and :func:`~smmkit.platforms.oauth.mastodon` for an instance; ``model_copy(update=...)``
    adapts one (a LinkedIn app approved for PKCE: ``pkce="optional"``).

    Fields: ``name`` (the platform id errors carry), the three endpoint URLs,
    ``revoke_method`` and ``revoke_auth`` (``"client"``: the client's credentials as at
    the token endpoint; ``"none"``: only the token, Google; ``"bearer"``: the token as a
    bearer, Meta's ``DELETE /me/permissions``), ``revoke_token_param`` (the form field
    naming the token: ``token`` per RFC 7009, Weibo's ``access_token``),
    ``scope_separator``, ``pkce``,
    ``client_auth``, ``client_id_param`` (TikTok names it ``client_key``),
    ``token_method`` (Meta documents ``GET``), ``code_grant_type`` (whether the code
    exchange names ``grant_type=authorization_code``; Meta's documents none),
    ``authorize_params`` (always sent, e.g.
    Google's ``access_type=offline``), ``refresh_tokens`` and ``refresh_scope`` (when
    refresh tokens come), ``long_lived_exchange`` (Meta), ``oob_redirect`` (Mastodon's
    ``urn:ietf:wg:oauth:2.0:oob``), ``request_id_headers`` and ``docs`` (sources).
    Douyin's quirks: ``refresh_url`` (refreshing has an endpoint of its own),
    ``renew_url`` and ``renew_limit`` (a refresh token is renewed at most that many
    times, then the user authorises again), ``exchange_redirect_uri=False`` (the code
    exchange takes no ``redirect_uri``), ``refresh_client_secret=False`` (a refresh sends
    no secret) and ``answer_envelope`` (the answer's fields sit under ``data``).
    WeChat's web authorization: ``client_secret_param`` (``secret``), ``refresh_method``
    (``GET``), ``client_id_first`` (``appid`` leads the authorize URL, whose parameter
    order WeChat checks) and ``authorize_fragment`` (``wechat_redirect``).

    Example:
        >>> p = OAuthProvider(name="demo", authorize_url="https://id.example/authorize",
        ...                   token_url="https://id.example/token")
        >>> p.pkce, p.client_auth, p.scope_separator
        ('optional', 'body', ' ')
    """

    name: str = Field(min_length=1)
    authorize_url: str = Field(min_length=1)
    token_url: str = Field(min_length=1)
    revoke_url: str | None = None
    revoke_method: Literal["POST", "DELETE"] = "POST"
    revoke_auth: Literal["client", "none", "bearer"] = "client"
    revoke_token_param: str = Field(default="token", min_length=1)  # Weibo: access_token
    scope_separator: Literal[" ", ","] = " "
    pkce: PkceMode = "optional"
    client_auth: ClientAuth = "body"
    client_id_param: str = Field(default="client_id", min_length=1)
    token_method: Literal["POST", "GET"] = "POST"
    code_grant_type: bool = True
    authorize_params: Mapping[str, str] = Field(default_factory=dict)
    refresh_tokens: RefreshTokens = "always"
    refresh_scope: str | None = None
    long_lived_exchange: bool = False
    oob_redirect: bool = False
    request_id_headers: tuple[str, ...] = ("x-request-id", "request-id")
    docs: tuple[str, ...] = ()
    # Douyin: a refresh endpoint of its own, renewable refresh tokens, ``{"data": ...}``
    refresh_url: str | None = None
    renew_url: str | None = None
    renew_limit: int | None = Field(default=None, ge=0)
    exchange_redirect_uri: bool = True
    refresh_client_secret: bool = True
    answer_envelope: str | None = None
    # WeChat web authorization: appid/secret, GET refresh, appid first, #wechat_redirect
    client_secret_param: str = Field(default="client_secret", min_length=1)
    refresh_method: Literal["POST", "GET"] = "POST"
    client_id_first: bool = False
    authorize_fragment: str | None = None

    @field_validator("authorize_url", "token_url", "revoke_url", "refresh_url", "renew_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    def __hash__(self) -> int:
        return hash((self.name, self.authorize_url, self.token_url))


class PkcePair(SecretModel):
    """An RFC 7636 code verifier (secret: keep it server-side) and its S256 challenge.

    Build one with :func:`~smmkit.platforms.oauth.pkce_pair`; the challenge goes into
    the authorization URL, the verifier into :func:`~smmkit.platforms.oauth.exchange_code`.

    Example:
        >>> pair = PkcePair(verifier="v" * 43, challenge="c" * 43)
        >>> pair.method, "vvvv" in repr(pair)
        ('S256', False)
    """

    verifier: SecretStr
    challenge: str = Field(min_length=43, max_length=43)
    method: Literal["S256"] = "S256"


class OAuthClient(SecretModel):
    """A registered OAuth application: ``client_id`` and, for a confidential client,
    ``client_secret`` (public clients such as an X native app have none).

    Example:
        >>> app = OAuthClient(client_id="app-1", client_secret="s3cr3t-value")
        >>> app
        OAuthClient(client_id='app-1', client_secret=SecretStr('**********'))
        >>> "s3cr3t" in app.model_dump_json()
        False
    """

    client_id: str = Field(min_length=1)
    client_secret: SecretStr | None = None

    @classmethod
    def from_credentials(cls, credentials: Credentials) -> OAuthClient:
        """The OAuth client of an adapter's :class:`~smmkit.platforms.Credentials`.

        Example:
            >>> from smmkit.platforms import Credentials
            >>> OAuthClient.from_credentials(Credentials(client_id="a", client_secret="s")
            ...     ).client_id
            'a'
        """
        from smmkit.platforms._checks import require

        require(credentials, "credentials", Credentials, "Credentials")
        return cls(client_id=credentials.client_id, client_secret=credentials.client_secret)


class OAuthToken(SecretModel):
    """What a token endpoint answered: the tokens, their expiry, the granted scopes.

    ``expires_at`` and ``refresh_expires_at`` are computed from ``expires_in`` and
    ``refresh_token_expires_in`` (TikTok: ``refresh_expires_in``) with the time the
    flow got from its driver's clock. ``account_id`` is the account the provider names
    in the answer (TikTok ``open_id``), ``id_token`` an OpenID Connect ID token (Google
    with the ``openid`` scope). :meth:`to_token` gives what a
    :class:`~smmkit.platforms.TokenStore` keeps.

    Example:
        >>> tok = OAuthToken(access_token="AT-123456789", scopes=("tweet.read",))
        >>> tok.to_token().scope, "AT-123456789" in repr(tok)
        ('tweet.read', False)
    """

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    token_type: str = "bearer"
    expires_at: AwareDatetime | None = None
    refresh_expires_at: AwareDatetime | None = None
    scopes: tuple[str, ...] = ()
    account_id: str | None = None
    id_token: SecretStr | None = None

    def to_token(self) -> Token:
        """The :class:`~smmkit.platforms.Token` a token store keeps (scopes space-joined).

        Example:
            >>> OAuthToken(access_token="a", refresh_token="r").to_token().refresh_token
            SecretStr('**********')
        """
        return Token(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.expires_at,
            scope=" ".join(self.scopes) or None,
        )


class RenewedRefreshToken(SecretModel):
    """A renewed refresh token (Douyin's ``/oauth/renew_refresh_token/``) and its expiry.

    Example:
        >>> RenewedRefreshToken(refresh_token="rft.2").refresh_token
        SecretStr('**********')
    """

    refresh_token: SecretStr
    expires_at: AwareDatetime | None = None
