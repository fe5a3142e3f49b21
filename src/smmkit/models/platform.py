"""The specification of one platform: what it accepts and how it counts.

Every number carries where it came from (``source``), when it was checked
(``as_of``) and how sure we are (``confidence``), because platform limits change
several times a year. Treat them as defaults a user can override
(:func:`smmkit.catalog.override_spec`).
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Generic, TypeVar

from pydantic import Field, field_validator

from smmkit.models._base import IsoDate, SmmkitModel

__all__ = [
    "ApiAccess",
    "BodyFormat",
    "Confidence",
    "ContentFormat",
    "CountingRule",
    "Fact",
    "HashtagStyle",
    "Limit",
    "LinkPolicy",
    "MediaLimits",
    "MentionStyle",
    "Platform",
    "PlatformRole",
    "RateLimitHint",
    "Region",
    "TextRule",
    "TitleInText",
    "WeightRange",
]

T = TypeVar("T")


class Confidence(str, Enum):
    """How well a number is established."""

    VERIFIED = "verified"  # official doc or source code read, or recomputed
    SECONDARY = "secondary"  # a well-known SDK, an aggregator, an issue thread
    UNVERIFIED = "unverified"  # folklore or conflicting: a configurable default
    EDITORIAL = "editorial"  # guidance from the playbook, not a platform rule
    USER = "user"  # set by the user of smmkit (an override)


class PlatformRole(str, Enum):
    """What a platform does for a brand: the playbook's three roles, plus three more."""

    PROPAGATION = "propagation"  # 强传播: trending topics, event marketing
    TRUST = "trust"  # 强信任: deep content, word of mouth
    PRIVATE_DOMAIN = "private_domain"  # 强私域: owned audience, one-to-one operations
    PROFESSIONAL = "professional"  # B2B networking
    VIDEO = "video"  # long-form video discovery
    COMMUNITY = "community"  # open, federated communities


class ApiAccess(str, Enum):
    """Whether software may publish organic posts on the platform."""

    OFFICIAL = "official"  # a public publishing API open to ordinary apps
    RESTRICTED = (
        "restricted"  # an API exists but needs review, partnership or a commercial contract
    )
    NONE = "none"  # no publishing API: publish by hand (ManualPublisher)


class Region(str, Enum):
    """Where the platform's audience mainly is."""

    CHINA = "china"
    INTERNATIONAL = "international"


class ContentFormat(str, Enum):
    """Kinds of content a platform takes."""

    TEXT = "text"
    IMAGE = "image"
    IMAGE_TEXT = "image_text"
    ARTICLE = "article"
    SHORT_VIDEO = "short_video"
    VIDEO = "video"
    LIVE = "live"
    MESSAGE = "message"


class CountingRule(str, Enum):
    """How a platform measures text length."""

    WEIGHTED = "weighted"  # X: weighted code points, URLs and emoji fixed
    GRAPHEMES = "graphemes"  # Mastodon: extended grapheme clusters, URLs fixed
    GRAPHEMES_AND_BYTES = "graphemes_and_bytes"  # Bluesky: both limits at once
    UTF8_BYTES = "utf8_bytes"  # WeCom
    UTF16_UNITS = "utf16_units"  # TikTok
    WEIBO_UNITS = "weibo_units"  # Weibo: Latin-1 half a unit, astral two
    CODE_POINTS = "code_points"  # "characters" / 字 where the platform does not say more


class HashtagStyle(str, Enum):
    """How a topic is written into the text."""

    HASH_PREFIX = "hash_prefix"  # #tag
    HASH_WRAPPED = "hash_wrapped"  # #话题# (Weibo)
    XHS_TOPIC = "xhs_topic"  # #话题[话题]# (Xiaohongshu)
    FACET = "facet"  # #tag plus a rich-text facet (Bluesky)
    SEPARATE_FIELD = "separate_field"  # a tags field, not in the text (Bilibili, YouTube)
    NONE = "none"


