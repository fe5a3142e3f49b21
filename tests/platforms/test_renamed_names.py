"""Names renamed to end clashes keep working for one minor version, with a warning."""

from __future__ import annotations

import pytest

import smmkit.analytics
import smmkit.platforms
import smmkit.webhooks


def test_platforms_rate_is_now_request_rate() -> None:
    with pytest.warns(DeprecationWarning, match="use smmkit.platforms.RequestRate"):
        old = smmkit.platforms.Rate
    assert old is smmkit.platforms.RequestRate
    assert "Rate" not in smmkit.platforms.__all__
    # the analytics accumulator keeps its name: the clash is gone
    accumulator: object = smmkit.analytics.Rate  # object: mypy knows the classes differ
    assert accumulator is not smmkit.platforms.RequestRate


def test_webhooks_publish_status_is_now_wechat_publish_status() -> None:
    with pytest.warns(DeprecationWarning, match="use smmkit.webhooks.WeChatPublishStatus"):
        old = smmkit.webhooks.PublishStatus
    assert old is smmkit.webhooks.WeChatPublishStatus
    platform_status: object = smmkit.platforms.PublishStatus  # object: as above
    assert platform_status is not smmkit.webhooks.WeChatPublishStatus


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = smmkit.platforms.NoSuchThing  # type: ignore[attr-defined]
