"""Content: a piece as the brand writes it, and a post as one platform will take it."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, TypeVar

from pydantic import (
    Field,
    SerializeAsAny,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from smmkit.exceptions import FieldProblem, InvalidInputError, PlatformMismatchError
from smmkit.models._base import AwareDatetime, FieldValueError, SmmkitModel
from smmkit.models._media_url import check_media_url
from smmkit.models.extras import PostExtras, _valid_unicode, coerce_extras, extras_model_for
from smmkit.models.goal import BusinessModel

E = TypeVar("E", bound=PostExtras)

__all__ = [
    "AdaptationNote",
    "Blackout",
    "ContentPiece",
    "ContentSource",
    "Creator",
    "MediaAsset",
    "MediaKind",
    "NoteSeverity",
    "PlatformPost",
    "UGCPermission",
]


class ContentSource(str, Enum):
    """Who produced the content (the playbook's production mix)."""

    OGC = "ogc"  # official, by the brand
    PGC = "pgc"  # professional partners: experts, creators
    UGC = "ugc"  # users, typically under a campaign topic


class MediaKind(str, Enum):
    """The kind of a media asset."""

    IMAGE = "image"
    GIF = "gif"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"


class MediaAsset(SmmkitModel):
    """A picture, video or file attached to a piece.

    ``url`` is an absolute ``http(s)`` URL: the client fetches it (or a platform that
    pulls media from a URL gets it as is). Any other scheme (``file:``, ``data:``, a bare
    path) is refused: local files are read only through an explicit loader
    (``media_loader=LocalMediaLoader(base_dir=...)`` in :mod:`smmkit.platforms`).

    Example:
        >>> MediaAsset(kind="video", url="https://cdn.example.com/brew.mp4",
        ...            duration_seconds=18).kind.value
        'video'
        >>> try:
        ...     MediaAsset(kind="image", url="file:///etc/passwd")
        ... except ValueError as exc:
        ...     print(exc.fields)
        ('url',)
    """

    kind: MediaKind
    url: str = Field(min_length=1)
    size_bytes: int | None = Field(default=None, ge=0)
    duration_seconds: float | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, gt=0)
    height: int | None = Field(default=None, gt=0)
    alt_text: str | None = None
    mime_type: str | None = None

    _unicode = field_validator("*")(_valid_unicode)
    _http_url = field_validator("url")(check_media_url)

    @model_validator(mode="after")
    def _duration_only_for_time_media(self) -> MediaAsset:
        if self.duration_seconds is not None and self.kind not in (
            MediaKind.VIDEO,
            MediaKind.AUDIO,
            MediaKind.GIF,
        ):
            raise FieldValueError(
                "duration_seconds",
                f"is only for video, audio or gif, not {self.kind.value}",
                self.duration_seconds,
            )
        return self


class Creator(SmmkitModel):
    """The person or partner who made a PGC or UGC piece."""

    name: str = Field(min_length=1)
    handle: str | None = None
    platform: str | None = None
    url: str | None = None

    _unicode = field_validator("*")(_valid_unicode)


class UGCPermission(SmmkitModel):
    """The creator's recorded permission to reuse their content."""

    granted_at: AwareDatetime
    scope: str = "repost with credit"
    evidence: str | None = None
    expires_at: AwareDatetime | None = None

    _unicode = field_validator("*")(_valid_unicode)


