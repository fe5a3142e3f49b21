"""The stages of ``adapt``, in the order they run: :data:`STAGES`.

Each stage is a small function ``(draft, context) -> draft``: it reads the draft and
the fixed context (platform spec, piece, options), returns the next draft, and records
what it changed, and why, on ``context.notes``. Every decision comes from the catalog
spec; none names a platform.

1. ``permission``: user-generated content needs the creator's recorded permission.
2. ``clean``: trim the text and replace the characters the platform refuses.
3. ``title``: fit the title to the title field, derive one where it is required, or
   open the text with it where there is no title field.
4. ``topics``: write topics the platform's way, cap them, add the piece's tags.
5. ``links``: UTM-tag links; remove them where not allowed; set WeChat's 阅读原文.
6. ``credit``: the credit line of user-generated content.
7. ``fit``: join the text and the lines after it (links, tags, credit) within the
   limit: as they are, as a numbered thread, or cut.
8. ``encode``: the platform's markup (LinkedIn's little format; HTML and the digest).
9. ``facets``: Bluesky's rich-text facets for the final text.
10. ``media``: keep the media the platform takes, within its count and size limits.
"""

from __future__ import annotations

import regex

from smmkit.content._draft import Context, Draft, Stage, TailKind
from smmkit.content._links import remove_entities, tag_links, tag_urls
from smmkit.content._shape import (
    demote_hashtags,
    digest_for,
    fit_text,
    fit_title,
    html_text,
    strip_refused,
)
from smmkit.content._validate import media_problems
from smmkit.exceptions import ContentRuleError, PermissionMissingError
from smmkit.models.content import ContentPiece, ContentSource, MediaAsset, NoteSeverity
from smmkit.models.platform import BodyFormat, ContentFormat, HashtagStyle, TitleInText
from smmkit.text._bluesky import bluesky_facets
from smmkit.text._entities import EntityKind, extract_entities
from smmkit.text._serialize import convert_topics, format_hashtag

__all__ = ["STAGES"]

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_FIRST_SENTENCE = regex.compile(r"^.*?(?:[。！？!?]|\.(?=\s)|\n|$)", regex.DOTALL)
_VIDEO_FORMATS = {ContentFormat.VIDEO, ContentFormat.SHORT_VIDEO, ContentFormat.LIVE}
_IMAGE_FORMATS = {ContentFormat.IMAGE, ContentFormat.IMAGE_TEXT, ContentFormat.ARTICLE}
_TAIL_ORDER: dict[TailKind, int] = {"links": 0, "tags": 1, "credit": 2}


def permission(draft: Draft, ctx: Context) -> Draft:
    """Refuse UGC without the creator's permission, or with one expired at ``now``."""
    piece = ctx.piece
    if piece.source is not ContentSource.UGC:
        return draft
    if piece.permission is None:
        raise PermissionMissingError.single(
            "permission",
            "user-generated content needs the creator's recorded permission before reuse",
            piece.id,
        )
    now, expires = ctx.options.now, piece.permission.expires_at
    if now is not None and expires is not None and expires <= now:
        raise PermissionMissingError.single(
            "permission.expires_at", "the creator's permission has expired", expires.isoformat()
        )
    return draft


def clean(draft: Draft, ctx: Context) -> Draft:
    """Trim the text; replace or remove the characters the platform refuses."""
    body = draft.body.strip()
    if body != draft.body:
        ctx.notes.add("whitespace_trimmed", "body", "leading and trailing whitespace removed")
    body = strip_refused(body, ctx.spec, "body", ctx.notes)
    return draft if body == draft.body else draft._replace(body=body)


