"""YouTube (Data API v3): video uploads with metadata, delete, statistics, comments.

Four things matter on YouTube and are built in:

* **Resumable upload** (``_youtube_upload``): the video resource (title, description,
  tags, category, privacy, ``publishAt``, made-for-kids) starts a session, the bytes go
  in chunks of a multiple of 256 KiB, and after a broken connection or a 5xx the
  adapter asks the session for its offset (``Content-Range: bytes */TOTAL``) and goes
  on from the server's offset: no byte is sent twice on purpose, none is lost.
* **No idempotency key**: ``videos.insert`` takes none, so the adapter declares
  ``IdempotencyMode.READ_BACK``. It tags each upload with a content key
  (:func:`~smmkit.platforms._youtube_wire.marker_tag`, from the post's idempotency
  key) and remembers each unfinished session by that key. After a lost answer,
  :meth:`YouTubeAdapter.find_published` first asks the remembered session (a finished
  one answers with its video, an unfinished one is resumed, not restarted), then looks
  through the channel's uploads playlist for the tag; only when neither knows the
  video is a new upload started.
* **Quota units**: every call is counted in a :class:`QuotaTracker` before it is sent
  (``videos.insert`` and ``search.list`` have buckets of 100 calls a day, everything
  else shares 10,000 units; the day ends at midnight Pacific Time). A call that does
  not fit is refused with :class:`YouTubeQuotaError` and nothing sent, so a batch fails
  item by item once the day's quota is gone; Google's ``quotaExceeded`` marks the bucket
  spent as well. :meth:`YouTubeAdapter.affordable` says how many posts of a batch fit.
* **OAuth 2.0**: pass the user's ``access_token``, or ``credentials`` with a
  ``refresh_token`` (Google access tokens last an hour) and the client refreshes through
  its ``TokenStore`` with :func:`smmkit.platforms.oauth.refresh` (provider ``GOOGLE``).

Errors are read from Google's ``{"error": {"code", "message", "errors": [{"reason",
"domain"}], "status"}}``: the first ``reason`` is the error's ``code``
(``quotaExceeded`` → :class:`YouTubeQuotaError`, ``rateLimitExceeded`` →
``RateLimitError``, ``authError``/401 → token expired or authentication,
``forbidden`` → ``PermissionDeniedError``, ``videoNotFound`` → ``NotFoundError``), the
upload server's ``X-GUploader-UploadID`` the ``request_id``.

Example:
    >>> from smmkit.models import MediaAsset, PlatformPost
    >>> from smmkit.platforms import InMemoryMediaLoader
    >>> clip = MediaAsset(kind="video", url="https://cdn.example/brew.mp4")
    >>> adapter = YouTubeAdapter(access_token="t0k",
    ...                          media_loader=InMemoryMediaLoader({clip.url: b"mp4"}))
    >>> post = PlatformPost(platform="youtube", piece_id="p", title="Cold brew",
    ...                     body="How we brew", media=(clip,))
    >>> flow = adapter.publish(post, idempotency_key="k" * 32)
    >>> from datetime import datetime, timezone
    >>> _ = next(flow)  # the time, for the quota
    >>> start = flow.send(datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> start = flow.send(datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> start.method, start.url.path, start.url.params["uploadType"]
    ('POST', '/upload/youtube/v3/videos', 'resumable')
    >>> "t0k" in repr(adapter), adapter.idempotency.value
    (False, 'read_back')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import InvalidInputError, NotFoundError, PlatformError
from smmkit.models.content import PlatformPost
from smmkit.models.extras import YouTubeExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _youtube_inbox, oauth
from smmkit.platforms import _youtube_upload as upload
from smmkit.platforms._adapter import (
    ENDPOINT,
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
from smmkit.platforms._auth import Credentials
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms._media import MediaLoader, load_media, media_loader_or_default, media_type
from smmkit.platforms._ratelimit import RequestRate
from smmkit.platforms._results import Comment, PublishReceipt
from smmkit.platforms._translate import read_answer
from smmkit.platforms._youtube_quota import (
    DEFAULT_COSTS,
    DEFAULT_LIMITS,
    QuotaTracker,
    YouTubeQuotaError,
    seconds_to_reset,
)
from smmkit.platforms._youtube_upload import CHUNK_GRANULE, UploadSession
from smmkit.platforms._youtube_wire import (
    WireVideo,
    comment_of,
    google_error,
    marker_tag,
    match_upload,
    receipt_of,
    require_id,
    the_video,
    video_resource,
    videos_of,
)

__all__ = [
    "DEFAULT_COSTS",
    "DEFAULT_LIMITS",
    "QuotaTracker",
    "YouTubeAdapter",
    "YouTubeQuotaError",
]


class YouTubeAdapter(BearerTokenAdapter):
    """YouTube Data API v3 for one channel, with an OAuth 2.0 user token.

    ``access_token`` is the user's token (scopes ``youtube.upload`` and
    ``youtube.force-ssl``; the second one covers comments and delete); or pass
    ``credentials`` (the app's OAuth client) with the user's ``refresh_token``.
    ``quota`` is the :class:`QuotaTracker` to count in (share one between the adapters
    of one Google Cloud project); ``chunk_bytes`` the upload chunk (a multiple of
    256 KiB, default 8 MiB); ``read_back_items`` how many recent uploads a read-back
    looks through (1 to 50); ``mark_uploads=False`` leaves the content-key tag off
    (the read-back then matches title and description); ``read_back_first=True`` looks
    for the video among the channel's uploads before every new upload (2 or 3 units;
    for re-running a batch after a crash, when another process may have uploaded it);
    ``max_stalls`` how many failed chunks in a row end an upload.

    A post is one video in ``post.media``, a title (``post.title`` or
    ``extras.title``), the description in ``post.body`` and the fields of a
    :class:`~smmkit.models.extras.YouTubeExtras`.

    Example:
        >>> adapter = YouTubeAdapter(access_token="t")
        >>> sorted(c.value for c in adapter.capabilities)
        ['comments', 'delete', 'metrics', 'publish_text', 'publish_video', 'reply']
    """

    name = "youtube"
    platform_id = "youtube"
    extras_model = YouTubeExtras
    default_base_url = "https://www.googleapis.com/youtube/v3/"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,  # the contract's base; a post still needs its video
            Capability.PUBLISH_VIDEO,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    request_id_headers = ("x-guploader-uploadid", "x-goog-request-id", "x-request-id")
    inbox_sources = _youtube_inbox.SOURCES
    inbox_page_size = 100  #: comment threads per inbox request (1 quota unit each)
    inbox_channel: str | None = None  #: the channel the inbox reads (asked once if None)
    oauth_provider = oauth.GOOGLE
    token_missing = (
        "YouTubeAdapter needs access_token=, or credentials= with the user's"
        " refresh_token (authorize with access_type=offline)"
    )

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        base_url: str | None = None,
        upload_url: str = "https://www.googleapis.com/upload/youtube/v3/videos",
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        quota: QuotaTracker | None = None,
        chunk_bytes: int = 32 * CHUNK_GRANULE,
        read_back_items: int = 25,
        mark_uploads: bool = True,
        read_back_first: bool = False,
        max_stalls: int = 5,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        require(upload_url, "upload_url", str, "a str (the upload endpoint's URL)")
        if not upload_url.startswith(("https://", "http://")):
            raise InvalidInputError.single("upload_url", "must be an http(s) URL", upload_url)
        if quota is not None:
            require(quota, "quota", QuotaTracker, "a QuotaTracker or None")
        require(mark_uploads, "mark_uploads", bool, "a bool")
        require(read_back_first, "read_back_first", bool, "a bool")
        for field, value, low, high in (
            ("chunk_bytes", chunk_bytes, CHUNK_GRANULE, 1 << 30),
            ("read_back_items", read_back_items, 1, 50),
            ("max_stalls", max_stalls, 0, 100),
        ):
            require(value, field, int, "an int")
            if isinstance(value, bool) or not low <= value <= high:
                raise InvalidInputError.single(field, f"must be from {low} to {high}", value)
        if chunk_bytes % CHUNK_GRANULE:
            raise InvalidInputError.single(
                "chunk_bytes", "must be a multiple of 256 KiB (262144)", chunk_bytes
            )
        self._upload_url = upload_url
        self._media_loader = media_loader_or_default(media_loader)
        self.quota = quota if quota is not None else QuotaTracker()
        self._chunk = chunk_bytes
        self._read_back_items = read_back_items
        self._mark = mark_uploads
        self._read_back_first = read_back_first
        self._max_stalls = max_stalls
        self._sessions: dict[str, UploadSession] = {}  # unfinished uploads by key
        self._uploads: str | None = None  # the channel's uploads playlist

    def __repr__(self) -> str:
        return f"YouTubeAdapter(base_url={str(self.base_url)!r}, account={self.account!r})"

    def default_rates(self) -> Mapping[str, RequestRate]:
        """None: YouTube's limits are daily quotas, counted by :attr:`quota`, not rates."""
        return {}

    # -- quota -----------------------------------------------------------------------

    def publish_methods(self, post: PlatformPost) -> tuple[str, ...]:
        """The quota-counted calls a publish of ``post`` makes when nothing goes wrong.

        Example:
            >>> post = PlatformPost(platform="youtube", piece_id="p", title="t", body="b",
            ...                     extras={"playlist_id": "PLtea"})
            >>> YouTubeAdapter(access_token="t").publish_methods(post)
            ('videos.insert', 'playlistItems.insert')
        """
        require(post, "post", PlatformPost, "a PlatformPost")
        if post.extras_as(YouTubeExtras).playlist_id:
            return ("videos.insert", "playlistItems.insert")
        return ("videos.insert",)

    def affordable(self, posts: Iterable[PlatformPost], *, now: datetime) -> int:
        """How many of ``posts``, in order, today's remaining quota can publish.

        Consult it before a batch; the publishes past it would each be refused with
        :class:`YouTubeQuotaError` (nothing sent).

        Example:
            >>> adapter = YouTubeAdapter(access_token="t",
            ...                          quota=QuotaTracker(limits={**DEFAULT_LIMITS,
            ...                                                     "videos.insert": 2}))
            >>> post = PlatformPost(platform="youtube", piece_id="p", title="t", body="b")
            >>> adapter.affordable([post] * 5, now=datetime(2026, 3, 2, tzinfo=timezone.utc))
            2
        """
        planned: list[str] = []
        count = 0
        for post in posts:
            planned.extend(self.publish_methods(post))
            if not self.quota.fits(planned, now=now):
                break
            count += 1
        return count

    def _call(self, method: str, request: httpx.Request) -> Flow[httpx.Response]:
        """Count ``method`` in the quota (refused when it does not fit), then send."""
        now: datetime = yield Now()
        self.quota.charge(method, now=now)
        response: httpx.Response = yield request
        return response

    def _get(self, method: str, path: str, params: dict[str, Any]) -> Flow[httpx.Response]:
        request = self.request("GET", path, endpoint=method, params=params)
        return (yield from self._call(method, request))

    # -- tokens and errors -----------------------------------------------------------

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Google's error answer (:func:`~smmkit.platforms._youtube_wire.google_error`);
        a spent quota is recorded in :attr:`quota` so later calls are not sent."""
        request = request_of(response)
        if request is not None and oauth.is_oauth_request(request):
            return oauth.oauth_error_info(response)
        now = None
        if RECEIVED_AT in response.extensions:
            now = datetime.fromtimestamp(received_at(response), timezone.utc)
        reset = None if now is None else seconds_to_reset(now)
        info = google_error(response, can_refresh=self.can_refresh, reset_in=reset)
        if info is not None and info.kind is YouTubeQuotaError and now and request is not None:
            method = str(request.extensions.get(ENDPOINT, ""))
            if method in self.quota.costs:
                self.quota.spent_out(method, now=now)
        return info

    # -- publishing ------------------------------------------------------------------

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Upload the post's video with its metadata (resumable), then add it to
        ``extras.playlist_id``. A video with ``publish_at`` is a ``pending`` receipt
        whose ``scheduled_at`` is that time (YouTube publishes it then)."""
        video = the_video(post)
        marker = marker_tag(idempotency_key) if idempotency_key and self._mark else None
        body = video_resource(post, marker)
        extras = post.extras_as(YouTubeExtras)
        now: datetime = yield Now()
        key = idempotency_key
        session = self._sessions.get(key) if key else None
        if session is None:  # a new upload: is there quota for it, before the download?
            self.quota.check("videos.insert", now=now)
        data = yield from load_media(video, self._media_loader, spec=self.spec)
        if not data:
            raise InvalidInputError.single("media", "the video is empty (0 bytes)")
        mime = media_type(video)
        mime = mime if mime.startswith("video/") else "application/octet-stream"
        params = {}
        if extras.notify_subscribers is not None:
            params["notifySubscribers"] = "true" if extras.notify_subscribers else "false"
        start = 0
        look = self._read_back_first
        if session is not None and session.total == len(data):
            state = yield from upload.status(self, session)
            if isinstance(state, WireVideo):
                self._sessions.pop(key or "", None)
                return (yield from self._finish(state, post, key, check_playlist=True))
            look = look or state is None  # expired: did it finish before? look first
            session, start = (None, 0) if state is None else (session, state)
        else:
            session = None
        if session is None and look:
            found = yield from self._find_upload(post, key)
            if found is not None:
                return (yield from self._finish(found, post, key, check_playlist=True))
        if session is None:
            yield from self._charge("videos.insert")
            session = yield from upload.initiate(
                self, self._upload_url, body, total=len(data), mime=mime, params=params
            )
            if key:
                self._sessions[key] = session
        uploaded = yield from upload.send(
            self, session, data, start=start, chunk=self._chunk, mime=mime,
            max_stalls=self._max_stalls,
        )  # fmt: skip
        self._sessions.pop(key or "", None)
        return (yield from self._finish(uploaded, post, key, check_playlist=False))

    def _charge(self, method: str) -> Flow[None]:
        now: datetime = yield Now()
        self.quota.charge(method, now=now)

    def _finish(
        self, video: WireVideo, post: PlatformPost, key: str | None, *, check_playlist: bool
    ) -> Flow[PublishReceipt]:
        """The receipt of an uploaded video, after adding it to its playlist."""
        extras = post.extras_as(YouTubeExtras)
        receipt = receipt_of(video, key, extras)
        if extras.playlist_id is None:
            return receipt
        try:
            item = yield from self._add_to_playlist(video.id, extras.playlist_id, check_playlist)
        except PlatformError as exc:
            # The video is out: report it published, and say what did not happen.
            note = f"not added to playlist {extras.playlist_id}: {type(exc).__name__}"
            detail = f"{receipt.detail}; {note}" if receipt.detail else note
            return receipt.model_copy(update={"detail": detail})
        ids = {**receipt.platform_ids, "playlist_item_id": item}
        return receipt.model_copy(update={"platform_ids": ids})

    def _add_to_playlist(self, video_id: str, playlist_id: str, check: bool) -> Flow[str]:
        if check:  # after a read-back: an earlier attempt may have added it
            params = {"part": "id", "playlistId": playlist_id, "videoId": video_id}
            response = yield from self._get("playlistItems.list", "playlistItems", params)
            items = response.json().get("items") or ()
            if items:
                return str(items[0]["id"])
        body = {
            "snippet": {
                "playlistId": playlist_id,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
            }
        }
        request = self.request(
            "POST", "playlistItems", endpoint="playlistItems.insert",
            params={"part": "snippet"}, json=body,
        )  # fmt: skip
        response = yield from self._call("playlistItems.insert", request)
        return str(response.json()["id"])

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the video of ``post`` if an earlier attempt made it, else ``None``.

        First the remembered upload session of ``idempotency_key``: finished, it
        answers with the video; unfinished, ``None`` (the next publish resumes it). Then
        the channel's latest uploads (``read_back_items``), matched by the content-key
        tag (or title and description with ``mark_uploads=False``).
        """
        key = idempotency_key
        session = self._sessions.get(key) if key else None
        if session is not None:
            state = yield from upload.status(self, session)
            if isinstance(state, WireVideo):
                self._sessions.pop(key or "", None)
                return (yield from self._finish(state, post, key, check_playlist=True))
            if state is not None:
                return None  # not finished: no video yet, the publish resumes it
            self._sessions.pop(key or "", None)
        found = yield from self._find_upload(post, key)
        if found is None:
            return None
        return (yield from self._finish(found, post, key, check_playlist=True))

    def uploads_playlist(self) -> Flow[str]:
        """The id of the channel's uploads playlist (``channels.list``, then kept)."""
        if self._uploads is None:
            params = {"part": "contentDetails", "mine": "true"}
            response = yield from self._get("channels.list", "channels", params)
            items = response.json().get("items") or ()
            if not items:
                raise NotFoundError("the token's account has no channel", platform="youtube")
            self._uploads = str(items[0]["contentDetails"]["relatedPlaylists"]["uploads"])
        return self._uploads

    def _find_upload(self, post: PlatformPost, key: str | None) -> Flow[WireVideo | None]:
        playlist = yield from self.uploads_playlist()
        params = {"part": "contentDetails", "playlistId": playlist,
                  "maxResults": str(self._read_back_items)}  # fmt: skip
        response = yield from self._get("playlistItems.list", "playlistItems", params)
        ids = [
            str(item["contentDetails"]["videoId"]) for item in response.json().get("items") or ()
        ]
        if not ids:
            return None
        params = {"part": "snippet,status", "id": ",".join(ids)}
        response = yield from self._get("videos.list", "videos", params)
        marker = marker_tag(key) if key and self._mark else None
        return match_upload(videos_of(response), marker, video_resource(post, None))

    def delete(self, post_id: str) -> Flow[None]:
        """``videos.delete`` (50 units)."""
        params = {"id": require_id(post_id, "post_id")}
        request = self.request("DELETE", "videos", endpoint="videos.delete", params=params)
        yield from self._call("videos.delete", request)

    # -- reading ---------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """``videos.list part=statistics``: ``views`` (viewCount), ``likeCount``,
        ``commentCount`` and their sum as ``interactions``, over the video's life."""
        params = {"part": "statistics,snippet", "id": require_id(post_id, "post_id")}
        response = yield from self._get("videos.list", "videos", params)
        videos = videos_of(response)
        if not videos:
            raise NotFoundError(f"no video {post_id}", platform=self.platform_id, status=404)
        video = videos[0]
        stats = video.statistics
        counts: dict[str, float] = {}
        for name, metric in (
            ("viewCount", "views"),
            ("likeCount", "likeCount"),
            ("commentCount", "commentCount"),
        ):
            value = stats.get(name)
            if isinstance(value, (str, int)) and str(value).isdigit():
                counts[metric] = float(value)
        counts["interactions"] = counts.get("likeCount", 0.0) + counts.get("commentCount", 0.0)
        received = received_at(response)
        created = video.published() or datetime.fromtimestamp(received, timezone.utc)
        start, end = lifetime(created, received)
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Comment threads of a video and their replies, oldest first
        (``commentThreads.list``; ``comments.list`` for threads with more than the five
        replies a thread carries)."""
        video_id = require_id(post_id, "post_id")
        params = {"part": "snippet,replies", "videoId": video_id, "maxResults": "100",
                  "textFormat": "plainText"}  # fmt: skip
        response = yield from self._get("commentThreads.list", "commentThreads", params)
        found: list[Comment] = []
        for thread in response.json().get("items") or ():
            top = thread["snippet"]["topLevelComment"]
            found.append(comment_of(top, self.spec.id, video_id))
            replies = list((thread.get("replies") or {}).get("comments") or ())
            if int(thread["snippet"].get("totalReplyCount") or 0) > len(replies):
                more = {"part": "snippet", "parentId": str(top["id"]), "maxResults": "100",
                        "textFormat": "plainText"}  # fmt: skip
                answer = yield from self._get("comments.list", "comments", more)
                replies = list(answer.json().get("items") or ())
            found.extend(comment_of(r, self.spec.id, video_id) for r in replies)
        return tuple(sorted(found, key=lambda c: (c.created_at, c.id)))

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``comments.insert``: ``text`` under ``comment_id``'s thread (a reply to a reply
        goes to its top-level comment, as YouTube threads are one level deep)."""
        video_id = require_id(post_id, "post_id")
        parent = require_id(comment_id, "comment_id").split(".")[0]
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        body = {"snippet": {"parentId": parent, "textOriginal": text}}
        request = self.request(
            "POST", "comments", endpoint="comments.insert", params={"part": "snippet"}, json=body
        )
        response = yield from self._call("comments.insert", request)
        return read_answer(self, response, lambda r: comment_of(r.json(), self.spec.id, video_id))

    def comment(self, post_id: str, text: str) -> Flow[Comment]:
        """``commentThreads.insert``: a new top-level comment on video ``post_id``."""
        video_id = require_id(post_id, "post_id")
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        body = {
            "snippet": {"videoId": video_id, "topLevelComment": {"snippet": {"textOriginal": text}}}
        }
        request = self.request(
            "POST", "commentThreads", endpoint="commentThreads.insert",
            params={"part": "snippet"}, json=body,
        )  # fmt: skip
        response = yield from self._call("commentThreads.insert", request)
        return read_answer(
            self,
            response,
            lambda r: comment_of(r.json()["snippet"]["topLevelComment"], self.spec.id, video_id),
        )

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """New comment threads on the channel, newest first (see ``_youtube_inbox``)."""
        return _youtube_inbox.inbox_page(self, source, cursor)
