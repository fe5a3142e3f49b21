"""Attribution models: hand-computed tables, invariants, and exactness of the Markov solve."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.analytics import PathCounts, PathSummary, attribute
from smmkit.analytics.attribution import AttributionModel
from smmkit.analytics.attribution.markov import collapse_repeats
from smmkit.analytics.attribution.shapley import coalition_worth, shapley_by_enumeration
from smmkit.exceptions import InvalidInputError
from smmkit.models import Conversion, Journey, Touchpoint

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _p(path: str, conv: float, value: float = 0.0, nulls: float = 0.0) -> PathSummary:
    return PathSummary(path=tuple(path.split(">")), conversions=conv, value=value, nulls=nulls)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("first_touch", {"a": 4.0, "b": 0.0, "c": 0.0}),
        ("last_touch", {"a": 0.0, "b": 0.0, "c": 4.0}),
        ("linear", {"a": 2.0, "b": 1.0, "c": 1.0}),
        ("position_based", {"a": 2.0, "b": 0.4, "c": 1.6}),
        ("time_decay", {"a": 4 * (1 + 2) / 15, "b": 4 * 4 / 15, "c": 4 * 8 / 15}),
        ("shapley", {"a": 4 / 3, "b": 4 / 3, "c": 4 / 3}),
    ],
)
def test_heuristics_on_one_path(model: str, expected: dict[str, float]) -> None:
    # a > a > b > c with 4 conversions; time decay with a half-life of one touch.
    result = attribute([_p("a>a>b>c", 4, value=40.0)], model=model)
    for channel, conv in expected.items():
        assert result.credit(channel).conversions == pytest.approx(conv, rel=1e-12)
        assert result.credit(channel).value == pytest.approx(10 * conv, rel=1e-12)


def test_position_based_custom_weights_and_short_paths() -> None:
    result = attribute(
        [_p("a>b", 1), _p("c", 1), _p("a>b>c", 1)],
        model="position_based",
        first_weight=0.3,
        last_weight=0.3,
    )
    assert result.as_dict() == pytest.approx({"a": 0.8, "b": 0.9, "c": 1.3})


def test_markov_by_hand() -> None:
    # start -> a (2); a -> b (1), a -> null (1); b -> conversion (1): P = 1/2.
    result = attribute([_p("a>b", 1, value=8.0), _p("a", 0, nulls=1)], model="markov")
    assert result.conversion_probability == pytest.approx(0.5)
    assert result.credit("a").removal_effect == pytest.approx(1.0)
    assert result.credit("b").removal_effect == pytest.approx(1.0)
    assert result.as_dict() == pytest.approx({"a": 0.5, "b": 0.5})
    assert result.credit("a").value == pytest.approx(4.0)


def test_markov_collapses_consecutive_repeats() -> None:
    plain = attribute([_p("a>b", 3, nulls=2), _p("b>a", 1, nulls=4)], model="markov")
    repeated = attribute([_p("a>a>b>b", 3, nulls=2), _p("b>a>a", 1, nulls=4)], model="markov")
    assert repeated.as_dict() == pytest.approx(plain.as_dict(), rel=1e-12)
    assert collapse_repeats(("a", "a", "b", "a", "a")) == ("a", "b", "a")


def test_markov_order_two_sees_what_order_one_cannot() -> None:
    # Order 1 cannot tell that b converts only after a; order 2 can, and credits a more.
    paths = [_p("a>b", 10, nulls=0), _p("c>b", 0, nulls=10), _p("c", 0, nulls=5)]
    first = attribute(paths, model="markov", order=1)
    second = attribute(paths, model="markov", order=2)
    assert second.credit("c").conversions == pytest.approx(0.0, abs=1e-12)
    assert first.credit("c").conversions > 0
    assert second.conversion_probability == pytest.approx(10 / 25)


def _exact_conversion_probability(
    paths: list[tuple[tuple[str, ...], int, int]], removed: str | None, order: int = 1
) -> Fraction:
    """Independent reference: exact rational absorbing-chain solve of any order.

    States are the last ``order`` channels of the collapsed path; dense Gauss-Jordan on
    Fractions, no rounding anywhere.
    """
    start: tuple[str, ...] = ()
    counts: dict[tuple[str, ...], dict[object, int]] = {}
    for path, conv, nulls in paths:
        weight = conv + nulls
        if weight == 0:
            continue
        seq = collapse_repeats(path)
        states = [start] + [seq[max(0, i + 1 - order) : i + 1] for i in range(len(seq))]
        for src, dst in pairwise(states):
            counts.setdefault(src, {}).setdefault(dst, 0)
            counts[src][dst] += weight
        last = counts.setdefault(states[-1], {})
        last["(conv)"] = last.get("(conv)", 0) + conv
        last["(null)"] = last.get("(null)", 0) + nulls
    kept = [s for s in counts if removed is None or removed not in s]
    if start not in kept:
        return Fraction(0)
    idx = {s: i for i, s in enumerate(kept)}
    n = len(kept)
    matrix = [[Fraction(0)] * (n + 1) for _ in range(n)]
    for s in kept:
        out = sum(counts[s].values())
        i = idx[s]
        matrix[i][i] += 1
        for target, c in counts[s].items():
            if target == "(conv)":
                matrix[i][n] += Fraction(c, out)
            elif isinstance(target, tuple) and target in idx:
                matrix[i][idx[target]] -= Fraction(c, out)
    for col in range(n):
        pivot = next(r for r in range(col, n) if matrix[r][col] != 0)
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        for r in range(n):
            if r != col and matrix[r][col] != 0:
                f = matrix[r][col] / matrix[col][col]
                matrix[r] = [a - f * b for a, b in zip(matrix[r], matrix[col], strict=True)]
    return matrix[idx[start]][n] / matrix[idx[start]][idx[start]]


paths_strategy = st.lists(
    st.tuples(
        st.lists(st.sampled_from("abcde"), min_size=1, max_size=6).map(tuple),
        st.integers(0, 20),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(paths_strategy, st.integers(1, 3))
def test_markov_is_exact(paths: list[tuple[tuple[str, ...], int, int]], order: int) -> None:
    summaries = [PathSummary(path=p, conversions=c, nulls=n) for p, c, n in paths]
    result = attribute(summaries, model="markov", order=order)
    total = sum(c for _, c, _ in paths)
    journeys = sum(c + n for _, c, n in paths)
    base = _exact_conversion_probability(paths, None, order)
    if journeys:
        # Flow conservation: the chain's conversion probability is the observed rate.
        assert base == Fraction(total, journeys)
        assert result.conversion_probability == pytest.approx(float(base), abs=1e-12)
    for credit in result.channels:
        removed = _exact_conversion_probability(paths, credit.channel, order)
        effect = 1 - removed / base if base else Fraction(0)
        assert credit.removal_effect == pytest.approx(float(effect), abs=1e-12)


model_names = st.sampled_from([m.value for m in AttributionModel])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcdef"), min_size=1, max_size=7).map(tuple),
            st.floats(0, 1000),
            st.floats(0, 1e6),
            st.floats(0, 1000),
        ),
        min_size=1,
        max_size=15,
    ),
    model_names,
    st.integers(1, 3),
)
def test_credits_are_non_negative_and_sum_to_the_totals(
    rows: list[tuple[tuple[str, ...], float, float, float]], model: str, order: int
) -> None:
    summaries = [PathSummary(path=p, conversions=c, value=v, nulls=n) for p, c, v, n in rows]
    result = attribute(summaries, model=model, order=order)
    assert result.total_conversions == pytest.approx(math.fsum(c for _, c, _, _ in rows))
    # Markov reports the value of paths without journeys (conversions + nulls == 0) as
    # unattributed; every other model credits it, so it is part of their totals.
    assert result.total_value + result.unattributed_value == pytest.approx(
        math.fsum(v for _, _, v, _ in rows)
    )
    assert all(c.conversions >= 0 and c.value >= 0 and c.share >= 0 for c in result.channels)
    conv = math.fsum(c.conversions for c in result.channels)
    value = math.fsum(c.value for c in result.channels)
    converting_mass = math.fsum(c for _, c, _, _ in rows if c > 0)
    if model == "markov" and converting_mass and result.conversion_probability == 0:
        return  # pragma: no cover - every converting path leaves a positive probability
    assert conv == pytest.approx(result.total_conversions, rel=1e-9, abs=1e-9)
    assert value == pytest.approx(result.total_value, rel=1e-9, abs=1e-6)
    assert {c.channel for c in result.channels} == {ch for p, *_ in rows for ch in p}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcde"), min_size=1, max_size=5).map(tuple),
            st.integers(0, 50),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_shapley_closed_form_equals_enumeration(
    rows: list[tuple[tuple[str, ...], int]],
) -> None:
    result = attribute([PathSummary(path=p, conversions=c) for p, c in rows], model="shapley")
    players = {ch for p, _ in rows for ch in p}
    reference = shapley_by_enumeration(players, coalition_worth([(p, float(c)) for p, c in rows]))
    for channel, value in reference.items():
        assert result.credit(channel).conversions == pytest.approx(value, abs=1e-9)


def test_path_counts_and_summaries_agree() -> None:
    counts = PathCounts()
    counts.add(("weibo", "zhihu"), conversions=3, value=300.0, nulls=7)
    counts.add(("weibo",), nulls=20)
    summaries = counts.to_summaries()
    for model in AttributionModel:
        assert attribute(counts, model=model) == attribute(summaries, model=model)


def _journey(user: str, touches: list[tuple[str, str, int]], conversions: list[int]) -> Journey:
    return Journey(
        user_id=user,
        touchpoints=tuple(
            Touchpoint(channel=ch, content_type=kind, at=T0 + timedelta(days=d))
            for ch, kind, d in touches
        ),
        conversions=tuple(
            Conversion(at=T0 + timedelta(days=d), value=Decimal("100")) for d in conversions
        ),
    )


def test_journeys_split_at_conversions_and_report_unattributed() -> None:
    journeys = [
        # converts on day 2 after weibo, zhihu; then again on day 5 after xhs only
        _journey(
            "u1", [("weibo", "video", 0), ("zhihu", "article", 1), ("xhs", "note", 4)], [2, 5]
        ),
        # converts with no touch before it: cannot be credited
        _journey("u2", [("weibo", "video", 3)], [1]),
    ]
    result = attribute(journeys, model="last_touch")
    assert result.as_dict() == {"zhihu": 1.0, "xhs": 1.0, "weibo": 0.0}
    assert result.total_conversions == 2.0
    assert (result.unattributed_conversions, result.unattributed_value) == (1.0, 100.0)
    markov = attribute(journeys, model="markov")
    # u2's weibo touch after its conversion is a null path, so the chain sees 2 of 3 converting.
    assert markov.conversion_probability == pytest.approx(2 / 3)


def test_journeys_by_content_type_and_time_decay() -> None:
    journeys = [_journey("u", [("zhihu", "article", 0), ("weibo", "video", 6)], [7])]
    by_type = attribute(journeys, model="linear", by="content_type")
    assert by_type.as_dict() == {"article": 0.5, "video": 0.5}
    both = attribute(journeys, model="first_touch", by="channel_content_type")
    assert both.ranking()[0] == "zhihu/article"
    decay = attribute(journeys, model="time_decay", half_life=timedelta(days=6))
    # article is 7 days old, video 1 day: weights 2**-(7/6) : 2**-(1/6) = 1 : 2.
    assert decay.credit("weibo").conversions == pytest.approx(2 / 3)
    assert decay.credit("zhihu").value == pytest.approx(100 / 3)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"model": "u_shaped"}, "model"),
        ({"model": "markov", "order": 0}, "order"),
        ({"model": "markov", "order": 5}, "order"),
        ({"model": "time_decay", "half_life": timedelta(days=1)}, "half_life"),
        ({"model": "time_decay", "half_life": -1.0}, "half_life"),
        ({"model": "position_based", "first_weight": 0.8, "last_weight": 0.8}, "last_weight"),
        ({"model": "position_based", "first_weight": -0.1}, "first_weight"),
        ({"model": "linear", "by": "content_type"}, "by"),
        ({"model": "linear", "by": "campaign"}, "by"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        attribute([_p("a>b", 1)], **kwargs)  # type: ignore[arg-type]
    assert info.value.fields == (field,)


def test_mixed_or_foreign_items_are_refused() -> None:
    journey = _journey("u", [("a", "x", 0)], [1])
    with pytest.raises(InvalidInputError):
        attribute([_p("a", 1), journey], model="linear")
    with pytest.raises(InvalidInputError) as info:
        attribute([("a", 1)], model="linear")  # type: ignore[list-item]
    assert info.value.fields == ("data.0",)


def test_empty_data_gives_empty_attribution() -> None:
    for model in AttributionModel:
        result = attribute([], model=model)
        assert result.channels == ()
        assert result.total_conversions == 0.0


def test_conversion_kind_filters_leads_from_orders() -> None:
    def journey(user: str, channel: str, kind: str) -> Journey:
        return Journey(
            user_id=user,
            touchpoints=(Touchpoint(channel=channel, at=T0),),
            conversions=(Conversion(at=T0 + timedelta(days=1), kind=kind, value=Decimal("10")),),
        )

    journeys = [journey("a", "zhihu", "lead"), journey("b", "weibo", "order")]
    leads = attribute(journeys, model="last_touch", conversion_kind="lead")
    assert leads.as_dict() == {"zhihu": 1.0, "weibo": 0.0}
    assert leads.total_conversions == 1.0
    assert attribute(journeys, model="last_touch").total_conversions == 2.0
    with pytest.raises(InvalidInputError) as info:
        attribute([_p("a", 1)], model="linear", conversion_kind="lead")
    assert info.value.fields == ("conversion_kind",)


@pytest.mark.parametrize("order", [1, 2])
def test_markov_reports_value_without_journeys_as_unattributed(order: int) -> None:
    # Review regression: a path with value but conversions = nulls = 0 adds nothing to the
    # chain, and its value used to vanish (channels summed to 0, total_value said 5).
    alone = attribute([_p("d>c>d", 0, value=5.0)], model="markov", order=order)
    assert alone.total_value == 0.0
    assert alone.unattributed_value == 5.0
    assert math.fsum(c.value for c in alone.channels) == 0.0
    mixed = attribute(
        [_p("a>b", 2, value=100.0, nulls=1), _p("b", 0, nulls=3), _p("c>a", 0, value=7.0)],
        model="markov",
        order=order,
    )
    assert mixed.total_value == 100.0
    assert mixed.unattributed_value == 7.0
    assert math.fsum(c.value for c in mixed.channels) == pytest.approx(100.0)
    assert math.fsum(c.conversions for c in mixed.channels) == pytest.approx(2.0)
