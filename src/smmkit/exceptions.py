"""The one error hierarchy of smmkit.

Every error smmkit raises on purpose derives from :class:`SmmkitError`, so one
``except smmkit.SmmkitError`` is enough to catch them all. Errors about bad input
also derive from :class:`ValueError`, errors about a missing optional extra from
:class:`ImportError`, so code written against the builtins keeps working.

```
SmmkitError
├── InvalidInputError (ValueError)          bad input: names the field and the problem
│   ├── UnknownPlatformError (KeyError)     an id that is not in the catalog
│   ├── ContentRuleError                    content a platform cannot take as it is
│   │   ├── PermissionMissingError          UGC without the creator's permission
│   │   └── ContentTooLongError             links, tags, mentions that cannot all fit
│   ├── BudgetError                         a budget split outside the playbook's bands
│   ├── MediaSourceError                    a media source smmkit will not read (not http(s))
│   └── MediaTooLargeError                  media over the loader's size bound
├── IllegalTransitionError                  a workflow step the state machine forbids
├── ConfigurationError                      a setting that cannot work
├── MissingExtraError (ImportError)         an optional dependency is not installed
├── NotPicklableError (TypeError)           an object holding secrets refused to be pickled
├── PlatformError                           anything that went wrong talking to a platform
│   ├── TransportError                      the request never got a response
│   │   └── RequestTimeoutError
│   ├── APIError                            the platform answered with an error
│   │   ├── BadRequestError                 4xx / validation codes
│   │   ├── AuthenticationError             bad credentials
│   │   │   ├── TokenExpiredError           an access token that must be refreshed
│   │   │   └── TokenUnavailableError       the token endpoint is down: nothing was sent
│   │   ├── PermissionDeniedError           the app or account may not do this
│   │   ├── NotFoundError
│   │   ├── DuplicateContentError           the platform refused a repost
│   │   ├── RateLimitError                  throttled; ``retry_after`` says how long
│   │   ├── OutsideWindowError              e.g. WeChat 45015, the 48-hour message window
│   │   └── ServerError                     5xx or "system busy"
│   ├── MediaFetchError                     downloading a media URL failed: nothing posted
│   ├── UnsupportedOperationError           the platform has no API for this
│   └── PublishTimeoutError                 an asynchronous publish passed its deadline
└── WebhookError                            a callback that must not be trusted
    ├── SignatureError
    ├── ReplayError
    ├── DecryptError
    └── MalformedPayloadError
```

No message ever contains a credential: errors that carry requests keep only the
method and the URL with its query string redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetError",
    "ConfigurationError",
    "ContentRuleError",
    "ContentTooLongError",
    "DecryptError",
    "DuplicateContentError",
    "FieldProblem",
    "IllegalTransitionError",
    "InvalidInputError",
    "MalformedPayloadError",
    "MediaFetchError",
    "MediaSourceError",
    "MediaTooLargeError",
    "MissingExtraError",
    "NotFoundError",
    "NotPicklableError",
    "OutsideWindowError",
    "PermissionDeniedError",
    "PermissionMissingError",
    "PlatformError",
    "PlatformMismatchError",
    "PublishTimeoutError",
    "RateLimitError",
    "ReplayError",
    "RequestTimeoutError",
    "ServerError",
    "SignatureError",
    "SmmkitError",
    "TokenExpiredError",
    "TokenUnavailableError",
    "TransportError",
    "UnknownPlatformError",
    "UnsupportedOperationError",
    "WebhookError",
]


class SmmkitError(Exception):
    """Root of every error smmkit raises on purpose.

    Example:
        >>> import smmkit
        >>> try:
        ...     smmkit.get_platform_spec("myspace")
        ... except smmkit.SmmkitError as exc:
        ...     print(type(exc).__name__)
        UnknownPlatformError
    """


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of an input.

    ``field`` is a dotted path (``kpis.0.target``); ``problem`` says what is wrong
    in words; ``value`` is a short, secret-free rendering of the value (or ``None``).
    """

    field: str
    problem: str
    value: str | None = None

    def __str__(self) -> str:
        shown = f" (got {self.value})" if self.value is not None else ""
        return f"{self.field}: {self.problem}{shown}"


