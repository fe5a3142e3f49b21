"""Douyin video uploads: one request up to the single-upload limit, else in parts.

Paths and fields from the SDK ``@open-dy/open_api_sdk`` 1.1.0 (``videoUploadVideo``,
``initVideoPartUpload``, ``videoUploadVideoPart``, ``completeVideoPartUpload``): the
file goes as the ``video`` field of a ``multipart/form-data`` body, ``open_id`` (and for
parts ``upload_id`` and ``part_number``) in the query. Limits from the upload page
(https://open.douyin.com/platform/doc/6848798087398295555, quoted at
https://www.shuijingwanwq.com/en/2020/12/03/9933/, read 2026-12-06): a single upload
takes at most 128 MB, part uploads are advised above 50 MB and required above 128 MB, a
video is at most 4 GB, a part at least 5 MB (20 MB advised), the last part smaller.

Every upload request is safe to repeat (``safe=True``): a repeated single upload or
``init`` leaves an unused upload, a repeated part overwrites the same ``part_number``,
a repeated ``complete`` names the same video. None of them publishes anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._adapter import Flow
from smmkit.platforms._douyin_wire import answer_data, multipart_video

if TYPE_CHECKING:
    from smmkit.platforms.douyin import DouyinAdapter

__all__ = ["MIN_PART_BYTES", "SINGLE_UPLOAD_MAX", "upload_video"]

SINGLE_UPLOAD_MAX = 128 * 1024 * 1024
MIN_PART_BYTES = 5 * 1024 * 1024
MAX_VIDEO_BYTES = 4 * 1024 * 1024 * 1024


def _video_id(data: dict[str, object]) -> str:
    video = data["video"]
    if not isinstance(video, dict) or not isinstance(video.get("video_id"), str):
        raise TypeError("no video.video_id in the answer")
    return str(video["video_id"])


def upload_video(adapter: DouyinAdapter, data: bytes) -> Flow[str]:
    """Flow: upload ``data`` (an mp4) and return Douyin's ``video_id``.

    Up to ``adapter.single_upload_max`` bytes in one ``upload_video`` request, larger in
    parts of ``adapter.part_bytes``.
    """
    if not data:
        raise InvalidInputError.single("media", "the video is empty")
    if len(data) > MAX_VIDEO_BYTES:
        raise InvalidInputError.single("media", "Douyin takes videos up to 4 GB", len(data))
    query = {"open_id": adapter.open_id}
    if len(data) <= adapter.single_upload_max:
        body, boundary = multipart_video(data)
        response = yield adapter.request(
            "POST",
            "/api/douyin/v1/video/upload_video/",
            endpoint="upload",
            safe=True,
            params=query,
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return _video_id(answer_data(response))
    response = yield adapter.request(
        "POST",
        "/api/douyin/v1/video/init_video_part_upload/",
        endpoint="upload",
        safe=True,
        params=query,
        json={},
    )
    upload_id = answer_data(response)["upload_id"]
    if not isinstance(upload_id, str) or not upload_id:
        raise TypeError("no upload_id in the answer")
    size = adapter.part_bytes
    for number, start in enumerate(range(0, len(data), size), start=1):
        body, boundary = multipart_video(data[start : start + size])
        yield adapter.request(
            "POST",
            "/api/douyin/v1/video/upload_video_part/",
            endpoint="upload",
            safe=True,
            params={**query, "part_number": str(number), "upload_id": upload_id},
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    response = yield adapter.request(
        "POST",
        "/api/douyin/v1/video/complete_video_part_upload/",
        endpoint="upload",
        safe=True,
        params={**query, "upload_id": upload_id},
        json={},
    )
    return _video_id(answer_data(response))
