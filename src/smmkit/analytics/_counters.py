"""Exact counters: counts per key, sums and rates (re-exported by ``accumulators``).

Sums are kept as exact fixed-point integers (see :mod:`smmkit.analytics._exact`), so a
merge does not depend on how the data was partitioned.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from smmkit.analytics._checks import optional_mapping, require_items
from smmkit.analytics._exact import FIXED_SHIFT, check_finite, from_fixed, to_fixed
from smmkit.exceptions import InvalidInputError

__all__ = ["Counts", "Rate", "Sum", "same_kind"]

K = TypeVar("K", bound=Hashable)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def same_kind(self: object, other: object, name: str) -> None:
    """Refuse to merge ``self`` with an accumulator of another type."""
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
        for key, n in (optional_mapping(counts, "counts", "key -> count") or {}).items():
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                raise InvalidInputError.single("counts", "must map keys to integers >= 0", n)
            if n:
                self._counts[key] = self._counts.get(key, 0) + n

    def add(self, key: K, n: int = 1) -> None:
        """Count ``n`` more events for ``key`` (``n`` is a non-negative int).

        Example:
            >>> Counts().add(["a"])
            Traceback (most recent call last):
            ...
            smmkit.exceptions.InvalidInputError: key: must be hashable (got 'list')
        """
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InvalidInputError.single("n", "must be a non-negative integer", n)
        try:
            if n:
                self._counts[key] = self._counts.get(key, 0) + n
            else:
                hash(key)
        except TypeError:
            raise InvalidInputError.single("key", "must be hashable", type(key).__name__) from None

    def update(self, keys: Iterable[K]) -> None:
        """Count one event per key in ``keys`` (keys must be hashable)."""
        counts = self._counts
        key: Any = None
        try:
            for key in require_items(keys, "keys", "hashable keys"):
                counts[key] = counts.get(key, 0) + 1
        except TypeError:
            if _hashable(key):
                raise
            raise InvalidInputError.single(
                "keys", "must hold hashable keys", type(key).__name__
            ) from None

    def merge(self, other: Counts[K]) -> Counts[K]:
        """A new accumulator holding both operands' counts."""
        same_kind(self, other, "Counts")
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
        for value in require_items(values, "values", "numbers"):
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
        same_kind(self, other, "Sum")
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
        same_kind(self, other, "Rate")
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
