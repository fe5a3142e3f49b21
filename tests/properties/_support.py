"""Shared machinery of the property suite over the public surface.

* :func:`covers` registers a hypothesis property as covering public callables and counts
  every example it runs (:data:`STATS`), so the terminal summary can say how many
  inputs were tried over how many callables;
* the strategies throw malformed and extreme values: odd Unicode, long repeated
  text and (rarely, see :data:`huge_text`) 1 MB pathological text, NaN and
  infinities, huge and negative numbers, empty collections, naive datetimes and
  values of the wrong Python type; :func:`run_probe` also puts a wrong-typed value
  in place of one argument of some calls, whatever the probe's own strategy;
* :func:`attempt` is the one outcome rule: a call either returns or raises one of
  smmkit's typed errors (:class:`~smmkit.exceptions.SmmkitError`); anything else
  (``TypeError``, ``AttributeError``, a bare ``ValueError``, ``RecursionError``...)
  propagates and fails the property.

``conftest.py`` loads this module as ``tests.properties._support`` before the test
modules import it.
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextlib
import enum
import functools
import importlib
import inspect
import math
import os
import pkgutil
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.internal.detection import is_hypothesis_test

from smmkit.exceptions import InvalidInputError, SmmkitError

__all__ = [
    "COVERED",
    "MEDIA_URLS",
    "REFUSED",
    "STATS",
    "aware_datetimes",
    "anything",
    "attempt",
    "attempt_async",
    "covers",
    "datetimes",
    "extreme_floats",
    "extreme_ints",
    "fast",
    "huge_text",
    "junk",
    "long_text",
    "modest_texts",
    "naive_datetimes",
    "not_str",
    "numbers",
    "odd_text",
    "outcome",
    "isolated_registries",
    "hashable_junk",
    "Probe",
    "kw",
    "probe_params",
    "run_probe",
    "platform_ids",
    "refuses",
    "retry_policies",
    "texts",
    "zero_clock",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: public dotted name -> the properties (``module.qualname``) that cover it
COVERED: dict[str, set[str]] = {}


@dataclass
class Stats:
    """Examples run by registered properties in this session."""

    inputs: int = 0
    #: inputs (examples) that held at least one 1 MB text (see :data:`huge_text`)
    huge: int = 0
    exercised: set[str] = field(default_factory=set)
    #: (public callables, covered by a property, exempt), set by test_completeness
    surface: tuple[int, int, int] | None = None


STATS = Stats()


def covers(*names: str) -> Callable[[F], F]:
    """Register the decorated property as covering the public callables ``names``.

    Put it *below* ``@given`` so that it wraps the body hypothesis runs per example:
    each call is one input tried.
    """
    for name in names:
        pkgutil.resolve_name(name)  # a typo fails at import, not silently

    def decorate(test: F) -> F:
        if is_hypothesis_test(test):
            raise TypeError(f"{test.__qualname__}: put @covers below @given (innermost)")

        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> Any:
            STATS.inputs += 1
            STATS.exercised.update(names)
            # A 1 MB text drawn for @given's arguments (just before this call) or by
            # data.draw in the body marks the input; the mark is cleared per input.
            try:
                return test(*args, **kwargs)
            finally:
                if _HUGE_DRAWN[0]:
                    STATS.huge += 1
                    _HUGE_DRAWN[0] = False

        where = f"{test.__module__}.{test.__qualname__}"
        for name in names:
            COVERED.setdefault(name, set()).add(where)
        counted.__covers__ = names  # type: ignore[attr-defined]
        return counted  # type: ignore[return-value]

    return decorate


#: ``SMMKIT_PROPERTIES_SCALE=10 pytest tests/properties`` hunts with ten times the examples
SCALE = float(os.environ.get("SMMKIT_PROPERTIES_SCALE", "1"))


def fast(examples: int = 20) -> settings:
    """Small, deadline-free settings: the suite runs in well under a minute."""
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.large_base_example,
        ],
    )


# -- the public surface ----------------------------------------------------------------


def public_modules() -> list[str]:
    """``smmkit`` and every module under it with no ``_`` part in its dotted name."""
    import smmkit

    names = ["smmkit"]
    for info in pkgutil.walk_packages(smmkit.__path__, "smmkit."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def _is_alias(obj: object) -> bool:
    """A typing construct that ``callable()`` accepts (``Annotated[...]``, ``Callable[...]``)."""
    return callable(obj) and typing.get_origin(obj) is not None


def public_callables() -> dict[int, tuple[str, ...]]:
    """id of each public function or class -> its public names, shortest first.

    Pure data (constants, tables, mappings, instances) is not callable and not listed.
    """
    found: dict[int, list[str]] = {}
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj) or _is_alias(obj):
                found.setdefault(id(obj), []).append(f"{module_name}.{name}")
    return {key: tuple(sorted(names, key=len)) for key, names in found.items()}


def public_objects(kind: Callable[[object], bool]) -> list[tuple[str, Any]]:
    """(shortest public name, object) of each public callable for which ``kind`` holds."""
    out = []
    for names in public_callables().values():
        obj = pkgutil.resolve_name(names[0])
        if kind(obj):
            out.append((names[0], obj))
    return sorted(out, key=lambda pair: pair[0])


# -- the outcome rule ----------------------------------------------------------------


class _Refused:
    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Any = _Refused()
"""What :func:`attempt` returns when smmkit refused the input with a typed error."""


def _check_typed(exc: SmmkitError) -> None:
    assert str(exc) is not None  # the message renders
    if isinstance(exc, InvalidInputError):
        assert exc.problems, "an InvalidInputError names at least one field"
        assert all(p.field for p in exc.problems)


def attempt(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, or :data:`REFUSED` if smmkit raised one of its typed errors.

    Any other exception propagates: the property fails on it.
    """
    try:
        return fn(*args, **kwargs)
    except SmmkitError as exc:
        _check_typed(exc)
        return REFUSED  # type: ignore[no-any-return]


