"""Bluesky's repository event stream (``com.atproto.sync.subscribeRepos``), decoded; no I/O.

Every WebSocket message is two DAG-CBOR values back to back: a header ``{op, t}``
(``op`` 1 = a message of type ``t`` such as ``#commit``; ``op`` -1 = an error) and the
body. A ``#commit`` body names the repository (the author's DID), its sequence number
``seq`` (the resumable cursor), the operations (``create``/``update``/``delete`` of
``collection/rkey`` with the record's CID) and ``blocks``: a CAR file holding the new
records. A PDS serves no notifications (an AppView does), so :func:`frame_events`
derives them from the records themselves: a post that replies to, mentions (a facet
with the brand's DID) or quotes the brand, or that contains a watch term.

Decoding uses ``libipld`` (the ``firehose`` extra): ``pip install 'smmkit[firehose]'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pydantic import Field, field_validator

from smmkit.exceptions import InvalidInputError, MalformedPayloadError, MissingExtraError
from smmkit.models._base import SmmkitModel
from smmkit.models.inbox import InboxEvent, InboxKind
from smmkit.platforms._checks import require

__all__ = ["BrandWatch", "FirehoseFrame", "decode_frame", "frame_events"]

_POST = "app.bsky.feed.post"
_MENTION = "app.bsky.richtext.facet#mention"
_ISO = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")


def _libipld() -> Any:
    try:
        import libipld
    except ImportError:  # pragma: no cover - the extra is in the test environment
        raise MissingExtraError("libipld", extra="firehose") from None
    return libipld


class BrandWatch(SmmkitModel):
    """Whose conversation to follow: the brand's DIDs, and words to watch for.

    Example:
        >>> BrandWatch(dids=("did:plc:tea",), watch_terms=("refund",)).dids
        ('did:plc:tea',)
    """

    dids: tuple[str, ...] = Field(min_length=1)
    watch_terms: tuple[str, ...] = ()

    @field_validator("dids")
    @classmethod
    def _are_dids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for did in value:
            if not did.startswith("did:"):
                raise ValueError(f"{did!r} is not a DID (did:plc:... or did:web:...)")
        return value


@dataclass(slots=True)
class FirehoseFrame:
    """One decoded message: its type (``#commit``, ``#identity``, ...) and what smmkit reads.

    ``records`` maps the CID (bytes) of each block in the commit's CAR to its record;
    ``error`` is ``(name, message)`` for an error frame (``op`` -1).

    Example:
        >>> FirehoseFrame(type="#identity", seq=7, repo="did:plc:x").seq
        7
    """

    type: str
    seq: int | None = None
    repo: str | None = None
    time: str | None = None
    ops: list[tuple[str, str, bytes | None]] = field(default_factory=list)
    records: dict[bytes, Any] = field(default_factory=dict)
    error: tuple[str, str] | None = None
    info: str | None = None

    def __post_init__(self) -> None:
        require(self.type, "type", str, "a str")
        if self.seq is not None:
            require(self.seq, "seq", int, "an int or None")
        for name in ("repo", "time", "info"):
            if getattr(self, name) is not None:
                require(getattr(self, name), name, str, "a str or None")
        for index, op in enumerate(require(self.ops, "ops", list, "a list of operations")):
            _check_op(op, f"ops[{index}]")
        require(self.records, "records", dict, "a dict of CID to record")
        if self.error is not None and not (
            isinstance(self.error, tuple)
            and len(self.error) == 2
            and all(isinstance(part, str) for part in self.error)
        ):
            raise InvalidInputError.single(
                "error", "must be a (name, message) pair of str or None", self.error
            )


def _check_op(op: object, field: str) -> None:
    """One ``(action, path, cid)`` of :attr:`FirehoseFrame.ops`."""
    if not (isinstance(op, tuple) and len(op) == 3):
        raise InvalidInputError.single(field, "must be an (action, path, cid) triple", op)
    require(op[0], f"{field}.action", str, "a str")
    require(op[1], f"{field}.path", str, "a str")
    if op[2] is not None:
        require(op[2], f"{field}.cid", bytes, "bytes or None")


def _text(value: object) -> str | None:
    """``value`` when it is a str (a field of a decoded frame), else ``None``."""
    return value if isinstance(value, str) else None


def _map(value: object) -> dict[Any, Any]:
    """``value`` when it is a map (a part of a decoded record), else an empty one."""
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    """``value`` when it is a list (a part of a decoded record), else an empty one."""
    return value if isinstance(value, list) else []


def decode_frame(data: bytes) -> FirehoseFrame:
    """Decode one ``subscribeRepos`` message (bytes, as the WebSocket delivered them).

    Example:
        >>> import libipld
        >>> data = libipld.encode_dag_cbor({"op": 1, "t": "#identity"}) + libipld.encode_dag_cbor(
        ...     {"seq": 7, "did": "did:plc:x", "time": "2026-05-01T00:00:00Z"})
        >>> frame = decode_frame(data)
        >>> frame.type, frame.seq
        ('#identity', 7)
    """
    require(data, "data", (bytes, bytearray, memoryview), "bytes")
    ipld = _libipld()
    try:
        header, body = ipld.decode_dag_cbor_multi(bytes(data))
    except Exception as exc:  # libipld raises ValueError and friends for bad CBOR
        raise MalformedPayloadError(f"firehose frame is not two DAG-CBOR values: {exc}") from None
    if not isinstance(header, dict) or not isinstance(body, dict):
        raise MalformedPayloadError("firehose frame header and body must be maps")
    if header.get("op") == -1:
        return FirehoseFrame(
            type="#error", error=(str(body.get("error")), str(body.get("message") or ""))
        )
    kind = str(header.get("t") or "")
    seq = body.get("seq")
    frame = FirehoseFrame(
        type=kind,
        seq=seq if isinstance(seq, int) and not isinstance(seq, bool) else None,
        time=_text(body.get("time")),
    )
    if kind == "#info":
        frame.info = str(body.get("name"))
    if kind != "#commit":
        return frame
    frame.repo = _text(body.get("repo"))
    wanted = False
    for raw in _list(body.get("ops")):
        op = _map(raw)
        action, path, cid = (
            _text(op.get("action")) or "",
            _text(op.get("path")) or "",
            op.get("cid"),
        )
        frame.ops.append((action, path, cid if isinstance(cid, bytes) else None))
        wanted = wanted or (action == "create" and path.startswith(_POST + "/"))
    blocks = body.get("blocks")
    if wanted and blocks:  # the CAR is decoded only when a new post is in it
        try:
            records = ipld.decode_car(blocks)[1]
        except Exception as exc:
            raise MalformedPayloadError(f"commit blocks are not a CAR file: {exc}") from None
        frame.records = records if isinstance(records, dict) else {}
    return frame


def _parse_time(value: Any, fallback: Any) -> datetime:
    for candidate in (value, fallback):
        match = _ISO.match(candidate) if isinstance(candidate, str) else None
        if match:
            base, fraction, zone = match.groups()
            micro = (fraction or "0")[:6].ljust(6, "0")
            offset = "+00:00" if zone in (None, "Z") else zone
            try:
                return datetime.fromisoformat(f"{base}.{micro}{offset}")
            except ValueError:
                continue
    return datetime.now(timezone.utc)  # a record with no readable time: when we saw it


def _did_of(uri: Any) -> str | None:
    if isinstance(uri, str) and uri.startswith("at://"):
        return uri[5:].split("/", 1)[0]
    return None


def _quoted(record: Mapping[str, Any]) -> str | None:
    inner = _map(record.get("embed")).get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # recordWithMedia
    return _text(inner.get("uri")) if isinstance(inner, dict) else None


def _mentions(record: Mapping[str, Any], dids: frozenset[str]) -> bool:
    for facet in _list(record.get("facets")):
        for raw in _list(_map(facet).get("features")):
            feature = _map(raw)
            if feature.get("$type") == _MENTION and _text(feature.get("did")) in dids:
                return True
    return False


def _classify(
    record: Mapping[str, Any], dids: frozenset[str]
) -> tuple[InboxKind, str | None, str | None, str | None] | None:
    """(kind, parent, thread root, brand post) of a post, or None when it is not to us."""
    reply = record.get("reply")
    if isinstance(reply, dict):
        parent = _text(_map(reply.get("parent")).get("uri"))
        root = _text(_map(reply.get("root")).get("uri"))
        brand_root = root if _did_of(root) in dids else None
        if _did_of(parent) in dids:
            kind = InboxKind.COMMENT if parent == root else InboxKind.REPLY
            return kind, parent, root, brand_root or parent
        if brand_root is not None:
            return InboxKind.REPLY, parent, root, brand_root
    if _mentions(record, dids):
        return InboxKind.MENTION, None, None, None
    quoted = _quoted(record)
    if _did_of(quoted) in dids:
        return InboxKind.QUOTE, None, None, quoted
    return None


def frame_events(
    frame: FirehoseFrame, watch: BrandWatch, *, dids: frozenset[str] | None = None
) -> list[InboxEvent]:
    """The inbox events in one decoded frame: new posts that talk to or about the brand.

    A reply whose parent is the brand's post is a ``comment`` (``post_id`` = that
    post); a reply deeper in a thread the brand started, or to the brand's own reply,
    is a ``reply``; a post with a mention facet of the brand's DID is a ``mention``; a
    quote of the brand's post is a ``quote``; any other post containing a watch term is
    a ``mention`` with ``watch_terms``. The brand's own posts are skipped. ``dids`` is
    ``frozenset(watch.dids)``, passed in by callers that decode many frames.

    Example:
        >>> post = {"$type": "app.bsky.feed.post", "text": "the tea is great",
        ...         "createdAt": "2026-05-01T09:00:00Z"}
        >>> frame = FirehoseFrame(type="#commit", seq=5, repo="did:plc:fan",
        ...     ops=[("create", "app.bsky.feed.post/3k", b"c1")], records={b"c1": post})
        >>> watch = BrandWatch(dids=("did:plc:brand",), watch_terms=("tea",))
        >>> [(e.kind.value, e.watch_terms) for e in frame_events(frame, watch)]
        [('mention', ('tea',))]
    """
    require(frame, "frame", FirehoseFrame, "a FirehoseFrame")
    require(watch, "watch", BrandWatch, "a BrandWatch")
    if dids is not None:
        require(dids, "dids", frozenset, "a frozenset of DIDs or None")
    if frame.type != "#commit" or not frame.records or frame.repo is None:
        return []
    dids = dids if dids is not None else frozenset(watch.dids)
    if frame.repo in dids:
        return []
    events = []
    for action, path, cid in frame.ops:
        if action != "create" or not path.startswith(_POST + "/") or cid is None:
            continue
        record = frame.records.get(cid)
        if not isinstance(record, dict):
            continue
        raw = record.get("text")
        text = raw if isinstance(raw, str) else ""
        folded = text.casefold()
        terms = tuple(t for t in watch.watch_terms if t.casefold() in folded)
        found = _classify(record, dids)
        if found is None and not terms:
            continue
        kind, parent, root, post = found or (InboxKind.MENTION, None, None, None)
        langs = record.get("langs")
        events.append(
            InboxEvent(
                platform="bluesky",
                kind=kind,
                event_id=f"at://{frame.repo}/{path}",
                author_id=frame.repo,
                text=text,
                at=_parse_time(record.get("createdAt"), frame.time),
                thread_id=root,
                parent_id=parent,
                post_id=post,
                language=_text(langs[0]) if isinstance(langs, list) and langs else None,
                watch_terms=terms,
            )
        )
    return events


def watching(dids: Iterable[str], watch_terms: Iterable[str] = ()) -> BrandWatch:
    """A :class:`BrandWatch` from plain iterables (the streams' convenience)."""
    return BrandWatch(dids=tuple(dids), watch_terms=tuple(watch_terms))
