"""Extended grapheme clusters (UAX #29) via the ``regex`` module's ``\\X``.

A user perceives a ZWJ family, a flag, a skin-toned hand or ``e`` plus a combining
accent as one character; Bluesky and Mastodon count them that way, and truncation
must never cut through one.
"""

from __future__ import annotations

from itertools import pairwise

import regex

from smmkit.text._checks import require_text

__all__ = ["grapheme_boundaries", "grapheme_count", "graphemes"]

_CLUSTER = regex.compile(r"\X")
# ``\X`` counts back over a run of regional indicators at every flag (quadratic in the
# run), so a long run is cut into chunks at even offsets from its start: two regional
# indicators pair up only when an odd number precedes them in the run (UAX #29 GB12,
# GB13), so those offsets are always boundaries and each chunk is segmented alone.
_RI_RUN = regex.compile("[\U0001f1e6-\U0001f1ff]{34,}")
_RI_CHUNK = 32  # regional indicators per chunk (even)


def _chunks(text: str) -> list[tuple[int, str]]:
    """``text`` as ``(offset, piece)`` pieces cut only where a cluster must end."""
    cuts: list[int] = []
    for run in _RI_RUN.finditer(text):
        cuts.extend(range(run.start() + _RI_CHUNK, run.end() - 1, _RI_CHUNK))
    if not cuts:
        return [(0, text)]
    bounds = [0, *cuts, len(text)]
    return [(a, text[a:b]) for a, b in pairwise(bounds)]


def _findall(text: str) -> list[str]:
    out: list[str] = []
    for _offset, piece in _chunks(text):
        out.extend(_CLUSTER.findall(piece))
    return out


def _starts(text: str) -> list[int]:
    return [offset + m.start() for offset, piece in _chunks(text) for m in _CLUSTER.finditer(piece)]


def graphemes(text: str) -> tuple[str, ...]:
    """The extended grapheme clusters of ``text``, in order.

    Example:
        >>> [len(g) for g in graphemes("a👨‍👩‍👧e\\u0301🇨🇳")]
        [1, 5, 2, 2]
    """
    require_text(text)
    return tuple(_findall(text))


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
    return len(_findall(text))


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
    out = _starts(text)
    out.append(len(text))
    return tuple(out)
