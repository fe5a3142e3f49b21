"""The YouTube Data API v3 wire format: video resources, comments, errors.

The shapes follow the discovery document (``youtube.v3.json``, revision 20261104, in
google-api-python-client 2.202.0), against which ``tests/contract`` checks every
request the adapter builds.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from smmkit.models._base import SmmkitModel
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import YouTubeExtras
from smmkit.platforms._answers import json_object
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._results import Comment, PublishReceipt, PublishStatus
from smmkit.platforms._youtube_quota import YouTubeQuotaError

__all__ = [
    "MARKER_PREFIX",
    "QUOTA_REASONS",
    "google_error",
    "marker_tag",
    "next_offset",
    "receipt_of",
    "video_resource",
]

MARKER_PREFIX = "smmkit-"
"""Tags starting with this carry a post's idempotency key (the read-back finds them)."""

TITLE_MAX = 100
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500
_ANGLE = re.compile("[<>]")

# Reasons (``error.errors[].reason``) and what they mean; from the Data API's error
# reference https://developers.google.com/youtube/v3/docs/errors (read 2026-12-06).
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded", "uploadLimitExceeded"})
_THROTTLE = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "servingLimitExceeded"})
_AUTH = frozenset({"authError", "unauthorized", "invalidCredentials"})
_FORBIDDEN = frozenset(
    {"forbidden", "insufficientPermissions", "youtubeSignupRequired", "channelClosed",
     "channelSuspended", "accessNotConfigured", "commentsDisabled", "ineligibleAccount"}
)  # fmt: skip
_NOT_FOUND = frozenset(
    {"videoNotFound", "commentNotFound", "commentThreadNotFound", "playlistNotFound",
     "channelNotFound", "parentCommentNotFound", "notFound"}
)  # fmt: skip
_BUSY = frozenset({"backendError", "internalError"})


def marker_tag(key: str) -> str:
    """The tag that names a post's idempotency key on its video.

    Example:
        >>> marker_tag("0123456789abcdef0123456789abcdef")
        'smmkit-0123456789abcdef0123'
    """
    return MARKER_PREFIX + key[:20]


def _tags_length(tags: tuple[str, ...]) -> int:
    # YouTube counts a tag with a space as quoted ("cold brew" is 11) and a comma
    # between tags (the Help Center's tag rules).
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)


