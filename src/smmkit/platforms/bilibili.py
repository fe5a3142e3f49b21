"""Bilibili (哔哩哔哩 open platform, ``member.bilibili.com/arcopen/fn``): video archives.

What is built in:

* **Signed requests**: every call carries the ``x-bili-*`` headers signed with the
  app secret (HMAC-SHA256, signature version 2.0) and the user's ``access-token``,
  signed afresh for every attempt (a new nonce and timestamp).
* **Chunked upload**: ``archive/video/init`` (an ``upload_token``) → the chunks
  (``openupos.bilivideo.com/video/v2/part/upload`` with ``upload_token`` and
  ``part_number``, 8 MB each) → ``archive/video/complete``; the cover goes through
  ``archive/cover/upload``; then ``archive/add-by-utoken`` submits the archive (title,
  partition ``tid``, tags, description, copyright/source, cover).
* **Review**: a submitted archive is in review; the publish protocol polls
  ``archive/view`` until it is open (``published``), past its deadline
  (:class:`~smmkit.exceptions.PublishTimeoutError`), or refused:
  :class:`BilibiliReviewRejectedError` with Bilibili's reason.
* **No duplicate, no loss** (``IdempotencyMode.READ_BACK``): Bilibili takes no
  idempotency key. The adapter remembers each post's upload by its key, so a retry
  re-sends only the chunk whose answer was lost and never uploads twice; after a lost
  submit answer the publish reads the member's archive list (``archive/viewlist``) for
  the same title, description and tags before it submits again, and an upload token
  refused as used (127022) is taken as the earlier submission.
* **Daily limit**: a non-regular member submits at most 5 archives a day (Beijing
  time). :class:`SubmissionQuota` counts them; a submission past the limit is refused
  with :class:`BilibiliDailyLimitError`, nothing sent.
* **Errors**: Bilibili's ``code`` (also in HTTP 200) maps to typed errors carrying
  the code and the request id (the body's ``request_id``, or ``x-bili-trace-id``).

Example:
    >>> from smmkit.platforms import Credentials
    >>> adapter = BilibiliAdapter(access_token="t0k",
    ...     credentials=Credentials(client_id="cid", client_secret="s3cr3t-app"))
    >>> adapter.idempotency.value, "t0k" in repr(adapter), "s3cr3t" in repr(adapter)
    ('read_back', False, False)
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
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
    RateLimitError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import BilibiliExtras
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
    received_at,
)
from smmkit.platforms._answers import request_of
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._bilibili_quota import (
    NON_REGULAR_DAILY_LIMIT,
    BilibiliDailyLimitError,
    SubmissionQuota,
)
from smmkit.platforms._bilibili_wire import (
    CHUNK_BYTES,
    DAILY_CODES,
    WireArchive,
    archive_state,
    body_request_id,
    content_key,
    error_info,
    seconds_to_beijing_midnight,
    sign,
    stat_counts,
)
from smmkit.platforms._checks import require
from smmkit.platforms._clock import Clock, SystemClock
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._media import (
    MediaLoader,
    file_name,
    load_media,
    media_loader_or_default,
    media_type,
)
from smmkit.platforms._results import PublishReceipt, PublishStatus
from smmkit.platforms._translate import read_answer

__all__ = [
    "BilibiliAdapter",
    "BilibiliDailyLimitError",
    "BilibiliReviewRejectedError",
    "NON_REGULAR_DAILY_LIMIT",
    "SubmissionQuota",
    "authorization_url",
]

UPLOAD_URL = "https://openupos.bilivideo.com/video/v2/part/upload"
_REQUEST_ID = "x-bili-request-id"  # where parse_error keeps the body's request_id
_MAX_REMEMBERED = 256


def _boundary(data: bytes) -> str:
    return "smmkit-" + hashlib.sha256(data).hexdigest()[:32]


class BilibiliReviewRejectedError(APIError):
    """Bilibili's review refused the archive (sent back, locked, transcoding failed);
    the message carries Bilibili's reason, ``code`` the archive state."""


