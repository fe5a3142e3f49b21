"""Segmentation from a stream of row tuples: the same Segmentation as every other path.

The stream path reads chunks with C-level passes, moves last-seen times into an array
for int ids (``DenseMax``) and falls back to the per-item path on anything odd; these
tests hold it to the column path, to models, to the NumPy engine and to a brute-force
reference, on random data, with the array forced on from the first row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from smmkit.audience import _lifecycle_fold, lifecycle
from smmkit.audience.lifecycle import (
    KIND_CODES,
    InteractionBatch,
    LifecycleAccumulator,
    Segmentation,
    segment_users,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import Interaction, InteractionKind

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
T = NOW.timestamp()
DAY = 86_400.0
KINDS = list(InteractionKind)

Rows = list[tuple[Any, Any, Any, Any]]
Users = list[tuple[Any, float]]


def _data(seed: int, n_users: int, n_rows: int, *, str_ids: bool = False) -> tuple[Users, Rows]:
    """Random users and rows: skewed activity, every kind spelled three ways, int and
    float times, ``None``/int/float order values and a few ids never added as users."""
    rng = random.Random(seed)

    def uid(i: int) -> Any:
        return f"u{i:05d}" if str_ids else i

    users = [(uid(i), T - rng.random() * 500 * DAY) for i in range(n_users)]
    rng.shuffle(users)
    rows: Rows = []
    for _ in range(n_rows):
        i = int(rng.random() ** 2 * (n_users + 5))  # ids past n_users: unknown users
        kind = rng.choice(KINDS)
        spelled = rng.choice((kind, kind.value, KIND_CODES[kind]))
        at: Any = T - rng.random() * 400 * DAY
        if rng.random() < 0.2:
            at = int(at)
        value: Any = None
        if kind is InteractionKind.ORDER:
            value = rng.choice((None, rng.randint(0, 300), round(rng.random() * 200, 2)))
        rows.append((uid(i), spelled, at, value))
    return users, rows


def _batches(rows: Rows, size: int) -> Iterator[InteractionBatch]:
    for s in range(0, len(rows), size):
        part = rows[s : s + size]
        yield InteractionBatch(*(list(col) for col in zip(*part, strict=True)))


def _reference(users: Users, rows: Rows) -> dict[Any, tuple[Any, ...]]:
    """Per-user state by brute force: last seen, orders, in window, last order, units."""
    act = {KIND_CODES[k] for k in lifecycle.LifecycleRules().activity_kinds}
    window = T - 180 * DAY
    joined = dict(users)
    out: dict[Any, list[Any]] = {u: [j, 0, 0, None, 0] for u, j in users}
    for u, kind, at, value in rows:
        code = KIND_CODES[InteractionKind(kind) if not isinstance(kind, int) else KINDS[kind]]
        if u not in joined:
            continue
        state = out[u]
        if code in act:
            state[0] = max(state[0], at)
        if code == KIND_CODES[InteractionKind.ORDER]:
            state[1] += 1
            state[2] += at >= window
            state[3] = at if state[3] is None else max(state[3], at)
            state[4] += round((value or 0) * 10_000)
    return {u: tuple(s) for u, s in out.items()}


def _check_against_reference(seg: Segmentation, users: Users, rows: Rows) -> None:
    ref = _reference(users, rows)
    buyer = dict(zip(seg.buyer_positions, range(len(seg.buyer_positions)), strict=True))
    for i, u in enumerate(seg.user_ids):
        last, n, window, _last_order, units = ref[u]
        assert seg.last_seen[i] == last
        b = buyer.get(i)
        assert (0 if b is None else seg.buyer_orders[b]) == n
        assert (0 if b is None else seg.buyer_orders_in_window[b]) == window
        assert (0 if b is None else seg.buyer_monetary_units[b]) == units


@pytest.fixture(params=["dict", "array from the first row"])
def dense(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    forced: bool = request.param != "dict"
    if forced:
        monkeypatch.setattr(lifecycle, "DENSE_AFTER_ROWS", 0)
    else:
        monkeypatch.setattr(lifecycle, "DENSE_AFTER_ROWS", 1 << 62)
    return forced


@pytest.mark.parametrize("seed", range(6))
def test_stream_of_tuples_equals_columns_models_and_reference(seed: int, dense: bool) -> None:
    users, rows = _data(seed, n_users=300, n_rows=5_000)
    stream = segment_users(iter(users), iter(rows), now=NOW)
    columns = segment_users(users, _batches(rows, 700), now=NOW)
    assert stream == columns
    assert stream.unknown_user_count == columns.unknown_user_count > 0
    assert stream.interactions == len(rows)
    _check_against_reference(stream, users, rows)


@pytest.mark.parametrize("seed", range(3))
def test_stream_equals_the_numpy_engine(seed: int, dense: bool) -> None:
    pytest.importorskip("numpy")
    from smmkit.audience.lifecycle import segment_columns

    users, rows = _data(seed, n_users=400, n_rows=4_000)
    ids, joined = zip(*users, strict=True)
    numeric = [
        (u, KIND_CODES[InteractionKind(k)] if isinstance(k, str) else k, at, v)
        for u, k, at, v in rows
    ]
    expected = segment_columns(
        list(ids),
        list(joined),
        _batches([(u, int(k), a, v) for u, k, a, v in numeric], 999),
        now=NOW,
    )
    assert segment_users(iter(users), iter(rows), now=NOW) == expected


def test_stream_equals_models(dense: bool) -> None:
    users, rows = _data(9, n_users=150, n_rows=2_000, str_ids=True)
    rows = [(u, k, int(at), v) for u, k, at, v in rows]  # whole seconds: exact as datetimes
    models = [
        Interaction(
            user_id=u,
            kind=KINDS[k] if isinstance(k, int) else k,
            at=datetime.fromtimestamp(at, timezone.utc),
            value=None if v is None else str(v),
        )
        for u, k, at, v in rows
    ]
    assert segment_users(users, iter(rows), now=NOW) == segment_users(users, models, now=NOW)


def test_str_ids_and_mixed_shapes_in_one_stream(dense: bool) -> None:
    users, rows = _data(7, n_users=200, n_rows=3_000, str_ids=True)
    mixed: list[Any] = []
    for n, row in enumerate(rows):
        if n % 500 == 0:
            mixed.append(InteractionBatch(*([x] for x in row)))
        elif n % 7 == 0:
            mixed.append(row[:3] if row[3] is None else row)
        else:
            mixed.append(row)
    assert segment_users(users, iter(mixed), now=NOW) == segment_users(users, rows, now=NOW)


def test_accumulator_state_after_a_stream_is_the_per_row_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users, rows = _data(3, n_users=250, n_rows=6_000)
    states = []
    for after in (0, 1_000, 1 << 62):
        monkeypatch.setattr(lifecycle, "DENSE_AFTER_ROWS", after)
        acc = LifecycleAccumulator(now=NOW)
        acc.add_users(users)
        acc.add_interactions(iter(rows))
        states.append(acc)
    assert states[0] == states[1] == states[2]
    assert states[0].state() == states[2].state()


def test_partitions_merge_to_the_whole_stream(dense: bool) -> None:
    users, rows = _data(11, n_users=300, n_rows=6_000)
    whole = segment_users(users, iter(rows), now=NOW)
    parts = []
    for k in range(3):
        acc = LifecycleAccumulator(now=NOW)
        acc.add_users(users[k::3])
        acc.add_interactions(iter(rows[k::3]))
        parts.append(acc)
    assert parts[0].merge(parts[1]).merge(parts[2]).result() == whole


def test_an_error_mid_stream_is_the_same_and_keeps_the_rows_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users, rows = _data(5, n_users=100, n_rows=4_000)
    bad = [*rows[:3_000], (1, "like", T + DAY, None), *rows[3_000:]]
    seen = []
    for after in (0, 1 << 62):
        monkeypatch.setattr(lifecycle, "DENSE_AFTER_ROWS", after)
        acc = LifecycleAccumulator(now=NOW)
        acc.add_users(users)
        with pytest.raises(InvalidInputError) as info:
            acc.add_interactions(iter(bad))
        seen.append((str(info.value), acc.state(), acc._dense))
    assert seen[0][0] == seen[1][0] and "after now" in seen[0][0]
    assert seen[0][1] == seen[1][1]
    assert seen[0][2] is None
    # The chunks before the bad row's went in whole (chunks grow 1, 4, 16, ...).
    done, size = 0, 1
    while done + size <= 3_000:
        done, size = done + size, min(4 * size, _lifecycle_fold.CHUNK_ROWS)
    before = LifecycleAccumulator(now=NOW)
    before.add_users(users)
    before.add_batch(InteractionBatch(*(list(c) for c in zip(*rows[:done], strict=True))))
    assert seen[0][1] == before.state()


@pytest.mark.parametrize(
    ("position", "item", "field"),
    [
        (2_500, (7, T - DAY), "users.2500.id"),  # 7 is already there
        (1_500, ("x", float("nan")), "users.1500.joined_at"),
        (3_000, ("y", True), "users.3000.joined_at"),
        (4_000, ([1], T - DAY), "users.4000.id"),
    ],
)
def test_user_errors_past_the_first_chunk_name_the_right_item(
    position: int, item: tuple[Any, Any], field: str
) -> None:
    users: list[Any] = [(i, T - i) for i in range(5_000)]
    users[position] = item
    acc = LifecycleAccumulator(now=NOW)
    with pytest.raises(InvalidInputError) as info:
        acc.add_users(iter(users))
    assert info.value.problems[0].field == field
    assert len(acc.state()) == position  # the users before it were added


def test_dense_max_leaves_odd_ids_to_the_dict() -> None:
    last: dict[Any, float] = {0: 1.0, 1: 2.0, 2: 3.0}
    dense = _lifecycle_fold.DenseMax.over(last)
    assert dense is not None
    assert not dense.fold([-1], [5.0])
    assert not dense.fold([1.0], [5.0])
    assert not dense.fold([3], [5.0])
    assert dense.fold([True, 2, 2, 1], [9.0, 4.0, 8.0, 1.0])
    dense.write_back(last)
    assert last == {0: 1.0, 1: 9.0, 2: 8.0}
    assert _lifecycle_fold.DenseMax.over({"a": 1.0}) is None
    assert _lifecycle_fold.DenseMax.over({10**9: 1.0}) is None
