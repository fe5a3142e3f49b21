"""iCalendar (RFC 5545) content lines: text escaping, line folding, components.

The shared lexical layer of the calendar's iCalendar codec: :mod:`._ical_write` renders
a plan with it and :mod:`._ical_read` parses one. It knows nothing of calendar entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from smmkit.exceptions import FieldProblem, InvalidInputError

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

#: How deep components may nest (RFC 5545 nests three: VCALENDAR, VEVENT, VALARM).
MAX_DEPTH = 8
_NAME = re.compile(r"[A-Za-z0-9-]+")
_LINE = re.compile(r"line \d+: ")


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    value: str
    line: int = 0  # where the content line starts in the document (1-based)


@dataclass
class Component:
    name: str
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)
    line: int = 0  # the line of its BEGIN

    def first(self, name: str) -> Prop | None:
        return next((p for p in self.props if p.name == name), None)

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]


def on_line(exc: InvalidInputError, line: int | Callable[[FieldProblem], int]) -> InvalidInputError:
    """``exc`` (the same error, its type kept) with each problem that names no line yet
    put on ``line`` (or ``line(problem)``).

    Example:
        >>> str(on_line(InvalidInputError.single("VEVENT[a].DTSTART", "is required"), 7))
        'VEVENT[a].DTSTART: line 7: is required'
    """
    if isinstance(line, int):
        number = line
        line = lambda _: number  # noqa: E731
    problems = [
        p
        if _LINE.match(p.problem)
        else FieldProblem(p.field, f"line {line(p)}: {p.problem}", p.value)
        for p in exc.problems
    ]
    InvalidInputError.__init__(exc, problems, model=exc.model)
    return exc


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The unfolded content lines of a document, each with the line it starts on.

    A folded continuation (a line that starts with a space or a tab) with no line
    before it is an input error naming its line.
    """
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if raw[:1] in (" ", "\t"):
            if not found:
                raise InvalidInputError.single(
                    f"line {number}",
                    "a folded continuation with no content line before it",
                    raw[:60],
                )
            found[-1] = (found[-1][0], found[-1][1] + raw[1:])
        elif raw:
            found.append((number, raw))
    return found


def unfold(text: str) -> list[str]:
    """Split a document into unfolded content lines (accepts CRLF or bare LF)."""
    return [line for _, line in numbered_lines(text)]


def _param_values(line: str, i: int, where: str, pname: str) -> tuple[str, int]:
    """The (comma-separated, maybe quoted) values of a parameter from ``line[i]`` on,
    and the index after them."""
    values: list[str] = []
    while True:
        if i < len(line) and line[i] == '"':
            close = line.find('"', i + 1)
            if close < 0:
                raise InvalidInputError.single(
                    where, f"parameter {pname} has an unterminated quoted value", line[:60]
                )
            values.append(line[i + 1 : close])
            i = close + 1
        else:
            j = i
            while j < len(line) and line[j] not in ';:,"':
                j += 1
            values.append(line[i:j])
            i = j
        if i < len(line) and line[i] == ",":
            i += 1
            continue
        if i < len(line) and line[i] not in ";:":
            raise InvalidInputError.single(
                where, f"parameter {pname} has a stray character after its value", line[:60]
            )
        return ",".join(values), i


def parse_line(line: str, number: int) -> Prop:
    """One content line, ``NAME;PARAM=VALUE:value``; errors name line ``number``.

    Example:
        >>> parse_line('DTSTART;TZID="Asia/Shanghai":20260101T090000', 3).params
        {'TZID': 'Asia/Shanghai'}
    """
    where = f"line {number}"
    match = _NAME.match(line)
    name_end = match.end() if match else 0
    if ":" not in line:
        raise InvalidInputError.single(where, "a content line needs ':'", line[:60])
    if not match or line[name_end] not in ";:":
        raise InvalidInputError.single(
            where, "a property name is letters, digits and '-'", line[:60]
        )
    name = line[:name_end].upper()
    params: dict[str, str] = {}
    i = name_end
    while line[i] == ";":
        pmatch = _NAME.match(line, i + 1)
        if pmatch is None or pmatch.end() >= len(line) or line[pmatch.end()] != "=":
            raise InvalidInputError.single(where, f"{name}: malformed parameter", line[:60])
        pname = pmatch.group().upper()
        params[pname], i = _param_values(line, pmatch.end() + 1, where, f"{name};{pname}")
        if i >= len(line):
            raise InvalidInputError.single(where, f"{name}: a content line needs ':'", line[:60])
    return Prop(name, params, line[i + 1 :], number)


def is_unicode(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (it holds no lone surrogate).

    Example:
        >>> is_unicode("茶"), is_unicode("\\ud800")
        (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = text[: exc.start].replace("\r\n", "\n").replace("\r", "\n")
        number = before.count("\n") + 1
        raise InvalidInputError.single(
            f"line {number}",
            "is not valid Unicode text (a lone surrogate)",
            text[exc.start : exc.end],
        ) from None


def parse_components(text: str) -> list[Component]:
    """Parse a document into its top-level components.

    Errors name the line: a line that is no content line, a BEGIN without its END (or
    the reverse), components nested more than :data:`MAX_DEPTH` deep.
    """
    _check_unicode(text)
    text = text.removeprefix("\ufeff")  # a byte-order mark some exporters write
    roots: list[Component] = []
    stack: list[Component] = []
    for number, line in numbered_lines(text):
        prop = parse_line(line, number)
        if prop.name in ("BEGIN", "END"):
            kind = prop.value.strip().upper()
            if not _NAME.fullmatch(kind):
                raise InvalidInputError.single(
                    f"line {number}", f"{prop.name} needs a component name", prop.value[:60]
                )
        if prop.name == "BEGIN":
            if len(stack) >= MAX_DEPTH:
                raise InvalidInputError.single(
                    f"line {number}", f"components nest more than {MAX_DEPTH} deep", kind
                )
            comp = Component(kind, line=number)
            (stack[-1].children if stack else roots).append(comp)
            stack.append(comp)
        elif prop.name == "END":
            if not stack or stack[-1].name != kind:
                opened = f"BEGIN:{stack[-1].name} on line {stack[-1].line}" if stack else "nothing"
                raise InvalidInputError.single(
                    f"line {number}", f"unbalanced END: it closes {opened}", prop.value[:60]
                )
            stack.pop()
        elif stack:
            stack[-1].props.append(prop)
        else:
            raise InvalidInputError.single(
                f"line {number}", "property outside a component", line[:60]
            )
    if stack:
        raise InvalidInputError.single(
            "document", f"missing END:{stack[-1].name} (BEGIN on line {stack[-1].line})", None
        )
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
