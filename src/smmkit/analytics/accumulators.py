"""Mergeable accumulators (monoids) for analytics that run over partitions.

Each accumulator starts empty, takes events with ``add`` (mutating, for streaming) and
combines with another of its kind through ``merge`` (returning a new accumulator, leaving
both operands alone). ``merge`` is associative and commutative and the empty accumulator
is its identity, so the result is the same however the data was split and in whatever
order the pieces come back: the property Dask's and Spark's tree reductions rely on.
Every accumulator pickles.

Merge laws hold *exactly*, not approximately:

* sums are kept as exact integers (every float is a multiple of ``2**-1074``), because
  float addition is not associative and a sum that depends on partitioning is a
  reproducibility bug;
* :class:`HyperLogLog` merges by register-wise maximum;
* :class:`QuantileSketch` is a log-bucketed (DDSketch-style) histogram that merges by
  adding bucket counts. t-digest and KLL were considered: their merged state depends on
  merge order (KLL also on randomness), so "merge equals a single pass" would only hold
  within the error bound; with log buckets it holds exactly, with a guaranteed relative
  accuracy.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from smmkit.analytics._exact import FIXED_SHIFT, check_finite, from_fixed, to_fixed
from smmkit.exceptions import InvalidInputError

__all__ = [
    "Counts",
    "HyperLogLog",
    "PathCounts",
    "QuantileSketch",
    "Rate",
    "Sum",
]

K = TypeVar("K", bound=Hashable)
_SelfT = TypeVar("_SelfT")


def _same_kind(self: object, other: object, name: str) -> None:
    if type(other) is not type(self):
        raise InvalidInputError.single(
            "other", f"can only merge {name} with {name}", type(other).__name__
        )


class Counts(Generic[K]):
    """Counts per key (events per platform, per content type, per stage...).

    Example:
        >>> a, b = Counts[str](), Counts[str]()
        >>> a.add("zhihu"); a.add("weibo", 2); b.add("zhihu", 3)
        >>> dict(a.merge(b).items())
        {'zhihu': 4, 'weibo': 2}
    """

    __slots__ = ("_counts",)

    def __init__(self, counts: Mapping[K, int] | None = None) -> None:
        self._counts: dict[K, int] = {}
        for key, n in (counts or {}).items():
            self.add(key, n)

    def add(self, key: K, n: int = 1) -> None:
        """Count ``n`` more events for ``key`` (``n`` is a non-negative int)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InvalidInputError.single("n", "must be a non-negative integer", n)
        if n:
            self._counts[key] = self._counts.get(key, 0) + n

    def update(self, keys: Iterable[K]) -> None:
        """Count one event per key in ``keys``."""
        counts = self._counts
        for key in keys:
            counts[key] = counts.get(key, 0) + 1

    def merge(self, other: Counts[K]) -> Counts[K]:
        """A new accumulator holding both operands' counts."""
        _same_kind(self, other, "Counts")
        out: Counts[K] = Counts()
        out._counts = dict(self._counts)
        for key, n in other._counts.items():
            out._counts[key] = out._counts.get(key, 0) + n
        return out

    def __getitem__(self, key: K) -> int:
        return self._counts.get(key, 0)

    def items(self) -> Iterator[tuple[K, int]]:
        """``(key, count)`` pairs, in first-seen order."""
        return iter(self._counts.items())

    @property
    def total(self) -> int:
        """The number of events over all keys."""
        return sum(self._counts.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Counts) and self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[K, int]:
        return self._counts

    def __setstate__(self, state: dict[K, int]) -> None:
        self._counts = state

    def __copy__(self) -> Counts[K]:
        # The default copy would share the dict, so adding to the copy changed the original.
        out: Counts[K] = type(self).__new__(type(self))
        out._counts = dict(self._counts)
        return out

    def __repr__(self) -> str:
        return f"Counts({self._counts!r})"


