"""C-speed folds of the pure-Python segmentation engine: no Python code per row.

A stream of row tuples or users is read a chunk at a time. Each chunk is checked with a
few C-level passes (``set(map(type, ...))``, ``max``/``min``/``sum``); when any of them
finds something odd, the caller runs its per-item path over the same chunk instead, so
the error raised (and the state left behind) is exactly the one the per-item path gives.
Per-user maxima are folded into a dict with :func:`max_into`, built from ``map``,
``compress`` and ``dict.update``: C loops only.

The columns are pulled out of a chunk with ``map(itemgetter(i), rows)``, not
``zip(*rows)``: the latter allocates one iterator per row, objects the cycle collector
tracks, and over a long stream those allocations set off collections that scan every
live container.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Hashable, Sequence
from datetime import datetime
from itertools import compress, repeat
from operator import add, ge, gt, itemgetter, ne
from typing import Any

from smmkit.audience._event_times import (
    EARLIEST_SECONDS,
    LATEST_SECONDS,
    FutureEvents,
    check_seconds,
)
from smmkit.audience._lifecycle_core import KIND_CODES, units_column
from smmkit.exceptions import InvalidInputError
from smmkit.models import InteractionKind, User

__all__ = [
    "CHUNK_ROWS",
    "DENSE_AFTER_ROWS",
    "DenseMax",
    "OrderFold",
    "add_user_pairs",
    "add_users_each",
    "fold_rare",
    "max_into",
    "order_sum",
    "row_columns",
]

CHUNK_ROWS = 1_024
"""Rows read per chunk: enough that the per-chunk Python code costs little per row, few
enough that a chunk's row tuples, columns and masks stay in the processor's cache."""

DENSE_AFTER_ROWS = 1 << 16
"""A stream moves the last-seen times into a :class:`DenseMax` after this many rows (and
at least a quarter as many as there are users), so the array's cost is spread thin."""

_NEG = -math.inf
_SECONDS_TYPES = frozenset({int, float})
_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)


def _spellings(kind: InteractionKind) -> frozenset[object]:
    return frozenset({kind, kind.value, KIND_CODES[kind]})


_ORDER_KEYS = _spellings(InteractionKind.ORDER)
_POST_KEYS = _spellings(InteractionKind.POST)
_UNFOLLOW_KEYS = _spellings(InteractionKind.UNFOLLOW)


def max_into(target: dict[Any, Any], keys: Sequence[Any], values: Sequence[Any]) -> None:
    """``target[k] = max(target.get(k, -inf), v)`` for every pair, in C-level passes.

    One lookup per pair in ``target`` (which may hold millions of keys: each lookup is a
    few cache misses, so nothing else touches it); the pairs that beat the stored value
    are folded into a small dict of their own, in the cache, and written at once. An
    unhashable key raises ``TypeError`` like ``dict.get`` does.

    Example:
        >>> d = {"a": 5.0}
        >>> max_into(d, ["a", "b", "b", "a"], [3.0, 1.0, 2.0, 7.0])
        >>> d
        {'a': 7.0, 'b': 2.0}
    """
    newer = list(map(gt, values, map(target.get, keys, repeat(_NEG))))
    if True not in newer:
        return
    keys = list(compress(keys, newer))
    values = list(compress(values, newer))
    local = dict(zip(keys, values, strict=True))
    if len(local) < len(keys):
        _max_local(local, keys, values)
    target.update(local)


def _max_local(local: dict[Any, Any], keys: Sequence[Any], values: Sequence[Any]) -> None:
    """Raise ``local`` (built with the last of repeated keys) to the largest values.

    ``dict.update`` keeps the last of repeated keys, not the largest, so each round
    writes the pairs that beat the stored value: that raises every value it touches,
    and the rounds shrink fast (about ``log r`` of them for a key repeated ``r`` times).
    """
    get = local.__getitem__
    while True:
        newer = list(map(gt, values, map(get, keys)))
        if True not in newer:
            return
        keys = list(compress(keys, newer))
        values = list(compress(values, newer))
        local.update(zip(keys, values, strict=True))


