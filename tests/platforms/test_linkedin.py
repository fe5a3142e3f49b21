"""LinkedIn adapter: a fake of the versioned REST API built from LinkedIn's docs, both drivers.

The fake follows the documented shapes (learn.microsoft.com/linkedin, versioned
``/rest`` APIs): every ``/rest`` call needs ``LinkedIn-Version`` and
``X-Restli-Protocol-Version: 2.0.0``; ``POST /rest/posts`` answers 201 with the post URN
in ``x-restli-id`` and refuses identical content by the same author with 422
``DUPLICATE_POST`` naming the live post; images go ``initializeUpload`` → ``PUT`` →
``PROCESSING`` → ``AVAILABLE``; a post may reference only an available image; errors
carry ``serviceErrorCode``/``code``/``message`` and an ``x-li-uuid``. Post ids carry
their creation time (``id >> 22`` is epoch milliseconds), as LinkedIn's do.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from smmkit import ContentPiece
from smmkit.content import adapt
from smmkit.exceptions import (
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import LinkedInExtras, extras_model_for
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.linkedin import LINKEDIN_VERSION, LinkedInAdapter
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

ORG = "urn:li:organization:2414183"
PERSON = "urn:li:person:abc123"
PNG = "https://media.example/cup.png"
PNG2 = "https://media.example/pot.png"
MEDIA = InMemoryMediaLoader({PNG: TINY_PNG_BYTES, PNG2: TINY_PNG_BYTES, TINY_PNG: TINY_PNG_BYTES})


def _error(status: int, code: str, message: str, service: int = 0, **more: Any) -> httpx.Response:
    body = {"status": status, "serviceErrorCode": service, "code": code, "message": message}
    body.update(more)
    return httpx.Response(status, json=body, headers={"x-li-uuid": "uuid-42"})


class FakeLinkedIn(FakePlatform):
    """Posts, images, comments, statistics and the errors of LinkedIn's REST API."""

    def __init__(
        self,
        *,
        client_id: str = "app",
        client_secret: str = "token-1",
        clock: SimulatedClock | None = None,
        image_polls: int = 1,
    ) -> None:
        del client_id
        self.token = client_secret
        self.clock = clock or SimulatedClock()
        self.image_polls = image_polls
        self.posts: dict[str, dict[str, Any]] = {}
        self.images: dict[str, dict[str, Any]] = {}
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self.seen: list[tuple[str, str]] = []
        self.created = 0  # posts this server created, counted here
        self.lose: dict[str, int] = {}  # route -> answers to lose after acting
        self.can_read_posts = True
        self.throttle_next = 0
        self.retry_after: str | None = None
        self._seq = itertools.count(1)

    # -- plumbing ----------------------------------------------------------------------

    def _new_id(self) -> int:
        return (int(self.clock.time() * 1000) << 22) | next(self._seq)

    def answer(self, request: httpx.Request) -> httpx.Response:
        route, response = self._route(request)
        if self.lose.get(route):
            self.lose[route] -= 1
            raise httpx.ReadTimeout("applied, then the answer was lost", request=request)
        return response

    def _route(self, request: httpx.Request) -> tuple[str, httpx.Response]:
        method, url = request.method, request.url
        self.seen.append((method, url.path))
        if url.host == "media.smmkit.test":
            return "media", httpx.Response(200, content=TINY_PNG_BYTES)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return "auth", _error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        if url.host == "www.linkedin.com" and url.path.startswith("/dms-uploads/"):
            return "put", self._put(request)
        if url.path == "/v2/userinfo":
            return "userinfo", httpx.Response(200, json={"sub": PERSON.rsplit(":", 1)[1]})
        if request.headers.get("linkedin-version") != LINKEDIN_VERSION:
            return "version", _error(426, "VERSION_MISSING", "LinkedIn-Version is missing")
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return "restli", _error(400, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 only")
        if self.throttle_next:
            self.throttle_next -= 1
            response = _error(429, "TOO_MANY_REQUESTS", "Resource level throttle limit reached")
            if self.retry_after:
                response.headers["Retry-After"] = self.retry_after
            return "throttle", response
        parts = url.path.split("/")[2:]  # after /rest/
        resource, rest = parts[0], parts[1:]
        if resource == "posts":
            return self._posts(request, method, rest)
        if resource == "images":
            return self._images(request, method, rest)
        if resource == "socialActions":
            return self._social(request, method, rest)
        if resource == "organizationalEntityShareStatistics":
            return "stats", self._stats(request)
        return "unknown", _error(404, "NOT_FOUND", "Not Found")

    # -- posts -------------------------------------------------------------------------

    def _posts(self, request: httpx.Request, method: str, rest: list[str]) -> tuple[str, Any]:
        if method == "POST" and not rest:
            return "create", self._create(json.loads(request.content))
        if method == "GET" and not rest:
            if not self.can_read_posts:
                return "find", _error(403, "ACCESS_DENIED", "Not enough permissions", 100)
            params = request.url.params
            assert params["q"] == "author" and params["sortBy"] == "CREATED"
            mine = [p for p in self.posts.values() if p["author"] == params["author"]]
            mine.sort(key=lambda p: p["createdAt"], reverse=True)
            return "find", httpx.Response(200, json={"elements": mine[: int(params["count"])]})
        urn = unquote(rest[0]) if rest else ""
        post = self.posts.get(urn)
        if method == "DELETE":
            assert request.headers["x-restli-method"] == "DELETE"
            if post is None or post["lifecycleState"] == "DELETED":
                return "delete", _error(404, "NOT_FOUND", "Post not found")
            post["lifecycleState"] = "DELETED"
            return "delete", httpx.Response(204)
        return "unknown", _error(404, "NOT_FOUND", "Not Found")

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        for field in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
            if field not in body:
                return _error(422, "FIELD_MISSING", f"/{field} is required", 0)
        media = (body.get("content") or {}).get("media")
        images = (
            [media]
            if media
            else (body.get("content") or {}).get("multiImage", {}).get("images", [])
        )
        for image in images:
            state = self.images.get(image["id"])
            if state is None or state["status"] != "AVAILABLE":
                return _error(422, "INVALID_CONTENT", f"{image['id']} is not available")
        for live in self.posts.values():
            if (
                live["author"] == body["author"]
                and live["commentary"] == body["commentary"]
                and live["lifecycleState"] != "DELETED"
            ):
                return httpx.Response(
                    422,
                    json={
                        "errorDetailType": "com.linkedin.common.error.BadRequest",
                        "message": "com.linkedin.content.common.exception."
                        f"BadRequestResponseException: Content is a duplicate of {live['id']}",
                        "errorDetails": {
                            "inputErrors": [
                                {
                                    "description": "Duplicate post is detected",
                                    "input": {},
                                    "code": "DUPLICATE_POST",
                                }
                            ]
                        },
                        "status": 422,
                    },
                )
        urn = f"urn:li:share:{self._new_id()}"
        now = int(self.clock.time() * 1000)
        self.posts[urn] = {**body, "id": urn, "createdAt": now, "publishedAt": now}
        self.created += 1
        return httpx.Response(201, headers={"x-restli-id": urn, "x-li-uuid": "uuid-1"})

    # -- images ------------------------------------------------------------------------

    def _images(self, request: httpx.Request, method: str, rest: list[str]) -> tuple[str, Any]:
        if method == "POST" and request.url.params.get("action") == "initializeUpload":
            owner = json.loads(request.content)["initializeUploadRequest"]["owner"]
            key = f"C4E10AQ{next(self._seq)}"
            urn = f"urn:li:image:{key}"
            self.images[urn] = {"owner": owner, "status": "WAITING_UPLOAD", "polls": 0}
            value = {
                "uploadUrlExpiresAt": int(self.clock.time() * 1000) + 3_600_000,
                "uploadUrl": f"https://www.linkedin.com/dms-uploads/{key}/uploaded-image/0",
                "image": urn,
            }
            return "init", httpx.Response(200, json={"value": value})
        if method == "GET" and rest:
            urn = unquote(rest[0])
            image = self.images.get(urn)
            if image is None:
                return "image", _error(404, "NOT_FOUND", "Image not found")
            if image["status"] == "PROCESSING":
                image["polls"] += 1
                if image["polls"] > self.image_polls:
                    image["status"] = "AVAILABLE"
            return "image", httpx.Response(200, json={"id": urn, "status": image["status"]})
        return "unknown", _error(404, "NOT_FOUND", "Not Found")

    def _put(self, request: httpx.Request) -> httpx.Response:
        key = request.url.path.split("/")[2]
        image = self.images[f"urn:li:image:{key}"]
        assert request.content == TINY_PNG_BYTES
        if image["status"] == "WAITING_UPLOAD":
            image["status"] = "PROCESSING" if self.image_polls else "AVAILABLE"
        return httpx.Response(201)

    # -- social ------------------------------------------------------------------------

    def _social(self, request: httpx.Request, method: str, rest: list[str]) -> tuple[str, Any]:
        target = unquote(rest[0])
        if rest[1:] == ["comments"] and method == "GET":
            return "comments", httpx.Response(200, json={"elements": self.comments.get(target, [])})
        if rest[1:] == ["comments"] and method == "POST":
            body = json.loads(request.content)
            activity = body["object"]
            number = next(self._seq)
            comment = {
                "actor": body["actor"],
                "commentUrn": f"urn:li:comment:({activity},{number})",
                "id": str(number),
                "object": activity,
                "message": body["message"],
                "created": {"actor": body["actor"], "time": int(self.clock.time() * 1000)},
                "commentsSummary": {"totalFirstLevelComments": 0},
            }
            if "parentComment" in body:
                comment["parentComment"] = body["parentComment"]
                for parent in self.comments.get(activity, []):
                    if parent["commentUrn"] == body["parentComment"]:
                        parent["commentsSummary"]["totalFirstLevelComments"] += 1
            self.comments.setdefault(target, []).append(comment)
            return "comment", httpx.Response(
                201, json=comment, headers={"x-restli-id": str(number)}
            )
        if not rest[1:] and method == "GET":
            count = len(self.comments.get(target, []))
            body = {
                "likesSummary": {"totalLikes": 7, "likedByCurrentUser": False},
                "commentsSummary": {"aggregatedTotalComments": count},
            }
            return "social", httpx.Response(200, json=body)
        return "unknown", _error(404, "NOT_FOUND", "Not Found")

    def _stats(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["q"] == "organizationalEntity"
        shares = params["shares"]
        assert shares.startswith("List(") and shares.endswith(")")
        urn = shares[5:-1]
        if urn not in self.posts:
            return httpx.Response(200, json={"elements": []})
        stats = {
            "uniqueImpressionsCount": 80,
            "shareCount": 2,
            "engagement": 0.15,
            "clickCount": 6,
            "likeCount": 5,
            "impressionCount": 100,
            "commentCount": 2,
        }
        element = {
            "totalShareStatistics": stats,
            "share": urn,
            "organizationalEntity": params["organizationalEntity"],
        }
        return httpx.Response(200, json={"elements": [element]})

    @property
    def live(self) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if p["lifecycleState"] != "DELETED"]


def make_client(kind: str, server: FakeLinkedIn, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or LinkedInAdapter(
        access_token=server.token, author=options.pop("author", ORG), media_loader=MEDIA
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeLinkedIn:
    clock = SimulatedClock()
    clock.advance(1_780_000_000)  # mid-2026: ids carry realistic times
    return FakeLinkedIn(clock=clock)


def post(body: str = "Cold brew at three.", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="linkedin", piece_id="p1", body=body, **fields)


# -- the conformance suite and the registry ---------------------------------------------


class TestLinkedInConformance(AdapterConformance, adapter=LinkedInAdapter, platform=FakeLinkedIn):
    def make_adapter(self) -> LinkedInAdapter:
        return LinkedInAdapter(access_token=SENTINEL_SECRET, author=ORG, media_loader=MEDIA)


def test_registered_programmatically_with_its_extras() -> None:
    # The entry point a packaged install declares
    # (linkedin = "smmkit.platforms.linkedin:LinkedInAdapter"), registered here by hand.
    register_platform("linkedin", LinkedInAdapter, clobber=True)
    assert get_platform("linkedin") is LinkedInAdapter
    assert "linkedin" in available_platforms()
    assert extras_model_for("linkedin") is LinkedInExtras
    with pytest.raises(InvalidInputError, match=r"extras\.author"):
        post(extras={"author": "urn:li:share:1"})


# -- publishing ---------------------------------------------------------------------


def test_organisation_post_is_201_with_the_urn_in_x_restli_id(
    kind: str, server: FakeLinkedIn
) -> None:
    extras = {"visibility": "PUBLIC", "reshare_disabled": True}
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(extras=extras)))
    assert result.ok, result.error
    urn = result.receipt.post_id
    assert urn.startswith("urn:li:share:") and urn in server.posts
    assert result.receipt.url == f"https://www.linkedin.com/feed/update/{urn}/"
    assert result.receipt.published_at is not None
    sent = server.posts[urn]
    assert sent["author"] == ORG and sent["isReshareDisabledByAuthor"] is True
    assert sent["distribution"]["feedDistribution"] == "MAIN_FEED"


def test_member_post_finds_its_author_through_userinfo(kind: str, server: FakeLinkedIn) -> None:
    adapter = LinkedInAdapter(access_token=server.token, media_loader=MEDIA)
    result = drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.posts[result.receipt.post_id]["author"] == PERSON
    assert server.seen.count(("GET", "/v2/userinfo")) == 1


def test_commentary_is_little_text_escaped_once(kind: str, server: FakeLinkedIn) -> None:
    client = make_client(kind, server)
    plain = drive(
        kind, client, lambda c: c.publish(post("Q&A (live) @3pm #B2B https://ex.com/a_b"))
    )
    assert server.posts[plain.receipt.post_id]["commentary"] == (
        "Q&A \\(live\\) \\@3pm #B2B https://ex.com/a_b"
    )
    adapted = adapt(ContentPiece(id="p2", body="Tea time (iced) ~ 3pm"), "linkedin")
    result = drive(kind, client, lambda c: c.publish(adapted))
    assert server.posts[result.receipt.post_id]["commentary"] == adapted.body
    assert adapted.body == "Tea time \\(iced\\) \\~ 3pm"


def test_image_post_uploads_waits_and_references_the_image(kind: str, server: FakeLinkedIn) -> None:
    image = MediaAsset(kind="image", url=PNG, alt_text="a cup of tea")
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(image,))))
    assert result.ok, result.error
    (urn,) = server.images
    assert server.images[urn]["owner"] == ORG and server.images[urn]["status"] == "AVAILABLE"
    content = server.posts[result.receipt.post_id]["content"]
    assert content == {"media": {"id": urn, "altText": "a cup of tea"}}
    polls = [s for s in server.seen if s[0] == "GET" and s[1].startswith("/rest/images/")]
    assert len(polls) == server.image_polls + 1


