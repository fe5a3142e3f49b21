from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from smmkit.crisis import (
    LexiconAnalyzer,
    SentimentAnalyzer,
    SentimentLabel,
    SnowNLPAnalyzer,
    TransformersAnalyzer,
    VaderAnalyzer,
    default_analyzer,
)
from smmkit.exceptions import InvalidInputError

NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("质量很好，非常满意", POS),
        ("太差了，再也不买", NEG),
        ("不好用", NEG),
        ("没有问题", POS),  # negated negative
        ("不是很好", NEG),  # negated positive
        ("虽然有点贵，但是效果很好", POS),  # contrast: the part after "但是" wins
        ("包装很好看，但是用了过敏", NEG),
        ("今天下雨", NEU),
        ("用完烂脸了😡", NEG),
        ("[赞][赞]", POS),
        ("I love it", POS),
        ("not good at all", NEG),
        ("not bad", POS),
        ("The plot is dull but the acting is superb", POS),
        ("great packaging, but it gave me a rash :(", NEG),
        ("The delivery arrived on Tuesday", NEU),
        ("ＴＥＲＲＩＢＬＥ", NEG),
        ("arrived :(", NEG),
        ("arrived today :-)", POS),
        ("it's not that it's bad. it's great!", POS),
        ("質量很差", NEG),
    ],
)
def test_rules_table(text: str, label: SentimentLabel) -> None:
    assert default_analyzer().score(text).label is label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # News and crisis events: no review word, the event itself carries the sign.
        ("工厂发生火灾，3人遇难", NEG),
        ("某品牌涉嫌虚假宣传被罚款", NEG),
        ("公司扭亏为盈", POS),
        ("女排夺冠", POS),
        # One-character fallback: no word from the lists, the characters lean one way.
        ("昨夜暴雨致山体滑坡", NEG),
        ("全家福", POS),
        # Names and everyday words that hold such a character stay neutral.
        ("顺丰到了", NEU),
        ("明天去重庆", NEU),
        ("输入验证码", NEU),
        # A negator still reaches a fallback character.
        ("没错", POS),
    ],
)
def test_events_and_character_fallback(text: str, label: SentimentLabel) -> None:
    assert default_analyzer().score(text).label is label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # Movements take no side: what moves decides (review of everyday phrases).
        ("油价上涨", NEU),
        ("疫情反弹", NEG),
        ("冲突升级", NEG),
        ("失业率创新高", NEG),
        ("瑞幸咖啡财务造假", NEG),
        ("富士康员工跳楼", NEG),
        ("突破底线", NEG),
        # Everyday and commercial copy that holds a leaning character.
        ("增强免疫力", NEU),
        ("高温杀菌", POS),
        ("防盗门", NEU),
        ("撞色设计", NEU),
        ("热闹非凡", NEU),
        ("炎炎夏日来一杯冰饮", NEU),
        ("零风险试用", POS),
        ("很有感染力", POS),
        ("通报表扬", POS),
        # Brands and places.
        ("佳能", NEU),
        ("乐高", NEU),
        ("荣耀", NEU),
        ("雅安", NEU),
        # Verbs that turn what follows around.
        ("缓解焦虑", POS),
        ("告别痘痘", POS),
        ("避免过敏", POS),
        ("这口红我狠狠爱了", POS),
    ],
)
def test_everyday_phrases(text: str, label: SentimentLabel) -> None:
    assert default_analyzer().score(text).label is label


def test_longer_entry_wins_over_character() -> None:
    a = default_analyzer()
    # "厉害" is a word (+2) although "害" alone leans negative; "破案" is shielded.
    assert a.polarity("真厉害") > 0
    assert a.polarity("警方破案") == 0.0
    # A character weighs half a word: "灾" alone is weaker than "灾难".
    assert a.polarity("灾难") < a.polarity("有灾") < 0


def test_intensifier_strengthens() -> None:
    a = default_analyzer()
    assert a.polarity("非常失望") < a.polarity("失望") < 0
    assert a.polarity("very good") > a.polarity("good") > 0


def test_exclamation_strengthens() -> None:
    a = default_analyzer()
    assert a.polarity("太差了！") < a.polarity("太差了")


@given(st.text(max_size=200))
def test_polarity_bounded(text: str) -> None:
    s = default_analyzer().score(text)
    assert -1.0 <= s.polarity <= 1.0


def test_batch_matches_single() -> None:
    a = default_analyzer()
    texts = ["好", "差", "", "meh"]
    assert a.score_many(texts) == tuple(a.score(t) for t in texts)


def test_extra_entries_and_pickle() -> None:
    a = LexiconAnalyzer(extra={"翻车": -3.0, "yassify": 2.0})
    assert a.score("又翻车").label is NEG
    assert a.score("yassify").label is POS
    b = pickle.loads(pickle.dumps(a))
    assert b.score("又翻车") == a.score("又翻车")


def test_protocol() -> None:
    assert isinstance(default_analyzer(), SentimentAnalyzer)


