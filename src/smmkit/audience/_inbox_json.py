"""The inbox's configuration value and its JSON state, read back strictly.

A saved state is input like any other: each part is checked for its shape and type
before anything is built, and a problem raises
:class:`~smmkit.exceptions.InvalidInputError` naming where it is (``events.3.0.at``,
``answers.1``, ``config.horizon``); text that is not JSON names ``data``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smmkit.audience._inbox_values import AssignmentRule, SlaPolicy
from smmkit.exceptions import FieldProblem, InvalidInputError, SmmkitError
from smmkit.models._base import SmmkitModel
from smmkit.models.inbox import InboxEvent

__all__ = ["INBOX_STATE_VERSION", "InboxConfig", "InboxSnapshot", "dump_state", "parse_state"]

INBOX_STATE_VERSION = 1
_KEYS = ("config", "latest", "events", "answers")


class InboxConfig(SmmkitModel):
    """What two inbox states must share to merge: rules, default assignee, SLA, horizon.

    Example:
        >>> InboxConfig().horizon
        datetime.timedelta(days=30)
    """

    rules: tuple[AssignmentRule, ...] = ()
    default_assignee: str | None = None
    sla: SlaPolicy = SlaPolicy()
    horizon: timedelta | None = timedelta(days=30)


@dataclass
class InboxSnapshot:
    """A checked state: what :meth:`InboxState.from_json` restores."""

    config: InboxConfig
    latest: datetime | None
    events: dict[str, tuple[InboxEvent, bool]] = field(default_factory=dict)
    answers: dict[str, tuple[datetime, str]] = field(default_factory=dict)


def dump_state(snapshot: InboxSnapshot) -> str:
    """The JSON text of a state (keys sorted, so equal states give equal text).

    Example:
        >>> dump_state(InboxSnapshot(InboxConfig(), None))[:30]
        '{"answers": [], "config": {"de'
    """
    state = {
        "version": INBOX_STATE_VERSION,
        "config": snapshot.config.model_dump(mode="json"),
        "latest": None if snapshot.latest is None else snapshot.latest.isoformat(),
        "events": [
            [event.model_dump(mode="json"), complaint]
            for _, (event, complaint) in sorted(snapshot.events.items())
        ],
        "answers": [
            [key, at.isoformat(), by] for key, (at, by) in sorted(snapshot.answers.items())
        ],
    }
    return json.dumps(state, ensure_ascii=False, sort_keys=True)


def _refuse(where: str, problem: str, value: object = None) -> InvalidInputError:
    shown = type(value).__name__ if isinstance(value, (dict, list)) else value
    return InvalidInputError.single(where, problem, shown)


def _shape(value: object, kind: type, where: str, size: int | None = None) -> Any:
    names = {dict: "object", list: "array", str: "string", bool: "boolean"}
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _refuse(where, f"must be a JSON {names[kind]}", type(value).__name__)
    if size is not None and len(value) != size:  # type: ignore[arg-type]
        raise _refuse(where, f"must hold {size} items", len(value))  # type: ignore[arg-type]
    return value


def _model(cls: type[SmmkitModel], raw: object, where: str) -> Any:
    try:
        return cls.model_validate(_shape(raw, dict, where))
    except InvalidInputError as exc:  # name the fields inside the state
        problems = [FieldProblem(f"{where}.{p.field}", p.problem, p.value) for p in exc.problems]
        raise InvalidInputError(problems, model=cls.__name__) from None
    except SmmkitError as exc:  # an unknown platform id
        raise _refuse(where, str(exc)[:200]) from None


def _when(raw: object, where: str) -> datetime:
    text = _shape(raw, str, where)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _refuse(where, "must be an ISO 8601 time", text[:60]) from None
    if when.utcoffset() is None:
        raise _refuse(where, "must carry a time zone", text[:60])
    return when


def parse_state(data: object) -> InboxSnapshot:
    """Check ``data`` (the text :meth:`InboxState.to_json` wrote) and read it.

    Example:
        >>> parse_state('{"version": 1, "config": {}, "latest": null, "events": [],'
        ...             ' "answers": []}').events
        {}
        >>> try:
        ...     parse_state('{"version": 1, "config": {}, "latest": 3, "events": [],'
        ...                 ' "answers": []}')
        ... except InvalidInputError as exc:
        ...     print(exc.fields)
        ('latest',)
    """
    if not isinstance(data, (str, bytes, bytearray)):
        raise _refuse("data", "must be JSON text (str or bytes)", type(data).__name__)
    try:
        raw = json.loads(data)
    except RecursionError:
        raise _refuse("data", "nests too deeply to be an inbox state") from None
    except ValueError as exc:
        raise _refuse("data", f"is not JSON: {str(exc)[:120]}") from None
    state: dict[str, Any] = _shape(raw, dict, "data")
    version = state.get("version")
    if type(version) is not int or version != INBOX_STATE_VERSION:
        raise _refuse(
            "version",
            f"unsupported state version (this smmkit reads {INBOX_STATE_VERSION})",
            version if isinstance(version, (int, str)) else type(version).__name__,
        )
    for name in _KEYS:
        if name not in state:
            raise _refuse(name, "is missing: not an inbox state (see InboxState.to_json)")
    config = _model(InboxConfig, state["config"], "config")
    latest = None if state["latest"] is None else _when(state["latest"], "latest")
    out = InboxSnapshot(config, latest)
    for i, row in enumerate(_shape(state["events"], list, "events")):
        raw_event, complaint = _shape(row, list, f"events.{i}", 2)
        event: InboxEvent = _model(InboxEvent, raw_event, f"events.{i}.0")
        if event.key in out.events:
            raise _refuse(f"events.{i}", "repeats an earlier event's key", event.key)
        out.events[event.key] = (event, _shape(complaint, bool, f"events.{i}.1"))
        if out.latest is None or event.at > out.latest:
            out.latest = event.at
    for i, row in enumerate(_shape(state["answers"], list, "answers")):
        key, at, by = _shape(row, list, f"answers.{i}", 3)
        if _shape(key, str, f"answers.{i}.0") not in out.events:
            raise _refuse(f"answers.{i}.0", "names no event of the state", key[:80])
        if not _shape(by, str, f"answers.{i}.2"):
            raise _refuse(f"answers.{i}.2", "must not be empty")
        out.answers[key] = (_when(at, f"answers.{i}.1"), by)
    return out
