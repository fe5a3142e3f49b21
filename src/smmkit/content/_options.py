"""The options of :func:`~smmkit.content.adapt`: one value instead of thirteen keywords.

``adapt(piece, platform, options)`` takes an :class:`AdaptOptions`; the keywords it
has always taken (``allow_threads=True``, ``utm_campaign="spring"``...) still work and
override the options given (:class:`AdaptOverrides` types them for mypy).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import field_validator
from typing_extensions import TypedDict

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.text._truncate import check_numbering

__all__ = ["AdaptOptions", "AdaptOverrides", "resolve_options"]


class AdaptOptions(SmmkitModel):
    """How :func:`~smmkit.content.adapt` treats a piece, beyond what the catalog decides.

    * ``allow_threads``: split text that is too long into numbered parts (where the
      platform has threads) instead of cutting it; ``numbering`` is the part suffix
      (must contain ``{i}`` and ``{n}``), ``ellipsis`` ends a cut text.
    * ``utm``: add UTM parameters to links: ``utm_source`` is the platform id,
      ``utm_medium`` (``social``), ``utm_campaign`` (default: the piece's campaign or
      id), ``utm_term`` and ``utm_content``.
    * ``digest``: the WeChat article summary (default: the first 54 字 of the text).
    * ``mentions``: LinkedIn handle → ``(name, urn)``; ``dids``: Bluesky handle → DID.
    * ``credit``: add a credit line to user-generated content; ``now``: when it is,
      to refuse UGC whose permission has expired (a timezone-aware datetime).

    A bad value raises :class:`~smmkit.exceptions.InvalidInputError` naming the option.

    Example:
        >>> opts = AdaptOptions(allow_threads=True, utm_campaign="spring")
        >>> opts.allow_threads, opts.utm_medium, opts.utm_campaign
        (True, 'social', 'spring')
        >>> try:
        ...     AdaptOptions(numbering=" (part {i})")
        ... except ValueError as exc:
        ...     print(exc.fields)
        ('numbering',)
    """

    allow_threads: bool = False
    utm: bool = True
    utm_medium: str = "social"
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    digest: str | None = None
    mentions: Mapping[str, tuple[str, str]] | None = None
    dids: Mapping[str, str] | None = None
    numbering: str = " {i}/{n}"
    ellipsis: str = "…"
    credit: bool = True
    now: AwareDatetime | None = None

    @field_validator("numbering")
    @classmethod
    def _numbering_template(cls, value: str) -> str:
        try:  # the one numbering rule, shared with split_thread
            return check_numbering(value)
        except InvalidInputError as exc:
            raise ValueError(exc.problems[0].problem) from None

    def utm_fields(self, campaign: str) -> dict[str, str | None] | None:
        """The UTM parameters to add (``None`` when ``utm`` is off); ``campaign`` is the
        fallback for ``utm_campaign``.

        Example:
            >>> AdaptOptions(utm_term="tea").utm_fields("spring")["campaign"]
            'spring'
        """
        if not self.utm:
            return None
        return {
            "medium": self.utm_medium,
            "campaign": self.utm_campaign or campaign,
            "term": self.utm_term,
            "content": self.utm_content,
        }


class AdaptOverrides(TypedDict, total=False):
    """The keyword options of ``adapt``/``adapt_all``: :class:`AdaptOptions`' fields.

    Example:
        >>> extra: AdaptOverrides = {"allow_threads": True}
        >>> resolve_options(None, extra).allow_threads
        True
    """

    allow_threads: bool
    utm: bool
    utm_medium: str
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    digest: str | None
    mentions: Mapping[str, tuple[str, str]] | None
    dids: Mapping[str, str] | None
    numbering: str
    ellipsis: str
    credit: bool
    now: datetime | None


_DEFAULT = AdaptOptions()


def resolve_options(options: AdaptOptions | None, overrides: Mapping[str, Any]) -> AdaptOptions:
    """``options`` (the defaults when ``None``) with ``overrides`` applied and validated.

    An unknown keyword or a bad value raises
    :class:`~smmkit.exceptions.InvalidInputError` naming it.

    Example:
        >>> resolve_options(AdaptOptions(utm=False), {"utm_medium": "email"}).utm
        False
        >>> try:
        ...     resolve_options(None, {"alow_threads": True})
        ... except ValueError as exc:
        ...     print(exc.fields)
        ('alow_threads',)
    """
    if options is None:
        options = _DEFAULT
    elif not isinstance(options, AdaptOptions):
        raise InvalidInputError.single(
            "options", "must be an AdaptOptions (or pass keywords)", type(options).__name__
        )
    if not overrides:
        return options
    return AdaptOptions(**{**options.model_dump(exclude_unset=True), **overrides})
