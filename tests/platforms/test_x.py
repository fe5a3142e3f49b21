"""X adapter: the fake in ``x_fake`` (built from docs.x.com and the OpenAPI document), both
drivers. What matters is counted on the fake server's side: a lost answer never posts
twice and never loses a post."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from tests.platforms.x_fake import BASE, ME, MEDIA, MP4, PNG, FakeX

from smmkit.exceptions import (
    AuthenticationError,
    DuplicateContentError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
)
from smmkit.models import MediaAsset, PlatformPost, XExtras
from smmkit.platforms import (
    InMemoryTokenStore,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.x import XAdapter
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, client_for, drive, run_flow

register_platform("x", "smmkit.platforms.x:XAdapter", clobber=True)


def make_client(kind: str, server: FakeX, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or XAdapter(
        access_token=server.token, media_loader=MEDIA, chunk_bytes=256
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeX:
    return FakeX(clock=SimulatedClock())


def post(body: str = "Cold brew at three.", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="x", piece_id="p1", body=body, **fields)


# -- the conformance suite and the registry ------------------------------------------


class TestXConformance(AdapterConformance, adapter=XAdapter, platform=FakeX):
    def make_adapter(self) -> XAdapter:
        return XAdapter(access_token=SENTINEL_SECRET)


def test_x_is_registered_with_its_extras() -> None:
    assert "x" in available_platforms()
    assert get_platform("x") is XAdapter
    extras = PlatformPost(platform="x", piece_id="p", body="hi", extras={"quote_tweet_id": "12"})
    assert type(extras.extras) is XExtras
    with pytest.raises(InvalidInputError, match=r"extras\.reply_settings"):
        post(extras={"reply_settings": "friends"})


# -- publishing ---------------------------------------------------------------------


def test_publish_returns_the_post_with_its_link(kind: str, server: FakeX) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert [p["id"] for p in server.live] == [result.receipt.post_id]
    assert result.receipt.url == f"https://x.com/i/web/status/{result.receipt.post_id}"
    assert result.receipt.published_at == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_thread_parts_are_chained_replies(kind: str, server: FakeX) -> None:
    thread = post(body="1/3", parts=("1/3 tea", "2/3 water", "3/3 wait"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    first, second, third = server.live
    assert result.receipt.post_id == first["id"]
    assert (second["replied_to"], third["replied_to"]) == (first["id"], second["id"])
    assert result.receipt.platform_ids["thread"] == ",".join(p["id"] for p in server.live)


def test_extras_go_on_the_first_post(kind: str, server: FakeX) -> None:
    quoted = server.add_post("quote me")
    extras = XExtras(reply_settings="following", quote_tweet_id=quoted, made_with_ai=True)
    thread = post(body="a", parts=("a", "b"), extras=extras)
    sent: list[dict[str, Any]] = []

    def keep(request: httpx.Request) -> None:
        if request.method == "POST":
            sent.append(json.loads(request.content))

    server.hook = keep
    drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    assert sent[0]["quote_tweet_id"] == quoted and "quote_tweet_id" not in sent[1]
    assert sent[1]["reply_settings"] == "following" and sent[0]["made_with_ai"] is True


@pytest.mark.parametrize("lost", [1, 2])
def test_lost_answer_reads_back_and_never_posts_twice(kind: str, server: FakeX, lost: int) -> None:
    server.lose[("POST", "/2/tweets")] = lost
    result = drive(
        kind, make_client(kind, server), lambda c: c.publish(post("Tea & https://tea.example/x"))
    )
    assert result.ok, result.error
    assert server.creates == 1 and len(server.live) == 1
    assert result.receipt.post_id == server.live[0]["id"]
    assert ("GET", f"/2/users/{ME}/tweets") in server.seen


def test_lost_answer_in_a_thread_completes_it_once(kind: str, server: FakeX) -> None:
    # The second part's answer is lost: the read-back finds parts one and two and posts
    # only the third.
    server.lose[("POST", "/2/tweets")] = 0
    thread = post(body="1/3", parts=("1/3 tea", "2/3 water", "3/3 wait"))
    calls = {"n": 0}

    def lose_second(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == "/2/tweets":
            calls["n"] += 1
            if calls["n"] == 2:
                server.lose[("POST", "/2/tweets")] = 1

    server.hook = lose_second
    result = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    assert result.ok, result.error
    assert server.creates == 3
    texts = [p["sent"] for p in server.live]
    assert texts == ["1/3 tea", "2/3 water", "3/3 wait"]


def test_a_true_duplicate_is_reported_not_hidden(kind: str, server: FakeX) -> None:
    client = make_client(kind, server)
    assert drive(kind, client, lambda c: c.publish(post())).ok
    again = drive(kind, client, lambda c: c.publish(post()))
    assert not again.ok and again.error.error_type == "DuplicateContentError"
    assert isinstance(again.exception, DuplicateContentError)
    assert again.exception.code == "Forbidden"
    assert (again.exception.request_id or "").startswith("tx-")
    assert server.creates == 1


def test_media_upload_is_chunked_and_waits_for_processing(kind: str, server: FakeX) -> None:
    video = MediaAsset(kind="video", url=MP4, alt_text="pouring tea")
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(video,))))
    assert result.ok, result.error
    (media_id,) = server.live[0]["media"]
    entry = server.media[media_id]
    assert len(entry["segments"]) == 2  # 480 bytes in 256-byte chunks
    assert entry["alt_text"] == "pouring tea"
    polls = [s for s in server.seen if s == ("GET", "/2/media/upload")]
    assert len(polls) == server.processing_polls
    assert server.clock.slept >= server.processing_polls


@pytest.mark.parametrize(
    "step",
    ["/2/media/upload/initialize", "/append", "/finalize", "/2/media/upload"],
)
def test_lost_answer_during_upload_never_posts_twice(kind: str, server: FakeX, step: str) -> None:
    method = "GET" if step == "/2/media/upload" else "POST"
    original = server.answer

    def losing(request: httpx.Request) -> httpx.Response:
        if (
            request.method == method
            and (request.url.path == step or request.url.path.endswith(step))
            and not server.lose.get(("done", step))
        ):
            server.lose[("done", step)] = 1
            original(request)
            raise httpx.ReadTimeout("applied, then lost", request=request)
        return original(request)

    server.answer = losing  # type: ignore[method-assign]
    video = MediaAsset(kind="video", url=MP4)
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(video,))))
    assert result.ok, result.error
    assert server.creates == 1 and len(server.live) == 1
    assert server.live[0]["media"] and server.media[server.live[0]["media"][0]]["ready"]


def test_processing_past_the_deadline_fails_without_posting(kind: str, server: FakeX) -> None:
    server.processing_polls = 10_000
    client = make_client(kind, server, publish_deadline=30)
    result = drive(
        kind, client, lambda c: c.publish(post(media=(MediaAsset(kind="video", url=MP4),)))
    )
    assert not result.ok and result.error.error_type == "PublishTimeoutError"
    assert server.live == []


def test_failed_processing_is_reported(kind: str, server: FakeX) -> None:
    original = server._media_view

    def failing(media_id: str) -> dict[str, Any]:
        server.media[media_id]["fail"] = True
        return original(media_id)

    server._media_view = failing  # type: ignore[method-assign]
    result = drive(
        kind,
        make_client(kind, server),
        lambda c: c.publish(post(media=(MediaAsset(kind="video", url=MP4),))),
    )
    assert not result.ok and "bad codec" in str(result.exception)
    assert server.live == []


# -- rate limits and tokens ----------------------------------------------------------


def test_429_waits_for_the_reset_x_names(kind: str, server: FakeX) -> None:
    server.throttle_next = 1
    before = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.clock.time() - before == pytest.approx(30, abs=1)


def test_429_on_the_daily_cap_waits_for_the_daily_reset(kind: str, server: FakeX) -> None:
    server.throttle_next, server.throttle_day = 1, True
    before = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.clock.time() - before == pytest.approx(50, abs=1)


def test_an_empty_window_is_not_sent_to(kind: str, server: FakeX) -> None:
    server.remaining["post_create"] = 0
    client = make_client(kind, server)
    assert drive(kind, client, lambda c: c.publish(post("first"))).ok
    state = client.adapter.rate_limits["post_create"]
    assert (state.limit, state.remaining) == (100, 0)
    second = drive(kind, client, lambda c: c.publish(post("second")))
    assert not second.ok and isinstance(second.exception, RateLimitError)
    assert second.exception.retry_after == pytest.approx(900, abs=1)
    assert second.error.outcome_unknown is False and server.creates == 1


def test_rejected_static_token_is_an_authentication_error(kind: str, server: FakeX) -> None:
    client = make_client(kind, server, adapter=XAdapter(access_token="revoked"))
    with pytest.raises(AuthenticationError) as caught:
        drive(kind, client, lambda c: c.delete("1"))
    assert "revoked" not in str(caught.value)
    assert caught.value.request_id is not None


def test_refresh_token_is_used_through_the_token_store(kind: str, server: FakeX) -> None:
    pytest.importorskip("smmkit.platforms.oauth")
    from smmkit.platforms import Credentials, oauth

    if not hasattr(oauth, "X"):
        pytest.skip("smmkit.platforms.oauth does not define the X provider yet")
    creds = Credentials(client_id="app", client_secret="s3cret", refresh_token="refresh-1")
    store = InMemoryTokenStore()
    adapter = XAdapter(credentials=creds, media_loader=MEDIA)
    client = make_client(kind, server, adapter=adapter, token_store=store)
    assert drive(kind, client, lambda c: c.publish(post("one"))).ok
    server.expire_tokens()
    assert drive(kind, client, lambda c: c.publish(post("two"))).ok
    assert server.refreshes == 2 and len(server.live) == 2
    stored = store.get("x:default")
    assert stored is not None and stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == server.refresh_token


def test_without_token_or_refresh_token_nothing_is_sent(kind: str, server: FakeX) -> None:
    from smmkit.platforms import Credentials

    adapter = XAdapter(credentials=Credentials(client_id="a", client_secret="s"))
    result = drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.publish(post()))
    assert not result.ok and "offline.access" in str(result.exception)
    assert server.seen == []


# -- reading and answering -----------------------------------------------------------


def test_metrics_comments_mentions_reply_and_delete(kind: str, server: FakeX) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    fan = server.add_post("@tea love it", reply_to=receipt.post_id)
    server.add_post("hello @tea")
    reply = drive(kind, client, lambda c: c.reply(receipt.post_id, fan, "Thanks!"))
    assert reply.in_reply_to == fan
    comments = drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert [(c.id, c.author_id, c.in_reply_to) for c in comments] == [
        (fan, "777", receipt.post_id),
        (reply.id, ME, fan),
    ]
    mentions = drive(kind, client, lambda c: c.run(c.adapter.mentions()))
    assert [m.text for m in mentions] == ["@tea love it", "hello @tea"]
    newer = drive(kind, client, lambda c: c.run(c.adapter.mentions(since_id=mentions[0].id)))
    assert [m.text for m in newer] == ["hello @tea"]
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))}
    assert metrics == {
        "like_count": 5,
        "retweet_count": 2,
        "reply_count": 1,
        "quote_count": 1,
        "bookmark_count": 0,
        "impressions": 300,
        "interactions": 9,
    }
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(receipt.post_id))


def test_non_public_metrics_only_for_posts_under_30_days(kind: str, server: FakeX) -> None:
    adapter = XAdapter(access_token=server.token, non_public_metrics=True)
    client = make_client(kind, server, adapter=adapter)
    young = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    fields: list[str] = []
    server.hook = lambda r: fields.append(r.url.params.get("post.fields", ""))
    numbers = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(young))}
    assert numbers["clicks"] == 4 and "non_public_metrics" in fields[-1]
    server.clock.advance(31 * 86400)
    numbers = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(young))}
    assert "clicks" not in numbers and fields[-1] == "created_at,public_metrics"


def test_field_selection_uses_the_specs_post_fields() -> None:
    adapter = XAdapter(access_token="t", user_id=ME)
    request = next(adapter.metrics("1346889436626259968"))
    assert isinstance(request, httpx.Request)
    assert dict(request.url.params) == {"post.fields": "created_at,public_metrics"}
    assert "tweet.fields" not in str(request.url)


def test_bad_input_is_refused_before_sending() -> None:
    adapter = XAdapter(access_token="t")
    with pytest.raises(InvalidInputError, match=r"media\.mime_type"):
        next(
            adapter.upload_media(
                MediaAsset(kind="image", url="https://cdn.example/a.svg", mime_type="image/svg+xml")
            )
        )
    with pytest.raises(InvalidInputError, match=r"extras\.media_ids"):
        next(adapter.publish(post(extras={"media_ids": ["a", "b"]})))
    with pytest.raises(InvalidInputError, match="max_results"):
        next(adapter.mentions(max_results=500))
    with pytest.raises(InvalidInputError, match="user_id"):
        XAdapter(access_token="t", user_id="@tea")


def test_run_flow_steps_a_publish_by_hand() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"data": {"id": "1346889436626259968", "text": "hi"}})

    receipt = run_flow(XAdapter(access_token="t").publish(post("hi")), answer)
    assert receipt.post_id == "1346889436626259968"


def test_sandbox_still_stands_in_for_x() -> None:
    from smmkit.platforms import SandboxPlatform

    sandbox = SandboxPlatform(spec="x", clock=SimulatedClock())
    with sandbox.client(read_back=True) as client:
        assert client.publish(sandbox.sample_post("Cold brew")).ok
        dry = client.publish(sandbox.sample_post("a" * 300), dry_run=True)
    assert dry.problems == ("body: 300 weighted > 280",)
    assert XAdapter.default_base_url == BASE
    assert PNG.endswith(".png")


def test_dry_run_checks_limits_and_sends_nothing(kind: str, server: FakeX) -> None:
    client = make_client(kind, server)
    too_long = drive(kind, client, lambda c: c.publish(post("a" * 300), dry_run=True))
    five = tuple(MediaAsset(kind="image", url=PNG) for _ in range(5))
    too_many = drive(kind, client, lambda c: c.publish(post(media=five), dry_run=True))
    assert too_long.problems == ("body: 300 weighted > 280",)
    assert too_many.problems == ("media: 5 items > 4",)
    assert server.seen == []
