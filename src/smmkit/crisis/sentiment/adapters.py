"""Adapters that put third-party sentiment engines behind :class:`SentimentAnalyzer`.

Each imports its engine only when constructed and raises
:class:`~smmkit.exceptions.MissingExtraError` naming the extra when it is missing:
``snownlp`` and ``vaderSentiment`` come with ``smmkit[sentiment]``; a transformers
pipeline is passed in ready-made (smmkit never downloads model weights itself).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from smmkit.crisis._checks import band, integer, items_of, optional_str, weights
from smmkit.crisis.sentiment._base import NEUTRAL_BAND, SentimentScore
from smmkit.exceptions import InvalidInputError, MissingExtraError

__all__ = ["SnowNLPAnalyzer", "TransformersAnalyzer", "VaderAnalyzer"]


class SnowNLPAnalyzer:
    """snownlp's naive-Bayes Chinese sentiment; its probability p maps to ``2p - 1``.

    Example:
        >>> try:
        ...     a = SnowNLPAnalyzer()
        ... except ImportError:
        ...     a = None
        >>> a is None or -1.0 <= a.score("很好").polarity <= 1.0
        True
    """

    def __init__(self, *, neutral_band: float = NEUTRAL_BAND) -> None:
        neutral_band = band(neutral_band)
        try:
            from snownlp import SnowNLP
        except ImportError:
            raise MissingExtraError("snownlp", extra="sentiment") from None
        self._cls: Any = SnowNLP
        self.neutral_band = neutral_band

    def score(self, text: str) -> SentimentScore:
        """Score one text (an empty text is neutral)."""
        if not text.strip():
            return SentimentScore.from_polarity(0.0, neutral_band=self.neutral_band)
        p = float(self._cls(text).sentiments)
        return SentimentScore.from_polarity(2.0 * p - 1.0, neutral_band=self.neutral_band)

    def score_many(self, texts: Iterable[str]) -> tuple[SentimentScore, ...]:
        """Score many texts, in order."""
        return tuple(self.score(t) for t in texts)


class VaderAnalyzer:
    """vaderSentiment's English rules; polarity is VADER's ``compound`` score.

    Example:
        >>> try:
        ...     a = VaderAnalyzer()
        ... except ImportError:
        ...     a = None
        >>> a is None or a.score("I love it").label.value == "positive"
        True
    """

    def __init__(self, *, neutral_band: float = NEUTRAL_BAND) -> None:
        neutral_band = band(neutral_band)
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError:
            raise MissingExtraError("vaderSentiment", extra="sentiment") from None
        self._vader: Any = SentimentIntensityAnalyzer()
        self.neutral_band = neutral_band

    def score(self, text: str) -> SentimentScore:
        """Score one text."""
        compound = float(self._vader.polarity_scores(text)["compound"])
        return SentimentScore.from_polarity(compound, neutral_band=self.neutral_band)

    def score_many(self, texts: Iterable[str]) -> tuple[SentimentScore, ...]:
        """Score many texts, in order."""
        return tuple(self.score(t) for t in texts)


_NEGATIVE_LABELS = ("neg", "1 star", "2 stars", "label_0", "bad")
_POSITIVE_LABELS = ("pos", "4 stars", "5 stars", "label_2", "good")


class TransformersAnalyzer:
    """A Hugging Face ``text-classification`` pipeline behind the protocol.

    Pass a ready pipeline (or any callable with the pipeline's contract: a list of texts
    in, a list of ``{"label": str, "score": float}`` out). Labels containing "neg" /
    "pos" (and star ratings) map to the sign; the class probability is the magnitude.
    ``labels`` overrides the mapping, e.g. ``{"LABEL_0": -1, "LABEL_1": 1}``.

    Example:
        >>> def fake_pipeline(texts, **kw):
        ...     return [{"label": "NEGATIVE", "score": 0.9} for _ in texts]
        >>> TransformersAnalyzer(fake_pipeline).score("meh").polarity
        -0.9
    """

    def __init__(
        self,
        pipeline: Callable[..., Sequence[dict[str, Any]]] | None = None,
        *,
        model: str | None = None,
        labels: dict[str, float] | None = None,
        batch_size: int = 32,
        neutral_band: float = NEUTRAL_BAND,
    ) -> None:
        if pipeline is not None and not callable(pipeline):
            raise InvalidInputError.single(
                "pipeline",
                f"must be a callable (a transformers pipeline), not of type"
                f" {type(pipeline).__name__}",
                type(pipeline).__name__,
            )
        model = optional_str(model, "model")
        label_weights = weights(labels, "labels")
        if integer(batch_size, "batch_size") < 1:
            raise InvalidInputError.single("batch_size", "must be at least 1", batch_size)
        neutral_band = band(neutral_band)
        if pipeline is None:
            if model is None or not model.strip():
                raise InvalidInputError.single("pipeline", "give a pipeline or a model name")
            try:
                # Imported by name: an optional, heavy dependency that has no type stubs.
                transformers: Any = importlib.import_module("transformers")
            except ImportError:
                raise MissingExtraError("transformers", extra="transformers") from None
            pipeline = transformers.pipeline("text-classification", model=model)
        self._pipeline = pipeline
        self._labels = {k.lower(): v for k, v in label_weights.items()}
        self.batch_size = batch_size
        self.neutral_band = neutral_band

    def _sign(self, label: str) -> float:
        key = label.lower()
        if key in self._labels:
            return self._labels[key]
        if any(tag in key for tag in _NEGATIVE_LABELS):
            return -1.0
        if any(tag in key for tag in _POSITIVE_LABELS):
            return 1.0
        return 0.0

    def score(self, text: str) -> SentimentScore:
        """Score one text."""
        return self.score_many([text])[0]

    def score_many(self, texts: Iterable[str]) -> tuple[SentimentScore, ...]:
        """Score many texts, in order, in batches of ``batch_size``.

        Example:
            >>> def pipe(texts, **kw):
            ...     return [{"label": "POSITIVE", "score": 0.5} for _ in texts]
            >>> [s.label.value for s in TransformersAnalyzer(pipe).score_many(["a", "b"])]
            ['positive', 'positive']
        """
        items = items_of(texts, str, "texts")
        out: list[SentimentScore] = []
        for i in range(0, len(items), self.batch_size):
            chunk = items[i : i + self.batch_size]
            results = self._pipeline(chunk, truncation=True)
            if not isinstance(results, Sequence) or len(results) != len(chunk):
                raise InvalidInputError.single(
                    "pipeline",
                    "must return one {'label': str, 'score': float} per text",
                    len(results) if isinstance(results, Sequence) else type(results).__name__,
                )
            for result in results:
                polarity = self._sign(_label(result)) * _probability(result)
                out.append(SentimentScore.from_polarity(polarity, neutral_band=self.neutral_band))
        return tuple(out)


def _label(result: object) -> str:
    if not isinstance(result, Mapping) or "label" not in result:
        raise InvalidInputError.single(
            "pipeline", "returned a result without a 'label'", type(result).__name__
        )
    return str(result["label"])


def _probability(result: object) -> float:
    score = result.get("score") if isinstance(result, Mapping) else None
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        raise InvalidInputError.single(
            "pipeline", "returned a result without a finite number as 'score'", type(score).__name__
        )
    return float(score)