def test_several_images_become_a_multi_image_post(kind: str, server: FakeLinkedIn) -> None:
    images = (MediaAsset(kind="image", url=PNG), MediaAsset(kind="image", url=PNG2))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=images)))
    assert result.ok, result.error
    content = server.posts[result.receipt.post_id]["content"]
    assert [i["id"] for i in content["multiImage"]["images"]] == list(server.images)


# -- exactly once -------------------------------------------------------------------------


def test_lost_publish_answer_is_read_back_and_posts_once(kind: str, server: FakeLinkedIn) -> None:
    server.lose["create"] = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1 and len(server.live) == 1
    assert result.receipt.post_id == server.live[0]["id"]
    assert server.seen.count(("POST", "/rest/posts")) == 1  # found: never sent again


def test_lost_answer_without_read_permission_meets_the_duplicate_check(
    kind: str, server: FakeLinkedIn
) -> None:
    server.lose["create"] = 1
    server.can_read_posts = False  # a member token without r_member_social
    result = drive(kind, make_client(kind, server, author=PERSON), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.created == 1
    assert result.receipt.post_id == server.live[0]["id"]
    assert server.seen.count(("POST", "/rest/posts")) == 2  # the repost was refused


def test_lost_answers_during_upload_never_post_twice(kind: str, server: FakeLinkedIn) -> None:
    server.lose.update(init=1, put=1)
    image = MediaAsset(kind="image", url=PNG)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(image,))))
    assert result.ok, result.error
    assert server.created == 1
    referenced = server.posts[result.receipt.post_id]["content"]["media"]["id"]
    assert server.images[referenced]["status"] == "AVAILABLE"
    assert len(server.images) == 2  # the lost initializeUpload left an unused image


