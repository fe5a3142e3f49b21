"""smmkit.platforms.oauth: PKCE, authorization URLs, the token flows on both drivers.

The fakes answer as the providers' pages document (cited in ``_oauth_providers``):
RFC 6749 error bodies, Meta's Graph error object, TikTok's ``log_id``. Every flow runs
through ``run_oauth``/``arun_oauth`` with an injected ``http_client`` (no socket) and a
:class:`SimulatedClock`, so expiry times are exact.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import pickle
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
from pydantic import SecretStr

from smmkit.exceptions import (
    APIError,
    AuthenticationError,
    BadRequestError,
    InvalidInputError,
    NotPicklableError,
    PermissionDeniedError,
    PlatformError,
    RateLimitError,
    ServerError,
    UnsupportedOperationError,
)
from smmkit.platforms import (
    Client,
    Flow,
    InMemoryTokenStore,
    PlatformAdapter,
    RetryPolicy,
    SimulatedClock,
    Token,
    oauth,
)
from smmkit.platforms._errors import ErrorInfo
from smmkit.platforms.oauth import (
    GOOGLE,
    LINKEDIN,
    META,
    META_GRAPH_VERSION,
    TIKTOK,
    OAuthClient,
    OAuthProvider,
    OAuthToken,
    PkcePair,
    X,
)
from smmkit.testing import SENTINEL_SECRET, FakePlatform, run_flow

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CALLBACK = "https://app.example/oauth/callback"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
APP = OAuthClient(client_id="app-id-1", client_secret="app-secret-123456")
KINDS = ("sync", "async")
MASTODON = oauth.mastodon("https://social.example")

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeOAuthServer(FakePlatform):
    """Answers each request with the next scripted answer and keeps what it got."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if not self.answers:
            return httpx.Response(500, json={"error": "server_error"})
        answer = self.answers.pop(0)
        response = answer(request) if callable(answer) else answer
        # a fresh copy: one scripted answer may serve the sync and the async driver
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content
        )

    def form(self, index: int = -1) -> dict[str, str]:
        request = self.seen[index]
        if request.method in ("GET", "DELETE"):
            return dict(request.url.params.multi_items())
        return dict(parse_qsl(request.content.decode()))


def run(
    kind: str,
    flow: Flow[Any],
    server: FakeOAuthServer,
    *,
    clock: SimulatedClock | None = None,
    retry: RetryPolicy | None = None,
) -> Any:
    clock = clock or SimulatedClock(START)
    if kind == "sync":
        with httpx.Client(transport=server) as http:
            return oauth.run_oauth(flow, http_client=http, clock=clock, retry=retry)

    async def main() -> Any:
        async with httpx.AsyncClient(transport=server) as http:
            return await oauth.arun_oauth(flow, http_client=http, clock=clock, retry=retry)

    return asyncio.run(main())


def token_answer(**fields: Any) -> httpx.Response:
    body = {"access_token": "AT-fresh-123", "token_type": "bearer", "expires_in": 3600}
    body.update(fields)
    return httpx.Response(200, json={k: v for k, v in body.items() if v is not None})


def exchange(
    kind: str, provider: OAuthProvider, answer: Answer, *, client: OAuthClient = APP, **options: Any
) -> tuple[OAuthToken, FakeOAuthServer]:
    """Run ``provider``'s code exchange (``redirect_uri=CALLBACK``) against ``answer``."""
    server = FakeOAuthServer(answer)
    flow = oauth.exchange_code(provider, client=client, redirect_uri=CALLBACK, **options)
    token: OAuthToken = run(kind, flow, server)
    return token, server


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# -- PKCE and state ------------------------------------------------------------------------


def test_pkce_matches_rfc_7636_appendix_b() -> None:
    pair = oauth.pkce_pair(VERIFIER)
    assert isinstance(pair, PkcePair)
    assert pair.challenge == CHALLENGE
    assert pair.method == "S256"
    assert pair.verifier.get_secret_value() == VERIFIER


def test_generated_pkce_verifiers_are_valid_and_fresh() -> None:
    pairs = [oauth.pkce_pair() for _ in range(20)]
    verifiers = {p.verifier.get_secret_value() for p in pairs}
    assert len(verifiers) == 20
    for pair in pairs:
        again = oauth.pkce_pair(pair.verifier.get_secret_value())
        assert again.challenge == pair.challenge and len(pair.challenge) == 43


@pytest.mark.parametrize(
    "verifier", ["short", "a" * 42, "a" * 129, "a" * 42 + "+", "a" * 42 + " ", "ä" * 43, 43]
)
def test_pkce_refuses_a_bad_verifier(verifier: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        oauth.pkce_pair(verifier)
    assert info.value.problems[0].field == "verifier"


def test_pkce_accepts_the_bounds() -> None:
    assert oauth.pkce_pair("a" * 43).challenge
    assert oauth.pkce_pair("~._-" * 32).challenge


def test_state_is_fresh_and_checked_in_constant_time() -> None:
    state = oauth.new_state()
    assert len(state) >= 43 and state != oauth.new_state()
    oauth.check_state(state, state)
    for received in (state + "x", "", None, state.upper()):
        with pytest.raises(InvalidInputError) as info:
            oauth.check_state(state, received)
        assert info.value.problems[0].field == "state"
        assert state not in str(info.value)
    with pytest.raises(InvalidInputError, match="state"):
        oauth.check_state(state, 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="expected"):
        oauth.check_state("", "")


# -- authorization URLs -------------------------------------------------------------------


def test_x_authorization_url() -> None:
    url = oauth.authorization_url(
        X,
        client_id="x-client",
        redirect_uri=CALLBACK,
        scopes=["tweet.read", "tweet.write", "users.read", "offline.access"],
        state="st-1",
        code_challenge=oauth.pkce_pair(VERIFIER),
    )
    assert url.startswith("https://x.com/i/oauth2/authorize?")
    assert "scope=tweet.read%20tweet.write%20users.read%20offline.access" in url
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["x-client"],
        "redirect_uri": [CALLBACK],
        "scope": ["tweet.read tweet.write users.read offline.access"],
        "state": ["st-1"],
        "code_challenge": [CHALLENGE],
        "code_challenge_method": ["S256"],
    }


