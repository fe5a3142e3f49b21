"""Bluesky rich text: the one facet builder, for single posts and every thread part.

Bluesky's server links nothing: the client sends ``app.bsky.richtext.facet`` ranges.
What a post "should" link is what Bluesky's own app links when the same text is typed
in it, so the rules here are those of the reference detector (``detectFacets`` of
``@atproto/api``, ported as ``detect_facets``/``detect_mentions`` in the Python
``atproto`` SDK), except where the reference produces a broken facet. Each exception is
listed in :func:`bluesky_facets` and checked against the ``atproto`` package by
``tests/text/test_facets_atproto.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import regex

from smmkit.exceptions import InvalidInputError
from smmkit.text._checks import optional_mapping, require_text
from smmkit.text._graphemes import grapheme_count
from smmkit.text._iana_tlds import IANA_TLDS

__all__ = ["bluesky_facets", "bluesky_mentions"]

# JavaScript's \s, which the reference detector is written with (Python's differs).
_S = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ZERO_WIDTH = r"\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"

# Chinese, Japanese and Korean letters and punctuation (and the full-width forms): CJK
# text puts no space before a link, mention or tag (\u3000 is a space already).
_CJK = (
    r"\u1100-\u11ff\u2e80-\u2fdf\u3001-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff"
)
# Where a facet may start: the reference's start of text, space or "(", and CJK.
_BEFORE = rf"(^|[{_S}]|\(|[{_CJK}])"
_REFERENCE_BEFORE = re.compile(rf"[{_S}(]")
# re.ASCII as in the reference: with Unicode case folding [a-z] would match "K" (Kelvin).
# The reference's link is ``https?://[^\s]+`` or ``domain[^\s]*``: it runs to the next
# space. Only its start is matched here and the space is found once per word, or a word
# holding many candidate links ("中a.b中a.b…") is read once per candidate.
_URL = re.compile(
    rf"{_BEFORE}(?:(https?://)(?=[^{_S}])|(?P<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+))",
    re.IGNORECASE | re.ASCII,
)
_SPACE = re.compile(rf"[{_S}]")
_SCHEME = re.compile(r"https?://", re.IGNORECASE | re.ASCII)
# An ASCII host right before CJK text: "https://tea.example.cn了解更多".
_HOST_BEFORE_CJK = re.compile(rf"[a-z0-9.-]+(?=[{_CJK}])", re.IGNORECASE | re.ASCII)
_MENTION = re.compile(rf"{_BEFORE}@([a-zA-Z0-9.-]+)\b", re.ASCII)
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_HANDLE = re.compile(rf"(?:{_LABEL}\.)+[a-zA-Z](?:[a-zA-Z0-9-]{{0,61}}[a-zA-Z0-9])?", re.ASCII)
_MAX_HANDLE = 253
_TAG = regex.compile(
    rf"(^|[{_S}]|[{_CJK}])[#＃]((?!\ufe0f)"
    rf"[^{_S}{_ZERO_WIDTH}]*[^0-9{_S}\p{{P}}{_ZERO_WIDTH}]+[^{_S}{_ZERO_WIDTH}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+\Z")
_PUNCTUATION = regex.compile(r"\p{P}")
_TAG_BODY = regex.compile(rf"[^0-9{_S}\p{{P}}{_ZERO_WIDTH}]")
# Chinese and Japanese write no space after a link or tag: their sentence punctuation
# and brackets end it (not the middle dots of "ポケモン・GO" or "列夫·托尔斯泰").
_CJK_BREAK = regex.compile(
    "[、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛〝〞〟！（），．：；？［］｛｝｟｠｡｢｣､…‥]"
)
_CASHTAG = re.compile(
    rf"{_BEFORE}\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{_S}]|\Z|[.,;:!?)\"'’]|[{_CJK}])"
)
_TAG_MAX_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: maxGraphemes
_TAG_MAX_BYTES = 640  # ... and maxLength (UTF-8 bytes)
_SENTENCE_END = frozenset(".,;:!?\"'")
_CLOSERS = {")": "(", "]": "["}

_LINK = "app.bsky.richtext.facet#link"
_MENTION_TYPE = "app.bsky.richtext.facet#mention"
_TAG_TYPE = "app.bsky.richtext.facet#tag"


def _trim_link(uri: str) -> str:
    """``uri`` without the punctuation that ends the sentence around it."""
    opened = {"(": uri.count("("), "[": uri.count("[")}
    closed = {")": uri.count(")"), "]": uri.count("]")}
    end = len(uri)
    while end:
        last = uri[end - 1]
        opener = _CLOSERS.get(last)
        if opener is not None:
            if opened[opener] >= closed[last]:
                break  # a balanced ")" belongs to the URL (Wikipedia's "A_(b)")
            closed[last] -= 1
        elif last not in _SENTENCE_END and (last.isascii() or not _PUNCTUATION.match(last)):
            break
        end -= 1
    return uri[:end]


def _links(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    pos = 0
    word = (0, -1)  # the last word read: its start and where its space is
    while (match := _URL.search(text, pos)) is not None:
        start = match.end(1)
        if not word[0] <= start < word[1]:
            space = _SPACE.search(text, start)
            word = (start, len(text) if space is None else space.start())
        end = word[1]
        pos = end  # the reference goes on after the whole match...
        scheme = _SCHEME.match(text, start, end)
        if scheme is None:
            domain = match.group("domain")
            if not domain or domain.rpartition(".")[2] not in IANA_TLDS:
                if match.group(1) and not _REFERENCE_BEFORE.match(match.group(1)):
                    pos = start  # ... which started only because CJK came before it
                continue
        host = _HOST_BEFORE_CJK.match(text, start if scheme is None else scheme.end(), end)
        if host is not None:
            end = host.end()
        cut = _CJK_BREAK.search(text, start, end)
        if cut is not None:
            end = cut.start()
        written = text[start:end]
        pos = min(pos, end)  # CJK ended it: what follows is new text
        written = _trim_link(written)
        if scheme is None:
            uri = "https://" + written
        elif len(written) > scheme.end() - start:
            uri = scheme.group(0).lower() + written[scheme.end() - start :]
        else:
            continue  # "https://." holds no address
        found.append((start, start + len(written), {"$type": _LINK, "uri": uri}))
    return found


def _mentions(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for match in _MENTION.finditer(text):
        handle = match.group(2).lower()  # handles are case-insensitive
        if len(handle) > _MAX_HANDLE or not _HANDLE.fullmatch(handle):
            continue
        if handle.rpartition(".")[2] not in IANA_TLDS and not handle.endswith(".test"):
            continue  # not a domain name: "@home.sweethome" is not a handle
        found.append((match.start(2) - 1, match.end(2), handle))
    return found


def _tags(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    found: list[tuple[int, int, dict[str, Any]]] = []
    if "#" in text or "＃" in text:
        pos = 0
        while (match := _TAG.search(text, pos)) is not None:
            tag = match.group(2) or ""
            cut = _CJK_BREAK.search(tag)
            pos = match.end() if cut is None else match.start(2) + cut.start()
            tag = _TRAILING_PUNCTUATION.sub("", tag if cut is None else tag[: cut.start()])
            if not _TAG_BODY.search(tag) or len(tag.encode("utf-8")) > _TAG_MAX_BYTES:
                continue
            if len(tag) > _TAG_MAX_GRAPHEMES and grapheme_count(tag) > _TAG_MAX_GRAPHEMES:
                continue
            start = match.end(1)
            found.append((start, start + 1 + len(tag), {"$type": _TAG_TYPE, "tag": tag}))
    if "$" in text:
        for cashtag in _CASHTAG.finditer(text):
            ticker = cashtag.group(2).upper()
            start = cashtag.end(1)
            feature = {"$type": _TAG_TYPE, "tag": "$" + ticker}
            found.append((start, start + 1 + len(ticker), feature))
    return found


def bluesky_mentions(text: str) -> tuple[str, ...]:
    """The handles mentioned in ``text``, lower case, each once, in order of appearance.

    These are the handles :func:`bluesky_facets` turns into mention facets when
    ``dids`` knows them: resolve them (``com.atproto.identity.resolveHandle``) first.

    Example:
        >>> bluesky_mentions("cc @Alice.test, @bob.example.com and me@mail.example.com")
        ('alice.test', 'bob.example.com')
    """
    require_text(text)
    return tuple(dict.fromkeys(handle for _start, _end, handle in _mentions(text)))


def bluesky_facets(
    text: str, *, dids: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], ...]:
    """``app.bsky.richtext.facet`` records for the links, mentions and tags in ``text``.

    Offsets are UTF-8 byte offsets, as the lexicon requires. The rules are those of
    Bluesky's own app (the reference ``detectFacets``), so a post made here links what
    the same text typed in the app would:

    * **Links**: ``http(s)://`` URLs, and bare domains whose last label is a real
      top-level domain (IANA's list, in lower case: ``example.com/x`` links and gets
      ``https://``; ``README.MD`` and ``notes.txt`` do not). A link runs to the next
      space.
    * **Mentions**: ``@handle`` where the handle is a domain name with a real TLD
      (or ``.test``). Handles are case-insensitive and normalised to lower case:
      ``@Alice.test`` is ``alice.test``. ``dids`` maps handles (any case, with or
      without ``@``) to DIDs; a mention without one gets no facet (it stays plain text
      rather than point at the wrong account).
    * **Tags**: ``#tag`` (or ``＃``) up to the next space, trailing punctuation dropped,
      not only digits, at most 64 graphemes; cashtags (``$TSLA``) become the tag ``$TSLA``.
    * Each starts the text or follows a space; a link, mention or cashtag may also
      follow ``(``.

    Where the reference would write a broken facet, or none in CJK text, this builder
    differs:

    * Chinese, Japanese and Korean put no space around links and tags. A link, mention
      or tag may follow a CJK character (``详情见https://a.cn``, ``喝茶#办公室茶``,
      ``感谢@bob.bsky.social的支持``); CJK punctuation (``。，、！？：；（）「」【】…``)
      ends a link or tag (``#抹茶，好喝`` tags ``抹茶``, not ``抹茶，好喝``; the middle
      dots of ``ポケモン・GO`` do not), a CJK letter ends a link's ASCII host
      (``https://a.cn了解更多``) or a cashtag (``$TSLA涨了``), and the text after that
      point is read afresh;
    * a link loses all its trailing sentence punctuation (``x!!``, ``x.)``, quotes,
      any non-ASCII punctuation) and a closing ``)`` or ``]`` the URL does not open
      (``https://w.example/A_(b))`` links ``A_(b)``); the reference drops one
      ``.,;:!?`` and a ``)`` only when the URL holds no ``(``. ``https://.`` is no link;
    * an upper-case scheme (``Https://``, a phone's autocapitalisation) still makes a
      link: schemes are case-insensitive;
    * a handle's TLD is compared case-insensitively (``@alice.bsky.SOCIAL``);
    * facets never overlap: a mention, link or cashtag that starts inside a link or
      tag (``https://a.example/(@bob.test``, ``#a(@bob.test``) is part of it;
    * a tag over the lexicon's 640 UTF-8 bytes is skipped (the PDS would reject the
      post), and graphemes are counted by Unicode's rules (UAX #29), not estimated.

    Example:
        >>> [f["index"] for f in bluesky_facets("茶 #tea https://ex.com")]
        [{'byteStart': 4, 'byteEnd': 8}, {'byteStart': 9, 'byteEnd': 23}]
        >>> bluesky_facets("茶 #tea")[0]["features"]
        [{'$type': 'app.bsky.richtext.facet#tag', 'tag': 'tea'}]
        >>> [f["features"][0] for f in bluesky_facets(
        ...     "hi @Alice.test (https://w.example/A_(b)).", dids={"alice.test": "did:plc:a"})]
        [{'$type': 'app.bsky.richtext.facet#mention', 'did': 'did:plc:a'},
         {'$type': 'app.bsky.richtext.facet#link', 'uri': 'https://w.example/A_(b)'}]
        >>> [f["features"][0] for f in bluesky_facets("详情见https://a.cn/x。#抹茶，好喝")]
        [{'$type': 'app.bsky.richtext.facet#link', 'uri': 'https://a.cn/x'},
         {'$type': 'app.bsky.richtext.facet#tag', 'tag': '抹茶'}]
    """
    require_text(text)
    given = optional_mapping(dids, "dids")
    for handle, did in given.items():
        if not isinstance(handle, str) or not isinstance(did, str):
            raise InvalidInputError.single(
                f"dids.{handle}", "must map a str handle to a str DID", did
            )
        require_text(handle, f"dids.{handle}")
        require_text(did, f"dids.{handle}")
    known = {k.strip().lstrip("@＠").lower(): v for k, v in given.items()}
    found = _links(text) if "." in text or ":" in text else []
    if "@" in text:
        for start, end, handle in _mentions(text):
            did = known.get(handle)
            if did:
                found.append((start, end, {"$type": _MENTION_TYPE, "did": did}))
    found.extend(_tags(text))
    found.sort(key=lambda item: item[0])
    facets: list[dict[str, Any]] = []
    last_end = pos = nbytes = 0
    for start, end, feature in found:
        if start < last_end:
            continue  # inside the previous facet (a "(@bob.test" in a URL)
        last_end = end
        byte_start = nbytes + len(text[pos:start].encode("utf-8"))
        byte_end = byte_start + len(text[start:end].encode("utf-8"))
        pos, nbytes = end, byte_end
        facets.append(
            {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}
        )
    return tuple(facets)
