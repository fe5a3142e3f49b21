"""Every Graph API request the Facebook Pages and Instagram clients build, checked against
the parameter tables of Meta's own SDK, ``facebook-business`` 26.0.3 (Graph API v26.0).

The SDK describes each edge as a ``FacebookRequest`` (``Page.create_feed``,
``IGUser.create_media``...) with ``param_types`` and ``enums`` and, for reads, the target
class whose ``Field`` names ``fields=`` may ask for. Each request the clients send (run
against the fake Graph API of ``tests/platforms/meta_fake.py`` on both drivers, every
operation) is matched to its SDK edge and checked: the HTTP method and the edge name,
every parameter name (an unknown key fails here: the Graph API would ignore it
silently), every value's type and enum, and every name in ``fields=``.

Three documented allowances, each narrower than the SDK's own checker:

* ``Object``-typed parameters also take a string: the SDK types object references
  (``place``) and insight metric lists (``metric: list<Object>``) as ``Object``, which
  its checker only accepts as dicts, while the Graph API takes ids and metric names;
* ``fields=`` may name an edge of the target class (``comments``, ``replies``), with
  field expansion (``comments.summary(true).limit(0)``, ``replies{id,text}``);
* a photo upload carries its bytes as the multipart part ``source`` (Graph's photo
  reference; the SDK's own ``add_file`` names parts ``source0``...).

``GET /oauth/access_token`` (the long-lived token exchange) is not an SDK edge; it is
checked in ``tests/platforms/test_oauth.py``. Only ``facebook-business`` is needed:
without it the module is skipped, saying so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

fb = pytest.importorskip(
    "facebook_business",
    reason="facebook-business (test extra, pinned 26.0.3) is not installed: the Graph API "
    "parameter tables come from it",
)

from facebook_business.adobjects.comment import Comment as FbComment  # noqa: E402
from facebook_business.adobjects.igcomment import IGComment  # noqa: E402
from facebook_business.adobjects.igmedia import IGMedia  # noqa: E402
from facebook_business.adobjects.iguser import IGUser  # noqa: E402
from facebook_business.adobjects.page import Page  # noqa: E402
from facebook_business.adobjects.pagepost import PagePost  # noqa: E402
from facebook_business.adobjects.shadowigmediabuilder import ShadowIGMediaBuilder  # noqa: E402
from facebook_business.adobjects.user import User  # noqa: E402
from facebook_business.api import FacebookRequest  # noqa: E402
from tests.platforms.meta_fake import (  # noqa: E402
    APP_ID,
    APP_SECRET,
    IG_USER,
    LONG_USER_TOKEN,
    MP4,
    PAGE,
    PNG,
    USER_TOKEN,
    FakeGraph,
)

from smmkit.models import MediaAsset, PlatformPost  # noqa: E402
from smmkit.platforms import (  # noqa: E402
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    SimulatedClock,
)
from smmkit.platforms.facebook import FacebookPageAdapter  # noqa: E402
from smmkit.platforms.instagram import InstagramAdapter  # noqa: E402
from smmkit.testing import RecordingTransport, client_for, drive  # noqa: E402

SDK_VERSION = "26.0.3"


def test_the_pinned_sdk_is_the_one_installed() -> None:
    from facebook_business import apiconfig

    assert apiconfig.ads_api_config["SDK_VERSION"] == f"v{SDK_VERSION}"
    assert apiconfig.ads_api_config["API_VERSION"] == "v26.0"


# -- running every operation ------------------------------------------------------------------


def _facebook(kind: str, server: FakeGraph) -> list[httpx.Request]:
    recording = RecordingTransport(server)
    options: dict[str, Any] = {"clock": server.clock, "token_store": InMemoryTokenStore()}
    by_user = FacebookPageAdapter(
        page_id=PAGE,
        user_token=USER_TOKEN,
        credentials=Credentials(client_id=APP_ID, client_secret=APP_SECRET),
    )
    client = client_for(kind, by_user, recording, **options)
    photo = MediaAsset(kind="image", url=PNG, alt_text="a cup")
    extras = {"link": "https://tea.example", "place": "777", "published": True}
    post = PlatformPost(platform="facebook", piece_id="p", body="Cold brew", extras=extras)
    receipt = drive(kind, client, lambda c: c.publish(post)).receipt
    with_photo = PlatformPost(platform="facebook", piece_id="q", body="Photo", media=(photo,))
    drive(kind, client, lambda c: c.publish(with_photo))
    drive(kind, client, lambda c: c.run(c.adapter.pages()))
    first = drive(kind, client, lambda c: c.reply(receipt.post_id, receipt.post_id, "Hi"))
    drive(kind, client, lambda c: c.reply(receipt.post_id, first.id, "Thanks"))
    drive(kind, client, lambda c: c.comments(receipt.post_id))
    drive(kind, client, lambda c: c.metrics(receipt.post_id))
    drive(kind, client, lambda c: c.run(c.adapter.page_metrics()))
    server.lose[("POST", "feed")] = 1  # a lost answer: the read-back edge too
    lost = post.model_copy(update={"body": "Read me back"})
    drive(kind, client, lambda c: c.publish(lost))
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    loader = InMemoryMediaLoader({PNG: b"\x89PNG"})
    uploader = FacebookPageAdapter(
        page_id=PAGE, access_token=server.page_token, media_loader=loader
    )
    upload = client_for(kind, uploader, recording, **options)
    drive(kind, upload, lambda c: c.upload_media(photo))
    return recording.requests


def _instagram(kind: str, server: FakeGraph) -> list[httpx.Request]:
    recording = RecordingTransport(server)
    adapter = InstagramAdapter(ig_user_id=IG_USER, access_token=server.page_token)
    client = client_for(
        kind, adapter, recording, clock=server.clock, token_store=InMemoryTokenStore()
    )
    photo = MediaAsset(kind="image", url=PNG, alt_text="a cup")
    clip = MediaAsset(kind="video", url=MP4)
    extras = {
        "location_id": "1234",
        "collaborators": ["tea.friend"],
        "user_tags": [{"username": "tea.friend", "x": 0.5, "y": 0.5}],
    }
    single = PlatformPost(
        platform="instagram", piece_id="a", body="Tea", media=(photo,), extras=extras
    )
    receipt = drive(kind, client, lambda c: c.publish(single)).receipt
    reel_extras = {
        "share_to_feed": True,
        "cover_url": "https://cdn.example/c.jpg",
        "thumb_offset": 1200,
    }
    reel = PlatformPost(
        platform="instagram", piece_id="b", body="Pour", media=(clip,), extras=reel_extras
    )
    drive(kind, client, lambda c: c.publish(reel))
    album = PlatformPost(platform="instagram", piece_id="c", body="Album", media=(photo, clip))
    server.lose[("POST", "media_publish")] = 1  # read back through the recent media
    drive(kind, client, lambda c: c.publish(album))
    top = drive(kind, client, lambda c: c.reply(receipt.post_id, receipt.post_id, "Hi"))
    drive(kind, client, lambda c: c.reply(receipt.post_id, top.id, "Thanks"))
    drive(kind, client, lambda c: c.comments(receipt.post_id))
    drive(kind, client, lambda c: c.metrics(receipt.post_id))
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    server.page_token = LONG_USER_TOKEN
    return recording.requests


# -- matching a request to its SDK edge -----------------------------------------------------

Factory = Callable[[str], FacebookRequest]


def _edge(server: FakeGraph, request: httpx.Request) -> Factory | None:
    """The SDK call that describes ``request`` (``None`` for the OAuth exchange)."""
    parts = [p for p in request.url.path.split("/") if p]
    assert parts[0] == "v26.0", f"{request.url.path} does not use the pinned version"
    node, edge = parts[1], "/".join(parts[2:])
    method = request.method
    if node == "oauth" and edge == "access_token":
        return None
    if node == "me" and edge == "accounts":
        return lambda n: User(fbid=n).get_accounts(pending=True)
    tables: dict[tuple[str, str], Factory]
    if node == PAGE:
        tables = {
            ("POST", "feed"): lambda n: Page(fbid=n).create_feed(pending=True),
            ("POST", "photos"): lambda n: Page(fbid=n).create_photo(pending=True),
            ("GET", "published_posts"): lambda n: Page(fbid=n).get_published_posts(pending=True),
            ("GET", "insights"): lambda n: Page(fbid=n).get_insights(pending=True),
            ("GET", ""): lambda n: Page(fbid=n).api_get(pending=True),
        }
    elif node == IG_USER:
        tables = {
            ("POST", "media"): lambda n: IGUser(fbid=n).create_media(pending=True),
            ("GET", "media"): lambda n: IGUser(fbid=n).get_media(pending=True),
            ("POST", "media_publish"): lambda n: IGUser(fbid=n).create_media_publish(pending=True),
            ("GET", "content_publishing_limit"): lambda n: IGUser(
                fbid=n
            ).get_content_publishing_limit(pending=True),
        }
    elif node in server.containers:
        tables = {("GET", ""): lambda n: ShadowIGMediaBuilder(fbid=n).api_get(pending=True)}
    elif node in server.media:
        tables = {
            ("GET", ""): lambda n: IGMedia(fbid=n).api_get(pending=True),
            ("DELETE", ""): lambda n: IGMedia(fbid=n).api_delete(pending=True),
            ("GET", "insights"): lambda n: IGMedia(fbid=n).get_insights(pending=True),
            ("GET", "comments"): lambda n: IGMedia(fbid=n).get_comments(pending=True),
            ("POST", "comments"): lambda n: IGMedia(fbid=n).create_comment(pending=True),
        }
    elif node in server.posts:
        tables = {
            ("GET", ""): lambda n: PagePost(fbid=n).api_get(pending=True),
            ("DELETE", ""): lambda n: PagePost(fbid=n).api_delete(pending=True),
            ("GET", "insights"): lambda n: PagePost(fbid=n).get_insights(pending=True),
            ("GET", "comments"): lambda n: PagePost(fbid=n).get_comments(pending=True),
            ("POST", "comments"): lambda n: PagePost(fbid=n).create_comment(pending=True),
        }
    elif node in server.comments and server.comments[node]["post"] in server.media:
        tables = {("POST", "replies"): lambda n: IGComment(fbid=n).create_reply(pending=True)}
    elif node in server.comments:
        tables = {("POST", "comments"): lambda n: FbComment(fbid=n).create_comment(pending=True)}
    else:
        raise AssertionError(f"{method} {request.url.path}: no such object on the fake")
    factory = tables.get((method, edge))
    assert factory is not None, f"{method} /{node}/{edge} has no facebook-business edge"
    return factory


# -- checking one request -----------------------------------------------------------------------


def _params(request: httpx.Request) -> tuple[dict[str, Any], set[str]]:
    """Every parameter the request carries (query and body) and the names of file parts."""
    found: dict[str, Any] = dict(request.url.params.multi_items())
    files: set[str] = set()
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        found.update(json.loads(request.content))
    elif content_type.startswith("multipart/form-data"):
        for chunk in request.content.split(b"\r\n--"):
            head, _, value = chunk.partition(b"\r\n\r\n")
            match = re.search(rb'name="([^"]+)"', head)
            if match is None:
                continue
            name = match.group(1).decode()
            if b"filename=" in head:
                files.add(name)
            else:
                found[name] = value.rstrip(b"\r\n").decode()
    elif request.content:
        found.update(parse_qsl(request.content.decode()))
    return found, files


def _wire(value_type: str, value: Any) -> Any:
    """A query or form value (always a str) in the shape the SDK's checker expects."""
    if isinstance(value, str) and value_type.startswith("list<"):
        return value.split(",")
    return value


