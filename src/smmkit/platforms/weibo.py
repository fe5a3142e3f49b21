"""Weibo (微博, open.weibo.com): ``statuses/share``, comments, counts, delete.

``statuses/share`` is the posting API open.weibo.com gives third-party apps
(https://open.weibo.com/wiki/2/statuses/share, read 2026-12-07), with its rules, all
checked *before* anything is sent (a typed :class:`~smmkit.exceptions.InvalidInputError`
naming the field):

* the text must carry at least one URL on the app's **bound safe domain** (安全域名, set
  under "我的应用 - 应用信息 - 基本应用信息编辑"): the adapter takes it as
  ``bound_domain=``, and ``WeiboExtras.link`` is appended when the text has none;
* the text may **not** contain ``#话题#`` topics. ``smmkit.content.adapt`` writes a
  Weibo tag as ``#话题#`` (the form Weibo's apps link), so the adapter refuses such a
  text by default, or writes each topic as its plain word with ``topics="unwrap"``;
* at most 140 汉字, counted the Weibo way (``smmkit.text``: Latin letters half a unit,
  the catalog spec's limit); one image (``pic``, JPEG/GIF/PNG under 5 MB) as
  ``multipart/form-data``; ``rip``, the operating user's IP, on every write.

Weibo has no idempotency key (``IdempotencyMode.READ_BACK``): after a lost answer the
publish reads the account's latest weibos (``statuses/user_timeline``) for one with the
same text (URLs left out: Weibo shortens them to ``t.cn``) before it posts again, and a
"repeated content" refusal (20017, 20019, 20111) after a lost answer is resolved the
same way. Errors (``{"error", "error_code", "request"}``) are typed: rate limits (10022,
10023, 10024) wait until the next hour, token codes (21314-21319, 21327, 21332) say to
connect the account again (web apps get no refresh token), permission codes (10014...)
are :class:`~smmkit.exceptions.PermissionDeniedError`.

Example:
    >>> from smmkit.models import PlatformPost
    >>> adapter = WeiboAdapter(access_token="2.00t0k", bound_domain="tea.example.cn",
    ...                        rip="211.156.0.1")
    >>> post = PlatformPost(platform="weibo", piece_id="p",
    ...                     body="冷泡茶上新 https://tea.example.cn/spring")
    >>> request = next(adapter.publish(post))
    >>> request.method, request.url.path
    ('POST', '/2/statuses/share.json')
    >>> adapter.post_problems(post.model_copy(update={"body": "冷泡茶上新 #好物#"}))[0]
    'body: statuses/share refuses #话题# topics (好物); write them as words or use topics="unwrap"'
    >>> "2.00t0k" in repr(adapter)
    False
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

import httpx
from pydantic import SecretStr

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    DuplicateContentError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from smmkit.models.content import MediaAsset, MediaKind, PlatformPost
from smmkit.models.extras import WeiboExtras
from smmkit.models.inbox import InboxPage, InboxSource
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
from smmkit.platforms._checks import require
from smmkit.platforms._errors import ErrorInfo, mark_outcome_unknown, status_error
from smmkit.platforms._media import (
    MediaLoader,
    file_name,
    load_media,
    media_loader_or_default,
    media_type,
)
from smmkit.platforms._results import Comment, PublishReceipt, PublishStatus
from smmkit.platforms._translate import read_answer
from smmkit.platforms._weibo_inbox import weibo_inbox_page
from smmkit.platforms._weibo_wire import (
    AUTH_CODES,
    DUPLICATE_CODES,
    NOT_FOUND_CODES,
    PERMISSION_CODES,
    RATE_LIMIT_CODES,
    SLOW_SUCCESS_CODE,
    WireComment,
    WireStatus,
    bound_domains,
    check_rip,
    content_key,
    count_metrics,
    error_fields,
    links_on,
    seconds_to_next_hour,
    status_id,
    status_url,
    topics_in,
    unwrap_topics,
    weibo_time,
)
from smmkit.text import count_length

__all__ = ["WeiboAdapter"]

_RECONNECT = (
    "the Weibo access token is expired or revoked: connect the account again "
    "(Weibo gives web apps no refresh token)"
)
_BUSY_CODES = frozenset({10001, 10002, 10003, 10009, 10011})
_COMMENT_LIMIT = 140
_PAGE = 200  # comments/show: count at most 200 a page
_MAX_PAGES = 50
_EXPIRY_MARGIN = 60.0  # a token with less left than this is treated as expired


class WeiboAdapter(BearerTokenAdapter):
    """One Weibo account through an app on open.weibo.com (``statuses/share``).

    ``bound_domain`` is the app's bound safe domain (or a list of them): a post must link
    to a page there. ``access_token`` is the user's token (from
    :func:`smmkit.platforms.oauth.exchange_code` with the ``WEIBO`` provider); its expiry
    comes from ``expires_at`` or, when unknown, from ``oauth2/get_token_info`` on the
    first request (``check_token=False`` skips that). ``credentials`` with a
    ``refresh_token`` (apps on Weibo's mobile SDK only) refresh through
    :func:`smmkit.platforms.oauth.refresh`. ``rip`` is the operating user's real IP,
    sent on every write (``WeiboExtras.rip`` per post wins). ``topics`` is what to do
    with ``#话题#`` in a text: ``"refuse"`` (default) or ``"unwrap"`` (write the word).
    ``read_back_count`` latest weibos, no older than ``read_back_window``, are searched
    after a lost answer. Listening: ``mentions`` (``statuses/mentions``) and ``comments``
    (``comments/to_me``), walked with ``since_id``/``max_id``; private messages are not
    readable by an app (see :mod:`smmkit.platforms._weibo_inbox`).

    Example:
        >>> adapter = WeiboAdapter(access_token="t", bound_domain="tea.example.cn")
        >>> adapter.idempotency.value, adapter.supports(Capability.PUBLISH_IMAGE)
        ('read_back', True)
    """

    name = "weibo"
    platform_id = "weibo"
    extras_model = WeiboExtras
    default_base_url = "https://api.weibo.com/2/"
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGE,
            Capability.DELETE,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
        }
    )
    idempotency = IdempotencyMode.READ_BACK
    requires_token = True
    request_id_headers = ("x-request-id", "request-id")
    inbox_sources = frozenset({InboxSource.MENTIONS, InboxSource.COMMENTS})
    inbox_page_size = 100  # statuses/mentions and comments/to_me: count at most 200
    oauth_provider = oauth.WEIBO
    token_missing = _RECONNECT

    @conceals_secrets  # an access token given as a plain str stays out of tracebacks
    def __init__(
        self,
        *,
        bound_domain: str | list[str] | tuple[str, ...],
        access_token: SecretStr | str | None = None,
        expires_at: datetime | None = None,
        credentials: Credentials | None = None,
        rip: str | None = None,
        topics: Literal["refuse", "unwrap"] = "refuse",
        check_token: bool = True,
        base_url: str | None = None,
        spec: Platform | None = None,
        media_loader: MediaLoader | None = None,
        read_back_count: int = 20,
        read_back_window: timedelta = timedelta(days=1),
    ) -> None:
        super().__init__(base_url=base_url, credentials=credentials, spec=spec)
        self.bound_domains = bound_domains(bound_domain)
        self._access_token = secret_or_none(access_token, "access_token")
        if expires_at is not None:
            require(expires_at, "expires_at", datetime, "an aware datetime or None")
            if expires_at.tzinfo is None:
                raise InvalidInputError.single("expires_at", "must be timezone-aware")
        self._rip = None if rip is None else check_rip(rip, "rip")
        if topics not in ("refuse", "unwrap"):
            raise InvalidInputError.single("topics", "must be 'refuse' or 'unwrap'", topics)
        require(check_token, "check_token", bool, "a bool")
        require(read_back_count, "read_back_count", int, "an int")
        if not 1 <= read_back_count <= 100:
            raise InvalidInputError.single("read_back_count", "must be 1..100", read_back_count)
        require(read_back_window, "read_back_window", timedelta, "a timedelta")
        self._expires_at = expires_at
        self._topics = topics
        self._check_token = check_token
        self._media_loader = media_loader_or_default(media_loader)
        self._read_back_count = read_back_count
        self._read_back_window = read_back_window

    def __repr__(self) -> str:
        return f"WeiboAdapter(bound_domain={self.bound_domains!r}, account={self.account!r})"

    # -- tokens and errors ----------------------------------------------------------

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        """``Authorization: OAuth2 <token>`` (Weibo's header form), only to Weibo's API host.

        https://open.weibo.com/wiki/授权机制说明: the token goes as the ``access_token``
        parameter or in this header; the header keeps it out of URLs and form bodies.
        """
        host = request.url.host
        if host == self.base_url.host or host.endswith(".weibo.com") or host == "weibo.com":
            request.headers["Authorization"] = f"OAuth2 {token.access_token.get_secret_value()}"
        return request

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        """The configured token with its expiry (``oauth2/get_token_info`` when unknown),
        or a refresh through ``smmkit.platforms.oauth``; an expired token is an
        :class:`~smmkit.exceptions.AuthenticationError` saying to reconnect."""
        if self._access_token is not None:
            expires = self._expires_at
            if expires is None and self._check_token:
                url = f"{self.base_url.scheme}://{self.base_url.netloc.decode()}/oauth2/get_token_info"
                info = yield from oauth.weibo_token_info(self._access_token, url=url)
                expires = self._expires_at = info.expires_at
            if expires is not None:
                now: datetime = yield Now()
                if (expires - now).total_seconds() <= _EXPIRY_MARGIN:
                    raise AuthenticationError(
                        f"{_RECONNECT}; it expired at {expires.isoformat()}",
                        platform=self.platform_id,
                    )
            return Token(access_token=self._access_token, expires_at=expires)
        return (yield from self.refreshed_token(current))

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        """Weibo's ``{"error", "error_code", "request"}`` as smmkit's typed errors."""
        code, error, _ = error_fields(response.content)
        status = response.status_code
        if code is None:
            request = request_of(response)
            if request is not None and oauth.is_oauth_request(request):
                return oauth.oauth_error_info(response)
            if status < 400:
                return None
            kind = status_error(status) or APIError
            return ErrorInfo(kind, error or response.reason_phrase or f"HTTP {status}")
        text = error or f"Weibo error {code}"
        if code in RATE_LIMIT_CODES:
            wait = None
            if RECEIVED_AT in response.extensions:
                wait = seconds_to_next_hour(received_at(response))
            return ErrorInfo(RateLimitError, text, code=code, retry_after=wait)
        if code in AUTH_CODES:
            if self.can_refresh:
                return ErrorInfo(TokenExpiredError, text, code=code)
            return ErrorInfo(AuthenticationError, f"{text}; {_RECONNECT}", code=code)
        table: tuple[tuple[frozenset[int], type[PlatformError]], ...] = (
            (DUPLICATE_CODES, DuplicateContentError),
            (PERMISSION_CODES, PermissionDeniedError),
            (NOT_FOUND_CODES, NotFoundError),
            (_BUSY_CODES, ServerError),
            (frozenset({SLOW_SUCCESS_CODE}), APIError),
        )
        for codes, kind in table:
            if code in codes:
                return ErrorInfo(kind, text, code=code)
        if 21300 <= code < 21400:  # the other OAuth codes: the app or the grant is wrong
            return ErrorInfo(AuthenticationError, text, code=code)
        return ErrorInfo(BadRequestError if status < 500 else ServerError, text, code=code)

    # -- the rules of statuses/share ---------------------------------------------------

    def _prepare(self, post: PlatformPost) -> tuple[str, MediaAsset | None, str]:
        """``(status, image, rip)`` for ``post``, or a typed error naming the field."""
        if len(post.parts) > 1:
            raise InvalidInputError.single("parts", "Weibo has no threads: post one text")
        extras = post.extras_as(WeiboExtras)
        text = (post.parts[0] if post.parts else post.body).strip()
        domains = ", ".join(self.bound_domains)
        if extras.link and not links_on(text, self.bound_domains):
            if not links_on(extras.link, self.bound_domains):
                raise InvalidInputError.single(
                    "extras.link", f"must be on the app's bound domain ({domains})", extras.link
                )
            text = f"{text} {extras.link}"
        topics = topics_in(text)
        if topics and self._topics == "unwrap":
            text = unwrap_topics(text)
        elif topics:
            raise InvalidInputError.single(
                "body",
                f"statuses/share refuses #话题# topics ({', '.join(topics)}); "
                'write them as words or use topics="unwrap"',
            )
        if not links_on(text, self.bound_domains):
            raise InvalidInputError.single(
                "body",
                f"statuses/share needs a link to the app's bound domain ({domains}); "
                "add one, or set WeiboExtras.link",
            )
        limit = self.spec.text.max_length
        if limit is not None:
            length = count_length(text, self.spec)
            if length > limit.value:
                raise InvalidInputError.single(
                    "body", f"is {length} units long; statuses/share takes {limit.value:g}"
                )
        if len(post.media) > 1 or extras.media_ids:
            raise InvalidInputError.single(
                "media", "statuses/share takes one image, sent with the text", len(post.media)
            )
        image = post.media[0] if post.media else None
        if image is not None and image.kind not in (MediaKind.IMAGE, MediaKind.GIF):
            raise InvalidInputError.single(
                "media", "statuses/share takes a JPEG, GIF or PNG image", image.kind.value
            )
        rip = extras.rip or self._rip
        if rip is None:
            raise InvalidInputError.single(
                "extras.rip", "Weibo needs the operating user's IP (rip) on every write"
            )
        return text, image, check_rip(rip, "extras.rip")

    def post_problems(self, post: PlatformPost) -> tuple[str, ...]:
        """What ``statuses/share`` would refuse in ``post`` (a dry run lists these)."""
        try:
            self._prepare(post)
        except InvalidInputError as exc:
            return (str(exc),)
        return ()

    # -- posts ------------------------------------------------------------------------

    def _receipt(self, status: WireStatus, key: str | None) -> PublishReceipt:
        return PublishReceipt(
            platform=self.platform_id,
            post_id=status.key,
            status=PublishStatus.PUBLISHED,
            url=status_url(status.key),
            idempotency_key=key,
            published_at=status.created,
        )

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """``POST statuses/share.json``: the text (form) or, with an image, multipart
        ``status`` + ``pic``. The answer is the new weibo.

        Error 20032 ("published, the server is slow") leaves the outcome unknown, so the
        publish protocol reads back instead of posting again.
        """
        text, image, rip = self._prepare(post)
        form = {"status": text, "rip": rip}
        if image is None:
            request = self.request("POST", "statuses/share.json", endpoint="statuses", data=form)
        else:
            data = yield from load_media(image, self._media_loader, spec=self.spec)
            request = self.request(
                "POST",
                "statuses/share.json",
                endpoint="statuses",
                data=form,
                files={"pic": (file_name(image), data, media_type(image))},
            )
        try:
            response = yield request
        except APIError as exc:
            if exc.code == SLOW_SUCCESS_CODE:
                mark_outcome_unknown(exc)
            raise
        status = read_answer(self, response, lambda r: WireStatus.model_validate(r.json()))
        return self._receipt(status, idempotency_key)

    def find_published(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt | None]:
        """Read back: the account's weibo with the same text, if there is one.

        Looks at the ``read_back_count`` latest weibos of the token's user
        (``statuses/user_timeline``) posted within ``read_back_window``; texts are
        compared without their URLs (Weibo shortens links). ``None`` when the app may
        not read the timeline (the repost then meets Weibo's duplicate check).
        """
        wanted = content_key(self._prepare(post)[0])
        now: datetime = yield Now()
        oldest = now - self._read_back_window
        query = f"statuses/user_timeline.json?count={self._read_back_count}&trim_user=1"
        try:
            response = yield self.request("GET", query, endpoint="read")
        except PermissionDeniedError:
            return None
        for item in response.json().get("statuses") or ():
            found = WireStatus.model_validate(item)
            if found.created < oldest:
                continue
            if content_key(found.text) == wanted:
                return self._receipt(found, idempotency_key)
        return None

    def delete(self, post_id: str) -> Flow[None]:
        """``POST statuses/destroy.json`` (``id``); deleting twice deletes once."""
        post_id = status_id(post_id)
        yield self.request(
            "POST", "statuses/destroy.json", endpoint="statuses", safe=True, data={"id": post_id}
        )

    # -- counts -----------------------------------------------------------------------

    def metrics(self, post_id: str) -> Flow[tuple[MetricObservation, ...]]:
        """``statuses/count``: ``reposts_count``, ``comments_count``, ``attitudes_count``
        (likes) and their sum ``interactions``, as of the answer (a one-second period:
        the counts are lifetime totals and the answer carries no post time).

        Weibo leaves unknown and deleted ids out of the answer: a
        :class:`~smmkit.exceptions.NotFoundError`.
        """
        post_id = status_id(post_id)
        response = yield self.request("GET", f"statuses/count.json?ids={post_id}", endpoint="read")
        entries = response.json()
        entry = next(
            (e for e in entries if isinstance(e, dict) and str(e.get("id")) == post_id), None
        )
        if entry is None:
            raise NotFoundError(f"Weibo has no counts for {post_id}", platform=self.platform_id)
        received = received_at(response)
        start, end = lifetime(datetime.fromtimestamp(received, timezone.utc), received)
        return observations(
            count_metrics(entry), platform=self.spec.id, content_id=post_id, start=start, end=end
        )

    # -- comments ---------------------------------------------------------------------

    def comments(self, post_id: str) -> Flow[tuple[Comment, ...]]:
        """``comments/show``: every comment on a weibo (200 a page), newest first as Weibo
        lists them; a reply names the comment it answers in ``in_reply_to``."""
        post_id = status_id(post_id)
        found: list[Comment] = []
        for page in range(1, _MAX_PAGES + 1):
            response = yield self.request(
                "GET",
                f"comments/show.json?id={post_id}&count={_PAGE}&page={page}",
                endpoint="read",
            )
            body = response.json()
            items = body.get("comments") or []
            found.extend(self._comment(WireComment.model_validate(c), post_id) for c in items)
            total = body.get("total_number")
            if not items or not isinstance(total, int) or len(found) >= total:
                break
        return tuple(found)

    def inbox_page(self, source: InboxSource, cursor: str | None) -> Flow[InboxPage]:
        """One page of ``statuses/mentions`` or ``comments/to_me``, newest first."""
        if InboxSource(source) not in self.inbox_sources:
            return (yield from super().inbox_page(source, cursor))
        return (yield from weibo_inbox_page(self, InboxSource(source), cursor))

    def reply(self, post_id: str, comment_id: str, text: str) -> Flow[Comment]:
        """Comment on a weibo (``comment_id == post_id``: ``comments/create``) or answer a
        comment (``comments/reply``, ``cid``). At most 140 汉字; ``rip`` as for posts."""
        post_id = status_id(post_id)
        comment_id = status_id(comment_id, "comment_id")
        require(text, "text", str, "a str")
        if not text.strip():
            raise InvalidInputError.single("text", "must not be empty", text)
        if count_length(text, self.spec) > _COMMENT_LIMIT:
            raise InvalidInputError.single("text", f"is longer than {_COMMENT_LIMIT} 汉字")
        if self._rip is None:
            raise InvalidInputError.single("rip", "Weibo needs the operating user's IP (rip)")
        form = {"comment": text, "id": post_id, "rip": self._rip}
        path = "comments/create.json"
        if comment_id != post_id:
            form["cid"] = comment_id
            path = "comments/reply.json"
        response = yield self.request("POST", path, endpoint="comments", data=form)
        created = read_answer(self, response, lambda r: WireComment.model_validate(r.json()))
        return self._comment(created, post_id, default_parent=comment_id)

    def _comment(
        self, wire: WireComment, post_id: str, *, default_parent: str | None = None
    ) -> Comment:
        parent = wire.answers or default_parent or post_id
        return Comment(
            platform=self.spec.id,
            id=wire.key,
            post_id=post_id,
            author_id=wire.user.id if wire.user else "unknown",
            text=wire.text,
            created_at=weibo_time(wire.created_at),
            in_reply_to=parent if parent != wire.key else post_id,
        )
