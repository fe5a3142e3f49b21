"""``describe_platform``: what a registered platform is, beyond its bare id.

:func:`~smmkit.platforms.available_platforms` lists names; a name alone does not say
whether smmkit can publish there. :func:`describe_platform` tells an API client from a
manual platform (no publishing API: :class:`~smmkit.platforms.ManualPublisher`) and from
a sandbox, with the adapter's capabilities, idempotency mode and the catalog's facts.
"""

from __future__ import annotations

from typing import Literal

from smmkit.catalog import get_platform_spec
from smmkit.exceptions import SmmkitError
from smmkit.models._base import SmmkitModel
from smmkit.platforms._adapter import Capability, IdempotencyMode, PlatformAdapter
from smmkit.platforms._checks import require
from smmkit.platforms._manual_adapter import MANUAL_STEPS, ManualAdapter
from smmkit.platforms._registry import PlatformRegistry, get_platform

__all__ = ["PlatformDescription", "PlatformKind", "describe_platform"]

PlatformKind = Literal["api_client", "manual", "sandbox"]
"""An adapter that calls the platform's API, a platform published by hand, a simulator."""

# Operations each capability enables, as the clients' method names.
_OPERATIONS: dict[Capability, tuple[str, ...]] = {
    Capability.PUBLISH_TEXT: ("publish",),
    Capability.PUBLISH_IMAGE: ("publish",),
    Capability.PUBLISH_VIDEO: ("publish",),
    Capability.DELETE: ("delete",),
    Capability.METRICS: ("metrics",),
    Capability.COMMENTS: ("comments",),
    Capability.REPLY: ("reply",),
    Capability.DIRECT_MESSAGE: ("send_message",),
    Capability.UPLOAD_MEDIA: ("upload_media",),
}


class PlatformDescription(SmmkitModel):
    """What :func:`describe_platform` says about one registered platform.

    ``id`` is the registry name, ``platform_id`` the catalog id the adapter publishes
    for; ``adapter`` its class as ``module:Class``. ``capabilities`` and ``operations``
    (the client methods those enable) are empty for a manual platform, whose
    ``manual_steps`` say what :class:`~smmkit.platforms.ManualPublisher` does instead.
    ``name``, ``name_zh``, ``api_access``, ``api_note`` and ``notes`` come from the
    catalog spec (``None`` or empty for a plugin platform the catalog does not know).

    Example:
        >>> describe_platform("zhihu").kind, describe_platform("mastodon").kind
        ('manual', 'api_client')
    """

    id: str
    platform_id: str
    kind: PlatformKind
    adapter: str
    capabilities: tuple[Capability, ...]
    operations: tuple[str, ...]
    idempotency: IdempotencyMode
    requires_token: bool
    name: str | None = None
    name_zh: str | None = None
    api_access: str | None = None
    api_note: str | None = None
    notes: tuple[str, ...] = ()
    manual_steps: tuple[str, ...] = ()


def _kind(cls: type[PlatformAdapter]) -> PlatformKind:
    if issubclass(cls, ManualAdapter):
        return "manual"
    from smmkit.platforms.sandbox import SandboxAdapter

    return "sandbox" if issubclass(cls, SandboxAdapter) else "api_client"


def describe_platform(
    name: str, *, registry: PlatformRegistry | None = None
) -> PlatformDescription:
    """Describe the platform registered as ``name`` (default registry unless given).

    Raises :class:`~smmkit.exceptions.UnknownPlatformError` for an unknown name, like
    :func:`~smmkit.platforms.get_platform`.

    Example:
        >>> d = describe_platform("xiaohongshu")
        >>> d.kind, d.capabilities, d.operations, d.requires_token
        ('manual', (), (), False)
        >>> d.manual_steps[0].split(":")[0]
        'render(post)'
        >>> w = describe_platform("wechat_oa")
        >>> w.kind, w.idempotency.value, "publish" in w.operations, w.name
        ('api_client', 'none', True, 'WeChat Official Account')
    """
    if registry is not None:
        require(registry, "registry", PlatformRegistry, "a PlatformRegistry or None")
        cls = registry.get(name)
    else:
        cls = get_platform(name)
    kind = _kind(cls)
    capabilities = tuple(sorted(cls.capabilities, key=lambda c: c.value))
    operations = tuple(dict.fromkeys(op for c in capabilities for op in _OPERATIONS.get(c, ())))
    platform_id = cls.platform_id or name
    facts: dict[str, object] = {}
    try:
        spec = get_platform_spec(platform_id)
    except SmmkitError:  # a plugin platform the catalog does not know
        spec = None
    if spec is not None:
        facts = {
            "name": spec.name_en,
            "name_zh": spec.name_zh,
            "api_access": spec.api_access.value,
            "api_note": spec.api_note,
            "notes": tuple(spec.notes),
        }
    return PlatformDescription(
        id=name,
        platform_id=platform_id,
        kind=kind,
        adapter=f"{cls.__module__}:{cls.__qualname__}",
        capabilities=capabilities,
        operations=operations,
        idempotency=cls.idempotency,
        requires_token=cls.requires_token,
        manual_steps=MANUAL_STEPS if kind == "manual" else (),
        **facts,
    )
