"""Media loading is safe by default: no local file is read unless the caller opts in.

The default loader downloads ``http(s)`` media through the client's injected ``httpx``
client (no token, bounded size, ``http(s)`` redirects only); local files need an
explicit :class:`LocalMediaLoader` whose paths stay inside its base directory. Every
network answer here comes from an in-memory transport: nothing leaves the process.
"""

from __future__ import annotations

import builtins
import io
import os
import pathlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smmkit.exceptions import (
    InvalidInputError,
    MediaFetchError,
    MediaSourceError,
    MediaTooLargeError,
)
from smmkit.models import MediaAsset, MediaKind, PlatformPost
from smmkit.platforms import (
    DEFAULT_MAX_MEDIA_BYTES,
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    LocalMediaLoader,
    SandboxPlatform,
    SimulatedClock,
    read_local_media,
)
from smmkit.platforms._media import fetch_media, load_media, media_request
from smmkit.platforms.bluesky import BlueskyAdapter
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.platforms.wechat import WeChatOfficialAccountAdapter
from smmkit.testing import FakePlatform, client_for, drive, run_flow

BASE = "https://social.example"
MEDIA_HOST = "media.example"
IMAGE = f"https://{MEDIA_HOST}/cover.png"
PNG_BYTES = b"\x89PNG\r\n\x1a\n-cover-bytes"
TOKEN = "platform-token-7c1d"
SECRET_CONTENT = b"root:x:0:0:SENTINEL-LOCAL-FILE"

MediaAnswer = Callable[[httpx.Request], httpx.Response]


class FakeMastodonMedia(FakePlatform):
    """The media host and Mastodon's upload and status endpoints, in memory."""

    def __init__(self, media: MediaAnswer | None = None) -> None:
        self.media = media or (lambda request: httpx.Response(200, content=PNG_BYTES))
        self.media_requests: list[httpx.Request] = []
        self.uploads: list[bytes] = []
        self.creates = 0
        self.platform_requests: list[httpx.Request] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == MEDIA_HOST:
            self.media_requests.append(request)
            return self.media(request)
        self.platform_requests.append(request)
        assert request.headers.get("authorization") == f"Bearer {TOKEN}"
        if request.url.path == "/api/v2/media":
            self.uploads.append(request.content)
            return httpx.Response(200, json={"id": "m1", "url": f"{BASE}/m1.png"})
        if request.url.path == "/api/v1/statuses":
            self.creates += 1
            return httpx.Response(
                200, json={"id": "1", "url": f"{BASE}/@me/1", "created_at": "2026-01-01T00:00:00Z"}
            )
        return httpx.Response(404, json={"error": "Record not found"})


def mastodon(**options: Any) -> MastodonAdapter:
    return MastodonAdapter(base_url=BASE, access_token=TOKEN, **options)


def image(url: str = IMAGE) -> MediaAsset:
    return MediaAsset(kind="image", url=url)