class Sum:
    """An exact sum (and count) of finite numbers; ``value`` is correctly rounded.

    Example:
        >>> s = Sum(); s.update([0.1] * 10)
        >>> s.value, s.count, s.mean
        (1.0, 10, 0.1)
    """

    __slots__ = ("_count", "_total")

    def __init__(self) -> None:
        self._total = 0
        self._count = 0

    def add(self, value: float) -> None:
        """Add one number (NaN and infinities are refused)."""
        self._total += to_fixed(check_finite("value", value))
        self._count += 1

    def update(self, values: Iterable[float]) -> None:
        """Add many numbers."""
        total = 0
        count = 0
        shift = FIXED_SHIFT + 1
        for value in values:
            # Fast path for plain finite floats (x - x is NaN for NaN and infinities).
            if type(value) is float and value - value == 0.0:
                numerator, denominator = value.as_integer_ratio()
                total += numerator << (shift - denominator.bit_length())
            else:
                total += to_fixed(check_finite("value", value))
            count += 1
        self._total += total
        self._count += count

    def merge(self, other: Sum) -> Sum:
        """A new sum over both operands' numbers."""
        _same_kind(self, other, "Sum")
        out = Sum()
        out._total = self._total + other._total
        out._count = self._count + other._count
        return out

    @property
    def value(self) -> float:
        """The sum, rounded once to the nearest float."""
        return from_fixed(self._total)

    @property
    def count(self) -> int:
        """How many numbers were added."""
        return self._count

    @property
    def mean(self) -> float | None:
        """The mean, or ``None`` when nothing was added (never NaN)."""
        return None if self._count == 0 else from_fixed(self._total) / self._count

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Sum) and self._total == other._total and self._count == other._count
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[int, int]:
        return (self._total, self._count)

    def __setstate__(self, state: tuple[int, int]) -> None:
        self._total, self._count = state

    def __repr__(self) -> str:
        return f"Sum(value={self.value!r}, count={self._count})"


class Rate:
    """A ratio of two exact sums: interactions per reach, orders per lead, and so on.

    Example:
        >>> r = Rate(); r.add(3, 100); r.add(1, 100)
        >>> r.value
        0.02
        >>> Rate().value is None
        True
    """

    __slots__ = ("_den", "_num")

    def __init__(self) -> None:
        self._num = 0
        self._den = 0

    def add(self, numerator: float, denominator: float) -> None:
        """Add one observation's numerator and denominator (both >= 0)."""
        num = check_finite("numerator", numerator)
        den = check_finite("denominator", denominator)
        if num < 0:
            raise InvalidInputError.single("numerator", "must be >= 0", numerator)
        if den < 0:
            raise InvalidInputError.single("denominator", "must be >= 0", denominator)
        self._num += to_fixed(num)
        self._den += to_fixed(den)

    def merge(self, other: Rate) -> Rate:
        """A new rate over both operands' observations."""
        _same_kind(self, other, "Rate")
        out = Rate()
        out._num = self._num + other._num
        out._den = self._den + other._den
        return out

    @property
    def numerator(self) -> float:
        """The summed numerators."""
        return from_fixed(self._num)

    @property
    def denominator(self) -> float:
        """The summed denominators."""
        return from_fixed(self._den)

    @property
    def value(self) -> float | None:
        """numerator / denominator, or ``None`` when the denominator is zero."""
        # int / int is correctly rounded: the rate does not depend on partitioning either.
        return None if self._den == 0 else self._num / self._den

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and (self._num, self._den) == (other._num, other._den)

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[int, int]:
        return (self._num, self._den)

    def __setstate__(self, state: tuple[int, int]) -> None:
        self._num, self._den = state

    def __repr__(self) -> str:
        return f"Rate(numerator={self.numerator!r}, denominator={self.denominator!r})"


def _hash64(item: str | bytes | int) -> int:
    if isinstance(item, bytes):
        data = b"b" + item
    elif isinstance(item, str):
        data = b"s" + item.encode("utf-8", "surrogatepass")
    elif isinstance(item, int) and not isinstance(item, bool):
        data = b"i" + str(item).encode("ascii")
    else:
        raise InvalidInputError.single("item", "must be str, bytes or int", item)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        z_old = z
        z += x * y
        y += y
        if z == z_old:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y = 1.0
    z = 1.0 - x
    while True:
        x = math.sqrt(x)
        z_old = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == z_old:
            return z / 3.0