def seconds_ok(values: Sequence[Any], now_ts: float, future: FutureEvents) -> bool:
    """True when every value is an int or float time the checks of ``_event_times`` pass.

    Only a cheap test: False sends the caller to its per-item path, which raises.

    Example:
        >>> seconds_ok([1.7e9, 1_700_000_000], 1.8e9, "refuse")
        True
        >>> seconds_ok([1.7e9, float("nan")], 1.8e9, "refuse")
        False
    """
    if not _SECONDS_TYPES.issuperset(map(type, values)):
        return False  # bools, strings, NumPy scalars, datetimes: the per-item path decides
    latest, earliest = max(values), min(values)
    if latest > LATEST_SECONDS or earliest < EARLIEST_SECONDS:
        return False
    if future == "refuse" and latest > now_ts:
        return False
    # Bounded ints sum without overflow; NaN or an infinity makes the sum not finite.
    return math.isfinite(sum(values))


def add_user_pairs(
    joined: dict[Any, float],
    last: dict[Any, float],
    chunk: list[Any],
    *,
    now_ts: float,
    future: FutureEvents,
) -> bool:
    """Register a chunk of ``(id, joined_ts)`` pairs; False (nothing changed) if unsure.

    The same effect as checking and adding each pair in turn, when every item is a
    plain 2-tuple, every time passes the checks and every id is hashable and new.

    Example:
        >>> joined, last = {}, {}
        >>> add_user_pairs(joined, last, [("a", 1), ("b", 2.5)], now_ts=10.0, future="refuse")
        True
        >>> joined, last
        ({'a': 1.0, 'b': 2.5}, {'a': 1.0, 'b': 2.5})
        >>> add_user_pairs(joined, last, [("a", 3.0)], now_ts=10.0, future="refuse")
        False
    """
    if set(map(type, chunk)) != {tuple} or set(map(len, chunk)) != {2}:
        return False
    keys = list(map(_FIRST, chunk))
    raw = list(map(_SECOND, chunk))
    if not seconds_ok(raw, now_ts, future):
        return False
    try:
        distinct = set(keys)
    except TypeError:  # an unhashable id
        return False
    if len(distinct) != len(keys) or not joined.keys().isdisjoint(distinct):
        return False
    times = list(map(float, raw)) if int in set(map(type, raw)) else raw
    # `last` holds every joined id; when it holds nothing else, new ids are new there too.
    fresh = len(last) == len(joined)
    joined.update(zip(keys, times, strict=True))
    if fresh:
        last.update(zip(keys, times, strict=True))
    else:
        max_into(last, keys, times)
    return True


def add_users_each(
    joined: dict[Any, float],
    last: dict[Any, float],
    users: list[Any],
    start: int,
    *,
    now: datetime,
    future: FutureEvents,
) -> None:
    """Check and register users one at a time (``start``: the first one's position).

    The path for :class:`~smmkit.models.User` models and anything
    :func:`add_user_pairs` is unsure of: the first bad item raises, naming its position,
    with the users before it added.

    Example:
        >>> from datetime import datetime, timezone
        >>> joined, last = {}, {}
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> add_users_each(joined, last, [("a", 1.7e9)], 0, now=now, future="refuse")
        >>> joined
        {'a': 1700000000.0}
    """
    now_ts = now.timestamp()
    for n, user in enumerate(users, start):
        if isinstance(user, User):
            key: Hashable = user.id
            raw: Any = user.joined_at.timestamp()
        else:
            try:
                key, raw = user
            except (TypeError, ValueError):
                raise InvalidInputError.single(
                    f"users.{n}",
                    "must be a User or a (user_id, joined_at_seconds) pair",
                    type(user).__name__,
                ) from None
        ts = check_seconds(raw, now=now, now_ts=now_ts, future=future, field=f"users.{n}.joined_at")
        try:
            twice = key in joined
        except TypeError:  # unhashable
            raise InvalidInputError.single(
                f"users.{n}.id", "must be a str or an int", type(key).__name__
            ) from None
        if twice:
            raise InvalidInputError.single(f"users.{n}.id", "appears twice", key)
        joined[key] = ts
        # `last` is "last seen": joining counts, so one lookup answers "how idle".
        seen = last.get(key, _NEG)
        last[key] = ts if ts > seen else seen


