"""The NumPy engine of lifecycle segmentation (optional; see ``segment_columns``).

Same rules (from ``_lifecycle_core``; this module never imports ``lifecycle``), same
result as the pure-Python accumulator, but per-user state lives in arrays aligned with
the sorted user ids, and each batch is folded in with vectorised ``searchsorted`` +
``ufunc.at``: no Python code runs per interaction or per user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from smmkit.audience._event_times import (
    EARLIEST_SECONDS,
    LATEST_SECONDS,
    NOT_FINITE,
    NOT_SECONDS,
    FutureEvents,
    early_problem,
    future_problem,
    milliseconds_problem,
)
from smmkit.audience._lifecycle_core import (
    KIND_CODES,
    MONETARY_SCALE,
    R_UNFOLLOWED,
    STAGE_REASON,
    InteractionBatch,
    LifecycleRules,
    Segmentation,
    sorted_sample,
)
from smmkit.exceptions import InvalidInputError, MissingExtraError
from smmkit.models import InteractionKind, LifecycleStage

__all__ = ["segment_columns_numpy"]


def segment_columns_numpy(
    user_ids: Sequence[Any],
    joined_at: Sequence[float],
    batches: Iterable[Any],
    *,
    now: datetime,
    rules: LifecycleRules,
    future: FutureEvents = "refuse",
) -> Segmentation:
    """Segment columnar users and interaction batches with NumPy (see ``segment_columns``).

    ``now`` must already be aware and in UTC, ``future`` and ``rules`` checked and the
    containers checked (columns, an iterable of batches); the caller does it. Times are
    checked like the pure-Python engine's (``_event_times``), once per column.
    """
    try:
        import numpy as np
    except ImportError:
        raise MissingExtraError("numpy", extra="pandas") from None
    now_ts = now.timestamp()
    day = 86_400.0
    ids = _array(np, user_ids, "user_ids")
    joined_in = _seconds(np, joined_at, "joined_at")
    if ids.ndim != 1 or joined_in.shape != ids.shape:
        raise InvalidInputError.single("joined_at", "must have one value per user id")
    if len(ids) == 0:
        ids = ids.astype(np.int64)  # no users: no id type to agree with
    if ids.dtype.kind not in "iuU":
        raise InvalidInputError.single(
            "user_ids", "must be all int or all str for the columnar engine", str(ids.dtype)
        )
    _check_times(np, joined_in, now, now_ts, future=future, field="joined_at")
    order = np.argsort(ids, kind="stable")
    sid = ids[order]
    joined = joined_in[order]
    n = len(sid)
    if n > 1:
        dup = np.flatnonzero(sid[1:] == sid[:-1])
        if len(dup):
            raise InvalidInputError.single("users.id", "appears twice", sid[dup[0]].item())
    last = joined.copy()
    n_orders = np.zeros(n, dtype=np.int64)
    in_window = np.zeros(n, dtype=np.int64)
    last_order = np.full(n, -np.inf)
    units = np.zeros(n, dtype=np.int64)
    unfollow = np.full(n, -np.inf)

    kinds = list(InteractionKind)
    code_of: dict[Any, int] = {}
    for k, c in KIND_CODES.items():
        code_of[k.value] = c
    act = np.zeros(len(kinds), dtype=bool)
    for k in rules.activity_kinds:
        act[KIND_CODES[k]] = True
    order_code = KIND_CODES[InteractionKind.ORDER]
    unfollow_code = KIND_CODES[InteractionKind.UNFOLLOW]
    window = now_ts - rules.loyal_window_days * day
    rows = n_future = 0
    unknown: set[Any] = set()

    for batch in batches:
        if not isinstance(batch, InteractionBatch):
            raise InvalidInputError.single(
                "interactions",
                "the columnar engine takes InteractionBatch items",
                type(batch).__name__,
            )
        u = _array(np, batch.user_ids, "interactions.user_id")
        if len(u) == 0:
            continue
        codes = _codes(np, batch.kinds, code_of, len(kinds))
        t = _seconds(np, batch.timestamps, "interactions.at")
        _check_times(np, t, now, now_ts, future=future, field="interactions.at")
        rows += len(u)
        keep = t <= now_ts
        n_future += int(len(keep) - keep.sum())
        if n:
            try:
                pos = np.searchsorted(sid, u)
            except TypeError:
                raise InvalidInputError.single(
                    "interactions.user_id", "must have the same type as the user ids", str(u.dtype)
                ) from None
            pos[pos >= n] = 0
            known = sid[pos] == u
        else:
            pos = np.zeros(len(u), dtype=np.intp)
            known = np.zeros(len(u), dtype=bool)
        counted = keep & (act[codes] | (codes == order_code))
        stray = counted & ~known
        if stray.any():
            unknown.update(u[stray].tolist())
        ok = keep & known
        m = ok & act[codes]
        np.maximum.at(last, pos[m], t[m])
        m = ok & (codes == order_code)
        if m.any():
            p, tt = pos[m], t[m]
            np.add.at(n_orders, p, 1)
            w = tt >= window
            np.add.at(in_window, p[w], 1)
            np.maximum.at(last_order, p, tt)
            if batch.values is not None:
                np.add.at(units, p, _units(np, batch.values, m))
        m = ok & (codes == unfollow_code)
        np.maximum.at(unfollow, pos[m], t[m])

    seen = last
    churn = seen < now_ts - rules.churn_days * day
    dormant = ~churn & (seen < now_ts - rules.dormant_days * day)
    new = joined >= now_ts - rules.new_days * day
    stage_code = {s: i for i, s in enumerate(LifecycleStage)}
    st = LifecycleStage
    stages = np.where(
        churn,
        stage_code[st.CHURNED],
        np.where(
            dormant,
            stage_code[st.DORMANT],
            np.where(new, stage_code[st.NEW], stage_code[st.ACTIVE]),
        ),
    ).astype(np.uint8)
    loyal = (in_window >= rules.loyal_min_orders) & ~churn & ~dormant
    stages[loyal] = stage_code[st.LOYAL]
    reasons = np.frombuffer(bytes(stages).translate(STAGE_REASON), dtype=np.uint8).copy()
    if rules.unfollow_churns:
        gone = unfollow > seen
        stages[gone] = stage_code[st.CHURNED]
        reasons[gone] = R_UNFOLLOWED
    buyers = np.flatnonzero(n_orders)
    nb = len(buyers)
    rfm = np.zeros((nb, 3), dtype=np.uint8)
    if nb:
        by_rank = np.arange(nb) * 5 // nb + 1
        for col, values in enumerate((last_order[buyers], n_orders[buyers], units[buyers])):
            ranked = np.argsort(values, kind="stable")
            rfm[ranked, col] = by_rank
    sample = sorted_sample(unknown, 20)
    return Segmentation.model_construct(
        now=now,
        rules=rules,
        user_ids=tuple(sid.tolist()),
        stage_codes=stages.tobytes(),
        reason_codes=reasons.tobytes(),
        last_seen=tuple(seen.tolist()),
        joined=tuple(joined.tolist()),
        buyer_positions=tuple(buyers.tolist()),
        buyer_orders=tuple(n_orders[buyers].tolist()),
        buyer_orders_in_window=tuple(in_window[buyers].tolist()),
        buyer_monetary_units=tuple(units[buyers].tolist()),
        buyer_rfm=rfm.tobytes(),
        interactions=rows,
        future_interactions=n_future,
        unknown_user_count=len(unknown),
        unknown_user_sample=tuple(sample),
    )


def _array(np: Any, column: Any, field: str) -> Any:
    """``np.asarray(column)``; a ragged or unconvertible column names ``field``."""
    try:
        arr = np.asarray(column)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError.single(field, "must be a column of plain values") from None
    if arr.ndim != 1:
        raise InvalidInputError.single(field, "must be a one-dimensional column", arr.ndim)
    return arr


def _seconds(np: Any, column: Any, field: str) -> Any:
    """A column of POSIX seconds as float64: ints and floats only (one conversion)."""
    arr = _array(np, column, field)
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)
    if kind == "O":  # Python objects: huge ints, None, Decimal...
        try:
            return arr.astype(np.float64)
        except OverflowError:
            raise InvalidInputError.single(field, NOT_FINITE) from None
        except (TypeError, ValueError, ArithmeticError):
            pass
    raise InvalidInputError.single(
        field, f"{NOT_SECONDS} in a column, not values of dtype {arr.dtype}", str(arr.dtype)
    )


def _check_times(
    np: Any, t: Any, now: datetime, now_ts: float, *, future: FutureEvents, field: str
) -> None:
    """The pure-Python engine's time checks, vectorised (see ``_event_times``)."""
    if len(t) == 0:
        return
    finite = np.isfinite(t)
    if not finite.all():
        bad = t[np.flatnonzero(~finite)[0]].item()
        raise InvalidInputError.single(field, NOT_FINITE, bad)
    latest = float(t.max())
    if latest > LATEST_SECONDS:
        raise InvalidInputError.single(field, milliseconds_problem(), latest)
    earliest = float(t.min())
    if earliest < EARLIEST_SECONDS:
        raise InvalidInputError.single(field, early_problem(), earliest)
    if latest > now_ts and future == "refuse":
        count = int((t > now_ts).sum())
        raise InvalidInputError.single(field, future_problem(count, now), latest)


