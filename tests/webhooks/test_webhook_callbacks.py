"""WeChatCallback / WeComCallback end to end: every forged, replayed or malformed request
is refused with a typed error, and good ones come back typed."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from smmkit.exceptions import (
    DecryptError,
    InvalidInputError,
    MalformedPayloadError,
    ReplayError,
    SignatureError,
    WebhookError,
)
from smmkit.webhooks import (
    KeySlot,
    MessageCrypto,
    ReplayGuard,
    TextMessage,
    WeChatCallback,
    WeComCallback,
    compute_signature,
    parse_xml,
    text_reply,
)

# --- playing WeChat's side -------------------------------------------------------------------


def at(timestamp: str | int) -> datetime:
    return datetime.fromtimestamp(int(timestamp), timezone.utc)


@dataclass
class SignedPost:
    """What WeChat would send: the query parameters and the XML body."""

    params: dict[str, str]
    body: str


@dataclass
class Sender:
    """Plays WeChat's side: encrypts and signs with its own copy of the app's secrets."""

    token: str
    encoding_aes_key: str
    receive_id: str

    def crypto(self) -> MessageCrypto:
        return MessageCrypto(
            token=self.token, encoding_aes_key=self.encoding_aes_key, receive_id=self.receive_id
        )

    def encrypted(
        self,
        xml: str,
        *,
        timestamp: str = "1700000000",
        nonce: str = "12345",
        with_plain_signature: bool = True,
        encrypt: str | None = None,
    ) -> SignedPost:
        enc = self.crypto().encrypt(xml) if encrypt is None else encrypt
        params = {
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": compute_signature(self.token, timestamp, nonce, enc),
        }
        if with_plain_signature:
            params["signature"] = compute_signature(self.token, timestamp, nonce)
        body = (
            f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName>"
            f"<Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
        )
        return SignedPost(params, body)

    def plain(self, xml: str, *, timestamp: str = "1700000000", nonce: str = "12345") -> SignedPost:
        params = {
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": compute_signature(self.token, timestamp, nonce),
        }
        return SignedPost(params, xml)


APP_ID = "wx134c8103faa5a59e"
TOKEN = "AAAAA"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OTHER_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
NOW = at(1700000000)


@pytest.fixture
def sender() -> Sender:
    return Sender(TOKEN, KEY, APP_ID)


def text_xml(content: str = "hello", to: str = "gh_x", msg_id: str = "1") -> str:
    return (
        f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
        f"<FromUserName><![CDATA[o_user]]></FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    )


def oa(**kw: object) -> WeChatCallback:
    args: dict[str, object] = {"token": TOKEN, "app_id": APP_ID, "encoding_aes_key": KEY}
    args.update(kw)
    return WeChatCallback(**args)  # type: ignore[arg-type]


def wecom(**kw: object) -> WeComCallback:
    args: dict[str, object] = {"token": TOKEN, "corp_id": APP_ID, "encoding_aes_key": KEY}
    args.update(kw)
    return WeComCallback(**args)  # type: ignore[arg-type]


# --- the happy paths -----------------------------------------------------------------------


def test_oa_safe_mode_message(sender: Sender) -> None:
    post = sender.encrypted(text_xml("你好"))
    got = oa().parse(post.params, post.body, now=NOW)
    assert isinstance(got.message, TextMessage)
    assert got.message.content == "你好"
    assert got.encrypted and got.key_slot is KeySlot.CURRENT
    assert (got.timestamp, got.nonce) == ("1700000000", "12345")


def test_verified_callback_dump_keeps_the_typed_fields(sender: Sender) -> None:
    post = sender.encrypted(text_xml("dumped"))
    dumped = oa().parse(post.params, post.body, now=NOW).model_dump(mode="json")
    assert dumped["message"]["content"] == "dumped"
    assert dumped["key_slot"] == "current"


def test_oa_plaintext_mode_message(sender: Sender) -> None:
    post = sender.plain(text_xml("hi"))
    got = WeChatCallback(token=TOKEN, app_id=APP_ID).parse(post.params, post.body.encode(), now=NOW)
    assert not got.encrypted and got.key_slot is None
    assert isinstance(got.message, TextMessage) and got.message.content == "hi"


def test_oa_plaintext_allowed_when_opted_in(sender: Sender) -> None:
    post = sender.plain(text_xml("hi"))
    got = oa(allow_plaintext=True).parse(post.params, post.body, now=NOW)
    assert not got.encrypted


def test_oa_compat_mode_without_plain_signature(sender: Sender) -> None:
    post = sender.encrypted(text_xml(), with_plain_signature=False)
    assert oa().parse(post.params, post.body, now=NOW).encrypted


def test_wecom_message(sender: Sender) -> None:
    xml = text_xml("ok").replace("</xml>", "<AgentID>1000002</AgentID></xml>")
    post = sender.encrypted(xml)
    params = {k: v for k, v in post.params.items() if k in ("timestamp", "nonce", "msg_signature")}
    got = wecom().parse(params, post.body, now=NOW)
    assert got.message.agent_id == "1000002"


def test_oa_url_verification_plain_echo() -> None:
    params = {
        "signature": compute_signature(TOKEN, "1700000000", "5"),
        "timestamp": "1700000000",
        "nonce": "5",
        "echostr": "8723649182734",
    }
    assert oa().verify_url(params, now=NOW) == "8723649182734"


def test_wecom_url_verification_decrypts_echostr(sender: Sender) -> None:
    echostr = sender.crypto().encrypt("4242")
    params = {
        "msg_signature": compute_signature(TOKEN, "1700000000", "5", echostr),
        "timestamp": "1700000000",
        "nonce": "5",
        "echostr": echostr,
    }
    assert wecom().verify_url(params, now=NOW) == "4242"


# --- forged --------------------------------------------------------------------------------


def test_bad_msg_signature(sender: Sender) -> None:
    post = sender.encrypted(text_xml())
    post.params["msg_signature"] = "f" * 40
    with pytest.raises(SignatureError, match="msg_signature"):
        oa().parse(post.params, post.body, now=NOW)
    with pytest.raises(SignatureError):
        wecom().parse(post.params, post.body, now=NOW)


def test_signature_made_with_another_token(sender: Sender) -> None:
    forger = Sender("not-the-token", KEY, APP_ID)
    post = forger.encrypted(text_xml())
    with pytest.raises(SignatureError):
        oa().parse(post.params, post.body, now=NOW)


def test_ciphertext_swapped_after_signing(sender: Sender) -> None:
    post = sender.encrypted(text_xml("original"))
    other = sender.crypto().encrypt(text_xml("swapped"))
    body = post.body.replace(post.body.split("CDATA[")[2].split("]]")[0], other)
    with pytest.raises(SignatureError):
        oa().parse(post.params, body, now=NOW)


def test_bad_plain_signature_next_to_good_msg_signature(sender: Sender) -> None:
    post = sender.encrypted(text_xml())
    post.params["signature"] = "0" * 40
    with pytest.raises(SignatureError, match="signature"):
        oa().parse(post.params, post.body, now=NOW)


def test_missing_signature(sender: Sender) -> None:
    post = sender.plain(text_xml())
    del post.params["signature"]
    with pytest.raises(SignatureError, match="missing"):
        WeChatCallback(token=TOKEN, app_id=APP_ID).parse(post.params, post.body, now=NOW)


def test_plaintext_downgrade_is_refused(sender: Sender) -> None:
    post = sender.plain(text_xml())
    with pytest.raises(SignatureError, match="unencrypted"):
        oa().parse(post.params, post.body, now=NOW)


def test_wrong_app_id_with_valid_signature(sender: Sender) -> None:
    someone_else = Sender(TOKEN, KEY, "wx_another_app_00")
    post = someone_else.encrypted(text_xml())
    with pytest.raises(DecryptError, match="another app"):
        oa().parse(post.params, post.body, now=NOW)
    with pytest.raises(DecryptError, match="another app"):
        wecom().parse(post.params, post.body, now=NOW)


def test_bad_padding_with_valid_signature(sender: Sender) -> None:
    raw = base64.b64decode(KEY + "=")
    plain = b"r" * 16 + len(b"<xml/>").to_bytes(4, "big") + b"<xml/>" + APP_ID.encode()
    plain += bytes([0]) * (32 - len(plain) % 32)  # pad bytes of value 0: invalid PKCS#7
    enc = Cipher(algorithms.AES(raw), modes.CBC(raw[:16])).encryptor()
    sealed = base64.b64encode(enc.update(plain) + enc.finalize()).decode()
    post = sender.encrypted("", encrypt=sealed)
    with pytest.raises(DecryptError, match="padding"):
        oa().parse(post.params, post.body, now=NOW)


def test_wrong_aes_key_with_valid_signature() -> None:
    post = Sender(TOKEN, OTHER_KEY, APP_ID).encrypted(text_xml())
    with pytest.raises(DecryptError):
        oa().parse(post.params, post.body, now=NOW)


def test_forged_url_verification() -> None:
    params = {"signature": "0" * 40, "timestamp": "1700000000", "nonce": "5", "echostr": "x"}
    with pytest.raises(SignatureError):
        oa().verify_url(params, now=NOW)
    with pytest.raises(SignatureError):
        wecom().verify_url({**params, "msg_signature": "0" * 40}, now=NOW)


# --- replayed ------------------------------------------------------------------------------


def test_replayed_post_is_refused(sender: Sender) -> None:
    cb = oa()
    post = sender.encrypted(text_xml())
    cb.parse(post.params, post.body, now=NOW)
    with pytest.raises(ReplayError, match="already used"):
        cb.parse(post.params, post.body, now=at(1700000010))


def test_stale_post_is_refused(sender: Sender) -> None:
    post = sender.encrypted(text_xml(), timestamp="1699990000")
    with pytest.raises(ReplayError, match="window"):
        oa().parse(post.params, post.body, now=NOW)


def test_future_post_is_refused(sender: Sender) -> None:
    post = sender.encrypted(text_xml(), timestamp="1700009999")
    with pytest.raises(ReplayError):
        wecom().parse(post.params, post.body, now=NOW)


def test_replayed_url_verification_is_refused(sender: Sender) -> None:
    cb = wecom()
    echostr = sender.crypto().encrypt("1")
    params = {
        "msg_signature": compute_signature(TOKEN, "1700000000", "5", echostr),
        "timestamp": "1700000000", "nonce": "5", "echostr": echostr,
    }  # fmt: skip
    cb.verify_url(params, now=NOW)
    with pytest.raises(ReplayError):
        cb.verify_url(params, now=NOW)


def test_forged_requests_do_not_fill_the_nonce_store(sender: Sender) -> None:
    guard = ReplayGuard()
    cb = oa(replay_guard=guard)
    for i in range(20):
        post = sender.encrypted(text_xml(), nonce=str(i))
        post.params["msg_signature"] = "0" * 40
        with pytest.raises(SignatureError):
            cb.parse(post.params, post.body, now=NOW)
    assert len(guard.store) == 0  # type: ignore[arg-type]


def test_replay_checks_can_be_turned_off(sender: Sender) -> None:
    cb = oa(replay_guard=False)
    post = sender.encrypted(text_xml(), timestamp="1")
    cb.parse(post.params, post.body, now=NOW)
    cb.parse(post.params, post.body, now=NOW)
    assert cb.replay_guard is None


def test_shared_guard_across_apps_is_scoped_by_app_id(sender: Sender) -> None:
    guard = ReplayGuard()
    a, b = oa(replay_guard=guard), oa(app_id="wx_second_app", replay_guard=guard)
    post_a = sender.encrypted(text_xml())
    post_b = Sender(TOKEN, KEY, "wx_second_app").encrypted(text_xml())  # same ts/nonce
    a.parse(post_a.params, post_a.body, now=NOW)
    b.parse(post_b.params, post_b.body, now=NOW)


# --- malformed -----------------------------------------------------------------------------


BOMB = (
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Encrypt>&c;</Encrypt></xml>'
)


def test_entity_bomb_in_outer_envelope() -> None:
    params = {
        "timestamp": "1700000000",
        "nonce": "1",
        "msg_signature": "0" * 40,
        "encrypt_type": "aes",
    }
    with pytest.raises(MalformedPayloadError, match="DOCTYPE"):
        oa().parse(params, BOMB, now=NOW)
    with pytest.raises(MalformedPayloadError, match="DOCTYPE"):
        wecom().parse(params, BOMB, now=NOW)


def test_entity_bomb_inside_a_validly_signed_encrypted_payload(sender: Sender) -> None:
    inner = BOMB.replace("<Encrypt>&c;</Encrypt>", "<ToUserName>&c;</ToUserName>")
    post = sender.encrypted(inner)
    with pytest.raises(MalformedPayloadError, match="DOCTYPE"):
        oa().parse(post.params, post.body, now=NOW)


def test_xxe_in_plaintext_mode(sender: Sender) -> None:
    xxe = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>'
    post = sender.plain(xxe)
    with pytest.raises(MalformedPayloadError, match="DOCTYPE"):
        WeChatCallback(token=TOKEN, app_id=APP_ID).parse(post.params, post.body, now=NOW)


@pytest.mark.parametrize(
    "body",
    ["<xml><ToUserName>x</ToUserName></xml>", "<xml><Encrypt></Encrypt></xml>", "<xml>", "junk"],
    ids=["no-encrypt", "empty-encrypt", "unclosed", "not-xml"],
)
def test_malformed_envelopes(body: str) -> None:
    params = {
        "timestamp": "1700000000",
        "nonce": "1",
        "msg_signature": "0" * 40,
        "encrypt_type": "aes",
    }
    with pytest.raises(MalformedPayloadError):
        oa().parse(params, body, now=NOW)


def test_valid_ciphertext_of_malformed_message(sender: Sender) -> None:
    post = sender.encrypted("<xml><MsgType>text</MsgType></xml>")
    with pytest.raises(MalformedPayloadError, match="callback XML has no"):
        oa().parse(post.params, post.body, now=NOW)


def test_oversized_body_is_refused(sender: Sender) -> None:
    post = sender.encrypted(text_xml("x" * 5000))
    with pytest.raises(MalformedPayloadError, match="limit"):
        oa(max_bytes=1000).parse(post.params, post.body, now=NOW)


def test_unknown_encrypt_type(sender: Sender) -> None:
    post = sender.plain(text_xml())
    with pytest.raises(MalformedPayloadError, match="encrypt_type"):
        oa().parse({**post.params, "encrypt_type": "rsa"}, post.body, now=NOW)


def test_encrypted_post_to_plain_only_app(sender: Sender) -> None:
    post = sender.encrypted(text_xml())
    with pytest.raises(MalformedPayloadError, match="encoding_aes_key"):
        WeChatCallback(token=TOKEN, app_id=APP_ID).parse(post.params, post.body, now=NOW)


@pytest.mark.parametrize("missing", ["timestamp", "nonce"])
def test_missing_timestamp_or_nonce(sender: Sender, missing: str) -> None:
    post = sender.encrypted(text_xml())
    del post.params[missing]
    with pytest.raises(WebhookError):
        oa().parse(post.params, post.body, now=NOW)
    with pytest.raises(WebhookError):
        oa(replay_guard=False).parse(post.params, post.body, now=NOW)


def test_missing_echostr() -> None:
    params = {
        "signature": compute_signature(TOKEN, "1700000000", "5"),
        "timestamp": "1700000000",
        "nonce": "5",
    }
    with pytest.raises(MalformedPayloadError, match="echostr"):
        oa().verify_url(params, now=NOW)
    with pytest.raises(MalformedPayloadError, match="echostr"):
        wecom().verify_url(params, now=NOW)


# --- replies and key rotation ------------------------------------------------------------


def test_encrypted_reply_round_trips_through_wechat(sender: Sender) -> None:
    cb = oa()
    got = cb.parse(*vars(sender.encrypted(text_xml("ping"))).values(), now=NOW)
    reply = cb.build_reply(text_reply(got.message, "pong", now=NOW), to=got, now=NOW, nonce="777")
    env = parse_xml(reply)
    encrypt = env.findtext("Encrypt") or ""
    # WeChat's side verifies and opens it
    assert env.findtext("MsgSignature") == compute_signature(TOKEN, "1700000000", "777", encrypt)
    inner = parse_xml(sender.crypto().decrypt(encrypt))
    assert inner.findtext("Content") == "pong"
    assert inner.findtext("ToUserName") == "o_user"
    assert inner.findtext("FromUserName") == "gh_x"


def test_reply_to_plaintext_callback_is_plaintext(sender: Sender) -> None:
    cb = oa(allow_plaintext=True)
    got = cb.parse(*vars(sender.plain(text_xml())).values(), now=NOW)
    assert cb.build_reply("<xml>r</xml>", to=got) == "<xml>r</xml>"


def test_reply_uses_the_key_that_opened_the_message() -> None:
    old = Sender(TOKEN, OTHER_KEY, APP_ID)
    cb = oa(previous_encoding_aes_key=OTHER_KEY)
    got = cb.parse(*vars(old.encrypted(text_xml())).values(), now=NOW)
    assert got.key_slot is KeySlot.PREVIOUS
    reply = cb.build_reply("<xml>r</xml>", to=got, now=NOW)
    assert old.crypto().decrypt(parse_xml(reply).findtext("Encrypt") or "") == "<xml>r</xml>"


def test_reply_nonce_is_fresh_and_validated() -> None:
    cb = wecom()
    n1 = parse_xml(cb.build_reply("<xml/>", now=NOW)).findtext("Nonce")
    n2 = parse_xml(cb.build_reply("<xml/>", now=NOW)).findtext("Nonce")
    assert n1 and n2 and n1 != n2
    with pytest.raises(InvalidInputError, match="nonce"):
        cb.build_reply("<xml/>", now=NOW, nonce="]]><evil/>")


def test_previous_key_needs_current_key() -> None:
    with pytest.raises(InvalidInputError, match="previous_encoding_aes_key"):
        WeChatCallback(token=TOKEN, app_id=APP_ID, previous_encoding_aes_key=KEY)


@pytest.mark.parametrize("field", ["token", "app_id"])
def test_empty_settings(field: str) -> None:
    with pytest.raises(InvalidInputError):
        oa(**{field: ""})


def test_properties() -> None:
    assert oa().app_id == APP_ID and oa().crypto is not None
    assert wecom().corp_id == APP_ID
    assert WeChatCallback(token=TOKEN, app_id=APP_ID).crypto is None
