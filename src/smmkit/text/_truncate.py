"""Cutting text to a platform's limit without breaking what must stay whole."""

from __future__ import annotations

from collections.abc import Callable

import regex

from smmkit.catalog import PlatformLike
from smmkit.exceptions import InvalidInputError
from smmkit.models.platform import Platform
from smmkit.text._count import _compiled, _spec
from smmkit.text._entities import extract_entities
from smmkit.text._graphemes import grapheme_boundaries

__all__ = ["cut_points", "split_thread", "truncate", "within_limit"]

# Where a cut reads naturally: after a sentence, then after a clause, then at a space.
_SENTENCE_END = regex.compile(r"(?:[。！？!?…]+|\.(?=\s))[”’」』）)\]\"']*")
_CLAUSE_END = regex.compile(r"[，；、,;：:]")
_SPACE = regex.compile(r"\s+")


def within_limit(text: str, spec: Platform, limit: int | None = None) -> bool:
    """True when ``text`` is within ``spec``'s length (or ``limit``) and byte limits.

    Invalid characters are not considered: cutting cannot fix them.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> x = get_platform_spec("x")
        >>> within_limit("a" * 281, x), within_limit("a" * 281, x, 300)
        (False, True)
    """
    _rule, counter, max_len, byte_limit, is_utf8 = _compiled(spec.text)
    length = counter(text)[0]
    cap = max_len if limit is None else limit
    if cap is not None and length > cap:
        return False
    if byte_limit is not None:
        return (length if is_utf8 else len(text.encode("utf-8"))) <= byte_limit
    return True


def cut_points(text: str) -> tuple[int, ...]:
    """Offsets where ``text`` may be cut: grapheme boundaries outside every URL,
    mention, hashtag and cashtag.

    Example:
        >>> cut_points("a👍🏽 #tea")
        (0, 1, 3, 4, 8)
    """
    bounds = grapheme_boundaries(text)
    entities = extract_entities(text)
    if not entities:
        return bounds
    inside: set[int] = set()
    for e in entities:
        inside.update(range(e.start + 1, e.end))
    return tuple(b for b in bounds if b not in inside)


def _best_prefix(
    text: str,
    points: tuple[int, ...],
    fits: Callable[[str], bool],
    min_ratio: float,
) -> int:
    """The cut offset (one of ``points``) of the preferred prefix for which ``fits``."""
    lo, hi = 0, len(points) - 1
    # Longest fitting prefix by bisection; lengths are monotone except where a cut
    # turns the tail of a word into a URL, which the linear check below absorbs.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(text[: points[mid]]):
            lo = mid
        else:
            hi = mid - 1
    while lo > 0 and not fits(text[: points[lo]]):
        lo -= 1
    best = points[lo]
    if best == 0:
        return 0
    allowed = set(points)
    floor = int(best * min_ratio)
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        ends = [m.end() for m in pattern.finditer(text, 0, best)]
        for end in reversed(ends):
            if end < floor:
                break
            if end in allowed and fits(text[:end]):
                return end
    spaces = [m.start() for m in _SPACE.finditer(text, 0, best + 1)]
    for start in reversed(spaces):
        if start < floor:
            break
        if start in allowed and start > 0:
            return start
    return best


def _limit_pred(spec: Platform, limit: int | None) -> Callable[[str], bool]:
    return lambda s: within_limit(s, spec, limit)


def truncate(
    text: str,
    platform: PlatformLike,
    *,
    limit: int | None = None,
    ellipsis: str = "…",
    min_ratio: float = 0.5,
) -> str:
    """Shorten ``text`` to fit ``platform`` (or ``limit`` in the platform's unit).

    Never splits a grapheme, URL, mention or hashtag; prefers to end after a sentence
    (。！？!?.), then after a clause (，；、,;:), then at a space, as long as that keeps
    at least ``min_ratio`` of what would fit; the ellipsis is counted in the
    platform's unit. Text that fits is returned unchanged.

    Example:
        >>> truncate("第一句话。第二句话比较长，还有更多内容", "weibo", limit=14)
        '第一句话。第二句话比较长…'
        >>> truncate("Read https://example.com/a-long-path now please", "mastodon", limit=30)
        'Read https://example.com/a-long-path…'
    """
    spec = _spec(platform)
    if not 0 <= min_ratio <= 1:
        raise InvalidInputError.single("min_ratio", "must be between 0 and 1", min_ratio)
    if limit is None and spec.text.max_length is None and spec.text.max_bytes is None:
        return text
    fits = _limit_pred(spec, limit)
    if fits(text):
        return text
    if not fits(ellipsis):
        ellipsis = ""
    cut = _best_prefix(text, cut_points(text), lambda s: fits(_trim(s) + ellipsis), min_ratio)
    head = _trim(text[:cut])
    return head + ellipsis if head else ""


def _trim(head: str) -> str:
    # An ellipsis after a comma reads badly; the clause mark is dropped instead.
    return head.rstrip().rstrip("，；、,;：:").rstrip()


def split_thread(
    text: str,
    platform: PlatformLike,
    *,
    limit: int | None = None,
    numbering: str = " {i}/{n}",
    min_ratio: float = 0.5,
) -> tuple[str, ...]:
    """Split ``text`` into numbered parts that each fit ``platform``.

    Parts break where :func:`truncate` would (sentences, clauses, spaces, never inside
    a grapheme or an entity), and each carries ``numbering`` (``" 1/3"``), counted in
    the platform's unit. Text that fits is returned as one part without a number.

    Example:
        >>> split_thread("One sentence here. Another one there. And a third.", "x", limit=25)
        ('One sentence here. 1/3', 'Another one there. 2/3', 'And a third. 3/3')
    """
    spec = _spec(platform)
    fits = _limit_pred(spec, limit)
    if limit is None and spec.text.max_length is None and spec.text.max_bytes is None:
        return (text,)
    if fits(text):
        return (text,)
    if "{i}" not in numbering or "{n}" not in numbering:
        raise InvalidInputError.single("numbering", "must contain {i} and {n}", numbering)
    n = 2
    parts: list[str] = []
    for _ in range(8):
        parts = _greedy(text, fits, numbering, n, min_ratio)
        if len(parts) <= n:
            break
        n = len(parts)
    total = len(parts)
    return tuple(p + numbering.format(i=i, n=total) for i, p in enumerate(parts, 1))


def _greedy(
    text: str, fits: Callable[[str], bool], numbering: str, n: int, min_ratio: float
) -> list[str]:
    parts: list[str] = []
    rest = text.strip()
    while rest:
        suffix = numbering.format(i=len(parts) + 1, n=n)
        if fits(rest + suffix):
            parts.append(rest)
            break
        points = cut_points(rest)
        cut = _best_prefix(rest, points, _with_suffix(fits, suffix), min_ratio)
        if cut == 0:
            # Not even one unit fits beside the number: take the first unit anyway,
            # rather than loop forever; validation will report the part.
            cut = points[1] if len(points) > 1 else len(rest)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].strip()
    return parts


def _with_suffix(fits: Callable[[str], bool], suffix: str) -> Callable[[str], bool]:
    return lambda s: fits(s.rstrip() + suffix)
