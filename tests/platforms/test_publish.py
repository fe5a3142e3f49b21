"""Publishing: exactly once under faults, the status machine, deadlines, dry runs, batches."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import httpx
import pytest

from smmkit.exceptions import IllegalTransitionError
from smmkit.models import ContentPiece, MediaAsset, Platform, PlatformPost
from smmkit.platforms import (
    AsyncClient,
    AsyncPublisher,
    Client,
    FaultKind,
    FaultPlan,
    IdempotencyMode,
    Publisher,
    PublishStatus,
    RateLimiter,
    RequestRate,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
    Storm,
    idempotency_key_for,
)
from smmkit.platforms.publish import default_adapt
from smmkit.platforms.sandbox import SandboxAdapter


def verbatim(piece: ContentPiece, platform: Platform, **options: Any) -> PlatformPost:
    """An adapt function that copies the piece: tests must not depend on adaptation rules."""
    return PlatformPost(
        platform=platform.id,
        piece_id=piece.id,
        body=piece.body,
        media=piece.media,
        title=piece.title,
    )


# -- the status machine ----------------------------------------------------------------

P = PublishStatus


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (P.PENDING, P.PROCESSING, True),
        (P.PENDING, P.PUBLISHED, True),
        (P.PENDING, P.FAILED, True),
        (P.PROCESSING, P.PROCESSING, True),
        (P.PROCESSING, P.PUBLISHED, True),
        (P.PROCESSING, P.FAILED, True),
        (P.PROCESSING, P.PENDING, False),
        (P.PUBLISHED, P.PROCESSING, False),
        (P.PUBLISHED, P.FAILED, False),
        (P.FAILED, P.PUBLISHED, False),
    ],
)
def test_status_transitions(current: PublishStatus, target: PublishStatus, allowed: bool) -> None:
    if allowed:
        assert current.check_transition(target) is target
    else:
        with pytest.raises(IllegalTransitionError):
            current.check_transition(target)


def test_idempotency_key_depends_on_the_post() -> None:
    a = PlatformPost(platform="x", piece_id="p", body="one")
    b = PlatformPost(platform="x", piece_id="p", body="two")
    assert idempotency_key_for(a) != idempotency_key_for(b)
    assert idempotency_key_for(a, account="brand") != idempotency_key_for(a)


# -- asynchronous platforms ------------------------------------------------------------

VIDEO = MediaAsset(
    kind="video", url="https://cdn.example/brew.mp4", size_bytes=5_000_000, duration_seconds=40
)


def test_video_waits_for_media_then_for_the_post(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(
        clock=clock, media_processing_seconds=20, video_post_processing_seconds=30
    )
    client = driver.client(sandbox)
    start = clock.time()
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Watch", media=(VIDEO,))))
    assert result.ok, result.error
    assert result.receipt.status is PublishStatus.PUBLISHED
    assert sandbox.posts[0].media_ids  # posted with the processed media
    assert clock.time() - start >= 50  # 20 s media processing, then 30 s post processing


def test_deadline_stops_polling(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(
        clock=clock, media_processing_seconds=0, video_post_processing_seconds=10_000
    )
    client = driver.client(sandbox, publish_deadline=120)
    start = clock.time()
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Slow", media=(VIDEO,))))
    assert not result.ok
    assert result.error.error_type == "PublishTimeoutError"
    assert 120 <= clock.time() - start <= 130  # stopped at the deadline, did not poll forever
    assert sandbox.published_count == 1  # it exists server-side, still processing


def test_media_processing_past_the_deadline(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock, media_processing_seconds=10_000)
    client = driver.client(sandbox)
    result = driver(
        client, lambda c: c.publish(sandbox.sample_post("Slow", media=(VIDEO,)), deadline=60)
    )
    assert result.error.error_type == "PublishTimeoutError"
    assert sandbox.published_count == 0  # never posted media that was still processing


# -- exactly once ------------------------------------------------------------------------


@pytest.mark.parametrize("read_back", [False, True])
@pytest.mark.parametrize("fault", ["timeout", "connection_reset", "server_error"])
def test_a_lost_answer_after_the_write_publishes_once(
    driver: Any, clock: SimulatedClock, read_back: bool, fault: str
) -> None:
    # Request 0 fetches the token, request 1 publishes and then loses its answer.
    faults = FaultPlan(storms=[Storm(kind=fault, start=1)], after_commit=1.0)
    sandbox = SandboxPlatform(clock=clock, faults=faults)
    client = driver.client(sandbox, read_back=read_back)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Once only")))
    assert result.ok, result.error
    assert sandbox.published_count == 1
    assert result.receipt.post_id == sandbox.posts[0].id


class NoIdempotency(SandboxAdapter):
    """A platform with neither keys nor a way to read back."""

    name = "sandbox_none"
    idempotency: ClassVar = IdempotencyMode.NONE

    def find_published(self, post: PlatformPost, *, idempotency_key: str | None = None) -> Any:
        return self._unsupported("find_published")


def test_unknown_outcome_without_any_mechanism_is_reported_not_reposted(
    driver: Any, clock: SimulatedClock
) -> None:
    faults = FaultPlan(storms=[Storm(kind="timeout", start=1)], after_commit=1.0)
    sandbox = SandboxPlatform(clock=clock, faults=faults)
    adapter = NoIdempotency(credentials=sandbox.credentials(), spec=sandbox.spec)
    if driver.kind == "sync":
        client: Any = Client(adapter, http_client=httpx.Client(transport=sandbox), clock=clock)
    else:
        client = AsyncClient(adapter, http_client=httpx.AsyncClient(transport=sandbox), clock=clock)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Maybe")))
    assert not result.ok
    assert result.error.outcome_unknown is True
    assert sandbox.published_count == 1  # it did go out, and was not posted twice


def test_duplicate_rejection_after_an_unknown_outcome_reads_back(
    driver: Any, clock: SimulatedClock
) -> None:
    """X-like: the platform refuses the same text twice; the repost's 403 is our success."""
    faults = FaultPlan(storms=[Storm(kind="connection_reset", start=1)], after_commit=1.0)
    sandbox = SandboxPlatform(clock=clock, faults=faults, reject_duplicates=True)
    client = driver.client(sandbox, read_back=True)
    result = driver(client, lambda c: c.publish(sandbox.sample_post("Same text")))
    assert result.ok
    assert sandbox.published_count == 1