def test_lost_answers_everywhere_still_post_exactly_once(kind: str, server: FakeLinkedIn) -> None:
    server.lose.update(create=2, init=1, put=1)
    image = MediaAsset(kind="image", url=PNG)
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=8))
    result = drive(kind, client, lambda c: c.publish(post(media=(image,))))
    assert result.ok, result.error
    assert server.created == 1 and len(server.live) == 1


def test_read_back_ignores_other_text_old_and_deleted_posts(server: FakeLinkedIn) -> None:
    adapter = LinkedInAdapter(access_token="t", author=ORG, read_back_window=timedelta(hours=1))
    now = datetime.fromtimestamp(server.clock.time(), timezone.utc)
    old = int((now - timedelta(hours=2)).timestamp() * 1000)
    elements = [
        {"id": "urn:li:share:1", "author": ORG, "commentary": "other", "createdAt": old},
        {
            "id": "urn:li:share:2",
            "author": ORG,
            "commentary": "Cold brew at three.",
            "createdAt": old,
        },
        {
            "id": "urn:li:share:3",
            "author": ORG,
            "commentary": "Cold brew at three.",
            "createdAt": int(now.timestamp() * 1000),
            "lifecycleState": "DELETED",
        },
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"elements": elements})

    assert run_flow(adapter.find_published(post()), answer, now=now) is None
    elements.append(
        {
            "id": "urn:li:share:4",
            "author": ORG,
            "commentary": "Cold  brew at three.\n",
            "createdAt": int(now.timestamp() * 1000),
        }
    )
    found = run_flow(adapter.find_published(post(), idempotency_key="k"), answer, now=now)
    assert found is not None and found.post_id == "urn:li:share:4"


