"""An empty body is refused at publish (issue 15, item 3), on both drivers.

The refusal is a typed :class:`~smmkit.exceptions.InvalidInputError` naming ``body``,
carried by the result (``publish`` never raises it), and nothing reaches the platform.
A post of media alone goes out where the catalog says the platform takes one.
"""

from __future__ import annotations

from typing import Any

import pytest

from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece, MediaAsset, PlatformPost
from smmkit.platforms import Publisher, SandboxPlatform, SimulatedClock
from smmkit.platforms._flow import empty_body_error
from smmkit.platforms.sandbox import SandboxAdapter
from smmkit.testing import TINY_PNG, drive

BLANKS = ["", " ", "\n\t \r\n", "\u3000\u3000", "\xa0", "\u200b\u2060\ufeff", " " * 10_000]
PHOTO = MediaAsset(kind="image", url=TINY_PNG, mime_type="image/png", size_bytes=68)


def _client(kind: str, sandbox: SandboxPlatform) -> Any:
    return sandbox.client() if kind == "sync" else sandbox.async_client()


@pytest.mark.parametrize("body", BLANKS, ids=lambda b: repr(b[:12]))
@pytest.mark.parametrize("spec", ["mastodon", "x", "wecom", "weibo"])
def test_an_empty_body_is_refused_in_the_result_and_never_sent(
    kind: str, body: str, spec: str
) -> None:
    sandbox = SandboxPlatform(spec=spec, clock=SimulatedClock())
    result = drive(kind, _client(kind, sandbox), lambda c: c.publish(sandbox.sample_post(body)))
    assert not result.ok
    assert result.error.error_type == "InvalidInputError"
    assert result.error.fields == ("body",)
    assert isinstance(result.exception, InvalidInputError)
    assert result.exception.fields == ("body",)
    assert sandbox.requests_seen == 0 and sandbox.published_count == 0


def test_an_empty_thread_is_refused_and_a_thread_with_words_is_not() -> None:
    adapter = SandboxAdapter(spec="mastodon")
    empty = PlatformPost(platform="mastodon", piece_id="p", body=" ", parts=(" ", "\n"))
    assert empty_body_error(adapter, empty) is not None
    words = empty.model_copy(update={"parts": (" ", "2/2 words")})
    assert empty_body_error(adapter, words) is None


def test_a_visible_character_is_not_empty() -> None:
    adapter = SandboxAdapter(spec="mastodon")
    for body in (".", "🍵", "\u200d🍵", "茶"):
        post = PlatformPost(platform="mastodon", piece_id="p", body=f"  {body}  ")
        assert empty_body_error(adapter, post) is None, body


@pytest.mark.parametrize("spec", ["mastodon", "x", "weibo", "instagram", "wecom"])
def test_media_alone_goes_out_where_the_catalog_takes_it(kind: str, spec: str) -> None:
    sandbox = SandboxPlatform(spec=spec, clock=SimulatedClock())
    post = sandbox.sample_post("", media=(PHOTO,))
    result = drive(kind, _client(kind, sandbox), lambda c: c.publish(post))
    assert result.ok, result.error
    assert sandbox.published_count == 1


@pytest.mark.parametrize("spec", ["wechat_oa"])
def test_media_alone_is_refused_where_the_platform_needs_words(kind: str, spec: str) -> None:
    sandbox = SandboxPlatform(spec=spec, clock=SimulatedClock())
    post = sandbox.sample_post(" ", title="标题", media=(PHOTO,))
    result = drive(kind, _client(kind, sandbox), lambda c: c.publish(post))
    assert result.error.fields == ("body",)
    assert "wechat_oa does not take a post of media alone" in result.error.message
    assert sandbox.published_count == 0


def test_content_in_extras_is_not_an_empty_post() -> None:
    adapter = SandboxAdapter(spec="wechat_oa")
    html = PlatformPost(
        platform="wechat_oa",
        piece_id="p",
        title="标题",
        body="",
        extras={"content_html": "<p>冷泡茶</p>"},
    )
    assert empty_body_error(adapter, html) is None
    card = PlatformPost(
        platform="wecom",
        piece_id="p",
        body="",
        extras={"msgtype": "textcard", "textcard": {"t": 1}},
    )
    assert empty_body_error(SandboxAdapter(spec="wecom"), card) is None


def test_a_dry_run_lists_the_empty_body_among_its_problems(kind: str) -> None:
    sandbox = SandboxPlatform(spec="x", clock=SimulatedClock())
    post = sandbox.sample_post(" ", title="t" * 400)
    result = drive(kind, _client(kind, sandbox), lambda c: c.publish(post, dry_run=True))
    assert result.dry_run and not result.ok
    assert any(p.startswith("body: is empty") for p in result.problems)
    assert sandbox.requests_seen == 0


def test_publish_many_reports_an_empty_piece_per_platform() -> None:
    sandbox = SandboxPlatform(clock=SimulatedClock())
    with sandbox.client() as client:
        batch = Publisher({"mastodon": client}).publish_many(
            [ContentPiece(id="blank", body="\u3000"), ContentPiece(id="tea", body="Tea.")]
        )
    assert [(r.piece_id, r.ok) for r in batch.results] == [("blank", False), ("tea", True)]
    assert batch.results[0].error.fields == ("body",)  # type: ignore[union-attr]
    assert sandbox.published_count == 1
