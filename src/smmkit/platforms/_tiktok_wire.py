"""TikTok's wire format: the ``{"data", "error"}`` envelope, chunk plans, statuses, videos.

Pure helpers of :mod:`smmkit.platforms.tiktok` (no I/O, no adapter state). Facts and
their sources (developers.tiktok.com, read 2026-12-06):

* every answer is ``{"data": ..., "error": {"code", "message", "log_id"}}``; ``code``
  ``"ok"`` is success, anything else is a failure, even under HTTP 200 (creator_info's
  ``spam_risk_too_many_posts``): /doc/tiktok-api-v2-error-handling,
  /doc/content-posting-api-reference-query-creator-info;
* chunks: ``total_chunk_count`` is ``video_size // chunk_size``; each chunk 5 MB to
  64 MB, the final one takes the trailing bytes (up to 128 MB); a video under 5 MB is
  one chunk of its own size; 1 to 1000 chunks, sent in order; 206 for a chunk, 201 for
  the last: /doc/content-posting-api-media-transfer-guide;
* statuses ``PROCESSING_UPLOAD``, ``PROCESSING_DOWNLOAD``, ``SEND_TO_USER_INBOX``,
  ``PUBLISH_COMPLETE``, ``FAILED`` (with ``fail_reason``); the video id comes in
  ``publicaly_available_post_id`` (sic) once a public post passed moderation:
  /doc/content-posting-api-reference-get-video-status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    APIError,
    BadRequestError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
)
from smmkit.models._base import SmmkitModel
from smmkit.platforms._answers import json_object
from smmkit.platforms._errors import status_error

__all__ = [
    "CHUNK_MAX",
    "CHUNK_MIN",
    "DAILY_CAPS",
    "DEFAULT_CHUNK",
    "FINAL_CHUNK_MAX",
    "CreatorInfo",
    "WireVideo",
    "chunk_plan",
    "chunk_ranges",
    "content_key",
    "envelope_error",
    "error_kind",
    "is_publish_id",
    "matching_video",
    "owned_url",
    "resume_index",
    "video_counts",
    "video_url",
]

CHUNK_MIN = 5 * 1024 * 1024
"""The smallest chunk (5 MB, read as MiB: at least TikTok's 5,000,000 either way)."""
CHUNK_MAX = 64_000_000
"""The largest chunk (64 MB, read as 10^6 bytes: within TikTok's limit either way)."""
FINAL_CHUNK_MAX = 128_000_000
"""The largest final chunk, which takes the trailing bytes."""
DEFAULT_CHUNK = 10_000_000
"""The chunk size of TikTok's own example (50,000,123 bytes in 5 chunks)."""
MAX_CHUNKS = 1000

_BLANKS = re.compile(r"\s+")
_PUBLISH_ID = re.compile(r"^[a-z]_[a-z_]+~")


# error.code -> the smmkit error it is (the rest follow the HTTP status)
_KINDS: dict[str, type[PlatformError]] = {
    "rate_limit_exceeded": RateLimitError,
    "spam_risk_too_many_posts": RateLimitError,
    "spam_risk_too_many_pending_share": RateLimitError,
    "reached_active_user_cap": RateLimitError,
    "scope_not_authorized": PermissionDeniedError,
    "scope_permission_missed": PermissionDeniedError,
    "spam_risk_user_banned_from_posting": PermissionDeniedError,
    "unaudited_client_can_only_post_to_private_accounts": PermissionDeniedError,
    "url_ownership_unverified": PermissionDeniedError,
    "token_not_authorized_for_specified_publish_id": PermissionDeniedError,
    "privacy_level_option_mismatch": BadRequestError,
    "invalid_param": BadRequestError,
    "invalid_params": BadRequestError,
    "invalid_file_upload": BadRequestError,
    "app_version_check_failed": BadRequestError,
    "invalid_publish_id": NotFoundError,
    "internal_error": ServerError,
}
DAILY_CAPS = frozenset(
    {"spam_risk_too_many_posts", "spam_risk_too_many_pending_share", "reached_active_user_cap"}
)
"""Caps over a rolling 24 hours (the creator's posts, pending inbox drafts, the app's
active creators): waiting the window out is the only sure wait."""


def error_kind(code: str | None, status: int) -> type[PlatformError]:
    """The smmkit error for TikTok's ``error.code`` (else for the HTTP status).

    Example:
        >>> error_kind("url_ownership_unverified", 403).__name__
        'PermissionDeniedError'
        >>> error_kind(None, 416).__name__
        'APIError'
    """
    return _KINDS.get(code or "") or status_error(status) or APIError


def envelope_error(content: bytes) -> tuple[str | None, str | None, str | None]:
    """``(code, message, log_id)`` of TikTok's ``error`` object, ``None`` where absent.

    Example:
        >>> envelope_error(b'{"data": {}, "error": {"code": "ok", "message": "",'
        ...                b' "log_id": "202210112248442CB9319E1FB30C1073F3"}}')
        ('ok', None, '202210112248442CB9319E1FB30C1073F3')
        >>> envelope_error(b"<html>")
        (None, None, None)
    """
    body = json_object(content)
    error = body.get("error") if body is not None else None
    if not isinstance(error, dict):
        return None, None, None
    code, message = error.get("code"), error.get("message")
    log_id = error.get("log_id") or error.get("logid")
    return (
        code if isinstance(code, str) and code else None,
        message if isinstance(message, str) and message else None,
        log_id if isinstance(log_id, str) and log_id else None,
    )


def chunk_plan(size: int, chunk_size: int = DEFAULT_CHUNK) -> tuple[int, int]:
    """``(chunk_size, total_chunk_count)`` for a video of ``size`` bytes, by TikTok's rules.

    A video under 5 MB, or no larger than ``chunk_size``, goes whole; otherwise
    ``size // chunk_size`` chunks, the last one taking the trailing bytes (so it is
    under twice ``chunk_size``), the chunk grown if 1000 chunks would not hold it.

    Example:
        >>> chunk_plan(50_000_123, 10_000_000)
        (10000000, 5)
        >>> chunk_plan(4_194_304)
        (4194304, 1)
    """
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise InvalidInputError.single("size", "must be a positive number of bytes", size)
    if not CHUNK_MIN <= chunk_size <= CHUNK_MAX:
        raise InvalidInputError.single(
            "chunk_size", f"must be {CHUNK_MIN} to {CHUNK_MAX} bytes", chunk_size
        )
    if size < CHUNK_MIN or size <= chunk_size:
        return size, 1
    if size // chunk_size > MAX_CHUNKS:
        chunk_size = -(-size // MAX_CHUNKS)
        if chunk_size > CHUNK_MAX:
            raise InvalidInputError.single(
                "size", f"is more than {MAX_CHUNKS} chunks of {CHUNK_MAX} bytes", size
            )
    return chunk_size, size // chunk_size


def chunk_ranges(size: int, chunk_size: int, count: int) -> list[tuple[int, int]]:
    """``(first_byte, last_byte)`` of each chunk: the last one runs to the end.

    Example:
        >>> chunk_ranges(50_000_123, 10_000_000, 5)[-1]
        (40000000, 50000122)
    """
    ranges = [(i * chunk_size, (i + 1) * chunk_size - 1) for i in range(count)]
    ranges[-1] = (ranges[-1][0], size - 1)
    return ranges


def resume_index(uploaded: int, chunk_size: int, count: int, size: int) -> int | None:
    """The chunk to send next when TikTok holds ``uploaded`` bytes: ``count`` when all
    are there, ``None`` when ``uploaded`` is not on a chunk boundary.

    Example:
        >>> resume_index(20_000_000, 10_000_000, 5, 50_000_123)
        2
        >>> resume_index(50_000_123, 10_000_000, 5, 50_000_123), resume_index(7, 10, 5, 50)
        (5, None)
    """
    if uploaded >= size:
        return count
    if uploaded < 0 or uploaded % chunk_size:
        return None
    index = uploaded // chunk_size
    return index if index < count else None


def content_key(text: str) -> str:
    """What a caption is compared by when reading back: runs of white space as one space,
    none at either end.

    Example:
        >>> content_key("Cold  brew\\n #tea ") == content_key("Cold brew #tea")
        True
    """
    return _BLANKS.sub(" ", text).strip()


def is_publish_id(value: str) -> bool:
    """Whether ``value`` is a Content Posting ``publish_id`` (``v_pub_file~v2-1.1``,
    ``p_pub_url~v2.1``, ``v_inbox_file~v2.1``) rather than a video id.

    Example:
        >>> is_publish_id("v_pub_file~v2-1.123456789"), is_publish_id("7123456789012345678")
        (True, False)
    """
    return bool(_PUBLISH_ID.match(value))


def video_url(username: str | None, video_id: str | None) -> str | None:
    """The public link of a video, when both the creator's username and the id are known.

    Example:
        >>> video_url("tiktok", "7123456789012345678")
        'https://www.tiktok.com/@tiktok/video/7123456789012345678'
    """
    if not username or not video_id:
        return None
    return f"https://www.tiktok.com/@{username}/video/{video_id}"


def owned_url(url: str, prefixes: Sequence[str]) -> bool:
    """Whether ``url`` lies under one of the app's verified domains or URL prefixes.

    A domain (``static.example.com``) covers itself and its subdomains; a URL prefix
    (``https://example.com/videos/user/``) covers the URLs that start with it exactly.
    TikTok pulls only ``https`` URLs.

    Example:
        >>> owned_url("https://video.static.example.com/t/a.mp4", ["static.example.com"])
        True
        >>> owned_url("https://example.com/videos/2023/a.mp4", ["https://example.com/videos/u/"])
        False
    """
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return False
    host = parts.hostname.lower()
    for prefix in prefixes:
        if prefix.startswith("https://"):
            if url.startswith(prefix):
                return True
        elif host == prefix.lower() or host.endswith("." + prefix.lower()):
            return True
    return False


class CreatorInfo(SmmkitModel):
    """What ``creator_info/query`` says about the creator a direct post goes to.

    Example:
        >>> info = CreatorInfo.model_validate({"creator_username": "tiktok",
        ...     "privacy_level_options": ["SELF_ONLY"], "max_video_post_duration_sec": 300})
        >>> info.privacy_level_options, info.comment_disabled
        (('SELF_ONLY',), False)
    """

    model_config = ConfigDict(extra="ignore")

    creator_username: str | None = None
    creator_nickname: str | None = None
    privacy_level_options: tuple[str, ...] = ()
    comment_disabled: bool = False
    duet_disabled: bool = False
    stitch_disabled: bool = False
    max_video_post_duration_sec: int | None = None


class WireVideo(SmmkitModel):
    """The fields of a Display API video object smmkit reads (``/v2/video/list/``,
    ``/v2/video/query/``)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str = ""
    video_description: str = ""
    create_time: int | None = None
    share_url: str | None = None
    counts: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def read(cls, item: Mapping[str, Any]) -> WireVideo:
        """One video object (its counts kept aside)."""
        names = ("view_count", "like_count", "comment_count", "share_count")
        counts = {n: item[n] for n in names if n in item}
        return cls.model_validate({**item, "id": str(item["id"]), "counts": counts})


def video_counts(video: WireVideo) -> dict[str, float]:
    """A video's counts in the metric vocabulary: ``views`` (``view_count``), TikTok's
    ``like_count``, ``comment_count``, ``share_count``, and their sum as ``interactions``.

    Example:
        >>> counts = video_counts(WireVideo.read({"id": 1, "view_count": 100,
        ...     "like_count": 5, "comment_count": 2, "share_count": 1}))
        >>> counts["views"], counts["interactions"]
        (100.0, 8.0)
    """
    raw = video.counts
    counts: dict[str, float] = {}
    if "view_count" in raw:
        counts["views"] = float(raw["view_count"] or 0)
    for name in ("like_count", "comment_count", "share_count"):
        if name in raw:
            counts[name] = float(raw[name] or 0)
    parts = [counts[n] for n in ("like_count", "comment_count", "share_count") if n in counts]
    if parts:
        counts["interactions"] = sum(parts)
    return counts


def matching_video(
    videos: Sequence[WireVideo], wanted: str, *, oldest: float | None
) -> WireVideo | None:
    """The first of ``videos`` whose caption (``title``) or description has the content
    key ``wanted``, created no earlier than ``oldest`` (epoch seconds) when given.

    Example:
        >>> videos = [WireVideo.read({"id": 1, "title": "other"}),
        ...           WireVideo.read({"id": 2, "title": "Cold  brew", "create_time": 50})]
        >>> matching_video(videos, "Cold brew", oldest=10).id
        '2'
    """
    for video in videos:
        if oldest is not None and video.create_time is not None and video.create_time < oldest:
            continue
        if wanted in (content_key(video.title), content_key(video.video_description)):
            return video
    return None
