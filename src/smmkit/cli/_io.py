"""Reading the command's inputs and writing its outputs.

Files are UTF-8 (a byte-order mark is skipped); ``-`` or no file reads stdin. Every
problem with an input is an :class:`~smmkit.exceptions.InvalidInputError` naming the
argument, so the command reports it in one line and exits 1.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from smmkit.exceptions import InvalidInputError, SmmkitError

__all__ = [
    "UsageError",
    "error_payload",
    "parse_time",
    "print_json",
    "read_json",
    "read_text",
    "source_name",
    "write_output",
    "write_stdout",
]


class UsageError(Exception):
    """A command line argparse cannot catch (options that do not go together): exit 2.

    Example:
        >>> str(UsageError("--base applies to --import, not to export"))
        '--base applies to --import, not to export'
    """


def source_name(path: str | None) -> str:
    """How an input is named in messages: its path, or ``<stdin>``.

    Example:
        >>> source_name(None), source_name("-"), source_name("plan.json")
        ('<stdin>', '<stdin>', 'plan.json')
    """
    return "<stdin>" if path in (None, "-") else str(path)


def read_text(path: str | None, *, field: str = "file") -> str:
    """The text of ``path`` (UTF-8), or of stdin for ``None`` and ``-``.

    Example:
        >>> try:
        ...     read_text("/nonexistent/post.txt")
        ... except InvalidInputError as exc:
        ...     print(exc.problems[0].problem)
        cannot be read: No such file or directory
    """
    try:
        if path in (None, "-"):
            buffer = getattr(sys.stdin, "buffer", None)
            if buffer is None:  # a text stream standing in for stdin (tests, IDEs)
                return sys.stdin.read().removeprefix("\ufeff")
            raw: bytes = buffer.read()
            return raw.decode("utf-8-sig")
        return Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInputError.single(
            field, f"cannot be read: {exc.strerror or exc}", source_name(path)
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError.single(
            field, f"is not UTF-8 text (byte {exc.start})", source_name(path)
        ) from None


def read_json(path: str | None, *, field: str = "file") -> Any:
    """The JSON value in ``path`` (or stdin); invalid JSON says where it breaks.

    Example:
        >>> import io, sys
        >>> stdin, sys.stdin = sys.stdin, io.StringIO('{"id": "p1",}')
        >>> try:
        ...     read_json("-")
        ... except InvalidInputError as exc:
        ...     print(exc.fields, exc.problems[0].problem[-20:])
        ... finally:
        ...     sys.stdin = stdin
        ('file',) at line 1, column 13
    """
    text = read_text(path, field=field)
    if not text.strip():
        raise InvalidInputError.single(field, "is empty", source_name(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError.single(
            field,
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            source_name(path),
        ) from None
    except RecursionError:
        raise InvalidInputError.single(field, "is nested too deeply", source_name(path)) from None


def parse_time(value: str, field: str) -> datetime:
    """An ISO 8601 time with a UTC offset (``Z`` for UTC); a naive one is refused.

    Example:
        >>> parse_time("2026-05-01T09:00:00Z", "--now").isoformat()
        '2026-05-01T09:00:00+00:00'
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read Z
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError.single(
            field, "is not an ISO 8601 time such as 2026-05-01T09:00:00+08:00", value
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError.single(field, "needs a UTC offset (or Z)", value)
    return moment


def print_json(
    value: Any, *, default: Any = None, file: TextIO | None = None, indent: int | None = 1
) -> None:
    """Print ``value`` as JSON, indented unless ``indent=None`` (non-ASCII text kept).

    Example:
        >>> print_json({"platform": "weibo", "name": "微博"})
        {
         "platform": "weibo",
         "name": "微博"
        }
    """
    print(json.dumps(value, ensure_ascii=False, indent=indent, default=default), file=file)


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout as UTF-8 bytes, line ends untouched (iCalendar's CRLF).

    Example:
        >>> write_stdout("BEGIN:VCALENDAR\\n")
        BEGIN:VCALENDAR
    """
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def write_output(path: str, text: str, *, field: str = "--output") -> None:
    """Write ``text`` to ``path`` (UTF-8, line ends untouched); ``-`` is stdout.

    Example:
        >>> try:
        ...     write_output("/nonexistent/dir/plan.ics", "")
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('--output',)
    """
    if path == "-":
        write_stdout(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInputError.single(
            field, f"cannot be written: {exc.strerror or exc}", path
        ) from None


def error_payload(exc: SmmkitError) -> dict[str, Any]:
    """The JSON an error is reported as under ``--json`` (on stderr).

    Example:
        >>> error_payload(InvalidInputError.single("file", "is empty"))
        {'error': {'type': 'InvalidInputError', 'message': 'file: is empty', 'fields': ['file']}}
    """
    fields = list(exc.fields) if isinstance(exc, InvalidInputError) else []
    body: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "fields": fields}
    known = getattr(exc, "known", None)
    if isinstance(known, tuple):
        body["known"] = list(known)
    return {"error": body}
