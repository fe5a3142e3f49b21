"""A small, hardened XML reader for callback payloads.

WeChat and WeCom callbacks are tiny, flat XML documents. Nothing legitimate in them
needs a DTD, so any ``<!DOCTYPE`` is refused outright: that closes XXE (external
entities), entity-expansion bombs ("billion laughs") and external DTD fetches in one
rule, the same rule Tencent's own 2018 samples adopted. Size and depth are bounded too,
so a hostile body cannot make the parser allocate without limit.
"""

from __future__ import annotations

from typing import NoReturn
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from smmkit.exceptions import MalformedPayloadError
from smmkit.webhooks._checks import require_int

__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_MAX_DEPTH", "parse_xml"]

DEFAULT_MAX_BYTES = 1 << 20
"""Largest payload accepted by default (1 MiB; real callbacks are a few KiB)."""

DEFAULT_MAX_DEPTH = 32
"""Deepest element nesting accepted by default (real callbacks nest 5 levels)."""


def _refuse(what: str) -> NoReturn:
    raise MalformedPayloadError(f"XML {what} is not allowed in a callback payload")


def _raw_and_parser(data: object) -> tuple[bytes, expat.XMLParserType]:
    """The payload's bytes and an expat parser for them."""
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedPayloadError("XML payload is not valid Unicode") from None
        # The text is already decoded: make expat ignore any encoding="..." it declares.
        return raw, expat.ParserCreate(encoding="utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), expat.ParserCreate()
    raise MalformedPayloadError(f"XML payload must be str or bytes, not {type(data).__name__}")


def parse_xml(
    data: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Element:
    """Parse ``data`` into an :class:`xml.etree.ElementTree.Element`, refusing anything risky.

    Refused with :class:`~smmkit.exceptions.MalformedPayloadError`: a ``DOCTYPE`` (and with
    it every entity declaration and external reference), references to undefined entities,
    payloads over ``max_bytes`` bytes, nesting deeper than ``max_depth``, and anything that
    is not well-formed. The five predefined entities (``&amp;`` ...) and character references
    still work, because they cannot expand or reach outside the document.

    Example:
        >>> parse_xml("<xml><Content><![CDATA[hi &amp; bye]]></Content></xml>").findtext("Content")
        'hi &amp; bye'
        >>> parse_xml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
        Traceback (most recent call last):
        ...
        smmkit.exceptions.MalformedPayloadError: XML DOCTYPE is not allowed in a callback payload
    """
    require_int(max_bytes, "max_bytes", 1)
    require_int(max_depth, "max_depth", 1)
    raw, parser = _raw_and_parser(data)
    if len(raw) > max_bytes:
        raise MalformedPayloadError(f"XML payload is {len(raw)} bytes; the limit is {max_bytes}")

    builder = TreeBuilder()
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise MalformedPayloadError(f"XML nesting is deeper than {max_depth} levels")
        builder.start(tag, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(tag)

    def doctype(*_: object) -> None:
        _refuse("DOCTYPE")

    def entity_decl(*_: object) -> None:
        _refuse("entity declaration")

    def external_ref(*_: object) -> int:
        _refuse("external entity reference")

    def skipped_entity(*_: object) -> None:
        _refuse("entity reference")

    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity_decl
    parser.UnparsedEntityDeclHandler = entity_decl
    parser.ExternalEntityRefHandler = external_ref
    parser.SkippedEntityHandler = skipped_entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        # expat's own message (e.g. "undefined entity: line 1, column 3") holds no payload text.
        raise MalformedPayloadError(f"XML payload is not well-formed: {exc}") from None
    except ValueError as exc:
        # e.g. "multi-byte encodings are not supported" for a GBK declaration; callbacks
        # are UTF-8, so this is a malformed payload, not a bug.
        raise MalformedPayloadError(f"XML payload cannot be read: {exc}") from None
    return builder.close()
