"""Every request the Douyin client builds, checked against ByteDance's own SDK.

The operation definitions come from ``@open-dy/open_api_sdk`` **1.1.0** (npm), read from
its ``dist/client.js``: for each operation the method, the path, the host, the
content type, the body and query field names (``bodyParam``/``queryParam``) and the
field types of its ``*Request`` model (``static names()``/``static types()``). The
package is found through ``SMMKIT_DOUYIN_SDK`` (the package directory, or a
``node_modules`` holding it) or at ``.cache/douyin-sdk/node_modules/@open-dy/open_api_sdk``
under the repository (``scripts/ci/douyin_sdk.sh`` installs it there); without it the
tests skip, saying so.

The requests are recorded while the client runs its operations against the fake
server of ``tests/platforms/test_douyin.py``. ``/open/getticket/`` (the share hand-off's
open ticket) is not in the SDK: it is checked against the documentation page instead.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from tests.platforms.test_douyin import FakeDouyin, adapter, post

from smmkit.platforms import InMemoryTokenStore, SimulatedClock
from smmkit.testing import RecordingTransport, client_for

SDK_VERSION = "1.1.0"
_ROOT = Path(__file__).resolve().parents[2]
_PACKAGE = Path("node_modules") / "@open-dy" / "open_api_sdk"
_NOT_IN_SDK: dict[str, tuple[str, str, frozenset[str], frozenset[str]]] = {
    # https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/tools-ability/jsb-management/open-ticket
    "/open/getticket/": ("GET", "application/json", frozenset(), frozenset()),
}


def sdk_dir() -> Path | None:
    """The SDK package directory, if it is installed where the tests look."""
    given = os.environ.get("SMMKIT_DOUYIN_SDK")
    candidates = []
    if given:
        path = Path(given)
        candidates += [path, path / _PACKAGE, path / "@open-dy" / "open_api_sdk"]
    candidates.append(_ROOT / ".cache" / "douyin-sdk" / _PACKAGE)
    for candidate in candidates:
        if (candidate / "dist" / "client.js").is_file():
            return candidate
    return None


class Operation:
    """One SDK operation: what its request looks like."""

    def __init__(self, name: str, block: str, models: dict[str, dict[str, Any]]) -> None:
        self.name = name
        self.method = _one(r'request_\.method = "([A-Z]+)"', block)
        self.path = _one(r'request_\.pathname = "([^"]+)"', block)
        self.host = _one(r'request_\.headers\["host"\] = "([^"]*)"', block)
        ctype = re.search(r'request_\.headers\["content-type"\] = [`"]([^`";]+)', block)
        self.content_type = ctype.group(1) if ctype else ""
        self.body = frozenset(re.findall(r"(\w+): (?:bodyMap\[|request\.)", _part(block, "body")))
        self.query = frozenset(re.findall(r"(\w+): (?:bodyMap\[|request\.)", _part(block, "query")))
        self.token_header = (
            "access-token"
            if 'headers["access-token"]' in block
            else "access_token"
            if 'headers["access_token"]' in block
            else None
        )
        model = models.get(name[0].upper() + name[1:] + "Request", {})
        self.types: dict[str, Any] = model


def _one(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, pattern
    return found.group(1)


def _part(block: str, kind: str) -> str:
    found = re.search(rf"let {kind}Param = \{{(.*?)\}};", block, re.S)
    return found.group(1) if found else ""


@cache
def operations() -> dict[str, Operation]:
    """The SDK's operations by path (one per path on open.douyin.com)."""
    base = sdk_dir()
    assert base is not None
    package = json.loads((base / "package.json").read_text())
    assert package["version"] == SDK_VERSION, package["version"]
    source = (base / "dist" / "client.js").read_text("utf-8")
    models: dict[str, dict[str, Any]] = {}
    for match in re.finditer(
        r"class (\w+Request) extends \$tea\.Model \{.*?static names\(\) \{\s*return \{(.*?)\};"
        r".*?static types\(\) \{\s*return \{(.*?)\};",
        source,
        re.S,
    ):
        names = dict(re.findall(r"(\w+): '(\w+)'", match.group(2)))
        types = dict(re.findall(r"(\w+): ('[\w]+'|\{[^}]*\}|[\w.$]+)", match.group(3)))
        models[match.group(1)] = {names[k]: v for k, v in types.items() if k in names}
    found: dict[str, Operation] = {}
    blocks = re.split(r"\n    async (\w+)\(request\) \{", source)
    for name, block in zip(blocks[1::2], blocks[2::2], strict=False):
        if not re.search(r'request_\.method = "[A-Z]+"', block) or "pathname" not in block:
            continue  # built another way (none of the client's operations)
        op = Operation(name, block, models)
        if op.host == "open.douyin.com":
            found.setdefault(op.path, op)
    return found


def _type_ok(declared: str, value: Any) -> bool:
    if declared == "'string'":
        return isinstance(value, str)
    if declared == "'number'":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if declared == "'boolean'":
        return isinstance(value, bool)
    if "'array'" in declared:
        return isinstance(value, list)
    return True  # a nested model or a file field


pytestmark = pytest.mark.skipif(
    sdk_dir() is None,
    reason=(
        f"@open-dy/open_api_sdk {SDK_VERSION} is not installed: run scripts/ci/douyin_sdk.sh "
        "or set SMMKIT_DOUYIN_SDK to its directory"
    ),
)


