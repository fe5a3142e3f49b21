"""The references ``analytics_attribution.py`` checks smmkit against, besides its peer.

A demo-shaped stand-in data set from a seeded generator (ChannelAttribution's demo data is
GPL-licensed and ships only with it), first/last/linear touch in plain Python, and the
Markov chain of any order solved in exact rational arithmetic (``fractions.Fraction``),
independent of smmkit's solver. Without ChannelAttribution they are the bench's only
references; with it they run too, silently.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
import random
from collections.abc import Sequence
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pandas as pd
from _common import fail

from smmkit.analytics.attribution import markov
from smmkit.analytics.attribution._paths import Row
from smmkit.analytics.attribution.markov import collapse_repeats

BOUND = 1.5e-13  # smmkit's removal effects vs exact: the bound its solver proves

# The stand-in's channels: touch shares and conversion lifts of the demo's order of size.
CHANNELS = (
    *("alpha", "beta", "gamma", "delta", "epsilon", "zeta"),
    *("eta", "theta", "iota", "kappa", "lambda", "mi"),
)
SHARE = (10, 11, 0.4, 0.013, 1.6, 1.2, 10, 4.5, 16, 0.8, 4.5, 0.002)
LIFT = (0.10, 0.04, 0.02, 0.01, 0.03, 0.02, 0.05, 0.04, 0.06, 0.02, 0.03, 0.0)


def stand_in(rows: int = 10_000, seed: int = 20) -> pd.DataFrame:
    """A demo-shaped table from a seeded generator, for runs without ChannelAttribution.

    Paths: 1 + an exponential length (mean 4.6, or 15 for 3 % of them), each touch repeating
    the previous channel with probability 0.4, else drawn by ``SHARE``. Journeys per path:
    2 + a Pareto(1.15) count (most 3, a few thousands); each converts with 0.09 plus the
    ``LIFT`` of every distinct channel on its path, a conversion worth a log-normal value
    (median 3.3). The same columns and dtypes as ``Data.csv``.
    """
    rng = random.Random(seed)
    cum = list(itertools.accumulate(SHARE))
    lift = dict(zip(CHANNELS, LIFT, strict=True))
    paths: list[str] = []
    conversions: list[int] = []
    values: list[float] = []
    nulls: list[int] = []
    for _ in range(rows):
        length = 1 + int(rng.expovariate(1 / (15.0 if rng.random() < 0.03 else 4.6)))
        path = rng.choices(CHANNELS, cum_weights=cum)
        while len(path) < length:
            path += [path[-1]] if rng.random() < 0.4 else rng.choices(CHANNELS, cum_weights=cum)
        rate = min(0.9, 0.09 + sum(lift[c] for c in dict.fromkeys(path)))
        journeys = 2 + int(rng.paretovariate(1.15))
        converted = sum(rng.random() < rate for _ in range(journeys))
        paths.append(" > ".join(path))
        conversions.append(converted)
        values.append(round(sum(rng.lognormvariate(1.2, 0.8) for _ in range(converted)), 3))
        nulls.append(journeys - converted)
    return pd.DataFrame(
        {
            "path": paths,
            "total_conversions": np.array(conversions, dtype=np.int64),
            "total_conversion_value": np.array(values, dtype=float),
            "total_null": np.array(nulls, dtype=np.int64),
        }
    )


def reference_heuristics(df: pd.DataFrame) -> dict[str, dict[str, tuple[float, float]]]:
    """First, last and linear touch in plain Python: ``{model: {channel: (conv, value)}}``."""
    sums: dict[str, dict[str, list[list[float]]]] = {}
    for path, conv, value in zip(
        df["path"], df["total_conversions"], df["total_conversion_value"], strict=True
    ):
        touches = [p.strip() for p in path.split(">")]
        shares = {
            "first_touch": [(touches[0], 1.0)],
            "last_touch": [(touches[-1], 1.0)],
            "linear": [(t, 1 / len(touches)) for t in touches],
        }
        for model, credited in shares.items():
            for channel, share in credited:
                cell = sums.setdefault(model, {}).setdefault(channel, [[], []])
                cell[0].append(float(conv) * share)
                cell[1].append(float(value) * share)
    return {
        model: {ch: (math.fsum(c), math.fsum(v)) for ch, (c, v) in channels.items()}
        for model, channels in sums.items()
    }


Path = tuple[tuple[str, ...], int, Fraction, int]  # channels, conversions, value, nulls


def exact_paths(df: pd.DataFrame) -> list[Path]:
    """The table's rows as exact numbers (values as the Fractions their floats are)."""
    return [
        (tuple(p.strip() for p in path.split(">")), int(conv), Fraction(float(value)), int(nul))
        for path, conv, value, nul in zip(
            df["path"],
            df["total_conversions"],
            df["total_conversion_value"],
            df["total_null"],
            strict=True,
        )
    ]


