"""LinkedIn: the requests smmkit builds, checked against LinkedIn's own examples.

LinkedIn publishes no machine-readable contract (no OpenAPI document), so each check
below pins one example to the page it comes from. Each example says how it was had:

* ``official``: the example, or the fact, as LinkedIn's documentation page shows it;
* ``official client``: the wire format of LinkedIn's own ``linkedin-api-client`` 0.3.0
  (PyPI; ``linkedin_api/clients/restli/utils/encoder.py`` and its tests,
  ``examples/create_posts.py``, ``common/constants.py``);
* ``reconstructed``: no official example could be had here (the stored copies of the
  documentation pages show their first part only), so the example is built from the
  page's documented field tables and the official client, and marked as such;
* ``observed``: an answer LinkedIn gave, quoted in a public issue thread (the
  documentation has no example of it).

This file needs nothing outside the repository (no ``../shared`` contract files) and
no fixture of ``tests/contract/conftest.py``; it runs offline with
:func:`smmkit.testing.run_flow`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from smmkit.exceptions import AuthenticationError, DuplicateContentError
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import InMemoryMediaLoader
from smmkit.platforms._linkedin_wire import restli, restli_list
from smmkit.platforms.linkedin import LINKEDIN_VERSION, LinkedInAdapter
from smmkit.testing import TINY_PNG_BYTES, run_flow

POSTS_API = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api"
)
IMAGES_API = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/images-api"
)
COMMENTS_API = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api"
)
SHARE_STATS = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/"
    "share-statistics"
)
SOCIAL_ACTIONS = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/"
    "network-update-social-actions"
)
LITTLE_TEXT = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/"
    "little-text-format"
)
ERRORS = "https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling"
RATE_LIMITS = "https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits"
CLIENT = "https://pypi.org/project/linkedin-api-client/0.3.0/"
DUPLICATE_ISSUE = "https://github.com/Arisamiga/Linkedin-RSS/issues/5"

ORG = "urn:li:organization:2414183"
IMAGE_URL = "https://media.example/superneatimage.png"
NOW = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Source:
    """Where an example comes from and how it was had."""

    url: str
    origin: str  # official, official client, reconstructed, observed

    def __post_init__(self) -> None:
        assert self.url.startswith("https://")
        assert self.origin in ("official", "official client", "reconstructed", "observed")


def adapter() -> LinkedInAdapter:
    loader = InMemoryMediaLoader({IMAGE_URL: TINY_PNG_BYTES})
    return LinkedInAdapter(access_token="t", author=ORG, media_loader=loader)


def first_request(flow: Any) -> httpx.Request:
    request = next(flow)
    assert isinstance(request, httpx.Request)
    request.read()
    return request


def body(request: httpx.Request) -> dict[str, Any]:
    value = json.loads(request.content)
    assert isinstance(value, dict)
    return value


# -- headers and encoding --------------------------------------------------------------


def test_every_rest_call_carries_the_version_and_restli_headers() -> None:
    Source(POSTS_API, "official")  # "All APIs require the request header LinkedIn-Version:
    # {Version in YYYYMM format}. All APIs require the request header
    # X-Restli-Protocol-Version: 2.0.0" (Posts API page, note under the content table)
    a = adapter()
    post = PlatformPost(platform="linkedin", piece_id="p", body="hi")
    flows = [
        a.publish(post),
        a.delete("urn:li:share:6844785523593134080"),
        a.metrics("urn:li:share:6844785523593134080"),
        a.comments("urn:li:share:6844785523593134080"),
    ]
    for flow in flows:
        request = first_request(flow)
        assert request.url.host == "api.linkedin.com"
        assert request.url.path.startswith("/rest/")
        assert request.headers["LinkedIn-Version"] == LINKEDIN_VERSION
        assert len(LINKEDIN_VERSION) == 6 and LINKEDIN_VERSION.isdigit()
        assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc123", "abc123"),
        ("urn:li:app:123", "urn%3Ali%3Aapp%3A123"),
        (" t?':,*!", "%20t%3F%27%3A%2C%2A%21"),
    ],
)
def test_values_are_encoded_like_the_official_client(value: str, expected: str) -> None:
    Source(CLIENT, "official client")  # tests/clients/restli/utils/encoder_test.py
    assert restli(value) == expected


def test_lists_are_encoded_like_the_official_client() -> None:
    Source(CLIENT, "official client")  # encoder_test.py: List(v2,%20t%3F%27%3A%2C%2A%21)
    assert restli_list(["v2", " t?':,*!"]) == "List(v2,%20t%3F%27%3A%2C%2A%21)"


# -- Posts API ---------------------------------------------------------------------------


def test_text_post_matches_the_documented_body() -> None:
    Source(POSTS_API, "reconstructed")  # "Create a text-only post": the field table
    # (author, commentary, visibility, distribution, lifecycleState,
    # isReshareDisabledByAuthor) and the official client's examples/create_posts.py
    expected = {
        "author": "urn:li:organization:5515715",
        "commentary": "Sample text Post",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    a = LinkedInAdapter(access_token="t", author="urn:li:organization:5515715")
    post = PlatformPost(platform="linkedin", piece_id="p", body="Sample text Post")
    request = first_request(a.publish(post))
    assert (request.method, str(request.url)) == ("POST", "https://api.linkedin.com/rest/posts")
    assert request.headers["Content-Type"] == "application/json"
    assert body(request) == expected


def test_mention_template_in_commentary_is_kept() -> None:
    Source(POSTS_API, "official")  # "Create a post with an organization mention":
    # "commentary": "Hello @[Devtestco](urn:li:organization:2414183)"
    post = PlatformPost(
        platform="linkedin", piece_id="p", body="Hello @[Devtestco](urn:li:organization:2414183)"
    )
    request = first_request(adapter().publish(post))
    assert body(request)["commentary"] == "Hello @[Devtestco](urn:li:organization:2414183)"


def test_reserved_characters_are_escaped_in_commentary() -> None:
    Source(LITTLE_TEXT, "official")  # reserved: | { } @ [ ] ( ) < > # \\ * _ ~ ;
    # escape each with a backslash, else the text is cut at it
    post = PlatformPost(platform="linkedin", piece_id="p", body="a|b{c}d<e>f*g_h~i")
    sent = body(first_request(adapter().publish(post)))["commentary"]
    assert sent == "a\\|b\\{c\\}d\\<e\\>f\\*g\\_h\\~i"


def test_created_post_urn_comes_from_x_restli_id() -> None:
    Source(POSTS_API, "reconstructed")  # "A successful response returns 201 Created and
    # the post id in the x-restli-id response header"; the official client reads
    # HEADERS.CREATED_ENTITY_ID = "x-restli-id" (common/constants.py)
    post = PlatformPost(platform="linkedin", piece_id="p", body="Sample text Post")

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, headers={"x-restli-id": "urn:li:share:6844785523593134080"})

    receipt = run_flow(adapter().publish(post), answer)
    assert receipt.post_id == "urn:li:share:6844785523593134080"
    assert receipt.url == "https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080/"


def test_image_post_references_the_image_urn() -> None:
    Source(POSTS_API, "reconstructed")  # "Create an image post": content.media with the
    # image URN as id and an optional altText (field table of MediaContent)
    image = MediaAsset(kind="image", url=IMAGE_URL, alt_text="Sample alt text")
    post = PlatformPost(
        platform="linkedin",
        piece_id="p",
        body="Sample image Post",
        media=(image,),
        extras={"media_ids": ["urn:li:image:C5610AQHMEq8pQd3PQw"]},
    )
    sent = body(first_request(adapter().publish(post)))
    assert sent["content"] == {
        "media": {"id": "urn:li:image:C5610AQHMEq8pQd3PQw", "altText": "Sample alt text"}
    }


def test_delete_is_the_encoded_urn_with_the_restli_method() -> None:
    Source(POSTS_API, "reconstructed")  # "Delete Posts": DELETE /rest/posts/{encoded
    # URN}, header X-RestLi-Method: DELETE, answer 204; the official client sends
    # X-RestLi-Method for every Rest.li method (clients/restli/utils/api.py)
    request = first_request(adapter().delete("urn:li:share:6844785523593134080"))
    assert request.method == "DELETE"
    assert request.url.raw_path == b"/rest/posts/urn%3Ali%3Ashare%3A6844785523593134080"
    assert request.headers["X-RestLi-Method"] == "DELETE"


def test_find_posts_by_author_is_the_documented_finder() -> None:
    Source(POSTS_API, "reconstructed")  # "Find Posts by Authors": q=author,
    # author={encoded URN}, count, sortBy (LAST_MODIFIED or CREATED)
    post = PlatformPost(platform="linkedin", piece_id="p", body="hi")
    flow = adapter().find_published(post)
    step = next(flow)  # the time first (a read-back window)
    assert not isinstance(step, httpx.Request)
    request = flow.send(NOW)
    assert isinstance(request, httpx.Request)
    assert request.method == "GET"
    assert request.url.raw_path == (
        b"/rest/posts?q=author&author=urn%3Ali%3Aorganization%3A2414183&count=20&sortBy=CREATED"
    )


# -- Images API ---------------------------------------------------------------------------


def test_image_upload_is_initialize_then_put() -> None:
    Source(IMAGES_API, "reconstructed")  # "Initialize Image Upload": POST
    # /rest/images?action=initializeUpload {"initializeUploadRequest": {"owner": URN}};
    # answer {"value": {"uploadUrlExpiresAt", "uploadUrl", "image"}}; then the bytes
    # are uploaded to uploadUrl with the bearer token ("Upload the Image")
    sent: list[httpx.Request] = []
    answer_value = {
        "uploadUrlExpiresAt": 1650567510704,
        "uploadUrl": "https://www.linkedin.com/dms-uploads/C4E10AQFoyyAjHPMQuQ/uploaded-image/0"
        "?ca=vector_ads&cn=uploads&sync=0&v=beta&ut=2H-tJYj3CR9pU1",
        "image": "urn:li:image:C4E10AQFoyyAjHPMQuQ",
    }

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        if request.method == "POST":
            return httpx.Response(200, json={"value": answer_value})
        return httpx.Response(201)

    handle = run_flow(adapter().upload_media(MediaAsset(kind="image", url=IMAGE_URL)), answer)
    init, put = sent
    assert init.url.raw_path == b"/rest/images?action=initializeUpload"
    assert body(init) == {"initializeUploadRequest": {"owner": ORG}}
    assert (put.method, str(put.url)) == ("PUT", answer_value["uploadUrl"])
    assert put.content == TINY_PNG_BYTES
    assert handle.media_id == "urn:li:image:C4E10AQFoyyAjHPMQuQ"


def test_image_status_available_means_ready() -> None:
    Source(IMAGES_API, "reconstructed")  # Image schema: status PROCESSING, AVAILABLE,
    # WAITING_UPLOAD, PROCESSING_FAILED; GET /rest/images/{encoded image URN}
    a = adapter()
    handle = run_flow(
        a.upload_media(MediaAsset(kind="image", url=IMAGE_URL)),
        lambda r: (
            httpx.Response(
                200,
                json={
                    "value": {"uploadUrl": "https://www.linkedin.com/u", "image": "urn:li:image:C4"}
                },
            )
            if r.method == "POST"
            else httpx.Response(201)
        ),
    )
    request = first_request(a.media_status(handle))
    assert request.url.raw_path == b"/rest/images/urn%3Ali%3Aimage%3AC4"
    ready = run_flow(
        a.media_status(handle), lambda r: httpx.Response(200, json={"status": "AVAILABLE"})
    )
    assert ready.state.value == "ready"


# -- statistics and social actions ---------------------------------------------------------


def test_share_statistics_request_and_answer() -> None:
    Source(SHARE_STATS, "reconstructed")  # "Retrieve Statistics for Specific Shares":
    # q=organizationalEntity, organizationalEntity={URN}, shares=List({URN});
    # totalShareStatistics fields from the ShareStatisticsData table
    post = "urn:li:share:1000000"
    request = first_request(adapter().metrics(post))
    assert request.url.raw_path == (
        b"/rest/organizationalEntityShareStatistics?q=organizationalEntity"
        b"&organizationalEntity=urn%3Ali%3Aorganization%3A2414183"
        b"&shares=List(urn%3Ali%3Ashare%3A1000000)"
    )
    element = {
        "totalShareStatistics": {
            "uniqueImpressionsCount": 14,
            "shareCount": 0,
            "engagement": 0.0714,
            "clickCount": 1,
            "likeCount": 0,
            "impressionCount": 14,
            "commentCount": 0,
        },
        "share": post,
        "organizationalEntity": ORG,
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"elements": [element]}, extensions={"smmkit.received_at": 1.8e9}
        )

    names = {m.metric: m.value for m in run_flow(adapter().metrics(post), answer)}
    assert names["impressions"] == 14 and names["reach"] == 14 and names["clicks"] == 1
    assert names["interactions"] == 1


def test_ugc_posts_use_the_ugc_posts_parameter() -> None:
    Source(SHARE_STATS, "reconstructed")  # ugcPosts=List({ugcPost URN}) for UGC posts
    request = first_request(adapter().metrics("urn:li:ugcPost:1000000"))
    assert b"&ugcPosts=List(urn%3Ali%3AugcPost%3A1000000)" in request.url.raw_path


def test_member_post_counts_come_from_social_actions() -> None:
    Source(SOCIAL_ACTIONS, "reconstructed")  # GET /rest/socialActions/{URN}:
    # likesSummary.totalLikes, commentsSummary.aggregatedTotalComments
    member = LinkedInAdapter(access_token="t", author="urn:li:person:abc")
    request = first_request(member.metrics("urn:li:share:1000000"))
    assert request.url.raw_path == b"/rest/socialActions/urn%3Ali%3Ashare%3A1000000"


def test_comment_and_nested_comment_bodies() -> None:
    Source(COMMENTS_API, "reconstructed")  # "Create a Comment": POST
    # /rest/socialActions/{encoded post URN}/comments {actor, object, message.text};
    # "Create a nested comment": the target is the encoded comment URN and the body
    # adds parentComment
    post = "urn:li:activity:6631349431612559360"
    comment = f"urn:li:comment:({post},6636062862760562688)"
    a = adapter()
    top = first_request(a.reply(post, post, "Great post!"))
    assert top.url.raw_path == (
        b"/rest/socialActions/urn%3Ali%3Aactivity%3A6631349431612559360/comments"
    )
    assert body(top) == {"actor": ORG, "object": post, "message": {"text": "Great post!"}}
    nested = first_request(a.reply(post, comment, "Thanks!"))
    assert nested.url.raw_path == b"/rest/socialActions/" + restli(comment).encode() + b"/comments"
    assert body(nested)["parentComment"] == comment


def test_comment_answer_is_read() -> None:
    Source(COMMENTS_API, "reconstructed")  # Comment schema: actor, commentUrn,
    # created.time (epoch ms), message.text, object, parentComment
    post = "urn:li:activity:6631349431612559360"
    listed = {
        "elements": [
            {
                "actor": "urn:li:person:nWo0jt",
                "commentUrn": f"urn:li:comment:({post},6636062862760562688)",
                "created": {"actor": "urn:li:person:nWo0jt", "time": 1581025256000},
                "id": "6636062862760562688",
                "message": {"text": "Nice!"},
                "object": post,
            }
        ]
    }
    (found,) = run_flow(adapter().comments(post), lambda r: httpx.Response(200, json=listed))
    assert (found.author_id, found.text, found.in_reply_to) == (
        "urn:li:person:nWo0jt",
        "Nice!",
        post,
    )
    assert found.created_at == datetime.fromtimestamp(1581025256, timezone.utc)


# -- errors -----------------------------------------------------------------------------


def test_error_body_is_read() -> None:
    Source(ERRORS, "official")  # the error body: status, serviceErrorCode, code, message
    request = httpx.Request("DELETE", "https://api.linkedin.com/rest/posts/x")
    response = httpx.Response(
        401,
        json={
            "status": 401,
            "serviceErrorCode": 65600,
            "code": "INVALID_ACCESS_TOKEN",
            "message": "Invalid access token",
        },
        request=request,
    )
    info = adapter().parse_error(response)
    assert info is not None and info.kind is AuthenticationError
    assert info.code == "INVALID_ACCESS_TOKEN" and "serviceErrorCode 65600" in info.message


def test_duplicate_post_answer_is_a_duplicate() -> None:
    Source(DUPLICATE_ISSUE, "observed")  # quoted in the issue, 2023-12-14
    request = httpx.Request("POST", "https://api.linkedin.com/rest/posts")
    response = httpx.Response(
        422,
        json={
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
            "Content is a duplicate of urn:li:share:7141138937766391808",
            "errorDetails": {
                "inputErrors": [
                    {
                        "description": "Duplicate post is detected",
                        "input": {},
                        "code": "DUPLICATE_POST",
                    }
                ]
            },
            "status": 422,
        },
        request=request,
    )
    info = adapter().parse_error(response)
    assert info is not None and info.kind is DuplicateContentError
    assert info.code == "DUPLICATE_POST"


def test_throttling_waits_for_the_daily_reset() -> None:
    Source(RATE_LIMITS, "official")  # "These limits reset at midnight UTC every day";
    # "Rate limited requests will receive a 429 response"
    request = httpx.Request("POST", "https://api.linkedin.com/rest/posts")
    response = httpx.Response(
        429, json={"status": 429, "message": "Too Many Requests"}, request=request
    )
    response.extensions["smmkit.received_at"] = NOW.timestamp()
    info = adapter().parse_error(response)
    assert info is not None and info.retry_after == 12 * 3600