# -- dry run and batches -----------------------------------------------------------------


def test_dry_run_does_no_io_and_lists_problems(driver: Any, clock: SimulatedClock) -> None:
    sandbox = SandboxPlatform(clock=clock, spec="x")
    client = driver.client(sandbox)
    fine = driver(client, lambda c: c.publish(sandbox.sample_post("short"), dry_run=True))
    long = driver(client, lambda c: c.publish(sandbox.sample_post("a" * 400), dry_run=True))
    assert fine.ok and fine.dry_run and fine.problems == ()
    assert not long.ok and long.problems == ("body: 400 weighted > 280",)
    assert sandbox.requests_seen == 0


def test_partial_failure_is_reported_per_platform() -> None:
    clock = SimulatedClock()
    roomy = SandboxPlatform(clock=clock, spec="mastodon")
    tight = SandboxPlatform(clock=clock, spec="x")
    piece = ContentPiece(id="long-1", body="a" * 400)
    with roomy.client() as a, tight.client() as b:
        batch = Publisher({"mastodon": a, "x": b}, adapt=verbatim).publish_many(piece)
    by_platform = batch.by_platform()
    assert by_platform["mastodon"][0].ok
    failed = by_platform["x"][0]
    assert not failed.ok
    assert failed.error is not None
    assert failed.error.error_type == "BadRequestError"
    assert "400 weighted > 280" in failed.error.message
    assert batch.summary() == {"total": 2, "published": 1, "failed": 1, "dry_run": 0}
    with pytest.raises(Exception, match="280"):
        failed.raise_for_error()
    assert (roomy.published_count, tight.published_count) == (1, 0)


def test_publish_many_dry_run_and_unknown_names() -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    with sandbox.client() as client:
        publisher = Publisher({"sandbox": client}, adapt=verbatim)
        batch = publisher.publish_many([ContentPiece(id="a", body="x")], dry_run=True)
        assert batch.summary()["dry_run"] == 1 and batch.ok
        with pytest.raises(KeyError, match="nowhere"):
            publisher.publish_many(ContentPiece(id="a", body="x"), ["nowhere"])
    assert sandbox.requests_seen == 0


def test_default_adapt_is_one_call_site() -> None:
    adapt = default_adapt()
    post = adapt(ContentPiece(id="p", body="hello"), SandboxPlatform().spec)
    assert post.platform == "mastodon" and post.piece_id == "p"


# -- acceptance: 1,000 posts through faults on the async driver --------------------------

STORM_PLAN = FaultPlan(
    seed=11,
    rates={
        FaultKind.RATE_LIMIT: 0.03,
        FaultKind.SERVER_ERROR: 0.04,
        FaultKind.TIMEOUT: 0.03,
        FaultKind.CONNECTION_RESET: 0.03,
        FaultKind.CONNECT_ERROR: 0.02,
    },
    storms=[
        Storm(kind=FaultKind.RATE_LIMIT, start=150, length=40),  # a 429 storm
        Storm(kind=FaultKind.TOKEN_EXPIRY, start=400),  # tokens revoked mid-batch
        Storm(kind=FaultKind.SERVER_ERROR, start=600, length=6),
        Storm(kind=FaultKind.TOKEN_EXPIRY, start=900),
    ],
)