class MentionStyle(str, Enum):
    """How a mention is written into the text."""

    AT_NAME = "at_name"  # @name
    AT_ACCOUNT_DOMAIN = "at_account_domain"  # @user@instance (Mastodon)
    LITTLE_URN = "little_urn"  # @[Name](urn:li:organization:1) (LinkedIn)
    FACET = "facet"  # @handle plus a facet with the DID (Bluesky)
    NONE = "none"


class BodyFormat(str, Enum):
    """The markup a platform's text field is read in."""

    PLAIN = "plain"  # text as typed (links, mentions and tags detected by the platform)
    HTML = "html"  # HTML paragraphs, scripts stripped (WeChat OA articles)
    LITTLE = "little"  # LinkedIn's "little" format: reserved characters escaped


class TitleInText(str, Enum):
    """How a title opens the text where the platform has no title field."""

    PARAGRAPH = "paragraph"  # the title, a blank line, then the text
    BRACKETS = "brackets"  # 【标题】 glued to the text (Weibo's headline convention)


class Fact(SmmkitModel, Generic[T]):
    """One fact about a platform that is not a number (a flag, a format), with the same
    provenance as a :class:`Limit`.

    Example:
        >>> from datetime import date
        >>> Fact[bool](value=True, source="api_draft_add", as_of=date(2026, 8, 31),
        ...            confidence="verified").value
        True
    """

    value: T
    source: str
    as_of: IsoDate
    confidence: Confidence


class Limit(SmmkitModel):
    """One number with its unit and provenance.

    Example:
        >>> from datetime import date
        >>> Limit(value=280, unit="weighted chars", source="twitter-text v3",
        ...       as_of=date(2026, 8, 1), confidence="verified").value
        280
    """

    value: int | float = Field(ge=0)
    unit: str
    source: str
    as_of: IsoDate
    confidence: Confidence


class WeightRange(SmmkitModel):
    """Code points ``start..end`` (inclusive) weigh ``weight`` (X's counting)."""

    start: int = Field(ge=0, le=0x10FFFF)
    end: int = Field(ge=0, le=0x10FFFF)
    weight: int = Field(ge=0)


class TextRule(SmmkitModel):
    """How the platform counts the body text, and the limit in its own unit.

    ``max_length`` is in the unit of ``counting``; ``max_bytes`` is an additional
    UTF-8 byte limit (Bluesky, WeCom). For X, ``weight_ranges``/``default_weight``/
    ``emoji_weight`` and ``scale`` define the weighted length.
    """

    counting: CountingRule
    max_length: Limit | None = None
    max_bytes: Limit | None = None
    url_length: int | None = Field(default=None, ge=0)
    normalization: str | None = None
    weight_ranges: tuple[WeightRange, ...] = ()
    default_weight: int = 100
    emoji_weight: int | None = None
    scale: int = 100
    forbidden_chars: tuple[str, ...] = ()
    remote_mention_counts_local_part: bool = False
    source: str
    as_of: IsoDate
    confidence: Confidence


class MediaLimits(SmmkitModel):
    """Media a single post may carry; ``None`` means not documented.

    ``sweet_spot_seconds`` is the playbook's editorial advice (Douyin 15–30 s,
    WeChat Channels 3–5 min, Bilibili 5–10 min), not a platform rule.
    """

    max_items: Limit | None = None
    min_items: Limit | None = None
    image_max_bytes: Limit | None = None
    gif_max_bytes: Limit | None = None
    video_max_bytes: Limit | None = None
    video_min_seconds: Limit | None = None
    video_max_seconds: Limit | None = None
    sweet_spot_seconds: tuple[float, float] | None = None
    sweet_spot_label: str | None = None
    alt_text_supported: bool = False
    requires_media: bool = False

    @field_validator("sweet_spot_seconds")
    @classmethod
    def _sweet_spot_order(cls, span: tuple[float, float] | None) -> tuple[float, float] | None:
        if span is not None:
            low, high = span
            if not (math.isfinite(low) and math.isfinite(high)) or low < 0:
                raise ValueError("must be finite seconds, not negative")
            if low > high:
                raise ValueError("must be (low, high) with low <= high")
        return span


