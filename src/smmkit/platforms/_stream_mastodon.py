"""Mastodon's streaming API as a stream of :class:`~smmkit.models.InboxEvent`.

``GET /api/v1/streaming/user`` (the account's notifications), ``.../hashtag?tag=`` and
``.../public`` answer ``text/event-stream``: named events (``update`` with a Status,
``notification`` with a Notification, ``delete`` with an id, ...) and ``:thump``
heartbeats. :class:`MastodonStream` opens one through an :class:`AsyncClient`'s HTTP
client and token, turns mentions (user stream) and statuses (hashtag and public
streams, with the watch terms they contain) into inbox events, reconnects through the
client's retry policy and clock, and after every gap catches up through the REST API
(``/api/v1/notifications?types[]=mention&min_id=``, ``/api/v1/timelines/tag/:tag``,
``/api/v1/timelines/public``) from its cursor, so nothing said while it was away is lost
and nothing is yielded twice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, Literal

import httpx

from smmkit.exceptions import InvalidInputError, PlatformError, TransportError
from smmkit.models.inbox import InboxEvent, InboxKind
from smmkit.platforms._adapter import Flow
from smmkit.platforms._checks import require, require_number
from smmkit.platforms._client import AsyncClient
from smmkit.platforms._stream_common import (
    Backoff,
    Disconnected,
    RecentKeys,
    ReconnectingStream,
    strings,
)
from smmkit.platforms._stream_sse import SseEvent, SseParser
from smmkit.platforms.mastodon import MastodonAdapter, _plain_text

__all__ = ["MastodonStream", "mastodon_status_event"]

StreamName = Literal["user", "hashtag", "public"]
_PAGE = 40


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are decimal strings of growing length: compare as numbers.
    return (len(value), value)


def _watched(text: str, terms: Iterable[str]) -> tuple[str, ...]:
    folded = text.casefold()
    return tuple(term for term in terms if term.casefold() in folded)


def mastodon_status_event(
    status: Mapping[str, Any],
    *,
    kind: InboxKind = InboxKind.MENTION,
    watch_terms: tuple[str, ...] = (),
) -> InboxEvent:
    """The inbox event of a Mastodon ``Status`` entity (as the API and the stream send it).

    Example:
        >>> status = {"id": "7", "created_at": "2026-05-01T09:30:00.000Z",
        ...           "content": "<p>@tea my order &amp; refund?</p>", "in_reply_to_id": "3",
        ...           "account": {"id": "42", "acct": "ann@social.example"}, "language": "en"}
        >>> event = mastodon_status_event(status)
        >>> event.key, event.text, event.author_name, event.parent_id
        ('mastodon:mention:7', '@tea my order & refund?', 'ann@social.example', '3')
    """
    require(status, "status", Mapping, "a Mapping (a Status entity)")
    kind = _kind(kind)
    require(watch_terms, "watch_terms", tuple, "a tuple of str")
    status_id: str | int = require(status.get("id"), "status.id", (str, int), "a str or an int")
    account = status.get("account") or {}
    require(account, "status.account", Mapping, "a Mapping (an Account entity) or None")
    reply_to = status.get("in_reply_to_id")
    return InboxEvent(
        platform="mastodon",
        kind=kind,
        event_id=str(status_id),
        author_id=str(account.get("id") or "unknown"),
        author_name=account.get("acct"),
        text=_plain_text(str(status.get("content") or "")),
        at=_created_at(status.get("created_at")),
        parent_id=None if reply_to is None else str(reply_to),
        post_id=None if reply_to is None or kind is not InboxKind.COMMENT else str(reply_to),
        language=status.get("language"),
        url=status.get("url"),
        watch_terms=watch_terms,
    )


def _kind(kind: object) -> InboxKind:
    try:
        return InboxKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in InboxKind)
        raise InvalidInputError.single("kind", f"must be one of {names}", kind) from None


def _created_at(value: object) -> datetime:
    """A Status's ``created_at`` (ISO 8601 with a zone) as an aware datetime."""
    text = require(value, "status.created_at", str, "an ISO 8601 time (a str)")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError.single(
            "status.created_at", "is not an ISO 8601 time", text
        ) from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInputError.single("status.created_at", "must carry a time zone", text)
    return at


def _get_json(adapter: MastodonAdapter, path: str, params: Any) -> Flow[Any]:
    response = yield adapter.request("GET", path, endpoint="listening", params=params)
    return response.json()


