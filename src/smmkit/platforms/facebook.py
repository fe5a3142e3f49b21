"""Facebook Pages (Graph API, pinned version): posts, photos, comments, replies, insights.

Four things matter on a Page and are built in:

* **Page access tokens.** A Page is managed with a *Page* token. Pass it as
  ``access_token``, or pass the user's token from Facebook Login as ``user_token``: the
  adapter exchanges it once for a long-lived one (with the app's ``credentials``,
  :func:`smmkit.platforms.oauth.exchange_long_lived`) and asks
  ``GET /{page-id}?fields=access_token`` for the Page token, which the client's
  ``TokenStore`` keeps (with the long-lived user token as its ``refresh_token``: a Page
  token Meta refuses later is derived again from it, without the user).
  :meth:`FacebookPageAdapter.pages` lists the Pages a user token manages
  (``GET /me/accounts``).
* **No idempotency key.** ``POST /{page-id}/feed`` takes none, so the adapter declares
  ``IdempotencyMode.READ_BACK``: after a lost answer the publish protocol looks for the
  post among the Page's recent published posts (same message, same link) before it
  posts again; Meta's duplicate refusal (code 506) after a lost answer is read the same
  way. Photos are uploaded first as *unpublished* photos (``POST /{page-id}/photos`` with
  ``published=false``, by URL, which Meta downloads itself, or as bytes from a
  ``media_loader``) and attached to the post (``attached_media``): an upload repeated
  after a lost answer leaves at most an unpublished photo nobody sees, never a post.
* **Insights** in the metric vocabulary: Meta replaced impressions with *views* on
  2025-11-15 (https://developers.facebook.com/blog/post/2025/08/15/page-insights-api-updates/),
  so ``post_media_view`` is reported as ``impressions`` (times shown) and
  ``post_total_media_view_unique`` as ``reach``, beside Meta's own names.
* **Errors and rate limits** as :mod:`smmkit.platforms._meta_graph` reads them.

Example:
    >>> import json
    >>> from smmkit.models import PlatformPost
    >>> adapter = FacebookPageAdapter(page_id="1001", access_token="t0k")
    >>> request = next(adapter.publish(PlatformPost(platform="facebook", piece_id="p",
    ...     body="Cold brew", extras={"link": "https://tea.example"})))
    >>> request.method, request.url.path, json.loads(request.content)
    ('POST', '/v26.0/1001/feed', {'message': 'Cold brew', 'link': 'https://tea.example'})
    >>> adapter.idempotency.value, "t0k" in repr(adapter)
    ('read_back', False)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import APIError, AuthenticationError, InvalidInputError
from smmkit.models._base import SmmkitModel
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import FacebookExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _facebook_inbox
from smmkit.platforms._adapter import (
    Capability,
    Flow,
    IdempotencyMode,
    Now,
    lifetime,
    observations,
    received_at,
)
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._checks import require
from smmkit.platforms._media import MediaLoader, file_name, load_media, media_type
from smmkit.platforms._meta_graph import (
    OWN_AUTH,
    MetaGraphAdapter,
    content_key,
    created_id,
    graph_time,
    node_id,
)
from smmkit.platforms._oauth_core import META_GRAPH_VERSION
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._translate import read_answer

__all__ = ["FacebookPage", "FacebookPageAdapter", "PAGE_INSIGHTS", "POST_INSIGHTS"]

POST_INSIGHTS: Mapping[str, str] = {
    "post_media_view": "impressions",
    "post_total_media_view_unique": "reach",
    "post_clicks": "clicks",
}
"""Post insights metrics asked for, and their names in smmkit's metric vocabulary."""

PAGE_INSIGHTS: Mapping[str, str] = {
    "page_media_view": "impressions",
    "page_total_media_view_unique": "reach",
    "page_post_engagements": "interactions",
    "page_follows": "followers",
}
"""Page insights metrics (``period=day``) and their names in the metric vocabulary."""

_POST_FIELDS = "id,message,created_time,permalink_url"
_COMMENT_FIELDS = "id,message,created_time,from,parent"
_COUNT_FIELDS = (
    "created_time,shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"
)


