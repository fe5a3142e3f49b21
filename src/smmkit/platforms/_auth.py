"""Credentials, tokens and where tokens live between runs.

Secrets are :class:`pydantic.SecretStr` everywhere, so ``repr``, ``str`` and JSON
dumps show ``**********``. Credentials, tokens and token stores refuse to be pickled
(:class:`~smmkit.exceptions.NotPicklableError`), and a validation error about them shows
no input value: a secret passed as a number or under a wrong name is not echoed.

A :class:`TokenStore` keeps the current token per key and
offers an exclusive ``lock(key)``; the drivers refresh *inside* that lock and re-read
the store first, so when two workers (threads, tasks or processes) find the same
expired token only one of them asks the platform for a new one. That matters on
WeChat, where every token fetch invalidates the previous token, and on OAuth platforms
that rotate refresh tokens: a second, racing refresh would burn the first one's result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn, Protocol, runtime_checkable

from pydantic import ConfigDict, Field, SecretStr
from typing_extensions import Self

from smmkit._secrets import conceals_secrets, refuse_pickle
from smmkit.exceptions import ConfigurationError, InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.platforms._filelock import exclusive_lock

__all__ = [
    "Credentials",
    "FileTokenStore",
    "InMemoryTokenStore",
    "Token",
    "TokenStore",
    "keep_refresh_token",
    "needs_refresh",
]


def _without_inputs(exc: InvalidInputError) -> InvalidInputError:
    """The same problems with no value shown (any value may be, or hold, a secret)."""
    problems = [dataclasses.replace(problem, value=None) for problem in exc.problems]
    return InvalidInputError(problems, model=exc.model)


class SecretModel(SmmkitModel):
    """A model that holds secrets: its validation errors show no input value, and it
    refuses to be pickled (copies in memory, ``model_copy`` and ``copy.copy``, work).

    Example:
        >>> from smmkit.exceptions import InvalidInputError
        >>> try:
        ...     Credentials(client_id="wx1", client_secret=987654321)
        ... except InvalidInputError as exc:
        ...     print(exc)
        invalid Credentials: client_secret: Input should be a valid string
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except InvalidInputError as exc:
            error = _without_inputs(exc)
        else:
            return
        del data  # this frame stays in the traceback: keep no input in it
        raise error

    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except InvalidInputError as exc:
            error = _without_inputs(exc)
        del obj, kwargs
        raise error

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except InvalidInputError as exc:
            error = _without_inputs(exc)
        del json_data, kwargs
        raise error

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self)


class Credentials(SecretModel):
    """An app's (or an account's) long-lived credentials.

    ``client_id``/``client_secret`` are the app id and secret (WeChat ``appid`` and
    ``secret``, WeCom ``corpid`` and ``corpsecret``, an OAuth client); ``refresh_token``
    is an initial refresh token for user-authorised OAuth flows; ``account`` keys the
    token store and the rate limiter.

    Example:
        >>> creds = Credentials(client_id="wx123", client_secret="s3cr3t")
        >>> creds.client_secret
        SecretStr('**********')
        >>> "s3cr3t" in repr(creds) or "s3cr3t" in str(creds)
        False
        >>> "s3cr3t" in creds.model_dump_json()
        False
    """

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr | None = None
    account: str = Field(default="default", min_length=1)


class Token(SecretModel):
    """An access token with its expiry and, for OAuth, its refresh token.

    Example:
        >>> from datetime import datetime, timezone
        >>> tok = Token(access_token="abc", expires_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> str(tok.access_token)
        '**********'
    """

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    expires_at: AwareDatetime | None = None
    scope: str | None = None
    # Renewable refresh tokens (Douyin): when the refresh token expires, how often renewed
    refresh_expires_at: AwareDatetime | None = None
    refresh_renewals: int | None = Field(default=None, ge=0)

    def same_as(self, other: Token | None) -> bool:
        """True when ``other`` carries the same access token (constant-time compare)."""
        if other is None:
            return False
        return hmac.compare_digest(
            self.access_token.get_secret_value().encode(),
            other.access_token.get_secret_value().encode(),
        )


def needs_refresh(token: Token | None, *, now: float, margin: float = 60.0) -> bool:
    """True when there is no token or it expires within ``margin`` seconds of ``now``.

    Example:
        >>> from datetime import datetime, timezone
        >>> tok = Token(access_token="a", expires_at=datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> t = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
        >>> needs_refresh(tok, now=t - 3600), needs_refresh(tok, now=t - 30)
        (False, True)
    """
    if token is None:
        return True
    if token.expires_at is None:
        return False
    return token.expires_at.timestamp() - margin <= now


