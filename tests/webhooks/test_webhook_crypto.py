"""WXBizMsgCrypt: padding, layout, tampering, app-id check, key rotation, missing extra."""

from __future__ import annotations

import base64
import struct
import sys

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.exceptions import (
    DecryptError,
    InvalidInputError,
    MalformedPayloadError,
    MissingExtraError,
    SignatureError,
)
from smmkit.webhooks import (
    BLOCK_SIZE,
    KeySlot,
    MessageCrypto,
    compute_signature,
    decode_encoding_aes_key,
    pkcs7_pad,
    pkcs7_unpad,
    verify_signature,
)

APP_ID = "wx134c8103faa5a59e"
TOKEN = "AAAAA"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OTHER_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
RAW_KEY = base64.b64decode(KEY + "=")


def crypto(**kw: object) -> MessageCrypto:
    args: dict[str, object] = {"token": TOKEN, "encoding_aes_key": KEY, "receive_id": APP_ID}
    args.update(kw)
    return MessageCrypto(**args)  # type: ignore[arg-type]


def seal(plain: bytes, key: bytes = RAW_KEY) -> str:
    """Encrypt raw bytes with no padding added: lets a test craft any plaintext layout."""
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def layout(msg: bytes, receive_id: bytes = APP_ID.encode(), length: int | None = None) -> bytes:
    n = len(msg) if length is None else length
    return b"R" * 16 + struct.pack(">I", n) + msg + receive_id


# --- padding ---------------------------------------------------------------------------


@given(st.binary(max_size=200))
def test_pad_then_unpad_round_trips(data: bytes) -> None:
    padded = pkcs7_pad(data)
    assert len(padded) % BLOCK_SIZE == 0
    assert 1 <= len(padded) - len(data) <= BLOCK_SIZE
    assert pkcs7_unpad(padded) == data


@pytest.mark.parametrize(
    "tail",
    [b"\x00", bytes([33]), b"\x05\x05\x05\x04\x05", b"\x02\x03", bytes([32]) * 31],
    ids=["zero", "over-32", "inconsistent", "mismatch", "longer-than-data"],
)
def test_bad_padding_is_refused(tail: bytes) -> None:
    with pytest.raises(DecryptError, match="padding"):
        pkcs7_unpad(tail)


def test_unpad_empty() -> None:
    with pytest.raises(DecryptError):
        pkcs7_unpad(b"")


def test_sixteen_byte_pkcs7_would_be_wrong_but_32_is_accepted() -> None:
    data = b"x" * 10
    padded = pkcs7_pad(data)
    assert padded[-1] == 22 and len(padded) == 32
    assert pkcs7_unpad(padded) == data


# --- encrypt / decrypt -------------------------------------------------------------------


@settings(max_examples=40)
@given(st.text(max_size=300), st.binary(min_size=16, max_size=16))
def test_encrypt_decrypt_round_trip(text: str, random: bytes) -> None:
    mc = crypto()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be sent at all
        return
    assert mc.decrypt(mc.encrypt(text, random=random)) == text


def test_fresh_random_each_time() -> None:
    mc = crypto()
    assert mc.encrypt("same") != mc.encrypt("same")


def test_wrong_app_id_is_refused() -> None:
    theirs = crypto(receive_id="wx_someone_else")
    with pytest.raises(DecryptError, match="another app"):
        crypto().decrypt(theirs.encrypt("<xml/>"))


def test_app_id_is_compared_exactly_not_as_prefix() -> None:
    longer = crypto(receive_id=APP_ID + "x")
    with pytest.raises(DecryptError, match="another app"):
        crypto().decrypt(longer.encrypt("<xml/>"))


@pytest.mark.parametrize(
    ("plain", "match"),
    [
        (layout(b"hi") + bytes([0]) * (32 - len(layout(b"hi")) % 32), "padding"),
        (layout(b"hi") + bytes([40]) * (32 - len(layout(b"hi")) % 32), "padding"),
        (pkcs7_pad(layout(b"hi", length=10_000)), "impossible message length"),
        (pkcs7_pad(b"short"), "too short"),
        (pkcs7_pad(layout(b"\xff\xfe")), "UTF-8"),
    ],
    ids=["zero-pad", "pad-over-32", "length-overflow", "too-short", "not-utf8"],
)
def test_crafted_plaintexts_are_refused(plain: bytes, match: str) -> None:
    with pytest.raises(DecryptError, match=match):
        crypto().decrypt(seal(plain))


