"""The platform registry: names to adapter classes, imported only when asked for.

Like fsspec's: built-in adapters are registered as dotted paths, third-party ones come
from the ``smmkit.platforms`` entry-point group, read on the first lookup rather than at
``import smmkit`` (importing every plugin on start-up is slow and lets one broken
plugin break everything). A failed import names the extra to install.
"""

from __future__ import annotations

import importlib
import threading
from importlib.metadata import entry_points

from smmkit.catalog import register_platform_id
from smmkit.exceptions import InvalidInputError, MissingExtraError, UnknownPlatformError
from smmkit.models.extras import PostExtras, register_extras
from smmkit.platforms._adapter import PlatformAdapter
from smmkit.platforms._checks import require

__all__ = [
    "ENTRY_POINT_GROUP",
    "PlatformRegistry",
    "available_platforms",
    "get_platform",
    "register_platform",
]

ENTRY_POINT_GROUP = "smmkit.platforms"

# name -> (dotted path, extra that provides its dependencies)
_BUILTINS: dict[str, tuple[str, str | None]] = {
    "sandbox": ("smmkit.platforms.sandbox:SandboxAdapter", None),
    "sandbox_read_back": ("smmkit.platforms.sandbox:SandboxReadBackAdapter", None),
    "bluesky": ("smmkit.platforms.bluesky:BlueskyAdapter", None),
    "mastodon": ("smmkit.platforms.mastodon:MastodonAdapter", None),
    "wechat_oa": ("smmkit.platforms.wechat:WeChatOfficialAccountAdapter", None),
    "wecom": ("smmkit.platforms.wecom:WeComAdapter", None),
    # No publishing API: registered so that describe_platform can say so (ManualPublisher)
    "zhihu": ("smmkit.platforms.manual:ZhihuAdapter", None),
    "xiaohongshu": ("smmkit.platforms.manual:XiaohongshuAdapter", None),
    "wechat_channels": ("smmkit.platforms.manual:WeChatChannelsAdapter", None),
}


