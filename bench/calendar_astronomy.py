"""Solar terms and lunar dates: smmkit's pure-Python astronomy against PyEphem and lunar_python.

    pip install -e '.[bench]'      # ephem, lunar_python, lunardate
    python bench/calendar_astronomy.py [--years 50] [--days 20000]
    python bench/calendar_astronomy.py --quick     # 5 years, 1,000 days

Two tasks, each timed cold (smmkit's per-year cache is bypassed):

* all 24 solar terms of ``--years`` consecutive years from 2000: smmkit (abridged VSOP87
  + Newton steps), PyEphem (C libastro, same root-finding loop), lunar_python (寿星
  algorithm, whole-year tables);
* Gregorian → Chinese date for ``--days`` consecutive days from 1990-02-01: smmkit
  (year structures computed from new moons, then looked up), lunardate (HKO tables),
  lunar_python.

The table also reports the largest solar-term difference from PyEphem, in seconds; the
script fails if it exceeds a minute or if a lunar date differs from a peer's.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import date, datetime, timedelta, timezone
from typing import Any

from _common import fail, peer

from smmkit.content.calendar import _lunar, _solar_terms
from smmkit.content.calendar._astro import jd_tt_to_utc, term_jde

UTC = timezone.utc
ephem: Any = None  # the peers, imported in main() when installed
lunar_python: Any = None
lunardate: Any = None


def smmkit_terms(years: range) -> list[datetime]:
    return [
        jd_tt_to_utc(term_jde(y, lon))
        for y in years
        for lon in (285, 300, 315, 330, 345, *range(0, 271, 15))
    ]


def _ephem_lon(moment: Any) -> float:
    sun = ephem.Sun(moment)
    eq = ephem.Equatorial(sun.ra, sun.dec, epoch=moment)
    return math.degrees(ephem.Ecliptic(eq, epoch=moment).lon)


def ephem_terms(guesses: list[datetime]) -> list[datetime]:
    found = []
    for i, guess in enumerate(guesses):
        lon = (285 + 15 * (i % 24)) % 360
        moment = ephem.Date(guess.replace(tzinfo=None) + timedelta(hours=6))
        for _ in range(30):
            diff = (lon - _ephem_lon(moment) + 180) % 360 - 180
            moment = ephem.Date(moment + diff * 365.2422 / 360)
            if abs(diff) < 1e-7:
                break
        found.append(moment.datetime().replace(tzinfo=UTC))
    return found


def lunar_python_terms(years: range) -> int:
    return sum(len(lunar_python.Lunar.fromYmd(y, 6, 1).getJieQiTable()) for y in years)


def smmkit_lunar(days: list[date]) -> list[tuple[int, int, int]]:
    _lunar._lunar_months.cache_clear()
    _lunar._sui.cache_clear()
    _solar_terms._solar_terms.cache_clear()
    out = []
    for d in days:
        ld = _lunar.to_lunar(d)
        out.append((ld.year, ld.month, ld.day))
    return out


def lunardate_lunar(days: list[date]) -> list[tuple[int, int, int]]:
    out = []
    for d in days:
        ld = lunardate.LunarDate.from_solar_date(d.year, d.month, d.day)
        out.append((ld.year, ld.month, ld.day))
    return out


def lunar_python_lunar(days: list[date]) -> list[tuple[int, int, int]]:
    out = []
    for d in days:
        lunar = lunar_python.Solar.fromYmd(d.year, d.month, d.day).getLunar()
        out.append((lunar.getYear(), abs(lunar.getMonth()), lunar.getDay()))
    return out


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> None:
    global ephem, lunar_python, lunardate
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=50)
    parser.add_argument("--days", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="5 years, 1,000 days")
    args = parser.parse_args(argv)
    if args.quick:
        args.years, args.days = 5, 1_000
    ephem, lunar_python, lunardate = peer("ephem"), peer("lunar_python"), peer("lunardate")
    years = range(2000, 2000 + args.years)
    n_terms = 24 * args.years
    days = [date(1990, 2, 1) + timedelta(days=i) for i in range(args.days)]

    t_smm, mine = timed(smmkit_terms, years)
    t_smm_l, a = timed(smmkit_lunar, days)
    rows = [(f"solar terms, {n_terms} ({args.years} years)", "smmkit", t_smm, n_terms)]
    if ephem is not None:
        t_eph, ref = timed(ephem_terms, mine)
        rows.append(("", "PyEphem", t_eph, n_terms))
    if lunar_python is not None:
        t_lp, _ = timed(lunar_python_terms, years)
        rows.append(("", "lunar_python", t_lp, n_terms))
    rows.append((f"Gregorian -> lunar, {args.days} days", "smmkit", t_smm_l, args.days))
    agree = {}
    if lunardate is not None:
        t_ld, b = timed(lunardate_lunar, days)
        rows.append(("", "lunardate", t_ld, args.days))
        agree["lunardate"] = sum(x == y for x, y in zip(a, b, strict=True))
    if lunar_python is not None:
        t_lp_l, c = timed(lunar_python_lunar, days)
        rows.append(("", "lunar_python", t_lp_l, args.days))
        agree["lunar_python"] = sum(x == y for x, y in zip(a, c, strict=True))

    print(f"{'task':44} {'library':14} {'seconds':>8} {'per item':>10}")
    for task, lib, secs, n in rows:
        print(f"{task:44} {lib:14} {secs:8.3f} {secs / n * 1e6:8.1f} us")
    if ephem is not None:
        worst = max(abs((x - y).total_seconds()) for x, y in zip(mine, ref, strict=True))
        print(f"largest solar-term difference from PyEphem: {worst:.0f} s")
        if worst > 60:
            fail(f"a solar term is {worst:.0f} s from PyEphem's (more than a minute)")
    if agree:
        print(
            "lunar dates equal to "
            + ", to ".join(f"{name}: {same}/{args.days}" for name, same in agree.items())
        )
        if min(agree.values()) < args.days:
            fail("a lunar date differs from a peer's")


if __name__ == "__main__":
    main()
