"""Emoji sequences as X counts them: each listed sequence is one unit, whatever its length."""

from __future__ import annotations

import re

from smmkit.text._data import EMOJI_SEQUENCES, EMOJI_SINGLES

__all__ = ["find_emoji"]

_SINGLES = frozenset(EMOJI_SINGLES)
_END = ""  # marks a node where a listed sequence ends


def _build_trie() -> dict[str, dict]:  # type: ignore[type-arg]
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for seq in EMOJI_SEQUENCES:
        node = root
        for ch in seq:
            node = node.setdefault(ch, {})
        node[_END] = {}
    for ch in _SINGLES:
        root.setdefault(ch, {})[_END] = {}
    return root


_TRIE = _build_trie()


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


# A position can start an emoji only at a single-code-point emoji or at the first code
# point of a sequence; ASCII starters (keycaps) also need their second code point, so
# digits in ordinary text do not send every post through the slow path.
_PLAIN_STARTERS = {c for c in _TRIE if c not in _SINGLES and not c.isascii()} | _SINGLES
_ASCII_STARTERS = {c for c in _TRIE if c not in _SINGLES and c.isascii()}
_ASCII_SECONDS = {s for c in _ASCII_STARTERS for s in _TRIE[c] if s != _END}
_BMP_STARTERS = {c for c in _PLAIN_STARTERS if ord(c) < 0x10000}
_ASTRAL_LO = min(ord(c) for c in _PLAIN_STARTERS if ord(c) >= 0x10000)
_ASTRAL_HI = max(ord(c) for c in _PLAIN_STARTERS if ord(c) >= 0x10000)
# One coarse astral range keeps the class cheap to test (a long range list is scanned
# linearly at every position); the trie lookup below rejects false positives.
_START = re.compile(
    f"[{_char_class(_BMP_STARTERS)}{re.escape(chr(_ASTRAL_LO))}-{re.escape(chr(_ASTRAL_HI))}]"
    f"|[{_char_class(_ASCII_STARTERS)}](?=[{_char_class(_ASCII_SECONDS)}])"
)


def find_emoji(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of emoji, longest sequence first, scanning left to right.

    Example:
        >>> find_emoji("H🐱☺👨‍👩‍👧‍👦")
        [(1, 2), (2, 3), (3, 10)]
    """
    out: list[tuple[int, int]] = []
    floor = 0
    n = len(text)
    for m in _START.finditer(text):
        p = m.start()
        if p < floor:
            continue
        # Longest listed sequence starting at p (twitter-text tries longest first).
        node = _TRIE.get(text[p])
        if node is None:
            continue
        end = p + 1 if _END in node else 0
        i = p + 1
        while i < n:
            node = node.get(text[i])
            if node is None:
                break
            i += 1
            if _END in node:
                end = i
        if end:
            out.append((p, end))
            floor = end
    return out
