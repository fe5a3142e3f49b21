"""The WeChat third-party platform, its callbacks and describe_platform over odd input.

Every malformed argument is refused with a typed error (an ``InvalidInputError``, or a
``WebhookError`` for a push that cannot be trusted or read), never a ``TypeError``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    Probe,
    covers,
    fast,
    junk,
    odd_text,
    probe_params,
    run_probe,
    texts,
)

from smmkit.platforms import Credentials, InMemoryTokenStore

COMPONENT_XML = st.sampled_from(
    [
        "<xml><AppId>wx_c</AppId><CreateTime>1</CreateTime><InfoType>component_verify_ticket"
        "</InfoType><ComponentVerifyTicket>t</ComponentVerifyTicket></xml>",
        "<xml><AppId>wx_c</AppId><CreateTime>1</CreateTime><InfoType>authorized</InfoType>"
        "<AuthorizerAppid>wx_oa</AuthorizerAppid><AuthorizationCodeExpiredTime>x"
        "</AuthorizationCodeExpiredTime></xml>",
        "<xml><AppId>wx_c</AppId><CreateTime>-5</CreateTime><InfoType>x</InfoType></xml>",
        "<xml><InfoType>unauthorized</InfoType></xml>",
        "<root/>",
    ]
)


def _component() -> Any:
    from smmkit.platforms.wechat_component import WeChatComponentAdapter

    return WeChatComponentAdapter(
        credentials=Credentials(client_id="wx_c", client_secret="s"),
        token_store=InMemoryTokenStore(),
    )


names = st.one_of(st.sampled_from(["zhihu", "wechat_oa", "sandbox", "myspace"]), odd_text, junk)

COMPONENT: dict[str, Probe] = {
    "smmkit.platforms.describe_platform": Probe(args=st.tuples(st.tuples(names), st.just({}))),
    "smmkit.platforms.manual.ManualAdapter": Probe(),
    "smmkit.platforms.manual.ZhihuAdapter": Probe(),
    "smmkit.platforms.manual.XiaohongshuAdapter": Probe(),
    "smmkit.platforms.manual.WeChatChannelsAdapter": Probe(),
    "smmkit.platforms.wechat_component.WeChatComponentAdapter": Probe(
        args=st.tuples(
            st.just(()),
            st.fixed_dictionaries(
                {
                    "credentials": st.one_of(
                        st.just(Credentials(client_id="wx_c", client_secret="s")), junk
                    ),
                    "token_store": st.one_of(st.just(InMemoryTokenStore()), junk),
                }
            ),
        )
    ),
    "smmkit.platforms.wechat_component.AuthorizerSource": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.builds(_component), junk), st.one_of(odd_text, junk)),
            st.just({}),
        )
    ),
    "smmkit.platforms.wechat_component.ComponentTokenStore": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.just(InMemoryTokenStore()), junk), st.one_of(odd_text, junk)),
            st.just({}),
        )
    ),
    "smmkit.platforms.wechat_component.authorization_url": Probe(
        args=st.tuples(
            st.tuples(st.one_of(odd_text, junk), st.one_of(odd_text, junk)),
            st.fixed_dictionaries(
                {"redirect_uri": st.one_of(st.just("https://a.example/cb"), odd_text, junk)},
                optional={
                    "auth_type": st.one_of(st.none(), st.integers(-2, 7), junk),
                    "biz_appid": st.one_of(st.none(), odd_text, junk),
                    "mobile": st.one_of(st.booleans(), junk),
                },
            ),
        )
    ),
    "smmkit.platforms.wechat_component.authorizer_token_key": Probe(),
    "smmkit.webhooks.WeChatComponentCallback": Probe(),
    "smmkit.webhooks.parse_component_event": Probe(
        args=st.tuples(
            st.tuples(st.one_of(COMPONENT_XML, texts, st.binary(max_size=80), junk)), st.just({})
        )
    ),
    "smmkit.webhooks.component_event_from_element": Probe(),
}


@pytest.mark.parametrize("name", probe_params(COMPONENT))
@fast(25)
@given(data=st.data())
@covers(*COMPONENT)
def test_component_helpers_and_constructors(name: str, data: st.DataObject) -> None:
    run_probe(name, COMPONENT[name], data)
