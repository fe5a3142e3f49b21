"""Keeping secrets out of tracebacks, error text and pickles.

Error reporters (Sentry, Rollbar, ``traceback.TracebackException(capture_locals=True)``)
record the local variables of every frame an exception went through, and follow
``__cause__`` and ``__context__``. A frame deep in a driver may hold an authorised
``httpx.Request`` (the token in its URL or ``Authorization`` header) or a token
request's body with the app secret in it. Three tools keep those out:

* :func:`forget_frames` clears the locals of the *finished* frames an exception went
  through, before it leaves a public entry point (frames still running, the caller's,
  are left alone, and so are generators given in ``keep``);
* :func:`redact_error` replaces known secrets in an exception's text and attributes
  (a platform that echoes a token in its error message);
* :func:`refuse_pickle` is the ``__reduce__`` of everything that holds a secret.

:func:`conceals_secrets` applies :func:`forget_frames` to a function; the webhook entry
points use it, the drivers call the same helpers around each ``run``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import sys
import types
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any, NoReturn, ParamSpec, TypeVar

from pydantic import BaseModel, SecretStr

from smmkit.exceptions import FieldProblem, NotPicklableError

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "conceals_secrets",
    "exception_chain",
    "forget_frames",
    "live_frames",
    "redact_error",
    "redact_text",
    "refuse_pickle",
    "secret_values",
]

P = ParamSpec("P")
R = TypeVar("R")

REDACTED = "[redacted]"

MIN_SECRET_LENGTH = 8
"""Secrets shorter than this are not searched for in error text: replacing a two-letter
test token everywhere would garble messages and protect nothing (real app secrets, tokens
and keys are 16 characters or more)."""


def refuse_pickle(
    obj: object, why: str = "holds secrets", instead: str = "build a new one in each process"
) -> NoReturn:
    """Raise :class:`~smmkit.exceptions.NotPicklableError` for ``obj`` (its ``__reduce__``).

    Example:
        >>> try:
        ...     refuse_pickle(object())
        ... except NotPicklableError as exc:
        ...     print(exc)
        object holds secrets and cannot be pickled (a pickle keeps them in clear): build a
        new one in each process
    """
    raise NotPicklableError(
        f"{type(obj).__name__} {why} and cannot be pickled (a pickle keeps them in clear): "
        f"{instead}"
    )


def exception_chain(
    exc: BaseException, *, stop: BaseException | None = None
) -> Iterator[BaseException]:
    """``exc`` and every exception reachable through ``__cause__`` and ``__context__``
    (each once), not going into ``stop`` (an exception the caller was already handling).

    Example:
        >>> try:
        ...     try:
        ...         raise KeyError("a")
        ...     except KeyError as inner:
        ...         raise ValueError("b") from inner
        ... except ValueError as outer:
        ...     [type(e).__name__ for e in exception_chain(outer)]
        ['ValueError', 'KeyError']
    """
    seen: set[int] = set() if stop is None else {id(stop)}
    todo = [exc]
    while todo:
        err = todo.pop()
        if id(err) in seen:
            continue
        seen.add(id(err))
        yield err
        for linked in (err.__context__, err.__cause__):
            if linked is not None:
                todo.append(linked)


def live_frames(generator: object) -> frozenset[types.FrameType]:
    """The frames of a generator (and of the sub-generators it delegates to) that have
    not finished: :func:`forget_frames` must leave them alone, clearing one would close it.

    Example:
        >>> def flow():
        ...     yield 1
        >>> running = flow()
        >>> _ = next(running)
        >>> len(live_frames(running)), len(live_frames(None))
        (1, 0)
    """
    frames: set[types.FrameType] = set()
    current: Any = generator
    while current is not None and len(frames) < 64:
        frame = getattr(current, "gi_frame", None) or getattr(current, "cr_frame", None)
        if frame is None:
            break
        frames.add(frame)
        current = getattr(current, "gi_yieldfrom", None) or getattr(current, "cr_await", None)
    return frozenset(frames)


def forget_frames(
    exc: BaseException,
    *,
    keep: Collection[types.FrameType] = (),
    stop: BaseException | None = None,
) -> None:
    """Clear the local variables of every finished frame in ``exc``'s tracebacks.

    The tracebacks of ``exc``'s causes and contexts too (not ``stop``'s: an exception the
    caller was handling when it called in). File names and line numbers stay; the values
    an error reporter would record (an authorised request, a token request's body) go.
    Frames still running, and those in ``keep``, are left as they are.

    Example:
        >>> def inner():
        ...     secret = "s3cr3t-value"
        ...     raise ValueError("no")
        >>> try:
        ...     inner()
        ... except ValueError as exc:
        ...     forget_frames(exc)
        ...     exc.__traceback__.tb_next.tb_frame.f_locals
        {}
    """
    for err in exception_chain(exc, stop=stop):
        tb = err.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if frame not in keep:
                # A frame still running (or, from Python 3.13, suspended) refuses.
                with contextlib.suppress(RuntimeError):
                    frame.clear()
            tb = tb.tb_next


def conceals_secrets(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate an entry point so the exceptions it raises carry no frame locals.

    The wrapper drops its own arguments too (a key passed as a plain ``str``).

    Example:
        >>> @conceals_secrets
        ... def check(key: str) -> None:
        ...     raw = key.encode()
        ...     raise ValueError("bad key")
        >>> try:
        ...     check("s3cr3t-value")
        ... except ValueError as exc:
        ...     tb = exc.__traceback__.tb_next
        ...     [dict(t.tb_frame.f_locals) for t in (tb, tb.tb_next)]
        [{'func': <function check at ...>}, {}]
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        outer = sys.exc_info()[1]
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            forget_frames(exc, stop=outer)
            del args, kwargs, outer
            raise

    return wrapper


def secret_values(*holders: object) -> set[str]:
    """The clear text of the secrets ``holders`` keep: :class:`pydantic.SecretStr` values,
    the secret fields of models (credentials, tokens) and of an object's attributes (an
    adapter's credentials or static access token), one level deep.

    Example:
        >>> from smmkit.platforms import Credentials
        >>> sorted(secret_values(Credentials(client_id="a", client_secret="s3cr3t-value"), None))
        ['s3cr3t-value']
    """
    found: set[str] = set()

    def take(value: object, depth: int) -> None:
        if isinstance(value, SecretStr):
            found.add(value.get_secret_value())
        elif isinstance(value, BaseModel):
            if depth < 2:  # a model held directly, or by the object given (its credentials)
                for name in type(value).model_fields:
                    take(getattr(value, name, None), depth + 1)
        elif depth == 0 and value is not None and hasattr(value, "__dict__"):
            for attribute in list(vars(value).values()):
                take(attribute, depth + 1)

    for holder in holders:
        take(holder, 0)
    found.discard("")
    return found


def _usable(secrets: Iterable[str]) -> list[str]:
    # Longest first: a secret that contains another is replaced whole.
    kept = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET_LENGTH}
    return sorted(kept, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of :data:`MIN_SECRET_LENGTH` characters or more replaced.

    Example:
        >>> redact_text("invalid credential, access_token is AT-123456789", ["AT-123456789"])
        'invalid credential, access_token is [redacted]'
    """
    for secret in _usable(secrets):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_error(
    exc: BaseException, secrets: Iterable[str], *, stop: BaseException | None = None
) -> BaseException:
    """Replace ``secrets`` in the text of ``exc`` and of its causes and contexts, in place
    (not in ``stop``'s: an exception the caller was already handling).

    Covers ``args`` (hence ``str()`` and ``repr()``), string attributes (a
    :class:`~smmkit.exceptions.PlatformError`'s ``url``, ``code``, ``request_id``), the
    values of :class:`~smmkit.exceptions.FieldProblem` and ``__notes__``. Returns ``exc``.

    Example:
        >>> from smmkit.exceptions import AuthenticationError
        >>> err = AuthenticationError("access_token is AT-123456789 (invalid)", platform="x")
        >>> str(redact_error(err, ["AT-123456789"]))
        'access_token is [redacted] (invalid) [platform=x]'
    """
    usable = _usable(secrets)
    if not usable:
        return exc
    for err in exception_chain(exc, stop=stop):
        err.args = tuple(_redacted(arg, usable) for arg in err.args)
        attributes = getattr(err, "__dict__", {})
        for name, value in list(attributes.items()):
            shown = _redacted(value, usable)
            if shown is not value:
                with contextlib.suppress(AttributeError, TypeError):  # a read-only property
                    setattr(err, name, shown)
    return exc


def _redacted(value: Any, secrets: list[str]) -> Any:
    """``value`` with secrets replaced, or ``value`` itself when it holds none."""
    if isinstance(value, str):
        shown = redact_text(value, secrets)
        return value if shown == value else shown
    if isinstance(value, FieldProblem):
        fields = {f: _redacted(getattr(value, f), secrets) for f in ("field", "problem", "value")}
        if all(fields[f] is getattr(value, f) for f in fields):
            return value
        return dataclasses.replace(value, **fields)
    if isinstance(value, (tuple, list)):
        items = [_redacted(item, secrets) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    return value
