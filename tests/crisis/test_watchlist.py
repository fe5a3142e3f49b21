from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.crisis import RISK_PACKS, TermKind, Watchlist, WatchTerm, fold, risk_pack
from smmkit.crisis._automaton import AhoCorasick, CAhoCorasick, build_matcher
from smmkit.exceptions import InvalidInputError, MissingExtraError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＳＫ－ＩＩ", "sk-ii"),
        ("過敏", "过敏"),
        ("爛臉", "烂脸"),
        ("ALLERGY", "allergy"),
        ("\u3000", " "),
        ("İ", "i"),
        ("已经过敏", "已经过敏"),
    ],
)
def test_fold_table(text: str, expected: str) -> None:
    assert fold(text) == expected


@given(st.text())
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("用了就過敏", [(3, 5, "过敏")]),
        ("ＧＬＯＷＡ烂脸", [(0, 5, "Glowa"), (5, 7, "烂脸")]),
        ("glowa glowa", [(0, 5, "Glowa"), (6, 11, "Glowa")]),
        ("aglowa", []),  # whole word for Latin names
        ("Glowa格洛娃", [(0, 5, "Glowa"), (5, 8, "Glowa")]),
        ("爛臉爛臉", [(0, 2, "烂脸"), (2, 4, "烂脸")]),
    ],
)
def test_scan_table(text: str, spans: list[tuple[int, int, str]]) -> None:
    wl = Watchlist(
        [
            WatchTerm(name="Glowa", aliases=("格洛娃",), kind=TermKind.BRAND),
            WatchTerm(name="烂脸", kind=TermKind.RISK, category="cosmetics"),
            WatchTerm(name="过敏", kind=TermKind.RISK, category="cosmetics"),
        ],
        accelerator="python",
    )
    got = [(m.start, m.end, m.term) for m in wl.scan(text)]
    assert got == spans
    for m in wl.scan(text):
        assert text[m.start : m.end] == m.text


def test_overlapping_matches_reported() -> None:
    wl = Watchlist([WatchTerm(name="食物中毒"), WatchTerm(name="中毒")], accelerator="python")
    assert [(m.start, m.end, m.term) for m in wl.scan("疑似食物中毒")] == [
        (2, 6, "食物中毒"),
        (4, 6, "中毒"),
    ]


def test_risk_packs_cover_playbook_terms() -> None:
    names = {t.name for t in risk_pack("cosmetics")}
    assert {"过敏", "烂脸"} <= names
    assert {"food_safety", "hygiene", "cosmetics"} <= set(RISK_PACKS)
    with pytest.raises(InvalidInputError, match="name"):
        risk_pack("nope")


def test_for_brand_kinds() -> None:
    wl = Watchlist.for_brand(
        "Glowa", products=("Glowa Serum",), executives=("王丽",), industries=("hygiene",)
    )
    kinds = {m.kind for m in wl.scan("王丽回应Glowa Serum卫生问题")}
    assert kinds == {TermKind.EXECUTIVE, TermKind.PRODUCT, TermKind.BRAND, TermKind.RISK}


def test_watchlist_pickles() -> None:
    wl = Watchlist([WatchTerm(name="过敏")], accelerator="python")
    again = pickle.loads(pickle.dumps(wl))
    assert again.scan("过敏") == wl.scan("过敏")


def test_bad_inputs() -> None:
    with pytest.raises(InvalidInputError, match="name"):
        WatchTerm(name="")
    with pytest.raises(InvalidInputError, match="accelerator"):
        build_matcher(["a"], accelerator="gpu")
    with pytest.raises(InvalidInputError, match=r"patterns\.0"):
        AhoCorasick([""])


def _brute(patterns: list[str], text: str) -> list[tuple[int, int, str]]:
    return sorted(
        {
            (i, i + len(p), p)
            for p in set(patterns)
            for i in range(len(text))
            if text.startswith(p, i)
        }
    )


alphabet = st.sampled_from(list("abAB过敏過烂脸ａ"))
words = st.text(alphabet, min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=8), st.text(alphabet, max_size=40))
def test_automaton_matches_brute_force(patterns: list[str], text: str) -> None:
    ac = AhoCorasick(patterns)
    assert sorted((s, e, ac.patterns[p]) for s, e, p in ac.find_all(text)) == _brute(patterns, text)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=8), st.text(alphabet, max_size=40))