class MastodonStream(ReconnectingStream[InboxEvent]):
    """A live Mastodon stream of inbox events, reconnecting and catching up by itself.

    ``stream``: ``"user"`` (mentions and direct messages of the client's account, from
    its notifications), ``"hashtag"`` (statuses tagged ``tag``) or ``"public"`` (every
    public status; with ``watch_terms``, only those that contain one). ``local=True``
    keeps hashtag and public streams to the instance's own accounts. ``since`` is a
    :attr:`cursor` persisted earlier: the stream first catches up from it. Without it,
    the stream starts now (it still remembers where "now" was, so a later gap is caught
    up). ``streaming_url`` is the instance's streaming server when it is not the API's
    host (``/api/v2/instance`` → ``configuration.urls.streaming``).

    Iterate it with ``async for`` inside ``async with`` (the connection closes on
    exit); :func:`~smmkit.platforms.streams.iterate_sync` iterates it from sync code.

    Example:
        >>> from smmkit.platforms import AsyncClient
        >>> from smmkit.platforms.mastodon import MastodonAdapter
        >>> adapter = MastodonAdapter(base_url="https://mastodon.example", access_token="t")
        >>> stream = MastodonStream(AsyncClient(adapter), stream="hashtag", tag="tea")
        >>> stream.cursor is None  # nothing read yet; persist it once events arrive
        True
    """

    def __init__(
        self,
        client: AsyncClient,
        *,
        stream: StreamName = "user",
        tag: str | None = None,
        local: bool = False,
        watch_terms: Iterable[str] = (),
        since: str | None = None,
        streaming_url: str | None = None,
        idle_timeout: float = 120.0,
        max_catch_up_pages: int = 25,
    ) -> None:
        if not isinstance(client, AsyncClient) or not isinstance(client.adapter, MastodonAdapter):
            raise InvalidInputError.single(
                "client", "must be an AsyncClient over a MastodonAdapter", type(client).__name__
            )
        if stream not in ("user", "hashtag", "public"):
            raise InvalidInputError.single("stream", "must be user, hashtag or public", stream)
        if stream == "hashtag" and not (isinstance(tag, str) and tag.strip("# ")):
            raise InvalidInputError.single("tag", "a hashtag stream needs a tag", tag)
        if since is not None and not (isinstance(since, str) and since.isdigit()):
            raise InvalidInputError.single("since", "must be a cursor this stream gave", since)
        require(local, "local", bool, "a bool")
        terms = strings(watch_terms, "watch_terms")
        if streaming_url is not None:
            require(streaming_url, "streaming_url", str, "a str or None")
        if require_number(idle_timeout, "idle_timeout") <= 0:
            raise InvalidInputError.single("idle_timeout", "must be > 0", idle_timeout)
        if require(max_catch_up_pages, "max_catch_up_pages", int, "an int") < 1:
            raise InvalidInputError.single("max_catch_up_pages", "must be >= 1", max_catch_up_pages)
        super().__init__(Backoff(client._core.retry, client._core.clock))
        self._client = client
        self._adapter: MastodonAdapter = client.adapter
        self.stream: StreamName = stream
        self.tag = tag.strip("# ") if tag else None
        self.local = local
        self.watch_terms = terms
        self.cursor: str | None = since
        """Where to resume: persist it, pass it back as ``since=``."""
        self._caught_up = since is None
        self._streaming_url = streaming_url
        self._idle_timeout = idle_timeout
        self._max_pages = max_catch_up_pages
        self._recent = RecentKeys()
        self._me: str | None = None

    # -- iteration ------------------------------------------------------------------

    async def _start(self) -> None:
        if self.stream == "user":
            me = await self._client.run(
                _get_json(self._adapter, "/api/v1/accounts/verify_credentials", None)
            )
            self._me = str(me["id"])

    async def _connection(self) -> AsyncGenerator[InboxEvent, None]:
        failure: PlatformError
        try:
            async with self._connect() as lines:
                self._opened()
                if self.cursor is None:
                    await self._mark_now()
                elif not self._caught_up:
                    async for event in self._catch_up():
                        yield event
                parser = SseParser()
                async for line in lines:
                    sse = parser.feed(line)
                    if sse is not None:
                        for event in self._handle(sse):
                            yield event
            failure = TransportError("the streaming server closed the stream")
        except PlatformError as exc:
            failure = exc
        self._caught_up = False
        raise Disconnected(failure)

    # -- the connection ---------------------------------------------------------------

    def _request(self) -> httpx.Request:
        path, params = "/api/v1/streaming/user", {}
        if self.stream == "hashtag":
            path, params = "/api/v1/streaming/hashtag", {"tag": self.tag}
        elif self.stream == "public":
            path = "/api/v1/streaming/public"
        if self.local and self.stream != "user":
            path += "/local"
        if self._streaming_url:
            path = self._streaming_url.rstrip("/") + path
        request = self._adapter.request("GET", path, endpoint="streaming", params=params)
        timeout = httpx.Timeout(10.0, read=self._idle_timeout)
        request.extensions["timeout"] = timeout.as_dict()
        return request

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[AsyncIterator[str]]:
        client, core = self._client, self._client._core
        origin = self._request()
        token = await client._ensure_token()
        request = core.adapter.authorize(origin, token)
        request.headers["Accept"] = "text/event-stream"
        failed: PlatformError | None
        try:
            response = await client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            failed = core.transport_error(exc, request, origin=origin)
        else:
            failed = None
        if failed is not None:
            raise failed
        try:
            if response.status_code >= 400:
                await response.aread()
                core.answered(request, response, origin=origin, token=token)  # raises
            yield _lines(response, core.transport_error, request)
        finally:
            await response.aclose()

    # -- events ---------------------------------------------------------------------

    def _advance(self, item_id: str) -> None:
        if self.cursor is None or _id_order(item_id) > _id_order(self.cursor):
            self.cursor = item_id

    def _fresh(self, event: InboxEvent | None) -> list[InboxEvent]:
        if event is None or not self._recent.add(event.key):
            return []
        return [event]

    def _handle(self, sse: SseEvent) -> list[InboxEvent]:
        if sse.event == "notification" and self.stream == "user":
            notification = json.loads(sse.data)
            event = self._from_notification(notification)
            self._advance(str(notification["id"]))
            return self._fresh(event)
        if sse.event == "update" and self.stream != "user":
            status = json.loads(sse.data)
            event = self._from_status(status)
            self._advance(str(status["id"]))
            return self._fresh(event)
        return []  # delete, status.update, filters_changed, ...: nothing said to the brand

    def _from_notification(self, notification: Mapping[str, Any]) -> InboxEvent | None:
        status = notification.get("status")
        if notification.get("type") != "mention" or not status:
            return None
        kind = InboxKind.MENTION
        if status.get("visibility") == "direct":
            kind = InboxKind.DIRECT_MESSAGE
        elif self._me is not None and str(status.get("in_reply_to_account_id")) == self._me:
            kind = InboxKind.COMMENT
        text = _plain_text(str(status.get("content") or ""))
        return mastodon_status_event(
            status, kind=kind, watch_terms=_watched(text, self.watch_terms)
        )

    def _from_status(self, status: Mapping[str, Any]) -> InboxEvent | None:
        if status.get("reblog"):
            return None  # a boost says nothing new
        text = _plain_text(str(status.get("content") or ""))
        terms = _watched(text, self.watch_terms)
        if self.stream == "hashtag":
            terms = (f"#{self.tag}", *(t for t in terms if t != f"#{self.tag}"))
        elif self.watch_terms and not terms:
            return None
        return mastodon_status_event(status, watch_terms=terms)

    # -- catching up --------------------------------------------------------------------

    def _rest(self) -> tuple[str, dict[str, Any]]:
        if self.stream == "user":
            return "/api/v1/notifications", {"types[]": "mention"}
        params: dict[str, Any] = {"local": "true"} if self.local else {}
        if self.stream == "hashtag":
            return f"/api/v1/timelines/tag/{self.tag}", params
        return "/api/v1/timelines/public", params

    async def _mark_now(self) -> None:
        path, params = self._rest()
        newest = await self._client.run(_get_json(self._adapter, path, {**params, "limit": 1}))
        self.cursor = str(newest[0]["id"]) if newest else "0"
        self._caught_up = True

    async def _catch_up(self) -> AsyncIterator[InboxEvent]:
        """Everything after :attr:`cursor`, oldest first, page by page (``min_id``)."""
        path, params = self._rest()
        for _ in range(self._max_pages):
            query = {**params, "limit": _PAGE, "min_id": self.cursor}
            page = await self._client.run(_get_json(self._adapter, path, query))
            if not page:
                break
            for item in sorted(page, key=lambda i: _id_order(str(i["id"]))):
                if self.stream == "user":
                    event = self._from_notification(item)
                else:
                    event = self._from_status(item)
                self._advance(str(item["id"]))
                for fresh in self._fresh(event):
                    yield fresh
        self._caught_up = True


async def _lines(
    response: httpx.Response, translate: Any, request: httpx.Request
) -> AsyncIterator[str]:
    try:
        async for line in response.aiter_lines():
            yield line
    except httpx.HTTPError as exc:
        failed: PlatformError = translate(exc, request, origin=request)
    else:
        return
    raise failed
