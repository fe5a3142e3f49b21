"""The emoji scan and the grapheme fast paths against plain reference implementations.

X's counter finds emoji with one regular expression shaped like the trie of listed
sequences, and remembers the last text it scanned (a thread split measures prefixes of
one window); regional-indicator runs are paired without ``\\X``. Each must give what a
plain walk gives, on every listed sequence and on random text made of their pieces.
"""

from __future__ import annotations

import random

import pytest
import regex

from smmkit.catalog import get_platform_spec
from smmkit.text import _count, grapheme_boundaries, grapheme_count, graphemes
from smmkit.text._data import EMOJI_SEQUENCES, EMOJI_SINGLES
from smmkit.text._emoji import EmojiTally, find_emoji

_Trie = dict[str, "_Trie"]
_END = ""


def _trie() -> _Trie:
    root: _Trie = {}
    for seq in (*EMOJI_SEQUENCES, *EMOJI_SINGLES):
        node = root
        for ch in seq:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


TRIE = _trie()


def walk(text: str) -> list[tuple[int, int]]:
    """Longest listed sequence at each position, left to right (twitter-text's rule)."""
    out = []
    p = 0
    while p < len(text):
        node, end, i = TRIE, 0, p
        while i < len(text) and text[i] in node:
            node = node[text[i]]
            i += 1
            if _END in node:
                end = i
        if end:
            out.append((p, end))
            p = end
        else:
            p += 1
    return out


SEQUENCES = sorted({*EMOJI_SEQUENCES, *EMOJI_SINGLES})
PIECES = [
    *SEQUENCES,
    *"ab #*1 .\u200d\ufe0f\u20e3\u00a9\u0301\u0600\r\n中",
    "\U0001f1e6",
    "\U0001f1e8",
    "\U0001f3fb",
    "\U000e0067",
    "\U000e007f",
    "https://x.com/",
    "a.com",
    "https://😀.com",
    "1️⃣.com",
]


def _random_texts(seed: int, n: int) -> list[str]:
    rnd = random.Random(seed)
    return [
        "".join(rnd.choice(PIECES)[: rnd.choice([1, 2, 99])] for _ in range(rnd.randint(0, 30)))
        for _ in range(n)
    ]


def test_every_sequence_alone_and_beside_others() -> None:
    for seq in SEQUENCES:
        assert find_emoji(seq) == [(0, len(seq))]
        for other in ("a", "#", "\u200d", "\ufe0f", "\U0001f3fd", seq):
            for text in (seq + other, other + seq, seq[:-1], seq[1:], other + seq[1:]):
                assert find_emoji(text) == walk(text), text


@pytest.mark.parametrize("seed", range(3))
def test_random_text_scans_as_the_walk(seed: int) -> None:
    for text in _random_texts(seed, 2000):
        assert find_emoji(text) == walk(text), text


def test_tally_rescans_only_what_changed_and_agrees() -> None:
    # Prefixes, prefixes with a new tail, longer texts, unrelated texts: in any order
    # the tally gives what a fresh scan gives.
    rnd = random.Random(7)
    tally = EmojiTally(len)
    for text in _random_texts(11, 1500):
        for t in (text, text[: rnd.randint(0, len(text))] + " 1/9", text + "🇨🇳" * 5):
            spans = walk(t)
            assert tally.total(t) == sum(b - a for a, b in spans), t
            starts, ends, sums = tally.spans(t)
            assert list(zip(starts, ends, strict=True)) == spans, t
            assert sums[-1] == sum(b - a for a, b in spans)


def test_x_counts_cut_candidates_as_a_fresh_counter() -> None:
    # The counter keeps its tally between calls: every candidate of a cut counts as
    # it would on its own, links and emoji inside links included.
    spec = get_platform_spec("x").text
    shared = _count._weighted_counter(spec)
    rnd = random.Random(3)
    for text in _random_texts(5, 800):
        for k in sorted(rnd.sample(range(len(text) + 1), min(6, len(text) + 1))):
            candidate = text[:k] + " 1/12"
            assert shared(candidate) == _count._weighted_counter(spec)(candidate), candidate


_CLUSTER = regex.compile(r"\X")
RI = [chr(c) for c in range(0x1F1E6, 0x1F200)]


@pytest.mark.parametrize("seed", range(2))
def test_regional_indicator_runs_pair_as_x_does(seed: int) -> None:
    rnd = random.Random(seed)
    edges = ["", "a", "\u0600", "\u0301", "\u200d👍", "\r\n", "🇨"]
    for _ in range(600):
        run = "".join(rnd.choice(RI) for _ in range(rnd.choice([rnd.randint(0, 12), 80])))
        text = rnd.choice(edges) + run + rnd.choice(edges) + run[:3]
        clusters = _CLUSTER.findall(text)
        assert graphemes(text) == tuple(clusters), text
        assert grapheme_count(text) == len(clusters)
        starts = [m.start() for m in _CLUSTER.finditer(text)]
        assert grapheme_boundaries(text) == (*starts, len(text))


def test_text_without_joiners_is_one_cluster_a_code_point() -> None:
    # The fast path (no character that any UAX #29 rule joins) gives what \X gives.
    rnd = random.Random(5)
    pool = list("aé中한\u1100\u1161\u11a8\uac00\r\n\u0301\u200d\u0600\u0903👍🏽🇨\ufe0f ＃\u094d")
    for _ in range(5000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 12)))
        clusters = _CLUSTER.findall(text)
        assert graphemes(text) == tuple(clusters), text
        assert grapheme_count(text) == len(clusters)
        starts = [m.start() for m in _CLUSTER.finditer(text)]
        assert grapheme_boundaries(text) == (*starts, len(text))
