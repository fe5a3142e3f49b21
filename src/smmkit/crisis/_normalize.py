"""Folding text so that variants of one term match alike.

Folding maps full-width forms to half-width, traditional Chinese to simplified and
letters to lower case, **one code point to one code point**. Because the folded text
has the same length as the original, an offset found in the folded text is the offset
in the original text: matches never need a position map.

Why not :func:`unicodedata.normalize` (NFKC) and :meth:`str.casefold`? Both may turn one
code point into several (``"ﬁ"`` → ``"fi"``, ``"ß"`` → ``"ss"``), which would shift
every offset after it. The width folding here is the part of NFKC that matters for
social-media text (full-width ASCII, the ideographic space, half-width CJK punctuation),
and lower-casing keeps the length for every code point except ``"İ"``, which is folded
on its own.
"""

from __future__ import annotations

import re

from smmkit.crisis._hanzi import SIMPLIFIED, TRADITIONAL

__all__ = ["FOLD_TABLE", "fold", "variant_pattern"]


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Full-width ASCII variants U+FF01..U+FF5E sit at a fixed distance from ASCII.
    for code in range(0xFF01, 0xFF5F):
        table[code] = chr(code - 0xFEE0)
    table[0x3000] = " "  # ideographic space
    # Half-width CJK punctuation and the white-space oddities users paste in.
    for src, dst in (
        ("\uff61", "。"),
        ("\uff62", "「"),
        ("\uff63", "」"),
        ("\uff64", "、"),
        ("\u00a0", " "),
        ("\u2009", " "),
        ("\u200a", " "),
        ("\u202f", " "),
    ):
        table[ord(src)] = dst
    for trad, simp in zip(TRADITIONAL, SIMPLIFIED, strict=True):
        table[ord(trad)] = simp
    # Greek final sigma folds like casefold does, without changing the length.
    table[ord("ς")] = "σ"
    table[ord("İ")] = "i"
    return table


FOLD_TABLE: dict[int, str] = _build_table()
"""The translation table used by :func:`fold` (before lower-casing)."""


def _build_bmp_table() -> tuple[list[str], dict[int, str]]:
    # A list indexed by code point is several times faster for str.translate than a
    # dict (no hashing); code points past its end raise IndexError, which translate
    # treats as "leave unchanged", so the astral plane goes through a small dict.
    bmp = []
    for code in range(0x10000):
        if 0xD800 <= code < 0xE000:
            bmp.append(chr(code))
            continue
        mapped = FOLD_TABLE.get(code, chr(code))
        lowered = mapped.lower()
        bmp.append(lowered if len(lowered) == 1 else mapped)
    astral = {k: v for k, v in FOLD_TABLE.items() if k > 0xFFFF}
    return bmp, astral


_BMP_TABLE, _ASTRAL_TABLE = _build_bmp_table()
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """Fold ``text`` for matching: width, simplified/traditional and case alike.

    The result always has the same length as ``text``.

    Example:
        >>> fold("ＳＫ-II 過敏")
        'sk-ii 过敏'
        >>> len(fold("İstanbul")) == len("İstanbul")
        True
    """
    if text.isascii():
        return text.lower()
    folded = text.translate(_BMP_TABLE)
    if _ASTRAL.search(folded) is None:
        return folded
    folded = folded.translate(_ASTRAL_TABLE).lower()
    if len(folded) != len(text):
        # Some future Unicode lower-casing grew a code point: fold one by one instead.
        folded = "".join(_fold_one(ch) for ch in text)
    return folded


def _fold_one(ch: str) -> str:
    mapped = ch.translate(FOLD_TABLE)
    lowered = mapped.lower()
    return lowered if len(lowered) == 1 else mapped


def variant_pattern(alphabet: set[str]) -> re.Pattern[str] | None:
    """A character class of the lower-cased characters that fold *into* ``alphabet``.

    A text whose lower-cased form contains none of them (and has the same length) folds,
    as far as ``alphabet`` is concerned, to its plain lower-cased form: every other
    character folds to something outside the alphabet just as it is outside it now.
    ``str.lower`` costs a fraction of the full fold, so matchers check this first.

    Example:
        >>> rx = variant_pattern({"过", "敏"})
        >>> bool(rx.search("過敏")), bool(rx.search("过敏"))
        (True, False)
    """
    found: set[str] = set()
    for code, folded in enumerate(_BMP_TABLE):
        if folded in alphabet:
            lowered = chr(code).lower()
            if len(lowered) == 1 and lowered != folded:
                found.add(lowered)
    for code, mapped in _ASTRAL_TABLE.items():
        if fold(mapped) in alphabet:
            found.add(chr(code).lower())
    if not found:
        return None
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(found)) + "]")
