"""Typed errors for malformed crisis input (issues 15 item 4 and 16 item 6).

Each test covers a class: analyzer arguments of the wrong type, numbers beyond the float
range, monitor states of the wrong shape or nesting too deep, and blank watch terms
wherever terms enter (a watchlist, a monitor, the tiering rules).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from smmkit.crisis import (
    CrisisMonitor,
    DetectionConfig,
    LexiconAnalyzer,
    TermKind,
    TieringRules,
    TransformersAnalyzer,
    Watchlist,
    WatchTerm,
    assess,
    incident_mentions,
    label_for,
    recovery_status,
    replay_incident,
)
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models import CrisisSignal, SignalKind

T0 = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)
WL = Watchlist.for_brand("Glowa", industries=("cosmetics",), accelerator="python")
HUGE = 10**400  # an int no float can hold
BLANKS = ["", " ", "\u200b", "\u3000\t", "\ufe0f"]


def fields_of(build: Callable[[], object]) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        build()
    return info.value.fields


def pipeline(texts: list[str], **_: Any) -> list[dict[str, Any]]:
    return [{"label": "NEGATIVE", "score": 0.9} for _ in texts]


# -- analyzers: every constructor argument is checked ---------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"extra": datetime(2026, 1, 1)}, "extra"),
        ({"extra": [("word", 1.0)]}, "extra"),
        ({"extra": {"word": "x"}}, "extra.word"),
        ({"extra": {"word": float("nan")}}, "extra.word"),
        ({"extra": {"word": HUGE}}, "extra.word"),
        ({"extra": {3: 1.0}}, "extra.int"),
        ({"extra": {" ": 1.0}}, "extra"),
        ({"neutral_band": "0.1"}, "neutral_band"),
        ({"neutral_band": -0.1}, "neutral_band"),
        ({"neutral_band": float("inf")}, "neutral_band"),
    ],
)
def test_lexicon_analyzer_refuses_malformed_arguments(kwargs: dict[str, Any], field: str) -> None:
    assert fields_of(lambda: LexiconAnalyzer(**kwargs)) == (field,)


def test_lexicon_analyzer_still_takes_a_brand_vocabulary() -> None:
    analyzer = LexiconAnalyzer(extra={"glowa-magic": 3, "踩雷": -2.5}, neutral_band=0.1)
    assert analyzer.score("glowa-magic").label.value == "positive"
    assert analyzer.score("又踩雷了").label.value == "negative"


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((b"bytes",), {"labels": b"bytes"}, "pipeline"),
        ((None,), {}, "pipeline"),
        ((None,), {"model": " "}, "pipeline"),
        ((None,), {"model": 3}, "model"),
        ((pipeline,), {"labels": b"bytes"}, "labels"),
        ((pipeline,), {"labels": {"neg": "minus"}}, "labels.neg"),
        ((pipeline,), {"labels": {"neg": HUGE}}, "labels.neg"),
        ((pipeline,), {"batch_size": 0}, "batch_size"),
        ((pipeline,), {"batch_size": 2.5}, "batch_size"),
        ((pipeline,), {"neutral_band": None}, "neutral_band"),
    ],
)
def test_transformers_analyzer_refuses_malformed_arguments(
    args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    assert fields_of(lambda: TransformersAnalyzer(*args, **kwargs)) == (field,)


@pytest.mark.parametrize(
    "answer",
    [
        lambda texts: None,
        lambda texts: [],
        lambda texts: [{"score": 0.5} for _ in texts],
        lambda texts: [{"label": "POS", "score": "high"} for _ in texts],
        lambda texts: [{"label": "POS", "score": float("nan")} for _ in texts],
        lambda texts: ["POS" for _ in texts],
    ],
)
def test_a_pipeline_answering_in_another_shape_is_a_typed_error(
    answer: Callable[[list[str]], Any],
) -> None:
    analyzer = TransformersAnalyzer(lambda texts, **_: answer(texts))
    assert fields_of(lambda: analyzer.score("meh")) == ("pipeline",)
    assert fields_of(lambda: TransformersAnalyzer(pipeline).score_many("a text")) == ("texts",)


# -- numbers beyond the float range ----------------------------------------------------
@pytest.mark.parametrize("number", [HUGE, -HUGE, 10**5000], ids=["1e400", "-1e400", "1e5000"])
def test_ints_beyond_the_float_range_are_typed_errors(number: int) -> None:
    assert fields_of(lambda: label_for(number)) == ("polarity",)
    assert fields_of(lambda: label_for(0.5, neutral_band=number)) == ("neutral_band",)
    assert fields_of(lambda: recovery_status([], baseline=number)) == ("baseline",)
    assert fields_of(lambda: recovery_status([], baseline=0.1, tolerance=number)) == ("tolerance",)
    with pytest.raises(InvalidInputError, match="digits"):
        label_for(number)  # shown by its size: a 5000-digit int cannot even be printed


def test_a_negative_tolerance_is_refused() -> None:
    assert fields_of(lambda: recovery_status([], baseline=0.1, tolerance=-0.1)) == ("tolerance",)


# -- the detection window names its field ----------------------------------------------
@pytest.mark.parametrize(
    "window",
    [timedelta(0), timedelta(seconds=-60), timedelta(seconds=1.5), timedelta(seconds=11)],
)
def test_a_window_that_does_not_divide_a_week_names_window(window: timedelta) -> None:
    assert fields_of(lambda: DetectionConfig(window=window)) == ("window",)
    assert DetectionConfig(window=timedelta(minutes=30)).window_seconds == 1800


# -- monitor states: wrong shapes, missing keys, deep nesting -----------------------------
def _state() -> dict[str, Any]:
    monitor = CrisisMonitor(WL)
    monitor.feed(incident_mentions())
    state: dict[str, Any] = json.loads(monitor.to_json())
    return state


def _restore(state: object) -> CrisisMonitor:
    text = state if isinstance(state, (str, bytes)) else json.dumps(state)
    return CrisisMonitor.from_json(text, watchlist=WL)  # type: ignore[arg-type]


def test_a_state_round_trips() -> None:
    monitor = CrisisMonitor(WL)
    monitor.feed(incident_mentions())
    again = _restore(monitor.to_json())
    assert again == monitor and again.alerts() == monitor.alerts()
    assert again.crisis("过敏", now=T0) == monitor.crisis("过敏", now=T0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: [], "data"),
        (lambda s: "state", "data"),
        (lambda s: {**s, "version": 2}, "version"),
        (lambda s: {**s, "version": True}, "version"),
        (lambda s: {k: v for k, v in s.items() if k != "counts"}, "counts"),
        (lambda s: {k: v for k, v in s.items() if k != "config"}, "config"),
        (lambda s: {**s, "config": []}, "config"),
        (lambda s: {**s, "config": {"window": "PT11S"}}, "config.window"),
        (lambda s: {**s, "config": {"samples": -1}}, "config.samples"),
        (lambda s: {**s, "first": "0"}, "first"),
        (lambda s: {**s, "first": 10**30}, "first"),
        (lambda s: {**s, "topics": [["*", "all"]]}, "topics"),
        (lambda s: {**s, "topics": {"过敏": "villain"}}, "topics.过敏"),
        (lambda s: {**s, "counts": {"0": []}}, "counts"),
        (lambda s: {**s, "counts": [{"w": 1}]}, "counts.0"),
        (lambda s: {**s, "counts": [[1, "weibo", "*", 3]]}, "counts.0"),
        (lambda s: {**s, "counts": [["1", "weibo", "*", 3, 1]]}, "counts.0.0"),
        (lambda s: {**s, "counts": [[1, 7, "*", 3, 1]]}, "counts.0.1"),
        (lambda s: {**s, "counts": [[1, "weibo", None, 3, 1]]}, "counts.0.2"),
        (lambda s: {**s, "counts": [[1, "weibo", "*", -3, 0]]}, "counts.0.3"),
        (lambda s: {**s, "counts": [[1, "weibo", "*", True, 0]]}, "counts.0.3"),
        (lambda s: {**s, "counts": [[1, "weibo", "*", 3, 4]]}, "counts.0.4"),
        (lambda s: {**s, "counts": [[1, "weibo", "*", 3, 1]] * 2}, "counts.1"),
        (lambda s: {**s, "samples": [[1, "*"]]}, "samples.0"),
        (lambda s: {**s, "samples": [[1, "*", "x"]]}, "samples.0.2"),
        (lambda s: {**s, "samples": [[1, "*", [["a", "b", "c"]]]]}, "samples.0.2.0"),
        (lambda s: {**s, "samples": [[1, "*", [["a", "b", "c", 4]]]]}, "samples.0.2.0.3"),
        (lambda s: {**s, "samples": [[1, "*", [["a", "b", "c", "d"]] * 4]]}, "samples.0.2"),
        (lambda s: {**s, "emitted": [["t", "k", "*"]]}, "emitted.0"),
        (lambda s: {**s, "emitted": [["t", "k", "*", "weibo"]]}, "emitted.0.3"),
        (lambda s: {**s, "emitted": [["t", "k", "*", [1]]]}, "emitted.0.3.0"),
    ],
)
def test_a_state_of_the_wrong_shape_names_where(
    change: Callable[[dict[str, Any]], object], field: str
) -> None:
    assert fields_of(lambda: _restore(change(_state()))) == (field,)


def test_an_unknown_platform_in_a_state_is_refused_with_the_known_ids() -> None:
    state = {**_state(), "counts": [[1, "myspace", "*", 3, 1]]}
    with pytest.raises(UnknownPlatformError) as info:
        _restore(state)
    assert info.value.fields == ("counts.0.1",) and "weibo" in info.value.known


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "not json",
        "",
        '{"version": 1, "first": ' + "9" * 5000 + "}",
        b"\xff\xfe",
        '"\\ud800"',
    ],
)
def test_text_that_is_not_a_state_names_data(text: str | bytes) -> None:
    assert fields_of(lambda: _restore(text)) == ("data",)


@pytest.mark.parametrize("data", [None, 3, {"version": 1}, ["[]"], "null", "[]", "1"])
def test_a_state_must_be_json_text_of_an_object(data: Any) -> None:
    assert fields_of(lambda: CrisisMonitor.from_json(data, watchlist=WL)) == ("data",)


def test_text_with_a_lone_surrogate_in_a_state_is_refused() -> None:
    state = _state()
    state["samples"][0][2][0][3] = "bad \ud800"
    assert fields_of(lambda: _restore(state)) == ("samples.0.2.0.3",)


# -- blank watch terms, wherever terms enter ----------------------------------------------
@pytest.mark.parametrize("blank", BLANKS)
def test_blank_terms_given_to_a_watchlist_are_refused(blank: str) -> None:
    assert fields_of(lambda: Watchlist.for_brand(blank)) == ("brand",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", aliases=("ok", blank))) == ("aliases.1",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", products=("ok", blank))) == (
        "products.1",
    )
    assert fields_of(lambda: Watchlist.for_brand("Glowa", executives=(blank,))) == ("executives.0",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", industries=("cosmetics", blank))) == (
        "industries.1",
    )
    assert fields_of(lambda: Watchlist([WatchTerm(name=blank)])) == ("name",)


@pytest.mark.parametrize("blank", BLANKS)
def test_blank_topics_given_to_a_monitor_or_the_rules_are_refused(blank: str) -> None:
    monitor = CrisisMonitor(WL)
    monitor.feed(incident_mentions())
    assert fields_of(lambda: monitor.crisis(blank, now=T0)) == ("topic",)
    assert fields_of(lambda: monitor.window_stats(blank)) == ("topic",)
    assert fields_of(lambda: monitor.baseline_negativity(T0, topic=blank)) == ("topic",)
    assert fields_of(lambda: TieringRules(safety_topics=("爆炸", blank))) == ("safety_topics.1",)
    signal = CrisisSignal(kind=SignalKind.COMPLAINT, at=T0, topic="过敏", count=1)
    assert fields_of(lambda: assess([signal], topic=blank)) == ("topic",)
    assert fields_of(lambda: replay_incident(topic=blank)) == ("topic",)


def test_a_plain_string_where_terms_go_is_not_read_as_its_characters() -> None:
    assert fields_of(lambda: Watchlist.for_brand("Glowa", aliases="格洛娃")) == ("aliases",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", products="Serum")) == ("products",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", industries="cosmetics")) == (
        "industries",
    )
    words: Any = ("过敏",)
    numbers: Any = (3,)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", extra=words)) == ("extra.0",)
    assert fields_of(lambda: Watchlist.for_brand("Glowa", products=numbers)) == ("products.0",)


def test_lone_surrogates_in_terms_and_topics_are_refused() -> None:
    assert fields_of(lambda: Watchlist.for_brand("Glo\ud800wa")) == ("brand",)
    assert fields_of(lambda: WatchTerm(name="ok", aliases=("\udfff",))) == ("aliases.0",)
    assert fields_of(lambda: CrisisMonitor(WL).window_stats("过\ud800敏")) == ("topic",)


def test_valid_terms_and_topics_still_work() -> None:
    wl = Watchlist.for_brand(
        "Glowa",
        aliases=["格洛娃"],
        products=["Glowa Serum", WatchTerm(name="精华", kind=TermKind.PRODUCT)],
        executives=("Li Na",),
        industries=["cosmetics"],
        extra=[WatchTerm(name="烂脸")],
    )
    monitor = CrisisMonitor(wl)
    monitor.feed(incident_mentions())
    assert monitor.window_stats("*") and monitor.window_stats("过敏")
    crisis = monitor.crisis("过敏", now=T0)
    assert crisis is not None and crisis.topic == "过敏"
    assert TieringRules(safety_topics=("爆炸",)).safety_topics == ("爆炸",)
