"""Arguments of the wrong type or shape (issue 15, items 3 and 4): every public analytics
callable refuses them with an InvalidInputError naming the parameter (and the item),
never a TypeError, AttributeError, KeyError, ValueError or MemoryError from inside."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from smmkit.analytics import (
    Counts,
    HyperLogLog,
    PathCounts,
    PathSummary,
    QuantileSketch,
    Sum,
    attribute,
    build_funnels,
    compare_to_baseline,
    conversion_rate,
    count_interactions,
    favourability_from_sentiment,
    metric_definition,
    period_over_period,
    period_values,
    platform_metrics,
    repurchase_rate,
    share_of_voice,
    suggest_iterations,
)
from smmkit.analytics.attribution._paths import Row
from smmkit.analytics.attribution.heuristics import (
    MAX_TOUCHES,
    first_touch_weights,
    last_touch_weights,
    linear_weights,
    position_based_weights,
    time_decay_weights,
)
from smmkit.analytics.attribution.markov import (
    MarkovChain,
    build_chain,
    collapse_repeats,
    solve_for,
)
from smmkit.analytics.attribution.shapley import (
    MAX_ENUMERATED_PLAYERS,
    coalition_worth,
    shapley_by_enumeration,
    shapley_weights,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import MetricObservation

T = datetime(2026, 1, 1, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def _any(value: object) -> Any:
    """``value``, typed as anything: these tests pass what the annotations forbid."""
    return value


def _obs() -> MetricObservation:
    return MetricObservation(
        metric="leads", value=1, platform="zhihu", period_start=T, period_end=T + DAY
    )


CASES: list[tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any], str]] = [
    # (id, callable, args, kwargs, the field the error names)
    ("attribute-none", attribute, (None,), {"model": "first_touch"}, "data"),
    ("attribute-str", attribute, ("weibo > zhihu",), {"model": "linear"}, "data"),
    (
        "attribute-kind",
        attribute,
        ([],),
        {"model": "linear", "conversion_kind": 3},
        "conversion_kind",
    ),
    ("attribute-by", attribute, ([],), {"model": "linear", "by": ["channel"]}, "by"),
    ("funnels-none", build_funnels, (None,), {}, "observations"),
    ("funnels-flag", build_funnels, ([],), {"by_platform": "no"}, "by_platform"),
    ("funnels-flag2", build_funnels, ([],), {"by_content_type": None}, "by_content_type"),
    ("funnels-option", build_funnels, ([],), {"other_metrics": ["ignore"]}, "other_metrics"),
    ("baseline-none", compare_to_baseline, (None,), {"metric": "leads"}, "observations"),
    ("pop-none", period_over_period, (None,), {"metric": "leads"}, "observations"),
    ("values-none", period_values, (None,), {"metric": "leads"}, "observations"),
    ("values-item", period_values, ([_obs(), "leads"],), {"metric": "leads"}, "observations.1"),
    ("values-type", period_values, ([],), {"metric": "leads", "content_type": 1}, "content_type"),
    ("advice-none", suggest_iterations, (None,), {"now": T}, "history"),
    ("advice-ratio", suggest_iterations, ([],), {"now": T, "budget_ratio": "2"}, "budget_ratio"),
    ("advice-stall", suggest_iterations, ([],), {"now": T, "stall_rate": math.nan}, "stall_rate"),
    ("advice-leads", suggest_iterations, ([],), {"now": T, "min_leads": None}, "min_leads"),
    ("advice-lookback", suggest_iterations, ([],), {"now": T, "lookback": 90}, "lookback"),
    ("advice-attr", suggest_iterations, ([],), {"now": T, "attribution": {}}, "attribution"),
    ("counts-bytes", Counts, (b"bytes",), {}, "counts"),
    ("counts-negative", Counts, ({"a": -1},), {}, "counts"),
    ("rate-base-name", conversion_rate, (0, -1), {"base_name": ""}, "base_name"),
    ("rate-base-type", conversion_rate, (0, 1), {"base_name": None}, "base_name"),
    ("interactions-platform", count_interactions, (bytearray(b"x"), {}), {}, "platform"),
    ("interactions-reported", count_interactions, ("x", [("like_count", 1)]), {}, "reported"),
    ("sentiment-none", favourability_from_sentiment, (None,), {}, "scores"),
    ("sentiment-unhashable", favourability_from_sentiment, ([["positive"]],), {}, "scores.0"),
    ("platform-bytes", platform_metrics, (bytearray(b"x"),), {}, "platform"),
    ("metric-none", metric_definition, (None,), {}, "metric"),
    ("repurchase-empty", repurchase_rate, ([()],), {"window": DAY, "as_of": T}, "orders.0"),
    ("repurchase-none", repurchase_rate, (None,), {"window": DAY, "as_of": T}, "orders"),
    ("repurchase-id", repurchase_rate, ([([1], T)],), {"window": DAY, "as_of": T}, "orders.0.0"),
    ("voice-none", share_of_voice, ("tea", None), {}, "mentions"),
    ("voice-brand", share_of_voice, ([1], {"tea": 1}), {}, "brand"),
    ("first-none", first_touch_weights, (None,), {}, "n"),
    ("last-zero", last_touch_weights, (0,), {}, "n"),
    ("linear-huge", linear_weights, (2**40,), {}, "n"),
    ("position-huge", position_based_weights, (2**40,), {}, "n"),
    ("position-first", position_based_weights, (3,), {"first": "0.4"}, "first"),
    ("position-sum", position_based_weights, (2,), {"first": 0.0, "last": 0.0}, "last"),
    ("decay-none", time_decay_weights, (None, 1.0), {}, "ages"),
    ("decay-empty", time_decay_weights, ([], 1.0), {}, "ages"),
    ("decay-nan", time_decay_weights, ([1.0, math.nan], 1.0), {}, "ages.1"),
    ("decay-half-life", time_decay_weights, ([1.0], 0), {}, "half_life"),
    ("chain-none", build_chain, (None, 1), {}, "rows"),
    ("chain-row", build_chain, ([("a", 1, 0, 0, None)], 1), {}, "rows.0"),
    (
        "chain-amount",
        build_chain,
        ([Row(("a",), -1.0, 0.0, 0.0, None)], 1),
        {},
        "rows.0.conversions",
    ),
    ("chain-order", build_chain, ([], 0), {}, "order"),
    ("markov-order", MarkovChain, (None,), {}, "order"),
    ("collapse-none", collapse_repeats, (None,), {}, "path"),
    ("collapse-item", collapse_repeats, (["a", None],), {}, "path.1"),
    ("solve-diagonal", solve_for, ([{}], [[]], 0), {}, "rows.0"),
    ("solve-target", solve_for, ([{0: 1.0}], [[1.0]], 1), {}, "target"),
    ("solve-column", solve_for, ([{0: 1.0, 5: 1.0}], [[1.0]], 0), {}, "rows.0 column"),
    ("solve-rhs", solve_for, ([{0: 1.0}], [], 0), {}, "rhs"),
    ("solve-width", solve_for, ([{0: 1.0}, {1: 1.0}], [[1.0], []], 0), {}, "rhs.1"),
    ("solve-empty", solve_for, ([], [], 0), {}, "rows"),
    (
        "solve-singular",
        solve_for,
        ([{0: 1.0, 1: 1.0}, {0: 1.0, 1: 1.0}], [[1], [1]], 0),
        {},
        "rows",
    ),
    ("worth-none", coalition_worth, (None,), {}, "paths"),
    ("worth-pair", coalition_worth, ([("a", "b", 1.0)],), {}, "paths.0"),
    ("worth-value", coalition_worth, ([(("a",), "1")],), {}, "paths.0.1"),
    ("enumeration-none", shapley_by_enumeration, (None, None), {}, "players"),
    ("enumeration-worth", shapley_by_enumeration, (["a"], None), {}, "worth"),
    ("enumeration-result", shapley_by_enumeration, (["a"], lambda s: "x"), {}, "worth"),
    ("shapley-none", shapley_weights, (None,), {}, "path"),
    ("shapley-str", shapley_weights, ("weibo",), {}, "path"),
]


@pytest.mark.parametrize(
    ("fn", "args", "kwargs", "field"),
    [pytest.param(fn, args, kwargs, field, id=name) for name, fn, args, kwargs, field in CASES],
)
def test_wrong_types_are_refused_naming_the_field(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        fn(*args, **kwargs)
    assert info.value.fields == (field,)
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    "fn", [first_touch_weights, last_touch_weights, linear_weights, position_based_weights]
)
def test_weights_take_n_up_to_the_documented_cap(fn: Callable[[int], tuple[float, ...]]) -> None:
    assert len(fn(MAX_TOUCHES)) == MAX_TOUCHES
    with pytest.raises(InvalidInputError) as info:
        fn(MAX_TOUCHES + 1)
    assert info.value.fields == ("n",)
    assert str(MAX_TOUCHES) in str(info.value)


def test_weight_functions_still_compute_what_they_did() -> None:
    assert first_touch_weights(1) == (1.0,)
    assert position_based_weights(3, first=Decimal("0.5"), last=0.25) == (0.5, 0.25, 0.25)  # type: ignore[arg-type]
    assert time_decay_weights((Decimal(1), 0), half_life=1) == pytest.approx((1 / 3, 2 / 3))  # type: ignore[arg-type]
    assert collapse_repeats(_any(iter(["a", "a", "b"]))) == ("a", "b")
    assert shapley_weights(("a", "b", "a")) == {"a": 0.5, "b": 0.5}


def test_enumeration_is_capped_and_overflow_is_typed() -> None:
    players = [f"c{i}" for i in range(MAX_ENUMERATED_PLAYERS + 1)]
    with pytest.raises(InvalidInputError) as info:
        shapley_by_enumeration(players, coalition_worth([]))
    assert info.value.fields == ("players",)
    v = coalition_worth([(("a",), 1e308), (("a", "b"), 1e308)])
    with pytest.raises(InvalidInputError) as info:
        v(frozenset({"a", "b"}))
    assert info.value.fields == ("paths",)
    with pytest.raises(InvalidInputError) as info:
        v(["a"])  # type: ignore[arg-type]
    assert info.value.fields == ("coalition",)


def test_solve_for_leaves_its_arguments_alone() -> None:
    rows = [{0: 2.0, 1: -1.0}, {0: -1.0, 1: 2.0}]
    rhs = [[1.0], [1.0]]
    assert solve_for(rows, rhs, 1) == [1.0]
    assert rows == [{0: 2.0, 1: -1.0}, {0: -1.0, 1: 2.0}] and rhs == [[1.0], [1.0]]


def test_markov_chain_add_path_checks_its_amounts() -> None:
    chain = MarkovChain(1)
    chain.add_path(["a", "b"], 1, 0, 1)
    assert chain.conversion_probability() == 0.5
    with pytest.raises(InvalidInputError) as info:
        chain.add_path(["a"], math.inf, 0, 0)
    assert info.value.fields == ("conversions",)
    with pytest.raises(InvalidInputError) as info:
        chain.add_path(["a", ""], 1, 0, 0)
    assert info.value.fields == ("path.1",)


def test_repurchase_with_a_window_of_centuries_does_not_overflow() -> None:
    late = datetime(9999, 12, 1, tzinfo=timezone.utc)
    result = repurchase_rate([("a", late)], window=timedelta(days=999_999_999), as_of=late)
    assert (result.customers, result.eligible_customers, result.value) == (1, 0, None)


def test_advice_with_a_lookback_of_centuries_does_not_overflow() -> None:
    assert suggest_iterations([_obs()], now=T + DAY, lookback=timedelta.max) == ()


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Counts().add(_any(["a"])), "key"),
        (lambda: Counts().update(_any([["a"]])), "keys"),
        (lambda: Counts().update(_any(None)), "keys"),
        (lambda: Sum().update(_any(None)), "values"),
        (lambda: QuantileSketch().update(_any(3.0)), "values"),
        (lambda: HyperLogLog().update(b"ids"), "items"),
        (lambda: PathCounts().add(_any(5)), "path"),
        (lambda: PathCounts.from_records(_any(None), []), "paths"),
        (lambda: PathCounts.from_records(_any([b"a > b"]), [1]), "paths.0"),
        (lambda: PathCounts.from_records(_any([["a"]]), [1]), "paths.0"),
    ],
)
def test_accumulator_methods_refuse_wrong_types(call: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields == (field,)


def test_accumulators_still_accept_what_they_did() -> None:
    counts: Counts[str] = Counts({"a": 2, "b": 0})
    counts.update(iter(["a", "c"]))
    counts.add("d", 0)
    assert dict(counts.items()) == {"a": 3, "c": 1}
    pc = PathCounts()
    pc.add(_any(iter(["a", "b"])), conversions=1)
    assert len(pc) == 1


BIG = PathSummary(path=("a",), conversions=1e308)


def _obs_of(metric: str, value: float, platform: str = "zhihu") -> MetricObservation:
    return MetricObservation(
        metric=metric, value=value, platform=platform, period_start=T, period_end=T + DAY
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: attribute([BIG] * 2, model="linear"), "data"),
        (lambda: attribute([BIG.model_copy(update={"nulls": 1e308})], model="markov"), "data"),
        (lambda: build_funnels([_obs_of("views", 1e308)] * 2), "observations"),
        (lambda: period_values([_obs_of("views", 1e308)] * 2, metric="views"), "observations"),
        (lambda: suggest_iterations([_obs_of("leads", 1e308)] * 2, now=T + 2 * DAY), "history"),
        (lambda: count_interactions("x", {"like_count": 1e308, "reply_count": 1e308}), "reported"),
        (lambda: share_of_voice("a", {"a": 1e308, "b": 1e308}), "mentions"),
    ],
)
def test_sums_and_ratios_past_the_largest_float_are_refused(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        call()
    assert info.value.fields == (field,)
