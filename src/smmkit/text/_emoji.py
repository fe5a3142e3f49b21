"""Emoji sequences as X counts them: each listed sequence is one unit, whatever its length.

The sequences are matched by one regular expression shaped like their trie, so the scan
runs in C: a Python walk of the trie cost about 2.5 us an emoji, and a thread split of a
text of flags measures each candidate part. :class:`EmojiTally` goes further for such
callers: the text measured next usually starts like the one measured before (a longer or
shorter candidate), and only where they differ is scanned again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import cache
from itertools import accumulate

from smmkit.text._data import EMOJI_SEQUENCES, EMOJI_SINGLES

__all__ = ["EmojiTally", "find_emoji"]

_SINGLES = frozenset(EMOJI_SINGLES)
_END = ""  # marks a node where a listed sequence ends
_Node = dict[str, "_Node"]


def _build_trie() -> _Node:
    root: _Node = {}
    for seq in EMOJI_SEQUENCES:
        node = root
        for ch in seq:
            node = node.setdefault(ch, {})
        node[_END] = {}
    for ch in _SINGLES:
        root.setdefault(ch, {})[_END] = {}
    return root


_TRIE = _build_trie()
# A match at ``p`` reads no further than ``p + MAX_SEQUENCE``: two texts equal up to
# there have the same longest sequence at ``p``.
MAX_SEQUENCE = max(map(len, (*EMOJI_SEQUENCES, *_SINGLES)))


def _char_class(chars: set[str]) -> str:
    # Ranges, not 1,300 single characters: sre tests a range list far faster.
    cps = sorted(ord(c) for c in chars)
    out = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        out.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(out)


def _one_of(chars: list[str]) -> str:
    return re.escape(chars[0]) if len(chars) == 1 else f"[{_char_class(set(chars))}]"


_Item = tuple[str, "_Node | None"]  # a child and its node (``None``: a sequence ends there)
_SMALL = 6  # a node with more children dispatches on the character it has just read
_GROUP = 8  # children tried one by one at the bottom of a dispatch


def _items(node: _Node) -> list[_Item]:
    return sorted((c, None if set(n) == {_END} else n) for c, n in node.items() if c != _END)


def _rest(node: _Node) -> str:
    """What may follow the characters that led to ``node``: the longest continuation
    listed (regex alternatives are tried in order, and each node's children differ in
    their first character, so greedy is longest)."""
    return f"(?:{_step(node)})?" if _END in node else _step(node)


def _step(node: _Node) -> str:
    """One child of ``node`` and its longest listed continuation."""
    items = _items(node)
    if len(items) <= _SMALL:
        alts = [re.escape(c) + _rest(n) for c, n in items if n is not None]
        leaves = [c for c, n in items if n is None]
        if leaves:
            alts.append(_one_of(leaves))
        return "(?:" + "|".join(alts) + ")"
    return _one_of([c for c, _n in items]) + _dispatch(items)


def _dispatch(items: list[_Item]) -> str:
    """The continuation of the character just read, found by bisecting ``items`` on it
    with lookbehinds (a flat alternation of 1,300 children is tried one by one). Both
    halves are guarded, so a character that starts no listed sequence fails fast."""
    if len(items) <= _GROUP:
        alts = [f"(?<={re.escape(c)}){_rest(n)}" for c, n in items if n is not None]
        leaves = [c for c, n in items if n is None]
        if leaves:
            alts.append(f"(?<={_one_of(leaves)})")
        return "(?:" + "|".join(alts) + ")"
    mid = len(items) // 2
    halves = [
        f"(?<=[{re.escape(h[0][0])}-{re.escape(h[-1][0])}])" + _dispatch(h)
        for h in (items[:mid], items[mid:])
    ]
    return "(?:" + "|".join(halves) + ")"


@cache
def _emoji_re() -> re.Pattern[str]:
    """The listed sequences, longest first at each position, scanning left to right."""
    items = _items(_TRIE)
    plain = [(c, n) for c, n in items if not c.isascii()]
    keycaps = [(c, n) for c, n in items if c.isascii()]  # "#", "*", digits: never alone
    seconds = {s for _c, n in keycaps for s in (n or {}) if s != _END}
    bmp = {c for c, _n in plain if ord(c) < 0x10000}
    astral = [c for c, _n in plain if ord(c) >= 0x10000]
    # One coarse astral range keeps the first test cheap (sre scans a range list
    # linearly at every position, and uses a class that starts the pattern to skip
    # ahead); the dispatch rejects what the range lets through.
    first = (
        f"[{_char_class(bmp | {c for c, _n in keycaps})}"
        f"{re.escape(astral[0])}-{re.escape(astral[-1])}]"
    )
    ascii_ = "".join(re.escape(c) for c, _n in keycaps)
    # One group around it all: ``split`` then returns the emoji between the texts.
    return re.compile(
        f"({first}(?:(?<=[{ascii_}])(?=[{_char_class(seconds)}]){_dispatch(keycaps)}"
        f"|(?<=[^\\x00-\\x7f]){_dispatch(plain)}))"
    )


def find_emoji(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of emoji, longest sequence first, scanning left to right.

    Example:
        >>> find_emoji("H🐱☺👨‍👩‍👧‍👦")
        [(1, 2), (2, 3), (3, 10)]
    """
    return [m.span() for m in _emoji_re().finditer(text)]


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (compared in C)."""
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
    near = n - _TAIL  # a candidate cut differs from the text it was cut from near its end
    if near > 0:
        if a[:near] == b[:near]:
            lo = near
        else:
            hi = near
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


_TAIL = 64  # how far a candidate cut of the last text may differ from its prefix
_Scan = tuple[str, list[int], list[int], list[int]]
"""``(text, starts, ends, sums)``: the emoji of ``text`` and ``sums[i]``, the weight
of the first ``i`` of them."""
_Found = tuple["_Scan | None", int, int, list[str], bool]
"""What :meth:`EmojiTally._scan` found: see there."""


class EmojiTally:
    """The emoji of a text and their running weight, rescanning only what changed.

    ``weigh`` gives one emoji sequence's weight. The last text tallied is kept: of the
    next one, the emoji wholly inside the part it shares with the last (less the
    longest sequence, which could read past it) are taken as they were. A cut that
    bisects over prefixes of one text therefore scans the text about once in all,
    not at every step. Safe to share between threads: the kept scan is replaced
    whole, never changed.

    Example:
        >>> tally = EmojiTally(len)
        >>> tally.spans("a🇨🇳👍🏽b")
        ([1, 3], [3, 5], [0, 2, 4])
        >>> tally.spans("a🇨🇳👍"), tally.total("a🇨🇳👍")
        (([1, 3], [3, 4], [0, 2, 3]), 3)
    """

    def __init__(self, weigh: Callable[[str], int]) -> None:
        self._weigh = weigh
        self._weights: dict[str, int] = {}  # the sequences are a closed set
        self._last: _Scan | None = None

    def total(self, text: str) -> int:
        """The weight of ``text``'s emoji."""
        found = self._scan(text)
        last, keep, _resume, pieces, keep_last = found
        if keep_last and last is not None:
            # A candidate cut: no lists to build for the next text.
            base = last[3][keep]
            return base + sum(self._weigh_all(pieces[1::2])) if len(pieces) > 1 else base
        return self._store(text, found)[2][-1]

    def spans(self, text: str) -> tuple[list[int], list[int], list[int]]:
        """``(starts, ends, sums)`` of ``text``'s emoji (``sums`` has one more item)."""
        return self._store(text, self._scan(text))

    def _scan(self, text: str) -> _Found:
        """The last scan, how many of its emoji ``text`` keeps, where the rest of
        ``text`` starts and its split (``[text, emoji, text, ..., emoji, text]``), and
        whether the last scan stays kept."""
        last = self._last
        keep = resume = 0
        keep_last = False
        if last is not None:
            shared = _common_prefix(last[0], text)
            # A shorter text that is the last one's prefix but for a short tail (a
            # candidate cut of it) leaves the last in place for the next candidate.
            keep_last = len(text) <= len(last[0]) and len(text) - shared <= _TAIL
            common = shared - MAX_SEQUENCE
            if common >= 0:
                keep = bisect_right(last[1], common)
                resume = max(last[2][keep - 1] if keep else 0, common + 1)
        # Splitting on the emoji finds them in C.
        pieces = _emoji_re().split(text[resume:] if resume else text)
        return last, keep, resume, pieces, keep_last

    def _weigh_all(self, found: list[str]) -> list[int]:
        known = self._weights
        weights = list(map(known.get, found))
        if None in weights:
            for i, seq in enumerate(found):
                if weights[i] is None:
                    weight = known.get(seq)
                    if weight is None:
                        weight = known[seq] = self._weigh(seq)
                    weights[i] = weight
        return weights  # type: ignore[return-value]

    def _store(self, text: str, found: _Found) -> tuple[list[int], list[int], list[int]]:
        """The lists of ``text``'s emoji, kept as the last scan unless ``found`` says."""
        last, keep, resume, pieces, keep_last = found
        if last is None:
            starts: list[int] = []
            ends: list[int] = []
            sums = [0]
        else:
            starts, ends, sums = last[1][:keep], last[2][:keep], last[3][: keep + 1]
        if len(pieces) > 1:
            cuts = list(accumulate(map(len, pieces), initial=resume))
            starts += cuts[1:-1:2]
            ends += cuts[2:-1:2]
            sums += accumulate(self._weigh_all(pieces[1::2]), initial=sums.pop())
        if not keep_last:
            self._last = (text, starts, ends, sums)
        return starts, ends, sums
