"""Splitting a text into thread parts, in time linear in the text.

Each part is cut from the rest of the text. Reading the whole rest for every part made
long texts quadratic (32,000 characters took 14 s), so a part is cut from a *window*: a
prefix of the rest that already does not fit, ending where the whole text has a
grapheme boundary outside every entity. What the cut needs from beyond the window (where
the text's closing hashtags start, and the sentence before them) is read once from the
whole text. The window's entities are checked against the whole text's; when they
differ, or the window holds no usable cut, the part is cut from the whole rest as
before.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable

import regex

from smmkit.text._cuts import _SENTENCE_END, _TAGS, _best_prefix, _points
from smmkit.text._entities import Entity, extract_entities
from smmkit.text._graphemes import grapheme_boundaries

__all__: list[str] = []

_WINDOW = 2048  # rests shorter than this are cut as a whole
_WHITESPACE = regex.compile(r"\s")
_ENDERS = frozenset("。！？!?…")
_Tail = tuple[int, bool, "int | None"]
"""``(last_end, trailing, start)`` of a rest: see :func:`_thread_cut`."""


class _Whole:
    """What every window of one text (already stripped) reads from the whole of it."""

    def __init__(self, text: str) -> None:
        self.text = text
        entities = extract_entities(text)
        self.entities = [(e.start, e.end, e.kind, e.value) for e in entities]
        self.last_tag = max((e.start for e in entities if e.kind in _TAGS), default=-1)
        self.starts = [e.start for e in entities]
        self.ends = [e.end for e in entities]  # increasing too: entities never overlap
        self.bounds = grapheme_boundaries(text)
        self.points = _outside_entities(self.bounds, entities)
        masked = _mask_tags(text, entities)
        self.lines = [] if masked is None else _tag_lines(text, masked, entities)
        self.line_starts = [a for a, _e in self.lines]
        self.in_lines = [0]  # points strictly inside the first k tag lines
        for a, e in self.lines:
            self.in_lines.append(self.in_lines[-1] + self._count(a, e - 1))
        n = len(text)
        self.last_end = n if masked is None else len(masked.rstrip())
        self.trailing = self.last_end < n
        self.line_start = text.rfind("\n", 0, self.last_end - 1) + 1
        self.sentences: list[tuple[int, int]] = []
        if self.trailing:
            found = _SENTENCE_END.finditer(text, self.line_start, self.last_end)
            self.sentences = [m.span() for m in found if m.end() < self.last_end]

    def tail(self, off: int, first: int) -> _Tail:
        """The closing-hashtag facts of the rest ``text[off:]`` whose masked text
        starts at ``first``, as :func:`_thread_cut` would find them in the rest."""
        last_end = max(0, self.last_end - off)
        if not self.trailing:
            return last_end, False, None
        pos = off + first
        if self.line_start >= pos:
            found = [e for a, e in self.sentences]
            start = found[-1] if found else self.line_start
        else:
            # The rest starts inside the last line: its search starts at ``pos``, and
            # a sentence end cut by that start still counts when it starts with an ender.
            found = [
                e
                for a, e in self.sentences
                if a >= pos or (a < pos < e and self.text[pos] in _ENDERS)
            ]
            start = found[-1] if found else off
        start -= off
        return last_end, True, (start if start > first else None)

    def _count(self, x: int, y: int) -> int:
        """Points ``p`` of the whole text with ``x < p <= y``."""
        return max(0, bisect_right(self.points, y) - bisect_right(self.points, x))

    def _in_lines(self, y: int) -> int:
        """Points ``p <= y`` strictly inside a tag line."""
        j = bisect_left(self.line_starts, y)
        if j and self.lines[j - 1][1] > y:
            a = self.lines[j - 1][0]
            return self.in_lines[j - 1] + self._count(a, y)
        return self.in_lines[j]

    def beyond(self, off: int, size: int, below: int, lines: bool) -> int:
        """How many cut candidates the rest ``text[off:]`` has past its window of
        ``size``: points ``p`` (whole-text offsets) with ``off + size < p < below``,
        without those inside tag lines when ``lines``."""
        x, y = off + size, min(below - 1, len(self.text))
        if y <= x:
            return 0
        n = self._count(x, y)
        return n - (self._in_lines(y) - self._in_lines(x)) if lines else n

    def tags_after(self, at: int) -> bool:
        """Whether the whole text has a hashtag or cashtag starting at or after ``at``."""
        return self.last_tag >= at

    def lines_after(self, at: int) -> bool:
        """Whether a tag line of the whole text ends after ``at``."""
        return bool(self.lines) and self.lines[-1][1] > at

    def line_across(self, at: int) -> tuple[int, int] | None:
        """The tag line of the whole text that holds offset ``at`` inside it."""
        j = bisect_left(self.line_starts, at)
        if j and self.lines[j - 1][1] > at:
            return self.lines[j - 1]
        return None

    def safe_end(self, off: int, want: int, size: int) -> int | None:
        """A window length ``b >= want`` for the rest ``text[off:off + size]``: the
        first whitespace after ``want`` that ends a grapheme, else ``want`` moved past
        any entity to a grapheme boundary; ``None`` when that reaches the end."""
        text, end = self.text, off + size
        x = off + want
        for m in _WHITESPACE.finditer(text, x, min(end, x + want + 1024)):
            b = m.end()
            if b < end and self._clear(b):
                return b - off
        i = bisect_right(self.starts, x) - 1
        if i >= 0 and self.ends[i] > x:
            x = self.ends[i]  # inside an entity: go to its end
        k = bisect_left(self.bounds, x)
        if k >= len(self.bounds):
            return None
        b = self.bounds[k]
        return b - off if b < end and self._clear(b) else None

    def _clear(self, b: int) -> bool:
        """``b`` is a grapheme boundary of the whole text, inside no entity."""
        k = bisect_left(self.bounds, b)
        if k == len(self.bounds) or self.bounds[k] != b:
            return False
        i = bisect_left(self.starts, b) - 1
        return i < 0 or self.ends[i] <= b

    def agrees(self, off: int, size: int, entities: tuple[Entity, ...]) -> bool:
        """The entities of the window ``text[off:off + size]`` are the whole text's
        (an entity at the window's first character may differ: it lost its left
        context, as the rest did)."""
        mine = [(e.start + off, e.end + off, e.kind, e.value) for e in entities if e.start > 0]
        if entities and entities[0].start == 0 and entities[0].end >= size - 1:
            return False
        lo = bisect_right(self.starts, off)
        hi = bisect_right(self.ends, off + size)
        return mine == self.entities[lo:hi]


def _split(text: str, fits: Callable[[str], bool], numbering: str, min_ratio: float) -> list[str]:
    n = 2
    parts: list[str] = []
    stripped = text.strip()
    whole = _Whole(stripped) if len(stripped) > _WINDOW else None
    for _ in range(8):
        parts = _greedy(stripped, fits, numbering, n, min_ratio, whole=whole)
        if len(parts) <= n:
            break
        n = len(parts)
    return parts


def _greedy(
    text: str,
    fits: Callable[[str], bool],
    numbering: str,
    n: int,
    min_ratio: float,
    *,
    whole: _Whole | None = None,
) -> list[str]:
    parts: list[str] = []
    text = text.strip()
    off = 0  # the rest is text[off:], never copied while it is long
    size = len(text)
    hint = 0
    while off < size:
        suffix = numbering.format(i=len(parts) + 1, n=n)
        cut = None
        if whole is not None and size - off > _WINDOW:
            cut = _window_cut(
                whole, fits, suffix, off=off, size=size - off, min_ratio=min_ratio, hint=hint
            )
        if cut is None:
            rest = text[off:]
            if fits(rest + suffix):
                parts.append(rest)
                break
            cut = _thread_cut(rest, _with_suffix(fits, suffix), min_ratio)
        parts.append(text[off : off + cut].rstrip())
        hint = cut
        off += cut
        while off < size and text[off].isspace():
            off += 1
    return parts


def _window_cut(
    whole: _Whole,
    fits: Callable[[str], bool],
    suffix: str,
    *,
    off: int,
    size: int,
    min_ratio: float,
    hint: int,
) -> int | None:
    """The next part's cut read from a window of the rest, or ``None`` to read the rest."""
    want = max(_WINDOW // 8, hint + hint // 2)
    while want < size:
        b = whole.safe_end(off, want, size)
        if b is None:
            return None
        head = whole.text[off : off + b]
        if fits(head.rstrip() + suffix):
            want = 2 * b
            continue
        points, entities = _points(head)
        if not whole.agrees(off, b, entities):
            return None
        cut = _thread_cut(
            head,
            _with_suffix(fits, suffix),
            min_ratio,
            found=(points, entities),
            whole=whole,
            off=off,
        )
        return cut or None
    return None


def _thread_cut(
    rest: str,
    fits: Callable[[str], bool],
    min_ratio: float,
    *,
    found: tuple[tuple[int, ...], tuple[Entity, ...]] | None = None,
    whole: _Whole | None = None,
    off: int = 0,
) -> int:
    """Where the next part ends: not inside a line of hashtags, leaving text (not only
    hashtags) on both sides, and trailing hashtags with the sentence they follow;
    failing that, anywhere a part fits.

    With ``whole``, ``rest`` is a window of ``whole.text[off:]``: what lies past it
    (its candidates, tag lines and closing hashtags) comes from the whole text, and 0
    means "no cut in the window"."""
    points, entities = _points(rest) if found is None else found
    size = len(rest)
    masked = _mask_tags(rest, entities)
    if masked is None and whole is not None and whole.tags_after(off + size):
        masked = rest  # the rest has tags, past the window
    # (candidates, whether tag lines were taken out, the whole-text offset they stop at)
    levels: list[tuple[tuple[int, ...], bool, int]] = []
    if masked is not None:
        first = len(masked) - len(masked.lstrip())
        if whole is None:
            last_end = len(masked.rstrip())
            trailing = last_end < len(rest.rstrip())
            start = _last_sentence_start(rest, first, last_end) if trailing else None
        else:
            last_end, trailing, start = whole.tail(off, first)
        inner = tuple(p for p in points if p == 0 or first < p < last_end)
        lines = _tag_lines(rest, masked, entities)
        has_lines = bool(lines)
        if whole is not None:
            lines = _window_lines(lines, whole, off, size)
            has_lines = has_lines or whole.lines_after(off + size)
        strict = _outside(inner, lines) if lines else inner
        levels = [(strict, True, off + last_end)] if has_lines else []
        levels.append((inner, False, off + last_end))
        if trailing and start is not None:
            # Hashtags close the text: they go out with the whole sentence before them.
            below = off + min(last_end, start + 1)
            levels.insert(0, (tuple(p for p in strict if p <= start), has_lines, below))
    levels.append((points, False, 1 << 62))
    for i, (candidates, in_lines, below) in enumerate(levels):
        total = None
        if whole is not None:
            total = len(candidates) + whole.beyond(off, size, below, in_lines)
        cut = _best_prefix(rest, candidates, fits, min_ratio, total)
        if cut or i == len(levels) - 1:
            break
    if cut == 0 and whole is None:
        # Not even one unit fits beside the number: take the first unit anyway,
        # rather than loop forever; validation will report the part.
        cut = points[1] if len(points) > 1 else len(rest)
    return cut


def _window_lines(
    lines: list[tuple[int, int]], whole: _Whole, off: int, size: int
) -> list[tuple[int, int]]:
    """The tag lines of a window: its own, except the line it ends in, which is the
    whole text's line (the window saw only its beginning)."""
    out = [(a, e) for a, e in lines if e < size]
    across = whole.line_across(off + size)
    if across is not None:
        out.append((max(0, across[0] - off), across[1] - off))
    return out


def _outside_entities(bounds: tuple[int, ...], entities: tuple[Entity, ...]) -> list[int]:
    """``bounds`` not strictly inside an entity (``_points`` of the whole text)."""
    out = []
    i = 0
    for b in bounds:
        while i < len(entities) and entities[i].end <= b:
            i += 1
        if i < len(entities) and entities[i].start < b:
            continue
        out.append(b)
    return out


def _outside(points: tuple[int, ...], lines: list[tuple[int, int]]) -> tuple[int, ...]:
    """``points`` not strictly inside one of ``lines`` (disjoint, in order)."""
    starts = [a for a, _b in lines]
    out = []
    for p in points:
        i = bisect_left(starts, p) - 1
        if i < 0 or not p < lines[i][1]:
            out.append(p)
    return tuple(out)


def _last_sentence_start(text: str, first: int, end: int) -> int | None:
    """Where the last sentence (or line) of ``text[first:end]`` starts, if not at ``first``."""
    start = text.rfind("\n", first, end - 1) + 1
    for m in _SENTENCE_END.finditer(text, max(first, start), end):
        if m.end() < end:
            start = m.end()
    return start if start > first else None


def _mask_tags(text: str, entities: tuple[Entity, ...]) -> str | None:
    """``text`` with its hashtags and cashtags blanked out (``None`` when it has none)."""
    out: list[str] = []
    last = 0
    for e in entities:
        if e.kind in _TAGS:
            out.append(text[last : e.start])
            out.append(" " * (e.end - e.start))
            last = e.end
    if not out:
        return None
    out.append(text[last:])
    return "".join(out)


def _tag_lines(text: str, masked: str, entities: tuple[Entity, ...]) -> list[tuple[int, int]]:
    """The lines of ``text`` that hold only hashtags (start and end offsets)."""
    lines: dict[int, int] = {}
    end = -1  # where the line of the tag before ends
    for e in entities:
        if e.kind not in _TAGS or e.start < end:
            continue  # not a tag, or on the line already read
        start = text.rfind("\n", 0, e.start) + 1
        end = text.find("\n", e.end)
        end = len(text) if end < 0 else end
        lines[start] = end if not masked[start:end].strip() else -1
    return [(a, b) for a, b in lines.items() if b >= 0]


def _tags_only(part: str) -> bool:
    """True when ``part`` holds hashtags (or cashtags) and nothing else."""
    masked = _mask_tags(part, extract_entities(part))
    return masked is not None and not masked.strip()


def _with_suffix(fits: Callable[[str], bool], suffix: str) -> Callable[[str], bool]:
    return lambda s: fits(s.rstrip() + suffix)
