"""X API v2 on the wire: the fields smmkit asks for, the entities it reads, X's errors,
its rate-limit headers and the content key of a post (private to :mod:`smmkit.platforms.x`).

Field names follow the shipped OpenAPI document (X API v2 2.167, ``xdevplatform/xdk``):
the field-selection query is ``post.fields`` (X's prose docs still say ``tweet.fields``),
a reference is ``referenced_posts`` and a repost count ``repost_count``. Answers are
read in both spellings (``referenced_tweets``, ``retweet_count``), because the servers
have answered with the older names for years.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    APIError,
    BadRequestError,
    DuplicateContentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from smmkit.models._base import SmmkitModel
from smmkit.platforms._answers import json_object
from smmkit.platforms._errors import ErrorInfo, status_error

__all__ = [
    "PUBLIC_FIELDS",
    "XRateLimit",
    "XWirePost",
    "content_key",
    "problem_info",
    "rate_limit_from",
    "snowflake_time",
]

PUBLIC_FIELDS = ("created_at", "public_metrics")
NON_PUBLIC_FIELDS = ("non_public_metrics", "organic_metrics")
THREAD_FIELDS = ("conversation_id", "created_at")
THREAD_EXPANSIONS = ("author_id", "referenced_posts")
# Counts X reports per post, in the analytics vocabulary's spelling (retweet_count);
# spec 2.167 calls the repost count ``repost_count``.
INTERACTION_COUNTS = ("like_count", "retweet_count", "reply_count", "quote_count", "bookmark_count")
_TWITTER_EPOCH_MS = 1288834974657
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


class XWirePost(SmmkitModel):
    """The fields of an X ``Post`` smmkit reads (wire model; unknown fields ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(pattern=r"^[0-9]{1,19}$")
    text: str = ""
    created_at: datetime | None = None
    author_id: str | None = None
    conversation_id: str | None = None
    referenced_posts: tuple[dict[str, Any], ...] = ()
    referenced_tweets: tuple[dict[str, Any], ...] = ()
    public_metrics: dict[str, Any] = Field(default_factory=dict)
    non_public_metrics: dict[str, Any] = Field(default_factory=dict)
    organic_metrics: dict[str, Any] = Field(default_factory=dict)

    @property
    def replied_to(self) -> str | None:
        """The id of the post this one answers, if any."""
        for ref in (*self.referenced_posts, *self.referenced_tweets):
            if ref.get("type") == "replied_to" and isinstance(ref.get("id"), str):
                return str(ref["id"])
        return None

    def created(self) -> datetime:
        """``created_at`` (aware), else the time in the post's snowflake id."""
        if self.created_at is not None:
            at = self.created_at
            return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
        return snowflake_time(self.id)


def snowflake_time(post_id: str) -> datetime:
    """When a post was created, read from its snowflake id (X ids since 2010-11-04).

    Example:
        >>> snowflake_time("1346889436626259968").isoformat()
        '2021-01-06T18:40:40.344000+00:00'
    """
    milliseconds = (int(post_id) >> 22) + _TWITTER_EPOCH_MS
    return datetime.fromtimestamp(milliseconds / 1000, timezone.utc)


def content_key(text: str) -> str:
    """What a post's text is compared by when reading back: links, HTML escapes and
    spacing removed, Unicode in NFC.

    X rewrites every link to ``https://t.co/...``, answers ``&`` as ``&amp;`` and may
    append the link of attached media, so the text it returns differs from the text sent.

    Example:
        >>> content_key("Tea &amp; cake https://t.co/abc") == content_key(
        ...     "Tea & cake https://tea.example/menu")
        True
    """
    text = unicodedata.normalize("NFC", html.unescape(text))
    return _SPACE.sub(" ", _URL.sub(" ", text)).strip()


@dataclass(frozen=True)
class XRateLimit:
    """One endpoint's rate-limit state, as X's last answer stated it.

    ``limit``/``remaining``/``reset_at`` come from ``x-rate-limit-*`` (the 15-minute
    window); ``day_remaining``/``day_reset_at`` from ``x-user-limit-24hour-*`` or
    ``x-app-limit-24hour-*`` (the 24-hour caps on posting), when sent.

    Example:
        >>> XRateLimit(limit=100, remaining=0, reset_at=1700000900.0).wait(1700000000.0)
        900.0
    """

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None
    day_remaining: int | None = None
    day_reset_at: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until a request may succeed again (0 when the window is not empty)."""
        waits = [0.0]
        if self.remaining == 0 and self.reset_at is not None:
            waits.append(self.reset_at - now)
        if self.day_remaining == 0 and self.day_reset_at is not None:
            waits.append(self.day_reset_at - now)
        return max(waits)


def _int(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    try:
        return None if value is None else int(value.strip())
    except ValueError:
        return None


def rate_limit_from(headers: httpx.Headers) -> XRateLimit | None:
    """The rate-limit state in an answer's headers, or ``None`` when it states none.

    Example:
        >>> state = rate_limit_from(httpx.Headers({"x-rate-limit-limit": "100",
        ...     "x-rate-limit-remaining": "99", "x-rate-limit-reset": "1700000900"}))
        >>> state.remaining, state.reset_at
        (99, 1700000900.0)
    """
    limit, remaining = _int(headers, "x-rate-limit-limit"), _int(headers, "x-rate-limit-remaining")
    reset = _int(headers, "x-rate-limit-reset")
    day_remaining, day_reset = None, None
    for scope in ("user", "app"):
        left = _int(headers, f"x-{scope}-limit-24hour-remaining")
        if left is not None and (day_remaining is None or left < day_remaining):
            day_remaining = left
            day_reset = _int(headers, f"x-{scope}-limit-24hour-reset")
    if limit is None and remaining is None and day_remaining is None:
        return None
    return XRateLimit(
        limit=limit,
        remaining=remaining,
        reset_at=None if reset is None else float(reset),
        day_remaining=day_remaining,
        day_reset_at=None if day_reset is None else float(day_reset),
    )


_PROBLEM_KINDS: Mapping[str, type[APIError]] = {
    "resource-not-found": NotFoundError,
    "not-authorized-for-resource": PermissionDeniedError,
    "not-authorized-for-field": PermissionDeniedError,
    "field-unauthorized": PermissionDeniedError,
    "client-forbidden": PermissionDeniedError,
    "disallowed-resource": PermissionDeniedError,
    "invalid-request": BadRequestError,
    "usage-capped": RateLimitError,
}


def _problem_name(kind: str) -> str:
    return kind.rstrip("/").rsplit("/", 1)[-1]


def _problem(problem: Mapping[str, Any]) -> tuple[str | None, str]:
    """(code, message) of one problem: the ``type`` URI (else the ``title``), and
    ``title: detail``."""
    kind = problem.get("type")
    title, detail = problem.get("title"), problem.get("detail") or problem.get("message")
    code: str | None = kind if isinstance(kind, str) and kind != "about:blank" else None
    if code is None and isinstance(title, str):
        code = title
    if code is None and isinstance(problem.get("code"), int):
        code = str(problem["code"])  # the v1.1 style {"code": 88, "message": ...}
    words = [w for w in (title, detail) if isinstance(w, str) and w]
    message = ": ".join(dict.fromkeys(words)) or "X reported an error"
    return code, message[:300]


def problem_info(response: httpx.Response) -> ErrorInfo | None:
    """What an X answer says went wrong (``None`` for a success).

    X answers errors as RFC 7807 problems (``type``, ``title``, ``detail``, ``status``),
    sometimes inside a 200 whose ``errors`` list replaced the ``data`` (a post that does
    not exist). The error's ``code`` is the problem ``type`` (or its ``title`` when the
    type is ``about:blank``) and its message ``title: detail``. A 403 whose detail says
    *duplicate content* is a :class:`~smmkit.exceptions.DuplicateContentError`.

    Example:
        >>> answer = httpx.Response(403, json={"title": "Forbidden", "type": "about:blank",
        ...     "detail": "You are not allowed to create a Tweet with duplicate content."})
        >>> info = problem_info(answer)
        >>> info.kind.__name__, info.code
        ('DuplicateContentError', 'Forbidden')
    """
    status = response.status_code
    body = json_object(response.content) or {}
    errors = body.get("errors")
    problems: Sequence[Any] = errors if isinstance(errors, list) else ()
    if status < 400 and not (problems and "data" not in body):
        return None
    top: Mapping[str, Any] = body
    if "title" not in body and "detail" not in body and problems:
        first = problems[0]
        top = first if isinstance(first, Mapping) else {}
    code, message = _problem(top)
    if not body:
        message = response.reason_phrase or f"HTTP {status}"
    if "duplicate content" in message.lower() or "status is a duplicate" in message.lower():
        return ErrorInfo(DuplicateContentError, message, code=code)
    kind: type[APIError] | None = None
    if status >= 400:
        found = status_error(status)
        kind = found if found is not None and issubclass(found, APIError) else APIError
    if status < 400 or kind in (APIError, BadRequestError, PermissionDeniedError):
        named = _PROBLEM_KINDS.get(_problem_name(str(top.get("type") or "")))
        if named is not None:
            kind = named
    return ErrorInfo(kind or APIError, message, code=code)
