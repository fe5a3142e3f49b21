"""Text operations the stages of ``adapt`` share: fitting text and titles into a limit,
characters a platform refuses, surplus hashtags, markup (LinkedIn's little format,
WeChat's HTML paragraphs) and the WeChat digest.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from smmkit.content._draft import Notes, TailKind
from smmkit.content._markup import html_text, plain_text
from smmkit.content._validate import title_length
from smmkit.models.content import NoteSeverity
from smmkit.models.platform import BodyFormat, Platform
from smmkit.text._count import measure
from smmkit.text._entities import EntityKind, extract_entities
from smmkit.text._graphemes import grapheme_boundaries
from smmkit.text._serialize import to_little
from smmkit.text._truncate import shorten_keeping, thread_split, too_long_error, within_limit

__all__ = [
    "demote_hashtags",
    "digest_for",
    "encoder",
    "fit_text",
    "fit_title",
    "html_body",
    "html_text",
    "plain_text",
    "strip_refused",
]

_LOOKALIKES = {"<": "‹", ">": "›"}
_DEFAULT_DIGEST_LENGTH = 54  # WeChat's documented default, when the catalog has none


def html_body(text: str) -> str:
    """``text`` as escaped HTML paragraphs, one per non-empty line."""
    lines = [line.strip() for line in text.split("\n")]
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def _same(text: str) -> str:
    return text


def encoder(spec: Platform, mentions: Mapping[str, tuple[str, str]] | None) -> Callable[[str], str]:
    """Plain text → the markup of ``spec``'s text field (the catalog's ``body_format``)."""
    markup = spec.markup
    if markup is BodyFormat.LITTLE:
        return lambda s: to_little(s, mentions=mentions)
    if markup is BodyFormat.HTML:
        return html_body
    return _same


def strip_refused(text: str, spec: Platform, field: str, notes: Notes) -> str:
    """``text`` without the characters ``spec`` refuses (``<`` ``>`` become look-alikes)."""
    bad = measure(text, spec).invalid_chars
    if not bad:
        return text
    new = text
    for ch in bad:
        new = new.replace(ch, _LOOKALIKES.get(ch, ""))
    notes.add(
        "characters_replaced",
        field,
        f"{spec.id} refuses {list(bad)!r}; replaced by look-alikes or removed",
        severity=NoteSeverity.WARNING,
        before=text if len(text) <= 200 else None,
        after=new if len(new) <= 200 else None,
    )
    return new


def fit_title(title: str, spec: Platform, notes: Notes) -> str:
    """``title`` cut (whole graphemes, with "…") to ``spec``'s title limit."""
    assert spec.title is not None
    cap = int(spec.title.value)
    if title_length(title, spec) <= cap:
        return title
    bounds = grapheme_boundaries(title)
    ellipsis = "…" if cap > 1 else ""
    best = 0
    for b in bounds:
        if title_length(title[:b].rstrip() + ellipsis, spec) <= cap:
            best = b
        else:
            break
    new = title[:best].rstrip() + ellipsis if best else ""
    notes.add(
        "title_truncated",
        "title",
        f"title cut to {spec.id}'s {cap} {spec.title.unit}",
        severity=NoteSeverity.WARNING,
        before=title,
        after=new,
    )
    return new


def demote_hashtags(text: str, keep: int) -> tuple[str, list[str]]:
    """Turn every hashtag not among the first ``keep`` distinct ones into its word."""
    out: list[str] = []
    demoted: list[str] = []
    last = 0
    kept: set[str] = set()
    for e in extract_entities(text):
        if e.kind is not EntityKind.HASHTAG:
            continue
        key = e.value.casefold()
        if key in kept or len(kept) < keep:
            kept.add(key)
            continue
        demoted.append(e.text)
        out.append(text[last : e.start])
        out.append(e.value)
        last = e.end
    out.append(text[last:])
    return "".join(out), demoted


def digest_for(text: str, spec: Platform, digest: str | None, notes: Notes) -> str:
    """The article digest: ``digest``, or the start of ``text`` as WeChat would take it,
    cut to the catalog's ``digest_max``."""
    cap = spec.limit("digest_max")
    default_len = spec.limit("digest_default_length")
    if digest is None:
        n = int(default_len.value) if default_len is not None else _DEFAULT_DIGEST_LENGTH
        digest = text.replace("\n", " ")[:n]
        bounds = grapheme_boundaries(digest)
        digest = digest[: bounds[-1]]
        notes.add(
            "digest_default",
            "extras.digest",
            f"digest defaults to the first {n} 字 of the text, as WeChat does",
            after=digest,
        )
    if cap is not None and len(digest) > cap.value:
        short = digest[: int(cap.value) - 1].rstrip() + "…"
        notes.add(
            "digest_truncated",
            "extras.digest",
            f"digest cut to {cap.value} 字",
            severity=NoteSeverity.WARNING,
            before=digest,
            after=short,
        )
        digest = short
    return digest


def fit_text(
    core: str,
    tail: list[tuple[TailKind, str]],
    spec: Platform,
    encode: Callable[[str], str],
    notes: Notes,
    *,
    threads: str | None,
    ellipsis: str,
) -> tuple[str, tuple[str, ...]]:
    """Make ``core`` + ``tail`` fit; returns the body and the thread parts (if split).

    ``threads`` is the numbering of thread parts, ``None`` when the text may not be
    split. Only prose is cut: every link, hashtag, mention and cashtag of ``core``
    stays (those of the part cut away follow the ellipsis), and the ``tail`` lines
    (links, tags, the credit line) stay whole. When they cannot all fit, not even in a
    thread, :class:`~smmkit.exceptions.ContentTooLongError` names what did not fit.
    """
    lines = tuple(text for _k, text in tail)

    def join(c: str) -> str:
        return "\n".join(x for x in (c, *lines) if x)

    def fits(plain: str) -> bool:
        return within_limit(encode(plain), spec)

    full = join(core)
    if fits(full):
        return full, ()
    if threads is not None and spec.threads:
        parts = thread_split(full, fits, threads)
        if parts is not None:
            notes.add(
                "thread_split",
                "parts",
                f"text split into {len(parts)} numbered parts to fit {spec.id}",
            )
            return full, parts
    if not fits(ellipsis):
        ellipsis = ""
    kept = shorten_keeping(core, lambda c: fits(join(c)), ellipsis=ellipsis)
    if kept is None:
        hint = (
            "; allow_threads=True would make it a thread"
            if threads is None and spec.threads
            else ""
        )
        must = tuple(w for k, t in tail for w in (t.split(" ") if k == "tags" else (t,)))
        raise too_long_error(core, must, fits, spec, hint=hint)
    new_core, moved = kept
    limit = spec.text.max_length
    notes.add(
        "truncated",
        "body",
        f"text cut to fit {spec.id}'s limit"
        + (f" of {limit.value} {limit.unit}" if limit is not None else ""),
        severity=NoteSeverity.WARNING,
        before=core if len(core) <= 300 else core[:297] + "...",
        after=new_core,
    )
    if moved:
        notes.add(
            "entities_kept",
            "body",
            "links, hashtags and mentions of the text cut away follow the ellipsis",
            after=" ".join(moved),
        )
    return join(new_core), ()
