"""Lifecycle segmentation and RFM scores, streaming over interactions.

:func:`segment_users` puts every user in exactly one stage of the playbook's lifecycle
(new, active, loyal, dormant, churned), says why, and scores buyers on RFM quintiles.
The rules are data (:class:`LifecycleRules`), checked in a fixed order; the first one
that matches decides:

1. **churned** if the user unfollowed after their last activity (``unfollow_churns``),
   or has been idle for more than ``churn_days`` (default 90);
2. **dormant** if idle for more than ``dormant_days`` (default 30);
3. **loyal** if they placed at least ``loyal_min_orders`` orders (default 3) in the last
   ``loyal_window_days`` (default 180);
4. **new** if they joined at most ``new_days`` ago (default 30);
5. **active** otherwise.

"Idle" counts from the later of the last activity and the day the user joined, so a
user who joined yesterday and has not done anything yet is new, not dormant. Views are
not activity by default (the platform showed something; the user chose nothing) and an
unfollow never is.

Interactions are read once, in any order, and only per-user state is kept
(:class:`LifecycleAccumulator`), so memory grows with the number of users, not
interactions. The state merges (``merge``: associative and commutative), so partitions
of a large log can be folded separately and combined.

Three input shapes are accepted, mixed freely in one stream:

* :class:`~smmkit.models.Interaction` models (validated, convenient, slowest);
* plain tuples ``(user_id, kind, at, value)``;
* :class:`InteractionBatch` columns (fastest: the loop runs over columns).

In tuples and batches ``at`` is POSIX seconds (``datetime.timestamp()``), ``kind`` is an
:class:`~smmkit.models.InteractionKind`, its string value or its integer code
(:data:`KIND_CODES`), and ``value`` is the order amount (a number or ``None``). User ids
may be ``str`` or ``int`` but must be of one type in one segmentation.

Event times are checked as they arrive (join times and interaction times alike), once
per column in both engines: a time that is not a finite number (NaN, an infinity, a
string, a datetime), lies after the year 3000 as seconds (milliseconds given for
seconds) or before the year 1, raises :class:`~smmkit.exceptions.InvalidInputError`
naming the field; so does a time after ``now``, unless ``future="ignore"`` asks to
leave such events out (to segment as of a past date over a log that runs on;
``Segmentation.future_interactions`` counts them).

For large columnar data, :func:`segment_columns` applies the same rules with NumPy
(vectorised per batch, no Python code per interaction) and returns the same
:class:`Segmentation`; ``bench/audience_segmentation.py`` compares both with pandas.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import compress, islice, repeat
from operator import add, ge, gt, itemgetter, lt, mul
from typing import Any, cast

from smmkit.audience._checks import column, instance_of, iterable
from smmkit.audience._columnar import segment_columns_numpy
from smmkit.audience._event_times import (
    FutureEvents,
    check_future_mode,
    check_seconds_column,
)
from smmkit.audience._lifecycle_core import (
    BASE_STAGE,
    DAY,
    KIND_CODES,
    MONETARY_SCALE,
    R_UNFOLLOWED,
    S_ACTIVE,
    S_CHURNED,
    S_LOYAL,
    S_NEW,
    STAGE_REASON,
    InteractionBatch,
    LifecycleRules,
    RfmScore,
    Segmentation,
    UserAssignment,
    UserKey,
    as_list,
    check_kinds,
    merged,
    quintiles,
    sorted_sample,
)
from smmkit.audience._lifecycle_fold import (
    CHUNK_ROWS,
    DENSE_AFTER_ROWS,
    DenseMax,
    OrderFold,
    add_user_pairs,
    add_users_each,
    fold_rare,
    max_into,
    order_sum,
    row_columns,
)
from smmkit.exceptions import InvalidInputError
from smmkit.models import Interaction, InteractionKind, User
from smmkit.models._base import as_utc, require_aware

__all__ = [
    "InteractionBatch",
    "KIND_CODES",
    "LifecycleAccumulator",
    "LifecycleRules",
    "MONETARY_SCALE",
    "RfmScore",
    "Segmentation",
    "UserAssignment",
    "segment_columns",
    "segment_users",
]

_NEG = -math.inf


def _keys(kind: InteractionKind) -> set[object]:
    # A kind may arrive as the member, its value or its code; the member and its value
    # compare and hash alike, so the set holds two entries.
    return {kind, kind.value, KIND_CODES[kind]}


_ALL_KIND_KEYS: frozenset[object] = frozenset().union(*(_keys(k) for k in InteractionKind))
_RARE_KINDS = (InteractionKind.ORDER, InteractionKind.POST, InteractionKind.UNFOLLOW)


class LifecycleAccumulator:
    """Per-user state of a segmentation: add users and interactions, merge, finish.

    ``now``, ``rules`` and ``future`` are fixed up front because the loyal window is
    counted relative to ``now``. Interactions for users not (yet) added are kept: the user
    may arrive later or from another partition; :meth:`result` reports the ones that never
    do. Times after ``now`` are refused unless ``future="ignore"`` (see the module docs).

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> a = LifecycleAccumulator(now=now)
        >>> b = LifecycleAccumulator(now=now)
        >>> a.add_users([("u1", now.timestamp() - 400 * 86400)])
        >>> b.add_rows([("u1", "order", now.timestamp() - 86400, 39.0)])
        >>> a.merge(b).result().stage_of("u1").value
        'active'
    """

    __slots__ = (
        "_act_keys",
        "_dense",
        "_future",
        "_joined",
        "_last",
        "_now_ts",
        "_orders",
        "_pending",
        "_posts",
        "_rare_keys",
        "_rows",
        "_unfollow",
        "_window_ts",
        "future",
        "now",
        "rules",
    )

    def __init__(
        self,
        *,
        now: datetime,
        rules: LifecycleRules | None = None,
        future: FutureEvents = "refuse",
    ) -> None:
        self.now = as_utc(require_aware(now, "now"))
        self.rules = rules if rules is not None else LifecycleRules()
        if not isinstance(self.rules, LifecycleRules):
            raise InvalidInputError.single(
                "rules", "must be a LifecycleRules", type(self.rules).__name__
            )
        self.future = check_future_mode(future)
        self._now_ts = self.now.timestamp()
        self._window_ts = self._now_ts - self.rules.loyal_window_days * DAY
        act: set[object] = set()
        for k in self.rules.activity_kinds:
            act |= _keys(k)
        self._act_keys = frozenset(act)
        rare: set[object] = set()
        for k in _RARE_KINDS:
            rare |= _keys(k)
        self._rare_keys = frozenset(rare)
        self._joined: dict[Any, float] = {}
        self._last: dict[Any, float] = {}  # last seen: activity or joining
        # Sparse state: only users who ordered, posted or unfollowed have an entry.
        # (count, in_window, last_ts, units): tuples of numbers, which the collector
        # stops tracking, so a million buyers cost it nothing.
        self._orders: dict[Any, tuple[Any, ...]] = {}
        self._posts: dict[Any, int] = {}
        self._unfollow: dict[Any, float] = {}
        self._rows = 0
        self._future = 0
        self._dense: DenseMax | None = None  # last-seen times in an array, within a stream
        self._pending: OrderFold | None = None  # orders, within a stream

    # -- users -------------------------------------------------------------------------
    def add_users(self, users: Iterable[User | tuple[UserKey, float]]) -> None:
        """Register users: :class:`~smmkit.models.User` models or ``(id, joined_ts)``."""
        it = iter(iterable(users, "users", "User or (user_id, joined_at_seconds) pairs"))
        start = 0
        while chunk := list(islice(it, CHUNK_ROWS)):
            # Plain valid pairs take C-level passes; anything else, item by item.
            state = (self._joined, self._last, chunk)
            if not add_user_pairs(*state, now_ts=self._now_ts, future=self.future):
                add_users_each(*state, start, now=self.now, future=self.future)
            start += len(chunk)

    # -- interactions ------------------------------------------------------------------
    def add(self, interaction: Interaction) -> None:
        """Add one interaction model."""
        self.add_interactions((instance_of(interaction, Interaction, "interaction"),))

    def add_interactions(
        self, interactions: Iterable[Interaction | tuple[Any, ...] | InteractionBatch]
    ) -> None:
        """Add interactions of any accepted shape (see the module docs), read once."""
        it = iter(iterable(interactions, "interactions", "Interaction, tuple or InteractionBatch"))
        size = 1
        # A long stream is worth an array for the last-seen times (see DenseMax).
        dense_at: int | None = self._rows + max(DENSE_AFTER_ROWS, len(self._last) // 4)
        self._pending = OrderFold(window=self._window_ts)
        try:
            while chunk := list(islice(it, size)):
                if set(map(type, chunk)) == {tuple}:
                    self._add_rows_chunk(chunk, tuples=True)
                    size = min(4 * size, CHUNK_ROWS)
                # Chunks grow while they hold rows; after a batch they start again from
                # one item, so a stream of batches never holds more than one.
                elif self._add_items(chunk):
                    size = 1
                else:
                    size = min(4 * size, CHUNK_ROWS)
                if dense_at is not None and self._rows >= dense_at:
                    dense_at = None  # tried once
                    self._dense = DenseMax.over(self._last)
        finally:
            self._end_dense()
            self._pending.write_back(self._orders)
            self._pending = None

    def _end_dense(self) -> None:
        if self._dense is not None:
            self._dense.write_back(self._last)
            self._dense = None

    def _add_items(self, items: list[Any]) -> bool:
        """Add a chunk of mixed items in order; True if it held a batch."""
        rows: list[tuple[Any, ...]] = []
        batch = False
        for item in items:
            if isinstance(item, InteractionBatch):
                if rows:
                    self._add_rows_chunk(rows)
                    rows = []
                self.add_batch(item)
                batch = True
                continue
            if isinstance(item, Interaction):
                rows.append((item.user_id, item.kind, item.at.timestamp(), item.value))
            elif isinstance(item, tuple):
                rows.append(item)
            else:
                raise InvalidInputError.single(
                    "interactions",
                    "items must be Interaction, tuple or InteractionBatch",
                    type(item).__name__,
                )
        if rows:
            self._add_rows_chunk(rows)
        return batch

    def add_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add ``(user_id, kind, at_seconds, value)`` tuples (``value`` may be omitted)."""
        it = iter(iterable(rows, "rows", "(user_id, kind, at_seconds[, value]) tuples"))
        while chunk := list(islice(it, CHUNK_ROWS)):
            self._add_rows_chunk(chunk)

    def _add_rows_chunk(self, rows: list[tuple[Any, ...]], *, tuples: bool = False) -> None:
        columns = row_columns(rows, tuples=tuples)  # plain 4-tuples: C-level passes
        if columns is not None:  # values stay in the rows: only orders need them
            self._add_columns(*columns, vals_in_rows=True)
            return
        try:
            widths = set(map(len, rows))
        except TypeError:
            widths = {-1}  # a row that is not a tuple at all
        if not widths <= {3, 4}:
            raise InvalidInputError.single(
                "interactions",
                "tuples must be (user_id, kind, at_seconds[, value])",
                sorted(widths),
            )
        if widths == {4}:
            uids, kinds, ts, vals = zip(*rows, strict=True)
            self.add_batch(InteractionBatch(uids, kinds, ts, vals))
        else:
            uids, kinds, ts = zip(*(r[:3] for r in rows), strict=True)
            vals = tuple(r[3] if len(r) == 4 else None for r in rows)
            self.add_batch(InteractionBatch(uids, kinds, ts, vals))

    def add_batch(self, batch: InteractionBatch) -> None:
        """Add a column batch: C-level passes over its columns, no Python code per row."""
        instance_of(batch, InteractionBatch, "batch")
        uids = as_list(batch.user_ids)
        kinds = as_list(batch.kinds)
        ts = as_list(batch.timestamps)
        vals = None if batch.values is None else as_list(batch.values)
        self._add_columns(uids, kinds, ts, vals)

    def _add_columns(
        self,
        uids: list[Any],
        kinds: list[Any],
        ts: list[Any],
        vals: list[Any] | None,
        *,
        vals_in_rows: bool = False,
    ) -> None:
        if not uids:
            return
        check_kinds(kinds, _ALL_KIND_KEYS)
        future = check_seconds_column(
            ts, now=self.now, now_ts=self._now_ts, future=self.future, field="interactions.at"
        )
        self._rows += len(uids)
        if future:
            # Events after `now` did not happen yet from this segmentation's point of view.
            keep = [t <= self._now_ts for t in ts]
            self._future += len(keep) - sum(keep)
            uids = list(compress(uids, keep))
            kinds = list(compress(kinds, keep))
            ts = list(compress(ts, keep))
            vals = None if vals is None else list(compress(vals, keep))
        try:
            self._fold(uids, kinds, ts, vals, vals_in_rows)
        except TypeError:  # the only values not checked above: user ids as dict keys
            raise InvalidInputError.single(
                "interactions.user_id", "must be a str or an int (hashable)"
            ) from None

    def _fold(
        self, uids: list[Any], kinds: list[Any], ts: list[Any], vals: Any, in_rows: bool
    ) -> None:
        active = list(map(self._act_keys.__contains__, kinds))
        au, at = list(compress(uids, active)), list(compress(ts, active))
        if self._dense is None or not self._dense.fold(au, at):
            self._end_dense()
            max_into(self._last, au, at)
        rare = list(map(self._rare_keys.__contains__, kinds))
        if True in rare:
            pending = self._pending or OrderFold(window=self._window_ts)
            fold_rare(
                list(compress(uids, rare)),
                list(compress(kinds, rare)),
                list(compress(ts, rare)),
                None
                if vals is None
                else list(map(itemgetter(3), compress(vals, rare)))
                if in_rows
                else list(compress(vals, rare)),
                orders=pending,
                posts=self._posts,
                unfollow=self._unfollow,
            )
            if pending is not self._pending:
                pending.write_back(self._orders)

    # -- combine -------------------------------------------------------------------------
    def merge(self, other: LifecycleAccumulator) -> LifecycleAccumulator:
        """A new accumulator holding both; associative and commutative, operands untouched.

        A user added on both sides keeps the earlier join time.
        """
        if not isinstance(other, LifecycleAccumulator):
            raise InvalidInputError.single(
                "other", "can only merge with a LifecycleAccumulator", type(other).__name__
            )
        if other.now != self.now or other.rules != self.rules or other.future != self.future:
            raise InvalidInputError.single(
                "other", "was built with a different now, rules or future"
            )
        out = LifecycleAccumulator(now=self.now, rules=self.rules, future=self.future)
        out._joined = merged(self._joined, other._joined, min)
        out._last = merged(self._last, other._last, max)
        out._unfollow = merged(self._unfollow, other._unfollow, max)
        out._posts = merged(self._posts, other._posts, add)
        out._orders = merged(self._orders, other._orders, order_sum)
        out._rows = self._rows + other._rows
        out._future = self._future + other._future
        return out

    def state(self) -> dict[Any, tuple[Any, ...]]:
        """Per-user state, for inspection and tests: join, last activity, orders, posts."""
        keys = set(self._joined) | set(self._last) | set(self._orders) | set(self._posts)
        keys |= set(self._unfollow)
        return {
            k: (
                self._joined.get(k),
                self._last.get(k),
                tuple(self._orders.get(k, ())),
                self._posts.get(k, 0),
                self._unfollow.get(k),
            )
            for k in keys
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LifecycleAccumulator):
            return NotImplemented
        return (
            self.now == other.now
            and self.rules == other.rules
            and self.future == other.future
            and self._rows == other._rows
            and self._future == other._future
            and self.state() == other.state()
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._dense = self._pending = None
        for name, value in state.items():
            object.__setattr__(self, name, value)

    # -- finish --------------------------------------------------------------------------
    def result(self) -> Segmentation:
        """Classify every registered user and score RFM; see :class:`Segmentation`."""
        # Column-wise, with C-level map() passes; per-buyer columns are kept only for
        # buyers. A per-user Python loop would cost more than reading the interactions.
        rules = self.rules
        now_ts = self._now_ts
        joined = self._joined
        try:
            keys = sorted(joined)
        except (TypeError, ArithmeticError):  # str with int, or Decimal('NaN')
            raise InvalidInputError.single(
                "users.id", "must all be str or all be int in one segmentation"
            ) from None
        last_map = self._last
        unknown = self._orders.keys() - joined.keys()
        if len(last_map) > len(joined):  # every user added is in `_last`
            unknown |= last_map.keys() - joined.keys()
        n = len(keys)
        joined_v = list(map(joined.__getitem__, keys))
        seen = list(map(last_map.__getitem__, keys))
        # Base rule by thresholds on timestamps: 0 recent, 1 dormant, 2 churned; then new.
        churn_at, dormant_at = now_ts - rules.churn_days * DAY, now_ts - rules.dormant_days * DAY
        idle_class = map(
            add, map(lt, seen, repeat(churn_at, n)), map(lt, seen, repeat(dormant_at, n))
        )
        is_new = map(ge, joined_v, repeat(now_ts - rules.new_days * DAY, n))
        stages = bytearray(
            map(BASE_STAGE.__getitem__, map(add, map(mul, idle_class, repeat(2, n)), is_new))
        )
        states = list(map(self._orders.get, keys))
        buyers = list(compress(range(n), states))
        buyer_states = cast(list[tuple[Any, ...]], list(compress(states, states)))
        del states
        loyal_min = rules.loyal_min_orders
        enough = map(ge, map(itemgetter(1), buyer_states), repeat(loyal_min))
        for i in compress(buyers, enough):
            if stages[i] in (S_NEW, S_ACTIVE):  # idle users stay dormant or churned
                stages[i] = S_LOYAL
        reasons = bytearray(stages.translate(STAGE_REASON))
        if rules.unfollow_churns:
            unf = self._unfollow
            for k in compress(unf, map(gt, unf.values(), map(last_map.get, unf, repeat(_NEG)))):
                if k in joined:
                    i = bisect.bisect_left(keys, k)
                    stages[i] = S_CHURNED
                    reasons[i] = R_UNFOLLOWED
        counts = list(map(itemgetter(0), buyer_states))
        units = list(map(itemgetter(3), buyer_states))
        rfm = bytearray(3 * len(buyers))
        if buyers:
            for column, values in enumerate(
                (list(map(itemgetter(2), buyer_states)), counts, units)
            ):
                rfm[column::3] = quintiles(values)
        return Segmentation.model_construct(
            now=self.now,
            rules=rules,
            user_ids=tuple(keys),
            stage_codes=bytes(stages),
            reason_codes=bytes(reasons),
            last_seen=tuple(seen),
            joined=tuple(joined_v),
            buyer_positions=tuple(buyers),
            buyer_orders=tuple(counts),
            buyer_orders_in_window=tuple(map(itemgetter(1), buyer_states)),
            buyer_monetary_units=tuple(units),
            buyer_rfm=bytes(rfm),
            interactions=self._rows,
            future_interactions=self._future,
            unknown_user_count=len(unknown),
            unknown_user_sample=tuple(sorted_sample(unknown, 20)),
        )


def segment_users(
    users: Iterable[User | tuple[UserKey, float]],
    interactions: Iterable[Interaction | tuple[Any, ...] | InteractionBatch],
    *,
    now: datetime,
    rules: LifecycleRules | None = None,
    future: FutureEvents = "refuse",
) -> Segmentation:
    """Put every user in exactly one lifecycle stage and score RFM; read interactions once.

    ``users`` are :class:`~smmkit.models.User` models or ``(id, joined_at_seconds)``
    pairs; ``interactions`` any mix of the shapes in the module docs, sorted or not.
    Times after ``now``, not finite, in milliseconds or before the year 1 raise
    :class:`~smmkit.exceptions.InvalidInputError` naming the field (so does an argument
    of the wrong type, naming the parameter); ``future="ignore"`` leaves times after
    ``now`` out instead (counted in ``Segmentation.future_interactions``).

    RFM is scored among users with at least one order: recency by the last order, frequency
    by the number of orders, monetary by their total value; each split into quintiles
    1–5 by rank, ties broken by user id (so equal values may straddle a boundary, but the
    result never depends on input order). Users without orders have no RFM score.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.models import Interaction, User
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> users = [User(id="u1", joined_at=datetime(2025, 1, 1, tzinfo=timezone.utc))]
        >>> events = [Interaction(user_id="u1", kind="order", value="39", at=now)
        ...           for _ in range(3)]
        >>> seg = segment_users(users, events, now=now)
        >>> seg.stage_of("u1").value, seg.rfm("u1").code
        ('loyal', '111')
    """
    acc = LifecycleAccumulator(now=now, rules=rules, future=future)
    iterable(interactions, "interactions", "Interaction, tuple or InteractionBatch")
    acc.add_users(users)
    acc.add_interactions(interactions)
    return acc.result()


def segment_columns(
    user_ids: Sequence[UserKey],
    joined_at: Sequence[float],
    interactions: Iterable[InteractionBatch],
    *,
    now: datetime,
    rules: LifecycleRules | None = None,
    future: FutureEvents = "refuse",
) -> Segmentation:
    """:func:`segment_users` for columnar data, vectorised with NumPy (optional engine).

    ``user_ids`` and ``joined_at`` (POSIX seconds) are parallel columns; ``interactions``
    is an iterable of :class:`InteractionBatch` (NumPy arrays or sequences; values as
    floats, ``None`` for none). Same rules and the same :class:`Segmentation` as
    :func:`segment_users`; state is arrays aligned with the users, so memory stays
    proportional to users and no Python code runs per interaction. Needs NumPy (installed
    with the ``pandas`` extra); for partitioned data use :class:`LifecycleAccumulator`.

    Example:
        >>> from datetime import datetime, timezone
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> t = now.timestamp()
        >>> batch = InteractionBatch(["a", "b"], ["like", "order"], [t - 86400, t - 60],
        ...                          [None, 39.0])
        >>> seg = segment_columns(["a", "b"], [t - 90 * 86400, t - 9 * 86400], [batch],
        ...                       now=now)
        >>> seg == segment_users([("a", t - 90 * 86400), ("b", t - 9 * 86400)], [batch],
        ...                      now=now)
        True
    """
    now_utc = as_utc(require_aware(now, "now"))
    if rules is not None:
        instance_of(rules, LifecycleRules, "rules")
    return segment_columns_numpy(
        column(user_ids, "user_ids"),
        column(joined_at, "joined_at"),
        iterable(interactions, "interactions", "InteractionBatch"),
        now=now_utc,
        rules=rules if rules is not None else LifecycleRules(),
        future=check_future_mode(future),
    )
