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
  weight of their own; "!" strengthens its clause;
* **product safety and failure** words in both languages ("caught fire", "overheating",
  "recalled", "自燃", "冒烟", "召回"), **questions** ("is it safe?", "会不会爆炸？" are
  doubts, not praise) and **sarcasm** ("great, another recall", "太好了，又炸了"): see
  ``_rules`` and ``_safety``.

Texts are read as the watchlist reads them: folded (full-width, traditional Chinese,
case) and squeezed (``爆 炸`` is ``爆炸``), so a post a watchlist finds a risk word in is
the post scored with that word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from itertools import compress
from typing import Any

from smmkit.crisis._automaton import AhoCorasick
from smmkit.crisis._checks import band, items_of, weights
from smmkit.crisis._normalize import fold, squeeze
from smmkit.crisis.sentiment import _safety as sf
from smmkit.crisis.sentiment import _wordlists as lx
from smmkit.crisis.sentiment._base import NEUTRAL_BAND, SentimentScore
from smmkit.crisis.sentiment._rules import (
    AFTER,
    AGAIN,
    BEFORE,
    BOOST,
    CLAUSE,
    DOUBT,
    EXCLAIM_MARK,
    FILLER,
    FIXED,
    HEAD,
    NEG,
    OPENER,
    QUESTION,
    QUESTION_MARK,
    RISK,
    SENTENCE,
    SQUASH,
    STRONG_AGAIN,
    TAIL,
    TEXT_END,
    WORD,
    Event,
    combine,
    squash,
)
from smmkit.exceptions import InvalidInputError

__all__ = ["LexiconAnalyzer", "default_analyzer"]

