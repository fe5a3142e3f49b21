"""Valid ``com.atproto.sync.subscribeRepos`` frames, made offline for tests and the bench.

A frame is a DAG-CBOR header ``{"op": 1, "t": "#commit"}`` followed by the commit body,
whose ``blocks`` is a CAR v1 file (varint-prefixed header, then varint-prefixed
``CID + block`` sections) holding the signed commit, one repository tree node and the
new post records, with CIDv1 (dag-cbor, sha-256) links as CBOR tag 42: the shape a PDS
sends (checked against the local PDS's frames and against atproto's decoder in the
bench). ``libipld`` cannot encode CID links, hence the small encoder below; ``libipld``
decodes strictly, so the tests also check this encoder.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any

__all__ = ["Link", "car", "cid_of", "commit_frame", "encode", "error_frame", "post_record"]


@dataclass(frozen=True)
class Link:
    """A CID link (tag 42) to the block with this binary CID."""

    cid: bytes


def cid_of(block: bytes) -> bytes:
    """The binary CIDv1 (dag-cbor, sha2-256) of ``block``."""
    return b"\x01\x71\x12\x20" + hashlib.sha256(block).digest()


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for code, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | code]) + struct.pack(fmt, value)
    raise ValueError("integer too large")


def encode(value: Any) -> bytes:
    """Strict DAG-CBOR: shortest integers, map keys sorted by length then bytes."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, (list, tuple)):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return _head(5, len(keys)) + b"".join(encode(k) + encode(value[k]) for k in keys)
    if isinstance(value, Link):
        return b"\xd8\x2a" + encode(b"\x00" + value.cid)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def car(root: bytes, blocks: list[bytes]) -> bytes:
    """A CAR v1 file with ``root`` as its root and ``blocks`` (each under its own CID)."""
    header = encode({"version": 1, "roots": [Link(root)]})
    parts = [_varint(len(header)), header]
    for block in blocks:
        cid = cid_of(block)
        parts += [_varint(len(cid) + len(block)), cid, block]
    return b"".join(parts)


def post_record(
    text: str,
    *,
    created_at: str = "2026-05-01T09:30:00.000Z",
    mention: str | None = None,
    reply_to: tuple[str, str] | None = None,
    langs: tuple[str, ...] = ("en",),
) -> dict[str, Any]:
    """An ``app.bsky.feed.post`` record; ``mention`` adds a facet over the first word."""
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created_at}
    if langs:
        record["langs"] = list(langs)
    if mention is not None:
        end = len(text.split(" ", 1)[0].encode())
        record["facets"] = [
            {
                "index": {"byteStart": 0, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": mention}],
            }
        ]
    if reply_to is not None:
        parent, root = reply_to
        fake = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"
        record["reply"] = {
            "parent": {"uri": parent, "cid": fake},
            "root": {"uri": root, "cid": fake},
        }
    return record


def commit_frame(
    seq: int,
    repo: str,
    records: list[tuple[str, dict[str, Any]]],
    *,
    time: str = "2026-05-01T09:30:01.000Z",
) -> bytes:
    """A ``#commit`` frame creating ``records`` (``(rkey, record)`` pairs) in ``repo``."""
    blocks = [encode(record) for _, record in records]
    entries = [
        {"k": f"app.bsky.feed.post/{rkey}".encode(), "p": 0, "t": None, "v": Link(cid_of(block))}
        for (rkey, _), block in zip(records, blocks, strict=True)
    ]
    node = encode({"e": entries, "l": None})
    rev = f"3n{seq:011d}"
    commit = encode(
        {
            "did": repo,
            "rev": rev,
            "sig": bytes(64),
            "data": Link(cid_of(node)),
            "prev": None,
            "version": 3,
        }
    )
    body = {
        "seq": seq,
        "rebase": False,
        "tooBig": False,
        "repo": repo,
        "commit": Link(cid_of(commit)),
        "rev": rev,
        "since": None,
        "blocks": car(cid_of(commit), [commit, node, *blocks]),
        "ops": [
            {"action": "create", "path": f"app.bsky.feed.post/{rkey}", "cid": Link(cid_of(b))}
            for (rkey, _), b in zip(records, blocks, strict=True)
        ],
        "blobs": [],
        "time": time,
    }
    return encode({"op": 1, "t": "#commit"}) + encode(body)


def error_frame(name: str, message: str = "") -> bytes:
    """An error frame (``op`` -1), as a PDS sends for a cursor from the future."""
    return encode({"op": -1}) + encode({"error": name, "message": message})
