"""URL recognition with twitter-text's rules (the rules X and Mastodon count by).

X counts every URL as 23 characters, including URLs written without a scheme when the
domain ends in a known TLD (``example.com/x``). What counts as "a URL" is therefore
part of the length rule, so this module implements twitter-text v3's URL grammar:

* a URL must follow a character that is not a letter, digit, ``@``, ``$`` or ``#``;
* the domain is made of labels of any characters except ASCII punctuation, spaces,
  directional marks and non-characters, and ends in a known TLD (or punycode);
* without a scheme only the ASCII part of the domain counts (``中文example.com`` holds
  the URL ``example.com``), and not after ``-``, ``_``, ``.`` or ``/``;
* paths allow balanced parentheses and must end in a letter, digit or ``+-=_#/``;
* a query string must end in a letter, digit or ``-_&=#/``;
* ``t.co`` links stop after their slug; the domain must be IDNA-encodable; URLs
  longer than 4096 characters (with scheme) are not URLs.

The stdlib ``re`` module is used on purpose: its case-insensitive character classes
are what twitter-text-parser uses, so both agree on odd input (Kelvin sign and friends).
Scanning is done only near a candidate ``.tld``, which keeps texts without URLs cheap.
"""

from __future__ import annotations

import re
from functools import lru_cache

from smmkit.text._data import COUNTRY_TLDS, GENERIC_TLDS

__all__ = ["UrlMatch", "find_urls"]

UrlMatch = tuple[int, int, str, bool]
"""``(start, end, url, has_scheme)`` with code-point offsets.

``url`` is twitter-text's reading of the URL: ``text[start:end]`` except when a
scheme-less domain had non-ASCII labels, where only the ASCII domain and the path are
kept (X then skips ``len(url)`` characters when it counts).
"""