_SENTENCE_ENDS = frozenset("。！？…\n.!?~～")
_EXCLAIM = frozenset("!！")
_QUESTION = frozenset("?？")
_EN_NEG_REACH = 20
_EN_NEG_REACH_WORDS = 3  # words between an English negator and the word it negates
# Texts without CJK, emoji or symbols (plain or accented Latin, curly quotes) can skip
# the automaton: whitespace tokens find every entry they could match.
_NEEDS_AUTOMATON = re.compile("[\u2190-\U0010ffff]")
# Not the brackets: they belong to emoticons such as ":)" and ":-(".
_SPACED = tuple((mark, f" {mark} ") for mark in ',.;!?…"')
_ASCII_BREAKS: dict[str, tuple[int, float]] = {
    ",": (CLAUSE, 0.0),
    ";": (CLAUSE, 0.0),
    ".": (SENTENCE, 0.0),
    "?": (SENTENCE, QUESTION_MARK),
    "~": (SENTENCE, 0.0),
    "!": (SENTENCE, EXCLAIM_MARK),
    "…": (SENTENCE, 0.0),
}
_MADE_MAX = 4096  # results kept for reuse per analyzer


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
        neutral_band = band(neutral_band)
        self.neutral_band = neutral_band
        # Results are frozen values, so equal polarities can share one (bounded cache).
        self._made: dict[float, SentimentScore] = {}
        self._made_band = neutral_band
        self._extra = weights(extra, "extra")
        en = _english_table()
        zh = _chinese_table()
        for mark, weight in lx.EMOJI.items():
            (en if mark.isascii() else zh)[squeeze(fold(mark))] = (WORD, weight)
        for ch in lx.BREAKS:
            kind = SENTENCE if ch in _SENTENCE_ENDS else CLAUSE
            value = EXCLAIM_MARK if ch in _EXCLAIM else QUESTION_MARK if ch in _QUESTION else 0.0
            (en if ch.isascii() else zh)[ch] = (kind, value)
        for word, weight in self._extra.items():
            key = squeeze(fold(word))
            if key.isascii() and re.fullmatch(r"[a-z][a-z'\-]*", key):
                en[key] = (WORD, float(weight))
            elif key:
                zh[key] = (WORD, float(weight))
        self._en = en
        # Whitespace tokens: every entry, plus the marks that close clauses and sentences.
        tokens = dict(en)
        for mark, end in _ASCII_BREAKS.items():
            tokens[mark] = end
        tokens["\0"] = (TEXT_END, 0.0)  # joins texts scored in one pass
        for word, number in _TAILS.items():
            tokens.setdefault(word, (TAIL, number))  # a phrase's second word
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
        if not isinstance(text, str):
            raise InvalidInputError.single("text", "must be a str", type(text).__name__)
        if text.isascii():
            # The common case: plain ASCII folds by lower-casing alone, as fold() would.
            return squash(self._ascii_events(text.lower()), _EN_NEG_REACH_WORDS)
        return self._folded_polarity(squeeze(fold(text)))

    def polarity_many(self, texts: Iterable[str]) -> list[float]:
        """The polarity of every text, in order: :meth:`polarity` over a batch.

        Plain-ASCII texts are tokenised together in one pass, which is the fastest way
        to score many English mentions; the result is the same as one call per text.

        Example:
            >>> LexiconAnalyzer().polarity_many(["great", "糟糕", ""])[1] < 0
            True
        """
        items = items_of(texts, str, "texts") if isinstance(texts, (str, bytes)) else list(texts)
        try:
            return self._polarity_many(items)
        except (AttributeError, TypeError):
            items_of(items, str, "texts")  # names the item that is not a str
            raise

    def _polarity_many(self, items: list[str]) -> list[float]:
        out = [0.0] * len(items)
        ascii_at = [i for i, text in enumerate(items) if text.isascii()]
        if len(ascii_at) < len(items):
            for i, text in enumerate(items):
                if not text.isascii():
                    out[i] = self._folded_polarity(squeeze(fold(text)))
        if ascii_at:
            lists, origins = self._ascii_event_lists([items[i].lower() for i in ascii_at])
            reach = _EN_NEG_REACH_WORDS
            sqrt = math.sqrt
            for i, events, origin in zip(ascii_at, lists, origins, strict=False):
                if events:  # squash() inlined: a third of short English texts have none
                    raw = combine(events, reach, origin)
                    if raw:
                        out[i] = raw / sqrt(raw * raw + SQUASH)
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
            return squash(self._ascii_events(folded), _EN_NEG_REACH_WORDS)
        # Positions are characters; an English negator reaches _EN_NEG_REACH of them.
        return squash(self._events(folded), _EN_NEG_REACH, 0, 1)

    def _ascii_events(self, folded: str) -> list[Event]:
        """Events of one Latin-script text by whitespace tokens; positions are token
        numbers. Sentence and clause marks are first set apart as tokens of their own."""
        hits = list(map(self._en_tokens.get, _space_marks(folded.replace("\0", " ")).split()))
        hits.append(None)  # a phrase's head always has a next token to look at
        events: list[Event] = []
        for i in compress(range(len(hits)), hits):
            kind, value = hits[i]  # type: ignore[misc]  # compress() kept only the hits
            if kind >= TEXT_END:
                if kind == HEAD:
                    _phrase(hits, i, value, events)
            elif events or kind < CLAUSE:  # a break before anything else changes nothing
                events.append((i, i + 1, kind, value))
        return events

    def _ascii_event_lists(self, folded: list[str]) -> tuple[list[list[Event]], list[int]]:
        """:meth:`_ascii_events` of many texts in one pass, the same result per text,
        and the position of each text's first token.

        The texts are joined with a NUL token between them and every token is looked up
        with one C-level ``map``: only the hits, and the NULs that close each text, reach
        Python code. (The tokens themselves are not kept: a list that long, alive while
        the events are built, makes every garbage collection pass slower.)
        """
        joined = " \0 ".join(folded) + " \0"
        if joined.count("\0") != len(folded):  # a text holds a NUL of its own
            joined = " \0 ".join(t.replace("\0", " ") for t in folded) + " \0"
        hits = list(map(self._en_tokens.get, _space_marks(joined).split()))
        lists: list[list[Event]] = []
        origins = [0]
        events: list[Event] = []
        for i in compress(range(len(hits)), hits):
            kind, value = hits[i]  # type: ignore[misc]  # compress() kept only the hits
            if kind >= TEXT_END:  # the end of a text, or (rarely) a word of a phrase
                if kind == TEXT_END:
                    lists.append(events)
                    events = []
                    origins.append(i + 1)
                elif kind == HEAD:
                    _phrase(hits, i, value, events)  # a NUL always follows a text
            elif events or kind < CLAUSE:  # a break before anything else changes nothing
                events.append((i, i + 1, kind, value))
        return lists, origins

    def _events(self, folded: str) -> list[Event]:
        """(start, end, kind, value) for every lexicon hit, in text order."""
        events: list[Event] = []
        get = self._en.get
        head: tuple[int, int, dict[str, float]] | None = None
        for m in _EN_TOKEN.finditer(folded):
            token = m.group()
            if head is not None:
                start, end, tails = head
                head = None
                weight = tails.get(token)
                if weight is not None and folded[end : m.start()].isspace():
                    events.append((start, m.end(), RISK, weight))
                    continue
            hit = get(token)
            if hit is None:
                continue
            if hit[0] == HEAD:
                head = (m.start(), m.end(), _PHRASES[token])
            else:
                events.append((m.start(), m.end(), hit[0], hit[1]))
        if not folded.isascii():
            kinds = self._ac_kinds
            zh_events: list[Event] = []
            last_end = -1
            # Leftmost-longest: the automaton reports by end; keep the longest per start
            # and drop any hit that overlaps one already kept.
            found = sorted(self._ac.find_all(folded), key=lambda h: (h[0], -h[1]))
            for start, end, pid in found:
                if start < last_end:
                    continue
                kind, value = kinds[pid]
                last_end = end
                if kind == WORD and not value:
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