def exact_removal_effects(
    paths: Sequence[Path], order: int = 1
) -> tuple[tuple[Fraction, Fraction], dict[str, tuple[Fraction, Fraction]]]:
    """Order-``order`` chain in exact rational arithmetic (independent of smmkit's solver).

    ``((P(conversion), value per journey), {channel: (removal effect, value removal
    effect)})``: states are the last ``order`` channels of the repeat-collapsed path, a
    channel's removal drops every state holding it (dense Gauss-Jordan, no rounding).
    """
    edges: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
    conv: dict[tuple[str, ...], int] = {}
    value: dict[tuple[str, ...], Fraction] = {}
    out: dict[tuple[str, ...], int] = {}
    for path, c, v, nulls in paths:
        weight = c + nulls
        if weight == 0:
            continue
        seq = collapse_repeats(path)
        states = [()] + [seq[max(0, i + 1 - order) : i + 1] for i in range(len(seq))]
        for a, b in pairwise(states):
            edges.setdefault(a, {})
            edges[a][b] = edges[a].get(b, 0) + weight
            out[a] = out.get(a, 0) + weight
        last = states[-1]
        conv[last] = conv.get(last, 0) + c
        value[last] = value.get(last, Fraction(0)) + v
        out[last] = out.get(last, 0) + weight

    def solve(removed: str | None) -> tuple[Fraction, Fraction]:
        keep = [s for s in out if removed is None or removed not in s]
        if () not in keep:
            return Fraction(0), Fraction(0)
        idx = {s: i for i, s in enumerate(keep)}
        n = len(keep)
        m = [[Fraction(0)] * (n + 2) for _ in range(n)]
        for s in keep:
            i = idx[s]
            m[i][i] += 1
            for t, count in edges.get(s, {}).items():
                if t in idx:
                    m[i][idx[t]] -= Fraction(count, out[s])
            m[i][n] += Fraction(conv.get(s, 0), out[s])
            m[i][n + 1] += value.get(s, Fraction(0)) / out[s]
        for col in range(n):
            piv = next(r for r in range(col, n) if m[r][col] != 0)
            m[col], m[piv] = m[piv], m[col]
            for r in range(n):
                if r != col and m[r][col] != 0:
                    f = m[r][col] / m[col][col]
                    m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
        i = idx[()]
        return m[i][n] / m[i][i], m[i][n + 1] / m[i][i]

    base = solve(None)
    effects = {}
    for ch in sorted({c for path, *_ in paths for c in path}):
        p, v = solve(ch)
        effects[ch] = (
            max(Fraction(0), 1 - p / base[0]) if base[0] else Fraction(0),
            max(Fraction(0), 1 - v / base[1]) if base[1] else Fraction(0),
        )
    return base, effects


def observed_rate(df: pd.DataFrame) -> Fraction:
    conversions = int(df["total_conversions"].sum())
    return Fraction(conversions, conversions + int(df["total_null"].sum()))


def small_chains(df: pd.DataFrame) -> list[list[Path]]:
    """Chains small enough for a rational solve at order 4: seeded random paths over 2-4
    channels (cycles, dead channels, value without conversions) and rows of ``df``."""
    chains: list[list[Path]] = []
    for seed in range(4):
        rng = random.Random(seed)
        channels = "abcd"[: 2 + seed % 3]
        chain: list[Path] = []
        for _ in range(25):
            path = tuple(rng.choice(channels) for _ in range(rng.randint(1, 7)))
            c = rng.choice([0, 0, 1, 2, 5])
            chain.append((path, c, Fraction(c * rng.randint(0, 50)), rng.choice([0, 1, 3, 10])))
        chains.append(chain)
    chains.append(
        [
            (("a", "b") * 12, 1, Fraction(30), 40),
            (("a", "b") * 6 + ("c",), 3, Fraction(90), 1),
            (("b", "a", "c") * 5, 2, Fraction(10), 9),
            (("z", "a", "b", "z"), 0, Fraction(25), 7),
            (("a",), 1, Fraction(5), 3),
        ]
    )
    top = set(
        pd.Series([p.strip() for s in df["path"] for p in s.split(">")]).value_counts()[:3].index
    )
    rows = [p for p in exact_paths(df) if len(p[0]) <= 8 and set(p[0]) <= top]
    chains.append(rows[:40])
    return chains


def check_small_chains(df: pd.DataFrame, max_order: int) -> tuple[int, list[str], float]:
    """Every engine against the rational solve at orders 1..max_order on small chains.

    Returns (chains, engines, max |removal effect - exact|); ``fail`` beyond ``BOUND``.
    """
    engines = ["direct", "python"]
    if importlib.util.find_spec("numpy") is not None:
        engines.append("numpy")
    chains = small_chains(df)
    worst = 0.0
    for number, paths in enumerate(chains):
        rows = [Row(path, float(c), float(v), float(n), None) for path, c, v, n in paths]
        for order in range(1, max_order + 1):
            (exact_p, exact_v), exact = exact_removal_effects(paths, order)
            chain = markov._build_chain(rows, order)
            for engine in engines:
                p, v, effects = markov._removal_effects(chain, engine)
                where = f"small chain {number}, order {order}, engine {engine}"
                if abs(p - float(exact_p)) > BOUND * float(exact_p) or abs(
                    v - float(exact_v)
                ) > BOUND * max(float(exact_v), 1.0):
                    fail(f"{where}: P {p!r}, value {v!r} vs exact {exact_p}, {exact_v}")
                if set(effects) != set(exact):
                    fail(f"{where}: channels {sorted(effects)} vs {sorted(exact)}")
                for ch, (re, vre) in exact.items():
                    err = max(abs(effects[ch][0] - float(re)), abs(effects[ch][1] - float(vre)))
                    worst = max(worst, err)
                    if err > BOUND:
                        fail(
                            f"{where}: {ch} removal effects {effects[ch]} vs exact "
                            f"{float(re)!r}, {float(vre)!r} (bound {BOUND:g})"
                        )
    return len(chains), engines, worst
