"""What the stages of ``adapt`` pass along: the draft post, the fixed context, the notes.

A :class:`Draft` is a value: a stage returns a new one (``draft._replace(body=...)``)
and records what it changed, and why, on the context's :class:`Notes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from smmkit.content._options import AdaptOptions
from smmkit.models.content import AdaptationNote, ContentPiece, MediaAsset, NoteSeverity
from smmkit.models.extras import PostExtras
from smmkit.models.platform import Platform

__all__ = ["Context", "Draft", "Notes", "Stage", "TailKind"]

TailKind = Literal["links", "tags", "credit"]
"""What a line after the text is; lines are joined in this order (links, tags, credit)."""

_NO_EXTRAS: Mapping[str, Any] = MappingProxyType({})


class Draft(NamedTuple):
    """The post as it stands between two stages.

    It starts as the piece (its title, text, tags, links and media) and ends as the
    post's fields. ``tail`` holds the lines that follow the text (links to append,
    the tag line, the credit line), kept apart until the ``fit`` stage joins them, so
    that they survive a cut; ``extras`` the extras fields adapt has set so far.

    Example:
        >>> d = Draft(title=None, body="hi")
        >>> d._replace(body="hello").body, d.body
        ('hello', 'hi')
    """

    title: str | None
    body: str
    parts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    media: tuple[MediaAsset, ...] = ()
    tail: tuple[tuple[TailKind, str], ...] = ()
    extras: Mapping[str, Any] = _NO_EXTRAS

    def with_extras(self, **fields: Any) -> Draft:
        """A copy with ``fields`` added to ``extras``.

        Example:
            >>> Draft(title=None, body="").with_extras(digest="d").extras["digest"]
            'd'
        """
        return self._replace(extras={**self.extras, **fields})


class Notes:
    """Collects notes, skipping exact duplicates (keeps re-adaptation idempotent).

    Example:
        >>> notes = Notes()
        >>> notes.add("a", "body", "m"); notes.add("a", "body", "m")
        >>> len(notes.items)
        1
    """

    def __init__(self, existing: Iterable[AdaptationNote] = ()) -> None:
        self.items: list[AdaptationNote] = list(existing)
        self._seen = {self._key(n) for n in self.items}

    @staticmethod
    def _key(n: AdaptationNote) -> tuple[str, str, str, str, str | None, str | None]:
        return (n.code, n.field, n.message, n.severity.value, n.before, n.after)

    def add(
        self,
        code: str,
        field: str,
        message: str,
        *,
        severity: NoteSeverity = NoteSeverity.INFO,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        """Record one change (once)."""
        note = AdaptationNote(
            code=code,
            field=field,
            message=message,
            severity=severity,
            before=before,
            after=after,
        )
        key = self._key(note)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(note)


class Context(NamedTuple):
    """What every stage may read and no stage changes: the platform, the piece, the
    options, and where the notes go.

    ``extras_model`` is the platform's extras model: a stage sets an extras field only
    when the model declares it (:meth:`takes`). ``inline_topics`` tells whether topics
    are written into the text (``#tag``) rather than into a tags field. ``encode``
    turns plain text into the platform's markup (LinkedIn's little format, WeChat's
    HTML).
    """

    spec: Platform
    piece: ContentPiece
    options: AdaptOptions
    notes: Notes
    digest: str | None
    extras_model: type[PostExtras]
    inline_topics: bool
    encode: Callable[[str], str]
    utm: Mapping[str, str | None] | None

    def takes(self, field: str) -> bool:
        """True when the platform's extras model has ``field``."""
        return field in self.extras_model.model_fields


Stage = Callable[[Draft, Context], Draft]
"""One step of ``adapt``: the draft in, the next draft out (changes noted on the context)."""