def test_x_requires_pkce() -> None:
    with pytest.raises(InvalidInputError) as info:
        oauth.authorization_url(
            X, client_id="x", redirect_uri=CALLBACK, scopes=["tweet.read"], state="s"
        )
    assert info.value.problems[0].field == "code_challenge"


def test_linkedin_authorization_url_has_no_pkce() -> None:
    url = oauth.authorization_url(
        LINKEDIN,
        client_id="li-client",
        redirect_uri=CALLBACK,
        scopes="openid profile w_member_social",
        state="st-2",
    )
    assert url.startswith("https://www.linkedin.com/oauth/v2/authorization?")
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["li-client"],
        "redirect_uri": [CALLBACK],
        "scope": ["openid profile w_member_social"],
        "state": ["st-2"],
    }
    with pytest.raises(InvalidInputError) as info:
        oauth.authorization_url(
            LINKEDIN,
            client_id="li",
            redirect_uri=CALLBACK,
            scopes=["openid"],
            state="s",
            code_challenge=CHALLENGE,
        )
    assert info.value.problems[0].field == "code_challenge"


def test_meta_authorization_url_is_versioned_and_comma_separated() -> None:
    url = oauth.authorization_url(
        META,
        client_id="1234",
        redirect_uri=CALLBACK,
        scopes=["pages_manage_posts", "pages_read_engagement"],
        state="st-3",
    )
    assert url.startswith(f"https://www.facebook.com/{META_GRAPH_VERSION}/dialog/oauth?")
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["1234"],
        "redirect_uri": [CALLBACK],
        "scope": ["pages_manage_posts,pages_read_engagement"],
        "state": ["st-3"],
    }


def test_google_authorization_url_asks_for_a_refresh_token() -> None:
    url = oauth.authorization_url(
        GOOGLE,
        client_id="g.apps.googleusercontent.com",
        redirect_uri="http://localhost:8080/cb",
        scopes=["https://www.googleapis.com/auth/youtube.upload"],
        state="st-4",
        code_challenge=CHALLENGE,
        extra_params={"login_hint": "brand@example.com"},
    )
    assert url.startswith("https://accounts.google.com/o/oauth2/v2/auth?")
    assert query(url) == {
        "response_type": ["code"],
        "client_id": ["g.apps.googleusercontent.com"],
        "redirect_uri": ["http://localhost:8080/cb"],
        "scope": ["https://www.googleapis.com/auth/youtube.upload"],
        "state": ["st-4"],
        "code_challenge": [CHALLENGE],
        "code_challenge_method": ["S256"],
        "access_type": ["offline"],
        "prompt": ["consent"],
        "login_hint": ["brand@example.com"],
    }


def test_tiktok_authorization_url_uses_client_key() -> None:
    url = oauth.authorization_url(
        TIKTOK,
        client_id="tt-key",
        redirect_uri=CALLBACK,
        scopes=["user.info.basic", "video.publish", "video.upload"],
        state="st-5",
    )
    assert url.startswith("https://www.tiktok.com/v2/auth/authorize/?")
    assert query(url) == {
        "response_type": ["code"],
        "client_key": ["tt-key"],
        "redirect_uri": [CALLBACK],
        "scope": ["user.info.basic,video.publish,video.upload"],
        "state": ["st-5"],
    }


