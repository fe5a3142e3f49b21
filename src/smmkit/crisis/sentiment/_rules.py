"""The rules of the lexicon analyzer: from a stream of lexicon hits to one polarity.

The analyzer turns a text into *events* ``(start, end, kind, value)``, one per lexicon
hit in text order; positions are token numbers for whitespace-tokenised Latin text and
character offsets otherwise. This module combines them:

* **words** add their weight to the clause (``OPENER``, ``DOUBT`` and ``RISK`` entries are
  words with a role in the rules below; negation does not reach ``FIXED`` ones);
* **negation** flips and softens the next word within reach; **boosters** scale it;
* **contrast**: after "但是 / but" the rest of the sentence counts more, what came before
  less; a clause opened by "虽然 / although" counts less; "!" strengthens its clause;
* **questions**: a sentence closed by "?" or holding a question form ("吗", "会不会") asserts
  nothing good: its sum is at most 0, and at most ``WORRY`` when it asks about a risk or a
  doubt ("is it safe?", "会不会爆炸？");
* **sarcasm**: a sarcasm-prone interjection opening a sentence ("great,", "太好了，") before
  bad news turns around (:func:`sarcasm`).
"""

from __future__ import annotations

import math

__all__ = [
    "AFTER",
    "AGAIN",
    "BEFORE",
    "BOOST",
    "CLAUSE",
    "DOUBT",
    "Event",
    "FILLER",
    "FIXED",
    "HEAD",
    "NEG",
    "OPENER",
    "QUESTION",
    "RISK",
    "SENTENCE",
    "TAIL",
    "TEXT_END",
    "WORD",
    "combine",
    "sarcasm",
    "squash",
]

Event = tuple[int, int, int, float]

# Event kinds. Word-like kinds come first (kind <= FIXED), breaks last (kind >= CLAUSE).
WORD, OPENER, DOUBT, RISK, FIXED = 0, 1, 2, 3, 4  # FIXED: negation does not reach it
NEG, BOOST, AFTER, BEFORE = 5, 6, 7, 8
FILLER, AGAIN, QUESTION = 9, 10, 11  # markers
CLAUSE, SENTENCE = 12, 13
# Never in an event list: the end of a text in a batch, and the first and second word of
# a phrase (above every other kind, so that the tokeniser tells them apart with one test).
TEXT_END, HEAD, TAIL = 14, 15, 16
# Values of a break: "!" strengthens its clause, "?" makes the sentence a question.
EXCLAIM_MARK, QUESTION_MARK = 1.0, 2.0

ZH_NEG_REACH = 4  # characters between a Chinese negator and the word it negates
NEGATED = -0.6  # "not good" is weaker than "bad"
WORRY = -1.0  # a question about a risk or a doubt: small doubts are negative
SQUASH = 6.0
STRONG_AGAIN = 1.0  # an AGAIN marker's value: "another" / "又" alone make sarcasm


def squash(events: list[Event], en_reach: int, origin: int = 0, gap: int = 0) -> float:
    """The combined score of ``events`` squashed into (-1, 1).

    ``origin`` is the position where the text starts and ``gap`` how far apart two
    events may be and still count as adjacent (0 for tokens, 1 for characters): both
    only matter to :func:`sarcasm`.
    """
    if not events:
        return 0.0
    raw = combine(events, en_reach, origin, gap)
    if not raw:
        return 0.0  # never -0.0: equal results must print alike
    return raw / math.sqrt(raw * raw + SQUASH)


