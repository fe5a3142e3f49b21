# ruff: noqa: E501  (the pages' example tokens are kept whole)
"""The official pages' own request and response examples, against the WeChat component
flow and WeChat web authorization (网页授权).

Each example is copied from the page named next to it (read 2026-12-07). Where a page
shows placeholders ("appid_value"), the request built by smmkit must carry exactly the
same keys; the example answers must parse. ``func_info`` of ``api_query_auth`` is cut
short on the page we could read: its shape is rebuilt from the field table and marked
reconstructed.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx

from smmkit.platforms import Client, Credentials, InMemoryTokenStore, SimulatedClock, Token
from smmkit.platforms.oauth import WECHAT_WEB, OAuthClient, refresh
from smmkit.platforms.wechat_component import WeChatComponentAdapter
from smmkit.testing import run_flow
from smmkit.webhooks import (
    ComponentAuthorizationEvent,
    ComponentVerifyTicket,
    parse_component_event,
)

DOCS = "https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api"

COMPONENT_TOKEN: dict[str, Any] = {  # {DOCS}/ThirdParty/token/component_access_token.html
    "request": {
        "component_appid": "appid_value",
        "component_appsecret": "appsecret_value",
        "component_verify_ticket": "ticket_value",
    },
    "response": {
        "component_access_token": "61W3mEpU66027wgNZ_MhGHNQDHnFATkDa9-2llqrMBjUwxRSNPbVsMmyD-yq8wZETSoE5NQgecigDr"
        "SHkPtIYA",
        "expires_in": 7200,
    },
}
PRE_AUTH_CODE: dict[str, Any] = {  # {DOCS}/ThirdParty/token/pre_auth_code.html
    "request": {"component_appid": "appid_value"},
    "response": {
        "pre_auth_code": "Cx_Dk6qiBE0Dmx4EmlT3oRfArPvwSQ-oa3NL_fwHM7VI08r52wazoZX2Rhpz1dEw",
        "expires_in": 600,
    },
}
QUERY_AUTH: dict[str, Any] = {  # {DOCS}/ThirdParty/token/authorization_info.html
    "request": {"component_appid": "appid_value", "authorization_code": "auth_code_value"},
    "response": {
        "authorization_info": {
            "authorizer_appid": "wxf8b4f85f3a794e77",
            "authorizer_access_token": "QXjUqNqfYVH0yBE1iI_7vuN_9gQbpjfK7hYwJ3P7xOa88a89-Aga5x1NMYJyB8G2yKt1KCl0nPC3W9GJzw0Z"
            "zq_dBxc8pxIGUNi_bFes0qM",
            "expires_in": 7200,
            "authorizer_refresh_token": "dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY",
            # reconstructed from the field table (the page's example is cut short here):
            "func_info": [{"funcscope_category": {"id": 1}}, {"funcscope_category": {"id": 2}}],
        }
    },
}
AUTHORIZER_TOKEN: dict[str, Any] = {  # {DOCS}/ThirdParty/token/api_authorizer_token.html
    "request": {
        "component_appid": "appid_value",
        "authorizer_appid": "auth_appid_value",
        "authorizer_refresh_token": "refresh_token_value",
    },
    "response": {
        "authorizer_access_token": "some-access-token",
        "expires_in": 7200,
        "authorizer_refresh_token": "refresh_token_value",
    },
}
TICKET_PUSH = (  # {DOCS}/Before_Develop/component_verify_ticket.html (decrypted)
    "<xml>\n<AppId>some_appid</AppId>\n<CreateTime>1413192605</CreateTime>\n"
    "<InfoType>component_verify_ticket</InfoType>\n"
    "<ComponentVerifyTicket>some_verify_ticket</ComponentVerifyTicket>\n</xml>"
)
AUTHORIZED_PUSH = (  # {DOCS}/Before_Develop/authorize_event.html; the page closes the
    # example with "<xml>", a typo: "</xml>" here. Values are the page's placeholders,
    # with numbers where it names a time.
    "<xml>\n<AppId>第三方平台appid</AppId>\n<CreateTime>1413192760</CreateTime>\n"
    "<InfoType>authorized</InfoType>\n<AuthorizerAppid>公众号appid</AuthorizerAppid>\n"
    "<AuthorizationCode>授权码</AuthorizationCode>\n"
    "<AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime>\n"
    "<PreAuthCode>预授权码</PreAuthCode>\n</xml>"
)
UNAUTHORIZED_PUSH = (  # same page
    "<xml>\n<AppId>第三方平台appid</AppId>\n<CreateTime>1413192760</CreateTime>\n"
    "<InfoType>unauthorized</InfoType>\n<AuthorizerAppid>公众号appid</AuthorizerAppid>\n</xml>"
)
WEB_REFRESH: dict[
    str, Any
] = {  # https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsrefreshtoken
    "request": "https://api.weixin.qq.com/sns/oauth2/refresh_token?appid=APPID&grant_type=refresh_token&refresh_token=REFRESH_TOKEN",
    "response": {
        "access_token": "ACCESS_TOKEN",
        "expires_in": 7200,
        "refresh_token": "REFRESH_TOKEN",
        "openid": "OPENID",
        "scope": "SCOPE",
    },
}

CLOCK = SimulatedClock(datetime(2026, 3, 2, tzinfo=timezone.utc))


def _answering(
    examples: dict[str, dict[str, Any]], seen: list[tuple[str, dict[str, Any]]]
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rsplit("/", 1)[-1]
        seen.append((name, json.loads(request.content)))
        return httpx.Response(200, json=examples[name]["response"])

    return httpx.MockTransport(handler)


def _component() -> WeChatComponentAdapter:
    store = InMemoryTokenStore()
    store.put("wechat_component:appid_value:ticket", Token(access_token="ticket_value"))
    return WeChatComponentAdapter(
        credentials=Credentials(client_id="appid_value", client_secret="appsecret_value"),
        token_store=store,
    )


def test_component_calls_send_the_documented_bodies_and_read_the_documented_answers() -> None:
    examples = {
        "api_component_token": COMPONENT_TOKEN,
        "api_create_preauthcode": PRE_AUTH_CODE,
        "api_query_auth": QUERY_AUTH,
        "api_authorizer_token": AUTHORIZER_TOKEN,
    }
    seen: list[tuple[str, dict[str, Any]]] = []
    component = _component()
    with Client(
        component,
        token_store=component.store,
        clock=CLOCK,
        http_client=httpx.Client(transport=_answering(examples, seen)),
    ) as client:
        code = client.run(component.pre_auth_code())
        auth = client.run(component.query_auth("auth_code_value"))
        token = client.run(component.refresh_authorizer("auth_appid_value", "refresh_token_value"))
    assert [name for name, _ in seen] == [
        "api_component_token",
        "api_create_preauthcode",
        "api_query_auth",
        "api_authorizer_token",
    ]
    for name, body in seen:
        assert body == examples[name]["request"], name
    assert code.code.get_secret_value() == PRE_AUTH_CODE["response"]["pre_auth_code"]
    assert auth.authorizer_appid == "wxf8b4f85f3a794e77" and auth.func_info == (1, 2)
    assert auth.token.refresh_token is not None
    assert (
        auth.token.refresh_token.get_secret_value() == "dTo-YCXPL4llX-u1W1pPpnp8Hgm4wpJtlR6iV0doKdY"
    )
    assert token.access_token.get_secret_value() == "some-access-token"
    assert token.expires_at == datetime(2026, 3, 2, 2, tzinfo=timezone.utc)


def test_the_documented_pushes_parse() -> None:
    ticket = parse_component_event(TICKET_PUSH)
    assert isinstance(ticket, ComponentVerifyTicket)
    assert (ticket.app_id, ticket.ticket.get_secret_value()) == ("some_appid", "some_verify_ticket")
    authorized = parse_component_event(AUTHORIZED_PUSH)
    assert isinstance(authorized, ComponentAuthorizationEvent)
    assert authorized.authorizer_appid == "公众号appid" and authorized.pre_auth_code is not None
    unauthorized = parse_component_event(UNAUTHORIZED_PUSH)
    assert isinstance(unauthorized, ComponentAuthorizationEvent)
    assert unauthorized.info_type == "unauthorized" and unauthorized.authorization_code is None


def test_web_authorization_refresh_matches_the_documented_call() -> None:
    sent: list[httpx.URL] = []

    def wechat(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        return httpx.Response(200, json=WEB_REFRESH["response"])

    token = run_flow(
        refresh(
            WECHAT_WEB,
            client=OAuthClient(client_id="APPID", client_secret="s-123456"),
            refresh_token="REFRESH_TOKEN",
        ),
        wechat,
        now=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    documented = httpx.URL(str(WEB_REFRESH["request"]))
    assert sent[0].copy_with(query=None) == documented.copy_with(query=None)
    assert dict(sent[0].params) == dict(documented.params)  # no secret on a refresh
    assert token.account_id == "OPENID" and token.scopes == ("SCOPE",)
