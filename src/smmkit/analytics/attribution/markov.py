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

The removal solves run in :mod:`._removal`: only the states that can reach a conversion,
only those a removal changes, strongly connected components sinks first, iterated until a
proven bound puts every removal effect within ``3 * TOLERANCE`` (1.5e-13) of the exact
value; with numpy installed, large chains run all removals at once on arrays
(:mod:`._removal_numpy`). ChannelAttribution estimates the same quantities by Monte Carlo
simulation (error about 1e-2 at its default 100,000 simulations).

:func:`solve_for` is the direct solver, kept for any removal the iteration cannot certify:
``I - Q`` is row diagonally dominant (each row of ``Q`` sums to at most one), so Gaussian
elimination without pivoting is stable in any elimination order; it picks a fill-reducing
order (Markowitz) and eliminates down to the start state, on sparse rows in pure Python.

The public functions check their arguments (an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter);
:func:`~smmkit.analytics.attribute` calls the unchecked ``_`` versions on rows it built.
"""

from __future__ import annotations

import heapq
import importlib.util
from collections.abc import Iterable, Sequence

from smmkit.analytics._checks import require_int, require_items, require_number, require_str_items
from smmkit.analytics.attribution._paths import Row
from smmkit.analytics.attribution._removal import RemovalSolution, prepare, solve_python
from smmkit.exceptions import InvalidInputError

__all__ = ["MarkovChain", "build_chain", "collapse_repeats", "solve_for"]


def collapse_repeats(path: Sequence[str]) -> tuple[str, ...]:
    """Drop consecutive repeats: ``a > a > b > a`` becomes ``a > b > a``.

    Example:
        >>> collapse_repeats(("a", "a", "b", "a"))
        ('a', 'b', 'a')
    """
    return _collapse(require_str_items(path, "path"))


def _collapse(path: Sequence[str]) -> tuple[str, ...]:
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
        self.order = require_int(order, "order", minimum=1)
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
        """Add the transitions of one path, weighted by its journeys (amounts >= 0)."""
        self._add_path(
            require_str_items(path, "path", empty=False),
            require_number(conversions, "conversions", minimum=0.0),
            require_number(value, "value", minimum=0.0),
            require_number(nulls, "nulls", minimum=0.0),
        )

    def _add_path(
        self, path: Sequence[str], conversions: float, value: float, nulls: float
    ) -> None:
        weight = conversions + nulls
        if weight <= 0:
            return
        seq = _collapse(path)
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
        probability, value = _solve_for(rows, rhs, position[0])
        return probability, value

    def conversion_probability(self) -> float:
        """P(conversion) from the start state."""
        return self.removal_effects()[0]

    def removal_effects(self) -> tuple[float, float, dict[str, tuple[float, float]]]:
        """``(P, expected value, {channel: (removal effect, value removal effect)})``.

        Each removal effect is within 1.5e-13 of the exact one (a proven bound; see
        :mod:`._removal`). ``P`` and the expected value are the chain's, which equal the
        observed conversion rate and value per journey.
        """
        return _removal_effects(self, engine="auto")


_ITERATE_FROM = 64  # live states from which iterating beats eliminating (order 1: 13)
_USE_NUMPY = True  # "auto" may use numpy when it is installed (the bench turns it off)


def _engine(name: str, states: int) -> str:
    if name not in ("auto", "python", "numpy", "direct"):
        raise InvalidInputError.single("engine", "must be auto, python, numpy or direct", name)
    if name != "auto":
        return name
    if states < _ITERATE_FROM:
        return "direct"
    if not _USE_NUMPY or importlib.util.find_spec("numpy") is None:
        return "python"
    return "numpy"


def _removal_effects(
    chain: MarkovChain, engine: str = "auto"
) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """:meth:`MarkovChain.removal_effects` with a choice of engine.

    ``engine`` is ``"python"`` (Gauss-Seidel in pure Python), ``"numpy"`` (Jacobi on
    arrays), ``"direct"`` (one sparse elimination per solve, :func:`solve_for`) or
    ``"auto"``: direct below 64 live states (order 1), else numpy when it is installed,
    else Python.
    """
    channels = chain.channels
    graph = prepare(
        chain.states,
        chain.edges,
        to_conversion=chain.to_conversion,
        to_value=chain.to_value,
        outgoing=chain.outgoing,
        channels=channels,
    )
    if graph is None:
        return 0.0, 0.0, dict.fromkeys(channels, (0.0, 0.0))
    base_p, base_v = graph.base
    chosen = _engine(engine, len(graph.label))
    solution: RemovalSolution
    if chosen == "direct":
        solution = RemovalSolution(None, dict.fromkeys(range(len(channels))))
    elif chosen == "numpy":
        from smmkit.analytics.attribution._removal_numpy import solve_numpy

        solution = solve_numpy(graph, range(len(channels)))
    else:
        solution = solve_python(graph, range(len(channels)))
    base = solution.base
    direct_base: tuple[float, float] | None = None
    effects: dict[str, tuple[float, float]] = {}
    for k, channel in enumerate(channels):
        found = solution.removed[k]
        if found is None or base is None:  # not certified: the direct elimination
            if direct_base is None:
                direct_base = chain._solve(None)
            p, v = chain._solve(channel)
            p_ratio = p / direct_base[0] if direct_base[0] > 0 else 1.0
            v_ratio = v / direct_base[1] if direct_base[1] > 0 else 1.0
        else:
            p_ratio = found.real / base.real if base.real > 0 else 1.0
            v_ratio = found.imag / base.imag if base.imag > 0 else 1.0
        effects[channel] = (
            max(0.0, 1.0 - p_ratio) if base_p > 0 else 0.0,
            max(0.0, 1.0 - v_ratio) if base_v > 0 else 0.0,
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
    for index, row in enumerate(require_items(rows, "rows", "Row values")):
        if not isinstance(row, Row):
            raise InvalidInputError.single(
                f"rows.{index}",
                "must be a Row (path, conversions, value, nulls, ages)",
                type(row).__name__,
            )
        chain._add_path(
            require_str_items(row.path, f"rows.{index}.path", empty=False),
            require_number(row.conversions, f"rows.{index}.conversions", minimum=0.0),
            require_number(row.value, f"rows.{index}.value", minimum=0.0),
            require_number(row.nulls, f"rows.{index}.nulls", minimum=0.0),
        )
    return chain


def _build_chain(rows: Iterable[Row], order: int) -> MarkovChain:
    """:func:`build_chain` over rows already checked (``attribute``'s own)."""
    chain = MarkovChain(order)
    for row in rows:
        chain._add_path(row.path, row.conversions, row.value, row.nulls)
    return chain


def solve_for(rows: list[dict[int, float]], rhs: list[list[float]], target: int) -> list[float]:
    """Solve ``A x = b`` for one unknown, ``x[target]``, with sparse rows (several ``b``).

    ``rows[i]`` maps column to coefficient; ``rhs[i]`` holds row ``i`` of every right-hand
    side (each the same width); the arguments are checked and copied, so they are left as
    they were. ``A`` should be row diagonally dominant with a nonzero diagonal (true of
    ``I - Q`` for an absorbing chain): then eliminating the unknowns in any order needs no
    pivoting and stays stable, so the order is chosen to keep the rows sparse (least
    ``(row entries - 1) * (column entries - 1)`` first, Markowitz's rule). ``target`` is
    eliminated last, so no back substitution is needed. A system whose pivot becomes zero
    (singular) is refused with :class:`~smmkit.exceptions.InvalidInputError`.

    Example:
        >>> solve_for([{0: 2.0, 1: -1.0}, {0: -1.0, 1: 2.0}], [[1.0], [1.0]], target=0)
        [1.0]
        >>> solve_for([{}], [[]], 0)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: rows.0: must have a nonzero diagonal entry (0) ...
    """
    checked_rows, checked_rhs, index = _checked_system(rows, rhs, target)
    try:
        return _solve_for(checked_rows, checked_rhs, index)
    except ZeroDivisionError:
        raise InvalidInputError.single(
            "rows", "the system is singular (a pivot became zero); it has no unique solution"
        ) from None


def _checked_system(
    rows: object, rhs: object, target: object
) -> tuple[list[dict[int, float]], list[list[float]], int]:
    """Copies of ``rows`` and ``rhs`` as floats, and ``target``, or an error naming the part."""
    matrix = list(require_items(rows, "rows", "mappings of column -> coefficient"))
    sides = list(require_items(rhs, "rhs", "lists of numbers"))
    n = len(matrix)
    if n == 0:
        raise InvalidInputError.single("rows", "must hold at least one row")
    if len(sides) != n:
        raise InvalidInputError.single("rhs", f"must hold one row per row ({n})", len(sides))
    index = require_int(target, "target", minimum=0, maximum=n - 1)
    out_rows: list[dict[int, float]] = []
    for r, row in enumerate(matrix):
        if not isinstance(row, dict):
            raise InvalidInputError.single(
                f"rows.{r}", "must be a dict of column -> coefficient", type(row).__name__
            )
        out: dict[int, float] = {}
        for c, coefficient in row.items():
            column = require_int(c, f"rows.{r} column", minimum=0, maximum=n - 1)
            out[column] = require_number(coefficient, f"rows.{r}.{column}")
        if not out.get(r):
            raise InvalidInputError.single(
                f"rows.{r}", f"must have a nonzero diagonal entry ({r})", row
            )
        out_rows.append(out)
    out_rhs: list[list[float]] = []
    width = -1
    for r, side in enumerate(sides):
        values = [
            require_number(v, f"rhs.{r}.{k}")
            for k, v in enumerate(require_items(side, f"rhs.{r}", "numbers"))
        ]
        if width not in (-1, len(values)):
            raise InvalidInputError.single(
                f"rhs.{r}", f"must hold {width} values, as rhs.0 does", len(values)
            )
        width = len(values)
        out_rhs.append(values)
    return out_rows, out_rhs, index


def _solve_for(rows: list[dict[int, float]], rhs: list[list[float]], target: int) -> list[float]:
    """:func:`solve_for` on checked rows (consumed)."""
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
