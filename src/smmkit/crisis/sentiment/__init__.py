"""Sentiment: a protocol, the built-in zh+en lexicon analyzer and optional adapters."""

from smmkit import _public
from smmkit.crisis.sentiment._base import (
    SentimentAnalyzer,
    SentimentLabel,
    SentimentScore,
    label_for,
)
from smmkit.crisis.sentiment.adapters import SnowNLPAnalyzer, TransformersAnalyzer, VaderAnalyzer
from smmkit.crisis.sentiment.lexicon import LexiconAnalyzer, default_analyzer

__all__ = [
    "LexiconAnalyzer",
    "SentimentAnalyzer",
    "SentimentLabel",
    "SentimentScore",
    "SnowNLPAnalyzer",
    "TransformersAnalyzer",
    "VaderAnalyzer",
    "default_analyzer",
    "label_for",
]

_public.set_public_module(globals(), __all__, __name__)
