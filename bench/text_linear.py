"""Time every public text function from 1 KB to 1 MB: the growth per 10x must be ~10x.

Issue 16 (item 1): no input may cost more than linear time. Each function runs on
ordinary text and on the inputs that used to be quadratic or worse (a Mastodon
``@aaaa…`` with no domain, runs of regional indicators, ``a-a-a-…`` with no TLD, long
scheme-less domains, LinkedIn markup, long thread bodies) at 1 KB, 10 KB, 100 KB and
1 MB. The table gives the time at each size and the growth from one size to the next:
linear is about 10x, quadratic 100x. Times under a millisecond make noisy ratios.

Run: python bench/text_linear.py [--quick]   (--quick stops at 100 KB)
"""

from __future__ import annotations

import gc
import platform
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from smmkit.catalog import get_platform_spec
from smmkit.content import adapt, render_adaptations
from smmkit.content._markup import html_text
from smmkit.models import ContentPiece
from smmkit.text import (
    bluesky_facets,
    convert_topics,
    count_length,
    cut_points,
    escape_little,
    extract_entities,
    grapheme_boundaries,
    grapheme_count,
    graphemes,
    measure,
    split_thread,
    to_little,
    truncate,
    unescaped_little,
)

RI = "\U0001f1e6\U0001f1e8"
PROSE = "Tea time is here. Cold brew takes three minutes, and the office loves it. "
MIXED = "Tea #tea @lin https://ex.com/a 😀 下午三点喝茶。 $TEA see x.com/menu. "
CJK = "下午三点，给自己泡一杯冷泡茶。我们的新品今天正式上市，欢迎品尝！"


def sized(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def at_a(n: int) -> str:
    return "@" + "a" * (n - 1)


def no_tld(n: int) -> str:
    return sized("a-", n - 4) + ".com"


def long_domains(n: int) -> str:
    return sized("a." * 200 + "中.com ", n)


def flags(n: int) -> str:
    return sized(RI, n)


def piece(n: int) -> ContentPiece:
    return ContentPiece(id="bench", body=sized(PROSE + "#tea ", n))


# (function, input kind, builder, call)
CASES: list[tuple[str, str, Callable[[int], Any], Callable[[Any], object]]] = [
    ("measure mastodon", "@aaa… (no domain)", at_a, lambda s: measure(s, "mastodon")),
    ("measure mastodon", "mixed", lambda n: sized(MIXED, n), lambda s: measure(s, "mastodon")),
    ("measure x", "a-a-…-.com", no_tld, lambda s: measure(s, "x")),
    ("measure x", "long scheme-less domains", long_domains, lambda s: measure(s, "x")),
    ("measure x", "mixed", lambda n: sized(MIXED, n), lambda s: measure(s, "x")),
    ("measure bluesky", "regional indicators", flags, lambda s: measure(s, "bluesky")),
    ("measure weibo", "CJK", lambda n: sized(CJK, n), lambda s: measure(s, "weibo")),
    (
        "count_length wecom",
        "mixed",
        lambda n: sized(MIXED, n),
        lambda s: count_length(s, get_platform_spec("wecom")),
    ),
    ("graphemes", "regional indicators", flags, graphemes),
    ("grapheme_count", "regional indicators", flags, grapheme_count),
    ("grapheme_boundaries", "mixed", lambda n: sized(MIXED, n), grapheme_boundaries),
    ("cut_points", "a-a-…-.com", no_tld, cut_points),
    ("extract_entities", "mixed", lambda n: sized(MIXED, n), extract_entities),
    ("extract_entities", "long scheme-less domains", long_domains, extract_entities),
    ("bluesky_facets", "mixed", lambda n: sized(MIXED, n), bluesky_facets),
    (
        "convert_topics",
        "tags",
        lambda n: sized("#办公室茶# #tea ", n),
        lambda s: convert_topics(s, "xiaohongshu"),
    ),
    ("escape_little", "*_ markup", lambda n: sized("*_", n), escape_little),
    ("to_little", "*_ markup", lambda n: sized("*_", n), to_little),
    ("to_little", "links, tags, mentions", lambda n: sized("(a) #b x.com @c *_ ", n), to_little),
    (
        "unescaped_little",
        "links, tags, markup",
        lambda n: sized("#a_b x.com *_ \\( ", n),
        unescaped_little,
    ),
    ("html_text", "unclosed <p>", lambda n: sized("<p>", n), html_text),
    ("truncate mastodon", "@aaa… (no domain)", at_a, lambda s: truncate(s, "mastodon")),
    (
        "truncate x keep_entities",
        "prose with tags",
        lambda n: sized("Tea time #tea is here. ", n),
        lambda s: truncate(s, "x", keep_entities=True),
    ),
    ("split_thread x", "prose", lambda n: sized(PROSE, n), lambda s: split_thread(s, "x")),
    ("split_thread x", "mixed", lambda n: sized(MIXED, n), lambda s: split_thread(s, "x")),
    (
        "split_thread weibo",
        "CJK, no spaces",
        lambda n: sized(CJK, n),
        lambda s: split_thread(s, "weibo"),
    ),
    ("split_thread x", "no spaces", lambda n: "a" * n, lambda s: split_thread(s, "x")),
    ("split_thread x", "regional indicators", flags, lambda s: split_thread(s, "x")),
    ("split_thread bluesky", "regional indicators", flags, lambda s: split_thread(s, "bluesky")),
    (
        "render_adaptations x",
        "regional indicators",
        flags,
        lambda s: render_adaptations(s, ["x"]),
    ),
    ("adapt x", "long body", piece, lambda p: adapt(p, "x")),
    ("adapt x threads", "long body", piece, lambda p: adapt(p, "x", allow_threads=True)),
    ("adapt linkedin", "long body", piece, lambda p: adapt(p, "linkedin")),
]


def timed(call: Callable[[Any], object], arg: object) -> float:
    gc.collect()
    started = time.perf_counter()
    call(arg)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sizes = [1_000, 10_000, 100_000] if quick else [1_000, 10_000, 100_000, 1_000_000]
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    labels = ["1 KB", "10 KB", "100 KB", "1 MB"][: len(sizes)]
    head = f"{'function':<26}{'input':<26}" + "".join(f"{x:>10}" for x in labels)
    head += "".join(f"{'x' + str(i + 1):>7}" for i in range(len(sizes) - 1))
    print(head)
    worst = 0.0
    for name, kind, build, call in CASES:
        times = []
        for n in sizes:
            arg = build(n)
            # The best of a few runs: the machine is shared, and a pause is not growth.
            times.append(
                min(timed(call, arg) for _ in range(5 if n <= 10_000 else 3 if n <= 100_000 else 1))
            )
        ratios = [b / a if a > 0 else float("inf") for a, b in pairwise(times)]
        # Growth that matters is where the times are long enough to measure.
        big = [r for r, t in zip(ratios, times[1:], strict=True) if t >= 0.01]
        worst = max([worst, *big])
        row = f"{name:<26}{kind:<26}" + "".join(f"{t:>9.4f}s" for t in times)
        print(row + "".join(f"{r:>7.1f}" for r in ratios), flush=True)
    print(f"largest growth per 10x (times >= 10 ms): {worst:.1f} (linear ~10, quadratic ~100)")
    return 0 if worst < 50 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
