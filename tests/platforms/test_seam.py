"""The typed hand-off from content to platforms (issue 14, items 1 and 2).

A post carries the platform it was adapted for and that platform's typed extras; every
client, both publishers and the dry run refuse a post adapted for another platform, and
a bare ContentPiece, without raising.
"""

from __future__ import annotations

import asyncio
import json

import pytest

import smmkit
from smmkit.content import adapt
from smmkit.exceptions import InvalidInputError, PlatformMismatchError
from smmkit.models import (
    BlueskyExtras,
    ContentPiece,
    MastodonExtras,
    PlatformPost,
    PostExtras,
    WeChatOAExtras,
    WeComExtras,
    XExtras,
    extras_model_for,
    register_extras,
)
from smmkit.platforms import (
    AsyncPublisher,
    Capability,
    PlatformAdapter,
    PlatformRegistry,
    Publisher,
    SandboxPlatform,
    SimulatedClock,
)

PIECE = ContentPiece(id="tea-1", body="冷泡乌龙上新，三分钟搞定。", tags=["冷泡茶"])


@pytest.fixture
def weibo_post() -> PlatformPost:
    return adapt(PIECE, "weibo")


def _mastodon_sandbox() -> SandboxPlatform:
    return SandboxPlatform(spec="mastodon", clock=SimulatedClock())


def test_weibo_post_keeps_its_topic_syntax(weibo_post: PlatformPost) -> None:
    # The reason for the check: Weibo's #话题# must never reach Mastodon.
    assert "#冷泡茶#" in weibo_post.body
    assert weibo_post.platform == "weibo"


def test_sync_client_refuses_a_post_for_another_platform(weibo_post: PlatformPost) -> None:
    sandbox = _mastodon_sandbox()
    with sandbox.client() as client:
        result = client.publish(weibo_post)
    assert not result.ok
    assert result.error is not None and result.error.error_type == "PlatformMismatchError"
    assert "adapt(piece, 'mastodon')" in result.error.message
    assert isinstance(result.exception, PlatformMismatchError)
    assert result.exception.post_platform == "weibo"
    assert result.exception.client_platform == "mastodon"
    assert sandbox.published_count == 0


def test_async_client_refuses_a_post_for_another_platform(weibo_post: PlatformPost) -> None:
    sandbox = _mastodon_sandbox()

    async def main() -> smmkit.platforms.PublishResult:
        async with sandbox.async_client() as client:
            return await client.publish(weibo_post)

    result = asyncio.run(main())
    assert not result.ok
    assert isinstance(result.exception, PlatformMismatchError)
    assert sandbox.published_count == 0


def test_dry_run_lists_the_mismatch_as_a_problem(weibo_post: PlatformPost) -> None:
    sandbox = _mastodon_sandbox()
    with sandbox.client() as client:
        result = client.publish(weibo_post, dry_run=True)
    assert result.dry_run and not result.ok
    assert any("adapted for weibo, not mastodon" in p for p in result.problems)
    assert sandbox.published_count == 0


def test_a_matching_post_still_publishes() -> None:
    sandbox = _mastodon_sandbox()
    with sandbox.client() as client:
        result = client.publish(adapt(PIECE, "mastodon"))
    assert result.ok, result.error
    assert sandbox.published_count == 1


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bare_content_piece_is_refused_not_an_attribute_error(dry_run: bool) -> None:
    sandbox = _mastodon_sandbox()
    with sandbox.client() as client:
        result = client.publish(PIECE, dry_run=dry_run)  # type: ignore[arg-type]
    assert not result.ok
    assert result.piece_id == "tea-1"
    text = result.error.message if result.error else " ".join(result.problems)
    assert "ContentPiece is not a post" in text
    assert sandbox.published_count == 0


def test_publisher_refuses_per_item_and_keeps_going(weibo_post: PlatformPost) -> None:
    first, second = _mastodon_sandbox(), _mastodon_sandbox()
    with first.client() as a, second.client() as b:
        # Publisher keys are free labels: two accounts on one platform.
        publisher = Publisher({"brand": a, "support": b})
        refused = publisher.publish(weibo_post, "brand")
        batch = publisher.publish_many(PIECE)
    assert not refused.ok and isinstance(refused.exception, PlatformMismatchError)
    assert batch.summary()["published"] == 2
    assert first.published_count == second.published_count == 1


def test_publisher_with_a_wrong_adapt_function_is_refused_per_item() -> None:
    sandbox = _mastodon_sandbox()

    def adapt_for_weibo(piece: ContentPiece, platform: object, **_: object) -> PlatformPost:
        return adapt(piece, "weibo")

    with sandbox.client() as client:
        batch = Publisher({"mastodon": client}, adapt=adapt_for_weibo).publish_many(
            [PIECE, PIECE.model_copy(update={"id": "tea-2"})]
        )
    assert [r.error.error_type for r in batch.results if r.error] == [
        "PlatformMismatchError",
        "PlatformMismatchError",
    ]
    assert sandbox.published_count == 0


