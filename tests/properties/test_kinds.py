"""One property per kind: every error class, every enum, every protocol.

* errors: each class of ``smmkit.exceptions`` built from odd and extreme text renders
  its message, keeps what it was given and sits in smmkit's hierarchy (bad-input
  errors are also ``ValueError``, unknown ids also ``KeyError``);
* enums: calling an enum is Python's lookup protocol, so a value it does not know is a
  ``ValueError`` (pydantic models turn that into ``InvalidInputError``; see
  test_models). The property: every member round-trips through its value and name,
  and no malformed value makes the lookup raise anything but ``ValueError``;
* protocols: ``isinstance`` against a runtime-checkable protocol answers for any
  object, and the implementations smmkit ships satisfy it.
"""

from __future__ import annotations

import enum
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import anything, covers, fast, odd_text, public_objects, texts

import smmkit.exceptions as errors
from smmkit.exceptions import FieldProblem, InvalidInputError, SmmkitError

ERRORS = public_objects(lambda o: isinstance(o, type) and issubclass(o, BaseException))
ENUMS = public_objects(lambda o: isinstance(o, type) and issubclass(o, enum.Enum))
PROTOCOLS = public_objects(lambda o: isinstance(o, type) and getattr(o, "_is_protocol", False))

_PLATFORM_ERRORS = [
    c for _, c in ERRORS if issubclass(c, errors.PlatformError) and c is not errors.PlatformError
]
_SIMPLE_ERRORS = (
    errors.SmmkitError,
    errors.ConfigurationError,
    errors.WebhookError,
    errors.SignatureError,
    errors.ReplayError,
    errors.DecryptError,
    errors.MalformedPayloadError,
    errors.NotPicklableError,
)
_PROBLEM_ERRORS = (
    errors.InvalidInputError,
    errors.ContentRuleError,
    errors.PermissionMissingError,
    errors.BudgetError,
    errors.MediaSourceError,
    errors.MediaTooLargeError,
)


#: the platform errors of the client modules (their own module, not smmkit.exceptions)
_CLIENT_ERRORS = {
    "smmkit.platforms.youtube.YouTubeQuotaError",
    "smmkit.platforms.bilibili.BilibiliDailyLimitError",
    "smmkit.platforms.bilibili.BilibiliReviewRejectedError",
    "smmkit.platforms.douyin.DouyinReauthorizeError",
    "smmkit.platforms.wechat_component.WeChatComponentError",
    "smmkit.platforms.wechat_component.ComponentIPNotAllowedError",
    "smmkit.platforms.wechat_component.ComponentTicketError",
    "smmkit.platforms.wechat_component.AuthorizerRefreshTokenError",
}


def test_the_kinds_are_all_found() -> None:
    # 36 in smmkit.exceptions (31, NotPicklable, TokenUnavailable and 3 media errors, #16)
    # and the 8 client errors of _CLIENT_ERRORS: YouTubeQuotaError, BilibiliDailyLimitError,
    # BilibiliReviewRejectedError, DouyinReauthorizeError and the four WeChat component
    # errors (WeChatComponentError, ComponentIPNotAllowedError, ComponentTicketError,
    # AuthorizerRefreshTokenError); each is a PlatformError built by _build.
    assert len(ERRORS) == 44
    assert {name for name, _ in ERRORS} >= _CLIENT_ERRORS
    assert len(ENUMS) > 50
    assert {name for name, _ in PROTOCOLS} >= {"smmkit.platforms.Clock"}
    covered = (
        set(_SIMPLE_ERRORS)
        | set(_PROBLEM_ERRORS)
        | {errors.PlatformError, *_PLATFORM_ERRORS}
        | {
            errors.UnknownPlatformError,
            errors.PlatformMismatchError,
            errors.ContentTooLongError,
            errors.IllegalTransitionError,
            errors.MissingExtraError,
        }
    )
    assert {c for _, c in ERRORS} == covered


