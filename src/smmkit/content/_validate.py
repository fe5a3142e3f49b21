"""Check a post (or a piece written by hand) against a platform's catalog spec.

Violations say what is wrong, where (``field``) and how bad: ``error`` means the
platform will refuse or mangle the post, ``warning`` means it will go out but
probably not as intended, ``info`` is advice (the playbook's video sweet spots).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smmkit.catalog import PlatformLike, resolve_platform
from smmkit.content._kept import kept_problems
from smmkit.content.compliance import check_compliance
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel
from smmkit.models.content import (
    ContentPiece,
    ContentSource,
    MediaAsset,
    MediaKind,
    NoteSeverity,
    PlatformPost,
)
from smmkit.models.extras import ArticleExtras
from smmkit.models.platform import BodyFormat, HashtagStyle, Platform
from smmkit.text._count import measure
from smmkit.text._entities import EntityKind, HashtagForm, extract_entities
from smmkit.text._serialize import unescaped_little

__all__ = [
    "Violation",
    "has_errors",
    "media_problems",
    "title_length",
    "validate",
]

_FORM_FOR_STYLE = {
    HashtagStyle.HASH_PREFIX: HashtagForm.HASH,
    HashtagStyle.FACET: HashtagForm.HASH,
    HashtagStyle.HASH_WRAPPED: HashtagForm.WRAPPED,
    HashtagStyle.XHS_TOPIC: HashtagForm.XHS,
}


class Violation(SmmkitModel):
    """One way a post breaks (or bends) a platform's rules.

    Example:
        >>> v = validate(PlatformPost(platform="x", piece_id="p", body="a" * 300), "x")[0]
        >>> v.severity.value, v.code, v.field
        ('error', 'text_too_long', 'body')
    """

    severity: NoteSeverity
    code: str
    message: str
    field: str


class _Violations(list[Violation]):
    # Every check reports the same four facts; one call per finding keeps each check
    # readable as its condition and its message.
    def add(
        self,
        code: str,
        field: str,
        message: str,
        severity: NoteSeverity = NoteSeverity.ERROR,
    ) -> None:
        self.append(Violation(severity=severity, code=code, message=message, field=field))


def has_errors(violations: tuple[Violation, ...]) -> bool:
    """True when any violation is an error.

    Example:
        >>> has_errors(validate(PlatformPost(platform="x", piece_id="p", body="ok"), "x"))
        False
    """
    if isinstance(violations, (str, bytes, Mapping)) or not isinstance(violations, Iterable):
        raise InvalidInputError.single(
            "violations", "must be a tuple of Violation", type(violations).__name__
        )
    found = tuple(violations)
    for i, v in enumerate(found):
        if not isinstance(v, Violation):
            raise InvalidInputError.single(
                f"violations.{i}", "must be a Violation", type(v).__name__
            )
    return any(v.severity is NoteSeverity.ERROR for v in found)


def title_length(title: str, spec: Platform) -> int:
    """A title's length in the unit the catalog gives for the platform's title.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> tiktok, youtube = get_platform_spec("tiktok"), get_platform_spec("youtube")
        >>> title_length("🍵 tea", tiktok), title_length("🍵 tea", youtube)
        (6, 5)
    """
    unit = spec.title.unit if spec.title else ""
    if "UTF-16" in unit:
        return len(title.encode("utf-16-le")) // 2
    return len(title)


def media_problems(asset: MediaAsset, spec: Platform) -> tuple[tuple[NoteSeverity, str, str], ...]:
    """Why ``asset`` cannot go to ``spec`` as it is: ``(severity, code, message)``.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> clip = MediaAsset(kind="video", url="https://cdn.example/a.mp4", duration_seconds=120)
        >>> [c for _s, c, _m in media_problems(clip, get_platform_spec("douyin"))]
        ['outside_sweet_spot']
    """
    m = spec.media
    out: list[tuple[NoteSeverity, str, str]] = []
    size = asset.size_bytes
    caps = {
        MediaKind.IMAGE: m.image_max_bytes,
        MediaKind.GIF: m.gif_max_bytes or m.image_max_bytes,
        MediaKind.VIDEO: m.video_max_bytes,
    }
    cap = caps.get(asset.kind)
    if size is not None and cap is not None and size > cap.value:
        out.append(
            (
                NoteSeverity.ERROR,
                "media_too_large",
                f"{asset.kind.value} of {size} bytes exceeds {spec.id}'s {cap.value} ({cap.unit})",
            )
        )
    if asset.kind is MediaKind.VIDEO and asset.duration_seconds is not None:
        d = asset.duration_seconds
        longest, shortest = m.video_max_seconds, m.video_min_seconds
        if longest is not None and d > longest.value:
            out.append(
                (
                    NoteSeverity.ERROR,
                    "video_too_long",
                    f"video of {d:g} s exceeds {spec.id}'s maximum of {longest.value} s",
                )
            )
        elif shortest is not None and d < shortest.value:
            out.append(
                (
                    NoteSeverity.ERROR,
                    "video_too_short",
                    f"video of {d:g} s is under {spec.id}'s minimum of {shortest.value} s",
                )
            )
        elif m.sweet_spot_seconds is not None:
            lo, hi = m.sweet_spot_seconds
            if not lo <= d <= hi:
                label = f" ({m.sweet_spot_label})" if m.sweet_spot_label else ""
                out.append(
                    (
                        NoteSeverity.WARNING,
                        "outside_sweet_spot",
                        f"video of {d:g} s is outside the playbook's {lo:g}-{hi:g} s sweet "
                        f"spot for {spec.id}{label}",
                    )
                )
    return tuple(out)


def _text_checks(text: str, field: str, spec: Platform) -> _Violations:
    out = _Violations()
    m = measure(text, spec)
    if m.invalid_chars:
        out.add(
            "invalid_characters",
            field,
            f"{spec.id} refuses the characters {list(m.invalid_chars)!r}",
        )
    if m.limit is not None and m.length > m.limit:
        out.add(
            "text_too_long", field, f"{m.length} {m.unit.value} units; {spec.id} allows {m.limit}"
        )
    if m.byte_limit is not None and m.bytes > m.byte_limit:
        out.add(
            "text_too_many_bytes", field, f"{m.bytes} UTF-8 bytes; {spec.id} allows {m.byte_limit}"
        )
    if spec.markup is BodyFormat.LITTLE:
        bad = unescaped_little(text)
        if bad:
            out.add(
                "little_unescaped",
                field,
                f"unescaped reserved characters at {list(bad[:10])}: LinkedIn "
                "silently cuts the post at the first one",
            )
    entities = extract_entities(text)
    tags = [e for e in entities if e.kind is EntityKind.HASHTAG]
    wanted = _FORM_FOR_STYLE.get(spec.hashtag_style)
    if wanted is not None:
        odd = [e.text for e in tags if e.form is not wanted]
        if odd:
            out.add(
                "hashtag_style",
                field,
                f"topics {odd[:5]} are not in {spec.id}'s form ({spec.hashtag_style.value})",
                severity=NoteSeverity.WARNING,
            )
        distinct = len({e.value.casefold() for e in tags})
        if spec.max_hashtags is not None and distinct > spec.max_hashtags.value:
            out.add(
                "too_many_hashtags",
                field,
                f"{distinct} distinct hashtags; {spec.id} allows {spec.max_hashtags.value}",
            )
    if not spec.links.allowed and any(e.kind is EntityKind.URL for e in entities):
        out.add(
            "links_not_allowed",
            field,
            f"{spec.id} does not allow external links"
            + (f" ({spec.links.note})" if spec.links.note else ""),
            severity=NoteSeverity.WARNING,
        )
    for issue in check_compliance(text):
        out.add(
            f"compliance.{issue.code}",
            field,
            f"{issue.message} (at {issue.start})",
            severity=issue.severity,
        )
    return out


def _post_checks(post: PlatformPost, spec: Platform, prefix: str = "") -> _Violations:
    out = _Violations()
    if post.platform != spec.id:
        out.add(
            "platform_mismatch",
            "platform",
            f"post was adapted for {post.platform!r}, not {spec.id!r}",
        )
    if post.parts and len(post.parts) > 1:
        if not spec.threads:
            out.add("threads_not_supported", "parts", f"{spec.id} has no threads; publish one post")
        for i, part in enumerate(post.parts):
            out.extend(_text_checks(part, f"parts.{i}", spec))
    else:
        out.extend(_text_checks(post.body, prefix + "body", spec))
    if not post.body.strip() and not post.media:
        out.add(
            "empty_post",
            prefix + "body",
            "nothing to publish: no text and no media",
            severity=NoteSeverity.WARNING,
        )
    out.extend(_title_checks(post, spec, prefix))
    if (
        spec.hashtag_style in (HashtagStyle.SEPARATE_FIELD, HashtagStyle.NONE)
        and spec.max_hashtags is not None
        and len(post.tags) > spec.max_hashtags.value
    ):
        out.add(
            "too_many_tags",
            prefix + "tags",
            f"{len(post.tags)} tags; {spec.id} allows {spec.max_hashtags.value}",
        )
    out.extend(_media_checks(post, spec, prefix))
    out.extend(_extras_checks(post, spec))
    return out


def _title_checks(post: PlatformPost, spec: Platform, prefix: str) -> _Violations:
    out = _Violations()
    if post.title is None:
        if spec.needs_title:
            out.add("title_missing", prefix + "title", f"{spec.id} needs a title")
    elif spec.title is None:
        out.add(
            "title_ignored",
            prefix + "title",
            f"{spec.id} has no title field; put it in the text",
            severity=NoteSeverity.WARNING,
        )
    elif title_length(post.title, spec) > spec.title.value:
        out.add(
            "title_too_long",
            prefix + "title",
            f"title is {title_length(post.title, spec)} {spec.title.unit}; "
            f"{spec.id} allows {spec.title.value}",
        )
    return out


def _media_checks(post: PlatformPost, spec: Platform, prefix: str) -> _Violations:
    out = _Violations()
    media = spec.media
    if media.max_items is not None and len(post.media) > media.max_items.value:
        out.add(
            "too_many_media",
            prefix + "media",
            f"{len(post.media)} media; {spec.id} allows {media.max_items.value}",
        )
    for i, asset in enumerate(post.media):
        for severity, code, message in media_problems(asset, spec):
            out.add(code, f"{prefix}media.{i}", message, severity)
    if media.requires_media and not post.media:
        out.add(
            "media_required",
            prefix + "media",
            f"{spec.id} posts need a picture or a video",
            severity=NoteSeverity.WARNING,
        )
    return out


def _extras_checks(post: PlatformPost, spec: Platform) -> _Violations:
    out = _Violations()
    extras = post.extras
    if not isinstance(extras, ArticleExtras):
        return out
    digest, digest_max = extras.digest, spec.limit("digest_max")
    if digest is not None and digest_max is not None and len(digest) > digest_max.value:
        out.add(
            "digest_too_long",
            "extras.digest",
            f"digest is {len(digest)} chars; {spec.id} allows {digest_max.value}",
        )
    source_url, url_max = extras.content_source_url, spec.limit("content_source_url_max_bytes")
    if (
        source_url is not None
        and url_max is not None
        and len(source_url.encode("utf-8")) > url_max.value
    ):
        out.add(
            "source_url_too_long",
            "extras.content_source_url",
            f"content_source_url exceeds {url_max.value} bytes",
        )
    return out


def _piece_checks(post: PlatformPost, piece: ContentPiece, spec: Platform) -> _Violations:
    out = _Violations()
    if post.piece_id != piece.id:
        out.add(
            "piece_mismatch",
            "piece_id",
            f"the post was made from {post.piece_id!r}, not {piece.id!r}",
            severity=NoteSeverity.WARNING,
        )
    for severity, code, field, message in kept_problems(post, piece, spec):
        out.add(code, field, message, severity)
    return out


def validate(
    post_or_piece: PlatformPost | ContentPiece,
    platform: PlatformLike | None = None,
    *,
    piece: ContentPiece | None = None,
) -> tuple[Violation, ...]:
    """Every violation of ``platform``'s rules, errors first.

    A :class:`~smmkit.models.PlatformPost` is checked as it would be published (each
    thread part on its own). A :class:`~smmkit.models.ContentPiece` written by hand is
    checked as if it were posted unchanged (title, body, tags inline, media), plus the
    UGC permission. Compliance findings (absolute advertising terms) come as warnings.

    With ``piece`` (the piece a post was made from), the post is also compared with
    it: a link, hashtag or mention of the piece that the post lost is an error
    (``link_missing``, ``tag_missing``, ``mention_missing``, ``mention_changed``),
    allowing for what adapting changes on purpose (UTM parameters, each platform's
    topic syntax, the tags field, ``post.links``); a tag the platform's hashtag cap
    left out is a warning.

    Example:
        >>> from smmkit.models import ContentPiece
        >>> piece = ContentPiece(id="p1", body="全网第一的冷泡茶", title="一个很长很长的标题" * 4)
        >>> [(v.severity.value, v.code) for v in validate(piece, "wechat_oa")]
        [('error', 'title_too_long'), ('warning', 'compliance.absolute_term')]
        >>> tea = ContentPiece(id="t", body="Cold brew https://tea.cn/a #tea")
        >>> cut = PlatformPost(platform="x", piece_id="t", body="Cold brew…")
        >>> [(v.code, v.field) for v in validate(cut, piece=tea)]
        [('link_missing', 'body'), ('tag_missing', 'body')]
    """
    if piece is not None and not isinstance(piece, ContentPiece):
        raise InvalidInputError.single("piece", "must be a ContentPiece", type(piece).__name__)
    if isinstance(post_or_piece, PlatformPost):
        spec = resolve_platform(platform if platform is not None else post_or_piece.platform)
        found = _post_checks(post_or_piece, spec)
        if piece is not None:
            found.extend(_piece_checks(post_or_piece, piece, spec))
    elif isinstance(post_or_piece, ContentPiece):
        if piece is not None:
            raise InvalidInputError.single(
                "piece", "compares a PlatformPost with its piece; got a ContentPiece to check"
            )
        if platform is None:
            raise InvalidInputError.single("platform", "is required to validate a ContentPiece")
        spec = resolve_platform(platform)
        piece = post_or_piece
        as_post = PlatformPost(
            platform=spec.id,
            piece_id=piece.id,
            title=piece.title if spec.title is not None else None,
            body=piece.body
            if spec.title is not None or not piece.title
            else f"{piece.title}\n\n{piece.body}",
            media=piece.media,
            tags=piece.tags,
            links=piece.links,
        )
        found = _post_checks(as_post, spec)
        if piece.source is ContentSource.UGC and piece.permission is None:
            found.add(
                "ugc_permission_missing",
                "permission",
                "user-generated content needs the creator's recorded permission",
            )
    else:
        raise InvalidInputError.single(
            "post_or_piece",
            "must be a PlatformPost or a ContentPiece",
            type(post_or_piece).__name__,
        )
    order = {NoteSeverity.ERROR: 0, NoteSeverity.WARNING: 1, NoteSeverity.INFO: 2}
    return tuple(sorted(found, key=lambda v: order[v.severity]))