def test_mastodon_authorization_url_takes_out_of_band() -> None:
    url = oauth.authorization_url(
        MASTODON,
        client_id="m-client",
        redirect_uri="urn:ietf:wg:oauth:2.0:oob",
        scopes=["read", "write"],
        state="st-6",
        code_challenge=CHALLENGE,
    )
    assert url.startswith("https://social.example/oauth/authorize?")
    assert query(url)["redirect_uri"] == ["urn:ietf:wg:oauth:2.0:oob"]
    assert query(url)["scope"] == ["read write"]
    with pytest.raises(InvalidInputError):  # only Mastodon documents out-of-band codes
        oauth.authorization_url(
            GOOGLE,
            client_id="g",
            redirect_uri="urn:ietf:wg:oauth:2.0:oob",
            scopes=["openid"],
            state="s",
        )


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://app.example/cb",
        "http://10.0.0.1/cb",
        "ftp://app.example/cb",
        "https:///cb",
        "https://app.example/cb#frag",
        "app.example/cb",
        "",
    ],
)
def test_authorization_url_refuses_an_unsafe_redirect(redirect_uri: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        oauth.authorization_url(
            GOOGLE, client_id="g", redirect_uri=redirect_uri, scopes=["openid"], state="s"
        )
    assert info.value.problems[0].field == "redirect_uri"


@pytest.mark.parametrize(
    "redirect_uri", ["http://localhost:3000/cb", "http://127.0.0.1:9/cb", "http://[::1]:8/cb"]
)
def test_authorization_url_takes_loopback_http(redirect_uri: str) -> None:
    url = oauth.authorization_url(
        GOOGLE, client_id="g", redirect_uri=redirect_uri, scopes=["openid"], state="s"
    )
    assert query(url)["redirect_uri"] == [redirect_uri]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"client_id": ""}, "client_id"),
        ({"client_id": 5}, "client_id"),
        ({"state": ""}, "state"),
        ({"scopes": ["a b"]}, "scopes"),
        ({"scopes": [""]}, "scopes"),
        ({"scopes": 3}, "scopes"),
        ({"code_challenge": "too-short"}, "code_challenge"),
        ({"extra_params": {"state": "x"}}, "extra_params"),
        ({"extra_params": {"client_id": "x"}}, "extra_params"),
        ({"extra_params": {"a": 1}}, "extra_params"),
    ],
)
def test_authorization_url_names_the_bad_field(kwargs: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {
        "client_id": "g",
        "redirect_uri": CALLBACK,
        "scopes": ["openid"],
        "state": "s",
    }
    arguments.update(kwargs)
    with pytest.raises(InvalidInputError) as info:
        oauth.authorization_url(GOOGLE, **arguments)
    assert info.value.problems[0].field == field


def test_authorization_url_refuses_a_non_provider() -> None:
    with pytest.raises(InvalidInputError, match="provider"):
        oauth.authorization_url(
            "x",  # type: ignore[arg-type]
            client_id="g",
            redirect_uri=CALLBACK,
            scopes=[],
            state="s",
        )


def test_mastodon_provider_needs_an_https_origin() -> None:
    assert oauth.mastodon("https://social.example/").token_url == (
        "https://social.example/oauth/token"
    )
    for bad in ("http://social.example", "https://social.example/api", "social", 3):
        with pytest.raises(InvalidInputError) as info:
            oauth.mastodon(bad)  # type: ignore[arg-type]
        assert info.value.problems[0].field == "instance_url"


def test_a_provider_can_be_adapted() -> None:
    native = LINKEDIN.model_copy(update={"pkce": "optional"})
    url = oauth.authorization_url(
        native,
        client_id="li",
        redirect_uri="http://127.0.0.1:5000/cb",
        scopes=["openid"],
        state="s",
        code_challenge=CHALLENGE,
    )
    assert query(url)["code_challenge"] == [CHALLENGE]
    with pytest.raises(InvalidInputError, match="authorize_url"):
        OAuthProvider(name="p", authorize_url="http://id.example/a", token_url="https://t")


# -- code exchange ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_x_exchange_uses_basic_auth_and_the_verifier(kind: str) -> None:
    answer = token_answer(
        access_token="x-at",
        expires_in=7200,
        refresh_token="x-rt",
        scope="tweet.read offline.access",
    )
    token, server = exchange(kind, X, answer, code="x-code", code_verifier=VERIFIER)
    request = server.seen[0]
    assert (request.method, str(request.url)) == ("POST", "https://api.x.com/2/oauth2/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    expected = base64.b64encode(b"app-id-1:app-secret-123456").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert server.form() == {
        "grant_type": "authorization_code",
        "code": "x-code",
        "redirect_uri": CALLBACK,
        "code_verifier": VERIFIER,
    }
    assert token.access_token.get_secret_value() == "x-at"
    assert token.refresh_token is not None and token.refresh_token.get_secret_value() == "x-rt"
    assert token.expires_at == START + timedelta(hours=2)
    assert token.scopes == ("tweet.read", "offline.access")


@pytest.mark.parametrize("kind", KINDS)
def test_x_public_client_sends_its_id_in_the_form(kind: str) -> None:
    public = OAuthClient(client_id="public-1")
    _, server = exchange(
        kind, X, token_answer(), client=public, code="c", code_verifier=oauth.pkce_pair(VERIFIER)
    )
    assert "authorization" not in server.seen[0].headers
    assert server.form()["client_id"] == "public-1"
    assert "client_secret" not in server.form()


def test_x_exchange_requires_the_verifier() -> None:
    with pytest.raises(InvalidInputError) as info:
        oauth.exchange_code(X, client=APP, code="c", redirect_uri=CALLBACK)
    assert info.value.problems[0].field == "code_verifier"
    with pytest.raises(InvalidInputError) as info:
        oauth.exchange_code(X, client=APP, code="c", redirect_uri=CALLBACK, code_verifier="x")
    assert info.value.problems[0].field == "code_verifier"


@pytest.mark.parametrize("kind", KINDS)
def test_linkedin_exchange_reads_both_lifetimes(kind: str) -> None:
    answer = token_answer(
        access_token="li-at",
        expires_in=5184000,
        refresh_token="li-rt",
        refresh_token_expires_in=31536000,
        scope="openid,profile,w_member_social",
    )
    token, server = exchange(kind, LINKEDIN, answer, code="li")
    assert str(server.seen[0].url) == "https://www.linkedin.com/oauth/v2/accessToken"
    assert server.form() == {
        "grant_type": "authorization_code",
        "code": "li",
        "redirect_uri": CALLBACK,
        "client_id": "app-id-1",
        "client_secret": "app-secret-123456",
    }
    assert token.expires_at == START + timedelta(days=60)
    assert token.refresh_expires_at == START + timedelta(days=365)
    assert token.scopes == ("openid", "profile", "w_member_social")
    with pytest.raises(InvalidInputError, match="code_verifier"):
        oauth.exchange_code(
            LINKEDIN, client=APP, code="c", redirect_uri=CALLBACK, code_verifier=VERIFIER
        )


@pytest.mark.parametrize("kind", KINDS)
def test_meta_exchange_is_a_get_on_the_pinned_version(kind: str) -> None:
    answer = token_answer(access_token="EAAshort", expires_in=5400)
    token, server = exchange(kind, META, answer, code="fb-code")
    request = server.seen[0]
    assert request.method == "GET"
    assert request.url.path == f"/{META_GRAPH_VERSION}/oauth/access_token"
    assert server.form() == {
        "code": "fb-code",
        "redirect_uri": CALLBACK,
        "client_id": "app-id-1",
        "client_secret": "app-secret-123456",
    }
    assert token.refresh_token is None
    assert token.expires_at == START + timedelta(seconds=5400)


@pytest.mark.parametrize("kind", KINDS)
def test_google_exchange(kind: str) -> None:
    answer = token_answer(
        access_token="ya29.a",
        expires_in=3599,
        refresh_token="1//rt",
        scope="https://www.googleapis.com/auth/youtube.upload openid",
        id_token="eyJ.id.token",
    )
    token, server = exchange(kind, GOOGLE, answer, code="4/0A", code_verifier=VERIFIER)
    assert str(server.seen[0].url) == "https://oauth2.googleapis.com/token"
    assert server.form()["code_verifier"] == VERIFIER
    assert server.form()["client_secret"] == "app-secret-123456"
    assert token.id_token is not None and token.id_token.get_secret_value() == "eyJ.id.token"
    assert token.scopes == ("https://www.googleapis.com/auth/youtube.upload", "openid")


@pytest.mark.parametrize("kind", KINDS)
def test_tiktok_exchange_uses_client_key_and_reads_open_id(kind: str) -> None:
    answer = token_answer(
        access_token="act.1",
        expires_in=86400,
        open_id="open-1",
        refresh_token="rft.1",
        refresh_expires_in=31536000,
        scope="user.info.basic,video.publish",
        token_type="Bearer",
    )
    token, server = exchange(kind, TIKTOK, answer, code="tt")
    assert str(server.seen[0].url) == "https://open.tiktokapis.com/v2/oauth/token/"
    assert server.form() == {
        "grant_type": "authorization_code",
        "code": "tt",
        "redirect_uri": CALLBACK,
        "client_key": "app-id-1",
        "client_secret": "app-secret-123456",
    }
    assert token.account_id == "open-1"
    assert token.token_type == "Bearer"
    assert token.refresh_expires_at == START + timedelta(days=365)


@pytest.mark.parametrize("kind", KINDS)
def test_mastodon_register_authorize_exchange(kind: str) -> None:
    server = FakeOAuthServer(
        httpx.Response(
            200,
            json={
                "id": "563419",
                "name": "brand tool",
                "website": "https://app.example",
                "redirect_uri": CALLBACK,
                "client_id": "m-client-id",
                "client_secret": "m-client-secret-1",
                "vapid_key": "BCk...",
            },
        ),
        token_answer(
            access_token="m-at", expires_in=None, scope="read write", created_at=1767225600
        ),
    )
    app = run(
        kind,
        oauth.register_app(
            "https://social.example",
            client_name="brand tool",
            redirect_uris=[CALLBACK],
            scopes=["read", "write"],
            website="https://app.example",
        ),
        server,
    )
    assert (server.seen[0].method, str(server.seen[0].url)) == (
        "POST",
        "https://social.example/api/v1/apps",
    )
    assert server.form(0) == {
        "client_name": "brand tool",
        "redirect_uris": CALLBACK,
        "scopes": "read write",
        "website": "https://app.example",
    }
    assert app.client_id == "m-client-id"
    pair = oauth.pkce_pair()
    url = oauth.authorization_url(
        MASTODON,
        client_id=app.client_id,
        redirect_uri=CALLBACK,
        scopes=["read", "write"],
        state="s",
        code_challenge=pair,
    )
    assert query(url)["client_id"] == ["m-client-id"]
    token = run(
        kind,
        oauth.exchange_code(
            MASTODON, client=app, code="m-code", redirect_uri=CALLBACK, code_verifier=pair
        ),
        server,
    )
    assert str(server.seen[1].url) == "https://social.example/oauth/token"
    assert server.form(1)["client_secret"] == "m-client-secret-1"
    assert server.form(1)["code_verifier"] == pair.verifier.get_secret_value()
    assert token.expires_at is None and token.scopes == ("read", "write")


def test_register_app_joins_several_redirects_and_checks_them() -> None:
    server = FakeOAuthServer(
        httpx.Response(200, json={"client_id": "c", "client_secret": "s-123456789"})
    )
    run(
        "sync",
        oauth.register_app(
            "https://social.example",
            client_name="n",
            redirect_uris=[CALLBACK, "urn:ietf:wg:oauth:2.0:oob"],
            scopes="read",
        ),
        server,
    )
    assert server.form()["redirect_uris"] == f"{CALLBACK}\nurn:ietf:wg:oauth:2.0:oob"
    for kwargs, field in (
        ({"redirect_uris": []}, "redirect_uris"),
        ({"redirect_uris": ["http://app.example/cb"]}, "redirect_uris"),
        ({"client_name": ""}, "client_name"),
        ({"website": "app.example"}, "website"),
    ):
        arguments: dict[str, Any] = {
            "client_name": "n",
            "redirect_uris": [CALLBACK],
            "scopes": ["read"],
        }
        arguments.update(kwargs)
        with pytest.raises(InvalidInputError) as info:
            oauth.register_app("https://social.example", **arguments)
        assert info.value.problems[0].field == field


# -- refresh, long-lived exchange, revoke ------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("provider", [X, LINKEDIN, GOOGLE, TIKTOK], ids=lambda p: p.name)
def test_refresh(kind: str, provider: OAuthProvider) -> None:
    rotated = provider in (X, TIKTOK)
    server = FakeOAuthServer(
        token_answer(access_token="AT-2", refresh_token="RT-2" if rotated else None)
    )
    token = run(kind, oauth.refresh(provider, client=APP, refresh_token="RT-1"), server)
    assert str(server.seen[0].url) == provider.token_url
    form = server.form()
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == "RT-1"
    assert token.refresh_token is not None
    assert token.refresh_token.get_secret_value() == ("RT-2" if rotated else "RT-1")
    assert token.expires_at == START + timedelta(hours=1)
    if provider is X:
        assert "client_id" not in form and server.seen[0].headers["authorization"].startswith(
            "Basic "
        )
    else:
        assert form[provider.client_id_param] == "app-id-1"


@pytest.mark.parametrize("provider", [META, MASTODON], ids=lambda p: p.name)
def test_providers_without_refresh_tokens_refuse_a_refresh(provider: OAuthProvider) -> None:
    with pytest.raises(UnsupportedOperationError):
        oauth.refresh(provider, client=APP, refresh_token="rt")


@pytest.mark.parametrize("kind", KINDS)
def test_meta_long_lived_exchange(kind: str) -> None:
    server = FakeOAuthServer(token_answer(access_token="EAAlong", expires_in=5183944))
    token = run(
        kind,
        oauth.exchange_long_lived(META, client=APP, short_lived_token=SecretStr("EAAshort")),
        server,
    )
    request = server.seen[0]
    assert request.method == "GET"
    assert request.url.path == f"/{META_GRAPH_VERSION}/oauth/access_token"
    assert server.form() == {
        "grant_type": "fb_exchange_token",
        "fb_exchange_token": "EAAshort",
        "client_id": "app-id-1",
        "client_secret": "app-secret-123456",
    }
    assert token.expires_at == START + timedelta(seconds=5183944)


def test_long_lived_exchange_is_meta_only_and_needs_the_secret() -> None:
    with pytest.raises(InvalidInputError, match="provider"):
        oauth.exchange_long_lived(X, client=APP, short_lived_token="t")
    with pytest.raises(InvalidInputError, match="client"):
        oauth.exchange_long_lived(META, client=OAuthClient(client_id="1"), short_lived_token="t")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("provider", "form"),
    [
        (
            X,
            {"token": "RT-9", "token_type_hint": "refresh_token"},
        ),
        (
            LINKEDIN,
            {"token": "RT-9", "client_id": "app-id-1", "client_secret": "app-secret-123456"},
        ),
        (GOOGLE, {"token": "RT-9"}),
        (
            TIKTOK,
            {"token": "RT-9", "client_key": "app-id-1", "client_secret": "app-secret-123456"},
        ),
        (
            MASTODON,
            {"token": "RT-9", "client_id": "app-id-1", "client_secret": "app-secret-123456"},
        ),
    ],
    ids=lambda v: v.name if isinstance(v, OAuthProvider) else "form",
)
def test_revoke(kind: str, provider: OAuthProvider, form: dict[str, str]) -> None:
    server = FakeOAuthServer(httpx.Response(200, json={}))
    grant = OAuthToken(access_token="AT-9", refresh_token="RT-9")
    assert run(kind, oauth.revoke(provider, client=APP, token=grant), server) is None
    request = server.seen[0]
    assert (request.method, str(request.url)) == ("POST", provider.revoke_url)
    assert server.form() == form