# -- limits, errors, tokens ------------------------------------------------------------


def test_429_without_retry_after_waits_for_midnight_utc(kind: str, server: FakeLinkedIn) -> None:
    server.throttle_next = 1
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=3, max_retry_after=60))
    result = drive(kind, client, lambda c: c.publish(post()))
    assert not result.ok
    error = result.exception
    assert isinstance(error, RateLimitError) and error.code == "TOO_MANY_REQUESTS"
    assert error.retry_after is not None and 0 < error.retry_after <= 86400
    assert error.request_id == "uuid-42"
    assert server.created == 0


def test_429_with_retry_after_is_honoured(kind: str, server: FakeLinkedIn) -> None:
    server.throttle_next, server.retry_after = 1, "5"
    before = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.clock.time() - before == pytest.approx(5, abs=1)


def test_expired_token_says_reconnect_and_does_not_loop(kind: str, server: FakeLinkedIn) -> None:
    adapter = LinkedInAdapter(access_token="expired", author=ORG)
    with pytest.raises(AuthenticationError, match="connect the account again") as caught:
        drive(
            kind, make_client(kind, server, adapter=adapter), lambda c: c.delete("urn:li:share:1")
        )
    assert caught.value.code == "INVALID_ACCESS_TOKEN"
    assert "serviceErrorCode 65600" in str(caught.value) and "expired" not in repr(adapter)
    assert len(server.seen) == 1