def authorization_url(*, client_id: str, redirect_uri: str, state: str) -> str:
    """The PC authorize page for a Bilibili user (the callback goes in ``gourl``).

    Example:
        >>> authorization_url(client_id="cid", redirect_uri="https://app.example/cb",
        ...                   state="st-1").split("?")[0]
        'https://account.bilibili.com/pc/account-pc/auth/oauth'
    """
    return oauth.authorization_url(
        oauth.BILIBILI,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=(),
        state=state,
        extra_params={"gourl": redirect_uri},
    )


@dataclass
class _Upload:
    """One post's video on its way to Bilibili (kept between attempts by its key)."""

    data: bytes = field(repr=False)
    name: str
    upload_token: str | None = None
    parts: int = 0
    next_part: int = 1
    completed: bool = False
    cover: str | None = None
    resource_id: str | None = None
    charged: bool = False


class BilibiliAdapter(BearerTokenAdapter):
    """The Bilibili open platform for one member (UP主) who authorized the app.

    ``credentials`` are the app's ``client_id`` and app secret (they sign every
    request) and, optionally, the member's ``refresh_token``; ``access_token`` is the
    member's token (from :func:`smmkit.platforms.oauth.exchange_code` with
    :data:`~smmkit.platforms.oauth.BILIBILI`; without it the token is refreshed).
    ``quota`` counts the day's submissions (default: :data:`NON_REGULAR_DAILY_LIMIT`;
    ``SubmissionQuota(daily_limit=None)`` for a regular member); ``chunk_bytes`` is the
    chunk size; ``read_back_count`` how many of the member's latest archives a
    read-back looks at; ``clock`` stamps the signatures (the system clock by default).

    A post is one video in ``post.media`` (and optionally one image, the cover), a
    title (``post.title`` or ``extras.title``), the description in ``post.body`` and the
    fields of :class:`~smmkit.models.BilibiliExtras` (``tid`` and ``tags`` required).
    Listening: the open platform gives apps no comment, mention (@) or private-message
    API, so ``inbox_sources`` is empty and ``iter_inbox`` raises
    :class:`~smmkit.exceptions.UnsupportedOperationError` for every source.

    Example:
        >>> sorted(c.value for c in BilibiliAdapter.capabilities)
        ['delete', 'metrics', 'publish_image', 'publish_text', 'publish_video']
    """

    name = "bilibili"
    platform_id = "bilibili"
    extras_model = BilibiliExtras
    default_base_url = "https://member.bilibili.com/arcopen/fn/"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,  # the contract's base; an archive still needs its video
            Capability.PUBLISH_VIDEO,
            Capability.PUBLISH_IMAGE,  # one image rides along: the archive's cover
            Capability.DELETE,
            Capability.METRICS,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    request_id_headers = (_REQUEST_ID, "x-bili-trace-id", "bili-trace-id")
    inbox_sources = frozenset()  # no comment, mention or message API for apps
    oauth_provider = oauth.BILIBILI
    token_missing = (
        "BilibiliAdapter needs access_token= or a refresh_token in credentials "
        "(the member authorizes the app again)"
    )

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        access_token: SecretStr | str | None = None,
        base_url: str | None = None,
        upload_url: str = UPLOAD_URL,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        quota: SubmissionQuota | None = None,
        chunk_bytes: int = CHUNK_BYTES,
        read_back_count: int = 20,
        poll_seconds: float = 30.0,
        clock: Clock | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        require(upload_url, "upload_url", str, "an http(s) URL (str)")
        if not upload_url.startswith(("https://", "http://")):
            raise InvalidInputError.single("upload_url", "must be an http(s) URL", upload_url)
        if quota is not None:
            require(quota, "quota", SubmissionQuota, "a SubmissionQuota or None")
        if clock is not None:
            require(clock, "clock", Clock, "a Clock or None")
        for name, value, low, high in (
            ("chunk_bytes", chunk_bytes, 1, 1 << 30),
            ("read_back_count", read_back_count, 1, 50),
        ):
            require(value, name, int, "an int")
            if isinstance(value, bool) or not low <= value <= high:
                raise InvalidInputError.single(name, f"must be from {low} to {high}", value)
        require(poll_seconds, "poll_seconds", (int, float), "a number of seconds")
        if not 0 < poll_seconds < 86400:
            raise InvalidInputError.single("poll_seconds", "must be > 0 s", poll_seconds)
        self._upload_url = upload_url
        self._media_loader = media_loader_or_default(media_loader)
        self.quota = quota if quota is not None else SubmissionQuota()
        self._chunk = chunk_bytes
        self._read_back_count = read_back_count
        self._poll = float(poll_seconds)
        self._clock: Clock = clock or SystemClock()
        self._nonce = nonce or (lambda: str(uuid.uuid4()))
        self._uploads: OrderedDict[str, _Upload] = OrderedDict()  # by idempotency key

    def __repr__(self) -> str:
        return f"BilibiliAdapter(base_url={str(self.base_url)!r}, account={self.account!r})"

    # -- requests, tokens and errors ---------------------------------------------------

    def _app(self) -> Credentials:
        if self.credentials is None:
            raise AuthenticationError(
                "BilibiliAdapter needs credentials= (the app's client_id and secret sign "
                "every request)",
                platform=self.platform_id,
            )
        return self.credentials

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """Sign ``request`` (a fresh nonce and timestamp) and add the ``access-token``."""
        if oauth.is_oauth_request(request):
            return request
        app = self._app()
        body = request.read()  # a multipart body (the cover) is built here: bytes in memory
        headers = sign(
            client_id=app.client_id,
            client_secret=app.client_secret.get_secret_value(),
            access_token=token.access_token.get_secret_value(),
            body=body,
            timestamp=int(self._clock.time()),
            nonce=self._nonce(),
        )
        request.headers.update(headers)
        return request

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The configured token, or a refresh through ``smmkit.platforms.oauth``."""
        if self._access_token is not None:
            return Token(access_token=self._access_token)
        self._app()  # the app's credentials sign every request: say so first
        return (yield from self.refreshed_token(current))

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Bilibili's ``code`` (also in HTTP 200) as a typed error; the day's limit
        (127009) waits until midnight Beijing and is recorded in :attr:`quota`."""
        request = request_of(response)
        if request is not None and oauth.is_oauth_request(request):
            return oauth.oauth_error_info(response)
        submit = request is not None and request.url.path.endswith("/archive/add-by-utoken")
        info = error_info(response, can_refresh=self.can_refresh, submit=submit)
        if info is None:
            return None
        rid = body_request_id(response.content)
        if rid and _REQUEST_ID not in response.headers:
            response.headers[_REQUEST_ID] = rid  # the translation reads request ids here
        if info.code in DAILY_CODES and RECEIVED_AT in response.extensions:
            now = received_at(response)
            if submit:
                self.quota.spent_out(now=datetime.fromtimestamp(now, timezone.utc))
            wait = seconds_to_beijing_midnight(now)
            return ErrorInfo(RateLimitError, info.message, code=info.code, retry_after=wait)
        return info

    def _json(self, method: str, path: str, *, endpoint: str, safe: bool | None = None,
              payload: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Request:  # fmt: skip
        if payload is None:
            return self.request(method, path, endpoint=endpoint, safe=safe, **kwargs)
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        return self.request(
            method, path, endpoint=endpoint, safe=safe, content=content, headers=headers, **kwargs
        )

    # -- publishing --------------------------------------------------------------------

    def _fields(self, post: PlatformPost) -> tuple[MediaAsset, MediaAsset | None, dict[str, Any]]:
        extras = post.extras_as(BilibiliExtras)
        videos = [m for m in post.media if m.kind is MediaKind.VIDEO]
        images = [m for m in post.media if m.kind in (MediaKind.IMAGE, MediaKind.GIF)]
        if len(videos) != 1 or len(images) > 1:
            raise InvalidInputError.single(
                "media", "a Bilibili archive is one video (and at most one cover image)"
            )
        title = extras.title or post.title
        if not title or not title.strip():
            raise InvalidInputError.single("title", "Bilibili needs a title (at most 80)")
        if len(title) > 80:
            raise InvalidInputError.single("title", "at most 80 characters", title)
        if extras.tid is None:
            raise InvalidInputError.single(
                "extras.tid", "Bilibili needs the partition id (archive/type/list)"
            )
        tags = [t.strip().lstrip("#") for t in (extras.tags or ()) if t.strip().lstrip("#")]
        tag = ",".join(dict.fromkeys(tags))
        if not tag or len(tag) >= 200 or any("," in t for t in tags):
            raise InvalidInputError.single(
                "extras.tags", "Bilibili needs 1 or more tags, without commas, < 200 in all"
            )
        body: dict[str, Any] = {
            "title": title.strip(),
            "tid": extras.tid,
            "tag": tag,
            "desc": post.body,
            "copyright": extras.copyright or 1,
            "no_reprint": 1 if extras.no_reprint else 0,
        }
        if extras.source:
            body["source"] = extras.source
        if extras.topic_id is not None:
            body["topic_id"] = extras.topic_id
        return videos[0], images[0] if images else None, body

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Upload the video in chunks (resumed, never restarted, for the same key), the
        cover, then ``archive/add-by-utoken``. The receipt is ``pending`` while Bilibili
        reviews the archive (the publish protocol polls :meth:`publish_status`)."""
        video, cover_image, body = self._fields(post)
        now: datetime = yield Now()
        self.quota.check(now=now)  # before downloading the video: nothing sent
        key = idempotency_key or f"unkeyed-{id(post)}"
        upload = self._uploads.get(key)
        if upload is None:
            data = yield from load_media(video, self._media_loader, spec=self.spec)
            if not data:
                raise InvalidInputError.single("media", "the video is empty (0 bytes)")
            upload = _Upload(data=data, name=file_name(video))
            self._remember(key, upload)
        if upload.resource_id is not None:  # an earlier attempt's submission is known
            return self._receipt(upload.resource_id, key)
        yield from self._upload_video(upload)
        cover = post.extras_as(BilibiliExtras).cover or upload.cover
        if cover is None and cover_image is not None:
            cover = upload.cover = yield from self._upload_cover(cover_image)
        if cover:
            body["cover"] = cover
        request = self._json(
            "POST", "archive/add-by-utoken", endpoint="archive_submit", payload=body,
            params={"upload_token": upload.upload_token},
        )  # fmt: skip
        response = yield request
        resource_id = read_answer(self, response, lambda r: str(r.json()["data"]["resource_id"]))
        upload.resource_id = resource_id
        upload.data = b""
        self._charge(upload, received_at(response))
        return self._receipt(resource_id, key)

    def _remember(self, key: str, upload: _Upload) -> None:
        self._uploads[key] = upload
        while len(self._uploads) > _MAX_REMEMBERED:
            self._uploads.popitem(last=False)

    def _charge(self, upload: _Upload, when: float) -> None:
        if not upload.charged:
            upload.charged = True
            self.quota.charge(now=datetime.fromtimestamp(when, timezone.utc))

    def _upload_video(self, upload: _Upload) -> Flow[None]:
        """init → the chunks from ``next_part`` on → complete. Each step is safe to send
        again: a chunk is named by its part number, so a retry replaces it."""
        if upload.upload_token is None:
            payload = {"name": upload.name, "utype": "0"}
            response = yield self._json(
                "POST", "archive/video/init", endpoint="video_upload", safe=True, payload=payload
            )
            upload.upload_token = str(response.json()["data"]["upload_token"])
            upload.parts = max(1, -(-len(upload.data) // self._chunk))
            upload.next_part = 1
        while upload.next_part <= upload.parts:
            start = (upload.next_part - 1) * self._chunk
            chunk = upload.data[start : start + self._chunk]
            yield self.request(
                "POST", self._upload_url, endpoint="video_upload", safe=True, content=chunk,
                params={"upload_token": upload.upload_token, "part_number": upload.next_part},
                headers={"Content-Type": "application/octet-stream"},
            )  # fmt: skip
            upload.next_part += 1
        if not upload.completed:
            yield self._json(
                "POST", "archive/video/complete", endpoint="video_upload", safe=True,
                params={"upload_token": upload.upload_token},
            )  # fmt: skip
            upload.completed = True

    def _upload_cover(self, image: MediaAsset) -> Flow[str]:
        data = yield from load_media(image, self._media_loader, spec=self.spec)
        response = yield self.request(
            "POST", "archive/cover/upload", endpoint="cover_upload", safe=True,
            files={"file": (file_name(image), data, media_type(image))},
            # a boundary of the bytes themselves: the same cover is the same request
            headers={"Content-Type": "multipart/form-data; boundary=" + _boundary(data)},
        )  # fmt: skip
        return str(response.json()["data"]["url"])

    def _receipt(self, resource_id: str, key: str | None, state: str = "reviewing",
                 archive: WireArchive | None = None) -> PublishReceipt:  # fmt: skip
        url = archive.url if archive else f"https://www.bilibili.com/video/{resource_id}"
        status = PublishStatus.PUBLISHED if state == "published" else PublishStatus.PENDING
        return PublishReceipt(
            platform=self.platform_id,
            post_id=resource_id,
            status=status,
            url=url,
            idempotency_key=key,
            poll_after=None if status is PublishStatus.PUBLISHED else self._poll,
            detail=None if archive is None else str(archive.addit_info.get("state_desc") or ""),
        )

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """``archive/view``: open is ``published``; refused raises
        :class:`BilibiliReviewRejectedError` with Bilibili's reason."""
        archive = yield from self.archive(receipt.post_id or "")
        state = archive_state(archive)
        if state == "rejected":
            raise BilibiliReviewRejectedError(
                f"Bilibili's review refused archive {archive.resource_id}: {archive.reason}",
                platform=self.platform_id,
                code=archive.state,
            )
        if state == "published":
            return self._receipt(archive.resource_id, receipt.idempotency_key, state, archive)
        return receipt.model_copy(
            update={"status": PublishStatus.PROCESSING, "poll_after": self._poll}
        )

    def archive(self, resource_id: str) -> Flow[WireArchive]:
        """``archive/view``: one archive of the member (title, tags, review state)."""
        require(resource_id, "resource_id", str, "a BV id (str)")
        if not resource_id.strip():
            raise InvalidInputError.single("resource_id", "must not be empty", resource_id)
        response = yield self.request(
            "GET", "archive/view", endpoint="archive_read", params={"resource_id": resource_id}
        )
        return WireArchive.model_validate(response.json()["data"])

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the member's archive with this post's title, description and tags
        among the ``read_back_count`` latest (``archive/viewlist``), else ``None``."""
        upload = self._uploads.get(idempotency_key) if idempotency_key else None
        if upload is not None and upload.resource_id is not None:
            return self._receipt(upload.resource_id, idempotency_key)
        _, _, body = self._fields(post)
        wanted = content_key(body["title"], body["desc"], body["tag"])
        now: datetime = yield Now()
        params = {"pn": "1", "ps": str(self._read_back_count), "status": "all"}
        response = yield self.request(
            "GET", "archive/viewlist", endpoint="archive_read", params=params
        )
        for item in (response.json().get("data") or {}).get("list") or ():
            archive = WireArchive.model_validate(item)
            created = archive.created()
            if created is not None and created < now - timedelta(days=1):
                continue
            if content_key(archive.title, archive.desc, archive.tag) == wanted:
                if upload is not None:
                    upload.resource_id, upload.data = archive.resource_id, b""
                    self._charge(upload, now.timestamp())
                return self._receipt(archive.resource_id, idempotency_key)
        return None

    # -- delete, metrics ---------------------------------------------------------------

    def delete(self, post_id: str) -> Flow[None]:
        """``archive/delete``; an archive already deleted (127107) counts as deleted."""
        require(post_id, "post_id", str, "a BV id (str)")
        request = self._json(
            "POST", "archive/delete", endpoint="archive_delete", safe=True,
            payload={"resource_id": post_id},
        )  # fmt: skip
        try:
            yield request
        except NotFoundError as exc:
            if exc.code != 127107:
                raise

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """``data/arc/stat``: ``views`` and Bilibili's ``like``, ``coin``, ``favorite``,
        ``share``, ``reply``, ``danmaku``, summed as ``interactions``, over the
        archive's life (from ``ptime``)."""
        require(post_id, "post_id", str, "a BV id (str)")
        response = yield self.request(
            "GET", "data/arc/stat", endpoint="data_read", params={"resource_id": post_id}
        )
        data = response.json()["data"]
        received = received_at(response)
        ptime = data.get("ptime")
        created = (
            datetime.fromtimestamp(ptime, timezone.utc)
            if isinstance(ptime, int) and ptime > 0
            else datetime.fromtimestamp(received, timezone.utc)
        )
        start, end = lifetime(created, received)
        counts = stat_counts(data)
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)
