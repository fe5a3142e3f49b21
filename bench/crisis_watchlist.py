"""Watchlist matching: smmkit's automaton vs pyahocorasick vs a flat ``re`` alternation.

A 1,000-term watchlist (Chinese and English terms) runs over N synthetic comments of
about 60 characters, mixed Chinese and English. Every engine must report the same
matches; the table gives comments per second. Run:

    python bench/crisis_watchlist.py            # 1,000,000 comments
    python bench/crisis_watchlist.py --n 100000
    python bench/crisis_watchlist.py --quick    # 20,000 comments, re on 2,500

The ``re`` alternation tries every alternative at each position, so it is by far the
slowest engine (2.5 to 5 minutes for 1,000,000 comments on a shared 2-core machine); by
default it runs over the first ``--re-n`` comments (100,000) and the ratio compares rates
per comment. ``--re-n 0`` runs it over everything. The engines run interleaved, chunk by
chunk in rotating order, so that load from other work on a shared machine hits each alike.
Without pyahocorasick (``pip install -e '.[bench]'``) its two rows are skipped. The script
fails if two engines report different matches.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import time
from collections.abc import Callable

from _common import fail, peer

from smmkit.crisis import Watchlist, WatchTerm
from smmkit.crisis._normalize import fold

HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线"
    "内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并"
    "提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见"
    "计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质敏肤脸痒红肿痛霜乳膏护"
)
LATIN = "abcdefghijklmnopqrstuvwxyz"
EN_WORDS = [
    "the",
    "this",
    "product",
    "skin",
    "cream",
    "face",
    "really",
    "love",
    "hate",
    "bad",
    "good",
    "after",
    "using",
    "my",
    "your",
    "with",
    "for",
    "and",
    "but",
    "not",
    "very",
    "so",
    "ok",
    "lol",
    "wow",
    "delivery",
    "price",
    "service",
    "order",
    "store",
    "again",
    "never",
    "always",
    "buy",
    "bought",
    "return",
    "refund",
    "quality",
    "smell",
    "texture",
    "bottle",
    "box",
    "fast",
    "slow",
    "nice",
]


def make_terms(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct terms, none a prefix of another (so ``re`` can find them all)."""
    terms: set[str] = set()
    while len(terms) < count * 2:
        if rng.random() < 0.6:
            terms.add("".join(rng.choice(HAN) for _ in range(rng.randint(2, 4))))
        else:
            terms.add("".join(rng.choice(LATIN) for _ in range(rng.randint(4, 9))))
    ordered = sorted(terms)
    # Drop any term that is a prefix of the next one in sorted order.
    kept = [t for t, nxt in zip(ordered, [*ordered[1:], ""], strict=True) if not nxt.startswith(t)]
    rng.shuffle(kept)
    return kept[:count]


def make_comments(rng: random.Random, terms: list[str], count: int) -> list[str]:
    """Comments of about 60 characters; about a third carry one or two terms."""
    out = []
    for _ in range(count):
        parts: list[str] = []
        size = 0
        while size < 60:
            if rng.random() < 0.55:
                piece = "".join(rng.choice(HAN) for _ in range(rng.randint(3, 10)))
            else:
                piece = " " + rng.choice(EN_WORDS) + " "
            parts.append(piece)
            size += len(piece)
        if rng.random() < 0.33:
            for _ in range(rng.randint(1, 2)):
                term = rng.choice(terms)
                if rng.random() < 0.3:
                    term = term.upper()  # case folding must still find it
                parts.insert(rng.randrange(len(parts) + 1), term)
        out.append("".join(parts))
    return out


Found = tuple[int, int, int, str]  # comment index, start, end, term


def run_smmkit(wl: Watchlist, comments: list[str], base: int) -> list[Found]:
    found = []
    for i, text in enumerate(comments, base):
        for m in wl.scan(text):
            found.append((i, m.start, m.end, m.alias))
    return found


def make_raw_pyahocorasick(terms: list[str]) -> Callable[[list[str], int], list[Found]]:
    import ahocorasick  # only called when peer("ahocorasick") found it

    automaton = ahocorasick.Automaton()
    for term in terms:
        automaton.add_word(term, (len(term), term))
    automaton.make_automaton()

    def run(comments: list[str], base: int) -> list[Found]:
        found = []
        for i, text in enumerate(comments, base):
            folded = text.lower()
            for end, (n, term) in automaton.iter(folded):
                found.append((i, end + 1 - n, end + 1, term))
        return found

    return run


