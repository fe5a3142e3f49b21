"""The one rule for a media URL: absolute ``http(s)`` with a host.

A media URL in a model is only ever *fetched over HTTP(S)* or *passed through* to a
platform that pulls media itself. It never names a local file (``file:``, a bare path)
or carries the bytes inline (``data:``): content loaded from JSON could otherwise make a
client read ``/etc/passwd`` and upload it. Local files are read only through a loader
the caller passes explicitly (``smmkit.platforms.LocalMediaLoader``).

Example:
    >>> media_url_problem("https://cdn.example.com/brew.mp4") is None
    True
    >>> media_url_problem("file:///etc/passwd").split(";")[0]
    "must be an absolute http(s) URL, not scheme 'file'"
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["OPT_IN", "check_media_url", "media_url_problem"]

SCHEMES = ("http", "https")

OPT_IN = (
    "to upload local files pass an explicit loader, e.g. "
    "media_loader=LocalMediaLoader(base_dir=...) from smmkit.platforms"
)
"""How to opt in to local files: said by every refusal of a non-http(s) media source."""


def media_url_problem(url: object) -> str | None:
    """What is wrong with ``url`` as a media URL, or ``None`` when it is fine.

    Example:
        >>> media_url_problem("https://user:pw@cdn.example.com/a.png")
        'must not carry credentials (user:password@host)'
    """
    if not isinstance(url, str):
        return "must be a string"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return "must not contain whitespace or control characters"
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        has_credentials = parts.username is not None or parts.password is not None
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return "is not a valid URL"
    if scheme not in SCHEMES:
        what = f"scheme {scheme!r}" if scheme else "a relative URL or a bare path"
        return f"must be an absolute http(s) URL, not {what}; {OPT_IN}"
    if not host:
        return "must name a host (http(s)://host/...)"
    if has_credentials:
        return "must not carry credentials (user:password@host)"
    return None


def check_media_url(url: str) -> str:
    """``url`` unchanged when it is an absolute http(s) URL with a host, else ``ValueError``.

    Example:
        >>> check_media_url("https://cdn.example.com/a.png")
        'https://cdn.example.com/a.png'
    """
    problem = media_url_problem(url)
    if problem is not None:
        raise ValueError(problem)
    return url