def row_columns(
    rows: list[Any], *, tuples: bool = False
) -> tuple[list[Any], list[Any], list[Any], list[Any]] | None:
    """``user_ids, kinds, ats`` of a chunk of plain 4-tuples and the rows, else None.

    The values stay in the rows: only the few orders need them.

    ``tuples=True`` says the caller already knows every row's type is ``tuple``.

    Example:
        >>> row_columns([("a", "like", 1.0, None), ("b", "order", 2.0, 9.5)])[:3]
        (['a', 'b'], ['like', 'order'], [1.0, 2.0])
        >>> row_columns([("a", "like", 1.0)]) is None
        True
    """
    if not (tuples or set(map(type, rows)) == {tuple}) or set(map(len, rows)) != {4}:
        return None
    return list(map(_FIRST, rows)), list(map(_SECOND, rows)), list(map(_THIRD, rows)), rows


class DenseMax:
    """Per-user maxima for int ids ``0 <= id < size`` in an ``array('d')``, for one stream.

    A dict of a million users is a few cache misses per lookup (its slot, its entry, the
    key object, the value object); the array is one. While a long stream is read, the
    last-seen times of a dict whose keys are all such ints move here
    (:meth:`over`), are raised with C-level ``map`` passes (:meth:`fold`) and go back
    into the dict at the end (:meth:`write_back`): the dict is the state again, as if
    every row had gone through :func:`max_into`. ``-inf`` marks an id not in the dict.

    Example:
        >>> last = {0: 5.0, 2: 1.0}
        >>> dense = DenseMax.over(last)
        >>> dense.fold([2, 1, 2], [3.0, 4.0, 2.0]), dense.fold(["x"], [1.0])
        (True, False)
        >>> dense.write_back(last)
        >>> last
        {0: 5.0, 2: 3.0, 1: 4.0}
    """

    __slots__ = ("_before", "values")

    def __init__(self, values: array[float]) -> None:
        self.values = values
        self._before = array("d", values)

    @classmethod
    def over(cls, last: dict[Any, Any]) -> DenseMax | None:
        """The maxima of ``last`` in an array, or None unless its keys are dense ints."""
        if not last or set(map(type, last)) != {int}:
            return None
        lo, hi = min(last), max(last)
        if lo < 0 or hi >= 4 * len(last) + 4096:  # sparse ids: the array would be waste
            return None
        values = array("d", (_NEG,)) * (hi + 1)
        deque(map(values.__setitem__, last, last.values()), maxlen=0)
        return cls(values)

    def fold(self, keys: Sequence[Any], times: Sequence[Any]) -> bool:
        """Raise the maxima of ``keys`` to ``times``; False (nothing changed) when a key is
        not an int id of the array (the caller writes back and goes on with the dict)."""
        if not keys:
            return True
        values = self.values
        try:
            if min(keys) < 0:  # a negative index would count from the end
                return False
            newer = list(map(gt, times, map(values.__getitem__, keys)))
        except (TypeError, IndexError):  # str or float ids, ids beyond the array
            return False
        if True in newer:
            keys = list(compress(keys, newer))
            times = list(compress(times, newer))
            local = dict(zip(keys, times, strict=True))  # repeated keys: the largest
            if len(local) < len(keys):
                _max_local(local, keys, times)
            deque(map(values.__setitem__, local, local.values()), maxlen=0)
        return True

    def write_back(self, last: dict[Any, Any]) -> None:
        """Put every maximum that changed back into ``last``."""
        values = self.values
        changed = map(ne, values, self._before)
        last.update(compress(zip(range(len(values)), values, strict=True), changed))