def _codes(np: Any, column: Sequence[Any], code_of: dict[Any, int], n_kinds: int) -> Any:
    arr = _array(np, column, "interactions.kind")
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64)
        bad = (codes < 0) | (codes >= n_kinds)
        if bad.any():
            raise InvalidInputError.single(
                "interactions.kind", "unknown interaction kind", int(codes[bad][0])
            )
        return codes
    try:
        names = arr.astype(str)
    except (TypeError, ValueError):  # bytes that are not text, objects without str()
        raise InvalidInputError.single(
            "interactions.kind", "unknown interaction kind", str(arr.dtype)
        ) from None
    uniq, inverse = np.unique(names, return_inverse=True)
    try:
        table = np.array([code_of[str(x)] for x in uniq.tolist()], dtype=np.int64)
    except KeyError as exc:
        raise InvalidInputError.single(
            "interactions.kind", "unknown interaction kind", exc.args[0]
        ) from None
    return table[inverse.reshape(-1)]


def _units(np: Any, column: Sequence[Any], rows: Any) -> Any:
    try:
        values = np.asarray(column, dtype=np.float64)[rows]  # None becomes NaN
    except (TypeError, ValueError):
        raise InvalidInputError.single("interactions.value", "must be a number or None") from None
    values = np.where(np.isnan(values), 0.0, values)
    if not np.isfinite(values).all():
        raise InvalidInputError.single("interactions.value", "must be a finite number")
    if (values < 0).any():
        raise InvalidInputError.single(
            "interactions.value", "must not be negative", float(values[values < 0][0])
        )
    return np.round(values * MONETARY_SCALE).astype(np.int64)