class InvalidInputError(SmmkitError, ValueError):
    """Input that smmkit cannot accept; every problem names its field.

    Example:
        >>> from smmkit.exceptions import InvalidInputError, FieldProblem
        >>> err = InvalidInputError([FieldProblem("target", "must be >= 0", "-5")])
        >>> str(err)
        'target: must be >= 0 (got -5)'
        >>> err.fields
        ('target',)
    """

    def __init__(
        self,
        problems: Sequence[FieldProblem] | str,
        *,
        model: str | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = (FieldProblem("input", problems),)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        self.model = model
        head = f"invalid {model}: " if model else ""
        if len(self.problems) == 1:
            message = head + str(self.problems[0])
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems)
            message = f"{head}{len(self.problems)} problems\n{lines}"
        super().__init__(message)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields that have problems, in order."""
        return tuple(p.field for p in self.problems)

    @classmethod
    def single(cls, field: str, problem: str, value: object = None) -> InvalidInputError:
        """Build the error for one field.

        Example:
            >>> str(InvalidInputError.single("currency", "must be 3 letters", "EURO"))
            "currency: must be 3 letters (got 'EURO')"
        """
        shown = None if value is None else _short_repr(value)
        return cls([FieldProblem(field, problem, shown)])


class UnknownPlatformError(InvalidInputError, KeyError):
    """A platform id that is not in the catalog (or the registry).

    ``field`` names where the id was given (``platforms.1``); ``also`` carries any
    other problems found in the same input.

    Example:
        >>> from smmkit.exceptions import UnknownPlatformError
        >>> str(UnknownPlatformError("myspace", ("x", "weibo")))
        "platform: unknown platform id (got 'myspace'); known ids: weibo, x"
        >>> UnknownPlatformError("myspace", ("x",), field="platforms.1").fields
        ('platforms.1',)
    """

    def __init__(
        self,
        platform_id: str,
        known: Sequence[str],
        *,
        field: str = "platform",
        also: Sequence[FieldProblem] = (),
        model: str | None = None,
    ) -> None:
        self.platform_id = platform_id
        self.known: tuple[str, ...] = tuple(sorted(known))
        super().__init__(
            [FieldProblem(field, "unknown platform id", _short_repr(platform_id)), *also],
            model=model,
        )

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message; keep it readable.
        return f"{self.args[0]}; known ids: {', '.join(self.known)}"


class PlatformMismatchError(InvalidInputError):
    """A post adapted for one platform handed to a client of another (or a bare piece).

    A post carries the platform it was adapted for (``PlatformPost.platform``): its
    length unit, topic syntax and extras belong to that platform. Publishing it
    elsewhere would send e.g. Weibo's ``#话题#`` to Mastodon, so clients refuse it and
    say how to re-adapt.

    Example:
        >>> err = PlatformMismatchError(post_platform="weibo", client_platform="mastodon",
        ...                             piece_id="tea-1")
        >>> err.fields, err.post_platform, err.client_platform
        (('platform',), 'weibo', 'mastodon')
        >>> print(err)
        platform: the post was adapted for weibo, not mastodon;
        re-adapt it: smmkit.content.adapt(piece, 'mastodon') (got 'weibo')
    """

    def __init__(
        self,
        *,
        post_platform: str | None,
        client_platform: str,
        piece_id: str | None = None,
    ) -> None:
        self.post_platform = post_platform
        self.client_platform = client_platform
        self.piece_id = piece_id
        if post_platform is None:
            problem = (
                f"a ContentPiece is not a post: adapt it first; "
                f"re-adapt it: smmkit.content.adapt(piece, {client_platform!r})"
            )
            shown = None if piece_id is None else _short_repr(piece_id)
        else:
            problem = (
                f"the post was adapted for {post_platform}, not {client_platform}; "
                f"re-adapt it: smmkit.content.adapt(piece, {client_platform!r})"
            )
            shown = _short_repr(post_platform)
        super().__init__([FieldProblem("platform", problem, shown)])


class ContentRuleError(InvalidInputError):
    """Content that a platform cannot take, and that smmkit may not silently change."""


class PermissionMissingError(ContentRuleError):
    """User-generated content used without the creator's recorded permission."""