@pytest.mark.parametrize("kind", KINDS)
def test_meta_revoke_deletes_the_permissions_with_the_token(kind: str) -> None:
    server = FakeOAuthServer(httpx.Response(200, json={"success": True}))
    run(kind, oauth.revoke(META, client=APP, token="EAAlong"), server)
    request = server.seen[0]
    assert request.method == "DELETE"
    assert request.url.path == f"/{META_GRAPH_VERSION}/me/permissions"
    assert request.headers["authorization"] == "Bearer EAAlong"
    assert not request.url.query
    refused = FakeOAuthServer(httpx.Response(200, json={"success": False}))
    with pytest.raises(APIError):
        run(kind, oauth.revoke(META, client=APP, token="EAAlong"), refused)


def test_revoke_checks_its_arguments() -> None:
    with pytest.raises(InvalidInputError, match="token"):
        oauth.revoke(GOOGLE, client=APP, token="")
    with pytest.raises(InvalidInputError, match="client"):
        oauth.revoke(GOOGLE, client="app", token="t")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="token_type_hint"):
        oauth.revoke(GOOGLE, client=APP, token="t", token_type_hint="id_token")  # type: ignore[arg-type]
    bare = OAuthProvider(name="bare", authorize_url="https://a.example", token_url="https://t")
    with pytest.raises(UnsupportedOperationError):
        oauth.revoke(bare, client=APP, token="t")


