"""Markov removal effects at orders 2-4 against an exact rational reference (issue 20).

The reference builds the order-k chain from the paths itself and solves it with
``fractions.Fraction`` (dense Gauss-Jordan, no rounding anywhere), conversions and value,
with each channel removed. Every engine must agree within the bound the solver proves
(1.5e-13 on every removal effect).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction
from itertools import pairwise

import pytest

import smmkit.analytics.attribution._removal as removal_module
import smmkit.analytics.attribution._removal_numpy as removal_numpy
from smmkit.analytics import PathSummary, attribute
from smmkit.analytics.attribution._paths import Row
from smmkit.analytics.attribution.markov import _build_chain, _removal_effects

Path = tuple[tuple[str, ...], int, int, int]  # path, conversions, value, nulls
BOUND = 1.5e-13  # 3 * TOLERANCE, the bound the solver proves
ENGINES = ["python", "numpy", "direct", "auto"]


def _collapse(path: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for channel in path:
        if not out or out[-1] != channel:
            out.append(channel)
    return tuple(out)


def _exact(paths: list[Path], order: int, removed: str | None) -> tuple[Fraction, Fraction]:
    """P(conversion) and expected value per journey with ``removed`` gone, as Fractions."""
    counts: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
    conv: dict[tuple[str, ...], int] = {}
    value: dict[tuple[str, ...], int] = {}
    out: dict[tuple[str, ...], int] = {}
    for path, c, v, nulls in paths:
        weight = c + nulls
        if weight == 0:
            continue
        seq = _collapse(path)
        states = [()] + [seq[max(0, i + 1 - order) : i + 1] for i in range(len(seq))]
        for a, b in pairwise(states):
            counts.setdefault(a, {})
            counts[a][b] = counts[a].get(b, 0) + weight
            out[a] = out.get(a, 0) + weight
        last = states[-1]
        conv[last] = conv.get(last, 0) + c
        value[last] = value.get(last, 0) + v
        out[last] = out.get(last, 0) + weight
    keep = [s for s in out if removed is None or removed not in s]
    if () not in keep:
        return Fraction(0), Fraction(0)
    idx = {s: i for i, s in enumerate(keep)}
    n = len(keep)
    m = [[Fraction(0)] * (n + 2) for _ in range(n)]
    for s in keep:
        i = idx[s]
        m[i][i] += 1
        for t, c in counts.get(s, {}).items():
            if t in idx:
                m[i][idx[t]] -= Fraction(c, out[s])
        m[i][n] += Fraction(conv.get(s, 0), out[s])
        m[i][n + 1] += Fraction(value.get(s, 0), out[s])
    for col in range(n):
        pivot = next(r for r in range(col, n) if m[r][col] != 0)
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col] / m[col][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
    i = idx[()]
    return m[i][n] / m[i][i], m[i][n + 1] / m[i][i]


def _exact_effects(paths: list[Path], order: int) -> dict[str, tuple[Fraction, Fraction]]:
    base_p, base_v = _exact(paths, order, None)
    channels = sorted({c for path, *_ in paths for c in path})
    effects = {}
    for channel in channels:
        p, v = _exact(paths, order, channel)
        effects[channel] = (
            1 - p / base_p if base_p else Fraction(0),
            1 - v / base_v if base_v else Fraction(0),
        )
    return effects


def _random_paths(seed: int, channels: str, longest: int, count: int) -> list[Path]:
    rng = random.Random(seed)
    paths: list[Path] = []
    for _ in range(count):
        path = tuple(rng.choice(channels) for _ in range(rng.randint(1, longest)))
        conversions = rng.choice([0, 0, 1, 2, 5])
        nulls = rng.choice([0, 1, 3, 10])
        paths.append((path, conversions, conversions * rng.randint(0, 50), nulls))
    return paths


def _check(paths: list[Path], order: int, engine: str) -> None:
    if engine == "numpy":
        pytest.importorskip("numpy")
    rows = [Row(path, float(c), float(v), float(n), None) for path, c, v, n in paths]
    chain = _build_chain(rows, order)
    base_p, base_v, effects = _removal_effects(chain, engine)
    exact_p, exact_v = _exact(paths, order, None)
    assert base_p == pytest.approx(float(exact_p), rel=1e-14, abs=1e-15)
    assert base_v == pytest.approx(float(exact_v), rel=1e-14, abs=1e-15)
    exact = _exact_effects(paths, order)
    assert set(effects) == set(exact)
    for channel, (re_conv, re_value) in exact.items():
        got = effects[channel]
        assert abs(got[0] - max(0.0, float(re_conv))) <= BOUND, (channel, got, re_conv)
        assert abs(got[1] - max(0.0, float(re_value))) <= BOUND, (channel, got, re_value)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("order", [2, 3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_random_small_chains_are_exact(seed: int, order: int, engine: str) -> None:
    channels = "abcd"[: 2 + seed % 3]
    _check(_random_paths(seed, channels, longest=7, count=25), order, engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("order", [2, 3, 4])
def test_long_cycles_are_exact(order: int, engine: str) -> None:
    # Alternating paths keep walks in the chain's cycles for long: slow convergence.
    paths: list[Path] = [
        (("a", "b") * 12, 1, 30, 40),
        (("a", "b") * 6 + ("c",), 3, 90, 1),
        (("b", "a", "c") * 5, 2, 10, 9),
        (("c", "a", "b", "a", "b", "a", "b", "c"), 0, 0, 7),
        (("a",), 1, 5, 3),
    ]
    _check(paths, order, engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("order", [2, 3, 4])
def test_dead_channels_values_and_no_conversions(order: int, engine: str) -> None:
    # "z" only ever leads to no conversion; "v" carries value on paths without conversions.
    paths: list[Path] = [
        (("a", "b", "z"), 0, 0, 5),
        (("z", "z"), 0, 0, 2),
        (("a", "b"), 2, 40, 1),
        (("b", "v"), 0, 25, 3),
        (("v", "a", "b", "a"), 1, 7, 0),
    ]
    _check(paths, order, engine)
    _check([(("a", "b"), 0, 0, 3), (("b",), 0, 0, 1)], order, engine)  # nothing converts
    _check([(("a", "b"), 0, 12, 3), (("b", "a"), 0, 0, 1)], order, engine)  # value only


@pytest.mark.parametrize("engine", ["python", "numpy"])
def test_uncertified_solves_fall_back_to_elimination(
    engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With a bound of zero no iteration can certify: every removal takes the direct path.
    monkeypatch.setattr(removal_module, "TOLERANCE", 0.0)
    monkeypatch.setattr(removal_numpy, "TOLERANCE", 0.0)
    _check(_random_paths(7, "abc", longest=6, count=30), 3, engine)


@pytest.mark.parametrize("order", [2, 3, 4])
def test_attribute_credits_follow_exact_removal_effects(order: int) -> None:
    paths = _random_paths(11, "abcde", longest=8, count=60)
    summaries = [PathSummary(path=p, conversions=c, value=v, nulls=n) for p, c, v, n in paths]
    result = attribute(summaries, model="markov", order=order)
    exact = _exact_effects(paths, order)
    total_c = sum(c for _, c, _, _ in paths)
    total_v = sum(v for _, _, v, _ in paths)
    sum_c = sum(max(Fraction(0), e[0]) for e in exact.values())
    sum_v = sum(max(Fraction(0), e[1]) for e in exact.values())
    for channel, (re_conv, re_value) in exact.items():
        credit = result.credit(channel)
        assert credit.conversions == pytest.approx(
            float(total_c * max(Fraction(0), re_conv) / sum_c), rel=1e-11, abs=1e-11
        )
        assert credit.value == pytest.approx(
            float(total_v * max(Fraction(0), re_value) / sum_v), rel=1e-11, abs=1e-9
        )
    assert math.fsum(c.conversions for c in result.channels) == pytest.approx(total_c)


def test_unknown_engine_is_refused() -> None:
    from smmkit.exceptions import InvalidInputError

    chain = _build_chain(_random_paths_rows(), 2)
    with pytest.raises(InvalidInputError, match="engine"):
        _removal_effects(chain, "fortran")


def _random_paths_rows() -> list[Row]:
    return [
        Row(p, float(c), float(v), float(n), None) for p, c, v, n in _random_paths(1, "ab", 4, 20)
    ]
