"""The NumPy engine (segment_columns) gives exactly what segment_users gives."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.audience.lifecycle import KIND_CODES, InteractionBatch, segment_users
from smmkit.exceptions import InvalidInputError
from smmkit.models import InteractionKind

NOW = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
T = NOW.timestamp()
kind_st = st.sampled_from(list(InteractionKind))


def ago(days: float) -> float:
    return T - days * 86_400


np = pytest.importorskip("numpy")


@settings(max_examples=60, deadline=None)
@given(
    joined=st.lists(st.floats(-5, 800), min_size=1, max_size=12),
    rows=st.lists(
        st.tuples(st.integers(0, 14), kind_st, st.floats(-2, 400), st.integers(0, 100_00)),
        max_size=80,
    ),
    as_str=st.booleans(),
    cut=st.integers(0, 80),
)
def test_numpy_engine_matches_the_python_engine(
    joined: list[float],
    rows: list[tuple[int, InteractionKind, float, int]],
    as_str: bool,
    cut: int,
) -> None:
    from smmkit.audience.lifecycle import segment_columns

    def key(i: int) -> Any:
        return f"u{i:02d}" if as_str else i

    ids = [key(i) for i in range(len(joined))]
    joined_ts = [ago(d) for d in joined]
    data = [(key(u), k, ago(d), v / 100) for u, k, d, v in rows]
    batches = []
    for part in (data[:cut], data[cut:]):
        if part:
            u, k, t, v = zip(*part, strict=True)
            batches.append(InteractionBatch(list(u), [KIND_CODES[x] for x in k], list(t), list(v)))
    # Times up to a few days after NOW are generated on purpose: both engines must leave
    # them out alike in the as-of-a-past-date mode, and refuse them alike by default.
    fast = segment_columns(np.array(ids), np.array(joined_ts), batches, now=NOW, future="ignore")
    slow = segment_users(list(zip(ids, joined_ts, strict=True)), batches, now=NOW, future="ignore")
    assert fast == slow
    if max(joined_ts) > T or any(t > T for _, _, t, _ in data):
        with pytest.raises(InvalidInputError) as fast_error:
            segment_columns(np.array(ids), np.array(joined_ts), batches, now=NOW)
        with pytest.raises(InvalidInputError) as slow_error:
            segment_users(list(zip(ids, joined_ts, strict=True)), batches, now=NOW)
        # the column engine names its joined_at column, the tuple engine the user's pair
        endings = {f.rsplit(".", 1)[-1] for f in fast_error.value.fields}
        assert endings == {f.rsplit(".", 1)[-1] for f in slow_error.value.fields}


def test_numpy_engine_rejects_bad_input() -> None:
    from smmkit.audience.lifecycle import segment_columns

    with pytest.raises(InvalidInputError) as info:
        segment_columns(["a", "a"], [T, T], [], now=NOW)
    assert info.value.fields == ("users.id",)
    with pytest.raises(InvalidInputError) as info:
        segment_columns(["a"], [T], [InteractionBatch(["a"], [99], [T])], now=NOW)
    assert info.value.fields == ("interactions.kind",)
    with pytest.raises(InvalidInputError) as info:
        segment_columns(["a"], [T], [InteractionBatch(["a"], ["order"], [T], [-1.0])], now=NOW)
    assert info.value.fields == ("interactions.value",)
    with pytest.raises(InvalidInputError):
        segment_columns(["a"], [T, T], [], now=NOW)
    # ids of another type match no user: reported as unknown, like segment_users does
    stray = [InteractionBatch([1], ["like"], [T - 1])]
    fast = segment_columns(["a"], [T], stray, now=NOW)
    assert fast.unknown_user_count == 1
    assert fast == segment_users([("a", T)], stray, now=NOW)
    with pytest.raises(InvalidInputError):
        segment_columns(["a"], [T], [("a", "like", T)], now=NOW)  # type: ignore[list-item]
