"""Weibo's wire format: error codes, times, answers, and the rules of ``statuses/share``.

Pure helpers of :mod:`smmkit.platforms.weibo` (no I/O, no adapter state). Facts and
their sources (read 2026-12-07):

* ``statuses/share`` (https://open.weibo.com/wiki/2/statuses/share): ``status`` at most
  140 汉字, no ``#话题词#``, at least one URL on the app's bound safe domain (安全域名,
  "我的应用 - 应用信息 - 基本应用信息编辑 - 安全域名"); ``pic`` one JPEG/GIF/PNG under
  5 MB as ``multipart/form-data``; ``rip`` the operating user's real IP (required);
* errors are ``{"error": "...", "error_code": 21327, "request": "/2/..."}``; system codes
  start with 1, service codes with 2 (https://open.weibo.com/wiki/Error_code);
* times are ``"Wed Oct 24 23:49:17 +0800 2012"`` (every answer example of the API pages);
* ``statuses/count`` answers ``[{"id", "comments", "reposts", "attitudes"}]``, leaving out
  unknown or deleted ids (https://open.weibo.com/wiki/2/statuses/count);
* limits are hourly per user and app, hourly per IP and daily per user and app
  (https://open.weibo.com/wiki/Rate-limiting, 接口访问频次权限).
"""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel
from smmkit.platforms._answers import json_object
from smmkit.platforms._checks import require
from smmkit.text import EntityKind, HashtagForm, extract_entities

__all__ = [
    "AUTH_CODES",
    "DUPLICATE_CODES",
    "NOT_FOUND_CODES",
    "PERMISSION_CODES",
    "RATE_LIMIT_CODES",
    "SLOW_SUCCESS_CODE",
    "WireComment",
    "WireStatus",
    "bound_domains",
    "check_rip",
    "content_key",
    "count_metrics",
    "error_fields",
    "links_on",
    "seconds_to_next_hour",
    "status_id",
    "status_url",
    "topics_in",
    "unwrap_topics",
    "weibo_time",
]

RATE_LIMIT_CODES = frozenset({10022, 10023, 10024})
"""IP requests, user requests, user requests of one special API over their (hourly) limit."""

AUTH_CODES = frozenset({21314, 21315, 21316, 21317, 21318, 21319, 21327, 21332})
"""Token used, expired, revoked, rejected; verifier failed; accessor revoked;
``expired_token``; ``invalid_access_token``."""

DUPLICATE_CODES = frozenset({20017, 20019, 20111})
"""Similar content, the same content, the same weibo text as just posted."""

PERMISSION_CODES = frozenset({10005, 10014, 20102, 20203, 20206, 20207, 21321})
"""A high-level appkey is needed; the app may not call this API; not your own weibo /
comment; the author lets only followers / trusted users comment; an unaudited app used by
more accounts than allowed."""

NOT_FOUND_CODES = frozenset({20101, 20201})
"""The weibo, the comment does not exist."""

SLOW_SUCCESS_CODE = 20032
""""Update success, while server slow now": published, visible in 1-2 minutes."""

_BLANKS = re.compile(r"\s+")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_STATUS_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def weibo_time(value: str) -> datetime:
    """A Weibo time (``"Wed Oct 24 23:49:17 +0800 2012"``) as an aware datetime.

    Example:
        >>> weibo_time("Wed Oct 24 23:49:17 +0800 2012").isoformat()
        '2012-10-24T23:49:17+08:00'
    """
    return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")


def status_id(value: object, field: str = "post_id") -> str:
    """``value`` as a weibo or comment id, else a typed error naming ``field``.

    Weibo's ids are digits (``idstr``); anything else without spaces or punctuation is
    passed on for Weibo to refuse.

    Example:
        >>> status_id("3504803600502730")
        '3504803600502730'
    """
    require(value, field, str, "a weibo id (a str)")
    assert isinstance(value, str)
    if not _STATUS_ID.match(value):
        raise InvalidInputError.single(field, "must be a Weibo id (such as its idstr)", value)
    return value


