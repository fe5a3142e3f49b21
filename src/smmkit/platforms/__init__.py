"""Platform clients: the only package in smmkit that talks to the network.

Adapters describe platform operations as generators (no I/O); :class:`Client` and
:class:`AsyncClient` drive them through an injected ``httpx`` client with one
:class:`RetryPolicy`, token-bucket pacing (:class:`RateLimiter`) and a
:class:`TokenStore`. :class:`SandboxPlatform` is an offline platform served as an
httpx transport; :class:`ManualPublisher` covers platforms without a publishing API;
:func:`dispatch_due` and :func:`adispatch_due` publish what a content calendar says is due.

Example:
    >>> from smmkit.platforms import SandboxPlatform, SimulatedClock
    >>> sandbox = SandboxPlatform(clock=SimulatedClock())
    >>> with sandbox.client() as client:
    ...     client.publish(sandbox.sample_post("Hello from smmkit")).ok
    True
"""

import typing as _typing

from smmkit import _public
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    PlatformAdapter,
    Wait,
    is_safe,
    received_at,
)
from smmkit.platforms._auth import (
    Credentials,
    FileTokenStore,
    InMemoryTokenStore,
    Token,
    TokenStore,
)
from smmkit.platforms._client import AsyncClient, Client
from smmkit.platforms._clock import Clock, SimulatedClock, SystemClock
from smmkit.platforms._describe import PlatformDescription, describe_platform
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._http import describe_request, parse_retry_after, redact_url
from smmkit.platforms._listening import InboxSync, WalkCursor, inbox_source, walk_page
from smmkit.platforms._media import (
    DEFAULT_MAX_MEDIA_BYTES,
    MediaLoader,
    file_name,
    load_media,
    media_type,
    read_local_media,
)
from smmkit.platforms._media_loaders import InMemoryMediaLoader, LocalMediaLoader
from smmkit.platforms._ratelimit import BucketKey, RateLimiter, RequestRate
from smmkit.platforms._registry import (
    ENTRY_POINT_GROUP,
    PlatformRegistry,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    MessageReceipt,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._retry import RetryBudget, RetryPolicy
from smmkit.platforms.manual import (
    CsvMapping,
    ManualPackage,
    ManualPublisher,
    MetricImport,
    RowError,
)
from smmkit.platforms.publish import (
    AsyncPublisher,
    BatchResult,
    ErrorReport,
    Publisher,
    PublishResult,
    idempotency_key_for,
    limit_problems,
    publish_flow,
)
from smmkit.platforms.sandbox import (
    FaultKind,
    FaultPlan,
    SandboxAdapter,
    SandboxPlatform,
    SandboxReadBackAdapter,
    Storm,
)
from smmkit.platforms.schedule import (
    DispatchedEntry,
    DispatchReport,
    FailedEntry,
    SkippedEntry,
    SkipReason,
    adispatch_due,
    dispatch_due,
    entry_idempotency_key,
)

__all__ = [
    "AsyncClient",
    "AsyncPublisher",
    "BatchResult",
    "BucketKey",
    "Capability",
    "Client",
    "Clock",
    "Comment",
    "Credentials",
    "CsvMapping",
    "DEFAULT_MAX_MEDIA_BYTES",
    "DispatchReport",
    "DispatchedEntry",
    "ENTRY_POINT_GROUP",
    "ErrorInfo",
    "ErrorReport",
    "FailedEntry",
    "FaultKind",
    "FaultPlan",
    "FileTokenStore",
    "Flow",
    "IdempotencyMode",
    "InMemoryMediaLoader",
    "InMemoryTokenStore",
    "InboxSync",
    "LocalMediaLoader",
    "ManualPackage",
    "ManualPublisher",
    "MediaHandle",
    "MediaLoader",
    "MediaState",
    "MessageReceipt",
    "MetricImport",
    "Now",
    "PlatformAdapter",
    "PlatformDescription",
    "PlatformRegistry",
    "PublishReceipt",
    "PublishResult",
    "PublishStatus",
    "Publisher",
    "RateLimiter",
    "RequestRate",
    "RetryBudget",
    "RetryPolicy",
    "RowError",
    "SandboxAdapter",
    "SandboxPlatform",
    "SandboxReadBackAdapter",
    "SimulatedClock",
    "SkipReason",
    "SkippedEntry",
    "Storm",
    "SystemClock",
    "Token",
    "TokenStore",
    "Wait",
    "WalkCursor",
    "adispatch_due",
    "available_platforms",
    "describe_platform",
    "describe_request",
    "dispatch_due",
    "entry_idempotency_key",
    "file_name",
    "get_platform",
    "idempotency_key_for",
    "inbox_source",
    "is_safe",
    "limit_problems",
    "load_media",
    "media_type",
    "parse_retry_after",
    "publish_flow",
    "read_local_media",
    "received_at",
    "redact_url",
    "register_platform",
    "walk_page",
]

_public.set_public_module(globals(), __all__, __name__)

if _typing.TYPE_CHECKING:  # the old name keeps type-checking until it goes
    Rate = RequestRate
else:  # reading it warns
    __getattr__ = _public.deprecated_aliases(
        __name__, globals(), {"Rate": "RequestRate"}, removal="0.2"
    )
