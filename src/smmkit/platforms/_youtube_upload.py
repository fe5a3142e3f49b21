"""YouTube's resumable upload protocol, as flows.

From https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol
(read 2026-12-06):

1. ``POST /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the
   video resource as JSON and ``X-Upload-Content-Length``/``-Type``; the answer's
   ``Location`` is the session URI.
2. ``PUT`` the bytes to the session URI in chunks (multiples of 256 KiB but the last),
   each with ``Content-Range: bytes FIRST-LAST/TOTAL``. ``308 Resume Incomplete`` with
   ``Range: bytes=0-N`` says how much the server holds; ``200``/``201`` carries the
   new ``Video``.
3. After a broken connection or a 5xx, ``PUT`` an empty body with
   ``Content-Range: bytes */TOTAL`` to ask for the offset, and go on from the server's
   offset: the bytes it did not keep are sent again, nothing twice. A session that
   already finished answers that query with the video; ``404`` means it expired.

The chunk ``PUT``\\ s are marked unsafe, so a driver never resends one blindly: a failed
chunk comes back into :func:`send`, which asks the server where to go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from smmkit.exceptions import NotFoundError, PlatformError, ServerError, TransportError
from smmkit.platforms._adapter import Flow, PlatformAdapter
from smmkit.platforms._translate import read_answer
from smmkit.platforms._youtube_wire import WireVideo, next_offset, video_of

__all__ = ["CHUNK_GRANULE", "UploadSession", "initiate", "send", "status"]

CHUNK_GRANULE = 256 * 1024
"""Chunks other than the last must be a multiple of this (256 KiB)."""

UPLOAD_ENDPOINT = "videos_upload"  # the rate-limit endpoint of the chunk requests


@dataclass(frozen=True)
class UploadSession:
    """A resumable upload session: its URI and the size of the whole video."""

    uri: str
    total: int


def _session_uri(response: httpx.Response, upload_url: str) -> str:
    location = response.headers["location"]
    uri = httpx.URL(upload_url).join(location)
    expected = httpx.URL(upload_url)
    # The token goes to this URI: only to the upload host itself, over https.
    if uri.scheme != "https" and expected.scheme == "https":
        raise ValueError("the session URI is not https")
    if uri.host != expected.host:
        raise ValueError("the session URI is on another host")
    return str(uri)


def initiate(
    adapter: PlatformAdapter,
    upload_url: str,
    body: dict[str, Any],
    *,
    total: int,
    mime: str,
    params: dict[str, str],
) -> Flow[UploadSession]:
    """Start a session (step 1). Safe to repeat: a session holds no video until its
    last byte arrives, and an unused one expires."""
    request = adapter.request(
        "POST",
        upload_url,
        endpoint="videos_insert",
        safe=True,
        params={"uploadType": "resumable", "part": "snippet,status", **params},
        json=body,
        headers={"X-Upload-Content-Length": str(total), "X-Upload-Content-Type": mime},
    )
    response = yield request
    uri = read_answer(adapter, response, lambda r: _session_uri(r, upload_url))
    return UploadSession(uri=uri, total=total)


def status(adapter: PlatformAdapter, session: UploadSession) -> Flow[int | WireVideo | None]:
    """Ask the session how far it got: the next offset, the finished video, or ``None``
    when the session is gone (expired: nothing of it was published)."""
    request = adapter.request(
        "PUT",
        session.uri,
        endpoint=UPLOAD_ENDPOINT,
        safe=True,
        headers={"Content-Range": f"bytes */{session.total}"},
        content=b"",
    )
    try:
        response = yield request
    except NotFoundError:
        return None
    except PlatformError as exc:
        if exc.status == 410:
            return None
        raise
    if response.status_code == 308:
        return next_offset(response)
    return read_answer(adapter, response, video_of)


def send(
    adapter: PlatformAdapter,
    session: UploadSession,
    data: bytes,
    *,
    start: int,
    chunk: int,
    mime: str,
    max_stalls: int,
) -> Flow[WireVideo]:
    """Upload ``data`` from ``start`` (step 2), resuming from the server's offset after
    a broken connection or a 5xx (step 3). ``max_stalls`` failed or fruitless chunks
    in a row end it with the last error, flagged ``outcome_unknown`` (the last bytes
    may have arrived: a read-back or a later :func:`status` tells)."""
    total = session.total
    offset = start
    stalls = 0
    while True:
        if offset >= total:
            # The server holds every byte but has not shown the video yet: ask.
            state = yield from status(adapter, session)
            if isinstance(state, WireVideo):
                return state
            if state is None:
                raise _expired(adapter)
            if state >= total:
                raise ServerError(
                    "the upload holds every byte but YouTube did not return the video",
                    platform=adapter.platform_id,
                    outcome_unknown=True,
                )
            offset = state
        end = min(offset + chunk, total)
        request = adapter.request(
            "PUT",
            session.uri,
            endpoint=UPLOAD_ENDPOINT,
            safe=False,
            content=data[offset:end],
            headers={"Content-Range": f"bytes {offset}-{end - 1}/{total}", "Content-Type": mime},
        )
        try:
            response = yield request
        except (TransportError, ServerError) as exc:
            stalls += 1
            if stalls > max_stalls:
                exc.outcome_unknown = True
                raise
            state = yield from status(adapter, session)
            if isinstance(state, WireVideo):
                return state  # the lost answer was the last one: the video exists
            if state is None:
                raise _expired(adapter) from None
            offset = state
            continue
        if response.status_code != 308:
            return read_answer(adapter, response, video_of)
        reached = read_answer(adapter, response, next_offset)
        stalls = 0 if reached > offset else stalls + 1
        if stalls > max_stalls:
            raise ServerError(
                f"the upload makes no progress at byte {reached}",
                platform=adapter.platform_id,
                outcome_unknown=False,
            )
        offset = reached


def _expired(adapter: PlatformAdapter) -> PlatformError:
    # An expired session never finished (a finished one answers with its video), but
    # say "unknown" all the same: the publish protocol then reads back before a new
    # upload, which costs a few list calls and rules out a double post.
    return NotFoundError(
        "the upload session expired before the video was complete",
        platform=adapter.platform_id,
        outcome_unknown=True,
    )
