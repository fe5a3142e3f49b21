"""WeChat third-party platform (开放平台 component) callbacks: the authorization events.

WeChat posts to a component's "授权事件接收 URL" every 10 minutes with a fresh
``component_verify_ticket``, and whenever an account authorizes the component, updates
or cancels its authorization. These pushes carry no ``MsgType``: their decrypted XML is
``<xml><AppId/><CreateTime/><InfoType/>...</xml>``, always encrypted (WXBizMsgCrypt with
the component's token and EncodingAESKey, ``receive_id`` = the component's AppID).
Facts from the official pages (read 2026-12-07):
https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/component_verify_ticket.html
and .../Before_Develop/authorize_event.html. Answer every push with the text ``success``.

Secrets (the ticket, authorization and pre-auth codes) are :class:`pydantic.SecretStr`
and are left out of ``fields``; :class:`VerifiedComponentEvent` keeps no raw XML.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal
from xml.etree.ElementTree import Element

from pydantic import SecretStr, SerializeAsAny

from smmkit._secrets import conceals_secrets
from smmkit.exceptions import InvalidInputError, MalformedPayloadError, SignatureError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.webhooks._callback import Params, _Callback, _params
from smmkit.webhooks._crypto import KeySlot
from smmkit.webhooks._replay import ReplayGuard
from smmkit.webhooks._xml import DEFAULT_MAX_BYTES, parse_xml

__all__ = [
    "ComponentAuthorizationEvent",
    "ComponentEvent",
    "ComponentVerifyTicket",
    "VerifiedComponentEvent",
    "WeChatComponentCallback",
    "component_event_from_element",
    "parse_component_event",
]

_SECRET_TAGS = frozenset({"ComponentVerifyTicket", "AuthorizationCode", "PreAuthCode"})
_AUTHORIZATION_TYPES = frozenset({"authorized", "updateauthorized", "unauthorized"})
_YEAR_10000 = 253_402_300_800


class ComponentEvent(SmmkitModel):
    """An authorization-event push; also the type of ``InfoType`` values smmkit does not know.

    ``app_id`` is the component's AppID, ``fields`` every top-level text element except
    the secret ones, in order.

    Example:
        >>> event = parse_component_event("<xml><AppId>wx_c</AppId><CreateTime>1413192605"
        ...     "</CreateTime><InfoType>notify_third_fasteregister</InfoType></xml>")
        >>> type(event).__name__, event.info_type, event.create_time.year
        ('ComponentEvent', 'notify_third_fasteregister', 2014)
    """

    app_id: str
    create_time: AwareDatetime
    info_type: str
    fields: tuple[tuple[str, str], ...] = ()


class ComponentVerifyTicket(ComponentEvent):
    """``InfoType=component_verify_ticket``: the ticket (valid 12 hours) for the token call.

    Example:
        >>> event = parse_component_event("<xml><AppId>wx_c</AppId><CreateTime>1413192605"
        ...     "</CreateTime><InfoType>component_verify_ticket</InfoType>"
        ...     "<ComponentVerifyTicket>ticket@@@xyz</ComponentVerifyTicket></xml>")
        >>> event.ticket, event.ticket.get_secret_value()
        (SecretStr('**********'), 'ticket@@@xyz')
    """

    ticket: SecretStr


class ComponentAuthorizationEvent(ComponentEvent):
    """``authorized``, ``updateauthorized`` or ``unauthorized`` for one account.

    ``authorization_code`` (with its expiry) and ``pre_auth_code`` come with
    ``authorized`` and ``updateauthorized``; ``unauthorized`` names only the account.

    Example:
        >>> event = parse_component_event("<xml><AppId>wx_c</AppId><CreateTime>1413192760"
        ...     "</CreateTime><InfoType>unauthorized</InfoType>"
        ...     "<AuthorizerAppid>wx_oa</AuthorizerAppid></xml>")
        >>> event.authorizer_appid, event.authorization_code
        ('wx_oa', None)
    """

    authorizer_appid: str
    authorization_code: SecretStr | None = None
    authorization_code_expires_at: AwareDatetime | None = None
    pre_auth_code: SecretStr | None = None


class VerifiedComponentEvent(SmmkitModel):
    """A component push that passed every check: the event and the key that opened it.

    Example:
        >>> VerifiedComponentEvent.model_fields["event"].annotation.__name__
        'ComponentEvent'
    """

    event: SerializeAsAny[ComponentEvent]
    key_slot: KeySlot | None = None
    timestamp: str
    nonce: str


def _text(root: Element, tag: str) -> str | None:
    element = root.find(tag)
    if element is None:
        return None
    return (element.text or "").strip()


def _required(root: Element, tag: str) -> str:
    value = _text(root, tag)
    if not value:
        raise MalformedPayloadError(f"component callback XML has no {tag}")
    return value


def _epoch(value: str, tag: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        raise MalformedPayloadError(
            f"component callback XML field {tag} is not an integer"
        ) from None
    if not 0 <= seconds < _YEAR_10000:
        raise MalformedPayloadError(f"component callback XML field {tag} is out of range")
    return seconds


def component_event_from_element(root: Element) -> ComponentEvent:
    """The typed event of a parsed (decrypted) authorization-event ``<xml>`` element.

    ``AuthorizationCodeExpiredTime`` is read as an epoch time when it is one, else as
    seconds after ``CreateTime`` (the page calls it "过期时间 单位秒").

    Example:
        >>> from smmkit.webhooks import parse_xml
        >>> event = component_event_from_element(parse_xml("<xml><AppId>wx_c</AppId>"
        ...     "<CreateTime>1413192760</CreateTime><InfoType>authorized</InfoType>"
        ...     "<AuthorizerAppid>wx_oa</AuthorizerAppid><AuthorizationCode>code@@@1"
        ...     "</AuthorizationCode><AuthorizationCodeExpiredTime>1413196360"
        ...     "</AuthorizationCodeExpiredTime><PreAuthCode>pre@@@1</PreAuthCode></xml>"))
        >>> event.authorizer_appid, event.authorization_code_expires_at.isoformat()
        ('wx_oa', '2014-10-13T10:32:40+00:00')
    """
    if not isinstance(root, Element):
        raise InvalidInputError.single(
            "root", "must be an xml.etree.ElementTree.Element", type(root).__name__
        )
    if root.tag != "xml":
        raise MalformedPayloadError(f"callback XML root must be <xml>, not <{root.tag[:40]}>")
    info_type = _required(root, "InfoType")
    created = datetime.fromtimestamp(
        _epoch(_required(root, "CreateTime"), "CreateTime"), timezone.utc
    )
    base: dict[str, object] = {
        "app_id": _required(root, "AppId"),
        "create_time": created,
        "info_type": info_type,
        "fields": tuple(
            (child.tag, child.text or "")
            for child in root
            if len(child) == 0 and child.tag not in _SECRET_TAGS
        ),
    }
    if info_type == "component_verify_ticket":
        return ComponentVerifyTicket(**base, ticket=_required(root, "ComponentVerifyTicket"))
    if info_type in _AUTHORIZATION_TYPES:
        expires = _text(root, "AuthorizationCodeExpiredTime")
        expires_at = None
        if expires:
            seconds = _epoch(expires, "AuthorizationCodeExpiredTime")
            expires_at = (
                datetime.fromtimestamp(seconds, timezone.utc)
                if seconds > 1_000_000_000
                else created + timedelta(seconds=seconds)
            )
        return ComponentAuthorizationEvent(
            **base,
            authorizer_appid=_required(root, "AuthorizerAppid"),
            authorization_code=_text(root, "AuthorizationCode") or None,
            authorization_code_expires_at=expires_at,
            pre_auth_code=_text(root, "PreAuthCode") or None,
        )
    return ComponentEvent(**base)


def parse_component_event(xml: str | bytes) -> ComponentEvent:
    """Parse decrypted authorization-event XML (safely) into a typed event.

    Example:
        >>> parse_component_event("<xml><AppId>wx_c</AppId><CreateTime>1</CreateTime>"
        ...     "<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>t"
        ...     "</ComponentVerifyTicket></xml>").fields
        (('AppId', 'wx_c'), ('CreateTime', '1'), ('InfoType', 'component_verify_ticket'))
    """
    return component_event_from_element(parse_xml(xml))


class WeChatComponentCallback(_Callback):
    """Verify, decrypt and read a third-party platform's authorization-event pushes.

    ``token`` and ``encoding_aes_key`` are the component's 消息校验Token and
    消息加解密Key; ``component_appid`` its AppID (the ``receive_id`` inside the
    ciphertext). Pushes are always encrypted: a plaintext one is refused. The checks run
    in the order of :class:`~smmkit.webhooks.WeChatCallback`: ``msg_signature`` over the
    ciphertext, the replay window, decryption, safe XML parsing.

    Example:
        >>> from smmkit.webhooks import MessageCrypto
        >>> key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
        >>> cb = WeChatComponentCallback(token="tok", component_appid="wx_c",
        ...                              encoding_aes_key=key, replay_guard=False)
        >>> wechat = MessageCrypto(token="tok", encoding_aes_key=key, receive_id="wx_c")
        >>> enc = wechat.encrypt("<xml><AppId>wx_c</AppId><CreateTime>1</CreateTime><InfoType>"
        ...     "component_verify_ticket</InfoType><ComponentVerifyTicket>t@@@1"
        ...     "</ComponentVerifyTicket></xml>")
        >>> got = cb.parse({"encrypt_type": "aes", "timestamp": "1", "nonce": "2",
        ...                 "msg_signature": wechat.sign("1", "2", enc)},
        ...                f"<xml><AppId>wx_c</AppId><Encrypt><![CDATA[{enc}]]></Encrypt></xml>")
        >>> got.event.info_type, got.event.ticket.get_secret_value()
        ('component_verify_ticket', 't@@@1')
        >>> cb
        WeChatComponentCallback(receive_id='wx_c', encrypted=True, replay_window=None)
    """

    __slots__ = ()

    @conceals_secrets
    def __init__(
        self,
        *,
        token: SecretStr | str,
        component_appid: str,
        encoding_aes_key: SecretStr | str,
        previous_encoding_aes_key: SecretStr | str | None = None,
        replay_guard: ReplayGuard | Literal[False] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if encoding_aes_key is None:
            raise InvalidInputError.single(
                "encoding_aes_key", "is required: component pushes are always encrypted"
            )
        super().__init__(
            token=token,
            receive_id=component_appid,
            encoding_aes_key=encoding_aes_key,
            previous_encoding_aes_key=previous_encoding_aes_key,
            replay_guard=replay_guard,
            allow_plaintext=False,
            max_bytes=max_bytes,
        )

    @property
    def component_appid(self) -> str:
        """The component's AppID.

        Example:
            >>> WeChatComponentCallback(token="t", component_appid="wx_c",
            ...     encoding_aes_key="A" * 43).component_appid
            'wx_c'
        """
        return self.receive_id

    @conceals_secrets
    def parse(
        self, params: Params, body: str | bytes, *, now: datetime | None = None
    ) -> VerifiedComponentEvent:
        """Verify a push (``msg_signature``, replay window), decrypt it, return its event.

        ``params`` is the decoded query (a mapping) or the raw query string; a
        ``signature`` sent alongside is checked as well.
        """
        q = _params(params)
        if q.get("encrypt_type", "aes").lower() != "aes":
            raise SignatureError("unencrypted callback refused: component pushes are encrypted")
        if "signature" in q:
            self._verify(q)
        xml, slot, timestamp, nonce = self._decrypt(q, body, now)
        event = component_event_from_element(parse_xml(xml, max_bytes=self.max_bytes))
        del xml  # holds the ticket in clear
        if event.app_id != self.receive_id:
            raise MalformedPayloadError("the push names another component's AppId")
        return VerifiedComponentEvent(event=event, key_slot=slot, timestamp=timestamp, nonce=nonce)