_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066\u2067\u2068\u2069"
_SPACES = "\x09-\x0d\x20\x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# twitter-text's punctuation set (it leaves out '"' and '`', which may sit in a domain).
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CYRILLIC = "\u0400-\u04ff"

_DC = f"[^{_PUNCT}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_SUBDOMAIN = f"(?:(?:{_DC}(?:[_-]|{_DC})*)?{_DC}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DC}(?:-|{_DC})*)?{_DC}\\.)"
_TLD_END = "(?=[^0-9a-zA-Z@+-]|$)"


def _trie(words: tuple[str, ...]) -> str:
    """An alternation of ``words`` factored by prefix, trying longer words first.

    Equivalent to the flat alternation in reverse lexicographic order (longest of any
    prefix chain first), but it fails on the first character instead of trying 1,500
    TLDs one by one at every dot.
    """
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return "(?:" + emit(root) + ")"


_GTLD = "(?:" + _trie(GENERIC_TLDS) + _TLD_END + ")"
_CCTLD = "(?:" + _trie(COUNTRY_TLDS) + _TLD_END + ")"
_PUNYCODE = r"(?:xn--[\-0-9a-z]+)"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"
_PATH_CHAR = f"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
_PATH_END = f"(?:[+\\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|(?:{_PARENS}))"
_PATH = f"(?:(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END})|(?:@{_PATH_CHAR}+/))"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_PRECEDING = f"(?:[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]|^)"

_URL = re.compile(
    f"(?:{_PRECEDING})"
    f"((https?://)?({_DOMAIN})(?::[0-9]+)?(/{_PATH}*)?(\\?{_QUERY_CHAR}*{_QUERY_END})?)",
    re.IGNORECASE,
)
# Every URL contains ".tld" (or ".xn--"): a cheap test that rules most texts out.
_CANDIDATE = re.compile(f"\\.(?:{_GTLD}|{_CCTLD}|xn--)", re.IGNORECASE)
_ASCII_DOMAIN = re.compile(
    f"(?:(?:[\\-a-z0-9{_LATIN_ACCENTS}]+)\\.)+(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})",
    re.IGNORECASE,
)
_TCO = re.compile(f"^https?://t\\.co/([a-z0-9]+)(?:\\?{_QUERY_CHAR}*{_QUERY_END})?", re.IGNORECASE)
_NO_SCHEME_BAD_BEFORE = frozenset("-_./")
# Greedy: ends just after the last character that cannot be part of a domain run.
_LAST_BREAK = re.compile(
    "(?s).*[" + _PUNCT.replace(r"\-.", "").replace("_", "") + f"{_SPACES}{_INVALID}{_DIRECTIONAL}]"
)
_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_MAX_URL = 4096
_MAX_TCO_SLUG = 40

# Linear-time helpers. ``_URL.search`` tries every start in a run of domain characters
# and each try walks the run to its end, so a long run that holds no URL
# ("a-a-a-…-.com") costs the square of its length; so does ``_ASCII_DOMAIN.finditer``
# on a long domain. Texts with such a run take the exact search below.
_CHAIN = f"(?:{_DC}|[_.\\-])"
_CHAIN_RUN = re.compile(f"{_CHAIN}+", re.IGNORECASE)
_PLAIN_MAX = 512  # texts shorter than this take the plain search
_SEPARATORS = re.compile("[\x1c-\x1f]")
_LABEL_START = re.compile(r"[^_.\-]")
_TLD = re.compile(f"(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})", re.IGNORECASE)
_BEFORE_URL = re.compile(f"[^A-Za-z0-9@\uff20$#\uff03{_INVALID}]|[{_DIRECTIONAL}]", re.IGNORECASE)
_ASCII_LABEL = f"[\\-a-z0-9{_LATIN_ACCENTS}]"
_ASCII_CHAIN = re.compile(f"(?:{_ASCII_LABEL}+\\.)*{_ASCII_LABEL}*", re.IGNORECASE)


def _scan_start(text: str, dot: int, floor: int) -> int:
    """The earliest offset at which a URL whose domain holds ``text[dot]`` can match."""
    last_break = _LAST_BREAK.match(text, floor, dot)
    i = floor if last_break is None else last_break.end()
    for n in (8, 7):
        if i - n >= floor and _SCHEME.fullmatch(text, i - n, i):
            i -= n
            break
    return max(floor, i - 1)


@lru_cache(maxsize=4096)
def _idna_length(domain: str) -> int:
    """Length of the domain in IDNA (punycode) form, or -1 when it cannot be encoded."""
    # nameprep is slow on long non-ASCII labels and real texts repeat their domains.
    try:
        return len(domain.encode("idna"))
    except Exception:  # the codec raises several types; any failure means "not a URL"
        return -1


def _idna_ok(domain: str, url_len: int, scheme_len: int) -> bool:
    encoded = _idna_length(domain)
    if encoded <= 0:
        return False
    return scheme_len + url_len + encoded - len(domain) <= _MAX_URL


class _RunSearch:
    """``_URL.search`` in time linear in the text.

    A match at ``p`` needs a domain starting at ``d`` (``p + 1`` or ``p``, after an
    optional scheme). Which ``d`` can start a domain follows from the labels of each run
    of domain characters, read once from the right: a label continues a domain when its
    first and last characters are domain characters and it ends in a dot, and ends one
    when it also holds no ``_`` and a TLD follows the dot. Only positions that can start
    a domain are tried, so ``_URL.match`` succeeds at the first one tried. Runs are read
    as the searches reach them (their starts only grow).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs: list[tuple[int, int]] = []
        self.labels: dict[int, list[tuple[int, int]]] = {}
        self.scanned = 0  # runs are known up to here
        self.first = 0  # runs before this one end before every later search

    def _run(self, k: int, start: int) -> tuple[int, int] | None:
        while len(self.runs) <= k:
            m = _CHAIN_RUN.search(self.text, max(self.scanned, start))
            if m is None:
                return None
            self.runs.append(m.span())
            self.scanned = m.end()
        return self.runs[k]

    def _domain_starts(self, i: int) -> list[tuple[int, int]]:
        """Intervals ``[lo, hi)`` of run ``i`` whose domain characters start a domain."""
        found = self.labels.get(i)
        if found is not None:
            return found
        text = self.text
        start, end = self.runs[i]
        bounds = []
        a = start
        while (dot := text.find(".", a, end)) >= 0:
            bounds.append((a, dot))
            a = dot + 1
        bounds.append((a, end))
        out: list[tuple[int, int]] = []
        continues = False  # the label after this one starts a full domain
        for a, b in reversed(bounds):
            dotted = b < end
            good_end = b > a and text[b - 1] not in "_-" and dotted
            full = False
            if good_end:
                tld = _TLD.match(text, b + 1) is not None
                underscore = text.rfind("_", a, b)
                if continues:
                    out.append((a, b))
                    full = text[a] not in "_-"
                elif tld:
                    out.append((max(a, underscore + 1), b))
                    full = text[a] not in "_-" and underscore < a
            continues = full
        out.reverse()
        self.labels[i] = out
        return out

    def _position(self, d: int, start: int) -> int | None:
        """The first offset (not before ``start``) where a match whose domain starts
        at ``d`` can begin: before a scheme that ends at ``d``, else just before ``d``."""
        text = self.text
        if text.endswith("://", 0, d):
            for n in (8, 7):
                u = d - n
                if u >= 0 and _SCHEME.fullmatch(text, u, d):
                    if u == 0 and start == 0:
                        return 0
                    if u - 1 >= start and _BEFORE_URL.match(text, u - 1):
                        return u - 1
        if d == 0 and start == 0:
            return 0
        if d - 1 >= start and _BEFORE_URL.match(text, d - 1):
            return d - 1
        return None

    def _first(self, i: int, start: int) -> int | None:
        """The first offset where a match can begin whose domain starts in run ``i``."""
        text = self.text
        for lo, hi in self._domain_starts(i):
            d = max(lo, start)
            while d < hi:
                found = _LABEL_START.search(text, d, hi)
                if found is None:
                    break
                d = found.start()
                p = self._position(d, start)
                if p is not None:
                    return p
                d += 1
        return None

    def search(self, start: int) -> re.Match[str] | None:
        while True:
            while (run := self._run(self.first, start)) is not None and run[1] <= start:
                self.first += 1
            # Domains start in order; a later one can begin a match earlier only
            # through a scheme, which starts a run and ends at most 9 before it.
            best = None
            i = self.first
            while (run := self._run(i, start)) is not None and (best is None or run[0] - 9 <= best):
                p = self._first(i, start)
                if p is not None and (best is None or p < best):
                    best = p
                i += 1
            if best is None:
                return None
            match = _URL.match(self.text, best)
            if match is not None:
                return match
            start = best + 1  # not reached: the domain test is exact


def _long_run(text: str) -> bool:
    """Whether ``text`` needs :class:`_RunSearch`: it may hold a run of 64 or more
    domain characters (such a run holds no white space but ``\\x1c``-``\\x1f``), and
    it is long enough for the plain search's cost to matter (at most a few ms below)."""
    if len(text) < _PLAIN_MAX:
        return False
    if _SEPARATORS.search(text):
        return True
    return max(map(len, text.split()), default=0) >= 64


def _ascii_domains(domain: str) -> list[tuple[int, int]]:
    """``[m.span() for m in _ASCII_DOMAIN.finditer(domain)]`` in linear time.

    When no match starts at ``s``, none starts before the end of the chain of labels
    that begins at ``s``: every TLD such a match could end in was in reach from ``s``.
    """
    out = []
    pos = 0
    n = len(domain)
    while pos < n:
        m = _ASCII_DOMAIN.match(domain, pos)
        if m is not None:
            out.append(m.span())
            pos = m.end()
            continue
        chain = _ASCII_CHAIN.match(domain, pos)
        pos = max(pos, chain.end() if chain is not None else pos) + 1
    return out


def find_urls(text: str, *, without_scheme: bool = True) -> list[UrlMatch]:
    """All URLs in ``text`` as ``(start, end, url, has_scheme)``, left to right.

    Example:
        >>> find_urls("见 example.com/x 和 https://t.co/abc")
        [(2, 15, 'example.com/x', False), (18, 34, 'https://t.co/abc', True)]
    """
    if "." not in text or (not without_scheme and ":" not in text):
        return []
    out: list[UrlMatch] = []
    pos = 0
    n = len(text)
    runs = _RunSearch(text) if _long_run(text) else None
    while pos < n:
        cand = _CANDIDATE.search(text, pos)
        if cand is None:
            break
        begin = _scan_start(text, cand.start(), pos)
        m = _URL.search(text, begin) if runs is None else runs.search(begin)
        if m is None:
            break
        pos = m.end()
        url, scheme, domain, path = m.group(1), m.group(2), m.group(3), m.group(4)
        start = m.start(1)
        end = m.end()
        if not _idna_ok(domain, len(url), len(scheme or "https://")):
            continue
        if scheme is None:
            if not without_scheme:
                continue
            if start > 0 and text[start - 1] in _NO_SCHEME_BAD_BEFORE:
                continue
            found: list[list[int]] = []
            for a, b in _ascii_domains(domain):
                found.append([start + a, start + b])
            if not found:
                continue
            urls = [text[a:b] for a, b in found]
            if path:
                found[-1][1] = end
                urls[-1] = url.replace(domain, urls[-1])
            out.extend((a, b, u, False) for (a, b), u in zip(found, urls, strict=True))
        else:
            tco = _TCO.search(url)
            if tco is not None:
                if len(tco.group(1)) > _MAX_TCO_SLUG:
                    continue
                end = start + tco.end()
                url = tco.group(0)
            out.append((start, end, url, True))
    return out
