"""Instagram (Graph API content publishing): containers, carousels, comments, insights.

Publishing on Instagram is three steps, and the adapter follows each with the publish
protocol's status machine (pending → processing → published / failed, never past the
deadline):

1. **containers**: ``POST /{ig-user-id}/media`` with the media's URL (Instagram pulls
   it: ``image_url``, or ``video_url`` with ``media_type=REELS``) and the caption; a
   carousel is one container per item (``is_carousel_item``) and then a ``CAROUSEL``
   container with their ids as ``children``;
2. **status**: ``GET /{container-id}?fields=status_code`` until ``FINISHED``
   (``ERROR`` and ``EXPIRED`` fail the publish);
3. **publish**: ``POST /{ig-user-id}/media_publish`` with ``creation_id``.

Exactly once without an idempotency key (``IdempotencyMode.READ_BACK``): a container
is created once per publish and followed by its id (the adapter remembers it by the
publish's idempotency key, so a repeated publish of the same post in this process
follows the same container). A container create whose answer is lost is repeated (an
unpublished container is never seen and expires after 24 hours); ``media_publish``
whose answer is lost is never repeated blindly: the container's ``status_code`` says
whether it went live (``PUBLISHED``; the post is then found among the account's recent
media by its caption), and only a container still ``FINISHED`` is published again.

**The publishing limit** (50 posts per rolling 24 hours, stated by the API) is read from
``GET /{ig-user-id}/content_publishing_limit`` before a batch, re-read after
:data:`QUOTA_TTL_SECONDS`, and counted down per publish: once it is used up each further
post is refused with a :class:`~smmkit.exceptions.RateLimitError` in its own result,
before anything is sent.

Example:
    >>> import json
    >>> from smmkit.models import MediaAsset, PlatformPost
    >>> adapter = InstagramAdapter(ig_user_id="1784", access_token="t0k")
    >>> flow = adapter.publish(PlatformPost(platform="instagram", piece_id="p", body="Tea",
    ...     media=(MediaAsset(kind="image", url="https://cdn.example/tea.jpg"),)))
    >>> next(flow).__class__.__name__  # the flow asks the time: is the quota read recent?
    'Now'
    >>> adapter.idempotency.value, "t0k" in repr(adapter)
    ('read_back', False)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import InvalidInputError, PlatformError, RateLimitError
from smmkit.models._base import SmmkitModel
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import InstagramExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _instagram_inbox
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials
from smmkit.platforms._errors import mark_outcome_unknown, outcome_unknown
from smmkit.platforms._meta_graph import (
    MetaGraphAdapter,
    content_key,
    created_id,
    graph_time,
    node_id,
)
from smmkit.platforms._oauth_core import META_GRAPH_VERSION
from smmkit.platforms._results import Comment, PublishReceipt, PublishStatus
from smmkit.platforms._translate import read_answer

__all__ = ["InstagramAdapter", "MEDIA_INSIGHTS", "PublishingLimit", "QUOTA_TTL_SECONDS"]

QUOTA_TTL_SECONDS = 300.0
"""How long a read of the publishing limit is trusted (counted down meanwhile)."""

MEDIA_INSIGHTS = ("views", "reach", "likes", "comments", "shares", "saved", "total_interactions")
"""Media insights asked for; ``views`` and ``reach`` are already vocabulary names."""

_INTERACTIONS = ("likes", "comments", "shares", "saved")  # the vocabulary's interaction fields
_POLL_SECONDS = 5.0
_PUBLISH_TRIES = 3
_MEDIA_FIELDS = "id,caption,timestamp,permalink"
_COMMENT_FIELDS = "id,text,timestamp,username,from"


class PublishingLimit(SmmkitModel):
    """The account's publishing quota: ``used`` of ``total`` posts per ``window_seconds``.

    Example:
        >>> PublishingLimit(used=48, total=50, window_seconds=86400).remaining
        2
    """

    used: int
    total: int
    window_seconds: int = 86400

    @property
    def remaining(self) -> int:
        """Posts left in the window (never negative)."""
        return max(0, self.total - self.used)


@dataclass
class _Quota:
    limit: PublishingLimit
    read_at: float
    reserved: int = 0


@dataclass
class _Plan:
    """What a carousel's parent container needs once its items are ready."""

    payload: dict[str, Any]
    caption: str
    children: list[str] = field(default_factory=list)


