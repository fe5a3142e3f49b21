"""Getting the bytes of media for uploads: shared by every adapter that uploads files.

Safe by default: a :class:`~smmkit.models.MediaAsset` URL is always ``http(s)`` (the
model refuses ``file:``, ``data:`` and bare paths), and an adapter without a
``media_loader=`` has the *driver* download it through the client's own ``httpx``
client (its transport, proxies, TLS settings and timeouts), without the platform's
token, at most :data:`DEFAULT_MAX_MEDIA_BYTES` (or the platform's smaller limit for
that kind), following at most the client's ``max_redirects`` and only to ``http(s)``,
never to this machine or a private address given literally (:func:`internal_host`).
Nothing reads a local file unless the caller opts in with a loader:

* ``LocalMediaLoader`` reads files inside one base directory (``..`` and symlinks that
  lead out of it are refused) and ``InMemoryMediaLoader`` serves bytes the application
  already holds (both in ``_media_loaders``);
* any callable ``MediaAsset -> bytes`` (:data:`MediaLoader`).

Example:
    >>> from smmkit.models import MediaAsset
    >>> from smmkit.platforms import InMemoryMediaLoader
    >>> asset = MediaAsset(kind="image", url="https://cdn.example.com/cover.png")
    >>> loader = InMemoryMediaLoader({asset.url: b"\\x89PNG"})
    >>> loader(asset), media_type(asset), file_name(asset)
    (b'\\x89PNG', 'image/png', 'cover.png')
"""

from __future__ import annotations

import ipaddress
import mimetypes
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from smmkit.exceptions import (
    FieldProblem,
    InvalidInputError,
    MediaFetchError,
    MediaSourceError,
    MediaTooLargeError,
    SmmkitError,
)
from smmkit.models._media_url import OPT_IN, SCHEMES, media_url_problem
from smmkit.models.content import MediaAsset, MediaKind
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import Flow
from smmkit.platforms._checks import require
from smmkit.platforms._http import redact_url

__all__ = [
    "DEFAULT_MAX_MEDIA_BYTES",
    "MediaLoader",
    "file_name",
    "load_media",
    "media_type",
    "read_local_media",
]

MediaLoader = Callable[[MediaAsset], bytes]
"""Returns the bytes of a media asset: the caller's explicit choice of where media come from."""

DEFAULT_MAX_MEDIA_BYTES = 200 * 1024 * 1024
"""The most bytes a media download or :class:`LocalMediaLoader` reads (200 MiB)."""

_BAD_REDIRECT = f"redirects to a non-http(s) or invalid URL; {OPT_IN}"
MEDIA_FETCH = "smmkit.media_fetch"  # request extension: a media download, value = max bytes
_CHUNK = 64 * 1024


# -- the flow side: what adapters call ------------------------------------------------------


def media_loader_or_default(loader: object) -> MediaLoader | None:
    """``loader`` (a callable ``MediaAsset -> bytes``) or ``None``: the driver downloads."""
    if loader is None:
        return None
    if not callable(loader):
        raise InvalidInputError.single(
            "media_loader",
            "must be a callable (MediaAsset -> bytes) or None",
            type(loader).__name__,
        )
    return loader


def media_cap(spec: Platform | None, kind: MediaKind) -> int:
    """The most bytes read for a ``kind`` asset: the platform's limit, else the default.

    Example:
        >>> from smmkit.catalog import get_platform_spec
        >>> media_cap(get_platform_spec("bluesky"), MediaKind.IMAGE)
        2000000
        >>> media_cap(None, MediaKind.VIDEO) == DEFAULT_MAX_MEDIA_BYTES
        True
    """
    limit = None
    if spec is not None:
        limit = {
            MediaKind.IMAGE: spec.media.image_max_bytes,
            MediaKind.GIF: spec.media.gif_max_bytes or spec.media.image_max_bytes,
            MediaKind.VIDEO: spec.media.video_max_bytes,
        }.get(kind)
    if limit is None:
        return DEFAULT_MAX_MEDIA_BYTES
    return max(1, min(int(limit.value), DEFAULT_MAX_MEDIA_BYTES))


