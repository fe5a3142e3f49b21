"""Attribution: smmkit against ChannelAttribution (PyPI), in the same run.

    pip install -e '.[bench]'      # ChannelAttribution (GPL-3.0) and matplotlib
    python bench/analytics_attribution.py [--journeys 1000000] [--repeat 3]
    python bench/analytics_attribution.py --quick   # small: see below

ChannelAttribution is GPL-3.0-or-later, so its demo data (``Data.csv``, 10,000 aggregated
paths) is not copied into this repository: it is read at run time from the installed
package. The script checks three things and prints a table for each:

1. heuristic models (first, last, linear touch; conversions and value) equal
   ChannelAttribution's ``heuristic_models`` on the demo data (max absolute difference);
2. first-order Markov is exact: the conversion probability equals the observed rate
   (flow conservation), removal effects equal an independent rational-arithmetic solve
   (``fractions.Fraction``, no rounding at all), and ChannelAttribution's Monte Carlo
   estimates approach them as its simulation grows; top channels rank the same;
3. speed: first-order Markov over N individual journeys (default one million) sampled
   from the demo paths, both libraries reading the same columns, best of ``--repeat``;
4. Markov orders 1..``--max-order`` on the demo data and on the N journeys (issue 20):
   median of ``--repeat`` runs in this process, smmkit as installed (numpy engine when
   numpy is there) and pure Python (numpy engine off), ChannelAttribution at its default
   simulations; the accuracy ChannelAttribution reaches in that time (max |removal effect
   - smmkit's|, smmkit's being within 1e-13 of exact, a proven bound) and top-6 ranking.

``--quick`` runs everything small: 100,000 journeys, one run, no 1e7 simulation.

Every check exits 1 (``_common.fail``) when it does not hold:

* heuristics: smmkit's credits equal ChannelAttribution's and an independent plain-Python
  reference's within 1e-9 (``HEURISTIC_TOL``), and sum to the totals;
* Markov: the rational solve's P(conversion) is exactly the observed rate, smmkit's within
  1.5e-13 relative; every removal effect (conversions and value) within 1.5e-13
  (``BOUND``, the bound smmkit's solver proves) of the rational solve, at order 1 on the
  data and at orders 1-4 on small chains for every engine (direct, pure Python, numpy);
  the numpy and pure-Python engines within 3e-13 of each other at every order timed;
* ChannelAttribution simulates, so against it a tolerance: removal effects within 0.05 of
  exact (``PEER_RE_TOL``; measured at most 1.8e-2 at its default 1e5 simulations),
  attributed conversions within 3 % of the total (``PEER_CREDIT_TOL``; measured 9e-3), and
  rankings differing only between channels whose smmkit credits are closer than that.

Without ChannelAttribution (CI installs only the ``test`` extra) its columns print
"skipped" and the data is a stand-in of the demo's shape made by a seeded generator
(:func:`stand_in`: 10,000 aggregated paths over 12 channels, lengths 1 to about 100,
median 4, heavy-tailed journey counts, conversions, values and nulls); every check that
does not need ChannelAttribution still runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import pathlib
import statistics
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from _attribution_reference import (
    BOUND,
    check_small_chains,
    exact_paths,
    exact_removal_effects,
    observed_rate,
    reference_heuristics,
    stand_in,
)
from _common import fail, peer

from smmkit.analytics import Attribution, PathCounts, attribute
from smmkit.analytics.attribution import markov

HEURISTIC_TOL = 1e-9  # heuristic credits vs ChannelAttribution's or the reference's
PEER_RE_TOL = 0.05  # ChannelAttribution's simulated removal effects vs exact
PEER_CREDIT_TOL = 0.03  # ChannelAttribution's attributed conversions vs smmkit's, / total
SKIPPED = "skipped"


def load_demo(ca: Any) -> pd.DataFrame:
    """ChannelAttribution's bundled demo table, from the installed package."""
    root = pathlib.Path(ca.__file__).resolve().parent.parent
    candidates = [*root.glob("cypack/data/Data.csv"), *root.glob("**/ChannelAttribution*/Data.csv")]
    if not candidates:
        fail("ChannelAttribution's Data.csv not found next to the package")
    return pd.read_csv(candidates[0], sep=";")


