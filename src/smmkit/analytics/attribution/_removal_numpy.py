"""Every removal of a chain at once, on numpy arrays (used when numpy is installed).

The same problem and the same proven bound as :mod:`._removal` (read its docstring): one
column per solve (the full chain, then each channel removed), all advanced together by
Jacobi sweeps ``X <- R + Q X`` over the chain's edges, where each column's ``Q`` and ``R``
have the removed channel's states cut out. The sweep's change ``Y - X`` is the residual of
``X``, so the bound ``sum_s visits[s] |res[s]|`` comes with every sweep; a column is done
when it is at most :data:`~._removal.TOLERANCE` in both parts (conversions, value).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from smmkit.analytics.attribution._removal import TOLERANCE, Graph, RemovalSolution

__all__ = ["solve_numpy"]

_COLUMNS = 64  # solves advanced together (bounds the arrays' size on many channels)
_PATIENCE = 64  # sweeps without a better bound before a column is left to the direct solve


def solve_numpy(graph: Graph, removals: Sequence[int]) -> RemovalSolution:
    """The full chain's and each removal's solution at the start, by Jacobi on arrays.

    Example:
        >>> from smmkit.analytics.attribution._removal import prepare
        >>> g = prepare([(), ("a",), ("b",)], [{1: 2.0}, {2: 1.0}, {}],
        ...             to_conversion=[0.0, 0.0, 1.0], to_value=[0.0, 0.0, 5.0],
        ...             outgoing=[2.0, 2.0, 1.0], channels=["a", "b"])
        >>> solution = solve_numpy(g, [0, 1])
        >>> solution.base, solution.removed
        ((1+1j), {0: 0j, 1: 0j})
    """
    import numpy as np

    n = len(graph.label)
    sizes = [len(s) for s in graph.succ]
    edges = sum(sizes)
    src = np.repeat(np.arange(n), sizes)
    dst = np.fromiter(chain.from_iterable(graph.succ), dtype=np.intp, count=edges)
    prob = np.fromiter(chain.from_iterable(graph.prob), dtype=np.float64, count=edges)
    rhs = np.array(graph.rhs, dtype=np.complex128)
    visits = np.array(graph.visits, dtype=np.float64)
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(sizes, out=indptr[1:])
    rows = indptr[:-1][np.asarray(sizes) > 0]
    filled = np.asarray(sizes) > 0
    width = max(max((max(m) for m in graph.members if m), default=-1), *removals, -1) + 1
    member = np.zeros((n, max(width, 1)), dtype=bool)
    for i, held in enumerate(graph.members):
        if held:
            member[i, list(held)] = True
    wanted: list[int | None] = [None, *removals]
    found: dict[int | None, complex | None] = {}
    for at in range(0, len(wanted), _COLUMNS):
        part = wanted[at : at + _COLUMNS]
        keep = np.ones((n, len(part)), dtype=bool)
        for k, c in enumerate(part):
            if c is not None:
                keep[:, k] = ~member[:, c]
        values = _jacobi(
            np,
            src=src,
            dst=dst,
            prob=prob,
            rhs=rhs,
            visits=visits,
            rows=rows,
            filled=filled,
            keep=keep,
            start=graph.start,
        )
        found.update(zip(part, values, strict=True))
    base = found.pop(None)
    return RemovalSolution(base, {c: found[c] for c in removals})


def _jacobi(
    np: Any,
    *,
    src: Any,
    dst: Any,
    prob: Any,
    rhs: Any,
    visits: Any,
    rows: Any,
    filled: Any,
    keep: Any,
    start: int,
) -> list[complex | None]:
    """Each column's value at ``start``, certified to :data:`TOLERANCE` (else ``None``)."""
    weights = prob[:, None] * (keep[dst] & keep[src])
    r = rhs[:, None] * keep
    x = r.copy()
    columns = keep.shape[1]
    done: list[complex | None] = [None] * columns
    open_ = np.ones(columns, dtype=bool)
    best = np.full(columns, np.inf)
    since = np.zeros(columns, dtype=np.intp)
    y = np.empty_like(x)
    while open_.any():
        y[:] = r
        if len(rows):
            y[filled] += np.add.reduceat(weights * x[dst], rows, axis=0)
        change = y - x
        bound = np.maximum(visits @ np.abs(change.real), visits @ np.abs(change.imag))
        for k in np.flatnonzero(open_ & (bound <= TOLERANCE)):
            done[k] = complex(x[start, k])
            open_[k] = False
        better = bound < best
        best = np.where(better, bound, best)
        since = np.where(better, 0, since + 1)
        open_ &= since < _PATIENCE
        x, y = y, x
    return done
