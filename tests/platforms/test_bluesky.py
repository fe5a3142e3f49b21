"""Bluesky adapter at the transport level: a fake PDS, both drivers, and the facet rules.

The fake PDS answers the way ``@atproto/pds`` 0.5.35 does on 127.0.0.1 (checked against
the real server): expired access JWTs → 400 ``ExpiredToken``, unknown tokens → 400
``InvalidToken``, a missing record → 400 ``RecordNotFound``, a non-TID record key → 400,
``createRecord`` of a record key that exists → 500, ``putRecord`` with ``swapRecord: null``
of one that exists → 400 ``InvalidSwap`` (200 and no change when the record is identical),
and AppView reads → 400 "No service configured" unless an AppView is attached. The real
server is exercised in ``tests/integration/test_bluesky_pds.py``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from datetime import datetime, timezone
from operator import methodcaller
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import (
    AuthenticationError,
    InvalidInputError,
    UnsupportedOperationError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import (
    Credentials,
    InMemoryMediaLoader,
    InMemoryTokenStore,
    RetryPolicy,
    SimulatedClock,
    Token,
)
from smmkit.platforms._bluesky_records import keyed_tids
from smmkit.platforms.bluesky import (
    BlueskyAdapter,
    build_facets,
    find_mentions,
    make_tid,
    parse_at_uri,
)
from smmkit.testing import SENTINEL_SECRET, AdapterConformance, FakePlatform, client_for, drive

BASE = "http://pds.test"
PNG = "https://media.example/cup.png"
# Media bytes come through an explicit loader: the default one downloads the URL
# (tests/platforms/test_media_loading.py covers that path).
MEDIA = InMemoryMediaLoader(
    {PNG: base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk")}
)
TID_CHARS = set("234567abcdefghijklmnopqrstuvwxyz")
WRITES = ("com.atproto.repo.createRecord", "com.atproto.repo.putRecord")


def fake_jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


def error(status: int, name: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error": name, "message": message})


class FakePDS(FakePlatform):
    """One account, its repo of posts, sessions with rotating refresh tokens."""

    def __init__(
        self,
        *,
        client_id: str = "alice.test",
        client_secret: str = "app-pass",
        clock: SimulatedClock | None = None,
        appview: bool = False,
        access_ttl: float = 7200,
    ) -> None:
        self.handle = client_id
        self.password = client_secret
        self.clock = clock or SimulatedClock()
        self.appview = appview
        self.access_ttl = access_ttl
        self.did = "did:plc:alice000000000000000000"
        self.others = {"bob.test": "did:plc:bob0000000000000000000000"}
        self.records: dict[str, dict[str, Any]] = {}
        self.access: dict[str, float] = {}
        self.refresh: set[str] = set()
        self.logins = 0
        self.refreshes = 0
        self.seen: list[str] = []
        self.lose_create_answers = 0
        self._n = itertools.count(1)

    def answer(self, request: httpx.Request) -> httpx.Response:
        response = self._route(request)
        if self.lose_create_answers and request.url.path.endswith(WRITES):
            self.lose_create_answers -= 1
            raise httpx.ReadError("connection reset after the write", request=request)
        return response

    def _session(self) -> dict[str, Any]:
        number = next(self._n)
        exp = self.clock.time() + self.access_ttl
        access = fake_jwt({"sub": self.did, "exp": int(exp), "n": number})
        refresh = fake_jwt({"sub": self.did, "scope": "com.atproto.refresh", "n": number})
        self.access[access] = exp
        self.refresh.add(refresh)
        return {"accessJwt": access, "refreshJwt": refresh, "did": self.did, "handle": self.handle}

    def expire_access_tokens(self) -> None:
        for token in self.access:
            self.access[token] = self.clock.time() - 1

    def _route(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        self.seen.append(nsid)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.createSession":
            body = json.loads(request.content)
            if body != {"identifier": self.handle, "password": self.password}:
                return error(401, "AuthenticationRequired", "Invalid identifier or password")
            self.logins += 1
            return httpx.Response(200, json=self._session())
        if nsid == "com.atproto.server.refreshSession":
            if bearer not in self.refresh:
                return error(400, "ExpiredToken", "Token has been revoked")
            self.refresh.discard(bearer)
            self.refreshes += 1
            return httpx.Response(200, json=self._session())
        if bearer not in self.access:
            return error(400, "InvalidToken", "Token could not be verified")
        if self.access[bearer] <= self.clock.time():
            return error(400, "ExpiredToken", "Token has expired")
        return self._xrpc(nsid, request)

    def _xrpc(self, nsid: str, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if nsid == "com.atproto.identity.resolveHandle":
            did = self.others.get(params["handle"]) or (
                self.did if params["handle"] == self.handle else None
            )
            if did is None:
                return error(400, "InvalidRequest", "Unable to resolve handle")
            return httpx.Response(200, json={"did": did})
        if nsid == "com.atproto.repo.uploadBlob":
            size = len(request.content)
            blob = {
                "$type": "blob",
                "ref": {"$link": f"bafkrei{size:08d}"},
                "mimeType": request.headers["content-type"],
                "size": size,
            }
            return httpx.Response(200, json={"blob": blob})
        if nsid in WRITES:
            return self._write(nsid, json.loads(request.content))
        if nsid == "com.atproto.repo.getRecord":
            record = self.records.get(params["rkey"])
            if record is None:
                return error(400, "RecordNotFound", f"Could not locate record: {params['rkey']}")
            return httpx.Response(200, json=record)
        if nsid == "com.atproto.repo.deleteRecord":
            self.records.pop(json.loads(request.content)["rkey"], None)
            return httpx.Response(200, json={})
        if nsid == "com.atproto.repo.listRecords":
            records = sorted(self.records.values(), key=lambda r: r["uri"], reverse=True)
            return httpx.Response(200, json={"records": records[: int(params["limit"])]})
        if nsid in ("app.bsky.feed.getPosts", "app.bsky.feed.getPostThread"):
            if not self.appview:
                return error(400, "InvalidRequest", f"No service configured for {nsid}")
            return self._appview(nsid, params)
        return error(400, "InvalidRequest", f"unknown method {nsid}")

    def _write(self, nsid: str, body: dict[str, Any]) -> httpx.Response:
        rkey = body["rkey"]
        if (
            len(rkey) != 13
            or not set(rkey) <= TID_CHARS
            or rkey[0] not in TID_CHARS - set("klmnopqrstuvwxyz")
        ):
            return error(400, "InvalidRequest", "Invalid record key: Invalid TID string")
        assert body["repo"] in (self.handle, self.did)
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        # A CID is the hash of the record: the same record has the same CID.
        cid = (
            "bafyrei"
            + hashlib.sha256(json.dumps(body["record"], sort_keys=True).encode()).hexdigest()[:20]
        )
        existing = self.records.get(rkey)
        if existing is not None:
            if nsid.endswith("createRecord"):
                return error(500, "InternalServerError", "Internal Server Error")
            if existing["cid"] == cid:  # putRecord of the same record: a no-op
                return httpx.Response(
                    200, json={"uri": uri, "cid": cid, "validationStatus": "valid"}
                )
            if "swapRecord" in body and body["swapRecord"] is None:
                return error(400, "InvalidSwap", f"Record was at {existing['cid']}")
        self.records[rkey] = {"uri": uri, "cid": cid, "value": body["record"]}
        return httpx.Response(200, json={"uri": uri, "cid": cid, "validationStatus": "valid"})

    def _appview(self, nsid: str, params: httpx.QueryParams) -> httpx.Response:
        def view(record: dict[str, Any]) -> dict[str, Any]:
            replies = [
                r
                for r in self.records.values()
                if (r["value"].get("reply") or {}).get("parent", {}).get("uri") == record["uri"]
            ]
            return {
                "uri": record["uri"],
                "cid": record["cid"],
                "author": {"did": self.did, "handle": self.handle},
                "record": record["value"],
                "indexedAt": record["value"]["createdAt"],
                "likeCount": 3,
                "repostCount": 1,
                "replyCount": len(replies),
                "quoteCount": 0,
            }

        by_uri = {r["uri"]: r for r in self.records.values()}
        if nsid == "app.bsky.feed.getPosts":
            uris = params.get_list("uris")
            return httpx.Response(
                200, json={"posts": [view(by_uri[u]) for u in uris if u in by_uri]}
            )

        def thread(record: dict[str, Any]) -> dict[str, Any]:
            children = [
                r
                for r in self.records.values()
                if (r["value"].get("reply") or {}).get("parent", {}).get("uri") == record["uri"]
            ]
            return {"post": view(record), "replies": [thread(c) for c in children]}

        return httpx.Response(200, json={"thread": thread(by_uri[params["uri"]])})


def make_adapter(server: FakePDS, **options: Any) -> BlueskyAdapter:
    creds = Credentials(client_id=server.handle, client_secret=server.password)
    options.setdefault("media_loader", MEDIA)
    return BlueskyAdapter(base_url=BASE, credentials=creds, **options)


def make_client(kind: str, server: FakePDS, **options: Any) -> Any:
    adapter = options.pop("adapter", None) or make_adapter(server)
    options.setdefault("clock", server.clock)
    options.setdefault("token_store", InMemoryTokenStore())
    return client_for(kind, adapter, server, **options)


@pytest.fixture
def server() -> FakePDS:
    return FakePDS(clock=SimulatedClock())


def post(body: str = "Cold brew at three.", **fields: Any) -> PlatformPost:
    return PlatformPost(platform="bluesky", piece_id="p1", body=body, **fields)


class TestBlueskyConformance(AdapterConformance, adapter=BlueskyAdapter, platform=FakePDS):
    def make_adapter(self) -> BlueskyAdapter:
        return BlueskyAdapter(base_url=BASE, credentials=self.credentials())


def tid_micros(rkey: str) -> int:
    value = 0
    for char in rkey:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(char)
    return value >> 10


def test_created_at_comes_from_the_clock_and_the_record_key_from_the_idempotency_key(
    kind: str, server: FakePDS
) -> None:
    server.clock.advance(3600.25)
    client = make_client(kind, server)
    result = drive(kind, client, lambda c: c.publish(post(), idempotency_key="batch-7:p1"))
    assert result.ok, result.error
    (record,) = server.records.values()
    assert record["value"]["createdAt"] == "2026-01-01T01:00:00.250Z"
    at = datetime(2026, 1, 1, 1, 0, 0, 250000, timezone.utc)
    assert result.receipt.published_at == at
    uri = result.receipt.post_id
    assert parse_at_uri(uri)[2] == next(keyed_tids("batch-7:p1"))
    # Without an idempotency key (a reply), the record key is a TID of the clock's time.
    answer = drive(kind, client, lambda c: c.reply(uri, uri, "an answer"))
    assert tid_micros(parse_at_uri(answer.id)[2]) == round(at.timestamp() * 1_000_000)


def test_a_rerun_by_a_new_adapter_posts_nothing_twice(kind: str, server: FakePDS) -> None:
    """Two processes (two adapters, two clients, no shared state) publish one batch."""
    batch = [post(f"tip {n}").model_copy(update={"piece_id": f"p{n}"}) for n in range(5)]
    first = [drive(kind, make_client(kind, server), methodcaller("publish", p)) for p in batch]
    server.clock.advance(600)  # later: a clock-based record key would differ now
    again = [drive(kind, make_client(kind, server), methodcaller("publish", p)) for p in batch]
    assert all(r.ok for r in first + again)
    assert len(server.records) == len(batch)
    assert [r.receipt.post_id for r in again] == [r.receipt.post_id for r in first]
    assert [r.receipt.published_at for r in again] == [r.receipt.published_at for r in first]


def test_a_record_key_held_by_another_post_moves_to_the_next_key(
    kind: str, server: FakePDS
) -> None:
    taken, second = itertools.islice(keyed_tids("k-collide"), 2)
    server.records[taken] = {
        "uri": f"at://{server.did}/app.bsky.feed.post/{taken}",
        "cid": "bafyreiother",
        "value": {"$type": "app.bsky.feed.post", "text": "someone else", "createdAt": "x"},
    }
    client = make_client(kind, server)
    result = drive(kind, client, lambda c: c.publish(post("mine"), idempotency_key="k-collide"))
    assert result.ok, result.error
    assert parse_at_uri(result.receipt.post_id)[2] == second
    assert server.records[taken]["value"]["text"] == "someone else"  # untouched
    found = drive(
        kind,
        client,
        lambda c: c.run(c.adapter.find_published(post("mine"), idempotency_key="k-collide")),
    )
    assert found is not None and found.post_id == result.receipt.post_id


def test_a_thread_cut_short_is_finished_by_a_rerun_without_repeating_its_start(
    kind: str,
) -> None:
    class RefuseRepliesOnce(FakePDS):
        refused = False

        def _xrpc(self, nsid: str, request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content) if nsid in WRITES else {}
            if "reply" in body.get("record", {}) and not self.refused:
                self.refused = True
                return error(400, "InvalidRequest", "refused once")
            return super()._xrpc(nsid, request)

    server = RefuseRepliesOnce(clock=SimulatedClock())
    thread = post("1/3", parts=("1/3 tea", "2/3 more tea", "3/3 the end"))
    cut = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    assert not cut.ok and len(server.records) == 1
    finished = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    assert finished.ok, finished.error
    texts = sorted(r["value"]["text"] for r in server.records.values())
    assert texts == ["1/3 tea", "2/3 more tea", "3/3 the end"]
    assert cut.error is not None and cut.error.delivered == (finished.receipt.post_id,)


@given(st.text(min_size=0, max_size=64))
def test_keyed_record_keys_are_valid_tids_from_before_2020(key: str) -> None:
    for rkey in itertools.islice(keyed_tids(key), 3):
        assert len(rkey) == 13 and set(rkey) <= TID_CHARS and rkey[0] in "234567abcdefghij"
        assert 946_684_800_000_000 <= tid_micros(rkey) < 1_577_836_800_000_000
        assert re.search(r"n[ilo14a][gq]{2}(l[e3]t|[e3]r)", rkey) is None


# -- facets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://a.example/x.", [("link", "https://a.example/x", 4, 23)]),
        ("(https://en.wiki/A_(b))", [("link", "https://en.wiki/A_(b)", 1, 22)]),
        ("茶 #抹茶!", [("tag", "抹茶", 4, 11)]),
        ("#2026 is a year", []),
        ("hi @bob.test!", [("mention", "did:plc:bob", 3, 12)]),
        ("mail me@bob.test", []),
        ("🍵 @nobody.test", []),
        (
            "https://x.example/#frag #tea",
            [("link", "https://x.example/#frag", 0, 23), ("tag", "tea", 24, 28)],
        ),
    ],
)
def test_facets_use_utf8_byte_offsets(text: str, expected: list[tuple[Any, ...]]) -> None:
    facets = build_facets(text, {"bob.test": "did:plc:bob"})
    got = []
    for facet in facets:
        feature = facet["features"][0]
        kind = feature["$type"].split("#")[1]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        got.append((kind, value, facet["index"]["byteStart"], facet["index"]["byteEnd"]))
    assert got == expected


@given(st.text(max_size=80))
def test_facet_ranges_are_in_bounds_sorted_and_disjoint(text: str) -> None:
    encoded = text.encode("utf-8")
    last = 0
    for facet in build_facets(text, dict.fromkeys(find_mentions(text), "did:plc:x")):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert last <= start < end <= len(encoded)
        encoded[start:end].decode("utf-8")  # a range never splits a character
        last = end


@given(st.integers(min_value=0, max_value=2**53 - 2), st.integers(0, 1023))
def test_tids_are_13_sortable_chars(micros: int, clock_id: int) -> None:
    tid = make_tid(micros, clock_id)
    assert len(tid) == 13 and set(tid) <= TID_CHARS
    assert make_tid(micros + 1, clock_id) > tid


def test_at_uri_must_have_three_parts() -> None:
    with pytest.raises(InvalidInputError, match="post_id"):
        parse_at_uri("https://bsky.app/profile/x/post/y")


# -- sessions ------------------------------------------------------------------------


def test_one_login_then_the_session_is_reused(kind: str, server: FakePDS) -> None:
    client = make_client(kind, server)
    for number in range(3):
        result = drive(kind, client, methodcaller("publish", post(f"post {number}")))
        assert result.ok, result.error
    assert server.logins == 1
    assert server.seen.count("com.atproto.server.createSession") == 1


def test_expired_access_token_is_refreshed_not_relogged(kind: str, server: FakePDS) -> None:
    store = InMemoryTokenStore()
    client = make_client(kind, server, token_store=store)
    drive(kind, client, lambda c: c.publish(post("first")))
    server.expire_access_tokens()
    result = drive(kind, client, lambda c: c.publish(post("second")))
    assert result.ok, result.error
    assert (server.logins, server.refreshes) == (1, 1)
    assert "ExpiredToken" not in str(result)


def test_session_from_the_store_is_used_by_a_new_client(kind: str, server: FakePDS) -> None:
    store = InMemoryTokenStore()
    drive(kind, make_client(kind, server, token_store=store), lambda c: c.publish(post("a")))
    later = make_client(kind, server, token_store=store)
    result = drive(kind, later, lambda c: c.publish(post("b")))
    assert result.ok and server.logins == 1


def test_revoked_refresh_token_falls_back_to_one_login(kind: str, server: FakePDS) -> None:
    store = InMemoryTokenStore()
    store.put(
        "bluesky:default",
        Token(access_token="stale.stale.stale", refresh_token="revoked.revoked.revoked"),
    )
    result = drive(kind, make_client(kind, server, token_store=store), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert server.logins == 1
    assert server.seen.count("com.atproto.server.refreshSession") == 1


def test_wrong_app_password_is_an_authentication_error(kind: str, server: FakePDS) -> None:
    adapter = BlueskyAdapter(
        base_url=BASE,
        credentials=Credentials(client_id=server.handle, client_secret="wrong-pass"),
    )
    result = drive(kind, make_client(kind, server, adapter=adapter), lambda c: c.publish(post()))
    assert result.error.error_type == "AuthenticationError"
    assert "wrong-pass" not in result.model_dump_json()
    assert server.seen.count("com.atproto.server.createSession") == 1


# -- posting -------------------------------------------------------------------------


def test_post_with_image_alt_text_and_facets(kind: str, server: FakePDS) -> None:
    image = MediaAsset(kind="image", url=PNG, alt_text="a cup of tea", width=4, height=3)
    body = "Tea 🍵 with @bob.test https://tea.example #cha"
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post(body, media=(image,))))
    assert result.ok, result.error
    record = next(iter(server.records.values()))["value"]
    assert record["text"] == body
    image_view = record["embed"]["images"][0]
    assert image_view["alt"] == "a cup of tea"
    assert image_view["aspectRatio"] == {"width": 4, "height": 3}
    assert image_view["image"]["$type"] == "blob"
    kinds = [f["features"][0]["$type"].split("#")[1] for f in record["facets"]]
    assert kinds == ["mention", "link", "tag"]
    mention = record["facets"][0]
    start, end = mention["index"]["byteStart"], mention["index"]["byteEnd"]
    assert body.encode()[start:end] == b"@bob.test"
    assert mention["features"][0]["did"] == server.others["bob.test"]


def test_lost_answer_is_read_back_not_posted_twice(kind: str, server: FakePDS) -> None:
    server.lose_create_answers = 1
    result = drive(kind, make_client(kind, server), lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.records) == 1
    # The driver resent the same conditional create: the PDS answers an identical record
    # with itself, so nothing needed reading back.
    assert server.seen.count("com.atproto.repo.putRecord") == 2
    assert result.receipt.post_id == next(iter(server.records.values()))["uri"]


def test_a_lost_answer_then_a_new_attempt_reads_the_record_back(kind: str) -> None:
    """Another attempt writes another ``createdAt``: ``InvalidSwap``, then a read-back."""

    class SlowLoss(FakePDS):
        def answer(self, request: httpx.Request) -> httpx.Response:
            self.clock.advance(1.5)  # time passes while the answer is lost
            return super().answer(request)

    server = SlowLoss(clock=SimulatedClock())
    server.lose_create_answers = 1
    client = make_client(kind, server, retry=RetryPolicy(max_attempts=1))
    result = drive(kind, client, lambda c: c.publish(post()))
    assert result.ok, result.error
    assert len(server.records) == 1
    assert server.seen.count("com.atproto.repo.getRecord") == 1
    assert result.receipt.post_id == next(iter(server.records.values()))["uri"]


def test_reply_list_and_delete(kind: str, server: FakePDS) -> None:
    client = make_client(kind, server)
    root = drive(kind, client, lambda c: c.publish(post("root"))).receipt.post_id
    first = drive(kind, client, lambda c: c.reply(root, root, "first answer"))
    second = drive(kind, client, lambda c: c.reply(root, first.id, "second answer"))
    value = server.records[parse_at_uri(second.id)[2]]["value"]
    assert value["reply"]["root"]["uri"] == root
    assert value["reply"]["parent"]["uri"] == first.id
    page = drive(kind, client, lambda c: c.run(c.adapter.list_posts(limit=10)))
    assert {p.uri for p in page.posts} == {root, first.id, second.id}
    drive(kind, client, lambda c: c.delete(first.id))
    assert first.id not in {r["uri"] for r in server.records.values()}


def test_thread_parts_become_a_reply_chain(kind: str, server: FakePDS) -> None:
    thread = post("1/2", parts=("1/2 tea", "2/2 more tea"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    records = {r["value"]["text"]: r for r in server.records.values()}
    assert records["2/2 more tea"]["value"]["reply"]["root"]["uri"] == result.receipt.post_id


def test_counts_without_an_appview_are_unsupported(kind: str, server: FakePDS) -> None:
    client = make_client(kind, server)
    uri = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    with pytest.raises(UnsupportedOperationError, match="AppView"):
        drive(kind, client, lambda c: c.metrics(uri))
    with pytest.raises(UnsupportedOperationError):
        drive(kind, client, lambda c: c.comments(uri))


def test_counts_and_replies_through_an_appview(kind: str) -> None:
    server = FakePDS(clock=SimulatedClock(), appview=True)
    client = make_client(kind, server)
    uri = drive(kind, client, lambda c: c.publish(post())).receipt.post_id
    reply = drive(kind, client, lambda c: c.reply(uri, uri, "thanks"))
    metrics = {m.metric: m.value for m in drive(kind, client, lambda c: c.metrics(uri))}
    assert metrics == {
        "likeCount": 3,
        "repostCount": 1,
        "replyCount": 1,
        "quoteCount": 0,
        "interactions": 5,
    }
    comments = drive(kind, client, lambda c: c.comments(uri))
    assert [(c.id, c.text, c.in_reply_to) for c in comments] == [(reply.id, "thanks", uri)]


def test_too_many_or_too_large_images_are_refused_before_upload(server: FakePDS) -> None:
    adapter = make_adapter(server, media_loader=lambda asset: b"x" * 2_000_001)
    with pytest.raises(InvalidInputError, match="bytes"):
        next(adapter.upload_media(MediaAsset(kind="image", url=PNG)))
    with pytest.raises(UnsupportedOperationError):
        next(adapter.upload_media(MediaAsset(kind="video", url="https://cdn.example/v.mp4")))
    blobs = tuple(json.dumps({"ref": i}) for i in range(5))
    with pytest.raises(InvalidInputError, match="at most 4"):
        next(make_adapter(server).publish(post(extras={"media_ids": blobs})))


def test_session_secrets_stay_out_of_reprs_and_errors(kind: str, server: FakePDS) -> None:
    store = InMemoryTokenStore()
    adapter = BlueskyAdapter(
        base_url=BASE,
        credentials=Credentials(client_id=server.handle, client_secret=SENTINEL_SECRET),
    )
    server.password = SENTINEL_SECRET
    client = make_client(kind, server, adapter=adapter, token_store=store)
    good = drive(kind, client, lambda c: c.publish(post()))
    token = store.get("bluesky:default")
    assert token is not None and token.refresh_token is not None
    secrets = [SENTINEL_SECRET, token.access_token.get_secret_value()]
    secrets.append(token.refresh_token.get_secret_value())
    server.expire_access_tokens()
    server.refresh.clear()
    server.password = "changed"
    bad = drive(kind, client, lambda c: c.publish(post("again")))
    assert not bad.ok
    outputs = [repr(client), repr(adapter), repr(store), repr(token), str(token), repr(good)]
    outputs += [good.model_dump_json(), bad.model_dump_json(), str(bad.exception)]
    for secret in secrets:
        assert all(secret not in output for output in outputs)
    assert isinstance(bad.exception, AuthenticationError)


def test_a_thread_that_fails_midway_reports_the_posts_already_live(kind: str) -> None:
    class SecondPartRefused(FakePDS):
        def _xrpc(self, nsid: str, request: httpx.Request) -> httpx.Response:
            if nsid in WRITES and "reply" in json.loads(request.content)["record"]:
                return error(400, "InvalidRequest", "Record/text must not be longer than 300")
            return super()._xrpc(nsid, request)

    server = SecondPartRefused(clock=SimulatedClock())
    thread = post("1/2", parts=("1/2 tea", "2/2 more tea"))
    result = drive(kind, make_client(kind, server), lambda c: c.publish(thread))
    assert not result.ok and result.error is not None
    (first,) = server.records.values()
    assert result.error.delivered == (first["uri"],)
