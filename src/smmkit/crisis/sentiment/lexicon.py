"""The built-in Chinese + English lexicon analyzer: word lists and a few rules.

This module holds the scorer, :class:`LexiconAnalyzer`; the word lists it reads live in
``smmkit.crisis.sentiment._wordlists``.

Why rules and not a model: it needs no download, runs in pure Python at tens of
thousands of short texts per second, and every score can be explained by the words that
produced it. The rules are the ones that matter most in complaints and reviews:

* **negation** flips and softens the next sentiment word in the same clause
  ("不好用" is a word of its own, "没有问题" / "not bad" turn mildly positive);
* **intensifiers and diminishers** scale it ("非常失望", "slightly dull");
* **contrast**: after "但是 / 不过 / but / however" the rest of the sentence counts
  more and what came before counts less; a clause opened by "虽然 / although" counts less;
* **one-character fallback**: Chinese text that holds no word from the lists is read by
  the characters that lean one way in almost every word they make (灾, 骗, 赢, 福), at
  half a word's weight; any longer entry that covers a character wins;
* **emoji, emoticons and Weibo-style bracket emoticons** (``[怒]``, ``😡``, ``:(``) carry
  weight of their own; "!" strengthens its clause.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from itertools import compress
from typing import Any

from smmkit.crisis._automaton import AhoCorasick
from smmkit.crisis._normalize import fold
from smmkit.crisis.sentiment import _wordlists as lx
from smmkit.crisis.sentiment._base import NEUTRAL_BAND, SentimentScore

__all__ = ["LexiconAnalyzer", "default_analyzer"]

# Token kinds in the event stream.
_WORD, _NEG, _BOOST, _AFTER, _BEFORE, _CLAUSE, _SENTENCE, _TEXT_END = range(8)
_SENTENCE_ENDS = frozenset("。！？…\n.!?~～")
_EXCLAIM = frozenset("!！")
_ZH_NEG_REACH = 4  # characters between a Chinese negator and the word it negates
_EN_NEG_REACH = 20
_EN_NEG_REACH_WORDS = 3  # words between an English negator and the word it negates
# Texts without CJK, emoji or symbols (plain or accented Latin, curly quotes) can skip
# the automaton: whitespace tokens find every entry they could match.
_NEEDS_AUTOMATON = re.compile("[\u2190-\U0010ffff]")
# Not the brackets: they belong to emoticons such as ":)" and ":-(".
_SPACED = tuple((mark, f" {mark} ") for mark in ',.;!?…"')
_ASCII_BREAKS: dict[str, tuple[int, float]] = {
    ",": (_CLAUSE, 0.0),
    ";": (_CLAUSE, 0.0),
    ".": (_SENTENCE, 0.0),
    "?": (_SENTENCE, 0.0),
    "~": (_SENTENCE, 0.0),
    "!": (_SENTENCE, 1.0),
    "…": (_SENTENCE, 0.0),
}
_MADE_MAX = 4096  # results kept for reuse per analyzer
_NEGATED = -0.6  # "not good" is weaker than "bad"
_SQUASH = 6.0


def _inflect(base: dict[str, float]) -> dict[str, float]:
    """Add regular English inflections so look-ups need no stemmer at run time."""
    out: dict[str, float] = {}
    for word, weight in base.items():
        forms = [word, word + "s", word + "es", word + "ed", word + "d", word + "ly", word + "ing"]
        if word.endswith("e"):
            forms += [word[:-1] + "ing", word[:-1] + "y"]
        if word.endswith("y"):
            forms += [word[:-1] + "ies", word[:-1] + "ied", word[:-1] + "ily"]
        for form in forms:
            out.setdefault(form, weight)
    for word, weight in base.items():
        out[word] = weight  # an explicit entry beats a generated form
    return out


_EN_TOKEN = re.compile(
    r"[a-z][a-z'\-]*[a-z]|[a-z]|>:\(|:'\(|:-?[()d/]|;\)|\(:|=\(|<3|\^_?\^|-_-|[,.!?;~]"
)


class LexiconAnalyzer:
    """Rule-based Chinese and English sentiment from word lists.

    ``extra`` adds or overrides entries (weights about -4..4), for a brand's own
    vocabulary. Scores are deterministic and need nothing outside the standard library.

    Example:
        >>> a = LexiconAnalyzer()
        >>> a.score("用了三天就烂脸，太失望了😡").label.value
        'negative'
        >>> a.score("Not bad at all, really love it!").label.value
        'positive'
        >>> a.score("虽然有点贵，但是效果很好").label.value
        'positive'
    """

    __slots__ = (
        "_ac",
        "_ac_kinds",
        "_en",
        "_en_tokens",
        "_extra",
        "_made",
        "_made_band",
        "neutral_band",
    )

    def __init__(
        self, *, extra: Mapping[str, float] | None = None, neutral_band: float = NEUTRAL_BAND
    ) -> None:
        self.neutral_band = neutral_band
        # Results are frozen values, so equal polarities can share one (bounded cache).
        self._made: dict[float, SentimentScore] = {}
        self._made_band = neutral_band
        self._extra = dict(extra or {})
        en: dict[str, tuple[int, float]] = {}
        for word, weight in _inflect(lx.EN_WORDS).items():
            en[word] = (_WORD, weight)
        for word, factor in lx.EN_BOOSTERS.items():
            en[word] = (_BOOST, factor)
        for word in lx.EN_NEGATORS:
            en[word] = (_NEG, 1.0)  # 1.0 marks an English negator: it reaches further
            if word.endswith("nt"):
                en[word[:-1] + "'t"] = (_NEG, 1.0)  # "dont" is also written "don't"
        for word in lx.CONTRASTS_AFTER:
            if word.isascii():
                en[word] = (_AFTER, 0.0)
        for word in lx.CONTRASTS_BEFORE:
            if word.isascii():
                en[word] = (_BEFORE, 0.0)
        zh: dict[str, tuple[int, float]] = dict.fromkeys(lx.ZH_NEUTRAL, (_WORD, 0.0))
        # Later lists win on a shared entry: characters, then events, then review words.
        for table in (lx.ZH_CHARS, lx.ZH_EVENT_WORDS, lx.ZH_WORDS):
            for word, weight in table.items():
                zh[word] = (_WORD, weight)
        for word, factor in lx.ZH_BOOSTERS.items():
            zh[word] = (_BOOST, factor)
        for word in lx.ZH_NEGATORS:
            zh[word] = (_NEG, 0.0)
        for word in lx.CONTRASTS_AFTER | lx.CONTRASTS_BEFORE:
            if not word.isascii():
                zh[word] = (_AFTER if word in lx.CONTRASTS_AFTER else _BEFORE, 0.0)
        for mark, weight in lx.EMOJI.items():
            (en if mark.isascii() else zh)[fold(mark)] = (_WORD, weight)
        for ch in lx.BREAKS:
            kind = _SENTENCE if ch in _SENTENCE_ENDS else _CLAUSE
            (en if ch.isascii() else zh)[ch] = (kind, 1.0 if ch in _EXCLAIM else 0.0)
        for word, weight in self._extra.items():
            key = fold(word)
            if key.isascii() and re.fullmatch(r"[a-z][a-z'\-]*", key):
                en[key] = (_WORD, float(weight))
            else:
                zh[key] = (_WORD, float(weight))
        self._en = en
        # Whitespace tokens: every entry, plus the marks that close clauses and sentences.
        tokens = dict(en)
        for mark, end in _ASCII_BREAKS.items():
            tokens[mark] = end
        tokens["\0"] = (_TEXT_END, 0.0)  # joins texts scored in one pass
        self._en_tokens = tokens
        patterns = sorted(zh)
        self._ac = AhoCorasick(patterns)
        self._ac_kinds = tuple(zh[p] for p in patterns)

    def polarity(self, text: str) -> float:
        """The polarity of ``text`` in [-1, 1], without building a result object.

        Example:
            >>> LexiconAnalyzer().polarity("") == 0.0
            True
        """
        if text.isascii():
            # The common case: plain ASCII folds by lower-casing alone, as fold() would.
            return _squash(self._ascii_events(text.lower()), _EN_NEG_REACH_WORDS)
        return self._folded_polarity(fold(text))

    def polarity_many(self, texts: Iterable[str]) -> list[float]:
        """The polarity of every text, in order: :meth:`polarity` over a batch.

        Plain-ASCII texts are tokenised together in one pass, which is the fastest way
        to score many English mentions; the result is the same as one call per text.

        Example:
            >>> LexiconAnalyzer().polarity_many(["great", "糟糕", ""])[1] < 0
            True
        """
        items = list(texts)
        out = [0.0] * len(items)
        ascii_at: list[int] = []
        for i, text in enumerate(items):
            if text.isascii():
                ascii_at.append(i)
            else:
                out[i] = self._folded_polarity(fold(text))
        if ascii_at:
            lists = self._ascii_event_lists([items[i].lower() for i in ascii_at])
            for i, events in zip(ascii_at, lists, strict=True):
                out[i] = _squash(events, _EN_NEG_REACH_WORDS)
        return out

    def score(self, text: str) -> SentimentScore:
        """Score one text.

        Example:
            >>> LexiconAnalyzer().score("质量很差，客服态度恶劣").polarity < -0.5
            True
        """
        return self._results([self.polarity(text)])[0]

    def score_many(self, texts: Iterable[str]) -> tuple[SentimentScore, ...]:
        """Score many texts, in order (plain-ASCII ones in one pass, as in
        :meth:`polarity_many`).

        Example:
            >>> [s.label.value for s in LexiconAnalyzer().score_many(["great", "糟糕"])]
            ['positive', 'negative']
        """
        return self._results(self.polarity_many(texts))

    def _results(self, polarities: list[float]) -> tuple[SentimentScore, ...]:
        """A frozen result per polarity; equal polarities share one (a flat 0 is common)."""
        band = self.neutral_band
        made = self._made
        if band != self._made_band or len(made) > _MADE_MAX:
            made.clear()
            self._made_band = band
        out: list[SentimentScore] = []
        for polarity in polarities:
            result = made.get(polarity)
            if result is None:
                result = made[polarity] = SentimentScore.from_polarity(polarity, neutral_band=band)
            out.append(result)
        return tuple(out)

    def _folded_polarity(self, folded: str) -> float:
        if _NEEDS_AUTOMATON.search(folded) is None:
            # Latin script beyond ASCII (accents, curly quotes): the whitespace tokens.
            return _squash(self._ascii_events(folded), _EN_NEG_REACH_WORDS)
        # Positions are characters; an English negator reaches _EN_NEG_REACH of them.
        return _squash(self._events(folded), _EN_NEG_REACH)

    def _ascii_events(self, folded: str) -> list[tuple[int, int, int, float]]:
        """Events of one Latin-script text by whitespace tokens; positions are token
        numbers. Sentence and clause marks are first set apart as tokens of their own."""
        get = self._en_tokens.get
        events: list[tuple[int, int, int, float]] = []
        for i, token in enumerate(_space_marks(folded.replace("\0", " ")).split()):
            hit = get(token)
            if hit is not None and (events or hit[0] < _CLAUSE):
                events.append((i, i + 1, hit[0], hit[1]))
        return events

    def _ascii_event_lists(self, folded: list[str]) -> list[list[tuple[int, int, int, float]]]:
        """:meth:`_ascii_events` of many texts in one pass, the same result per text.

        The texts are joined with a NUL token between them and every token is looked up
        with one C-level ``map``: only the hits, and the NULs that close each text, reach
        Python code.
        """
        joined = " \0 ".join(folded) + " \0"
        if joined.count("\0") != len(folded):  # a text holds a NUL of its own
            joined = " \0 ".join(t.replace("\0", " ") for t in folded) + " \0"
        hits = list(map(self._en_tokens.get, _space_marks(joined).split()))
        lists: list[list[tuple[int, int, int, float]]] = []
        events: list[tuple[int, int, int, float]] = []
        for i in compress(range(len(hits)), hits):
            kind, value = hits[i]  # type: ignore[misc]  # compress() kept only the hits
            if kind == _TEXT_END:
                lists.append(events)
                events = []
            elif events or kind < _CLAUSE:  # a break before anything else changes nothing
                events.append((i, i + 1, kind, value))
        return lists

    def _events(self, folded: str) -> list[tuple[int, int, int, float]]:
        """(start, end, kind, value) for every lexicon hit, in text order."""
        events: list[tuple[int, int, int, float]] = []
        en = self._en
        get = en.get
        for m in _EN_TOKEN.finditer(folded):
            hit = get(m.group())
            if hit is not None:
                events.append((m.start(), m.end(), hit[0], hit[1]))
        if not folded.isascii():
            kinds = self._ac_kinds
            zh_events: list[tuple[int, int, int, float]] = []
            last_end = -1
            # Leftmost-longest: the automaton reports by end; keep the longest per start
            # and drop any hit that overlaps one already kept.
            found = sorted(self._ac.find_all(folded), key=lambda h: (h[0], -h[1]))
            for start, end, pid in found:
                if start < last_end:
                    continue
                kind, value = kinds[pid]
                last_end = end
                if kind == _WORD and not value:
                    continue  # a neutral word: it only shields the entries inside it
                zh_events.append((start, end, kind, value))
            if zh_events:
                events = sorted(events + zh_events) if events else zh_events
        return events

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._extra, self.neutral_band))

    def __repr__(self) -> str:
        return f"LexiconAnalyzer(extra={len(self._extra)} entries)"


def _rebuild(extra: dict[str, float], neutral_band: float) -> LexiconAnalyzer:
    return LexiconAnalyzer(extra=extra, neutral_band=neutral_band)


def _space_marks(text: str) -> str:
    """Set sentence and clause marks apart as tokens (C-level ``str.replace`` calls)."""
    for mark, spaced in _SPACED:
        if mark in text:
            text = text.replace(mark, spaced)
    return text


def _squash(events: list[tuple[int, int, int, float]], en_reach: int) -> float:
    """The combined score of ``events`` squashed into (-1, 1)."""
    if not events:
        return 0.0
    raw = _combine(events, en_reach)
    if not raw:
        return 0.0  # never -0.0: equal results must print alike
    return raw / math.sqrt(raw * raw + _SQUASH)


def _combine(events: list[tuple[int, int, int, float]], en_reach: int) -> float:
    total = 0.0  # finished sentences
    sentence = 0.0  # the current sentence, before any contrast word
    after = 0.0  # the current sentence, after a contrast word
    clause = 0.0
    in_after = False
    damp = 1.0  # < 1 inside a "虽然 / although" clause
    negations = 0
    neg_end = -1
    neg_ascii = False
    boost = 1.0
    for start, end, kind, value in events:
        if kind == _WORD:
            v = value * boost
            if negations % 2 == 1:
                reach = en_reach if neg_ascii else _ZH_NEG_REACH
                if start - neg_end <= reach:
                    v *= _NEGATED
            negations = 0
            boost = 1.0
            clause += v * damp
        elif kind == _NEG:
            negations += 1
            neg_end = end
            neg_ascii = value == 1.0
        elif kind == _BOOST:
            boost *= value
        elif kind == _AFTER:
            if in_after:
                after += clause
            else:
                sentence += clause
            clause = 0.0
            if not in_after:
                in_after = True
                sentence *= 0.5
            damp = 1.0
            negations = 0
            boost = 1.0
        elif kind == _BEFORE:
            damp = 0.5
        else:  # a clause or sentence break
            if value:  # "!" strengthens what it closes
                clause *= 1.3
            if in_after:
                after += clause
            else:
                sentence += clause
            clause = 0.0
            negations = 0
            boost = 1.0
            if kind == _SENTENCE:
                total += sentence + after * 1.5
                sentence = after = 0.0
                in_after = False
                damp = 1.0
    if in_after:
        after += clause
    else:
        sentence += clause
    return total + sentence + after * 1.5


def default_analyzer() -> LexiconAnalyzer:
    """The built-in Chinese + English analyzer (no download, no optional dependency).

    Example:
        >>> default_analyzer().score("这家店的服务太差了").label.value
        'negative'
    """
    return LexiconAnalyzer()