class ContentPiece(SmmkitModel):
    """One piece of content, written once and adapted to each platform.

    Example:
        >>> piece = ContentPiece(
        ...     id="tea-001",
        ...     title="三分钟办公室冷泡茶",
        ...     body="下午三点，给自己泡一杯。#办公室茶#",
        ...     source="ogc",
        ...     tags=["办公室茶", "健康饮水"],
        ... )
        >>> piece.tags
        ('办公室茶', '健康饮水')
    """

    id: str = Field(min_length=1)
    title: str | None = None
    body: str
    media: tuple[MediaAsset, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    source: ContentSource = ContentSource.OGC
    creator: Creator | None = None
    permission: UGCPermission | None = None
    positioning: BusinessModel | None = None
    content_type: str | None = None
    pillar: str | None = None
    campaign: str | None = None
    language: str | None = None

    _unicode = field_validator("*")(_valid_unicode)

    @model_validator(mode="after")
    def _creator_for_ugc(self) -> ContentPiece:
        if self.source in (ContentSource.UGC, ContentSource.PGC) and self.creator is None:
            raise FieldValueError("creator", f"is required for {self.source.value.upper()} content")
        for tag in self.tags:
            if not tag.strip() or tag.startswith("#"):
                raise FieldValueError("tags", "are bare words without '#'", tag)
        return self


class NoteSeverity(str, Enum):
    """How much an adaptation note matters."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class AdaptationNote(SmmkitModel):
    """One change adaptation made to a piece, or one thing it could not fix, and why."""

    code: str
    field: str
    message: str
    severity: NoteSeverity = NoteSeverity.INFO
    before: str | None = None
    after: str | None = None

    _unicode = field_validator("*")(_valid_unicode)


class PlatformPost(SmmkitModel):
    """One piece adapted to one platform: what would be published, and the notes.

    ``platform`` is the platform the post was adapted for; a client of another platform
    refuses it (:class:`~smmkit.exceptions.PlatformMismatchError`). ``parts`` holds a
    numbered thread when the text was split. ``extras`` holds the fields only this
    platform understands, typed by its extras model (:mod:`smmkit.models.extras`):
    give a model or a mapping, which is validated against ``platform``'s model.

    Example:
        >>> from smmkit.models.extras import MastodonExtras
        >>> post = PlatformPost(platform="mastodon", piece_id="p1", body="hi",
        ...                     extras=MastodonExtras(visibility="unlisted"))
        >>> post.extras_as(MastodonExtras).visibility
        'unlisted'
        >>> try:
        ...     PlatformPost(platform="mastodon", piece_id="p1", body="hi",
        ...                  extras={"visibilty": "unlisted"})
        ... except ValueError as exc:
        ...     print(exc.fields)
        ('extras.visibilty',)
    """

    platform: str
    piece_id: str
    title: str | None = None
    body: str
    parts: tuple[str, ...] = ()
    media: tuple[MediaAsset, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    notes: tuple[AdaptationNote, ...] = ()
    extras: SerializeAsAny[PostExtras] = Field(default_factory=PostExtras)

    _unicode = field_validator("*")(_valid_unicode)

    @field_validator("extras", mode="wrap")
    @classmethod
    def _extras_of_platform(
        cls, value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> PostExtras:
        del handler  # the platform's own model validates, not the annotation's base
        platform = info.data.get("platform")
        return coerce_extras(platform if isinstance(platform, str) else "", value)

    @property
    def is_thread(self) -> bool:
        """True when the text was split into several numbered parts."""
        return len(self.parts) > 1

    def extras_as(self, model: type[E]) -> E:
        """``extras`` as ``model`` (typed); what an adapter reads its fields through.

        Raises :class:`~smmkit.exceptions.PlatformMismatchError` when the post carries
        another platform's extras (it was adapted for another platform).

        Example:
            >>> from smmkit.models.extras import WeComExtras
            >>> post = PlatformPost(platform="wecom", piece_id="p", body="hi",
            ...                     extras={"msgtype": "markdown"})
            >>> post.extras_as(WeComExtras).msgtype
            'markdown'
        """
        extras = self.extras
        if isinstance(extras, model):
            return extras  # its own model, or a subclass of the one asked for
        if type(extras) in model.__mro__:  # a base model: upgrade, keeping what was set
            return model.model_validate(extras.model_dump(exclude_unset=True))
        raise PlatformMismatchError(
            post_platform=self.platform,
            client_platform=f"a platform with {model.__name__}",
            piece_id=self.piece_id,
        )

    def with_extras(self, **fields: Any) -> PlatformPost:
        """A copy with ``fields`` set on ``extras`` (validated by the platform's model).

        Example:
            >>> post = PlatformPost(platform="x", piece_id="p", body="hi")
            >>> post.with_extras(media_ids=["9"]).extras.media_ids
            ('9',)
        """
        merged = {**self.extras.model_dump(exclude_unset=True), **fields}
        try:
            extras = extras_model_for(self.platform).model_validate(merged)
        except InvalidInputError as exc:
            problems = [FieldProblem(f"extras.{p.field}", p.problem, p.value) for p in exc.problems]
            raise InvalidInputError(problems, model=type(self).__name__) from None
        return self.model_copy(update={"extras": extras})


class Blackout(SmmkitModel):
    """A period in which nothing may go out (a crisis freeze, a day of mourning).

    The calendar pauses what falls inside it (``ContentCalendar.freeze``); the crisis
    module produces one for a major crisis (``smmkit.crisis.freeze_window``).
    ``end=None`` is open-ended: the freeze lasts until it is lifted. ``platforms`` empty
    means every platform.

    Example:
        >>> from datetime import datetime, timezone
        >>> b = Blackout(id="crisis-7", start=datetime(2026, 6, 1, tzinfo=timezone.utc),
        ...              reason="product recall")
        >>> b.covers(datetime(2030, 1, 1, tzinfo=timezone.utc), "weibo")
        True
    """

    id: str = Field(min_length=1)
    start: AwareDatetime
    end: AwareDatetime | None = None
    reason: str = Field(min_length=1)
    platforms: tuple[str, ...] = ()
    declared_by: str | None = None

    _unicode = field_validator("*")(_valid_unicode)

    @model_validator(mode="after")
    def _ordered(self) -> Blackout:
        if self.end is not None and self.end <= self.start:
            raise FieldValueError("end", "must be after start", self.end)
        return self

    def covers(self, moment: datetime, platform: str | None = None) -> bool:
        """Whether ``moment`` (on ``platform``, if given) falls in the blackout.

        The start is inclusive, the end exclusive.
        """
        if platform is not None and self.platforms and platform not in self.platforms:
            return False
        instant = moment.astimezone(timezone.utc)
        if instant < self.start.astimezone(timezone.utc):
            return False
        return self.end is None or instant < self.end.astimezone(timezone.utc)