class HyperLogLog:
    """Distinct-count sketch (HyperLogLog with Ertl's 2017 improved estimator).

    ``precision`` p gives ``m = 2**p`` one-byte registers; the estimate's relative
    standard error is ``1.04 / sqrt(m)`` (0.81 % at the default p = 14, 16 KiB), so about
    99.7 % of estimates fall within three times that. Ids are hashed with 64-bit BLAKE2b,
    so the sketch is deterministic across processes and machines (Python's ``hash`` is
    salted per process and would make partitions incompatible). ``str``, ``bytes`` and
    ``int`` ids are hashed with a type tag: ``1`` and ``"1"`` are different users.

    Example:
        >>> h = HyperLogLog()
        >>> h.update(f"user-{i}" for i in range(1000))
        >>> abs(h.estimate() - 1000) < 3 * h.relative_standard_error * 1000
        True
    """

    __slots__ = ("_registers", "precision")

    def __init__(self, precision: int = 14) -> None:
        if not isinstance(precision, int) or not 4 <= precision <= 18:
            raise InvalidInputError.single("precision", "must be an integer in 4..18", precision)
        self.precision = precision
        self._registers = bytearray(1 << precision)

    @property
    def relative_standard_error(self) -> float:
        """The stated error: ``1.04 / sqrt(2**precision)``.

        Example:
            >>> round(HyperLogLog(14).relative_standard_error, 4)
            0.0081
        """
        return 1.04 / math.sqrt(len(self._registers))

    def add(self, item: str | bytes | int) -> None:
        """Add one id."""
        self._add_hash(_hash64(item))

    def _add_hash(self, h: int) -> None:
        q = 64 - self.precision
        index = h >> q
        rank = q - (h & ((1 << q) - 1)).bit_length() + 1
        self._registers[index] = max(self._registers[index], rank)

    def update(self, items: Iterable[str | bytes | int]) -> None:
        """Add many ids."""
        q = 64 - self.precision
        mask = (1 << q) - 1
        registers = self._registers
        blake2b = hashlib.blake2b
        from_bytes = int.from_bytes
        for item in items:
            if isinstance(item, str):
                h = from_bytes(
                    blake2b(b"s" + item.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                    "big",
                )
            else:
                h = _hash64(item)
            index = h >> q
            rank = q - (h & mask).bit_length() + 1
            registers[index] = max(registers[index], rank)

    def merge(self, other: HyperLogLog) -> HyperLogLog:
        """A new sketch of the union of both operands' ids (same precision only)."""
        _same_kind(self, other, "HyperLogLog")
        if other.precision != self.precision:
            raise InvalidInputError.single(
                "other.precision", f"must equal {self.precision}", other.precision
            )
        out = HyperLogLog(self.precision)
        out._registers = bytearray(map(max, self._registers, other._registers))
        return out

    def estimate(self) -> int:
        """The estimated number of distinct ids (0 for an empty sketch)."""
        m = len(self._registers)
        q = 64 - self.precision
        histogram = [0] * (q + 2)
        for value in self._registers:
            histogram[value] += 1
        if histogram[0] == m:
            return 0
        z = m * _tau(1.0 - histogram[q + 1] / m)
        for k in range(q, 0, -1):
            z = 0.5 * (z + histogram[k])
        z += m * _sigma(histogram[0] / m)
        return round(m * m / (2.0 * math.log(2.0)) / z)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HyperLogLog)
            and self.precision == other.precision
            and self._registers == other._registers
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[int, bytes]:
        return (self.precision, bytes(self._registers))

    def __setstate__(self, state: tuple[int, bytes]) -> None:
        self.precision = state[0]
        self._registers = bytearray(state[1])

    def __repr__(self) -> str:
        return f"HyperLogLog(precision={self.precision}, estimate={self.estimate()})"


