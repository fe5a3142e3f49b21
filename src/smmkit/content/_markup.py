"""Reading a platform's markup back to plain text (LinkedIn's little format, WeChat's
HTML paragraphs); below both the adaptation stages and the piece-vs-post comparison."""

from __future__ import annotations

import html

import regex

from smmkit.models.platform import BodyFormat, Platform
from smmkit.text._serialize import from_little

__all__ = ["html_text", "plain_text"]

_PARAGRAPH = regex.compile(r"<p>(.*?)</p>", regex.DOTALL)


def html_text(body: str) -> str:
    """The plain text of HTML paragraphs written by :func:`html_body`."""
    return "\n".join(html.unescape(p) for p in _PARAGRAPH.findall(body))


def plain_text(body: str, spec: Platform) -> str:
    """``body`` in ``spec``'s markup back to plain text (what :func:`encoder` undoes)."""
    markup = spec.markup
    if markup is BodyFormat.LITTLE:
        return from_little(body)
    if markup is BodyFormat.HTML:
        return html_text(body)
    return body
