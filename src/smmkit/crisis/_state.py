"""Reading a :class:`~smmkit.crisis.CrisisMonitor` state back from JSON, strictly.

A saved state is input like any other: it may come from an older version, another tool
or a hand edit. Every part is checked for its shape and type before anything is built,
and each problem raises :class:`~smmkit.exceptions.InvalidInputError` naming where it is
(``counts.3``, ``config.window``); text that is not JSON, or nests deeper than Python's
parser can follow, names ``data``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from smmkit.catalog import require_known_platform
from smmkit.crisis.detection import DetectionConfig
from smmkit.crisis.watchlist import TermKind
from smmkit.exceptions import FieldProblem, InvalidInputError

__all__ = ["STATE_VERSION", "MonitorState", "parse_state"]

STATE_VERSION = 1

_SURROGATE = re.compile("[\ud800-\udfff]")
_KINDS = frozenset({"all", *(kind.value for kind in TermKind)})
# Seconds from the epoch to the first and the last instant a datetime can hold.
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799

Cell = tuple[int, str, str, int, int]
SampleRow = tuple[str, str, str, str]
Emitted = tuple[str, str, str, tuple[str, ...]]


@dataclass
class MonitorState:
    """A checked state: what :meth:`CrisisMonitor.from_json` restores."""

    config: DetectionConfig
    first: int | None
    topics: dict[str, str] = field(default_factory=dict)
    counts: list[Cell] = field(default_factory=list)
    samples: dict[tuple[int, str], list[SampleRow]] = field(default_factory=dict)
    emitted: set[Emitted] = field(default_factory=set)


def _refuse(where: str, problem: str, value: object = None) -> InvalidInputError:
    shown = type(value).__name__ if isinstance(value, (dict, list)) else value
    return InvalidInputError.single(where, problem, shown)


def _shape(value: object, kind: type, where: str, size: int | None = None) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _refuse(where, f"must be a JSON {_JSON_NAMES[kind]}", type(value).__name__)
    if size is not None and len(value) != size:  # type: ignore[arg-type]
        raise _refuse(where, f"must hold {size} items", len(value))  # type: ignore[arg-type]
    return value


_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "integer"}
_KEYS = ("config", "first", "topics", "counts", "samples", "emitted")


def _text(value: object, where: str) -> str:
    text: str = _shape(value, str, where)
    if not text.isascii() and _SURROGATE.search(text):
        raise _refuse(where, "must be valid Unicode: a lone surrogate has no UTF-8 form")
    return text


def _count(value: object, where: str) -> int:
    number: int = _shape(value, int, where)
    if number < 0:
        raise _refuse(where, "must not be negative", number)
    return number


def _window(value: object, where: str, window_seconds: int) -> int:
    number: int = _shape(value, int, where)
    if not _MIN_SECONDS <= number * window_seconds <= _MAX_SECONDS:
        raise _refuse(where, "is not a window between the years 1 and 9999", "an int")
    return number


def _json(data: object) -> Any:
    if not isinstance(data, (str, bytes, bytearray)):
        raise _refuse("data", "must be JSON text (str or bytes)", type(data).__name__)
    try:
        return json.loads(data)
    except RecursionError:
        raise _refuse("data", "nests too deeply to be a monitor state") from None
    except ValueError as exc:  # JSONDecodeError, a number past 4300 digits, bad UTF-8
        raise _refuse("data", f"is not JSON: {str(exc)[:120]}") from None


def parse_state(data: object) -> MonitorState:
    """Check ``data`` (the text :meth:`CrisisMonitor.to_json` wrote) and read it.

    Example:
        >>> parse_state('{"version": 1, "config": {}, "first": null, "topics": {},'
        ...             ' "counts": [], "samples": [], "emitted": []}').counts
        []
        >>> try:
        ...     parse_state('{"version": 1, "config": {}, "first": null, "topics": {},'
        ...                 ' "counts": {}, "samples": [], "emitted": []}')
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('counts',)
    """
    state: dict[str, Any] = _shape(_json(data), dict, "data")
    version = state.get("version")
    if type(version) is not int or version != STATE_VERSION:
        raise _refuse(
            "version",
            f"unsupported state version (this smmkit reads {STATE_VERSION})",
            version if isinstance(version, (int, str)) else type(version).__name__,
        )
    for name in _KEYS:
        if name not in state:
            raise _refuse(name, "is missing: not a monitor state (see CrisisMonitor.to_json)")
    config = _config(state["config"])
    seconds = config.window_seconds
    first = state["first"]
    out = MonitorState(config, None if first is None else _window(first, "first", seconds))
    topics: dict[str, Any] = _shape(state["topics"], dict, "topics")
    for topic, kind in topics.items():
        where = f"topics.{_short(topic)}"
        _text(topic, "topics")
        if _text(kind, where) not in _KINDS:
            raise _refuse(where, f"must be one of {', '.join(sorted(_KINDS))}", kind)
        out.topics[topic] = kind
    seen: set[tuple[int, str, str]] = set()
    for i, row in enumerate(_shape(state["counts"], list, "counts")):
        out.counts.append(_cell(row, f"counts.{i}", seconds, seen))
    for i, row in enumerate(_shape(state["samples"], list, "samples")):
        where = f"samples.{i}"
        w, topic, kept = _shape(row, list, where, 3)
        key = (_window(w, f"{where}.0", seconds), _text(topic, f"{where}.1"))
        rows = _shape(kept, list, f"{where}.2")
        if len(rows) > config.samples:
            raise _refuse(f"{where}.2", f"holds more than config.samples ({config.samples})")
        out.samples[key] = [_sample(s, f"{where}.2.{j}") for j, s in enumerate(rows)]
    for i, row in enumerate(_shape(state["emitted"], list, "emitted")):
        where = f"emitted.{i}"
        at, kind, topic, plats = _shape(row, list, where, 4)
        names = _shape(plats, list, f"{where}.3")
        out.emitted.add(
            (
                _text(at, f"{where}.0"),
                _text(kind, f"{where}.1"),
                _text(topic, f"{where}.2"),
                tuple(_text(p, f"{where}.3.{j}") for j, p in enumerate(names)),
            )
        )
    return out


def _config(value: object) -> DetectionConfig:
    raw = _shape(value, dict, "config")
    try:
        return DetectionConfig.model_validate(raw)
    except InvalidInputError as exc:  # name the fields inside the state
        problems = [FieldProblem(f"config.{p.field}", p.problem, p.value) for p in exc.problems]
        raise InvalidInputError(problems, model="DetectionConfig") from None


def _cell(row: object, where: str, seconds: int, seen: set[tuple[int, str, str]]) -> Cell:
    w, platform, topic, volume, negative = _shape(row, list, where, 5)
    cell = (
        _window(w, f"{where}.0", seconds),
        require_known_platform(_text(platform, f"{where}.1"), field=f"{where}.1"),
        _text(topic, f"{where}.2"),
        _count(volume, f"{where}.3"),
        _count(negative, f"{where}.4"),
    )
    if cell[4] > cell[3]:
        raise _refuse(f"{where}.4", f"must not exceed the volume ({cell[3]})", cell[4])
    if cell[:3] in seen:
        raise _refuse(where, "repeats an earlier window, platform and topic")
    seen.add(cell[:3])
    return cell


def _sample(row: object, where: str) -> SampleRow:
    at, mention_id, platform, snippet = _shape(row, list, where, 4)
    return (
        _text(at, f"{where}.0"),
        _text(mention_id, f"{where}.1"),
        _text(platform, f"{where}.2"),
        _text(snippet, f"{where}.3"),
    )


def _short(key: str) -> str:
    text = key.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 40 else text[:37] + "..."