# -- errors ---------------------------------------------------------------------------------


def _error(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers or {})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("provider", "answer", "expected"),
    [
        (
            GOOGLE,
            _error(400, {"error": "invalid_grant", "error_description": "Bad Request"}),
            (AuthenticationError, "invalid_grant", None),
        ),
        (
            X,
            _error(
                401,
                {"error": "invalid_client", "error_description": "Missing valid authorization"},
                {"x-transaction-id": "tx-1"},
            ),
            (AuthenticationError, "invalid_client", "tx-1"),
        ),
        (
            TIKTOK,
            _error(
                400,
                {"error": "invalid_grant", "error_description": "expired", "log_id": "log-1"},
                {"x-tt-logid": "log-1"},
            ),
            (AuthenticationError, "invalid_grant", "log-1"),
        ),
        (
            META,
            _error(
                400,
                {
                    "error": {
                        "message": "Error validating access token",
                        "type": "OAuthException",
                        "code": 190,
                        "fbtrace_id": "fb-1",
                    }
                },
                {"x-fb-trace-id": "fb-1"},
            ),
            (AuthenticationError, 190, "fb-1"),
        ),
        (
            META,
            _error(
                400,
                {
                    "error": {
                        "message": "This authorization code has been used.",
                        "type": "OAuthException",
                        "code": 100,
                        "error_subcode": 36009,
                        "fbtrace_id": "fb-2",
                    }
                },
                {"x-fb-trace-id": "fb-2"},
            ),
            (AuthenticationError, 100, "fb-2"),
        ),
        (
            META,
            _error(400, {"error": {"message": "busy", "type": "OAuthException", "code": 4}}),
            (RateLimitError, 4, None),
        ),
        (
            LINKEDIN,
            _error(400, {"error": "invalid_request", "error_description": "missing code"}),
            (BadRequestError, "invalid_request", None),
        ),
        (
            LINKEDIN,
            _error(401, {"error": "unauthorized_client", "error_description": "no"}),
            (PermissionDeniedError, "unauthorized_client", None),
        ),
        (
            LINKEDIN,
            _error(401, {"serviceErrorCode": 65600, "message": "Invalid token", "status": 401}),
            (AuthenticationError, None, None),
        ),
        (GOOGLE, _error(429, {"error": "rate_limit"}), (RateLimitError, "rate_limit", None)),
        (GOOGLE, _error(502, {"error": "invalid_grant"}), (ServerError, "invalid_grant", None)),
    ],
    ids=lambda v: v.name if isinstance(v, OAuthProvider) else "",
)
def test_error_answers_become_typed_errors(
    kind: str,
    provider: OAuthProvider,
    answer: httpx.Response,
    expected: tuple[type[PlatformError], str | int | None, str | None],
) -> None:
    kind_of_error, code, request_id = expected
    server = FakeOAuthServer(answer)
    flow = oauth.exchange_code(
        provider,
        client=APP,
        code="code-123456789",
        redirect_uri=CALLBACK,
        code_verifier=VERIFIER if provider.pkce != "none" else None,
    )
    with pytest.raises(kind_of_error) as info:
        run(kind, flow, server, retry=RetryPolicy.none())
    err = info.value
    assert type(err) is kind_of_error
    assert (err.platform, err.status, err.code, err.request_id) == (
        provider.name,
        answer.status_code,
        code,
        request_id,
    )
    assert provider.name in str(err)


