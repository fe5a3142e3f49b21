"""Mastodon (and any server speaking the Mastodon client API).

Statuses with media, replies, direct messages, delete, the reply context and the
counts of a status. Four things matter on Mastodon and are built in:

* **Idempotency-Key** on ``POST /api/v1/statuses``: the key is derived from the post
  and reused across every retry, so a timeout never becomes a double post (the
  server keeps keys about an hour).
* **Media processing**: ``POST /api/v2/media`` answers ``202`` while the server
  transcodes; the publish protocol polls ``GET /api/v1/media/:id`` (``206`` = still
  processing) with a deadline and posts only once it is ready.
* **Native scheduling**: ``MastodonExtras.scheduled_at`` hands the status over early;
  the server answers with a ``ScheduledStatus`` (``id``, ``scheduled_at``, ``params``),
  returned as a ``pending`` receipt whose ``scheduled_at`` is set
  (:func:`smmkit.platforms.dispatch_due` uses it with ``native_schedule=``).
* **Per-instance limits**: ``max_characters``, the URL weight, media count and sizes
  differ per server. :meth:`MastodonAdapter.instance_spec` reads ``/api/v2/instance``
  into the catalog spec (:func:`smmkit.catalog.override_spec`).

Example:
    >>> from smmkit.models import PlatformPost
    >>> adapter = MastodonAdapter(base_url="https://social.example", access_token="t0k")
    >>> request = next(adapter.publish(PlatformPost(platform="mastodon", piece_id="p",
    ...                                             body="Hello"), idempotency_key="k1"))
    >>> request.method, request.url.path, request.headers["Idempotency-Key"]
    ('POST', '/api/v1/statuses', 'k1')
    >>> "t0k" in repr(adapter)
    False
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field, SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.catalog import override_spec
from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    PlatformError,
    TokenExpiredError,
    UnsupportedOperationError,
)
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import MastodonExtras
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, mark_delivered
from smmkit.platforms._mastodon_inbox import MastodonInbox
from smmkit.platforms._media import (
    MediaLoader,
    file_name,
    load_media,
    media_loader_or_default,
    media_type,
)
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    MessageReceipt,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._translate import read_answer

__all__ = [
    "MastodonAdapter",
    "MastodonStatus",
    "instance_overrides",
]

_POLL_SECONDS = 2.0


class _Status(SmmkitModel):
    """The fields of a Mastodon ``Status`` entity smmkit reads (wire model)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    created_at: datetime
    url: str | None = None
    uri: str | None = None
    content: str = ""
    in_reply_to_id: str | None = None
    replies_count: int = 0
    reblogs_count: int = 0
    favourites_count: int = 0
    account: dict[str, Any] = Field(default_factory=dict)


