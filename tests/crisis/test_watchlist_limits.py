"""The accelerator cannot crash the interpreter: watch terms have a maximum length.

pyahocorasick frees its trie recursively, one C stack frame per character of the longest
pattern: a 1,000,000-character watch term ended the interpreter with SIGSEGV when the
watchlist was freed (and 2,000 characters did on Python's smallest thread stack). Terms
are bounded (``MAX_TERM_LENGTH``, 256 characters once folded) whichever automaton runs,
and blank terms are refused. The crash tests run in a subprocess, so a regression shows
as a failed test (a return code that is a signal) instead of a dead test run.
"""

from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys
from typing import Any

import pytest

from smmkit.crisis import TermKind, Watchlist, WatchTerm
from smmkit.crisis._automaton import MAX_PATTERN_LENGTH, AhoCorasick, CAhoCorasick
from smmkit.crisis.watchlist import MAX_TERM_LENGTH
from smmkit.exceptions import InvalidInputError

HAVE_C = importlib.util.find_spec("ahocorasick") is not None

#: Run in a fresh interpreter with the accelerator's name as argv[1].
CHILD = r"""
import gc
import sys
import threading

from smmkit.crisis import Watchlist, WatchTerm
from smmkit.crisis.watchlist import MAX_TERM_LENGTH
from smmkit.exceptions import InvalidInputError

accelerator = sys.argv[1]
huge = "a" * 1_000_000


def fields(make):
    try:
        make()
    except InvalidInputError as exc:
        return exc.fields
    raise SystemExit("a 1,000,000-character term was accepted")


assert fields(lambda: WatchTerm(name=huge)) == ("name",)
# A term that skipped validation is refused by the watchlist, naming the term's index.
unchecked = WatchTerm.model_construct(
    name="ok", aliases=("fine", huge), kind="other", category=None, whole_word=None
)
got = fields(lambda: Watchlist([WatchTerm(name="x"), unchecked], accelerator=accelerator))
assert got == ("terms.1.aliases.1",), got
if accelerator == "pyahocorasick":
    from smmkit.crisis._automaton import CAhoCorasick

    assert fields(lambda: CAhoCorasick(["b", huge])) == ("patterns.1",)
gc.collect()

# The longest terms allowed, built here and freed on a 64 KiB thread stack.
longest = [WatchTerm(name="b" * MAX_TERM_LENGTH), WatchTerm(name="炸" * MAX_TERM_LENGTH)]
box = [Watchlist(longest, accelerator=accelerator)]
assert len(box[0].scan(" " + "b" * MAX_TERM_LENGTH + " " + "炸" * MAX_TERM_LENGTH)) == 2


def free() -> None:
    box.pop()
    gc.collect()


threading.stack_size(64 * 1024)
worker = threading.Thread(target=free)
worker.start()
worker.join()
print("freed")
"""


def _run_child(accelerator: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, accelerator],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    "accelerator",
    [
        pytest.param(
            "pyahocorasick",
            marks=pytest.mark.skipif(not HAVE_C, reason="pyahocorasick is not installed"),
        ),
        "python",
    ],
)
def test_a_huge_term_cannot_crash_the_interpreter(accelerator: str) -> None:
    done = _run_child(accelerator)
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {done.stderr[-2000:]}"
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "freed"


def test_the_limit_is_what_the_accelerator_takes() -> None:
    assert MAX_TERM_LENGTH == MAX_PATTERN_LENGTH == 256


def _fields(make: Any) -> tuple[str, ...]:
    with pytest.raises(InvalidInputError) as info:
        make()
    return info.value.fields


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("a" * MAX_TERM_LENGTH, True),
        ("a" * (MAX_TERM_LENGTH + 1), False),
        ("Ａ" * MAX_TERM_LENGTH, True),  # full-width folds one to one
        ("爆 " * (MAX_TERM_LENGTH - 1) + "爆", True),  # spacers between are squeezed out
        ("爆 " * MAX_TERM_LENGTH + "爆", False),
    ],
)
def test_terms_are_measured_once_folded(name: str, ok: bool) -> None:
    if ok:
        assert WatchTerm(name=name).name == name
        return
    assert _fields(lambda: WatchTerm(name=name)) == ("name",)
    assert _fields(lambda: WatchTerm(name="x", aliases=("y", name))) == ("aliases",)


@pytest.mark.parametrize("blank", ["", " ", "\u200b", "\u3000\u200b", "\t\n"])
def test_blank_terms_are_refused(blank: str) -> None:
    assert _fields(lambda: WatchTerm(name=blank)) == ("name",)
    assert _fields(lambda: WatchTerm(name="x", aliases=(blank,))) == ("aliases",)
    unchecked = WatchTerm.model_construct(
        name="x", aliases=(blank,), kind=TermKind.OTHER, category=None, whole_word=None
    )
    assert _fields(lambda: Watchlist([unchecked], accelerator="python")) == ("terms.0.aliases.0",)


def test_unchecked_long_name_names_its_index() -> None:
    long_name = "z" * (MAX_TERM_LENGTH + 1)
    unchecked = WatchTerm.model_construct(
        name=long_name, aliases=(), kind=TermKind.RISK, category=None, whole_word=None
    )
    terms = [WatchTerm(name="a"), WatchTerm(name="b"), unchecked]
    for accelerator in ("python", "auto"):
        assert _fields(lambda: Watchlist(terms, accelerator=accelerator)) == ("terms.2.name",)  # noqa: B023


@pytest.mark.skipif(not HAVE_C, reason="pyahocorasick is not installed")
def test_the_c_automaton_refuses_long_patterns_itself() -> None:
    assert _fields(lambda: CAhoCorasick(["ok", "q" * (MAX_PATTERN_LENGTH + 1)])) == ("patterns.1",)
    assert CAhoCorasick(["q" * MAX_PATTERN_LENGTH]).find_all("q" * MAX_PATTERN_LENGTH) == [
        (0, MAX_PATTERN_LENGTH, 0)
    ]


def test_the_pure_automaton_keeps_long_patterns() -> None:
    # It frees without recursion; the sentiment lexicon's own entries go through it.
    long = "q" * 5_000
    assert AhoCorasick([long]).find_all(long) == [(0, 5_000, 0)]


def test_a_watchlist_at_the_limit_still_pickles_and_matches() -> None:
    term = WatchTerm(name="食品" * (MAX_TERM_LENGTH // 2), kind=TermKind.RISK)
    wl = Watchlist([term])
    back = pickle.loads(pickle.dumps(wl))
    text = "!" + term.name + "!"
    assert [m.term for m in back.scan(text)] == [term.name] == [m.term for m in wl.scan(text)]
