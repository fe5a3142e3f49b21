"""Adapt one piece to each platform: the playbook's "adapt content to the platform,
never the platform to the content".

Every decision comes from the platform's catalog spec (limits, counting, topic and
mention syntax, link policy, media limits, threads), and every change is recorded on
the :class:`~smmkit.models.PlatformPost` as an :class:`~smmkit.models.AdaptationNote`
that says what changed and why. ``adapt`` also takes its own output: adapting a post
again for the same platform, with the same options, changes nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import regex

from smmkit.analytics.utm import build_utm_url
from smmkit.catalog import PlatformLike, platform_ids, resolve_platform
from smmkit.content._validate import TITLE_REQUIRED, media_problems, title_length
from smmkit.exceptions import (
    ContentRuleError,
    InvalidInputError,
    PermissionMissingError,
    UnknownPlatformError,
)
from smmkit.models._base import SmmkitModel
from smmkit.models.content import (
    AdaptationNote,
    ContentPiece,
    ContentSource,
    MediaAsset,
    NoteSeverity,
    PlatformPost,
)
from smmkit.models.platform import ContentFormat, HashtagStyle, MentionStyle, Platform
from smmkit.text._count import measure
from smmkit.text._entities import EntityKind, extract_entities
from smmkit.text._graphemes import grapheme_boundaries
from smmkit.text._serialize import (
    bluesky_facets,
    convert_topics,
    format_hashtag,
    from_little,
    to_little,
)
from smmkit.text._truncate import _best_prefix, cut_points, split_thread, within_limit

__all__ = [
    "AdaptAllResult",
    "AdaptationError",
    "adapt",
    "adapt_all",
    "piece_from_post",
    "render_adaptations",
]

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
_PARAGRAPH = regex.compile(r"<p>(.*?)</p>", regex.DOTALL)
_FIRST_SENTENCE = regex.compile(r"^.*?(?:[。！？!?]|\.(?=\s)|\n|$)", regex.DOTALL)
_LOOKALIKES = {"<": "‹", ">": "›"}
_VIDEO_FORMATS = {ContentFormat.VIDEO, ContentFormat.SHORT_VIDEO, ContentFormat.LIVE}
_IMAGE_FORMATS = {ContentFormat.IMAGE, ContentFormat.IMAGE_TEXT, ContentFormat.ARTICLE}


class AdaptationError(SmmkitModel):
    """Why one platform could not take the piece (``adapt_all`` reports, never hides).

    Example:
        >>> AdaptationError(platform="x", code="permission_missing", message="...").platform
        'x'
    """

    platform: str
    code: str
    message: str
    field: str | None = None


class AdaptAllResult(SmmkitModel):
    """Posts for the platforms that took the piece, errors for those that refused.

    Example:
        >>> r = adapt_all(ContentPiece(id="p", body="下午茶时间"), ["x", "weibo"])
        >>> [p.platform for p in r.posts], r.ok
        (['x', 'weibo'], True)
    """

    posts: tuple[PlatformPost, ...] = ()
    errors: tuple[AdaptationError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every platform took the piece."""
        return not self.errors

    def get(self, platform: str) -> PlatformPost | None:
        """The post for ``platform``, or ``None`` when it refused or was not asked.

        Example:
            >>> adapt_all(ContentPiece(id="p", body="hi"), ["x"]).get("x").body
            'hi'
        """
        for post in self.posts:
            if post.platform == platform:
                return post
        return None


