"""A multi-pattern string automaton (Aho–Corasick) in pure Python.

The automaton finds every occurrence of every pattern, overlapping ones included, in one
left-to-right pass over the text. Its transition rows already include what the failure
links would add, except for the root's row, which every row falls back to: that keeps
memory linear in the patterns while each character costs at most two dictionary look-ups.

An optional accelerator wraps the C library ``pyahocorasick`` behind the same interface;
both report the same ``(start, end, pattern_id)`` triples in the same order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any, Protocol

from smmkit.exceptions import InvalidInputError, MissingExtraError

__all__ = ["MAX_PATTERN_LENGTH", "AhoCorasick", "CAhoCorasick", "Matcher", "build_matcher"]

#: The longest pattern ``CAhoCorasick`` takes. pyahocorasick frees its trie recursively,
#: one C stack frame per character of the longest pattern: a 1,000,000-character pattern
#: crashed the interpreter (SIGSEGV) on the 8 MiB main stack, a 5,000-character one on a
#: 64 KiB thread stack and a 2,000-character one on Python's smallest (32 KiB). 256 keeps
#: a margin of four on the smallest stack.
MAX_PATTERN_LENGTH = 256


class Matcher(Protocol):
    """What the watchlist needs from an automaton."""

    patterns: tuple[str, ...]

    def find_all(self, text: str) -> list[tuple[int, int, int]]:
        """Every ``(start, end, pattern_id)``, by end then by longer pattern first."""
        ...


class AhoCorasick:
    """Pure-Python Aho–Corasick automaton over a fixed set of patterns.

    Example:
        >>> ac = AhoCorasick(["he", "she", "his", "hers"])
        >>> [(s, e, ac.patterns[p]) for s, e, p in ac.find_all("ushers")]
        [(1, 4, 'she'), (2, 4, 'he'), (2, 6, 'hers')]
    """

    __slots__ = ("_lengths", "_out", "_rows", "patterns")

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns: tuple[str, ...] = tuple(patterns)
        for index, pattern in enumerate(self.patterns):
            if not pattern:
                raise InvalidInputError.single(f"patterns.{index}", "must not be empty", pattern)
        self._lengths = tuple(len(p) for p in self.patterns)
        goto: list[dict[str, int]] = [{}]
        ends: list[list[int]] = [[]]
        for pid, pattern in enumerate(self.patterns):
            state = 0
            for ch in pattern:
                nxt = goto[state].get(ch)
                if nxt is None:
                    nxt = len(goto)
                    goto[state][ch] = nxt
                    goto.append({})
                    ends.append([])
                state = nxt
            if not ends[state]:  # a duplicate pattern keeps its first id
                ends[state].append(pid)
        fail = [0] * len(goto)
        rows: list[dict[str, int]] = [dict(goto[0])] + [{} for _ in range(len(goto) - 1)]
        out: list[tuple[int, ...] | None] = [None] * len(goto)
        order: deque[int] = deque(goto[0].values())
        while order:
            state = order.popleft()
            link = fail[state]
            # Longer patterns first at one end position, then whatever the suffix adds.
            found = sorted(ends[state], key=lambda p: -self._lengths[p])
            if out[link]:
                found.extend(out[link] or ())
            out[state] = tuple(found) or None
            row = dict(rows[link]) if link else {}
            row.update(goto[state])
            rows[state] = row
            for ch, child in goto[state].items():
                target = link
                while target and ch not in goto[target]:
                    target = fail[target]
                candidate = goto[target].get(ch, 0)
                fail[child] = candidate if candidate != child else 0
                order.append(child)
        self._rows = rows
        self._out = out

    def find_all(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence as ``(start, end, pattern_id)``; ``end`` is exclusive.

        Example:
            >>> AhoCorasick(["aa"]).find_all("aaaa")
            [(0, 2, 0), (1, 3, 0), (2, 4, 0)]
        """
        rows = self._rows
        root_get = rows[0].get
        out = self._out
        lengths = self._lengths
        found: list[tuple[int, int, int]] = []
        state = 0
        end = 0
        for ch in text:
            end += 1
            if state:
                nxt = rows[state].get(ch)
                state = root_get(ch, 0) if nxt is None else nxt
            else:
                state = root_get(ch, 0)
                if not state:
                    continue
            hits = out[state]
            if hits:
                for pid in hits:
                    found.append((end - lengths[pid], end, pid))
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.patterns,))


class CAhoCorasick:
    """The same interface over ``pyahocorasick`` (the ``fast`` extra).

    A pattern longer than :data:`MAX_PATTERN_LENGTH` is refused (``patterns.<index>``):
    pyahocorasick would crash the interpreter when it frees such a trie.

    Example:
        >>> try:
        ...     ac = CAhoCorasick(["he", "she", "his", "hers"])
        ... except ImportError:
        ...     ac = AhoCorasick(["he", "she", "his", "hers"])
        >>> [(s, e) for s, e, _ in ac.find_all("ushers")]
        [(1, 4), (2, 4), (2, 6)]
    """

    __slots__ = ("_automaton", "patterns")

    def __init__(self, patterns: Sequence[str]) -> None:
        try:
            import ahocorasick
        except ImportError:
            raise MissingExtraError("pyahocorasick", extra="fast") from None
        self.patterns = tuple(patterns)
        automaton = ahocorasick.Automaton()
        grouped: dict[str, list[int]] = {}
        for pid, pattern in enumerate(self.patterns):
            if not pattern:
                raise InvalidInputError.single(f"patterns.{pid}", "must not be empty", pattern)
            if len(pattern) > MAX_PATTERN_LENGTH:
                raise InvalidInputError.single(
                    f"patterns.{pid}",
                    f"is longer than {MAX_PATTERN_LENGTH} characters ({len(pattern)}), more "
                    "than pyahocorasick can free safely",
                    pattern,
                )
            grouped.setdefault(pattern, []).append(pid)
        for pattern, pids in grouped.items():
            # Duplicate patterns share one key; keep the first id, like the pure automaton.
            automaton.add_word(pattern, (len(pattern), pids[0]))
        if grouped:
            automaton.make_automaton()
        self._automaton = automaton

    def find_all(self, text: str) -> list[tuple[int, int, int]]:
        """Every occurrence as ``(start, end, pattern_id)``; ``end`` is exclusive."""
        if not self.patterns:
            return []
        # pyahocorasick reports the inclusive end index; convert to slice bounds.
        return [(e + 1 - n, e + 1, pid) for e, (n, pid) in self._automaton.iter(text)]

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.patterns,))


def build_matcher(patterns: Sequence[str], *, accelerator: str = "auto") -> Matcher:
    """Build an automaton: ``"python"``, ``"pyahocorasick"`` or ``"auto"`` (C if installed).

    Example:
        >>> build_matcher(["ab"], accelerator="python").find_all("xab")
        [(1, 3, 0)]
    """
    if accelerator == "python":
        return AhoCorasick(patterns)
    if accelerator == "pyahocorasick":
        return CAhoCorasick(patterns)
    if accelerator == "auto":
        try:
            return CAhoCorasick(patterns)
        except MissingExtraError:
            return AhoCorasick(patterns)
    raise InvalidInputError.single(
        "accelerator", "must be 'auto', 'python' or 'pyahocorasick'", accelerator
    )
