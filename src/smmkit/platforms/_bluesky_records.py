"""Bluesky records and ids: TIDs, ``at://`` URIs, session tokens, the post models the
adapter returns and the facet helpers it re-exports (no requests here)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    InvalidInputError,
)
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.platforms._auth import Token
from smmkit.text import bluesky_facets, bluesky_mentions

__all__ = [
    "POST",
    "BlueskyPost",
    "PostPage",
    "build_facets",
    "find_mentions",
    "make_tid",
    "parse_at_uri",
]

POST = "app.bsky.feed.post"


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def make_tid(micros: int, clock_id: int = 0) -> str:
    """A TID record key: 53 bits of microseconds and 10 bits of clock id, base32-sortable.

    Example:
        >>> make_tid(1_700_000_000_000_000, 7)
        '3ke6kg3wk222b'
    """
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def parse_at_uri(uri: str) -> tuple[str, str, str]:
    """``(repo, collection, rkey)`` of an ``at://`` record URI.

    Example:
        >>> parse_at_uri("at://did:plc:abc/app.bsky.feed.post/3kabc")
        ('did:plc:abc', 'app.bsky.feed.post', '3kabc')
    """
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or not all(parts):
        raise InvalidInputError.single("post_id", "must be an at://repo/collection/rkey URI", uri)
    return parts[0], parts[1], parts[2]


def _jwt_claims(token: str) -> dict[str, Any]:
    # Reading our own session's claims (expiry, DID); the server verifies signatures.
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return data if isinstance(data, dict) else {}


class _Session(SmmkitModel):
    model_config = ConfigDict(extra="ignore")

    accessJwt: str  # the wire's names
    refreshJwt: str
    did: str
    handle: str = ""


class _Record(SmmkitModel):
    model_config = ConfigDict(extra="ignore")

    uri: str
    cid: str
    value: dict[str, Any] = Field(default_factory=dict)


class BlueskyPost(SmmkitModel):
    """A post record of the account, as :meth:`BlueskyAdapter.list_posts` returns it.

    Example:
        >>> from datetime import datetime, timezone
        >>> BlueskyPost(uri="at://did:plc:a/app.bsky.feed.post/3k", cid="bafy", text="hi",
        ...     created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)).rkey
        '3k'
    """

    uri: str
    cid: str
    text: str
    created_at: AwareDatetime
    reply_root: str | None = None
    reply_parent: str | None = None
    image_count: int = 0

    @property
    def rkey(self) -> str:
        """The record key (last segment of the URI)."""
        return self.uri.rsplit("/", 1)[-1]


class PostPage(SmmkitModel):
    """One page of :meth:`BlueskyAdapter.list_posts`; pass ``cursor`` on for the next.

    Example:
        >>> PostPage(posts=(), cursor=None).posts
        ()
    """

    posts: tuple[BlueskyPost, ...]
    cursor: str | None = None


def _created_at(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=timezone.utc)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _post_from(record: _Record) -> BlueskyPost:
    value = record.value
    reply = value.get("reply") or {}
    embed = value.get("embed") or {}
    return BlueskyPost(
        uri=record.uri,
        cid=record.cid,
        text=str(value.get("text", "")),
        created_at=_created_at(value.get("createdAt")),
        reply_root=(reply.get("root") or {}).get("uri"),
        reply_parent=(reply.get("parent") or {}).get("uri"),
        image_count=len(embed.get("images") or ()),
    )


def _session_token(response: httpx.Response) -> Token:
    session = _Session.model_validate(response.json())
    expires = _jwt_claims(session.accessJwt).get("exp")
    return Token(
        access_token=session.accessJwt,
        refresh_token=session.refreshJwt,
        expires_at=(
            datetime.fromtimestamp(expires, timezone.utc)
            if isinstance(expires, (int, float))
            else None
        ),
    )


def find_mentions(text: str) -> tuple[str, ...]:
    """The handles mentioned in ``text`` (``@alice.bsky.social``), lower case, unique, in order.

    The same as :func:`smmkit.text.bluesky_mentions`: the handles that
    :func:`build_facets` makes mention facets of once they are resolved to DIDs.

    Example:
        >>> find_mentions("cc @alice.test and @Bob.example.com, not me@mail.example")
        ('alice.test', 'bob.example.com')
    """
    return bluesky_mentions(text)


def build_facets(text: str, dids: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Rich-text facets for links, mentions and hashtags, with UTF-8 byte offsets.

    The same builder as :func:`smmkit.text.bluesky_facets` (its docstring has the
    rules), as a list. ``dids`` maps handles (any case) to DIDs; a mention whose handle
    is not in it gets no facet (it stays plain text rather than pointing at the wrong
    account).

    Example:
        >>> facets = build_facets("你好 @Alice.test", {"alice.test": "did:plc:abc"})
        >>> facets[0]["index"], facets[0]["features"][0]["did"]
        ({'byteStart': 7, 'byteEnd': 18}, 'did:plc:abc')
    """
    return list(bluesky_facets(text, dids=dids))