def _build(cls: type[BaseException], data: st.DataObject) -> tuple[BaseException, list[str]]:
    """An instance of ``cls`` from odd text, and the texts its message must keep."""
    text = data.draw(texts, label="text")
    word = data.draw(odd_text, label="word")
    if cls in _SIMPLE_ERRORS:
        return cls(text), [text]
    if cls in _PROBLEM_ERRORS:
        assert issubclass(cls, InvalidInputError)
        if data.draw(st.booleans()):
            value = data.draw(anything, label="value")
            err = cls.single(word or "f", text, value)
            assert err.fields == (word or "f",)
            return err, [text]
        return cls([FieldProblem(word or "f", text, data.draw(st.none() | odd_text))]), [text]
    if cls is errors.UnknownPlatformError:
        known = data.draw(st.lists(odd_text, max_size=5))
        err = errors.UnknownPlatformError(word, known, field=text or "platform")
        assert err.known == tuple(sorted(known))
        return err, [*known]
    if cls is errors.PlatformMismatchError:
        post = data.draw(st.none() | odd_text)
        err = errors.PlatformMismatchError(post_platform=post, client_platform=word)
        return err, [word]
    if cls is errors.ContentTooLongError:
        unfit = data.draw(st.lists(odd_text, max_size=4))
        err = errors.ContentTooLongError(field="body", platform=word, unfit=unfit, limit=text)
        assert err.unfit == tuple(unfit)
        return err, [word, *unfit]
    if cls is errors.IllegalTransitionError:
        allowed = data.draw(st.lists(odd_text, max_size=3))
        return errors.IllegalTransitionError(word, text, allowed), [*allowed]
    if cls is errors.MissingExtraError:
        return errors.MissingExtraError(word, extra=text), [text]
    assert issubclass(cls, errors.PlatformError)
    kwargs: dict[str, Any] = {
        "platform": data.draw(st.none() | odd_text),
        "status": data.draw(st.none() | st.integers(-(10**20), 10**20)),
        "code": data.draw(st.none() | odd_text | st.integers()),
        "request_id": data.draw(st.none() | odd_text),
        "method": "POST",
        "url": data.draw(st.none() | odd_text),
        "delivered": data.draw(st.lists(odd_text, max_size=3)),
    }
    if issubclass(cls, (errors.RateLimitError, errors.ServerError)):  # and the quota errors
        kwargs["retry_after"] = data.draw(st.none() | st.floats(allow_nan=True))
    platform_error = cls(text, **kwargs)
    assert platform_error.delivered == tuple(kwargs["delivered"])
    assert platform_error.platform == kwargs["platform"]
    if "retry_after" in kwargs:
        assert getattr(platform_error, "retry_after", None) is kwargs["retry_after"]
    return platform_error, [text]


@fast(120)
@given(st.sampled_from([c for _, c in ERRORS]), st.data())
@covers(*(name for name, _ in ERRORS))
def test_every_error_renders_and_keeps_what_it_was_given(
    cls: type[BaseException], data: st.DataObject
) -> None:
    err, kept = _build(cls, data)
    assert isinstance(err, SmmkitError)
    message = str(err)
    for text in kept:
        assert text in message or repr(text) in message  # shown as is, or as its repr
    if isinstance(err, InvalidInputError):
        assert isinstance(err, ValueError)
        assert err.fields
    if isinstance(err, errors.UnknownPlatformError):
        assert isinstance(err, KeyError)
    if isinstance(err, errors.MissingExtraError):
        assert isinstance(err, ImportError)
    with pytest.raises(type(err)):
        raise err


@fast(20)
@given(st.lists(st.tuples(odd_text, odd_text, st.none() | odd_text), max_size=4))
@covers("smmkit.exceptions.FieldProblem")
def test_field_problems_render_every_part(parts: list[tuple[str, str, str | None]]) -> None:
    problems = [FieldProblem(*p) for p in parts]
    for problem, (name, text, value) in zip(problems, parts, strict=True):
        rendered = str(problem)
        assert rendered.startswith(f"{name}: {text}")
        assert value is None or value in rendered
        assert pickle.loads(pickle.dumps(problem)) == problem


@fast(150)
@given(st.sampled_from([c for _, c in ENUMS]), anything)
@covers(*(name for name, _ in ENUMS))
def test_enums_round_trip_and_refuse_only_with_value_error(
    cls: type[enum.Enum], value: object
) -> None:
    for member in cls:
        assert cls(member.value) is member
        assert cls[member.name] is member
        assert pickle.loads(pickle.dumps(member)) is member
    try:
        found = cls(value)
    except ValueError:
        return
    assert isinstance(found, cls)
    assert found.value == value or found is value


def _implementations() -> dict[str, Callable[[], object]]:
    from smmkit.crisis import LexiconAnalyzer
    from smmkit.platforms import InMemoryTokenStore, SimulatedClock, SystemClock
    from smmkit.webhooks import InMemoryNonceStore

    return {
        "smmkit.platforms.Clock": SimulatedClock,
        "smmkit.platforms.TokenStore": InMemoryTokenStore,
        "smmkit.webhooks.NonceStore": InMemoryNonceStore,
        "smmkit.crisis.SentimentAnalyzer": LexiconAnalyzer,
        "smmkit.platforms.SystemClock": SystemClock,
    }


@fast(40)
@given(st.sampled_from(PROTOCOLS), anything)
@covers(*(name for name, _ in PROTOCOLS))
def test_protocol_checks_answer_for_any_object(protocol: tuple[str, type], value: object) -> None:
    name, cls = protocol
    assert isinstance(isinstance(value, cls), bool)
    assert isinstance(_implementations()[name](), cls)