def combine(
    events: list[Event], en_reach: int, origin: int = 0, gap: int = 0, *, plain: bool = False
) -> float:
    """The raw (unsquashed) sum of ``events`` under the rules of the module docstring.

    At the first sarcasm-prone opener (unless ``plain``), :func:`sarcasm` checks the
    whole text once; when it turns an opener around, the sum is taken over its result.
    """
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
    question = False  # the sentence is a question
    worry = False  # the sentence names a risk, a bad thing or a doubt
    for start, end, kind, value in events:
        if kind <= FIXED:
            if kind:
                if kind == OPENER and not plain:
                    turned = sarcasm(events, en_reach, origin, gap)
                    if turned is not None:
                        return combine(turned, en_reach, plain=True)
                    plain = True
                elif kind == DOUBT:
                    worry = True
            v = value * boost
            if negations % 2 == 1 and kind != FIXED:
                reach = en_reach if neg_ascii else ZH_NEG_REACH
                if start - neg_end <= reach:
                    v *= NEGATED
            negations = 0
            boost = 1.0
            clause += v * damp
            if value < 0:
                worry = True
        elif kind == NEG:
            negations += 1
            neg_end = end
            neg_ascii = value == 1.0
        elif kind == BOOST:
            boost *= value
        elif kind == AFTER:
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
        elif kind == BEFORE:
            damp = 0.5
        elif kind < CLAUSE:  # a marker
            if kind == QUESTION:
                question = True
                worry = worry or value == 1.0
        else:  # a clause or sentence break
            if value == EXCLAIM_MARK:
                clause *= 1.3
            if in_after:
                after += clause
            else:
                sentence += clause
            clause = 0.0
            negations = 0
            boost = 1.0
            if kind == SENTENCE:
                sentence += after * 1.5
                if question or value == QUESTION_MARK:
                    sentence = min(sentence, WORRY if worry else 0.0)
                total += sentence
                sentence = after = 0.0
                in_after = False
                damp = 1.0
                question = worry = False
    if in_after:
        after += clause
    else:
        sentence += clause
    sentence += after * 1.5
    if question:
        sentence = min(sentence, WORRY if worry else 0.0)
    return total + sentence


def _adjacent(a: Event, b: Event, gap: int) -> bool:
    return 0 <= b[0] - a[1] <= gap


def sarcasm(events: list[Event], en_reach: int, origin: int, gap: int) -> list[Event] | None:
    """``events`` with sarcastic openers turned around (``None`` when there are none).

    An opener ("great", "太好了") is sarcastic when it opens a sentence (after fillers
    such as "oh" or boosters only), a break follows it at once, and what follows up to
    the end of the next sentence holds no contrast and sums to at most 0, with either
    "another" / "又" in it, or bad news (a negative sum) together with one of: a filler
    before the opener ("oh great, ..."), "again", or a risk word ("great, it exploded").
    """
    out = events
    n = len(out)
    for j in range(n):
        if out[j][2] != OPENER or out[j][3] <= 0:
            continue
        # What precedes the opener: fillers and boosters back to the sentence start.
        k = j - 1
        filler = False
        while k >= 0 and _adjacent(out[k], out[k + 1], gap):
            kind = out[k][2]
            # "oh great", "真是太好了", "哇，太好了": fillers (a comma may follow them), boosters.
            if kind == CLAUSE and k > 0 and out[k - 1][2] == FILLER:
                k -= 1
                continue
            if kind not in (FILLER, BOOST):
                break
            filler = filler or kind == FILLER
            k -= 1
        first = out[k + 1]
        if k >= 0:
            if out[k][2] != SENTENCE or not _adjacent(out[k], first, gap):
                continue
        elif not 0 <= first[0] - origin <= gap:
            continue
        if j + 1 >= n or out[j + 1][2] < CLAUSE or not _adjacent(out[j], out[j + 1], gap):
            continue
        # What follows: to the end of this sentence, or the next one if it ended.
        follow: list[Event] = []
        for e in out[j + 2 :]:
            if e[2] == SENTENCE:
                break
            follow.append(e)
        kinds = {e[2] for e in follow}
        if AFTER in kinds or BEFORE in kinds:
            continue
        rest = combine(follow, en_reach, plain=True)
        if rest > 0:
            continue
        again = [e[3] for e in follow if e[2] == AGAIN]
        strong = any(v == STRONG_AGAIN for v in again)
        marked = filler or bool(again) or RISK in kinds
        if strong or (rest < 0 and marked):
            if out is events:
                out = list(events)
            start, end, _, value = out[j]
            out[j] = (start, end, WORD, -value)
    return None if out is events else out
