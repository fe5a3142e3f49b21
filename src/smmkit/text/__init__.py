"""The text engine: length in each platform's unit, entities, topic and mention
serialisers, Bluesky facets and truncation that never breaks what must stay whole.

"Character" means something different on every platform (X weighs code points,
Bluesky counts graphemes *and* bytes, WeCom counts UTF-8 bytes), so every function
here takes the platform, and every number comes from its catalog spec.

Example:
    >>> from smmkit.text import measure
    >>> m = measure("下午三点 🍵 #办公室茶", "x")
    >>> m.length, m.limit, m.fits
    (21, 280, True)
"""

from smmkit import _public
from smmkit.text._bluesky import bluesky_mentions
from smmkit.text._count import TextLength, count_length, measure
from smmkit.text._entities import Entity, EntityKind, HashtagForm, extract_entities
from smmkit.text._graphemes import grapheme_boundaries, grapheme_count, graphemes
from smmkit.text._serialize import (
    LITTLE_RESERVED,
    bluesky_facets,
    convert_topics,
    escape_little,
    format_hashtag,
    format_mention,
    from_little,
    to_little,
    unescaped_little,
)
from smmkit.text._truncate import cut_points, split_thread, truncate, within_limit

__all__ = [
    "Entity",
    "EntityKind",
    "HashtagForm",
    "LITTLE_RESERVED",
    "TextLength",
    "bluesky_facets",
    "bluesky_mentions",
    "convert_topics",
    "count_length",
    "cut_points",
    "escape_little",
    "extract_entities",
    "format_hashtag",
    "format_mention",
    "from_little",
    "grapheme_boundaries",
    "grapheme_count",
    "graphemes",
    "measure",
    "split_thread",
    "to_little",
    "truncate",
    "unescaped_little",
    "within_limit",
]

_public.set_public_module(globals(), __all__, __name__)
