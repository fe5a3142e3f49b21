"""TikTok (Content Posting API, ``open.tiktokapis.com/v2``): videos and photos, direct or to
the creator's inbox, with chunked upload, status polling and the Display API's counts.

What is built in (developers.tiktok.com, read 2026-12-06):

* **creator_info first**: every direct post asks ``POST /v2/post/publish/creator_info/query/``
  and chooses ``privacy_level`` only from its ``privacy_level_options`` (any other, or
  none, is an :class:`~smmkit.exceptions.InvalidInputError` naming
  ``extras.privacy_level``), refuses a video longer than ``max_video_post_duration_sec``
  and keeps comments, duets and stitches off where the creator turned them off.
* **Direct post** (scope ``video.publish``): ``POST /v2/post/publish/video/init/`` with
  ``post_info`` and ``source_info``; ``FILE_UPLOAD`` sends the video in chunks
  (``PUT upload_url`` with ``Content-Range``, 5-64 MB chunks, the last up to 128 MB), or
  ``PULL_FROM_URL`` lets TikTok download it from a domain or URL prefix the app has
  verified. Photos: ``POST /v2/post/publish/content/init/`` (pull only, up to 35).
* **Inbox mode** (scope ``video.upload``, for apps without direct-post approval): the
  video goes to ``/v2/post/publish/inbox/video/init/`` and waits as a draft in the
  creator's TikTok inbox; the receipt is final once TikTok says ``SEND_TO_USER_INBOX``.
* **Status** (``status/fetch``) within the publish's deadline; **no idempotency key**
  (``READ_BACK``: :meth:`TikTokAdapter.find_published`); **metrics** from
  ``/v2/video/query/``. No API deletes a post or reads comments for ordinary apps.

Example:
    >>> adapter = TikTokAdapter(access_token="act.t0k")
    >>> request = next(adapter.creator_info())
    >>> request.method, request.url.path
    ('POST', '/v2/post/publish/creator_info/query/')
    >>> "act.t0k" in repr(adapter)
    False
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import TikTokExtras
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _oauth_core as oauth
from smmkit.platforms._adapter import (
    RECEIVED_AT,
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    lifetime,
    observations,
)
from smmkit.platforms._answers import RequestIds, request_of, send_noting
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, outcome_unknown
from smmkit.platforms._media import MediaLoader, load_media, media_loader_or_default, media_type
from smmkit.platforms._results import PublishReceipt, PublishStatus
from smmkit.platforms._tiktok_post import (
    check_lengths,
    choose,
    inbox_post_info,
    post_info,
    post_key,
)
from smmkit.platforms._tiktok_upload import (
    PublishTask,
    status_receipt,
    task_receipt,
    upload_chunks,
)
from smmkit.platforms._tiktok_wire import (
    CHUNK_MAX,
    CHUNK_MIN,
    DAILY_CAPS,
    DEFAULT_CHUNK,
    CreatorInfo,
    WireVideo,
    chunk_plan,
    content_key,
    envelope_error,
    error_kind,
    is_publish_id,
    matching_video,
    video_counts,
)
from smmkit.platforms._translate import read_answer

__all__ = ["SCOPES", "TikTokAdapter"]

SCOPES = {"direct": "video.publish", "inbox": "video.upload"}
"""The OAuth scope each mode needs (https://developers.tiktok.com/doc/scopes-overview)."""

_JSON = {"Content-Type": "application/json; charset=UTF-8"}
_VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")
_PHOTO_TYPES = ("image/jpeg", "image/webp")
_MAX_REMEMBERED = 256
_DAY = 86400.0
_RECONNECT = (
    "the TikTok access token is invalid or expired (they live 24 hours): refresh it "
    "(credentials with a refresh_token) or connect the account again"
)


class TikTokAdapter(BearerTokenAdapter):
    """The TikTok Content Posting API for one creator's authorisation.

    Give ``access_token`` (from :func:`smmkit.platforms.oauth.exchange_code` with the
    ``TIKTOK`` provider; it lives 24 hours), or ``credentials`` whose ``refresh_token``
    is refreshed at TikTok's token endpoint (refresh tokens rotate; the token store keeps
    the new one). ``mode`` is ``"direct"`` (scope ``video.publish``) or ``"inbox"``
    (``video.upload``, drafts for apps without direct-post approval); a post's
    ``TikTokExtras.mode`` wins. ``privacy_level`` is a default checked against each
    creator's options like a post's own. ``verified_prefixes`` are the domains and URL
    prefixes the app verified with TikTok: media under them is pulled
    (``PULL_FROM_URL``) unless a post says ``source``; other media is uploaded.
    ``chunk_size`` (5 MB to 64 MB) and ``chunk_retries`` shape the upload;
    ``read_back_window`` bounds how old a video found by a read-back may be.

    Example:
        >>> adapter = TikTokAdapter(access_token="t", mode="inbox")
        >>> adapter.idempotency.value, adapter.supports(Capability.DELETE)
        ('read_back', False)
    """

    name = "tiktok"
    platform_id = "tiktok"
    extras_model = TikTokExtras
    default_base_url = "https://open.tiktokapis.com/"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.PUBLISH_VIDEO,
            Capability.METRICS,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    request_id_headers = ("x-tt-logid",)
    oauth_provider = oauth.TIKTOK
    token_missing = _RECONNECT

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        mode: str = "direct",
        privacy_level: str | None = None,
        verified_prefixes: Sequence[str] = (),
        chunk_size: int = DEFAULT_CHUNK,
        chunk_retries: int = 3,
        read_back_window: timedelta = timedelta(days=1),
        base_url: str | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        if mode not in SCOPES:
            raise InvalidInputError.single("mode", "must be 'direct' or 'inbox'", mode)
        if privacy_level is not None:
            TikTokExtras.model_validate({"privacy_level": privacy_level})  # checks it
        if isinstance(verified_prefixes, str) or not all(
            isinstance(p, str) and p for p in verified_prefixes
        ):
            raise InvalidInputError.single(
                "verified_prefixes", "must be a sequence of domains or https:// URL prefixes"
            )
        require(chunk_size, "chunk_size", int, "an int (bytes)")
        if not CHUNK_MIN <= chunk_size <= CHUNK_MAX:
            raise InvalidInputError.single(
                "chunk_size", f"must be {CHUNK_MIN} to {CHUNK_MAX} bytes", chunk_size
            )
        require(chunk_retries, "chunk_retries", int, "an int")
        if not 0 <= chunk_retries <= 10:
            raise InvalidInputError.single("chunk_retries", "must be 0..10", chunk_retries)
        require(read_back_window, "read_back_window", timedelta, "a timedelta")
        self.mode = mode
        self._privacy_level = privacy_level
        self._verified = tuple(verified_prefixes)
        self._chunk_size = chunk_size
        self._chunk_retries = chunk_retries
        self._read_back_window = read_back_window
        self._media_loader = media_loader_or_default(media_loader)
        self._tasks: OrderedDict[str, PublishTask] = OrderedDict()
        self._log_ids = RequestIds()

    def __repr__(self) -> str:
        return f"TikTokAdapter(mode={self.mode!r}, account={self.account!r})"

    # -- requests, tokens, errors --------------------------------------------------

    def _api(self, path: str, body: dict[str, Any] | None, *, endpoint: str) -> httpx.Request:
        content = json.dumps(body).encode() if body is not None else b""
        safe = endpoint not in ("init",)  # reads disguised as POSTs may be repeated
        return self.request(
            "POST", path, endpoint=endpoint, safe=safe, content=content, headers=_JSON
        )

    def _send(self, request: httpx.Request) -> Flow[httpx.Response]:
        """Send ``request``; a refusal carries TikTok's ``log_id`` as its request id."""
        return (yield from send_noting(request, self._log_ids))

    def _answer(self, request: httpx.Request) -> Flow[tuple[httpx.Response, dict[str, Any]]]:
        """The answer to ``request`` and its ``data`` object (an unreadable one is an
        :class:`~smmkit.exceptions.APIError`, raised inside the flow)."""
        response = yield from self._send(request)
        return response, read_answer(self, response, _data_of)

    def _data(self, request: httpx.Request) -> Flow[dict[str, Any]]:
        _, data = yield from self._answer(request)
        return data

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """The bearer token for TikTok's API; never on the upload URL (signed itself)."""
        if request.url.host == self.base_url.host:
            return super().authorize(request, token)
        return request

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """TikTok's ``error`` object (``code`` other than ``ok``, even under HTTP 200), typed."""
        request = request_of(response)
        if request is not None and "/oauth/" in request.url.path:
            return oauth.oauth_error_info(response)
        code, message, log_id = envelope_error(response.content)
        status = response.status_code
        if status < 400 and code in (None, "ok"):
            return None
        if request is not None and log_id:
            self._log_ids[request] = log_id
        text = message or response.reason_phrase or f"HTTP {status}"
        if code == "access_token_invalid" or (status == 401 and code is None):
            if self.can_refresh:
                return ErrorInfo(TokenExpiredError, text, code=code)
            return ErrorInfo(AuthenticationError, f"{text}; {_RECONNECT}", code=code)
        if code == "scope_not_authorized":
            scope = SCOPES[self.mode]
            text = f"{text}; {self.mode} mode needs the {scope} scope"
        if code in DAILY_CAPS:
            return ErrorInfo(RateLimitError, f"{text} (a rolling 24-hour cap)", code, _DAY)
        return ErrorInfo(error_kind(code, status), text, code=code)

    # -- creator info and the post's fields ------------------------------------------

    def creator_info(self) -> Flow[CreatorInfo]:
        """``creator_info/query``: the creator's name, privacy options, interaction
        settings and longest video (20 requests a minute per token)."""
        path = "v2/post/publish/creator_info/query/"
        data = yield from self._data(self._api(path, None, endpoint="creator_info"))
        return CreatorInfo.model_validate(data)

    # -- publishing ------------------------------------------------------------------

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``creator_info`` (direct mode), the init, then the chunks of a file upload.

        Returns a ``processing`` receipt whose ``platform_ids`` hold the ``publish_id``;
        :meth:`publish_status` follows it. A later attempt of the same post (same key)
        whose upload broke off resumes it from TikTok's byte count.
        """
        key = idempotency_key or post_key(post)
        mode, source, media = choose(post, mode=self.mode, verified=self._verified)
        photo = media[0].kind is MediaKind.IMAGE
        check_lengths(post, photo=photo)
        task = self._tasks.get(key)
        if task is not None and task.resumable(now=None):
            now: datetime = yield Now()  # an upload URL lives an hour
            if task.resumable(now=now.timestamp()):
                yield from self._upload(key, task, resume=True)
                return task_receipt(task, key, PublishStatus.PROCESSING)
        info = yield from self.creator_info() if mode == "direct" else _none()
        username = info.creator_username if info is not None else None
        task = PublishTask(mode=mode, source=source, username=username)
        body: dict[str, Any] = {}
        if info is not None:
            body["post_info"] = post_info(
                post, info, photo=photo, default_privacy=self._privacy_level
            )
        elif photo:
            body["post_info"] = inbox_post_info(post)
        if photo:
            path = "v2/post/publish/content/init/"
            extras = post.extras_as(TikTokExtras)
            body["source_info"] = {
                "source": "PULL_FROM_URL",
                "photo_cover_index": extras.photo_cover_index or 0,
                "photo_images": [m.url for m in media],
            }
            body["post_mode"] = "DIRECT_POST" if mode == "direct" else "MEDIA_UPLOAD"
            body["media_type"] = "PHOTO"
            if extras.is_aigc is not None:
                body["is_aigc"] = extras.is_aigc
        else:
            path = (
                "v2/post/publish/video/init/"
                if mode == "direct"
                else ("v2/post/publish/inbox/video/init/")
            )
            body["source_info"] = yield from self._source_info(task, media[0])
        self._remember(key, task)
        try:
            response, data = yield from self._answer(self._api(path, body, endpoint="init"))
        except PlatformError as exc:
            if outcome_unknown(exc):
                task.init_lost = True  # TikTok may hold a task we have no id for
            else:
                self._tasks.pop(key, None)
            raise
        task.init_lost = False
        received = response.extensions.get(RECEIVED_AT)
        task.issued_at = float(received) if isinstance(received, (int, float)) else None
        task.publish_id = read_answer(self, response, lambda r: str(data["publish_id"]))
        task.upload_url = str(data["upload_url"]) if data.get("upload_url") else None
        if source == "FILE_UPLOAD":
            if not (task.upload_url or "").startswith("https://"):
                raise APIError("TikTok's init answer has no https upload_url", platform="tiktok")
            yield from self._upload(key, task)
        return task_receipt(task, key, PublishStatus.PROCESSING)

    def _source_info(self, task: PublishTask, asset: MediaAsset) -> Flow[dict[str, Any]]:
        if task.source == "PULL_FROM_URL":
            return {"source": "PULL_FROM_URL", "video_url": asset.url}
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
        size = len(data)
        task.chunk_size, task.count = chunk_plan(size, self._chunk_size)
        task.size, task.data, task.mime = size, data, media_type(asset)
        return {
            "source": "FILE_UPLOAD",
            "video_size": size,
            "chunk_size": task.chunk_size,
            "total_chunk_count": task.count,
        }

    def _upload(self, key: str, task: PublishTask, *, resume: bool = False) -> Flow[None]:
        def chunk(url: str, body: bytes, kind: str, where: str) -> httpx.Request:
            headers = {"Content-Type": kind, "Content-Range": where}
            return self.request(
                "PUT", url, endpoint="upload", safe=False, content=body, headers=headers
            )

        def held() -> Flow[int | None]:
            data = yield from self._status_data(task.publish_id or "")
            count = data.get("uploaded_bytes")
            if data.get("status") not in (None, "PROCESSING_UPLOAD"):
                return task.size  # past the upload: every byte is there
            return count if isinstance(count, int) and not isinstance(count, bool) else None

        try:
            yield from upload_chunks(
                task, send=self._send, chunk_request=chunk, uploaded_bytes=held,
                retries=self._chunk_retries, resume=resume,
            )  # fmt: skip
        except PlatformError as exc:
            if not outcome_unknown(exc):
                self._tasks.pop(key, None)  # refused (an expired URL...): start afresh later
            raise

    def _remember(self, key: str, task: PublishTask) -> None:
        self._tasks[key] = task
        self._tasks.move_to_end(key)
        while len(self._tasks) > _MAX_REMEMBERED:
            self._tasks.popitem(last=False)

    def _status_data(self, publish_id: str) -> Flow[dict[str, Any]]:
        path = "v2/post/publish/status/fetch/"
        request = self._api(path, {"publish_id": publish_id}, endpoint="status")
        data = yield from self._data(request)
        return data

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """``status/fetch`` (30 requests a minute per token), mapped onto the status machine:
        ``PUBLISH_COMPLETE`` is published (the video id once a public post passed
        moderation; else the ``publish_id`` stays the post id), ``SEND_TO_USER_INBOX`` is
        final for inbox mode (a draft waiting for the creator), ``FAILED`` failed with
        TikTok's ``fail_reason``."""
        ids = receipt.platform_ids
        task = PublishTask(
            mode=ids.get("mode", self.mode),
            source="",
            publish_id=ids.get("publish_id") or receipt.post_id,
            username=ids.get("creator_username"),
        )
        data = yield from self._status_data(task.publish_id or "")
        return self._from_status(task, receipt.idempotency_key, data)

    def _from_status(
        self, task: PublishTask, key: str | None, data: dict[str, Any]
    ) -> PublishReceipt:
        receipt = status_receipt(task, key, data)
        if receipt.status is PublishStatus.FAILED and key is not None:
            self._tasks.pop(key, None)
        return receipt

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back after a lost answer, so that a post never goes out twice.

        1. A task with a known ``publish_id`` (the init answered): its ``status/fetch``.
           A file upload TikTok holds only part of gives ``None``: the next attempt
           resumes it (an incomplete upload is never posted).
        2. Else the creator's latest public videos (``/v2/video/list/``, scope
           ``video.list``) for one with the same caption, within ``read_back_window``.
        3. Else, after a lost *file-upload* init, ``None``: TikTok never received the
           upload URL's bytes, so that task cannot post, and a new init is safe. After a
           lost *pull* init TikTok may be downloading the media right now, and a second
           init could post twice: an :class:`~smmkit.exceptions.APIError` with
           ``outcome_unknown`` is raised instead (look in the app, or wait for
           :meth:`find_published` to see it among the public videos).
        """
        key = idempotency_key or post_key(post)
        task = self._tasks.get(key)
        if task is not None and task.publish_id:
            data = yield from self._status_data(task.publish_id)
            if data.get("status") == "PROCESSING_UPLOAD" and not task.uploaded:
                return None
            found = self._from_status(task, key, data)
            return None if found.status is PublishStatus.FAILED else found
        wanted = content_key(post.body)
        if wanted:
            video = yield from self._listed(wanted)
            if video is not None:
                self._tasks.pop(key, None)
                username = task.username if task is not None else None
                done = PublishTask(mode="direct", source="", username=username)
                receipt = task_receipt(done, key, PublishStatus.PUBLISHED, video_id=video.id)
                return receipt.model_copy(update={"url": video.share_url or receipt.url})
        if task is not None and task.init_lost and task.source == "PULL_FROM_URL":
            raise APIError(
                "the answer to a PULL_FROM_URL init was lost and the post is not among the "
                "creator's public videos yet: TikTok may be downloading it, so it is not "
                "initialised again (that could post it twice)",
                platform=self.platform_id,
                outcome_unknown=True,
            )
        return None

    def _listed(self, wanted: str) -> Flow[WireVideo | None]:
        path = "v2/video/list/?fields=id,title,video_description,create_time,share_url"
        request = self._api(path, {"max_count": 20}, endpoint="video_list")
        try:
            response, data = yield from self._answer(request)
        except (PermissionDeniedError, AuthenticationError):
            return None  # no video.list scope: nothing to read back from
        received = response.extensions.get(RECEIVED_AT)
        oldest = None
        if isinstance(received, (int, float)):
            oldest = float(received) - self._read_back_window.total_seconds()
        videos = read_answer(self, response, lambda r: [WireVideo.read(v) for v in data["videos"]])
        return matching_video(videos, wanted, oldest=oldest)

    # -- metrics -----------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """A video's lifetime counts (``/v2/video/query/``, scope ``video.list``).

        ``post_id`` is a video id, or a ``publish_id`` (looked up with ``status/fetch``:
        only a public post that passed moderation has a video id; others are a
        :class:`~smmkit.exceptions.NotFoundError`).
        """
        require(post_id, "post_id", str, "a video id or a publish_id (str)")
        if not post_id.strip() or any(c.isspace() for c in post_id):
            raise InvalidInputError.single("post_id", "must be a TikTok video id", post_id)
        video_id = post_id
        if is_publish_id(post_id):
            data = yield from self._status_data(post_id)
            public = data.get("publicaly_available_post_id") or []
            if not public:
                raise NotFoundError(
                    f"{post_id} has no public video (yet): TikTok gives ids to public, "
                    "moderated posts only",
                    platform=self.platform_id,
                )
            video_id = str(public[0])
        fields = "id,create_time,view_count,like_count,comment_count,share_count"
        request = self._api(
            f"v2/video/query/?fields={fields}", {"filters": {"video_ids": [video_id]}},
            endpoint="video_query",
        )  # fmt: skip
        response, data = yield from self._answer(request)
        videos = read_answer(self, response, lambda r: [WireVideo.read(v) for v in data["videos"]])
        found = [v for v in videos if v.id == video_id]
        if not found:
            raise NotFoundError(f"no video {video_id} of this creator", platform=self.platform_id)
        video = found[0]
        received = response.extensions.get(RECEIVED_AT)
        now = float(received) if isinstance(received, (int, float)) else 0.0
        created = datetime.fromtimestamp(video.create_time or now, timezone.utc)
        start, end = lifetime(created, now or created.timestamp() + 1)
        counts = video_counts(video)
        return observations(
            counts, platform=self.spec.id, content_id=video_id, start=start, end=end
        )


def _data_of(response: httpx.Response) -> dict[str, Any]:
    data = response.json()["data"]
    if not isinstance(data, dict):
        raise TypeError("data is not an object")
    return data


def _none() -> Flow[None]:
    return None
    yield  # pragma: no cover  (a flow that asks nothing)