class LinkPolicy(SmmkitModel):
    """What happens to links in the text."""

    clickable: bool = True
    allowed: bool = True
    note: str | None = None


class RateLimitHint(SmmkitModel):
    """A documented rate limit: ``limit`` requests per ``per_seconds`` for ``scope``."""

    name: str
    limit: int = Field(ge=0)
    per_seconds: int = Field(gt=0)
    scope: str
    source: str
    as_of: IsoDate
    confidence: Confidence


class Platform(SmmkitModel):
    """The specification of one platform.

    Beside the numbers, three facts decide how a text is shaped, each with its source:
    ``title_required`` (the platform refuses a post without a title), ``title_in_text``
    (how a title opens the text where there is no title field) and ``body_format``
    (the markup the text is read in). Left out, they mean: no title needed, the title
    as the first paragraph, plain text.

    Get one from the catalog rather than building it by hand::

        >>> import smmkit
        >>> spec = smmkit.get_platform_spec("x")
        >>> spec.text.max_length.value, spec.text.counting.value
        (280, 'weighted')
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_en: str
    name_zh: str | None = None
    region: Region
    roles: tuple[PlatformRole, ...] = Field(min_length=1)
    formats: tuple[ContentFormat, ...] = Field(min_length=1)
    text: TextRule
    title: Limit | None = None
    title_required: Fact[bool] | None = None
    title_in_text: Fact[TitleInText] | None = None
    body_format: Fact[BodyFormat] | None = None
    hashtag_style: HashtagStyle
    max_hashtags: Limit | None = None
    mention_style: MentionStyle
    links: LinkPolicy = LinkPolicy()
    media: MediaLimits = MediaLimits()
    api_access: ApiAccess
    api_note: str
    threads: bool = False
    idempotency: str | None = None
    rate_limits: tuple[RateLimitHint, ...] = ()
    other_limits: dict[str, Limit] = Field(default_factory=dict)
    audience: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def role(self) -> PlatformRole:
        """The platform's primary role (the first of ``roles``)."""
        return self.roles[0]

    @property
    def needs_title(self) -> bool:
        """True when the platform refuses a post without a title (``title_required``).

        Example:
            >>> import smmkit
            >>> smmkit.get_platform_spec("wechat_oa").needs_title
            True
            >>> smmkit.get_platform_spec("xiaohongshu").needs_title
            False
        """
        return self.title_required is not None and self.title_required.value

    @property
    def markup(self) -> BodyFormat:
        """The markup of the text field (``body_format``; plain text when not given).

        Example:
            >>> import smmkit
            >>> smmkit.get_platform_spec("wechat_oa").markup.value
            'html'
        """
        return BodyFormat.PLAIN if self.body_format is None else self.body_format.value

    @property
    def title_style(self) -> TitleInText:
        """How a title opens the text when there is no title field (``title_in_text``).

        Example:
            >>> import smmkit
            >>> smmkit.get_platform_spec("weibo").title_style.value
            'brackets'
        """
        return TitleInText.PARAGRAPH if self.title_in_text is None else self.title_in_text.value

    @property
    def has_publishing_api(self) -> bool:
        """True when software may publish organic posts here (possibly after review)."""
        return self.api_access is not ApiAccess.NONE

    def limit(self, name: str) -> Limit | None:
        """A named limit from ``other_limits`` (``None`` when not documented).

        Example:
            >>> import smmkit
            >>> smmkit.get_platform_spec("wechat_oa").limit("digest_max").value
            128
        """
        return self.other_limits.get(name)
