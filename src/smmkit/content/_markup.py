"""Reading a platform's markup back to plain text (LinkedIn's little format, WeChat's
HTML paragraphs); below both the adaptation stages and the piece-vs-post comparison."""

from __future__ import annotations

import html

from smmkit.models.platform import BodyFormat, Platform
from smmkit.text._serialize import from_little

__all__ = ["html_text", "plain_text"]


def _paragraphs(body: str) -> list[str]:
    """What ``<p>(.*?)</p>`` finds (DOTALL), in one pass: the regex tried every
    unclosed ``<p>`` against the whole rest of the text."""
    out: list[str] = []
    pos = 0
    while (start := body.find("<p>", pos)) >= 0:
        end = body.find("</p>", start + 3)
        if end < 0:
            break
        out.append(body[start + 3 : end])
        pos = end + 4
    return out


def html_text(body: str) -> str:
    """The plain text of HTML paragraphs written by :func:`html_body`."""
    return "\n".join(html.unescape(p) for p in _paragraphs(body))


def plain_text(body: str, spec: Platform) -> str:
    """``body`` in ``spec``'s markup back to plain text (what :func:`encoder` undoes)."""
    markup = spec.markup
    if markup is BodyFormat.LITTLE:
        return from_little(body)
    if markup is BodyFormat.HTML:
        return html_text(body)
    return body
