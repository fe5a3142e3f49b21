"""A PDS's ``subscribeRepos`` WebSocket as a resumable stream of inbox events.

:class:`BlueskyFirehose` connects to ``ws(s)://<pds>/xrpc/com.atproto.sync.subscribeRepos``
with ``?cursor=<seq>`` (the PDS replays every event after it), decodes each frame
(:mod:`._firehose`) and yields the inbox events it derives. Its :attr:`cursor` moves
with what it yielded, so a stream stopped anywhere, even between two events of one
commit, resumes from it with nothing lost and nothing repeated. A dropped connection is
re-opened from the cursor after a pause chosen by the retry policy, on the clock given.

The WebSocket client is ``websockets`` (the ``firehose`` extra).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Iterator

import httpx

from smmkit.exceptions import (
    InvalidInputError,
    MissingExtraError,
    PlatformError,
    ServerError,
    TransportError,
)
from smmkit.models.inbox import InboxEvent
from smmkit.platforms._checks import require, require_number
from smmkit.platforms._clock import Clock, SystemClock
from smmkit.platforms._firehose import BrandWatch, decode_frame, frame_events
from smmkit.platforms._retry import RetryPolicy
from smmkit.platforms._stream_common import Backoff, Disconnected, ReconnectingStream, strings

__all__ = ["BlueskyFirehose", "parse_cursor"]

_NSID = "com.atproto.sync.subscribeRepos"
# Error frames after which re-opening from the same cursor cannot help.
_FATAL = frozenset({"FutureCursor"})


def parse_cursor(cursor: str | None) -> tuple[int | None, int]:
    """``"seq"`` or ``"seq:k"`` (k events of commit ``seq+1`` already yielded) → parts.

    Example:
        >>> parse_cursor("41"), parse_cursor("41:2"), parse_cursor(None)
        ((41, 0), (41, 2), (None, 0))
    """
    if cursor is None:
        return None, 0
    require(cursor, "cursor", str, "a cursor this stream gave (a str) or None")
    seq, _, done = cursor.partition(":")
    if not seq.isdigit() or (done and not done.isdigit()):
        raise InvalidInputError.single("cursor", "must be a cursor this stream gave", cursor)
    return int(seq), int(done or 0)


def _websocket_url(base_url: str, cursor: int | None) -> str:
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError):  # non-printable characters, lone surrogates
        raise InvalidInputError.single("base_url", "is not a URL", base_url) from None
    scheme = {"http": "ws", "https": "wss"}.get(url.scheme, url.scheme)
    if scheme not in ("ws", "wss"):
        raise InvalidInputError.single("base_url", "must be an http(s) or ws(s) URL", base_url)
    params = {} if cursor is None else {"cursor": str(cursor)}
    path = url.path.rstrip("/") + f"/xrpc/{_NSID}"
    return str(url.copy_with(scheme=scheme, path=path, params=params))


class BlueskyFirehose(ReconnectingStream[InboxEvent]):
    """Mentions, comments, replies and quotes of the brand, live from a PDS's event stream.

    ``base_url`` is the PDS (``https://pds.example``; a relay works too), ``dids`` the
    brand's accounts, ``watch_terms`` words that make any post an event. ``cursor`` is
    one that this class gave earlier (:attr:`cursor`); without it the stream starts
    now. ``retry`` and ``clock`` pace reconnections (a :class:`SimulatedClock` in
    tests). ``max_message_bytes`` bounds one frame (a PDS caps commits at about 2 MB).

    Iterate with ``async for`` inside ``async with``; from sync code use
    :func:`~smmkit.platforms.streams.iterate_sync`.

    Example:
        >>> firehose = BlueskyFirehose("http://127.0.0.1:2583", ["did:plc:brand"], cursor="42")
        >>> firehose.cursor  # persist it; BlueskyFirehose(..., cursor=it) resumes there
        '42'
    """

    def __init__(
        self,
        base_url: str,
        dids: Iterable[str],
        *,
        watch_terms: Iterable[str] = (),
        cursor: str | None = None,
        retry: RetryPolicy | None = None,
        clock: Clock | None = None,
        open_timeout: float = 10.0,
        max_message_bytes: int = 5_000_000,
    ) -> None:
        if not isinstance(base_url, str):
            raise InvalidInputError.single("base_url", "must be a str", type(base_url).__name__)
        self.watch = BrandWatch(
            dids=strings(dids, "dids"), watch_terms=strings(watch_terms, "watch_terms")
        )
        if retry is not None:
            require(retry, "retry", RetryPolicy, "a RetryPolicy or None")
        if clock is not None:
            require(clock, "clock", Clock, "a Clock or None")
        if require_number(open_timeout, "open_timeout") <= 0:
            raise InvalidInputError.single("open_timeout", "must be > 0", open_timeout)
        if require(max_message_bytes, "max_message_bytes", int, "an int") < 1:
            raise InvalidInputError.single("max_message_bytes", "must be >= 1", max_message_bytes)
        self._dids = frozenset(self.watch.dids)
        self._seq, self._done = parse_cursor(cursor)
        _websocket_url(base_url, None)  # refuse a bad URL now, not at the first iteration
        self.base_url = base_url
        self._open_timeout = open_timeout
        self._max_bytes = max_message_bytes
        super().__init__(Backoff(retry or RetryPolicy(), clock or SystemClock()))
        self.frames = 0
        """Frames decoded so far (all types, also those with nothing for the brand)."""

    @property
    def cursor(self) -> str | None:
        """Where to resume: ``"seq"``, or ``"seq:k"`` inside a commit with several events."""
        if self._seq is None:
            return None
        return f"{self._seq}:{self._done}" if self._done else str(self._seq)

    async def _connection(self) -> AsyncGenerator[InboxEvent, None]:
        try:
            from websockets.asyncio.client import connect
            from websockets.exceptions import InvalidStatus, WebSocketException
        except ImportError:  # pragma: no cover - the extra is in the test environment
            raise MissingExtraError("websockets", extra="firehose") from None
        url = _websocket_url(self.base_url, self._seq)
        failure: PlatformError
        try:
            async with connect(
                url, open_timeout=self._open_timeout, max_size=self._max_bytes
            ) as socket:
                self._opened()
                async for message in socket:
                    if isinstance(message, str):
                        continue  # the protocol sends binary frames only
                    for event in self._frame(message):  # an error frame ends the stream
                        yield event
            failure = TransportError("the PDS closed the event stream", platform="bluesky")
        except InvalidStatus as exc:
            status = exc.response.status_code
            failure = ServerError(f"subscribeRepos answered {status}", status=status)
        except (OSError, TimeoutError, WebSocketException) as exc:
            failure = TransportError(f"event stream failed: {exc!r}", platform="bluesky")
        raise Disconnected(failure)

    def _frame(self, message: bytes) -> Iterator[InboxEvent]:
        frame = decode_frame(message)
        self.frames += 1
        if frame.error is not None:
            name, text = frame.error
            error = ServerError(f"subscribeRepos error {name}: {text}", status=400)
            if name in _FATAL:
                error.retries_exhausted = True
            raise error
        if frame.seq is None:
            return iter(())
        if self._seq is not None and frame.seq <= self._seq:
            return iter(())  # replayed by a relay that does not honour the cursor exactly
        events = frame_events(frame, self.watch, dids=self._dids)
        return self._advancing(frame.seq, events)

    def _advancing(self, seq: int, events: list[InboxEvent]) -> Iterator[InboxEvent]:
        # The cursor moves as each event is handed out, not before: a consumer that stops
        # after the first event of a two-post commit resumes at the second.
        previous = seq - 1 if self._seq is None else self._seq
        done, self._done = self._done, 0
        if done >= len(events):
            self._seq = seq
            return
        for index in range(done, len(events)):
            if index == len(events) - 1:
                self._seq, self._done = seq, 0
            else:
                self._seq, self._done = previous, index + 1
            yield events[index]