def status_url(post_id: str) -> str:
    """The public page of a weibo.

    Example:
        >>> status_url("3504803600502730")
        'https://m.weibo.cn/status/3504803600502730'
    """
    return f"https://m.weibo.cn/status/{post_id}"


def bound_domains(value: object, field: str = "bound_domain") -> tuple[str, ...]:
    """The app's bound safe domains (安全域名), lower-cased, each a host name.

    Example:
        >>> bound_domains(["Tea.Example.CN", ".shop.example.cn"])
        ('tea.example.cn', 'shop.example.cn')
    """
    if not isinstance(value, (str, list, tuple)):
        raise InvalidInputError.single(
            field, "must be a domain (str) or a list of domains", type(value).__name__
        )
    items: Iterable[object] = (value,) if isinstance(value, str) else value
    found: list[str] = []
    for item in items:
        if not isinstance(item, str) or not _HOST.match(item.strip().lower().lstrip(".")):
            raise InvalidInputError.single(
                field, "must be host names such as tea.example.cn (no scheme, no path)", item
            )
        domain = item.strip().lower().lstrip(".")
        if domain not in found:
            found.append(domain)
    if not found:
        raise InvalidInputError.single(field, "needs at least one bound domain", value)
    return tuple(found)


def _host(url: str) -> str:
    rest = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", url, flags=re.IGNORECASE)
    return re.split(r"[/?#:]", rest, maxsplit=1)[0].lower()


def links_on(text: str, domains: tuple[str, ...]) -> tuple[str, ...]:
    """The URLs in ``text`` whose host is one of ``domains`` or below one.

    Example:
        >>> links_on("新品 https://tea.example.cn/a 和 https://evil.example/x",
        ...          ("example.cn",))
        ('https://tea.example.cn/a',)
    """
    found = []
    for entity in extract_entities(text):
        if entity.kind is EntityKind.URL:
            host = _host(entity.text)
            if any(host == d or host.endswith("." + d) for d in domains):
                found.append(entity.text)
    return tuple(found)


def topics_in(text: str) -> tuple[str, ...]:
    """The ``#话题#`` topics in ``text`` (bare), which ``statuses/share`` refuses.

    Example:
        >>> topics_in("喝茶 #办公室茶# 和 #tea")
        ('办公室茶',)
    """
    return tuple(
        e.value
        for e in extract_entities(text)
        if e.kind is EntityKind.HASHTAG and e.form is HashtagForm.WRAPPED
    )


def unwrap_topics(text: str) -> str:
    """``text`` with every ``#话题#`` written as its plain word.

    Example:
        >>> unwrap_topics("下午茶 #办公室茶# 开始")
        '下午茶 办公室茶 开始'
    """
    out, last = [], 0
    for e in extract_entities(text):
        if e.kind is EntityKind.HASHTAG and e.form is HashtagForm.WRAPPED:
            out.append(text[last : e.start])
            out.append(e.value)
            last = e.end
    out.append(text[last:])
    return "".join(out)


def content_key(text: str) -> str:
    """What a read-back compares: the text without its URLs (Weibo shortens links to
    ``t.cn``), HTML entities decoded, runs of white space as one space.

    Example:
        >>> content_key("新品 https://tea.example.cn/a  上市") == content_key(
        ...     "新品 http://t.cn/A6x1 上市")
        True
    """
    text = html.unescape(text)
    cut, last = [], 0
    for e in extract_entities(text):
        if e.kind is EntityKind.URL:
            cut.append(text[last : e.start])
            last = e.end
    cut.append(text[last:])
    return _BLANKS.sub(" ", "".join(cut)).strip()