def test_no_token_and_no_refresh_token_is_a_reconnect_error(
    kind: str, server: FakeLinkedIn
) -> None:
    creds = Credentials(client_id="app", client_secret="s")
    adapter = LinkedInAdapter(credentials=creds, author=ORG)
    with pytest.raises(AuthenticationError, match="connect the account again"):
        drive(
            kind, make_client(kind, server, adapter=adapter), lambda c: c.delete("urn:li:share:1")
        )
    assert server.seen == []


def test_refresh_token_goes_through_the_oauth_module() -> None:
    from smmkit.platforms import oauth

    creds = Credentials(client_id="app", client_secret="s", refresh_token="r-1")
    adapter = LinkedInAdapter(credentials=creds, author=ORG)
    try:
        request = next(adapter.fetch_token(None))
    except NotImplementedError:
        pytest.skip("smmkit.platforms.oauth.refresh is not implemented yet")
    assert isinstance(request, httpx.Request)
    assert str(request.url).startswith(oauth.LINKEDIN.token_url)
    assert adapter.can_refresh


def test_errors_carry_code_service_code_and_request_id(kind: str, server: FakeLinkedIn) -> None:
    client = make_client(kind, server)
    with pytest.raises(NotFoundError) as caught:
        drive(kind, client, lambda c: c.delete("urn:li:share:999"))
    assert caught.value.code == "NOT_FOUND" and caught.value.request_id == "uuid-42"
    bad = MediaAsset(kind="image", url=PNG)
    handle = drive(kind, client, lambda c: c.upload_media(bad))  # still processing
    unready = post(extras={"media_ids": [handle.media_id]})
    with pytest.raises(BadRequestError, match="not available"):
        drive(kind, client, lambda c: c.run(c.adapter.publish(unready)))


def test_dry_run_checks_the_catalog_limits_and_sends_nothing(
    kind: str, server: FakeLinkedIn
) -> None:
    result = drive(
        kind, make_client(kind, server), lambda c: c.publish(post("a" * 3001), dry_run=True)
    )
    assert result.problems == ("body: 3001 code_points > 3000",)
    assert server.seen == []