def outcome(fn: Callable[..., T], /, *args: Any, bad: bool = False, **kwargs: Any) -> T:
    """:func:`attempt`, and when ``bad`` (an argument of the wrong type) it must refuse."""
    result = attempt(fn, *args, **kwargs)
    if bad:
        assert result is REFUSED, f"accepted an argument of the wrong type: {result!r:.200}"
    return result


def attempt_async(fn: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
    """:func:`attempt` for a coroutine function, run to completion."""

    async def run() -> T:
        return await fn(*args, **kwargs)

    result: T = attempt(asyncio.run, run())
    return result


def refuses(fn: Callable[..., object], /, *args: Any, **kwargs: Any) -> InvalidInputError:
    """Assert that the call refuses its (bad) input with :class:`InvalidInputError`."""
    try:
        result = fn(*args, **kwargs)
    except InvalidInputError as exc:
        _check_typed(exc)
        return exc
    raise AssertionError(f"accepted bad input and returned {result!r:.200}")


# -- strategies ----------------------------------------------------------------------

#: combining marks, joiners, bidi controls, NUL, lone surrogates (str holds them),
#: emoji sequences, line separators and the characters entity parsers look for
ODD_PIECES = (
    "\u0301",
    "e\u0301",
    "a\u0308\u0301",
    "\u200d",
    "\u200b",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇨🇳",
    "👍🏽",
    "1\ufe0f\u20e3",
    "\u202e",
    "\u200f",
    "\u2067",
    "مرحبا",
    "שלום",
    "\x00",
    "\x7f",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\ufffd",
    "\U0010ffff",
    "\u2028",
    "\r\n",
    "\t",
    " ",
    "\u3000",
    "#",
    "#tag",
    "#话题#",
    "＃",
    "@",
    "@alice",
    "@a@b.social",
    "https://",
    "https://x.example/a?b=1",
    "[",
    "]",
    "<",
    "&amp;",
    "%",
    "\\",
    '"',
    "中文",
    "茶",
)

odd_text: st.SearchStrategy[str] = st.lists(
    st.one_of(st.sampled_from(ODD_PIECES), st.text(max_size=4)), max_size=12
).map("".join)
"""Short text mixing odd Unicode (including lone surrogates and NUL) and ASCII."""

LONG = 10_000

long_text: st.SearchStrategy[str] = st.builds(
    lambda unit, times: (unit * times)[:LONG],
    odd_text.filter(bool),
    st.integers(min_value=1, max_value=LONG),
)
"""Text up to 10 000 characters built by repeating a short odd piece."""

#: 1 MB: the size #16 asks every text path to take in (about) linear time
HUGE = 1_000_000

#: units that stress entity parsers, segmenters and escapers when repeated a million
#: times: mentions glued together, regional indicators (flag pairs and odd halves),
#: little/markdown markup, combining marks on one base, ``#`` runs, URLs with no space
#: between them, lone surrogates, joiners, CJK hashtags and brackets
HUGE_UNITS = (
    "@a",
    "@a@b.social",
    "🇨🇳",
    "🇺",
    "*_",
    "_*\\",
    "\u0301",
    "e\u0301\u0308",
    "#",
    "#a",
    "# ",
    "＃话题",
    "https://a.co",
    "https://x.example/a?b=1&c=(d)",
    "\ud800",
    "a\udfff",
    "\u200d👍🏽",
    "[](",
    "a ",
    "中",
)


def _huge(unit: str, head: str, tail: str) -> str:
    _HUGE_DRAWN[0] = True
    body = unit * (HUGE // len(unit) + 1)
    return head + body[: HUGE - len(head) - len(tail)] + tail


_HUGE_DRAWN = [False]  # set when a 1 MB text is built: counted by the next finished input

huge_text: st.SearchStrategy[str] = st.builds(
    _huge,
    st.one_of(st.sampled_from(HUGE_UNITS), odd_text.filter(bool)),
    st.sampled_from(["", "x ", "\ud800", "@", "#", "https://"]),
    st.sampled_from(["", " #end", "\udfff", "@", "\\", " https://x.example/end"]),
)
"""Text of exactly :data:`HUGE` characters (one million): a pathological unit repeated,
with an odd head and tail. Drawn directly only by the few properties that measure it;
:data:`texts` draws one rarely (:data:`HUGE_ODDS`)."""

#: about one text draw in HUGE_ODDS is a 1 MB text (hypothesis draws the gate's middle
#: values about uniformly; its boundary values 0 and HUGE_ODDS are more common, so the
#: gate is a middle value). Keeps the suite's run time bounded.
#: ``SMMKIT_PROPERTIES_HUGE_ODDS=4`` hunts for slow paths with many more of them.
HUGE_ODDS = max(2, int(os.environ.get("SMMKIT_PROPERTIES_HUGE_ODDS", "200")))
_GATE = (HUGE_ODDS + 1) // 2


def _rarely_huge(normal: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``normal``, except about one draw in :data:`HUGE_ODDS`: a 1 MB text."""
    return st.tuples(
        st.integers(0, HUGE_ODDS),
        normal,
        st.sampled_from(HUGE_UNITS),
        st.sampled_from(["", "\ud800", "@", "#"]),
    ).map(lambda t: _huge(t[2], t[3], "") if t[0] == _GATE else t[1])


modest_texts: st.SearchStrategy[str] = st.one_of(odd_text, long_text, st.text(max_size=40))
""":data:`texts` without the 1 MB draws: for a callable with a recorded slow 1 MB defect
(``test_huge.py``), so the suite's run time stays bounded until it is fixed."""

texts: st.SearchStrategy[str] = _rarely_huge(modest_texts)
"""Text of every kind above: short odd text, 10 KB repetitions, hypothesis's own text,
and rarely a 1 MB pathological text (:data:`HUGE_UNITS`)."""

extreme_floats: st.SearchStrategy[float] = st.one_of(
    st.sampled_from(
        [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 0.0, -1.0, 1e16, 0.5]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
extreme_ints: st.SearchStrategy[int] = st.one_of(
    st.sampled_from([0, 1, -1, 2**31, 2**63, -(2**63), 10**30, -(10**30), 10**400]),
    st.integers(),
)
numbers: st.SearchStrategy[int | float] = st.one_of(extreme_ints, extreme_floats)

_ZONES: list[tzinfo] = [timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
_ZONES += [ZoneInfo(z) for z in ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe")]

naive_datetimes: st.SearchStrategy[datetime] = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)
)
aware_datetimes: st.SearchStrategy[datetime] = st.one_of(
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(_ZONES),
    ),
    st.sampled_from(
        [
            datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("America/New_York")),  # a DST gap
            datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")),  # a DST fold
            datetime(1, 1, 1, tzinfo=timezone.utc),
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc),
        ]
    ),
)
datetimes: st.SearchStrategy[datetime] = st.one_of(aware_datetimes, naive_datetimes)


class _Opaque:
    """An object of no type smmkit knows."""

    def __repr__(self) -> str:
        return "<opaque>"


junk: st.SearchStrategy[object] = st.sampled_from(
    [
        None,
        b"bytes",
        b"\xff\xfe",
        bytearray(b"x"),
        {},
        {"a": 1},
        [],
        [None],
        (),
        set(),
        frozenset(),
        _Opaque(),
        1.5,
        True,
        Decimal("NaN"),
        Decimal("1e999"),
        date(2026, 1, 1),
        timedelta(days=-1),
        datetime(2026, 1, 1),
        math.nan,
        -1,
        10**400,
        "",
    ]
)
"""Values of the wrong type (or degenerate) for almost any parameter."""


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


hashable_junk: st.SearchStrategy[object] = junk.filter(_hashable)
"""Wrong-typed values that can be dictionary keys."""

not_str: st.SearchStrategy[object] = junk.filter(lambda v: not isinstance(v, str))

anything: st.SearchStrategy[object] = st.one_of(junk, texts, numbers, datetimes)
"""Any malformed or extreme value."""


def platform_ids() -> st.SearchStrategy[str]:
    """A known platform id, an unknown one, or odd text."""
    from smmkit.catalog import platform_ids as ids

    return st.one_of(st.sampled_from(ids()), st.sampled_from(["myspace", "X", " x", ""]), odd_text)


def maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | object]:
    """``strategy`` most of the time, a malformed value otherwise."""
    return st.one_of(strategy, anything)


def tuples_of(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(items)


# -- values shaped by a type annotation ---------------------------------------------------

_SIMPLE_TEXT = st.sampled_from(
    ["tea", "x", "weibo", "mastodon", "CNY", "USD", "2026-01-01", "a@b.c"]
)


def plausible(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of roughly the annotated type (often valid, often extreme) or malformed."""
    return st.one_of(_shaped(annotation, depth), anything) if depth else _shaped(annotation, 0)


def _shaped(annotation: Any, depth: int) -> st.SearchStrategy[Any]:
    from pydantic import BaseModel, SecretStr

    try:
        if annotation in SAMPLES:
            return SAMPLES[annotation]
    except TypeError:  # an unhashable annotation
        pass
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shaped(args[0], depth)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_shaped(a, depth) for a in args))
    if annotation is type(None) or annotation is None:
        return st.none()
    if annotation is str:
        return st.one_of(_SIMPLE_TEXT, texts)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return extreme_ints
    if annotation is float:
        return numbers
    if annotation is Decimal:
        return st.one_of(st.decimals(), st.sampled_from([Decimal("NaN"), Decimal("-1e30")]))
    if annotation is datetime:
        return datetimes
    if annotation is date:
        return st.one_of(st.dates(), datetimes)
    if annotation is timedelta:
        return st.one_of(st.timedeltas(), st.sampled_from([timedelta(0), timedelta(days=-1)]))
    if annotation is SecretStr:
        return texts
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        members = list(annotation)
        return st.one_of(st.sampled_from(members), st.sampled_from([m.value for m in members]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if depth >= 2:
            return anything
        return model_kwargs(annotation, depth + 1)
    if origin in (tuple, list, set, frozenset, collections.abc.Sequence, collections.abc.Iterable):
        item = args[0] if args else Any
        values = st.lists(plausible(item, depth + 1), max_size=3)
        return values.map(tuple) if origin is tuple else values
    if origin in (dict, collections.abc.Mapping):
        key, value = args or (Any, Any)
        return st.dictionaries(_shaped(key, depth + 1), plausible(value, depth + 1), max_size=3)
    return anything


def model_kwargs(model: type[Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments for ``model``: each field shaped by its annotation or malformed,
    some left out."""
    fields = {
        name: info.annotation
        for name, info in model.model_fields.items()
        if info.annotation is not None
    }
    required = {n for n, info in model.model_fields.items() if info.is_required()}
    return st.fixed_dictionaries(
        {n: plausible(a, depth) for n, a in fields.items() if n in required},
        optional={n: plausible(a, depth) for n, a in fields.items() if n not in required},
    )


# -- calls shaped by a signature ------------------------------------------------------

#: type -> strategy of valid values of it, used before the annotation-driven guess
SAMPLES: dict[Any, st.SearchStrategy[Any]] = {}


def sample(kind: Any, strategy: st.SearchStrategy[Any]) -> None:
    """Teach :func:`plausible` what a valid ``kind`` looks like."""
    SAMPLES[kind] = strategy


def hints(fn: Callable[..., Any]) -> dict[str, Any]:
    """``fn``'s resolved annotations (``{}`` where they cannot be resolved)."""
    target = fn.__init__ if isinstance(fn, type) else fn  # type: ignore[misc]
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception:  # unresolvable forward references: no hints then
        return {}


def call_args(fn: Callable[..., Any]) -> st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Positional and keyword arguments for ``fn`` from its signature: each shaped by
    its annotation (often valid) or malformed; parameters with defaults often left out."""
    sig = inspect.signature(fn)
    types_ = hints(fn)
    positional: list[st.SearchStrategy[Any]] = []
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, param in sig.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or name == "self":
            continue
        values = st.one_of(_shaped(types_.get(name, Any), 1), anything)
        if param.kind is param.POSITIONAL_ONLY:
            positional.append(values)
        elif param.default is param.empty:
            required[name] = values
        else:
            optional[name] = values
    return st.tuples(st.tuples(*positional), st.fixed_dictionaries(required, optional=optional))


def conforms(value: Any, annotation: Any) -> bool:
    """A loose isinstance against an annotation: what can be checked cheaply is."""
    if annotation is Any or annotation is inspect.Signature.empty:
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return conforms(value, args[0])
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if annotation is None or annotation is type(None):
        return value is None
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is not None:
        return isinstance(value, origin) if isinstance(origin, type) else True
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


# -- tables of probes ---------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """How to throw inputs at one public callable.

    ``args`` draws ``(args, kwargs)`` (default: from the signature, see
    :func:`call_args`); ``check`` is an invariant of a result (called with the result,
    args and kwargs; it asserts, or returns ``False`` when it does not hold); ``bad``
    says which inputs must be refused; ``defect`` marks a callable outside this suite's
    area that fails: the reason and a minimal failing ``(args, kwargs)``, tried first so
    the strict xfail is reliable. ``regressions`` are malformed ``(args, kwargs)`` calls
    that once escaped as untyped errors (a fixed ``defect`` moves here): each is tried
    first on every example and must be refused with a typed error.
    """

    args: st.SearchStrategy[tuple[tuple[Any, ...], dict[str, Any]]] | None = None
    check: Callable[..., object] | None = None
    bad: Callable[..., bool] | None = None
    defect: tuple[str, tuple[Any, ...], dict[str, Any]] | None = None
    regressions: tuple[tuple[tuple[Any, ...], dict[str, Any]], ...] = ()


def kw(**strategies: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[tuple[()], dict[str, Any]]]:
    """Keyword arguments only: ``kw(text=texts, limit=st.none())``."""
    return st.tuples(st.just(()), st.fixed_dictionaries(strategies))


def run_probe(name: str, probe: Probe, data: st.DataObject) -> None:
    """One example of ``probe`` against the public callable ``name``."""
    fn = pkgutil.resolve_name(name)
    if probe.defect is not None:
        _reason, args, kwargs = probe.defect
        attempt(fn, *args, **kwargs)
    for args, kwargs in probe.regressions:
        outcome(fn, *args, bad=True, **kwargs)
    args, kwargs = data.draw(probe.args if probe.args is not None else call_args(fn), label="call")
    args, kwargs, swapped = _swap_in_junk(data, args, kwargs)
    bad = not swapped and probe.bad is not None and probe.bad(*args, **kwargs)
    result = outcome(fn, *args, bad=bad, **kwargs)
    if result is REFUSED:
        return
    if isinstance(fn, type):
        assert isinstance(result, fn)
    else:
        expected = hints(fn).get("return", Any)
        assert conforms(result, expected), f"returned {type(result).__name__}, not {expected}"
    if probe.check is not None and not swapped:
        verdict = probe.check(result, *args, **kwargs)
        assert verdict is not False, f"{name}: the invariant fails for {result!r:.300}"


#: about one call in JUNK_ODDS gets a wrong-typed value in place of one argument
JUNK_ODDS = 8


def _swap_in_junk(
    data: st.DataObject, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Any, ...], dict[str, Any], bool]:
    """Wrong Python types reach every entry point, whatever a probe's own strategy draws:
    now and then one argument (positional or keyword) becomes a :data:`junk` value.
    The call must still return or raise a typed error; its ``check`` is not applied."""
    slots: list[int | str] = [*range(len(args)), *kwargs]
    if not slots or data.draw(st.integers(0, JUNK_ODDS), label="swap") != JUNK_ODDS // 2:
        return args, kwargs, False
    slot = data.draw(st.sampled_from(slots), label="slot")
    value = data.draw(junk, label="junk")
    if isinstance(slot, int):
        return (*args[:slot], value, *args[slot + 1 :]), kwargs, True
    return args, {**kwargs, slot: value}, True


def probe_params(table: dict[str, Probe]) -> list[Any]:
    """pytest params of a probe table, strict xfails where a defect is recorded."""
    import pytest

    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=p.defect[0])] if p.defect else [],
        )
        for name, p in table.items()
    ]


@contextlib.contextmanager
def isolated_registries() -> Iterator[None]:
    """Undo what a property registers (platform ids, adapters, extras models)."""
    from smmkit import catalog
    from smmkit.models import extras
    from smmkit.platforms import _registry

    saved = (
        set(catalog._REGISTERED_IDS),
        dict(extras._REGISTRY),
        dict(_registry._default._targets),
        dict(_registry._default._extras),
    )
    try:
        yield
    finally:
        catalog._REGISTERED_IDS.clear()
        catalog._REGISTERED_IDS.update(saved[0])
        extras._REGISTRY.clear()
        extras._REGISTRY.update(saved[1])
        _registry._default._targets.clear()
        _registry._default._targets.update(saved[2])
        _registry._default._extras.clear()
        _registry._default._extras.update(saved[3])


# -- valid values of smmkit's own types -----------------------------------------------------

LINKS = ["https://tea.example.cn/menu", "https://b2b.example.com/x?y=1", "http://a.cn"]
tags: st.SearchStrategy[str] = st.one_of(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8), odd_text
)


def _valid(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Values of ``strategy`` that are not :data:`REFUSED` (built through ``outcome``)."""
    return strategy.filter(lambda v: v is not REFUSED)


def _media() -> st.SearchStrategy[Any]:
    from smmkit.models import MediaAsset

    return st.builds(
        lambda kind, url, duration: attempt(
            MediaAsset, kind=kind, url=url, duration_seconds=duration
        ),
        st.sampled_from(["image", "video", "gif"]),
        st.sampled_from(["file:///v.mp4", "data:image/png;base64,aGk=", "https://x.cn/a.png"]),
        st.none() | st.floats(0, 20_000),
    )


@st.composite
def _pieces(draw: st.DrawFn) -> Any:
    """A ContentPiece built from odd values (``REFUSED`` when the model refuses them)."""
    from smmkit.models import ContentPiece, Creator, UGCPermission

    source = draw(st.sampled_from(["ogc", "pgc", "ugc"]))
    creator = permission = None
    if source != "ogc" and draw(st.booleans()):
        creator = Creator(name="Lin", handle=draw(st.sampled_from(["lin", None])))
        if draw(st.booleans()):
            permission = UGCPermission(granted_at=draw(aware_datetimes))
    return attempt(
        ContentPiece,
        id=draw(st.one_of(st.just("p"), odd_text)),
        title=draw(st.one_of(st.none(), texts)),
        body=draw(texts),
        tags=tuple(draw(st.lists(tags, max_size=6))),
        links=tuple(draw(st.lists(st.one_of(st.sampled_from(LINKS), odd_text), max_size=2))),
        media=tuple(m for m in draw(st.lists(_media(), max_size=2)) if m is not REFUSED),
        source=source,
        creator=creator,
        permission=permission,
        campaign=draw(st.one_of(st.none(), odd_text)),
    )


@st.composite
def _posts(draw: st.DrawFn) -> Any:
    from smmkit.models import PlatformPost

    plat = draw(st.sampled_from(["x", "weibo", "bluesky", "mastodon", "linkedin", "wechat_oa"]))
    return attempt(
        PlatformPost,
        platform=plat,
        piece_id=draw(st.one_of(st.just("p"), odd_text)),
        title=draw(st.one_of(st.none(), texts)),
        body=draw(texts),
        parts=tuple(draw(st.lists(texts, max_size=3))),
        tags=tuple(draw(st.lists(tags, max_size=3))),
        links=tuple(draw(st.lists(st.sampled_from(LINKS), max_size=2))),
        media=tuple(m for m in draw(st.lists(_media(), max_size=2)) if m is not REFUSED),
    )


MEDIA_URLS = [
    "https://cdn.example.com/media/a.png",
    "https://cdn.example.com/media/",
    "http://a.cn/",
]


def zero_clock() -> float:
    """A clock stopped at 0 (for ``now=`` parameters)."""
    return 0.0


def retry_policies() -> st.SearchStrategy[Any]:
    """Valid :class:`~smmkit.platforms.RetryPolicy` values, from none to many retries."""
    from smmkit.platforms import RetryPolicy

    return st.builds(
        RetryPolicy,
        max_attempts=st.integers(1, 8),
        max_total_wait=st.sampled_from([0.0, 1.0, 30.0, 300.0, math.inf]),
    )


pieces = _pieces()
posts = _posts()
media = _media()


def register_samples() -> None:
    """Valid values for the annotations the signature-driven probes meet most."""
    import httpx

    from smmkit.catalog import get_platform_spec
    from smmkit.catalog import platform_ids as ids
    from smmkit.content.calendar import CalendarEntry
    from smmkit.models import ContentPiece, MediaAsset, Platform, PlatformPost
    from smmkit.platforms import PublishReceipt, Token
    from smmkit.platforms._adapter import RECEIVED_AT

    specs = [get_platform_spec(p) for p in ids()]
    sample(Platform, st.sampled_from(specs))
    sample(ContentPiece, _valid(pieces))
    sample(PlatformPost, _valid(posts))
    sample(MediaAsset, _valid(media))
    urls = st.one_of(
        st.sampled_from(["https://h.example/p?access_token=abc&x=1", "http://a.cn/", "/rel"]),
        odd_text,
    )
    sample(
        httpx.Request,
        st.builds(
            lambda method, url: attempt(httpx.Request, method, url),
            st.sampled_from(["GET", "POST", "DELETE"]),
            st.sampled_from(["https://h.example/p?access_token=abc", "https://a.cn/x"]),
        ),
    )
    sample(
        httpx.Response,
        st.builds(
            lambda status, at: httpx.Response(status, extensions={RECEIVED_AT: at} if at else {}),
            st.sampled_from([200, 429, 500]),
            st.none() | st.floats(0, 2e9),
        ),
    )
    sample(
        httpx.Headers,
        st.dictionaries(
            st.sampled_from(["Retry-After", "x-rate-limit-reset", "X-RateLimit-Reset"]),
            st.one_of(
                st.sampled_from(["7", "1700000060", "2026-01-01T00:05:00Z", "-3", "nan", "1e400"]),
                st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
            ),
        ).map(httpx.Headers),
    )
    sample(httpx.URL, urls)
    sample(
        Token,
        st.builds(
            lambda token, at: Token(access_token=token, expires_at=at),
            st.sampled_from(["t", "u"]),
            st.none() | aware_datetimes,
        ),
    )
    sample(
        PublishReceipt,
        st.builds(
            lambda post_id, status: attempt(
                PublishReceipt, platform="wechat_oa", post_id=post_id, status=status
            ),
            st.one_of(st.none(), st.sampled_from(["22|2247483650", "Art_1"]), odd_text),
            st.sampled_from(["processing", "published", "failed"]),
        ),
    )
    sample(
        CalendarEntry,
        _valid(
            st.builds(
                lambda i, plat, at: attempt(
                    CalendarEntry, id=i, piece_id="p", platform=plat, at=at
                ),
                st.one_of(st.just("e1"), odd_text),
                st.sampled_from(["x", "weibo", "mastodon"]),
                aware_datetimes,
            )
        ),
    )


register_samples()


def register_domain_samples() -> None:
    """Valid audience, analytics and crisis values: drawn from the demo's synthetic data
    (fixed seed), so the probes reach past the first type check."""
    from smmkit.audience import CreatorPost
    from smmkit.demo import make_tea_brand_data
    from smmkit.models import Interaction, Journey, Mention, MetricObservation, Money, User

    demo = make_tea_brand_data(7)
    sample(User, st.sampled_from(demo.users[:200]))
    sample(Interaction, st.sampled_from(demo.interactions[:400]))
    sample(MetricObservation, st.sampled_from(demo.observations[:400]))
    sample(Journey, st.sampled_from(demo.journeys[:300]))
    sample(Mention, st.sampled_from(demo.mentions[:300]))
    sample(CreatorPost, st.sampled_from(demo.creator_posts))
    sample(
        Money,
        st.builds(
            lambda amount, currency: attempt(Money, amount=amount, currency=currency),
            st.one_of(st.decimals(allow_nan=False, allow_infinity=False), st.integers(-5, 10**9)),
            st.sampled_from(["CNY", "USD", "EUR", "XXX", "cny"]),
        ).filter(lambda m: m is not REFUSED),
    )


register_domain_samples()