def test_async_publisher_refuses_and_dry_runs(weibo_post: PlatformPost) -> None:
    sandbox = _mastodon_sandbox()

    async def main() -> tuple[smmkit.platforms.PublishResult, smmkit.platforms.PublishResult]:
        async with sandbox.async_client() as client:
            publisher = AsyncPublisher({"mastodon": client})
            return (
                await publisher.publish(weibo_post, "mastodon"),
                await publisher.publish(weibo_post, "mastodon", dry_run=True),
            )

    refused, dry = asyncio.run(main())
    assert isinstance(refused.exception, PlatformMismatchError)
    assert dry.dry_run and dry.problems
    assert sandbox.published_count == 0


def test_sandbox_simulating_weibo_accepts_weibo_posts(weibo_post: PlatformPost) -> None:
    sandbox = SandboxPlatform(spec="weibo", clock=SimulatedClock())
    with sandbox.client() as client:
        assert client.publish(weibo_post).ok


# -- typed extras ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "model"),
    [
        ("mastodon", MastodonExtras),
        ("bluesky", BlueskyExtras),
        ("wechat_oa", WeChatOAExtras),
        ("wecom", WeComExtras),
        ("zhihu", PostExtras),  # weibo has WeiboExtras (tests/platforms/test_weibo.py)
        ("x", XExtras),
    ],
)
def test_each_post_gets_its_platforms_extras_model(platform: str, model: type[PostExtras]) -> None:
    post = PlatformPost(platform=platform, piece_id="p", body="hi")
    assert type(post.extras) is model
    assert extras_model_for(platform) is model


def test_a_misspelt_extras_key_names_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        PlatformPost(platform="mastodon", piece_id="p", body="hi", extras={"visibilty": "x"})
    assert info.value.fields == ("extras.visibilty",)


def test_a_bad_extras_value_names_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        PlatformPost(platform="mastodon", piece_id="p", body="hi", extras={"visibility": "all"})
    assert info.value.fields == ("extras.visibility",)


def test_another_platforms_extras_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="re-adapt the piece for weibo"):
        PlatformPost(platform="weibo", piece_id="p", body="hi", extras=MastodonExtras())


def test_extras_round_trip_through_json_with_their_type() -> None:
    post = PlatformPost(
        platform="wecom",
        piece_id="p",
        body="hi",
        extras=WeComExtras(touser="a|b", msgtype="markdown", safe=True),
    )
    again = PlatformPost.model_validate_json(post.model_dump_json())
    assert again == post
    assert type(again.extras) is WeComExtras
    assert again.extras_as(WeComExtras).touser == ("a", "b")
    assert json.loads(post.model_dump_json())["extras"]["msgtype"] == "markdown"


def test_extras_as_refuses_another_platforms_model() -> None:
    post = PlatformPost(platform="mastodon", piece_id="p", body="hi")
    with pytest.raises(PlatformMismatchError):
        post.extras_as(WeComExtras)
    # the base model upgrades to a richer one, keeping what was set
    base = PlatformPost(platform="x", piece_id="p", body="hi", extras={"media_ids": ["1"]})
    assert base.extras_as(PostExtras).media_ids == ("1",)


def test_adapt_writes_typed_extras() -> None:
    article = adapt(
        PIECE.model_copy(update={"title": "冷泡茶", "links": ("https://tea.example/a",)}),
        "wechat_oa",
    )
    extras = article.extras_as(WeChatOAExtras)
    assert extras.digest
    assert extras.content_source_url is not None
    assert extras.content_source_url.startswith("https://tea.example/a")
    bluesky = adapt(ContentPiece(id="b", body="Cold brew #tea"), "bluesky")
    facets = bluesky.extras_as(BlueskyExtras).facets
    assert facets is not None and facets[0]["features"][0]["tag"] == "tea"


def test_with_extras_validates_and_keeps_the_rest() -> None:
    post = PlatformPost(platform="mastodon", piece_id="p", body="hi", extras={"language": "zh"})
    moved = post.with_extras(media_ids=["7"])
    assert moved.extras_as(MastodonExtras).language == "zh"
    assert moved.extras.media_ids == ("7",)
    with pytest.raises(InvalidInputError):
        post.with_extras(visibility="everyone")


class _ShopExtras(PostExtras):
    product_id: str | None = None


class _ShopAdapter(PlatformAdapter):
    name = platform_id = "test_shop_seam"
    default_base_url = "https://shop.example"
    capabilities = frozenset({Capability.PUBLISH_TEXT})
    extras_model = _ShopExtras


def test_a_plugin_declares_its_extras_model_through_the_registry() -> None:
    registry = PlatformRegistry(entry_point_group=None)
    registry.register("test_shop_seam", _ShopAdapter)
    assert registry.extras_model("test_shop_seam") is _ShopExtras
    post = PlatformPost(
        platform="test_shop_seam", piece_id="p", body="hi", extras={"product_id": "sku-1"}
    )
    assert post.extras_as(_ShopExtras).product_id == "sku-1"


def test_a_built_in_platforms_extras_model_cannot_be_replaced() -> None:
    with pytest.raises(InvalidInputError):
        register_extras("mastodon", _ShopExtras)
    assert extras_model_for("mastodon") is MastodonExtras