def keep_refresh_token(previous: Token | None, fresh: Token) -> Token:
    """``fresh``, carrying ``previous``'s refresh token when the platform sent none.

    Platforms that do not rotate refresh tokens answer a refresh with an access token
    only; dropping the stored refresh token then would lock the account out.

    Example:
        >>> old = Token(access_token="a", refresh_token="r1")
        >>> keep_refresh_token(old, Token(access_token="b")).refresh_token.get_secret_value()
        'r1'
    """
    if fresh.refresh_token is None and previous is not None and previous.refresh_token:
        return fresh.model_copy(update={"refresh_token": previous.refresh_token})
    return fresh


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live. ``lock(key)`` must exclude every other holder of the same store.

    Implementations must make ``put`` atomic: a reader sees the old token or the new
    one, never half of either.
    """

    def get(self, key: str) -> Token | None:
        """The stored token for ``key``, or ``None``."""

    def put(self, key: str, token: Token) -> None:
        """Store ``token`` for ``key`` (atomically)."""

    def lock(self, key: str) -> AbstractContextManager[None]:
        """An exclusive lock for refreshing ``key``."""


class InMemoryTokenStore:
    """Tokens in a dict, for one process; the default.

    Example:
        >>> store = InMemoryTokenStore()
        >>> store.put("wechat_oa:default", Token(access_token="t"))
        >>> store.get("wechat_oa:default").access_token.get_secret_value()
        't'
        >>> store
        InMemoryTokenStore(keys=['wechat_oa:default'])
    """

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> Token | None:
        """The stored token for ``key``, or ``None``."""
        return self._tokens.get(key)

    def put(self, key: str, token: Token) -> None:
        """Store ``token`` for ``key``."""
        self._tokens[key] = token

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """A per-key lock shared by every thread and task of this process."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def __repr__(self) -> str:
        return f"InMemoryTokenStore(keys={sorted(self._tokens)})"

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds tokens")


class FileTokenStore:
    """Tokens in one JSON file, shared safely by several processes on one machine.

    ``lock`` takes an exclusive lock on ``<path>.lock`` (``fcntl.flock`` on POSIX,
    ``msvcrt.locking`` on Windows); ``put`` writes a temporary file in the same
    directory and renames it over the store, so a crash never leaves a torn file and a
    refresh token is never lost. The file is created with mode ``0600`` (owner only on
    POSIX; on Windows it inherits the directory's ACL): it holds live credentials.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "tokens.json"
        >>> store = FileTokenStore(path)
        >>> with store.lock("x:brand"):
        ...     store.put("x:brand", Token(access_token="t", refresh_token="r"))
        >>> FileTokenStore(path).get("x:brand").refresh_token.get_secret_value()
        'r'
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if not isinstance(path, (str, os.PathLike)) or (isinstance(path, str) and not path):
            raise InvalidInputError.single("path", "must be a file path", type(path).__name__)
        try:
            self.path = Path(path)
        except TypeError:  # an os.PathLike whose __fspath__ gives no str
            raise InvalidInputError.single("path", "must be a file path", path) from None
        self._thread_lock = threading.Lock()
        if not self.path.parent.is_dir():
            raise ConfigurationError(f"token store directory does not exist: {self.path.parent}")

    def _read_all(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text("utf-8")
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError:
            # Not chained: a JSONDecodeError keeps the whole file (the tokens) in ``doc``.
            data = None
        del raw
        if data is None:
            raise ConfigurationError(f"token store is not valid JSON: {self.path}")
        if not isinstance(data, dict):
            raise ConfigurationError(f"token store is not a JSON object: {self.path}")
        return data

    @conceals_secrets
    def get(self, key: str) -> Token | None:
        """The stored token for ``key``, or ``None``."""
        item = self._read_all().get(key)
        if item is None:
            return None
        result: Token = Token.model_validate(item)
        return result

    @conceals_secrets
    def put(self, key: str, token: Token) -> None:
        """Store ``token`` for ``key``: write a temporary file, fsync, rename."""
        data = self._read_all()
        data[key] = token_record(token)
        # mkstemp creates the file 0600 already; say so explicitly where chmod exists
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            if hasattr(os, "fchmod"):  # not on Windows before Python 3.13
                os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            _replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Exclusive across threads of this process and across processes.

        ``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows, on ``<path>.lock``.
        One lock covers the whole file: refreshes are rare, and one lock cannot deadlock.
        """
        del key
        with self._thread_lock, exclusive_lock(f"{self.path}.lock"):
            yield

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds tokens", "build a FileTokenStore from its path in each process")


def token_record(token: Token) -> dict[str, Any]:
    """``token`` as a store keeps it: a JSON-ready dict with the secrets in clear.

    Every persistent store (the file, Redis) writes this shape, so a token moves between
    them unchanged; :meth:`Token.model_validate` reads it back.

    Example:
        >>> token_record(Token(access_token="t", scope="publish"))
        {'access_token': 't', 'refresh_token': None, 'expires_at': None, 'scope': 'publish'}
    """
    record: dict[str, Any] = {
        "access_token": token.access_token.get_secret_value(),
        "refresh_token": (token.refresh_token.get_secret_value() if token.refresh_token else None),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "scope": token.scope,
    }
    if token.refresh_expires_at is not None:  # only where set: older records stay the same
        record["refresh_expires_at"] = token.refresh_expires_at.isoformat()
    if token.refresh_renewals is not None:
        record["refresh_renewals"] = token.refresh_renewals
    return record


def _replace(source: str, target: Path, *, attempts: int = 50, delay: float = 0.02) -> None:
    """``os.replace``, retried briefly while Windows refuses it (a reader has ``target`` open).

    POSIX renames over open files; Windows answers ``PermissionError`` until the
    reader closes it, which takes microseconds in :meth:`FileTokenStore.get`.
    """
    for _ in range(attempts - 1):
        try:
            os.replace(source, target)
        except PermissionError:
            time.sleep(delay)
        else:
            return
    os.replace(source, target)


def utc_from_timestamp(seconds: float) -> datetime:
    """An aware UTC datetime for epoch ``seconds``."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc)
