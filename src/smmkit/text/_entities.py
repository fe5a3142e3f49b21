"""Hashtags, mentions, URLs and cashtags found in a text, with their offsets."""

from __future__ import annotations

from enum import Enum

import regex

from smmkit.models._base import SmmkitModel
from smmkit.text._checks import require_text
from smmkit.text._urls import find_urls

__all__ = ["Entity", "EntityKind", "HashtagForm", "extract_entities"]


class EntityKind(str, Enum):
    """What an entity is."""

    HASHTAG = "hashtag"
    MENTION = "mention"
    URL = "url"
    CASHTAG = "cashtag"


class HashtagForm(str, Enum):
    """How a hashtag was written (the three serialisations in use)."""

    HASH = "hash"  # #tag (X, Douyin, Instagram, ...)
    WRAPPED = "wrapped"  # #话题# (Weibo)
    XHS = "xhs"  # #话题[话题]# (Xiaohongshu)


class Entity(SmmkitModel):
    """One entity: where it is (code points and UTF-8 bytes) and what it says.

    ``value`` is the bare topic (no ``#``), the handle (no ``@``), the URL as written
    or the ticker symbol. ``domain`` is a mention's instance (``@user@domain``).

    Example:
        >>> e = extract_entities("喝茶 #办公室茶#")[0]
        >>> e.kind.value, e.value, e.form.value, (e.start, e.end), (e.byte_start, e.byte_end)
        ('hashtag', '办公室茶', 'wrapped', (3, 9), (7, 21))
    """

    kind: EntityKind
    text: str
    value: str
    start: int
    end: int
    byte_start: int
    byte_end: int
    domain: str | None = None
    form: HashtagForm | None = None
    has_scheme: bool | None = None


_XHS = regex.compile(r"[#＃]([^#＃\[\]\s]{1,64})\[话题\][#＃]")
# Only ASCII word characters block a tag or mention before it: Chinese text glues them
# to the previous word ("喝茶#办公室茶", "感谢@小红薯").
_WRAPPED = regex.compile(r"(?<![A-Za-z0-9_&])[#＃]([^#＃\[\]\s]{1,64})[#＃]")
_HASH = regex.compile(r"(?<![A-Za-z0-9_&#＃/])[#＃](?![\ufe0f\u20e3])([\w\p{M}·]{1,100})")
_MENTION = regex.compile(
    r"(?<![A-Za-z0-9_@＠.!#$%&*/])[@＠]([\w](?:[\w\-.]*[\w])?)(?:@([\w\-]+(?:\.[\w\-]+)+))?"
)
_CASHTAG = regex.compile(r"(?<![\w$])\$([A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?)(?![\w])")


def _fast(values: dict[str, object]) -> Entity:
    # Built from values computed here: skip re-validation (adaptation calls this a few
    # times per post, and pydantic's validation would cost more than the extraction).
    entity = Entity.__new__(Entity)
    object.__setattr__(entity, "__dict__", values)
    object.__setattr__(entity, "__pydantic_fields_set__", set(values))
    object.__setattr__(entity, "__pydantic_extra__", None)
    object.__setattr__(entity, "__pydantic_private__", None)
    return entity


def extract_entities(text: str) -> tuple[Entity, ...]:
    """Hashtags (incl. CJK and the Weibo/Xiaohongshu forms), mentions (incl.
    ``@user@domain``), URLs (incl. ``example.com/x`` without a scheme) and cashtags,
    sorted by position. Overlaps are resolved in that order of precedence: URLs,
    Xiaohongshu topics, Weibo topics, hashtags, mentions, cashtags.

    Example:
        >>> text = "@alice@mastodon.social 看 example.com/x #tea #话题[话题]# $TEA"
        >>> for e in extract_entities(text):
        ...     print(e.kind.value, e.value, e.start, e.end)
        mention alice 0 22
        url example.com/x 25 38
        hashtag tea 39 43
        hashtag 话题 44 52
        cashtag TEA 53 57
    """
    require_text(text)
    found: list[tuple[int, int, EntityKind, str, str | None, HashtagForm | None, bool | None]]
    found = []
    form: HashtagForm | None
    claimed = bytearray(len(text))

    def free(a: int, b: int) -> bool:
        if any(claimed[a:b]):
            return False
        claimed[a:b] = b"\x01" * (b - a)
        return True

    for a, b, _u, scheme in find_urls(text):
        found.append((a, b, EntityKind.URL, text[a:b], None, None, scheme))
        claimed[a:b] = b"\x01" * (b - a)
    if "#" in text or "＃" in text:
        for pattern, form in ((_XHS, HashtagForm.XHS), (_WRAPPED, HashtagForm.WRAPPED)):
            for m in pattern.finditer(text):
                a, b = m.span()
                if free(a, b):
                    found.append((a, b, EntityKind.HASHTAG, m.group(1), None, form, None))
        for m in _HASH.finditer(text):
            a, b = m.span()
            value = m.group(1)
            if value.isdigit() or not free(a, b):
                continue
            found.append((a, b, EntityKind.HASHTAG, value, None, HashtagForm.HASH, None))
    if "@" in text or "＠" in text:
        for m in _MENTION.finditer(text):
            a, b = m.span()
            if free(a, b):
                found.append((a, b, EntityKind.MENTION, m.group(1), m.group(2), None, None))
    if "$" in text:
        for m in _CASHTAG.finditer(text):
            a, b = m.span()
            if free(a, b):
                found.append((a, b, EntityKind.CASHTAG, m.group(1), None, None, None))
    found.sort(key=lambda f: f[0])
    ascii_text = text.isascii()
    out = []
    has_scheme: bool | None
    pos = nbytes = 0  # UTF-8 offsets are accumulated left to right, not recounted
    for a, b, kind, value, domain, form, has_scheme in found:
        if ascii_text:
            bs, be = a, b
        else:
            bs = nbytes + len(text[pos:a].encode("utf-8"))
            be = bs + len(text[a:b].encode("utf-8"))
            pos, nbytes = b, be
        out.append(
            _fast(
                {
                    "kind": kind,
                    "text": text[a:b],
                    "value": value,
                    "start": a,
                    "end": b,
                    "byte_start": bs,
                    "byte_end": be,
                    "domain": domain,
                    "form": form,
                    "has_scheme": has_scheme,
                }
            )
        )
    return tuple(out)