class QuantileSketch:
    """Quantiles with a guaranteed relative accuracy (log-bucketed, DDSketch-style).

    A value ``x > 0`` falls in bucket ``ceil(log_gamma(x))`` with
    ``gamma = (1 + a) / (1 - a)``; every quantile returned is within a relative error
    ``a`` (``relative_accuracy``, default 1 %) of the true sample quantile (the value at
    rank ``floor(q * (n - 1))``). Negative values mirror into their own buckets, zeros are
    counted apart. Bucket counts add on merge, so merging is exact.

    Example:
        >>> s = QuantileSketch(relative_accuracy=0.01)
        >>> s.update(range(1, 1001))
        >>> abs(s.quantile(0.5) - 500) <= 0.01 * 500
        True
    """

    __slots__ = ("_log_gamma", "_max", "_min", "_neg", "_pos", "_zeros", "relative_accuracy")

    def __init__(self, relative_accuracy: float = 0.01) -> None:
        if not isinstance(relative_accuracy, (int, float)) or not (0.0 < relative_accuracy < 1.0):
            raise InvalidInputError.single(
                "relative_accuracy", "must be between 0 and 1", relative_accuracy
            )
        self.relative_accuracy = float(relative_accuracy)
        self._log_gamma = math.log((1 + self.relative_accuracy) / (1 - self.relative_accuracy))
        self._pos: dict[int, int] = {}
        self._neg: dict[int, int] = {}
        self._zeros = 0
        self._min = math.inf
        self._max = -math.inf

    def add(self, value: float) -> None:
        """Add one finite number."""
        x = check_finite("value", value)
        if x > 0:
            key = math.ceil(math.log(x) * (1.0 / self._log_gamma))
            self._pos[key] = self._pos.get(key, 0) + 1
        elif x < 0:
            key = math.ceil(math.log(-x) * (1.0 / self._log_gamma))
            self._neg[key] = self._neg.get(key, 0) + 1
        else:
            self._zeros += 1
        self._min = min(self._min, x)
        self._max = max(self._max, x)

    def update(self, values: Iterable[float]) -> None:
        """Add many numbers, accepting what :meth:`add` accepts (no bools, no strings).

        On a refused value, the values before it stay added.
        """
        pos, neg = self._pos, self._neg
        log, ceil, inf = math.log, math.ceil, math.inf
        scale = 1.0 / self._log_gamma
        low, high = self._min, self._max
        try:
            for value in values:
                # Same acceptance as ``add``: floats take the fast path, other numbers
                # (ints, numpy, Decimal) go through the check; bools and strings are refused.
                x = value if type(value) is float else check_finite("value", value)
                if x > 0:
                    if x == inf:
                        raise ValueError
                    key = ceil(log(x) * scale)
                    pos[key] = pos.get(key, 0) + 1
                elif x < 0:
                    if x == -inf:
                        raise ValueError
                    key = ceil(log(-x) * scale)
                    neg[key] = neg.get(key, 0) + 1
                elif x == 0:
                    self._zeros += 1
                else:
                    raise ValueError
                low = min(low, x)
                high = max(high, x)
        except InvalidInputError:
            raise
        except ValueError:
            raise InvalidInputError.single("value", "must be a finite number", value) from None
        finally:
            self._min, self._max = low, high

    def merge(self, other: QuantileSketch) -> QuantileSketch:
        """A new sketch over both operands' values (same accuracy only)."""
        _same_kind(self, other, "QuantileSketch")
        if other.relative_accuracy != self.relative_accuracy:
            raise InvalidInputError.single(
                "other.relative_accuracy",
                f"must equal {self.relative_accuracy}",
                other.relative_accuracy,
            )
        out = QuantileSketch(self.relative_accuracy)
        for target, a, b in ((out._pos, self._pos, other._pos), (out._neg, self._neg, other._neg)):
            target.update(a)
            for key, n in b.items():
                target[key] = target.get(key, 0) + n
        out._zeros = self._zeros + other._zeros
        out._min = min(self._min, other._min)
        out._max = max(self._max, other._max)
        return out

    @property
    def count(self) -> int:
        """How many values were added."""
        return self._zeros + sum(self._pos.values()) + sum(self._neg.values())

    def quantile(self, q: float) -> float | None:
        """The ``q``-quantile (``0 <= q <= 1``), or ``None`` for an empty sketch."""
        if not isinstance(q, (int, float)) or not 0.0 <= q <= 1.0:
            raise InvalidInputError.single("q", "must be between 0 and 1", q)
        n = self.count
        if n == 0:
            return None
        rank = math.floor(q * (n - 1))
        seen = 0
        for key in sorted(self._neg, reverse=True):
            seen += self._neg[key]
            if seen > rank:
                return max(self._min, -self._bucket_value(key))
        seen += self._zeros
        if seen > rank:
            return 0.0
        for key in sorted(self._pos):
            seen += self._pos[key]
            if seen > rank:
                return min(self._max, self._bucket_value(key))
        return self._max  # pragma: no cover - ranks always land in a bucket

    def _bucket_value(self, key: int) -> float:
        """The bucket's representative ``2 * gamma**key / (gamma + 1)``, or inf on overflow."""
        gamma = math.exp(self._log_gamma)
        try:
            # The top bucket's bound can exceed the largest float even though every value
            # in it is finite; the caller clamps to the observed min/max.
            return (2 / (gamma + 1)) * gamma**key
        except OverflowError:
            return math.inf

    def __eq__(self, other: object) -> bool:
        return isinstance(other, QuantileSketch) and self.__getstate__() == other.__getstate__()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[Any, ...]:
        return (
            self.relative_accuracy,
            self._pos,
            self._neg,
            self._zeros,
            self._min,
            self._max,
        )

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.relative_accuracy, self._pos, self._neg, self._zeros, self._min, self._max = state
        self._log_gamma = math.log((1 + self.relative_accuracy) / (1 - self.relative_accuracy))

    def __copy__(self) -> QuantileSketch:
        # The default copy would share the bucket dicts with the original.
        out = type(self).__new__(type(self))
        state = self.__getstate__()
        out.__setstate__((state[0], dict(state[1]), dict(state[2]), *state[3:]))
        return out

    def __repr__(self) -> str:
        return f"QuantileSketch(relative_accuracy={self.relative_accuracy}, count={self.count})"


