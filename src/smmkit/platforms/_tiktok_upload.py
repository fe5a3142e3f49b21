"""TikTok's chunked ``FILE_UPLOAD``: one publish task per post, resumed chunk by chunk.

A :class:`PublishTask` is what :class:`~smmkit.platforms.tiktok.TikTokAdapter` remembers
of one post between the requests of a publish (and between attempts of the same
publish): the ``publish_id`` and ``upload_url`` TikTok handed out, the chunk plan and
how far the upload got. :func:`upload_chunks` sends the chunks in order
(``PUT upload_url`` with ``Content-Range``; TikTok answers 206, and 201 for the last).

No chunk is sent blindly twice: a chunk whose answer was lost (a timeout, a reset, a
5xx) or that TikTok refused as out of step (416) is followed by a look at TikTok's own
count of the bytes it holds (``status/fetch``'s ``uploaded_bytes``), and the upload
goes on from there: the chunk again if it did not land, the next one if it did.
Source: https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide
(read 2026-12-06).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from smmkit.exceptions import APIError, PlatformError, ServerError, TransportError
from smmkit.platforms._adapter import Flow
from smmkit.platforms._results import PublishReceipt, PublishStatus
from smmkit.platforms._tiktok_wire import chunk_ranges, resume_index, video_url

__all__ = [
    "UPLOAD_URL_SECONDS",
    "PublishTask",
    "status_receipt",
    "task_receipt",
    "upload_chunks",
]

UPLOAD_URL_SECONDS = 3600.0
"""How long an ``upload_url`` is valid after TikTok issued it (one hour)."""
POLL_SECONDS = 5.0


@dataclass
class PublishTask:
    """One post's publish with TikTok, as far as smmkit has seen it.

    ``init_lost`` is set when the init request went out and its answer did not come
    back (TikTok may hold a task smmkit has no id for); ``data`` holds the video's bytes
    until the upload is complete, so a later attempt resumes instead of starting over.

    Example:
        >>> task = PublishTask(mode="direct", source="FILE_UPLOAD", size=10, chunk_size=10,
        ...                    count=1, mime="video/mp4", data=b"0123456789")
        >>> task.resumable(now=None)
        False
    """

    mode: str
    source: str
    size: int = 0
    chunk_size: int = 0
    count: int = 0
    mime: str = "video/mp4"
    data: bytes | None = field(default=None, repr=False)
    publish_id: str | None = None
    upload_url: str | None = field(default=None, repr=False)
    issued_at: float | None = None
    next_chunk: int = 0
    uploaded: bool = False
    init_lost: bool = False
    username: str | None = None

    def resumable(self, *, now: float | None) -> bool:
        """Whether a new attempt can go on with this task's upload (a file upload under
        way, its bytes at hand and its upload URL still valid) instead of a new init."""
        if self.source != "FILE_UPLOAD" or self.uploaded or self.data is None:
            return False
        if self.publish_id is None or self.upload_url is None:
            return False
        if now is not None and self.issued_at is not None:
            return now - self.issued_at < UPLOAD_URL_SECONDS - 60
        return True


def _recoverable(exc: PlatformError) -> bool:
    """A chunk error after which TikTok's own count says what to send next."""
    if isinstance(exc, (TransportError, ServerError)):
        return True
    return isinstance(exc, APIError) and exc.status == 416


def upload_chunks(
    task: PublishTask,
    *,
    send: Callable[[httpx.Request], Flow[httpx.Response]],
    chunk_request: Callable[[str, bytes, str, str], httpx.Request],
    uploaded_bytes: Callable[[], Flow[int | None]],
    retries: int,
    resume: bool = False,
) -> Flow[None]:
    """Send ``task``'s chunks from ``task.next_chunk`` on, in order.

    ``chunk_request(url, body, content_type, content_range)`` builds one ``PUT``;
    ``uploaded_bytes()`` asks TikTok how many bytes it holds (``None``: it does not say).
    After a recoverable error the upload resumes from TikTok's count, at most
    ``retries`` times in a row; any other error, or a count off the chunk boundaries,
    is raised. ``resume=True`` (a later attempt of the same publish) asks TikTok's count
    before the first chunk.

    Example:
        >>> task = PublishTask(mode="direct", source="FILE_UPLOAD", size=4, chunk_size=4,
        ...     count=1, mime="video/mp4", data=b"abcd", publish_id="v_pub_file~v2-1.1",
        ...     upload_url="https://open-upload.tiktokapis.com/video/?upload_id=1")
        >>> def send(request):
        ...     response = yield request
        ...     return response
        >>> def chunk(url, body, kind, where):
        ...     return httpx.Request("PUT", url, content=body, headers={"Content-Range": where})
        >>> def count():
        ...     return None
        ...     yield
        >>> flow = upload_chunks(task, send=send, chunk_request=chunk, uploaded_bytes=count,
        ...                      retries=2)
        >>> next(flow).headers["Content-Range"]
        'bytes 0-3/4'
        >>> try:
        ...     flow.send(httpx.Response(201))
        ... except StopIteration:
        ...     print(task.uploaded, task.data)
        True None
    """
    if task.upload_url is None or task.data is None:
        raise APIError("no upload URL or video bytes for this TikTok upload", platform="tiktok")
    ranges = chunk_ranges(task.size, task.chunk_size, task.count)
    failures = 0
    index = task.next_chunk
    if resume:
        index = yield from _held_index(task, uploaded_bytes)
    while index < task.count:
        first, last = ranges[index]
        body = task.data[first : last + 1]
        where = f"bytes {first}-{last}/{task.size}"
        try:
            yield from send(chunk_request(task.upload_url, body, task.mime, where))
        except PlatformError as exc:
            failures += 1
            if not _recoverable(exc) or failures > retries:
                raise
            index = yield from _held_index(task, uploaded_bytes)
            continue
        failures = 0
        index = task.next_chunk = index + 1
    task.uploaded = True
    task.data = None  # the bytes are TikTok's now


