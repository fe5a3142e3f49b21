"""Bilibili adapter: signed requests, chunked upload, review, read-back, daily limit.

The fake (``bilibili_fake.FakeBilibili``) checks every signature and counts on its own
side the chunks per part number and the archives submitted.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PublishTimeoutError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.models.extras import BilibiliExtras, extras_model_for
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RetryPolicy,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.bilibili import (
    BilibiliAdapter,
    BilibiliDailyLimitError,
    BilibiliReviewRejectedError,
    SubmissionQuota,
)
from smmkit.testing import (
    SENTINEL_SECRET,
    AdapterConformance,
    FaultInjectingTransport,
    client_for,
    drive,
    run_flow,
)

from .bilibili_fake import TOKEN, FakeBilibili

# The entry point `bilibili = "smmkit.platforms.bilibili:BilibiliAdapter"` is not
# installed in this environment: register the adapter the way the entry point would.
register_platform("bilibili", "smmkit.platforms.bilibili:BilibiliAdapter", clobber=True)

MP4 = "https://media.example/brew.mp4"
PNG = "https://media.example/cover.png"
VIDEO = bytes(range(256)) * 40  # 10240 bytes: three chunks of 4096
CHUNK = 4096
MEDIA = InMemoryMediaLoader({MP4: VIDEO, PNG: b"\x89PNG-cover"})
CLIP = MediaAsset(kind="video", url=MP4, duration_seconds=42)
COVER = MediaAsset(kind="image", url=PNG, mime_type="image/png")
APP = Credentials(client_id="bili-app", client_secret="bili-app-secret")
DAY = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)  # noon in Beijing


def post(body: str = "冷萃茶三分钟教程", **extras: Any) -> PlatformPost:
    extras.setdefault("tid", 21)
    extras.setdefault("tags", ["茶", "冷萃"])
    return PlatformPost(
        platform="bilibili",
        piece_id="p1",
        title="三分钟冷萃",
        body=body,
        media=(CLIP, COVER),
        extras=extras,
    )


def adapter(server: FakeBilibili, **options: Any) -> BilibiliAdapter:
    options.setdefault("credentials", APP)
    options.setdefault("access_token", TOKEN)
    options.setdefault("media_loader", MEDIA)
    options.setdefault("chunk_bytes", CHUNK)
    options.setdefault("clock", server.clock)
    return BilibiliAdapter(**options)


def make_client(kind: str, transport: Any, server: FakeBilibili, **options: Any) -> Any:
    chosen = options.pop("adapter", None) or adapter(server)
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, chosen, transport, **options)


@pytest.fixture
def server() -> FakeBilibili:
    clock = SimulatedClock()
    clock.advance(DAY.timestamp() - clock.time())
    return FakeBilibili(clock=clock, check_time=True)


class TestBilibiliConformance(AdapterConformance, adapter=BilibiliAdapter, platform=FakeBilibili):
    def make_adapter(self) -> BilibiliAdapter:
        return BilibiliAdapter(
            credentials=self.credentials(),
            access_token=TOKEN,
            media_loader=MEDIA,
            chunk_bytes=CHUNK,
        )

    def sample_post(self) -> PlatformPost:
        return post()


def test_registered_with_its_extras() -> None:
    assert "bilibili" in available_platforms()
    assert get_platform("bilibili") is BilibiliAdapter
    assert extras_model_for("bilibili") is BilibiliExtras


# -- publishing ----------------------------------------------------------------------


def test_upload_cover_submit_and_review(kind: str, server: FakeBilibili) -> None:
    result = drive(kind, make_client(kind, server, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    (archive,) = server.live()
    assert result.receipt.post_id == archive.resource_id
    assert result.receipt.status.value == "published"
    assert result.receipt.url.startswith("https://www.bilibili.com/video/BV1fake")
    upload = next(iter(server.uploads.values()))
    assert b"".join(upload.parts[n] for n in sorted(upload.parts)) == VIDEO
    assert sorted(upload.parts) == [1, 2, 3] and upload.completed
    assert archive.body == {
        "title": "三分钟冷萃",
        "tid": 21,
        "tag": "茶,冷萃",
        "desc": "冷萃茶三分钟教程",
        "copyright": 1,
        "no_reprint": 0,
        "cover": "https://archive.biliimg.com/bfs/archive/cover-1.jpg",
    }
    assert server.refused_signatures == 0


def test_lost_chunk_answer_resends_only_that_chunk(kind: str, server: FakeBilibili) -> None:
    # requests: init, part 1, part 2 (answer lost after the server stored it), ...
    faulty = FaultInjectingTransport(server, [None, None, "timeout"], after_commit=True)
    result = drive(kind, make_client(kind, faulty, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    token = next(iter(server.uploads))
    assert server.part_hits == {(token, 1): 1, (token, 2): 2, (token, 3): 1}
    assert len(server.uploads) == 1 and server.submissions == 1


def test_lost_submit_answer_never_posts_twice(kind: str, server: FakeBilibili) -> None:
    # init, 3 parts, complete, cover, submit (applied, answer lost), read-back, review
    faults: list[str | None] = [None] * 6 + ["timeout"]
    faulty = FaultInjectingTransport(server, faults, after_commit=True)
    result = drive(kind, make_client(kind, faulty, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.submissions == 1 and len(server.live()) == 1
    assert result.receipt.post_id == server.live()[0].resource_id


def test_a_later_publish_of_the_same_post_resumes_the_upload(server: FakeBilibili) -> None:
    chosen = adapter(server)
    broken = FaultInjectingTransport(server, [None, None, "connect_error"], repeat=False)
    first = drive(
        "sync",
        make_client("sync", broken, server, adapter=chosen, retry=RetryPolicy.none()),
        lambda c: c.publish(post()),
    )
    assert not first.ok and server.submissions == 0
    second = drive(
        "sync", make_client("sync", server, server, adapter=chosen), lambda c: c.publish(post())
    )
    assert second.ok, second.error
    token = next(iter(server.uploads))
    assert len(server.uploads) == 1  # one init: the upload went on, not over
    assert server.part_hits == {(token, 1): 1, (token, 2): 1, (token, 3): 1}
    assert server.submissions == 1


def test_rejected_review_is_a_typed_error_with_the_reason(kind: str) -> None:
    server = FakeBilibili(reject_reason="视频内容与分区不符")
    result = drive(kind, make_client(kind, server, server), lambda c: c.publish(post()))
    assert not result.ok
    assert isinstance(result.exception, BilibiliReviewRejectedError)
    assert "视频内容与分区不符" in str(result.exception) and result.exception.code == -2


def test_review_past_the_deadline_is_a_timeout(kind: str) -> None:
    server = FakeBilibili(review_polls=10_000)
    result = drive(
        kind, make_client(kind, server, server), lambda c: c.publish(post(), deadline=120)
    )
    assert isinstance(result.exception, PublishTimeoutError)
    assert server.submissions == 1


def test_daily_limit_refuses_per_item_and_sends_nothing(kind: str, server: FakeBilibili) -> None:
    chosen = adapter(server, quota=SubmissionQuota(daily_limit=1))
    client = make_client(kind, server, server, adapter=chosen)
    first = drive(kind, client, lambda c: c.publish(post()))
    second = drive(kind, client, lambda c: c.publish(post("另一个视频")))
    assert first.ok and not second.ok
    assert isinstance(second.exception, BilibiliDailyLimitError)
    assert second.exception.outcome_unknown is False
    assert 0 < (second.exception.retry_after or 0) <= 86400
    assert server.submissions == 1 and len(server.uploads) == 1


def test_quota_merges_and_pickles() -> None:
    a, b = SubmissionQuota(), SubmissionQuota()
    a.charge(now=DAY)
    b.charge(now=DAY)
    merged = pickle.loads(pickle.dumps(a.merge(b)))
    assert merged.used(now=DAY) == 2 and merged.remaining(now=DAY) == 3
    assert a.merge(b).used(now=DAY) == b.merge(a).used(now=DAY)
    with pytest.raises(InvalidInputError):
        a.merge(SubmissionQuota(daily_limit=None))


def test_dry_run_sends_nothing(kind: str, server: FakeBilibili) -> None:
    result = drive(
        kind, make_client(kind, server, server), lambda c: c.publish(post(), dry_run=True)
    )
    assert result.dry_run and result.problems == ()
    assert server.nonces == set()


@pytest.mark.parametrize(
    ("extras", "field"),
    [
        ({"tid": None}, "extras.tid"),
        ({"tags": []}, "extras.tags"),
        ({"tags": ["a,b"]}, "extras.tags"),
    ],
)
def test_missing_archive_fields_are_named(extras: dict[str, Any], field: str) -> None:
    server = FakeBilibili()
    with pytest.raises(InvalidInputError) as caught:
        next(adapter(server).publish(post(**extras), idempotency_key="k"))
    assert caught.value.fields == (field,)


# -- errors, signatures --------------------------------------------------------------


def _error(body: dict[str, Any], **options: Any) -> Any:
    request = httpx.Request("GET", "https://member.bilibili.com/arcopen/fn/archive/view")
    response = httpx.Response(200, json=body, request=request)
    return adapter(FakeBilibili(), **options).parse_error(response), response


def test_codes_map_to_typed_errors() -> None:
    info, _ = _error(
        {"code": -101, "message": "账号未登录", "ttl": 1}, access_token=None, credentials=APP
    )
    assert info.kind is TokenExpiredError
    info, _ = _error({"code": -101, "message": "账号未登录", "ttl": 1})
    assert info.kind is AuthenticationError
    for code, kind in (
        (-412, RateLimitError),
        (-799, RateLimitError),
        (127007, PermissionDeniedError),
        (127124, NotFoundError),
    ):
        info, _ = _error({"code": code, "message": "x", "ttl": 1})
        assert info.kind is kind and info.code == code


def test_errors_carry_code_and_request_id(kind: str, server: FakeBilibili) -> None:
    client = make_client(kind, server, server)
    with pytest.raises(NotFoundError) as caught:
        drive(kind, client, lambda c: c.run(c.adapter.metrics("BV1missing")))
    assert caught.value.code == 127124
    assert caught.value.request_id and caught.value.request_id.startswith("rid-")


def test_every_attempt_is_signed_afresh(server: FakeBilibili) -> None:
    faulty = FaultInjectingTransport(server, ["server_error"])
    client = make_client("sync", faulty, server)
    drive("sync", client, lambda c: c.publish(post()))
    assert server.refused_signatures == 0  # a resent request did not replay its nonce


def test_a_wrong_app_secret_is_refused(kind: str, server: FakeBilibili) -> None:
    wrong = Credentials(client_id="bili-app", client_secret=SENTINEL_SECRET)
    client = make_client(kind, server, server, adapter=adapter(server, credentials=wrong))
    result = drive(kind, client, lambda c: c.publish(post()))
    assert isinstance(result.exception, AuthenticationError)
    assert result.exception.code == 127012


# -- delete, metrics -------------------------------------------------------------------


def test_delete_twice_and_metrics(kind: str, server: FakeBilibili) -> None:
    client = make_client(kind, server, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    metrics = drive(kind, client, lambda c: c.run(c.adapter.metrics(receipt.post_id)))
    counts = {m.metric: m.value for m in metrics}
    assert counts["views"] == 198 and counts["danmaku"] == 166
    assert counts["interactions"] == 135 + 8 + 36 + 79 + 11 + 166
    for _ in range(2):
        drive(kind, client, lambda c: c.run(c.adapter.delete(receipt.post_id)))
    assert server.live() == []


def test_flows_step_without_a_transport(server: FakeBilibili) -> None:
    ok = httpx.Response(200, json={"code": 0, "message": "0", "ttl": 1})
    assert run_flow(adapter(server).delete("BV1none"), lambda request: ok) is None
    client = make_client("sync", server, server)
    with pytest.raises(NotFoundError):
        drive("sync", client, lambda c: c.run(c.adapter.archive("BV1x")))
