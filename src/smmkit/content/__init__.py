"""Content: adaptation to each platform, validation against the catalog and the
compliance lint (the calendar and the approval workflow live in their own modules).

Example:
    >>> from smmkit.content import adapt
    >>> from smmkit.models import ContentPiece
    >>> adapt(ContentPiece(id="p", body="办公室冷泡茶", tags=("下午茶",)), "douyin").body
    '办公室冷泡茶\\n#下午茶'
"""

from smmkit import _public
from smmkit.content._adapt import (
    AdaptAllResult,
    AdaptationError,
    adapt,
    adapt_all,
    piece_from_post,
    render_adaptations,
)
from smmkit.content._options import AdaptOptions, AdaptOverrides
from smmkit.content._validate import Violation, has_errors, validate
from smmkit.content.compliance import ABSOLUTE_TERMS, ComplianceIssue, check_compliance

__all__ = [
    "ABSOLUTE_TERMS",
    "AdaptAllResult",
    "AdaptOptions",
    "AdaptOverrides",
    "AdaptationError",
    "ComplianceIssue",
    "Violation",
    "adapt",
    "adapt_all",
    "check_compliance",
    "has_errors",
    "piece_from_post",
    "render_adaptations",
    "validate",
]

_public.set_public_module(globals(), __all__, __name__)
