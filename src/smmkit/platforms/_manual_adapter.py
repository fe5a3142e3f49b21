"""Registry entries for the platforms without a publishing API (Zhihu, Xiaohongshu,
WeChat Channels): adapters that declare no capability and send nothing.

They make the registry honest: ``get_platform("zhihu")`` resolves, and
:func:`smmkit.platforms.describe_platform` says the platform is manual and what
:class:`~smmkit.platforms.ManualPublisher` does for it. Every operation raises
:class:`~smmkit.exceptions.UnsupportedOperationError` naming ``ManualPublisher``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from smmkit.exceptions import UnsupportedOperationError
from smmkit.models.content import PlatformPost
from smmkit.platforms._adapter import Flow, IdempotencyMode, PlatformAdapter
from smmkit.platforms._results import PublishReceipt

__all__ = [
    "MANUAL_STEPS",
    "ManualAdapter",
    "WeChatChannelsAdapter",
    "XiaohongshuAdapter",
    "ZhihuAdapter",
]

MANUAL_STEPS: tuple[str, ...] = (
    "render(post): a ready-to-post package (title, body, tags, media list, the platform's "
    "checklist) and the catalog's limit problems, as Markdown for the person who posts",
    "record_url(post, url): a published PublishResult once the person entered the URL "
    "(the host is checked against the platform's)",
    "ingest_csv(text) / ingest_csv_file(path): the creator center's CSV export read into "
    "MetricObservation values, bad cells reported per row",
)
"""What :class:`~smmkit.platforms.ManualPublisher` does for a manual platform."""


class ManualAdapter(PlatformAdapter):
    """A platform without a publishing API: no capability, no token, nothing sent.

    Example:
        >>> from smmkit.testing import run_flow
        >>> try:
        ...     run_flow(ZhihuAdapter().delete("1"), lambda request: None)
        ... except UnsupportedOperationError as exc:
        ...     print(str(exc).split(" [")[0])
        zhihu has no publishing API: use ManualPublisher('zhihu')
    """

    capabilities = frozenset()
    idempotency = IdempotencyMode.NONE
    requires_token = False
    manual: ClassVar[bool] = True

    def publish(
        self, post: PlatformPost, *, idempotency_key: str | None = None
    ) -> Flow[PublishReceipt]:
        """Refused: publish by hand with :class:`~smmkit.platforms.ManualPublisher`."""
        return self._unsupported("publish")

    def _unsupported(self, operation: str) -> Flow[Any]:
        raise UnsupportedOperationError(
            f"{self.platform_id} has no publishing API: use ManualPublisher({self.platform_id!r})",
            platform=self.platform_id,
        )
        yield  # pragma: no cover  (a generator: the error surfaces when driven)


class ZhihuAdapter(ManualAdapter):
    """Zhihu (知乎): no public posting API. See :class:`ManualAdapter`."""

    name = platform_id = "zhihu"
    default_base_url = "https://www.zhihu.com"


class XiaohongshuAdapter(ManualAdapter):
    """Xiaohongshu (小红书): no organic publishing API. See :class:`ManualAdapter`."""

    name = platform_id = "xiaohongshu"
    default_base_url = "https://www.xiaohongshu.com"


class WeChatChannelsAdapter(ManualAdapter):
    """WeChat Channels (微信视频号): no public publishing API. See :class:`ManualAdapter`."""

    name = platform_id = "wechat_channels"
    default_base_url = "https://channels.weixin.qq.com"
