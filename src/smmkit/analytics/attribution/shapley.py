"""Shapley-value attribution over channel coalitions.

The cooperative game: the worth ``v(S)`` of a set of channels ``S`` is the conversions
(or value) of the journeys whose channels all lie in ``S``, i.e. what ``S`` would have
converted on its own. That game is a sum of one unanimity game per journey, and the
Shapley value of a unanimity game splits its worth equally among its players; so the
exact Shapley value credits each converting path's conversions equally to its *distinct*
channels (Zhao et al., 2018, "Shapley value methods for attribution modeling"). No
``2**n`` enumeration is needed; :func:`shapley_by_enumeration` does it the long way for
checking.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import combinations

__all__ = ["coalition_worth", "shapley_by_enumeration", "shapley_weights"]


def shapley_weights(path: Iterable[str]) -> dict[str, float]:
    """Each distinct channel's Shapley weight in one path's unanimity game.

    Example:
        >>> shapley_weights(["weibo", "zhihu", "weibo"])
        {'weibo': 0.5, 'zhihu': 0.5}
    """
    distinct = list(dict.fromkeys(path))
    return {channel: 1.0 / len(distinct) for channel in distinct}


def coalition_worth(
    paths: Iterable[tuple[tuple[str, ...], float]],
) -> Callable[[frozenset[str]], float]:
    """``v(S)``: the summed worth of the paths whose channels all lie in ``S``.

    Example:
        >>> v = coalition_worth([(("a", "b"), 2.0), (("a",), 1.0)])
        >>> v(frozenset({"a"})), v(frozenset({"a", "b"}))
        (1.0, 3.0)
    """
    table = [(frozenset(p), w) for p, w in paths]

    def worth(coalition: frozenset[str]) -> float:
        return math.fsum(w for channels, w in table if channels <= coalition)

    return worth


def shapley_by_enumeration(
    players: Iterable[str], worth: Callable[[frozenset[str]], float]
) -> dict[str, float]:
    """The Shapley value by the textbook formula (``2**n`` coalitions; small ``n`` only).

    Example:
        >>> v = coalition_worth([(("a", "b"), 2.0), (("a",), 1.0)])
        >>> shapley_by_enumeration(["a", "b"], v)
        {'a': 2.0, 'b': 1.0}
    """
    everyone = sorted(set(players))
    n = len(everyone)
    result: dict[str, float] = {}
    for player in everyone:
        others = [p for p in everyone if p != player]
        terms = []
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                coalition = frozenset(subset)
                terms.append(weight * (worth(coalition | {player}) - worth(coalition)))
        result[player] = math.fsum(terms)
    return result
