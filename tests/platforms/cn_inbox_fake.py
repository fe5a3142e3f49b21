"""Fakes of the Chinese platforms' inbox lists, from their documented shapes.

* WeChat OA ``cgi-bin/comment/list``: ``begin``/``count`` (< 50) over one publication's
  comments, ``total``; errcode in HTTP 200; ``stable_token`` for the token.
* WeCom ``cgi-bin/kf/sync_msg``: ``cursor``/``limit`` → ``next_cursor``, ``has_more``,
  ``msg_list`` oldest first with ``origin`` (3 customer, 5 servicer); ``gettoken``.
* Weibo ``statuses/mentions`` and ``comments/to_me``: newest first, ``since_id`` (ids
  above), ``max_id`` (ids at or below), ``count``.
* Douyin ``item/comment/list``: ``cursor`` (an offset here), ``count``, ``has_more``,
  ``sort_type=time`` newest first, answers inside ``data``.

Every fake counts its list reads; ``on_read[n]`` runs just before the n-th list read is
answered, which is how items "arrive between two pages".
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from smmkit.testing import FakePlatform

BEIJING = timezone(timedelta(hours=8))
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z


class _Lists(FakePlatform):
    def __init__(self) -> None:
        self.reads = 0
        self.on_read: dict[int, Callable[[], None]] = {}
        self.seen: list[str] = []

    def _read(self) -> None:
        self.reads += 1
        hook = self.on_read.pop(self.reads, None)
        if hook is not None:
            hook()


def _wx(**fields: Any) -> httpx.Response:
    return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", **fields})


class FakeWeChatComments(_Lists):
    """``comment/list`` of several publications; ``newest_first`` flips the order."""

    def __init__(self, *, newest_first: bool = False) -> None:
        super().__init__()
        self.newest_first = newest_first
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self._ucid: dict[str, itertools.count[int]] = {}

    def add(self, msg_data_id: str, n: int = 1) -> list[str]:
        ids = self._ucid.setdefault(msg_data_id, itertools.count(1))
        added = []
        for _ in range(n):
            ucid = next(ids)
            self.comments.setdefault(msg_data_id, []).append(
                {
                    "user_comment_id": ucid,
                    "create_time": T0 + ucid,
                    "content": f"comment {ucid}",
                    "comment_type": 0,
                    "openid": f"o{ucid}",
                }
            )
            added.append(f"{msg_data_id}-{ucid}")
        return added

    def delete(self, msg_data_id: str, ucid: int) -> None:
        listed = self.comments[msg_data_id]
        listed[:] = [c for c in listed if c["user_comment_id"] != ucid]

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        if path == "/cgi-bin/stable_token":
            return _wx(access_token="wx-token", expires_in=7200)
        if request.url.params.get("access_token") != "wx-token":
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        if path != "/cgi-bin/comment/list":
            return httpx.Response(200, json={"errcode": 48001, "errmsg": "api unauthorized"})
        body = json.loads(request.content)
        assert body["count"] < 50 and body["type"] == 0
        self._read()
        listed = list(self.comments.get(str(body["msg_data_id"]), []))
        if self.newest_first:
            listed.reverse()
        begin = body["begin"]
        return _wx(comment=listed[begin : begin + body["count"]], total=len(listed))


class FakeWeComKf(_Lists):
    """``kf/sync_msg``: one message log, the cursor an index into it."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[dict[str, Any]] = []
        self._n = itertools.count(1)

    def add(self, n: int = 1, *, origin: int = 3) -> list[str]:
        added = []
        for _ in range(n):
            i = next(self._n)
            self.log.append(
                {
                    "msgid": f"from_msgid_{i}",
                    "open_kfid": "wkTEA",
                    "external_userid": f"wm{i % 3}",
                    "send_time": T0 + i,
                    "origin": origin,
                    "msgtype": "text",
                    "text": {"content": f"message {i}"},
                }
            )
            if origin == 3:
                added.append(f"from_msgid_{i}")
        return added

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        if path == "/cgi-bin/gettoken":
            return _wx(access_token="wecom-token", expires_in=7200)
        if request.url.params.get("access_token") != "wecom-token":
            return httpx.Response(200, json={"errcode": 40014, "errmsg": "invalid token"})
        if path != "/cgi-bin/kf/sync_msg":
            return httpx.Response(200, json={"errcode": 48002, "errmsg": "api forbidden"})
        body = json.loads(request.content)
        self._read()
        start = int(body.get("cursor") or 0)
        chunk = self.log[start : start + body["limit"]]
        end = start + len(chunk)
        return _wx(next_cursor=str(end), has_more=int(end < len(self.log)), msg_list=chunk)


