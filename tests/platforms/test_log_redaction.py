"""httpx and httpcore log lines never carry a token or secret from a query string.

WeChat and WeCom put the access token (and WeCom the corp secret) in the URL, and httpx
logs every URL at INFO. The drivers redact query values in those records; these tests
send real requests to a server on 127.0.0.1, so httpcore's DEBUG lines run as well.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.support.json_server import JsonHandler, serving

from smmkit.models import PlatformPost
from smmkit.platforms import AsyncClient, Client, Credentials, InMemoryTokenStore
from smmkit.platforms._driver import _RedactQuery, install_log_redaction
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.platforms.wecom import WeComAdapter
from smmkit.testing import SENTINEL_SECRET, drive

TOKEN = "live-token-SENTINEL-7c1d"


class _Handler(JsonHandler):
    """WeChat and WeCom, reduced to: a token for the token call, success for the rest."""

    def body(self, path: str) -> dict[str, Any]:
        if path in ("/cgi-bin/stable_token", "/cgi-bin/gettoken"):
            return {"access_token": TOKEN, "expires_in": 7200}
        return {"errcode": 0, "errmsg": "ok", "msgid": "m1"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(_Handler) as url:
        yield url


def _client(kind: str, adapter: Any) -> Any:
    options: dict[str, Any] = {"token_store": InMemoryTokenStore()}
    if kind == "sync":
        return Client(adapter, http_client=httpx.Client(trust_env=False), **options)
    return AsyncClient(adapter, http_client=httpx.AsyncClient(trust_env=False), **options)


def _capture_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)


def test_wechat_token_in_the_query_is_not_logged(
    kind: str, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _capture_everything(caplog)
    adapter = WeChatOfficialAccountAdapter(
        base_url=base_url,
        credentials=Credentials(client_id="wx1", client_secret=SENTINEL_SECRET),
    )
    client = _client(kind, adapter)
    receipt = drive(kind, client, lambda c: c.send_message("o1", "你好"))
    assert receipt.message_id == "m1"
    lines = [r.getMessage() for r in caplog.records]
    sent = [m for m in lines if m.startswith("HTTP Request: POST") and "custom/send" in m]
    assert sent, lines  # httpx did log the request...
    assert "access_token=[redacted]" in sent[0]  # ...with the token replaced
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # DEBUG lines ran
    for secret in (TOKEN, SENTINEL_SECRET):
        assert secret not in caplog.text


def test_wecom_secret_and_token_in_the_query_are_not_logged(
    kind: str, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    _capture_everything(caplog)
    adapter = WeComAdapter(
        base_url=base_url,
        credentials=Credentials(client_id="ww1", client_secret=SENTINEL_SECRET),
        agent_id=1000002,
        to_users=("zhangsan",),
    )
    client = _client(kind, adapter)
    post = PlatformPost(platform="wecom", piece_id="p", body="会议改到三点")
    result = drive(kind, client, lambda c: c.publish(post))
    assert result.ok, result.error
    lines = [r.getMessage() for r in caplog.records]
    token_call = [m for m in lines if m.startswith("HTTP Request: GET") and "gettoken" in m]
    assert token_call and "corpsecret=[redacted]" in token_call[0], lines
    for secret in (TOKEN, SENTINEL_SECRET):
        assert secret not in caplog.text


def test_installing_is_idempotent_and_covers_httpcore_loggers() -> None:
    for _ in range(3):
        install_log_redaction()
    for name in ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, _RedactQuery) for f in filters) == 1, name


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "setup url=http://h.example/a?access_token=abc&x=1 done",
            "setup url=http://h.example/a?access_token=[redacted]&x=[redacted] done",
        ),
        ("no query here", "no query here"),
        ("what? nothing=to see", "what? nothing=to see"),
    ],
)
def test_preformatted_lines_are_redacted(message: str, expected: str) -> None:
    record = logging.LogRecord("httpcore.http11", logging.DEBUG, __file__, 1, message, None, None)
    assert _RedactQuery().filter(record)
    assert record.getMessage() == expected


def test_importing_smmkit_installs_no_logging_filter() -> None:
    code = (
        "import logging, smmkit, smmkit.platforms, smmkit.platforms.wechat, "
        "smmkit.platforms.wecom, smmkit.platforms.bluesky, smmkit.platforms.mastodon\n"
        "names = ('httpx', 'httpcore', 'httpcore.http11', 'httpcore.connection')\n"
        "print(sum(len(logging.getLogger(n).filters) for n in names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "0"