@pytest.mark.parametrize(
    ("answer", "kind_of_error", "code", "request_id"),
    [
        (
            _error(400, {"error": "invalid_grant", "error_description": "x", "log_id": "L-1"}),
            AuthenticationError,
            "invalid_grant",
            "L-1",
        ),
        (
            _error(200, {"error": "invalid_request", "error_description": "x", "log_id": "L-2"}),
            BadRequestError,
            "invalid_request",
            "L-2",
        ),
        (
            _error(
                401, {"error": {"code": "access_token_invalid", "message": "m", "log_id": "L-3"}}
            ),
            AuthenticationError,
            "access_token_invalid",
            "L-3",
        ),
        (
            _error(503, {"error": "temporarily_unavailable"}),
            ServerError,
            "temporarily_unavailable",
            None,
        ),
    ],
)
def test_flows_raise_typed_errors_without_a_driver(
    answer: httpx.Response, kind_of_error: type[PlatformError], code: str, request_id: str
) -> None:
    flow = oauth.exchange_code(TIKTOK, client=APP, code="c", redirect_uri=CALLBACK)
    with pytest.raises(kind_of_error) as info:
        run_flow(flow, lambda request: answer, now=START)
    assert (info.value.platform, info.value.code, info.value.request_id) == (
        "tiktok",
        code,
        request_id,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_tiktok_error_in_a_200_body_is_an_error(kind: str) -> None:
    server = FakeOAuthServer(
        _error(200, {"error": "invalid_grant", "error_description": "used", "log_id": "L-9"})
    )
    with pytest.raises(AuthenticationError) as info:
        run(kind, oauth.refresh(TIKTOK, client=APP, refresh_token="rt-1"), server)
    assert info.value.code == "invalid_grant"


@pytest.mark.parametrize("kind", KINDS)
def test_an_outage_is_retried_once_safe(kind: str) -> None:
    server = FakeOAuthServer(
        _error(503, {"error": "temporarily_unavailable"}), token_answer(access_token="AT-ok")
    )
    token = run(kind, oauth.refresh(GOOGLE, client=APP, refresh_token="rt"), server)
    assert token.access_token.get_secret_value() == "AT-ok"
    assert len(server.seen) == 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="<html>maintenance</html>"),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"token_type": "bearer"}),
        httpx.Response(200, json={"access_token": 42}),
    ],
)
def test_an_answer_of_an_unexpected_form_is_an_api_error(kind: str, answer: httpx.Response) -> None:
    server = FakeOAuthServer(answer)
    with pytest.raises(APIError) as info:
        run(kind, oauth.refresh(GOOGLE, client=APP, refresh_token="rt"), server)
    assert info.value.platform == "google"
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_odd_lifetimes_are_read_safely() -> None:
    for expires_in, expected in ((None, None), ("3600", 3600), (-5, None), (True, None)):
        flow = oauth.refresh(GOOGLE, client=APP, refresh_token="rt")

        def answer(request: httpx.Request, lifetime: Any = expires_in) -> httpx.Response:
            return token_answer(expires_in=lifetime)

        token = run_flow(flow, answer, now=START)
        want = None if expected is None else START + timedelta(seconds=expected)
        assert token.expires_at == want
    flow = oauth.refresh(GOOGLE, client=APP, refresh_token="rt")
    huge = run_flow(flow, lambda request: token_answer(expires_in=1e300), now=START)
    assert huge.expires_at is not None and huge.expires_at.year > 2100


def test_run_oauth_refuses_what_is_not_an_oauth_flow() -> None:
    from smmkit.platforms.sandbox import SandboxAdapter

    with pytest.raises(InvalidInputError, match="flow"):
        oauth.run_oauth(SandboxAdapter().delete("1"), http_client=httpx.Client())
    with pytest.raises(InvalidInputError, match="flow"):
        oauth.run_oauth("flow")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="http_client"):
        oauth.run_oauth(
            oauth.refresh(GOOGLE, client=APP, refresh_token="r"),
            http_client=httpx.AsyncClient(),  # type: ignore[arg-type]
        )


# -- a platform client reusing the flows -------------------------------------------------------


class _DemoAdapter(PlatformAdapter):
    """A client adapter whose token comes from ``oauth.refresh`` (what X's will do)."""

    name = platform_id = "x"
    default_base_url = "https://api.x.com/2/"
    requires_token = True

    def fetch_token(self, current: Token | None) -> Flow[Token]:
        assert self.credentials is not None
        refresh_token = (current.refresh_token if current else None) or (
            self.credentials.refresh_token
        )
        assert refresh_token is not None
        client = OAuthClient.from_credentials(self.credentials)
        fresh = yield from oauth.refresh(X, client=client, refresh_token=refresh_token)
        return fresh.to_token()

    def parse_error(self, response: httpx.Response) -> ErrorInfo | None:
        if oauth.is_oauth_request(response.request):
            return oauth.oauth_error_info(response)
        return super().parse_error(response)

    def delete(self, post_id: str) -> Flow[None]:
        yield self.request("DELETE", f"tweets/{post_id}")


def test_a_client_adapter_refreshes_through_the_oauth_flow() -> None:
    from smmkit.platforms import Credentials

    def x_api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/2/oauth2/token":
            return token_answer(access_token="AT-x", refresh_token="RT-x2", expires_in=7200)
        assert request.headers["authorization"] == "Bearer AT-x"
        return httpx.Response(200, json={"data": {"deleted": True}})

    server = FakeOAuthServer(*[x_api] * 2)
    store = InMemoryTokenStore()
    adapter = _DemoAdapter(
        credentials=Credentials(client_id="c", client_secret="s", refresh_token="RT-x1")
    )
    with Client(
        adapter,
        http_client=httpx.Client(transport=server),
        token_store=store,
        clock=SimulatedClock(START),
    ) as client:
        client.delete("1")
    stored = store.get("x:default")
    assert stored is not None and stored.refresh_token is not None
    assert stored.refresh_token.get_secret_value() == "RT-x2"
    assert stored.expires_at == START + timedelta(hours=2)
    assert dict(parse_qsl(server.seen[0].content.decode()))["refresh_token"] == "RT-x1"


def test_a_client_adapter_maps_a_refused_refresh() -> None:
    from smmkit.platforms import Credentials

    server = FakeOAuthServer(
        _error(400, {"error": "invalid_request", "error_description": "token was invalid"})
    )
    adapter = _DemoAdapter(
        credentials=Credentials(client_id="c", client_secret="s", refresh_token="RT-x1")
    )
    with (
        Client(adapter, http_client=httpx.Client(transport=server)) as client,
        pytest.raises(PlatformError) as info,
    ):
        client.delete("1")
    assert info.value.code == "invalid_request"
    assert "x OAuth endpoint" in str(info.value)