def quiet(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return func(*args, **kwargs)


def table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=False)]
    fmt = " | ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*head), "-+-".join("-" * w for w in widths)]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(lines)


def counts_from(df: pd.DataFrame) -> PathCounts:
    return PathCounts.from_records(
        df["path"].tolist(),
        df["total_conversions"].tolist(),
        df["total_conversion_value"].tolist(),
        df["total_null"].tolist(),
    )


def check_heuristics(ca: Any, df: pd.DataFrame, label: str) -> float:
    """Section 1: max |smmkit - ChannelAttribution| (or - the reference, without it)."""
    counts = counts_from(df)
    reference = reference_heuristics(df)
    total_c = float(df["total_conversions"].sum())
    total_v = float(df["total_conversion_value"].sum())
    theirs = None
    if ca is not None:
        theirs = quiet(
            ca.heuristic_models,
            df,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            flg_pro=False,
        ).set_index("channel_name")
    rows = []
    worst = 0.0
    for ours, name in (
        ("first_touch", "first_touch"),
        ("last_touch", "last_touch"),
        ("linear", "linear_touch"),
    ):
        result = attribute(counts, model=ours)
        ref = reference[ours]
        both = {*ref, *(c.channel for c in result.channels)}
        ref_c = max(abs(result.credit(ch).conversions - ref.get(ch, (0.0, 0.0))[0]) for ch in both)
        ref_v = max(abs(result.credit(ch).value - ref.get(ch, (0.0, 0.0))[1]) for ch in both)
        sum_c = abs(math.fsum(c.conversions for c in result.channels) - total_c)
        sum_v = abs(math.fsum(c.value for c in result.channels) - total_v)
        if max(ref_c, ref_v) > HEURISTIC_TOL or max(sum_c, sum_v) > HEURISTIC_TOL * max(
            total_c, total_v, 1.0
        ):
            fail(
                f"{ours}: smmkit vs the plain-Python reference: max |diff| conversions "
                f"{ref_c:.2e}, value {ref_v:.2e}; credits sum off the totals by {sum_c:.2e}, "
                f"{sum_v:.2e} (tolerance {HEURISTIC_TOL:g})"
            )
        if theirs is None:
            diff_c, diff_v = ref_c, ref_v
        else:
            diff_c = max(
                abs(result.credit(ch).conversions - theirs.loc[ch, f"{name}_conversions"])
                for ch in theirs.index
            )
            diff_v = max(
                abs(result.credit(ch).value - theirs.loc[ch, f"{name}_value"])
                for ch in theirs.index
            )
        worst = max(worst, diff_c, diff_v)
        rows.append(
            [
                ours,
                f"{diff_c:.2e}",
                f"{diff_v:.2e}",
                "yes" if max(diff_c, diff_v) <= HEURISTIC_TOL else "NO",
            ]
        )
    if theirs is None:
        print(
            f"\n1. Heuristic models vs a plain-Python reference ({label}; "
            "ChannelAttribution skipped)"
        )
    else:
        print(f"\n1. Heuristic models vs ChannelAttribution.heuristic_models ({label})")
    print(table(["model", "max |diff| conversions", "max |diff| value", "<= 1e-9"], rows))
    if worst > HEURISTIC_TOL:
        fail(f"heuristic credits differ from ChannelAttribution's by {worst:.2e} > 1e-9")
    return worst


def ranking_conflict(ours: Attribution, theirs: Sequence[str], top: int) -> str | None:
    """A pair ChannelAttribution orders against smmkit although their smmkit credits differ
    by more than ``PEER_CREDIT_TOL`` of the total (closer pairs may swap under simulation)."""
    credit = {c.channel: c.conversions for c in ours.channels}
    position = {ch: i for i, ch in enumerate(theirs)}
    margin = PEER_CREDIT_TOL * ours.total_conversions
    for a in (*ours.ranking()[:top], *theirs[:top]):
        for b, credit_b in credit.items():
            if credit.get(a, 0.0) - credit_b > margin and position.get(a, math.inf) > position.get(
                b, math.inf
            ):
                return f"{a} ({credit.get(a, 0.0):.1f}) after {b} ({credit_b:.1f})"
    return None


