"""Attribution: smmkit against ChannelAttribution (PyPI), in the same run.

    /work/venv/bin/pip install ChannelAttribution matplotlib
    /work/venv/bin/python bench/analytics_attribution.py [--journeys 1000000] [--repeat 3]

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
4. Markov orders 1..``--max-order`` on the demo data: time and top-6 ranking.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import pathlib
import time
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pandas as pd

from smmkit.analytics import PathCounts, attribute
from smmkit.analytics.attribution.markov import collapse_repeats

with contextlib.redirect_stdout(io.StringIO()):  # its import prints an advertisement
    import ChannelAttribution as CA


def load_demo() -> pd.DataFrame:
    """ChannelAttribution's bundled demo table, from the installed package."""
    root = pathlib.Path(CA.__file__).resolve().parent.parent
    candidates = [*root.glob("cypack/data/Data.csv"), *root.glob("**/ChannelAttribution*/Data.csv")]
    if not candidates:
        raise SystemExit("ChannelAttribution's Data.csv not found next to the package")
    return pd.read_csv(candidates[0], sep=";")


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
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


def check_heuristics(demo: pd.DataFrame) -> float:
    ca = quiet(
        CA.heuristic_models,
        demo,
        "path",
        "total_conversions",
        var_value="total_conversion_value",
        flg_pro=False,
    ).set_index("channel_name")
    counts = counts_from(demo)
    rows = []
    worst = 0.0
    for ours, theirs in (
        ("first_touch", "first_touch"),
        ("last_touch", "last_touch"),
        ("linear", "linear_touch"),
    ):
        result = attribute(counts, model=ours)
        diff_c = max(
            abs(result.credit(ch).conversions - ca.loc[ch, f"{theirs}_conversions"])
            for ch in ca.index
        )
        diff_v = max(
            abs(result.credit(ch).value - ca.loc[ch, f"{theirs}_value"]) for ch in ca.index
        )
        worst = max(worst, diff_c, diff_v)
        rows.append(
            [ours, f"{diff_c:.2e}", f"{diff_v:.2e}", "yes" if max(diff_c, diff_v) <= 1e-9 else "NO"]
        )
    print("\n1. Heuristic models vs ChannelAttribution.heuristic_models (demo data, 10,000 paths)")
    print(table(["model", "max |diff| conversions", "max |diff| value", "<= 1e-9"], rows))
    return worst


def exact_removal_effects(demo: pd.DataFrame) -> tuple[Fraction, dict[str, Fraction]]:
    """Order-1 removal effects in exact rational arithmetic (independent of smmkit's solver)."""
    counts: dict[str, dict[str, Fraction]] = {}
    for path, conv, nulls in zip(
        demo["path"], demo["total_conversions"], demo["total_null"], strict=True
    ):
        weight = Fraction(int(conv) + int(nulls))
        if weight == 0:
            continue
        seq = ["(start)", *collapse_repeats([p.strip() for p in path.split(">")])]
        for a, b in pairwise(seq):
            counts.setdefault(a, {}).setdefault(b, Fraction(0))
            counts[a][b] += weight
        end = counts.setdefault(seq[-1], {})
        end["(conversion)"] = end.get("(conversion)", Fraction(0)) + int(conv)
        end["(null)"] = end.get("(null)", Fraction(0)) + int(nulls)

    def solve(removed: str | None) -> Fraction:
        states = [s for s in counts if s != removed]
        idx = {s: i for i, s in enumerate(states)}
        n = len(states)
        m = [[Fraction(0)] * (n + 1) for _ in range(n)]
        for s in states:
            out = sum(counts[s].values())
            m[idx[s]][idx[s]] += 1
            for dst, c in counts[s].items():
                if dst == "(conversion)":
                    m[idx[s]][n] += c / out
                elif dst in idx:
                    m[idx[s]][idx[dst]] -= c / out
        for col in range(n):
            piv = next(r for r in range(col, n) if m[r][col] != 0)
            m[col], m[piv] = m[piv], m[col]
            for r in range(n):
                if r != col and m[r][col] != 0:
                    f = m[r][col] / m[col][col]
                    m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
        i = idx["(start)"]
        return m[i][n] / m[i][i]

    base = solve(None)
    channels = sorted({s for s in counts if s != "(start)"})
    return base, {ch: 1 - solve(ch) / base for ch in channels}


