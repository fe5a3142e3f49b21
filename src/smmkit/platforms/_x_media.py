"""X API v2 chunked media upload (private to :mod:`smmkit.platforms.x`).

The paths and fields are those of the shipped OpenAPI document (2.167):
``POST /2/media/upload/initialize`` (JSON: ``media_type``, ``total_bytes``,
``media_category``), ``POST /2/media/upload/{id}/append`` (multipart: ``media``,
``segment_index``), ``POST /2/media/upload/{id}/finalize`` and
``GET /2/media/upload?command=STATUS&media_id=...``, whose ``processing_info`` (``state``
pending → in_progress → succeeded | failed, ``check_after_secs``) the publish protocol
polls until the deadline. Alt text goes in afterwards with ``POST /2/media/metadata``.

What a lost answer costs: an initialize repeated opens a second session (the first
expires unused), an append repeated replaces its segment, so both are sent as safe to
repeat. A finalize is not repeated blindly: after a lost answer the flow asks for the
status first and finalizes again only if the upload was not finalized.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from smmkit.exceptions import APIError, InvalidInputError, PlatformError
from smmkit.models.content import MediaAsset, MediaKind
from smmkit.platforms._adapter import Flow
from smmkit.platforms._errors import outcome_unknown
from smmkit.platforms._media import MediaLoader, load_media, media_type
from smmkit.platforms._results import MediaHandle, MediaState
from smmkit.platforms._translate import read_answer

if TYPE_CHECKING:
    from smmkit.platforms.x import XAdapter

__all__ = ["CHUNK_BYTES", "MEDIA_TYPES", "media_status", "upload_media"]

CHUNK_BYTES = 4 * 1024 * 1024
"""Bytes per ``append``: under the 5 MB a segment may hold (X's chunked-upload guide)."""

MEDIA_TYPES = frozenset(
    {
        "video/mp4",
        "video/webm",
        "video/mp2t",
        "video/quicktime",
        "image/jpeg",
        "image/gif",
        "image/bmp",
        "image/png",
        "image/webp",
        "image/pjpeg",
        "image/tiff",
    }
)
"""The ``media_type`` values of ``InitializeMediaUploadRequest`` a post can carry."""

_CATEGORY = {
    MediaKind.IMAGE: "tweet_image",
    MediaKind.GIF: "tweet_gif",
    MediaKind.VIDEO: "tweet_video",
}
_POLL_SECONDS = 5.0
ENDPOINT = "media_upload"


def _media_id(response: httpx.Response) -> str:
    media_id = str(response.json()["data"]["id"])
    if not media_id.isdigit():
        raise ValueError("media id is not numeric")
    return media_id


def handle_from(
    adapter: XAdapter, response: httpx.Response, kind: MediaKind, media_id: str
) -> MediaHandle:
    """The handle an initialize/finalize/status answer describes."""
    data: dict[str, Any] = response.json().get("data") or {}
    info = data.get("processing_info")
    state, poll_after, detail = MediaState.READY, None, None
    if isinstance(info, dict):
        phase = str(info.get("state") or "succeeded")
        if phase in ("pending", "in_progress"):
            state = MediaState.PROCESSING
            wait = info.get("check_after_secs")
            poll_after = float(wait) if isinstance(wait, (int, float)) and wait >= 0 else None
            poll_after = _POLL_SECONDS if poll_after is None else max(poll_after, 1.0)
        elif phase == "failed":
            state = MediaState.FAILED
            error = info.get("error")
            detail = str(error.get("message") or error) if isinstance(error, dict) else phase
    return MediaHandle(
        platform=adapter.spec.id,
        media_id=str(data.get("id") or media_id),
        kind=kind,
        state=state,
        poll_after=poll_after,
        detail=detail,
    )


def upload_media(
    adapter: XAdapter, asset: MediaAsset, loader: MediaLoader | None, *, chunk_bytes: int
) -> Flow[MediaHandle]:
    """Initialize, append every chunk, finalize (and set the alt text)."""
    category = _CATEGORY.get(asset.kind)
    if category is None:
        raise InvalidInputError.single(
            "media.kind", "X takes images, GIFs and videos", asset.kind.value
        )
    mime = media_type(asset)
    if mime not in MEDIA_TYPES:
        raise InvalidInputError.single(
            "media.mime_type", f"X does not take {mime}: one of {sorted(MEDIA_TYPES)}", mime
        )
    data = yield from load_media(asset, loader, spec=adapter.spec)
    init = adapter.request(
        "POST",
        "/2/media/upload/initialize",
        endpoint=ENDPOINT,
        safe=True,  # a repeat opens a second session; the first expires unused
        json={"media_type": mime, "total_bytes": len(data), "media_category": category},
    )
    response = yield from adapter.exchange(init)
    media_id = read_answer(adapter, response, _media_id)
    starts = range(0, len(data), chunk_bytes) if data else range(1)
    for index, start in enumerate(starts):
        append = adapter.request(
            "POST",
            f"/2/media/upload/{media_id}/append",
            endpoint=ENDPOINT,
            safe=True,  # a repeated segment replaces itself
            files={
                "media": ("chunk", data[start : start + chunk_bytes], "application/octet-stream")
            },
            data={"segment_index": str(index)},
        )
        yield from adapter.exchange(append)
    handle = yield from _finalize(adapter, media_id, asset.kind)
    if asset.alt_text and handle.state is not MediaState.FAILED:
        metadata = adapter.request(
            "POST",
            "/2/media/metadata",
            endpoint=ENDPOINT,
            safe=True,  # setting the same text twice is one text
            json={"id": media_id, "metadata": {"alt_text": {"text": asset.alt_text[:1000]}}},
        )
        yield from adapter.exchange(metadata)
    return handle


def _finalize(adapter: XAdapter, media_id: str, kind: MediaKind) -> Flow[MediaHandle]:
    """Finalize once; after a lost answer, ask for the status before finalizing again."""
    for attempt in range(2):
        finalize = adapter.request(
            "POST", f"/2/media/upload/{media_id}/finalize", endpoint=ENDPOINT, safe=False
        )
        try:
            response = yield from adapter.exchange(finalize)
        except PlatformError as exc:
            if attempt or not outcome_unknown(exc):
                raise
            try:
                handle: MediaHandle = yield from media_status(
                    adapter,
                    MediaHandle(
                        platform=adapter.spec.id,
                        media_id=media_id,
                        kind=kind,
                        state=MediaState.PROCESSING,
                    ),
                )
            except APIError as status_exc:
                if outcome_unknown(status_exc):
                    raise exc from None
                continue  # not finalized: the lost finalize never arrived
            return handle
        return read_answer(adapter, response, lambda r: handle_from(adapter, r, kind, media_id))
    raise AssertionError("unreachable")  # pragma: no cover


def media_status(adapter: XAdapter, handle: MediaHandle) -> Flow[MediaHandle]:
    """``GET /2/media/upload?command=STATUS&media_id=...``."""
    request = adapter.request(
        "GET",
        "/2/media/upload",
        endpoint=ENDPOINT,
        params={"command": "STATUS", "media_id": handle.media_id},
    )
    response = yield from adapter.exchange(request)
    return read_answer(
        adapter, response, lambda r: handle_from(adapter, r, handle.kind, handle.media_id)
    )
