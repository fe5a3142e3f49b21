"""Server-side callback handling for WeChat Official Accounts and WeCom apps.

Both platforms call your URL twice in a callback's life: once to verify the URL (a GET
with ``echostr``), then for every message or event (a POST with XML). The order of checks
matters and is fixed here: signature first (nothing unauthenticated is decrypted, parsed
or remembered), then the replay window and nonce, then decryption, then XML parsing.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Literal, NoReturn
from urllib.parse import parse_qsl

from pydantic import SecretStr, SerializeAsAny

from smmkit._secrets import conceals_secrets, refuse_pickle
from smmkit.exceptions import InvalidInputError, MalformedPayloadError, SignatureError
from smmkit.models._base import SmmkitModel
from smmkit.webhooks._checks import require_int, require_secret, require_str
from smmkit.webhooks._crypto import KeySlot, MessageCrypto, verify_signature
from smmkit.webhooks._models import CallbackMessage, message_from_element
from smmkit.webhooks._replay import ReplayGuard, _epoch
from smmkit.webhooks._xml import DEFAULT_MAX_BYTES, parse_xml

__all__ = [
    "VerifiedCallback",
    "WeChatCallback",
    "WeComCallback",
    "encrypted_envelope",
    "text_reply",
]

Params = Mapping[str, str] | str
_NONCE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class VerifiedCallback(SmmkitModel):
    """A callback that passed every check, with what is needed to answer it.

    ``xml`` is the plaintext message XML (decrypted if it came encrypted); ``key_slot``
    says which ``EncodingAESKey`` opened it, so the reply can use the same one.

    Example:
        >>> from smmkit.webhooks import compute_signature
        >>> cb = WeChatCallback(token="tok", app_id="wx1", replay_guard=False)
        >>> xml = ("<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>"
        ...        "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>hi</Content></xml>")
        >>> got = cb.parse({"signature": compute_signature("tok", "1", "2"), "timestamp": "1",
        ...                 "nonce": "2"}, xml)
        >>> got.encrypted, got.key_slot, got.message.content
        (False, None, 'hi')
    """

    # SerializeAsAny: a dump keeps the subclass's fields (content, publish_status, ...).
    message: SerializeAsAny[CallbackMessage]
    xml: str
    encrypted: bool
    key_slot: KeySlot | None = None
    timestamp: str
    nonce: str


def _params(params: Params) -> Mapping[str, str]:
    if isinstance(params, str):
        # Query strings arrive percent-encoded; '+', '/' and '=' of base64 must survive.
        return dict(parse_qsl(params.lstrip("?"), keep_blank_values=True))
    if not isinstance(params, Mapping):
        raise InvalidInputError.single(
            "params", "must be the query (a mapping or a query string)", type(params).__name__
        )
    for name, value in params.items():
        if not isinstance(name, str) or not isinstance(value, str):
            # A query holds text only: anything else did not come from the request.
            raise MalformedPayloadError(f"query parameter {str(name)[:40]!r} is not text")
    return params


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to: CallbackMessage, content: str, *, now: datetime | None = None) -> str:
    """Build the plaintext XML of a passive text reply to message ``to``.

    Example:
        >>> from datetime import datetime, timezone
        >>> from smmkit.webhooks import parse_message
        >>> msg = parse_message("<xml><ToUserName>gh_1</ToUserName><FromUserName>o1"
        ...     "</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        ...     "<Content>hi</Content></xml>")
        >>> print(text_reply(msg, "a]]>b", now=datetime(2024, 1, 1, tzinfo=timezone.utc)))
        <xml><ToUserName><![CDATA[o1]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName><CreateTime>1704067200</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>
    """
    if not isinstance(to, CallbackMessage):
        raise InvalidInputError.single("to", "must be a CallbackMessage", type(to).__name__)
    require_str(content, "content")
    if now is not None and not isinstance(now, datetime):
        raise InvalidInputError.single("now", "must be an aware datetime or None", now)
    return (
        f"<xml><ToUserName>{_cdata(to.from_user)}</ToUserName>"
        f"<FromUserName>{_cdata(to.to_user)}</FromUserName>"
        f"<CreateTime>{_epoch(now)}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(content)}</Content></xml>"
    )


def encrypted_envelope(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The XML envelope of an encrypted reply.

    Example:
        >>> encrypted_envelope("abc=", "f00", "1", "2")
        '<xml><Encrypt><![CDATA[abc=]]></Encrypt><MsgSignature><![CDATA[f00]]></MsgSignature><TimeStamp>1</TimeStamp><Nonce><![CDATA[2]]></Nonce></xml>'
    """
    for value, field in ((encrypt, "encrypt"), (msg_signature, "msg_signature"), (nonce, "nonce")):
        require_str(value, field)
    stamp_is_int = isinstance(timestamp, int) and not isinstance(timestamp, bool)
    if not stamp_is_int and not require_str(timestamp, "timestamp").isdigit():
        raise InvalidInputError.single("timestamp", "must be digits (epoch seconds)", timestamp)
    return (
        f"<xml><Encrypt>{_cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{_cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce></xml>"
    )


class _Callback:
    """What the OA and WeCom handlers share: secrets, replay guard, reply building."""

    __slots__ = ("_crypto", "_token", "allow_plaintext", "max_bytes", "receive_id", "replay_guard")

    def __init__(
        self,
        *,
        token: SecretStr | str,
        receive_id: str,
        encoding_aes_key: SecretStr | str | None,
        previous_encoding_aes_key: SecretStr | str | None,
        replay_guard: ReplayGuard | Literal[False] | None,
        allow_plaintext: bool,
        max_bytes: int,
    ) -> None:
        secret = SecretStr(require_secret(token, "token"))
        if not secret.get_secret_value():
            raise InvalidInputError.single("token", "must not be empty")
        require_str(receive_id, "receive_id")
        require_int(max_bytes, "max_bytes", 1)
        if not isinstance(allow_plaintext, bool):
            raise InvalidInputError.single(
                "allow_plaintext", "must be a bool or None", type(allow_plaintext).__name__
            )
        guard_ok = replay_guard is None or replay_guard is False
        if not guard_ok and not isinstance(replay_guard, ReplayGuard):
            raise InvalidInputError.single(
                "replay_guard", "must be a ReplayGuard, False or None", type(replay_guard).__name__
            )
        if not receive_id:
            raise InvalidInputError.single("receive_id", "must not be empty")
        self._token = secret
        self.receive_id = receive_id
        self._crypto: MessageCrypto | None = None
        if encoding_aes_key is not None:
            self._crypto = MessageCrypto(
                token=secret,
                encoding_aes_key=encoding_aes_key,
                receive_id=receive_id,
                previous_encoding_aes_key=previous_encoding_aes_key,
            )
        elif previous_encoding_aes_key is not None:
            raise InvalidInputError.single(
                "previous_encoding_aes_key", "needs encoding_aes_key as well"
            )
        self.replay_guard: ReplayGuard | None = (
            ReplayGuard() if replay_guard is None else (replay_guard or None)
        )
        self.allow_plaintext = allow_plaintext
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        window = self.replay_guard.window_seconds if self.replay_guard else None
        return (
            f"{type(self).__name__}(receive_id={self.receive_id!r}, "
            f"encrypted={self._crypto is not None}, replay_window={window})"
        )

    def __reduce__(self) -> NoReturn:
        refuse_pickle(self, "holds secrets (the token and the AES keys)")

    @property
    def crypto(self) -> MessageCrypto | None:
        """The message cipher, when an ``EncodingAESKey`` is configured."""
        return self._crypto

    def _need_crypto(self) -> MessageCrypto:
        if self._crypto is None:
            raise MalformedPayloadError(
                "callback is encrypted but no encoding_aes_key is configured for this app"
            )
        return self._crypto

    def _verify(
        self, q: Mapping[str, str], name: str = "signature", encrypt: str | None = None
    ) -> None:
        """Check the query's ``name`` over the token, timestamp and nonce (and ``encrypt``)."""
        verify_signature(
            q.get(name),
            token=self._token,
            timestamp=q.get("timestamp", ""),
            nonce=q.get("nonce", ""),
            encrypt=encrypt,
            name=name,
        )

    def _replay(self, q: Mapping[str, str], now: datetime | None) -> tuple[str, str]:
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if self.replay_guard is not None:
            self.replay_guard.check(timestamp, nonce, now=now, scope=self.receive_id)
        elif not timestamp or not nonce:
            raise MalformedPayloadError("timestamp or nonce is missing")
        return timestamp, nonce

    def _decrypt(
        self, q: Mapping[str, str], body: str | bytes, now: datetime | None
    ) -> tuple[str, KeySlot, str, str]:
        """An encrypted POST's plaintext XML, the key slot that opened it, its timestamp
        and nonce: ``msg_signature`` over the ciphertext and the replay window first."""
        crypto = self._need_crypto()
        outer = parse_xml(body, max_bytes=self.max_bytes)
        encrypt = (outer.findtext("Encrypt") or "").strip()
        if not encrypt:
            raise MalformedPayloadError("encrypted callback has no Encrypt element")
        self._verify(q, "msg_signature", encrypt)
        timestamp, nonce = self._replay(q, now)
        xml, slot = crypto.decrypt_with_slot(encrypt)
        return xml, slot, timestamp, nonce

    def _open_encrypted(
        self, q: Mapping[str, str], body: str | bytes, now: datetime | None
    ) -> VerifiedCallback:
        xml, slot, timestamp, nonce = self._decrypt(q, body, now)
        message = message_from_element(parse_xml(xml, max_bytes=self.max_bytes))
        return VerifiedCallback(
            message=message,
            xml=xml,
            encrypted=True,
            key_slot=slot,
            timestamp=timestamp,
            nonce=nonce,
        )

    @conceals_secrets
    def build_reply(
        self,
        reply_xml: str,
        *,
        to: VerifiedCallback | None = None,
        now: datetime | None = None,
        nonce: str | None = None,
        random: bytes | str | None = None,
    ) -> str:
        """Wrap a passive reply for sending back as the HTTP response body.

        Encrypted (with the key that opened ``to``) when the app has an
        ``EncodingAESKey`` and ``to`` came encrypted or is not given; returned unchanged
        for a plaintext callback. ``nonce`` and ``random`` are fresh unless given.

        Example:
            >>> from datetime import datetime, timezone
            >>> cb = WeComCallback(token="t", corp_id="ww1", encoding_aes_key="A" * 43)
            >>> cb.build_reply("<xml/>", now=datetime(2024, 1, 1, tzinfo=timezone.utc),
            ...                nonce="7")[:19]
            '<xml><Encrypt><![CD'
        """
        if self._crypto is None or (to is not None and not to.encrypted):
            return reply_xml
        if nonce is None:
            nonce = str(secrets.randbelow(10**10))
        elif not _NONCE_RE.fullmatch(nonce):
            raise InvalidInputError.single("nonce", "must be 1-64 letters, digits, '-' or '_'")
        slot = to.key_slot if to is not None and to.key_slot is not None else KeySlot.CURRENT
        timestamp = str(_epoch(now))
        encrypt = self._crypto.encrypt(reply_xml, random=random, key=slot)
        return encrypted_envelope(
            encrypt, self._crypto.sign(timestamp, nonce, encrypt), timestamp, nonce
        )


class WeChatCallback(_Callback):
    """Verify and read WeChat Official Account callbacks (plaintext, compatible, safe mode).

    ``token`` and ``encoding_aes_key`` are the values set in the account's "服务器配置";
    ``app_id`` is the account's AppID (the ``receive_id`` inside encrypted messages).
    Without ``encoding_aes_key`` only plaintext mode works. With it, plaintext callbacks
    are refused unless ``allow_plaintext=True`` (no silent downgrade). ``replay_guard``
    defaults to a 300-second window with an in-memory nonce store; pass ``False`` to
    turn replay checks off (e.g. behind a gateway that already does them).

    Example:
        >>> from datetime import datetime, timezone
        >>> cb = WeChatCallback(token="AAAAA", app_id="wx134c8103faa5a59e")
        >>> cb.verify_url({"signature": "899cf89e464efb63f54ddac96b0a0a235f53aa78",
        ...                "timestamp": "1714037059", "nonce": "486452656", "echostr": "42"},
        ...               now=datetime.fromtimestamp(1714037060, timezone.utc))
        '42'
        >>> cb  # no secret in the repr
        WeChatCallback(receive_id='wx134c8103faa5a59e', encrypted=False, replay_window=300)
    """

    __slots__ = ()

    @conceals_secrets
    def __init__(
        self,
        *,
        token: SecretStr | str,
        app_id: str,
        encoding_aes_key: SecretStr | str | None = None,
        previous_encoding_aes_key: SecretStr | str | None = None,
        replay_guard: ReplayGuard | Literal[False] | None = None,
        allow_plaintext: bool | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(
            token=token,
            receive_id=app_id,
            encoding_aes_key=encoding_aes_key,
            previous_encoding_aes_key=previous_encoding_aes_key,
            replay_guard=replay_guard,
            allow_plaintext=encoding_aes_key is None
            if allow_plaintext is None
            else allow_plaintext,
            max_bytes=max_bytes,
        )

    @property
    def app_id(self) -> str:
        """The account's AppID.

        Example:
            >>> WeChatCallback(token="t", app_id="wx1").app_id
            'wx1'
        """
        return self.receive_id

    @conceals_secrets
    def verify_url(self, params: Params, *, now: datetime | None = None) -> str:
        """Check the URL-verification GET and return the ``echostr`` to send back.

        ``params`` is the decoded query (a mapping) or the raw query string.

        Example:
            >>> from smmkit.webhooks import compute_signature
            >>> cb = WeChatCallback(token="tok", app_id="wx1", replay_guard=False)
            >>> cb.verify_url(f"signature={compute_signature('tok', '1', '2')}"
            ...               "&timestamp=1&nonce=2&echostr=abc")
            'abc'
        """
        q = _params(params)
        self._verify(q)
        self._replay(q, now)
        echostr = q.get("echostr")
        if echostr is None:
            raise MalformedPayloadError("echostr is missing")
        return echostr

    @conceals_secrets
    def parse(
        self, params: Params, body: str | bytes, *, now: datetime | None = None
    ) -> VerifiedCallback:
        """Verify a callback POST and return its typed message.

        Encrypted when the query has ``encrypt_type=aes`` (``msg_signature`` covers the
        ciphertext; a ``signature`` sent alongside is checked as well).

        Example:
            >>> from smmkit.webhooks import MessageCrypto
            >>> key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
            >>> cb = WeChatCallback(token="tok", app_id="wx1", encoding_aes_key=key,
            ...                     replay_guard=False)
            >>> wechat = MessageCrypto(token="tok", encoding_aes_key=key, receive_id="wx1")
            >>> enc = wechat.encrypt("<xml><ToUserName>gh</ToUserName><FromUserName>o"
            ...     "</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
            ...     "<Event>subscribe</Event></xml>")
            >>> got = cb.parse({"encrypt_type": "aes", "timestamp": "1", "nonce": "2",
            ...                 "msg_signature": wechat.sign("1", "2", enc)},
            ...                f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
            >>> got.message.event, got.key_slot
            ('subscribe', <KeySlot.CURRENT: 'current'>)
        """
        q = _params(params)
        encrypt_type = q.get("encrypt_type", "raw").lower()
        if encrypt_type == "aes":
            if "signature" in q:
                self._verify(q)
            return self._open_encrypted(q, body, now)
        if encrypt_type != "raw":
            raise MalformedPayloadError(f"unknown encrypt_type {encrypt_type[:20]!r}")
        if not self.allow_plaintext:
            raise SignatureError("unencrypted callback refused: this app expects encrypt_type=aes")
        self._verify(q)
        timestamp, nonce = self._replay(q, now)
        root = parse_xml(body, max_bytes=self.max_bytes)
        xml = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return VerifiedCallback(
            message=message_from_element(root),
            xml=xml,
            encrypted=False,
            timestamp=timestamp,
            nonce=nonce,
        )


class WeComCallback(_Callback):
    """Verify, decrypt and read WeCom (企业微信) app callbacks; always encrypted.

    ``corp_id`` is the ``receive_id``: the corp id for a self-built app, the suite id for
    a third-party app.

    Example:
        >>> from datetime import datetime, timezone
        >>> cb = WeComCallback(token="QDG6eK", corp_id="wx5823bf96d3bd56c7",
        ...                    encoding_aes_key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C")
        >>> cb.verify_url("msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
        ...     "&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho"
        ...     "%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D",
        ...     now=datetime.fromtimestamp(1409659590, timezone.utc))
        '1616140317555161061'
    """

    __slots__ = ()

    @conceals_secrets
    def __init__(
        self,
        *,
        token: SecretStr | str,
        corp_id: str,
        encoding_aes_key: SecretStr | str,
        previous_encoding_aes_key: SecretStr | str | None = None,
        replay_guard: ReplayGuard | Literal[False] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        super().__init__(
            token=token,
            receive_id=corp_id,
            encoding_aes_key=encoding_aes_key,
            previous_encoding_aes_key=previous_encoding_aes_key,
            replay_guard=replay_guard,
            allow_plaintext=False,
            max_bytes=max_bytes,
        )

    @property
    def corp_id(self) -> str:
        """The corp id (or suite id) messages must be addressed to.

        Example:
            >>> WeComCallback(token="t", corp_id="ww1", encoding_aes_key="A" * 43).corp_id
            'ww1'
        """
        return self.receive_id

    @conceals_secrets
    def verify_url(self, params: Params, *, now: datetime | None = None) -> str:
        """Check the URL-verification GET and return the decrypted ``echostr`` to send back.

        Example:
            >>> from smmkit.webhooks import MessageCrypto
            >>> cb = WeComCallback(token="t", corp_id="ww1", encoding_aes_key="A" * 43,
            ...                    replay_guard=False)
            >>> wecom = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="ww1")
            >>> echostr = wecom.encrypt("8823")
            >>> cb.verify_url({"msg_signature": wecom.sign("1", "2", echostr), "timestamp": "1",
            ...                "nonce": "2", "echostr": echostr})
            '8823'
        """
        q = _params(params)
        echostr = q.get("echostr")
        if not echostr:
            raise MalformedPayloadError("echostr is missing")
        self._verify(q, "msg_signature", echostr)
        self._replay(q, now)
        return self._need_crypto().decrypt(echostr)

    @conceals_secrets
    def parse(
        self, params: Params, body: str | bytes, *, now: datetime | None = None
    ) -> VerifiedCallback:
        """Verify and decrypt a callback POST and return its typed message.

        Example:
            >>> from smmkit.webhooks import MessageCrypto
            >>> cb = WeComCallback(token="t", corp_id="ww1", encoding_aes_key="A" * 43,
            ...                    replay_guard=False)
            >>> wecom = MessageCrypto(token="t", encoding_aes_key="A" * 43, receive_id="ww1")
            >>> enc = wecom.encrypt("<xml><ToUserName>ww1</ToUserName><FromUserName>u"
            ...     "</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType>"
            ...     "<Event>enter_agent</Event><AgentID>1000002</AgentID></xml>")
            >>> got = cb.parse({"timestamp": "1", "nonce": "2",
            ...                 "msg_signature": wecom.sign("1", "2", enc)},
            ...                f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
            >>> got.message.event, got.message.agent_id
            ('enter_agent', '1000002')
        """
        return self._open_encrypted(_params(params), body, now)
