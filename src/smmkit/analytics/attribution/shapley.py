"""Shapley-value attribution over channel coalitions.

The cooperative game: the worth ``v(S)`` of a set of channels ``S`` is the conversions
(or value) of the journeys whose channels all lie in ``S``, i.e. what ``S`` would have
converted on its own. That game is a sum of one unanimity game per journey, and the
Shapley value of a unanimity game splits its worth equally among its players; so the
exact Shapley value credits each converting path's conversions equally to its *distinct*
channels (Zhao et al., 2018, "Shapley value methods for attribution modeling"). No
``2**n`` enumeration is needed; :func:`shapley_by_enumeration` does it the long way for
checking (up to :data:`MAX_ENUMERATED_PLAYERS` players).

The public functions check their arguments (an
:class:`~smmkit.exceptions.InvalidInputError` naming the parameter);
:func:`~smmkit.analytics.attribute` calls the unchecked ``_shapley_weights`` on its rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import combinations

from smmkit.analytics._checks import (
    require_callable,
    require_items,
    require_number,
    require_str_items,
)
from smmkit.exceptions import InvalidInputError

__all__ = [
    "MAX_ENUMERATED_PLAYERS",
    "coalition_worth",
    "shapley_by_enumeration",
    "shapley_weights",
]

MAX_ENUMERATED_PLAYERS = 16
"""The most players :func:`shapley_by_enumeration` takes (it visits ``2**n`` coalitions)."""


def shapley_weights(path: Iterable[str]) -> dict[str, float]:
    """Each distinct channel's Shapley weight in one path's unanimity game.

    Example:
        >>> shapley_weights(["weibo", "zhihu", "weibo"])
        {'weibo': 0.5, 'zhihu': 0.5}
    """
    return _shapley_weights(require_str_items(path, "path"))


def _shapley_weights(path: Iterable[str]) -> dict[str, float]:
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
    table: list[tuple[frozenset[str], float]] = []
    for index, pair in enumerate(require_items(paths, "paths", "(path, worth) pairs")):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidInputError.single(
                f"paths.{index}", "must be a (path, worth) pair", type(pair).__name__
            )
        path, weight = pair
        table.append(
            (
                frozenset(require_str_items(path, f"paths.{index}.0")),
                require_number(weight, f"paths.{index}.1"),
            )
        )

    def worth(coalition: frozenset[str]) -> float:
        if not isinstance(coalition, (set, frozenset)):
            raise InvalidInputError.single(
                "coalition", "must be a set of channels", type(coalition).__name__
            )
        try:
            return math.fsum(w for channels, w in table if channels <= coalition)
        except OverflowError:
            raise InvalidInputError.single(
                "paths", "the worths of this coalition overflow a float", len(coalition)
            ) from None

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
    everyone = sorted(set(require_str_items(players, "players")))
    require_callable(worth, "worth")
    n = len(everyone)
    if n > MAX_ENUMERATED_PLAYERS:
        raise InvalidInputError.single(
            "players",
            f"at most {MAX_ENUMERATED_PLAYERS} players can be enumerated (2**n coalitions); "
            "attribute(..., model='shapley') has the closed form for any number",
            n,
        )

    def value(coalition: frozenset[str]) -> float:
        return require_number(worth(coalition), "worth")

    result: dict[str, float] = {}
    for player in everyone:
        others = [p for p in everyone if p != player]
        terms = []
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in combinations(others, size):
                coalition = frozenset(subset)
                terms.append(weight * (value(coalition | {player}) - value(coalition)))
        try:
            result[player] = math.fsum(terms)
        except (OverflowError, ValueError):  # an overflow, or inf - inf
            raise InvalidInputError.single(
                "worth", "the marginal contributions overflow a float", player
            ) from None
    return result