def test_bad_input_is_refused_before_sending() -> None:
    with pytest.raises(InvalidInputError, match="author"):
        LinkedInAdapter(access_token="t", author="urn:li:company:1")
    adapter = LinkedInAdapter(access_token="t", author=ORG)
    with pytest.raises(InvalidInputError, match="post_id"):
        next(adapter.delete(" "))
    bare = next(adapter.delete("42"))
    assert isinstance(bare, httpx.Request)
    assert bare.url.raw_path == b"/rest/posts/urn%3Ali%3Ashare%3A42"
    with pytest.raises(InvalidInputError, match="parts"):
        next(adapter.publish(post(parts=("1/2", "2/2"))))
    with pytest.raises(InvalidInputError, match="comment_id"):
        next(adapter.reply("urn:li:share:1", "c 1", "thanks"))
    with pytest.raises(InvalidInputError, match="api_version"):
        LinkedInAdapter(access_token="t", api_version="2026-01")


# -- reading and answering -----------------------------------------------------------


def test_comments_replies_metrics_and_delete(kind: str, server: FakeLinkedIn) -> None:
    client = make_client(kind, server)
    urn = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    first = drive(kind, client, lambda c: c.reply(urn, urn, "Thanks for reading (all of you)"))
    assert first.in_reply_to == urn and first.author_id == ORG
    nested = drive(kind, client, lambda c: c.reply(urn, first.id, "And a follow-up"))
    assert nested.in_reply_to == first.id
    comments = drive(kind, client, lambda c: c.comments(urn))
    assert [(c.text, c.in_reply_to) for c in comments] == [
        ("Thanks for reading (all of you)", urn),
        ("And a follow-up", first.id),
    ]
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(urn))}
    assert metrics == {
        "impressions": 100,
        "reach": 80,
        "clicks": 6,
        "likeCount": 5,
        "commentCount": 2,
        "shareCount": 2,
        "interactions": 15,
        "engagement": 0.15,
    }
    drive(kind, client, lambda c: c.delete(urn))
    assert server.live == []
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics("urn:li:share:424242424242424242"))


def test_member_metrics_come_from_social_actions(kind: str, server: FakeLinkedIn) -> None:
    client = make_client(kind, server, author=PERSON)
    urn = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    drive(kind, client, lambda c: c.reply(urn, urn, "first!"))
    observed = drive(kind, client, lambda c: c.metrics(urn))
    assert {m.metric: m.value for m in observed} == {
        "likeCount": 7,
        "commentCount": 1,
        "interactions": 8,
    }
    assert observed[0].period_start <= observed[0].period_end


def test_upload_refuses_video_and_non_https_upload_urls() -> None:
    adapter = LinkedInAdapter(access_token="t", author=ORG, media_loader=MEDIA)
    video = MediaAsset(kind="video", url="https://media.example/pour.mp4")
    with pytest.raises(Exception, match="images only"):
        next(adapter.upload_media(video))

    def answer(request: httpx.Request) -> httpx.Response:
        value = {"uploadUrl": "http://evil.example/x", "image": "urn:li:image:1"}
        return httpx.Response(200, json={"value": value})

    with pytest.raises(InvalidInputError, match="uploadUrl"):
        run_flow(adapter.upload_media(MediaAsset(kind="image", url=PNG)), answer)


def test_the_token_goes_only_to_linkedin_hosts() -> None:
    from smmkit.platforms import Token

    adapter = LinkedInAdapter(access_token="t", author=ORG)
    token = Token(access_token="t")
    upload = adapter.authorize(
        httpx.Request("PUT", "https://www.linkedin.com/dms-uploads/x"), token
    )
    assert upload.headers["authorization"] == "Bearer t"
    other = adapter.authorize(httpx.Request("PUT", "https://evil.example/x"), token)
    assert "authorization" not in other.headers


# -- the sandbox stands in ------------------------------------------------------------


def test_the_sandbox_stands_in_with_the_same_catalog_spec(kind: str) -> None:
    sandbox = SandboxPlatform(spec="linkedin", clock=SimulatedClock())
    client = sandbox.client() if kind == "sync" else sandbox.async_client()
    result = drive(kind, client, lambda c: c.publish(sandbox.sample_post("Tea \\(iced\\)")))
    assert result.ok and sandbox.published_count == 1
    spec = LinkedInAdapter(access_token="t", author=ORG).spec
    assert spec is sandbox.spec or spec == sandbox.spec
    assert spec.text.max_length is not None and spec.text.max_length.value == 3000
    assert spec.media.max_items is not None and spec.media.max_items.value == 20
    assert spec.media.alt_text_supported and spec.idempotency and "read" in spec.idempotency
