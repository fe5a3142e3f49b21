"""No text function costs more than linear time (issue 16, item 1).

Each public text function runs once on a 1 MB input built to hit the case that used to
be quadratic or worse (``measure("@" + "a" * 2000, "mastodon")`` took over 20 s; a
32,000-character ``split_thread`` took 14 s). The bound is a safety net against such
blow-ups on a slow shared machine, not a performance target: those live in
``bench/text_linear.py`` and docs/benchmarks.md. The same inputs at 10 KB are checked
against the functions' behaviour, so the fast paths are not fast by being wrong.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from smmkit.catalog import get_platform_spec
from smmkit.content._markup import html_text
from smmkit.models import Platform
from smmkit.text import (
    _thread,
    bluesky_facets,
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
    within_limit,
)

MB = 1_000_000
BOUND = 20.0  # seconds per call; a quadratic case takes hours at this size
RI = "\U0001f1e6\U0001f1e8"  # regional indicators: one flag
PROSE = "Tea time is here. Cold brew takes three minutes, and the office loves it. "


def _sized(unit: str, size: int) -> str:
    return unit * (size // len(unit))


# name -> (builder of an input of about ``size`` characters, the call)
CASES: dict[str, tuple[Callable[[int], str], Callable[[str], object]]] = {
    "mastodon remote mention": (lambda n: "@" + "a" * n, lambda s: measure(s, "mastodon")),
    "mastodon mentions chained": (lambda n: _sized("@a@", n), lambda s: measure(s, "mastodon")),
    "x domain run without a TLD": (lambda n: _sized("a-", n) + ".com", lambda s: measure(s, "x")),
    "x long scheme-less domains": (
        lambda n: _sized("a." * 1500 + "中.com ", n),
        lambda s: measure(s, "x"),
    ),
    "bluesky regional indicators": (lambda n: _sized(RI, n), lambda s: measure(s, "bluesky")),
    "graphemes regional indicators": (lambda n: _sized(RI, n), graphemes),
    "grapheme_count odd run": (lambda n: "a" + _sized(RI, n) + "\U0001f1e6", grapheme_count),
    "grapheme_boundaries": (lambda n: "x" + _sized(RI, n), grapheme_boundaries),
    "cut_points": (lambda n: _sized("a-", n) + ".com", cut_points),
    "extract_entities": (
        lambda n: _sized("Tea #tea @lin https://ex.com/a 😀 下午。 $TEA a.b.c.d ", n),
        extract_entities,
    ),
    "escape_little": (lambda n: _sized("*_", n), escape_little),
    "to_little markup": (lambda n: _sized("*_", n), to_little),
    "to_little entities": (lambda n: _sized("(a) #b x.com @c *_ ", n), to_little),
    "unescaped_little": (lambda n: _sized("#a_b x.com *_ \\( ", n), unescaped_little),
    "bluesky_facets": (lambda n: _sized("a.com #t @a.test (x ", n), bluesky_facets),
    "bluesky_facets CJK word": (lambda n: _sized("中a.b中https://a", n), bluesky_facets),
    "html_text unclosed": (lambda n: _sized("<p>", n), html_text),
    "within_limit": (lambda n: "@" + "a" * n, lambda s: within_limit(s, _mastodon())),
    "truncate mastodon": (lambda n: "@" + "a" * n, lambda s: truncate(s, "mastodon")),
    "truncate keep entities": (
        lambda n: _sized("Tea time #tea is here. ", n),
        lambda s: truncate(s, "x", keep_entities=True),
    ),
    "split_thread prose": (lambda n: _sized(PROSE, n), lambda s: split_thread(s, "mastodon")),
    "split_thread no spaces": (lambda n: "a" * n, lambda s: split_thread(s, "x")),
    # Each candidate part used to be counted in full: 1 MB of flags took over 40 s.
    "split_thread x flags": (lambda n: _sized(RI, n), lambda s: split_thread(s, "x")),
    "split_thread bluesky flags": (lambda n: _sized(RI, n), lambda s: split_thread(s, "bluesky")),
}


def _mastodon() -> Platform:
    return get_platform_spec("mastodon")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_one_megabyte_within_bound(name: str) -> None:
    build, call = CASES[name]
    text = build(MB)
    started = time.perf_counter()
    call(text)
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND, f"{name}: {elapsed:.1f} s on 1 MB"


def test_small_inputs_keep_their_meaning() -> None:
    # The 10 KB versions of the inputs above, with what each must give.
    assert measure("@" + "a" * 10_000, "mastodon").length == 10_001
    assert measure("@alice@" + "b" * 5000 + ".social", "mastodon").length == 6
    assert measure(_sized("a-", 10_000) + ".com", "x").length == 10_004
    flags = _sized(RI, 10_000)
    assert graphemes(flags) == (RI,) * 5000
    assert grapheme_count("a" + flags + "\U0001f1e6") == 5002
    assert grapheme_boundaries("x" + flags)[:4] == (0, 1, 3, 5)
    assert html_text("<p>" * 10 + "a</p><p>b") == "<p><p><p><p><p><p><p><p><p>a"
    assert unescaped_little("*_ #a_b") == (0, 1, 5)
    assert escape_little("*_") == "\\*\\_"
    urls = [e.text for e in extract_entities("a." * 1500 + "中.com see x.com/a")]
    assert urls == ["x.com/a"]


@pytest.mark.parametrize("platform", ["x", "weibo"])
def test_split_thread_windows_cut_as_the_whole_rest(
    platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parts are cut from windows of the rest; with windows off (every part cut from
    # the whole rest, as before) a long text with links, tags and closing hashtags
    # splits into exactly the same parts.
    text = _sized("Tea #tea time, see x.com/a and @lin. 下午三点喝茶！ Cold brew $TEA. ", 7000)
    text += "\n#tea #office"
    windowed = split_thread(text, platform)
    monkeypatch.setattr(_thread, "_WINDOW", 10**9)
    assert split_thread(text, platform) == windowed
    assert len(windowed) > 5
