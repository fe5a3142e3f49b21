"""The explicit opt-in loaders: local files inside one directory, bytes held in memory.

A :class:`~smmkit.models.MediaAsset` URL is always ``http(s)`` and the default loader
only downloads it; these are what a caller passes as ``media_loader=`` to read media
from somewhere else (see :mod:`smmkit.platforms._media`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from smmkit.exceptions import InvalidInputError, MediaSourceError
from smmkit.models._media_url import media_url_problem
from smmkit.models.content import MediaAsset
from smmkit.platforms._checks import require
from smmkit.platforms._media import DEFAULT_MAX_MEDIA_BYTES, too_large

__all__ = ["InMemoryMediaLoader", "LocalMediaLoader"]


class LocalMediaLoader:
    """Reads media from files inside ``base_dir``: the explicit opt-in to local files.

    An asset's URL names its file: the part after ``url_prefix`` (when given, URLs
    must start with it), else the URL's path, relative to ``base_dir``. A path that
    leads out of ``base_dir`` (``..``, an absolute path, a symlink pointing outside,
    percent-encoded or not) raises :class:`MediaSourceError`; only regular files are
    read, at most ``max_bytes`` (:class:`MediaTooLargeError` beyond).

    Example:
        >>> import tempfile, pathlib
        >>> base = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (base / "cover.png").write_bytes(b"\\x89PNG")
        >>> loader = LocalMediaLoader(base, url_prefix="https://cdn.example.com/media/")
        >>> loader(MediaAsset(kind="image", url="https://cdn.example.com/media/cover.png"))
        b'\\x89PNG'
        >>> try:
        ...     loader.read("../etc/passwd")
        ... except MediaSourceError as exc:
        ...     print(exc.fields)
        ('path',)
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str],
        *,
        url_prefix: str | None = None,
        max_bytes: int = DEFAULT_MAX_MEDIA_BYTES,
    ) -> None:
        require(base_dir, "base_dir", (str, os.PathLike), "a path (str or os.PathLike)")
        require(max_bytes, "max_bytes", int, "an int")
        if max_bytes <= 0:
            raise InvalidInputError.single("max_bytes", "must be > 0", max_bytes)
        if not os.fspath(base_dir).strip():  # "" would quietly mean the working directory
            raise InvalidInputError.single("base_dir", "must name a directory, not be blank")
        try:
            base = Path(base_dir).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise InvalidInputError.single("base_dir", "must be an existing directory") from None
        if not base.is_dir():
            raise InvalidInputError.single("base_dir", "must be an existing directory")
        if url_prefix is not None:
            require(url_prefix, "url_prefix", str, "a str or None")
            problem = media_url_problem(url_prefix)
            if problem is not None:
                raise InvalidInputError.single("url_prefix", problem.split(";")[0], url_prefix)
            url_prefix = url_prefix if url_prefix.endswith("/") else url_prefix + "/"
        self.base_dir = base
        self.url_prefix = url_prefix
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return (
            f"LocalMediaLoader(base_dir={str(self.base_dir)!r}, url_prefix={self.url_prefix!r},"
            f" max_bytes={self.max_bytes})"
        )

    def __call__(self, asset: MediaAsset) -> bytes:
        """The bytes of the file ``asset``'s URL names inside ``base_dir``."""
        require(asset, "asset", MediaAsset, "a MediaAsset")
        return self._read(self.relative_path(asset.url), "media.url")

    def relative_path(self, url: str) -> str:
        """The path (relative to ``base_dir``, not yet checked) that ``url`` names.

        Example:
            >>> import tempfile
            >>> LocalMediaLoader(tempfile.gettempdir()).relative_path("https://h/a/b%20c.png")
            'a/b c.png'
        """
        require(url, "url", str, "a str")
        rest = url
        if self.url_prefix is not None:
            if not url.startswith(self.url_prefix):
                raise MediaSourceError.single(
                    "media.url", f"is not under url_prefix {self.url_prefix!r}", url
                )
            rest = "/" + url[len(self.url_prefix) :]
        # Strip the URL's own leading slash before decoding: an encoded one (%2F) stays
        # and makes the path absolute, which is refused.
        return unquote(urlsplit(rest).path.lstrip("/"))

    def read(self, path: str | os.PathLike[str]) -> bytes:
        """The bytes of ``path`` (relative to ``base_dir``); refuses anything outside it."""
        require(path, "path", (str, os.PathLike), "a path (str or os.PathLike)")
        return self._read(path, "path")

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """``path`` resolved (symlinks, ``..``) inside ``base_dir``, else MediaSourceError."""
        require(path, "path", (str, os.PathLike), "a path (str or os.PathLike)")
        return self._resolve(path, "path")

    def _resolve(self, path: str | os.PathLike[str], field: str) -> Path:
        text = os.fspath(path)
        if not text or "\x00" in text:
            raise MediaSourceError.single(field, "must be a non-empty path without NUL", text)
        relative = Path(text)
        if relative.is_absolute() or relative.anchor:
            raise MediaSourceError.single(field, "must be relative to base_dir", text)
        try:
            resolved = (self.base_dir / relative).resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop
            raise MediaSourceError.single(field, "cannot be resolved", text) from None
        if resolved != self.base_dir and not resolved.is_relative_to(self.base_dir):
            raise MediaSourceError.single(field, "leads outside base_dir", text)
        return resolved

    def _read(self, path: str | os.PathLike[str], field: str) -> bytes:
        resolved = self._resolve(path, field)
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        flags |= getattr(os, "O_BINARY", 0)
        problem: str | None = None
        try:
            fd = os.open(resolved, flags)
        except OSError as exc:
            problem = f"cannot be read: {exc.strerror or type(exc).__name__}"
        if problem is not None:
            raise MediaSourceError.single(field, problem, os.fspath(path))
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise MediaSourceError.single(field, "is not a regular file", os.fspath(path))
        with os.fdopen(fd, "rb") as handle:
            if info.st_size > self.max_bytes:
                raise too_large(field, self.max_bytes, info.st_size)
            data = handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise too_large(field, self.max_bytes, None)
        return data


class InMemoryMediaLoader:
    """Serves media bytes the application already holds, by URL: an explicit opt-in.

    Example:
        >>> loader = InMemoryMediaLoader({"https://cdn.example.com/a.png": b"png"})
        >>> loader(MediaAsset(kind="image", url="https://cdn.example.com/a.png"))
        b'png'
    """

    def __init__(self, media: Mapping[str, bytes]) -> None:
        require(media, "media", Mapping, "a mapping of URL to bytes")
        for url, data in media.items():
            require(url, "media", str, "a mapping of URL (str) to bytes")
            require(data, f"media[{url!r}]", bytes, "bytes")
        self._media = dict(media)

    def __repr__(self) -> str:
        return f"InMemoryMediaLoader({len(self._media)} items)"

    def __call__(self, asset: MediaAsset) -> bytes:
        """The bytes held for ``asset.url``; a URL not held is a MediaSourceError."""
        require(asset, "asset", MediaAsset, "a MediaAsset")
        try:
            return self._media[asset.url]
        except KeyError:
            raise MediaSourceError.single(
                "media.url", "is not held by this InMemoryMediaLoader", asset.url
            ) from None
