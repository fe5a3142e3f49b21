"""LinkedIn's wire format: Rest.li 2.0 encoding, URNs, answers and error bodies.

Pure helpers of :mod:`smmkit.platforms.linkedin` (no I/O, no adapter state). Facts and
their sources:

* Rest.li protocol 2.0.0 (``X-Restli-Protocol-Version: 2.0.0``): a URN in a path or a
  query value is URL-encoded whole (``urn%3Ali%3Ashare%3A1``), a list is ``List(a,b)``
  with each item encoded (linkedin-api-client 0.3.0, ``restli/utils/encoder.py``);
* the id of a created entity comes in the ``x-restli-id`` header (the same client's
  ``get_created_entity_id``);
* error bodies carry ``status``, ``serviceErrorCode``, ``code`` and ``message``
  (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling);
  a duplicate post is a 422 whose ``errorDetails.inputErrors[].code`` is
  ``DUPLICATE_POST`` and whose message names the existing post;
* daily rate limits reset at midnight UTC and a throttled call is a 429
  (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel
from smmkit.platforms._answers import json_object
from smmkit.platforms._checks import require
from smmkit.text._serialize import from_little, to_little, unescaped_little

__all__ = [
    "DUPLICATE_POST",
    "WireComment",
    "WirePost",
    "created_comment",
    "created_urn",
    "millis",
    "oauth_answer",
    "comment_urn",
    "post_urn",
    "share_statistics_counts",
    "social_actions_counts",
    "author_kind",
    "commentary",
    "content_key",
    "created_from_urn",
    "duplicate_of",
    "error_fields",
    "post_url",
    "restli",
    "restli_list",
    "seconds_to_utc_midnight",
]

DUPLICATE_POST = "DUPLICATE_POST"
_DUPLICATE_OF = re.compile(r"duplicate of (urn:li:[A-Za-z]+:[0-9]+)")
_AUTHOR = re.compile(r"^urn:li:(organization|person):[^\s:]+$")
_NUMERIC_ID = re.compile(r"^urn:li:(?:share|ugcPost|activity):([0-9]{10,20})$")
_BLANKS = re.compile(r"\s+")


def restli(value: str) -> str:
    """``value`` encoded for a Rest.li 2.0 path segment or query value.

    Example:
        >>> restli("urn:li:share:7141138937766391808")
        'urn%3Ali%3Ashare%3A7141138937766391808'
    """
    return quote(value, safe="")


def restli_list(values: Iterable[str]) -> str:
    """A Rest.li 2.0 list of encoded values: ``List(a,b)``.

    Example:
        >>> restli_list(["urn:li:share:1", "urn:li:share:2"])
        'List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A2)'
    """
    return "List(" + ",".join(restli(v) for v in values) + ")"


def author_kind(urn: str) -> str | None:
    """``"organization"`` or ``"person"`` for an author URN, else ``None``.

    Example:
        >>> author_kind("urn:li:organization:2414183"), author_kind("urn:li:share:1")
        ('organization', None)
    """
    match = _AUTHOR.match(urn)
    return match.group(1) if match else None


def post_url(urn: str) -> str:
    """The public permalink of a post URN.

    Example:
        >>> post_url("urn:li:share:1")
        'https://www.linkedin.com/feed/update/urn:li:share:1/'
    """
    return f"https://www.linkedin.com/feed/update/{urn}/"


def created_from_urn(urn: str) -> datetime | None:
    """When a share, ugcPost or activity was created, read from its id (``id >> 22`` is
    milliseconds since the epoch); ``None`` for any other URN.

    Example:
        >>> created_from_urn("urn:li:share:7141138937766391808").year
        2023
        >>> created_from_urn("urn:li:image:C4E10AQF") is None
        True
    """
    match = _NUMERIC_ID.match(urn)
    if match is None:
        return None
    millis = int(match.group(1)) >> 22
    if millis <= 0:
        return None
    return datetime.fromtimestamp(millis / 1000, timezone.utc)


def commentary(text: str) -> str:
    """``text`` as LinkedIn's little-text commentary.

    A text that is already little text (what ``smmkit.content.adapt`` writes: no
    unescaped reserved character) is kept as it is; anything else is plain text and is
    escaped with :func:`smmkit.text.to_little` (URLs and ``#tags`` stay live). So a post
    is never escaped twice, and never sent with a character that would cut it short.

    Example:
        >>> commentary("Q&A (live) today")
        'Q&A \\\\(live\\\\) today'
        >>> commentary("Q&A \\\\(live\\\\) today")
        'Q&A \\\\(live\\\\) today'
    """
    return text if not unescaped_little(text) else to_little(text)


def content_key(little_text: str) -> str:
    """What two commentaries are compared by when reading back: the plain text, with
    runs of white space as one space and none at either end.

    Example:
        >>> content_key("Tea \\\\(iced\\\\)\\n") == content_key("Tea  (iced)")
        True
    """
    return _BLANKS.sub(" ", from_little(little_text)).strip()


def duplicate_of(message: str) -> str | None:
    """The post a ``DUPLICATE_POST`` refusal names ("Content is a duplicate of urn:…").

    Example:
        >>> duplicate_of("Content is a duplicate of urn:li:share:7141138937766391808")
        'urn:li:share:7141138937766391808'
    """
    match = _DUPLICATE_OF.search(message)
    return match.group(1) if match else None


def seconds_to_utc_midnight(now: float) -> float:
    """Seconds from ``now`` (epoch seconds) to the next midnight UTC, when LinkedIn's
    daily limits reset.

    Example:
        >>> seconds_to_utc_midnight(86400 * 3 + 3600)
        82800.0
    """
    return float(86400 - int(now) % 86400)


def error_fields(content: bytes) -> tuple[str | None, str | int | None, int | None, bool]:
    """``(message, code, serviceErrorCode, duplicate)`` read from an error body.

    ``code`` is LinkedIn's symbolic ``code`` (``INVALID_ACCESS_TOKEN``) or, when there
    is none, the first input error's code (``DUPLICATE_POST``), else the numeric
    ``serviceErrorCode``.

    Example:
        >>> error_fields(b'{"status":401,"serviceErrorCode":65601,'
        ...              b'"code":"REVOKED_ACCESS_TOKEN","message":"The token is revoked"}')
        ('The token is revoked', 'REVOKED_ACCESS_TOKEN', 65601, False)
    """
    body = json_object(content)
    if body is None:
        return None, None, None, False
    message = body.get("message")
    service = body.get("serviceErrorCode")
    service = service if isinstance(service, int) and not isinstance(service, bool) else None
    codes: list[str] = []
    details = body.get("errorDetails")
    inputs = details.get("inputErrors") if isinstance(details, dict) else None
    for item in inputs if isinstance(inputs, list) else ():
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            codes.append(item["code"])
    symbolic = body.get("code")
    code: str | int | None = symbolic if isinstance(symbolic, str) and symbolic else None
    if code is None and codes:
        code = codes[0]
    if code is None:
        code = service
    text = message if isinstance(message, str) and message else None
    return text, code, service, DUPLICATE_POST in codes or code == DUPLICATE_POST


# -- wire models (what smmkit reads of LinkedIn's answers) ------------------------------


class WirePost(SmmkitModel):
    """The fields of a Posts API entity smmkit reads."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    id: str
    author: str = ""
    commentary: str = ""
    created_at: int | None = Field(default=None, alias="createdAt")
    published_at: int | None = Field(default=None, alias="publishedAt")
    lifecycle_state: str = Field(default="PUBLISHED", alias="lifecycleState")


class WireComment(SmmkitModel):
    """The fields of a Comments API entity smmkit reads."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    comment_urn: str = Field(alias="commentUrn")
    actor: str = "unknown"
    created: dict[str, Any] = Field(default_factory=dict)
    message: dict[str, Any] = Field(default_factory=dict)
    parent_comment: str | None = Field(default=None, alias="parentComment")
    comments_summary: dict[str, Any] = Field(default_factory=dict, alias="commentsSummary")

    @property
    def text(self) -> str:
        """The comment's words."""
        return str(self.message.get("text") or "")

    @property
    def created_at(self) -> datetime:
        """When the comment was made (``created.time``, milliseconds)."""
        millis = self.created.get("time")
        if not isinstance(millis, (int, float)) or isinstance(millis, bool):
            raise ValueError("comment without created.time")
        return datetime.fromtimestamp(millis / 1000, timezone.utc)

    @property
    def replies(self) -> int:
        """How many comments answer this one (``commentsSummary``)."""
        count = self.comments_summary.get("totalFirstLevelComments")
        return count if isinstance(count, int) and not isinstance(count, bool) else 0


def share_statistics_counts(stats: dict[str, Any]) -> dict[str, float]:
    """A page post's ``totalShareStatistics`` in the metric vocabulary (``impressions``,
    ``reach``, ``clicks``; LinkedIn's names for the rest) plus ``interactions``.

    Example:
        >>> share_statistics_counts({"impressionCount": 10, "uniqueImpressionsCount": 8,
        ...     "clickCount": 2, "likeCount": 3, "commentCount": 1, "shareCount": 0,
        ...     "engagement": 0.6})["interactions"]
        6.0
    """
    names = {
        "impressions": "impressionCount",
        "reach": "uniqueImpressionsCount",
        "clicks": "clickCount",
        "likeCount": "likeCount",
        "commentCount": "commentCount",
        "shareCount": "shareCount",
    }
    counts = {ours: float(stats.get(theirs) or 0) for ours, theirs in names.items()}
    counts["interactions"] = sum(
        counts[n] for n in ("clicks", "likeCount", "commentCount", "shareCount")
    )
    engagement = stats.get("engagement")
    if isinstance(engagement, (int, float)) and not isinstance(engagement, bool):
        counts["engagement"] = max(float(engagement), 0.0)
    return counts


def social_actions_counts(body: dict[str, Any]) -> dict[str, float]:
    """A ``socialActions`` summary as ``likeCount``, ``commentCount`` and ``interactions``.

    Example:
        >>> social_actions_counts({"likesSummary": {"totalLikes": 4},
        ...     "commentsSummary": {"aggregatedTotalComments": 2}})
        {'likeCount': 4.0, 'commentCount': 2.0, 'interactions': 6.0}
    """
    likes = (body.get("likesSummary") or {}).get("totalLikes") or 0
    comments = (body.get("commentsSummary") or {}).get("aggregatedTotalComments") or 0
    counts = {"likeCount": float(likes), "commentCount": float(comments)}
    counts["interactions"] = counts["likeCount"] + counts["commentCount"]
    return counts


def post_urn(value: object, field: str) -> str:
    """``value`` as a post URN: a URN as it is, a bare id as a share
    (``urn:li:share:<id>``); refused with a typed error unless a non-empty str.

    Example:
        >>> post_urn("urn:li:ugcPost:7", "post_id"), post_urn("7", "post_id")
        ('urn:li:ugcPost:7', 'urn:li:share:7')
    """
    require(value, field, str, "a post URN (str)")
    assert isinstance(value, str)
    if not value.strip() or any(c.isspace() for c in value):
        raise InvalidInputError.single(field, "must be a post URN (urn:li:share:…)", value)
    return value if value.startswith("urn:li:") else f"urn:li:share:{value}"


def comment_urn(value: object, post: str) -> str:
    """``value`` as a comment URN: a URN as it is, a bare comment id as
    ``urn:li:comment:(<post>,<id>)``.

    Example:
        >>> comment_urn("6", "urn:li:activity:5")
        'urn:li:comment:(urn:li:activity:5,6)'
    """
    require(value, "comment_id", str, "a comment URN (str)")
    assert isinstance(value, str)
    if not value.strip() or any(c.isspace() for c in value):
        raise InvalidInputError.single("comment_id", "must be a comment URN", value)
    return value if value.startswith("urn:li:comment:") else f"urn:li:comment:({post},{value})"


def oauth_answer(response: httpx.Response) -> bool:
    """Whether ``response`` answers a request to LinkedIn's OAuth endpoints.

    Example:
        >>> request = httpx.Request("POST", "https://www.linkedin.com/oauth/v2/accessToken")
        >>> oauth_answer(httpx.Response(400, request=request))
        True
    """
    try:
        path = response.request.url.path
    except RuntimeError:  # a response built without its request
        return False
    return path.startswith("/oauth/")


def millis(value: int | None) -> datetime | None:
    """Epoch milliseconds (LinkedIn's times) as an aware datetime; ``None`` stays ``None``.

    Example:
        >>> millis(1_700_000_000_000).year
        2023
    """
    return None if value is None else datetime.fromtimestamp(value / 1000, timezone.utc)


def created_urn(response: httpx.Response) -> str:
    """The created post's URN: the ``x-restli-id`` header (or an ``id`` in the body).

    Example:
        >>> created_urn(httpx.Response(201, headers={"x-restli-id": "urn:li:share:1"}))
        'urn:li:share:1'
    """
    urn = response.headers.get("x-restli-id") or (response.json() if response.content else {})["id"]
    if not isinstance(urn, str) or not urn.startswith("urn:li:"):
        raise ValueError("no post URN in the answer")
    return urn


def created_comment(response: httpx.Response, sent: dict[str, Any], now: datetime) -> WireComment:
    """The created comment: its body when LinkedIn returns one, else what was sent with
    the URN of ``x-restli-id``.

    Example:
        >>> sent = {"actor": "urn:li:person:a", "message": {"text": "hi"}}
        >>> now = datetime(2026, 1, 1, tzinfo=timezone.utc)
        >>> created_comment(httpx.Response(201, headers={"x-restli-id": "urn:li:comment:(x,1)"}),
        ...                 sent, now).text
        'hi'
    """
    if response.content:
        body = response.json()
        if isinstance(body, dict) and "commentUrn" in body:
            return WireComment.model_validate(body)
    urn = response.headers["x-restli-id"]
    return WireComment.model_validate(
        {
            "commentUrn": urn,
            "actor": sent["actor"],
            "message": sent["message"],
            "parentComment": sent.get("parentComment"),
            "created": {"time": int(now.timestamp() * 1000)},
        }
    )