class PathCounts:
    """Conversions, conversion value and non-converting ends per channel path.

    This is the aggregated form attribution works on (ChannelAttribution's
    ``path / total_conversions / total_conversion_value / total_null`` table), built
    journey by journey and merged across partitions. Feed it to
    :func:`smmkit.analytics.attribute` directly.

    Example:
        >>> pc = PathCounts()
        >>> pc.add(("weibo", "zhihu"), conversions=1, value=99.0)
        >>> pc.add(("weibo",), nulls=1)
        >>> [(s.path, s.conversions, s.nulls) for s in pc.to_summaries()]
        [(('weibo', 'zhihu'), 1.0, 0.0), (('weibo',), 0.0, 1.0)]
    """

    __slots__ = ("_paths",)

    def __init__(self) -> None:
        # path -> [conversions, value, nulls], each an exact fixed-point int
        self._paths: dict[tuple[str, ...], list[int]] = {}

    def add(
        self,
        path: Sequence[str],
        *,
        conversions: float = 0,
        value: float = 0.0,
        nulls: float = 0,
    ) -> None:
        """Add one journey (or an aggregate) for ``path``; all amounts are >= 0."""
        key = _check_path(path)
        amounts = [
            _non_negative("conversions", conversions),
            _non_negative("value", value),
            _non_negative("nulls", nulls),
        ]
        slot = self._paths.get(key)
        if slot is None:
            self._paths[key] = amounts
        else:
            slot[0] += amounts[0]
            slot[1] += amounts[1]
            slot[2] += amounts[2]

    @classmethod
    def from_records(
        cls,
        paths: Iterable[str],
        conversions: Iterable[float],
        values: Iterable[float] | None = None,
        nulls: Iterable[float] | None = None,
        *,
        sep: str = ">",
    ) -> PathCounts:
        """Build from parallel columns with paths as ``"a > b > c"`` strings.

        Amounts are non-negative numbers (booleans count as 0 and 1, so a "converted"
        flag column works as ``conversions``). The columns must have the same length;
        otherwise :class:`~smmkit.exceptions.InvalidInputError` names the column that
        differs (a silent ``zip`` would drop the longer column's tail).

        Rows are grouped by their raw string first, so each distinct string is split once:
        a million journeys over ten thousand distinct paths cost ten thousand splits.

        Example:
            >>> pc = PathCounts.from_records(["weibo > zhihu", "weibo>zhihu"], [1, 0],
            ...                              nulls=[0, 1])
            >>> s = pc.to_summaries()[0]
            >>> (s.path, s.conversions, s.nulls)
            (('weibo', 'zhihu'), 1.0, 1.0)
        """
        raw: dict[str, list[int]] = {}
        fixed = to_fixed
        for row, (text, conv, val, null) in enumerate(_columns(paths, conversions, values, nulls)):
            # One comparison rejects negatives, NaN and infinity alike.
            try:
                ok = 0 <= conv < math.inf and 0 <= val < math.inf and 0 <= null < math.inf
            except (TypeError, ArithmeticError):  # Decimal("NaN") refuses to compare
                ok = False
            if not ok:
                raise InvalidInputError.single(
                    f"row {row}", "amounts must be finite numbers >= 0", (conv, val, null)
                )
            slot = raw.get(text)
            if slot is None:
                raw[text] = [fixed(conv), fixed(val), fixed(null)]
            else:
                slot[0] += fixed(conv)
                slot[1] += fixed(val)
                slot[2] += fixed(null)
        out = cls()
        paths_by_key = out._paths
        for text, amounts in raw.items():
            key = _check_path(tuple(part.strip() for part in text.split(sep)))
            slot = paths_by_key.get(key)
            if slot is None:
                paths_by_key[key] = amounts
            else:
                slot[0] += amounts[0]
                slot[1] += amounts[1]
                slot[2] += amounts[2]
        return out

    def merge(self, other: PathCounts) -> PathCounts:
        """A new table over both operands' journeys."""
        _same_kind(self, other, "PathCounts")
        out = PathCounts()
        out._paths = {k: list(v) for k, v in self._paths.items()}
        for key, (conv, val, null) in other._paths.items():
            slot = out._paths.get(key)
            if slot is None:
                out._paths[key] = [conv, val, null]
            else:
                slot[0] += conv
                slot[1] += val
                slot[2] += null
        return out

    def __len__(self) -> int:
        return len(self._paths)

    def items(self) -> Iterator[tuple[tuple[str, ...], float, float, float]]:
        """``(path, conversions, value, nulls)`` rows as floats, in first-seen order."""
        for key, (conv, val, null) in self._paths.items():
            yield key, from_fixed(conv), from_fixed(val), from_fixed(null)

    def to_summaries(self) -> tuple[Any, ...]:
        """The table as :class:`~smmkit.analytics.attribution.PathSummary` values."""
        from smmkit.analytics.attribution._types import PathSummary

        return tuple(
            PathSummary(path=p, conversions=c, value=v, nulls=n) for p, c, v, n in self.items()
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathCounts) and self._paths == other._paths

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[tuple[str, ...], list[int]]:
        return self._paths

    def __setstate__(self, state: dict[tuple[str, ...], list[int]]) -> None:
        self._paths = state

    def __copy__(self) -> PathCounts:
        # The default copy would share the per-path lists, which ``add`` mutates in place.
        out = type(self).__new__(type(self))
        out._paths = {k: list(v) for k, v in self._paths.items()}
        return out

    def __repr__(self) -> str:
        return f"PathCounts({len(self._paths)} paths)"


