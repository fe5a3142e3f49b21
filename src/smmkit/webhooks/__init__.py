"""Receive WeChat Official Account and WeCom callbacks safely.

``WeChatCallback`` and ``WeComCallback`` do the whole job for a web handler: check the
signature in constant time, refuse replays (timestamp window + nonce memory), decrypt
WXBizMsgCrypt payloads (current or previous ``EncodingAESKey``, ``receive_id`` checked),
parse the XML with DTDs and entities refused, and return a typed message; they also
encrypt passive replies. ``WeChatComponentCallback`` reads a third-party platform's
authorization events (``component_verify_ticket``, authorized, updateauthorized,
unauthorized). The building blocks are public for other set-ups (custom stores). AES
needs ``cryptography``: ``pip install 'smmkit[wechat]'``.

Example:
    >>> from datetime import datetime, timezone
    >>> from smmkit.webhooks import WeChatCallback
    >>> cb = WeChatCallback(token="AAAAA", app_id="wx134c8103faa5a59e")
    >>> cb.verify_url("signature=899cf89e464efb63f54ddac96b0a0a235f53aa78&timestamp=1714037059"
    ...               "&nonce=486452656&echostr=hello",
    ...               now=datetime.fromtimestamp(1714037059, timezone.utc))
    'hello'
"""

import typing as _typing

from smmkit import _public
from smmkit.webhooks._callback import (
    VerifiedCallback,
    WeChatCallback,
    WeComCallback,
    encrypted_envelope,
    text_reply,
)
from smmkit.webhooks._component import (
    ComponentAuthorizationEvent,
    ComponentEvent,
    ComponentVerifyTicket,
    VerifiedComponentEvent,
    WeChatComponentCallback,
    component_event_from_element,
    parse_component_event,
)
from smmkit.webhooks._crypto import (
    BLOCK_SIZE,
    KeySlot,
    MessageCrypto,
    compute_signature,
    decode_encoding_aes_key,
    pkcs7_pad,
    pkcs7_unpad,
    verify_signature,
)
from smmkit.webhooks._inbox import inbox_event_from_message
from smmkit.webhooks._models import (
    CallbackMessage,
    EventMessage,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    MassSendJobFinishEvent,
    PublishedArticle,
    PublishJobFinishEvent,
    TextMessage,
    VideoMessage,
    VoiceMessage,
    WeChatPublishStatus,
    interaction_from_message,
    message_from_element,
    parse_message,
)
from smmkit.webhooks._replay import InMemoryNonceStore, NonceStore, ReplayGuard
from smmkit.webhooks._xml import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, parse_xml

__all__ = [
    "BLOCK_SIZE",
    "CallbackMessage",
    "ComponentAuthorizationEvent",
    "ComponentEvent",
    "ComponentVerifyTicket",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DEPTH",
    "EventMessage",
    "ImageMessage",
    "InMemoryNonceStore",
    "KeySlot",
    "LinkMessage",
    "LocationMessage",
    "MassSendJobFinishEvent",
    "MessageCrypto",
    "NonceStore",
    "PublishJobFinishEvent",
    "PublishedArticle",
    "ReplayGuard",
    "TextMessage",
    "VerifiedCallback",
    "VerifiedComponentEvent",
    "VideoMessage",
    "VoiceMessage",
    "WeChatCallback",
    "WeChatComponentCallback",
    "WeChatPublishStatus",
    "WeComCallback",
    "component_event_from_element",
    "compute_signature",
    "decode_encoding_aes_key",
    "encrypted_envelope",
    "inbox_event_from_message",
    "interaction_from_message",
    "message_from_element",
    "parse_component_event",
    "parse_message",
    "parse_xml",
    "pkcs7_pad",
    "pkcs7_unpad",
    "text_reply",
    "verify_signature",
]

_public.set_public_module(globals(), __all__, __name__)

if _typing.TYPE_CHECKING:  # the old name keeps type-checking until it goes
    PublishStatus = WeChatPublishStatus
else:  # reading it warns
    __getattr__ = _public.deprecated_aliases(
        __name__, globals(), {"PublishStatus": "WeChatPublishStatus"}, removal="0.2"
    )