def test_snownlp_adapter() -> None:
    pytest.importorskip("snownlp")
    a = SnowNLPAnalyzer()
    assert isinstance(a, SentimentAnalyzer)
    assert a.score("这个东西真心很赞").label is POS
    assert a.score("").label is NEU


def test_vader_adapter() -> None:
    pytest.importorskip("vaderSentiment")
    a = VaderAnalyzer()
    assert a.score("This is terrible").label is NEG
    assert len(a.score_many(["good", "bad"])) == 2


def test_transformers_adapter_maps_labels() -> None:
    # A callable with the text-classification pipeline's contract (no weights here).
    def pipeline(texts: list[str], **_: object) -> list[dict[str, object]]:
        return [{"label": "NEGATIVE" if "bad" in t else "5 stars", "score": 0.8} for t in texts]

    a = TransformersAnalyzer(pipeline, batch_size=2)
    scores = a.score_many(["bad", "nice", "bad"])
    assert [s.label for s in scores] == [NEG, POS, NEG]
    assert scores[0].polarity == pytest.approx(-0.8)
    custom = TransformersAnalyzer(pipeline, labels={"NEGATIVE": 0.0})
    assert custom.score("bad").label is NEU
    with pytest.raises(InvalidInputError, match="pipeline"):
        TransformersAnalyzer()


def test_transformers_model_without_package_names_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from smmkit.exceptions import MissingExtraError

    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingExtraError, match="transformers"):
        TransformersAnalyzer(model="some/model")


def test_adapters_name_their_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from smmkit.exceptions import MissingExtraError

    monkeypatch.setitem(sys.modules, "snownlp", None)
    monkeypatch.setitem(sys.modules, "vaderSentiment", None)
    monkeypatch.setitem(sys.modules, "vaderSentiment.vaderSentiment", None)
    with pytest.raises(MissingExtraError, match="sentiment"):
        SnowNLPAnalyzer()
    with pytest.raises(MissingExtraError, match="sentiment"):
        VaderAnalyzer()


@given(st.lists(st.text(max_size=60) | st.sampled_from(["not bad", "好", "a\0b", "\0"])))
def test_polarity_many_matches_one_by_one(texts: list[str]) -> None:
    a = default_analyzer()
    assert a.polarity_many(texts) == [a.polarity(t) for t in texts]
    assert [s.polarity for s in a.score_many(texts)] == a.polarity_many(texts)


def test_nul_is_whitespace_not_a_text_boundary() -> None:
    a = default_analyzer()
    assert a.polarity_many(["not\0bad", "good"]) == [a.polarity("not bad"), a.polarity("good")]


@pytest.mark.parametrize("polarity", [-1.0, -0.3, 0.0, 0.02, 0.7, 1.0])
def test_fast_scores_equal_validated_ones(polarity: float) -> None:
    from smmkit.crisis.sentiment import _base
    from smmkit.crisis.sentiment._base import SentimentScore, label_for

    fast = SentimentScore.from_polarity(polarity)
    checked = SentimentScore(polarity=polarity, label=label_for(polarity))
    assert fast == checked and hash(fast) == hash(checked)
    assert fast.model_fields_set == checked.model_fields_set
    assert fast.model_dump_json() == checked.model_dump_json()
    assert SentimentScore.model_validate_json(fast.model_dump_json()) == fast
    assert pickle.loads(pickle.dumps(fast)) == fast
    assert fast.model_dump(exclude_unset=True) == checked.model_dump(exclude_unset=True)
    assert fast.model_dump_json(exclude_unset=True) == checked.model_dump_json(exclude_unset=True)
    moved = fast.model_copy(update={"polarity": 0.3})
    assert moved.polarity == 0.3 and fast.polarity == polarity
    assert fast.model_copy(deep=True) == fast
    # Each object owns its fields-set, as pydantic's own constructors give it.
    assert fast.model_fields_set is not SentimentScore.from_polarity(polarity).model_fields_set
    with pytest.raises(ValidationError):  # still frozen
        fast.polarity = 0.5  # type: ignore[misc]
    # This pydantic builds identical objects the fast way, so the fast way is in use.
    assert _base._trusted is _base._trusted_fast


def test_shared_results_follow_a_changed_neutral_band() -> None:
    a = LexiconAnalyzer()
    weak = a.polarity("decent")
    assert 0 < weak < 0.5
    assert a.score("decent").label is POS
    a.neutral_band = 0.5  # wider than the polarity: now neutral
    assert a.score("decent").label is NEU
    assert a.score_many(["decent", "decent"])[1].label is NEU


def test_result_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from smmkit.crisis.sentiment import lexicon

    monkeypatch.setattr(lexicon, "_MADE_MAX", 10)
    a = LexiconAnalyzer()
    words = ["good", "bad", "great", "awful", "fine", "poor", "superb", "dull"]
    texts = [" ".join(words[j] for j in range(8) if i >> j & 1) for i in range(256)]
    sizes = []
    for k in range(0, 256, 8):
        scores = a.score_many(texts[k : k + 8])
        assert [s.polarity for s in scores] == a.polarity_many(texts[k : k + 8])
        sizes.append(len(a._made))
    assert max(sizes) <= 10 + 8  # cleared before a batch once past the bound
