"""Markov-chain attribution by removal effect, solved exactly (no simulation).

The journeys become an absorbing Markov chain: transient states are the last ``order``
channels seen (after collapsing consecutive repeats, as ChannelAttribution does), plus a
start state; the absorbing states are *conversion* and *null*. Transition probabilities
are observed transition counts divided by the state's outgoing count.

The probability of reaching *conversion* from the start solves the linear system
``(I - Q) x = r`` (``Q`` transient-to-transient probabilities, ``r`` the one-step
conversion probabilities). Removing a channel turns every state that contains it into
*null*: its unknown is fixed to zero and the system shrinks. The removal effect of a
channel is ``1 - P(conversion | channel removed) / P(conversion)``; channels get the
conversions in proportion to their removal effects. Value uses the same chain with ``r``
replaced by the expected conversion value per step (so it is the expected value per
journey that drops); on ChannelAttribution's demo data these agree with its value removal
effects to within its simulation noise.

``I - Q`` is row diagonally dominant (each row of ``Q`` sums to at most one), so Gaussian
elimination without pivoting is stable in any elimination order; smmkit picks a
fill-reducing order (Markowitz) and eliminates down to the start state, on sparse rows in
pure Python, with no numpy. ChannelAttribution estimates the same quantities by Monte
Carlo simulation.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from smmkit.analytics.attribution._paths import Row

__all__ = ["MarkovChain", "build_chain", "collapse_repeats", "solve_for"]


def collapse_repeats(path: Sequence[str]) -> tuple[str, ...]:
    """Drop consecutive repeats: ``a > a > b > a`` becomes ``a > b > a``.

    Example:
        >>> collapse_repeats(("a", "a", "b", "a"))
        ('a', 'b', 'a')
    """
    out: list[str] = []
    for channel in path:
        if not out or out[-1] != channel:
            out.append(channel)
    return tuple(out)


class MarkovChain:
    """Observed transition counts of an order-``k`` chain over channel states.

    State 0 is the start; other states are tuples of up to ``order`` channels.

    Example:
        >>> from smmkit.analytics.attribution._paths import Row
        >>> chain = build_chain([Row(("a", "b"), 1.0, 10.0, 1.0, None)], order=1)
        >>> chain.conversion_probability()
        0.5
    """

    def __init__(self, order: int) -> None:
        self.order = order
        self.states: list[tuple[str, ...]] = [()]
        self.index: dict[tuple[str, ...], int] = {(): 0}
        # Transient-to-transient counts, and per state: conversions, value, nulls.
        self.edges: list[dict[int, float]] = [{}]
        self.to_conversion: list[float] = [0.0]
        self.to_value: list[float] = [0.0]
        self.outgoing: list[float] = [0.0]

    def _state(self, key: tuple[str, ...]) -> int:
        found = self.index.get(key)
        if found is None:
            found = len(self.states)
            self.index[key] = found
            self.states.append(key)
            self.edges.append({})
            self.to_conversion.append(0.0)
            self.to_value.append(0.0)
            self.outgoing.append(0.0)
        return found

    def add_path(self, path: Sequence[str], conversions: float, value: float, nulls: float) -> None:
        """Add the transitions of one path, weighted by its journeys."""
        weight = conversions + nulls
        if weight <= 0:
            return
        seq = collapse_repeats(path)
        current = 0
        k = self.order
        for i in range(len(seq)):
            nxt = self._state(seq[max(0, i + 1 - k) : i + 1])
            edges = self.edges[current]
            edges[nxt] = edges.get(nxt, 0.0) + weight
            self.outgoing[current] += weight
            current = nxt
        self.to_conversion[current] += conversions
        self.to_value[current] += value
        self.outgoing[current] += weight

    @property
    def channels(self) -> tuple[str, ...]:
        """Every channel that occurs in a state, sorted."""
        return tuple(sorted({c for state in self.states for c in state}))

    def _solve(self, removed: str | None) -> tuple[float, float]:
        keep = [
            i
            for i, state in enumerate(self.states)
            if self.outgoing[i] > 0 and (removed is None or removed not in state)
        ]
        position = {state: pos for pos, state in enumerate(keep)}
        rows: list[dict[int, float]] = []
        rhs: list[list[float]] = []
        for i in keep:
            out = self.outgoing[i]
            row: dict[int, float] = {position[i]: 1.0}
            for j, count in self.edges[i].items():
                pos = position.get(j)
                if pos is not None:
                    row[pos] = row.get(pos, 0.0) - count / out
            rows.append(row)
            rhs.append([self.to_conversion[i] / out, self.to_value[i] / out])
        if not rows or position.get(0) is None:
            return 0.0, 0.0
        probability, value = solve_for(rows, rhs, position[0])
        return probability, value

    def conversion_probability(self) -> float:
        """P(conversion) from the start state."""
        return self._solve(None)[0]

    def removal_effects(self) -> tuple[float, float, dict[str, tuple[float, float]]]:
        """``(P, expected value, {channel: (removal effect, value removal effect)})``."""
        base_p, base_v = self._solve(None)
        effects: dict[str, tuple[float, float]] = {}
        for channel in self.channels:
            p, v = self._solve(channel)
            effects[channel] = (
                max(0.0, 1.0 - p / base_p) if base_p > 0 else 0.0,
                max(0.0, 1.0 - v / base_v) if base_v > 0 else 0.0,
            )
        return base_p, base_v, effects


def build_chain(rows: Iterable[Row], order: int) -> MarkovChain:
    """A chain of the given order over ``rows``.

    Example:
        >>> from smmkit.analytics.attribution._paths import Row
        >>> build_chain([Row(("a", "a", "b"), 1.0, 0.0, 0.0, None)], 1).states
        [(), ('a',), ('b',)]
    """
    chain = MarkovChain(order)
    for row in rows:
        chain.add_path(row.path, row.conversions, row.value, row.nulls)
    return chain


def solve_for(rows: list[dict[int, float]], rhs: list[list[float]], target: int) -> list[float]:
    """Solve ``A x = b`` for one unknown, ``x[target]``, with sparse rows (several ``b``).

    ``rows[i]`` maps column to coefficient; ``rhs[i]`` holds row ``i`` of every right-hand
    side; both are consumed. ``A`` must be row diagonally dominant with a nonzero
    diagonal (true of ``I - Q`` for an absorbing chain): then eliminating the unknowns in
    any order needs no pivoting and stays stable, so the order is chosen to keep the rows
    sparse (least ``(row entries - 1) * (column entries - 1)`` first, Markowitz's rule).
    ``target`` is eliminated last, so no back substitution is needed.

    Example:
        >>> solve_for([{0: 2.0, 1: -1.0}, {0: -1.0, 1: 2.0}], [[1.0], [1.0]], target=0)
        [1.0]
    """
    n = len(rows)
    width = len(rhs[target])
    cols: list[set[int]] = [set() for _ in range(n)]
    for r, row in enumerate(rows):
        for c in row:
            cols[c].add(r)
    alive = [True] * n

    def cost(v: int) -> int:
        return (len(rows[v]) - 1) * (len(cols[v]) - 1)

    heap = [(cost(v), v) for v in range(n) if v != target]
    heapq.heapify(heap)
    while heap:
        key, p = heapq.heappop(heap)
        if not alive[p]:
            continue
        current = cost(p)
        if current != key:  # stale entry: its row or column changed since it was pushed
            heapq.heappush(heap, (current, p))
            continue
        alive[p] = False
        pivot_row = rows[p]
        pivot = pivot_row.pop(p)
        pivot_rhs = rhs[p]
        for c in pivot_row:
            cols[c].discard(p)
        touched: set[int] = set()
        for r in cols[p]:
            if r == p or not alive[r]:
                continue
            row = rows[r]
            factor = row.pop(p) / pivot
            for c, coefficient in pivot_row.items():
                if c in row:
                    row[c] -= factor * coefficient
                else:
                    row[c] = -factor * coefficient
                    cols[c].add(r)
                    touched.add(c)
            target_rhs = rhs[r]
            for k in range(width):
                target_rhs[k] -= factor * pivot_rhs[k]
            touched.add(r)
        cols[p] = set()
        for v in touched:
            if alive[v] and v != target:
                heapq.heappush(heap, (cost(v), v))
    diagonal = rows[target][target]
    return [value / diagonal for value in rhs[target]]
