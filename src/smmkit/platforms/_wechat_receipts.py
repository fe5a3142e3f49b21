"""WeChat Official Account post ids and the publish status machine.

A publication is known first by its ``publish_id``, then by its ``article_id``; its
comments and numbers hang off its ``msg_data_id``. :func:`join_post_id` packs the two
a post needs into one id, and one function turns a ``publish_status`` code (from
``freepublish/get`` or a ``PUBLISHJOBFINISH`` callback) into a receipt, so polling and
callbacks meet in the same status machine. :mod:`smmkit.platforms.wechat` re-exports
the public names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smmkit.exceptions import InvalidInputError
from smmkit.platforms._checks import require
from smmkit.platforms._results import PublishReceipt, PublishStatus

__all__ = ["join_post_id", "receipt_for_status", "receipt_from_event", "split_post_id"]

_POLL_SECONDS = 10.0
_PUBLISH_FAILURES = {
    2: "originality check failed",
    3: "publish failed",
    4: "rejected by platform review",
    5: "deleted after publishing",
    6: "banned after publishing",
}


def join_post_id(article_or_publish_id: str, msg_data_id: str | None) -> str:
    """The post id smmkit uses for an article: ``"<id>|<msg_data_id>"``.

    WeChat needs the ``article_id`` to delete and read an article but the
    ``msg_data_id`` to list and answer its comments; the post id carries both.

    Example:
        >>> join_post_id("Art_1", "2247483650")
        'Art_1|2247483650'
    """
    require(article_or_publish_id, "article_or_publish_id", str, "a str")
    if msg_data_id is not None:
        require(msg_data_id, "msg_data_id", str, "a str or None")
    if not article_or_publish_id or "|" in article_or_publish_id:
        raise InvalidInputError.single(
            "article_or_publish_id", "must be non-empty, without '|'", article_or_publish_id
        )
    return f"{article_or_publish_id}|{msg_data_id}" if msg_data_id else article_or_publish_id


def split_post_id(post_id: str) -> tuple[str, str | None]:
    """``(article_or_publish_id, msg_data_id)`` of a post id from :func:`join_post_id`.

    Example:
        >>> split_post_id("Art_1|2247483650"), split_post_id("Art_1")
        (('Art_1', '2247483650'), ('Art_1', None))
    """
    require(post_id, "post_id", str, "a str")
    head, _, tail = post_id.partition("|")
    if not head:
        raise InvalidInputError.single("post_id", "is empty", post_id)
    return head, (tail or None)


def receipt_for_status(
    platform: str,
    code: int,
    *,
    publish_id: str,
    msg_data_id: str | None,
    article_id: str | None,
    url: str | None,
    key: str | None,
    at: datetime | None,
    fail_idx: tuple[int, ...] = (),
) -> PublishReceipt:
    """The receipt a ``publish_status`` code stands for (0 published, 1 processing, 2–6 failed).

    Until WeChat names the ``article_id``, the post id is built from the ``publish_id``;
    a failure's ``detail`` says why (and which articles, from ``fail_idx``).

    Example:
        >>> receipt = receipt_for_status("wechat_oa", 4, publish_id="22", msg_data_id="9",
        ...     article_id=None, url=None, key=None, at=None)
        >>> receipt.status.value, receipt.post_id, receipt.detail
        ('failed', '22|9', 'rejected by platform review')
    """
    ids = {"publish_id": publish_id}
    if msg_data_id:
        ids["msg_data_id"] = msg_data_id
    if article_id:
        ids["article_id"] = article_id
    if code == 0 and article_id:
        return PublishReceipt(
            platform=platform,
            post_id=join_post_id(article_id, msg_data_id),
            platform_ids=ids,
            status=PublishStatus.PUBLISHED,
            url=url,
            idempotency_key=key,
            published_at=at,
        )
    if code == 1 or (code == 0 and not article_id):
        return PublishReceipt(
            platform=platform,
            post_id=join_post_id(publish_id, msg_data_id),
            platform_ids=ids,
            status=PublishStatus.PROCESSING,
            idempotency_key=key,
            poll_after=_POLL_SECONDS,
        )
    reason = _PUBLISH_FAILURES.get(code, f"publish_status {code}")
    if fail_idx:
        reason += f" (articles {', '.join(str(i) for i in fail_idx)})"
    return PublishReceipt(
        platform=platform,
        post_id=join_post_id(publish_id, msg_data_id),
        platform_ids=ids,
        status=PublishStatus.FAILED,
        idempotency_key=key,
        detail=reason,
    )


def receipt_from_event(event: Any, pending: PublishReceipt) -> PublishReceipt:
    """The receipt a ``PUBLISHJOBFINISH`` callback stands for.

    ``event`` is the :class:`smmkit.webhooks.PublishJobFinishEvent` parsed by
    :class:`smmkit.webhooks.WeChatCallback`; ``pending`` is the processing receipt
    :meth:`~smmkit.platforms.wechat.WeChatOfficialAccountAdapter.publish` returned (it
    carries the ``msg_data_id`` the event lacks). Callbacks and polling meet in the same
    status machine, so ``pending.status.check_transition(result.status)`` holds.

    Example:
        >>> from smmkit.webhooks import parse_message
        >>> event = parse_message(
        ...     "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName>"
        ...     "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>"
        ...     "<Event>PUBLISHJOBFINISH</Event><PublishEventInfo><publish_id>22</publish_id>"
        ...     "<publish_status>0</publish_status><article_id>Art_9</article_id>"
        ...     "<article_detail><count>1</count><item><idx>1</idx><article_url>"
        ...     "https://mp.weixin.qq.com/s/x</article_url></item></article_detail>"
        ...     "</PublishEventInfo></xml>")
        >>> pending = PublishReceipt(platform="wechat_oa", post_id="22|2247483650",
        ...                          status="processing")
        >>> receipt_from_event(event, pending).post_id
        'Art_9|2247483650'
    """
    require(pending, "pending", PublishReceipt, "a PublishReceipt")
    publish_id = str(getattr(event, "publish_id", ""))
    own_publish_id, msg_data_id = split_post_id(pending.post_id or publish_id)
    if publish_id and own_publish_id != publish_id:
        raise InvalidInputError.single(
            "event.publish_id", f"belongs to another publish than {own_publish_id}", publish_id
        )
    articles = tuple(getattr(event, "articles", ()) or ())
    receipt = receipt_for_status(
        pending.platform,
        int(getattr(event, "publish_status_code", 3)),
        publish_id=own_publish_id,
        msg_data_id=msg_data_id,
        article_id=getattr(event, "article_id", None),
        url=articles[0].url if articles else None,
        key=pending.idempotency_key,
        at=getattr(event, "create_time", None),
        fail_idx=tuple(getattr(event, "fail_idx", ()) or ()),
    )
    pending.status.check_transition(receipt.status)
    return receipt