def unchecked(url: str) -> MediaAsset:
    """An asset that skipped validation (``model_construct``): the loader must still refuse."""
    return MediaAsset.model_construct(kind=MediaKind.IMAGE, url=url)


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    path = tmp_path / "passwd"
    path.write_bytes(SECRET_CONTENT)
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, sentinel: Path) -> list[str]:
    """Every attempt to open (or stat-and-read) the sentinel file, by any usual route."""
    seen: list[str] = []
    name = sentinel.name

    def spy(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if args and name in str(args[0]):
                seen.append(str(args[0]))
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(io, "open", spy(io.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    monkeypatch.setattr(pathlib.Path, "open", spy(pathlib.Path.open))
    monkeypatch.setattr(pathlib.Path, "read_bytes", spy(pathlib.Path.read_bytes))
    return seen


# -- the default loader: downloads http(s), never a local file ---------------------------


@pytest.mark.parametrize("form", ["file://{path}", "{path}", "file://localhost{path}"])
def test_default_loader_never_opens_a_local_file(
    kind: str, sentinel: Path, opened: list[str], form: str
) -> None:
    server = FakeMastodonMedia()
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    asset = unchecked(form.format(path=sentinel))
    with pytest.raises(MediaSourceError) as caught:
        drive(kind, client, lambda c: c.upload_media(asset))
    assert caught.value.fields == ("media.url",)
    assert "LocalMediaLoader(base_dir=" in str(caught.value)  # says how to opt in
    assert opened == []
    assert server.uploads == [] and server.media_requests == []


def test_file_url_in_a_json_piece_never_reaches_a_client(sentinel: Path) -> None:
    payload = (
        '{"platform": "mastodon", "piece_id": "p", "body": "hi",'
        f' "media": [{{"kind": "image", "url": "file://{sentinel}"}}]}}'
    )
    with pytest.raises(InvalidInputError) as caught:
        PlatformPost.model_validate_json(payload)
    assert caught.value.fields == ("media.0.url",)


def test_default_loader_downloads_through_the_injected_client_without_the_token(
    kind: str,
) -> None:
    server = FakeMastodonMedia()
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    handle = drive(kind, client, lambda c: c.upload_media(image()))
    assert handle.media_id == "m1"
    (fetch,) = server.media_requests
    assert fetch.method == "GET" and str(fetch.url) == IMAGE
    assert "authorization" not in fetch.headers and TOKEN not in str(fetch.url)
    assert PNG_BYTES in server.uploads[0]
    assert b'filename="cover.png"' in server.uploads[0]


def test_a_query_token_platform_does_not_put_its_token_on_the_download(kind: str) -> None:
    fetched: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == MEDIA_HOST:
            fetched.append(request)
            return httpx.Response(200, content=PNG_BYTES)
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": TOKEN, "expires_in": 7200})
        assert request.url.params["access_token"] == TOKEN
        return httpx.Response(200, json={"errcode": 0, "media_id": "M1", "url": "u"})

    adapter = WeChatOfficialAccountAdapter(
        credentials=Credentials(client_id="wx1", client_secret="s")
    )
    client = client_for(
        kind,
        adapter,
        httpx.MockTransport(answer),
        clock=SimulatedClock(),
        token_store=InMemoryTokenStore(),
    )
    handle = drive(kind, client, lambda c: c.upload_media(image()))
    assert handle.media_id == "M1"
    (fetch,) = fetched
    assert "access_token" not in fetch.url.params and TOKEN not in str(fetch.url)


def test_a_failed_download_fails_the_publish_and_posts_nothing(kind: str) -> None:
    server = FakeMastodonMedia(media=lambda request: httpx.Response(404))
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    post = PlatformPost(platform="mastodon", piece_id="p", body="hi", media=(image(),))
    result = drive(kind, client, lambda c: c.publish(post))
    assert not result.ok and result.error is not None
    assert result.error.error_type == "MediaFetchError"
    assert server.creates == 0 and server.uploads == []


def test_a_download_without_a_connection_is_a_media_fetch_error(kind: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    server = FakeMastodonMedia(media=refuse)
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    with pytest.raises(MediaFetchError) as caught:
        drive(kind, client, lambda c: c.upload_media(image()))
    assert caught.value.outcome_unknown is False
    assert caught.value.__cause__ is None and caught.value.__context__ is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://127.0.0.1:6379/",
        "http://localhost/a.png",
        "http://[::1]/a.png",
        "http://10.0.0.7/a.png",
        "http://2130706433/a.png",
        "http://0x7f.1/a.png",
    ],
)
def test_the_default_loader_does_not_download_internal_addresses(kind: str, url: str) -> None:
    """Content naming the cloud metadata service or localhost must not be uploaded."""
    server = FakeMastodonMedia()
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    with pytest.raises(MediaSourceError, match="private address"):
        drive(kind, client, lambda c: c.upload_media(image(url)))
    assert server.media_requests == [] and server.uploads == []


def test_a_redirect_to_an_internal_address_is_refused(kind: str) -> None:
    hops = {"/cover.png": "http://169.254.169.254/latest/meta-data/"}
    server = FakeMastodonMedia(media=_redirects(hops))
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    with pytest.raises(MediaSourceError, match="private address"):
        drive(kind, client, lambda c: c.upload_media(image()))
    assert [r.url.host for r in server.media_requests] == [MEDIA_HOST]
    assert server.uploads == []


# -- bounds: size and redirects ---------------------------------------------------------------


def _redirects(chain: dict[str, str]) -> MediaAnswer:
    def answer(request: httpx.Request) -> httpx.Response:
        target = chain.get(request.url.path)
        if target is not None:
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, content=PNG_BYTES)

    return answer


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "ftp://media.example/a.png", "data:image/png;base64,aGk="],
)
def test_a_redirect_to_another_scheme_is_refused(kind: str, target: str) -> None:
    server = FakeMastodonMedia(media=_redirects({"/cover.png": target}))
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    with pytest.raises(MediaSourceError, match="non-http"):
        drive(kind, client, lambda c: c.upload_media(image()))
    assert server.uploads == []


