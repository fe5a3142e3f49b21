"""Every official WXBizMsgCrypt vector (tests/webhooks/vectors.json) passes, end to end."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from smmkit.webhooks import (
    MessageCrypto,
    WeChatCallback,
    WeComCallback,
    compute_signature,
    parse_xml,
    verify_signature,
)

# Copied, with provenance, from the project's reference notes: see vectors.json.
VECTORS: list[dict[str, Any]] = json.loads(
    Path(__file__).with_name("vectors.json").read_text(encoding="utf-8")
)["vectors"]


def at(timestamp: str | int) -> datetime:
    return datetime.fromtimestamp(int(timestamp), timezone.utc)


@pytest.fixture(scope="module")
def vectors() -> dict[str, dict[str, Any]]:
    return {v["id"]: v for v in VECTORS}


def by_kind(*kinds: str) -> list[Any]:
    return [pytest.param(v, id=v["id"]) for v in VECTORS if v["kind"] in kinds]


def crypto_for(v: dict[str, Any]) -> MessageCrypto:
    return MessageCrypto(
        token=v["token"], encoding_aes_key=v["encoding_aes_key"], receive_id=v["receive_id"]
    )


def test_every_vector_kind_is_covered() -> None:
    covered = {
        "plain_signature",
        "encrypt",
        "decrypt",
        "decrypt_and_reply",
        "url_verify_encrypted_echostr",
    }
    assert {v["kind"] for v in VECTORS} == covered
    assert len(VECTORS) == 10


@pytest.mark.parametrize("v", by_kind("plain_signature"))
def test_plain_signature(v: dict[str, Any]) -> None:
    assert compute_signature(v["token"], v["timestamp"], v["nonce"]) == v["expected_signature"]
    verify_signature(
        v["expected_signature"], token=v["token"], timestamp=v["timestamp"], nonce=v["nonce"]
    )


@pytest.mark.parametrize("v", by_kind("plain_signature"))
def test_plain_signature_url_verification(v: dict[str, Any]) -> None:
    cb = WeChatCallback(token=v["token"], app_id="wx0000000000000000")
    params = {
        "signature": v["expected_signature"],
        "timestamp": v["timestamp"],
        "nonce": v["nonce"],
        "echostr": "7519876214",
    }
    assert cb.verify_url(params, now=at(v["timestamp"])) == "7519876214"


@pytest.mark.parametrize("v", by_kind("encrypt"))
def test_encrypt(v: dict[str, Any]) -> None:
    mc = crypto_for(v)
    encrypted = mc.encrypt(v["plaintext"], random=v["random"])
    assert encrypted == v["expected_encrypt"]
    assert mc.decrypt(encrypted) == v["plaintext"]
    if "expected_msg_signature" in v:
        assert mc.sign(v["timestamp"], v["nonce"], encrypted) == v["expected_msg_signature"]


@pytest.mark.parametrize("v", by_kind("decrypt", "decrypt_and_reply"))
def test_decrypt(v: dict[str, Any]) -> None:
    mc = crypto_for(v)
    assert mc.sign(v["timestamp"], v["nonce"], v["encrypt"]) == v["expected_msg_signature"]
    plaintext = mc.decrypt(v["encrypt"])
    assert plaintext == v["expected_plaintext"]  # byte for byte: "\n" kept, nothing trimmed
    if "expected_plaintext_bytes" in v:
        assert len(plaintext.encode("utf-8")) == v["expected_plaintext_bytes"]


@pytest.mark.parametrize("v", by_kind("decrypt", "decrypt_and_reply"))
def test_decrypt_through_callbacks(v: dict[str, Any]) -> None:
    """The same vectors as real POSTs: OA safe mode and WeCom."""
    body = (
        "<xml><ToUserName><![CDATA[x]]></ToUserName>"
        f"<Encrypt><![CDATA[{v['encrypt']}]]></Encrypt></xml>"
    )
    params = {
        "timestamp": v["timestamp"],
        "nonce": v["nonce"],
        "msg_signature": v["expected_msg_signature"],
    }
    oa = WeChatCallback(
        token=v["token"], app_id=v["receive_id"], encoding_aes_key=v["encoding_aes_key"]
    )
    got = oa.parse({**params, "encrypt_type": "aes"}, body, now=at(v["timestamp"]))
    assert got.xml == v["expected_plaintext"]
    assert got.encrypted
    assert got.message.create_time == at(parse_xml(got.xml).findtext("CreateTime") or "0")
    wecom = WeComCallback(
        token=v["token"], corp_id=v["receive_id"], encoding_aes_key=v["encoding_aes_key"]
    )
    assert wecom.parse(params, body.encode(), now=at(v["timestamp"])).xml == v["expected_plaintext"]


def test_vector_e_pads_with_22_bytes_so_32_byte_blocks_are_required(
    vectors: dict[str, dict[str, Any]],
) -> None:
    v = vectors["E"]
    from smmkit.webhooks import BLOCK_SIZE

    # 16 random + 4 length + message + receive id, padded to 32: the pad is 22 > 16.
    raw_len = 16 + 4 + v["expected_plaintext_bytes"] + len(v["receive_id"])
    assert BLOCK_SIZE - raw_len % BLOCK_SIZE == v["expected_pad_value"] == 22
    assert crypto_for(v).decrypt(v["encrypt"]) == v["expected_plaintext"]


@pytest.mark.parametrize("v", by_kind("decrypt_and_reply"))
def test_reply_vector(v: dict[str, Any]) -> None:
    r = v["reply"]
    mc = crypto_for(v)
    encrypted = mc.encrypt(r["plaintext"], random=r["random"])
    assert encrypted == r["expected_encrypt"]
    assert mc.sign(r["timestamp"], r["nonce"], encrypted) == r["expected_msg_signature"]
    # and through the callback's reply builder
    cb = WeChatCallback(
        token=v["token"], app_id=v["receive_id"], encoding_aes_key=v["encoding_aes_key"]
    )
    envelope = cb.build_reply(
        r["plaintext"], now=at(r["timestamp"]), nonce=r["nonce"], random=r["random"]
    )
    root = parse_xml(envelope)
    assert root.findtext("Encrypt") == r["expected_encrypt"]
    assert root.findtext("MsgSignature") == r["expected_msg_signature"]
    assert root.findtext("TimeStamp") == r["timestamp"]
    assert root.findtext("Nonce") == r["nonce"]


@pytest.mark.parametrize("v", by_kind("url_verify_encrypted_echostr"))
def test_wecom_url_verification(v: dict[str, Any]) -> None:
    mc = crypto_for(v)
    assert mc.sign(v["timestamp"], v["nonce"], v["echostr"]) == v["expected_msg_signature"]
    cb = WeComCallback(
        token=v["token"], corp_id=v["receive_id"], encoding_aes_key=v["encoding_aes_key"]
    )
    params = {
        "msg_signature": v["expected_msg_signature"],
        "timestamp": v["timestamp"],
        "nonce": v["nonce"],
        "echostr": v["echostr"],
    }
    assert cb.verify_url(params, now=at(v["timestamp"])) == v["expected_plaintext"]


@pytest.mark.parametrize("v", by_kind("url_verify_encrypted_echostr"))
def test_wecom_url_verification_from_raw_query_string(v: dict[str, Any]) -> None:
    from urllib.parse import urlencode

    query = urlencode(
        {
            "msg_signature": v["expected_msg_signature"],
            "timestamp": v["timestamp"],
            "nonce": v["nonce"],
            "echostr": v["echostr"],
        }
    )
    assert "%2B" in query or "%2F" in query or "%3D" in query  # base64 arrives escaped
    cb = WeComCallback(
        token=v["token"], corp_id=v["receive_id"], encoding_aes_key=v["encoding_aes_key"]
    )
    assert cb.verify_url("?" + query, now=at(v["timestamp"])) == v["expected_plaintext"]
