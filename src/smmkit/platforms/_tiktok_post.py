"""What a TikTok post sends: its mode and source, and ``post_info`` checked against
``creator_info``.

Pure helpers of :mod:`smmkit.platforms.tiktok` (no I/O). The rules and their sources
(developers.tiktok.com, read 2026-12-06):

* ``privacy_level`` must be one of ``creator_info``'s ``privacy_level_options``, chosen
  by the user with no default; branded content cannot be ``SELF_ONLY``; interactions
  are opt-in and stay off where the creator turned them off; a video may not be longer
  than ``max_video_post_duration_sec`` (/doc/content-sharing-guidelines);
* a video's caption (``title``) is at most 2,200 UTF-16 units; a photo post's ``title``
  90 and ``description`` 4,000 (/doc/content-posting-api-reference-direct-post,
  /doc/content-posting-api-reference-photo-post);
* video: MP4, WebM or MOV; photos: JPEG or WebP, pulled from a verified domain or URL
  prefix, up to 35 (/doc/content-posting-api-media-transfer-guide).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from smmkit.exceptions import InvalidInputError
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import TikTokExtras
from smmkit.platforms._media import media_type
from smmkit.platforms._tiktok_wire import CreatorInfo, owned_url

__all__ = [
    "check_lengths",
    "check_pull",
    "choose",
    "inbox_post_info",
    "post_info",
    "post_key",
    "utf16",
]

VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
PHOTO_TYPES = ("image/jpeg", "image/webp")


def utf16(text: str) -> int:
    """Length in UTF-16 units, TikTok's unit ("UTF-16 runes").

    Example:
        >>> utf16("tea 🍵")
        6
    """
    return len(text.encode("utf-16-le")) // 2


def post_key(post: PlatformPost) -> str:
    """A key for a post published without one (a flow run by hand).

    Example:
        >>> len(post_key(PlatformPost(platform="tiktok", piece_id="p", body="hi")))
        32
    """
    digest = hashlib.sha256()
    for part in (post.piece_id, post.title or "", post.body, *(m.url for m in post.media)):
        digest.update(part.encode("utf-8") + b"\x00")
    return digest.hexdigest()[:32]


def choose(
    post: PlatformPost, *, mode: str, verified: Sequence[str]
) -> tuple[str, str, list[MediaAsset]]:
    """``(mode, source, media)`` for ``post``, checked before anything is sent.

    Example:
        >>> video = MediaAsset(kind="video", url="https://cdn.example.com/v/a.mp4")
        >>> post = PlatformPost(platform="tiktok", piece_id="p", body="hi", media=(video,))
        >>> choose(post, mode="direct", verified=["cdn.example.com"])[:2]
        ('direct', 'PULL_FROM_URL')
    """
    extras = post.extras_as(TikTokExtras)
    mode = extras.mode or mode
    media = list(post.media)
    kinds = {m.kind for m in media}
    if not media:
        raise InvalidInputError.single("media", "TikTok posts need a video or photos")
    if kinds == {MediaKind.VIDEO}:
        if len(media) > 1:
            raise InvalidInputError.single("media", "TikTok takes one video per post")
        asset = media[0]
        owned = owned_url(asset.url, verified)
        source = extras.source or ("PULL_FROM_URL" if owned else "FILE_UPLOAD")
        if source == "PULL_FROM_URL":
            check_pull(asset, 0, verified)
        elif media_type(asset) not in VIDEO_TYPES:
            raise InvalidInputError.single(
                "media.0.mime_type", f"must be one of {VIDEO_TYPES}", media_type(asset)
            )
        return mode, source, media
    if kinds <= {MediaKind.IMAGE} and len(media) <= 35:
        if extras.source == "FILE_UPLOAD":
            raise InvalidInputError.single(
                "extras.source", "TikTok takes photos by PULL_FROM_URL only", "FILE_UPLOAD"
            )
        for index, asset in enumerate(media):
            check_pull(asset, index, verified)
            if media_type(asset) not in PHOTO_TYPES:
                raise InvalidInputError.single(
                    f"media.{index}.mime_type", "TikTok takes JPEG or WebP photos only"
                )
        return mode, "PULL_FROM_URL", media
    raise InvalidInputError.single(
        "media", "TikTok takes one video, or 1 to 35 photos (JPEG, WebP), per post"
    )


def check_pull(asset: MediaAsset, index: int, verified: Sequence[str]) -> None:
    """Refuse a URL TikTok cannot pull: not https, or outside the verified prefixes."""
    if not asset.url.startswith("https://"):
        raise InvalidInputError.single(
            f"media.{index}.url", "TikTok pulls https:// URLs only", asset.url
        )
    if verified and not owned_url(asset.url, verified):
        raise InvalidInputError.single(
            f"media.{index}.url",
            "is not under a domain or URL prefix verified for this app "
            f"(verified_prefixes={list(verified)}); TikTok would refuse it "
            "(url_ownership_unverified)",
            asset.url,
        )


def post_info(
    post: PlatformPost, info: CreatorInfo, *, photo: bool, default_privacy: str | None
) -> dict[str, Any]:
    """``post_info`` of a direct post, the creator's settings respected."""
    extras = post.extras_as(TikTokExtras)
    options = list(info.privacy_level_options)
    level = extras.privacy_level or default_privacy
    if level is None or level not in options:
        said = "must be chosen (TikTok allows no default)" if level is None else "is not"
        raise InvalidInputError.single(
            "extras.privacy_level",
            f"{said} one of this creator's privacy_level_options {options}",
            level,
        )
    if extras.brand_content_toggle and level == "SELF_ONLY":
        raise InvalidInputError.single(
            "extras.privacy_level", "branded content cannot be SELF_ONLY", level
        )
    longest = info.max_video_post_duration_sec
    for index, asset in enumerate(post.media):
        seconds = asset.duration_seconds
        if not photo and longest and seconds is not None and seconds > longest:
            raise InvalidInputError.single(
                f"media.{index}.duration_seconds",
                f"is longer than this creator may post ({longest} s)",
                seconds,
            )
    fields: dict[str, Any] = {}
    if photo:
        if post.title:
            fields["title"] = post.title
        if post.body.strip():
            fields["description"] = post.body
    elif post.body.strip():
        fields["title"] = post.body
    fields["privacy_level"] = level
    names: tuple[tuple[str, bool], ...] = (("comment", info.comment_disabled),)
    if not photo:
        names += (("duet", info.duet_disabled), ("stitch", info.stitch_disabled))
    for name, off in names:
        wanted = getattr(extras, f"disable_{name}")
        if off and wanted is False:
            raise InvalidInputError.single(
                f"extras.disable_{name}", f"the creator has turned {name}s off", wanted
            )
        fields[f"disable_{name}"] = True if off or wanted is None else wanted
    if not photo and extras.video_cover_timestamp_ms is not None:
        fields["video_cover_timestamp_ms"] = extras.video_cover_timestamp_ms
    if photo and extras.auto_add_music is not None:
        fields["auto_add_music"] = extras.auto_add_music
    fields["brand_content_toggle"] = bool(extras.brand_content_toggle)
    fields["brand_organic_toggle"] = bool(extras.brand_organic_toggle)
    if not photo and extras.is_aigc is not None:
        fields["is_aigc"] = extras.is_aigc
    return fields


def check_lengths(post: PlatformPost, *, photo: bool) -> None:
    """Refuse a caption (2,200) or photo description (4,000) or title (90) too long."""
    limit = 4000 if photo else 2200  # a photo's description, a video's caption
    if utf16(post.body) > limit:
        raise InvalidInputError.single("body", f"is over {limit} UTF-16 units", len(post.body))
    if photo and post.title and utf16(post.title) > 90:
        raise InvalidInputError.single("title", "is over 90 UTF-16 units", post.title)


def inbox_post_info(post: PlatformPost) -> dict[str, Any]:
    """``post_info`` of a photo sent to the inbox: title and description only."""
    fields: dict[str, Any] = {"title": post.title} if post.title else {}
    if post.body.strip():
        fields["description"] = post.body
    return fields
