"""Weibo adapter: a fake of open.weibo.com's API built from its documented pages, both drivers.

The fake follows https://open.weibo.com/wiki/2/statuses/share and its neighbours: every
``/2/`` call needs ``Authorization: OAuth2 <token>``; ``statuses/share`` takes ``status``
and ``rip`` as a form (multipart with one ``pic``), refuses a text without a link on the
bound domain or with ``#话题#`` and a text equal to the account's latest weibo (20019);
the timeline shows links shortened to ``t.cn`` as Weibo does; errors are
``{"error", "error_code", "request"}``. Answers lost after the server acted are counted
on the server's side (``created``).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from email.parser import BytesParser
from email.policy import default as email_policy
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from smmkit import ContentPiece
from smmkit.content import adapt
from smmkit.exceptions import (
    AuthenticationError,
    DuplicateContentError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import WeiboExtras, extras_model_for
from smmkit.platforms import (
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.weibo import WeiboAdapter
from smmkit.testing import (
    SENTINEL_SECRET,
    TINY_PNG,
    TINY_PNG_BYTES,
    AdapterConformance,
    FakePlatform,
    client_for,
    drive,
    run_flow,
)

DOMAIN = "tea.example.cn"
LINK = f"https://{DOMAIN}/spring"
RIP = "211.156.0.1"
UID = "1404376560"
PNG = "https://media.example/cup.png"
MEDIA = InMemoryMediaLoader({PNG: TINY_PNG_BYTES, TINY_PNG: TINY_PNG_BYTES})
BEIJING = timezone(timedelta(hours=8))


def _error(status: int, code: int, message: str, path: str) -> httpx.Response:
    body = {"error": message, "error_code": code, "request": path}
    return httpx.Response(status, json=body, headers={"x-request-id": "req-42"})


def _form(request: httpx.Request) -> tuple[dict[str, str], bytes | None]:
    kind = request.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        return dict(parse_qsl(request.content.decode())), None
    raw = b"Content-Type: " + kind.encode() + b"\r\n\r\n" + request.content
    message = BytesParser(policy=email_policy).parsebytes(raw)
    fields: dict[str, str] = {}
    pic: bytes | None = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        if part.get_filename():
            pic = payload
        else:
            fields[str(name)] = payload.decode("utf-8")
    return fields, pic


class FakeWeibo(FakePlatform):
    """Statuses, comments, counts, token info and the errors of open.weibo.com."""

    def __init__(
        self, *, client_id: str = "app", client_secret: str = "tok", clock: SimulatedClock
    ) -> None:
        del client_id
        self.token = client_secret
        self.clock = clock
        self.expire_in = 157679471
        self.statuses: list[dict[str, Any]] = []  # newest last
        self.deleted: set[str] = set()
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.seen: list[tuple[str, str]] = []
        self.created = 0  # weibos this server created, counted here
        self.pics = 0
        self.lose: dict[str, int] = {}
        self.throttle_next = 0
        self.hide_newest_reads = 0  # timeline reads that do not show the newest weibo yet
        self.slow_success = 0  # shares that answer 20032 after publishing
        self.can_read_timeline = True
        self._ids = itertools.count(4_300_000_000_000_001)

    def _now(self) -> str:
        at = datetime.fromtimestamp(self.clock.time(), timezone.utc).astimezone(BEIJING)
        return at.strftime("%a %b %d %H:%M:%S %z %Y")

    def answer(self, request: httpx.Request) -> httpx.Response:
        route, response = self._route(request)
        if self.lose.get(route):
            self.lose[route] -= 1
            raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    def _route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        method, path = request.method, request.url.path
        self.seen.append((method, path))
        if request.url.host == "media.smmkit.test":
            return "media", httpx.Response(200, content=TINY_PNG_BYTES)
        if path == "/oauth2/get_token_info":
            if _form(request)[0].get("access_token") != self.token:
                return "info", _error(400, 21332, "invalid_access_token", path)
            body = {"uid": int(UID), "appkey": 1352222456, "scope": None}
            body.update(create_at=int(self.clock.time()) - 60, expire_in=self.expire_in)
            return "info", httpx.Response(200, json=body)
        if request.headers.get("authorization") != f"OAuth2 {self.token}":
            return "auth", _error(401, 21327, "expired_token", path)
        if self.throttle_next:
            self.throttle_next -= 1
            return "throttle", _error(403, 10023, "User requests out of rate limit!", path)
        handler = {
            ("POST", "/2/statuses/share.json"): self._share,
            ("GET", "/2/statuses/user_timeline.json"): self._timeline,
            ("POST", "/2/statuses/destroy.json"): self._destroy,
            ("GET", "/2/statuses/count.json"): self._count,
            ("GET", "/2/comments/show.json"): self._show,
            ("POST", "/2/comments/create.json"): self._comment,
            ("POST", "/2/comments/reply.json"): self._comment,
        }.get((method, path))
        if handler is None:
            return "unknown", _error(404, 10020, "Request Api not found!", path)
        return handler(request)

    def _share(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        path = request.url.path
        form, pic = _form(request)
        text = form.get("status", "")
        if not form.get("rip"):
            return "share", _error(400, 10016, "Miss required parameter (rip)", path)
        if f"://{DOMAIN}/" not in text or "#" in text:
            return "share", _error(400, 10017, "Parameter (status)'s value invalid", path)
        live = [s for s in self.statuses if s["idstr"] not in self.deleted]
        if live and live[-1]["sent"] == text:
            return "share", _error(400, 20019, "repeat content!", path)
        number = next(self._ids)
        shown = text.replace(LINK, "http://t.cn/A6x1Tea")  # Weibo shortens links
        status = {
            "created_at": self._now(),
            "id": number,
            "idstr": str(number),
            "mid": str(number),
            "text": shown,
            "sent": text,
            "user": {"id": int(UID)},
        }
        self.statuses.append(status)
        self.created += 1
        self.pics += pic is not None
        if self.slow_success:
            self.slow_success -= 1
            return "share", _error(400, 20032, "Update success, while server slow now", path)
        return "share", httpx.Response(200, json={k: v for k, v in status.items() if k != "sent"})

    def _timeline(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        if not self.can_read_timeline:
            return "timeline", _error(403, 10014, "Insufficient app permissions!", "/2/x")
        live = [s for s in reversed(self.statuses) if s["idstr"] not in self.deleted]
        if self.hide_newest_reads and live:
            self.hide_newest_reads -= 1
            live = live[1:]
        count = int(request.url.params["count"])
        shown = [{k: v for k, v in s.items() if k != "sent"} for s in live[:count]]
        return "timeline", httpx.Response(200, json={"statuses": shown, "total_number": len(live)})

    def _destroy(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        wanted = _form(request)[0]["id"]
        found = [s for s in self.statuses if s["idstr"] == wanted and wanted not in self.deleted]
        if not found:
            return "destroy", _error(400, 20101, "Target weibo does not exist!", "/2/x")
        self.deleted.add(wanted)
        return "destroy", httpx.Response(
            200, json={k: v for k, v in found[0].items() if k != "sent"}
        )

    def _count(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        ids = request.url.params["ids"].split(",")
        known = {s["idstr"] for s in self.statuses} - self.deleted
        body = [
            {"id": int(i), "comments": len(self.comments.get(i, [])), "reposts": 3, "attitudes": 7}
            for i in ids
            if i in known
        ]
        return "count", httpx.Response(200, json=body)

    def _show(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        params = request.url.params
        items = list(reversed(self.comments.get(params["id"], [])))
        page, count = int(params["page"]), int(params["count"])
        chunk = items[(page - 1) * count : page * count]
        return "show", httpx.Response(200, json={"comments": chunk, "total_number": len(items)})

    def _comment(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        form = _form(request)[0]
        assert form["rip"] == RIP
        number = next(self._ids)
        comment: dict[str, Any] = {
            "created_at": self._now(),
            "id": number,
            "idstr": str(number),
            "text": form["comment"],
            "user": {"id": int(UID)},
        }
        if "cid" in form:
            comment["reply_comment"] = {"id": int(form["cid"]), "text": "..."}
        self.comments.setdefault(form["id"], []).append(comment)
        return "comment", httpx.Response(200, json=comment)


def make_client(kind: str, server: FakeWeibo, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or WeiboAdapter(
        access_token=server.token, bound_domain=DOMAIN, rip=RIP, media_loader=MEDIA
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeWeibo:
    clock = SimulatedClock()
    clock.advance(1_780_000_000)  # mid-2026
    return FakeWeibo(clock=clock)


def post(body: str = f"冷泡茶上新 {LINK}", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="weibo", piece_id="p1", body=body, **fields)


def shares(server: FakeWeibo) -> int:
    return server.seen.count(("POST", "/2/statuses/share.json"))


# -- the conformance suite and the registry ---------------------------------------------


class TestWeiboConformance(AdapterConformance, adapter=WeiboAdapter, platform=FakeWeibo):
    def make_adapter(self) -> WeiboAdapter:
        return WeiboAdapter(
            access_token=SENTINEL_SECRET, bound_domain=DOMAIN, rip=RIP, media_loader=MEDIA
        )

    def sample_post(self) -> PlatformPost:
        return post(f"Conformance check {LINK}")


def test_registered_programmatically_with_its_extras() -> None:
    # The entry point a packaged install declares
    # (weibo = "smmkit.platforms.weibo:WeiboAdapter"), registered here by hand.
    register_platform("weibo", WeiboAdapter, clobber=True)
    assert get_platform("weibo") is WeiboAdapter
    assert "weibo" in available_platforms()
    assert extras_model_for("weibo") is WeiboExtras
    with pytest.raises(InvalidInputError, match=r"extras\.link"):
        post(extras={"link": "ftp://tea.example.cn/x"})


# -- publishing ---------------------------------------------------------------------


def test_text_share_is_a_form_with_rip_and_the_oauth2_header(kind: str, server: FakeWeibo) -> None:
    recording: list[httpx.Request] = []
    original = server.answer

    def spy(request: httpx.Request) -> httpx.Response:
        recording.append(request)
        return original(request)

    server.answer = spy  # type: ignore[method-assign]
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    share = next(r for r in recording if r.url.path == "/2/statuses/share.json")
    assert _form(share)[0] == {"status": f"冷泡茶上新 {LINK}", "rip": RIP}
    assert share.headers["authorization"] == f"OAuth2 {server.token}"
    assert server.token not in str(share.url)
    receipt = result.receipt
    assert receipt.post_id == server.statuses[0]["idstr"]
    assert receipt.url == f"https://m.weibo.cn/status/{receipt.post_id}"
    assert receipt.published_at is not None and receipt.published_at.utcoffset() is not None


def test_an_image_goes_as_one_multipart_pic(kind: str, server: FakeWeibo) -> None:
    image = MediaAsset(kind="image", url=PNG)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(image,))))
    assert result.ok, result.error
    assert server.pics == 1 and server.created == 1
    two = post(media=(image, MediaAsset(kind="image", url=TINY_PNG)))
    with pytest.raises(InvalidInputError) as refused:
        drive(kind, make_client(kind, server), lambda c: c.publish(two))
    assert refused.value.fields == ("media",) and server.created == 1


def test_share_rules_are_checked_before_sending(kind: str, server: FakeWeibo) -> None:
    client = make_client(kind, server)
    cases = {
        "冷泡茶上新 https://other.example/x": "bound domain",
        f"冷泡茶上新 #好物# {LINK}": "#话题#",
        "茶" * 141 + f" {LINK}": "statuses/share takes 140",
    }
    # Refused by the adapter before anything is sent (a typed error naming the field).
    for body, words in cases.items():
        weibo = post(body)
        with pytest.raises(InvalidInputError) as refused:
            drive(kind, client, lambda c: c.publish(weibo))  # noqa: B023
        assert refused.value.fields == ("body",) and words in str(refused.value), body
    no_rip = WeiboAdapter(access_token=server.token, bound_domain=DOMAIN)
    with pytest.raises(InvalidInputError) as refused:
        drive(kind, make_client(kind, server, adapter=no_rip), lambda c: c.publish(post()))
    assert refused.value.fields == ("extras.rip",)
    assert shares(server) == 0


def test_extras_link_is_appended_and_topics_can_be_unwrapped(kind: str, server: FakeWeibo) -> None:
    piece = ContentPiece(id="p2", body="下午三点，泡一杯冷泡茶。", tags=["办公室茶"])
    adapted = adapt(piece, "weibo")
    assert "#办公室茶#" in adapted.body  # adapt writes Weibo topics with two hashes
    with_link = adapted.with_extras(link=LINK)
    with pytest.raises(InvalidInputError, match="#话题#"):
        drive(kind, make_client(kind, server), lambda c: c.publish(with_link))
    unwrap = WeiboAdapter(
        access_token=server.token, bound_domain=[DOMAIN], rip=RIP, topics="unwrap"
    )
    result = drive(kind, make_client(kind, server, adapter=unwrap), lambda c: c.publish(with_link))
    assert result.ok, result.error
    assert server.statuses[-1]["sent"].endswith(f"办公室茶 {LINK}")


def test_dry_run_lists_the_share_rules_and_sends_nothing(kind: str, server: FakeWeibo) -> None:
    result = drive(
        kind, make_client(kind, server), lambda c: c.publish(post("没有链接 #好物#"), dry_run=True)
    )
    assert result.dry_run and len(result.problems) == 1
    assert result.problems[0].startswith("body: statuses/share refuses #话题#")
    fine = drive(kind, make_client(kind, server), lambda c: c.publish(post(), dry_run=True))
    assert fine.problems == ()
    assert server.seen == []


# -- exactly once -------------------------------------------------------------------------


def test_lost_share_answer_is_read_back_and_posts_once(kind: str, server: FakeWeibo) -> None:
    server.lose["share"] = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1 and shares(server) == 1  # found by text: never sent again
    assert result.receipt.post_id == server.statuses[0]["idstr"]


def test_lost_answer_mid_upload_never_posts_twice(kind: str, server: FakeWeibo) -> None:
    server.lose.update(share=1)
    image = MediaAsset(kind="image", url=PNG)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(image,))))
    assert result.ok, result.error
    assert server.created == 1 and server.pics == 1


def test_repeat_content_on_retry_is_resolved_by_read_back(kind: str, server: FakeWeibo) -> None:
    server.lose["share"] = 1
    server.hide_newest_reads = 1  # the first read-back does not see it yet
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1 and shares(server) == 2  # the repost met 20019
    assert result.receipt.post_id == server.statuses[0]["idstr"]


def test_slow_success_20032_is_read_back_not_reposted(kind: str, server: FakeWeibo) -> None:
    server.slow_success = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1 and shares(server) == 1


def test_lost_answers_everywhere_still_post_exactly_once(kind: str, server: FakeWeibo) -> None:
    server.lose.update(share=2, timeline=1)
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=8))
    result = drive(kind, client, lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1


def test_repeat_content_without_a_lost_answer_is_a_duplicate(kind: str, server: FakeWeibo) -> None:
    client = make_client(kind, server)
    assert drive(kind, client, lambda c: c.publish(post())).ok
    again = drive(kind, client, lambda c: c.publish(post()))
    assert isinstance(again.exception, DuplicateContentError)
    assert again.exception.code == 20019 and server.created == 1


def test_read_back_ignores_other_and_old_weibos(server: FakeWeibo) -> None:
    adapter = WeiboAdapter(
        access_token="t", bound_domain=DOMAIN, rip=RIP, read_back_window=timedelta(hours=1)
    )
    now = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    fresh = now.astimezone(BEIJING).strftime("%a %b %d %H:%M:%S %z %Y")
    old = (now - timedelta(hours=2)).astimezone(BEIJING).strftime("%a %b %d %H:%M:%S %z %Y")
    statuses = [
        {"id": 1, "created_at": fresh, "text": "别的 http://t.cn/x"},
        {"id": 2, "created_at": old, "text": "冷泡茶上新 http://t.cn/x"},
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"statuses": statuses})

    assert run_flow(adapter.find_published(post()), answer, now=now) is None
    statuses.append(
        {"id": 3, "idstr": "3", "created_at": fresh, "text": "冷泡茶上新  http://t.cn/y"}
    )
    found = run_flow(adapter.find_published(post(), idempotency_key="k"), answer, now=now)
    assert found is not None and found.post_id == "3" and found.idempotency_key == "k"


# -- limits, errors, tokens ------------------------------------------------------------


def test_rate_limit_waits_until_the_next_hour(kind: str, server: FakeWeibo) -> None:
    server.throttle_next = 1
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=3, max_retry_after=60))
    result = drive(kind, client, lambda c: c.publish(post()))
    error = result.exception
    assert isinstance(error, RateLimitError) and error.code == 10023
    assert error.retry_after is not None and 0 < error.retry_after <= 3600
    assert error.request_id == "req-42" and server.created == 0


def test_expired_token_says_reconnect(kind: str, server: FakeWeibo) -> None:
    adapter = WeiboAdapter(access_token="old", bound_domain=DOMAIN, rip=RIP, check_token=False)
    with pytest.raises(AuthenticationError, match="connect the account again") as caught:
        drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.delete("1"))
    assert caught.value.code == 21327 and caught.value.request_id == "req-42"
    assert len(server.seen) == 1


def test_token_expiry_comes_from_get_token_info(kind: str, server: FakeWeibo) -> None:
    store = InMemoryTokenStore()
    client = make_client(kind, server, token_store=store)
    assert drive(kind, client, lambda c: c.publish(post())).ok
    token = store.get("weibo:default")
    assert token is not None and token.expires_at is not None
    assert token.expires_at.timestamp() == pytest.approx(server.clock.time() + 157679471, abs=5)
    server.expire_in = 0
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post("再来一条 " + LINK)))
    assert isinstance(result.exception, AuthenticationError)
    assert "connect the account again" in str(result.exception) and server.created == 1


def test_permission_and_not_found_codes_are_typed(kind: str, server: FakeWeibo) -> None:
    client = make_client(kind, server)
    with pytest.raises(NotFoundError) as missing:
        drive(kind, client, lambda c: c.delete("42"))
    assert missing.value.code == 20101
    adapter = WeiboAdapter(access_token="t", bound_domain=DOMAIN, rip=RIP)
    response = httpx.Response(
        403,
        json={"error": "Insufficient app permissions!", "error_code": "10014", "request": "/2/x"},
    )
    info = adapter.parse_error(response)
    assert info is not None and info.kind is PermissionDeniedError and info.code == 10014


def test_bad_input_is_refused_before_sending() -> None:
    with pytest.raises(InvalidInputError, match="bound_domain"):
        WeiboAdapter(access_token="t", bound_domain="https://tea.example.cn/")
    with pytest.raises(InvalidInputError, match="rip"):
        WeiboAdapter(access_token="t", bound_domain=DOMAIN, rip="localhost")
    adapter = WeiboAdapter(access_token="t", bound_domain=DOMAIN, rip=RIP)
    with pytest.raises(InvalidInputError, match="post_id"):
        next(adapter.delete("12 34"))
    with pytest.raises(InvalidInputError, match="comment_id"):
        next(adapter.reply("1", "c/1", "thanks"))
    with pytest.raises(InvalidInputError, match="parts"):
        next(adapter.publish(post(parts=(f"1 {LINK}", f"2 {LINK}"))))
    with pytest.raises(InvalidInputError, match="text"):
        next(adapter.reply("1", "1", "茶" * 141))


# -- reading and answering -----------------------------------------------------------


def test_comments_replies_counts_and_delete(kind: str, server: FakeWeibo) -> None:
    client = make_client(kind, server)
    weibo = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    first = drive(kind, client, lambda c: c.reply(weibo, weibo, "谢谢大家"))
    assert first.in_reply_to == weibo and first.author_id == UID
    nested = drive(kind, client, lambda c: c.reply(weibo, first.id, "补充一句"))
    assert nested.in_reply_to == first.id
    assert ("POST", "/2/comments/reply.json") in server.seen
    comments = drive(kind, client, lambda c: c.comments(weibo))
    assert [(c.text, c.in_reply_to) for c in comments] == [
        ("补充一句", first.id),
        ("谢谢大家", weibo),
    ]
    metrics = drive(kind, client, lambda c: c.metrics(weibo))
    assert {m.metric: m.value for m in metrics} == {
        "reposts_count": 3,
        "comments_count": 2,
        "attitudes_count": 7,
        "interactions": 12,
    }
    assert metrics[0].period_start < metrics[0].period_end
    drive(kind, client, lambda c: c.delete(weibo))
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(weibo))


# -- the sandbox stands in ------------------------------------------------------------


def test_the_sandbox_stands_in_with_the_same_catalog_spec(kind: str) -> None:
    sandbox = SandboxPlatform(spec="weibo", clock=SimulatedClock())
    client = sandbox.client() if kind == "sync" else sandbox.async_client()
    result = drive(kind, client, lambda c: c.publish(sandbox.sample_post(f"下午茶 {LINK}")))
    assert result.ok and sandbox.published_count == 1
    spec = WeiboAdapter(access_token="t", bound_domain=DOMAIN).spec
    assert spec is sandbox.spec or spec == sandbox.spec
    assert spec.text.max_length is not None and spec.text.max_length.value == 140
    assert spec.media.max_items is not None and spec.media.max_items.value == 1
    assert spec.idempotency is not None and "read back" in spec.idempotency
    assert {r.name: r.limit for r in spec.rate_limits}["statuses"] == 30
