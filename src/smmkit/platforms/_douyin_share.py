"""Douyin's share hand-off ("发布内容至抖音 H5 场景"): what an app hands to the user when the
account has not granted publishing (``video.create.bind``).

Nothing is published: the user opens the schema on a phone (a QR code or a link), Douyin
opens its publish page with the video, and the *user* posts it. The app gets a
``share_id`` to recognise the share later. Steps, from
https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/sdk/web-app/h5/share-to-h5/
and .../h5/schema-demo (read 2026-12-06; the app needs ``h5.share`` and
``open.get.ticket``, no user authorisation):

1. ``POST /oauth/client_token/`` (JSON ``client_key``, ``client_secret``,
   ``grant_type=client_credential``): the app's token, about 2 hours;
2. ``GET /open/getticket/`` with it (``access-token`` header): the open ticket, 2 hours
   (https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/tools-ability/jsb-management/open-ticket);
3. ``GET /share-id/`` (``need_callback``, ``default_hashtag``, ``link_param``,
   ``source_style_id``; SDK ``shareid``): the ``share_id``, put in the schema's ``state``;
4. the signature: MD5 of ``nonce_str=…&ticket=…&timestamp=…`` (the fields sorted by
   name, ``key=value`` joined by ``&``, as Douyin's ticket signature page describes;
   *reconstructed*: the H5 page gives no worked example for the open ticket);
5. the schema ``snssdk1128://openplatform/share?…`` with ``client_key``, ``nonce_str``,
   ``timestamp``, ``signature``, ``state``, ``share_type=h5``, ``video_path``,
   ``hashtag_list`` (JSON), ``micro_app_info`` (JSON), ``share_to_publish``.

``/open/getticket/`` is not in the SDK ``@open-dy/open_api_sdk`` 1.1.0; its request is
built from the page cited above.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from pydantic import ConfigDict, Field

from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.platforms._adapter import Flow
from smmkit.platforms._auth import Credentials
from smmkit.platforms._douyin_wire import answer_data

if TYPE_CHECKING:
    from smmkit.platforms._adapter import PlatformAdapter

__all__ = ["DouyinShareHandoff", "app_credentials", "open_ticket", "schema_url", "signature"]
_MARGIN = timedelta(minutes=5)

SCHEMA_BASE = "snssdk1128://openplatform/share"
_TICKET_SECONDS = 7200


class DouyinShareHandoff(SmmkitModel):
    """What the app hands to the user to post a video on Douyin themselves.

    **Not a published post**: ``published`` is always ``False`` and there is no post id.
    Show ``schema_url`` to the user (a link on a phone, a QR code on a desktop); Douyin's app
    opens its publish page with the video. ``share_id`` is Douyin's id for this share
    (the schema's ``state``): the share's outcome arrives at the app's webhook under it.
    ``expires_at`` is when the signature's ticket runs out (about 2 hours): build a new
    hand-off after that.

    Example:
        >>> handoff = DouyinShareHandoff(share_id="1234", schema_url="snssdk1128://x",
        ...     video_url="https://cdn.example/a.mp4", nonce_str="n", timestamp="1",
        ...     signature="s")
        >>> handoff.published, handoff.kind
        (False, 'share_handoff')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["share_handoff"] = "share_handoff"
    published: Literal[False] = False
    share_id: str = Field(min_length=1)
    schema_url: str = Field(min_length=1)
    video_url: str
    nonce_str: str
    timestamp: str
    signature: str
    hashtags: tuple[str, ...] = ()
    expires_at: AwareDatetime | None = None


def signature(*, nonce_str: str, ticket: str, timestamp: str) -> str:
    """MD5 (hex) of the sorted ``key=value`` pairs joined by ``&``.

    Example:
        >>> expected = hashlib.md5(b"nonce_str=n1&ticket=t1&timestamp=1767225600").hexdigest()
        >>> signature(nonce_str="n1", ticket="t1", timestamp="1767225600") == expected
        True
    """
    pairs = sorted({"nonce_str": nonce_str, "ticket": ticket, "timestamp": timestamp}.items())
    text = "&".join(f"{k}={v}" for k, v in pairs)
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def schema_url(
    *,
    client_key: str,
    share_id: str,
    nonce_str: str,
    timestamp: str,
    sign: str,
    video_url: str,
    hashtags: tuple[str, ...],
    micro_app: dict[str, str] | None,
    to_publish_page: bool,
    title: str | None,
) -> str:
    """The ``snssdk1128://openplatform/share?…`` schema of the H5 share.

    Example:
        >>> url = schema_url(client_key="ck", share_id="42", nonce_str="n", timestamp="1",
        ...     sign="s", video_url="https://cdn.example/a.mp4", hashtags=("茶",),
        ...     micro_app=None, to_publish_page=True, title=None)
        >>> url.startswith("snssdk1128://openplatform/share?client_key=ck&nonce_str=n")
        True
        >>> "state=42" in url and "share_to_publish=1" in url
        True
    """
    params: dict[str, Any] = {
        "client_key": client_key,
        "nonce_str": nonce_str,
        "timestamp": timestamp,
        "signature": sign,
        "state": share_id,
        "share_type": "h5",
        "video_path": video_url,
        "share_to_publish": 1 if to_publish_page else 0,
    }
    if hashtags:
        params["hashtag_list"] = json.dumps(list(hashtags), ensure_ascii=False)
    if micro_app:
        params["micro_app_info"] = json.dumps(micro_app, ensure_ascii=False)
    if title:
        params["title"] = title
    return f"{SCHEMA_BASE}?{urlencode(params)}"


def ticket_expiry(now: datetime, expires_in: Any) -> datetime:
    """When a ticket given ``expires_in`` seconds at ``now`` runs out (default 2 hours)."""
    seconds = expires_in if isinstance(expires_in, (int, float)) and expires_in > 0 else None
    return now + timedelta(seconds=float(seconds or _TICKET_SECONDS))


def app_credentials(
    adapter: PlatformAdapter,
    cache: dict[str, tuple[str, datetime]],
    creds: Credentials,
    now: datetime,
) -> Flow[str]:
    """Flow: the app's ``client_token`` (``POST /oauth/client_token/``), kept in ``cache``
    until 5 minutes before it runs out."""
    held = cache.get("client_token")
    if held is not None and held[1] - _MARGIN > now:
        return held[0]
    body = {"client_key": creds.client_id, "grant_type": "client_credential",
            "client_secret": creds.client_secret.get_secret_value()}  # fmt: skip
    response = yield adapter.request(
        "POST", "/oauth/client_token/", endpoint="share", safe=True, json=body
    )
    data = answer_data(response)
    token = str(data["access_token"])
    cache["client_token"] = (token, ticket_expiry(now, data.get("expires_in")))
    return token


def open_ticket(
    adapter: PlatformAdapter,
    cache: dict[str, tuple[str, datetime]],
    app_token: str,
    now: datetime,
) -> Flow[tuple[str, datetime]]:
    """Flow: the open ticket (``GET /open/getticket/``) and its expiry, kept in ``cache``."""
    held = cache.get("ticket")
    if held is not None and held[1] - _MARGIN > now:
        return held
    response = yield adapter.request(
        "GET", "/open/getticket/", endpoint="share", headers={"access-token": app_token}
    )
    data = answer_data(response)
    cache["ticket"] = (str(data["ticket"]), ticket_expiry(now, data.get("expires_in")))
    return cache["ticket"]