class _Notes:
    """Collects notes, skipping exact duplicates (keeps re-adaptation idempotent)."""

    def __init__(self, existing: Iterable[AdaptationNote] = ()) -> None:
        self.items: list[AdaptationNote] = list(existing)
        self._seen = {self._key(n) for n in self.items}

    @staticmethod
    def _key(n: AdaptationNote) -> tuple[str, str, str, str, str | None, str | None]:
        return (n.code, n.field, n.message, n.severity.value, n.before, n.after)

    def add(
        self,
        code: str,
        field: str,
        message: str,
        *,
        severity: NoteSeverity = NoteSeverity.INFO,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        note = AdaptationNote(
            code=code,
            field=field,
            message=message,
            severity=severity,
            before=before,
            after=after,
        )
        key = self._key(note)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(note)


def _html_body(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def _html_text(body: str) -> str:
    return "\n".join(html.unescape(p) for p in _PARAGRAPH.findall(body))


def _is_html_platform(spec: Platform) -> bool:
    # WeChat OA articles are HTML; the catalog marks them as the article format with
    # no inline topics and a digest limit.
    return spec.limit("digest_max") is not None


def _encoder(
    spec: Platform, mentions: Mapping[str, tuple[str, str]] | None
) -> Callable[[str], str]:
    if spec.mention_style is MentionStyle.LITTLE_URN:
        return lambda s: to_little(s, mentions=mentions)
    if _is_html_platform(spec):
        return _html_body
    return lambda s: s


def piece_from_post(post: PlatformPost) -> ContentPiece:
    """The piece a post says, in plain text: undoes LinkedIn escaping and WeChat HTML.

    ``adapt`` uses it to re-adapt its own output; the source is OGC because the
    credit line and the permission check were applied the first time.

    Example:
        >>> post = PlatformPost(platform="wechat_oa", piece_id="p", title="T",
        ...                     body="<p>a &amp; b</p><p>c</p>")
        >>> piece_from_post(post).body
        'a & b\\nc'
    """
    spec = resolve_platform(post.platform)
    body = post.body
    if spec.mention_style is MentionStyle.LITTLE_URN:
        body = from_little(body)
    elif _is_html_platform(spec):
        body = _html_text(body)
    return ContentPiece(
        id=post.piece_id,
        title=post.title,
        body=body,
        media=post.media,
        tags=post.tags,
        links=post.links,
        source=ContentSource.OGC,
    )


def _credit_line(piece: ContentPiece, cjk: bool) -> str | None:
    creator = piece.creator
    if creator is None:
        return None
    who = creator.name + (f" @{creator.handle.lstrip('@')}" if creator.handle else "")
    return f"（来源：{who}）" if cjk else f"(Credit: {who})"


def _fit_title(title: str, spec: Platform, notes: _Notes) -> str:
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


def _select_media(
    media: Sequence[MediaAsset], spec: Platform, notes: _Notes
) -> tuple[MediaAsset, ...]:
    # Dropped assets are named by URL, kept ones by their index in the post's media,
    # so that re-adapting the post finds the same notes.
    kept: list[MediaAsset] = []
    warnings: list[tuple[MediaAsset, str, str]] = []
    formats = set(spec.formats)
    for asset in media:
        is_video = asset.kind.value == "video"
        if is_video and not formats & _VIDEO_FORMATS:
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
    return tuple(kept)


def _tag_urls(
    text: str,
    spec: Platform,
    utm: Mapping[str, str | None] | None,
    notes: _Notes,
    field: str,
) -> str:
    if utm is None:
        return text
    out: list[str] = []
    last = 0
    for e in extract_entities(text):
        if e.kind is not EntityKind.URL or not e.has_scheme:
            continue
        tagged = _utm(e.text, spec, utm)
        if tagged == e.text:
            continue
        notes.add("utm_added", field, "UTM parameters added", before=e.text, after=tagged)
        out.append(text[last : e.start])
        out.append(tagged)
        last = e.end
    out.append(text[last:])
    return "".join(out)


def _utm(url: str, spec: Platform, utm: Mapping[str, str | None]) -> str:
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
    after = text[end:]
    rest = after.lstrip(" \t")
    lead = _lead_in(before)
    head = before if lead is None else before[: lead[0]]
    opened = head.rstrip(" \t")
    if opened.endswith(("(", "（")) and rest.startswith((")", "）")):
        return opened[:-1].rstrip(" \t"), end + len(after) - len(rest) + 1
    if lead is None:
        return before, end
    closes = not rest or rest[0] in _PHRASE_ENDS
    if not closes:
        # "戳链接👉 <link> 就能买" loses its pointer; "Read more: <link>, then" keeps it.
        return (head if lead[1] else before), end
    if head.endswith("\n") and after.startswith("\n"):
        return head, end + 1  # no blank line where the lead-in line was
    return head.rstrip(_DANGLING), end  # "更多内容，<link>" ends "更多内容"


def _remove_entities(text: str, kinds: set[EntityKind]) -> tuple[str, list[str]]:
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


def _demote_hashtags(text: str, keep: int) -> tuple[str, list[str]]:
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


def _strip_refused(text: str, spec: Platform, field: str, notes: _Notes) -> str:
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


def adapt(
    content: ContentPiece | PlatformPost,
    platform: PlatformLike,
    *,
    allow_threads: bool = False,
    utm: bool = True,
    utm_medium: str = "social",
    utm_campaign: str | None = None,
    utm_term: str | None = None,
    utm_content: str | None = None,
    digest: str | None = None,
    mentions: Mapping[str, tuple[str, str]] | None = None,
    dids: Mapping[str, str] | None = None,
    numbering: str = " {i}/{n}",
    ellipsis: str = "…",
    credit: bool = True,
    now: datetime | None = None,
) -> PlatformPost:
    """Adapt ``content`` to ``platform``: the returned post fits and follows its rules.

    * A platform that needs a title (WeChat OA, Bilibili, YouTube) and a piece with
      neither a title nor text raise :class:`~smmkit.exceptions.ContentRuleError`.
    * UGC without the creator's recorded permission (or with an expired one, given
      ``now``) raises :class:`~smmkit.exceptions.PermissionMissingError`; UGC with it
      gets a credit line (``credit=False`` to skip).
    * Titles are cut to the platform's title limit (WeChat OA 32, Xiaohongshu 20...)
      or, where there is no title field, merged into the text (Weibo ``【标题】``).
    * Topics are written the platform's way (``#话题#``, ``#话题``, ``#话题[话题]#``,
      a separate tags field for Bilibili, capped by the catalog's ``max_hashtags``).
    * Links get UTM parameters (``utm_source`` = platform id; ``utm_medium`` and
      ``utm_campaign``, defaulting to the piece's campaign or id); where links are
      not allowed (Xiaohongshu) they are removed from the text and kept in ``links``;
      WeChat OA takes the first as 阅读原文 (``extras["content_source_url"]``).
    * Text that is too long is split into numbered parts where the platform has
      threads and ``allow_threads`` is set, otherwise truncated at a sentence or
      clause with ``ellipsis``; links, tags and the credit line are kept.
    * LinkedIn text is escaped into its little format (``mentions`` maps a handle to
      ``(name, urn)``); WeChat OA gets an HTML body and a digest (``digest`` or the
      first 54 字); Bluesky gets facets (``dids`` maps handles to DIDs for mentions).
    * Media are chosen within the platform's count, size and duration limits; videos
      outside the playbook's sweet spot are kept with a warning.

    Example:
        >>> piece = ContentPiece(id="tea-1", title="三分钟冷泡茶", body="下午三点，泡一杯。",
        ...                      tags=("办公室茶",), links=("https://tea.example.cn/a",),
        ...                      campaign="spring")
        >>> post = adapt(piece, "weibo")
        >>> print(post.body)
        【三分钟冷泡茶】下午三点，泡一杯。
        https://tea.example.cn/a?utm_source=weibo&utm_medium=social&utm_campaign=spring
        #办公室茶#
        >>> [n.code for n in post.notes]
        ['title_merged', 'tags_appended', 'utm_added', 'links_appended']
        >>> adapt(post, "weibo") == post
        True
    """
    spec = resolve_platform(platform)
    if isinstance(content, PlatformPost):
        if content.platform != spec.id:
            raise InvalidInputError.single(
                "platform",
                f"a post adapted for {content.platform!r} can only be re-adapted for it",
                spec.id,
            )
        notes = _Notes(content.notes)
        piece = piece_from_post(content)
        if digest is None and isinstance(content.extras.get("digest"), str):
            digest = content.extras["digest"]
    elif isinstance(content, ContentPiece):
        notes = _Notes()
        piece = content
    else:
        raise InvalidInputError.single(
            "content", "must be a ContentPiece or a PlatformPost", type(content).__name__
        )
    _check_permission(piece, now)
    utm_opts: dict[str, str | None] | None = None
    if utm:
        utm_opts = {
            "medium": utm_medium,
            "campaign": utm_campaign or piece.campaign or piece.id,
            "term": utm_term,
            "content": utm_content,
        }
    body = piece.body.strip()
    if body != piece.body:
        notes.add("whitespace_trimmed", "body", "leading and trailing whitespace removed")
    cjk = bool(_CJK.search(piece.body + (piece.title or ""))) or (
        piece.language or ""
    ).lower().startswith(("zh", "ja", "ko"))
    body = _strip_refused(body, spec, "body", notes)

    # Title: the platform's own field, or the first line of the text.
    title: str | None = None
    if spec.title is not None:
        title = piece.title.strip() or None if piece.title else None
        if not title and spec.id in TITLE_REQUIRED and body:
            first = _FIRST_SENTENCE.match(body)
            title = (first.group(0) if first else body).strip() or None
            if title:
                notes.add(
                    "title_derived", "title", "title taken from the first sentence", after=title
                )
        if title:
            title = _strip_refused(title, spec, "title", notes)
            title = _fit_title(title, spec, notes) or None
        if not title and spec.id in TITLE_REQUIRED:
            raise ContentRuleError.single(
                "title", f"{spec.id} needs a title and the piece has no text to take one from"
            )
    elif piece.title and piece.title.strip():
        head = piece.title.strip()
        merged = f"【{head}】" if spec.hashtag_style is HashtagStyle.HASH_WRAPPED else head
        sep = "" if merged.endswith("】") else "\n\n"
        body = (merged + sep + body if body else merged).strip()
        notes.add(
            "title_merged",
            "body",
            f"{spec.id} has no title field: the title opens the text",
            before=piece.title,
        )
        body = _strip_refused(body, spec, "body", notes).strip()

    # Topics: rewrite inline ones, then add the piece's tags.
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
        body = converted
    inline = tuple(dict.fromkeys(inline, None))
    inline_keys = {t.casefold() for t in inline}
    n_inline = len(inline_keys)
    new_tags = [t for t in dict.fromkeys(piece.tags) if t.casefold() not in inline_keys]
    inline_style = format_hashtag("x", spec) is not None
    cap = None if spec.max_hashtags is None else int(spec.max_hashtags.value)
    tag_line = ""
    tags: tuple[str, ...]
    if inline_style:
        if cap is not None and n_inline > cap:
            body, demoted = _demote_hashtags(body, cap)
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
        if formatted:
            tag_line = " ".join(formatted)
            notes.add("tags_appended", "body", "tags added as topics", after=tag_line)
    else:
        all_tags = list(dict.fromkeys([*piece.tags, *inline]))
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

    # Links: UTM-tag them, and put them where the platform wants them.
    body = _tag_urls(body, spec, utm_opts, notes, "body")
    links = tuple(dict.fromkeys(_utm(u, spec, utm_opts) if utm_opts else u for u in piece.links))
    for original, tagged in zip(dict.fromkeys(piece.links), links, strict=True):
        if original != tagged:
            notes.add("utm_added", "links", "UTM parameters added", before=original, after=tagged)
    extras: dict[str, Any] = {}
    link_lines: list[str] = []
    if not spec.links.allowed:
        body, removed = _remove_entities(body, {EntityKind.URL})
        if removed:
            notes.add(
                "links_removed",
                "body",
                f"{spec.id} does not allow external links; kept in post.links",
                severity=NoteSeverity.WARNING,
                before=" ".join(removed),
            )
        links = tuple(dict.fromkeys([*links, *removed]))
    elif _is_html_platform(spec):
        if links:
            extras["content_source_url"] = links[0]
            notes.add(
                "source_url",
                "extras.content_source_url",
                "first link set as 阅读原文 (content_source_url)",
                after=links[0],
            )
    else:
        link_lines = [u for u in links if u not in body]
        if link_lines:
            notes.add("links_appended", "body", "links added to the text")

    credit_line = None
    if credit and piece.source is ContentSource.UGC:
        credit_line = _credit_line(piece, cjk)
        if credit_line and credit_line in body:
            credit_line = None
        if credit_line:
            notes.add("credit_added", "body", "credit line for the creator", after=credit_line)

    # What follows the text, in the order it is given up when even it does not fit.
    tail: list[tuple[str, str]] = [("links", u) for u in link_lines]
    if tag_line:
        tail.append(("tags", tag_line))
    if credit_line:
        tail.append(("credit", credit_line))
    if not inline_style:
        tags = tuple(all_tags)
    encode = _encoder(spec, mentions)
    body, parts = _fit(body, tail, spec, encode, notes, allow_threads, numbering, ellipsis)
    if link_lines:
        # Links that did not fit were dropped (and noted): the post lists what it says.
        links = tuple(u for u in links if u in body)
    if inline_style:
        tags = tuple(
            dict.fromkeys(e.value for e in extract_entities(body) if e.kind is EntityKind.HASHTAG)
        )
    if spec.mention_style is MentionStyle.LITTLE_URN:
        encoded = encode(body)
        if encoded != body:
            notes.add(
                "little_escaped",
                "body",
                "reserved characters escaped for LinkedIn's little format",
            )
        body = encoded
    elif _is_html_platform(spec):
        plain = body
        body = encode(body)
        if body != plain:
            notes.add("html_body", "body", "text written as HTML paragraphs (escaped)")
        extras.update(_digest(_html_text(body), spec, digest, notes))
    if spec.hashtag_style is HashtagStyle.FACET:
        if parts:
            extras["part_facets"] = [list(bluesky_facets(p, dids=dids)) for p in parts]
        else:
            extras["facets"] = list(bluesky_facets(body, dids=dids))
    media = _select_media(piece.media, spec, notes)
    return PlatformPost(
        platform=spec.id,
        piece_id=piece.id,
        title=title,
        body=body,
        parts=parts,
        media=media,
        tags=tags,
        links=links,
        notes=tuple(notes.items),
        extras=extras,
    )


def _check_permission(piece: ContentPiece, now: datetime | None) -> None:
    if piece.source is not ContentSource.UGC:
        return
    if piece.permission is None:
        raise PermissionMissingError.single(
            "permission",
            "user-generated content needs the creator's recorded permission before reuse",
            piece.id,
        )
    expires = piece.permission.expires_at
    if now is not None and expires is not None and expires <= now:
        raise PermissionMissingError.single(
            "permission.expires_at", "the creator's permission has expired", expires.isoformat()
        )


def _digest(text: str, spec: Platform, digest: str | None, notes: _Notes) -> dict[str, Any]:
    cap = spec.limit("digest_max")
    default_len = spec.limit("digest_default_length")
    if digest is None:
        n = int(default_len.value) if default_len is not None else 54
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
    return {"digest": digest}


def _fit(  # noqa: PLR0917 - private helper called once, positionally
    core: str,
    tail: list[tuple[str, str]],
    spec: Platform,
    encode: Callable[[str], str],
    notes: _Notes,
    allow_threads: bool,
    numbering: str,
    ellipsis: str,
) -> tuple[str, tuple[str, ...]]:
    """Make ``core`` + ``tail`` fit; returns the body and the thread parts (if split)."""
    items = list(tail)

    def join(c: str) -> str:
        return "\n".join(x for x in (c, *(text for _k, text in items)) if x)

    def fits(plain: str) -> bool:
        return within_limit(encode(plain), spec)

    full = join(core)
    if fits(full):
        return full, ()
    if allow_threads and spec.threads:
        parts = split_thread(full, spec, numbering=numbering)
        if len(parts) > 1 and all(fits(p) for p in parts):
            notes.add(
                "thread_split",
                "parts",
                f"text split into {len(parts)} numbered parts to fit {spec.id}",
            )
            return full, parts
    # Links, tags and the credit line are kept whole; when they alone leave no room,
    # tags go first, then links (last first), and the credit line last.
    for kind in ("tags", "links", "credit"):
        while not fits(join(ellipsis if core else "")) and any(k == kind for k, _t in items):
            index = max(i for i, (k, _t) in enumerate(items) if k == kind)
            _k, dropped = items.pop(index)
            notes.add(
                f"{kind}_dropped" if kind != "tags" else "tags_dropped",
                "body",
                f"no room for the {kind} within {spec.id}'s limit",
                severity=NoteSeverity.WARNING,
                before=dropped,
            )
        if fits(join(core)):
            return join(core), ()
    cut = _best_prefix(core, cut_points(core), lambda c: fits(join(_trim(c) + ellipsis)), 0.5)
    head = _trim(core[:cut])
    new_core = head + ellipsis if head else ""
    new = join(new_core)
    if not fits(new):
        new = join("") if fits(join("")) else ""
    if core:
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
    return new, ()


def _trim(head: str) -> str:
    return head.rstrip().rstrip("，；、,;：:").rstrip()


def adapt_all(
    piece: ContentPiece,
    platforms: Iterable[PlatformLike] | None = None,
    **options: Any,
) -> AdaptAllResult:
    """Adapt ``piece`` to several platforms (all 16 catalog platforms by default).

    A platform that refuses the piece (UGC without permission, no title where one is
    required, an unknown id) is reported in ``errors`` with its reason; the others
    still get their post. ``options`` are :func:`adapt`'s keyword options.

    Example:
        >>> from smmkit.models import Creator
        >>> ugc = ContentPiece(id="u1", body="my office tea ritual", source="ugc",
        ...                    creator=Creator(name="Lin", handle="lin"))
        >>> r = adapt_all(ugc, ["x", "mastodon"])
        >>> r.posts, [(e.platform, e.code) for e in r.errors]
        ((), [('x', 'permission_missing'), ('mastodon', 'permission_missing')])
    """
    posts: list[PlatformPost] = []
    errors: list[AdaptationError] = []
    for platform in platform_ids() if platforms is None else platforms:
        name = platform if isinstance(platform, str) else platform.id
        try:
            posts.append(adapt(piece, platform, **options))
        except PermissionMissingError as exc:
            errors.append(_error(name, "permission_missing", exc))
        except UnknownPlatformError as exc:
            errors.append(_error(name, "unknown_platform", exc))
        except ContentRuleError as exc:
            errors.append(_error(name, "content_rule", exc))
        except InvalidInputError as exc:
            errors.append(_error(name, "invalid_input", exc))
    return AdaptAllResult(posts=tuple(posts), errors=tuple(errors))


def _error(platform: str, code: str, exc: InvalidInputError) -> AdaptationError:
    return AdaptationError(
        platform=platform,
        code=code,
        message=str(exc),
        field=exc.fields[0] if exc.fields else None,
    )


def render_adaptations(
    text: str,
    platforms: Iterable[PlatformLike] | None = None,
    *,
    title: str | None = None,
    tags: Sequence[str] = (),
    piece_id: str = "cli",
    allow_threads: bool = True,
    **options: Any,
) -> str:
    """Every platform's variant of ``text`` with its notes, as plain text for a terminal.

    This is what ``smmkit adapt`` prints. Each block shows the platform, the length in
    its own unit against its limit, the title, the text (or numbered parts), the tags,
    each adaptation note and any validation errors left.

    Example:
        >>> out = render_adaptations("下午三点，泡一杯冷泡茶。", ["weibo", "x"], tags=["办公室茶"])
        >>> print(out.splitlines()[0])
        == weibo 微博 (weibo_units 18/140) ==
    """
    from smmkit.content._validate import validate

    piece = ContentPiece(id=piece_id, title=title, body=text, tags=tuple(tags))
    result = adapt_all(piece, platforms, allow_threads=allow_threads, **options)
    blocks: list[str] = []
    for post in result.posts:
        spec = resolve_platform(post.platform)
        m = measure(post.body if not post.parts else post.parts[0], spec)
        limit = "∞" if m.limit is None else str(m.limit)
        name = (
            f"{spec.id} {spec.name_zh}"
            if spec.name_zh and spec.name_zh != spec.name_en
            else spec.id
        )
        lines = [f"== {name} ({m.unit.value} {m.length}/{limit}) =="]
        if post.title:
            lines.append(f"title: {post.title}")
        if post.parts:
            lines.extend(f"[{i}] {p}" for i, p in enumerate(post.parts, 1))
        else:
            lines.append(post.body)
        if post.tags:
            lines.append("tags: " + ", ".join(post.tags))
        for key in ("digest", "content_source_url"):
            if key in post.extras:
                lines.append(f"{key}: {post.extras[key]}")
        for note in post.notes:
            lines.append(f"  - {note.severity.value}: {note.code} ({note.field}): {note.message}")
        noted = {n.code for n in post.notes}
        for v in validate(post):
            if v.severity is not NoteSeverity.INFO and v.code not in noted:
                lines.append(f"  ! {v.severity.value}: {v.code} ({v.field}): {v.message}")
        blocks.append("\n".join(lines))
    for err in result.errors:
        blocks.append(f"== {err.platform} ==\n  ! refused: {err.code}: {err.message}")
    return "\n\n".join(blocks) + "\n"