def test_http_redirects_are_followed_up_to_the_clients_limit(kind: str) -> None:
    hops = {"/cover.png": "/a", "/a": f"http://{MEDIA_HOST}/b"}
    server = FakeMastodonMedia(media=_redirects(hops))
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    drive(kind, client, lambda c: c.upload_media(image()))
    assert [r.url.path for r in server.media_requests] == ["/cover.png", "/a", "/b"]
    assert PNG_BYTES in server.uploads[0]

    loop = FakeMastodonMedia(media=_redirects({"/cover.png": "/cover.png"}))
    client = client_for(kind, mastodon(), loop, clock=SimulatedClock())
    with pytest.raises(MediaSourceError, match="redirects more than"):
        drive(kind, client, lambda c: c.upload_media(image()))
    assert len(loop.media_requests) == 20 + 1  # httpx's default max_redirects, plus the first


def test_a_declared_length_over_the_bound_is_refused_before_reading(kind: str) -> None:
    big = DEFAULT_MAX_MEDIA_BYTES + 1
    server = FakeMastodonMedia(
        media=lambda request: httpx.Response(
            200, headers={"Content-Length": str(big)}, stream=_Forbidden()
        )
    )
    client = client_for(kind, mastodon(), server, clock=SimulatedClock())
    with pytest.raises(MediaTooLargeError):
        drive(kind, client, lambda c: c.upload_media(MediaAsset(kind="audio", url=IMAGE)))
    assert server.uploads == []


class _Forbidden(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that must never be read."""

    def __iter__(self) -> Iterator[bytes]:
        raise AssertionError("the body was read")

    async def __aiter__(self) -> Any:  # pragma: no cover - must not run
        raise AssertionError("the body was read")
        yield b""


class _Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """An undeclared body of endless 64 KiB chunks; counts what was pulled."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.pulled += 1
            yield b"x" * 65536

    async def __aiter__(self) -> Any:
        while True:
            self.pulled += 1
            yield b"x" * 65536


def test_an_undeclared_body_stops_at_the_platform_bound(kind: str) -> None:
    """Bluesky takes images of at most 2,000,000 bytes: the download stops right after."""
    body = _Endless()
    pds = BlueskyAdapter(
        base_url=BASE, credentials=Credentials(client_id="me.test", client_secret="app-pass")
    )
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    client = client_for(kind, pds, transport, clock=SimulatedClock())
    flow = load_media(image(), None, spec=pds.spec)
    with pytest.raises(MediaTooLargeError, match="2000000"):
        drive(kind, client, lambda c: c.run(flow, authenticated=False))
    assert body.pulled <= 2_000_000 // 65536 + 2


def test_the_bound_also_holds_when_a_flow_is_stepped_by_hand() -> None:
    flow = load_media(image(), None, spec=mastodon().spec)
    with pytest.raises(MediaTooLargeError):
        run_flow(flow, lambda request: httpx.Response(200, content=b"x" * (16 * 2**20 + 1)))
    served = run_flow(load_media(image(), None), lambda r: httpx.Response(200, content=b"ok"))
    assert served == b"ok"


def test_fetch_media_sends_no_client_auth_or_default_headers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"ok")

    with httpx.Client(
        transport=httpx.MockTransport(answer),
        auth=("user", "client-password"),
        headers={"X-Api-Key": "client-key"},
    ) as http:
        assert fetch_media(http, media_request(IMAGE, 10)).content == b"ok"
    (request,) = seen
    assert "authorization" not in request.headers and "x-api-key" not in request.headers


# -- platforms that pull media from a URL get the URL as is ----------------------------------


