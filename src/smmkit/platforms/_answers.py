"""What the platform clients do alike with the answers they get.

* :func:`request_of`: the request of an answer (``None`` for one built by hand), to
  tell the OAuth endpoints' answers from the API's;
* :func:`json_object`: an answer's body as a JSON object, or ``None`` (not JSON, or
  not an object): the start of reading every platform's error body;
* :func:`send_noting`: send a request, and put a request id that the error body
  carried (Graph's ``fbtrace_id``, TikTok's ``log_id``), remembered by ``parse_error``,
  on the error raised for it when no header gave one;
* :func:`wait_out`: a window the platform said is empty is waited for up to
  :data:`MAX_PACING_WAIT`, else refused before anything is sent (X, Meta).

Example:
    >>> json_object(b'{"error": {"code": 4}}'), json_object(b"<html>"), json_object(b"[]")
    ({'error': {'code': 4}}, None, None)
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from smmkit.exceptions import PlatformError, RateLimitError
from smmkit.platforms._adapter import Flow, Now, Wait

__all__ = ["MAX_PACING_WAIT", "RequestIds", "json_object", "request_of", "send_noting", "wait_out"]

MAX_PACING_WAIT = 60.0
"""An empty window closer than this (seconds) is waited for, a later one reported."""

RequestIds = weakref.WeakKeyDictionary[httpx.Request, str]
"""Request ids read from error bodies, by the request they answer."""


def request_of(response: httpx.Response) -> httpx.Request | None:
    """The request of ``response``, or ``None`` for a response built without one.

    Example:
        >>> request_of(httpx.Response(200)) is None
        True
    """
    try:
        return response.request
    except RuntimeError:
        return None


def json_object(content: bytes) -> dict[str, Any] | None:
    """``content`` parsed as a JSON object; ``None`` when it is empty, not JSON or not an
    object.

    Example:
        >>> json_object(b'{"code": 0}'), json_object(b"")
        ({'code': 0}, None)
    """
    try:
        body = json.loads(content) if content else None
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def send_noting(request: httpx.Request, request_ids: RequestIds) -> Flow[httpx.Response]:
    """Flow: send ``request``; an error raised for it without a request id gets the one
    ``request_ids`` holds for it (read from the error body by ``parse_error``).

    Example:
        >>> request = httpx.Request("GET", "https://api.example/x")
        >>> next(send_noting(request, RequestIds())) is request
        True
    """
    try:
        response: httpx.Response = yield request
    except PlatformError as exc:
        if exc.request_id is None:
            exc.request_id = request_ids.get(request)
        raise
    return response


def wait_out(
    platform: str, wait_at: Callable[[float], float], refusal: Callable[[float], str]
) -> Flow[None]:
    """Flow: wait until a window the platform said is empty opens again.

    ``wait_at(now)`` is the wait in seconds at ``now`` (epoch seconds on the driver's
    clock). Up to :data:`MAX_PACING_WAIT` is waited for; a longer wait is a
    :class:`~smmkit.exceptions.RateLimitError` with ``retry_after`` and the message
    ``refusal(wait)``, raised before anything is sent.

    Example:
        >>> from datetime import datetime, timezone
        >>> flow = wait_out("x", lambda now: 30.0, lambda wait: f"{wait:.0f} s")
        >>> next(flow).__class__.__name__
        'Now'
        >>> flow.send(datetime(2026, 1, 1, tzinfo=timezone.utc))
        Wait(seconds=30.0)
    """
    now: datetime = yield Now()
    wait = wait_at(now.timestamp())
    if wait > MAX_PACING_WAIT:
        raise RateLimitError(
            refusal(wait),
            platform=platform,
            retry_after=wait,
            outcome_unknown=False,
            retries_exhausted=True,
        )
    if wait > 0:
        yield Wait(wait)