def load_media(
    asset: MediaAsset, loader: MediaLoader | None, *, spec: Platform | None = None
) -> Flow[bytes]:
    """The bytes of ``asset``: from the caller's ``loader``, else downloaded by the driver.

    The download is a ``GET`` the driver recognises (it carries no token and goes
    through the client's ``httpx`` client, bounded); a flow stepped by hand or by
    :func:`smmkit.testing.run_flow` sees it as a plain request and may answer it.

    Example:
        >>> asset = MediaAsset(kind="image", url="https://cdn.example.com/a.png")
        >>> flow = load_media(asset, None)
        >>> request = next(flow)
        >>> request.method, str(request.url), "authorization" in request.headers
        ('GET', 'https://cdn.example.com/a.png', False)
        >>> try:
        ...     flow.send(httpx.Response(200, content=b"png", request=request))
        ... except StopIteration as done:
        ...     print(done.value)
        b'png'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    if spec is not None:
        require(spec, "spec", Platform, "a Platform spec or None")
    loader = media_loader_or_default(loader)
    if loader is not None:
        data = loader(asset)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidInputError.single("media_loader", "must return bytes", type(data).__name__)
        return bytes(data)
    max_bytes = media_cap(spec, asset.kind)
    response = yield media_request(asset.url, max_bytes)
    return media_bytes(response, max_bytes)


def media_request(url: str, max_bytes: int) -> httpx.Request:
    """The ``GET`` of a media download, marked for the driver (refuses non-http(s) URLs)."""
    _require_remote(url, "media.url")
    return httpx.Request(
        "GET",
        url,
        headers={"Accept": "*/*", "Accept-Encoding": "identity"},
        extensions={MEDIA_FETCH: max_bytes},
    )


def media_bytes(response: httpx.Response, max_bytes: int) -> bytes:
    """The body of a media download's answer, checked (status, size)."""
    if not 200 <= response.status_code < 300:
        raise MediaFetchError(
            f"media download answered HTTP {response.status_code}",
            status=response.status_code,
            method="GET",
            url=_request_url(response),
            outcome_unknown=False,
            retries_exhausted=True,
        )
    data = response.content
    if len(data) > max_bytes:
        raise too_large("media.url", max_bytes, len(data))
    return data


def _request_url(response: httpx.Response) -> str | None:
    try:
        return _shown(response.request.url)
    except RuntimeError:  # a response built without its request
        return None


def _require_remote(url: str, field: str) -> None:
    problem = media_url_problem(url)
    if problem is not None:
        if OPT_IN not in problem:
            problem = f"{problem}; {OPT_IN}"
        raise MediaSourceError.single(field, problem, url)


def too_large(field: str, max_bytes: int, size: int | None) -> MediaTooLargeError:
    """The error for more than ``max_bytes`` (``size`` when known) read from ``field``."""
    got = "more" if size is None else f"{size} bytes"
    return MediaTooLargeError(
        [FieldProblem(field, f"is larger than the {max_bytes}-byte bound", got)]
    )


def _shown(url: httpx.URL | str) -> str:
    try:
        return redact_url(url)
    except InvalidInputError:
        return "(unparsable URL)"


# -- the driver side: downloading a marked request --------------------------------------


def is_media_fetch(item: object) -> bool:
    """Whether a flow yielded a media download (the driver sends it without the token)."""
    return isinstance(item, httpx.Request) and MEDIA_FETCH in item.extensions


def _next_hop(request: httpx.Request, response: httpx.Response) -> httpx.Request | None:
    """The request a redirect leads to, ``None`` for a final answer; refuses other schemes."""
    if not response.is_redirect:
        return None
    try:
        target = request.url.join(response.headers["location"])
    except (httpx.InvalidURL, ValueError):
        raise MediaSourceError.single("media.url", _BAD_REDIRECT) from None
    if target.scheme not in SCHEMES:
        raise MediaSourceError.single(
            "media.url", f"redirects to a non-http(s) URL; {OPT_IN}", f"scheme {target.scheme!r}"
        )
    return httpx.Request(
        "GET", target, headers=request.headers, extensions=dict(request.extensions)
    )


