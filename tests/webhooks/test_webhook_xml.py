"""The callback XML reader refuses DTDs, entities, oversize and over-deep input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import MalformedPayloadError
from smmkit.webhooks import parse_xml

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]><xml><Content>&lol9;</Content></xml>"
)

HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "quadratic blowup": '<!DOCTYPE x [<!ENTITY a "'
    + "A" * 1000
    + '">]><xml>'
    + "&a;" * 1000
    + "</xml>",
    "xxe file": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    "xxe url": '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://192.0.2.1/x">]><xml>&xxe;</xml>',
    "external dtd": '<!DOCTYPE xml SYSTEM "http://192.0.2.1/evil.dtd"><xml/>',
    "parameter entity": '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://192.0.2.1/p.dtd"> %p;]><xml/>',
    "bare doctype": "<!DOCTYPE xml><xml><a>1</a></xml>",
    "unparsed entity": (
        '<!DOCTYPE x [<!NOTATION n SYSTEM "n"><!ENTITY u SYSTEM "u" NDATA n>]><xml/>'
    ),
    "undefined entity": "<xml><Content>&nope;</Content></xml>",
    "not well-formed": "<xml><a></xml>",
    "two roots": "<xml/><xml/>",
    "empty": "",
    "text only": "hello",
}


@pytest.mark.parametrize("payload", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_xml_is_refused(payload: str) -> None:
    with pytest.raises(MalformedPayloadError):
        parse_xml(payload)
    with pytest.raises(MalformedPayloadError):
        parse_xml(payload.encode("utf-8"))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (BILLION_LAUGHS, "DOCTYPE"),
        (HOSTILE["xxe file"], "DOCTYPE"),
        (HOSTILE["undefined entity"], "undefined entity"),
    ],
)
def test_refusal_says_why(payload: str, message: str) -> None:
    with pytest.raises(MalformedPayloadError, match=message):
        parse_xml(payload)


def test_error_does_not_echo_the_payload() -> None:
    with pytest.raises(MalformedPayloadError) as info:
        parse_xml("<xml><Secret>TOPSECRET-VALUE</Secret><open></xml>")
    assert "TOPSECRET" not in str(info.value)


def test_size_limit() -> None:
    body = "<xml><a>" + "x" * 100 + "</a></xml>"
    assert parse_xml(body, max_bytes=len(body)).findtext("a") == "x" * 100
    with pytest.raises(MalformedPayloadError, match="limit"):
        parse_xml(body, max_bytes=len(body) - 1)


def test_depth_limit() -> None:
    nested = "<a>" * 5 + "</a>" * 5
    assert parse_xml(nested, max_depth=5).tag == "a"
    with pytest.raises(MalformedPayloadError, match="deeper"):
        parse_xml(nested, max_depth=4)


def test_predefined_entities_and_char_refs_still_work() -> None:
    root = parse_xml("<xml><a>&lt;b&gt; &amp; &quot;&apos; &#20013;&#x6587;</a></xml>")
    assert root.findtext("a") == "<b> & \"' 中文"


def test_cdata_kept_verbatim_with_newlines() -> None:
    root = parse_xml("<xml><a><![CDATA[ line1\n&amp; <b> ]]></a></xml>")
    assert root.findtext("a") == " line1\n&amp; <b> "


def test_declared_single_byte_encoding_is_honoured_for_bytes() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><xml><a>café</a></xml>'
    assert parse_xml(body.encode("latin-1")).findtext("a") == "café"


def test_multibyte_legacy_encoding_is_a_typed_error() -> None:
    # Callbacks are UTF-8; expat cannot read GBK, and that must not escape as ValueError.
    body = '<?xml version="1.0" encoding="GBK"?><xml><a>中文</a></xml>'
    with pytest.raises(MalformedPayloadError, match="cannot be read"):
        parse_xml(body.encode("gbk"))


def test_str_input_ignores_a_declared_encoding() -> None:
    # The text is already decoded; re-reading it as GBK would garble it.
    assert (
        parse_xml('<?xml version="1.0" encoding="GBK"?><xml><a>中文</a></xml>').findtext("a")
        == "中文"
    )


def test_processing_instructions_and_comments_are_harmless() -> None:
    root = parse_xml('<?xml-stylesheet href="x"?><xml><!-- c --><a>1</a></xml>')
    assert root.findtext("a") == "1"


def test_non_text_input_is_refused() -> None:
    with pytest.raises(MalformedPayloadError, match="str or bytes"):
        parse_xml(123)  # type: ignore[arg-type]


@given(st.text(max_size=200))
def test_text_content_round_trips(text: str) -> None:
    from xml.sax.saxutils import escape

    # XML 1.0 cannot carry most control characters or surrogates; skip those inputs.
    allowed = all(
        c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
        for c in text
    )
    body = f"<xml><a>{escape(text)}</a></xml>"
    if allowed:
        assert parse_xml(body).findtext("a") == text.replace("\r\n", "\n").replace("\r", "\n")
    else:
        with pytest.raises(MalformedPayloadError):
            parse_xml(body)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_malformed(data: bytes) -> None:
    with contextlib.suppress(MalformedPayloadError):
        parse_xml(data)