class OrderFold:
    """Orders folded while a stream is read, written into the state at its end.

    Four dicts of plain numbers (count, count in the loyal window, last time, value
    units): the collector never tracks them, where a tuple or list per buyer would be
    one more object for each of its collections to walk.

    Example:
        >>> fold = OrderFold(window=100.0)
        >>> fold.add(["a", "a"], [90.0, 120.0], [15000, 20000])
        >>> state = {"a": (1, 1, 130.0, 5)}
        >>> fold.write_back(state)
        >>> state
        {'a': (3, 2, 130.0, 35005)}
    """

    __slots__ = ("count", "in_window", "last", "units", "window")

    def __init__(self, *, window: float) -> None:
        self.window = window
        self.count: dict[Any, int] = {}
        self.in_window: dict[Any, int] = {}
        self.last: dict[Any, Any] = {}
        self.units: dict[Any, int] = {}

    def add(self, uids: list[Any], ts: list[Any], units: list[int]) -> None:
        """Fold order rows: user ids, times, value units."""
        count, in_window, last, total = self.count, self.in_window, self.last, self.units
        window = self.window
        if len(set(uids)) == len(uids):  # no user twice: each dict in two C-level passes
            count.update(
                zip(uids, map(add, map(count.get, uids, repeat(0)), repeat(1)), strict=True)
            )
            total.update(zip(uids, map(add, map(total.get, uids, repeat(0)), units), strict=True))
            late = list(compress(uids, map(ge, ts, repeat(window))))
            more = map(add, map(in_window.get, late, repeat(0)), repeat(1))
            in_window.update(zip(late, more, strict=True))
            max_into(last, uids, ts)
            return
        for u, t, x in zip(uids, ts, units, strict=True):
            count[u] = count.get(u, 0) + 1
            if t >= window:
                in_window[u] = in_window.get(u, 0) + 1
            if t > last.get(u, _NEG):
                last[u] = t
            total[u] = total.get(u, 0) + x

    def write_back(self, orders: dict[Any, tuple[Any, ...]]) -> None:
        """Combine everything folded into ``orders`` and start empty again."""
        in_window, last, total = self.in_window, self.last, self.units
        for u, n in self.count.items():
            mine = (n, in_window.get(u, 0), last[u], total[u])
            old = orders.get(u)
            orders[u] = mine if old is None else order_sum(old, mine)
        self.count, self.in_window, self.last, self.units = {}, {}, {}, {}


def fold_rare(
    uids: list[Any],
    kinds: list[Any],
    ts: list[Any],
    vals: list[Any] | None,
    *,
    orders: OrderFold,
    posts: dict[Any, int],
    unfollow: dict[Any, float],
) -> None:
    """Fold orders, posts and unfollows (already checked rows of those kinds only).

    They are a few percent of a real log; each kind gets its own pass over them.

    Example:
        >>> orders, posts, unfollow = OrderFold(window=100.0), {}, {}
        >>> fold_rare(["a", "a", "b"], ["order", "order", "unfollow"], [90.0, 120.0, 50.0],
        ...           [1.5, 2, None], orders=orders, posts=posts, unfollow=unfollow)
        >>> orders.count, orders.units, posts, unfollow
        ({'a': 2}, {'a': 35000}, {}, {'b': 50.0})
    """
    is_order = list(map(_ORDER_KEYS.__contains__, kinds))
    if True in is_order:
        values = list(compress(vals, is_order)) if vals is not None else None
        orders.add(
            list(compress(uids, is_order)),
            list(compress(ts, is_order)),
            units_column(values, sum(is_order)),
        )
    for u in compress(uids, map(_POST_KEYS.__contains__, kinds)):
        posts[u] = posts.get(u, 0) + 1
    gone = list(map(_UNFOLLOW_KEYS.__contains__, kinds))
    max_into(unfollow, list(compress(uids, gone)), list(compress(ts, gone)))


def order_sum(a: Sequence[Any], b: Sequence[Any]) -> tuple[Any, ...]:
    """Two users' order states combined: counts and units add, the last time is the later.

    Example:
        >>> order_sum((1, 0, 5.0, 100), [2, 1, 3.0, 50])
        (3, 1, 5.0, 150)
    """
    return (a[0] + b[0], a[1] + b[1], max(a[2], b[2]), a[3] + b[3])
