"""Extended grapheme clusters (UAX #29) via the ``regex`` module's ``\\X``.

A user perceives a ZWJ family, a flag, a skin-toned hand or ``e`` plus a combining
accent as one character; Bluesky and Mastodon count them that way, and truncation
must never cut through one.
"""

from __future__ import annotations

import regex

from smmkit.text._checks import require_text

__all__ = ["grapheme_boundaries", "grapheme_count", "graphemes"]

_CLUSTER = regex.compile(r"\X")


def graphemes(text: str) -> tuple[str, ...]:
    """The extended grapheme clusters of ``text``, in order.

    Example:
        >>> [len(g) for g in graphemes("a👨‍👩‍👧e\\u0301🇨🇳")]
        [1, 5, 2, 2]
    """
    require_text(text)
    return tuple(_CLUSTER.findall(text))


def grapheme_count(text: str) -> int:
    """How many extended grapheme clusters ``text`` has.

    Example:
        >>> grapheme_count("👍🏽 ok\\r\\n")
        5
    """
    require_text(text)
    if text.isascii():
        # In ASCII only CR LF joins into one cluster.
        return len(text) - text.count("\r\n")
    return len(_CLUSTER.findall(text))


def grapheme_boundaries(text: str) -> tuple[int, ...]:
    """Code-point offsets where a cluster starts, plus ``len(text)`` at the end.

    Cutting ``text`` at any of these offsets never splits a grapheme.

    Example:
        >>> grapheme_boundaries("a🇨🇳b")
        (0, 1, 3, 4)
    """
    require_text(text)
    if text.isascii() and "\r\n" not in text:
        return tuple(range(len(text) + 1))
    out = [m.start() for m in _CLUSTER.finditer(text)]
    out.append(len(text))
    return tuple(out)
