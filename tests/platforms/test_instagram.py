"""Instagram adapter against the fake Graph API in ``meta_fake``, on both drivers.

Containers, status polling with a deadline, carousels, the publishing limit and
exactly-once publishing, all counted on the fake server's side.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.platforms.meta_fake import (
    APP_ID,
    APP_SECRET,
    IG_USER,
    LONG_USER_TOKEN,
    MP4,
    PNG,
    USER_TOKEN,
    FakeGraph,
)

from smmkit.exceptions import InvalidInputError, NotFoundError
from smmkit.models import InstagramExtras, MediaAsset, PlatformPost
from smmkit.platforms import (
    Credentials,
    InMemoryTokenStore,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms.instagram import InstagramAdapter
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, client_for, drive

register_platform("instagram", "smmkit.platforms.instagram:InstagramAdapter", clobber=True)

PHOTO = MediaAsset(kind="image", url=PNG, alt_text="a cup of cold brew")
CLIP = MediaAsset(kind="video", url=MP4)


def make_client(kind: str, server: FakeGraph, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or InstagramAdapter(
        ig_user_id=IG_USER, access_token=server.page_token
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeGraph:
    return FakeGraph(clock=SimulatedClock())


def post(
    body: str = "Cold brew at three.", media: tuple[MediaAsset, ...] = (PHOTO,), **fields: Any
) -> PlatformPost:
    return PlatformPost(platform="instagram", piece_id="p1", body=body, media=media, **fields)


# -- the conformance suite and the registry ----------------------------------------------


class TestInstagramConformance(AdapterConformance, adapter=InstagramAdapter, platform=FakeGraph):
    def make_adapter(self) -> InstagramAdapter:
        return InstagramAdapter(ig_user_id=IG_USER, access_token=SENTINEL_SECRET)

    def sample_post(self) -> PlatformPost:
        return post(body="Conformance check")


def test_instagram_is_registered_with_its_extras() -> None:
    assert "instagram" in available_platforms()
    assert get_platform("instagram") is InstagramAdapter
    assert type(post(extras={"share_to_feed": True}).extras) is InstagramExtras
    with pytest.raises(InvalidInputError, match=r"extras\.collaborators"):
        post(extras={"collaborators": ["a", "b", "c", "d"]})


# -- publishing --------------------------------------------------------------------------


def test_image_post_goes_through_one_container(kind: str, server: FakeGraph) -> None:
    tagged = post(extras={"location_id": "1234", "collaborators": ["tea.friend"]})
    result = drive(kind, make_client(kind, server), lambda c: c.publish(tagged))
    assert result.ok, result.error
    (media,) = server.live_media
    assert result.receipt.post_id == media["id"]
    assert result.receipt.url == media["permalink"]
    (container,) = server.containers.values()
    assert container["payload"] == {
        "image_url": PNG,
        "alt_text": "a cup of cold brew",
        "caption": "Cold brew at three.",
        "location_id": "1234",
        "collaborators": ["tea.friend"],
    }
    assert server.seen[0] == ("GET", f"{IG_USER}/content_publishing_limit")


def test_reel_is_polled_until_finished_then_published(kind: str, server: FakeGraph) -> None:
    reel = post(media=(CLIP,), extras={"share_to_feed": True, "thumb_offset": 1500})
    result = drive(kind, make_client(kind, server), lambda c: c.publish(reel))
    assert result.ok, result.error
    (container,) = server.containers.values()
    assert container["payload"]["media_type"] == "REELS"
    assert container["payload"]["thumb_offset"] == "1500"
    polls = [s for s in server.seen if s[0] == "GET" and s[1] in server.containers]
    assert len(polls) == server.video_polls + 1
    assert len(server.live_media) == 1


def test_processing_past_the_deadline_fails_without_publishing(
    kind: str, server: FakeGraph
) -> None:
    server.video_polls = 10_000
    client = make_client(kind, server, publish_deadline=30)
    result = drive(kind, client, lambda c: c.publish(post(media=(CLIP,))))
    assert not result.ok
    assert result.error.error_type == "PublishTimeoutError"
    assert server.live_media == []


def test_a_container_in_error_fails_the_publish(kind: str, server: FakeGraph) -> None:
    server.container_error = True
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert not result.ok
    assert result.error.error_type == "APIError"
    assert "ERROR" in result.error.message
    assert server.live_media == []


def test_carousel_items_then_the_carousel_container(kind: str, server: FakeGraph) -> None:
    album = post(media=(PHOTO, CLIP, PHOTO))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(album))
    assert result.ok, result.error
    payloads = [c["payload"] for c in server.containers.values()]
    items, parent = payloads[:3], payloads[3]
    assert all(p["is_carousel_item"] is True for p in items)
    assert items[1]["media_type"] == "VIDEO"
    assert parent["media_type"] == "CAROUSEL" and len(parent["children"]) == 3
    assert parent["caption"] == "Cold brew at three."
    assert len(server.live_media) == 1


@pytest.mark.parametrize("lost", [1, 2])
def test_lost_answer_during_media_publish_posts_once(
    kind: str, server: FakeGraph, lost: int
) -> None:
    server.lose[("POST", "media_publish")] = lost
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.live_media) == 1
    assert result.receipt.post_id == server.live_media[0]["id"]
    publishes = [s for s in server.seen if s == ("POST", f"{IG_USER}/media_publish")]
    assert len(publishes) == 1  # read back (PUBLISHED), never sent twice
    assert len(server.containers) == 1


def test_media_publish_lost_before_it_acted_is_sent_again_after_reading_back(
    kind: str, server: FakeGraph
) -> None:
    server.drop[("POST", "media_publish")] = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    publishes = [s for s in server.seen if s == ("POST", f"{IG_USER}/media_publish")]
    assert len(publishes) == 2  # the container was still FINISHED: nothing was lost
    assert len(server.live_media) == 1


def test_lost_answer_during_container_upload_never_posts_twice(
    kind: str, server: FakeGraph
) -> None:
    server.lose[("POST", "media")] = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.live_media) == 1
    published = [c for c in server.containers.values() if c["status_code"] == "PUBLISHED"]
    assert len(published) == 1  # the orphan container is never published


def test_a_repeated_publish_follows_the_same_container(kind: str, server: FakeGraph) -> None:
    server.video_polls = 10_000
    client = make_client(kind, server, publish_deadline=30)
    first = drive(kind, client, lambda c: c.publish(post(media=(CLIP,))))
    assert not first.ok
    server.video_polls = 0
    (container,) = server.containers.values()
    container["status_code"] = "FINISHED"
    second = drive(kind, client, lambda c: c.publish(post(media=(CLIP,))))
    assert second.ok, second.error
    assert len(server.containers) == 1 and len(server.live_media) == 1


def test_publishing_limit_refuses_each_further_post(kind: str, server: FakeGraph) -> None:
    server.quota_total, server.quota_used = 3, 1
    client = make_client(kind, server)
    posts = [post(body=f"post {number}") for number in range(4)]

    def publish_all(c: Any) -> Any:
        if kind == "sync":
            return [c.publish(p) for p in posts]

        async def run() -> list[Any]:
            return [await c.publish(p) for p in posts]

        return run()

    results = drive(kind, client, publish_all)
    assert [r.ok for r in results] == [True, True, False, False]
    assert results[2].error.error_type == "RateLimitError"
    assert results[2].error.outcome_unknown is False
    assert len(server.live_media) == 2
    limits = [s for s in server.seen if s[1].endswith("content_publishing_limit")]
    assert len(limits) == 1  # read once before the batch, counted down after


def test_publishing_limit_is_read_as_a_model(kind: str, server: FakeGraph) -> None:
    server.quota_used = 48
    limit = drive(kind, make_client(kind, server), lambda c: c.run(c.adapter.publishing_limit()))
    assert (limit.used, limit.total, limit.remaining) == (48, 50, 2)


def test_text_only_post_is_refused_and_dry_run_sends_nothing(kind: str, server: FakeGraph) -> None:
    client = make_client(kind, server)
    check = drive(kind, client, lambda c: c.publish(post(media=()), dry_run=True))
    assert check.problems == ("media: this platform needs at least one media item",)
    dry = drive(kind, client, lambda c: c.publish(post(), dry_run=True))
    assert dry.dry_run and dry.problems == ()
    with pytest.raises(InvalidInputError, match="media"):
        drive(kind, client, lambda c: c.publish(post(media=())))
    assert server.seen == []


def test_long_lived_user_token_through_the_token_store(kind: str, server: FakeGraph) -> None:
    store = InMemoryTokenStore()
    server.page_token = LONG_USER_TOKEN  # the long-lived user token acts on the account
    adapter = InstagramAdapter(
        ig_user_id=IG_USER,
        user_token=USER_TOKEN,
        credentials=Credentials(client_id=APP_ID, client_secret=APP_SECRET),
    )
    client = make_client(kind, server, adapter=adapter, token_store=store)
    assert drive(kind, client, lambda c: c.publish(post())).ok
    stored = store.get(f"instagram:{IG_USER}")
    assert stored is not None and stored.expires_at is not None
    assert stored.access_token.get_secret_value() == LONG_USER_TOKEN


# -- reading and answering ------------------------------------------------------------------


def test_comments_replies_metrics_and_delete(kind: str, server: FakeGraph) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    media_id = receipt.post_id
    top = drive(kind, client, lambda c: c.reply(media_id, media_id, "Lovely!"))
    answer = drive(kind, client, lambda c: c.reply(media_id, top.id, "Thank you"))
    comments = drive(kind, client, lambda c: c.comments(media_id))
    assert [(c.id, c.text, c.in_reply_to, c.author_id) for c in comments] == [
        (top.id, "Lovely!", media_id, "tea.house"),
        (answer.id, "Thank you", top.id, "tea.house"),
    ]
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(media_id))}
    assert metrics["views"] == 800 and metrics["reach"] == 500
    assert metrics["interactions"] == 40 + 5 + 3 + 7
    drive(kind, client, lambda c: c.delete(media_id))
    assert server.live_media == []
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(media_id))


def test_bad_input_is_refused_before_sending() -> None:
    adapter = InstagramAdapter(ig_user_id=IG_USER, access_token="t")
    with pytest.raises(InvalidInputError, match="ig_user_id"):
        InstagramAdapter(ig_user_id="a/b", access_token="t")
    with pytest.raises(InvalidInputError, match="media"):
        next(adapter.publish(post(media=(PHOTO,) * 11)))
    with pytest.raises(InvalidInputError, match="text"):
        next(adapter.reply("1", "2", ""))
