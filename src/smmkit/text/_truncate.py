"""Cutting text to a platform's limit without breaking what must stay whole."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from string import Formatter

from smmkit.catalog import PlatformLike
from smmkit.exceptions import ContentTooLongError, InvalidInputError
from smmkit.models.platform import Platform
from smmkit.text._checks import require_limit, require_ratio, require_spec, require_text
from smmkit.text._count import _compiled, _spec
from smmkit.text._cuts import _KEPT, _best_prefix, _points
from smmkit.text._entities import Entity, EntityKind, extract_entities
from smmkit.text._thread import _split, _tags_only

__all__ = [
    "cut_points",
    "shorten_keeping",
    "split_thread",
    "thread_split",
    "truncate",
    "within_limit",
]


def within_limit(text: str, spec: Platform, limit: int | None = None) -> bool:
    """True when ``text`` is within ``spec``'s length (or ``limit``) and byte limits.

    Invalid characters are not considered: cutting cannot fix them.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> x = get_platform_spec("x")
        >>> within_limit("a" * 281, x), within_limit("a" * 281, x, 300)
        (False, True)
    """
    require_text(text)
    require_spec(spec)
    require_limit(limit)
    _rule, counter, max_len, byte_limit, is_utf8 = _compiled(spec.text)
    length = counter(text)[0]
    cap = max_len if limit is None else limit
    if cap is not None and length > cap:
        return False
    if byte_limit is not None:
        return (length if is_utf8 else len(text.encode("utf-8"))) <= byte_limit
    return True


def cut_points(text: str) -> tuple[int, ...]:
    """Offsets where ``text`` may be cut: grapheme boundaries outside every URL,
    mention, hashtag and cashtag.

    Example:
        >>> cut_points("a👍🏽 #tea")
        (0, 1, 3, 4, 8)
    """
    require_text(text)
    return _points(text)[0]


def _limit_pred(spec: Platform, limit: int | None) -> Callable[[str], bool]:
    return lambda s: within_limit(s, spec, limit)


def _entity_key(e: Entity) -> tuple[str, str]:
    if e.kind is EntityKind.URL:
        return ("url", e.text)
    if e.kind is EntityKind.MENTION:
        return ("mention", f"{e.value}@{e.domain or ''}".casefold())
    return (e.kind.value, e.value.casefold())


def shorten_keeping(
    text: str,
    fits: Callable[[str], bool],
    *,
    ellipsis: str = "…",
    min_ratio: float = 0.5,
) -> tuple[str, tuple[str, ...]] | None:
    """``text`` shortened until ``fits``, keeping every link, hashtag, mention and cashtag.

    The prose is cut where :func:`truncate` would cut it; the entities of the part cut
    away follow the ellipsis, in their order (a repeat of one already kept goes).
    Returns the new text and the entities moved, or ``None`` when the entities alone
    do not fit.

    Example:
        >>> short = lambda s: len(s) <= 24
        >>> shorten_keeping("Tea at three. Cold brew is good #tea @lin", short)
        ('Tea at three.… #tea @lin', ('#tea', '@lin'))
        >>> shorten_keeping("#a_long_tag #another_long_one", short) is None
        True
    """
    points, entities = _points(text)
    kept = [e for e in entities if e.kind in _KEPT]
    starts = [e.start for e in kept]
    keys = [_entity_key(e) for e in kept]

    def build(cut: int) -> tuple[str, tuple[str, ...]]:
        # Cut points are never inside an entity: those from ``i`` on start after the cut.
        i = bisect_left(starts, cut)
        seen = set(keys[:i])
        moved: list[str] = []
        for e, key in zip(kept[i:], keys[i:], strict=True):
            if key not in seen:
                seen.add(key)
                moved.append(e.text)
        head = _trim(text[:cut])
        out = head + ellipsis if head else ""
        if moved:
            out = (out + " " if out else "") + " ".join(moved)
        return out, tuple(moved)

    cut = _best_prefix(text, points, lambda s: fits(build(len(s))[0]), min_ratio)
    new, moved = build(cut)
    return (new, moved) if fits(new) else None


def truncate(
    text: str,
    platform: PlatformLike,
    *,
    limit: int | None = None,
    ellipsis: str = "…",
    min_ratio: float = 0.5,
    keep_entities: bool = False,
) -> str:
    """Shorten ``text`` to fit ``platform`` (or ``limit`` in the platform's unit).

    Never splits a grapheme, URL, mention or hashtag; prefers to end after a sentence
    (。！？!?.), then after a clause (，；、,;:), then at a space, as long as that keeps
    at least ``min_ratio`` of what would fit; the ellipsis is counted in the
    platform's unit. Text that fits is returned unchanged.

    With ``keep_entities=True`` only the prose is cut: the links, hashtags, mentions
    and cashtags of the part cut away follow the ellipsis, and when they cannot fit
    :class:`~smmkit.exceptions.ContentTooLongError` says which.

    Example:
        >>> truncate("第一句话。第二句话比较长，还有更多内容", "weibo", limit=14)
        '第一句话。第二句话比较长…'
        >>> truncate("Read https://example.com/a-long-path now please", "mastodon", limit=30)
        'Read https://example.com/a-long-path…'
        >>> truncate("Cold brew, three minutes, office. #tea", "x", limit=20, keep_entities=True)
        'Cold brew… #tea'
    """
    require_text(text)
    require_text(ellipsis, "ellipsis")
    require_limit(limit)
    spec = _spec(platform)
    require_ratio(min_ratio)
    if limit is None and spec.text.max_length is None and spec.text.max_bytes is None:
        return text
    fits = _limit_pred(spec, limit)
    if fits(text):
        return text
    if not fits(ellipsis):
        ellipsis = ""
    if keep_entities:
        kept = shorten_keeping(text, fits, ellipsis=ellipsis, min_ratio=min_ratio)
        if kept is None:
            raise too_long_error(text, (), fits, spec, limit)
        return kept[0]
    cut = _best_prefix(text, cut_points(text), lambda s: fits(_trim(s) + ellipsis), min_ratio)
    head = _trim(text[:cut])
    return head + ellipsis if head else ""


def too_long_error(
    text: str,
    lines: tuple[str, ...],
    fits: Callable[[str], bool],
    spec: Platform,
    limit: int | None = None,
    *,
    field: str = "body",
    hint: str = "",
) -> ContentTooLongError:
    """The error for ``text`` (and the ``lines`` after it) whose entities cannot fit:
    it names those that did not fit once the ones before them were in."""
    seen: set[tuple[str, str]] = set()
    must: list[str] = []
    for e in extract_entities(text):
        if e.kind in _KEPT and _entity_key(e) not in seen:
            seen.add(_entity_key(e))
            must.append(e.text)
    must.extend(line for line in lines if line)
    first_out = len(must)
    for i in range(len(must)):
        if not fits(" ".join(must[: i + 1])):
            first_out = i
            break
    cap = spec.text.max_length
    size = (
        f"{limit} {cap.unit if cap else 'units'}"
        if limit is not None
        else (f"{cap.value} {cap.unit}" if cap is not None else None)
    )
    return ContentTooLongError(
        field=field,
        platform=spec.id,
        unfit=must[first_out:] or must,
        limit=size,
        hint=hint,
    )


def _trim(head: str) -> str:
    # An ellipsis after a comma reads badly; the clause mark is dropped instead.
    return head.rstrip().rstrip("，；、,;：:").rstrip()


def split_thread(
    text: str,
    platform: PlatformLike,
    *,
    limit: int | None = None,
    numbering: str = " {i}/{n}",
    min_ratio: float = 0.5,
) -> tuple[str, ...]:
    """Split ``text`` into numbered parts that each fit ``platform``.

    Parts break where :func:`truncate` would (sentences, clauses, spaces, never inside
    a grapheme or an entity), and each carries ``numbering`` (``" 1/3"``), counted in
    the platform's unit. A line of hashtags stays whole, and no part holds only
    hashtags (they go with the text before them) unless the text leaves no other
    way. Text that fits is returned as one part without a number.

    Example:
        >>> split_thread("One sentence here. Another one there. And a third.", "x", limit=25)
        ('One sentence here. 1/3', 'Another one there. 2/3', 'And a third. 3/3')
        >>> split_thread("Tea at three. Cold brew is ready.\\n#tea #office", "x", limit=36)
        ('Tea at three. 1/2', 'Cold brew is ready.\\n#tea #office 2/2')
    """
    require_text(text)
    check_numbering(numbering)
    require_limit(limit)
    spec = _spec(platform)
    require_ratio(min_ratio)
    fits = _limit_pred(spec, limit)
    if limit is None and spec.text.max_length is None and spec.text.max_bytes is None:
        return (text,)
    if fits(text):
        return (text,)
    parts = _numbered(_split(text, fits, numbering, min_ratio), numbering)
    over = next((p for p in parts if not fits(p)), None)
    if over is not None:
        raise _unsplittable(over, spec, limit)
    return parts


def check_numbering(numbering: object) -> str:
    """``numbering`` if it is a template whose only fields are ``{i}`` and ``{n}``,
    each at least once, written plainly (no conversion, format spec, index or
    attribute: ``"{n:>999999999}"`` would build a gigabyte per part).

    Example:
        >>> check_numbering(" ({i} of {n})")
        ' ({i} of {n})'
        >>> check_numbering("{0}{1}{2}")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.InvalidInputError: numbering: must be a template ... (got '{0}{1}{2}')
    """
    template = require_text(numbering, "numbering")
    try:
        fields = [
            (name, conversion, spec)
            for _literal, name, spec, conversion in Formatter().parse(template)
            if name is not None
        ]
    except ValueError:  # a stray "{" or "}"
        fields = []
    names = {name for name, _c, _s in fields}
    plain = all(
        name in ("i", "n") and not conversion and not spec for name, conversion, spec in fields
    )
    if not (plain and names == {"i", "n"}):
        raise InvalidInputError.single(
            "numbering",
            "must be a template with {i} and {n} (the part and the count) and no other field",
            template,
        )
    return template


def _unsplittable(part: str, spec: Platform, limit: int | None) -> InvalidInputError:
    """The error for a part that does not fit however the text is split: an entity
    longer than a part, or a limit that cannot hold one grapheme beside its number."""
    whole = [e.text for e in extract_entities(part) if e.kind in _KEPT]
    if whole:
        return too_long_error(part, (), lambda _s: False, spec, limit, field="text")
    cap = spec.text.max_length
    return InvalidInputError.single(
        "limit",
        "is too small for a thread: one character and the part number do not fit",
        limit if limit is not None else (f"{cap.value} {cap.unit}" if cap else None),
    )


def thread_split(
    text: str, fits: Callable[[str], bool], numbering: str, min_ratio: float = 0.5
) -> tuple[str, ...] | None:
    """``text`` as numbered parts that each ``fits``, none of them only hashtags (and
    the number); ``None`` when no such split exists (an entity longer than a part).

    Example:
        >>> thread_split("Tea. Cold brew now. #a #b", lambda s: len(s) <= 24, " {i}/{n}")
        ('Tea. 1/2', 'Cold brew now. #a #b 2/2')
        >>> thread_split("Tea. #a_very_long_tag", lambda s: len(s) <= 12, " {i}/{n}") is None
        True
    """
    raw = _split(text, fits, numbering, min_ratio)
    parts = _numbered(raw, numbering)
    if len(parts) < 2 or not all(fits(p) for p in parts):
        return None
    if any(_tags_only(p) for p in raw):
        return None
    return parts


def _numbered(parts: list[str], numbering: str) -> tuple[str, ...]:
    total = len(parts)
    return tuple(p + numbering.format(i=i, n=total) for i, p in enumerate(parts, 1))
