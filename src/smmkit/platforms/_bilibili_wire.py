"""Bilibili open platform's wire format: signatures, the answer envelope, errors, states.

Pure helpers of :mod:`smmkit.platforms.bilibili` (no I/O, no adapter state). Facts and
their sources (read 2026-12-07; the official pages are openhome.bilibili.com/doc/4/…,
also served as open.bilibili.com/doc/4/…, rendered from the apifox project 1106400):

* every request carries ``x-bili-*`` headers signed with HMAC-SHA256 of the app secret
  over the sorted ``key:value`` lines, the hex digest as ``Authorization``, and the
  user's token as ``access-token`` (signature version 2.0: "接口签名实现标准",
  https://open.bilibili.com/doc/4/8673959e-f7bb-56e6-6e68-d225f971b81b, and Bilibili's
  own demo github.com/bilibili-openplatform/SignatureAlgorithm_DotnetDemo);
* answers are ``{"code": 0, "message": "0", "ttl": 1, "data": …}`` (often with a
  ``request_id``); a non-zero ``code`` is an error, also in HTTP 200 (状态码,
  https://apifox.com/apidoc/docs-site/1106400/doc-895951);
* an archive's review state is ``addit_info.state`` with ``state_desc`` and
  ``reject_reason`` (查询单一视频稿件详情,
  https://open.bilibili.com/doc/4/d9554788-dcef-f139-6217-b487d41c3826); the numbers
  are Bilibili's archive states (0 open, -1 awaiting review, -2 sent back, -4 locked,
  -16 transcoding failed, -100 deleted by the user; github.com/SocialSisterYi/
  bilibili-API-collect, unofficial);
* non-regular members (非正式会员) submit at most 5 archives a day (视频稿件提交,
  https://apifox.com/apidoc/docs-site/1106400/api-23706538); chunks should be 8 MB,
  the last one excepted (文件分片上传, .../api-23701336).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DuplicateContentError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from smmkit.models._base import SmmkitModel
from smmkit.platforms._answers import json_object
from smmkit.platforms._errors import ErrorInfo, status_error

__all__ = [
    "BEIJING",
    "CHUNK_BYTES",
    "REJECTED_STATES",
    "WireArchive",
    "archive_state",
    "body_request_id",
    "content_key",
    "error_info",
    "seconds_to_beijing_midnight",
    "sign",
    "stat_counts",
]

BEIJING = timezone(timedelta(hours=8))
"""Bilibili's day (the daily submission limit) runs on Beijing time."""

CHUNK_BYTES = 8 * 1024 * 1024
"""The chunk size Bilibili recommends (8 MB; the last chunk may be smaller)."""

PUBLISHED_STATES = frozenset({0, 1})  # 0 开放浏览 (open), 1 橙色通过 (open, restricted)
REJECTED_STATES = frozenset({-2, -3, -4, -5, -11, -16, -100})
"""States that end a review without an open archive: sent back (打回), locked, source to
be fixed, transcoding failed, deleted."""

# Codes (状态码 page and the main site's common codes) and what they mean to smmkit.
_TOKEN_CODES = frozenset({-101, -658, 127000, 127001})  # not logged in / token invalid
_AUTH_CODES = frozenset({-111, -2, -3, 127004, 127012, 122000, 122001, 122002, 122007})
_PERMISSION_CODES = frozenset({-403, -4, -106, 127005, 127006, 127007, 127011})
_THROTTLE_CODES = frozenset({-412, -509, -799, 127009})
_SERVER_CODES = frozenset({-500, -503, -504, 127201})
_NOT_FOUND_CODES = frozenset({-404, 127107, 127124})
_BAD_REQUEST_CODES = frozenset({-400, 127100, 127102, 127207})
DUPLICATE_CODES = frozenset({127022})  # upload_token refused: already used (or expired)
DAILY_CODES = frozenset({127009})  # "api请求次数达到上限": waits until midnight Beijing


def sign(
    *,
    client_id: str,
    client_secret: str,
    access_token: str,
    body: bytes,
    timestamp: int,
    nonce: str,
) -> dict[str, str]:
    """The signed headers of one request (signature version 2.0).

    Example:
        >>> headers = sign(client_id="34c0f583f0414123", client_secret="s3cret",
        ...     access_token="t0k", body=b"", timestamp=1624594467, nonce="n-1")
        >>> headers["x-bili-content-md5"], headers["x-bili-signature-version"]
        ('d41d8cd98f00b204e9800998ecf8427e', '2.0')
        >>> len(headers["Authorization"])
        64
    """
    signed = {
        "x-bili-accesskeyid": client_id,
        "x-bili-content-md5": hashlib.md5(body).hexdigest(),  # the protocol's digest
        "x-bili-signature-method": "HMAC-SHA256",
        "x-bili-signature-nonce": nonce,
        "x-bili-signature-version": "2.0",
        "x-bili-timestamp": str(timestamp),
    }
    text = "\n".join(f"{key}:{signed[key]}" for key in sorted(signed))
    digest = hmac.new(client_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256)
    return {
        "Accept": "application/json",
        **signed,
        "access-token": access_token,
        "Authorization": digest.hexdigest(),
    }


def body_request_id(content: bytes) -> str | None:
    """The ``request_id`` an answer's body carries, if any.

    Example:
        >>> body_request_id(b'{"code": 0, "request_id": "7b753a28"}')
        '7b753a28'
    """
    body = json_object(content)
    rid = body.get("request_id") if body else None
    return rid if isinstance(rid, str) and rid else None


def seconds_to_beijing_midnight(now: float) -> float:
    """Seconds from ``now`` (epoch seconds) to the next midnight in Beijing.

    Example:
        >>> seconds_to_beijing_midnight(16 * 3600)  # 00:00 in Beijing
        86400.0
    """
    local = datetime.fromtimestamp(now, BEIJING)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, (midnight - local).total_seconds())