def check_markov(demo: pd.DataFrame) -> None:
    counts = counts_from(demo)
    ours = attribute(counts, model="markov")
    observed = float(demo["total_conversions"].sum()) / float(
        demo["total_conversions"].sum() + demo["total_null"].sum()
    )
    exact_p, exact_re = exact_removal_effects(demo)
    results = {}
    for nsim in (1e5, 1e6, 1e7):
        t = time.perf_counter()
        out = quiet(
            CA.markov_model,
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
    print("\n2. First-order Markov: exactness and ranking (demo data)")
    print(
        f"   P(conversion): smmkit {ours.conversion_probability!r}, exact rational "
        f"{float(exact_p)!r}, observed rate {observed!r}"
    )
    rows = []
    err_ours = 0.0
    err_ca = dict.fromkeys(results, 0.0)
    err_value = 0.0
    ca_value = results[1e7][0]["removal_effects"].set_index("channel_name")
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
                "CA RE nsim=1e5",
                "CA 1e6",
                "CA 1e7",
                "smmkit value RE",
                "CA value RE 1e7",
            ],
            rows,
        )
    )
    print(
        f"   max |smmkit - exact| = {err_ours:.1e}; max |CA - exact| = "
        + ", ".join(f"{err_ca[n]:.1e} (nsim {n:.0e}, {results[n][1]:.2f}s)" for n in results)
    )
    print(f"   value removal effects: max |smmkit - CA(1e7)| = {err_value:.1e}")
    ca_default = results[1e5][0]["result"].set_index("channel_name")["total_conversions"]
    ca_rank = tuple(ca_default.sort_values(ascending=False).index)
    top = 5
    same = ours.ranking()[:top] == ca_rank[:top]
    print(
        f"   top {top} by attributed conversions: smmkit {ours.ranking()[:top]}, "
        f"ChannelAttribution {ca_rank[:top]} -> {'same' if same else 'DIFFERENT'}"
    )
    print(f"   full ranking identical: {ours.ranking() == ca_rank}")


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


def bench_speed(demo: pd.DataFrame, n: int, repeat: int) -> None:
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
        t0 = time.perf_counter()
        quiet(
            CA.markov_model,
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
        t0 = time.perf_counter()
        quiet(
            CA.heuristic_models,
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
    rows = [
        [
            "markov order 1",
            f"{min(ours_times):.2f}s (aggregate {min(ours_agg):.2f}s)",
            f"{min(ca_times):.2f}s",
            f"{min(ours_times) / min(ca_times):.2f}x",
        ],
        [
            "heuristics (3 models)",
            f"{min(h_ours):.2f}s",
            f"{min(h_ca):.2f}s",
            f"{min(h_ours) / min(h_ca):.2f}x",
        ],
    ]
    print(table(["task", "smmkit (exact)", "ChannelAttribution (simulated)", "ratio"], rows))
    print(
        f"   smmkit P(conversion) {result.conversion_probability:.6f} = observed "
        f"{data['total_conversions'].mean():.6f}"
    )


def bench_orders(demo: pd.DataFrame, max_order: int) -> None:
    counts = counts_from(demo)
    rows = []
    for order in range(1, max_order + 1):
        t = time.perf_counter()
        ours = attribute(counts, model="markov", order=order)
        mine = time.perf_counter() - t
        t = time.perf_counter()
        theirs = quiet(
            CA.markov_model,
            demo,
            "path",
            "total_conversions",
            var_value="total_conversion_value",
            var_null="total_null",
            order=order,
            verbose=0,
            flg_pro=False,
        )
        ca_time = time.perf_counter() - t
        ca_rank = tuple(
            theirs.set_index("channel_name")["total_conversions"].sort_values(ascending=False).index
        )
        same = "same" if ours.ranking()[:6] == ca_rank[:6] else "DIFFERENT"
        rows.append([str(order), f"{mine:.2f}s", f"{ca_time:.2f}s", same])
    print("\n4. Markov orders 1..k on the demo data (smmkit exact, ChannelAttribution simulated)")
    print(table(["order", "smmkit", "ChannelAttribution", "top-6 ranking"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-order", type=int, default=4)
    args = parser.parse_args()
    demo = load_demo()
    worst = check_heuristics(demo)
    check_markov(demo)
    bench_speed(demo, args.journeys, args.repeat)
    bench_orders(demo, args.max_order)
    print(f"\nheuristics max |diff| {worst:.2e} ({'PASS' if worst <= 1e-9 else 'FAIL'} at 1e-9)")
    print("Machine: 2 cores shared with other engineers; times are wall clock.")


if __name__ == "__main__":
    main()
