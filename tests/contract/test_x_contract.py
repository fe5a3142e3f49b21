"""X: every request the X client suite sends, checked against X's OpenAPI document.

The whole of ``tests/platforms/test_x.py`` (conformance suite included) runs again here
with a hook on the fake server's transport that validates each request with openapi-core
(method, path, query, headers, body) and checks its query keys explicitly. The client
follows the document's field names: ``post.fields`` (spec 2.167), not the ``tweet.fields``
of X's prose docs, and ``referenced_posts``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.contract._openapi import ContractChecker, load_contract, x_multipart_segment_index
from tests.platforms import test_x as suite
from tests.platforms.x_fake import FakeX

pytestmark = pytest.mark.usefixtures("contracts_present")

# The client suite, collected here as well (its fixtures and tests, not its classes).
globals().update(
    {name: value for name, value in vars(suite).items() if name.startswith(("test_", "server"))}
)


@functools.cache
def x_checker() -> ContractChecker:
    openapi, spec = load_contract("x-api-v2.openapi.json", [x_multipart_segment_index])
    # The token endpoint is described by the OAuth2 security scheme, not as a path.
    outside = frozenset({("POST", "/2/oauth2/token")})
    return ContractChecker(openapi, spec, frozenset({"api.x.com"}), outside)


@pytest.fixture(autouse=True)
def contract_hook(
    contracts_present: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ContractChecker]:
    """Validate every request that reaches the fake X; fail on the first violation."""
    checker = x_checker()
    before = len(checker.problems)
    answer = FakeX.answer

    def checked(self: FakeX, request: httpx.Request) -> httpx.Response:
        problems = checker.check(request)
        assert not problems, problems
        return answer(self, request)

    monkeypatch.setattr(FakeX, "answer", checked)
    yield checker
    assert checker.problems[before:] == []


class TestXConformanceAgainstTheContract(suite.TestXConformance):
    pass


def test_the_hook_sees_requests_and_catches_a_wrong_one() -> None:
    checker = x_checker()
    seen = checker.checked
    bad = httpx.Request(
        "GET",
        "https://api.x.com/2/tweets/1346889436626259968",
        params={"tweet.fields": "public_metrics"},
        headers={"Authorization": "Bearer t"},
    )
    found = checker.check(bad)
    checker.problems.clear()
    assert found == ["query keys not in the contract: ['tweet.fields']"]
    body: dict[str, Any] = {"text": "hi", "reply": {"in_reply_to_tweet_id": "not-an-id"}}
    wrong = httpx.Request("POST", "https://api.x.com/2/tweets", json=body)
    found = checker.check(wrong)
    checker.problems.clear()
    assert any("in_reply_to_tweet_id" in p or "does not match" in p for p in found), found
    assert any("bearer" in p for p in found)
    assert checker.checked == seen + 2