def check_markov(
    ca: Any, demo: pd.DataFrame, label: str, sims: tuple[float, ...] = (1e5, 1e6, 1e7)
) -> None:
    counts = counts_from(demo)
    ours = attribute(counts, model="markov")
    observed = float(demo["total_conversions"].sum()) / float(
        demo["total_conversions"].sum() + demo["total_null"].sum()
    )
    (exact_p, _), exact = exact_removal_effects(exact_paths(demo))
    exact_re = {ch: re for ch, (re, _) in exact.items()}
    if exact_p != observed_rate(demo):
        fail(f"rational solve: P(conversion) {exact_p} is not the observed rate")
    if ours.conversion_probability is None or abs(
        ours.conversion_probability - float(exact_p)
    ) > BOUND * float(exact_p):
        fail(f"smmkit's P(conversion) {ours.conversion_probability!r} vs exact {float(exact_p)!r}")
    if set(ours.ranking()) != set(exact):
        fail(f"markov credits {sorted(ours.ranking())}, the rational solve {sorted(exact)}")
    for ch, (exact_c, exact_v) in exact.items():
        credit = ours.credit(ch)
        err = abs((credit.removal_effect or 0.0) - float(exact_c))
        err_value = abs((credit.value_removal_effect or 0.0) - float(exact_v))
        if max(err, err_value) > BOUND:
            fail(
                f"order 1, {ch}: smmkit removal effects {credit.removal_effect!r}, "
                f"{credit.value_removal_effect!r} vs exact {float(exact_c)!r}, {float(exact_v)!r}"
            )
    results = {}
    for nsim in sims if ca is not None else ():
        t = time.perf_counter()
        out = quiet(
            ca.markov_model,
            demo,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            var_null="total_null",
            out_more=True,
            nsim_start=nsim,
            verbose=0,
            flg_pro=False,
        )
        results[nsim] = (out, time.perf_counter() - t)
    if ca is None:
        print(f"\n2. First-order Markov: exactness ({label}; ChannelAttribution skipped)")
    else:
        print(f"\n2. First-order Markov: exactness and ranking ({label})")
    print(
        f"   P(conversion): smmkit {ours.conversion_probability!r}, exact rational "
        f"{float(exact_p)!r}, observed rate {observed!r}"
    )
    if ca is None:
        print_markov_alone(ours, exact)
        return
    rows = []
    err_ours = 0.0
    err_ca = dict.fromkeys(results, 0.0)
    err_value = 0.0
    top_sim = max(results)
    ca_value = results[top_sim][0]["removal_effects"].set_index("channel_name")
    for ch in ours.ranking():
        ca_re = [
            results[n][0]["removal_effects"]
            .set_index("channel_name")
            .loc[ch, "removal_effects_conversion"]
            for n in results
        ]
        re = ours.credit(ch).removal_effect or 0.0
        vre = ours.credit(ch).value_removal_effect or 0.0
        ca_vre = float(ca_value.loc[ch, "removal_effects_conversion_value"])
        err_ours = max(err_ours, abs(re - float(exact_re[ch])))
        err_value = max(err_value, abs(vre - ca_vre))
        for n, v in zip(results, ca_re, strict=True):
            err_ca[n] = max(err_ca[n], abs(v - float(exact_re[ch])))
        rows.append(
            [
                ch,
                f"{float(exact_re[ch]):.6f}",
                f"{re:.6f}",
                *(f"{v:.6f}" for v in ca_re),
                f"{vre:.4f}",
                f"{ca_vre:.4f}",
            ]
        )
    print(
        table(
            [
                "channel",
                "exact RE",
                "smmkit RE",
                *(f"CA RE nsim={n:.0e}" for n in results),
                "smmkit value RE",
                f"CA value RE {top_sim:.0e}",
            ],
            rows,
        )
    )
    print(
        f"   max |smmkit - exact| = {err_ours:.1e}; max |CA - exact| = "
        + ", ".join(f"{err_ca[n]:.1e} (nsim {n:.0e}, {results[n][1]:.2f}s)" for n in results)
    )
    print(f"   value removal effects: max |smmkit - CA({top_sim:.0e})| = {err_value:.1e}")
    ca_default = results[1e5][0]["result"].set_index("channel_name")["total_conversions"]
    ca_rank = tuple(ca_default.sort_values(ascending=False).index)
    top = 5
    same = ours.ranking()[:top] == ca_rank[:top]
    print(
        f"   top {top} by attributed conversions: smmkit {ours.ranking()[:top]}, "
        f"ChannelAttribution {ca_rank[:top]} -> {'same' if same else 'DIFFERENT'}"
    )
    print(f"   full ranking identical: {ours.ranking() == ca_rank}")
    if max(*err_ca.values(), err_value) > PEER_RE_TOL:
        fail(
            f"ChannelAttribution's removal effects off the exact ones by "
            f"{max(err_ca.values()):.1e} (value {err_value:.1e}) > {PEER_RE_TOL}"
        )
    conflict = ranking_conflict(ours, ca_rank, top)
    if conflict is not None:
        fail(f"order 1: ChannelAttribution ranks {conflict} beyond the tolerance")


