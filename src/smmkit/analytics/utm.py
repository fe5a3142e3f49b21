"""UTM tagging of landing-page links, one tag set per platform.

The playbook's platform attribution starts here: every link a platform post carries gets
``utm_source`` / ``utm_medium`` / ``utm_campaign`` (and optionally ``utm_term`` and
``utm_content``), so the web analytics tool can say which platform brought the lead.

Three rules keep links safe to tag:

* the rest of the URL survives byte for byte: existing query parameters keep their order
  and encoding, the fragment stays after the query;
* values are percent-encoded as UTF-8 (a Chinese campaign name becomes ``%E6%98%A5...``)
  and international host names become punycode through the stdlib ``idna`` codec;
* an existing ``utm_`` tag is never overwritten silently: ``on_existing`` says whether
  to keep it, replace it, or raise.

This module is pure string work: no network, no clock.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from smmkit.exceptions import InvalidInputError
from smmkit.models._base import SmmkitModel

__all__ = ["UTM_KEYS", "UtmParams", "build_utm_url", "parse_utm"]

UTM_KEYS: tuple[str, ...] = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)
"""The five standard UTM parameters, in the order :func:`build_utm_url` writes them."""

OnExisting = Literal["keep", "replace", "error"]

# RFC 3986 path characters that must stay as they are; "%" keeps existing escapes intact.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


class UtmParams(SmmkitModel):
    """The UTM tags found in a URL (``None`` where a tag is absent).

    ``extra`` holds other ``utm_*`` parameters (``utm_id``, ``utm_source_platform``...);
    ``conflicts`` names the keys that occur more than once with different values (the
    first value is the one reported, as most analytics tools do).

    Example:
        >>> UtmParams(source="zhihu", medium="social", campaign="tea").is_tagged
        True
    """

    source: str | None = None
    medium: str | None = None
    campaign: str | None = None
    term: str | None = None
    content: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    conflicts: tuple[str, ...] = ()

    @property
    def is_tagged(self) -> bool:
        """True when any of the five standard tags is present.

        Example:
            >>> UtmParams().is_tagged
            False
        """
        tags = (self.source, self.medium, self.campaign, self.term, self.content)
        return any(v is not None for v in tags)


def _require_text(field: str, value: str | None, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise InvalidInputError.single(field, "is required")
        return None
    if not isinstance(value, str):
        raise InvalidInputError.single(field, "must be a string", value)
    if not value.strip():
        raise InvalidInputError.single(field, "must not be blank", value)
    return value


def _ascii_host(host: str) -> str:
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidInputError.single("url", f"host is not a valid IDN ({exc})", host) from None


def _split_absolute(url: str) -> tuple[str, str, str, str, str]:
    if not isinstance(url, str):
        raise InvalidInputError.single("url", "must be a string", url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # validates the port, raising ValueError when it is not a number
    except ValueError as exc:
        raise InvalidInputError.single("url", f"is not a valid URL ({exc})", url) from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise InvalidInputError.single("url", "must be an absolute http(s) URL", url)
    netloc = parts.netloc
    # Rebuild the netloc only when the host needs punycode, so ASCII URLs stay untouched.
    if not parts.hostname.isascii():
        userinfo, _, _ = netloc.rpartition("@")
        host = _ascii_host(parts.hostname)
        netloc = (userinfo + "@" if userinfo else "") + host
        if port is not None:
            netloc += f":{port}"
    path = parts.path if parts.path.isascii() else quote(parts.path, safe=_PATH_SAFE)
    return parts.scheme, netloc, path, parts.query, parts.fragment


def _key_of(pair: str) -> str:
    name = pair.split("=", 1)[0]
    decoded = parse_qsl(name + "=", keep_blank_values=True)
    return decoded[0][0].lower() if decoded else name.lower()


def build_utm_url(
    url: str,
    *,
    source: str,
    medium: str,
    campaign: str,
    term: str | None = None,
    content: str | None = None,
    on_existing: OnExisting = "keep",
) -> str:
    """Return ``url`` with UTM tags added, leaving everything else as it was.

    ``on_existing`` decides what happens when ``url`` already carries a ``utm_`` tag:

    * ``"keep"`` (default): the existing tagging wins as a whole and ``url`` is returned
      with nothing added (mixing an old source with a new campaign would credit neither
      correctly);
    * ``"replace"``: every existing ``utm_*`` parameter is removed, then the new tags are
      appended;
    * ``"error"``: raise :class:`~smmkit.exceptions.InvalidInputError` naming ``url``.

    Example:
        >>> build_utm_url("https://example.com/p?id=7#top", source="zhihu",
        ...               medium="social", campaign="春季新品")
        'https://example.com/p?id=7&utm_source=zhihu&utm_medium=social&utm_campaign=%E6%98%A5%E5%AD%A3%E6%96%B0%E5%93%81#top'
        >>> build_utm_url("https://例え.jp/", source="x", medium="social", campaign="c")
        'https://xn--r8jz45g.jp/?utm_source=x&utm_medium=social&utm_campaign=c'
    """
    values = (
        _require_text("source", source, required=True),
        _require_text("medium", medium, required=True),
        _require_text("campaign", campaign, required=True),
        _require_text("term", term, required=False),
        _require_text("content", content, required=False),
    )
    if on_existing not in ("keep", "replace", "error"):
        raise InvalidInputError.single(
            "on_existing", "must be 'keep', 'replace' or 'error'", on_existing
        )
    scheme, netloc, path, query, fragment = _split_absolute(url)
    pairs = [p for p in query.split("&") if p] if query else []
    existing = [p for p in pairs if _key_of(p).startswith("utm_")]
    if existing:
        if on_existing == "error":
            keys = ", ".join(dict.fromkeys(_key_of(p) for p in existing))
            raise InvalidInputError.single("url", f"already carries UTM tags ({keys})", url)
        if on_existing == "keep":
            return urlunsplit((scheme, netloc, path, query, fragment))
        pairs = [p for p in pairs if not _key_of(p).startswith("utm_")]
    for key, value in zip(UTM_KEYS, values, strict=True):
        if value is not None:
            pairs.append(f"{key}={quote(value, safe='')}")
    if not path:
        path = "/"
    return urlunsplit((scheme, netloc, path, "&".join(pairs), fragment))


def parse_utm(url: str) -> UtmParams:
    """Read the UTM tags of ``url`` (``+`` decodes to a space, as in form encoding).

    Example:
        >>> p = parse_utm("https://a.cn/?utm_source=weibo&utm_campaign=%E8%8C%B6")
        >>> (p.source, p.medium, p.campaign)
        ('weibo', None, '茶')
    """
    if not isinstance(url, str):
        raise InvalidInputError.single("url", "must be a string", url)
    try:
        query = urlsplit(url.strip()).query
    except ValueError as exc:
        raise InvalidInputError.single("url", f"is not a valid URL ({exc})", url) from None
    found: dict[str, str] = {}
    conflicts: list[str] = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        name = key.lower()
        if not name.startswith("utm_"):
            continue
        if name in found:
            if found[name] != value and name not in conflicts:
                conflicts.append(name)
            continue
        found[name] = value
    standard = {k[4:]: found.get(k) for k in UTM_KEYS}
    extra = tuple((k, v) for k, v in found.items() if k not in UTM_KEYS)
    return UtmParams(**standard, extra=extra, conflicts=tuple(conflicts))