def title(draft: Draft, ctx: Context) -> Draft:
    """The title in the platform's title field (cut to its limit, derived from the
    first sentence where a title is required), or opening the text."""
    spec, notes, body = ctx.spec, ctx.notes, draft.body
    if spec.title is None:
        return _title_into_text(draft, ctx)
    new = draft.title.strip() or None if draft.title else None
    if not new and spec.needs_title and body:
        first = _FIRST_SENTENCE.match(body)
        new = (first.group(0) if first else body).strip() or None
        if new:
            notes.add("title_derived", "title", "title taken from the first sentence", after=new)
    if new:
        new = fit_title(strip_refused(new, spec, "title", notes), spec, notes) or None
    if not new and spec.needs_title:
        raise ContentRuleError.single(
            "title", f"{spec.id} needs a title and the piece has no text to take one from"
        )
    return draft if new == draft.title else draft._replace(title=new)


def _title_into_text(draft: Draft, ctx: Context) -> Draft:
    spec, given = ctx.spec, draft.title
    if not (given and given.strip()):
        return draft if given is None else draft._replace(title=None)
    head = given.strip()
    merged = f"【{head}】" if spec.title_style is TitleInText.BRACKETS else head
    sep = "" if merged.endswith("】") else "\n\n"
    body = (merged + sep + draft.body if draft.body else merged).strip()
    ctx.notes.add(
        "title_merged",
        "body",
        f"{spec.id} has no title field: the title opens the text",
        before=given,
    )
    return draft._replace(title=None, body=strip_refused(body, spec, "body", ctx.notes).strip())


def topics(draft: Draft, ctx: Context) -> Draft:
    """Topics in the text written the platform's way; the piece's tags added as topics
    (or kept for the tags field), within the catalog's ``max_hashtags``."""
    spec, notes, body = ctx.spec, ctx.notes, draft.body
    converted, inline = convert_topics(body, spec)
    # Rewriting a topic can change how its neighbours parse ("#a##b#" on Douyin):
    # repeat until stable, so that re-adapting the output finds nothing to change.
    for _ in range(5):
        again, more = convert_topics(converted, spec)
        inline = tuple(dict.fromkeys([*inline, *more]))
        if again == converted:
            break
        converted = again
    if converted != body:
        notes.add(
            "topics_converted",
            "body",
            f"topics written in {spec.id}'s form ({spec.hashtag_style.value})",
            before=body if len(body) <= 200 else None,
            after=converted if len(converted) <= 200 else None,
        )
    inline = tuple(dict.fromkeys(inline, None))
    cap = None if spec.max_hashtags is None else int(spec.max_hashtags.value)
    if ctx.inline_topics:
        return _inline_tags(draft, converted, inline, cap, ctx)
    return _field_tags(draft, converted, inline, cap, ctx)


def _inline_tags(
    draft: Draft, body: str, inline: tuple[str, ...], cap: int | None, ctx: Context
) -> Draft:
    # The post's tags are read from the final text by the fit stage.
    spec, notes = ctx.spec, ctx.notes
    inline_keys = {t.casefold() for t in inline}
    n_inline = len(inline_keys)
    new_tags = [t for t in dict.fromkeys(draft.tags) if t.casefold() not in inline_keys]
    if cap is not None and n_inline > cap:
        body, demoted = demote_hashtags(body, cap)
        notes.add(
            "hashtags_dropped",
            "body",
            f"{spec.id} takes at most {cap} hashtags; the rest became plain words",
            severity=NoteSeverity.WARNING,
            before=" ".join(demoted),
        )
    room = None if cap is None else max(0, cap - min(n_inline, cap))
    if room is not None and len(new_tags) > room:
        notes.add(
            "tags_dropped",
            "tags",
            f"{spec.id} takes at most {cap} hashtags",
            severity=NoteSeverity.WARNING,
            before=" ".join(new_tags[room:]),
        )
        new_tags = new_tags[:room]
    formatted = [f for f in (format_hashtag(t, spec) for t in new_tags) if f]
    if not formatted:
        return draft._replace(body=body)
    tag_line = " ".join(formatted)
    notes.add("tags_appended", "body", "tags added as topics", after=tag_line)
    return draft._replace(body=body, tail=(*draft.tail, ("tags", tag_line)))


