"""Users, what they do, and the segments they fall into."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from pydantic import Field

from smmkit.models._base import EventDatetime, PlatformId, SmmkitModel

__all__ = ["Interaction", "InteractionKind", "LifecycleStage", "User", "UserSegment"]


class LifecycleStage(str, Enum):
    """Where a user is in their relationship with the brand."""

    NEW = "new"
    ACTIVE = "active"
    LOYAL = "loyal"
    DORMANT = "dormant"
    CHURNED = "churned"


class InteractionKind(str, Enum):
    """Something a user did that the brand can see."""

    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    VIEW = "view"
    LIKE = "like"
    COMMENT = "comment"
    SHARE = "share"
    SAVE = "save"
    CLICK = "click"
    MESSAGE = "message"
    CHECK_IN = "check_in"
    POST = "post"  # the user published content about the brand (UGC)
    LEAD = "lead"
    ORDER = "order"


class User(SmmkitModel):
    """A member of the audience, as far as the brand knows them.

    ``joined_at`` is an aware datetime (never an epoch number); ``platform``, when given,
    a known platform id (:func:`smmkit.catalog.is_known_platform`).

    Example:
        >>> from datetime import datetime, timezone
        >>> User(id="u1", joined_at=datetime(2026, 1, 5, tzinfo=timezone.utc)).id
        'u1'
    """

    id: str = Field(min_length=1)
    joined_at: EventDatetime
    platform: PlatformId | None = None
    handle: str | None = None
    followers: int = Field(default=0, ge=0)
    is_creator: bool = False
    attributes: dict[str, str] = Field(default_factory=dict)


class Interaction(SmmkitModel):
    """One thing one user did at one time; ``value`` is money for orders.

    ``at`` is an aware datetime (never an epoch number); ``platform``, when given, a
    known platform id; ``value`` a finite amount >= 0.

    Example:
        >>> from datetime import datetime, timezone
        >>> Interaction(user_id="u1", kind="order", value="39.00",
        ...             at=datetime(2026, 2, 1, tzinfo=timezone.utc)).value
        Decimal('39.00')
    """

    user_id: str = Field(min_length=1)
    kind: InteractionKind
    at: EventDatetime
    platform: PlatformId | None = None
    content_id: str | None = None
    value: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)


class UserSegment(SmmkitModel):
    """A named group of users: a lifecycle stage or a custom rule."""

    name: str = Field(min_length=1)
    stage: LifecycleStage | None = None
    rule: str
    user_ids: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        """Number of users in the segment."""
        return len(self.user_ids)