class _ScheduledStatus(SmmkitModel):
    """The fields of a ``ScheduledStatus`` entity smmkit reads (wire model)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    scheduled_at: datetime


class _Media(SmmkitModel):
    """The fields of a ``MediaAttachment`` smmkit reads (wire model)."""

    model_config = ConfigDict(extra="ignore")

    id: str
    type: str = "unknown"
    url: str | None = None


class MastodonStatus(SmmkitModel):
    """A status as smmkit reports it: id, link, plain text and the three counts.

    Example:
        >>> from datetime import datetime, timezone
        >>> MastodonStatus(id="1", text="hi", created_at=datetime(2026, 1, 1,
        ...     tzinfo=timezone.utc), author="alice").replies
        0
    """

    id: str
    text: str
    created_at: AwareDatetime
    author: str
    url: str | None = None
    in_reply_to: str | None = None
    replies: int = 0
    reblogs: int = 0
    favourites: int = 0


_Context = tuple[tuple[MastodonStatus, ...], tuple[MastodonStatus, ...]]


def instance_overrides(instance: Mapping[str, Any]) -> dict[str, Any]:
    """Catalog overrides (dotted paths) from a ``/api/v2/instance`` document.

    Only values the instance states are returned; absent ones keep the catalog's.

    Example:
        >>> instance_overrides({"configuration": {"statuses": {"max_characters": 5000,
        ...     "max_media_attachments": 8}, "media_attachments": {
        ...     "image_size_limit": 10485760}}})
        {'text.max_length': 5000, 'media.max_items': 8, 'media.image_max_bytes': 10485760}
    """
    require(instance, "instance", Mapping, "a mapping (the instance document)")
    config = instance.get("configuration")
    if not isinstance(config, Mapping):
        return {}
    statuses = config.get("statuses")
    media = config.get("media_attachments")
    statuses = statuses if isinstance(statuses, Mapping) else {}
    media = media if isinstance(media, Mapping) else {}
    picked = {
        "text.max_length": statuses.get("max_characters"),
        "text.url_length": statuses.get("characters_reserved_per_url"),
        "media.max_items": statuses.get("max_media_attachments"),
        "media.image_max_bytes": media.get("image_size_limit"),
        "media.video_max_bytes": media.get("video_size_limit"),
    }
    return {
        path: value
        for path, value in picked.items()
        if isinstance(value, int) and not isinstance(value, bool) and value > 0
    }


def _plain_text(content: str) -> str:
    # Statuses arrive as sanitised HTML; readers of comments want the words.
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.IGNORECASE)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


class MastodonAdapter(MastodonInbox, BearerTokenAdapter):
    """The Mastodon client API, for one account on one instance.

    Authenticate with the account's OAuth ``access_token`` (scopes ``read write``, or
    ``write:statuses write:media read:statuses``); Mastodon tokens do not expire. With
    ``credentials`` that carry a ``refresh_token`` the adapter refreshes at
    ``/oauth/token`` instead.

    Post-specific fields go in ``PlatformPost.extras``, a
    :class:`~smmkit.models.MastodonExtras`: ``visibility``
    (public/unlisted/private/direct), ``spoiler_text``, ``language``, ``sensitive`` and
    ``in_reply_to_id``.

    Example:
        >>> adapter = MastodonAdapter(base_url="https://social.example", access_token="t")
        >>> sorted(c.value for c in adapter.capabilities)[:3]
        ['comments', 'delete', 'direct_message']
    """

    name = "mastodon"
    platform_id = "mastodon"
    extras_model = MastodonExtras
    default_base_url = "https://mastodon.social"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.PUBLISH_VIDEO,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.DIRECT_MESSAGE,
            Capability.UPLOAD_MEDIA,
        }
    )
    idempotency = IdempotencyMode.KEY
    requires_token = True
    # ScheduledStatus::MINIMUM_OFFSET: a nearer scheduled_at is published at once.
    min_schedule_lead = timedelta(minutes=5)

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        base_url: str | None = None,
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self._access_token = secret_or_none(access_token, "access_token")
        self._media_loader = media_loader_or_default(media_loader)

    def __repr__(self) -> str:
        return f"MastodonAdapter(base_url={str(self.base_url)!r}, account={self.account!r})"

    # -- tokens and errors ----------------------------------------------------------

    def refreshed_token(self, current: Token | None) -> Flow[Token]:
        """A token from the instance's ``/oauth/token`` (no fixed ``access_token``): the
        refresh token's grant, or without one an app token (``client_credentials``)."""
        creds = self.credentials
        if creds is None:
            raise AuthenticationError(
                "MastodonAdapter needs access_token= or credentials=", platform=self.platform_id
            )
        form = {
            "client_id": creds.client_id,
            "client_secret": creds.client_secret.get_secret_value(),
        }
        refresh = (current.refresh_token if current else None) or creds.refresh_token
        if refresh is not None:
            form.update(grant_type="refresh_token", refresh_token=refresh.get_secret_value())
        else:
            # An app token: enough to read the instance, not to post for a user.
            form.update(grant_type="client_credentials", scope="read")
        response = yield self.request(
            "POST", "/oauth/token", endpoint="token", safe=True, data=form
        )
        body = response.json()
        expires_in = body.get("expires_in")
        expires_at = None
        if isinstance(expires_in, (int, float)) and expires_in > 0:
            expires_at = datetime.fromtimestamp(received_at(response) + expires_in, timezone.utc)
        return Token(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token"),
            expires_at=expires_at,
            scope=body.get("scope"),
        )

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Mastodon's ``{"error": ...}``; a 401 is an expired token only when refreshable."""
        info = super().parse_error(response)
        if info is not None and response.status_code == 401:
            kind = TokenExpiredError if self.can_refresh else AuthenticationError
            return ErrorInfo(kind, info.message, code=info.code)
        if info is not None and info.code == "invalid_grant":
            # A refresh token used up or revoked: only the user can authorize again, so
            # say that instead of a bad request that every later call repeats.
            message = f"{info.message}; the refresh token is no longer valid: authorize again"
            return ErrorInfo(AuthenticationError, message, code=info.code)
        return info

    # -- statuses -------------------------------------------------------------------

    def _status_payload(self, post: PlatformPost, text: str) -> dict[str, Any]:
        extras = post.extras_as(MastodonExtras)
        payload: dict[str, Any] = {"status": text}
        if extras.media_ids:
            payload["media_ids"] = list(extras.media_ids)
        optional = {
            "visibility": extras.visibility,  # one of four: checked by MastodonExtras
            "spoiler_text": extras.spoiler_text,
            "language": extras.language,
            "sensitive": extras.sensitive,
            "in_reply_to_id": extras.in_reply_to_id,
            "scheduled_at": None
            if extras.scheduled_at is None
            else extras.scheduled_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        payload.update({key: value for key, value in optional.items() if value is not None})
        return payload

    def _create(self, payload: dict[str, Any], key: str | None) -> httpx.Request:
        headers = {"Idempotency-Key": key} if key else {}
        return self.request(
            "POST", "/api/v1/statuses", endpoint="api_requests", json=payload, headers=headers
        )

    def _receipt(self, status: _Status, key: str | None) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=status.id,
            status=PublishStatus.PUBLISHED,
            url=status.url or status.uri,
            idempotency_key=key,
            published_at=status.created_at,
        )

    def _scheduled_receipt(self, scheduled: _ScheduledStatus, key: str | None) -> PublishReceipt:
        at = scheduled.scheduled_at
        at = at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)
        return PublishReceipt(
            platform=self.platform_id,
            post_id=scheduled.id,
            platform_ids={"scheduled_status_id": scheduled.id},
            status=PublishStatus.PENDING,
            idempotency_key=key,
            scheduled_at=at,
            detail=f"scheduled by the server for {at.isoformat()}",
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST /api/v1/statuses`` with an ``Idempotency-Key``; a thread is chained replies.

        Media ids (from :meth:`upload_media`) go on the first status of a thread. With
        ``extras.scheduled_at`` the server may hold the status: the receipt is then
        ``pending`` with ``scheduled_at`` set (a thread cannot be scheduled: its replies
        need the first status's id).
        """
        texts = post.parts or (post.body,)
        first: PublishReceipt | None = None
        extras = post.extras_as(MastodonExtras)
        if extras.scheduled_at is not None and len(texts) > 1:
            raise UnsupportedOperationError(
                "Mastodon cannot schedule a thread (its replies need the first status's id); "
                "publish it when due",
                platform=self.platform_id,
            )
        parent = extras.in_reply_to_id
        live: list[str] = []
        for number, text in enumerate(texts):
            payload = self._status_payload(post, text)
            if number:
                payload.pop("media_ids", None)
                payload["in_reply_to_id"] = parent
            part_key = (
                idempotency_key
                if number == 0 or idempotency_key is None
                else f"{idempotency_key}-{number}"
            )
            try:
                response = yield self._create(payload, part_key)
                # An answer in another form: the status may be live (an unknown outcome).
                status = read_answer(self, response, _created_status)
            except PlatformError as exc:
                mark_delivered(exc, live)  # the thread so far is live, whatever failed
                raise
            if isinstance(status, _ScheduledStatus):
                return self._scheduled_receipt(status, part_key)
            parent = status.id
            live.append(status.id)
            if first is None:
                first = self._receipt(status, idempotency_key)
        assert first is not None  # texts is never empty
        return first

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /api/v1/statuses/:id``."""
        yield self.request("DELETE", f"/api/v1/statuses/{post_id}", endpoint="status_deletes")

    def status(self, post_id: str) -> Flow[MastodonStatus]:
        """``GET /api/v1/statuses/:id`` as a :class:`MastodonStatus` (text and counts)."""
        response = yield self.request("GET", f"/api/v1/statuses/{post_id}", endpoint="api_requests")
        return _public_status(_Status.model_validate(response.json()))

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Favourites, reblogs and replies of a status (Mastodon has no impressions).

        One observation per count, named as Mastodon names them, plus their sum as
        ``interactions``; the period runs from the status's creation to now.
        """
        response = yield self.request("GET", f"/api/v1/statuses/{post_id}", endpoint="api_requests")
        status = _Status.model_validate(response.json())
        start, end = lifetime(status.created_at, received_at(response))
        counts = {
            "favourites_count": status.favourites_count,
            "reblogs_count": status.reblogs_count,
            "replies_count": status.replies_count,
        }
        counts["interactions"] = sum(counts.values())
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def context(self, post_id: str) -> Flow[_Context]:
        """``GET /api/v1/statuses/:id/context``: ``(ancestors, descendants)``."""
        response = yield self.request(
            "GET", f"/api/v1/statuses/{post_id}/context", endpoint="api_requests"
        )
        body = response.json()
        return (
            tuple(_public_status(_Status.model_validate(s)) for s in body.get("ancestors", ())),
            tuple(_public_status(_Status.model_validate(s)) for s in body.get("descendants", ())),
        )

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Every reply below a status (its context's descendants), oldest first."""
        _, descendants = yield from self.context(post_id)
        return tuple(_comment(s, self.spec.id, post_id, s.in_reply_to) for s in descendants)

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Post ``text`` as a reply to ``comment_id`` (a status id below ``post_id``).

        Mastodon notifies only mentioned accounts: start ``text`` with ``@user`` when the
        author should be told.
        """
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        response = yield self._create({"status": text, "in_reply_to_id": comment_id}, None)
        status = _public_status(_Status.model_validate(response.json()))
        return _comment(status, self.spec.id, post_id, comment_id)

    def send_message(self, recipient: str, text: str) -> Flow[MessageReceipt]:
        """A direct message: a status with ``visibility=direct`` that mentions ``recipient``."""
        handle = recipient if recipient.startswith("@") else f"@{recipient}"
        if not re.fullmatch(r"@[\w.\-]+(@[\w.\-]+)?", handle):
            raise InvalidInputError.single(
                "recipient", "must be an account: user or user@host", recipient
            )
        payload = {"status": f"{handle} {text}", "visibility": "direct"}
        response = yield self._create(payload, None)
        status = _Status.model_validate(response.json())
        return MessageReceipt(platform=self.spec.id, message_id=status.id, recipient=handle)

    # -- media ----------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """``POST /api/v2/media`` (multipart, with the alt text as ``description``).

        ``200`` means ready, ``202`` still processing: the publish protocol then polls
        :meth:`media_status` until it is ready. Marked safe to repeat: a duplicate upload
        is an unattached orphan the server deletes, never a post.
        """
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
        form = {"description": asset.alt_text} if asset.alt_text else {}
        response = yield self.request(
            "POST",
            "/api/v2/media",
            endpoint="media_uploads",
            safe=True,
            files={"file": (file_name(asset), data, media_type(asset))},
            data=form,
        )
        return self._handle(response, asset.kind)

    def media_status(self, handle: MediaHandle) -> Flow[MediaHandle]:
        """``GET /api/v1/media/:id``: ``206`` while processing, ``200`` when ready."""
        response = yield self.request(
            "GET", f"/api/v1/media/{handle.media_id}", endpoint="api_requests"
        )
        return self._handle(response, handle.kind)

    def _handle(self, response: httpx.Response, kind: MediaKind) -> MediaHandle:
        media = _Media.model_validate(response.json())
        processing = response.status_code in (202, 206) or media.url is None
        return MediaHandle(
            platform=self.spec.id,
            media_id=media.id,
            kind=kind,
            state=MediaState.PROCESSING if processing else MediaState.READY,
            poll_after=_POLL_SECONDS if processing else None,
        )

    # -- the instance ------------------------------------------------------------------

    def instance_spec(self) -> Flow[Platform]:
        """Read ``/api/v2/instance`` and return (and adopt) the spec with its limits.

        Afterwards ``adapter.spec`` (and therefore dry runs and limit checks) use the
        instance's own ``max_characters``, URL weight, media count and sizes.
        """
        response = yield self.request("GET", "/api/v2/instance", endpoint="api_requests")
        changes = instance_overrides(response.json())
        host = self.base_url.host or "instance"
        spec = override_spec(self.spec, changes, source=f"{host} /api/v2/instance")
        self._spec = spec
        return spec


def _comment(
    status: MastodonStatus, platform: str, post_id: str, in_reply_to: str | None
) -> Comment:
    return Comment(
        platform=platform,
        id=status.id,
        post_id=post_id,
        author_id=status.author,
        text=status.text,
        created_at=status.created_at,
        in_reply_to=in_reply_to,
    )


def _public_status(status: _Status) -> MastodonStatus:
    account = status.account or {}
    return MastodonStatus(
        id=status.id,
        text=_plain_text(status.content),
        created_at=status.created_at,
        author=str(account.get("acct") or account.get("id") or "unknown"),
        url=status.url or status.uri,
        in_reply_to=status.in_reply_to_id,
        replies=status.replies_count,
        reblogs=status.reblogs_count,
        favourites=status.favourites_count,
    )


def _created_status(response: httpx.Response) -> _Status | _ScheduledStatus:
    """The status (or the scheduled status) a ``POST /api/v1/statuses`` created."""
    body = response.json()
    if isinstance(body, dict) and "params" in body and "scheduled_at" in body:
        return _ScheduledStatus.model_validate(body)
    return _Status.model_validate(body)
