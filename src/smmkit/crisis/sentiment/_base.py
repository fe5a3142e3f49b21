"""The sentiment protocol and its result type."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import Protocol, runtime_checkable

from pydantic import Field

from smmkit.crisis._checks import real
from smmkit.models._base import SmmkitModel

__all__ = ["SentimentAnalyzer", "SentimentLabel", "SentimentScore", "label_for"]

NEUTRAL_BAND = 0.05


class SentimentLabel(str, Enum):
    """The three labels every analyzer maps to.

    Example:
        >>> [label.value for label in SentimentLabel]
        ['negative', 'neutral', 'positive']
    """

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


class SentimentScore(SmmkitModel):
    """A polarity in [-1, 1] and the label it implies.

    Example:
        >>> SentimentScore(polarity=-0.6, label=SentimentLabel.NEGATIVE).is_negative
        True
    """

    polarity: float = Field(ge=-1.0, le=1.0)
    label: SentimentLabel

    @property
    def is_negative(self) -> bool:
        """Whether the label is negative."""
        return self.label is SentimentLabel.NEGATIVE

    @classmethod
    def from_polarity(
        cls, polarity: float, *, neutral_band: float = NEUTRAL_BAND
    ) -> SentimentScore:
        """Clamp ``polarity`` to [-1, 1] and label it.

        Example:
            >>> SentimentScore.from_polarity(0.01).label.value
            'neutral'
        """
        value = max(-1.0, min(1.0, float(polarity)))
        # Built from a checked float and an enum: skip re-validation on the hot path.
        return _trusted(cls, value, label_for(value, neutral_band=neutral_band))


_set = object.__setattr__


def _trusted_fast(
    cls: type[SentimentScore], polarity: float, label: SentimentLabel
) -> SentimentScore:
    # What pydantic's model_construct sets, without its per-call generality (it costs
    # about three times as much, more than scoring an English sentence). Used only if
    # the self-check below finds the result identical to a validated instance.
    score = cls.__new__(cls)
    _set(score, "__dict__", {"polarity": polarity, "label": label})
    _set(score, "__pydantic_fields_set__", {"polarity", "label"})  # pydantic mutates it
    _set(score, "__pydantic_extra__", None)
    _set(score, "__pydantic_private__", None)
    return score


def _trusted_construct(
    cls: type[SentimentScore], polarity: float, label: SentimentLabel
) -> SentimentScore:
    return cls.model_construct(polarity=polarity, label=label)


def _pick_trusted() -> Callable[[type[SentimentScore], float, SentimentLabel], SentimentScore]:
    """The fast constructor when this pydantic version builds the same object with it."""
    try:
        fast = _trusted_fast(SentimentScore, -0.5, SentimentLabel.NEGATIVE)
        checked = SentimentScore(polarity=-0.5, label=SentimentLabel.NEGATIVE)
        update = {"polarity": 0.25}
        same = (
            fast == checked
            and type(fast.model_fields_set) is type(checked.model_fields_set)
            and fast.model_fields_set == checked.model_fields_set
            and fast.model_dump_json() == checked.model_dump_json()
            and fast.model_dump(exclude_unset=True) == checked.model_dump(exclude_unset=True)
            and fast.model_copy(update=update) == checked.model_copy(update=update)
            and hash(fast) == hash(checked)
        )
    except Exception:  # any surprise from pydantic internals: take the slow path
        same = False
    return _trusted_fast if same else _trusted_construct


def label_for(polarity: float, *, neutral_band: float = NEUTRAL_BAND) -> SentimentLabel:
    """The label of a polarity: within ``±neutral_band`` of zero is neutral.

    Example:
        >>> label_for(-0.3).value, label_for(0.0).value, label_for(0.5).value
        ('negative', 'neutral', 'positive')
    """
    if not isinstance(polarity, float) or not isinstance(neutral_band, float):
        polarity = real(polarity, "polarity", finite=False)
        neutral_band = real(neutral_band, "neutral_band", finite=False)
    if polarity <= -neutral_band:
        return SentimentLabel.NEGATIVE
    if polarity >= neutral_band:
        return SentimentLabel.POSITIVE
    return SentimentLabel.NEUTRAL


@runtime_checkable
class SentimentAnalyzer(Protocol):
    """Anything that scores texts: the built-in lexicon analyzer or an adapter.

    Example:
        >>> from smmkit.crisis import default_analyzer
        >>> isinstance(default_analyzer(), SentimentAnalyzer)
        True
    """

    def score(self, text: str) -> SentimentScore:
        """Score one text."""
        ...

    def score_many(self, texts: Iterable[str]) -> tuple[SentimentScore, ...]:
        """Score many texts, in order."""
        ...


_trusted = _pick_trusted()
