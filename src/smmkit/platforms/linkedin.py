"""LinkedIn (the versioned REST API): posts for pages and members, images, comments.

Every request carries ``LinkedIn-Version`` (pinned: :data:`LINKEDIN_VERSION`, override
with ``api_version=``) and ``X-Restli-Protocol-Version: 2.0.0``. What is built in:

* **Posts API** (``POST /rest/posts``) for an organisation (``urn:li:organization:…``)
  or a member (``urn:li:person:…``) author; LinkedIn answers ``201`` with the post's
  URN in the ``x-restli-id`` header. ``DELETE /rest/posts/{urn}``.
* **Little text**: ``commentary`` is LinkedIn's little format, which silently cuts a
  post at the first unescaped reserved character. A body already in little format (as
  ``smmkit.content.adapt`` writes it) is sent as it is; plain text is escaped with
  :func:`smmkit.text.to_little`; never twice.
* **Images API**: ``initializeUpload`` → ``PUT`` the bytes to the upload URL → wait
  until the image is ``AVAILABLE`` → reference its ``urn:li:image:…`` in the post (one
  image as ``content.media``, 2 to 20 as ``content.multiImage``), alt text included.
* **No idempotency key** (``IdempotencyMode.READ_BACK``): after a lost answer the
  publish reads the author's recent posts (``q=author``) for one with the same
  commentary before it posts again. Where the token may not read posts (a member
  without ``r_member_social``), the repost meets LinkedIn's own duplicate check
  (``422 DUPLICATE_POST`` naming the live post), which becomes the receipt.
* **Metrics**: ``organizationalEntityShareStatistics`` for a page's posts (impressions,
  reach, clicks, likes, comments, shares); ``socialActions`` (likes, comments) for a
  member's. **Comments and replies**: ``socialActions/{urn}/comments``.
* **Errors** carry LinkedIn's ``code`` (or ``serviceErrorCode``) and the ``x-li-uuid``
  request id; a 429 without ``Retry-After`` waits until midnight UTC, when the daily
  limits reset. **Tokens**: an expired token is an :class:`AuthenticationError` telling
  the user to reconnect, unless the app (an approved partner) has a refresh token, which
  is then used through :func:`smmkit.platforms.oauth.refresh`.

Example:
    >>> from smmkit.models import PlatformPost
    >>> adapter = LinkedInAdapter(access_token="t0k", author="urn:li:organization:2414183")
    >>> request = next(adapter.publish(PlatformPost(platform="linkedin", piece_id="p",
    ...                                             body="Tea (iced) at 3")))
    >>> request.method, request.url.path, request.headers["LinkedIn-Version"]
    ('POST', '/rest/posts', '202601')
    >>> import json; json.loads(request.content)["commentary"]
    'Tea \\\\(iced\\\\) at 3'
    >>> "t0k" in repr(adapter)
    False
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    DuplicateContentError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TokenExpiredError,
    UnsupportedOperationError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import LinkedInExtras
from smmkit.models.inbox import InboxPage, InboxSource
from smmkit.models.metrics import MetricObservation
from smmkit.models.platform import Platform
from smmkit.platforms import _linkedin_inbox, oauth
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
from smmkit.platforms._auth import Credentials, Token
from smmkit.platforms._bearer import BearerTokenAdapter, secret_or_none
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, status_error
from smmkit.platforms._linkedin_wire import (
    WireComment,
    WirePost,
    author_kind,
    comment_urn,
    commentary,
    content_key,
    created_comment,
    created_from_urn,
    created_urn,
    duplicate_of,
    error_fields,
    millis,
    oauth_answer,
    post_url,
    post_urn,
    restli,
    restli_list,
    seconds_to_utc_midnight,
    share_statistics_counts,
    social_actions_counts,
)
from smmkit.platforms._media import MediaLoader, load_media, media_loader_or_default
from smmkit.platforms._results import (
    Comment,
    MediaHandle,
    MediaState,
    PublishReceipt,
    PublishStatus,
)
from smmkit.platforms._translate import read_answer

__all__ = ["LINKEDIN_VERSION", "LinkedInAdapter"]

LINKEDIN_VERSION = "202601"
"""The ``LinkedIn-Version`` smmkit pins (January 2026; LinkedIn supports a version for at
least 12 months: https://learn.microsoft.com/en-us/linkedin/marketing/versioning)."""

_RECONNECT = (
    "the LinkedIn access token is expired or revoked: connect the account again "
    "(LinkedIn issues refresh tokens only to approved partners)"
)
_IMAGE_STATES = {
    "AVAILABLE": MediaState.READY,
    "PROCESSING": MediaState.PROCESSING,
    "WAITING_UPLOAD": MediaState.PROCESSING,
    "PROCESSING_FAILED": MediaState.FAILED,
}
_POLL_SECONDS = 1.0
_MAX_REMEMBERED = 256


class LinkedInAdapter(BearerTokenAdapter):
    """The LinkedIn REST API for one author: a page (``urn:li:organization:…``, needs the
    Community Management API and ``w_organization_social``) or a member
    (``urn:li:person:…``, ``w_member_social``).

    ``author`` is the default author URN (a post's ``LinkedInExtras.author`` wins);
    without one, the member behind the token is asked for (``/v2/userinfo``, OpenID).
    Give ``access_token`` (a token from :func:`smmkit.platforms.oauth.exchange_code`), or
    ``credentials`` whose ``refresh_token`` (approved partners only) is refreshed at
    LinkedIn's token endpoint. ``read_back_count`` is how many of the author's latest
    posts a read-back looks at, ``read_back_window`` how old a match may be.

    Example:
        >>> adapter = LinkedInAdapter(access_token="t", author="urn:li:person:abc")
        >>> adapter.idempotency.value, adapter.supports(Capability.PUBLISH_VIDEO)
        ('read_back', False)
    """

    name = "linkedin"
    platform_id = "linkedin"
    extras_model = LinkedInExtras
    default_base_url = "https://api.linkedin.com/rest/"
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
    requires_token = True
    request_id_headers = ("x-li-uuid", "x-li-request-id", "x-request-id")
    inbox_sources = _linkedin_inbox.SOURCES
    inbox_page_size = 50  #: comments per inbox request (``count``)
    inbox_posts = 10  #: recent posts whose comments the inbox follows
    oauth_provider = oauth.LINKEDIN
    token_missing = _RECONNECT

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        author: str | None = None,
        access_token: SecretStr | str | None = None,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        api_version: str = LINKEDIN_VERSION,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        read_back_count: int = 20,
        read_back_window: timedelta = timedelta(days=1),
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        if author is not None:
            require(author, "author", str, "an author URN (str) or None")
            if author_kind(author) is None:
                raise InvalidInputError.single(
                    "author", "must be urn:li:organization:<id> or urn:li:person:<id>", author
                )
        self._access_token = secret_or_none(access_token, "access_token")
        require(api_version, "api_version", str, "a YYYYMM version (str)")
        if not (len(api_version) in (6, 9) and api_version[:6].isdigit()):
            raise InvalidInputError.single(
                "api_version", "must be YYYYMM or YYYYMM.RR", api_version
            )
        require(read_back_count, "read_back_count", int, "an int")
        if not 1 <= read_back_count <= 100:
            raise InvalidInputError.single("read_back_count", "must be 1..100", read_back_count)
        require(read_back_window, "read_back_window", timedelta, "a timedelta")
        self._author = author
        self.api_version = api_version
        self._media_loader = media_loader_or_default(media_loader)
        self._read_back_count = read_back_count
        self._read_back_window = read_back_window
        # idempotency key -> the post LinkedIn named in a DUPLICATE_POST refusal
        self._duplicates: OrderedDict[str, str] = OrderedDict()

    def __repr__(self) -> str:
        return f"LinkedInAdapter(author={self._author!r}, account={self.account!r})"

    # -- requests, tokens and errors -----------------------------------------------

    def _rest(self, method: str, path: str, *, endpoint: str, **kwargs: Any) -> httpx.Request:
        request = self.request(method, path, endpoint=endpoint, **kwargs)
        request.headers["LinkedIn-Version"] = self.api_version
        request.headers["X-Restli-Protocol-Version"] = "2.0.0"
        return request

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """The bearer token, only for LinkedIn's hosts (and the configured API host)."""
        host = request.url.host
        if host in (self.base_url.host, "linkedin.com") or host.endswith(".linkedin.com"):
            return super().authorize(request, token)
        return request

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """LinkedIn's error body: ``code``/``serviceErrorCode``/``message``, typed."""
        if oauth_answer(response):
            return oauth.oauth_error_info(response)
        status = response.status_code
        if status < 400:
            return None
        message, code, service, duplicate = error_fields(response.content)
        text = message or response.reason_phrase or f"HTTP {status}"
        if service is not None and code != service:
            text = f"{text} (serviceErrorCode {service})"
        if status == 401:
            if self.can_refresh:
                return ErrorInfo(TokenExpiredError, text, code=code)
            return ErrorInfo(AuthenticationError, f"{text}; {_RECONNECT}", code=code)
        if status == 429:
            wait = None
            if "retry-after" not in response.headers and RECEIVED_AT in response.extensions:
                wait = seconds_to_utc_midnight(received_at(response))
            return ErrorInfo(RateLimitError, text, code=code, retry_after=wait)
        if duplicate:
            return ErrorInfo(DuplicateContentError, text, code=code)
        return ErrorInfo(status_error(status) or APIError, text, code=code)

    def _author_for(self, post: PlatformPost | None) -> Flow[str]:
        if post is not None:
            chosen = post.extras_as(LinkedInExtras).author
            if chosen:
                return chosen
        if self._author is None:
            # OpenID Connect: the member behind the token (scopes openid, profile).
            response = yield self.request("GET", "/v2/userinfo", endpoint="read")
            self._author = f"urn:li:person:{response.json()['sub']}"
        return self._author

    # -- posts ------------------------------------------------------------------------

    def _payload(self, post: PlatformPost, author: str) -> dict[str, Any]:
        if len(post.parts) > 1:
            raise InvalidInputError.single("parts", "LinkedIn has no threads: post one text")
        extras = post.extras_as(LinkedInExtras)
        payload: dict[str, Any] = {
            "author": author,
            "commentary": commentary(post.parts[0] if post.parts else post.body),
            "visibility": extras.visibility or "PUBLIC",
            "distribution": {
                "feedDistribution": extras.feed_distribution or "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": bool(extras.reshare_disabled),
        }
        images = list(extras.media_ids)
        if len(images) > 20:
            raise InvalidInputError.single("extras.media_ids", "LinkedIn takes 1 to 20 images")
        alts = [m.alt_text for m in post.media] if len(post.media) == len(images) else []
        entries: list[dict[str, str]] = []
        for index, urn in enumerate(images):
            alt = alts[index] if alts else None
            entries.append({"id": urn, "altText": alt} if alt else {"id": urn})
        if len(entries) == 1:
            payload["content"] = {"media": entries[0]}
        elif entries:
            payload["content"] = {"multiImage": {"images": entries}}
        return payload

    def _receipt(self, urn: str, key: str | None) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=urn,
            status=PublishStatus.PUBLISHED,
            url=post_url(urn),
            idempotency_key=key,
            published_at=created_from_urn(urn),
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST /rest/posts``; the post's URN comes back in ``x-restli-id`` (201).

        Image URNs (from :meth:`upload_media`) are in ``extras.media_ids``. A refusal as
        a duplicate is remembered for :meth:`find_published` (it names the live post).
        """
        author = yield from self._author_for(post)
        payload = self._payload(post, author)
        request = self._rest("POST", "posts", endpoint="posts", json=payload)
        request.headers["X-RestLi-Method"] = "CREATE"
        try:
            response = yield request
        except DuplicateContentError as exc:
            existing = duplicate_of(str(exc))
            if existing and idempotency_key:
                self._duplicates[idempotency_key] = existing
                while len(self._duplicates) > _MAX_REMEMBERED:
                    self._duplicates.popitem(last=False)
            raise
        urn = read_answer(self, response, created_urn)
        return self._receipt(urn, idempotency_key)

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the author's post with the same commentary, if there is one.

        Looks at the author's ``read_back_count`` latest posts (``q=author``, newest
        first) created within ``read_back_window``. A post LinkedIn named in a duplicate
        refusal for this key counts as found. A token that may not read posts gives
        ``None``: the repost then meets LinkedIn's duplicate check instead.
        """
        if idempotency_key and idempotency_key in self._duplicates:
            return self._receipt(self._duplicates[idempotency_key], idempotency_key)
        author = yield from self._author_for(post)
        wanted = content_key(self._payload(post, author)["commentary"])
        now: datetime = yield Now()
        oldest = now - self._read_back_window
        query = (
            f"posts?q=author&author={restli(author)}&count={self._read_back_count}&sortBy=CREATED"
        )
        try:
            response = yield self._rest("GET", query, endpoint="read")
        except PermissionDeniedError:
            return None  # no r_member_social / r_organization_social: see the docstring
        for element in response.json().get("elements", ()):
            found = WirePost.model_validate(element)
            if found.lifecycle_state not in ("PUBLISHED", "PUBLISHED_EDITED"):
                continue
            created = millis(found.created_at) or created_from_urn(found.id)
            if created is not None and created < oldest:
                continue
            if content_key(found.commentary) == wanted:
                return self._receipt(found.id, idempotency_key)
        return None

    def delete(self, post_id: str) -> Flow[None]:
        """``DELETE /rest/posts/{urn}`` (``X-RestLi-Method: DELETE``; 204)."""
        post_id = post_urn(post_id, "post_id")
        request = self._rest("DELETE", f"posts/{restli(post_id)}", endpoint="posts")
        request.headers["X-RestLi-Method"] = "DELETE"
        yield request

    # -- metrics ----------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """Lifetime numbers of a post, named in the metric vocabulary where it has a name.

        A page's post: ``organizationalEntityShareStatistics`` gives ``impressions``,
        ``reach`` (unique impressions), ``clicks``, ``likeCount``, ``commentCount``,
        ``shareCount``, ``engagement`` (LinkedIn's rate) and their sum as
        ``interactions``. A member's post: ``socialActions`` gives ``likeCount`` and
        ``commentCount`` (member impressions need ``r_member_postAnalytics``, not
        wrapped). The period runs from the post's creation (read from its URN) to now.
        """
        post_id = post_urn(post_id, "post_id")
        author = yield from self._author_for(None)
        if author_kind(author) == "organization":
            field = "ugcPosts" if post_id.startswith("urn:li:ugcPost:") else "shares"
            query = (
                "organizationalEntityShareStatistics?q=organizationalEntity"
                f"&organizationalEntity={restli(author)}&{field}={restli_list([post_id])}"
            )
            response = yield self._rest("GET", query, endpoint="read")
            elements = response.json().get("elements") or []
            if not elements:
                raise NotFoundError(
                    f"no statistics for {post_id} (not a post of {author}?)",
                    platform=self.platform_id,
                )
            counts = share_statistics_counts(elements[0].get("totalShareStatistics") or {})
        else:
            response = yield self._rest("GET", f"socialActions/{restli(post_id)}", endpoint="read")
            counts = social_actions_counts(response.json())
        received = received_at(response)
        created = created_from_urn(post_id) or datetime.fromtimestamp(received, timezone.utc)
        start, end = lifetime(created, received)
        return observations(counts, platform=self.spec.id, content_id=post_id, start=start, end=end)

    # -- comments ---------------------------------------------------------------------

    def _comments_of(self, target: str) -> Flow[list[WireComment]]:
        response = yield self._rest(
            "GET", f"socialActions/{restli(target)}/comments?count=100", endpoint="read"
        )
        return [WireComment.model_validate(e) for e in response.json().get("elements", ())]

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """The comments on a post and the replies to them, oldest first per level."""
        post_id = post_urn(post_id, "post_id")
        found: list[Comment] = []
        for top in (yield from self._comments_of(post_id)):
            found.append(self._comment(top, post_id))
            if top.replies:
                for nested in (yield from self._comments_of(top.comment_urn)):
                    found.append(self._comment(nested, post_id))
        return tuple(found)

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Comment on ``post_id`` as the author (``comment_id == post_id``), or answer the
        comment ``comment_id`` (its ``urn:li:comment:…``, or its bare id) with
        ``parentComment``. A bare post id is taken as ``urn:li:share:<id>``.

        Comment text is plain text (LinkedIn's comments take no little format).
        """
        post_id = post_urn(post_id, "post_id")
        require(text, "text", str, "a str")
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        author = yield from self._author_for(None)
        body: dict[str, Any] = {"actor": author, "object": post_id, "message": {"text": text}}
        target = post_id
        if post_urn(comment_id, "comment_id") != post_id:
            body["parentComment"] = target = comment_urn(comment_id, post_id)
        request = self._rest(
            "POST", f"socialActions/{restli(target)}/comments", endpoint="comments", json=body
        )
        response = yield request
        now: datetime = yield Now()
        created = read_answer(self, response, lambda r: created_comment(r, body, now))
        return self._comment(created, post_id)

    def _comment(self, wire: WireComment, post_id: str) -> Comment:
        return Comment(
            platform=self.spec.id,
            id=wire.comment_urn,
            post_id=post_id,
            author_id=wire.actor,
            text=wire.text,
            created_at=wire.created_at,
            in_reply_to=wire.parent_comment or post_id,
        )

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """Comments on the author's recent posts (see ``_linkedin_inbox``)."""
        return _linkedin_inbox.inbox_page(self, source, cursor)

    # -- images -----------------------------------------------------------------------

    def upload_media(self, asset: MediaAsset) -> Flow[MediaHandle]:
        """Images API: ``initializeUpload`` (owner: the adapter's author), ``PUT`` the
        bytes to the upload URL, then the image processes (:meth:`media_status`).

        Both steps are safe to repeat: a second ``initializeUpload`` leaves an unused
        image, a second ``PUT`` writes the same bytes. Videos are not wrapped.
        """
        if asset.kind not in (MediaKind.IMAGE, MediaKind.GIF):
            raise UnsupportedOperationError(
                f"LinkedInAdapter uploads images only, not {asset.kind.value}",
                platform=self.platform_id,
            )
        data = yield from load_media(asset, self._media_loader, spec=self.spec)
        owner = yield from self._author_for(None)
        response = yield self._rest(
            "POST",
            "images?action=initializeUpload",
            endpoint="images",
            safe=True,
            json={"initializeUploadRequest": {"owner": owner}},
        )
        value = response.json()["value"]
        upload_url, image = str(value["uploadUrl"]), str(value["image"])
        if not upload_url.startswith("https://") or not image.startswith("urn:li:image:"):
            raise InvalidInputError.single(
                "uploadUrl", "LinkedIn's answer is not an https upload URL and an image URN"
            )
        yield self.request(
            "PUT",
            upload_url,
            endpoint="images",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        return MediaHandle(
            platform=self.spec.id,
            media_id=image,
            kind=asset.kind,
            state=MediaState.PROCESSING,
            poll_after=_POLL_SECONDS,
        )

    def media_status(self, handle: MediaHandle) -> Flow[MediaHandle]:
        """``GET /rest/images/{urn}``: ``AVAILABLE`` is ready, ``PROCESSING_FAILED`` failed."""
        response = yield self._rest("GET", f"images/{restli(handle.media_id)}", endpoint="read")
        status = str(response.json().get("status", "PROCESSING"))
        state = _IMAGE_STATES.get(status, MediaState.PROCESSING)
        return handle.model_copy(
            update={
                "state": state,
                "poll_after": _POLL_SECONDS if state is MediaState.PROCESSING else None,
                "detail": status if state is MediaState.FAILED else None,
            }
        )