class FacebookPage(SmmkitModel):
    """A Page a user token manages (``GET /me/accounts``).

    Example:
        >>> FacebookPage(id="1001", name="Tea House").name
        'Tea House'
    """

    id: str
    name: str


class FacebookPageAdapter(MetaGraphAdapter):
    """One Facebook Page through the Graph API (:data:`META_GRAPH_VERSION`).

    ``page_id`` is the Page's id. Authenticate with the Page's ``access_token``, or with
    the ``user_token`` of a user who manages the Page (permissions ``pages_show_list``,
    ``pages_read_engagement``, ``pages_manage_posts``, ``pages_manage_engagement``,
    ``read_insights``) and the app's ``credentials`` for the long-lived exchange.
    ``read_back_posts`` is how many recent posts a read-back looks through (5 to 100).

    Post fields go in ``PlatformPost.extras``, a :class:`~smmkit.models.FacebookExtras`.

    Example:
        >>> adapter = FacebookPageAdapter(page_id="1001", access_token="t")
        >>> sorted(c.value for c in adapter.capabilities)[:3]
        ['comments', 'delete', 'metrics']
    """

    name = "facebook"
    platform_id = "facebook"
    extras_model = FacebookExtras
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.UPLOAD_MEDIA,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    token_endpoints = frozenset({"oauth", "page_token"})
    inbox_sources = _facebook_inbox.SOURCES
    inbox_page_size = 50  #: comments, messages or tagged posts per inbox request
    inbox_posts = 10  #: recent posts whose comments the inbox follows
    inbox_conversations = 25  #: recently active conversations the inbox follows

    @conceals_secrets  # tokens given as plain str stay out of tracebacks
    def __init__(
        self,
        *,
        page_id: str,
        base_url: str | None = None,
        access_token: SecretStr | str | None = None,
        user_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        api_version: str = META_GRAPH_VERSION,
        read_back_posts: int = 25,
    ) -> None:
        super().__init__(
            base_url=base_url,
            access_token=access_token,
            user_token=user_token,
            credentials=credentials,
            spec=spec,
            media_loader=media_loader,
            api_version=api_version,
        )
        self.page_id = node_id(page_id, "page_id")
        require(read_back_posts, "read_back_posts", int, "an int from 5 to 100")
        if isinstance(read_back_posts, bool) or not 5 <= read_back_posts <= 100:
            raise InvalidInputError.single("read_back_posts", "must be from 5 to 100")
        self._read_back_posts = read_back_posts

    @property
    def account(self) -> str:
        """The Page id (keys the Page token in the token store and the rate limits)."""
        return self.page_id

    # -- tokens -----------------------------------------------------------------------

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The Page token: the fixed one, else derived from the (long-lived) user token."""
        if self._access_token is not None:
            return Token(access_token=self._access_token)
        user = current.refresh_token if current is not None else None
        if user is None:
            user = (yield from self.user_access()).access_token
        request = self._as_user(
            self.graph(
                "GET", self.page_id, endpoint="page_token", params={"fields": "access_token"}
            ),
            user,
        )
        response = yield from self.exchange(request)
        page_token = response.json().get("access_token")
        if not isinstance(page_token, str) or not page_token:
            raise AuthenticationError(
                f"the user token may not manage Page {self.page_id} (no Page token)",
                platform=self.platform_id,
            )
        return Token(access_token=page_token, refresh_token=user)

    @staticmethod
    def _as_user(request: httpx.Request, user: SecretStr) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {user.get_secret_value()}"
        request.extensions[OWN_AUTH] = True
        return request

    def pages(self) -> Flow[tuple[FacebookPage, ...]]:
        """The Pages the user token manages (``GET /me/accounts``), for choosing one."""
        user = (yield from self.user_access()).access_token
        request = self._as_user(
            self.graph(
                "GET", "me", "accounts", endpoint="page_token", params={"fields": "id,name"}
            ),
            user,
        )
        response = yield from self.exchange(request)
        return tuple(
            FacebookPage(id=str(p["id"]), name=str(p.get("name", "")))
            for p in response.json().get("data", ())
        )

    # -- posts ------------------------------------------------------------------------

    def _payload(self, post: PlatformPost) -> dict[str, Any]:
        extras = post.extras_as(FacebookExtras)
        payload: dict[str, Any] = {}
        if post.body.strip():
            payload["message"] = post.body
        if extras.link is not None:
            payload["link"] = extras.link
        if extras.media_ids:
            media = [node_id(m, "extras.media_ids") for m in extras.media_ids]
            payload["attached_media"] = [{"media_fbid": m} for m in media]
        if extras.published is not None:
            payload["published"] = extras.published
        if extras.place is not None:
            payload["place"] = extras.place
        if not payload.keys() & {"message", "link", "attached_media"}:
            raise InvalidInputError.single("body", "a Page post needs a message, link or photo")
        return payload

    def _receipt(
        self, post_id: str, key: str | None, *, url: str | None = None, at: datetime | None = None
    ) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=post_id,
            status=PublishStatus.PUBLISHED,
            url=url or f"https://www.facebook.com/{post_id}",
            idempotency_key=key,
            published_at=at,
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST /{page-id}/feed`` with the message, link and the uploaded photos."""
        payload = self._payload(post)
        request = self.graph("POST", self.page_id, "feed", endpoint="feed", json=payload)
        response = yield from self.exchange(request)
        return self._receipt(read_answer(self, response, created_id), idempotency_key)

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: ``post`` among the Page's recent published posts, else ``None``.

        Compares the message (whitespace aside). An unpublished post
        (``published=False``) is not listed anywhere it could be found: reading it back
        raises an :class:`~smmkit.exceptions.APIError` with ``outcome_unknown``, so it is
        reported, never sent twice.
        """
        extras = post.extras_as(FacebookExtras)
        if extras.published is False:
            raise APIError(
                "an unpublished Page post cannot be read back: its outcome is unknown",
                platform=self.platform_id,
                outcome_unknown=True,
                retries_exhausted=True,
            )
        params = {"fields": _POST_FIELDS, "limit": self._read_back_posts}
        request = self.graph(
            "GET", self.page_id, "published_posts", endpoint="feed_read", params=params
        )
        response = yield from self.exchange(request)
        key = content_key(post.body)
        for item in response.json().get("data", ()):
            if content_key(item.get("message")) == key:
                when = item.get("created_time")
                return self._receipt(
                    str(item["id"]),
                    idempotency_key,
                    url=item.get("permalink_url"),
                    at=graph_time(when) if when else None,
                )
        return None

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /{post-id}``."""
        yield from self.exchange(self.graph("DELETE", post_id, endpoint="feed"))

    # -- photos -----------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """An unpublished photo (``POST /{page-id}/photos``, ``published=false``) to attach.

        By URL (Meta downloads it) unless the adapter has a ``media_loader``, whose bytes
        are uploaded as ``source``. Marked safe to repeat: a second upload is an unseen,
        unpublished photo. Videos are not wrapped (``/{page-id}/videos``).
        """
        if asset.kind not in (MediaKind.IMAGE, MediaKind.GIF):
            raise InvalidInputError.single(
                "media.kind", "the Facebook client uploads photos only", asset.kind.value
            )
        fields: dict[str, Any] = {"published": False}
        if asset.alt_text:
            fields["alt_text_custom"] = asset.alt_text
        if self._media_loader is None:
            fields["url"] = asset.url
            request = self.graph(
                "POST", self.page_id, "photos", endpoint="photos", safe=True, json=fields
            )
        else:
            data = yield from load_media(asset, self._media_loader, spec=self.spec)
            form = {k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()}
            request = self.graph(
                "POST",
                self.page_id,
                "photos",
                endpoint="photos",
                safe=True,
                data=form,
                files={"source": (file_name(asset), data, media_type(asset))},
            )
        response = yield from self.exchange(request)
        return MediaHandle(
            platform=self.spec.id,
            media_id=read_answer(self, response, created_id),
            kind=asset.kind,
            state=MediaState.READY,
        )

    # -- reading ----------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """A post's counts and insights, in Meta's names and the metric vocabulary's.

        ``reactions``, ``comments`` and ``shares`` from the post, the lifetime insights
        of :data:`POST_INSIGHTS` (``post_media_view`` as ``impressions``...), and
        ``interactions``: reactions + comments + shares + clicks.
        """
        request = self.graph("GET", post_id, endpoint="insights", params={"fields": _COUNT_FIELDS})
        response = yield from self.exchange(request)
        body = response.json()
        counts: dict[str, float] = {
            "reactions": _summary(body.get("reactions")),
            "comments": _summary(body.get("comments")),
            "shares": float((body.get("shares") or {}).get("count", 0)),
        }
        params = {"metric": ",".join(POST_INSIGHTS), "period": "lifetime"}
        insights = yield from self.exchange(
            self.graph("GET", post_id, "insights", endpoint="insights", params=params)
        )
        for name, value in _lifetime_values(insights.json()).items():
            counts[name] = value
            if name in POST_INSIGHTS:
                counts[POST_INSIGHTS[name]] = value
        counts["interactions"] = sum(
            counts.get(n, 0.0) for n in ("reactions", "comments", "shares", "post_clicks")
        )
        start, end = lifetime(graph_time(body["created_time"]), received_at(insights))
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    def page_metrics(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Flow[tuple[MetricObservation, ...]]:
        """Daily Page insights (:data:`PAGE_INSIGHTS`), one observation per metric and day,
        in the vocabulary's names (``impressions``, ``reach``, ``interactions``,
        ``followers``); ``since``/``until`` default to the last 7 days."""
        if until is None:
            until = yield Now()
        if since is None:
            since = until - timedelta(days=7)
        params = {
            "metric": ",".join(PAGE_INSIGHTS),
            "period": "day",
            "since": int(since.timestamp()),
            "until": int(until.timestamp()),
        }
        request = self.graph("GET", self.page_id, "insights", endpoint="insights", params=params)
        response = yield from self.exchange(request)
        found: list[MetricObservation] = []
        for series in response.json().get("data", ()):
            metric = PAGE_INSIGHTS.get(series.get("name"), series.get("name"))
            for point in series.get("values", ()):
                end = graph_time(point["end_time"])
                found.extend(
                    observations(
                        {metric: float(point.get("value") or 0)},
                        platform=self.spec.id,
                        content_id=self.page_id,
                        start=end - timedelta(days=1),
                        end=end,
                    )
                )
        return tuple(found)

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """Every comment under a post, replies included (``filter=stream``), oldest first."""
        params = {"fields": _COMMENT_FIELDS, "filter": "stream", "order": "chronological"}
        request = self.graph("GET", post_id, "comments", endpoint="comments", params=params)
        response = yield from self.exchange(request)
        return tuple(_comment(c, self.spec.id, post_id) for c in response.json().get("data", ()))

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """``POST /{comment-id}/comments`` (or on the post itself when ``comment_id`` is it)."""
        if not isinstance(text, str) or not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        request = self.graph(
            "POST", comment_id, "comments", endpoint="comments", json={"message": text}
        )
        response = yield from self.exchange(request)
        now: datetime = yield Now()
        return Comment(
            platform=self.spec.id,
            id=read_answer(self, response, created_id),
            post_id=post_id,
            author_id=self.page_id,
            text=text,
            created_at=now,
            in_reply_to=comment_id,
        )

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """Tags, comments on recent posts and Messenger (see ``_facebook_inbox``)."""
        return _facebook_inbox.inbox_page(self, source, cursor)


def _summary(edge: object) -> float:
    if isinstance(edge, Mapping):
        summary = edge.get("summary")
        if isinstance(summary, Mapping):
            return float(summary.get("total_count", 0))
    return 0.0


def _lifetime_values(body: Mapping[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for series in body.get("data", ()):
        values: Sequence[Any] = series.get("values") or ()
        value = values[-1].get("value") if values else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            found[str(series["name"])] = float(value)
    return found


def _comment(item: Mapping[str, Any], platform: str, post_id: str) -> Comment:
    author = item.get("from") or {}
    parent = item.get("parent") or {}
    return Comment(
        platform=platform,
        id=str(item["id"]),
        post_id=post_id,
        author_id=str(author.get("id") or "unknown"),
        text=str(item.get("message") or ""),
        created_at=graph_time(item["created_time"]),
        in_reply_to=str(parent.get("id") or post_id),
    )
