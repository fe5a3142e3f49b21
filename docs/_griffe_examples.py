"""Griffe extension for the API reference: read ``Example:`` as an examples section.

smmkit's docstrings head their doctests ``Example:`` (singular, as Sphinx/Napoleon
accepts). Griffe's Google parser knows only ``Examples:`` as a section and renders any
other ``Word:`` block as a Markdown admonition, so doctest output such as ``['a', 'b']``
became Markdown (autorefs then reported "Could not find cross-reference target"). This
extension renames a top-level ``Example:`` heading to ``Examples:`` before griffe parses
the docstring, so ``>>>`` blocks render as code. Loaded by ``mkdocs.yml``
(mkdocstrings-python ``extensions``); the source files are not changed.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

_EXAMPLE_HEADING = re.compile(r"^Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example:`` section headings to ``Examples:`` in every loaded docstring."""

    def on_instance(
        self,
        *,
        node: ast.AST | griffe.ObjectNode,
        obj: griffe.Object,
        agent: griffe.Visitor | griffe.Inspector,
        **kwargs: Any,
    ) -> None:
        docstring = obj.docstring
        if docstring is not None and "Example:" in docstring.value:
            docstring.value = _EXAMPLE_HEADING.sub("Examples:", docstring.value)
