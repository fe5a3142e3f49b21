"""Mastodon: the client's requests checked against the Mastodon OpenAPI document.

Two parts: every request of the operations, built by stepping each flow by hand (what
``tests/platforms/test_mastodon.py`` checked with a hand-written schema walk before), and
the whole Mastodon client suite run again with a hook on the fake server's transport.
Both go through openapi-core's request validator (method, path, query, headers, body)
plus an explicit check of the query keys. The document types ``Idempotency-Key`` as an
object: patched to a string when loading.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import httpx
import pytest
from tests.contract._openapi import (
    ContractChecker,
    any_host,
    binary_parts_are_bytes,
    load_contract,
    mastodon_idempotency_key_is_a_string,
    mastodon_status_text_and_media,
)
from tests.platforms import test_mastodon as suite

from smmkit.models import MediaAsset
from smmkit.platforms.mastodon import MastodonAdapter

pytestmark = pytest.mark.usefixtures("contracts_present")

# The client suite, collected here as well (its fixtures and tests, not its classes).
globals().update(
    {name: value for name, value in vars(suite).items() if name.startswith(("test_", "server"))}
)


@functools.cache
def mastodon_checker() -> ContractChecker:
    patches = [
        mastodon_idempotency_key_is_a_string,
        mastodon_status_text_and_media,
        binary_parts_are_bytes,
        any_host,
    ]
    openapi, spec = load_contract("mastodon.openapi.json", patches)
    return ContractChecker(openapi, spec, frozenset({"social.example"}))


@pytest.fixture(autouse=True)
def contract_hook(
    contracts_present: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ContractChecker]:
    """Validate every request that reaches the fake Mastodon; fail on a violation."""
    checker = mastodon_checker()
    before = len(checker.problems)
    answer = suite.FakeMastodon.answer

    def checked(self: suite.FakeMastodon, request: httpx.Request) -> httpx.Response:
        problems = checker.check(request)
        assert not problems, problems
        return answer(self, request)

    monkeypatch.setattr(suite.FakeMastodon, "answer", checked)
    yield checker
    assert checker.problems[before:] == []


class TestMastodonConformanceAgainstTheContract(suite.TestMastodonConformance):
    pass


def _operation_requests() -> list[httpx.Request]:
    """One request per operation, with every optional field the client can send."""
    adapter = MastodonAdapter(base_url=suite.BASE, access_token="t", media_loader=suite.MEDIA)
    extras = {"visibility": "unlisted", "spoiler_text": "tea", "language": "en"}
    flows = [
        adapter.publish(suite.post(), idempotency_key="k1"),
        adapter.publish(
            suite.post(extras={**extras, "media_ids": ["7"], "sensitive": True}),
            idempotency_key="k2",
        ),
        adapter.reply("1", "2", "@bob thanks"),
        adapter.send_message("bob@ex.org", "hi"),
        adapter.delete("1"),
        adapter.status("1"),
        adapter.context("1"),
        adapter.upload_media(MediaAsset(kind="image", url=suite.PNG, alt_text="a cup")),
        adapter.instance_spec(),
    ]
    requests = [suite._first_request(flow) for flow in flows]
    handle = adapter._handle(
        httpx.Response(202, json={"id": "9"}), MediaAsset(kind="video", url=suite.MP4).kind
    )
    requests.append(suite._first_request(adapter.media_status(handle)))
    for request in requests:
        request.headers["Authorization"] = "Bearer t"  # what the driver adds
        request.read()
    return requests


@pytest.mark.parametrize("index", range(10))
def test_each_operation_matches_the_contract(index: int) -> None:
    request = _operation_requests()[index]
    checker = mastodon_checker()
    assert checker.check(request) == []
    _, operation = checker.operation(request)
    assert operation is not None, f"{request.method} {request.url.path} is not in the contract"
    if "idempotency-key" in request.headers:
        names = {p["name"].lower() for p in operation.get("parameters", ()) if p["in"] == "header"}
        assert "idempotency-key" in names


def test_the_validator_catches_what_the_contract_forbids() -> None:
    checker = mastodon_checker()
    headers = {"Authorization": "Bearer t"}
    wrong = [
        httpx.Request(
            "POST",
            f"{suite.BASE}/api/v1/statuses",
            headers=headers,
            json={"status": "hi", "visibility": "friends"},
        ),
        httpx.Request(
            "GET",
            f"{suite.BASE}/api/v1/statuses/1",
            headers=headers,
            params={"with_everything": "1"},
        ),
        httpx.Request("POST", f"{suite.BASE}/api/v1/statuses", json={"status": "hi"}),
    ]
    for request in wrong:
        request.read()
        assert checker.check(request), request
    checker.problems.clear()