class PlatformRegistry:
    """A mapping of platform names to adapter classes or dotted paths.

    The module-level functions use one default registry; make your own for isolation
    (tests, or an application that wants a closed set).

    Example:
        >>> registry = PlatformRegistry(entry_point_group=None)
        >>> registry.register("echo", "smmkit.platforms.sandbox:SandboxAdapter")
        >>> registry.get("echo").__name__
        'SandboxAdapter'
    """

    def __init__(
        self,
        builtins: dict[str, tuple[str, str | None]] | None = None,
        *,
        entry_point_group: str | None = ENTRY_POINT_GROUP,
    ) -> None:
        if builtins is not None:
            require(builtins, "builtins", dict, "a dict of names to (path, extra) or None")
            for name, entry in builtins.items():
                ok = isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 2
                if (
                    not ok
                    or not isinstance(entry[0], str)
                    or not isinstance(entry[1], (str, type(None)))
                ):
                    raise InvalidInputError.single(
                        f"builtins.{name}", "must map a str to a (path, extra) pair", entry
                    )
        if entry_point_group is not None:
            require(entry_point_group, "entry_point_group", str, "a str or None")
        self._targets: dict[str, type[PlatformAdapter] | str] = {}
        self._extras: dict[str, str | None] = {}
        for name, (path, extra) in (builtins or {}).items():
            self._targets[name] = path
            self._extras[name] = extra
        self._group = entry_point_group
        self._loaded_entry_points = entry_point_group is None
        self._lock = threading.Lock()

    def _load_entry_points(self) -> None:
        with self._lock:
            if self._loaded_entry_points:
                return
            self._loaded_entry_points = True
            for ep in entry_points(group=self._group or ""):
                # Explicit registrations win over installed plugins of the same name.
                self._targets.setdefault(ep.name, ep.value)
                self._extras.setdefault(ep.name, None)

    def register(
        self,
        name: str,
        target: type[PlatformAdapter] | str,
        *,
        clobber: bool = False,
        extra: str | None = None,
    ) -> None:
        """Register ``target`` (a class or ``"package.module:Class"``) under ``name``.

        Refuses to replace an existing name unless ``clobber=True``. A class's
        ``extras_model`` becomes the extras model of its ``platform_id`` (for a dotted
        path: when it is first loaded).
        """
        require(name, "name", str, "a str")
        if extra is not None:
            require(extra, "extra", str, "a str or None")
        if not name or not name.replace("_", "").isalnum():
            raise InvalidInputError.single("name", "must be letters, digits and _", name)
        if isinstance(target, str):
            if ":" not in target and "." not in target:
                raise InvalidInputError.single("target", "must be 'module:Class'", target)
        elif not (isinstance(target, type) and issubclass(target, PlatformAdapter)):
            raise InvalidInputError.single(
                "target", "must be a PlatformAdapter subclass or a dotted path", target
            )
        self._load_entry_points()
        if name in self._targets and not clobber and self._targets[name] != target:
            raise InvalidInputError.single(
                "name", "is already registered (pass clobber=True to replace it)", name
            )
        if not isinstance(target, str):
            _declare_extras(target)
        register_platform_id(name)  # ids the catalog does not know become known ids
        self._targets[name] = target
        self._extras[name] = extra

    def get(self, name: str) -> type[PlatformAdapter]:
        """The adapter class for ``name``, importing it now if needed."""
        require(name, "name", str, "a platform name (str)")
        self._load_entry_points()
        try:
            target = self._targets[name]
        except KeyError:
            raise UnknownPlatformError(name, tuple(self._targets)) from None
        if not isinstance(target, str):
            return target
        if ":" in target:
            module_name, _, attribute = target.partition(":")
        else:
            module_name, _, attribute = target.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            extra = self._extras.get(name) or name
            raise MissingExtraError(exc.name or module_name, extra=extra) from exc
        except (ValueError, TypeError):  # an empty or relative module name
            raise InvalidInputError.single("target", "is not a module path", target) from None
        cls: object = module
        for part in attribute.split("."):
            cls = getattr(cls, part, None)
        if not (isinstance(cls, type) and issubclass(cls, PlatformAdapter)):
            raise InvalidInputError.single(
                "target", "does not name a PlatformAdapter subclass", target
            )
        _declare_extras(cls)
        self._targets[name] = cls
        return cls

    def extras_model(self, name: str) -> type[PostExtras]:
        """The extras model of the adapter registered as ``name`` (loading it if needed).

        Example:
            >>> from smmkit.platforms import PlatformRegistry
            >>> PlatformRegistry().extras_model("mastodon").__name__
            'MastodonExtras'
        """
        return self.get(name).extras_model

    def available(self) -> tuple[str, ...]:
        """Every registered name (built-in, registered and entry points), sorted."""
        self._load_entry_points()
        return tuple(sorted(self._targets))

    def __repr__(self) -> str:
        state = "loaded" if self._loaded_entry_points else "not yet read"
        return f"PlatformRegistry({len(self._targets)} names, entry points {state})"


def _declare_extras(cls: type[PlatformAdapter]) -> None:
    """Make a plugin's extras model the one its platform's posts validate against."""
    if cls.platform_id:
        register_platform_id(cls.platform_id)
    if cls.platform_id and cls.extras_model is not PostExtras:
        register_extras(cls.platform_id, cls.extras_model)


_default = PlatformRegistry(_BUILTINS)


def register_platform(
    name: str,
    cls_or_dotted_path: type[PlatformAdapter] | str,
    clobber: bool = False,
    *,
    extra: str | None = None,
) -> None:
    """Register an adapter under ``name`` in the default registry.

    Example:
        >>> from smmkit.platforms import register_platform, get_platform
        >>> register_platform("my_sandbox", "smmkit.platforms.sandbox:SandboxAdapter")
        >>> get_platform("my_sandbox").__name__
        'SandboxAdapter'
    """
    _default.register(name, cls_or_dotted_path, clobber=clobber, extra=extra)


def get_platform(name: str) -> type[PlatformAdapter]:
    """The adapter class registered as ``name`` (imported on first use).

    Raises :class:`~smmkit.exceptions.UnknownPlatformError` for an unknown name and
    :class:`~smmkit.exceptions.MissingExtraError` (naming the extra) when its module
    cannot be imported.

    Example:
        >>> from smmkit.platforms import Capability
        >>> Capability.PUBLISH_TEXT in get_platform("sandbox").capabilities
        True
    """
    return _default.get(name)


def available_platforms() -> tuple[str, ...]:
    """Names that :func:`get_platform` can resolve.

    Example:
        >>> "sandbox" in available_platforms()
        True
    """
    return _default.available()