def _pieces(n: int, *, too_long_every: int = 0) -> list[ContentPiece]:
    return [
        ContentPiece(
            id=f"tip-{i:04d}",
            body=("x" * 600) + str(i)
            if too_long_every and i % too_long_every == 0
            else f"Office tea tip #{i}",
        )
        for i in range(n)
    ]


def _batch(
    read_back: bool, plan: FaultPlan, attempts: int, pieces: list[ContentPiece] | None = None
) -> tuple[Any, SandboxPlatform]:
    clock = SimulatedClock()
    sandbox = SandboxPlatform(
        clock=clock, faults=plan, rate_limit=RequestRate(limit=300, per_seconds=300), token_ttl=3600
    )
    limiter = RateLimiter({"*": RequestRate(limit=100, per_seconds=120)}, clock=clock)
    pieces = pieces if pieces is not None else _pieces(1000)

    async def main() -> Any:
        async with sandbox.async_client(
            read_back=read_back,
            retry=RetryPolicy(max_attempts=attempts),
            rate_limiter=limiter,
            # 1,000 posts behind 100 requests per 2 min: a publish waits its turn in the
            # queue, and the deadline bounds the whole publish, pacing included.
            publish_deadline=3600,
        ) as client:
            publisher = AsyncPublisher({"sandbox": client}, adapt=verbatim, concurrency=50)
            return await publisher.publish_many(pieces)

    return asyncio.run(main()), sandbox


@pytest.mark.parametrize("read_back", [False, True], ids=["idempotency-key", "read-back"])
def test_thousand_posts_through_faults_publish_exactly_once(read_back: bool) -> None:
    batch, sandbox = _batch(read_back, STORM_PLAN, attempts=10)
    assert len(batch.results) == 1000
    assert batch.summary()["published"] == 1000, [r.error for r in batch.failed][:3]
    counts = sandbox.publish_counts()
    assert sandbox.published_count == 1000
    assert set(counts.values()) == {1}  # counted on the sandbox's side: exactly once
    assert {r.receipt.post_id for r in batch.results} == {p.id for p in sandbox.posts}
    injected = sandbox.faults_injected
    for kind in FaultKind:
        assert injected[kind] > 0, kind  # every kind of fault really happened
    assert 3 <= sandbox.tokens_issued <= 4  # refreshed after each revocation, single-flight


def test_remaining_failures_are_each_reported() -> None:
    plan = STORM_PLAN.model_copy(
        update={"storms": (Storm(kind=FaultKind.SERVER_ERROR, start=250, length=100_000),)}
    )
    batch, sandbox = _batch(False, plan, attempts=3, pieces=_pieces(400, too_long_every=40))
    assert len(batch.results) == 400  # nothing raised away
    kinds = {r.error.error_type for r in batch.failed if r.error}
    assert kinds == {
        "BadRequestError",
        "ServerError",
    }  # content refused; an outage outlasted retries
    too_long = [r for r in batch.results if len(r.post.body) > 500]
    assert len(too_long) == 10 and not any(r.ok for r in too_long)
    server_side = {p.client_ref for p in sandbox.posts}
    for result in batch.results:
        key = idempotency_key_for(result.post)
        if result.ok:
            assert key in server_side
        else:
            assert result.error is not None and result.exception is not None
            # A failed post is either absent server-side or flagged as unknown outcome.
            assert key not in server_side or result.error.outcome_unknown
    assert set(sandbox.publish_counts().values()) == {1}


def test_sync_driver_batch_through_faults_publishes_exactly_once() -> None:
    clock = SimulatedClock()
    # One caller in sequence meets a whole storm alone: keep storms shorter than its retries.
    plan = STORM_PLAN.model_copy(
        update={
            "storms": (
                Storm(kind=FaultKind.RATE_LIMIT, start=50, length=5),
                Storm(kind=FaultKind.TOKEN_EXPIRY, start=100),
            )
        }
    )
    sandbox = SandboxPlatform(clock=clock, faults=plan)
    pieces = [ContentPiece(id=f"tip-{i}", body=f"Tip {i}") for i in range(120)]
    with sandbox.client(read_back=True, retry=RetryPolicy(max_attempts=10)) as client:
        batch = Publisher({"sandbox": client}, adapt=verbatim).publish_many(pieces)
    assert batch.summary()["published"] == 120
    assert sandbox.published_count == 120
    assert set(sandbox.publish_counts().values()) == {1}


# -- answers an adapter cannot read, and failures that are not smmkit's ------------------


def _token_or(body: httpx.Response) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return body

    return answer


