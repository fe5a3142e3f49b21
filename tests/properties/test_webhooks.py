"""smmkit.webhooks: signatures, padding, encryption and XML over odd and hostile input.

A callback that cannot be trusted or read is a :class:`~smmkit.exceptions.WebhookError`;
a wrong-typed argument of the application's own is an ``InvalidInputError``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    anything,
    attempt,
    aware_datetimes,
    covers,
    datetimes,
    fast,
    junk,
    odd_text,
    outcome,
    probe_params,
    run_probe,
    texts,
)

from smmkit.exceptions import SignatureError
from smmkit.webhooks import (
    CallbackMessage,
    MessageCrypto,
    WeChatCallback,
    compute_signature,
    interaction_from_message,
    parse_message,
    pkcs7_pad,
    pkcs7_unpad,
    text_reply,
    verify_signature,
)

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
secrets = st.one_of(st.just("tok"), odd_text, junk)
stamps = st.one_of(st.just("1700000000"), st.integers(0, 2**40), odd_text, junk)

WEBHOOKS: dict[str, Probe] = {
    "smmkit.webhooks.decode_encoding_aes_key": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.just(KEY), st.just("A" * 43), odd_text, texts, junk)),
            st.just({}),
        ),
        check=lambda result, key: len(result.get_secret_value()) == 32,
    ),
    "smmkit.webhooks.encrypted_envelope": Probe(
        args=st.tuples(
            st.tuples(odd_text | junk, odd_text | junk, stamps, odd_text | junk), st.just({})
        )
    ),
    "smmkit.webhooks.parse_xml": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.sampled_from(
                        [
                            "<xml><a>1</a></xml>",
                            "<xml>" * 40 + "</xml>" * 40,
                            '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                            "<xml>&undefined;</xml>",
                            "<xml><![CDATA[\x00]]></xml>",
                        ]
                    ),
                    texts,
                    st.binary(max_size=200),
                    junk,
                )
            ),
            st.fixed_dictionaries(
                {},
                optional={
                    "max_bytes": st.one_of(st.integers(-1, 10**7), junk),
                    "max_depth": st.one_of(st.integers(-1, 100), junk),
                },
            ),
        )
    ),
    "smmkit.webhooks.message_from_element": Probe(),
    "smmkit.webhooks.WeChatCallback": Probe(),
    "smmkit.webhooks.WeComCallback": Probe(),
    "smmkit.webhooks.MessageCrypto": Probe(),
    "smmkit.webhooks.ReplayGuard": Probe(),
    "smmkit.webhooks.InMemoryNonceStore": Probe(),
}


@pytest.mark.parametrize("name", probe_params(WEBHOOKS))
@fast(25)
@given(data=st.data())
@covers(*WEBHOOKS)
def test_webhook_helpers_and_constructors(name: str, data: st.DataObject) -> None:
    run_probe(name, WEBHOOKS[name], data)


@fast(40)
@given(
    secrets,
    stamps,
    stamps,
    st.one_of(st.none(), odd_text, junk),
    st.one_of(st.none(), odd_text, junk),
)
@covers("smmkit.webhooks.compute_signature", "smmkit.webhooks.verify_signature")
def test_signatures_verify_and_forgeries_do_not(
    token: Any, timestamp: Any, nonce: Any, encrypt: Any, forged: Any
) -> None:
    signature = attempt(compute_signature, token, timestamp, nonce, encrypt)
    if signature is REFUSED:
        return
    assert len(signature) == 40
    verify_signature(signature, token=token, timestamp=timestamp, nonce=nonce, encrypt=encrypt)
    if forged != signature:
        with pytest.raises(SignatureError):
            verify_signature(forged, token=token, timestamp=timestamp, nonce=nonce, encrypt=encrypt)


@fast(40)
@given(st.one_of(st.binary(max_size=600), junk), st.one_of(st.integers(-2, 300), junk))
@covers("smmkit.webhooks.pkcs7_pad", "smmkit.webhooks.pkcs7_unpad")
def test_padding_round_trips(data: Any, block: Any) -> None:
    padded = attempt(pkcs7_pad, data, block)
    unpadded = attempt(pkcs7_unpad, data, block)
    assert unpadded is REFUSED or len(unpadded) < len(data)
    if padded is REFUSED:
        return
    assert len(padded) % block == 0
    assert pkcs7_unpad(padded, block) == bytes(data)


@fast(30)
@given(st.one_of(texts, junk), st.one_of(st.just(KEY), odd_text, junk), st.one_of(texts, junk))
@covers("smmkit.webhooks.MessageCrypto")
def test_encryption_round_trips_and_garbage_does_not_decrypt(
    text: Any, key: Any, garbage: Any
) -> None:
    crypto = attempt(MessageCrypto, token="t", encoding_aes_key=key, receive_id="wx1")
    if crypto is REFUSED:
        return
    sealed = outcome(crypto.encrypt, text, bad=not isinstance(text, str))
    if sealed is not REFUSED:
        assert crypto.decrypt(sealed) == text
    assert attempt(crypto.decrypt, garbage) is REFUSED


def _xml(fields: dict[str, str]) -> str:
    return "<xml>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items()) + "</xml>"


FIELDS = st.fixed_dictionaries(
    {
        "ToUserName": st.sampled_from(["gh_1", ""]),
        "FromUserName": st.sampled_from(["o1", "<![CDATA[o&amp;1]]>"]),
        "CreateTime": st.one_of(st.integers(-5, 2**70).map(str), odd_text),
        "MsgType": st.sampled_from(["text", "image", "event", "voice", "video", "link", "x"]),
    },
    optional={
        "Content": odd_text,
        "Event": st.sampled_from(["subscribe", "unsubscribe", "CLICK", "PUBLISHJOBFINISH"]),
        "MediaId": odd_text,
        "MsgId": st.one_of(st.integers().map(str), odd_text),
        "Location_X": st.one_of(st.floats().map(str), odd_text),
    },
)


@fast(60)
@given(
    st.one_of(FIELDS.map(_xml), texts, junk), st.one_of(st.none(), aware_datetimes, datetimes, junk)
)
@covers(
    "smmkit.webhooks.parse_message",
    "smmkit.webhooks.interaction_from_message",
    "smmkit.webhooks.text_reply",
)
def test_messages_parse_and_answer(xml: Any, now: Any) -> None:
    message = attempt(parse_message, xml)
    outcome(interaction_from_message, xml, bad=True)
    outcome(text_reply, xml, "hi", bad=True)
    if message is REFUSED:
        return
    assert isinstance(message, CallbackMessage)
    found = attempt(interaction_from_message, message)
    assert found is REFUSED or found is None or found.user_id == message.from_user
    reply = attempt(text_reply, message, "a]]>b", now=now)
    if reply is not REFUSED:
        assert parse_message(reply).from_user == message.to_user


@fast(20)
@given(
    st.dictionaries(
        st.sampled_from(["timestamp", "nonce", "signature", "echostr", "encrypt_type"]), anything
    ),
    st.one_of(texts, st.binary(max_size=100), junk),
)
@covers("smmkit.webhooks.WeChatCallback")
def test_a_callback_refuses_what_it_cannot_trust(params: Any, body: Any) -> None:
    cb = WeChatCallback(token="tok", app_id="wx1", encoding_aes_key=KEY, replay_guard=False)
    assert attempt(cb.parse, params, body) is REFUSED
    assert attempt(cb.verify_url, params) is REFUSED