def _wanted(response: httpx.Response, max_bytes: int) -> bool:
    """Whether to read the final answer's body: not an error's (it is not kept); a
    success whose declared length is over ``max_bytes`` is refused before reading."""
    if not response.is_success:
        return False
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large("media.url", max_bytes, int(declared))
    return True


def _take(content: bytearray, chunk: bytes, max_bytes: int) -> None:
    """Append ``chunk``; refuse the download once it passes ``max_bytes``."""
    content += chunk
    if len(content) > max_bytes:
        raise too_large("media.url", max_bytes, None)


def _final(response: httpx.Response, content: bytes) -> httpx.Response:
    headers = {"content-type": response.headers.get("content-type", "application/octet-stream")}
    return httpx.Response(
        response.status_code, headers=headers, content=content, request=response.request
    )


def _send_failed(
    exc: httpx.HTTPError | httpx.InvalidURL, request: httpx.Request, platform: str | None
) -> SmmkitError:
    """The error of a send that raised (httpx parses a redirect's Location even when it
    does not follow it: an unparsable one is :data:`_BAD_REDIRECT`)."""
    if isinstance(exc, httpx.InvalidURL):
        return MediaSourceError.single("media.url", _BAD_REDIRECT)
    return _failed(exc, request, platform)


def _failed(exc: httpx.HTTPError, request: httpx.Request, platform: str | None) -> MediaFetchError:
    return MediaFetchError(
        f"media download failed: {type(exc).__name__}",
        platform=platform,
        method="GET",
        url=_shown(request.url),
        outcome_unknown=False,
        retries_exhausted=True,
    )


def internal_host(host: str) -> bool:
    """Whether ``host`` names this machine or a private, link-local or reserved address.

    Literal addresses only, in every spelling a resolver accepts (``2130706433`` and
    ``0x7f.1`` are ``127.0.0.1``); a name that *resolves* to one is not detected.

    Example:
        >>> [internal_host(h) for h in ("169.254.169.254", "localhost", "0x7f.1", "cdn.example")]
        [True, True, True, False]
    """
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            name.split("%")[0]
        )
    except ValueError:
        try:  # the shorthand IPv4 forms inet_aton (and so getaddrinfo) accepts
            address = ipaddress.IPv4Address(socket.inet_aton(name))
        except (OSError, ValueError):
            return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _prepared(http: httpx.Client | httpx.AsyncClient, request: httpx.Request) -> httpx.Request:
    _require_remote(str(request.url), "media.url")
    if internal_host(request.url.host):
        raise MediaSourceError.single(
            "media.url",
            "names this machine or a private address, which the default loader does not"
            " download (it would upload internal data); pass media_loader= to load it",
            request.url.host,
        )
    request.extensions.setdefault("timeout", http.timeout.as_dict())
    return request


def fetch_media(
    http: httpx.Client, request: httpx.Request, *, platform: str | None = None
) -> httpx.Response:
    """Download a marked media request through ``http``: no auth, bounded, http(s) only.

    Example:
        >>> transport = httpx.MockTransport(lambda r: httpx.Response(200, content=b"hi"))
        >>> with httpx.Client(transport=transport) as http:
        ...     fetch_media(http, media_request("https://cdn.example.com/a", 10)).content
        b'hi'
    """
    max_bytes = int(request.extensions[MEDIA_FETCH])
    current: httpx.Request | None = request
    for _ in range(http.max_redirects + 1):
        assert current is not None
        current = _prepared(http, current)
        failed: SmmkitError | None = None
        try:
            response = http.send(current, stream=True, follow_redirects=False, auth=None)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failed = _send_failed(exc, current, platform)
        if failed is not None:
            raise failed  # outside the handler: the httpx error stays out of the chain
        try:
            hop = _next_hop(current, response)
            if hop is None:
                content = bytearray()
                if _wanted(response, max_bytes):
                    for chunk in response.iter_bytes(_CHUNK):
                        _take(content, chunk, max_bytes)
                return _final(response, bytes(content))
        except httpx.HTTPError as exc:
            failed = _failed(exc, current, platform)
        finally:
            response.close()
        if failed is not None:
            raise failed
        current = hop
    raise MediaSourceError.single("media.url", f"redirects more than {http.max_redirects} times")


