"""smmkit.platforms.oauth: the pure helpers and the flow builders, fed odd values.

No network: flow builders only check their arguments and build a generator (nothing is
sent until a driver runs it); the runners are given things that are not OAuth flows.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    attempt_async,
    covers,
    fast,
    hashable_junk,
    junk,
    kw,
    odd_text,
    probe_params,
    run_probe,
    texts,
)

from smmkit.platforms import oauth

_PROVIDERS = st.one_of(
    st.sampled_from([oauth.X, oauth.LINKEDIN, oauth.META, oauth.GOOGLE, oauth.TIKTOK]), junk
)
_APP = st.one_of(
    st.just(oauth.OAuthClient(client_id="app", client_secret="secret-123456")),
    st.just(oauth.OAuthClient(client_id="public")),
    junk,
)
_URIS = st.one_of(
    st.sampled_from(
        [
            "https://app.example/cb",
            "http://localhost:8000/cb",
            "http://app.example/cb",
            "urn:ietf:wg:oauth:2.0:oob",
            "https://app.example/cb#x",
        ]
    ),
    odd_text,
    junk,
)
_VERIFIERS = st.one_of(
    st.none(),
    st.sampled_from(["dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "short"]),
    st.text(alphabet="abcXYZ019-._~", min_size=40, max_size=130),
    odd_text,
    junk,
)
_SCOPES = st.one_of(
    st.lists(st.one_of(st.sampled_from(["read", "tweet.read", "a b", ""]), odd_text), max_size=4),
    texts,
    junk,
)


def _url(result: str, *args: Any, **kwargs: Any) -> None:
    assert result.startswith("https://")
    assert "state=" in result


def _pkce(result: oauth.PkcePair, *args: Any, **kwargs: Any) -> None:
    assert len(result.challenge) == 43
    assert 43 <= len(result.verifier.get_secret_value()) <= 128


OAUTH: dict[str, Probe] = {
    "smmkit.platforms.oauth.pkce_pair": Probe(
        args=st.tuples(st.tuples(_VERIFIERS), st.just({})), check=_pkce
    ),
    "smmkit.platforms.oauth.new_state": Probe(check=lambda result: len(result) >= 43),
    "smmkit.platforms.oauth.check_state": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(st.just("st-1"), odd_text, junk),
                st.one_of(st.just("st-1"), odd_text, junk),
            ),
            st.just({}),
        )
    ),
    "smmkit.platforms.oauth.authorization_url": Probe(
        args=st.tuples(
            st.tuples(_PROVIDERS),
            st.fixed_dictionaries(
                {
                    "client_id": st.one_of(st.just("cid"), odd_text, junk),
                    "redirect_uri": _URIS,
                    "scopes": _SCOPES,
                    "state": st.one_of(st.just("st-1"), odd_text, junk),
                },
                optional={
                    "code_challenge": st.one_of(
                        st.none(),
                        st.just("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                        odd_text,
                        junk,
                    ),
                    "extra_params": st.one_of(
                        st.none(),
                        st.dictionaries(
                            st.one_of(
                                st.sampled_from(["prompt", "state"]), odd_text, hashable_junk
                            ),
                            st.one_of(odd_text, junk),
                            max_size=2,
                        ),
                        junk,
                    ),
                },
            ),
        ),
        check=_url,
    ),
    "smmkit.platforms.oauth.exchange_code": Probe(
        args=st.tuples(
            st.tuples(_PROVIDERS),
            st.fixed_dictionaries(
                {
                    "client": _APP,
                    "code": st.one_of(st.just("code-1"), odd_text, junk),
                    "redirect_uri": _URIS,
                },
                optional={"code_verifier": _VERIFIERS},
            ),
        )
    ),
    "smmkit.platforms.oauth.refresh": Probe(
        args=st.tuples(
            st.tuples(_PROVIDERS),
            st.fixed_dictionaries(
                {"client": _APP, "refresh_token": st.one_of(st.just("rt"), odd_text, junk)}
            ),
        )
    ),
    "smmkit.platforms.oauth.revoke": Probe(
        args=st.tuples(
            st.tuples(_PROVIDERS),
            st.fixed_dictionaries(
                {"client": _APP, "token": st.one_of(st.just("t"), odd_text, junk)},
                optional={
                    "token_type_hint": st.one_of(
                        st.sampled_from(["access_token", "refresh_token", "id_token"]), junk
                    )
                },
            ),
        )
    ),
    "smmkit.platforms.oauth.exchange_long_lived": Probe(
        args=st.tuples(
            st.tuples(_PROVIDERS),
            st.fixed_dictionaries(
                {"client": _APP, "short_lived_token": st.one_of(st.just("EAA"), odd_text, junk)}
            ),
        )
    ),
    "smmkit.platforms.oauth.register_app": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.just("https://social.example"), odd_text, junk)),
            st.fixed_dictionaries(
                {
                    "client_name": st.one_of(st.just("brand"), odd_text, junk),
                    "redirect_uris": st.one_of(_URIS, st.lists(_URIS, max_size=3)),
                    "scopes": _SCOPES,
                },
                optional={"website": st.one_of(st.none(), odd_text, junk)},
            ),
        )
    ),
    "smmkit.platforms.oauth.mastodon": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.sampled_from(["https://social.example", "http://a", "https://a/b"]),
                    odd_text,
                    junk,
                )
            ),
            st.just({}),
        )
    ),
    "smmkit.platforms.oauth.is_oauth_request": Probe(),
    "smmkit.platforms.oauth.oauth_error_info": Probe(),
    "smmkit.platforms.oauth.run_oauth": Probe(
        args=kw(flow=junk, http_client=st.one_of(st.none(), junk))
    ),
}


@pytest.mark.parametrize("name", probe_params(OAUTH))
@fast(25)
@given(data=st.data())
@covers(*OAUTH)
def test_oauth_helpers(name: str, data: st.DataObject) -> None:
    run_probe(name, OAUTH[name], data)


@fast(25)
@given(flow=junk, http_client=st.one_of(st.none(), junk))
@covers("smmkit.platforms.oauth.arun_oauth")
def test_arun_oauth_refuses_what_is_not_a_flow(flow: Any, http_client: Any) -> None:
    assert attempt_async(oauth.arun_oauth, flow, http_client=http_client) is REFUSED
