"""Monoid laws (exact), pickling, and the sketches' stated error bounds."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.analytics.accumulators import (
    Counts,
    HyperLogLog,
    PathCounts,
    QuantileSketch,
    Rate,
    Sum,
)
from smmkit.exceptions import InvalidInputError

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
non_negative = st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e9)
channel = st.sampled_from(["weibo", "zhihu", "xhs", "douyin", "wecom"])


def _counts(events: Sequence[str]) -> Counts[str]:
    acc: Counts[str] = Counts()
    acc.update(events)
    return acc


def _sum(events: Sequence[float]) -> Sum:
    acc = Sum()
    for x in events:
        acc.add(x)
    return acc


def _rate(events: Sequence[tuple[float, float]]) -> Rate:
    acc = Rate()
    for num, den in events:
        acc.add(num, den)
    return acc


def _hll(events: Sequence[str]) -> HyperLogLog:
    acc = HyperLogLog(precision=8)
    acc.update(events)
    return acc


def _quantiles(events: Sequence[float]) -> QuantileSketch:
    acc = QuantileSketch(0.02)
    acc.update(events)
    return acc


def _paths(events: Sequence[tuple[tuple[str, ...], float, float, float]]) -> PathCounts:
    acc = PathCounts()
    for path, conv, value, nulls in events:
        acc.add(path, conversions=conv, value=value, nulls=nulls)
    return acc


CASES: list[tuple[str, Callable[[Any], Any], st.SearchStrategy[Any]]] = [
    ("counts", _counts, st.lists(channel)),
    ("sum", _sum, st.lists(finite)),
    ("rate", _rate, st.lists(st.tuples(non_negative, non_negative))),
    ("hll", _hll, st.lists(st.text(max_size=6))),
    ("quantiles", _quantiles, st.lists(finite)),
    (
        "paths",
        _paths,
        st.lists(
            st.tuples(
                st.lists(channel, min_size=1, max_size=4).map(tuple),
                non_negative,
                non_negative,
                non_negative,
            )
        ),
    ),
]


@pytest.mark.parametrize(("name", "build", "events"), CASES, ids=[c[0] for c in CASES])
def test_merge_is_associative_commutative_and_equals_one_pass(
    name: str, build: Callable[[Any], Any], events: st.SearchStrategy[Any]
) -> None:
    @settings(max_examples=60, deadline=None)
    @given(a=events, b=events, c=events)
    def check(a: list[Any], b: list[Any], c: list[Any]) -> None:
        x, y, z = build(a), build(b), build(c)
        left = x.merge(y).merge(z)
        right = x.merge(y.merge(z))
        assert left == right
        assert x.merge(y) == y.merge(x)
        assert left == build(a + b + c)
        assert x.merge(build([])) == x
        assert pickle.loads(pickle.dumps(left)) == left

    check()


def test_merge_leaves_operands_untouched() -> None:
    a, b = _sum([1.0, 2.0]), _sum([3.0])
    a.merge(b)
    assert (a.value, b.value) == (3.0, 3.0)


@given(st.lists(finite, max_size=50))
def test_sum_is_correctly_rounded(values: list[float]) -> None:
    assert _sum(values).value == math.fsum(values)


def test_sum_refuses_nan_and_infinity() -> None:
    s = Sum()
    for bad in (math.nan, math.inf):
        with pytest.raises(InvalidInputError) as info:
            s.add(bad)
        assert info.value.fields == ("value",)
    assert s.count == 0
    assert s.mean is None


def test_rate_without_denominator_is_none_not_nan() -> None:
    r = Rate()
    assert r.value is None
    r.add(0, 0)
    assert r.value is None
    r.add(1, 4)
    assert r.value == 0.25
    with pytest.raises(InvalidInputError):
        r.add(-1, 3)


def test_merging_different_kinds_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        Sum().merge(Rate())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        HyperLogLog(10).merge(HyperLogLog(12))
    with pytest.raises(InvalidInputError):
        QuantileSketch(0.01).merge(QuantileSketch(0.02))


def test_counts_reject_negative_increments() -> None:
    c: Counts[str] = Counts({"a": 2})
    with pytest.raises(InvalidInputError):
        c.add("a", -1)
    assert c["a"] == 2
    assert c.total == 2


def test_hyperloglog_within_stated_error_on_a_million_distinct_ids() -> None:
    parts = [HyperLogLog() for _ in range(4)]
    for k, part in enumerate(parts):
        part.update(f"user-{i}" for i in range(k * 250_000, (k + 1) * 250_000))
    sketch = parts[0].merge(parts[1]).merge(parts[2].merge(parts[3]))
    estimate = sketch.estimate()
    # Three standard errors: a 99.7 % band for the stated 1.04 / sqrt(m).
    assert abs(estimate - 1_000_000) <= 3 * sketch.relative_standard_error * 1_000_000
    # Duplicates do not change the sketch at all.
    again = HyperLogLog()
    again.update(f"user-{i}" for i in range(250_000))
    again.update(f"user-{i}" for i in range(250_000))
    assert again == parts[0]


@pytest.mark.parametrize("n", [0, 1, 10, 100, 1000, 5000, 40_000])
def test_hyperloglog_small_and_medium_ranges(n: int) -> None:
    sketch = HyperLogLog(precision=12)
    sketch.update(range(n))
    assert abs(sketch.estimate() - n) <= max(1, 3 * sketch.relative_standard_error * n)


def test_hyperloglog_distinguishes_types() -> None:
    h = HyperLogLog(precision=10)
    h.update([1, "1", b"1"])
    assert h.estimate() == 3
    with pytest.raises(InvalidInputError):
        h.add(1.5)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=300),
    st.floats(min_value=0, max_value=1),
)
def test_quantile_sketch_relative_accuracy(values: list[float], q: float) -> None:
    sketch = QuantileSketch(relative_accuracy=0.01)
    sketch.update(values)
    true = sorted(values)[math.floor(q * (len(values) - 1))]
    got = sketch.quantile(q)
    assert got is not None
    # the guarantee is relative accuracy 0.01; the slack covers float rounding at bucket edges
    assert abs(got - true) <= 0.01 * (1 + 1e-9) * abs(true)


def test_quantile_sketch_edges() -> None:
    sketch = QuantileSketch()
    assert sketch.quantile(0.5) is None
    sketch.update([0.0, 0.0, 5.0])
    assert sketch.quantile(0.0) == 0.0
    assert sketch.quantile(1.0) == pytest.approx(5.0, rel=0.01)
    with pytest.raises(InvalidInputError):
        sketch.quantile(1.5)


def test_path_counts_from_records_matches_adds() -> None:
    paths = ["a > b", "a>b", "b", "a > b"]
    built = PathCounts.from_records(paths, [1, 0, 2, 0.5], [10.0, 0.0, 3.0, 0.1], [0, 1, 0, 2])
    manual = PathCounts()
    manual.add(("a", "b"), conversions=1.5, value=10.1, nulls=3)
    manual.add(("b",), conversions=2, value=3.0)
    assert [row[0] for row in built.items()] == [("a", "b"), ("b",)]
    assert [row[1:] for row in built.items()] == [(1.5, 10.1, 3.0), (2.0, 3.0, 0.0)]
    assert [row[1:] for row in manual.items()] == [(1.5, 10.1, 3.0), (2.0, 3.0, 0.0)]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"path": ()}, "path"),
        ({"path": "ab"}, "path"),
        ({"path": ("a", "")}, "path"),
        ({"path": ("a",), "conversions": -1}, "conversions"),
        ({"path": ("a",), "value": math.nan}, "value"),
        ({"path": ("a",), "nulls": math.inf}, "nulls"),
    ],
)
def test_path_counts_bad_input(kwargs: dict[str, Any], field: str) -> None:
    path = kwargs.pop("path")
    with pytest.raises(InvalidInputError) as info:
        PathCounts().add(path, **kwargs)
    assert info.value.fields == (field,)


def test_path_counts_from_records_rejects_negative_rows() -> None:
    with pytest.raises(InvalidInputError) as info:
        PathCounts.from_records(["a", "b"], [1, -1])
    assert info.value.fields == ("row 1",)


@pytest.mark.parametrize("bad", ["12", None, True, [1.0]])
def test_non_numbers_are_refused_with_the_smmkit_error(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        Sum().add(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        QuantileSketch().add(bad)  # type: ignore[arg-type]
    if not isinstance(bad, bool):  # a bool column is a natural "converted" flag
        with pytest.raises(InvalidInputError):
            PathCounts.from_records(["a"], [bad])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("columns", "field"),
    [
        ((["a>b", "a", "b"], [1, 0]), "conversions"),  # review regression: row "b" was dropped
        ((["a>b"], [1, 0, 1], [5, 5, 5]), "conversions"),
        ((["a", "b"], [1, 0], [5]), "values"),
        ((["a", "b"], [1, 0], None, [0, 1, 1]), "nulls"),
        ((["a", "b"], [1, 0], [1, 2], [5]), "nulls"),
        (([], [1]), "conversions"),
    ],
)
def test_from_records_refuses_columns_of_different_lengths(
    columns: tuple[Any, ...], field: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        PathCounts.from_records(*columns)
    assert info.value.fields == (field,)
    assert "same length" in str(info.value)


def test_from_records_takes_generators_of_equal_length() -> None:
    built = PathCounts.from_records(
        (p for p in ["a", "b>c"]), (c for c in [1, 0]), nulls=(n for n in [0, 2])
    )
    assert list(built.items()) == [(("a",), 1.0, 0.0, 0.0), (("b", "c"), 0.0, 0.0, 2.0)]


def _grown(acc: Any) -> Any:
    if isinstance(acc, Counts):
        acc.add("weibo", 5)
        acc.add("new", 1)
    elif isinstance(acc, PathCounts):
        acc.add(("a", "b"), conversions=3, value=7.0, nulls=1)
        acc.add(("z",), nulls=1)
    else:
        acc.update([1.0, -4.0, 0.0, 9e9])
    return acc


def _seeded(kind: str) -> Any:
    if kind == "counts":
        counts: Counts[str] = Counts({"weibo": 2})
        return counts
    if kind == "paths":
        paths = PathCounts()
        paths.add(("a", "b"), conversions=1, value=2.0)
        return paths
    sketch = QuantileSketch()
    sketch.update([1.0, -2.0, 0.0])
    return sketch


@pytest.mark.parametrize("kind", ["counts", "paths", "sketch"])
def test_copy_does_not_share_state(kind: str) -> None:
    import copy

    original = _seeded(kind)
    snapshot = pickle.loads(pickle.dumps(original))
    duplicate = copy.copy(original)
    assert duplicate == original and type(duplicate) is type(original)
    _grown(duplicate)
    assert original == snapshot  # review regression: adding to the copy changed the original
    assert duplicate != original
    _grown(original)
    assert original == duplicate
    deep = copy.deepcopy(original)
    _grown(deep)
    assert original == duplicate


@pytest.mark.parametrize("big", [1.7976931348623157e308, 1.79e308, 1e308])
def test_quantile_of_huge_values_does_not_overflow(big: float) -> None:
    sketch = QuantileSketch()
    sketch.update([big, -big, big])
    assert sketch.quantile(0.0) == pytest.approx(-big, rel=0.01)
    assert sketch.quantile(1.0) == pytest.approx(big, rel=0.01)
    assert sketch.quantile(0.5) == pytest.approx(big, rel=0.01)
    coarse = QuantileSketch(relative_accuracy=0.5)
    coarse.add(big)
    assert coarse.quantile(0.5) == pytest.approx(big, rel=0.5)


@pytest.mark.parametrize(
    "bad", [True, False, "3.5", "12", None, [1.0], pytest.param(10**400, id="int_10e400"), math.nan]
)
def test_quantile_update_refuses_what_add_refuses(bad: object) -> None:
    one, many = QuantileSketch(), QuantileSketch()
    with pytest.raises(InvalidInputError) as by_add:
        one.add(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError) as by_update:
        many.update([2.0, bad])  # type: ignore[list-item]
    assert by_update.value.fields == by_add.value.fields == ("value",)
    assert many.count == 1  # the values before the bad one stay added, as documented


def test_accumulators_take_any_real_number() -> None:
    from decimal import Decimal
    from fractions import Fraction

    numbers: list[Any] = [Decimal("0.5"), Fraction(1, 4), 1]
    sketch = QuantileSketch()
    sketch.update(numbers)
    assert sketch.count == 3
    assert sketch.quantile(0.0) == pytest.approx(0.25, rel=0.01)
    total = Sum()
    total.update(numbers)
    assert total.value == 1.75