def weibo_time(at: int) -> str:
    return datetime.fromtimestamp(at, BEIJING).strftime("%a %b %d %H:%M:%S %z %Y")


class FakeWeiboInbox(_Lists):
    """``statuses/mentions`` and ``comments/to_me`` with Weibo's id paging."""

    def __init__(self) -> None:
        super().__init__()
        self.mentions: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self._ids = itertools.count(4_300_000_000_000_001)

    def add(self, kind: str, n: int = 1) -> list[str]:
        added = []
        for _ in range(n):
            i = next(self._ids)
            item: dict[str, Any] = {
                "id": i,
                "idstr": str(i),
                "created_at": weibo_time(T0 + i % 100_000),
                "text": f"{kind} {i}",
                "user": {"id": 7000 + i % 5, "screen_name": "茶友"},
            }
            if kind == "comments":
                item["status"] = {"id": 4_200_000_000_000_001, "idstr": "4200000000000001"}
                self.comments.append(item)
            else:
                self.mentions.append(item)
            added.append(str(i))
        return added

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        if request.headers.get("authorization") != "OAuth2 weibo-token":
            body = {"error": "invalid_access_token", "error_code": 21332, "request": path}
            return httpx.Response(401, json=body)
        lists = {
            "/2/statuses/mentions.json": ("statuses", self.mentions),
            "/2/comments/to_me.json": ("comments", self.comments),
        }
        if path not in lists:
            return httpx.Response(404, json={"error": "no", "error_code": 20003, "request": path})
        self._read()
        field, listed = lists[path]
        params = request.url.params
        since = int(params.get("since_id", 0))
        top = int(params.get("max_id", 0)) or None
        count = int(params.get("count", 20))
        chosen = [
            i for i in reversed(listed) if i["id"] > since and (top is None or i["id"] <= top)
        ]
        return httpx.Response(200, json={field: chosen[:count], "total_number": len(listed)})


class FakeDouyinComments(_Lists):
    """``item/comment/list`` newest first; the cursor is an offset, as Douyin's is."""

    def __init__(self) -> None:
        super().__init__()
        self.comments: dict[str, list[dict[str, Any]]] = {}
        self._n = itertools.count(1)

    def add(self, item_id: str, n: int = 1, *, same_second: bool = False) -> list[str]:
        added = []
        for _ in range(n):
            i = next(self._n)
            self.comments.setdefault(item_id, []).append(
                {
                    "comment_id": f"@c{i}",
                    "comment_user_id": f"u{i % 4}",
                    "content": f"评论 {i}",
                    "create_time": T0 + (0 if same_second else i),
                    "reply_comment_total": 0,
                }
            )
            added.append(f"@c{i}")
        return added

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.seen.append(path)
        if request.headers.get("access-token") != "act.douyin":
            return httpx.Response(200, json={"data": {"error_code": 10008, "description": "x"}})
        if path != "/item/comment/list/":
            return httpx.Response(200, json={"data": {"error_code": 2100005, "description": "x"}})
        params = request.url.params
        assert params["sort_type"] == "time" and int(params["count"]) <= 50
        self._read()
        listed = list(reversed(self.comments.get(params["item_id"], [])))
        start = int(params["cursor"])
        chunk = listed[start : start + int(params["count"])]
        end = start + len(chunk)
        data = {"error_code": 0, "list": chunk, "cursor": end, "has_more": end < len(listed)}
        return httpx.Response(200, json={"data": data, "extra": {"logid": "log-1"}})