def _english_table() -> dict[str, tuple[int, float]]:
    """Every English entry (without emoji and breaks) as ``word -> (kind, value)``."""
    en: dict[str, tuple[int, float]] = {}
    for word, weight in _inflect(lx.EN_WORDS).items():
        en[word] = (WORD, weight)
    for word, factor in lx.EN_BOOSTERS.items():
        en[word] = (BOOST, factor)
    for word in lx.EN_NEGATORS:
        en[word] = (NEG, 1.0)  # 1.0 marks an English negator: it reaches further
        if word.endswith("nt"):
            en[word[:-1] + "'t"] = (NEG, 1.0)  # "dont" is also written "don't"
    for word in lx.CONTRASTS_AFTER:
        if word.isascii():
            en[word] = (AFTER, 0.0)
    for word in lx.CONTRASTS_BEFORE:
        if word.isascii():
            en[word] = (BEFORE, 0.0)
    for word, weight in sf.EN_RISK_WORDS.items():
        en[word] = (RISK, weight)
    for word, number in _HEADS.items():
        en[word] = (HEAD, number)
    for word, weight in sf.EN_FIXED_WORDS.items():
        en[word] = (FIXED, weight)
    for word, weight in sf.EN_DOUBT_WORDS.items():
        en[word] = (DOUBT, weight)
    for word, weight in sf.EN_OPENERS.items():
        en[word] = (OPENER, weight)
    for word in sf.EN_FILLERS:
        en[word] = (FILLER, 0.0)
    for word, strong in sf.EN_AGAIN.items():
        en[word] = (AGAIN, STRONG_AGAIN if strong else 0.5)
    return en


def _chinese_table() -> dict[str, tuple[int, float]]:
    """Every Chinese entry (without emoji and breaks) as ``word -> (kind, value)``."""
    zh: dict[str, tuple[int, float]] = dict.fromkeys(lx.ZH_NEUTRAL, (WORD, 0.0))
    zh.update(dict.fromkeys(sf.ZH_NEUTRAL_SAFETY, (WORD, 0.0)))
    # Later lists win on a shared entry: characters, then events, then review words.
    for table in (lx.ZH_CHARS, lx.ZH_EVENT_WORDS, lx.ZH_WORDS):
        for word, weight in table.items():
            zh[word] = (WORD, weight)
    for word, factor in lx.ZH_BOOSTERS.items():
        zh[word] = (BOOST, factor)
    for word in lx.ZH_NEGATORS:
        zh[word] = (NEG, 0.0)
    for word in lx.CONTRASTS_AFTER | lx.CONTRASTS_BEFORE:
        if not word.isascii():
            zh[word] = (AFTER if word in lx.CONTRASTS_AFTER else BEFORE, 0.0)
    for word, weight in sf.ZH_RISK_WORDS.items():
        zh[word] = (RISK, weight)
    for word, weight in sf.ZH_FIXED_WORDS.items():
        zh[word] = (FIXED, weight)
    for word, weight in sf.ZH_DOUBT_WORDS.items():
        zh[word] = (DOUBT, weight)
    for word, worry in sf.ZH_QUESTIONS.items():
        zh[word] = (QUESTION, 1.0 if worry else 0.0)
    for word, weight in sf.ZH_OPENERS.items():
        zh[word] = (OPENER, weight)
    for word in sf.ZH_FILLERS:
        zh[word] = (FILLER, 0.0)
    for word, strong in sf.ZH_AGAIN.items():
        zh[word] = (AGAIN, STRONG_AGAIN if strong else 0.5)
    return zh


_PHRASES = sf.EN_PHRASES
# Phrases for the whitespace tokens, by number: head, tail and (head, tail) -> weight.
_HEADS = {head: float(n) for n, head in enumerate(_PHRASES)}
_TAILS = {
    tail: float(n)
    for n, tail in enumerate(sorted({tail for tails in _PHRASES.values() for tail in tails}))
}
_PAIRS = {
    (_HEADS[head], _TAILS[tail]): weight
    for head, tails in _PHRASES.items()
    for tail, weight in tails.items()
}


def _phrase(hits: list[tuple[int, float] | None], i: int, head: float, events: list[Event]) -> None:
    """A two-word phrase whose head is hit ``i`` (its weight comes with the tail)."""
    tail = hits[i + 1]
    if tail is not None and tail[0] == TAIL:
        weight = _PAIRS.get((head, tail[1]))
        if weight is not None:
            events.append((i, i + 2, RISK, weight))


def _space_marks(text: str) -> str:
    """Set sentence and clause marks apart as tokens (C-level ``str.replace`` calls)."""
    for mark, spaced in _SPACED:
        if mark in text:
            text = text.replace(mark, spaced)
    return text


def default_analyzer() -> LexiconAnalyzer:
    """The built-in Chinese + English analyzer (no download, no optional dependency).

    Example:
        >>> default_analyzer().score("这家店的服务太差了").label.value
        'negative'
    """
    return LexiconAnalyzer()
