"""Writing topics and mentions the way each platform stores them.

One "hashtag" has three serialisations (Weibo ``#话题#``, Douyin ``#话题``,
Xiaohongshu ``#话题[话题]#``), LinkedIn parses its own "little" format and silently
truncates a post at the first unescaped reserved character, and Bluesky links nothing
unless the client sends facets with UTF-8 byte offsets. The platform's
:class:`~smmkit.models.HashtagStyle` and :class:`~smmkit.models.MentionStyle` in the
catalog decide which serialiser applies.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping

import regex

from smmkit.catalog import PlatformLike, resolve_platform
from smmkit.exceptions import InvalidInputError
from smmkit.models.platform import HashtagStyle, MentionStyle
from smmkit.text._bluesky import bluesky_facets
from smmkit.text._checks import optional_mapping, require_text
from smmkit.text._checks import optional_text as _optional_text
from smmkit.text._entities import EntityKind, HashtagForm, extract_entities

__all__ = [
    "LITTLE_RESERVED",
    "bluesky_facets",
    "convert_topics",
    "escape_little",
    "format_hashtag",
    "format_mention",
    "from_little",
    "to_little",
    "unescaped_little",
]

LITTLE_RESERVED = "\\|{}@[]()<>#*_~"
"""Characters LinkedIn's little format reserves; each must be escaped with a backslash."""

_LITTLE_ESCAPE = regex.compile(r"([\\|{}@\[\]()<>#*_~])")
_LITTLE_UNESCAPE = regex.compile(r"\\([\\|{}@\[\]()<>#*_~])")
# What unescaped_little reads left to right: an escape pair, or one reserved character.
_RESERVED_OR_ESCAPE = regex.compile(r"\\[\\|{}@\[\]()<>#*_~]|[\\|{}@\[\]()<>#*_~]")
_LITTLE_MENTION = regex.compile(r"@\[[^\[\]]*\]\(urn:li:[A-Za-z]+:[^()\s]+\)")
_LITTLE_HASHTAG_TEMPLATE = regex.compile(r"\{hashtag\|\\#\|[^{}|]+\}")
_BLANKS = regex.compile(r"\s+")
_TAG_CONTINUES = regex.compile(r"[\w\p{M}·#＃]")
_CLOSES_TOPIC = regex.compile(r"[^#＃\[\]\s]{0,63}[#＃]")


def _bare(tag: str) -> str:
    tag = tag.strip().strip("#＃")
    if tag.endswith("[话题]"):
        tag = tag[: -len("[话题]")].rstrip("#＃")
    if not tag:
        raise InvalidInputError.single("tag", "must not be empty", tag)
    return tag


def format_hashtag(tag: str, platform: PlatformLike) -> str | None:
    """``tag`` written as a topic for ``platform``; ``None`` where topics are not inline.

    Spaces cannot live inside an inline tag, so they are removed.

    Example:
        >>> [format_hashtag("办公室茶", p) for p in ("weibo", "douyin", "xiaohongshu", "x")]
        ['#办公室茶#', '#办公室茶', '#办公室茶[话题]#', '#办公室茶']
        >>> format_hashtag("tea", "bilibili") is None
        True
    """
    require_text(tag, "tag")
    style = resolve_platform(platform).hashtag_style
    bare = _BLANKS.sub("", _bare(tag))
    if style is HashtagStyle.HASH_WRAPPED:
        return f"#{bare}#"
    if style is HashtagStyle.XHS_TOPIC:
        return f"#{bare}[话题]#"
    if style in (HashtagStyle.HASH_PREFIX, HashtagStyle.FACET):
        return f"#{bare}"
    return None


