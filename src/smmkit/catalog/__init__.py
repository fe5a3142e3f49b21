"""The platform catalog: 16 platform specifications shipped as package data.

Numbers come with their ``source``, ``as_of`` date and ``confidence``. Limits
change often, so everything here is a default you can override without touching
package files::

    >>> import smmkit
    >>> spec = smmkit.get_platform_spec("mastodon", overrides={"text.max_length": 1000})
    >>> spec.text.max_length.value, spec.text.max_length.confidence.value
    (1000, 'user')
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from importlib.metadata import entry_points
from typing import Any

from smmkit import _public
from smmkit.exceptions import InvalidInputError, UnknownPlatformError
from smmkit.models.platform import (
    ApiAccess,
    Confidence,
    ContentFormat,
    Platform,
    PlatformRole,
    Region,
)

__all__ = [
    "Catalog",
    "PlatformLike",
    "get_platform_spec",
    "is_known_platform",
    "known_platform_ids",
    "list_platforms",
    "override_spec",
    "platform_ids",
    "register_platform_id",
    "require_known_platform",
    "resolve_platform",
]

PlatformLike = str | Platform
"""Anything that names a platform: a catalog id or a :class:`Platform` spec."""


class Catalog(Mapping[str, Platform]):
    """An immutable set of platform specs, keyed by id.

    Use :meth:`default` for the shipped catalog; :meth:`with_spec` returns a new
    catalog with one spec added or replaced (for a custom platform or an instance
    with its own limits).

    Example:
        >>> cat = Catalog.default()
        >>> len(cat), cat["x"].name_en
        (16, 'X (Twitter)')
    """

    def __init__(self, specs: Iterable[Platform]) -> None:
        self._specs: dict[str, Platform] = {}
        if isinstance(specs, (str, bytes, Mapping)) or not isinstance(specs, Iterable):
            raise InvalidInputError.single(
                "specs", "must be an iterable of Platform specs", type(specs).__name__
            )
        for i, spec in enumerate(specs):
            if not isinstance(spec, Platform):
                raise InvalidInputError.single(
                    f"specs.{i}", "must be a Platform spec", type(spec).__name__
                )
            if spec.id in self._specs:
                raise InvalidInputError.single("id", "appears twice in the catalog", spec.id)
            self._specs[spec.id] = spec
        # A spec added by with_spec (or a catalog of one's own) makes its id known to
        # every model and function that checks ids (see is_known_platform).
        _REGISTERED_IDS.update(self._specs)

    @classmethod
    def default(cls) -> Catalog:
        """The catalog shipped with smmkit (loaded once, then shared: it is immutable)."""
        return _default_catalog()

    def __getitem__(self, platform_id: str) -> Platform:
        if not isinstance(platform_id, str):
            raise InvalidInputError.single(
                "platform", "must be a platform id (str)", type(platform_id).__name__
            )
        try:
            return self._specs[platform_id]
        except KeyError:
            raise UnknownPlatformError(platform_id, tuple(self._specs)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"Catalog({', '.join(self._specs)})"

    def with_spec(self, spec: Platform) -> Catalog:
        """A new catalog in which ``spec`` is added, or replaces the spec with its id.

        Example:
            >>> cat = Catalog.default()
            >>> mine = override_spec(cat["mastodon"], {"text.max_length": 5000})
            >>> cat.with_spec(mine)["mastodon"].text.max_length.value
            5000
        """
        if not isinstance(spec, Platform):
            raise InvalidInputError.single("spec", "must be a Platform spec", type(spec).__name__)
        specs = dict(self._specs)
        specs[spec.id] = spec
        return Catalog(specs.values())


_ENTRY_POINT_GROUP = "smmkit.platforms"  # the group smmkit.platforms reads plugins from

_REGISTERED_IDS: set[str] = set()


def register_platform_id(platform_id: str) -> None:
    """Make ``platform_id`` a known platform id, for the rest of the process.

    The platform registry (:func:`smmkit.platforms.register_platform`) calls this when an
    adapter is registered or loaded, so models and functions that take platform ids
    (metric observations, the calendar, budgets) accept a plugin's platform without
    importing :mod:`smmkit.platforms`. A spec added with :meth:`Catalog.with_spec` is
    registered the same way. Call it yourself for a platform you track without an
    adapter or a spec (an offline channel, a forum you export by hand).

    Example:
        >>> register_platform_id("doctest_forum")
        >>> is_known_platform("doctest_forum")
        True
    """
    if not isinstance(platform_id, str) or not platform_id.strip():
        raise InvalidInputError.single("platform_id", "must be a non-empty string", platform_id)
    _REGISTERED_IDS.add(platform_id)


def _entry_point_ids() -> frozenset[str]:
    # Installed plugins count before smmkit.platforms has loaded them. Read once per
    # import path: a plugin put on sys.path later (a notebook, a test) is seen too.
    return _entry_point_ids_on(tuple(sys.path))


@lru_cache(maxsize=4)
def _entry_point_ids_on(path: tuple[str, ...]) -> frozenset[str]:
    del path  # the cache key
    return frozenset(ep.name for ep in entry_points(group=_ENTRY_POINT_GROUP))


def is_known_platform(platform_id: object, catalog: Catalog | None = None) -> bool:
    """True when ``platform_id`` names a platform smmkit knows.

    An id is known when the shipped catalog has it, ``catalog`` (if given) has it, a
    :meth:`Catalog.with_spec` override added it, a platform plugin registered it
    (:func:`register_platform_id`, installed ``smmkit.platforms`` entry points), or it
    was registered by hand. Anything that is not a string is not a platform id.

    Example:
        >>> is_known_platform("weibo"), is_known_platform("myspace"), is_known_platform(3)
        (True, False, False)
    """
    _require_catalog(catalog)
    if not isinstance(platform_id, str):
        return False
    return (
        platform_id in _default_catalog()._specs
        or platform_id in _REGISTERED_IDS
        or (catalog is not None and platform_id in catalog)
        or platform_id in _entry_point_ids()
    )


def known_platform_ids(catalog: Catalog | None = None) -> tuple[str, ...]:
    """Every id :func:`is_known_platform` accepts, sorted.

    Example:
        >>> {"weibo", "x", "mastodon"} <= set(known_platform_ids())
        True
    """
    _require_catalog(catalog)
    ids = set(_default_catalog()) | _REGISTERED_IDS | _entry_point_ids()
    if catalog is not None:
        ids |= set(catalog)
    return tuple(sorted(ids))


def require_known_platform(
    platform_id: object, *, field: str = "platform", catalog: Catalog | None = None
) -> str:
    """``platform_id`` unchanged when it is known, else :class:`UnknownPlatformError`.

    The error names ``field`` and lists the known ids (see :func:`is_known_platform`).

    Example:
        >>> require_known_platform("zhihu")
        'zhihu'
        >>> try:
        ...     require_known_platform("myspace", field="platforms.1")
        ... except UnknownPlatformError as exc:
        ...     print(exc.fields, "weibo" in exc.known)
        ('platforms.1',) True
    """
    if is_known_platform(platform_id, catalog):
        return platform_id  # type: ignore[return-value]
    if not isinstance(platform_id, str):
        raise InvalidInputError.single(field, "must be a platform id (str)", platform_id)
    raise UnknownPlatformError(platform_id, known_platform_ids(catalog), field=field)


@lru_cache(maxsize=1)
def _default_catalog() -> Catalog:
    raw = resources.files("smmkit.catalog").joinpath("platforms.json").read_text("utf-8")
    doc = json.loads(raw)
    return Catalog(Platform.model_validate(item) for item in doc["platforms"])


def platform_ids() -> tuple[str, ...]:
    """The ids of the shipped catalog, sorted.

    Example:
        >>> platform_ids()[:3]
        ('bilibili', 'bluesky', 'douyin')
    """
    return tuple(sorted(_default_catalog()))


def override_spec(
    spec: Platform,
    changes: Mapping[str, Any],
    *,
    source: str = "user override",
    as_of: date | None = None,
) -> Platform:
    """Return ``spec`` with some values replaced; the original is untouched.

    Keys are dotted paths into the spec (``"text.max_length"``,
    ``"media.max_items"``, ``"title"``, ``"api_access"``, ``"body_format"``). A plain
    number given for a limit keeps the limit's unit, and a plain value given for a fact
    (``title_required``, ``title_in_text``, ``body_format``) becomes that fact; both
    record ``source``, ``as_of`` and ``confidence="user"``. Anything else is validated
    like the spec itself.

    Example:
        >>> import smmkit
        >>> x = smmkit.get_platform_spec("x")
        >>> premium = override_spec(x, {"text.max_length": 25_000}, source="X Premium")
        >>> premium.text.max_length.value, x.text.max_length.value
        (25000, 280)
        >>> override_spec(x, {"title_required": True}).needs_title
        True
    """
    if not isinstance(spec, Platform):
        raise InvalidInputError.single("spec", "must be a Platform spec", type(spec).__name__)
    if not isinstance(changes, Mapping):
        raise InvalidInputError.single("changes", "must be a mapping", type(changes).__name__)
    if not isinstance(source, str):
        raise InvalidInputError.single("source", "must be a str", type(source).__name__)
    if as_of is not None and (not isinstance(as_of, date) or isinstance(as_of, datetime)):
        raise InvalidInputError.single("as_of", "must be a date or None", as_of)
    data = spec.model_dump(mode="python")
    for path, given in changes.items():
        value = given
        if not isinstance(path, str):
            raise InvalidInputError.single(
                "overrides", "keys are dotted paths (str)", type(path).__name__
            )
        parts = path.split(".")
        target: Any = data
        for i, part in enumerate(parts[:-1]):
            if not isinstance(target, dict) or part not in target:
                raise InvalidInputError.single(
                    "overrides", f"no field {'.'.join(parts[: i + 1])!r} in a Platform spec", path
                )
            target = target[part]
        leaf = parts[-1]
        if not isinstance(target, dict) or (leaf not in target and parts[0] != "other_limits"):
            raise InvalidInputError.single("overrides", "no such field in a Platform spec", path)
        current = target.get(leaf)
        slot: dict[str, Any] = current if isinstance(current, dict) else {}
        is_limit_slot = "unit" in slot
        limit_annotation = _is_limit_field(parts)
        if tuple(parts) in _FACT_FIELDS and value is not None and not isinstance(value, Mapping):
            value = {
                "value": value,
                "source": source,
                "as_of": as_of or slot.get("as_of", spec.text.as_of),
                "confidence": Confidence.USER,
            }
        elif (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and (is_limit_slot or limit_annotation)
        ):
            unit = slot.get("unit", "user-defined")
            value = {
                "value": value,
                "unit": unit,
                "source": source,
                "as_of": as_of or slot.get("as_of", spec.text.as_of),
                "confidence": Confidence.USER,
            }
        target[leaf] = value
    spec_out: Platform = Platform.model_validate(data)
    return spec_out


_FACT_FIELDS = {("title_required",), ("title_in_text",), ("body_format",)}

_LIMIT_FIELDS = {
    ("text", "max_length"),
    ("text", "max_bytes"),
    ("title",),
    ("max_hashtags",),
    ("media", "max_items"),
    ("media", "min_items"),
    ("media", "image_max_bytes"),
    ("media", "gif_max_bytes"),
    ("media", "video_max_bytes"),
    ("media", "video_min_seconds"),
    ("media", "video_max_seconds"),
}


def _is_limit_field(parts: list[str]) -> bool:
    return tuple(parts) in _LIMIT_FIELDS or (len(parts) == 2 and parts[0] == "other_limits")


def get_platform_spec(
    platform_id: str,
    *,
    overrides: Mapping[str, Any] | None = None,
    catalog: Catalog | None = None,
) -> Platform:
    """The spec of one platform, optionally with some values overridden.

    Raises :class:`~smmkit.exceptions.UnknownPlatformError` (a ``KeyError`` and
    ``ValueError``) listing the known ids when ``platform_id`` is not in the catalog.

    Example:
        >>> spec = get_platform_spec("xiaohongshu")
        >>> spec.name_zh, spec.api_access.value
        ('小红书', 'none')
    """
    _require_catalog(catalog)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InvalidInputError.single(
            "overrides", "must be a mapping or None", type(overrides).__name__
        )
    spec = (catalog if catalog is not None else _default_catalog())[platform_id]
    if overrides:
        spec = override_spec(spec, overrides)
    return spec


def resolve_platform(platform: PlatformLike, *, catalog: Catalog | None = None) -> Platform:
    """Accept a platform id or a spec and return the spec.

    Example:
        >>> resolve_platform("x").id
        'x'
    """
    _require_catalog(catalog)
    if isinstance(platform, Platform):
        return platform
    if isinstance(platform, str):
        return get_platform_spec(platform, catalog=catalog)
    raise InvalidInputError.single(
        "platform", "must be a platform id (str) or a Platform spec", type(platform).__name__
    )


def list_platforms(
    *,
    role: PlatformRole | str | None = None,
    region: Region | str | None = None,
    api_access: ApiAccess | str | None = None,
    content_format: ContentFormat | str | None = None,
    catalog: Catalog | None = None,
) -> tuple[Platform, ...]:
    """The catalog's specs, filtered; sorted by id.

    Filters match when the platform has that role (any of its roles), region,
    API access or content format. Unknown filter values raise
    :class:`~smmkit.exceptions.InvalidInputError`.

    Example:
        >>> [p.id for p in list_platforms(role="private_domain")]
        ['wechat_channels', 'wechat_oa', 'wecom']
        >>> [p.id for p in list_platforms(api_access="none")]
        ['wechat_channels', 'xiaohongshu', 'zhihu']
    """
    role_v = _enum("role", PlatformRole, role)
    region_v = _enum("region", Region, region)
    access_v = _enum("api_access", ApiAccess, api_access)
    format_v = _enum("content_format", ContentFormat, content_format)
    _require_catalog(catalog)
    specs = (catalog if catalog is not None else _default_catalog()).values()
    chosen = [
        s
        for s in specs
        if (role_v is None or role_v in s.roles)
        and (region_v is None or s.region is region_v)
        and (access_v is None or s.api_access is access_v)
        and (format_v is None or format_v in s.formats)
    ]
    return tuple(sorted(chosen, key=lambda s: s.id))


def _require_catalog(catalog: object) -> None:
    if catalog is not None and not isinstance(catalog, Catalog):
        raise InvalidInputError.single(
            "catalog", "must be a Catalog or None", type(catalog).__name__
        )


def _enum(field: str, enum_type: Any, value: Any) -> Any:
    if value is None:
        return None
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)
        raise InvalidInputError.single(field, f"must be one of: {allowed}", value) from None


_public.set_public_module(globals(), __all__, __name__)
