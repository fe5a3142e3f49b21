"""Per-path conversion tables for attribution (re-exported by ``accumulators``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from smmkit.analytics._checks import require_items
from smmkit.analytics._counters import same_kind
from smmkit.analytics._exact import check_finite, from_fixed, to_fixed
from smmkit.exceptions import InvalidInputError

__all__ = ["PathCounts"]


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
        rows = _columns(paths, conversions, values, nulls)
        for row, (text, conv, val, null) in enumerate(rows):
            # One comparison rejects negatives, NaN and infinity alike.
            try:
                ok = 0 <= conv < math.inf and 0 <= val < math.inf and 0 <= null < math.inf
            except (TypeError, ArithmeticError):  # Decimal("NaN") refuses to compare
                ok = False
            if not ok:
                raise InvalidInputError.single(
                    f"row {row}", "amounts must be finite numbers >= 0", (conv, val, null)
                )
            if not isinstance(text, str):
                raise InvalidInputError.single(
                    f"paths.{row}", 'must be a str such as "a > b"', type(text).__name__
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
        same_kind(self, other, "PathCounts")
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
    for name, column in named:
        require_items(column, name, "column values")
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
    if isinstance(path, (str, bytes, bytearray, Mapping)) or not isinstance(path, Iterable):
        raise InvalidInputError.single("path", "must be a non-empty sequence of channels", path)
    key = tuple(path)
    if not key:
        raise InvalidInputError.single("path", "must be a non-empty sequence of channels", path)
    for channel in key:
        if not isinstance(channel, str) or not channel:
            raise InvalidInputError.single("path", "channels must be non-empty strings", path)
    return key


def _non_negative(field: str, value: float) -> int:
    number = check_finite(field, value)
    if number < 0:
        raise InvalidInputError.single(field, "must be >= 0", value)
    return to_fixed(value if isinstance(value, int) else number)