def print_markov_alone(ours: Attribution, exact: dict[str, tuple[Fraction, Fraction]]) -> None:
    """Section 2's table without ChannelAttribution: smmkit against the rational solve."""
    rows = []
    err_ours = err_value = 0.0
    for ch in ours.ranking():
        re = ours.credit(ch).removal_effect or 0.0
        vre = ours.credit(ch).value_removal_effect or 0.0
        err_ours = max(err_ours, abs(re - float(exact[ch][0])))
        err_value = max(err_value, abs(vre - float(exact[ch][1])))
        rows.append(
            [
                ch,
                f"{float(exact[ch][0]):.6f}",
                f"{re:.6f}",
                SKIPPED,
                f"{float(exact[ch][1]):.4f}",
                f"{vre:.4f}",
                SKIPPED,
            ]
        )
    head = ["channel", "exact RE", "smmkit RE", "CA RE", "exact value RE", "smmkit value RE"]
    print(table([*head, "CA value RE"], rows))
    print(
        f"   max |smmkit - exact| = {err_ours:.1e} (value removal effects {err_value:.1e}); "
        f"max |CA - exact| {SKIPPED}"
    )


def journeys(demo: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """N individual journeys: a demo path each, converting with that path's observed rate."""
    rng = np.random.default_rng(seed)
    weight = (demo["total_conversions"] + demo["total_null"]).to_numpy(dtype=float)
    rows = rng.choice(len(demo), size=n, p=weight / weight.sum())
    conv_rate = demo["total_conversions"] / (demo["total_conversions"] + demo["total_null"])
    converted = rng.random(n) < conv_rate.to_numpy()[rows]
    value_per_conv = demo["total_conversion_value"] / demo["total_conversions"].where(
        demo["total_conversions"] > 0, 1
    )
    return pd.DataFrame(
        {
            "path": demo["path"].to_numpy()[rows],
            "total_conversions": converted.astype(int),
            "total_conversion_value": np.where(converted, value_per_conv.to_numpy()[rows], 0.0),
            "total_null": (~converted).astype(int),
        }
    )


def bench_speed(ca: Any, demo: pd.DataFrame, n: int, repeat: int) -> None:
    data = journeys(demo, n)
    columns = (
        data["path"].tolist(),
        data["total_conversions"].tolist(),
        data["total_conversion_value"].tolist(),
        data["total_null"].tolist(),
    )
    ours_times, ours_agg, ca_times, h_ours, h_ca = [], [], [], [], []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        counts = PathCounts.from_records(*columns)
        t1 = time.perf_counter()
        result = attribute(counts, model="markov")
        t2 = time.perf_counter()
        ours_times.append(t2 - t0)
        ours_agg.append(t1 - t0)
        if ca is not None:
            t0 = time.perf_counter()
            quiet(
                ca.markov_model,
                data,
                "path",
                "total_conversions",
                var_value="total_conversion_value",
                var_null="total_null",
                verbose=0,
                flg_pro=False,
            )
            ca_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        shared = PathCounts.from_records(*columns)  # CA also reads the data once for all three
        for model in ("first_touch", "last_touch", "linear"):
            attribute(shared, model=model)
        h_ours.append(time.perf_counter() - t0)
        if ca is not None:
            t0 = time.perf_counter()
            quiet(
                ca.heuristic_models,
                data,
                "path",
                "total_conversions",
                var_value="total_conversion_value",
                flg_pro=False,
            )
            h_ca.append(time.perf_counter() - t0)
    assert result is not None
    print(
        f"\n3. Speed: {n:,} journeys ({int(data['total_conversions'].sum()):,} conversions, "
        f"{data['path'].nunique():,} distinct paths), best of {repeat}"
    )

    def peer_cells(ours: list[float], theirs: list[float]) -> list[str]:
        if not theirs:
            return [SKIPPED, SKIPPED]
        return [f"{min(theirs):.2f}s", f"{min(ours) / min(theirs):.2f}x"]

    rows = [
        [
            "markov order 1",
            f"{min(ours_times):.2f}s (aggregate {min(ours_agg):.2f}s)",
            *peer_cells(ours_times, ca_times),
        ],
        ["heuristics (3 models)", f"{min(h_ours):.2f}s", *peer_cells(h_ours, h_ca)],
    ]
    print(table(["task", "smmkit (exact)", "ChannelAttribution (simulated)", "ratio"], rows))
    observed = float(data["total_conversions"].mean())
    print(f"   smmkit P(conversion) {result.conversion_probability:.6f} = observed {observed:.6f}")
    if abs((result.conversion_probability or 0.0) - observed) > 1e-12 * observed:
        fail(f"P(conversion) {result.conversion_probability!r} vs observed rate {observed!r}")


def ca_markov(ca: Any, data: pd.DataFrame, order: int) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = quiet(
        ca.markov_model,
        data,
        "path",
        "total_conversions",
        var_value="total_conversion_value",
        var_null="total_null",
        order=order,
        out_more=True,
        verbose=0,
        flg_pro=False,
    )
    return out


def timed(func: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    result = func()
    return time.perf_counter() - t, result


def bench_orders(ca: Any, data: pd.DataFrame, label: str, max_order: int, repeat: int) -> None:
    """Orders 1..max_order on ``data``: smmkit (as installed, pure Python) against CA."""
    columns = (
        data["path"].tolist(),
        data["total_conversions"].tolist(),
        data["total_conversion_value"].tolist(),
        data["total_null"].tolist(),
    )
    observed = float(data["total_conversions"].sum()) / float(
        data["total_conversions"].sum() + data["total_null"].sum()
    )
    rows = []
    for order in range(1, max_order + 1):

        def ours(order: int = order) -> Attribution:
            return attribute(PathCounts.from_records(*columns), model="markov", order=order)

        def theirs_run(order: int = order) -> dict[str, pd.DataFrame]:
            return ca_markov(ca, data, order)

        # one run per library in turn, `repeat` times, so load swings hit both alike
        t_auto: list[float] = []
        t_pure: list[float] = []
        t_ca: list[float] = []
        auto = pure = theirs = None
        for _ in range(repeat):
            markov._USE_NUMPY = True
            t, auto = timed(ours)
            t_auto.append(t)
            markov._USE_NUMPY = False
            t, pure = timed(ours)
            t_pure.append(t)
            markov._USE_NUMPY = True
            if ca is not None:
                t, theirs = timed(theirs_run)
                t_ca.append(t)
        assert isinstance(auto, Attribution) and isinstance(pure, Attribution)
        engines = max(
            abs((a.removal_effect or 0.0) - (pure.credit(a.channel).removal_effect or 0.0))
            for a in auto.channels
        )
        engines_value = max(
            abs(
                (a.value_removal_effect or 0.0)
                - (pure.credit(a.channel).value_removal_effect or 0.0)
            )
            for a in auto.channels
        )
        if max(engines, engines_value) > 2 * BOUND:
            fail(
                f"order {order}, {label}: numpy and pure-Python engines differ by {engines:.1e} "
                f"(value removal effects {engines_value:.1e}) > {2 * BOUND:g}"
            )
        for result in (auto, pure):
            p = result.conversion_probability or 0.0
            if abs(p - observed) > 1e-12 * observed:
                fail(f"order {order}, {label}: P(conversion) {p!r} vs observed {observed!r}")
        m_auto, m_pure = statistics.median(t_auto), statistics.median(t_pure)
        if theirs is None:
            rows.append(
                [
                    str(order),
                    f"{m_auto:.3f}s",
                    f"{m_pure:.3f}s",
                    *[SKIPPED] * 3,
                    f"{engines:.0e}",
                    SKIPPED,
                ]
            )
            continue
        assert isinstance(theirs, dict)
        removal = theirs["removal_effects"].set_index("channel_name")
        result = theirs["result"].set_index("channel_name")
        ca_err = max(
            abs(float(removal.loc[ch, "removal_effects_conversion"]) - (c.removal_effect or 0.0))
            for ch, c in ((c.channel, c) for c in auto.channels)
            if ch in removal.index
        )
        ca_conv = max(
            abs(float(result.loc[ch, "total_conversions"]) - c.conversions)
            for ch, c in ((c.channel, c) for c in auto.channels)
            if ch in result.index
        ) / max(auto.total_conversions, 1e-300)
        ca_rank = tuple(result["total_conversions"].sort_values(ascending=False).index)
        same = "same" if auto.ranking()[:6] == ca_rank[:6] else "DIFFERENT"
        m_ca = statistics.median(t_ca)
        rows.append(
            [
                str(order),
                f"{m_auto:.3f}s ({m_auto / m_ca:.2f}x)",
                f"{m_pure:.3f}s ({m_pure / m_ca:.2f}x)",
                f"{m_ca:.3f}s",
                f"{ca_err:.1e}",
                f"{ca_conv:.1e}",
                f"{engines:.0e}",
                same,
            ]
        )
        if ca_err > PEER_RE_TOL or ca_conv > PEER_CREDIT_TOL:
            fail(
                f"order {order}, {label}: ChannelAttribution's removal effects off smmkit's by "
                f"{ca_err:.1e} (> {PEER_RE_TOL}?), credits by {ca_conv:.1e} of the total "
                f"(> {PEER_CREDIT_TOL}?)"
            )
        conflict = ranking_conflict(auto, ca_rank, 6)
        if conflict is not None:
            fail(f"order {order}, {label}: ChannelAttribution ranks {conflict} beyond tolerance")
    if ca is None:
        how = "smmkit exact; ChannelAttribution skipped"
    else:
        how = "smmkit exact, ChannelAttribution simulated at its default nsim"
    print(f"\n4. Markov orders 1..{max_order}, {label}: median of {repeat} runs each ({how})")
    x_ca = "" if ca is None else " (x CA)"
    print(
        table(
            [
                "order",
                f"smmkit as installed{x_ca}",
                f"smmkit pure Python{x_ca}",
                "ChannelAttribution",
                "CA max |RE error|",
                "CA max |credit error| / total",
                "|numpy - pure|",
                "top-6 ranking",
            ],
            rows,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--max-order", type=int, default=4)
    parser.add_argument("--quick", action="store_true", help="100,000 journeys, one run")
    args = parser.parse_args()
    journeys_n = args.journeys or (100_000 if args.quick else 1_000_000)
    repeat = args.repeat or (1 if args.quick else 3)
    ca = peer("ChannelAttribution", quiet_import=True)
    if ca is None:
        demo, name = stand_in(), "stand-in data"
    else:
        demo, name = load_demo(ca), "demo data"
    label = f"{name}, {len(demo):,} paths"
    worst = check_heuristics(ca, demo, label)
    check_markov(ca, demo, name, (1e5, 1e6) if args.quick else (1e5, 1e6, 1e7))
    chains, engines, err = check_small_chains(demo, args.max_order)
    if ca is None:
        print(
            f"   orders 1..{args.max_order} on {chains} small chains: engines "
            f"{', '.join(engines)} within {err:.1e} of the rational solve (bound {BOUND:g})"
        )
    bench_speed(ca, demo, journeys_n, repeat)
    bench_orders(ca, demo, f"{name} ({len(demo):,} paths)", args.max_order, repeat)
    bench_orders(ca, journeys(demo, journeys_n), f"{journeys_n:,} journeys", args.max_order, repeat)
    print(f"\nheuristics max |diff| {worst:.2e} ({'PASS' if worst <= 1e-9 else 'FAIL'} at 1e-9)")
    print("Machine: 2 cores shared with other engineers; times are wall clock.")


if __name__ == "__main__":
    main()
