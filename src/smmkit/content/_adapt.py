"""Adapt one piece to each platform: the playbook's "adapt content to the platform,
never the platform to the content".

Every decision comes from the platform's catalog spec (limits, counting, title and text
format, topic and mention syntax, link policy, media limits, threads), and every change
is recorded on the :class:`~smmkit.models.PlatformPost` as an
:class:`~smmkit.models.AdaptationNote` that says what changed and why. ``adapt`` also
takes its own output: adapting a post again for the same platform, with the same
options, changes nothing.

``adapt`` is a pipeline: the piece becomes a draft that goes through named stages in a
declared order (``smmkit.content._stages.STAGES``: permission, clean, title, topics,
links, credit, fit, encode, facets, media), each a small function of the draft.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from typing_extensions import Unpack

from smmkit.catalog import PlatformLike, platform_ids, resolve_platform
from smmkit.content._checks import platform_list, str_tuple
from smmkit.content._draft import Context, Draft, Notes
from smmkit.content._options import AdaptOptions, AdaptOverrides, resolve_options
from smmkit.content._shape import encoder, plain_text
from smmkit.content._stages import STAGES
from smmkit.content._validate import validate
from smmkit.exceptions import (
    ContentRuleError,
    ContentTooLongError,
    InvalidInputError,
    PermissionMissingError,
    UnknownPlatformError,
)
from smmkit.models._base import SmmkitModel
from smmkit.models.content import ContentPiece, ContentSource, NoteSeverity, PlatformPost
from smmkit.models.extras import ArticleExtras, PostExtras, extras_model_for
from smmkit.models.platform import Platform
from smmkit.text._count import measure
from smmkit.text._serialize import format_hashtag

__all__ = [
    "AdaptAllResult",
    "AdaptationError",
    "adapt",
    "adapt_all",
    "piece_from_post",
    "render_adaptations",
]

_ADAPT_OWNED = frozenset({"digest", "content_source_url", "facets"})
"""Extras fields ``adapt`` writes: re-adapting a post computes them again."""


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

    def to_frame(self) -> Any:
        """One row per platform: ok, length, limit, parts, notes, error (pandas extra).

        Example:
            >>> adapt_all(ContentPiece(id="p", body="hi"), ["x"]).to_frame()["length"].tolist()
            [2]
        """
        from smmkit._frames import adapt_frame

        return adapt_frame(self)


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
    if not isinstance(post, PlatformPost):
        raise InvalidInputError.single("post", "must be a PlatformPost", type(post).__name__)
    spec = resolve_platform(post.platform)
    return ContentPiece(
        id=post.piece_id,
        title=post.title,
        body=plain_text(post.body, spec),
        media=post.media,
        tags=post.tags,
        links=post.links,
        source=ContentSource.OGC,
    )


def adapt(
    content: ContentPiece | PlatformPost,
    platform: PlatformLike,
    options: AdaptOptions | None = None,
    **overrides: Unpack[AdaptOverrides],
) -> PlatformPost:
    """Adapt ``content`` to ``platform``: the returned post fits and follows its rules.

    ``options`` (an :class:`~smmkit.content.AdaptOptions`) or its fields as keywords
    (``allow_threads=True``, ``utm_campaign="spring"``...) say how; keywords override
    ``options``. A bad option raises :class:`~smmkit.exceptions.InvalidInputError`
    naming it.

    * A platform that needs a title (the catalog's ``title_required``: WeChat OA,
      Bilibili, YouTube) and a piece with neither a title nor text raise
      :class:`~smmkit.exceptions.ContentRuleError`.
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
      WeChat OA takes the first as 阅读原文 (``extras.content_source_url``).
    * Text that is too long is split into numbered parts where the platform has
      threads and ``allow_threads`` is set, otherwise its prose is cut at a sentence
      or clause with ``ellipsis``. Every link, hashtag, mention and the credit line
      is kept (those of the part cut away follow the ellipsis); when they cannot all
      fit, :class:`~smmkit.exceptions.ContentTooLongError` names what did not.
    * Text is written in the platform's ``body_format``: LinkedIn's little format
      (``mentions`` maps a handle to ``(name, urn)``); WeChat OA's HTML, with a digest
      (``digest`` or the first 54 字). Bluesky gets facets (``dids`` maps handles to
      DIDs for mentions).
    * Media are chosen within the platform's count, size and duration limits; videos
      outside the playbook's sweet spot are kept with a warning.

    Re-adapting a post keeps the extras fields set on it by hand (a Mastodon
    ``visibility``...); those ``adapt`` writes (``digest``, ``content_source_url``,
    ``facets``) are computed again.

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
        >>> adapt(piece, "x", AdaptOptions(utm=False)).links
        ('https://tea.example.cn/a',)
    """
    return _run(content, resolve_platform(platform), resolve_options(options, overrides))


def _run(
    content: ContentPiece | PlatformPost, spec: Platform, options: AdaptOptions
) -> PlatformPost:
    draft, ctx, kept = _start(content, spec, options)
    for stage in STAGES:
        draft = stage(draft, ctx)
    fields = {**kept, **draft.extras}
    extras = ctx.extras_model(**fields) if fields else _empty_extras(ctx.extras_model)
    return PlatformPost(
        platform=spec.id,
        piece_id=ctx.piece.id,
        title=draft.title,
        body=draft.body,
        parts=draft.parts,
        media=draft.media,
        tags=draft.tags,
        links=draft.links,
        notes=tuple(ctx.notes.items),
        extras=extras,
    )


@lru_cache(maxsize=64)
def _empty_extras(model: type[PostExtras]) -> PostExtras:
    return model()  # frozen: one empty value per model is shared by every post


def _start(
    content: ContentPiece | PlatformPost, spec: Platform, options: AdaptOptions
) -> tuple[Draft, Context, dict[str, Any]]:
    """The first draft and the context; for a post, also the extras it keeps."""
    digest = options.digest
    kept: dict[str, Any] = {}
    if isinstance(content, PlatformPost):
        if content.platform != spec.id:
            raise InvalidInputError.single(
                "platform",
                f"a post adapted for {content.platform!r} can only be re-adapted for it",
                spec.id,
            )
        notes = Notes(content.notes)
        piece = piece_from_post(content)
        extras = content.extras
        if digest is None and isinstance(extras, ArticleExtras):
            digest = extras.digest
        kept = extras.model_dump(exclude_unset=True, exclude=set(_ADAPT_OWNED))
    elif isinstance(content, ContentPiece):
        notes = Notes()
        piece = content
    else:
        raise InvalidInputError.single(
            "content", "must be a ContentPiece or a PlatformPost", type(content).__name__
        )
    ctx = Context(
        spec=spec,
        piece=piece,
        options=options,
        notes=notes,
        digest=digest,
        extras_model=extras_model_for(spec.id),
        inline_topics=format_hashtag("x", spec) is not None,
        encode=encoder(spec, options.mentions),
        utm=options.utm_fields(piece.campaign or piece.id),
    )
    draft = Draft(
        title=piece.title,
        body=piece.body,
        tags=piece.tags,
        links=piece.links,
        media=piece.media,
    )
    return draft, ctx, kept


def adapt_all(
    piece: ContentPiece,
    platforms: Iterable[PlatformLike] | None = None,
    options: AdaptOptions | None = None,
    **overrides: Unpack[AdaptOverrides],
) -> AdaptAllResult:
    """Adapt ``piece`` to several platforms (all 16 catalog platforms by default).

        A platform that refuses the piece (UGC without permission, no title where one is
        required, links and tags that cannot all fit, an unknown id) is reported in
        ``errors`` with its reason (``content_too_long``...); the others
        still get their post. ``options`` and the keywords are :func:`adapt`'s; a bad option
    raises :class:`~smmkit.exceptions.InvalidInputError` (it is no platform's refusal).

        Example:
            >>> from smmkit.models import Creator
            >>> ugc = ContentPiece(id="u1", body="my office tea ritual", source="ugc",
            ...                    creator=Creator(name="Lin", handle="lin"))
            >>> r = adapt_all(ugc, ["x", "mastodon"])
            >>> r.posts, [(e.platform, e.code) for e in r.errors]
            ((), [('x', 'permission_missing'), ('mastodon', 'permission_missing')])
    """
    if not isinstance(piece, ContentPiece):
        raise InvalidInputError.single("piece", "must be a ContentPiece", type(piece).__name__)
    chosen = resolve_options(options, overrides)
    posts: list[PlatformPost] = []
    errors: list[AdaptationError] = []
    for platform in platform_ids() if platforms is None else platform_list(platforms):
        name = platform if isinstance(platform, str) else platform.id
        try:
            posts.append(_run(piece, resolve_platform(platform), chosen))
        except PermissionMissingError as exc:
            errors.append(_error(name, "permission_missing", exc))
        except UnknownPlatformError as exc:
            errors.append(_error(name, "unknown_platform", exc))
        except ContentTooLongError as exc:
            errors.append(_error(name, "content_too_long", exc))
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
    options: AdaptOptions | None = None,
    **overrides: Unpack[AdaptOverrides],
) -> str:
    """Every platform's variant of ``text`` with its notes, as plain text for a terminal.

    This is what ``smmkit adapt`` prints. Each block shows the platform, the length in
    its own unit against its limit, the title, the text (or numbered parts), the tags,
    each adaptation note and any validation errors left. ``options`` and the keywords
    are :func:`adapt`'s, except that threads are allowed unless they say otherwise.

    Example:
        >>> out = render_adaptations("下午三点，泡一杯冷泡茶。", ["weibo", "x"], tags=["办公室茶"])
        >>> print(out.splitlines()[0])
        == weibo 微博 (weibo_units 18/140) ==
    """
    piece = ContentPiece(id=piece_id, title=title, body=text, tags=str_tuple(tags, "tags"))
    chosen = resolve_options(options, overrides)
    if "allow_threads" not in overrides and (
        options is None or "allow_threads" not in options.model_fields_set
    ):
        chosen = chosen.model_copy(update={"allow_threads": True})
    result = adapt_all(piece, platforms, chosen)
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
        lines.extend(_article_lines(post.extras))
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


def _article_lines(extras: PostExtras) -> list[str]:
    if not isinstance(extras, ArticleExtras):
        return []
    fields = (("digest", extras.digest), ("content_source_url", extras.content_source_url))
    return [f"{key}: {value}" for key, value in fields if value is not None]
