"""Sentinel test: the token, EncodingAESKey and AES key never show in repr, str,
exceptions, tracebacks, logs or dumps."""

from __future__ import annotations

import base64
import logging
import pickle
import traceback
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from smmkit.exceptions import SmmkitError
from smmkit.webhooks import (
    MessageCrypto,
    ReplayGuard,
    WeChatCallback,
    WeComCallback,
    compute_signature,
    decode_encoding_aes_key,
)

APP_ID = "wx134c8103faa5a59e"
NOW = datetime.fromtimestamp(1700000000, timezone.utc)
TOKEN = "SENTINEL-TOKEN-5f1c9e"
KEY = ("SENTINELAESKEY" + "q" * 43)[:43]
OLD_KEY = ("SENTINELOLDKEY" + "w" * 43)[:43]
RAW = base64.b64decode(KEY + "=")
FORBIDDEN = (
    TOKEN,
    KEY,
    OLD_KEY,
    "SENTINEL",
    RAW.hex(),
    repr(RAW)[2:-1],
    base64.b64encode(RAW).decode()[:40],
)


def assert_clean(text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text, f"secret leaked: {secret[:12]}..."


def exc_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) + repr(exc)


def text_xml() -> str:
    return (
        "<xml><ToUserName>gh_x</ToUserName><FromUserName>o_user</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>hi</Content></xml>"
    )


def encrypted(
    xml: str, *, receive_id: str = APP_ID, encrypt: str | None = None, nonce: str = "12345"
) -> tuple[dict[str, str], str]:
    """A safe-mode POST as WeChat would send it (its own copy of the secrets)."""
    wechat = MessageCrypto(token=TOKEN, encoding_aes_key=KEY, receive_id=receive_id)
    enc = wechat.encrypt(xml) if encrypt is None else encrypt
    params = {
        "timestamp": "1700000000",
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": wechat.sign("1700000000", nonce, enc),
    }
    return params, f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"


def plain(xml: str) -> tuple[dict[str, str], str]:
    return {"timestamp": "1700000000", "nonce": "12345",
            "signature": compute_signature(TOKEN, "1700000000", "12345")}, xml  # fmt: skip


def oa() -> WeChatCallback:
    return WeChatCallback(
        token=TOKEN, app_id=APP_ID, encoding_aes_key=KEY, previous_encoding_aes_key=OLD_KEY
    )


def wecom() -> WeComCallback:
    return WeComCallback(token=TOKEN, corp_id=APP_ID, encoding_aes_key=KEY)


def test_objects_do_not_show_secrets() -> None:
    for obj in (oa(), wecom(), oa().crypto, decode_encoding_aes_key(KEY), ReplayGuard()):
        assert_clean(repr(obj))
        assert_clean(str(obj))
    assert_clean(repr(oa().crypto.token))  # type: ignore[union-attr]


def test_objects_holding_secrets_refuse_pickling() -> None:
    for obj in (oa(), wecom(), oa().crypto):
        with pytest.raises(TypeError) as info:
            pickle.dumps(obj)
        assert_clean(exc_text(info.value))


def _bad_padding() -> str:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    enc = Cipher(algorithms.AES(RAW), modes.CBC(RAW[:16])).encryptor()
    return base64.b64encode(enc.update(b"\x00" * 64) + enc.finalize()).decode()


def _attacks() -> list[tuple[str, Callable[[], object]]]:
    good = encrypted(text_xml())
    forged = encrypted(text_xml())
    forged[0]["msg_signature"] = "0" * 40
    wrong_app = encrypted(text_xml(), receive_id="wx_not_this_app")
    padding = encrypted("", encrypt=_bad_padding())
    malformed = encrypted("<xml><MsgType>text</MsgType></xml>")
    bomb = encrypted('<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>')
    replay_cb = oa()
    replay_cb.parse(*good, now=NOW)
    echostr = MessageCrypto(token=TOKEN, encoding_aes_key=KEY, receive_id=APP_ID).encrypt("1")
    url_params = {"msg_signature": compute_signature(TOKEN, "1700000000", "9", echostr),
                  "timestamp": "1700000000", "nonce": "9", "echostr": echostr}  # fmt: skip
    return [
        ("forged", lambda: oa().parse(*forged, now=NOW)),
        ("replayed", lambda: replay_cb.parse(*good, now=NOW)),
        ("stale", lambda: oa().parse(*good, now=NOW.replace(year=2030))),
        ("wrong app", lambda: oa().parse(*wrong_app, now=NOW)),
        ("bad padding", lambda: oa().parse(*padding, now=NOW)),
        ("malformed", lambda: oa().parse(*malformed, now=NOW)),
        ("entity bomb", lambda: wecom().parse(*bomb, now=NOW)),
        ("downgrade", lambda: oa().parse(*plain(text_xml()), now=NOW)),
        (
            "url forged",
            lambda: wecom().verify_url({**url_params, "msg_signature": "1" * 40}, now=NOW),
        ),
        (
            "bad key",
            lambda: MessageCrypto(token=TOKEN, encoding_aes_key=KEY[:-1] + "!", receive_id="x"),
        ),
        ("short key", lambda: WeChatCallback(token=TOKEN, app_id="x", encoding_aes_key=KEY[:30])),
        (
            "no prev key",
            lambda: WeChatCallback(token=TOKEN, app_id="x", previous_encoding_aes_key=KEY),
        ),
    ]


@pytest.mark.parametrize("index", range(12))
def test_errors_do_not_leak_secrets(index: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, attack = _attacks()[index]
    with pytest.raises(SmmkitError) as info:
        attack()
    assert_clean(exc_text(info.value))
    assert_clean(caplog.text)


def test_every_attack_is_exercised() -> None:
    assert len(_attacks()) == 12


def test_successful_handling_leaves_no_secret_in_results_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    cb = oa()
    got = cb.parse(*encrypted(text_xml()), now=NOW)
    reply = cb.build_reply("<xml/>", to=got, now=NOW)
    for text in (repr(got), str(got), got.model_dump_json(), reply, caplog.text):
        assert_clean(text)
