"""YouTube adapter: resumable uploads, read-back, quota units, comments, both drivers.

The fake (``youtube_fake.FakeYouTube``) follows Google's reference pages and the
resumable upload guide; it counts the bytes that reach it and the quota units it would
charge, independently of the client.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import YouTubeExtras, extras_model_for
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
from smmkit.platforms.youtube import (
    DEFAULT_LIMITS,
    QuotaTracker,
    YouTubeAdapter,
    YouTubeQuotaError,
)
from smmkit.testing import (
    SENTINEL_SECRET,
    AdapterConformance,
    FaultInjectingTransport,
    client_for,
    drive,
)

from .youtube_fake import GRANULE, FakeYouTube, google_error

# The entry point `youtube = "smmkit.platforms.youtube:YouTubeAdapter"` is not installed
# in this environment: register the adapter the way the entry point would.
register_platform("youtube", "smmkit.platforms.youtube:YouTubeAdapter", clobber=True)

MP4 = "https://media.example/brew.mp4"
VIDEO = bytes(range(256)) * (700 * 4)  # 700 KiB: three chunks of 256 KiB
MEDIA = InMemoryMediaLoader({MP4: VIDEO})
CLIP = MediaAsset(kind="video", url=MP4, duration_seconds=42)
DAY = datetime(2026, 3, 2, 20, tzinfo=timezone.utc)


def post(title: str = "Cold brew in 3 minutes", **fields: Any) -> PlatformPost:
    fields.setdefault("media", (CLIP,))
    return PlatformPost(
        platform="youtube", piece_id="p1", title=title, body="How we brew at the office.",
        **fields,
    )  # fmt: skip


def adapter(server: FakeYouTube, **options: Any) -> YouTubeAdapter:
    options.setdefault("access_token", server.token)
    options.setdefault("media_loader", MEDIA)
    options.setdefault("chunk_bytes", GRANULE)
    return YouTubeAdapter(**options)


def make_client(kind: str, server: FakeYouTube, **options: Any) -> Any:
    chosen = options.pop("adapter", None) or adapter(server)
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, chosen, server, **options)


@pytest.fixture
def server() -> FakeYouTube:
    clock = SimulatedClock()
    clock.advance(DAY.timestamp() - clock.time())
    return FakeYouTube(clock=clock)


# -- the conformance suite and registration ------------------------------------------


class TestYouTubeConformance(AdapterConformance, adapter=YouTubeAdapter, platform=FakeYouTube):
    def make_adapter(self) -> YouTubeAdapter:
        return YouTubeAdapter(access_token=SENTINEL_SECRET, media_loader=MEDIA, chunk_bytes=GRANULE)

    def sample_post(self) -> PlatformPost:
        return post()


def test_registered_with_its_extras() -> None:
    assert "youtube" in available_platforms()
    assert get_platform("youtube") is YouTubeAdapter
    assert extras_model_for("youtube") is YouTubeExtras


# -- publishing ---------------------------------------------------------------------


def test_upload_sends_metadata_and_chunks_and_returns_the_video(
    kind: str, server: FakeYouTube
) -> None:
    extras = {"privacy_status": "unlisted", "category_id": "22", "tags": ["tea", "cold brew"],
              "made_for_kids": False, "contains_synthetic_media": False,
              "notify_subscribers": False, "default_language": "en", "embeddable": True,
              "license": "creativeCommon"}  # fmt: skip
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(extras=extras)))
    assert result.ok, result.error
    (video_id,) = server.live
    video = server.videos[video_id]
    assert result.receipt.post_id == video_id
    assert result.receipt.url == f"https://www.youtube.com/watch?v={video_id}"
    assert result.receipt.platform_ids == {"privacy_status": "unlisted"}
    snippet, status = video["snippet"], video["status"]
    assert (snippet["title"], snippet["categoryId"]) == ("Cold brew in 3 minutes", "22")
    assert snippet["tags"][:2] == ["tea", "cold brew"]
    assert snippet["tags"][2].startswith("smmkit-")  # the content key the read-back finds
    assert status["privacyStatus"] == "unlisted" and status["selfDeclaredMadeForKids"] is False
    assert server.contents[video_id] == VIDEO
    assert server.chunk_puts == 3 and server.bytes_received == len(VIDEO)
    assert server.inserts == 1


def test_broken_connection_mid_chunk_resumes_from_the_servers_offset(
    kind: str, server: FakeYouTube
) -> None:
    server.break_chunks = {2: 100_000}  # the second chunk breaks after 100,000 bytes
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    (video_id,) = server.live
    assert server.contents[video_id] == VIDEO
    # every byte reached the server exactly once: the rest went from its offset on
    assert server.bytes_received == len(VIDEO)
    assert ("PUT", "/upload/youtube/v3/videos") in server.seen
    assert server.inserts == 1


def test_several_breaks_in_a_row_still_upload_once(kind: str, server: FakeYouTube) -> None:
    server.break_chunks = {1: 1, 2: 0, 3: 262_143, 5: 5}
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.contents[server.live[0]] == VIDEO and server.bytes_received == len(VIDEO)


def test_lost_answer_to_the_last_chunk_is_read_from_the_session(
    kind: str, server: FakeYouTube
) -> None:
    server.lose_final_answer = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.live) == 1 and server.inserts == 1
    assert result.receipt.post_id == server.live[0]


def test_lost_answers_injected_by_the_transport_never_upload_twice(
    kind: str, server: FakeYouTube
) -> None:
    # request 0 starts the session, 1-3 are the chunks: the last one reaches the server
    # and its answer is lost, then a chunk's connection is reset before it arrives
    for faults in ([None, None, None, "timeout"], [None, None, "connection_reset"]):
        fresh = FakeYouTube(clock=server.clock)
        transport = FaultInjectingTransport(fresh, faults, after_commit=True)
        client = client_for(
            kind, adapter(fresh), transport, clock=fresh.clock, token_store=InMemoryTokenStore()
        )
        result = drive(kind, client, lambda c: c.publish(post()))
        assert result.ok, result.error
        assert len(fresh.live) == 1 and fresh.inserts == 1
        assert fresh.contents[fresh.live[0]] == VIDEO


def test_unreachable_session_then_a_retry_never_uploads_twice(
    kind: str, server: FakeYouTube
) -> None:
    server.lose_final_answer = 1
    server.fail_status_queries = 1000  # the session cannot be asked for a while
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=3))
    first = drive(kind, client, lambda c: c.publish(post()))
    assert not first.ok and first.error.outcome_unknown  # the video may be out
    assert len(server.live) == 1  # it is: counted on the server
    server.fail_status_queries = 0
    second = drive(kind, client, lambda c: c.publish(post()))
    assert second.ok, second.error
    assert second.receipt.post_id == server.live[0]
    assert len(server.live) == 1 and server.inserts == 1


def test_a_new_process_finds_the_video_by_its_content_key(kind: str, server: FakeYouTube) -> None:
    first = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    fresh = adapter(server, read_back_first=True)  # no memory of the first session
    again = drive(kind, make_client(kind, server, adapter=fresh), lambda c: c.publish(post()))
    assert again.ok and again.receipt.post_id == first.receipt.post_id
    assert len(server.live) == 1 and server.inserts == 1


def test_read_back_without_marker_matches_title_and_description(server: FakeYouTube) -> None:
    client = make_client("sync", server, adapter=adapter(server, mark_uploads=False))
    first = client.publish(post())
    assert "tags" not in server.videos[first.receipt.post_id]["snippet"]
    found = client.run(client.adapter.find_published(post(), idempotency_key="other"))
    assert found is not None and found.post_id == first.receipt.post_id
    assert client.run(client.adapter.find_published(post(title="Another"))) is None


def test_expired_session_reads_back_then_uploads_anew(kind: str, server: FakeYouTube) -> None:
    server.break_chunks = {2: 10}
    server.expire_on_break = True  # the status query after the break answers 404
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert ("GET", "/youtube/v3/playlistItems") in server.seen  # looked before re-uploading
    assert server.inserts == 2 and len(server.live) == 1
    assert server.contents[server.live[0]] == VIDEO


def test_scheduled_video_is_pending_until_publish_at(kind: str, server: FakeYouTube) -> None:
    at = DAY + timedelta(days=2)
    result = drive(
        kind, make_client(kind, server), lambda c: c.publish(post(extras={"publish_at": at}))
    )
    assert result.scheduled and not result.ok and result.receipt.status.value == "pending"
    assert result.receipt.scheduled_at == at
    status = server.videos[server.live[0]]["status"]
    assert status["privacyStatus"] == "private" and status["publishAt"] == "2026-03-04T20:00:00Z"


def test_unaudited_project_uploads_stay_private_and_the_receipt_says_so(
    server: FakeYouTube,
) -> None:
    server.audited = False
    result = make_client("sync", server).publish(post(extras={"privacy_status": "public"}))
    assert result.ok and result.receipt.platform_ids["privacy_status"] == "private"
    assert "audit" in (result.receipt.detail or "")


def test_playlist_is_added_once_and_a_failure_keeps_the_video(server: FakeYouTube) -> None:
    client = make_client("sync", server)
    result = client.publish(post(extras={"playlist_id": "PLtea"}))
    assert result.ok and result.receipt.platform_ids["playlist_item_id"]
    assert [v for _, v in server.playlists["PLtea"]] == [result.receipt.post_id]
    missing = client.publish(post(title="Other", extras={"playlist_id": "PLgone"}))
    assert missing.ok and "not added to playlist PLgone" in (missing.receipt.detail or "")
    assert len(server.live) == 2


def test_refused_before_sending(server: FakeYouTube) -> None:
    yt = adapter(server)
    with pytest.raises(InvalidInputError, match="media"):
        next(yt.publish(post(media=())))
    with pytest.raises(InvalidInputError, match="title"):
        next(yt.publish(post(title="")))
    with pytest.raises(InvalidInputError, match="title"):
        next(yt.publish(post(title="<b>")))
    with pytest.raises(InvalidInputError, match=r"extras\.privacy_status"):
        next(yt.publish(post(extras={"privacy_status": "public", "publish_at": DAY})))
    with pytest.raises(InvalidInputError, match="tags"):
        next(yt.publish(post(extras={"tags": ["t" * 490, "x" * 20]})))
    with pytest.raises(InvalidInputError, match="chunk_bytes"):
        YouTubeAdapter(access_token="t", chunk_bytes=1000)
    with pytest.raises(InvalidInputError, match="privacy_status"):
        post(extras={"privacy_status": "friends"})
    assert server.seen == []


def test_dry_run_uses_the_catalog_limits(server: FakeYouTube) -> None:
    client = make_client("sync", server)
    text_only = client.publish(post(media=()), dry_run=True)
    assert any("media" in p for p in text_only.problems)
    long_title = client.publish(post(title="t" * 101), dry_run=True)
    assert any(p.startswith("title") for p in long_title.problems)
    assert client.publish(post(), dry_run=True).problems == ()
    assert server.seen == []


def test_sandbox_stands_in_for_youtube() -> None:
    sandbox = SandboxPlatform(spec="youtube", clock=SimulatedClock())
    video = MediaAsset(kind="video", url="https://cdn.example/v.mp4", duration_seconds=30)
    with sandbox.client() as client:
        result = client.publish(post(media=(video,)))
    assert result.ok, result.error
    assert sandbox.published_count == 1


# -- quota ---------------------------------------------------------------------------


def test_quota_units_are_counted_like_the_server_counts_them(
    kind: str, server: FakeYouTube
) -> None:
    tracker = QuotaTracker()
    client = make_client(kind, server, adapter=adapter(server, quota=tracker))
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    thread = server.add_thread(receipt.post_id, "Lovely", replies=7)
    drive(kind, client, lambda c: c.metrics(receipt.post_id))  # videos.list: 1
    drive(kind, client, lambda c: c.comments(receipt.post_id))  # threads 1 + comments 1
    drive(kind, client, lambda c: c.reply(receipt.post_id, thread, "Thanks"))  # 50
    assert tracker.used("videos.insert", now=DAY) == server.inserts == 1
    assert tracker.used("units", now=DAY) == server.units == 1 + 1 + 1 + 50


def test_exhausted_quota_refuses_each_item_and_sends_nothing(server: FakeYouTube) -> None:
    tracker = QuotaTracker(limits={**DEFAULT_LIMITS, "videos.insert": 2})
    client = make_client("sync", server, adapter=adapter(server, quota=tracker))
    posts = [post(title=f"Brew {n}") for n in range(4)]
    assert client.adapter.affordable(posts, now=DAY) == 2
    results = [client.publish(p) for p in posts]
    assert [r.ok for r in results] == [True, True, False, False]
    refused = results[2].exception
    assert isinstance(refused, YouTubeQuotaError) and refused.outcome_unknown is False
    assert refused.retry_after == pytest.approx(12 * 3600)  # to midnight Pacific Time
    assert server.inserts == 2
    # the next Pacific day has a fresh bucket
    assert tracker.remaining("videos.insert", now=DAY + timedelta(hours=12)) == 2


def test_googles_quota_exceeded_marks_the_bucket_spent(kind: str, server: FakeYouTube) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    server.quota_exceeded = True
    with pytest.raises(YouTubeQuotaError) as caught:
        drive(kind, client, lambda c: c.metrics(receipt.post_id))
    assert caught.value.code == "quotaExceeded" and caught.value.retry_after
    seen = len(server.seen)
    with pytest.raises(YouTubeQuotaError):
        drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert len(server.seen) == seen  # refused before sending


def test_quota_state_merges_and_pickles() -> None:
    a, b, c = QuotaTracker(), QuotaTracker(), QuotaTracker()
    a.charge("videos.list", now=DAY)
    b.charge("comments.insert", now=DAY)
    c.charge("videos.insert", now=DAY)
    left = a.merge(b).merge(c)
    right = c.merge(a.merge(b))
    assert left.used("units", now=DAY) == right.used("units", now=DAY) == 51
    assert pickle.loads(pickle.dumps(left)).used("videos.insert", now=DAY) == 1
    with pytest.raises(InvalidInputError):
        a.merge(QuotaTracker(limits={"units": 5}))


# -- errors and tokens ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "reason", "error"),
    [
        (403, "forbidden", PermissionDeniedError),
        (403, "rateLimitExceeded", RateLimitError),
        (404, "videoNotFound", NotFoundError),
        (400, "uploadLimitExceeded", YouTubeQuotaError),
    ],
)
def test_google_errors_are_typed_with_reason_and_request_id(
    status: int, reason: str, error: type[PlatformError]
) -> None:
    def server(request: httpx.Request) -> httpx.Response:
        return google_error(status, reason, "no")

    client = client_for(
        "sync", YouTubeAdapter(access_token="t"), httpx.MockTransport(server),
        retry=RetryPolicy.none(), clock=SimulatedClock(),
    )  # fmt: skip
    with pytest.raises(error) as caught:
        client.delete("vid1")
    assert caught.value.code == reason and caught.value.request_id == "up-err-1"


def test_static_token_refused_is_authentication_error(kind: str, server: FakeYouTube) -> None:
    client = make_client(kind, server, adapter=adapter(server, access_token="revoked"))
    with pytest.raises(AuthenticationError) as caught:
        drive(kind, client, lambda c: c.delete("vid1"))
    assert "revoked" not in str(caught.value)


def test_refresh_token_goes_through_google_oauth(kind: str, server: FakeYouTube) -> None:
    creds = Credentials(client_id="cid", client_secret="cs-secret", refresh_token="1--rt")
    yt = YouTubeAdapter(credentials=creds, media_loader=MEDIA, chunk_bytes=GRANULE)
    result = drive(kind, make_client(kind, server, adapter=yt), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.refreshes == 1


# -- reading and answering ------------------------------------------------------------


def test_metrics_comments_reply_and_delete(kind: str, server: FakeYouTube) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    thread = server.add_thread(receipt.post_id, "Lovely brew", replies=6)
    top = drive(kind, client, lambda c: c.run(c.adapter.comment(receipt.post_id, "Pinned tip")))
    assert top.in_reply_to is None and top.text == "Pinned tip"
    comments = drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert len(comments) == 1 + 6 + 1  # all six replies, not only the five in the thread
    assert {c.in_reply_to for c in comments if c.in_reply_to} == {thread}
    reply_to_reply = next(c for c in comments if c.in_reply_to)
    answer = drive(kind, client, lambda c: c.reply(receipt.post_id, reply_to_reply.id, "Thanks!"))
    assert answer.in_reply_to == thread  # YouTube threads are one level deep
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))}
    assert metrics == {"views": 120, "likeCount": 7, "commentCount": 9, "interactions": 16}
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(receipt.post_id))
    with pytest.raises(InvalidInputError, match="post_id"):
        drive(kind, client, lambda c: c.delete("../channels"))