def check(request: httpx.Request) -> str:
    """Check ``request`` against its SDK operation; the operation's name."""
    path = request.url.path
    query = {k for k, _ in request.url.params.multi_items()}
    ctype = request.headers.get("content-type", "")
    if path in _NOT_IN_SDK:
        method, _, body, params = _NOT_IN_SDK[path]
        assert request.method == method and query <= params and not request.content
        return "(docs) " + path
    op = operations().get(path)
    assert op is not None, f"{request.method} {path} is no operation of the SDK"
    assert request.url.host == op.host
    assert request.method == op.method, (path, request.method, op.method)
    assert query <= op.query, (path, sorted(query - op.query))
    for key in query:
        if key in op.types:
            assert op.types[key] in ("'string'", "'number'", "'boolean'"), (path, key)
    if op.content_type.startswith("multipart/form-data"):
        assert ctype.startswith("multipart/form-data; boundary=")
        names = set(re.findall(rb'; name="([^"]+)"', request.content))
        assert names <= {n.encode() for n in op.body}, (path, names)
    elif op.content_type == "application/x-www-form-urlencoded":
        assert ctype == op.content_type, (path, ctype)
        form = dict(parse_qsl(request.content.decode()))
        assert set(form) <= op.body, (path, sorted(set(form) - op.body))
    elif request.content:
        assert ctype == "application/json", (path, ctype)
        body = json.loads(request.content)
        assert set(body) <= op.body, (path, sorted(set(body) - op.body))
        for key, value in body.items():
            if key in op.types:
                assert _type_ok(op.types[key], value), (path, key, op.types[key], value)
    if op.token_header == "access-token" and not path.startswith("/oauth/"):
        assert "access-token" in request.headers, path
    return op.name


def recorded() -> list[httpx.Request]:
    """The requests of every operation the client has, against the fake server."""
    server = FakeDouyin(clock=SimulatedClock())
    recording = RecordingTransport(server)
    extras: dict[str, Any] = {
        "poi_id": "6601136",
        "micro_app_id": "tt01",
        "micro_app_title": "店",
        "micro_app_url": "pages/i",
        "private_status": 1,
        "at_users": ["ou-2"],
        "cover_tsp": 1.5,
        "download_type": 2,
        "poi_commerce": True,
    }
    parts = adapter(single_upload_max=1024 * 1024, part_bytes=5 * 1024 * 1024)
    long = post(url="https://cdn.example/long.mp4")
    store = InMemoryTokenStore()  # one grant: the seed refresh token is renewed once
    for chosen, item in ((adapter(), post(**extras)), (parts, long)):
        client = client_for("sync", chosen, recording, clock=server.clock, token_store=store)
        result = client.publish(item)
        receipt = result.receipt
        assert receipt is not None, result.error
        client.run(chosen.find_published(item, idempotency_key="k"))
        client.metrics(receipt.post_id)
        top = client.reply(receipt.post_id, receipt.post_id, "来试试")
        client.reply(receipt.post_id, top.id, "谢谢")
        server.comments[receipt.post_id][0]["reply_comment_total"] = 1
        client.comments(receipt.post_id)
        client.run(chosen.share_handoff(item, hashtags=["夏天"]), authenticated=False)
    return recording.requests


def test_the_sdk_is_the_pinned_version() -> None:
    assert SDK_VERSION == "1.1.0"
    assert {"/api/douyin/v1/video/create_video/", "/oauth/renew_refresh_token/"} <= set(
        operations()
    )


def test_every_request_matches_an_sdk_operation() -> None:
    used = {check(request) for request in recorded()}
    assert {
        "oauthRenewRefreshToken",
        "oauthRefreshToken",
        "videoUploadVideo",
        "initVideoPartUpload",
        "videoUploadVideoPart",
        "completeVideoPartUpload",
        "videoCreateVideo",
        "videoVideoList",
        "videoVideoData",
        "commentList",
        "commentReplyList",
        "itemCommentReply",
        "oauthClientToken",
        "shareid",
    } <= used, sorted(used)


def test_the_code_exchange_matches_the_sdk() -> None:
    from smmkit.platforms import oauth
    from smmkit.testing import run_flow

    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "data": {
                    "access_token": "act.1",
                    "error_code": 0,
                    "expires_in": 1296000,
                    "open_id": "ou",
                    "refresh_token": "rft.1",
                    "refresh_expires_in": 2592000,
                    "scope": "user_info",
                },
                "message": "success",
            },
        )

    from datetime import datetime, timezone

    token = run_flow(
        oauth.exchange_code(
            oauth.DOUYIN,
            client=oauth.OAuthClient(client_id="ck", client_secret="cs"),
            code="c1",
            redirect_uri="https://a.example/cb",
        ),
        server,
        now=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    assert check(seen[0]) == "oauthAccessToken" and token.account_id == "ou"


def test_a_request_outside_the_sdk_is_caught() -> None:
    bad = httpx.Request(
        "POST",
        "https://open.douyin.com/api/douyin/v1/video/create_video/",
        json={"video_id": "v", "title": "no such field"},
    )
    with pytest.raises(AssertionError):
        check(bad)
