"""Who the brand wants to reach, in terms the platform catalog can match.

The catalog describes each platform's audience with keyword tags (``"women"``,
``"office workers"``, ``"decision makers"``...). :class:`AudienceProfile` describes the
brand's audience with typed fields and turns them into the same vocabulary
(:meth:`AudienceProfile.tags`), so audience fit is a transparent overlap of tags rather
than an opaque model.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from pydantic import Field, field_validator, model_validator

from smmkit.audience._checks import text
from smmkit.models import BusinessModel, Region
from smmkit.models._base import FieldValueError, SmmkitModel

__all__ = ["AGE_BANDS", "AudienceProfile", "GenderSkew", "PurchaseChannel", "normalize_tag"]


class GenderSkew(str, Enum):
    """Which gender dominates the audience, if one does."""

    FEMALE = "female"
    MALE = "male"
    BALANCED = "balanced"


class PurchaseChannel(str, Enum):
    """Where the audience turns into customers."""

    IN_STORE = "in_store"  # physical stores: local reach and store members matter
    ONLINE = "online"  # e-commerce: impulse purchase from content
    SALES_TEAM = "sales_team"  # B2B: leads handed to sales


AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("students", 16, 22),
    ("gen z", 14, 28),
    ("young adults", 18, 34),
    ("over 30", 30, 120),
    ("middle-aged", 40, 60),
)
"""Catalog age tags and the ages they cover (inclusive). A profile gets a tag when more
than half of its age range falls inside the band."""

_CHANNEL_TAGS: dict[PurchaseChannel, tuple[str, ...]] = {
    PurchaseChannel.IN_STORE: ("local stores", "store members"),
    PurchaseChannel.ONLINE: ("impulse purchase",),
    PurchaseChannel.SALES_TEAM: ("decision makers",),
}
_MODEL_TAGS: dict[BusinessModel, tuple[str, ...]] = {
    BusinessModel.B2B: ("b2b", "professionals", "decision makers"),
    BusinessModel.B2C: (),
}
_REGION_TAGS = {Region.CHINA: "china", Region.INTERNATIONAL: "global"}
_SYNONYMS = {
    "female": "women",
    "woman": "women",
    "male": "men",
    "man": "men",
    "office worker": "office workers",
    "white-collar": "office workers",
    "white collar": "office workers",
    "student": "students",
    "gen-z": "gen z",
    "genz": "gen z",
    "professional": "professionals",
    "decision maker": "decision makers",
    "city": "urban",
    "cities": "urban",
    "tier-1 cities": "urban",
    "technology": "tech",
    "it": "tech",
}


def normalize_tag(word: str) -> str:
    """Lower-case, trim and map a few synonyms onto the catalog's vocabulary.

    Example:
        >>> normalize_tag("  White-Collar ")
        'office workers'
    """
    key = " ".join(text(word, "word").lower().split())
    return _SYNONYMS.get(key, key)


class AudienceProfile(SmmkitModel):
    """The brand's target audience.

    ``regions`` lists where the audience is (both for a brand selling in China and
    abroad); ``locations``, ``occupations`` and ``interests`` are free keywords matched
    against the catalog's audience tags after :func:`normalize_tag`.

    Example:
        >>> tea = AudienceProfile(
        ...     business_model="b2c", age_min=25, age_max=35, gender="female",
        ...     regions=["china"], locations=["urban"], occupations=["office workers"],
        ...     interests=["lifestyle", "health"], purchase_channels=["in_store"],
        ... )
        >>> sorted(tea.tags())[:4]
        ['china', 'health', 'lifestyle', 'local stores']
    """

    business_model: BusinessModel
    regions: tuple[Region, ...] = Field(min_length=1)
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    gender: GenderSkew = GenderSkew.BALANCED
    locations: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    purchase_channels: tuple[PurchaseChannel, ...] = ()

    @field_validator("locations", "occupations", "interests")
    @classmethod
    def _non_blank(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for word in value:
            if not word.strip():
                raise ValueError("keywords must not be blank")
        return value

    @model_validator(mode="after")
    def _age_order(self) -> AudienceProfile:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise FieldValueError(
                "age_min",
                f"age_min ({self.age_min}) is above age_max ({self.age_max})",
                self.age_min,
            )
        return self

    def age_tags(self) -> tuple[str, ...]:
        """The catalog age tags covering more than half of the profile's age range.

        Example:
            >>> AudienceProfile(business_model="b2c", regions=["china"],
            ...                 age_min=25, age_max=35).age_tags()
            ('young adults', 'over 30')
        """
        if self.age_min is None and self.age_max is None:
            return ()
        low = self.age_min if self.age_min is not None else 0
        high = self.age_max if self.age_max is not None else 120
        span = high - low + 1
        tags = []
        for tag, band_low, band_high in AGE_BANDS:
            inside = min(high, band_high) - max(low, band_low) + 1
            if inside * 2 > span:
                tags.append(tag)
        return tuple(tags)

    def tags(self) -> frozenset[str]:
        """Every tag the profile implies: regions, ages, gender, business model, keywords.

        Example:
            >>> sorted(AudienceProfile(business_model="b2b", regions=["international"]).tags())
            ['b2b', 'decision makers', 'global', 'professionals']
        """
        words: list[str] = [_REGION_TAGS[r] for r in self.regions]
        words.extend(self.age_tags())
        if self.gender is GenderSkew.FEMALE:
            words.append("women")
        elif self.gender is GenderSkew.MALE:
            words.append("men")
        words.extend(_MODEL_TAGS[self.business_model])
        for channel in self.purchase_channels:
            words.extend(_CHANNEL_TAGS[channel])
        words.extend(_normalized(self.locations))
        words.extend(_normalized(self.occupations))
        words.extend(_normalized(self.interests))
        return frozenset(words)


def _normalized(words: Iterable[str]) -> Iterable[str]:
    return (normalize_tag(w) for w in words)