def _is_type(checker: Any, value_type: str, value: Any) -> bool:
    value = _wire(value_type, value)
    if value_type == "Object" and isinstance(value, str):
        return bool(value)  # an object reference (an id) or a name: see the module doc
    if value_type == "list<Object>" and isinstance(value, list):
        return all(isinstance(v, (str, dict)) and v for v in value)
    return bool(checker.is_type(value_type, value))


def _field_names(value: str) -> list[str]:
    """Top-level names of a ``fields=`` value, expansions and modifiers removed."""
    depth, names, current = 0, [], ""
    for char in value:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        elif char == "," and depth == 0:
            names.append(current)
            current = ""
            continue
        if depth == 0 and char not in "})":
            current += char
    names.append(current)
    return [n.split(".")[0] for n in names if n]


def contract_problems(sdk: FacebookRequest, request: httpx.Request) -> list[str]:
    """What in ``request`` the SDK edge ``sdk`` does not allow (empty when it conforms)."""
    problems = []
    if sdk._method != request.method:
        problems.append(f"method {request.method} != {sdk._method}")
    edge = "/".join(p for p in request.url.path.split("/")[3:] if p)
    if sdk._endpoint != edge:
        problems.append(f"edge {edge!r} != {sdk._endpoint!r}")
    checker = sdk._param_checker
    params, files = _params(request)
    for name in files:
        if name != "source" or request.method != "POST" or not edge.endswith("photos"):
            problems.append(f"file part {name!r} is not a photo upload's source")
    for key, value in params.items():
        if key == "fields":
            target = sdk._target_class
            known = set(target.Field.__dict__.values())
            for field in _field_names(str(value)):
                if field not in known and not hasattr(target, f"get_{field}"):
                    problems.append(f"fields: {field!r} is not a field of {target.__name__}")
            continue
        if not checker.is_valid_key(key):
            problems.append(f"unknown parameter {key!r}")
            continue
        value_type = checker.get_type(key)
        if not _is_type(checker, value_type, value):
            problems.append(f"{key}={value!r} is not a {value_type}")
    return problems