def _field_tags(
    draft: Draft, body: str, inline: tuple[str, ...], cap: int | None, ctx: Context
) -> Draft:
    spec, notes = ctx.spec, ctx.notes
    all_tags = list(dict.fromkeys([*draft.tags, *inline]))
    if cap is not None and len(all_tags) > cap:
        notes.add(
            "tags_dropped",
            "tags",
            f"{spec.id} takes at most {cap} tags",
            severity=NoteSeverity.WARNING,
            before=" ".join(all_tags[cap:]),
        )
        all_tags = all_tags[:cap]
    if inline and spec.hashtag_style is HashtagStyle.NONE:
        notes.add(
            "topics_to_field",
            "tags",
            f"{spec.id} has no inline topics; choose them in the editor",
        )
    return draft._replace(body=body, tags=tuple(all_tags))


def links(draft: Draft, ctx: Context) -> Draft:
    """UTM parameters on links; links where the platform wants them (removed from the
    text where not allowed, the first as 阅读原文 for an article, else appended)."""
    spec, notes = ctx.spec, ctx.notes
    body = tag_urls(draft.body, spec, ctx.utm, notes, "body")
    tagged = tag_links(draft.links, spec, ctx.utm, notes)
    if not spec.links.allowed:
        body, removed = remove_entities(body, {EntityKind.URL})
        if removed:
            notes.add(
                "links_removed",
                "body",
                f"{spec.id} does not allow external links; kept in post.links",
                severity=NoteSeverity.WARNING,
                before=" ".join(removed),
            )
        return draft._replace(body=body, links=tuple(dict.fromkeys([*tagged, *removed])))
    if spec.markup is BodyFormat.HTML and ctx.takes("content_source_url"):
        if not tagged:
            return draft._replace(body=body, links=tagged)
        notes.add(
            "source_url",
            "extras.content_source_url",
            "first link set as 阅读原文 (content_source_url)",
            after=tagged[0],
        )
        extras = {**draft.extras, "content_source_url": tagged[0]}
        return draft._replace(body=body, links=tagged, extras=extras)
    appended = [u for u in tagged if u not in body]
    if not appended:
        return draft._replace(body=body, links=tagged)
    notes.add("links_appended", "body", "links added to the text")
    tail = (*draft.tail, *(("links", u) for u in appended))
    return draft._replace(body=body, links=tagged, tail=tail)


def credit(draft: Draft, ctx: Context) -> Draft:
    """A credit line for the creator of user-generated content (``credit=False`` skips)."""
    piece = ctx.piece
    if not ctx.options.credit or piece.source is not ContentSource.UGC:
        return draft
    line = _credit_line(piece)
    if not line or line in draft.body:
        return draft
    ctx.notes.add("credit_added", "body", "credit line for the creator", after=line)
    return draft._replace(tail=(*draft.tail, ("credit", line)))


def _credit_line(piece: ContentPiece) -> str | None:
    creator = piece.creator
    if creator is None:
        return None
    cjk = bool(_CJK.search(piece.body + (piece.title or ""))) or (
        piece.language or ""
    ).lower().startswith(("zh", "ja", "ko"))
    who = creator.name + (f" @{creator.handle.lstrip('@')}" if creator.handle else "")
    return f"（来源：{who}）" if cjk else f"(Credit: {who})"


def fit(draft: Draft, ctx: Context) -> Draft:
    """The text and the lines after it (links, then tags, then the credit line) within
    the platform's limit: whole, as a numbered thread (``allow_threads``), or with its
    prose cut; every link, hashtag, mention and the credit line stay, or
    :class:`~smmkit.exceptions.ContentTooLongError` says which could not."""
    tail = sorted(draft.tail, key=_tail_rank) if len(draft.tail) > 1 else list(draft.tail)
    opts = ctx.options
    body, parts = fit_text(
        draft.body,
        tail,
        ctx.spec,
        ctx.encode,
        ctx.notes,
        threads=opts.numbering if opts.allow_threads else None,
        ellipsis=opts.ellipsis,
    )
    tags = draft.tags
    if ctx.inline_topics:
        found = extract_entities(body)
        tags = tuple(dict.fromkeys(e.value for e in found if e.kind is EntityKind.HASHTAG))
    return draft._replace(body=body, parts=parts, tags=tags, tail=())


