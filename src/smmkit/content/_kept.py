"""What a post must keep of its piece: every link, hashtag and mention.

``validate(post, piece=...)`` compares the two, allowing for what adapting changes on
purpose: UTM parameters on links, each platform's topic syntax, topics moved to the
tags field, links moved to ``post.links`` (Xiaohongshu) or 阅读原文 (WeChat), and
LinkedIn mentions written as ``@[Name](urn)``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import regex

from smmkit.content._markup import plain_text
from smmkit.models.content import ContentPiece, NoteSeverity, PlatformPost
from smmkit.models.extras import ArticleExtras
from smmkit.models.platform import Platform
from smmkit.text._entities import Entity, EntityKind, extract_entities
from smmkit.text._serialize import format_hashtag

__all__ = ["kept_problems"]

Problem = tuple[NoteSeverity, str, str, str]
"""``(severity, code, field, message)``."""

_LITTLE_MENTION = regex.compile(r"@\[[^\]]*\]\(urn:[^)]*\)")
_DROP_NOTES = frozenset({"tags_dropped", "hashtags_dropped"})


def url_key(url: str) -> str:
    """``url`` without its UTM parameters, scheme and host in lower case, for comparing.

    Example:
        >>> url_key("https://Tea.cn/a?utm_source=x&b=1") == url_key("https://tea.cn/a?b=1")
        True
    """
    raw = url if "://" in url else "https://" + url
    try:
        parts = urlsplit(raw)
        query = sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith("utm_")
        )
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    return f"{parts.netloc.lower()}{path}?{query}#{parts.fragment}"


def _tag_key(tag: str) -> str:
    return tag.replace(" ", "").casefold()


def _post_text(post: PlatformPost, spec: Platform) -> str:
    # Deferred: _shape imports the validation module that imports this one.

    text = "\n".join(post.parts) if post.parts else post.body
    return plain_text(text, spec)


def kept_problems(post: PlatformPost, piece: ContentPiece, spec: Platform) -> list[Problem]:
    """The piece's links, hashtags and mentions that ``post`` lost or changed.

    A missing link or mention is an error; a missing tag is an error too, unless the
    platform's hashtag cap explains it (adapt noted it), then it is a warning.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> piece = ContentPiece(id="p", body="Tea https://tea.cn/a #tea @lin")
        >>> post = PlatformPost(platform="x", piece_id="p", body="Tea… @lin")
        >>> [c for _s, c, _f, _m in kept_problems(post, piece, get_platform_spec("x"))]
        ['link_missing', 'tag_missing']
    """
    field = "parts" if post.parts else "body"
    source = (
        piece.body
        if spec.title is not None or not piece.title
        else (f"{piece.title}\n{piece.body}")
    )
    theirs = extract_entities(source)
    text = _post_text(post, spec)
    ours = extract_entities(text)
    out: list[Problem] = []
    out.extend(_link_problems(post, piece, theirs, ours, field))
    out.extend(_tag_problems(post, piece, spec, theirs=theirs, ours=ours, text=text, field=field))
    out.extend(_mention_problems(theirs, ours, text, field))
    return out


def _link_problems(
    post: PlatformPost,
    piece: ContentPiece,
    theirs: tuple[Entity, ...],
    ours: tuple[Entity, ...],
    field: str,
) -> list[Problem]:
    have = {url_key(e.text) for e in ours if e.kind is EntityKind.URL}
    have.update(url_key(u) for u in post.links)
    extras = post.extras
    if isinstance(extras, ArticleExtras) and extras.content_source_url:
        have.add(url_key(extras.content_source_url))
    wanted = [e.text for e in theirs if e.kind is EntityKind.URL] + list(piece.links)
    missing = [u for u in dict.fromkeys(wanted) if url_key(u) not in have]
    return [
        (NoteSeverity.ERROR, "link_missing", field, f"the piece's link {u} is not in the post")
        for u in missing
    ]


def _tag_problems(
    post: PlatformPost,
    piece: ContentPiece,
    spec: Platform,
    *,
    theirs: tuple[Entity, ...],
    ours: tuple[Entity, ...],
    text: str,
    field: str,
) -> list[Problem]:
    have = {_tag_key(e.value) for e in ours if e.kind is EntityKind.HASHTAG}
    have.update(_tag_key(t) for t in post.tags)
    wanted = [e.value for e in theirs if e.kind is EntityKind.HASHTAG] + list(piece.tags)
    dropped = {
        _tag_key(word.strip("#").removesuffix("[话题]").strip("#"))
        for n in post.notes
        if n.code in _DROP_NOTES and n.before
        for word in n.before.split()
    }
    cap = spec.max_hashtags
    full = cap is not None and len(have) >= cap.value
    out: list[Problem] = []
    forms = {tag: format_hashtag(tag, spec) for tag in dict.fromkeys(wanted)}
    present = _occurring(text, {w for w in forms.values() if w is not None})
    for tag, written in forms.items():
        keys = {_tag_key(tag)}
        if written is not None:
            if written in present:
                continue
            keys.update(_tag_key(e.value) for e in extract_entities(written))
        if keys & have:
            continue
        if full or keys & dropped:
            out.append(
                (
                    NoteSeverity.WARNING,
                    "tag_missing",
                    field,
                    f"the piece's tag {tag!r} is not in the post: {spec.id} takes at most "
                    f"{cap.value if cap else '?'} hashtags",
                )
            )
        else:
            out.append(
                (
                    NoteSeverity.ERROR,
                    "tag_missing",
                    field,
                    f"the piece's tag {tag!r} is not in the post",
                )
            )
    return out


def _occurring(text: str, words: set[str]) -> set[str]:
    """The ``words`` (each starting with ``#``) that occur in ``text``: one pass over the
    ``#`` of the text per distinct length, not one scan of the text per word."""
    by_length: dict[int, set[str]] = {}
    for word in words:
        by_length.setdefault(len(word), set()).add(word)
    found: set[str] = set()
    pos = text.find("#")
    while pos >= 0 and len(found) < len(words):
        for size, group in by_length.items():
            piece = text[pos : pos + size]
            if piece in group:
                found.add(piece)
        pos = text.find("#", pos + 1)
    return found


def _mention_problems(
    theirs: tuple[Entity, ...], ours: tuple[Entity, ...], text: str, field: str
) -> list[Problem]:
    have = {
        (e.value.casefold(), (e.domain or "").casefold())
        for e in ours
        if e.kind is EntityKind.MENTION
    }
    handles = dict(have)
    # LinkedIn writes a mapped mention as @[Name](urn): the handle is gone, the link is not.
    spare = len(_LITTLE_MENTION.findall(text))
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for e in theirs:
        if e.kind is not EntityKind.MENTION:
            continue
        key = (e.value.casefold(), (e.domain or "").casefold())
        if key in seen or key in have:
            continue
        seen.add(key)
        if key[0] in handles:
            now = "@" + key[0] + (f"@{handles[key[0]]}" if handles[key[0]] else "")
            out.append(
                (NoteSeverity.ERROR, "mention_changed", field, f"{e.text} became {now} in the post")
            )
        elif spare:
            spare -= 1
        else:
            out.append(
                (
                    NoteSeverity.ERROR,
                    "mention_missing",
                    field,
                    f"the piece's mention {e.text} is not in the post",
                )
            )
    return out