@pytest.fixture(scope="module")
def recorded() -> list[tuple[str, FakeGraph, httpx.Request]]:
    found: list[tuple[str, FakeGraph, httpx.Request]] = []
    for kind in ("sync", "async"):
        for run in (_facebook, _instagram):
            server = FakeGraph(clock=SimulatedClock())
            found.extend((kind, server, r) for r in run(kind, server))
    return found


def test_every_operation_was_exercised(
    recorded: list[tuple[str, FakeGraph, httpx.Request]],
) -> None:
    names: set[str] = set()
    for _, server, request in recorded:
        factory = _edge(server, request)
        if factory is not None:
            names.add(factory.__code__.co_names[-1])  # the SDK method the lambda calls
    assert {
        "create_feed",
        "create_photo",
        "get_published_posts",
        "get_insights",
        "api_get",
        "get_accounts",
        "api_delete",
        "get_comments",
        "create_comment",
        "create_media",
        "get_media",
        "create_media_publish",
        "get_content_publishing_limit",
        "create_reply",
    } <= names


def test_every_request_matches_the_sdk_parameter_tables(
    recorded: list[tuple[str, FakeGraph, httpx.Request]],
) -> None:
    failures = []
    for kind, server, request in recorded:
        factory = _edge(server, request)
        if factory is None:
            continue
        node = request.url.path.split("/")[2]
        for problem in contract_problems(factory(node), request):
            failures.append(f"[{kind}] {request.method} {request.url.path}: {problem}")
    assert failures == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"messsage": "typo"}, "unknown parameter 'messsage'"),
        ({"message": "ok", "published": "maybe"}, "published='maybe' is not a bool"),
        ({"message": "ok", "formatting": "HTML"}, "formatting='HTML' is not a formatting_enum"),
    ],
)
def test_the_check_catches_what_the_graph_api_would_ignore(
    body: dict[str, Any], problem: str
) -> None:
    request = httpx.Request("POST", f"https://graph.facebook.com/v26.0/{PAGE}/feed", json=body)
    assert contract_problems(Page(fbid=PAGE).create_feed(pending=True), request) == [problem]


def test_fields_are_checked_against_the_target_class() -> None:
    url = f"https://graph.facebook.com/v26.0/{IG_USER}/media?fields=id,caption,colour"
    problems = contract_problems(
        IGUser(fbid=IG_USER).get_media(pending=True), httpx.Request("GET", url)
    )
    assert problems == ["fields: 'colour' is not a field of IGMedia"]