def test_accelerator_gives_identical_results(patterns: list[str], text: str) -> None:
    pytest.importorskip("ahocorasick")
    terms = [WatchTerm(name=p, whole_word=False) for p in dict.fromkeys(patterns)]
    py = Watchlist(terms, accelerator="python").scan(text)
    c = Watchlist(terms, accelerator="pyahocorasick").scan(text)
    assert py == c
    assert AhoCorasick(patterns).find_all(text) == CAhoCorasick(patterns).find_all(text)


def test_missing_accelerator_names_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ahocorasick", None)
    with pytest.raises(MissingExtraError, match="fast"):
        CAhoCorasick(["a"])
    assert isinstance(build_matcher(["a"], accelerator="auto"), AhoCorasick)


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


mixed = st.text(st.sampled_from(list("abAB过敏過烂脸爛臉ａＡİς σ-1１ ")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from(list("ab过敏烂脸σ1")), min_size=1, max_size=3),
        min_size=1,
        max_size=6,
    ),
    mixed,
)
def test_lower_fast_path_equals_full_fold(patterns: list[str], text: str) -> None:
    wl = Watchlist([WatchTerm(name=p) for p in dict.fromkeys(patterns)], accelerator="python")
    fast = wl.scan(text)
    reference = Watchlist(wl.terms, accelerator="python")
    reference._variants = __import__("re").compile("[\\s\\S]")  # always take the full fold
    assert fast == reference.scan(text)


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("手机爆 炸了", [(2, 5, "爆 炸")]),
        ("爆．炸", [(0, 3, "爆．炸")]),
        ("爆\u200b炸", [(0, 3, "爆\u200b炸")]),
        ("召 . 回", [(0, 5, "召 . 回")]),
        ("火爆。炸鸡", []),  # a full stop ends a clause: no word across it
        ("爆\n炸", []),
        ("火爆，炸鸡", []),
    ],
)
def test_separators_inserted_into_a_word(text: str, spans: list[tuple[int, int, str]]) -> None:
    wl = Watchlist(
        [WatchTerm(name="爆炸", kind=TermKind.RISK), WatchTerm(name="召回", kind=TermKind.RISK)],
        accelerator="python",
    )
    got = [(m.start, m.end, m.text) for m in wl.scan(text)]
    assert got == spans
    for m in wl.scan(text):
        assert text[m.start : m.end] == m.text


def test_latin_words_keep_their_spaces() -> None:
    wl = Watchlist([WatchTerm(name="rat"), WatchTerm(name="315")], accelerator="python")
    assert wl.scan("ra t") == ()  # a space between Latin letters separates words
    assert wl.scan("3 15 minutes") == ()
    assert [m.text for m in wl.scan("r\u200bat")] == ["r\u200bat"]  # invisible: removed
    assert [m.text for m in wl.scan("a rat.")] == ["rat"]


def test_terms_must_hold_a_visible_character() -> None:
    with pytest.raises(InvalidInputError, match="name"):
        WatchTerm(name="\u200b")
    with pytest.raises(InvalidInputError, match="aliases"):
        WatchTerm(name="爆炸", aliases=("\ufe0f",))


spaced = st.text(st.sampled_from(list("ab过敏過烂脸ａ .\u200b\u3000-")), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(words, min_size=1, max_size=6), spaced)
def test_accelerator_and_fast_path_agree_with_separators(patterns: list[str], text: str) -> None:
    terms = [WatchTerm(name=p, whole_word=False) for p in dict.fromkeys(patterns)]
    py = Watchlist(terms, accelerator="python")
    reference = Watchlist(terms, accelerator="python")
    reference._variants = __import__("re").compile("[\\s\\S]")  # always take the full fold
    assert py.scan(text) == reference.scan(text)
    for m in py.scan(text):
        assert text[m.start : m.end] == m.text
    if __import__("importlib").util.find_spec("ahocorasick") is not None:
        assert Watchlist(terms, accelerator="pyahocorasick").scan(text) == py.scan(text)