def _kind(code: int, *, can_refresh: bool, submit: bool) -> type[PlatformError] | None:
    if code in _TOKEN_CODES:
        return TokenExpiredError if can_refresh else AuthenticationError
    if submit and code in DUPLICATE_CODES:
        return DuplicateContentError
    for codes, kind in (
        (_AUTH_CODES, AuthenticationError),
        (_PERMISSION_CODES, PermissionDeniedError),
        (_THROTTLE_CODES, RateLimitError),
        (_SERVER_CODES, ServerError),
        (_NOT_FOUND_CODES, NotFoundError),
        (_BAD_REQUEST_CODES, BadRequestError),
    ):
        if code in codes:
            return kind
    return None


def error_info(
    response: httpx.Response, *, can_refresh: bool, submit: bool = False
) -> ErrorInfo | None:
    """What a Bilibili answer says went wrong (its ``code`` and ``message``), or ``None``.

    ``submit``: the answer is to ``add-by-utoken``, where an upload token refused as
    used (127022) means an earlier submission of it went through.

    Example:
        >>> info = error_info(httpx.Response(200, json={"code": -101,
        ...     "message": "账号未登录", "ttl": 1}), can_refresh=True)
        >>> info.kind.__name__, info.code
        ('TokenExpiredError', -101)
    """
    body = json_object(response.content)
    code = body.get("code") if body else None
    if isinstance(code, str) and code.lstrip("-").isdigit():
        code = int(code)
    status = response.status_code
    if not isinstance(code, int) or isinstance(code, bool) or code == 0:
        if status < 400:
            return None
        code = None
    message = body.get("message") if body else None
    text = message if isinstance(message, str) and message and message != "0" else None
    text = text or response.reason_phrase or f"HTTP {status}"
    kind = None if code is None else _kind(code, can_refresh=can_refresh, submit=submit)
    if kind is None:
        kind = status_error(status) or APIError
    if status >= 500 and not issubclass(kind, (ServerError, RateLimitError)):
        kind = ServerError  # an outage whatever the body says
    return ErrorInfo(kind, f"{text} (code {code})" if code is not None else text, code=code)


# -- answers ----------------------------------------------------------------------------


class WireArchive(SmmkitModel):
    """The fields of an archive (``archive/view``, ``archive/viewlist``) smmkit reads."""

    model_config = ConfigDict(extra="ignore")

    resource_id: str = Field(min_length=1)
    title: str = ""
    desc: str = ""
    tag: str = ""
    tid: int | None = None
    ctime: int | None = None
    ptime: int | None = None
    addit_info: dict[str, Any] = Field(default_factory=dict)
    video_info: dict[str, Any] = Field(default_factory=dict)

    @property
    def state(self) -> int:
        """``addit_info.state`` (0: open; negative: in review or refused)."""
        value = self.addit_info.get("state", -1)
        return value if isinstance(value, int) and not isinstance(value, bool) else -1

    @property
    def url(self) -> str:
        """The archive's page (``video_info.share_url``, else www.bilibili.com/video/…)."""
        share = self.video_info.get("share_url")
        if isinstance(share, str) and share.startswith("https://"):
            return share
        return f"https://www.bilibili.com/video/{self.resource_id}"

    @property
    def reason(self) -> str:
        """Why the review refused the archive (``reject_reason``, else ``state_desc``)."""
        for key in ("reject_reason", "state_desc"):
            value = self.addit_info.get(key)
            if isinstance(value, str) and value:
                return value
        return f"state {self.state}"

    def created(self) -> datetime | None:
        """When it was submitted (``ctime``, epoch seconds)."""
        return None if not self.ctime else datetime.fromtimestamp(self.ctime, timezone.utc)


def archive_state(archive: WireArchive) -> str:
    """``"published"``, ``"rejected"`` or ``"reviewing"`` for an archive.

    Example:
        >>> archive_state(WireArchive(resource_id="BV1", addit_info={"state": -2}))
        'rejected'
    """
    if archive.state in PUBLISHED_STATES:
        return "published"
    if archive.state in REJECTED_STATES:
        return "rejected"
    return "reviewing"


_BLANKS = re.compile(r"\s+")


def content_key(title: str, desc: str, tags: str) -> tuple[str, str, str]:
    """What a read-back compares archives by: title, description and the set of tags,
    with runs of white space as one space.

    Example:
        >>> content_key("Tea ", "a\\n b", "x,y") == content_key("Tea", "a b", "y, x")
        True
    """

    def norm(text: str) -> str:
        return _BLANKS.sub(" ", text).strip()

    tag_set = ",".join(sorted({norm(t) for t in tags.split(",") if norm(t)}))
    return norm(title), norm(desc), tag_set


_STAT_NAMES = ("like", "coin", "favorite", "share", "reply", "danmaku")


def stat_counts(data: dict[str, Any]) -> dict[str, float]:
    """``data/arc/stat`` in the metric vocabulary: ``views`` (``view``), Bilibili's own
    names for the rest (``like``, ``coin``, ``favorite``, ``share``, ``reply``,
    ``danmaku``) and their sum as ``interactions``.

    Example:
        >>> stat_counts({"view": 198, "danmaku": 166, "reply": 11, "favorite": 36,
        ...              "coin": 8, "share": 79, "like": 135})["interactions"]
        435.0
    """

    def number(value: Any) -> float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        return float(value) if ok else 0.0

    counts = {"views": number(data.get("view"))}
    counts.update({name: number(data.get(name)) for name in _STAT_NAMES})
    counts["interactions"] = sum(counts[name] for name in _STAT_NAMES)
    return counts
