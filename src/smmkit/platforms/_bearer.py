"""What the OAuth bearer-token clients share: the token argument and its refresh.

X, LinkedIn, YouTube, TikTok, Weibo and Bilibili each take the user's ``access_token``
(used as it is, never refreshed), or the app's ``credentials`` with the user's
``refresh_token``, which :func:`smmkit.platforms.oauth.refresh` trades at the
platform's token endpoint for a new token (the client's ``TokenStore`` keeps it, with a
rotated refresh token when the platform rotates them). :class:`BearerTokenAdapter`
writes that once; a subclass names its provider (``oauth_provider``) and what to tell
the user when neither is given (``token_missing``). Mastodon keeps the fixed token and
``can_refresh`` but refreshes in its own way (the instance's ``/oauth/token``, an app
token without a refresh token): it overrides :meth:`BearerTokenAdapter.refreshed_token`.
:func:`secret_or_none` checks a token argument (for Douyin and the Meta clients too).

Example:
    >>> from smmkit.platforms.x import XAdapter
    >>> adapter = XAdapter(access_token="t0k")
    >>> isinstance(adapter, BearerTokenAdapter), adapter.can_refresh
    (True, False)
    >>> next(adapter.fetch_token(None), None) is None  # the fixed token: nothing to send
    True
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from smmkit.exceptions import AuthenticationError
from smmkit.platforms import _oauth_core as oauth
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._auth import Token
from smmkit.platforms._checks import require

__all__ = ["BearerTokenAdapter", "secret_or_none"]


def secret_or_none(value: object, field: str) -> SecretStr | None:
    """``value`` (a token given as ``str`` or ``SecretStr``) as a ``SecretStr``; ``None``
    stays ``None``; anything else is an :class:`~smmkit.exceptions.InvalidInputError`
    naming ``field``.

    Example:
        >>> secret_or_none("t0k", "access_token")
        SecretStr('**********')
        >>> secret_or_none(None, "access_token") is None
        True
    """
    if value is None:
        return None
    require(value, field, (str, SecretStr), "a str, a SecretStr or None")
    if isinstance(value, str):
        return SecretStr(value)
    assert isinstance(value, SecretStr)  # require() lets nothing else through
    return value


class BearerTokenAdapter(PlatformAdapter):
    """An adapter whose token is a fixed ``access_token`` or refreshed through
    :func:`smmkit.platforms.oauth.refresh` (see the module's docstring).

    A subclass sets ``oauth_provider`` and ``token_missing`` (or overrides
    :meth:`refreshed_token`) and stores its checked ``access_token`` argument
    (:func:`secret_or_none`) as ``_access_token``.

    Example:
        >>> from smmkit.platforms.linkedin import LinkedInAdapter
        >>> from smmkit.platforms import Credentials
        >>> adapter = LinkedInAdapter(credentials=Credentials(client_id="c",
        ...     client_secret="s", refresh_token="r"))
        >>> adapter.can_refresh, next(adapter.fetch_token(None)).url.host
        (True, 'www.linkedin.com')
    """

    oauth_provider: ClassVar[oauth.OAuthProvider]
    token_missing: ClassVar[str] = "give access_token=, or credentials= with a refresh_token"
    _access_token: SecretStr | None = None

    @property
    def can_refresh(self) -> bool:
        """True when a refused token can be replaced (credentials, no fixed token)."""
        return self._access_token is None and self.credentials is not None

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The configured access token, or a refresh at the platform's token endpoint."""
        if self._access_token is not None:
            return Token(access_token=self._access_token)
        return (yield from self.refreshed_token(current))

    def refreshed_token(self, current: Token | None) -> Flow[Token]:
        """Flow: a new token for the refresh token of ``current`` (else of the
        credentials); without credentials or a refresh token, an
        :class:`~smmkit.exceptions.AuthenticationError` saying ``token_missing``."""
        creds = self.credentials
        refresh_token = (current.refresh_token if current else None) or (
            creds.refresh_token if creds else None
        )
        if creds is None or refresh_token is None:
            raise AuthenticationError(self.token_missing, platform=self.platform_id)
        client = oauth.OAuthClient.from_credentials(creds)
        fresh = yield from oauth.refresh(
            self.oauth_provider, client=client, refresh_token=refresh_token
        )
        return fresh.to_token()
