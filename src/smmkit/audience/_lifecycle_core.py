"""The lifecycle rules beneath both segmentation engines.

:mod:`smmkit.audience.lifecycle` (the pure-Python accumulator) and
:mod:`smmkit.audience._columnar` (the NumPy engine) both build on this module and never
on each other: it holds the rules and their thresholds (:class:`LifecycleRules`), the
stage and reason codes with the tables that map one to the other, the interaction-kind
codes, the input column type (:class:`InteractionBatch`) and the result
(:class:`Segmentation`, with the rule texts and reasons it reports).
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress, repeat
from operator import mul
from typing import Any, cast

from pydantic import Field, model_validator

from smmkit.audience._checks import column, enum_member, shown
from smmkit.exceptions import InvalidInputError
from smmkit.models import InteractionKind, LifecycleStage, UserSegment
from smmkit.models._base import AwareDatetime, FieldValueError, SmmkitModel

__all__ = [
    "InteractionBatch",
    "KIND_CODES",
    "LifecycleRules",
    "MONETARY_SCALE",
    "RfmScore",
    "Segmentation",
    "UserAssignment",
]

UserKey = str | int

KIND_CODES: Mapping[InteractionKind, int] = {k: i for i, k in enumerate(InteractionKind)}
"""Integer code of each interaction kind (its position in :class:`InteractionKind`)."""

MONETARY_SCALE = 10_000
"""Order values are summed as integers of 1/10 000 of the currency unit: exact, so
merging partitions in any order gives the same totals."""

DAY = 86_400.0
STAGES: tuple[LifecycleStage, ...] = tuple(LifecycleStage)
STAGE_CODE = {s: i for i, s in enumerate(STAGES)}
S_NEW, S_ACTIVE, S_LOYAL, S_DORMANT, S_CHURNED = (
    STAGE_CODE[LifecycleStage.NEW],
    STAGE_CODE[LifecycleStage.ACTIVE],
    STAGE_CODE[LifecycleStage.LOYAL],
    STAGE_CODE[LifecycleStage.DORMANT],
    STAGE_CODE[LifecycleStage.CHURNED],
)
# Reason codes, in rule order.
R_UNFOLLOWED, R_CHURN_IDLE, R_DORMANT, R_LOYAL, R_NEW, R_ACTIVE = range(6)
# Base stage from (idle class * 2 + is_new): idle class 0 splits into active / new.
BASE_STAGE = (S_ACTIVE, S_NEW, S_DORMANT, S_DORMANT, S_CHURNED, S_CHURNED)
# The reason of each stage when no unfollow decided it: a bytes.translate() table.
STAGE_REASON = bytes(
    {
        S_NEW: R_NEW,
        S_ACTIVE: R_ACTIVE,
        S_LOYAL: R_LOYAL,
        S_DORMANT: R_DORMANT,
        S_CHURNED: R_CHURN_IDLE,
    }.get(i, 0)
    for i in range(256)
)


class LifecycleRules(SmmkitModel):
    """Thresholds of the lifecycle rules (days), applied in the order of the module doc.

    Example:
        >>> LifecycleRules(dormant_days=14, churn_days=60).churn_days
        60
        >>> from smmkit.exceptions import InvalidInputError
        >>> try:
        ...     LifecycleRules(dormant_days=90, churn_days=60)
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0].problem)
        dormant_days (90) must be below churn_days (60)
    """

    new_days: int = Field(default=30, gt=0)
    dormant_days: int = Field(default=30, gt=0)
    churn_days: int = Field(default=90, gt=0)
    loyal_min_orders: int = Field(default=3, gt=0)
    loyal_window_days: int = Field(default=180, gt=0)
    unfollow_churns: bool = True
    activity_kinds: tuple[InteractionKind, ...] = tuple(
        k for k in InteractionKind if k not in (InteractionKind.VIEW, InteractionKind.UNFOLLOW)
    )

    @model_validator(mode="after")
    def _consistent(self) -> LifecycleRules:
        if self.dormant_days >= self.churn_days:
            raise FieldValueError(
                "dormant_days",
                f"dormant_days ({self.dormant_days}) must be below churn_days ({self.churn_days})",
                self.dormant_days,
            )
        if InteractionKind.UNFOLLOW in self.activity_kinds:
            raise FieldValueError("activity_kinds", "activity_kinds must not contain unfollow")
        if not self.activity_kinds:
            raise FieldValueError("activity_kinds", "activity_kinds must not be empty")
        return self


@dataclass(frozen=True, slots=True)
class InteractionBatch:
    """Interactions as columns of equal length: the fast path of :func:`segment_users`.

    ``timestamps`` are POSIX seconds; ``kinds`` are kinds, their values or their codes;
    ``values`` are order amounts or ``None`` (``None`` for the whole column is allowed).
    Any sequence works, including NumPy arrays (converted with ``tolist()``); a column
    that is not one (a string, a mapping, a set, a 2-D array, ``None`` for a required
    column) raises :class:`~smmkit.exceptions.InvalidInputError` naming it. The values
    are checked where they are read: NaN, infinite, millisecond or pre-year-1 times
    raise it naming ``interactions.at`` in both engines.

    Example:
        >>> b = InteractionBatch(user_ids=["u1", "u2"], kinds=["like", "order"],
        ...                      timestamps=[1.7e9, 1.7e9 + 60], values=[None, 39.0])
        >>> len(b)
        2
    """

    user_ids: Sequence[Any]
    kinds: Sequence[Any]
    timestamps: Sequence[Any]
    values: Sequence[Any] | None = None

    def __post_init__(self) -> None:
        # The containers only: the engines check the values, once per column.
        n = len(column(self.user_ids, "InteractionBatch.user_ids"))
        for name in ("kinds", "timestamps", "values"):
            col = getattr(self, name)
            if name == "values" and col is None:
                continue
            if len(column(col, f"InteractionBatch.{name}")) != n:
                raise InvalidInputError.single(
                    f"InteractionBatch.{name}", f"has {len(col)} items, user_ids has {n}"
                )

    def __len__(self) -> int:
        return len(self.user_ids)


class RfmScore(SmmkitModel):
    """Recency, frequency and monetary quintile scores, 1 (lowest) to 5 (highest).

    Example:
        >>> RfmScore(recency=5, frequency=4, monetary=5).code
        '545'
    """

    recency: int = Field(ge=1, le=5)
    frequency: int = Field(ge=1, le=5)
    monetary: int = Field(ge=1, le=5)

    @property
    def code(self) -> str:
        """The usual three-digit label, e.g. ``"545"``."""
        return f"{self.recency}{self.frequency}{self.monetary}"


class UserAssignment(SmmkitModel):
    """One user's stage, the rule that put them there, and their RFM score.

    ``rfm`` is ``None`` for users without orders.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.audience.lifecycle import segment_users
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> a = segment_users([("u1", now.timestamp())], [], now=now).assignment("u1")
        >>> a.stage.value, a.reason, a.rfm
        ('new', 'joined 0 days ago (new for 30 days)', None)
    """

    user_id: UserKey
    stage: LifecycleStage
    reason: str
    idle_days: int
    orders: int
    orders_in_window: int
    monetary: Decimal
    rfm: RfmScore | None = None


class Segmentation(SmmkitModel):
    """Every user's lifecycle stage, reason and RFM score, stored column-wise.

    Users are sorted by id. Columns keep a million users in tens of megabytes; use
    :meth:`assignment`, :meth:`assignments`, :attr:`segments` or :meth:`to_frame` to read
    them. Buyer columns (``buyer_*``) hold one entry per user with at least one order, at
    ``buyer_positions``. ``unknown_user_count`` counts ids that had interactions but were
    never added as users (they are not segmented); ``future_interactions`` counts events
    after ``now`` left out with ``future="ignore"`` (by default they are refused).

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.audience.lifecycle import segment_users
        >>> now = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> day = 86400
        >>> seg = segment_users(
        ...     [("a", now.timestamp() - 5 * day), ("b", now.timestamp() - 400 * day)],
        ...     [("b", "like", now.timestamp() - 45 * day, None)],
        ...     now=now,
        ... )
        >>> [(a.user_id, a.stage.value) for a in seg.assignments()]
        [('a', 'new'), ('b', 'dormant')]
        >>> seg.assignment("b").reason
        'no activity for 45 days (dormant after 30, churned after 90)'
    """

    now: AwareDatetime
    rules: LifecycleRules
    user_ids: tuple[UserKey, ...]
    stage_codes: bytes
    reason_codes: bytes
    last_seen: tuple[float, ...]
    joined: tuple[float, ...]
    buyer_positions: tuple[int, ...] = ()
    buyer_orders: tuple[int, ...] = ()
    buyer_orders_in_window: tuple[int, ...] = ()
    buyer_monetary_units: tuple[int, ...] = ()
    buyer_rfm: bytes = b""
    interactions: int = 0
    future_interactions: int = 0
    unknown_user_count: int = 0
    unknown_user_sample: tuple[UserKey, ...] = ()

    def __repr__(self) -> str:
        counts = ", ".join(f"{s.value}={n}" for s, n in self.counts().items())
        return f"Segmentation(users={len(self.user_ids)}, {counts})"

    __str__ = __repr__

    def __len__(self) -> int:
        return len(self.user_ids)

    def counts(self) -> dict[LifecycleStage, int]:
        """Users per stage, in stage order (every stage present, possibly 0)."""
        codes = self.stage_codes
        return {s: codes.count(bytes((i,))) for i, s in enumerate(STAGES)}

    def _position(self, user_id: UserKey) -> int:
        ids = self.user_ids
        try:
            i = bisect.bisect_left(ids, user_id)
        except (TypeError, ArithmeticError):  # another type, or Decimal('NaN')
            i = len(ids)
        if i == len(ids) or ids[i] != user_id:
            raise InvalidInputError.single("user_id", "is not in this segmentation", user_id)
        return i

    def _buyer(self, i: int) -> int | None:
        b = bisect.bisect_left(self.buyer_positions, i)
        if b < len(self.buyer_positions) and self.buyer_positions[b] == i:
            return b
        return None

    def _days(self, since: float) -> int:
        elapsed = self.now.timestamp() - since
        return int(elapsed // DAY) if elapsed > 0 else 0

    def stage_of(self, user_id: UserKey) -> LifecycleStage:
        """The stage of one user."""
        return STAGES[self.stage_codes[self._position(user_id)]]

    def rfm(self, user_id: UserKey) -> RfmScore | None:
        """The RFM score of one user (``None`` when they never ordered)."""
        return self._rfm_at(self._buyer(self._position(user_id)))

    def _rfm_at(self, b: int | None) -> RfmScore | None:
        if b is None:
            return None
        r, f, m = self.buyer_rfm[3 * b : 3 * b + 3]
        return RfmScore(recency=r, frequency=f, monetary=m)

    def assignment(self, user_id: UserKey) -> UserAssignment:
        """Stage, reason and RFM of one user."""
        return self._assignment_at(self._position(user_id))

    def _assignment_at(self, i: int) -> UserAssignment:
        b = self._buyer(i)
        return UserAssignment(
            user_id=self.user_ids[i],
            stage=STAGES[self.stage_codes[i]],
            reason=self._reason(i, b),
            idle_days=self._days(self.last_seen[i]),
            orders=0 if b is None else self.buyer_orders[b],
            orders_in_window=0 if b is None else self.buyer_orders_in_window[b],
            monetary=Decimal(0 if b is None else self.buyer_monetary_units[b]) / MONETARY_SCALE,
            rfm=self._rfm_at(b),
        )

    def assignments(self, stage: LifecycleStage | str | None = None) -> Iterator[UserAssignment]:
        """Every user's assignment in id order, optionally only one stage's, built lazily."""
        wanted = None if stage is None else STAGE_CODE[enum_member(LifecycleStage, stage, "stage")]
        for i, code in enumerate(self.stage_codes):
            if wanted is None or code == wanted:
                yield self._assignment_at(i)

    def user_ids_in(self, stage: LifecycleStage | str) -> tuple[UserKey, ...]:
        """Ids of the users in one stage, in id order."""
        code = STAGE_CODE[enum_member(LifecycleStage, stage, "stage")]
        return tuple(compress(self.user_ids, (c == code for c in self.stage_codes)))

    @property
    def segments(self) -> tuple[UserSegment, ...]:
        """One :class:`~smmkit.models.UserSegment` per stage, with its rule in words."""
        out = []
        for stage in STAGES:
            ids = tuple(str(u) for u in self.user_ids_in(stage))
            out.append(
                UserSegment(name=stage.value, stage=stage, rule=self.rule_text(stage), user_ids=ids)
            )
        return tuple(out)

    def rule_text(self, stage: LifecycleStage | str) -> str:
        """The rule of one stage, with this segmentation's thresholds."""
        r = self.rules
        texts = {
            LifecycleStage.CHURNED: (
                f"idle more than {r.churn_days} days"
                + (", or unfollowed after the last activity" if r.unfollow_churns else "")
            ),
            LifecycleStage.DORMANT: f"idle more than {r.dormant_days} days",
            LifecycleStage.LOYAL: (
                f"at least {r.loyal_min_orders} orders in the last {r.loyal_window_days} days"
            ),
            LifecycleStage.NEW: f"joined at most {r.new_days} days ago",
            LifecycleStage.ACTIVE: "recently active, none of the above",
        }
        return texts[enum_member(LifecycleStage, stage, "stage")]

    def _reason(self, i: int, b: int | None) -> str:
        r = self.rules
        code = self.reason_codes[i]
        idle = self._days(self.last_seen[i])
        tenure = self._days(self.joined[i])
        if code == R_UNFOLLOWED:
            return f"unfollowed after the last activity ({idle} days ago)"
        if code == R_CHURN_IDLE:
            return f"no activity for {idle} days (churned after {r.churn_days})"
        if code == R_DORMANT:
            return (
                f"no activity for {idle} days (dormant after {r.dormant_days}, "
                f"churned after {r.churn_days})"
            )
        if code == R_LOYAL:
            window = 0 if b is None else self.buyer_orders_in_window[b]
            return (
                f"{window} orders in the last {r.loyal_window_days} days "
                f"(loyal from {r.loyal_min_orders})"
            )
        if code == R_NEW:
            return f"joined {tenure} days ago (new for {r.new_days} days)"
        return f"last active {idle} days ago, joined {tenure} days ago"

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per user (needs the ``pandas`` extra).

        Columns: ``user_id, stage, reason, idle_days, orders, orders_in_window, monetary,
        r, f, m`` (RFM 0 for users without orders).
        """
        from smmkit._frames import require_pandas

        pd = require_pandas()
        n = len(self.user_ids)
        buyer_of: list[int | None] = [None] * n
        for b, i in enumerate(self.buyer_positions):
            buyer_of[i] = b
        orders, window, money = [0] * n, [0] * n, [Decimal(0)] * n
        r, f, m = [0] * n, [0] * n, [0] * n
        rfm = self.buyer_rfm
        for b, i in enumerate(self.buyer_positions):
            orders[i] = self.buyer_orders[b]
            window[i] = self.buyer_orders_in_window[b]
            money[i] = Decimal(self.buyer_monetary_units[b]) / MONETARY_SCALE
            r[i], f[i], m[i] = rfm[3 * b], rfm[3 * b + 1], rfm[3 * b + 2]
        return pd.DataFrame(
            {
                "user_id": list(self.user_ids),
                "stage": [STAGES[c].value for c in self.stage_codes],
                "reason": [self._reason(i, buyer_of[i]) for i in range(n)],
                "idle_days": [self._days(t) for t in self.last_seen],
                "orders": orders,
                "orders_in_window": window,
                "monetary": money,
                "r": r,
                "f": f,
                "m": m,
            }
        )


# -- column helpers of the pure-Python engine -----------------------------------------
_NUMBER_TYPES = frozenset({int, float, Decimal, type(None)})


def quintiles(values: Sequence[Any]) -> bytearray:
    """Quintile scores 1–5 by rank (rank * 5 // n + 1).

    Positions are already in user-id order and the sort is stable, so equal values are
    ranked by user id.
    """
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    by_rank = b"".join(
        bytes((score,)) * (-(-score * n // 5) + (-(score - 1) * n // 5)) for score in range(1, 6)
    )
    scores = bytearray(n)
    deque(map(scores.__setitem__, order, by_rank), maxlen=0)
    return scores


def units_column(values: list[Any] | None, n: int) -> list[int]:
    """Order values as integer units of 1/MONETARY_SCALE, validated column-wise."""
    if values is None:
        return [0] * n
    types = set(map(type, values))
    if not types <= _NUMBER_TYPES:
        bad = next(v for v in values if type(v) not in _NUMBER_TYPES)
        raise InvalidInputError.single("interactions.value", "must be a number or None", bad)
    if type(None) in types:
        values = [0 if v is None else v for v in values]
    try:
        units = list(map(round, map(mul, values, repeat(MONETARY_SCALE))))
    except (ValueError, OverflowError, ArithmeticError):
        raise InvalidInputError.single("interactions.value", "must be a finite number") from None
    if units and min(units) < 0:
        raise InvalidInputError.single(
            "interactions.value", "must not be negative", min(units) / MONETARY_SCALE
        )
    return units


def as_list(column: Sequence[Any]) -> list[Any]:
    # NumPy arrays iterate element-wise very slowly; tolist() converts in C.
    tolist = getattr(column, "tolist", None)
    if callable(tolist):
        return cast(list[Any], tolist())
    return column if isinstance(column, list) else list(column)


def merged(a: Mapping[Hashable, Any], b: Mapping[Hashable, Any], combine: Any) -> dict[Any, Any]:
    """``a`` and ``b`` in one dict; a key in both gets ``combine(a[k], b[k])``."""
    out = dict(a)
    for k, v in b.items():
        out[k] = combine(out[k], v) if k in out else v
    return out


def sorted_sample(keys: Iterable[Hashable], limit: int) -> list[Any]:
    """The first ``limit`` keys in order; ids of mixed types in a stable order all the same."""
    try:
        return sorted(keys)[:limit]  # type: ignore[type-var]
    except (TypeError, ArithmeticError):  # str with int, or Decimal('NaN')
        return sorted(keys, key=repr)[:limit]


def check_kinds(kinds: list[Any], known: frozenset[object]) -> None:
    """Every kind is in ``known`` (members, values, codes), else an error naming the first
    that is not: one C-level pass in the common case."""
    try:
        if known.issuperset(kinds):
            return
    except TypeError:  # an unhashable kind
        pass
    for kind in kinds:
        try:
            if kind in known:
                continue
        except TypeError:
            pass
        raise InvalidInputError.single("interactions.kind", "unknown interaction kind", shown(kind))