class ContentTooLongError(ContentRuleError):
    """Links, hashtags, mentions or a credit line that cannot all fit a platform's limit.

    Shortening cuts prose, never what must stay: when even those alone do not fit (and
    a thread cannot hold them), smmkit refuses instead of dropping any. ``unfit`` lists
    what could not fit, ``platform`` and ``limit`` say where.

    Example:
        >>> err = ContentTooLongError(field="body", platform="x", unfit=("#Tag",),
        ...                           limit="280 weighted chars")
        >>> err.fields, err.platform, err.unfit
        (('body',), 'x', ('#Tag',))
        >>> str(err).endswith("the credit line; could not fit: #Tag")
        True
    """

    def __init__(
        self,
        *,
        field: str,
        platform: str,
        unfit: Sequence[str],
        limit: str | None = None,
        hint: str = "",
    ) -> None:
        self.platform = platform
        self.unfit: tuple[str, ...] = tuple(unfit)
        self.limit = limit
        within = f"{platform}'s limit" + (f" of {limit}" if limit else "")
        problem = (
            f"{within} cannot hold every link, hashtag, mention and the credit line; "
            f"could not fit: {', '.join(self.unfit)}{hint}"
        )
        super().__init__([FieldProblem(field, problem)])


class BudgetError(InvalidInputError):
    """A budget split that leaves the playbook's bands or does not add up."""


class IllegalTransitionError(SmmkitError):
    """A workflow transition the state machine does not allow.

    Example:
        >>> str(IllegalTransitionError("draft", "published", ("in_review",)))
        "cannot go from 'draft' to 'published'; allowed next states: in_review"
    """

    def __init__(self, current: str, target: str, allowed: Sequence[str]) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(allowed)
        nxt = ", ".join(self.allowed) or "none (final state)"
        super().__init__(f"cannot go from {current!r} to {target!r}; allowed next states: {nxt}")


class ConfigurationError(SmmkitError):
    """A setting or combination of settings that cannot work."""


class MissingExtraError(SmmkitError, ImportError):
    """An optional dependency is missing; the message names the extra to install.

    Example:
        >>> str(MissingExtraError("pandas", extra="pandas"))
        "this feature needs 'pandas': pip install 'smmkit[pandas]'"
    """

    def __init__(self, package: str, *, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"this feature needs {package!r}: pip install 'smmkit[{extra}]'")


class NotPicklableError(SmmkitError, TypeError):
    """An object that holds secrets (credentials, tokens, keys) or live connections
    refused to be pickled: a pickle would copy the secrets in clear into whatever keeps
    it (a cache, a queue, a file). Build the object again in each process instead.

    Example:
        >>> import pickle
        >>> from smmkit.platforms import Credentials
        >>> try:
        ...     pickle.dumps(Credentials(client_id="wx1", client_secret="s3cr3t"))
        ... except NotPicklableError as exc:
        ...     print(isinstance(exc, TypeError), "s3cr3t" in str(exc))
        True False
    """