async def afetch_media(
    http: httpx.AsyncClient, request: httpx.Request, *, platform: str | None = None
) -> httpx.Response:
    """Async twin of :func:`fetch_media`."""
    max_bytes = int(request.extensions[MEDIA_FETCH])
    current: httpx.Request | None = request
    for _ in range(http.max_redirects + 1):
        assert current is not None
        current = _prepared(http, current)
        failed: SmmkitError | None = None
        try:
            response = await http.send(current, stream=True, follow_redirects=False, auth=None)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failed = _send_failed(exc, current, platform)
        if failed is not None:
            raise failed
        try:
            hop = _next_hop(current, response)
            if hop is None:
                content = bytearray()
                if _wanted(response, max_bytes):
                    async for chunk in response.aiter_bytes(_CHUNK):
                        _take(content, chunk, max_bytes)
                return _final(response, bytes(content))
        except httpx.HTTPError as exc:
            failed = _failed(exc, current, platform)
        finally:
            await response.aclose()
        if failed is not None:
            raise failed
        current = hop
    raise MediaSourceError.single("media.url", f"redirects more than {http.max_redirects} times")


def answer_media_fetch(
    flow: Flow[Any], http: httpx.Client, request: httpx.Request, *, platform: str
) -> Any:
    """Download ``request`` and send the answer into ``flow`` (or throw the typed error)."""
    failed: SmmkitError | None = None
    try:
        response = fetch_media(http, request, platform=platform)
    except SmmkitError as exc:
        failed = exc
    if failed is not None:
        return flow.throw(failed)
    return flow.send(response)


async def aanswer_media_fetch(
    flow: Flow[Any], http: httpx.AsyncClient, request: httpx.Request, *, platform: str
) -> Any:
    """Async twin of :func:`answer_media_fetch`."""
    failed: SmmkitError | None = None
    try:
        response = await afetch_media(http, request, platform=platform)
    except SmmkitError as exc:
        failed = exc
    if failed is not None:
        return flow.throw(failed)
    return flow.send(response)


# -- the old default and helpers for uploads ------------------------------------------------


def read_local_media(asset: MediaAsset) -> bytes:
    """Kept for compatibility; reads nothing and says how to opt in.

    It was the default loader and read ``file://`` and ``data:`` URLs, which let content
    from JSON upload any local file. Media URLs are now ``http(s)``, downloaded by the
    client's driver; local files need an explicit :class:`LocalMediaLoader`.

    Example:
        >>> try:
        ...     read_local_media(MediaAsset(kind="image", url="https://cdn.example.com/a.png"))
        ... except MediaSourceError as exc:
        ...     print(exc.fields)
        ('media.url',)
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    raise MediaSourceError.single(
        "media.url",
        "is not read by read_local_media any more: without a loader the client downloads "
        f"http(s) media itself; {OPT_IN}",
        asset.url,
    )


def media_type(asset: MediaAsset) -> str:
    """The MIME type of ``asset``: declared, else guessed from the URL, else by kind.

    Example:
        >>> media_type(MediaAsset(kind="image", url="https://cdn.example.com/a/cover.jpg"))
        'image/jpeg'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    if asset.mime_type:
        return asset.mime_type
    guessed, _ = mimetypes.guess_type(urlsplit(asset.url).path)
    if guessed:
        return guessed
    return {
        MediaKind.IMAGE: "image/jpeg",
        MediaKind.GIF: "image/gif",
        MediaKind.VIDEO: "video/mp4",
        MediaKind.AUDIO: "audio/mpeg",
    }.get(asset.kind, "application/octet-stream")


def file_name(asset: MediaAsset) -> str:
    """A file name for a multipart upload of ``asset``.

    Example:
        >>> file_name(MediaAsset(kind="image", url="https://cdn.example.com/x/brew.png"))
        'brew.png'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    name = Path(urlsplit(asset.url).path).name
    if name:
        return name
    extension = mimetypes.guess_extension(media_type(asset)) or ".bin"
    return f"upload{extension}"
