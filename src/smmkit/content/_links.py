"""Links in a post: UTM parameters, and taking them out of the text with the words that
only pointed at them ("详情见 https://…" must not end as "详情见").
"""

from __future__ import annotations

from collections.abc import Mapping

import regex

from smmkit.analytics.utm import build_utm_url
from smmkit.content._draft import Notes
from smmkit.exceptions import InvalidInputError
from smmkit.models.platform import Platform
from smmkit.text._entities import EntityKind, extract_entities

__all__ = ["remove_entities", "tag_links", "tag_urls", "utm_url"]


def tag_urls(
    text: str,
    spec: Platform,
    utm: Mapping[str, str | None] | None,
    notes: Notes,
    field: str,
) -> str:
    """``text`` with UTM parameters on every link that has a scheme (noted per link)."""
    if utm is None:
        return text
    out: list[str] = []
    last = 0
    for e in extract_entities(text):
        if e.kind is not EntityKind.URL or not e.has_scheme:
            continue
        tagged = utm_url(e.text, spec, utm)
        if tagged == e.text:
            continue
        notes.add("utm_added", field, "UTM parameters added", before=e.text, after=tagged)
        out.append(text[last : e.start])
        out.append(tagged)
        last = e.end
    out.append(text[last:])
    return "".join(out)


def tag_links(
    links: tuple[str, ...],
    spec: Platform,
    utm: Mapping[str, str | None] | None,
    notes: Notes,
) -> tuple[str, ...]:
    """``links`` without repeats, each with UTM parameters (noted per link)."""
    if utm is None:
        return tuple(dict.fromkeys(links))
    tagged = [(url, utm_url(url, spec, utm)) for url in dict.fromkeys(links)]
    for original, new in tagged:
        if original != new:
            notes.add("utm_added", "links", "UTM parameters added", before=original, after=new)
    return tuple(dict.fromkeys(new for _original, new in tagged))


def utm_url(url: str, spec: Platform, utm: Mapping[str, str | None]) -> str:
    """``url`` with ``utm_source`` = the platform and the other ``utm`` fields (parameters
    already there are kept; a URL that cannot take them comes back unchanged)."""
    try:
        return build_utm_url(
            url,
            source=spec.id,
            medium=utm["medium"] or "social",
            campaign=utm["campaign"] or "none",
            term=utm.get("term"),
            content=utm.get("content"),
            on_existing="keep",
        )
    except InvalidInputError:
        return url


# Words that only point at the link right after them ("详情见 https://…", "more: https://…"):
# they go with the link, or the post would end in "详情见".
_LINK_LEAD_IN = regex.compile(
    r"(?P<sure>详情(?:请)?(?:点击|戳)?(?:见|看|查看)?(?:链接)?|详见|(?:请)?(?:点击|戳)(?:链接|阅读原文)"
    r"|阅读原文|传送门|(?:购买|下载|报名|活动|直播)(?:链接|地址)|链接地址)?"
    r"(?(sure)|(?:请见|请看|点击|戳|链接|原文|地址"
    r"|(?:(?:read|see|learn|find out) )?more(?: (?:info|here|at))?|info|details|link|see|via"
    r"|(?:click |tap )?here))"
    r"\s*[:：]?\s*(?:👉|👇|→|->|>>)?\s*$",
    regex.IGNORECASE,
)
_LEAD_WINDOW = 24  # characters a lead-in can span, spaces included (bounds the search)
_PHRASE_BREAKS = frozenset(".!?;:,)(-—–|\n。！？；：，、")
_PHRASE_ENDS = frozenset("\n\r。！？.!?；;")
_DANGLING = " \t，,、：:"
_CJK_END = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f\uff00-\uffef]$")


def _lead_in(text: str) -> tuple[int, bool] | None:
    """Where the words that only point at a link at the end of ``text`` begin, and
    whether they are unambiguous (详情见, 戳链接) rather than a phrase such as "Read more:"
    or "链接" that counts only when it opens the text, a sentence or a clause ("see" in
    "come and see", "链接" in "这个链接" and "link" in "hyperlink" stay).
    """
    offset = max(0, len(text) - _LEAD_WINDOW)
    lead = _LINK_LEAD_IN.search(text, offset)
    if lead is None:
        return None
    if lead.group("sure"):
        return lead.start(), True
    before = text[: lead.start()].rstrip()
    if before and before[-1] not in _PHRASE_BREAKS:
        return None
    return lead.start(), False


def _drop_link_pointer(before: str, text: str, end: int) -> tuple[str, int]:
    """``before`` without the words that pointed at the link removed at ``end``, and
    where the text after the link resumes.

    An unambiguous lead-in always goes; a phrase such as "Read more:" only when the link
    closed its phrase (what follows is the end, a line break or a sentence end), so in
    "Read more: <link>, then come back" it stays. A link in brackets takes the brackets
    along: "Full recipe (see <link>) here".
    """
    # What follows the link, read where it is: a copy of the rest of the text for
    # every link made long texts quadratic.
    resume = end
    while resume < len(text) and text[resume] in " \t":
        resume += 1
    nxt = text[resume : resume + 1]  # "" at the end
    lead = _lead_in(before)
    head = before if lead is None else before[: lead[0]]
    opened = head.rstrip(" \t")
    if opened.endswith(("(", "（")) and nxt in (")", "）"):
        return opened[:-1].rstrip(" \t"), resume + 1
    if lead is None:
        return before, end
    closes = not nxt or nxt in _PHRASE_ENDS
    if not closes:
        # "戳链接👉 <link> 就能买" loses its pointer; "Read more: <link>, then" keeps it.
        return (head if lead[1] else before), end
    if head.endswith("\n") and text.startswith("\n", end):
        return head, end + 1  # no blank line where the lead-in line was
    return head.rstrip(_DANGLING), end  # "更多内容，<link>" ends "更多内容"


def remove_entities(text: str, kinds: set[EntityKind]) -> tuple[str, list[str]]:
    """``text`` without its entities of ``kinds`` (a link with the words pointing at it),
    and the entities removed."""
    removed: list[str] = []
    out: list[str] = []
    last = 0
    glue = True  # the text before the gap ends in CJK (or is empty): no space after it
    for e in extract_entities(text):
        if e.kind in kinds:
            removed.append(e.text)
            before = text[last : e.start]
            if glue:
                before = before.lstrip(" \t")
            last = e.end
            if e.kind is EntityKind.URL:
                before, last = _drop_link_pointer(before, text, e.end)
            out.append(before)
            kept = before.rstrip(" \t")
            if kept:
                glue = _CJK_END.search(kept) is not None
    out.append(text[last:].lstrip(" \t") if glue else text[last:])
    return regex.sub(r"[ \t]{2,}", " ", "".join(out)).strip(), removed
