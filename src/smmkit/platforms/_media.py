"""Reading media for uploads: shared by every adapter that uploads files.

Adapters never fetch remote URLs themselves: fetching is the application's job (with
its own timeouts and trust rules). The default loader, :func:`read_local_media`, reads
``file://`` and ``data:`` URLs; pass ``media_loader=`` to an adapter for anything else.

Example:
    >>> from smmkit.models import MediaAsset
    >>> asset = MediaAsset(kind="image", url="data:image/png;base64,aGk=")
    >>> read_local_media(asset), media_type(asset), file_name(asset)
    (b'hi', 'image/png', 'upload.png')
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from smmkit.exceptions import InvalidInputError
from smmkit.models.content import MediaAsset, MediaKind
from smmkit.platforms._checks import require

__all__ = ["MediaLoader", "file_name", "media_type", "read_local_media"]

MediaLoader = Callable[[MediaAsset], bytes]
"""Returns the bytes of a media asset; the default reads ``file://`` and ``data:`` URLs."""


def media_loader_or_default(loader: object) -> MediaLoader:
    """``loader`` (a callable from MediaAsset to bytes), or :func:`read_local_media`."""
    if loader is None:
        return read_local_media
    if not callable(loader):
        raise InvalidInputError.single(
            "media_loader",
            "must be a callable (MediaAsset -> bytes) or None",
            type(loader).__name__,
        )
    return loader


def read_local_media(asset: MediaAsset) -> bytes:
    """The bytes of ``asset`` from a ``file://`` or ``data:`` URL (the default loader).

    Remote URLs are refused: fetching them is the application's job (with its own
    timeouts and trust rules), not the publishing client's.

    Example:
        >>> read_local_media(MediaAsset(kind="image", url="data:image/png;base64,aGk="))
        b'hi'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    url = asset.url
    if url.startswith("data:"):
        header, _, payload = url.partition(",")
        if header.endswith(";base64"):
            try:
                return base64.b64decode(unquote(payload), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise InvalidInputError.single("media.url", "is not valid base64", url) from exc
        return unquote(payload).encode("utf-8")
    parts = urlsplit(url)
    if parts.scheme == "file":
        try:
            return Path(unquote(parts.path)).read_bytes()
        except OSError as exc:
            raise InvalidInputError.single(
                "media.url", f"cannot read: {exc.strerror}", url
            ) from exc
    raise InvalidInputError.single(
        "media.url", "only file:// and data: URLs are uploaded (pass media_loader=)", url
    )


def media_type(asset: MediaAsset) -> str:
    """The MIME type of ``asset``: declared, else guessed from the URL, else by kind.

    Example:
        >>> media_type(MediaAsset(kind="image", url="file:///a/cover.jpg"))
        'image/jpeg'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    if asset.mime_type:
        return asset.mime_type
    if asset.url.startswith("data:"):
        declared = asset.url[5:].split(",", 1)[0].split(";", 1)[0]
        if declared:
            return declared
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
        >>> file_name(MediaAsset(kind="image", url="file:///x/brew.png"))
        'brew.png'
    """
    require(asset, "asset", MediaAsset, "a MediaAsset")
    name = Path(urlsplit(asset.url).path).name if not asset.url.startswith("data:") else ""
    if name:
        return name
    extension = mimetypes.guess_extension(media_type(asset)) or ".bin"
    return f"upload{extension}"
