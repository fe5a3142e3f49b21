"""A media URL in a model is absolute http(s) with a host; nothing else gets in.

Content arrives as JSON from editors, spreadsheets and other systems: a ``file:`` URL
(or a bare path, or ``data:``) in it must be refused where it is read, not later by
whatever loads the media.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from smmkit.exceptions import InvalidInputError
from smmkit.models import ContentPiece, MediaAsset, PlatformPost

REFUSED = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "file://localhost/etc/passwd",
    "file:/etc/passwd",
    "/etc/passwd",
    "../../etc/passwd",
    "etc/passwd",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\a.png",
    "//cdn.example.com/a.png",
    "data:image/png;base64,aGk=",
    "ftp://cdn.example.com/a.png",
    "javascript:alert(1)",
    "gopher://cdn.example.com/a",
    "https://",
    "https:///a.png",
    "http:a.png",
    "https://user:secret@cdn.example.com/a.png",
    "https://cdn.example.com:99999/a.png",
    "https://cdn.example.com/a b.png",
    " https://cdn.example.com/a.png",
    "https://cdn.example.com/a.png\n",
    "https://cdn.example.com/\x00.png",
    "https://[::1/a.png",
]

ACCEPTED = [
    "https://cdn.example.com/a.png",
    "http://cdn.example.com/a.png",
    "HTTPS://CDN.EXAMPLE.COM/A.PNG",
    "https://cdn.example.com:8443/media/a.png?sig=abc&exp=1#frag",
    "https://127.0.0.1/a.png",
    "https://[2001:db8::1]/a.png",
    "https://例子.测试/图.png",
]


@pytest.mark.parametrize("url", REFUSED)
def test_media_asset_refuses_anything_but_absolute_http_urls(url: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        MediaAsset(kind="image", url=url)
    assert caught.value.fields == ("url",)


@pytest.mark.parametrize("url", ACCEPTED)
def test_media_asset_accepts_absolute_http_urls(url: str) -> None:
    assert MediaAsset(kind="image", url=url).url == url


def test_a_file_url_in_a_json_piece_is_refused_at_validation() -> None:
    payload = {
        "id": "tea-1",
        "body": "hi",
        "media": [{"kind": "image", "url": "file:///etc/passwd"}],
    }
    with pytest.raises(InvalidInputError) as caught:
        ContentPiece.model_validate_json(json.dumps(payload))
    assert caught.value.fields == ("media.0.url",)
    message = str(caught.value)
    assert "http(s)" in message and "LocalMediaLoader(base_dir=" in message  # how to opt in


@pytest.mark.parametrize("model", [ContentPiece, PlatformPost])
@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/plain,hi", "/etc/passwd"])
def test_every_model_holding_media_refuses_local_sources(model: Any, url: str) -> None:
    base: dict[str, Any] = {"body": "hi", "media": [{"kind": "image", "url": url}]}
    base.update({"id": "p"} if model is ContentPiece else {"platform": "x", "piece_id": "p"})
    with pytest.raises(InvalidInputError) as caught:
        model.model_validate(base)
    assert caught.value.fields == ("media.0.url",)
    with pytest.raises(InvalidInputError):
        model.model_validate_json(json.dumps(base))


def test_a_valid_piece_round_trips_through_json() -> None:
    piece = ContentPiece(
        id="tea-1",
        body="hi",
        media=(MediaAsset(kind="video", url="https://cdn.example.com/brew.mp4"),),
    )
    assert ContentPiece.model_validate_json(piece.model_dump_json()) == piece


def test_a_copy_cannot_smuggle_a_file_url_past_validation() -> None:
    asset = MediaAsset(kind="image", url="https://cdn.example.com/a.png")
    with pytest.raises(InvalidInputError):
        MediaAsset.model_validate({**asset.model_dump(), "url": "file:///etc/passwd"})