def make_re(terms: list[str]) -> Callable[[list[str], int], list[Found]]:
    # A zero-width lookahead reports overlapping matches; terms are prefix-free, so at
    # most one term can start at any position.
    pattern = re.compile("(?=(" + "|".join(map(re.escape, terms)) + "))")

    def run(comments: list[str], base: int) -> list[Found]:
        found = []
        for i, text in enumerate(comments, base):
            folded = text.lower()
            for m in pattern.finditer(folded):
                s = m.start(1)
                found.append((i, s, s + len(m.group(1)), m.group(1)))
        return found

    return run


def digest(found: list[Found]) -> str:
    h = hashlib.sha256()
    for item in found:
        h.update(repr(item).encode())
    return h.hexdigest()[:16]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--terms", type=int, default=1000)
    parser.add_argument("--re-n", type=int, default=100_000, help="0: all comments")
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="20,000 comments, re on 2,500")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.re_n, args.chunk = 20_000, 2_500, 2_500
    rng = random.Random(20261126)
    terms = make_terms(rng, args.terms)
    t0 = time.perf_counter()
    comments = make_comments(rng, terms, args.n)
    chars = sum(map(len, comments))
    print(
        f"{len(terms)} terms, {len(comments):,} comments, {chars / len(comments):.1f} chars avg"
        f" (generated in {time.perf_counter() - t0:.1f}s)"
    )
    watch = [WatchTerm(name=t, whole_word=False) for t in terms]
    folded_terms = [fold(t) for t in terms]
    wl_py = Watchlist(watch, accelerator="python")
    re_n = args.re_n or len(comments)
    engines: dict[str, Callable[[list[str], int], list[Found]]] = {
        "smmkit pure Python": lambda part, base: run_smmkit(wl_py, part, base),
    }
    if peer("ahocorasick", "pip install -e '.[bench]' (pyahocorasick)") is not None:
        wl_c = Watchlist(watch, accelerator="pyahocorasick")
        engines["smmkit + pyahocorasick"] = lambda part, base: run_smmkit(wl_c, part, base)
        engines["raw pyahocorasick"] = make_raw_pyahocorasick(folded_terms)
    engines["flat re alternation"] = make_re(folded_terms)
    found: dict[str, list[Found]] = {name: [] for name in engines}
    secs = dict.fromkeys(engines, 0.0)
    done = dict.fromkeys(engines, 0)
    # Interleave the engines chunk by chunk, rotating the order, so that load from
    # other work on this shared machine hits every engine alike.
    chunk = args.chunk
    names = list(engines)
    for k, base in enumerate(range(0, len(comments), chunk)):
        part = comments[base : base + chunk]
        order = names[k % len(names) :] + names[: k % len(names)]
        for name in order:
            if name == "flat re alternation" and base >= re_n:
                continue
            t = time.perf_counter()
            found[name].extend(engines[name](part, base))
            secs[name] += time.perf_counter() - t
            done[name] += len(part)
    rows = [
        (
            name,
            done[name],
            secs[name],
            done[name] / secs[name],
            len(found[name]),
            digest(found[name]),
        )
        for name in names
    ]
    r_py, r_re = found["smmkit pure Python"], found["flat re alternation"]
    same = all(found[name] == r_py for name in names if "pyahocorasick" in name)
    same_re = sorted(f for f in r_py if f[0] < done["flat re alternation"]) == sorted(r_re)
    print()
    print("| engine | comments | seconds | comments/s | matches | digest |")
    print("|---|---:|---:|---:|---:|---|")
    for name, n, secs, rate, count, dig in rows:
        print(f"| {name} | {n:,} | {secs:.1f} | {rate:,.0f} | {count:,} | {dig} |")
    rate = {r[0]: r[3] for r in rows}
    print()
    if "raw pyahocorasick" in rate:
        print(f"same matches (smmkit python == smmkit C == raw pyahocorasick): {same}")
    print(
        f"same matches (re alternation, first {done['flat re alternation']:,} comments): {same_re}"
    )
    print(f"pure Python vs re: {rate['smmkit pure Python'] / rate['flat re alternation']:.1f}x")
    if "raw pyahocorasick" in rate:
        print(
            "raw pyahocorasick vs smmkit + pyahocorasick: "
            f"{rate['raw pyahocorasick'] / rate['smmkit + pyahocorasick']:.2f}x"
        )
    if not (same and same_re):
        fail("the engines report different matches")


if __name__ == "__main__":
    main()
