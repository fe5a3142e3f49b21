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

Folding keeps the length; :func:`squeeze` then removes what users insert *into* a word
to dodge a keyword filter (``爆 炸``, ``召.回``, ``起\u200b火``): invisible characters
anywhere, and spaces, dots and similar spacers between two Chinese characters. The
watchlist and the sentiment analyzer both read ``squeeze(fold(text))``, so a post the
watchlist matches as ``爆炸`` is the post the analyzer scores as ``爆炸``.
"""

from __future__ import annotations

import re

from smmkit.crisis._hanzi import SIMPLIFIED, TRADITIONAL
from smmkit.exceptions import InvalidInputError

__all__ = [
    "FOLD_TABLE",
    "fold",
    "full_pass_pattern",
    "needs_squeeze",
    "squeeze",
    "squeeze_map",
    "variant_chars",
    "variant_pattern",
]


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
    if not isinstance(text, str):
        raise InvalidInputError.single("text", "must be a str", type(text).__name__)
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


def variant_chars(alphabet: set[str]) -> set[str]:
    """The lower-cased characters that fold *into* ``alphabet`` without being in it.

    Example:
        >>> sorted(variant_chars({"过", "敏"}))
        ['過']
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
    return found


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
    found = variant_chars(alphabet)
    if not found:
        return None
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(found)) + "]")


# Invisible characters (format characters, variation selectors, fillers): removed anywhere.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\U000e0000-\U000e0fff"
)
# Spacers: removed between two Chinese characters only (between Latin letters a space
# separates words). Not line breaks, commas or the marks that end a sentence ("。", "~",
# "…"): those separate clauses, and the analyzer reads them.
_SPACER = (
    " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
    ".·•‧∙⋅・･*_\\-‐‑‒–—―/\\\\|'\"`^+=#@"
    "．＊＿－／＼｜＇＂｀＾＋＝＃＠"  # the same, full width (the watchlist may not fold first)
    "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Runs of spacers that a Chinese character follows (whether one precedes is checked in
# Python), and runs of invisible characters. "[x][x]*" rather than "[x]+": the regex
# engine's fast scan for a leading character set only applies to the first form.
_BEFORE_HAN = re.compile(f"[{_SPACER}{_INVISIBLE}][{_SPACER}{_INVISIBLE}]*(?=[{_HAN}])")
_INVISIBLE_RUN = re.compile(f"[{_INVISIBLE}][{_INVISIBLE}]*")
# Whether there is anything to remove: an invisible character, or a run of spacers with
# a Chinese character on both sides. The character set comes first, so that the regex
# engine's fast scan for it applies; the look-behind then checks the character before.
_NEEDED = re.compile(
    f"[{_SPACER}{_INVISIBLE}](?:(?<=[{_HAN}][{_SPACER}{_INVISIBLE}])"
    f"[{_SPACER}{_INVISIBLE}]*(?=[{_HAN}])|(?<=[{_INVISIBLE}]))"
)


def full_pass_pattern(alphabet: set[str]) -> re.Pattern[str]:
    """One regex that finds whether a lower-cased text needs the full :func:`fold` (it
    holds a character that folds into ``alphabet``) or :func:`squeeze` (see
    :func:`needs_squeeze`): a matcher's whole check in one scan.

    Example:
        >>> rx = full_pass_pattern({"过", "敏"})
        >>> [bool(rx.search(t)) for t in ("過敏", "过 敏", "过\u200b敏", "过敏 ok")]
        [True, True, True, False]
    """
    chars = "".join(re.escape(ch) for ch in sorted(variant_chars(alphabet)))
    variant = f"|(?<=[{chars}])" if chars else ""
    return re.compile(
        f"[{chars}{_SPACER}{_INVISIBLE}](?:(?<=[{_HAN}][{_SPACER}{_INVISIBLE}])"
        f"[{_SPACER}{_INVISIBLE}]*(?=[{_HAN}])|(?<=[{_INVISIBLE}]){variant})"
    )


def needs_squeeze(text: str) -> bool:
    """Whether :func:`squeeze` would remove anything from ``text`` (one regex scan).

    Example:
        >>> needs_squeeze("爆 炸"), needs_squeeze("爆炸 boom"), needs_squeeze("a\u200bb")
        (True, False, True)
    """
    return _NEEDED.search(text) is not None


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
    )


def _removed(text: str) -> list[tuple[int, int]]:
    """The spans :func:`squeeze` removes, in order."""
    spans = [
        m.span()
        for m in _BEFORE_HAN.finditer(text)
        if m.start() > 0 and _is_han(text[m.start() - 1])
    ]
    if _INVISIBLE_RUN.search(text) is None:
        return spans
    # Invisible runs inside a removed run of spacers are removed with it.
    inside = iter(spans)
    current = next(inside, None)
    extra = []
    for m in _INVISIBLE_RUN.finditer(text):
        while current is not None and current[1] <= m.start():
            current = next(inside, None)
        if current is None or m.end() <= current[0]:
            extra.append(m.span())
    return sorted(spans + extra) if extra else spans


def squeeze(text: str) -> str:
    """``text`` without the characters inserted into words to dodge keyword filters.

    Invisible characters (zero-width spaces and joiners, variation selectors, soft
    hyphens) go anywhere; spaces, dots, dashes, slashes, asterisks and combining marks go
    when they stand between two Chinese characters. Apply it after :func:`fold`, which
    turns full-width and ideographic spacers into the ASCII ones listed here.

    Example:
        >>> squeeze("爆 炸 了"), squeeze("召.回"), squeeze("起\u200b火"), squeeze("a b")
        ('爆炸了', '召回', '起火', 'a b')
    """
    if text.isascii() or _NEEDED.search(text) is None:  # nothing to remove: the common case
        return text
    spans = _removed(text)
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def squeeze_map(text: str) -> tuple[str, list[int] | None]:
    """:func:`squeeze` and, when it removed anything, the original index of each kept
    character (``None`` when nothing was removed).

    Example:
        >>> squeeze_map("爆 炸")
        ('爆炸', [0, 2])
        >>> squeeze_map("爆炸")
        ('爆炸', None)
    """
    if text.isascii() or _NEEDED.search(text) is None:  # nothing to remove: the common case
        return text, None
    spans = _removed(text)
    kept: list[int] = []
    last = 0
    for start, end in spans:
        kept.extend(range(last, start))
        last = end
    kept.extend(range(last, len(text)))
    return "".join(text[i] for i in kept), kept