_ZIP_MISMATCH = re.compile(r"zip\(\) argument (\d+) is (shorter|longer)")


def _columns(
    paths: Iterable[str],
    conversions: Iterable[float],
    values: Iterable[float] | None,
    nulls: Iterable[float] | None,
) -> Iterator[tuple[str, float, float, float]]:
    """``(path, conversions, value, nulls)`` rows; columns of different lengths are refused.

    A silent ``zip`` would drop the tail of the longer column, and with it conversions.
    """
    named: list[tuple[str, Iterable[Any]]] = [("paths", paths), ("conversions", conversions)]
    if values is not None:
        named.append(("values", values))
    if nulls is not None:
        named.append(("nulls", nulls))
    rows: Iterator[tuple[Any, ...]] = zip(*(column for _, column in named), strict=True)
    value_at = 2 if values is not None else None
    null_at = len(named) - 1 if nulls is not None else None
    done = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except ValueError as exc:
            found = _ZIP_MISMATCH.match(str(exc))
            if found is None:
                raise
            name = named[int(found.group(1)) - 1][0]
            more = "fewer" if found.group(2) == "shorter" else "more"
            columns = ", ".join(n for n, _ in named)
            raise InvalidInputError.single(
                name,
                f"has {more} rows than paths (they agree for {done} rows); "
                f"the columns {columns} must have the same length",
            ) from None
        yield (
            row[0],
            row[1],
            0.0 if value_at is None else row[value_at],
            0.0 if null_at is None else row[null_at],
        )
        done += 1


def _check_path(path: Sequence[str]) -> tuple[str, ...]:
    if isinstance(path, str) or not path:
        raise InvalidInputError.single("path", "must be a non-empty sequence of channels", path)
    key = tuple(path)
    for channel in key:
        if not isinstance(channel, str) or not channel:
            raise InvalidInputError.single("path", "channels must be non-empty strings", path)
    return key


def _non_negative(field: str, value: float) -> int:
    number = check_finite(field, value)
    if number < 0:
        raise InvalidInputError.single(field, "must be >= 0", value)
    return to_fixed(value if isinstance(value, int) else number)
