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
    LATEST_SECONDS,
    FutureEvents,
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

    ``now`` must already be aware and in UTC and ``future`` checked; the caller does it.
    Times are checked like the pure-Python engine's (``_event_times``).
    """
    try:
        import numpy as np
    except ImportError:
        raise MissingExtraError("numpy", extra="pandas") from None
    now_ts = now.timestamp()
    day = 86_400.0
    ids = np.asarray(user_ids)
    joined_in = np.asarray(joined_at, dtype=np.float64)
    if ids.ndim != 1 or joined_in.shape != ids.shape:
        raise InvalidInputError.single("joined_at", "must have one value per user id")
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
        u = np.asarray(batch.user_ids)
        if len(u) == 0:
            continue
        codes = _codes(np, batch.kinds, code_of, len(kinds))
        try:
            t = np.asarray(batch.timestamps, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError.single(
                "interactions.at", "must be POSIX seconds (int or float) in batches"
            ) from None
        _check_times(np, t, now, now_ts, future=future, field="interactions.at")
        rows += len(u)
        keep = t <= now_ts
        n_future += int(len(keep) - keep.sum())
        try:
            pos = np.searchsorted(sid, u)
        except TypeError:
            raise InvalidInputError.single(
                "interactions.user_id", "must have the same type as the user ids", str(u.dtype)
            ) from None
        pos[pos >= n] = 0
        known = (sid[pos] == u) if n else np.zeros(len(u), dtype=bool)
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
    sample = sorted(unknown)[:20]
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


def _check_times(
    np: Any, t: Any, now: datetime, now_ts: float, *, future: FutureEvents, field: str
) -> None:
    """The pure-Python engine's time checks, vectorised (see ``_event_times``)."""
    if len(t) == 0:
        return
    finite = np.isfinite(t)
    if not finite.all():
        bad = t[np.flatnonzero(~finite)[0]].item()
        raise InvalidInputError.single(field, "must be a finite number of seconds", bad)
    latest = float(t.max())
    if latest > LATEST_SECONDS:
        raise InvalidInputError.single(field, milliseconds_problem(), latest)
    if latest > now_ts and future == "refuse":
        count = int((t > now_ts).sum())
        raise InvalidInputError.single(field, future_problem(count, now), latest)


def _codes(np: Any, column: Sequence[Any], code_of: dict[Any, int], n_kinds: int) -> Any:
    arr = np.asarray(column)
    if arr.dtype.kind in "iu":
        codes = arr.astype(np.int64)
        bad = (codes < 0) | (codes >= n_kinds)
        if bad.any():
            raise InvalidInputError.single(
                "interactions.kind", "unknown interaction kind", int(codes[bad][0])
            )
        return codes
    uniq, inverse = np.unique(arr.astype(str), return_inverse=True)
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