# -- secrets ---------------------------------------------------------------------------------


def test_models_hide_their_secrets() -> None:
    app = OAuthClient(client_id="id", client_secret=SENTINEL_SECRET)
    token = OAuthToken(
        access_token=SENTINEL_SECRET, refresh_token=SENTINEL_SECRET, id_token=SENTINEL_SECRET
    )
    pair = oauth.pkce_pair(SENTINEL_SECRET + "-" * 30)
    for value in (app, token, pair, token.to_token()):
        for shown in (repr(value), str(value), value.model_dump_json(), str(value.model_dump())):
            assert SENTINEL_SECRET not in shown
        with pytest.raises(NotPicklableError):
            pickle.dumps(value)
    with pytest.raises(InvalidInputError) as info:
        OAuthClient(client_id="id", client_secret=12345678901234)
    assert "12345678901234" not in str(info.value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("provider", [X, META, TIKTOK], ids=lambda p: p.name)
def test_secrets_never_leak_into_errors_or_logs(
    kind: str, provider: OAuthProvider, caplog: pytest.LogCaptureFixture
) -> None:
    app = OAuthClient(client_id="app-id-1", client_secret=SENTINEL_SECRET)
    code = SENTINEL_SECRET + "-code"
    echo = f"bad code {code} for secret {SENTINEL_SECRET}"
    server = FakeOAuthServer(
        _error(400, {"error": "invalid_grant", "error_description": echo}),
        _error(400, {"error": {"message": echo, "type": "OAuthException", "code": 190}}),
    )
    caplog.set_level(logging.DEBUG)
    flows: list[Flow[Any]] = [
        oauth.exchange_code(
            provider,
            client=app,
            code=code,
            redirect_uri=CALLBACK,
            code_verifier=VERIFIER if provider is X else None,
        )
    ]
    if provider is META:
        flows.append(oauth.exchange_long_lived(META, client=app, short_lived_token=code))
    else:
        flows.append(oauth.refresh(provider, client=app, refresh_token=code))
    for flow in flows:
        with pytest.raises(PlatformError) as info:
            run(kind, flow, server, retry=RetryPolicy.none())
        err = info.value
        texts = [str(err), repr(err), *(str(v) for v in vars(err).values())]
        assert all(SENTINEL_SECRET not in text for text in texts), texts
        assert "[redacted]" in str(err)
        for frame in _frames(err):
            assert all(SENTINEL_SECRET not in repr(v) for v in frame.values())
    assert SENTINEL_SECRET not in caplog.text


def _frames(err: BaseException) -> Iterator[dict[str, Any]]:
    """The locals of the library's frames the error went through (not this test's)."""
    tb = err.__traceback__
    while tb is not None:
        if "/smmkit/" in tb.tb_frame.f_code.co_filename:
            yield dict(tb.tb_frame.f_locals)
        tb = tb.tb_next


def test_a_flow_object_shows_no_secret() -> None:
    flow = oauth.refresh(GOOGLE, client=APP, refresh_token=SENTINEL_SECRET)
    assert SENTINEL_SECRET not in repr(flow)
    request = next(flow)
    assert SENTINEL_SECRET not in repr(request)
    flow.close()


def test_client_from_credentials() -> None:
    from smmkit.platforms import Credentials

    app = OAuthClient.from_credentials(Credentials(client_id="a", client_secret="s"))
    assert app.client_secret is not None and app.client_secret.get_secret_value() == "s"
    with pytest.raises(InvalidInputError, match="credentials"):
        OAuthClient.from_credentials("a")  # type: ignore[arg-type]


def test_token_converts_for_the_token_store() -> None:
    token = OAuthToken(
        access_token="a",
        refresh_token="r",
        expires_at=START,
        scopes=("tweet.read", "offline.access"),
    )
    stored = token.to_token()
    assert stored.scope == "tweet.read offline.access"
    assert stored.expires_at == START
    assert OAuthToken(access_token="a").to_token().scope is None


# -- Weibo ------------------------------------------------------------------------------


def test_weibo_authorize_exchange_revoke_and_token_info() -> None:
    from smmkit.platforms import oauth

    url = oauth.authorization_url(
        oauth.WEIBO,
        client_id="123050457758183",
        redirect_uri="https://app.example/cb",
        scopes=["email", "statuses_to_me_read"],
        state="st-1",
    )
    parts = urlsplit(url)
    assert parts.netloc == "api.weibo.com" and parts.path == "/oauth2/authorize"
    assert parse_qs(parts.query)["scope"] == ["email,statuses_to_me_read"]
    with pytest.raises(InvalidInputError, match="code_challenge"):
        oauth.authorization_url(
            oauth.WEIBO,
            client_id="a",
            redirect_uri="https://app.example/cb",
            scopes=[],
            state="s",
            code_challenge=oauth.pkce_pair(),
        )
    sent: list[tuple[str, dict[str, str]]] = []

    def weibo(request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        sent.append((request.url.path, form))
        if request.url.path == "/oauth2/access_token":
            # https://open.weibo.com/wiki/Oauth2/access_token (answer example)
            body = {
                "access_token": "ACCESS_TOKEN",
                "expires_in": 1234,
                "remind_in": "798114",
                "uid": "12341234",
            }
            return httpx.Response(200, json=body)
        if request.url.path == "/oauth2/revokeoauth2":
            return httpx.Response(200, json={"result": "true"})
        body2 = {
            "uid": 1073880650,
            "appkey": 1352222456,
            "scope": None,
            "create_at": 1352267591,
            "expire_in": 157679471,
        }
        return httpx.Response(200, json=body2)

    app = OAuthClient(client_id="123050457758183", client_secret="s3cret")
    token = run_flow(
        oauth.exchange_code(
            oauth.WEIBO, client=app, code="c-1", redirect_uri="https://app.example/cb"
        ),
        weibo,
        now=START,
    )
    assert token.account_id == "12341234"
    assert token.expires_at == START + timedelta(seconds=1234)
    assert (
        sent[0][1]["grant_type"] == "authorization_code" and sent[0][1]["client_secret"] == "s3cret"
    )
    run_flow(oauth.revoke(oauth.WEIBO, client=app, token=token), weibo)
    assert sent[-1] == ("/oauth2/revokeoauth2", {"access_token": "ACCESS_TOKEN"})
    info = run_flow(oauth.weibo_token_info(token.access_token), weibo, now=START)
    assert info.uid == "1073880650" and info.appkey == "1352222456"
    assert info.expires_at == START + timedelta(seconds=157679471)
    assert sent[-1] == ("/oauth2/get_token_info", {"access_token": "ACCESS_TOKEN"})


def test_weibo_token_info_errors_are_typed() -> None:
    from smmkit.platforms import oauth

    def expired(request: httpx.Request) -> httpx.Response:
        body = {"error": "expired_token", "error_code": 21327, "request": "/oauth2/get_token_info"}
        return httpx.Response(400, json=body, request=request)

    with pytest.raises(PlatformError) as caught:
        run_flow(oauth.weibo_token_info("2.00old"), expired, now=START)
    assert caught.value.platform == "weibo" and "2.00old" not in str(caught.value)
    with pytest.raises(InvalidInputError, match="access_token"):
        next(oauth.weibo_token_info(""))


# -- Bilibili ---------------------------------------------------------------------------


def test_bilibili_answers_in_data_with_an_epoch_expiry() -> None:
    from smmkit.platforms.oauth import BILIBILI

    def server(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/x/account-oauth2/v1/refresh_token"
        return httpx.Response(200, json={"code": 0, "message": "0", "ttl": 1, "data": {
            "access_token": "bili-at-1", "refresh_token": "bili-rt-2",
            "expires_in": 1772942400, "scopes": ["USER_INFO", "ATC_BASE"]}})  # fmt: skip

    app = OAuthClient(client_id="bili-app", client_secret="bili-secret")
    now = datetime(2026, 3, 1, tzinfo=timezone.utc)
    flow = oauth.refresh(BILIBILI, client=app, refresh_token="bili-rt-1")
    token = run_flow(flow, server, now=now)
    assert token.expires_at == datetime.fromtimestamp(1772942400, timezone.utc)
    assert token.scopes == ("USER_INFO", "ATC_BASE")
    assert token.refresh_token is not None
    assert token.refresh_token.get_secret_value() == "bili-rt-2"


def test_bilibili_error_codes_in_http_200_are_typed() -> None:
    from smmkit.platforms.oauth import BILIBILI

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 122002, "message": "code未找到", "ttl": 1})

    app = OAuthClient(client_id="bili-app", client_secret="bili-secret")
    flow = oauth.exchange_code(
        BILIBILI, client=app, code="c-1", redirect_uri="https://app.example/cb"
    )
    with pytest.raises(AuthenticationError) as caught:
        run_flow(flow, server, now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert caught.value.code == 122002 and caught.value.platform == "bilibili"


# -- Douyin: client_key, no redirect_uri in the exchange, refresh without secret, renewal --


def test_douyin_authorize_exchange_refresh_and_renew() -> None:
    from smmkit.platforms.oauth import DOUYIN, renew_refresh_token

    url = oauth.authorization_url(
        DOUYIN,
        client_id="ck-1",
        redirect_uri="https://app.example/cb",
        scopes=["user_info", "video.create.bind"],
        state="st",
    )
    assert url.startswith("https://open.douyin.com/platform/oauth/connect/?response_type=code")
    assert "client_key=ck-1" in url and "scope=user_info%2Cvideo.create.bind" in url
    seen: list[httpx.Request] = []

    def douyin(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth/renew_refresh_token/":
            return httpx.Response(
                200,
                json={"data": {"error_code": 0, "expires_in": 2592000, "refresh_token": "rft.2"}},
            )
        return httpx.Response(
            200,
            json={
                "data": {
                    "access_token": "act.1",
                    "error_code": 0,
                    "expires_in": "1296000",
                    "open_id": "ou-1",
                    "refresh_token": "rft.1",
                    "refresh_expires_in": 2592000,
                    "scope": "user_info,video.create.bind",
                },
                "message": "success",
            },
        )

    app = OAuthClient(client_id="ck-1", client_secret="cs-123456789")
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    token = run_flow(
        oauth.exchange_code(DOUYIN, client=app, code="c-1", redirect_uri="https://app.example/cb"),
        douyin,
        now=now,
    )
    assert token.account_id == "ou-1" and token.scopes == ("user_info", "video.create.bind")
    assert token.expires_at == now + timedelta(days=15)
    form = dict(parse_qsl(seen[0].content.decode()))
    assert set(form) == {"grant_type", "code", "client_key", "client_secret"}
    run_flow(oauth.refresh(DOUYIN, client=app, refresh_token="rft.1"), douyin, now=now)
    assert seen[1].url.path == "/oauth/refresh_token/"
    assert set(dict(parse_qsl(seen[1].content.decode()))) == {
        "grant_type",
        "refresh_token",
        "client_key",
    }
    renewed = run_flow(
        renew_refresh_token(DOUYIN, client=app, refresh_token="rft.1"), douyin, now=now
    )
    assert renewed.refresh_token.get_secret_value() == "rft.2"
    assert "cs-123456789" not in seen[2].content.decode()


@pytest.mark.parametrize(("code", "words"), [(10020, "renewed"), (10010, "expired")])
def test_douyin_renewal_refusals_say_authorize_again(code: int, words: str) -> None:
    from smmkit.platforms.oauth import DOUYIN, renew_refresh_token

    def douyin(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"data": {"error_code": code, "description": "no"}, "extra": {"logid": "L-1"}}
        )

    flow = renew_refresh_token(DOUYIN, client=OAuthClient(client_id="ck"), refresh_token="rft.9")
    with pytest.raises(AuthenticationError) as caught:
        run_flow(flow, douyin, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert caught.value.code == code and caught.value.request_id == "L-1"
    assert words in str(caught.value) and "authorize again" in str(caught.value)
    assert "rft.9" not in str(caught.value)
