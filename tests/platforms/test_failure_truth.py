"""Failures say the truth, on every real client and both drivers (issue 16, item 4).

Each scenario runs on the sandbox, WeChat OA, WeCom, Bluesky and Mastodon, through the
same fakes as their own tests, wrapped in :class:`Faulty`: a transport that fails the
token endpoint or the create request in chosen ways (an outage, a lost answer after the
write, a 2xx in an unexpected form, an HTML error page) and counts what reached the
server. Time is simulated: every wait is measured on the shared ``SimulatedClock``.

* a token endpoint that is down is a ``TokenUnavailableError`` (an authentication
  failure) with the post certainly not sent, after a bounded number of token calls;
* a 2xx answer to a create that cannot be read is an unknown outcome that is read back
  (or resent with its key), never an input error saying the post failed;
* parts of a thread already live are in ``error.delivered`` whatever stopped the rest;
* the request id survives a body that cannot be parsed;
* retries do not multiply: one budget per publish, and ``max_total_wait`` and
  ``publish_deadline`` bound its simulated time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from tests.platforms.test_bluesky import FakePDS
from tests.platforms.test_bluesky import make_adapter as bluesky_adapter
from tests.platforms.test_mastodon import BASE as MASTODON_URL
from tests.platforms.test_mastodon import MEDIA as MASTODON_MEDIA
from tests.platforms.test_mastodon import FakeMastodon
from tests.platforms.test_wechat import FakeWeChat, article
from tests.platforms.test_wechat import make_adapter as wechat_adapter
from tests.platforms.test_wecom import PNG as WECOM_PNG
from tests.platforms.test_wecom import FakeWeCom
from tests.platforms.test_wecom import make_adapter as wecom_adapter

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    InvalidInputError,
    PublishTimeoutError,
    RateLimitError,
    TokenUnavailableError,
)
from smmkit.models import MediaAsset, PlatformPost
from smmkit.platforms import (
    Credentials,
    InMemoryTokenStore,
    PlatformAdapter,
    RateLimiter,
    RequestRate,
    RetryPolicy,
    SandboxPlatform,
    SimulatedClock,
)
from smmkit.platforms._ratelimit import BucketKey
from smmkit.platforms.mastodon import MastodonAdapter
from smmkit.testing import FakePlatform, client_for, drive

REQUEST_ID = "rid-16-4"
UNREADABLE = {"unexpected": "shape"}  # a 2xx body no adapter can read a post id from


@dataclass(frozen=True)
class Case:
    """One real client: its fake server, adapter, post and the paths that matter."""

    name: str
    server: Callable[[SimulatedClock], Any]
    adapter: Callable[[Any], PlatformAdapter]
    post: Callable[[], PlatformPost]
    token_path: str
    create_paths: tuple[str, ...]
    live: Callable[[Any], int]  # posts (messages, records) on the server's side
    thread: Callable[[], PlatformPost] | None = None
    created_id: Callable[[dict[str, Any]], str] | None = None


def _mastodon_oauth(server: FakeMastodon) -> MastodonAdapter:
    # OAuth credentials, so that publishing starts with a token call (/oauth/token).
    creds = Credentials(client_id="app", client_secret="s", refresh_token="r")
    return MastodonAdapter(base_url=MASTODON_URL, credentials=creds, media_loader=MASTODON_MEDIA)


def _mastodon(server: FakeMastodon) -> MastodonAdapter:
    return MastodonAdapter(
        base_url=MASTODON_URL, access_token=server.token, media_loader=MASTODON_MEDIA
    )


def _post(platform: str, **fields: Any) -> Callable[[], PlatformPost]:
    def make() -> PlatformPost:
        return PlatformPost(platform=platform, piece_id="truth-1", **fields)

    return make


SANDBOX = Case(
    name="sandbox",
    server=lambda clock: SandboxPlatform(clock=clock),
    adapter=lambda server: server.adapter(),
    post=_post("mastodon", body="Cold brew at three."),
    token_path="/oauth/token",
    create_paths=("/api/posts",),
    live=lambda server: int(server.published_count),
)
WECHAT = Case(
    name="wechat_oa",
    server=lambda clock: FakeWeChat(clock=clock),
    adapter=lambda server: wechat_adapter(),
    post=article,
    token_path="/cgi-bin/stable_token",
    create_paths=("/cgi-bin/freepublish/submit",),
    live=lambda server: len(server.jobs),
)
WECOM = Case(
    name="wecom",
    server=lambda clock: FakeWeCom(clock=clock),
    adapter=lambda server: wecom_adapter(),
    post=_post("wecom", body="今天三点开会"),
    token_path="/cgi-bin/gettoken",
    create_paths=("/cgi-bin/message/send",),
    live=lambda server: len(server.delivered),
    # Words and an image: two messages, the words first.
    thread=_post("wecom", body="今天三点开会", media=(MediaAsset(kind="image", url=WECOM_PNG),)),
    created_id=lambda body: str(body["msgid"]),
)
BLUESKY = Case(
    name="bluesky",
    server=lambda clock: FakePDS(clock=clock),
    adapter=bluesky_adapter,
    post=_post("bluesky", body="Cold brew at three."),
    token_path="/xrpc/com.atproto.server.createSession",
    create_paths=("/xrpc/com.atproto.repo.putRecord", "/xrpc/com.atproto.repo.createRecord"),
    live=lambda server: len(server.records),
    thread=_post("bluesky", body="1/2 first", parts=("1/2 first", "2/2 second")),
    created_id=lambda body: str(body["uri"]),
)
MASTODON = Case(
    name="mastodon",
    server=lambda clock: FakeMastodon(clock=clock),
    adapter=_mastodon,
    post=_post("mastodon", body="Cold brew at three."),
    token_path="/oauth/token",
    create_paths=("/api/v1/statuses",),
    live=lambda server: len(server.live),
    thread=_post("mastodon", body="1/2 first", parts=("1/2 first", "2/2 second")),
    created_id=lambda body: str(body["id"]),
)
CASES = [SANDBOX, WECHAT, WECOM, BLUESKY, MASTODON]
READS_BACK = (SANDBOX, BLUESKY)  # adapters that can look a post up by its key
THREADS = [case for case in CASES if case.thread is not None]
ids = [case.name for case in CASES]
thread_ids = [case.name for case in THREADS]


class Faulty(FakePlatform):
    """Passes requests to ``inner``, failing the token calls or the creates on demand.

    ``token`` fails every token call (``None``: none). ``creates`` is consumed one per
    create request, then ``then`` applies to the rest. An action is ``None`` (pass),
    ``"unreadable"`` (the server acts, the answer is a 200 nobody can read),
    ``"garbage"`` (the same 200 from a proxy, the server never saw the request),
    ``"html"`` (a 502 proxy page, nothing done), ``"lost"`` (the server acts, the
    connection resets), ``"timeout"``/``"reset"`` (nothing done), or a status to
    answer with (nothing done). Every error answer carries :data:`REQUEST_ID`.
    """

    def __init__(
        self,
        inner: Any,
        case: Case,
        *,
        token: str | int | None = None,
        creates: tuple[str | int | None, ...] = (),
        then: str | int | None = None,
    ) -> None:
        self.inner, self.case = inner, case
        self.token, self.creates, self.then = token, list(creates), then
        self.token_calls = 0
        self.create_calls = 0
        self.other_calls = 0
        self.created: list[str] = []  # ids from create answers that got through

    def answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == self.case.token_path:
            self.token_calls += 1
            return self._act(self.token, request)
        if request.method == "POST" and path in self.case.create_paths:
            self.create_calls += 1
            action = self.creates.pop(0) if self.creates else self.then
            response = self._act(action, request)
            if action is None and response.is_success and self.case.created_id is not None:
                body = response.json()
                if isinstance(body, dict) and body.get("errcode", 0) == 0:
                    self.created.append(self.case.created_id(body))
            return response
        self.other_calls += 1
        return self._pass(request)

    def _pass(self, request: httpx.Request) -> httpx.Response:
        response: httpx.Response = self.inner.handle_request(request)
        response.read()
        return response

    def _act(self, action: str | int | None, request: httpx.Request) -> httpx.Response:
        headers = {"x-request-id": REQUEST_ID, "request-id": REQUEST_ID}
        if action is None:
            return self._pass(request)
        if action in ("unreadable", "garbage"):
            if action == "unreadable":
                self._pass(request)
            return httpx.Response(200, json=UNREADABLE, headers=headers)
        if action == "html":
            return httpx.Response(502, text="<html>502 Bad Gateway</html>", headers=headers)
        if action == "lost":
            self._pass(request)
            raise httpx.ReadError("reset after the write", request=request)
        if action == "timeout":
            raise httpx.ReadTimeout("read timed out", request=request)
        if action == "reset":
            raise httpx.ReadError("connection reset", request=request)
        assert isinstance(action, int)
        return httpx.Response(action, json={"error": f"injected_{action}"}, headers=headers)


def _setup(
    case: Case,
    kind: str,
    *,
    oauth: bool = False,
    policy: RetryPolicy | None = None,
    **faults: Any,
) -> tuple[Any, Faulty, Any, SimulatedClock]:
    clock = SimulatedClock()
    server = case.server(clock)
    deadline = float(faults.pop("deadline", 600.0))
    faulty = Faulty(server, case, **faults)
    adapter = _mastodon_oauth(server) if oauth and case is MASTODON else case.adapter(server)
    client = client_for(
        kind,
        adapter,
        faulty,
        clock=clock,
        token_store=InMemoryTokenStore(),
        retry=policy or RetryPolicy(),
        rate_limiter=RateLimiter({}, clock=clock),  # no pacing: every wait is a retry's
        publish_deadline=deadline,
    )
    return client, faulty, server, clock


def _publish(kind: str, client: Any, post: PlatformPost) -> Any:
    return drive(kind, client, lambda c: c.publish(post))


# -- 1. a token endpoint that is down ---------------------------------------------------


@pytest.mark.parametrize("fault", [503, 500, "timeout", "reset", "html"])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_a_token_endpoint_that_is_down_is_an_auth_failure_and_nothing_is_sent(
    case: Case, kind: str, fault: str | int
) -> None:
    policy = RetryPolicy()
    client, faulty, server, clock = _setup(case, kind, oauth=True, policy=policy, token=fault)
    result = _publish(kind, client, case.post())
    assert not result.ok
    assert isinstance(result.exception, TokenUnavailableError)
    assert isinstance(result.exception, AuthenticationError)
    assert result.error.outcome_unknown is False  # certainly not sent
    assert result.error.retryable is True  # an outage: worth trying later
    assert faulty.create_calls == 0 and faulty.other_calls == 0
    assert case.live(server) == 0
    # Bounded, and not multiplied by re-posts (it was 35 token calls before).
    assert 1 <= faulty.token_calls <= policy.max_attempts
    assert clock.slept <= policy.max_total_wait


# -- 2. a 2xx answer to a create in an unexpected form ------------------------------------


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_an_unreadable_answer_to_a_create_is_read_back_not_reported_failed(
    case: Case, kind: str
) -> None:
    client, faulty, server, _ = _setup(case, kind, creates=("unreadable",))
    result = _publish(kind, client, case.post())
    assert not isinstance(result.exception, InvalidInputError)
    assert case.live(server) == 1  # the create was applied once, and only once
    if case is WECHAT:
        # freepublish has no key and nothing to read back: say the outcome is unknown.
        assert not result.ok
        assert type(result.exception) is APIError
        assert result.error.outcome_unknown and result.error.retryable
        assert result.error.status == 200
    else:
        # The key was resent (or the post read back): the platform kept one post.
        assert result.ok, result.error
        assert faulty.create_calls >= 2


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_answers_that_stay_unreadable_end_as_an_unknown_outcome(case: Case, kind: str) -> None:
    policy = RetryPolicy(max_attempts=4, jitter=0)
    client, faulty, server, _ = _setup(case, kind, policy=policy, then="unreadable")
    result = _publish(kind, client, case.post())
    assert case.live(server) == 1  # every resend carried the key: still one post
    assert faulty.create_calls <= policy.max_attempts
    if case in READS_BACK:
        assert result.ok, result.error  # the last look found it: it is published
        return
    assert not result.ok
    assert isinstance(result.exception, APIError)
    assert not isinstance(result.exception, InvalidInputError)
    assert result.error.outcome_unknown and result.error.retryable
    assert result.error.request_id == REQUEST_ID


# -- 3. parts already live are delivered, whatever stopped the rest -----------------------


@pytest.mark.parametrize("fault", [503, "timeout", "reset", "lost", "unreadable", 400])
@pytest.mark.parametrize("case", THREADS, ids=thread_ids)
def test_parts_already_live_are_listed_on_every_kind_of_failure(
    case: Case, kind: str, fault: str | int
) -> None:
    assert case.thread is not None
    policy = RetryPolicy(max_attempts=3, jitter=0)
    client, faulty, _, _ = _setup(case, kind, policy=policy, creates=(None,), then=fault)
    result = _publish(kind, client, case.thread())
    if fault in ("lost", "unreadable") and case in READS_BACK:
        # Part 2 went through, its answer was lost: reading back finds the whole thread.
        assert result.ok, result.error
        return
    assert not result.ok
    first = faulty.created[0]
    assert result.error.delivered == (first,), result.error
    assert result.error.outcome_unknown is (fault != 400)
    assert faulty.create_calls <= 1 + policy.max_attempts


@pytest.mark.parametrize("case", [MASTODON, BLUESKY], ids=["mastodon", "bluesky"])
def test_parts_seen_live_in_an_earlier_attempt_stay_listed(case: Case, kind: str) -> None:
    """Part 2 gets an unreadable 200; resending the thread, part 1 meets an outage."""
    assert case.thread is not None
    client, faulty, _, _ = _setup(case, kind, creates=(None, "garbage"), then=503)
    result = _publish(kind, client, case.thread())
    assert not result.ok
    assert result.error.delivered[:1] == (faulty.created[0],)
    assert result.error.outcome_unknown


# -- 4. the request id survives an unreadable body ------------------------------------------


@pytest.mark.parametrize("answer", ["html", "unreadable"])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_request_id_is_kept_when_the_body_cannot_be_parsed(
    case: Case, kind: str, answer: str
) -> None:
    client, _, server, _ = _setup(case, kind, policy=RetryPolicy(max_attempts=2), then=answer)
    result = _publish(kind, client, case.post())
    if answer == "unreadable" and case in READS_BACK:
        assert result.ok and case.live(server) == 1  # read back: published, nothing to report
        return
    assert not result.ok
    assert result.error.request_id == REQUEST_ID
    assert result.error.outcome_unknown


# -- 5. retries do not multiply; waits and deadlines bound a publish ------------------------


@pytest.mark.parametrize("fault", [503, "timeout", 429])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_driver_retries_and_reposts_share_one_budget(
    case: Case, kind: str, fault: str | int
) -> None:
    policy = RetryPolicy(max_attempts=4, initial_backoff=0.1, jitter=0)
    client, faulty, server, clock = _setup(case, kind, policy=policy, then=fault)
    result = _publish(kind, client, case.post())
    assert not result.ok
    assert faulty.create_calls <= policy.max_attempts  # was (1 + 5 re-posts) x 5 attempts
    assert faulty.token_calls <= 1  # Mastodon's static token needs no call
    assert case.live(server) == 0
    assert clock.slept <= policy.max_total_wait


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_every_request_of_a_publish_draws_on_the_same_budget(case: Case, kind: str) -> None:
    policy = RetryPolicy(max_attempts=5, initial_backoff=0.1, jitter=0)
    clean, clean_faulty, _, _ = _setup(case, kind, policy=policy)
    assert _publish(kind, clean, case.post()).ok
    requests = clean_faulty.create_calls + clean_faulty.other_calls
    client, faulty, _, _ = _setup(case, kind, policy=policy, token=None, then=503)
    # Everything after the token fails: uploads, drafts, creates, read-backs.
    faulty.other_calls = 0
    original = faulty._pass

    def failing(request: httpx.Request) -> httpx.Response:
        if request.url.path == case.token_path:
            return original(request)
        return httpx.Response(503, json={"error": "down"})

    faulty._pass = failing  # type: ignore[method-assign]
    result = _publish(kind, client, case.post())
    assert not result.ok
    spent = faulty.create_calls + faulty.other_calls
    # One first attempt per distinct request, plus at most the budget's retries and
    # one last read-back look.
    assert spent <= requests + (policy.max_attempts - 1) + 1


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_max_total_wait_bounds_all_the_waiting_of_a_publish(case: Case, kind: str) -> None:
    policy = RetryPolicy(max_attempts=100, initial_backoff=3, backoff_multiplier=1, jitter=0)
    policy = policy.model_copy(update={"max_total_wait": 20.0})
    client, faulty, _, clock = _setup(case, kind, policy=policy, then=503)
    start = clock.time()
    result = _publish(kind, client, case.post())
    assert not result.ok
    assert clock.slept <= 20.0
    assert clock.time() - start <= 20.0
    assert faulty.create_calls <= 1 + 20 // 3


@pytest.mark.parametrize("fault", [503, 429])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_the_publish_deadline_bounds_its_simulated_time(case: Case, kind: str, fault: int) -> None:
    policy = RetryPolicy(
        max_attempts=1000, initial_backoff=4, backoff_multiplier=1, jitter=0, max_total_wait=1e6
    )
    client, _, _, clock = _setup(case, kind, policy=policy, then=fault, deadline=30)
    start = clock.time()
    result = _publish(kind, client, case.post())
    assert not result.ok
    assert clock.time() - start <= 30.0


def test_status_polls_stop_at_the_deadline(kind: str) -> None:
    clock = SimulatedClock()
    server = FakeWeChat(clock=clock, publish_polls=10_000)
    client = client_for(
        kind,
        wechat_adapter(),
        server,
        clock=clock,
        token_store=InMemoryTokenStore(),
        publish_deadline=45,
    )
    start = clock.time()
    result = _publish(kind, client, article())
    assert isinstance(result.exception, PublishTimeoutError)
    assert clock.time() - start <= 45.0


def test_pacing_past_the_deadline_sends_nothing(kind: str) -> None:
    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock)
    slow = RateLimiter({"*": RequestRate(limit=1, per_seconds=100)}, clock=clock)
    slow.reserve(BucketKey("sandbox", "default", "statuses"))  # the create waits 100 s
    client = client_for(
        kind, sandbox.adapter(), sandbox, clock=clock, rate_limiter=slow, publish_deadline=30
    )
    start = clock.time()
    result = _publish(kind, client, sandbox.sample_post("hi"))
    assert isinstance(result.exception, RateLimitError)
    assert result.error.outcome_unknown is False and result.error.retry_after
    assert sandbox.published_count == 0
    assert clock.time() - start <= 30.0


def test_without_a_publish_a_request_keeps_the_whole_policy(kind: str) -> None:
    """Outside ``publish`` (``client.run``) each request has its own attempts."""
    clock = SimulatedClock()
    sandbox = SandboxPlatform(clock=clock)
    policy = RetryPolicy(max_attempts=3, jitter=0)
    faulty = Faulty(sandbox, SANDBOX, then=503)
    client = client_for(kind, sandbox.adapter(), faulty, clock=clock, retry=policy)
    post = SANDBOX.post()
    with pytest.raises(APIError):
        drive(kind, client, lambda c: c.run(c.adapter.publish(post, idempotency_key="k")))
    assert faulty.create_calls == policy.max_attempts