def format_mention(
    handle: str,
    platform: PlatformLike,
    *,
    name: str | None = None,
    urn: str | None = None,
    domain: str | None = None,
) -> str:
    """A mention of ``handle`` written for ``platform``.

    Mastodon takes ``@user@domain`` (``domain`` or already in ``handle``); LinkedIn
    takes ``@[Name](urn:li:...)`` when ``urn`` is known, and an escaped plain ``@name``
    otherwise (an unescaped ``@`` would truncate the post); Bluesky takes ``@handle``
    plus a facet.

    Example:
        >>> format_mention("alice", "mastodon", domain="mastodon.social")
        '@alice@mastodon.social'
        >>> format_mention("acme", "linkedin", name="Acme", urn="urn:li:organization:1")
        '@[Acme](urn:li:organization:1)'
        >>> format_mention("acme", "linkedin")
        '\\\\@acme'
    """
    require_text(handle, "handle")
    _optional_text(name, "name")
    _optional_text(urn, "urn")
    _optional_text(domain, "domain")
    spec = resolve_platform(platform)
    bare = handle.strip().lstrip("@＠")
    if not bare:
        raise InvalidInputError.single("handle", "must not be empty", handle)
    style = spec.mention_style
    if style is MentionStyle.LITTLE_URN:
        if urn:
            return f"@[{escape_little(name or bare)}]({urn})"
        return escape_little("@" + bare)
    if style is MentionStyle.AT_ACCOUNT_DOMAIN and domain and "@" not in bare:
        return f"@{bare}@{domain}"
    return "@" + bare


def escape_little(text: str) -> str:
    """Escape every little-format reserved character with a backslash.

    Example:
        >>> escape_little("Q&A (live) #1 @ 3pm_")
        'Q&A \\\\(live\\\\) \\\\#1 \\\\@ 3pm\\\\_'
    """
    require_text(text)
    return _LITTLE_ESCAPE.sub(r"\\\1", text)


def _protected_spans(text: str, entity_text: str | None = None) -> list[tuple[int, int, str]]:
    """Parts of a text that to_little keeps as they are: URLs, hashtags, templates.

    ``entity_text`` (same length as ``text``) is where URLs and hashtags are looked
    for; :func:`unescaped_little` masks escape pairs there so that an escaped
    character reads as a neutral one, as it did in the plain text.
    """
    spans: list[tuple[int, int, str]] = []
    for pattern in (_LITTLE_MENTION, _LITTLE_HASHTAG_TEMPLATE):
        for m in pattern.finditer(text):
            spans.append((m.start(), m.end(), "template"))
    overlaps = _overlap_test(spans)
    # Entities never overlap one another: only the templates can hide one.
    for e in extract_entities(text if entity_text is None else entity_text):
        if overlaps(e.start, e.end):
            continue
        if e.kind is EntityKind.URL:
            spans.append((e.start, e.end, "url"))
        elif e.kind is EntityKind.HASHTAG and e.form is HashtagForm.HASH:
            # LinkedIn knows only "#tag"; "#话题#" forms are escaped like any text.
            spans.append((e.start, e.end, "hashtag"))
    spans.sort()
    return spans


def _overlap_test(spans: list[tuple[int, int, str]]) -> Callable[[int, int], bool]:
    """Whether ``[start, end)`` overlaps one of ``spans`` (non-empty), in O(log n)."""
    ordered = sorted((a, b) for a, b, _k in spans)
    starts = [a for a, _b in ordered]
    reach: list[int] = []  # the furthest end among the spans starting so far
    for _a, b in ordered:
        reach.append(max(b, reach[-1]) if reach else b)

    def overlaps(start: int, end: int) -> bool:
        i = bisect_left(starts, start)
        if i < len(starts) and starts[i] < end:
            return True  # a span starts inside
        return i > 0 and reach[i - 1] > start  # a span that started before reaches in

    return overlaps