class PlatformError(SmmkitError):
    """Something went wrong talking to a platform.

    Carries what a support ticket needs: ``platform``, HTTP ``status``, the platform's
    own error ``code``, its ``request_id`` and the request's method and redacted URL.
    Never a credential.

    Three more attributes say what the error means for a publish:

    * ``outcome_unknown``: ``True`` when the platform may have acted although no answer
      arrived (a read timeout, a reset connection, a 5xx), ``False`` when it certainly
      did not, ``None`` when the raiser did not decide (then
      ``smmkit.platforms.outcome_unknown()`` derives it from the kind and status);
    * ``retries_exhausted``: ``True`` when resending cannot help, so the retry policy
      stops at once;
    * ``delivered``: the ids of the parts of a post that went live before the failure
      (a thread's first statuses), to recall or report.

    Example:
        >>> err = PlatformError("reset", platform="mastodon", delivered=("111",))
        >>> err.outcome_unknown, err.retries_exhausted, err.delivered
        (None, False, ('111',))
    """

    outcome_unknown: bool | None
    retries_exhausted: bool
    delivered: tuple[str, ...]

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        status: int | None = None,
        code: str | int | None = None,
        request_id: str | None = None,
        method: str | None = None,
        url: str | None = None,
        outcome_unknown: bool | None = None,
        retries_exhausted: bool = False,
        delivered: Sequence[str] = (),
    ) -> None:
        self.platform = platform
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.url = url
        self.outcome_unknown = outcome_unknown
        self.retries_exhausted = retries_exhausted
        self.delivered = tuple(delivered)
        parts = [message]
        details = []
        if platform:
            details.append(f"platform={platform}")
        if status is not None:
            details.append(f"status={status}")
        if code is not None:
            details.append(f"code={code}")
        if request_id:
            details.append(f"request_id={request_id}")
        if method and url:
            details.append(f"request={method} {url}")
        if details:
            parts.append("[" + ", ".join(details) + "]")
        super().__init__(" ".join(parts))


class TransportError(PlatformError):
    """The request got no response: connection refused or reset, DNS, TLS, protocol."""


class RequestTimeoutError(TransportError):
    """The request timed out before a response arrived."""


class APIError(PlatformError):
    """The platform answered and said no."""


class BadRequestError(APIError):
    """The platform rejected the request's content or parameters."""


class AuthenticationError(APIError):
    """The credentials were rejected."""


class TokenExpiredError(AuthenticationError):
    """The access token expired or was invalidated; refreshing it may help."""


class TokenUnavailableError(AuthenticationError):
    """No access token: the token endpoint is down (5xx, timeouts, resets) or answered in
    an unexpected form, after its own retries. The request that needed the token was
    not sent (``outcome_unknown`` is ``False``); worth trying again later.
    """


class MediaSourceError(InvalidInputError):
    """A media source smmkit will not read: not ``http(s)`` without an opt-in loader, a
    redirect to another scheme, or a path that leaves a loader's base directory."""


class MediaTooLargeError(InvalidInputError):
    """Media larger than the bound of the loader that reads it (nothing more is read)."""


class MediaFetchError(PlatformError):
    """Downloading a media URL failed (an error status, no connection): nothing was posted."""


class PermissionDeniedError(APIError):
    """The app or account is not allowed to do this (scope, review, account type)."""


class NotFoundError(APIError):
    """The object does not exist (any more)."""


class DuplicateContentError(APIError):
    """The platform refused the post as a duplicate of an earlier one."""


class RateLimitError(APIError):
    """The platform throttled the call.

    ``retry_after`` is the wait in seconds the platform asked for, if it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class OutsideWindowError(APIError):
    """A message outside the window in which the platform allows it (WeChat 45015)."""


class ServerError(APIError):
    """The platform failed (5xx, "system busy").

    ``retry_after`` is the wait in seconds the platform asked for (a 503's
    ``Retry-After``), if it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class UnsupportedOperationError(PlatformError):
    """The platform (or this client) cannot do this operation at all."""


class PublishTimeoutError(PlatformError):
    """An asynchronous publish did not finish before its deadline."""


class WebhookError(SmmkitError):
    """A callback that must not be trusted or cannot be read."""


class SignatureError(WebhookError):
    """The callback's signature does not match."""


class ReplayError(WebhookError):
    """The callback is too old, from the future, or its nonce was seen before."""


class DecryptError(WebhookError):
    """The encrypted payload cannot be decrypted, or it is not meant for this app."""


class MalformedPayloadError(WebhookError):
    """The payload is not well-formed (bad XML, entities, missing fields)."""


def _short_repr(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