@pytest.mark.parametrize(
    ("encrypted", "error"),
    [
        ("not base64 !!", DecryptError),
        (base64.b64encode(b"x" * 15).decode(), DecryptError),
        (base64.b64encode(b"x" * 33).decode(), DecryptError),
        ("", MalformedPayloadError),
    ],
    ids=["bad-base64", "short", "not-block-multiple", "empty"],
)
def test_garbage_ciphertext(encrypted: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        crypto().decrypt(encrypted)


def test_bit_flip_is_refused_or_changes_nothing_silently() -> None:
    mc = crypto()
    sealed = bytearray(base64.b64decode(mc.encrypt("<xml><a>1</a></xml>", random=b"r" * 16)))
    sealed[-1] ^= 1  # corrupts the last block: padding or app id breaks
    with pytest.raises(DecryptError):
        mc.decrypt(base64.b64encode(bytes(sealed)).decode())


# --- keys and rotation -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["short", "A" * 44, "A" * 42 + "!", ""])
def test_bad_encoding_aes_key(bad: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        decode_encoding_aes_key(bad)
    assert info.value.fields == ("encoding_aes_key",)
    if bad:
        assert bad not in str(info.value)


def test_key_rotation_tries_previous_key() -> None:
    old = crypto(encoding_aes_key=OTHER_KEY)
    rotated = crypto(encoding_aes_key=KEY, previous_encoding_aes_key=OTHER_KEY)
    assert rotated.key_slots == (KeySlot.CURRENT, KeySlot.PREVIOUS)
    assert rotated.decrypt_with_slot(old.encrypt("a")) == ("a", KeySlot.PREVIOUS)
    assert rotated.decrypt_with_slot(crypto().encrypt("b")) == ("b", KeySlot.CURRENT)
    # replying with the key that opened the message
    assert old.decrypt(rotated.encrypt("c", key=KeySlot.PREVIOUS)) == "c"


def test_unknown_key_fails_with_current_keys_error() -> None:
    stranger = crypto(encoding_aes_key="B" * 43)
    rotated = crypto(encoding_aes_key=KEY, previous_encoding_aes_key=OTHER_KEY)
    with pytest.raises(DecryptError):
        rotated.decrypt(stranger.encrypt("x"))


def test_previous_slot_without_previous_key() -> None:
    with pytest.raises(InvalidInputError, match="previous"):
        crypto().encrypt("x", key=KeySlot.PREVIOUS)


@pytest.mark.parametrize("random", [b"x" * 15, b"x" * 17, "abc"])
def test_random_must_be_16_bytes(random: bytes | str) -> None:
    with pytest.raises(InvalidInputError, match="16 bytes"):
        crypto().encrypt("x", random=random)


def test_empty_receive_id() -> None:
    with pytest.raises(InvalidInputError, match="receive_id"):
        crypto(receive_id="")


# --- signatures ----------------------------------------------------------------------------


def test_signature_is_order_independent_sha1_of_sorted_parts() -> None:
    import hashlib

    parts = ["tok", "1700000000", "999", "ENC"]
    expected = hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()
    assert compute_signature("tok", "1700000000", "999", "ENC") == expected


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "0" * 40,
        "899cf89e464efb63f54ddac96b0a0a235f53aa7",
        "899cf89e464efb63f54ddac96b0a0a235f53aa79",
        "中文",
    ],
    ids=["none", "empty", "zeros", "truncated", "extended", "non-ascii"],
)
def test_forged_signatures_are_refused(signature: str | None) -> None:
    with pytest.raises(SignatureError):
        verify_signature(signature, token="AAAAA", timestamp="1714037059", nonce="486452656")


def test_signature_check_is_case_insensitive_for_hex() -> None:
    verify_signature(
        "899CF89E464EFB63F54DDAC96B0A0A235F53AA78",
        token="AAAAA",
        timestamp="1714037059",
        nonce="486452656",
    )


def test_signature_uses_constant_time_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    import smmkit.webhooks._crypto as mod

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    assert mod.hmac is hmac  # type: ignore[attr-defined]
    monkeypatch.setattr(hmac, "compare_digest", spy)
    with pytest.raises(SignatureError):
        verify_signature("0" * 40, token="AAAAA", timestamp="1", nonce="2")
    assert len(calls) == 1


# --- optional dependency ----------------------------------------------------------------


def test_missing_cryptography_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    mc = crypto()
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers", None)
    with pytest.raises(MissingExtraError) as info:
        mc.encrypt("x")
    assert info.value.extra == "wechat"
    assert "smmkit[wechat]" in str(info.value)
    with pytest.raises(ImportError):  # still an ImportError for code written against builtins
        mc.decrypt(seal(pkcs7_pad(layout(b"x"))))


def test_plain_signatures_work_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers", None)
    from smmkit.webhooks import WeChatCallback

    cb = WeChatCallback(token="AAAAA", app_id="wx1", replay_guard=False)
    params = {"signature": "899cf89e464efb63f54ddac96b0a0a235f53aa78", "timestamp": "1714037059",
              "nonce": "486452656", "echostr": "ok"}  # fmt: skip
    assert cb.verify_url(params) == "ok"


def test_message_crypto_cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TypeError, match="secrets"):
        pickle.dumps(crypto())
