"""Typed, per-platform fields of a post: the one seam between content and platforms.

A :class:`~smmkit.models.PlatformPost` carries, beside its text and media, the fields
only one platform understands: a WeChat article's digest, Mastodon's visibility,
Bluesky's facets, a WeCom message type. Each platform has one **extras model** for
them, a frozen subclass of :class:`PostExtras`:

* ``smmkit.content.adapt`` writes some fields (``digest`` and ``content_source_url`` for
  WeChat articles, ``facets`` for Bluesky);
* callers write others (``visibility``, ``msgtype``, ``touser``...), either as the model
  (``MastodonExtras(visibility="unlisted")``, checked by mypy) or as a plain mapping
  (validated against the platform's model, so a misspelt key is an error naming
  ``extras.<key>``, never a field that is silently ignored);
* the publish flow writes ``media_ids`` after uploading the media;
* the platform's adapter reads them through :meth:`PlatformPost.extras_as
  <smmkit.models.PlatformPost.extras_as>`, which is typed.

Which model a post gets is decided by its ``platform``: :func:`extras_model_for`. The
set is open: a plugin declares its model on its adapter (``extras_model``), and the
platform registry registers it here (:func:`register_extras`); platforms without a
model of their own take the base :class:`PostExtras`.

Example:
    >>> from smmkit.models import PlatformPost
    >>> post = PlatformPost(platform="mastodon", piece_id="p1", body="hi",
    ...                     extras={"visibility": "unlisted"})
    >>> type(post.extras).__name__, post.extras_as(MastodonExtras).visibility
    ('MastodonExtras', 'unlisted')
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, FieldValueError, SmmkitModel

__all__ = [
    "ArticleExtras",
    "BilibiliExtras",
    "BlueskyExtras",
    "DouyinExtras",
    "FacebookExtras",
    "InstagramExtras",
    "LinkedInExtras",
    "MastodonExtras",
    "PostExtras",
    "TikTokExtras",
    "WeChatOAExtras",
    "WeComExtras",
    "WeiboExtras",
    "XExtras",
    "YouTubeExtras",
    "extras_model_for",
    "register_extras",
    "registered_extras",
]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(value: Any) -> Any:
    """Refuse a lone surrogate in a text field (or a tuple of texts): no platform can take
    it, and ``str`` alone does not rule it out (``"\\ud800"`` is a ``str``)."""
    for text in value if isinstance(value, tuple) else (value,):
        if isinstance(text, str) and not text.isascii() and _SURROGATE.search(text):
            raise ValueError("must be valid Unicode: a lone surrogate has no UTF-8 form")
    return value


class PostExtras(SmmkitModel):
    """Fields every platform's post may carry; the base of every extras model.

    ``media_ids`` are the platform's ids of media uploaded for this post: the publish
    flow sets them after uploading ``post.media`` (set them yourself to reuse media
    uploaded earlier).

    Example:
        >>> PostExtras(media_ids=["m1"]).media_ids
        ('m1',)
    """

    media_ids: tuple[str, ...] = ()

    _unicode = field_validator("*")(_valid_unicode)

    def __getitem__(self, key: str) -> Any:
        """Deprecated mapping read (``extras["digest"]``), kept for one minor version.

        ``extras`` was a plain ``dict`` before 0.2; read the typed attribute instead
        (``post.extras_as(WeChatOAExtras).digest``). Unknown keys raise ``KeyError``.
        """
        warnings.warn(
            f"extras[{key!r}] is deprecated: read the typed attribute "
            f"(post.extras_as({type(self).__name__}).{key})",
            DeprecationWarning,
            stacklevel=2,
        )
        if key not in type(self).model_fields:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        """Deprecated mapping read (``extras.get("digest")``), as :meth:`__getitem__`."""
        warnings.warn(
            f"extras.get({key!r}) is deprecated: read the typed attribute "
            f"(post.extras_as({type(self).__name__}).{key})",
            DeprecationWarning,
            stacklevel=2,
        )
        if key not in type(self).model_fields:
            return default
        value = getattr(self, key)
        return default if value is None else value


class ArticleExtras(PostExtras):
    """Extras of a long-form article whose body is HTML (WeChat Official Account).

    ``digest`` is the summary shown in the feed (``adapt`` fills it in from the text
    when not given); ``content_source_url`` is the 阅读原文 link (``adapt`` sets the
    piece's first link).

    Example:
        >>> ArticleExtras(digest="三分钟冷泡茶").digest
        '三分钟冷泡茶'
    """

    digest: str | None = None
    content_source_url: str | None = None


class WeChatOAExtras(ArticleExtras):
    """WeChat Official Account article fields (``draft/add``).

    ``content_html`` replaces the paragraphs built from ``body`` (its images must come
    from ``upload_article_image``); ``thumb_media_id`` is a cover uploaded earlier as
    permanent material (else the first media item is uploaded as the cover).

    Example:
        >>> WeChatOAExtras(author="茶小白", need_open_comment=False).need_open_comment
        False
    """

    content_html: str | None = None
    thumb_media_id: str | None = None
    author: str | None = None
    need_open_comment: bool = True
    only_fans_can_comment: bool = False


WeComMessageType = Literal["text", "markdown", "image", "news", "template_card", "textcard"]


class WeComExtras(PostExtras):
    """WeCom app-message fields (``message/send``).

    ``touser``/``toparty``/``totag`` override the adapter's default recipients (ids,
    as a tuple or WeCom's ``"a|b"`` string); ``msgtype`` picks the message type
    (``text`` by default, ``image`` for a post with an image); ``articles``,
    ``textcard`` and ``template_card`` are the bodies of those message types, in
    WeCom's JSON shape; ``safe`` marks a confidential message.

    Example:
        >>> WeComExtras(touser="zhangsan|lisi", msgtype="markdown").touser
        ('zhangsan', 'lisi')
    """

    msgtype: WeComMessageType | None = None
    touser: tuple[str, ...] | None = None
    toparty: tuple[str, ...] | None = None
    totag: tuple[str, ...] | None = None
    articles: tuple[dict[str, Any], ...] = ()
    textcard: dict[str, Any] | None = None
    template_card: dict[str, Any] | None = None
    safe: bool | None = None

    @field_validator("touser", "toparty", "totag", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part for part in value.split("|") if part)
        return value


MastodonVisibility = Literal["public", "unlisted", "private", "direct"]


class MastodonExtras(PostExtras):
    """Mastodon status fields (``POST /api/v1/statuses``).

    ``scheduled_at`` (aware) asks the server to hold the status and publish it then; the
    server schedules only times more than 5 minutes ahead and publishes a nearer or past
    time at once. A single status only: a thread cannot be scheduled.

    Example:
        >>> MastodonExtras(visibility="unlisted", spoiler_text="food").spoiler_text
        'food'
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 6, 1, 7, tzinfo=timezone.utc)
        >>> MastodonExtras(scheduled_at=at).scheduled_at == at
        True
    """

    visibility: MastodonVisibility | None = None
    spoiler_text: str | None = None
    language: str | None = None
    sensitive: bool | None = None
    in_reply_to_id: str | None = None
    scheduled_at: AwareDatetime | None = None


class BlueskyExtras(PostExtras):
    """Bluesky ``app.bsky.feed.post`` fields.

    ``facets`` are the rich-text facets of a single post, in the lexicon's JSON shape
    (``adapt`` computes them with :func:`smmkit.text.bluesky_facets`; the adapter
    resolves mention handles to DIDs when publishing if they are absent).
    ``reply_to`` is the ``at://`` URI of the post to answer; ``langs`` up to three
    language tags.

    Example:
        >>> BlueskyExtras(langs=["zh", "en"]).langs
        ('zh', 'en')
    """

    facets: tuple[dict[str, Any], ...] | None = None
    reply_to: str | None = Field(default=None, pattern=r"^at://")
    langs: tuple[str, ...] = Field(default=(), max_length=3)


LinkedInVisibility = Literal["PUBLIC", "CONNECTIONS", "LOGGED_IN"]
LinkedInFeedDistribution = Literal["MAIN_FEED", "NONE"]


class LinkedInExtras(PostExtras):
    """LinkedIn Posts API fields (``POST /rest/posts``).

    ``author`` is the ``urn:li:organization:…`` (a page) or ``urn:li:person:…`` (a
    member) that posts, overriding the adapter's; ``visibility`` (``PUBLIC`` by default;
    ``CONNECTIONS`` for a member's network only, ``LOGGED_IN`` for signed-in members);
    ``feed_distribution`` (``MAIN_FEED`` by default, ``NONE`` keeps the post off the
    feed); ``reshare_disabled`` sets ``isReshareDisabledByAuthor``.

    Example:
        >>> LinkedInExtras(author="urn:li:organization:2414183", visibility="PUBLIC").author
        'urn:li:organization:2414183'
    """

    author: str | None = Field(default=None, pattern=r"^urn:li:(organization|person):[^\s:]+$")
    visibility: LinkedInVisibility | None = None
    feed_distribution: LinkedInFeedDistribution | None = None
    reshare_disabled: bool | None = None


XReplySettings = Literal["following", "mentionedUsers", "subscribers", "verified"]
_X_ID = r"^[0-9]{1,19}$"


class XExtras(PostExtras):
    """X post fields (``POST /2/tweets``, X API v2).

    ``reply_settings`` limits who may reply (everyone when unset);
    ``in_reply_to_tweet_id`` makes the post (a thread's first part) a reply;
    ``exclude_reply_user_ids`` leaves accounts out of that reply's mentions;
    ``quote_tweet_id`` quotes a post; ``community_id`` posts into a Community;
    ``made_with_ai`` and ``paid_partnership`` are X's disclosures.

    Example:
        >>> XExtras(reply_settings="following", quote_tweet_id="1346889436626259968"
        ...         ).reply_settings
        'following'
    """

    reply_settings: XReplySettings | None = None
    in_reply_to_tweet_id: str | None = Field(default=None, pattern=_X_ID)
    exclude_reply_user_ids: tuple[str, ...] = ()
    quote_tweet_id: str | None = Field(default=None, pattern=_X_ID)
    community_id: str | None = Field(default=None, pattern=_X_ID)
    made_with_ai: bool | None = None
    paid_partnership: bool | None = None


class FacebookExtras(PostExtras):
    """Facebook Page post fields (``POST /{page-id}/feed``, Graph API).

    ``link`` is the URL the post shares (its preview card); ``published=False`` creates
    an unpublished Page post (for ads; it cannot be read back after a lost answer, so
    such a post is reported with an unknown outcome instead of being sent again);
    ``place`` is the Page id of a location to tag. Photos come from ``post.media``
    (their ``alt_text`` goes along).

    Example:
        >>> FacebookExtras(link="https://tea.example/cold-brew", published=False).published
        False
    """

    link: str | None = Field(default=None, pattern=r"^https?://\S+$")
    published: bool | None = None
    place: str | None = Field(default=None, pattern=r"^[0-9]{1,25}$")


class InstagramExtras(PostExtras):
    """Instagram content publishing fields (``POST /{ig-user-id}/media``, Graph API).

    ``location_id`` tags a location (a Facebook Page id with a location);
    ``collaborators`` invites up to 3 accounts (usernames) as collaborators;
    ``share_to_feed`` shows a reel in the feed too; ``cover_url`` and ``thumb_offset``
    (milliseconds) pick a reel's cover; ``user_tags`` tags accounts on an image
    (``{"username": ..., "x": 0.5, "y": 0.5}``). Alt text comes from each
    ``MediaAsset.alt_text`` (images).

    Example:
        >>> InstagramExtras(collaborators=["tea.friend"], share_to_feed=True).collaborators
        ('tea.friend',)
    """

    location_id: str | None = Field(default=None, pattern=r"^[0-9]{1,25}$")
    collaborators: tuple[str, ...] = Field(default=(), max_length=3)
    share_to_feed: bool | None = None
    cover_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    thumb_offset: int | None = Field(default=None, ge=0)
    user_tags: tuple[dict[str, Any], ...] = ()


YouTubePrivacy = Literal["private", "unlisted", "public"]
YouTubeLicense = Literal["youtube", "creativeCommon"]


class YouTubeExtras(PostExtras):
    """YouTube video fields (``videos.insert``, Data API v3: ``snippet`` and ``status``).

    ``title`` overrides the post's title (one of the two is required, at most 100
    characters); ``tags`` override the post's tags (500 characters in all);
    ``category_id`` is a video category id (``"22"`` People & Blogs);
    ``privacy_status`` is ``private``, ``unlisted`` or ``public``; ``publish_at``
    (aware) schedules a private video to go public then (so it needs ``private`` or no
    privacy status); ``made_for_kids`` is ``selfDeclaredMadeForKids``;
    ``contains_synthetic_media`` declares altered or synthetic content;
    ``playlist_id`` adds the video to a playlist after the upload;
    ``notify_subscribers=False`` uploads without notifying subscribers.

    Example:
        >>> YouTubeExtras(privacy_status="unlisted", tags=["tea", "brew"]).tags
        ('tea', 'brew')
    """

    title: str | None = Field(default=None, min_length=1, max_length=100)
    privacy_status: YouTubePrivacy | None = None
    category_id: str | None = Field(default=None, pattern=r"^[0-9]{1,4}$")
    tags: tuple[str, ...] | None = None
    made_for_kids: bool | None = None
    publish_at: AwareDatetime | None = None
    playlist_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{2,64}$")
    notify_subscribers: bool | None = None
    default_language: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]+)*$")
    contains_synthetic_media: bool | None = None
    embeddable: bool | None = None
    license: YouTubeLicense | None = None


TikTokPrivacy = Literal[
    "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"
]
TikTokMode = Literal["direct", "inbox"]
TikTokSource = Literal["FILE_UPLOAD", "PULL_FROM_URL"]


class TikTokExtras(PostExtras):
    """TikTok Content Posting API fields (``post_info`` and ``source_info``).

    ``privacy_level`` must be one of the creator's ``privacy_level_options`` (read from
    ``creator_info`` before every direct post; TikTok's guidelines allow no default);
    ``disable_comment``/``disable_duet``/``disable_stitch``: interactions are opt-in
    (unset means disabled, as TikTok's guidelines ask; ``False`` allows one unless the
    creator turned it off); ``video_cover_timestamp_ms`` picks the cover frame;
    ``brand_content_toggle`` (a paid partnership: never ``SELF_ONLY``) and
    ``brand_organic_toggle`` (the creator's own business) disclose commercial content;
    ``is_aigc`` labels AI-generated content; ``auto_add_music`` and
    ``photo_cover_index`` are for photo posts. ``mode`` is ``direct`` (scope
    ``video.publish``) or ``inbox`` (a draft in the creator's inbox, scope
    ``video.upload``); ``source`` is ``FILE_UPLOAD`` (chunked upload) or ``PULL_FROM_URL``
    (TikTok downloads the media from a verified domain or URL prefix).

    Example:
        >>> TikTokExtras(privacy_level="SELF_ONLY", disable_comment=False).privacy_level
        'SELF_ONLY'
    """

    privacy_level: TikTokPrivacy | None = None
    disable_comment: bool | None = None
    disable_duet: bool | None = None
    disable_stitch: bool | None = None
    video_cover_timestamp_ms: int | None = Field(default=None, ge=0, le=2**31 - 1)
    brand_content_toggle: bool | None = None
    brand_organic_toggle: bool | None = None
    is_aigc: bool | None = None
    auto_add_music: bool | None = None
    photo_cover_index: int | None = Field(default=None, ge=0, le=34)
    mode: TikTokMode | None = None
    source: TikTokSource | None = None

    @model_validator(mode="after")
    def _branded_is_not_private(self) -> TikTokExtras:
        if self.brand_content_toggle and self.privacy_level == "SELF_ONLY":
            raise FieldValueError(
                "privacy_level",
                "branded content (brand_content_toggle) cannot be SELF_ONLY",
                self.privacy_level,
            )
        return self


class WeiboExtras(PostExtras):
    """Weibo ``statuses/share`` fields (the public posting API of open.weibo.com).

    ``link`` is a URL on the app's bound safe domain (安全域名), appended to the text when
    the text carries no such link (``statuses/share`` refuses a text without one);
    ``rip`` is the operating user's real IP, which Weibo asks for on every write
    (``rip``; the adapter's ``rip=`` when unset). One image comes from ``post.media``.

    Example:
        >>> WeiboExtras(link="https://tea.example.cn/spring", rip="211.156.0.1").rip
        '211.156.0.1'
    """

    link: str | None = Field(default=None, pattern=r"^https?://\S+$")
    rip: str | None = Field(default=None, pattern=r"^[0-9A-Fa-f:.]{2,45}$")


class BilibiliExtras(PostExtras):
    """Bilibili open-platform archive fields (``archive/add-by-utoken``).

    ``tid`` is the partition (分区) id from ``archive/type/list`` (required to submit);
    ``tags`` are the archive's tags (at least one; sent comma-separated, under 200
    characters in all); ``copyright`` is ``1`` (自制, original) or ``2`` (转载, a repost,
    which needs ``source``); ``no_reprint=True`` forbids reposting; ``cover`` is the URL
    of a cover already uploaded (``archive/cover/upload``; else an image in
    ``post.media`` is uploaded as the cover); ``title`` overrides the post's title
    (at most 80 characters); ``topic_id`` joins a topic arranged with Bilibili's operators.

    Example:
        >>> BilibiliExtras(tid=21, tags=["茶", "vlog"], copyright=1).tags
        ('茶', 'vlog')
    """

    tid: int | None = Field(default=None, ge=1, le=100_000)
    tags: tuple[str, ...] | None = None
    copyright: Literal[1, 2] | None = None
    source: str | None = Field(default=None, min_length=1, max_length=200)
    no_reprint: bool | None = None
    cover: str | None = Field(default=None, pattern=r"^https?://\S+$")
    title: str | None = Field(default=None, min_length=1, max_length=80)
    topic_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _repost_names_its_source(self) -> BilibiliExtras:
        if self.copyright == 2 and not self.source:
            raise FieldValueError(
                "source", "a repost (copyright=2) must name its source", self.source
            )
        return self


class DouyinExtras(PostExtras):
    """Douyin ``video/create_video`` fields (SDK ``@open-dy/open_api_sdk`` 1.1.0).

    ``video_id`` reuses an uploaded video; ``micro_app_id``/``micro_app_title``/
    ``micro_app_url`` mount a mini-app; ``poi_id`` tags a place (``poi_commerce``: its
    commerce card); ``at_users`` are open ids @-mentioned; ``cover_tsp`` (seconds) picks
    the cover frame, ``custom_cover_image_url`` a cover image; ``private_status`` 0
    public, 1 self only, 2 friends; ``download_type`` 1 allow, 2 forbid downloads.

    Example:
        >>> DouyinExtras(poi_id="6601136", private_status=1).private_status
        1
    """

    video_id: str | None = Field(default=None, min_length=1)
    micro_app_id: str | None = Field(default=None, min_length=1)
    micro_app_title: str | None = Field(default=None, min_length=1)
    micro_app_url: str | None = Field(default=None, min_length=1)
    poi_id: str | None = Field(default=None, min_length=1)
    poi_commerce: bool | None = None
    at_users: tuple[str, ...] = ()
    cover_tsp: float | None = Field(default=None, ge=0)
    custom_cover_image_url: str | None = Field(default=None, pattern=r"^https?://")
    private_status: Literal[0, 1, 2] | None = None
    download_type: Literal[1, 2] | None = None


_REGISTRY: dict[str, type[PostExtras]] = {
    "wechat_oa": WeChatOAExtras,
    "wecom": WeComExtras,
    "mastodon": MastodonExtras,
    "bluesky": BlueskyExtras,
    "linkedin": LinkedInExtras,
    "x": XExtras,
    "facebook": FacebookExtras,
    "instagram": InstagramExtras,
    "youtube": YouTubeExtras,
    "tiktok": TikTokExtras,
    "weibo": WeiboExtras,
    "bilibili": BilibiliExtras,
    "douyin": DouyinExtras,
}


def register_extras(platform_id: str, model: type[PostExtras]) -> None:
    """Declare ``model`` as the extras model of ``platform_id`` (for plugins).

    The platform registry calls this for an adapter's ``extras_model`` when the adapter
    is registered or loaded from an entry point. A built-in platform keeps its model;
    registering the same model twice is harmless.

    Example:
        >>> class ShopExtras(PostExtras):
        ...     product_id: str | None = None
        >>> register_extras("myshop", ShopExtras)
        >>> extras_model_for("myshop").__name__
        'ShopExtras'
    """
    _require_id(platform_id)
    if not (isinstance(model, type) and issubclass(model, PostExtras)):
        raise InvalidInputError.single(
            "extras_model", "must be a subclass of smmkit.models.PostExtras", repr(model)
        )
    current = _REGISTRY.get(platform_id)
    if platform_id in _BUILT_IN and current is not model and model is not PostExtras:
        raise InvalidInputError.single(
            "extras_model",
            f"{platform_id} is a built-in platform with extras model {_name(current)}",
            model.__name__,
        )
    if platform_id not in _BUILT_IN:
        _REGISTRY[platform_id] = model


def _name(model: type[PostExtras] | None) -> str:
    return "none" if model is None else model.__name__


def extras_model_for(platform_id: str) -> type[PostExtras]:
    """The extras model of ``platform_id`` (:class:`PostExtras` when it has none).

    Example:
        >>> extras_model_for("wecom").__name__, extras_model_for("zhihu").__name__
        ('WeComExtras', 'PostExtras')
    """
    _require_id(platform_id)
    return _REGISTRY.get(platform_id, PostExtras)


def _require_id(platform_id: object) -> None:
    if not isinstance(platform_id, str) or not platform_id:
        raise InvalidInputError.single(
            "platform_id", "must be a non-empty str", type(platform_id).__name__
        )


def registered_extras() -> Mapping[str, type[PostExtras]]:
    """Every platform id with an extras model of its own (a read-only copy).

    Example:
        >>> registered_extras()["bluesky"].__name__
        'BlueskyExtras'
    """
    return dict(_REGISTRY)


_BUILT_IN = frozenset(_REGISTRY)


def coerce_extras(platform_id: str, value: Any) -> PostExtras:
    """``value`` (a model, a mapping or ``None``) as the extras model of ``platform_id``.

    Raises a pydantic ``ValidationError`` (the caller is a model validator, which
    nests its problems under ``extras``) or ``ValueError`` for another platform's model.
    """
    model = extras_model_for(platform_id)
    if type(value) is model:
        return value
    if value is None:
        value = {}
    elif isinstance(value, PostExtras):
        if type(value) not in model.__mro__:
            raise ValueError(
                f"{type(value).__name__} belongs to another platform; a {platform_id} post "
                f"takes {model.__name__} (re-adapt the piece for {platform_id})"
            )
        value = value.model_dump(exclude_unset=True)
    elif not isinstance(value, Mapping):
        raise ValueError(f"must be a {model.__name__} or a mapping, not {type(value).__name__}")
    return model.__pydantic_validator__.validate_python(value)  # type: ignore[no-any-return]