def _held_index(task: PublishTask, uploaded_bytes: Callable[[], Flow[int | None]]) -> Flow[int]:
    """The chunk to send next by TikTok's count (the same one when TikTok does not say)."""
    held = yield from uploaded_bytes()
    if held is None:
        return task.next_chunk
    resumed = resume_index(held, task.chunk_size, task.count, task.size)
    if resumed is None:
        raise APIError(
            f"TikTok holds {held} of {task.size} bytes, not a chunk boundary: "
            "the upload cannot be resumed",
            platform="tiktok",
        )
    task.next_chunk = resumed
    return resumed


def task_receipt(
    task: PublishTask,
    key: str | None,
    status: PublishStatus,
    *,
    video_id: str | None = None,
    detail: str | None = None,
) -> PublishReceipt:
    """The receipt of ``task`` in ``status``: the post id is the video id once TikTok
    gave one, else the ``publish_id``; ``platform_ids`` keep both, the mode and the
    creator's username (what :meth:`TikTokAdapter.publish_status` needs).

    Example:
        >>> task = PublishTask(mode="direct", source="FILE_UPLOAD", publish_id="v_pub_file~v2-1.1",
        ...                    username="tiktok")
        >>> task_receipt(task, "k", PublishStatus.PUBLISHED, video_id="7").url
        'https://www.tiktok.com/@tiktok/video/7'
    """
    ids = {"publish_id": task.publish_id or "", "mode": task.mode}
    if task.username:
        ids["creator_username"] = task.username
    if video_id:
        ids["video_id"] = video_id
    return PublishReceipt(
        platform="tiktok",
        post_id=video_id or task.publish_id,
        platform_ids=ids,
        status=status,
        url=video_url(task.username, video_id),
        idempotency_key=key,
        poll_after=None if status.final else POLL_SECONDS,
        detail=detail,
    )


def status_receipt(task: PublishTask, key: str | None, data: dict[str, Any]) -> PublishReceipt:
    """``status/fetch``'s ``data`` as a receipt: ``PUBLISH_COMPLETE`` is published (with
    the video id from ``publicaly_available_post_id`` when there is one),
    ``SEND_TO_USER_INBOX`` too in inbox mode (a draft waiting for the creator, said in
    ``detail``), ``FAILED`` failed with TikTok's ``fail_reason``, the rest processing.

    Example:
        >>> task = PublishTask(mode="direct", source="", publish_id="v_pub_url~v2.1")
        >>> status_receipt(task, None, {"status": "FAILED",
        ...     "fail_reason": "picture_size_check_failed"}).detail
        'picture_size_check_failed'
    """
    status = str(data.get("status") or "")
    if status == "FAILED":
        reason = str(data.get("fail_reason") or "no reason given")
        return task_receipt(task, key, PublishStatus.FAILED, detail=reason)
    inbox = status == "SEND_TO_USER_INBOX" and task.mode == "inbox"
    if status == "PUBLISH_COMPLETE" or inbox:
        public = data.get("publicaly_available_post_id") or ()
        video = str(public[0]) if isinstance(public, list) and public else None
        detail = "SEND_TO_USER_INBOX: a draft in the creator's TikTok inbox" if inbox else None
        return task_receipt(task, key, PublishStatus.PUBLISHED, video_id=video, detail=detail)
    return task_receipt(task, key, PublishStatus.PROCESSING)
