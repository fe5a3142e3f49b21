"""One vocabulary of injected faults, shared by the sandbox and ``smmkit.testing``.

:class:`FaultKind` names each way a request can fail; :func:`produce` is the one place
that says what each fault looks like on the wire (which ``httpx`` error is raised, which
status is answered). :class:`~smmkit.platforms.SandboxPlatform` draws faults from a
:class:`FaultPlan`; :class:`smmkit.testing.FaultInjectingTransport` takes them as a list
(:func:`as_fault` reads its spellings). Nothing here knows an adapter or a platform's
error format: the caller builds error answers in its own format (``answer=``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from enum import Enum

import httpx
from pydantic import Field

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel

__all__ = [
    "ErrorAnswer",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "Storm",
    "as_fault",
    "follows_commit",
    "plain_answer",
    "produce",
    "retry_after_seconds",
]


class FaultKind(str, Enum):
    """A kind of failure a fake platform can inject.

    Example:
        >>> FaultKind.TIMEOUT.status, FaultKind.RATE_LIMIT.status
        (None, 429)
        >>> FaultKind.TIMEOUT.may_follow_commit, FaultKind.CONNECT_ERROR.may_follow_commit
        (True, False)
    """

    RATE_LIMIT = "rate_limit"  # 429 with a reset header (Retry-After)
    SERVER_ERROR = "server_error"  # 503
    TIMEOUT = "timeout"  # httpx.ReadTimeout: the request may have been applied
    CONNECTION_RESET = "connection_reset"  # httpx.ReadError: the request may have been applied
    CONNECT_ERROR = "connect_error"  # httpx.ConnectError: nothing was sent
    TOKEN_EXPIRY = "token_expiry"  # every live access token is revoked before this request

    @property
    def status(self) -> int | None:
        """The HTTP status this fault answers with; ``None`` when it raises or has no answer."""
        return _STATUSES.get(self)

    @property
    def may_follow_commit(self) -> bool:
        """Whether it can strike *after* the server acted (the write is done, its answer lost)."""
        return self in _AFTER_COMMIT


_STATUSES = {
    FaultKind.RATE_LIMIT: 429,
    FaultKind.SERVER_ERROR: 503,
}
_AFTER_COMMIT = frozenset({FaultKind.SERVER_ERROR, FaultKind.TIMEOUT, FaultKind.CONNECTION_RESET})
_RAISED: dict[FaultKind, tuple[type[httpx.TransportError], str]] = {
    FaultKind.CONNECT_ERROR: (httpx.ConnectError, "connection refused"),
    FaultKind.TIMEOUT: (httpx.ReadTimeout, "read timed out"),
    FaultKind.CONNECTION_RESET: (httpx.ReadError, "connection reset by peer"),
}
# Spellings smmkit.testing used before the vocabulary was shared; they warn.
_RENAMED = {"read_timeout": FaultKind.TIMEOUT}

Fault = FaultKind | int
"""A fault: a :class:`FaultKind`, or an HTTP status to answer with (500, 404, ...)."""

ErrorAnswer = Callable[[int, float | None], httpx.Response]
"""Builds an error answer from its status and its wait (``Retry-After``) in seconds."""


def as_fault(value: FaultKind | str | int, *, stacklevel: int = 1) -> Fault:
    """Read one fault: a kind or its name, or an HTTP status as a number or a string.

    Old spellings (``"read_timeout"``) still work, with a :class:`DeprecationWarning`
    that points ``stacklevel`` frames up from the caller (1: the caller's line).

    Example:
        >>> as_fault("timeout"), as_fault("503"), as_fault(429)
        (<FaultKind.TIMEOUT: 'timeout'>, 503, 429)
    """
    if isinstance(value, FaultKind):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if 100 <= value <= 599:
            return value
        raise InvalidInputError.single("faults", "an HTTP status is between 100 and 599", value)
    if isinstance(value, str):
        if value.isascii() and value.isdigit():
            return as_fault(int(value))
        renamed = _RENAMED.get(value)
        if renamed is not None:
            warnings.warn(
                f"the fault {value!r} is deprecated and will be removed in smmkit 0.2; "
                f"use {renamed.value!r} (FaultKind.{renamed.name})",
                DeprecationWarning,
                stacklevel=stacklevel + 1,
            )
            return renamed
        try:
            return FaultKind(value)
        except ValueError:
            pass
    names = ", ".join(kind.value for kind in FaultKind)
    raise InvalidInputError.single("faults", f"a fault is one of {names} or an HTTP status", value)


def follows_commit(fault: Fault) -> bool:
    """Whether ``fault`` can strike after the server acted: a lost answer or a 5xx.

    Example:
        >>> follows_commit(FaultKind.TIMEOUT), follows_commit(500), follows_commit(429)
        (True, True, False)
    """
    if isinstance(fault, FaultKind):
        return fault.may_follow_commit
    return fault >= 500


def plain_answer(status: int, retry_after: float | None) -> httpx.Response:
    """A platform-neutral error answer: ``{"error": "injected_<status>"}``.

    Example:
        >>> plain_answer(429, 1.0).headers["Retry-After"]
        '1'
    """
    headers = {} if retry_after is None else {"Retry-After": retry_after_seconds(retry_after)}
    return httpx.Response(status, headers=headers, json={"error": f"injected_{status}"})


def retry_after_seconds(wait: float) -> str:
    """``wait`` as a ``Retry-After`` value: whole seconds, rounded up, at least 1.

    Example:
        >>> retry_after_seconds(0.2), retry_after_seconds(2.5)
        ('1', '3')
    """
    return str(max(int(wait + 0.999), 1))


def produce(
    fault: Fault,
    request: httpx.Request,
    *,
    answer: ErrorAnswer = plain_answer,
    retry_after: float = 1.0,
    source: str = "injected",
) -> httpx.Response:
    """The answer ``fault`` gives to ``request``, or raise the ``httpx`` error it is.

    A 429 (:attr:`FaultKind.RATE_LIMIT`) comes with ``retry_after``; ``answer`` builds the
    error answers in the platform's own format. :attr:`FaultKind.TOKEN_EXPIRY` is not an
    answer: the caller revokes its tokens and serves the request.

    Example:
        >>> import httpx
        >>> request = httpx.Request("GET", "https://h.example/")
        >>> produce(FaultKind.SERVER_ERROR, request).status_code, produce(500, request).status_code
        (503, 500)
        >>> produce(FaultKind.TIMEOUT, request)
        Traceback (most recent call last):
        httpx.ReadTimeout: read timed out (injected)
    """
    if isinstance(fault, FaultKind):
        raised = _RAISED.get(fault)
        if raised is not None:
            error, what = raised
            raise error(f"{what} ({source})", request=request)
        if fault is FaultKind.TOKEN_EXPIRY:
            raise ValueError("token_expiry has no answer: revoke the tokens, then serve it")
        status = _STATUSES[fault]
    else:
        status = fault
    return answer(status, retry_after if status == 429 else None)


class Storm(SmmkitModel):
    """``length`` consecutive requests, from request number ``start``, all fail with ``kind``."""

    kind: FaultKind
    start: int = Field(ge=0)
    length: int = Field(default=1, ge=1)


class FaultPlan(SmmkitModel):
    """Which requests fail, and how; deterministic for a given ``seed`` and request order.

    ``rates`` gives a probability per request for each kind; ``storms`` fail runs of
    consecutive requests; ``after_commit`` is the share of the faults that may follow a
    commit (timeouts, resets, 5xx) that strike writes *after* the write
    was applied (the outcome a client cannot see).

    Example:
        >>> plan = FaultPlan(seed=7, rates={"server_error": 0.1},
        ...                  storms=[{"kind": "rate_limit", "start": 10, "length": 5}])
        >>> plan.storms[0].kind.value
        'rate_limit'
    """

    seed: int = 0
    rates: dict[FaultKind, float] = Field(default_factory=dict)
    storms: tuple[Storm, ...] = ()
    after_commit: float = Field(default=0.5, ge=0, le=1)
    retry_after: float = Field(default=2.0, ge=0)