class InstagramAdapter(MetaGraphAdapter):
    """One Instagram professional account through the Graph API (Facebook Login).

    ``ig_user_id`` is the account's IG user id. Authenticate with an ``access_token``
    (a long-lived user token or the linked Page's token; permissions
    ``instagram_basic``, ``instagram_content_publish``, ``instagram_manage_comments``,
    ``instagram_manage_insights``, ``pages_read_engagement``), or with the user's
    ``user_token`` and the app's ``credentials`` for the long-lived exchange. Media
    must be at public ``https`` URLs: Instagram downloads them itself.

    Post fields go in ``PlatformPost.extras``, an :class:`~smmkit.models.InstagramExtras`.

    Example:
        >>> adapter = InstagramAdapter(ig_user_id="1784", access_token="t")
        >>> sorted(c.value for c in adapter.capabilities)[:3]
        ['comments', 'delete', 'metrics']
    """

    name = "instagram"
    platform_id = "instagram"
    extras_model = InstagramExtras
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.PUBLISH_VIDEO,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    inbox_sources = _instagram_inbox.SOURCES
    inbox_page_size = 50  #: comments or tagged media per inbox request
    inbox_media = 10  #: recent media whose comments the inbox follows
    inbox_replies = 50  #: replies read under each comment

    @conceals_secrets  # tokens given as plain str stay out of tracebacks
    def __init__(
        self,
        *,
        ig_user_id: str,
        base_url: str | None = None,
        access_token: SecretStr | str | None = None,
        user_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        api_version: str = META_GRAPH_VERSION,
    ) -> None:
        super().__init__(
            base_url=base_url,
            access_token=access_token,
            user_token=user_token,
            credentials=credentials,
            spec=spec,
            api_version=api_version,
        )
        self.ig_user_id = node_id(ig_user_id, "ig_user_id")
        self._quota: _Quota | None = None
        self._pending: dict[str, PublishReceipt] = {}
        self._plans: dict[str, _Plan] = {}

    @property
    def account(self) -> str:
        """The IG user id (keys the token in the token store and the rate limits)."""
        return self.ig_user_id

    # -- the publishing limit -----------------------------------------------------------

    def publishing_limit(self) -> Flow[PublishingLimit]:
        """``GET /{ig-user-id}/content_publishing_limit`` (and remember it for the batch)."""
        params = {"fields": "quota_usage,config"}
        request = self.graph(
            "GET", self.ig_user_id, "content_publishing_limit", endpoint="quota", params=params
        )
        response = yield from self.exchange(request)
        rows = response.json().get("data") or [{}]
        row = rows[0]
        config = row.get("config") or {}
        limit = PublishingLimit(
            used=int(row.get("quota_usage", 0)),
            total=int(config.get("quota_total", 50)),
            window_seconds=int(config.get("quota_duration", 86400)),
        )
        self._quota = _Quota(limit=limit, read_at=received_at(response))
        return limit

    def _reserve(self) -> Flow[None]:
        now: datetime = yield Now()
        quota = self._quota
        if quota is None or now.timestamp() - quota.read_at > QUOTA_TTL_SECONDS:
            yield from self.publishing_limit()
            quota = self._quota
        assert quota is not None
        if quota.reserved >= quota.limit.remaining:
            raise RateLimitError(
                f"Instagram's publishing limit is used up ({quota.limit.used + quota.reserved}"
                f" of {quota.limit.total} posts in {quota.limit.window_seconds // 3600} h);"
                " nothing was sent",
                platform=self.platform_id,
                outcome_unknown=False,
                retries_exhausted=True,
            )
        quota.reserved += 1

    # -- containers -----------------------------------------------------------------------

    def _item(self, asset: MediaAsset, extras: InstagramExtras, *, child: bool) -> dict[str, Any]:
        payload: dict[str, Any]
        if asset.kind is MediaKind.VIDEO:
            payload = {"media_type": "VIDEO" if child else "REELS", "video_url": asset.url}
            if not child:
                optional = {
                    "share_to_feed": extras.share_to_feed,
                    "cover_url": extras.cover_url,
                    "thumb_offset": None
                    if extras.thumb_offset is None
                    else str(extras.thumb_offset),
                }
                payload.update({k: v for k, v in optional.items() if v is not None})
        else:
            payload = {"image_url": asset.url}
            if asset.alt_text:
                payload["alt_text"] = asset.alt_text
            if extras.user_tags:
                payload["user_tags"] = [dict(t) for t in extras.user_tags]
        if child:
            payload["is_carousel_item"] = True
        return payload

    @staticmethod
    def _post_fields(post: PlatformPost, extras: InstagramExtras) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if post.body.strip():
            fields["caption"] = post.body
        if extras.location_id is not None:
            fields["location_id"] = extras.location_id
        if extras.collaborators:
            fields["collaborators"] = list(extras.collaborators)
        return fields

    def _container(self, payload: dict[str, Any]) -> Flow[str]:
        # Safe to repeat: a container nobody publishes is never seen and expires.
        request = self.graph(
            "POST", self.ig_user_id, "media", endpoint="containers", safe=True, json=payload
        )
        response = yield from self.exchange(request)
        return read_answer(self, response, created_id)

    def _status(self, container: str) -> Flow[str]:
        params = {"fields": "status_code,status"}
        response = yield from self.exchange(
            self.graph("GET", container, endpoint="containers", params=params)
        )
        return str(response.json().get("status_code") or "IN_PROGRESS")

    def _receipt(
        self, key: str, status: PublishStatus, ids: Mapping[str, str], **more: Any
    ) -> PublishReceipt:
        receipt = PublishReceipt(
            platform=self.platform_id,
            post_id=more.pop("post_id", None) or ids.get("container_id") or ids.get("children"),
            platform_ids=dict(ids),
            status=status,
            idempotency_key=key,
            poll_after=None if status.final else _POLL_SECONDS,
            **more,
        )
        if not status.final:
            self._pending[key] = receipt
        return receipt

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Create the container(s) and answer ``pending``: the publish protocol follows them
        with :meth:`publish_status` until published. Refused before anything is sent when
        the publishing limit is used up."""
        media = post.media
        if not media or len(media) > 10:
            raise InvalidInputError.single("media", "an Instagram post has 1 to 10 media items")
        key = idempotency_key or f"{post.piece_id}:{content_key(post.body)}"
        known = self._pending.get(key)
        if known is not None:  # this publish made its containers already: follow them
            return (yield from self.publish_status(known))
        extras = post.extras_as(InstagramExtras)
        fields = self._post_fields(post, extras)
        yield from self._reserve()
        if len(media) == 1:
            container = yield from self._container(
                {**self._item(media[0], extras, child=False), **fields}
            )
            self._plans[key] = _Plan(payload={}, caption=post.body)
            return self._receipt(
                key, PublishStatus.PENDING, {"container_id": container, "stage": "container"}
            )
        children = []
        for asset in media:
            children.append((yield from self._container(self._item(asset, extras, child=True))))
        payload = {"media_type": "CAROUSEL", "children": children, **fields}
        self._plans[key] = _Plan(payload=payload, caption=post.body, children=children)
        ids = {"children": ",".join(children), "stage": "children"}
        return self._receipt(key, PublishStatus.PENDING, ids)

    def publish_status(self, receipt: PublishReceipt) -> Flow[PublishReceipt]:
        """Follow the containers: the carousel's items, then the container; publish it
        once ``FINISHED`` (reading back after a lost answer, never blindly twice)."""
        key = receipt.idempotency_key or ""
        ids = dict(receipt.platform_ids)
        if ids.get("stage") == "children":
            codes = []
            for child in ids["children"].split(","):
                codes.append((yield from self._status(child)))
            failed = [c for c in codes if c in ("ERROR", "EXPIRED")]
            if failed:
                return self._failed(key, ids, f"a carousel item is {failed[0]}")
            if any(c != "FINISHED" for c in codes):
                return self._receipt(key, PublishStatus.PROCESSING, ids)
            plan = self._plans[key]
            ids["container_id"] = yield from self._container(plan.payload)
            ids["stage"] = "container"
            return self._receipt(key, PublishStatus.PROCESSING, ids)
        container = ids["container_id"]
        code = yield from self._status(container)
        if code in ("ERROR", "EXPIRED"):
            return self._failed(key, ids, f"container {container} is {code}")
        if code == "PUBLISHED":
            return (yield from self._published(key, ids, None))
        if code != "FINISHED":
            return self._receipt(key, PublishStatus.PROCESSING, ids)
        return (yield from self._media_publish(key, ids))

    def _failed(self, key: str, ids: dict[str, str], detail: str) -> PublishReceipt:
        self._pending.pop(key, None)
        self._plans.pop(key, None)
        return self._receipt(key, PublishStatus.FAILED, ids, detail=detail)

    def _media_publish(self, key: str, ids: dict[str, str]) -> Flow[PublishReceipt]:
        container = ids["container_id"]
        for attempt in range(1, _PUBLISH_TRIES + 1):
            request = self.graph(
                "POST",
                self.ig_user_id,
                "media_publish",
                endpoint="publish",
                json={"creation_id": container},
            )
            try:
                response = yield from self.exchange(request)
                media_id = read_answer(self, response, created_id)
            except PlatformError as exc:
                if not outcome_unknown(exc):
                    raise
                # The answer was lost: read back before publishing again.
                code = yield from self._status(container)
                if code == "PUBLISHED":
                    return (yield from self._published(key, ids, None))
                if code != "FINISHED" or attempt == _PUBLISH_TRIES:
                    mark_outcome_unknown(exc)
                    raise
                continue
            return (yield from self._published(key, ids, media_id))
        raise AssertionError("unreachable")  # pragma: no cover

    def _published(
        self, key: str, ids: dict[str, str], media_id: str | None
    ) -> Flow[PublishReceipt]:
        """The receipt of a published container (its media found by caption if unknown)."""
        plan = self._plans.get(key)
        wanted = content_key(plan.caption if plan else None)
        params = {"fields": _MEDIA_FIELDS}
        if media_id is None:
            response = yield from self.exchange(
                self.graph("GET", self.ig_user_id, "media", endpoint="media_read", params=params)
            )
            recent = response.json().get("data") or []
            match = next((m for m in recent if content_key(m.get("caption")) == wanted), None)
            item = match or (recent[0] if recent else {"id": ids["container_id"]})
        else:
            response = yield from self.exchange(
                self.graph("GET", media_id, endpoint="media_read", params={"fields": _MEDIA_FIELDS})
            )
            item = response.json()
        self._pending.pop(key, None)
        self._plans.pop(key, None)
        when = item.get("timestamp")
        return self._receipt(
            key,
            PublishStatus.PUBLISHED,
            {**{k: v for k, v in ids.items() if k != "stage"}},
            post_id=str(item["id"]),
            url=item.get("permalink"),
            published_at=graph_time(when) if when else None,
        )

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the post if a container this process made for it is live, else ``None``.

        :meth:`publish` only creates containers, which nobody sees; whether one went live
        is its ``status_code`` (``PUBLISHED``).
        """
        key = idempotency_key or f"{post.piece_id}:{content_key(post.body)}"
        known = self._pending.get(key)
        if known is None or "container_id" not in known.platform_ids:
            return None
        ids = dict(known.platform_ids)
        code = yield from self._status(ids["container_id"])
        if code != "PUBLISHED":
            return None
        return (yield from self._published(key, ids, None))

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /{ig-media-id}`` (in facebook-business 26.0.3's ``IGMedia``; see the docs)."""
        yield from self.exchange(self.graph("DELETE", post_id, endpoint="media_delete"))

    # -- reading ------------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Media insights (:data:`MEDIA_INSIGHTS`) over the post's lifetime, in Meta's names
        (``views`` and ``reach`` are vocabulary names) plus ``interactions``: likes +
        comments + shares + saved."""
        media = yield from self.exchange(
            self.graph("GET", post_id, endpoint="insights", params={"fields": "id,timestamp"})
        )
        params = {"metric": ",".join(MEDIA_INSIGHTS)}
        response = yield from self.exchange(
            self.graph("GET", post_id, "insights", endpoint="insights", params=params)
        )
        counts: dict[str, float] = {}
        for series in response.json().get("data", ()):
            values = series.get("values") or []
            value = (series.get("total_value") or {}).get("value")
            if value is None and values:
                value = values[-1].get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                counts[str(series["name"])] = float(value)
        counts["interactions"] = sum(counts.get(n, 0.0) for n in _INTERACTIONS)
        start, end = lifetime(graph_time(media.json()["timestamp"]), received_at(response))
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Comments on a media and their replies (``replies{...}``), oldest first."""
        fields = f"{_COMMENT_FIELDS},replies{{{_COMMENT_FIELDS}}}"
        request = self.graph(
            "GET", post_id, "comments", endpoint="comments", params={"fields": fields}
        )
        response = yield from self.exchange(request)
        found: list[Comment] = []
        for item in response.json().get("data", ()):
            found.append(_comment(item, self.spec.id, post_id, post_id))
            for reply in (item.get("replies") or {}).get("data", ()):
                found.append(_comment(reply, self.spec.id, post_id, str(item["id"])))
        return tuple(sorted(found, key=lambda c: c.created_at))

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``POST /{ig-comment-id}/replies``; on the media itself (``POST
        /{ig-media-id}/comments``) when ``comment_id`` is ``post_id``."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        edge = "comments" if comment_id == post_id else "replies"
        request = self.graph("POST", comment_id, edge, endpoint="comments", json={"message": text})
        response = yield from self.exchange(request)
        now: datetime = yield Now()
        return Comment(
            platform=self.spec.id,
            id=read_answer(self, response, created_id),
            post_id=post_id,
            author_id=self.ig_user_id,
            text=text,
            created_at=now,
            in_reply_to=comment_id,
        )

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """Tags and comments on recent media (see ``_instagram_inbox``)."""
        return _instagram_inbox.inbox_page(self, source, cursor)


def _comment(item: Mapping[str, Any], platform: str, post_id: str, parent: str) -> Comment:
    author = item.get("from") or {}
    return Comment(
        platform=platform,
        id=str(item["id"]),
        post_id=post_id,
        author_id=str(
            item.get("username") or author.get("username") or author.get("id") or "unknown"
        ),
        text=str(item.get("text") or ""),
        created_at=graph_time(item["timestamp"]),
        in_reply_to=parent,
    )
