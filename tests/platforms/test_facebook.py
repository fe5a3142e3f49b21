"""Facebook Pages adapter against the fake Graph API in ``meta_fake``, on both drivers.

What matters is counted on the fake server's side: a lost answer during publish and
during the photo upload never posts twice and never loses a post.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from tests.platforms.meta_fake import (
    APP_ID,
    APP_SECRET,
    LONG_USER_TOKEN,
    PAGE,
    PAGE_TOKEN,
    PNG,
    USER_TOKEN,
    FakeGraph,
)

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    TokenExpiredError,
)
from smmkit.models import FacebookExtras, MediaAsset, PlatformPost
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    SimulatedClock,
    available_platforms,
    get_platform,
    register_platform,
)
from smmkit.platforms._meta_graph import MetaGraphAdapter, usage_from
from smmkit.platforms.facebook import FacebookPageAdapter
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, client_for, drive

register_platform("facebook", "smmkit.platforms.facebook:FacebookPageAdapter", clobber=True)


def make_client(kind: str, server: FakeGraph, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or FacebookPageAdapter(
        page_id=PAGE, access_token=server.page_token
    )
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakeGraph:
    return FakeGraph(clock=SimulatedClock())


def post(body: str = "Cold brew at three.", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="facebook", piece_id="p1", body=body, **fields)


PHOTO = MediaAsset(kind="image", url=PNG, alt_text="a cup of cold brew")


# -- the conformance suite and the registry ----------------------------------------------


class TestFacebookConformance(AdapterConformance, adapter=FacebookPageAdapter, platform=FakeGraph):
    def make_adapter(self) -> FacebookPageAdapter:
        return FacebookPageAdapter(page_id=PAGE, access_token=SENTINEL_SECRET)


def test_facebook_is_registered_with_its_extras() -> None:
    assert "facebook" in available_platforms()
    assert get_platform("facebook") is FacebookPageAdapter
    assert type(post(extras={"link": "https://tea.example"}).extras) is FacebookExtras
    with pytest.raises(InvalidInputError, match=r"extras\.link"):
        post(extras={"link": "ftp://tea.example"})
    with pytest.raises(InvalidInputError, match=r"extras\.colour"):
        post(extras={"colour": "red"})


# -- publishing --------------------------------------------------------------------------


def test_publish_a_link_post(kind: str, server: FakeGraph) -> None:
    linked = post(extras={"link": "https://tea.example/brew", "place": "777"})
    result = drive(kind, make_client(kind, server), lambda c: c.publish(linked))
    assert result.ok, result.error
    (live,) = server.live_posts
    assert result.receipt.post_id == live["id"]
    assert live["link"] == "https://tea.example/brew"
    assert result.receipt.url == f"https://www.facebook.com/{live['id']}"


def test_photos_are_unpublished_uploads_attached_to_the_post(kind: str, server: FakeGraph) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(PHOTO,))))
    assert result.ok, result.error
    (photo_id,) = server.photos
    assert server.photos[photo_id] == {
        "url": PNG,
        "bytes": False,
        "published": False,
        "alt": "a cup of cold brew",
    }
    assert server.live_posts[0]["attached"] == [{"media_fbid": photo_id}]


def test_photo_bytes_from_a_loader_are_uploaded_as_source(kind: str, server: FakeGraph) -> None:
    adapter = FacebookPageAdapter(
        page_id=PAGE, access_token=PAGE_TOKEN, media_loader=InMemoryMediaLoader({PNG: b"png"})
    )
    client = make_client(kind, server, adapter=adapter)
    result = drive(kind, client, lambda c: c.publish(post(media=(PHOTO,))))
    assert result.ok, result.error
    assert next(iter(server.photos.values()))["bytes"] is True


@pytest.mark.parametrize("lost", [1, 2])
def test_lost_answer_during_publish_reads_back_and_posts_once(
    kind: str, server: FakeGraph, lost: int
) -> None:
    server.lose[("POST", "feed")] = lost
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.live_posts) == 1
    assert result.receipt.post_id == server.live_posts[0]["id"]
    assert ("GET", f"{PAGE}/published_posts") in server.seen


def test_lost_answer_during_upload_never_posts_twice(kind: str, server: FakeGraph) -> None:
    server.lose[("POST", "photos")] = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(media=(PHOTO,))))
    assert result.ok, result.error
    assert len(server.live_posts) == 1  # the repeated upload left an unseen photo at most
    assert len(server.photos) == 2
    assert all(not p["published"] for p in server.photos.values())


def test_unpublished_post_with_a_lost_answer_is_reported_not_reposted(
    kind: str, server: FakeGraph
) -> None:
    server.lose[("POST", "feed")] = 1
    hidden = post(extras={"published": False})
    result = drive(kind, make_client(kind, server), lambda c: c.publish(hidden))
    assert not result.ok
    assert result.error.outcome_unknown is True
    assert len(server.posts) == 1  # it went out once; nobody sent it again


def test_dry_run_sends_nothing(kind: str, server: FakeGraph) -> None:
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(), dry_run=True))
    assert result.dry_run and result.problems == ()
    assert server.seen == []


# -- tokens ------------------------------------------------------------------------------


def test_page_token_comes_from_the_long_lived_user_token(kind: str, server: FakeGraph) -> None:
    store = InMemoryTokenStore()
    adapter = FacebookPageAdapter(
        page_id=PAGE,
        user_token=USER_TOKEN,
        credentials=Credentials(client_id=APP_ID, client_secret=APP_SECRET),
    )
    client = make_client(kind, server, adapter=adapter, token_store=store)
    assert drive(kind, client, lambda c: c.publish(post())).ok
    stored = store.get(f"facebook:{PAGE}")
    assert stored is not None
    assert stored.access_token.get_secret_value() == PAGE_TOKEN
    assert stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == LONG_USER_TOKEN
    assert server.seen[:2] == [("GET", "oauth/access_token"), ("GET", PAGE)]
    # Meta refuses the Page token later: it is derived again from the stored user token.
    server.expire_tokens()
    again = drive(kind, client, lambda c: c.publish(post(body="Second brew.")))
    assert again.ok, again.error
    assert server.seen.count(("GET", "oauth/access_token")) == 1
    assert server.seen.count(("GET", PAGE)) == 2


def test_pages_lists_what_the_user_manages(kind: str, server: FakeGraph) -> None:
    adapter = FacebookPageAdapter(page_id=PAGE, user_token=USER_TOKEN)
    client = make_client(kind, server, adapter=adapter)
    pages = drive(kind, client, lambda c: c.run(c.adapter.pages()))
    assert [(p.id, p.name) for p in pages] == [(PAGE, "Tea House")]


def test_refused_fixed_token_is_an_authentication_error_not_a_loop(
    kind: str, server: FakeGraph
) -> None:
    adapter = FacebookPageAdapter(page_id=PAGE, access_token="revoked")
    with pytest.raises(AuthenticationError) as caught:
        drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.delete(f"{PAGE}_1"))
    assert not isinstance(caught.value, TokenExpiredError)
    assert caught.value.code == 190
    assert caught.value.request_id is not None and caught.value.request_id.startswith("Ftrace")
    assert len(server.seen) == 1


# -- errors and rate limits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "subcode", "kind_"),
    [
        (4, None, RateLimitError),
        (80001, None, RateLimitError),
        (200, None, PermissionDeniedError),
        (10, None, PermissionDeniedError),
        (100, 33, NotFoundError),
        (190, 463, AuthenticationError),
    ],
)
def test_graph_errors_become_typed_errors(code: int, subcode: int | None, kind_: type) -> None:
    error = {"message": "no", "type": "OAuthException", "code": code, "fbtrace_id": "T1"}
    if subcode is not None:
        error["error_subcode"] = subcode
    info = MetaGraphAdapter(access_token="t").parse_error(
        httpx.Response(400, json={"error": error})
    )
    assert info is not None and info.kind is kind_ and info.code == code


def test_usage_headers_are_read() -> None:
    headers = httpx.Headers(
        {"X-Page-Usage": json.dumps({"call_count": 100, "estimated_time_to_regain_access": 3})}
    )
    usage = usage_from(headers, received=0.0)
    assert usage is not None and usage.percent == 100 and usage.regain_seconds == 180


def test_throttled_page_waits_the_regain_time(kind: str, server: FakeGraph) -> None:
    server.throttle_next = 1
    before = server.clock.time()
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.clock.time() - before == pytest.approx(60, abs=1)
    assert len(server.live_posts) == 1


# -- reading and answering ------------------------------------------------------------------


def test_comments_replies_metrics_and_delete(kind: str, server: FakeGraph) -> None:
    client = make_client(kind, server)
    receipt = drive(kind, client, lambda c: c.publish(post())).receipt
    first = drive(kind, client, lambda c: c.reply(receipt.post_id, receipt.post_id, "Hello!"))
    answer = drive(kind, client, lambda c: c.reply(receipt.post_id, first.id, "Thanks"))
    comments = drive(kind, client, lambda c: c.comments(receipt.post_id))
    assert [(c.id, c.text, c.in_reply_to) for c in comments] == [
        (first.id, "Hello!", receipt.post_id),
        (answer.id, "Thanks", first.id),
    ]
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(receipt.post_id))}
    assert metrics["impressions"] == metrics["post_media_view"] == 321
    assert metrics["reach"] == 150 and metrics["clicks"] == 9
    assert metrics["interactions"] == 12 + 2 + 3 + 9
    page = drive(kind, client, lambda c: c.run(c.adapter.page_metrics()))
    assert {m.metric for m in page} == {"impressions", "reach", "interactions", "followers"}
    drive(kind, client, lambda c: c.delete(receipt.post_id))
    assert server.live_posts == []
    with pytest.raises(NotFoundError):
        drive(kind, client, lambda c: c.metrics(receipt.post_id))


def test_bad_input_is_refused_before_sending() -> None:
    adapter = FacebookPageAdapter(page_id=PAGE, access_token="t")
    with pytest.raises(InvalidInputError, match="page_id"):
        FacebookPageAdapter(page_id="../me", access_token="t")
    with pytest.raises(InvalidInputError, match=r"id"):
        next(adapter.delete("1/../2"))
    with pytest.raises(InvalidInputError, match="text"):
        next(adapter.reply("1", "2", " "))
    with pytest.raises(InvalidInputError, match=r"media\.kind"):
        next(adapter.upload_media(MediaAsset(kind="video", url="https://cdn.example/a.mp4")))
