"""iCalendar (RFC 5545) content lines: text escaping, line folding, components.

The shared lexical layer of the calendar's iCalendar codec: :mod:`._ical_write` renders
a plan with it and :mod:`._ical_read` parses one. It knows nothing of calendar entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from smmkit.exceptions import InvalidInputError

__all__: list[str] = []

UTC_FORMAT = "%Y%m%dT%H%M%SZ"
LOCAL_FORMAT = "%Y%m%dT%H%M%S"
# Non-standard parameters (RFC 5545 §3.2 x-param; other applications ignore them) that
# keep what a bare DATE-TIME cannot say: the zone of a UTC-written instant, and which
# of two identical fall-back wall times a recurring series starts at.
TZID_HINT = "X-SMMKIT-TZID"
FOLD_HINT = "X-SMMKIT-FOLD"


# ---------------------------------------------------------------------- writing


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character (§3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = char, width, 74  # a continuation starts with a space
        else:
            current += char
            size += width
    parts.append(current)
    return "\r\n ".join(parts)


# ---------------------------------------------------------------------- reading


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]


def unfold(text: str) -> list[str]:
    """Split a document into unfolded content lines (accepts CRLF or bare LF)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"\n[ \t]", "", text)
    return [line for line in text.split("\n") if line]


def parse_line(line: str, number: int) -> Prop:
    name_end = 0
    while name_end < len(line) and line[name_end] not in ";:":
        name_end += 1
    if name_end == len(line):
        raise InvalidInputError.single(f"line {number}", "a content line needs ':'", line[:60])
    name = line[:name_end].upper()
    params: dict[str, str] = {}
    i = name_end
    while line[i] == ";":
        i += 1
        eq = line.index("=", i) if "=" in line[i:] else -1
        if eq < 0:
            raise InvalidInputError.single(f"line {number}", "malformed parameter", line[:60])
        pname = line[i:eq].upper()
        i = eq + 1
        if i < len(line) and line[i] == '"':
            close = line.index('"', i + 1)
            pvalue = line[i + 1 : close]
            i = close + 1
        else:
            j = i
            while j < len(line) and line[j] not in ";:":
                j += 1
            pvalue = line[i:j]
            i = j
        params[pname] = pvalue
        if i >= len(line):
            raise InvalidInputError.single(f"line {number}", "a content line needs ':'", line[:60])
    return Prop(name, params, line[i + 1 :])


def parse_components(text: str) -> list[Component]:
    """Parse a document into its top-level components."""
    roots: list[Component] = []
    stack: list[Component] = []
    for number, line in enumerate(unfold(text), start=1):
        prop = parse_line(line, number)
        if prop.name == "BEGIN":
            comp = Component(prop.value.upper())
            (stack[-1].children if stack else roots).append(comp)
            stack.append(comp)
        elif prop.name == "END":
            if not stack or stack[-1].name != prop.value.upper():
                raise InvalidInputError.single(f"line {number}", "unbalanced END", prop.value)
            stack.pop()
        elif stack:
            stack[-1].props.append(prop)
        else:
            raise InvalidInputError.single(f"line {number}", "property outside a component", line)
    if stack:
        raise InvalidInputError.single("document", f"missing END:{stack[-1].name}", None)
    return roots


def unescape_text(value: str) -> str:
    """Undo :func:`escape_text`."""
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)
