"""Removal effects of an absorbing chain: every channel's solve, fast, with a proven bound.

:class:`~smmkit.analytics.attribution.markov.MarkovChain` asks for ``P(conversion)`` and
the expected value per journey, first with every channel, then with each channel removed.
A direct sparse elimination per removal costs about a million multiply-adds at order 3 on
ChannelAttribution's demo data (the chain's large strongly connected part leaves a dense
block of ~200 states), so it is done differently here:

1. **Only the part that matters.** States that cannot reach a conversion (or value) are
   dropped (their solution is zero). Removing channel ``c`` only needs the states whose
   *last* channel is ``c``: every other state holding ``c`` is reached only through one of
   them, so it cannot be reached once they are gone. Only the states that can reach one of
   those (the *affected* states) change; the others keep the full chain's values.
2. **In the chain's own order.** The states are split into strongly connected components
   and solved sinks first; a component of one state is exact in one step, a larger one is
   iterated (Gauss-Seidel, the full solution as the start: it is an upper bound of the
   removed chain's solution). Conversion and value ride together as the real and imaginary
   parts of one complex number, and each sweep runs in C through ``map``.
3. **A proven error bound.** For any approximation ``y`` of the solution ``x`` of
   ``(I - Q) x = r``, ``x - y = N res`` with ``N = (I - Q)^-1 >= 0`` and
   ``res = r - (I - Q) y``; so ``|x[start] - y[start]| <= sum_s N[start, s] |res[s]|``.
   Removing states only lowers ``N``, and for the full chain ``N[start, s]`` is known
   without solving anything: it is the observed number of visits to ``s`` per journey
   (the observed transitions balance at every state, so they are the chain's expected
   visits). Each component is iterated until its share of ``sum_s visits[s] |res[s]|``
   is at most its share of :data:`TOLERANCE` times the full chain's value, in each of the
   two parts (conversions, value). A removal's states that it does not affect keep the
   full solve's residual, so a removal's error is at most ``2 * TOLERANCE`` and the full
   chain's at most ``TOLERANCE`` (relative); every removal effect ``1 - x_c / x`` is then
   within ``3 * TOLERANCE`` = 1.5e-13 (plus rounding, ~1e-16 per step of a journey).
   A chain whose residual stops falling before that (only conceivable with rounding on
   very long journeys) is solved by the direct elimination instead.

With numpy installed (it comes with ``smmkit[pandas]``), large chains are solved by
:mod:`~smmkit.analytics.attribution._removal_numpy` instead: every removal at once, Jacobi
sweeps on arrays, the same bound.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import add, mul, sub
from typing import NamedTuple

__all__ = ["TOLERANCE", "Graph", "RemovalSolution", "components", "prepare", "solve_python"]

TOLERANCE = 5e-14
"""Half the bound on the error of ``P(conversion)`` and value with a channel removed,
relative to the full chain's (the full chain's own is within ``TOLERANCE``); so each
removal effect is within ``3 * TOLERANCE`` = 1.5e-13."""

_MAX_CHECKS = 200  # residual checks per component before handing over to the direct solve


class Graph(NamedTuple):
    """The part of a chain that can reach a conversion or value, renumbered ``0..n-1``.

    ``rhs`` holds each state's one-step conversion probability (real part) and expected
    value (imaginary part), each divided by the full chain's (so the start's solution is
    ``1 + 1j``, or ``0`` in a part that is zero); ``visits`` the observed visits per
    journey (the full chain's expected visits); ``label`` the index of the state's last
    channel (``-1`` for the start), ``members`` the indices of all its channels.
    ``origin`` maps back to the chain's state numbers.
    """

    succ: list[list[int]]
    prob: list[list[float]]
    next_labels: list[frozenset[int]]
    rhs: list[complex]
    visits: list[float]
    label: list[int]
    members: list[frozenset[int]]
    origin: list[int]
    start: int
    base: tuple[float, float]  # the full chain's P(conversion) and value per journey


class RemovalSolution(NamedTuple):
    """Solutions at the start (scaled as :class:`Graph`'s), or ``None`` where unsolved."""

    base: complex | None
    removed: dict[int, complex | None]


def prepare(
    states: Sequence[tuple[str, ...]],
    edges: Sequence[dict[int, float]],
    *,
    to_conversion: Sequence[float],
    to_value: Sequence[float],
    outgoing: Sequence[float],
    channels: Sequence[str],
) -> Graph | None:
    """The live part of a chain, or ``None`` when no journey converts or carries value."""
    journeys = outgoing[0] if outgoing else 0.0
    if journeys <= 0:
        return None
    base_p = math.fsum(to_conversion) / journeys
    base_v = math.fsum(to_value) / journeys
    if not base_p > 0 and not base_v > 0:
        return None
    n_all = len(states)
    preds: list[list[int]] = [[] for _ in range(n_all)]
    for i, row in enumerate(edges):
        for j in row:
            preds[j].append(i)
    live = [False] * n_all
    todo = [i for i in range(n_all) if to_conversion[i] > 0 or to_value[i] > 0]
    for i in todo:
        live[i] = True
    while todo:
        j = todo.pop()
        for i in preds[j]:
            if not live[i]:
                live[i] = True
                todo.append(i)
    if not live[0]:
        return None
    origin = [i for i in range(n_all) if live[i]]
    local = {i: k for k, i in enumerate(origin)}
    index = {c: k for k, c in enumerate(channels)}
    scale_p = 1.0 / base_p if base_p > 0 else 0.0
    scale_v = 1.0 / base_v if base_v > 0 else 0.0
    succ: list[list[int]] = []
    prob: list[list[float]] = []
    next_labels: list[frozenset[int]] = []
    rhs: list[complex] = []
    visits: list[float] = []
    label: list[int] = []
    members: list[frozenset[int]] = []
    for i in origin:
        out = outgoing[i]
        pairs = [(local[j], count / out) for j, count in edges[i].items() if live[j]]
        succ.append([j for j, _ in pairs])
        prob.append([p for _, p in pairs])
        rhs.append(complex(to_conversion[i] / out * scale_p, to_value[i] / out * scale_v))
        visits.append(out / journeys)
        label.append(index[states[i][-1]] if states[i] else -1)
        members.append(frozenset(index[c] for c in states[i]))
    for row_succ in succ:
        next_labels.append(frozenset(label[j] for j in row_succ))
    return Graph(
        succ, prob, next_labels, rhs, visits, label, members, origin, local[0], (base_p, base_v)
    )


def components(succ: Sequence[Sequence[int]], root: int) -> list[list[int]]:
    """Strongly connected components reachable from ``root``, sinks first (Tarjan).

    Inside a component, states come in the order Tarjan leaves them (deepest first), a
    good order for Gauss-Seidel on a chain that mostly moves forward.

    Example:
        >>> components([[1], [2], [1, 3], []], 0)
        [[3], [2, 1], [0]]
    """
    n = len(succ)
    order = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    order[root] = low[root] = counter
    counter += 1
    stack.append(root)
    on_stack[root] = True
    work: list[tuple[int, int]] = [(root, 0)]
    while work:
        v, i = work[-1]
        nexts = succ[v]
        if i < len(nexts):
            work[-1] = (v, i + 1)
            w = nexts[i]
            if order[w] < 0:
                order[w] = low[w] = counter
                counter += 1
                stack.append(w)
                on_stack[w] = True
                work.append((w, 0))
            elif on_stack[w] and order[w] < low[v]:
                low[v] = order[w]
            continue
        work.pop()
        if work:
            u = work[-1][0]
            low[u] = min(low[u], low[v])
        if low[v] == order[v]:
            comp: list[int] = []
            while True:
                w = stack.pop()
                on_stack[w] = False
                comp.append(w)
                if w == v:
                    break
            found.append(comp)
    return found


def _reach(graph: Graph, comps: list[list[int]]) -> list[int]:
    """Per state, a bit mask of the channels that end a state it can reach (itself too).

    A state without channel ``c`` that can reach a state holding ``c`` reaches one ending
    with ``c`` first: a state that holds ``c`` without ending with it can only be entered
    from a state that holds it. So bit ``c`` marks exactly the states removing ``c``
    affects (among those without ``c``). One pass, components sinks first.
    """
    label = graph.label
    succ = graph.succ
    reach = [0] * len(label)
    for comp in comps:
        mask = 0
        for i in comp:
            if label[i] >= 0:
                mask |= 1 << label[i]
            for j in succ[i]:
                mask |= reach[j]
        for i in comp:
            reach[i] = mask
    return reach


def _blocks(
    comps: list[list[int]], succ: Sequence[Sequence[int]]
) -> tuple[list[list[int]], list[bool]]:
    """Runs of one-state components joined into one block (solved exactly in one pass:
    each state's successors come before it), and which blocks need iterating."""
    blocks: list[list[int]] = []
    cyclic: list[bool] = []
    for comp in comps:
        loops = len(comp) > 1 or comp[0] in succ[comp[0]]
        if not loops and blocks and not cyclic[-1]:
            blocks[-1].extend(comp)
        else:
            blocks.append(list(comp))
            cyclic.append(loops)
    return blocks, cyclic


def _solve_component(
    idx: list[int],
    *,
    succs: list[list[int]],
    probs: list[list[float]],
    rhs: list[complex],
    weights: list[float],
    x: list[complex],
    budget: float,
) -> bool:
    """Gauss-Seidel on one component until ``sum(weights * |residual|) <= budget``.

    ``|residual|`` is the complex modulus, so both parts (real: conversions, imaginary:
    value) meet the budget. ``False`` when the residual stops falling first (rounding):
    the caller then solves directly.
    """
    get = x.__getitem__
    put = x.__setitem__
    sweeps = 4
    previous = math.inf
    stalled = 0
    for _ in range(_MAX_CHECKS):
        for _ in range(sweeps):
            deque(map(put, idx, _values(rhs, probs, succs, get)), maxlen=0)
        # |z| of a complex residual bounds both its parts at once
        diffs = map(abs, map(sub, _values(rhs, probs, succs, get), map(get, idx)))
        error = math.fsum(map(mul, weights, diffs))
        if error <= budget:
            return True
        if error >= previous:
            stalled += 1
            if stalled >= 3:
                return False
            sweeps = 8
            continue
        stalled = 0
        if previous < math.inf:  # sweeps still needed at the rate seen so far
            rate = (error / previous) ** (1.0 / sweeps)
            goal = max(budget, error * 1e-6) / error
            steps = math.ceil(math.log(goal) / math.log(rate)) if rate > 0.0 else 1
            sweeps = max(1, min(64, steps))
        previous = error
    return False


def _solve_one(
    graph: Graph,
    comps: list[list[int]],
    cyclic: list[bool],
    x: list[complex],
    *,
    removed: int | None = None,
    reach: list[int] | None = None,
) -> complex | None:
    """Solve in place into ``x`` (sinks first); the start's value, ``None`` if uncertified.

    With ``removed``, ``x`` holds the full chain's solution on entry: states that are not
    affected (see :func:`_reach`) keep it, the removed channel's states become zero.
    """
    label = graph.label
    succ_all = graph.succ
    prob_all = graph.prob
    next_labels = graph.next_labels
    visits = graph.visits
    if removed is not None:
        for i, held in enumerate(graph.members):
            if removed in held:
                x[i] = 0j
    total = math.fsum(visits)
    get = x.__getitem__
    put = x.__setitem__
    for comp, loops in zip(comps, cyclic, strict=True):
        if removed is None or reach is None:
            idx = comp
        else:
            members = graph.members
            idx = [i for i in comp if reach[i] >> removed & 1 and removed not in members[i]]
        if not idx:
            continue
        if removed is None:
            succs = list(map(succ_all.__getitem__, idx))
            probs = list(map(prob_all.__getitem__, idx))
        else:
            succs = []
            probs = []
            for i in idx:
                if removed in next_labels[i]:
                    pairs = zip(succ_all[i], prob_all[i], strict=True)
                    keep = [(j, p) for j, p in pairs if label[j] != removed]
                    succs.append([j for j, _ in keep])
                    probs.append([p for _, p in keep])
                else:
                    succs.append(succ_all[i])
                    probs.append(prob_all[i])
        rhs = list(map(graph.rhs.__getitem__, idx))
        if not loops:  # states without a loop, each after its successors: exact in one pass
            deque(map(put, idx, _values(rhs, probs, succs, get)), maxlen=0)
            continue
        weights = list(map(visits.__getitem__, idx))
        budget = TOLERANCE * math.fsum(weights) / total
        if not _solve_component(
            idx, succs=succs, probs=probs, rhs=rhs, weights=weights, x=x, budget=budget
        ):
            return None
    return x[graph.start]


def _values(
    rhs: list[complex],
    probs: list[list[float]],
    succs: list[list[int]],
    get: Callable[[int], complex],
) -> map[complex]:
    """``rhs[k] + sum(probs[k][m] * x[succs[k][m]])`` for each ``k``, lazily, all in C."""
    return map(add, rhs, map(sum, map(map, repeat(mul), probs, map(map, repeat(get), succs))))


def solve_python(graph: Graph, removals: Sequence[int]) -> RemovalSolution:
    """The full chain's and each removal's solution at the start, by Gauss-Seidel.

    Example:
        >>> g = prepare([(), ("a",), ("b",)], [{1: 2.0}, {2: 1.0}, {}],
        ...             to_conversion=[0.0, 0.0, 1.0], to_value=[0.0, 0.0, 5.0],
        ...             outgoing=[2.0, 2.0, 1.0], channels=["a", "b"])
        >>> solution = solve_python(g, [0, 1])
        >>> solution.base, solution.removed
        ((1+1j), {0: 0j, 1: 0j})
    """
    comps = components(graph.succ, graph.start)
    reach = _reach(graph, comps)
    comps, cyclic = _blocks(comps, graph.succ)
    full = [0j] * len(graph.label)
    base = _solve_one(graph, comps, cyclic, full)
    removed: dict[int, complex | None] = {}
    for c in removals:
        if base is None:
            removed[c] = None
        elif not reach[graph.start] >> c & 1:
            removed[c] = base
        else:
            removed[c] = _solve_one(graph, comps, cyclic, list(full), removed=c, reach=reach)
    return RemovalSolution(base, removed)
