"""Where a text may be cut, and which cut reads best: shared by truncation and threads."""

from __future__ import annotations

from collections.abc import Callable

import regex

from smmkit.text._entities import Entity, EntityKind, extract_entities
from smmkit.text._graphemes import grapheme_boundaries

__all__: list[str] = []

# Where a cut reads naturally: after a sentence, then after a clause, then at a space.
_SENTENCE_END = regex.compile(r"(?:[。！？!?…]+|\.(?=\s))[”’」』）)\]\"']*")
_CLAUSE_END = regex.compile(r"[，；、,;：:]")
_SPACE = regex.compile(r"\s+")
# What shortening keeps: every link, hashtag, mention and cashtag.
_KEPT = frozenset({EntityKind.URL, EntityKind.HASHTAG, EntityKind.MENTION, EntityKind.CASHTAG})
_TAGS = frozenset({EntityKind.HASHTAG, EntityKind.CASHTAG})


def _points(text: str) -> tuple[tuple[int, ...], tuple[Entity, ...]]:
    bounds = grapheme_boundaries(text)
    entities = extract_entities(text)
    if not entities:
        return bounds, entities
    inside: set[int] = set()
    for e in entities:
        inside.update(range(e.start + 1, e.end))
    return tuple(b for b in bounds if b not in inside), entities


def _best_prefix(
    text: str,
    points: tuple[int, ...],
    fits: Callable[[str], bool],
    min_ratio: float,
    total: int | None = None,
) -> int:
    """The cut offset (one of ``points``) of the preferred prefix for which ``fits``.

    ``total`` (thread windows) is how many points the whole rest has: ``text`` is then
    a prefix of it that does not fit, the points past it do not fit either, and the
    bisection takes the same steps as over the whole rest.
    """
    known = len(points)
    lo, hi = 0, (known if total is None else total) - 1
    # Longest fitting prefix by bisection; lengths are monotone except where a cut
    # turns the tail of a word into a URL, which the linear check below absorbs.
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid < known and fits(text[: points[mid]]):
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