def _tail_rank(item: tuple[TailKind, str]) -> int:
    return _TAIL_ORDER[item[0]]


def encode(draft: Draft, ctx: Context) -> Draft:
    """The text in the platform's markup: LinkedIn's little format escaped, or HTML
    paragraphs with the article digest."""
    markup = ctx.spec.markup
    if markup is BodyFormat.PLAIN:
        return draft
    body = ctx.encode(draft.body)
    if markup is BodyFormat.LITTLE:
        if body != draft.body:
            ctx.notes.add(
                "little_escaped",
                "body",
                "reserved characters escaped for LinkedIn's little format",
            )
        return draft._replace(body=body)
    if body != draft.body:
        ctx.notes.add("html_body", "body", "text written as HTML paragraphs (escaped)")
    draft = draft._replace(body=body)
    if not ctx.takes("digest"):
        return draft
    return draft.with_extras(digest=digest_for(html_text(body), ctx.spec, ctx.digest, ctx.notes))


def facets(draft: Draft, ctx: Context) -> Draft:
    """Bluesky's rich-text facets of a single post (a thread's are made per part when
    it is published)."""
    if ctx.spec.hashtag_style is not HashtagStyle.FACET or draft.parts:
        return draft
    if not ctx.takes("facets"):
        return draft
    return draft.with_extras(facets=bluesky_facets(draft.body, dids=ctx.options.dids))


def media(draft: Draft, ctx: Context) -> Draft:
    """The media the platform takes, within its count, size and duration limits."""
    # Dropped assets are named by URL, kept ones by their index in the post's media,
    # so that re-adapting the post finds the same notes.
    spec, notes = ctx.spec, ctx.notes
    kept: list[MediaAsset] = []
    warnings: list[tuple[MediaAsset, str, str]] = []
    formats = set(spec.formats)
    for asset in draft.media:
        if asset.kind.value == "video" and not formats & _VIDEO_FORMATS:
            reason = f"{spec.id} does not take video"
        elif asset.kind.value in ("image", "gif") and not formats & _IMAGE_FORMATS:
            reason = f"{spec.id} does not take images"
        else:
            problems = media_problems(asset, spec)
            reason = "; ".join(m for s, _c, m in problems if s is NoteSeverity.ERROR)
            if not reason:
                warnings.extend((asset, c, m) for _s, c, m in problems)
                kept.append(asset)
                continue
        notes.add("media_dropped", "media", reason, severity=NoteSeverity.WARNING, before=asset.url)
    cap = spec.media.max_items
    if cap is not None and len(kept) > cap.value:
        dropped = kept[int(cap.value) :]
        kept = kept[: int(cap.value)]
        notes.add(
            "media_dropped",
            "media",
            f"{spec.id} takes at most {cap.value} {cap.unit}; kept the first ones",
            severity=NoteSeverity.WARNING,
            before=", ".join(a.url for a in dropped),
        )
    for asset, code, message in warnings:
        for i, chosen in enumerate(kept):
            if chosen is asset:
                notes.add(code, f"media.{i}", message, severity=NoteSeverity.WARNING)
    if spec.media.requires_media and not kept:
        notes.add(
            "media_required",
            "media",
            f"{spec.id} posts need a picture or a video; add one before publishing",
            severity=NoteSeverity.WARNING,
        )
    return draft if len(kept) == len(draft.media) else draft._replace(media=tuple(kept))


STAGES: tuple[Stage, ...] = (
    permission,
    clean,
    title,
    topics,
    links,
    credit,
    fit,
    encode,
    facets,
    media,
)
"""The stages of ``adapt`` in the order they run (see the module docstring)."""
