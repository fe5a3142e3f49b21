"""WeChat / WeCom callback signatures and the WXBizMsgCrypt message cipher.

The scheme (official "消息加解密" tech plan and samples):

* ``signature = sha1(''.join(sorted([token, timestamp, nonce]))).hexdigest()``; the
  encrypted modes add the ciphertext as a fourth part (``msg_signature``).
* ``AESKey = base64decode(EncodingAESKey + "=")`` (32 bytes), AES-256-CBC, ``IV = AESKey[:16]``.
* plaintext = ``random16 || uint32_be(len(msg)) || msg || receive_id``, PKCS#7-padded to
  **32-byte** blocks (pad 1..32). A 16-byte PKCS#7 decoder rejects valid messages.

The cipher has no MAC of its own: authenticity comes only from ``msg_signature``, which
is why callers must verify the signature *before* decrypting (the callback classes do).
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import os
import re
import struct
from typing import Any, NoReturn

from pydantic import SecretBytes, SecretStr

from smmkit._secrets import conceals_secrets, refuse_pickle
from smmkit.exceptions import (
    DecryptError,
    InvalidInputError,
    MalformedPayloadError,
    MissingExtraError,
    SignatureError,
)
from smmkit.webhooks._checks import require_bytes, require_int, require_secret, require_str

__all__ = [
    "BLOCK_SIZE",
    "KeySlot",
    "MessageCrypto",
    "compute_signature",
    "decode_encoding_aes_key",
    "pkcs7_pad",
    "pkcs7_unpad",
    "verify_signature",
]

BLOCK_SIZE = 32
"""WXBizMsgCrypt pads to 32-byte blocks (the official PHP sample's ``$block_size = 32``)."""

_KEY_RE = re.compile(r"[A-Za-z0-9+/]{43}")
_RANDOM_LEN = 16
_HEADER_LEN = _RANDOM_LEN + 4


def _reveal(value: SecretStr | str) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def _stamp(value: object, field: str) -> str:
    """A timestamp or nonce: text, or an int (written in decimal)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return require_str(value, field)


@conceals_secrets
def compute_signature(
    token: SecretStr | str, timestamp: str, nonce: str, encrypt: str | None = None
) -> str:
    """Return the SHA-1 callback signature: ``signature``, or ``msg_signature`` with ``encrypt``.

    Example:
        >>> compute_signature("AAAAA", "1714037059", "486452656")
        '899cf89e464efb63f54ddac96b0a0a235f53aa78'
    """
    parts = [require_secret(token, "token"), _stamp(timestamp, "timestamp"), _stamp(nonce, "nonce")]
    if encrypt is not None:
        parts.append(require_str(encrypt, "encrypt"))
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


@conceals_secrets
def verify_signature(
    signature: str | None,
    *,
    token: SecretStr | str,
    timestamp: str,
    nonce: str,
    encrypt: str | None = None,
    name: str = "signature",
) -> None:
    """Raise :class:`~smmkit.exceptions.SignatureError` unless ``signature`` matches.

    The comparison is constant-time (:func:`hmac.compare_digest`), so response timing
    does not reveal how many leading characters of a forged signature were right.
    ``name`` is the query parameter's name, used in the error message.

    Example:
        >>> verify_signature("899cf89e464efb63f54ddac96b0a0a235f53aa78",
        ...                  token="AAAAA", timestamp="1714037059", nonce="486452656")
        >>> verify_signature("0" * 40, token="AAAAA", timestamp="1714037059", nonce="486452656")
        Traceback (most recent call last):
        ...
        smmkit.exceptions.SignatureError: signature does not match
    """
    if signature is not None and not isinstance(signature, str):
        raise SignatureError(f"{name} must be text, not {type(signature).__name__}")
    if not signature:
        raise SignatureError(f"{name} is missing")
    expected = compute_signature(token, timestamp, nonce, encrypt).encode("ascii")
    given = signature.strip().lower().encode("utf-8", "replace")
    if not hmac.compare_digest(expected, given):
        raise SignatureError(f"{name} does not match")


@conceals_secrets
def decode_encoding_aes_key(encoding_aes_key: SecretStr | str) -> SecretBytes:
    """Turn the 43-character ``EncodingAESKey`` into the 32-byte AES key (kept secret).

    Errors never echo the key.

    Example:
        >>> key = decode_encoding_aes_key("A" * 43)
        >>> len(key.get_secret_value()), key
        (32, SecretBytes(b'**********'))
    """
    if not isinstance(encoding_aes_key, (str, SecretStr)):
        raise InvalidInputError.single(
            "encoding_aes_key", "must be a str or a SecretStr", type(encoding_aes_key).__name__
        )
    text = _reveal(encoding_aes_key)
    if not _KEY_RE.fullmatch(text):
        raise InvalidInputError.single(
            "encoding_aes_key", f"must be 43 base64 characters (got {len(text)} characters)"
        )
    try:
        raw = base64.b64decode(text + "=", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError.single("encoding_aes_key", "is not valid base64") from None
    return SecretBytes(raw)


def pkcs7_pad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    """Pad ``data`` PKCS#7-style to a multiple of ``block_size`` (always adds 1..block_size).

    Example:
        >>> pkcs7_pad(b"abc")[-1], len(pkcs7_pad(b"abc")), len(pkcs7_pad(b"x" * 32))
        (29, 32, 64)
    """
    data = require_bytes(data, "data")
    require_int(block_size, "block_size", 1, 255)
    pad = block_size - len(data) % block_size
    return data + bytes([pad]) * pad


def pkcs7_unpad(data: bytes, block_size: int = BLOCK_SIZE) -> bytes:
    """Remove PKCS#7 padding, raising :class:`~smmkit.exceptions.DecryptError` if it is bad.

    Every padding byte is checked, not just the last one.

    Example:
        >>> pkcs7_unpad(pkcs7_pad(b"abc"))
        b'abc'
        >>> pkcs7_unpad(b"abc" + bytes([40]) * 29)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.DecryptError: bad padding
    """
    data = require_bytes(data, "data")
    require_int(block_size, "block_size", 1, 255)
    if not data:
        raise DecryptError("bad padding")
    pad = data[-1]
    if not 1 <= pad <= block_size or pad > len(data):
        raise DecryptError("bad padding")
    if not hmac.compare_digest(data[-pad:], bytes([pad]) * pad):
        raise DecryptError("bad padding")
    return data[:-pad]


class KeySlot(str, enum.Enum):
    """Which ``EncodingAESKey`` opened a message: during a key rotation WeChat may still
    use the previous one for a while, and the reply must use the same key.

    Example:
        >>> KeySlot("previous") is KeySlot.PREVIOUS
        True
    """

    CURRENT = "current"
    PREVIOUS = "previous"


def _cipher_parts() -> tuple[Any, Any, Any]:
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        raise MissingExtraError("cryptography", extra="wechat") from None
    return Cipher, algorithms, modes


class MessageCrypto:
    """WXBizMsgCrypt: encrypt and decrypt callback messages for one app.

    ``receive_id`` is the Official Account's app id, the WeCom corp id (self-built apps)
    or the suite id (third-party apps). ``previous_encoding_aes_key`` keeps callbacks
    working while a key rotation propagates. Needs ``cryptography`` (extra ``wechat``).

    Example:
        >>> mc = MessageCrypto(token="pamtest", receive_id="wxb11529c136998cb6",
        ...                    encoding_aes_key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        >>> mc.encrypt("我是中文abcd123", random=b"aaaabbbbccccdddd")[:24]
        'jn1L23DB+6ELqJ+6bruv21Y6'
        >>> mc.decrypt(mc.encrypt("hello"))
        'hello'
        >>> mc
        MessageCrypto(receive_id='wxb11529c136998cb6', previous_key=False)
    """

    __slots__ = ("_keys", "receive_id", "token")

    @conceals_secrets
    def __init__(
        self,
        *,
        token: SecretStr | str,
        encoding_aes_key: SecretStr | str,
        receive_id: str,
        previous_encoding_aes_key: SecretStr | str | None = None,
    ) -> None:
        require_secret(token, "token")
        if not require_str(receive_id, "receive_id"):
            raise InvalidInputError.single("receive_id", "must not be empty")
        self.token: SecretStr = token if isinstance(token, SecretStr) else SecretStr(token)
        self.receive_id = receive_id
        keys = {KeySlot.CURRENT: decode_encoding_aes_key(encoding_aes_key)}
        if previous_encoding_aes_key is not None:
            keys[KeySlot.PREVIOUS] = decode_encoding_aes_key(previous_encoding_aes_key)
        self._keys: dict[KeySlot, SecretBytes] = keys

    def __repr__(self) -> str:
        previous = KeySlot.PREVIOUS in self._keys
        return f"MessageCrypto(receive_id={self.receive_id!r}, previous_key={previous})"

    def __reduce__(self) -> NoReturn:
        # Pickling would copy the raw keys into whatever stores the pickle: refuse.
        refuse_pickle(self, "holds secrets (the token and the AES keys)")

    @property
    def key_slots(self) -> tuple[KeySlot, ...]:
        """The configured key slots, current first.

        Example:
            >>> MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx1").key_slots
            (<KeySlot.CURRENT: 'current'>,)
        """
        return tuple(self._keys)

    @conceals_secrets
    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """Return the ``msg_signature`` for ``encrypt``.

        Example:
            >>> MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx1").sign(
            ...     "1", "2", "x") == compute_signature("t", "1", "2", "x")
            True
        """
        return compute_signature(self.token, timestamp, nonce, encrypt)

    @conceals_secrets
    def encrypt(
        self,
        text: str,
        *,
        random: bytes | str | None = None,
        key: KeySlot = KeySlot.CURRENT,
    ) -> str:
        """Encrypt ``text`` for this app and return the base64 ``Encrypt`` value.

        ``random`` (16 bytes) is fresh from :func:`os.urandom` unless given; pass it only
        to reproduce a known vector.

        Example:
            >>> mc = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx1")
            >>> len(mc.encrypt("hi", random="0123456789abcdef")) % 4
            0
        """
        if random is None:
            random_bytes = os.urandom(_RANDOM_LEN)
        else:
            random_bytes = random.encode("utf-8") if isinstance(random, str) else bytes(random)
        if len(random_bytes) != _RANDOM_LEN:
            raise InvalidInputError.single("random", "must be exactly 16 bytes", len(random_bytes))
        aes_key = self._key(key)
        body = require_str(text, "text").encode("utf-8")
        plain = random_bytes + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8")
        cipher_cls, algorithms, modes = _cipher_parts()
        encryptor = cipher_cls(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).encryptor()
        sealed = encryptor.update(pkcs7_pad(plain)) + encryptor.finalize()
        return base64.b64encode(sealed).decode("ascii")

    @conceals_secrets
    def decrypt(self, encrypted: str) -> str:
        """Decrypt an ``Encrypt`` value and check it is addressed to this app.

        Raises :class:`~smmkit.exceptions.DecryptError` for bad base64, bad length, bad
        padding, a bad inner length, invalid UTF-8 or another app's ``receive_id``.
        Verify the signature first: this method does not authenticate anything.

        Example:
            >>> mc = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx1")
            >>> other = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx2")
            >>> mc.decrypt(other.encrypt("hi"))
            Traceback (most recent call last):
            ...
            smmkit.exceptions.DecryptError: payload is addressed to another app ('wx2')
        """
        return self.decrypt_with_slot(encrypted)[0]

    @conceals_secrets
    def decrypt_with_slot(self, encrypted: str) -> tuple[str, KeySlot]:
        """Like :meth:`decrypt`, also saying which key opened the message.

        The current key is tried first, then the previous one (key rotation). When both
        fail, the error from the current key is raised.

        Example:
            >>> old = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="wx1")
            >>> new = MessageCrypto(token="t", encoding_aes_key="B" * 43, receive_id="wx1",
            ...                     previous_encoding_aes_key="A" * 43)
            >>> new.decrypt_with_slot(old.encrypt("hi"))
            ('hi', <KeySlot.PREVIOUS: 'previous'>)
        """
        sealed = self._decode_b64(encrypted)
        first_error: DecryptError | None = None
        for slot in self._keys:
            try:
                return self._open(sealed, self._key(slot)), slot
            except DecryptError as exc:
                first_error = first_error or exc
        assert first_error is not None  # at least one key is always configured
        raise first_error

    def _key(self, slot: KeySlot) -> bytes:
        try:
            return self._keys[slot].get_secret_value()
        except KeyError:
            raise InvalidInputError.single(
                "key", "no previous key is configured", slot.value
            ) from None

    @staticmethod
    def _decode_b64(encrypted: str) -> bytes:
        if not isinstance(encrypted, str) or not encrypted:
            raise MalformedPayloadError("Encrypt is missing or empty")
        try:
            sealed = base64.b64decode(encrypted.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise DecryptError("Encrypt is not valid base64") from None
        if not sealed or len(sealed) % 16:
            raise DecryptError(f"ciphertext length {len(sealed)} is not a multiple of 16")
        return sealed

    def _open(self, sealed: bytes, aes_key: bytes) -> str:
        cipher_cls, algorithms, modes = _cipher_parts()
        decryptor = cipher_cls(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).decryptor()
        plain = pkcs7_unpad(decryptor.update(sealed) + decryptor.finalize())
        if len(plain) < _HEADER_LEN:
            raise DecryptError("decrypted payload is too short")
        (msg_len,) = struct.unpack(">I", plain[_RANDOM_LEN:_HEADER_LEN])
        if msg_len > len(plain) - _HEADER_LEN:
            raise DecryptError("decrypted payload has an impossible message length")
        body = plain[_HEADER_LEN : _HEADER_LEN + msg_len]
        receive_id = plain[_HEADER_LEN + msg_len :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            shown = receive_id[:64].decode("utf-8", "replace")
            raise DecryptError(f"payload is addressed to another app ({shown!r})")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("decrypted message is not valid UTF-8") from None