@pytest.mark.parametrize(
    "body",
    [
        httpx.Response(200, text="<html>maintenance</html>"),  # a proxy's page
        httpx.Response(201, json={"id": "p9"}),  # a field the adapter needs is missing
    ],
)
def test_an_unreadable_answer_is_a_typed_failure(body: httpx.Response) -> None:
    from smmkit.exceptions import APIError

    sandbox = SandboxPlatform(clock=SimulatedClock())
    client = Client(
        SandboxAdapter(credentials=sandbox.credentials()),
        http_client=httpx.Client(transport=httpx.MockTransport(_token_or(body))),
        clock=sandbox.clock,
    )
    result = client.publish(sandbox.sample_post("hi"))
    assert not result.ok and result.error is not None
    assert result.error.error_type == "APIError"
    assert "unexpected form" in result.error.message
    assert result.error.outcome_unknown  # the platform said yes: the post may be live
    assert "maintenance" not in result.error.message
    err = result.exception
    assert isinstance(err, APIError) and err.__cause__ is None and err.__context__ is None


class _Broken:
    """A third-party client whose adapter has a bug: it raises a non-smmkit error."""

    def __init__(self, adapter: Any) -> None:
        self.adapter = adapter

    def publish(self, post: PlatformPost, *, dry_run: bool = False) -> Any:
        raise RuntimeError("bug in a plugin, quoting https://x.example/?token=SECRET")

    async def apublish(self, post: PlatformPost, *, dry_run: bool = False) -> Any:
        raise RuntimeError("bug in a plugin, quoting https://x.example/?token=SECRET")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_foreign_exception_fails_one_result_not_the_batch(kind: str) -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    piece = ContentPiece(id="p1", body="Cold brew at three.")
    broken: Any = _Broken(sandbox.adapter())
    if kind == "sync":
        with sandbox.client() as good:
            batch = Publisher({"sandbox": good, "plugin": broken}, adapt=verbatim).publish_many(
                piece
            )
    else:
        broken.publish = broken.apublish

        async def run() -> Any:
            async with sandbox.async_client() as good:
                publisher = AsyncPublisher({"sandbox": good, "plugin": broken}, adapt=verbatim)
                return await publisher.publish_many(piece)

        batch = asyncio.run(run())
    assert batch.summary() == {"total": 2, "published": 1, "failed": 1, "dry_run": 0}
    failed = batch.failed[0]
    assert failed.platform == "plugin" and failed.error is not None
    assert failed.error.message == "unexpected RuntimeError"  # its text is not ours to dump
    assert "SECRET" not in failed.model_dump_json()
    with pytest.raises(RuntimeError):
        failed.raise_for_error()


# -- posts sent as several requests: what went live before a failure is reported ---------


def test_a_thread_that_fails_midway_reports_the_statuses_already_live() -> None:
    import json

    from smmkit.platforms.mastodon import MastodonAdapter

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if "in_reply_to_id" not in body:
            return httpx.Response(200, json={"id": "111", "created_at": "2026-01-01T00:00:00Z"})
        return httpx.Response(422, json={"error": "Validation failed: Text character limit"})

    client = Client(
        MastodonAdapter(base_url="https://social.example", access_token="t"),
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        clock=SimulatedClock(),
    )
    post = PlatformPost(platform="mastodon", piece_id="t", body="a", parts=("one", "two"))
    result = client.publish(post)
    assert not result.ok and result.error is not None
    assert result.error.error_type == "BadRequestError"
    assert result.error.delivered == ("111",)  # live: recall it or report it


def test_wecom_text_then_image_reports_the_text_when_the_image_fails() -> None:
    import json

    from smmkit.platforms import Credentials
    from smmkit.platforms.wecom import WeComAdapter

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "media.example":  # the image, downloaded by the driver
            return httpx.Response(200, content=b"hello world")
        if request.url.path == "/cgi-bin/gettoken":
            return httpx.Response(
                200, json={"errcode": 0, "access_token": "AT", "expires_in": 7200}
            )
        if request.url.path == "/cgi-bin/media/upload":
            return httpx.Response(200, json={"errcode": 0, "media_id": "M1"})
        if json.loads(request.content)["msgtype"] == "text":
            return httpx.Response(200, json={"errcode": 0, "msgid": "msg-1"})
        return httpx.Response(200, json={"errcode": 40008, "errmsg": "invalid message type"})

    adapter = WeComAdapter(
        credentials=Credentials(client_id="ww1", client_secret="s"), agent_id=1, to_users=("z",)
    )
    client = Client(
        adapter,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        clock=SimulatedClock(),
    )
    image = MediaAsset(kind="image", url="https://media.example/hello.png")
    result = client.publish(
        PlatformPost(platform="wecom", piece_id="p", body="新品", media=(image,))
    )
    assert not result.ok and result.error is not None
    assert result.error.delivered == ("msg-1",)