def to_little(text: str, *, mentions: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Plain text to LinkedIn's little format.

    Reserved characters are escaped; URLs stay as they are (so they still link);
    hashtags stay hashtags (``#tag``; one holding a reserved character such as ``_``
    becomes escaped plain text); ``@handle`` becomes
    ``@[Name](urn)`` when ``mentions`` maps the handle to ``(name, urn)``, otherwise it
    is escaped to plain text. Little templates already present are kept, so
    ``to_little(from_little(x)) == x`` for any output of this function.

    Example:
        >>> to_little("Thanks @acme (our partner) #B2B https://ex.com/a_b",
        ...           mentions={"acme": ("Acme Ltd", "urn:li:organization:42")})
        'Thanks @[Acme Ltd](urn:li:organization:42) \\\\(our partner\\\\) #B2B https://ex.com/a_b'
    """
    require_text(text)
    mentions = optional_mapping(mentions, "mentions")
    for handle, pair in mentions.items():
        if not (
            isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
        ):
            raise InvalidInputError.single(
                f"mentions.{handle}", "must be a (name, urn) pair of str", pair
            )
        for value in (handle, *pair):
            if isinstance(value, str):
                require_text(value, f"mentions.{handle}")
    out: list[str] = []
    last = 0
    spans = _protected_spans(text)
    if mentions:
        overlaps = _overlap_test(spans)
        for e in extract_entities(text):
            if (
                e.kind is EntityKind.MENTION
                and e.value in mentions
                and not overlaps(e.start, e.end)
            ):
                spans.append((e.start, e.end, "mention:" + e.value))
        spans.sort()
    for a, b, kind in spans:
        out.append(escape_little(text[last:a]))
        piece = text[a:b]
        if kind == "hashtag" and escape_little(piece[1:]) != piece[1:]:
            # LinkedIn hashtags are letters and digits: one with a reserved character
            # (an underscore) is written as escaped plain text rather than risked.
            piece = escape_little(piece)
        elif kind.startswith("mention:"):
            name, urn = mentions[kind[len("mention:") :]]
            piece = f"@[{escape_little(name)}]({urn})"
        out.append(piece)
        last = b
    out.append(escape_little(text[last:]))
    return "".join(out)


def from_little(text: str) -> str:
    """Undo :func:`to_little`'s escaping (templates are kept as written).

    Example:
        >>> from_little("a \\\\(b\\\\) \\\\@c")
        'a (b) @c'
    """
    require_text(text)
    return _LITTLE_UNESCAPE.sub(r"\1", text)


def unescaped_little(text: str) -> tuple[int, ...]:
    """Offsets of reserved characters LinkedIn would cut the post at.

    URLs, ``#tag`` hashtags and little templates are allowed as they are.

    Example:
        >>> unescaped_little("ok \\\\(fine\\\\) but (not)")
        (16, 20)
    """
    require_text(text)
    spans = _protected_spans(text, _LITTLE_UNESCAPE.sub("\x01\x01", text))
    n = len(text)
    # 0: plain text, 1: inside a span, 2: inside a "#tag" after its "#" (reserved
    # characters there still cut the post). Spans from one kind never overlap.
    zone = bytearray(n)
    for a, b, _kind in spans:
        zone[a:b] = b"\x01" * (b - a)
    for a, b, kind in spans:
        if kind == "hashtag" and b > a + 1:
            zone[a + 1 : b] = b"\x02" * (b - a - 1)
    bad: list[int] = []
    for m in _RESERVED_OR_ESCAPE.finditer(text):
        i = m.start()
        if len(m.group()) == 2:
            continue  # an escape pair
        if zone[i] != 1:
            bad.append(i)
    return tuple(bad)


def convert_topics(text: str, platform: PlatformLike) -> tuple[str, tuple[str, ...]]:
    """Rewrite every inline topic in ``text`` into ``platform``'s form.

    Returns the new text and the topics found (bare, in order). Where the platform
    has no inline topics (Zhihu, Bilibili, WeCom...), the marks are removed and the
    word stays. Converting twice changes nothing.

    Example:
        >>> convert_topics("喝茶 #办公室茶# #tea", "xiaohongshu")
        ('喝茶 #办公室茶[话题]# #tea[话题]#', ('办公室茶', 'tea'))
        >>> convert_topics("#办公室茶#今天", "douyin")[0]
        '#办公室茶 今天'
    """
    require_text(text)
    spec = resolve_platform(platform)
    out: list[str] = []
    topics: list[str] = []
    last = 0
    for e in extract_entities(text):
        if e.kind is not EntityKind.HASHTAG:
            continue
        topics.append(e.value)
        new = format_hashtag(e.value, spec)
        if new is None:
            new = e.value
        # A prefix-style tag runs until a non-word character: keep it from swallowing
        # the next word (or running into the next tag) when a closing '#' is removed.
        # Nor may it read as the opening of a Weibo topic closed by a later '#'
        # ("#a#:#" -> "#a :#", not "#a:#").
        nxt = text[e.end : e.end + 1]
        prefix = new.startswith("#") and not new.endswith("#")
        if prefix and nxt and (_TAG_CONTINUES.match(nxt) or _CLOSES_TOPIC.match(text, e.end)):
            new += " "
        out.append(text[last : e.start])
        out.append(new)
        last = e.end
    out.append(text[last:])
    return "".join(out), tuple(dict.fromkeys(topics))
