"""The default sentiment on crisis posts: safety and failure words, questions, sarcasm,
and agreement with the watchlist's folding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.crisis import SentimentLabel, TermKind, Watchlist, WatchTerm, default_analyzer
from smmkit.crisis._hanzi import SIMPLIFIED, TRADITIONAL
from smmkit.crisis._normalize import squeeze, squeeze_map

NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE
A = default_analyzer()

# One family per row: the word, its inflections and synonyms; each in a neutral carrier.
FAMILIES: dict[str, tuple[str, ...]] = {
    "explode": (
        "explode",
        "explodes",
        "exploded",
        "exploding",
        "explosion",
        "blew up",
        "blown up",
    ),
    "fire": (
        "caught fire",
        "catches fire",
        "burst into flames",
        "went up in flames",
        "ablaze",
        "burnt",
        "scorched",
        "charred",
    ),
    "smoke": ("smoke", "smoking", "fumes"),
    "overheating": ("overheat", "overheats", "overheated", "overheating", "scalding"),
    "recall": ("recall", "recalls", "recalled", "recalling"),
    "failure": (
        "malfunctioned",
        "malfunctioning",
        "stopped working",
        "short circuit",
        "short-circuited",
        "bricked",
        "defect",
        "leaking",
    ),
    "harm": ("electric shock", "electrocuted", "injured", "hazard", "hazardous", "swollen"),
    "爆炸": ("爆炸", "炸了", "爆裂", "爆燃", "炸毁", "炸伤", "炸机", "爆開"),
    "起火": ("起火", "着火", "自燃", "燒毀", "烧起来", "冒火", "起明火", "明火"),
    "冒烟": ("冒烟", "冒白烟", "冒黑煙", "浓烟", "烧焦", "焦味", "糊味"),
    "过热": ("过热", "過熱", "过烫", "烫手", "烧手", "温度过高"),
    "召回": ("召回", "被召回", "紧急召回", "召回令"),
    "failure_zh": ("漏电", "触电", "短路", "鼓包", "漏液", "黑屏", "失效", "无法开机", "报废"),
}
CARRIERS = {True: "The charger {} last night", False: "昨晚充电宝{}"}


@pytest.mark.parametrize(
    ("family", "word"),
    [(f, w) for f, words in FAMILIES.items() for w in words],
)
def test_safety_family_is_negative(family: str, word: str) -> None:
    assert A.score(word).label is NEG, word
    sentence = CARRIERS[word.isascii()].format(word)
    assert A.score(sentence).label is NEG, sentence


@pytest.mark.parametrize(
    "text",
    [
        "is it safe?",
        "Is this safe for kids?",
        "Is it reliable?",
        "Will it explode?",
        "Does it overheat?",
        "Is this a fire hazard?",
        "会不会爆炸？",
        "会不会爆炸",  # the A-not-A form is a question without "？" too
        "这个充电宝会不会自燃啊？",
        "安全吗？",
        "安全吗",
        "这是正品吗？",
        "有没有毒？",
        "安不安全",
        "危不危险？",
        "不会爆炸吧？",  # a worried question, even with the risk negated
        "有没有副作用？",
    ],
)
def test_doubting_questions_are_negative(text: str) -> None:
    assert A.score(text).label is NEG


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("It is safe.", POS),  # outside a question a doubt word keeps its weight
        ("这个很安心", POS),
        ("不会爆炸", POS),  # a statement: the negation still works
        ("Is it good?", NEU),  # a question asserts nothing good...
        ("好不好用？", NEU),
        ("Why is it so great?", NEU),
        ("It's great. Any questions?", POS),  # ...and only its own sentence
    ],
)
def test_questions_controls(text: str, label: SentimentLabel) -> None:
    assert A.score(text).label is label


@pytest.mark.parametrize(
    "text",
    [
        "great, another recall",
        "Great, another update.",
        "Great, another Monday.",
        "yay, another delay",
        "Perfect, another one bricked",
        "oh great, it broke again",
        "Oh wonderful, my charger melted",
        "just great, the screen cracked",
        "Great, it exploded.",
        "Thanks, another recall!",
        "太好了，又召回了",
        "太好了，又坏了",
        "太好了，又是黑屏",
        "真是太好了，又坏了",
        "太好了！又来了",
        "太好了，手机炸了",
        "哇，太好了，充电宝冒烟了",
        "谢谢，又坏了",
    ],
)
def test_common_sarcasm_is_negative(text: str) -> None:
    assert A.score(text).label is NEG


@pytest.mark.parametrize(
    "text",
    [
        "Great, another great product from them!",
        "Great, will buy again!",
        "Great product, works well",
        "Perfect, exactly what I needed",
        "太好了，又便宜又好用",
        "太好了，终于到了",
        "谢谢，收到了",
        "Great, but the delivery was late",  # a contrast is not sarcasm
    ],
)
def test_sarcasm_controls(text: str) -> None:
    label = A.score(text).label
    if "but" in text:
        assert label is NEG  # the part after "but" wins, as before
    else:
        assert label is POS


def test_no_built_in_risk_term_scores_positive() -> None:
    from smmkit.crisis import RISK_PACKS

    for entries in RISK_PACKS.values():
        for entry in entries:
            for alias in entry.split("|"):
                assert A.score(alias).label is not POS, alias


@pytest.mark.parametrize("text", ["no refund", "They never refunded me", "没有退款", "还没退货"])
def test_negation_does_not_turn_a_refund_around(text: str) -> None:
    assert A.score(text).label is NEG


def test_fried_food_is_not_an_explosion() -> None:
    assert A.score("炸鸡很好吃").label is POS
    assert A.score("油炸食品").label is NEU


# -- agreement with the watchlist's folding ---------------------------------------------

ZH_RISK = ("爆炸", "起火", "召回", "自燃", "冒烟", "过热", "漏电", "短路", "鼓包", "着火")
EN_RISK = ("exploded", "overheating", "recalled", "explosion")
WATCH = Watchlist(
    [WatchTerm(name=w, kind=TermKind.RISK) for w in ZH_RISK + EN_RISK], accelerator="python"
)
TO_TRADITIONAL = {s: t for t, s in zip(TRADITIONAL, SIMPLIFIED, strict=True)}
VISIBLE = (" ", "\u3000", ".", "．", "·", "•", "*", "＊", "-", "－", "_", "/", "|", "#", "+")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\ufe0f", "\u00ad")
CONTEXT = ("", "这个", "手机", "昨晚充电宝", "我的Glowa", "！", "了", "，吓死")


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """A risk word with separators inserted, variant forms, and neutral context around it."""
    word = draw(st.sampled_from(ZH_RISK + EN_RISK))
    latin = word.isascii()
    pieces = []
    for i, char in enumerate(word):
        form = char
        if not latin and draw(st.booleans()):
            form = TO_TRADITIONAL.get(char, char)
        if latin and draw(st.booleans()):
            form = chr(ord(char.upper()) + 0xFEE0)  # full-width capital
        pieces.append(form)
        if i < len(word) - 1:
            # Between Latin letters only invisible characters: a space separates words.
            pool = INVISIBLE if latin else VISIBLE + INVISIBLE
            pieces.extend(draw(st.lists(st.sampled_from(pool), max_size=3)))
    before = draw(st.sampled_from(CONTEXT[:5]))
    after = draw(st.sampled_from(CONTEXT[4:] if not latin else ("", " today", "!")))
    if latin:
        before = draw(st.sampled_from(("", "my phone ", "It ")))
    return word, before + "".join(pieces) + after


@settings(max_examples=400, deadline=None)
@given(disguised())
def test_what_the_watchlist_folds_to_a_risk_word_is_not_scored_positive(
    case: tuple[str, str],
) -> None:
    word, text = case
    found = {m.term for m in WATCH.scan(text)}
    assert word in found, text
    assert A.score(text).label is not POS, text
    assert A.polarity(text) == A.polarity(squeeze(text))


@given(st.text(st.sampled_from(list("爆炸a b.·\u200b\u3000-\n，")), max_size=30))
def test_squeeze_matches_a_plain_reference(text: str) -> None:
    def han(ch: str) -> bool:
        return "\u4e00" <= ch <= "\u9fff"

    invisible = {"\u200b"}
    spacer = set(" .·\u3000-") | invisible
    out = []
    for i, ch in enumerate(text):
        if ch in invisible:
            continue
        if ch in spacer:
            left = next((c for c in reversed(text[:i]) if c not in spacer), "")
            right = next((c for c in text[i + 1 :] if c not in spacer), "")
            j = i
            while j > 0 and text[j - 1] in spacer:
                j -= 1
            k = i
            while k + 1 < len(text) and text[k + 1] in spacer:
                k += 1
            if j > 0 and k + 1 < len(text) and han(left) and han(right):
                continue
        out.append(ch)
    assert squeeze(text) == "".join(out)
    squeezed, kept = squeeze_map(text)
    assert squeezed == squeeze(text)
    if kept is not None:
        assert "".join(text[i] for i in kept) == squeezed