def test_a_url_pulling_platform_gets_the_url_and_nothing_is_downloaded(
    kind: str, clock: SimulatedClock
) -> None:
    sandbox = SandboxPlatform(clock=clock)
    recorded: list[httpx.Request] = []

    class Recording(httpx.BaseTransport, httpx.AsyncBaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            recorded.append(request)
            return sandbox.handle_request(request)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            recorded.append(request)
            return await sandbox.handle_async_request(request)

    client = client_for(kind, sandbox.adapter(), Recording(), clock=clock)
    drive(kind, client, lambda c: c.upload_media(image()))
    assert all(r.url.host != MEDIA_HOST for r in recorded)
    uploads = [r for r in recorded if r.url.path == "/api/media"]
    assert IMAGE.encode() in uploads[0].content


# -- the explicit opt-in: local files inside a base directory ---------------------------------


@pytest.fixture
def media_dir(tmp_path: Path, sentinel: Path) -> Path:
    base = tmp_path / "media"
    (base / "2026").mkdir(parents=True)
    (base / "2026" / "cover.png").write_bytes(PNG_BYTES)
    (base / "inside-link.png").symlink_to(base / "2026" / "cover.png")
    (base / "escape.png").symlink_to(sentinel)
    (base / "escape-dir").symlink_to(sentinel.parent, target_is_directory=True)
    return base


def test_local_loader_reads_files_inside_its_base_dir(kind: str, media_dir: Path) -> None:
    loader = LocalMediaLoader(media_dir, url_prefix="https://cdn.example.com/media")
    server = FakeMastodonMedia()
    client = client_for(kind, mastodon(media_loader=loader), server, clock=SimulatedClock())
    asset = image("https://cdn.example.com/media/2026/cover.png")
    drive(kind, client, lambda c: c.upload_media(asset))
    assert PNG_BYTES in server.uploads[0]
    assert server.media_requests == []  # read from disk, not downloaded
    assert loader.read("inside-link.png") == PNG_BYTES  # a symlink that stays inside
    assert loader.read("2026/../2026/cover.png") == PNG_BYTES


@pytest.mark.parametrize(
    "path",
    [
        "../passwd",
        "2026/../../passwd",
        "escape.png",
        "escape-dir/passwd",
        "/etc/passwd",
        "",
        "a\x00b",
    ],
)
def test_local_loader_refuses_paths_that_leave_its_base_dir(
    media_dir: Path, opened: list[str], path: str
) -> None:
    loader = LocalMediaLoader(media_dir)
    with pytest.raises(MediaSourceError) as caught:
        loader.read(path)
    assert caught.value.fields == ("path",)
    assert opened == []


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/media/../passwd",
        "https://cdn.example.com/media/%2e%2e/passwd",
        "https://cdn.example.com/media/%2E%2E%2Fpasswd",
        "https://cdn.example.com/media/escape.png",
        "https://cdn.example.com/media/escape-dir/passwd",
        "https://cdn.example.com/media/%2Fetc%2Fpasswd",
        "https://elsewhere.example/media/2026/cover.png",
    ],
)
def test_local_loader_refuses_urls_that_leave_its_base_dir(
    kind: str, media_dir: Path, opened: list[str], url: str
) -> None:
    loader = LocalMediaLoader(media_dir, url_prefix="https://cdn.example.com/media/")
    server = FakeMastodonMedia()
    client = client_for(kind, mastodon(media_loader=loader), server, clock=SimulatedClock())
    with pytest.raises(MediaSourceError) as caught:
        drive(kind, client, lambda c: c.upload_media(unchecked(url)))
    assert caught.value.fields == ("media.url",)
    assert opened == [] and server.uploads == []


def test_local_loader_reads_only_regular_files_within_its_bound(media_dir: Path) -> None:
    (media_dir / "big.bin").write_bytes(b"x" * 11)
    loader = LocalMediaLoader(media_dir, max_bytes=10)
    with pytest.raises(MediaTooLargeError):
        loader.read("big.bin")
    with pytest.raises(MediaSourceError, match="regular file"):
        loader.read("2026")
    if hasattr(os, "mkfifo"):
        os.mkfifo(media_dir / "pipe")
        with pytest.raises(MediaSourceError, match="regular file"):
            loader.read("pipe")  # no hang: opened non-blocking, refused by type
    with pytest.raises(MediaSourceError, match="cannot be read"):
        loader.read("missing.png")


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"base_dir": "/nonexistent/smmkit-media"}, "base_dir"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"url_prefix": "file:///srv/media/"}, "url_prefix"),
    ],
)
def test_local_loader_refuses_bad_settings(
    media_dir: Path, options: dict[str, Any], field: str
) -> None:
    settings: dict[str, Any] = {"base_dir": media_dir, **options}
    with pytest.raises(InvalidInputError) as caught:
        LocalMediaLoader(**settings)
    assert caught.value.fields == (field,)


# -- other loaders and the old default ----------------------------------------------------------


def test_in_memory_loader_serves_only_what_it_holds() -> None:
    loader = InMemoryMediaLoader({IMAGE: PNG_BYTES})
    assert loader(image()) == PNG_BYTES
    with pytest.raises(MediaSourceError):
        loader(image("https://media.example/other.png"))


def test_a_loader_must_return_bytes() -> None:
    flow = mastodon(media_loader=lambda asset: "not bytes").upload_media(image())
    with pytest.raises(InvalidInputError) as caught:
        next(flow)
    assert caught.value.fields == ("media_loader",)


def test_read_local_media_reads_nothing_and_says_how_to_opt_in(opened: list[str]) -> None:
    with pytest.raises(MediaSourceError, match="LocalMediaLoader"):
        read_local_media(image())
    assert opened == []
