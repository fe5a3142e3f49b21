"""describe_platform tells a manual platform from an API client and a sandbox."""

from __future__ import annotations

import pytest

from smmkit.exceptions import UnknownPlatformError, UnsupportedOperationError
from smmkit.models.content import PlatformPost
from smmkit.platforms import (
    Capability,
    IdempotencyMode,
    PlatformDescription,
    PlatformRegistry,
    SandboxAdapter,
    available_platforms,
    describe_platform,
    get_platform,
)
from smmkit.platforms.manual import (
    MANUAL_PLATFORMS,
    MANUAL_STEPS,
    ManualAdapter,
    WeChatChannelsAdapter,
    XiaohongshuAdapter,
    ZhihuAdapter,
)
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.testing import run_flow

MANUAL = {
    "zhihu": ZhihuAdapter,
    "xiaohongshu": XiaohongshuAdapter,
    "wechat_channels": WeChatChannelsAdapter,
}


@pytest.mark.parametrize("name", sorted(MANUAL))
def test_manual_platforms_are_registered_and_described_as_manual(name: str) -> None:
    assert name in MANUAL_PLATFORMS and name in available_platforms()
    assert get_platform(name) is MANUAL[name]
    description = describe_platform(name)
    assert description.kind == "manual"
    assert description.capabilities == () and description.operations == ()
    assert description.idempotency is IdempotencyMode.NONE
    assert description.requires_token is False
    assert description.manual_steps == MANUAL_STEPS
    assert description.api_access == "none" and "ManualPublisher" in (description.api_note or "")
    assert description.adapter == f"smmkit.platforms._manual_adapter:{MANUAL[name].__name__}"


@pytest.mark.parametrize("name", sorted(MANUAL))
def test_manual_adapters_send_nothing(name: str) -> None:
    adapter = MANUAL[name]()
    post = PlatformPost(platform=name, piece_id="p", body="x")
    flows = (
        adapter.publish(post),
        adapter.delete("x"),
        adapter.metrics("x"),
        adapter.comments("x"),
    )
    for flow in flows:
        with pytest.raises(UnsupportedOperationError, match="ManualPublisher"):
            run_flow(flow, lambda request: pytest.fail("a manual adapter sent a request"))


def test_programmatic_registration_in_a_registry_of_ones_own() -> None:
    registry = PlatformRegistry(entry_point_group=None)
    registry.register("zhihu", "smmkit.platforms.manual:ZhihuAdapter")
    registry.register("wechat_oa", WeChatOfficialAccountAdapter)
    registry.register("play", SandboxAdapter)
    assert describe_platform("zhihu", registry=registry).kind == "manual"
    oa = describe_platform("wechat_oa", registry=registry)
    assert oa.kind == "api_client" and oa.requires_token
    assert Capability.PUBLISH_TEXT in oa.capabilities
    assert {"publish", "delete", "metrics", "comments", "reply", "send_message"} <= set(
        oa.operations
    )
    assert oa.name == "WeChat Official Account" and oa.name_zh
    play = describe_platform("play", registry=registry)
    assert play.kind == "sandbox" and play.id == "play"


def test_a_plugin_unknown_to_the_catalog_is_described_without_catalog_facts() -> None:
    class Echo(ManualAdapter):
        name = platform_id = "echo_board"

    registry = PlatformRegistry(entry_point_group=None)
    registry.register("echo_board", Echo)
    description = describe_platform("echo_board", registry=registry)
    assert description.kind == "manual" and description.name is None and description.notes == ()


def test_unknown_names_and_a_description_round_trip() -> None:
    with pytest.raises(UnknownPlatformError):
        describe_platform("myspace")
    description = describe_platform("mastodon")
    assert PlatformDescription.model_validate_json(description.model_dump_json()) == description
    assert description.idempotency is IdempotencyMode.KEY
