"""Text length in each platform's own unit, driven by the catalog's :class:`TextRule`.

Nothing here hard-codes a limit: the weights, the URL length, the limits and the
normalisation all come from the spec, so an overridden spec (X Premium, a Mastodon
instance with 5000 characters) is counted by its own numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from functools import cached_property

from pydantic import Field

from smmkit.catalog import PlatformLike, resolve_platform
from smmkit.models._base import SmmkitModel
from smmkit.models.platform import CountingRule, Platform, TextRule
from smmkit.text._checks import require_spec, require_text
from smmkit.text._emoji import EmojiTally
from smmkit.text._graphemes import grapheme_count
from smmkit.text._urls import find_urls

__all__ = ["TextLength", "count_length", "measure"]

# twitter-text's invalid characters: a post holding one is refused whatever its length.
_X_INVALID = re.compile("[\ufffe\ufeff\uffff]")
_LATIN1 = re.compile("[\x00-\xff]+")
# Mastodon counts a remote mention "@user@domain" as "@user". Its local part is
# ``[a-z0-9_]+(?:[a-z0-9_.\-]+[a-z0-9_]+)?``, written here as the same language with one
# way to match it: three overlapping loops made "@" + "a" * 2000 take seconds.
_REMOTE_MENTION = re.compile(
    r"(?<![/\w])@([a-z0-9_](?:[a-z0-9_.\-]*[a-z0-9_])?)@[\w.\-]+\w", re.IGNORECASE
)

Counter = Callable[[str], tuple[int, tuple[str, ...]]]


class TextLength(SmmkitModel):
    """The length of one text as one platform counts it.

    ``length`` is in the platform's unit (``unit``); ``limit`` is the catalog's (or
    your override's) maximum in that unit; ``byte_limit`` is an additional UTF-8 byte
    limit (Bluesky). ``invalid_chars`` lists characters the platform refuses. ``fits``
    says whether the text can be posted as it is. ``graphemes``, ``bytes``,
    ``code_points`` and ``utf16_units`` are always available.

    Example:
        >>> m = measure("你好 https://example.com/a/very/long/path", "x")
        >>> m.length, m.limit, m.fits, m.remaining
        (28, 280, True, 252)
    """

    platform: str
    unit: CountingRule
    length: int
    limit: int | None
    byte_limit: int | None = None
    invalid_chars: tuple[str, ...] = ()
    fits: bool
    text: str = Field(repr=False)

    @cached_property
    def graphemes(self) -> int:
        """Extended grapheme clusters (what a reader sees as characters)."""
        return grapheme_count(self.text)

    @cached_property
    def bytes(self) -> int:
        """UTF-8 bytes."""
        return len(self.text.encode("utf-8"))

    @property
    def code_points(self) -> int:
        """Unicode code points (Python's ``len``)."""
        return len(self.text)

    @cached_property
    def utf16_units(self) -> int:
        """UTF-16 code units (JavaScript's ``length``)."""
        return len(self.text.encode("utf-16-le")) // 2

    @property
    def remaining(self) -> int | None:
        """Units left before the limit (negative when over), or ``None`` without a limit."""
        return None if self.limit is None else self.limit - self.length


def _weight_of(rule: TextRule, cp: int) -> int:
    for r in rule.weight_ranges:
        if r.start <= cp <= r.end:
            return r.weight
    return rule.default_weight


def _weighted_counter(rule: TextRule) -> Counter:
    scale = rule.scale
    default = rule.default_weight
    emoji_w = rule.emoji_weight if rule.emoji_weight is not None else default
    url_w = None if rule.url_length is None else rule.url_length * scale
    norm = rule.normalization
    # Ranges overlap in principle; the first listed wins, as in twitter-text.
    deltas: dict[int, list[str]] = {}
    covered: list[tuple[int, int]] = []
    for r in rule.weight_ranges:
        lo, hi = r.start, r.end
        pieces = [(lo, hi)]
        for c_lo, c_hi in covered:
            nxt = []
            for a, b in pieces:
                if b < c_lo or a > c_hi:
                    nxt.append((a, b))
                    continue
                if a < c_lo:
                    nxt.append((a, c_lo - 1))
                if b > c_hi:
                    nxt.append((c_hi + 1, b))
            pieces = nxt
        covered.append((lo, hi))
        if r.weight == default:
            continue
        for a, b in pieces:
            deltas.setdefault(r.weight - default, []).append(
                re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
            )
    classes = [(re.compile("[" + "".join(parts) + "]+"), d) for d, parts in deltas.items()]
    ascii_weights = {_weight_of(rule, cp) for cp in range(128)}
    ascii_w = ascii_weights.pop() if len(ascii_weights) == 1 else None
    # Emoji sequences are a closed set (a few thousand), so their weights are memoised.
    emoji_cache: dict[str, int] = {}

    def weight_sum(s: str) -> int:
        n = len(s)
        total = default * n
        for pattern, delta in classes:
            # Deleting the class and measuring what is left is the cheapest count in C.
            total += delta * (n - len(pattern.sub("", s)))
        return total

    def emoji_delta(seg: str) -> int:
        """What an emoji sequence adds to the code points' weights (memoised)."""
        d = emoji_cache.get(seg)
        if d is None:
            d = emoji_cache[seg] = emoji_w - weight_sum(seg)
        return d

    def url_weight(seg: str) -> int:
        return ascii_w * len(seg) if ascii_w is not None and seg.isascii() else weight_sum(seg)

    # Cutting bisects over prefixes of one text: the tally rescans only what changed.
    tally = EmojiTally(emoji_delta)

    def count(text: str) -> tuple[int, tuple[str, ...]]:
        if text.isascii() and ascii_w is not None:
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            total = ascii_w * len(text)
            if url_w is not None and "." in text:
                cursor = 0
                for a, _b, u, _s in find_urls(text):
                    if a >= cursor:
                        # twitter-text skips len(url), which can be shorter than the
                        # match when a scheme-less domain had non-ASCII parts.
                        total += url_w - ascii_w * len(u)
                        cursor = a + len(u)
            return total // scale, ()
        if norm and not unicodedata.is_normalized(norm, text):  # type: ignore[arg-type]
            text = unicodedata.normalize(norm, text)  # type: ignore[arg-type]
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        total = weight_sum(text)
        urls = find_urls(text) if url_w is not None and "." in text else ()
        if urls:
            spans = tally.spans(text)
            total += spans[2][-1]
            total += _url_delta(text, urls, spans, url_w=url_w, url_weight=url_weight)  # type: ignore[arg-type]
        else:
            total += tally.total(text)
        if "\ufffe" in text or "\ufeff" in text or "\uffff" in text:
            return total // scale, tuple(dict.fromkeys(_X_INVALID.findall(text)))
        return total // scale, ()

    return count


def _url_delta(
    text: str,
    urls: list[tuple[int, int, str, str]],
    spans: tuple[list[int], list[int], list[int]],
    *,
    url_w: int,
    url_weight: Callable[[str], int],
) -> int:
    """What the URLs change in a weighted count that counted every emoji.

    twitter-text reads URLs and emoji in the order they start (a URL first at a tie),
    skipping any that starts inside the one read before: a URL inside an emoji is not
    counted, nor an emoji inside a URL. It skips ``len(url)``, which can be shorter than
    the match when a scheme-less domain had non-ASCII parts. ``spans`` are the emoji's
    ``(starts, ends, sums)`` (:meth:`EmojiTally.spans`).
    """
    starts, ends, sums = spans
    out = 0
    cursor = 0  # where the last URL counted ends
    for a, _b, u, _s in urls:
        if a < cursor:
            continue
        k = bisect_left(starts, a) - 1  # the last emoji starting before the URL
        if k >= 0 and ends[k] > a and starts[k] >= cursor:
            continue  # inside an emoji that was counted
        b = a + len(u)
        out += url_w - url_weight(text[a:b])
        out -= sums[bisect_left(starts, b)] - sums[k + 1]  # the emoji inside it are not
        cursor = b
    return out


def _fixed_urls(text: str, rule: TextRule) -> tuple[str, int]:
    """Replace URLs (with scheme) and remote mentions; return the text and URL count."""
    n_urls = 0
    if rule.url_length is not None and "." in text:
        urls = find_urls(text, without_scheme=False)
        if urls:
            n_urls = len(urls)
            parts = []
            last = 0
            for a, b, _u, _s in urls:
                parts.append(text[last:a])
                last = b
            parts.append(text[last:])
            text = "".join(parts)
    if rule.remote_mention_counts_local_part and "@" in text:
        text = _REMOTE_MENTION.sub(r"@\1", text)
    return text, n_urls


def _simple_counter(rule: TextRule) -> Counter:
    counting = rule.counting
    norm = rule.normalization
    url_len = rule.url_length or 0
    forbidden = tuple(rule.forbidden_chars)

    def count(text: str) -> tuple[int, tuple[str, ...]]:
        if norm and not unicodedata.is_normalized(norm, text):  # type: ignore[arg-type]
            text = unicodedata.normalize(norm, text)  # type: ignore[arg-type]
        invalid = tuple(c for c in forbidden if c in text)
        if counting in (CountingRule.GRAPHEMES, CountingRule.CODE_POINTS):
            rest, n_urls = _fixed_urls(text, rule)
            if counting is CountingRule.GRAPHEMES:
                return grapheme_count(rest) + n_urls * url_len, invalid
            return len(rest) + n_urls * url_len, invalid
        if counting is CountingRule.GRAPHEMES_AND_BYTES:
            return grapheme_count(text), invalid
        if counting is CountingRule.UTF8_BYTES:
            return len(text.encode("utf-8")), invalid
        if counting is CountingRule.UTF16_UNITS:
            return len(text.encode("utf-16-le")) // 2, invalid
        # WEIBO_UNITS: Latin-1 counts half, other BMP one, astral two; rounded up.
        latin1 = sum(map(len, _LATIN1.findall(text))) if not text.isascii() else len(text)
        astral = len(text.encode("utf-16-le")) // 2 - len(text)
        halves = latin1 + 2 * (len(text) - latin1 - astral) + 4 * astral
        return math.ceil(halves / 2), invalid

    return count


_Compiled = tuple[TextRule, Counter, "int | None", "int | None", bool]
_COUNTERS: dict[int, _Compiled] = {}


def _compiled(rule: TextRule) -> _Compiled:
    # Keyed by identity: specs are immutable, and hashing a spec costs more than counting.
    hit = _COUNTERS.get(id(rule))
    if hit is not None and hit[0] is rule:
        return hit
    counter = (
        _weighted_counter(rule) if rule.counting is CountingRule.WEIGHTED else _simple_counter(rule)
    )
    limit = None if rule.max_length is None else int(rule.max_length.value)
    byte_limit = None if rule.max_bytes is None else int(rule.max_bytes.value)
    entry = (rule, counter, limit, byte_limit, rule.counting is CountingRule.UTF8_BYTES)
    if len(_COUNTERS) >= 64:
        _COUNTERS.clear()
    _COUNTERS[id(rule)] = entry
    return entry


def _counter_for(rule: TextRule) -> Counter:
    return _compiled(rule)[1]


def _spec(platform: PlatformLike) -> Platform:
    if isinstance(platform, Platform):
        return platform
    # The shipped catalog is immutable, so its specs can be looked up once per id.
    spec = _DEFAULT_SPECS.get(platform) if isinstance(platform, str) else None
    if spec is None:
        spec = resolve_platform(platform)
        if len(_DEFAULT_SPECS) < 64:
            _DEFAULT_SPECS[spec.id] = spec
    return spec


_DEFAULT_SPECS: dict[str, Platform] = {}


def count_length(text: str, spec: Platform) -> int:
    """The length of ``text`` in ``spec``'s unit (the number :func:`measure` reports).

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> count_length("微博 abc", get_platform_spec("weibo"))
        4
    """
    require_text(text)
    require_spec(spec)
    return _counter_for(spec.text)(text)[0]


def measure(text: str, platform: PlatformLike) -> TextLength:
    """Measure ``text`` exactly as ``platform`` counts it.

    X: NFC first, weighted code points from the spec's ranges, every emoji sequence and
    every URL a fixed weight, invalid characters refused. Bluesky: graphemes *and*
    UTF-8 bytes. Mastodon: graphemes, URLs 23, ``@user@domain`` as ``@user``. WeCom:
    UTF-8 bytes. Weibo: Latin-1 half a unit, astral two, rounded up. TikTok: UTF-16
    units. Others: code points (字).

    Example:
        >>> measure("🙋🏽👨‍🎤", "x").length
        4
        >>> b = measure("你好👋🏽", "bluesky")
        >>> b.length, b.graphemes, b.bytes, b.byte_limit
        (3, 3, 14, 3000)
    """
    require_text(text)
    spec = _spec(platform)
    rule = spec.text
    _rule, counter, limit, byte_limit, is_utf8 = _compiled(rule)
    length, invalid = counter(text)
    fits = not invalid and (limit is None or length <= limit)
    if fits and byte_limit is not None:
        fits = (length if is_utf8 else len(text.encode())) <= byte_limit
    # Every value was computed here from validated specs: skip re-validation, which
    # would cost more than the count itself on the hot path.
    result = TextLength.__new__(TextLength)
    values = {
        "platform": spec.id,
        "unit": rule.counting,
        "length": length,
        "limit": limit,
        "byte_limit": byte_limit,
        "invalid_chars": invalid,
        "fits": fits,
        "text": text,
    }
    object.__setattr__(result, "__dict__", values)
    object.__setattr__(result, "__pydantic_fields_set__", set(_FIELDS))
    object.__setattr__(result, "__pydantic_extra__", None)
    object.__setattr__(result, "__pydantic_private__", None)
    return result


_FIELDS = tuple(TextLength.model_fields)
