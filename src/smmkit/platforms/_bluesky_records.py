"""Bluesky records and ids: TIDs, ``at://`` URIs, session tokens, the post models the
adapter returns and the facet helpers it re-exports (no requests here)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from smmkit.exceptions import (
    InvalidInputError,
)
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.content import PlatformPost
from smmkit.models.extras import BlueskyExtras
from smmkit.platforms._auth import Token
from smmkit.platforms._checks import require
from smmkit.text import bluesky_facets, bluesky_mentions

__all__ = [
    "POST",
    "BlueskyPost",
    "PostPage",
    "build_facets",
    "find_mentions",
    "keyed_tids",
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
    require(micros, "micros", int, "an int")
    require(clock_id, "clock_id", int, "an int")
    if not 0 <= micros < 1 << 53:
        raise InvalidInputError.single("micros", "must be 0 .. 2**53-1 microseconds", micros)
    if not 0 <= clock_id < 1 << 10:
        raise InvalidInputError.single("clock_id", "must be 0 .. 1023", clock_id)
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


_KEYED_FROM = 946_684_800_000_000  # 2000-01-01T00:00:00Z in microseconds
_KEYED_SPAN = 631_152_000_000_000  # twenty years: keyed TIDs fall in 2000-2019
# The PDS refuses a record key that contains a slur (its handle list). Of that list only
# this pattern can occur inside a TID: the others match whole words only, which a
# 13-character TID cannot be (they are shorter, or start with a letter a TID cannot).
_REFUSED_IN_RKEY = re.compile(r"n[ilo14a][gq]{2}(?:l[e3]t|[e3]r)")


def keyed_tids(key: str) -> Iterator[str]:
    """The record keys a post published with idempotency key ``key`` may take, in order.

    Valid TIDs derived from the key alone, so that every process and every re-run of a
    batch picks the same record key for the same post: the conditional create then
    finds its earlier self. Their timestamps are spread over 2000-2019, before any TID
    a clock mints for a Bluesky post, so they never meet the keys of posts made
    elsewhere; among themselves they do not sort by creation time. The first key is the
    one used; the next ones only when a different record already holds it (a hash
    collision), and keys the PDS would refuse are skipped.

    Example:
        >>> first = next(keyed_tids("k1"))
        >>> first == next(keyed_tids("k1")) != next(keyed_tids("k2")), len(first)
        (True, 13)
        >>> first < make_tid(1_577_836_800_000_000)  # sorts before 2020's clock TIDs
        True
    """
    for attempt in itertools.count():
        digest = hashlib.sha256(f"{attempt}:{key}".encode()).digest()
        number = int.from_bytes(digest[:8], "big")
        tid = make_tid(_KEYED_FROM + (number >> 10) % _KEYED_SPAN, number & 0x3FF)
        if not _REFUSED_IN_RKEY.search(tid):
            yield tid


def parse_at_uri(uri: str) -> tuple[str, str, str]:
    """``(repo, collection, rkey)`` of an ``at://`` record URI.

    Example:
        >>> parse_at_uri("at://did:plc:abc/app.bsky.feed.post/3kabc")
        ('did:plc:abc', 'app.bsky.feed.post', '3kabc')
    """
    require(uri, "uri", str, "a str")
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


_MAX_IMAGES = 4


def _images_embed(post: PlatformPost) -> dict[str, Any] | None:
    """The ``app.bsky.embed.images`` of a post whose images are uploaded (blob refs)."""
    blobs = [json.loads(m) for m in post.extras.media_ids]
    if not blobs:
        return None
    if len(blobs) > _MAX_IMAGES:
        raise InvalidInputError.single(
            "media", f"Bluesky takes at most {_MAX_IMAGES} images", len(blobs)
        )
    images = []
    for index, blob in enumerate(blobs):
        asset = post.media[index] if index < len(post.media) else None
        image: dict[str, Any] = {
            "image": blob,
            "alt": (asset.alt_text if asset else None) or "",
        }
        if asset is not None and asset.width and asset.height:
            image["aspectRatio"] = {"width": asset.width, "height": asset.height}
        images.append(image)
    return {"$type": "app.bsky.embed.images", "images": images}


def _post_record(
    text: str,
    *,
    facets: list[dict[str, Any]],
    post: PlatformPost,
    embed: dict[str, Any] | None,
    reply: dict[str, Any] | None,
    created: datetime,
) -> dict[str, Any]:
    """The ``app.bsky.feed.post`` record of one post (or one part of a thread)."""
    created = created.astimezone(timezone.utc)
    record: dict[str, Any] = {
        "$type": POST,
        "text": text,
        "createdAt": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    if facets:
        record["facets"] = facets
    if embed:
        record["embed"] = embed
    if reply:
        record["reply"] = reply
    langs = post.extras_as(BlueskyExtras).langs
    if langs:
        record["langs"] = list(langs)[:3]
    inline = {f["features"][0].get("tag", "").lower() for f in facets}
    extra_tags = [t for t in post.tags if t.lower() not in inline][:8]
    if extra_tags:
        record["tags"] = extra_tags
    return record


def _same_post(stored: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether the record found at a keyed record key is the post about to be written.

    Text and the post answered are compared, not facets or embeds: those may differ
    between attempts (a handle that failed to resolve once) without making it another
    post.
    """

    def parent(value: Mapping[str, Any]) -> Any:
        return ((value.get("reply") or {}).get("parent") or {}).get("uri")

    return bool(stored.get("text") == record.get("text") and parent(stored) == parent(record))


def _created_ref(response: httpx.Response, record: dict[str, Any]) -> dict[str, Any]:
    """The new record's reference from a write's answer; an answer without a valid
    ``at://`` URI and CID raises (``read_answer`` makes that an unknown outcome)."""
    result = response.json()
    uri, cid = result["uri"], result["cid"]
    parse_at_uri(uri)
    if not isinstance(cid, str) or not cid:
        raise TypeError("cid")
    return {"uri": uri, "cid": cid, "createdAt": record["createdAt"]}