def check_rip(value: object, field: str) -> str:
    """``value`` as the operating user's IP (``rip``), else a typed error naming ``field``.

    Example:
        >>> check_rip("211.156.0.1", "rip")
        '211.156.0.1'
    """
    require(value, field, str, "an IP address (str)")
    assert isinstance(value, str)
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidInputError.single(field, "must be an IP address", value) from None


def seconds_to_next_hour(now: float) -> float:
    """Seconds from ``now`` (epoch seconds) to the next full hour, when Weibo's hourly
    limits start again (a whole hour in UTC is a whole hour in Beijing time too).

    Example:
        >>> seconds_to_next_hour(3600 * 5 + 600)
        3000.0
    """
    return float(3600 - int(now) % 3600)


def error_fields(content: bytes) -> tuple[int | None, str | None, str | None]:
    """``(error_code, error, request)`` of a Weibo error body (``error_code`` may be a
    string of digits), or ``(None, None, None)``.

    Example:
        >>> error_fields(b'{"error":"expired_token","error_code":21327,'
        ...              b'"request":"/2/statuses/share.json"}')
        (21327, 'expired_token', '/2/statuses/share.json')
    """
    body = json_object(content)
    if body is None:
        return None, None, None
    raw = body.get("error_code")
    code: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        code = raw
    elif isinstance(raw, str) and raw.isdigit():
        code = int(raw)
    error = body.get("error")
    request = body.get("request")
    return (
        code,
        error if isinstance(error, str) and error else None,
        request if isinstance(request, str) and request else None,
    )


# -- wire models (what smmkit reads of Weibo's answers) --------------------------------


class _Wire(SmmkitModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class WireUser(_Wire):
    """The fields of a user object smmkit reads."""

    id: str = "unknown"

    @field_validator("id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class WireStatus(_Wire):
    """The fields of a status (weibo) smmkit reads."""

    id: int
    idstr: str | None = None
    created_at: str
    text: str = ""
    user: WireUser | None = None

    @property
    def key(self) -> str:
        """The weibo's id as a string (``idstr``, else ``id``)."""
        return self.idstr or str(self.id)

    @property
    def created(self) -> datetime:
        """When the weibo was posted."""
        return weibo_time(self.created_at)


class WireComment(_Wire):
    """The fields of a comment smmkit reads (``reply_comment``: the comment it answers)."""

    id: int
    idstr: str | None = None
    created_at: str
    text: str = ""
    user: WireUser | None = None
    reply_comment: dict[str, Any] | None = Field(default=None)

    @property
    def key(self) -> str:
        """The comment's id as a string."""
        return self.idstr or str(self.id)

    @property
    def answers(self) -> str | None:
        """The id of the comment this one replies to, if any."""
        if not self.reply_comment:
            return None
        ref = self.reply_comment.get("idstr") or self.reply_comment.get("id")
        return None if ref is None else str(ref)


def count_metrics(entry: dict[str, Any]) -> dict[str, float]:
    """One ``statuses/count`` entry in the metric vocabulary of
    :data:`smmkit.analytics.PLATFORM_METRICS` for Weibo (``reposts_count``,
    ``comments_count``, ``attitudes_count``) plus their sum as ``interactions``.

    Example:
        >>> count_metrics({"id": 1, "comments": "16", "reposts": 38, "attitudes": 2})
        ... # doctest: +NORMALIZE_WHITESPACE
        {'reposts_count': 38.0, 'comments_count': 16.0, 'attitudes_count': 2.0,
         'interactions': 56.0}
    """
    names = {
        "reposts_count": "reposts",
        "comments_count": "comments",
        "attitudes_count": "attitudes",
    }
    counts: dict[str, float] = {}
    for ours, theirs in names.items():
        # statuses/count/biz names the likes "likes" (open.weibo.com/wiki/C/2/statuses/count/biz-en)
        value = entry.get(theirs, entry.get("likes") if theirs == "attitudes" else 0) or 0
        counts[ours] = float(int(value)) if isinstance(value, (int, str)) else float(value)
    counts["interactions"] = sum(counts.values())
    return counts
