"""Douyin's wire format: endpoints, scopes, error bodies, video and comment records.

Pure helpers of :mod:`smmkit.platforms.douyin` (no I/O, no adapter state). Facts and
their sources (read 2026-12-06):

* paths, methods, query and body field names and types: ByteDance's SDK
  ``@open-dy/open_api_sdk`` 1.1.0 (``dist/client.js``; checked request by request in
  ``tests/contract/test_douyin_sdk.py``). Every call carries the user's token in the
  ``access-token`` header and the account's ``open_id`` in the query;
* answers and errors: ``{"data": {..., "error_code", "description"}, "extra":
  {"error_code", "description", "sub_error_code", "logid", "now"}}`` in HTTP 200
  (the SDK's ``*ResponseData``/``*ResponseExtra`` models;
  https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/interaction-management/posting-task/verify-posting-task
  for 2100004 busy, 2100005 bad parameter, 2118110 too many requests);
* token codes 10008/2190008 (access token expired: refresh), 10010 (refresh token
  expired) and 10020 (renewed too often: authorize again):
  https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
  and the renew_refresh_token page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.models._base import SmmkitModel
from smmkit.platforms._adapter import Capability

__all__ = [
    "AUTH_CODES",
    "BAD_REQUEST_CODES",
    "BUSY_CODES",
    "OPERATION_SCOPES",
    "PERMISSION_CODES",
    "SCOPE_CAPABILITIES",
    "THROTTLE_CODES",
    "TOKEN_EXPIRED_CODES",
    "WireComment",
    "WireVideo",
    "capabilities_for",
    "content_key",
    "envelope_error",
    "metric_counts",
    "multipart_video",
    "scopes_of",
]

HOST = "open.douyin.com"

# Scope → what it lets the client do. Douyin renamed its user scopes with a ``.bind``
# suffix; both spellings are accepted.
SCOPE_CAPABILITIES: Mapping[str, frozenset[Capability]] = {
    "video.create.bind": frozenset({Capability.PUBLISH_TEXT, Capability.PUBLISH_VIDEO}),
    "video.create": frozenset({Capability.PUBLISH_TEXT, Capability.PUBLISH_VIDEO}),
    "video.data.bind": frozenset({Capability.METRICS}),
    "video.data": frozenset({Capability.METRICS}),
    "item.comment": frozenset({Capability.COMMENTS, Capability.REPLY}),
    "video.list.bind": frozenset(),
    "video.list": frozenset(),
}

# Operation → the scopes, any of which allows it.
OPERATION_SCOPES: Mapping[str, tuple[str, ...]] = {
    "publish": ("video.create.bind", "video.create"),
    "upload": ("video.create.bind", "video.create"),
    "read_back": ("video.list.bind", "video.list"),
    "metrics": ("video.data.bind", "video.data"),
    "comments": ("item.comment",),
    "reply": ("item.comment",),
}

TOKEN_EXPIRED_CODES = frozenset({10008, 2190008, 2190002})  # refresh, then retry once
AUTH_CODES = frozenset({10010, 10020, 2190015, 2190016})  # only the user or app can fix
PERMISSION_CODES = frozenset({10004, 2190004, 2100007, 2100009})  # scope or capability
THROTTLE_CODES = frozenset({2118110})
BUSY_CODES = frozenset({2100004})
BAD_REQUEST_CODES = frozenset({2100005, 10002, 10005})


def scopes_of(value: str | Iterable[str] | None) -> frozenset[str]:
    """Scope names from a token's scope text (commas or spaces) or an iterable.

    Example:
        >>> sorted(scopes_of("user_info,video.create.bind video.data.bind"))
        ['user_info', 'video.create.bind', 'video.data.bind']
    """
    if value is None:
        return frozenset()
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    return frozenset(s for s in items if s)


def capabilities_for(scopes: Iterable[str]) -> frozenset[Capability]:
    """What a token with ``scopes`` may do.

    Example:
        >>> sorted(c.value for c in capabilities_for({"video.data.bind", "item.comment"}))
        ['comments', 'metrics', 'reply']
    """
    found: set[Capability] = set()
    for scope in scopes:
        found |= SCOPE_CAPABILITIES.get(scope, frozenset())
    return frozenset(found)


def envelope_error(body: Any) -> tuple[int, str, str | None] | None:
    """``(error_code, description, logid)`` of an answer that reports an error, else ``None``.

    ``data.error_code`` wins; ``extra.error_code`` counts when ``data`` has none.

    Example:
        >>> envelope_error({"data": {"error_code": 2190008, "description": "expired"},
        ...                 "extra": {"error_code": 2190008, "logid": "2026010112"}})
        (2190008, 'expired', '2026010112')
        >>> envelope_error({"data": {"error_code": 0}, "extra": {"error_code": 0}}) is None
        True
    """
    if not isinstance(body, dict):
        return None
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    extra: dict[str, Any] = body["extra"] if isinstance(body.get("extra"), dict) else {}
    code: Any = None
    for source in (data, extra):
        value = source.get("error_code")
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and value != 0:
            code, said = value, source.get("description")
            break
    if code is None:
        return None
    logid = extra.get("logid") or data.get("log_id")
    text = said if isinstance(said, str) and said else f"error_code {code}"
    return int(code), text[:200], logid if isinstance(logid, str) else None


def content_key(text: str) -> str:
    """What a read-back compares captions by: white space runs as one space, trimmed.

    Example:
        >>> content_key(" 冷泡茶\\n三分钟 ") == content_key("冷泡茶 三分钟")
        True
    """
    return " ".join(text.split())


def multipart_video(data: bytes, filename: str = "video.mp4") -> tuple[bytes, str]:
    """The ``multipart/form-data`` body with one ``video`` file field and its boundary.

    A fixed boundary derived from the bytes keeps both drivers' requests identical.

    Example:
        >>> body, boundary = multipart_video(b"mp4")
        >>> body.startswith(b"--" + boundary.encode()) and b'name="video"' in body
        True
    """
    boundary = "smmkit-" + hashlib.sha256(data).hexdigest()[:24]
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="video"; filename="{filename}"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def metric_counts(statistics: Mapping[str, Any]) -> dict[str, float]:
    """A video's ``statistics`` in the metric vocabulary: ``views`` (play_count),
    ``likes`` (digg_count), ``comments``, ``shares``, their sum as ``interactions``, and
    Douyin's own ``download_count`` and ``forward_count``.

    Example:
        >>> counts = metric_counts({"play_count": 100, "digg_count": 7, "comment_count": 2,
        ...                "share_count": 1, "download_count": 0, "forward_count": 3})
        >>> counts["views"], counts["likes"], counts["interactions"], counts["forward_count"]
        (100.0, 7.0, 10.0, 3.0)
    """

    def number(name: str) -> float:
        value = statistics.get(name)
        return float(value) if isinstance(value, (int, float)) and value >= 0 else 0.0

    counts = {
        "views": number("play_count"),
        "likes": number("digg_count"),
        "comments": number("comment_count"),
        "shares": number("share_count"),
    }
    counts["interactions"] = counts["likes"] + counts["comments"] + counts["shares"]
    counts["download_count"] = number("download_count")
    counts["forward_count"] = number("forward_count")
    return counts


class WireVideo(SmmkitModel):
    """One video of ``video/video_list`` or ``video/video_data``.

    Example:
        >>> WireVideo.model_validate({"item_id": "@9VwK", "title": "hi",
        ...                           "create_time": 1767225600}).created_at.year
        2026
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    item_id: str
    video_id: str | None = None
    title: str = ""
    create_time: int | None = None
    share_url: str | None = None
    video_status: int | None = None
    statistics: dict[str, Any] = Field(default_factory=dict)

    @property
    def created_at(self) -> datetime | None:
        """When the video was created (``create_time``, epoch seconds), if known."""
        if self.create_time is None or self.create_time <= 0:
            return None
        return datetime.fromtimestamp(self.create_time, timezone.utc)


class WireComment(SmmkitModel):
    """One comment of ``item/comment/list`` or ``item/comment/reply/list``.

    Example:
        >>> WireComment.model_validate({"comment_id": "c1", "content": "好喝",
        ...     "comment_user_id": "u1", "create_time": 1767225600}).content
        '好喝'
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    comment_id: str
    content: str = ""
    comment_user_id: str | None = None
    create_time: int | None = None
    reply_comment_total: int = 0
    reply_comment_id: str | None = None

    @property
    def created_at(self) -> datetime | None:
        """When the comment was made, if known."""
        if self.create_time is None or self.create_time <= 0:
            return None
        return datetime.fromtimestamp(self.create_time, timezone.utc)


def answer_data(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` object of a successful answer (``KeyError``/``TypeError`` if none, which
    the publish flow turns into an unreadable-answer error).

    Example:
        >>> answer_data(httpx.Response(200, json={"data": {"item_id": "@1"}}))
        {'item_id': '@1'}
    """
    body = json.loads(response.content)
    data = body["data"]
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    return data