def _rfc3339(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def the_video(post: PlatformPost) -> MediaAsset:
    """The one video a YouTube post uploads (``media``: exactly one video)."""
    videos = [m for m in post.media if m.kind is MediaKind.VIDEO]
    if len(videos) != 1 or len(post.media) != 1:
        raise InvalidInputError.single(
            "media", "a YouTube post uploads exactly one video (and nothing else)", len(post.media)
        )
    return videos[0]


def video_resource(post: PlatformPost, marker: str | None) -> dict[str, Any]:
    """The ``Video`` body of ``videos.insert`` (parts ``snippet`` and ``status``).

    Refuses, naming the field, what YouTube would refuse: no title, a title over 100
    characters, a description over 5,000 bytes, ``<`` or ``>`` in either, tags over
    500 characters in all, ``publish_at`` with a privacy status other than private.

    Example:
        >>> post = PlatformPost(platform="youtube", piece_id="p", title="Cold brew",
        ...     body="How we brew", extras={"privacy_status": "unlisted", "tags": ["tea"]})
        >>> video_resource(post, None)["status"]
        {'privacyStatus': 'unlisted'}
    """
    extras = post.extras_as(YouTubeExtras)
    title = extras.title or post.title
    if not title or not title.strip():
        raise InvalidInputError.single("title", "YouTube needs a title (post.title or extras)")
    if len(title) > TITLE_MAX or _ANGLE.search(title):
        raise InvalidInputError.single(
            "title", f"must be at most {TITLE_MAX} characters, without < or >", len(title)
        )
    description = post.body
    if len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES or _ANGLE.search(description):
        raise InvalidInputError.single(
            "body", f"must be at most {DESCRIPTION_MAX_BYTES} bytes, without < or >", None
        )
    tags = tuple(extras.tags if extras.tags is not None else post.tags)
    if marker is not None:
        tags = (*tags, marker)
    if any(_ANGLE.search(t) or "," in t or not t.strip() for t in tags):
        raise InvalidInputError.single("tags", "a tag must be non-empty, without < > or ,")
    if _tags_length(tags) > TAGS_MAX_CHARS:
        raise InvalidInputError.single(
            "tags", f"take more than {TAGS_MAX_CHARS} characters in all", _tags_length(tags)
        )
    snippet: dict[str, Any] = {"title": title, "description": description}
    if tags:
        snippet["tags"] = list(tags)
    if extras.category_id is not None:
        snippet["categoryId"] = extras.category_id
    if extras.default_language is not None:
        snippet["defaultLanguage"] = extras.default_language
    status: dict[str, Any] = {}
    privacy = extras.privacy_status
    if extras.publish_at is not None:
        if privacy not in (None, "private"):
            raise InvalidInputError.single(
                "extras.privacy_status", "must be private (or unset) with publish_at", privacy
            )
        privacy = "private"
        status["publishAt"] = _rfc3339(extras.publish_at)
    if privacy is not None:
        status["privacyStatus"] = privacy
    optional = {
        "selfDeclaredMadeForKids": extras.made_for_kids,
        "containsSyntheticMedia": extras.contains_synthetic_media,
        "embeddable": extras.embeddable,
        "license": extras.license,
    }
    status.update({key: value for key, value in optional.items() if value is not None})
    return {"snippet": snippet, "status": status}


def next_offset(response: httpx.Response) -> int:
    """The first byte the server still needs, from a ``308``'s ``Range: bytes=0-N``.

    No ``Range`` header means nothing was stored yet.

    Example:
        >>> next_offset(httpx.Response(308, headers={"Range": "bytes=0-262143"}))
        262144
        >>> next_offset(httpx.Response(308))
        0
    """
    value = response.headers.get("range")
    if not value:
        return 0
    match = re.fullmatch(r"\s*bytes=0-(\d+)\s*", value)
    if match is None:
        raise ValueError("a Range header that is not bytes=0-N")
    return int(match.group(1)) + 1


# -- reading answers -----------------------------------------------------------------


class WireVideo(SmmkitModel):
    """The fields of a ``Video`` resource smmkit reads."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1)
    snippet: dict[str, Any] = Field(default_factory=dict)
    status: dict[str, Any] = Field(default_factory=dict)
    statistics: dict[str, Any] = Field(default_factory=dict)

    def published(self) -> datetime | None:
        """``snippet.publishedAt`` as an aware datetime, when given."""
        value = self.snippet.get("publishedAt")
        return parse_time(value) if isinstance(value, str) else None

    def tags(self) -> tuple[str, ...]:
        """``snippet.tags`` (strings only)."""
        found = self.snippet.get("tags") or ()
        return tuple(t for t in found if isinstance(t, str))


def parse_time(value: str) -> datetime:
    """An RFC 3339 time from the API (``2026-01-01T00:00:00Z``), aware."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def video_of(response: httpx.Response) -> WireVideo:
    """The ``Video`` resource in an answer (an upload's last answer)."""
    return WireVideo.model_validate(response.json())


def videos_of(response: httpx.Response) -> tuple[WireVideo, ...]:
    """The ``items`` of a ``videos.list`` answer."""
    return tuple(WireVideo.model_validate(v) for v in response.json().get("items") or ())


def comment_of(raw: dict[str, Any], platform: str, video_id: str) -> Comment:
    """A ``Comment`` resource as a :class:`~smmkit.platforms.Comment`."""
    snippet = raw["snippet"]
    author = snippet.get("authorChannelId") or {}
    author_id = author.get("value") if isinstance(author, dict) else None
    return Comment(
        platform=platform,
        id=str(raw["id"]),
        post_id=str(snippet.get("videoId") or video_id),
        author_id=str(author_id or snippet.get("authorDisplayName") or "unknown"),
        text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
        created_at=parse_time(snippet["publishedAt"]),
        in_reply_to=snippet.get("parentId"),
    )


def receipt_of(video: WireVideo, key: str | None, extras: YouTubeExtras) -> PublishReceipt:
    """The receipt of an uploaded video: ``pending`` with ``scheduled_at`` when it has a
    ``publishAt``; a video YouTube made private against the wish says why."""
    status = video.status
    privacy = status.get("privacyStatus")
    at = status.get("publishAt")
    scheduled = parse_time(at) if isinstance(at, str) else None
    ids = {"privacy_status": privacy} if isinstance(privacy, str) else {}
    detail = None
    wanted = extras.privacy_status
    if wanted not in (None, "private") and privacy == "private" and scheduled is None:
        detail = (
            f"YouTube made the video private, not {wanted}: uploads from API projects"
            " that have not passed YouTube's audit stay private"
        )
    return PublishReceipt(
        platform="youtube",
        post_id=video.id,
        platform_ids=ids,
        status=PublishStatus.PENDING if scheduled else PublishStatus.PUBLISHED,
        url=f"https://www.youtube.com/watch?v={video.id}",
        idempotency_key=key,
        published_at=None if scheduled else video.published(),
        scheduled_at=scheduled,
        detail=detail,
    )


def match_upload(
    videos: tuple[WireVideo, ...], marker: str | None, wanted: dict[str, Any]
) -> WireVideo | None:
    """The video among ``videos`` that carries ``marker`` in its tags, or without a
    marker the one with ``wanted``'s title and description (a read-back's match)."""
    snippet = wanted["snippet"]
    for video in videos:
        if marker is not None:
            if marker in video.tags():
                return video
        elif video.snippet.get("title") == snippet["title"] and (
            video.snippet.get("description") == snippet["description"]
        ):
            return video
    return None


_ID = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


def require_id(value: object, field: str) -> str:
    """``value`` if it is a YouTube id (video, comment, playlist), else a typed error."""
    if not isinstance(value, str) or not 0 < len(value) <= 128 or not set(value) <= _ID:
        raise InvalidInputError.single(field, "must be a YouTube id (letters, digits, -_.)", value)
    return value


# -- errors --------------------------------------------------------------------------


def google_error(
    response: httpx.Response, *, can_refresh: bool, reset_in: float | None
) -> ErrorInfo | None:
    """What a Google error answer says: ``{"error": {"code", "message", "errors":
    [{"reason", "domain"}], "status"}}``; the first ``reason`` becomes the code.

    ``reset_in`` (seconds to midnight Pacific Time) is the ``retry_after`` of a spent
    daily quota, so the retry policy does not wait for it.

    Example:
        >>> answer = httpx.Response(403, json={"error": {"code": 403, "message": "quota",
        ...     "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}],
        ...     "status": "PERMISSION_DENIED"}})
        >>> info = google_error(answer, can_refresh=False, reset_in=600.0)
        >>> info.kind.__name__, info.code, info.retry_after
        ('YouTubeQuotaError', 'quotaExceeded', 600.0)
    """
    status = response.status_code
    body = json_object(response.content)
    error = body.get("error") if body else None
    if not isinstance(error, dict):
        if status < 400:
            return None
        kind = status_error(status) or APIError
        if status == 401:
            kind = TokenExpiredError if can_refresh else AuthenticationError
        return ErrorInfo(kind, response.reason_phrase or f"HTTP {status}")
    reasons = [
        e.get("reason")
        for e in error.get("errors") or ()
        if isinstance(e, dict) and isinstance(e.get("reason"), str)
    ]
    reason = reasons[0] if reasons else None
    code = reason or (error.get("status") if isinstance(error.get("status"), str) else None)
    message = str(error.get("message") or response.reason_phrase or f"HTTP {status}")[:200]
    if reason in QUOTA_REASONS:
        return ErrorInfo(YouTubeQuotaError, message, code=code, retry_after=reset_in)
    if reason in _THROTTLE or status == 429:
        return ErrorInfo(RateLimitError, message, code=code)
    if status == 401 or reason in _AUTH:
        return ErrorInfo(TokenExpiredError if can_refresh else AuthenticationError, message, code)
    if reason in _NOT_FOUND or status == 404:
        return ErrorInfo(NotFoundError, message, code=code)
    if reason in _FORBIDDEN:
        return ErrorInfo(PermissionDeniedError, message, code=code)
    if reason in _BUSY or status >= 500:
        return ErrorInfo(ServerError, message, code=code)
    return ErrorInfo(status_error(status) or APIError, message, code=code)
