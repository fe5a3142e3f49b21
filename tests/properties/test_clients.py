"""Properties of this wave's platform clients, listening and streams: constructors and pure
helpers fed odd and wrong-typed values.

No network: constructors and pure helpers only (a stream is built, never opened).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    Probe,
    covers,
    fast,
    isolated_registries,
    junk,
    probe_params,
    run_probe,
    texts,
)

_SENTINEL = "sentinel-client-token-0451"


def _conceals(result: Any, *args: Any, **kwargs: Any) -> None:
    """A token handed to the constructor is in neither ``repr`` nor ``str``."""
    assert _SENTINEL not in repr(result)
    assert _SENTINEL not in str(result)


def _token_args() -> st.SearchStrategy[tuple[tuple[()], dict[str, Any]]]:
    return st.tuples(
        st.just(()),
        st.fixed_dictionaries(
            {}, optional={"access_token": st.one_of(st.just(_SENTINEL), texts, junk)}
        ),
    )


def _walk_cursor() -> Any:
    from smmkit.platforms import WalkCursor

    return WalkCursor()


def _cbor() -> st.SearchStrategy[Any]:
    """DAG-CBOR-encodable values of odd shapes (maps, lists, numbers, bytes, text)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.binary(max_size=8),
        st.sampled_from(["create", "app.bsky.feed.post/1", "#commit", "did:plc:x", ""]),
        st.text(max_size=8).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=8,
    )


def _shaped_frames() -> st.SearchStrategy[bytes]:
    """Well-formed DAG-CBOR header and body whose fields have the wrong shapes."""
    import libipld

    keys = ("seq", "repo", "time", "blocks", "error", "message", "name")
    header = st.one_of(
        st.just({"op": 1, "t": "#commit"}),
        st.fixed_dictionaries(
            {"op": st.sampled_from([1, -1, 0, "1"]), "t": st.sampled_from(["#info", 3])}
        ),
    )
    op = st.dictionaries(st.sampled_from(["action", "path", "cid"]), _cbor(), max_size=3)
    body = st.fixed_dictionaries(
        {"ops": st.one_of(st.lists(st.one_of(op, _cbor()), min_size=1, max_size=3), _cbor())},
        optional=dict.fromkeys(keys, _cbor()),
    )
    return st.builds(
        lambda h, b: libipld.encode_dag_cbor(h) + libipld.encode_dag_cbor(b), header, body
    )


def _frames() -> st.SearchStrategy[Any]:
    """Bytes that are almost firehose frames: CBOR map headers, truncations, noise, and
    well-formed frames of odd shapes."""
    return st.one_of(
        st.binary(max_size=64),
        st.binary(max_size=16).map(lambda b: b"\xa2ato\x01bop" + b),
        _shaped_frames(),
        junk,
    )


_WHEN = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _no_kw(*args: Any) -> tuple[tuple[Any, ...], dict[str, Any]]:
    return args, {}


CLIENTS: dict[str, Probe] = {
    "smmkit.platforms.bilibili.BilibiliAdapter": Probe(),
    "smmkit.platforms.bilibili.SubmissionQuota": Probe(),
    "smmkit.platforms.bilibili.authorization_url": Probe(),
    "smmkit.platforms.douyin.DouyinAdapter": Probe(args=_token_args(), check=_conceals),
    "smmkit.platforms.tiktok.TikTokAdapter": Probe(args=_token_args(), check=_conceals),
    "smmkit.platforms.weibo.WeiboAdapter": Probe(),
    "smmkit.platforms.youtube.YouTubeAdapter": Probe(args=_token_args(), check=_conceals),
    "smmkit.platforms.youtube.QuotaTracker": Probe(
        regressions=(
            ((), {"costs": b"bytes"}),
            ((), {"limits": b"bytes"}),
            ((), {"limits": {1: 5}}),
        )
    ),
    "smmkit.platforms.oauth.renew_refresh_token": Probe(),
    "smmkit.platforms.oauth.weibo_token_info": Probe(
        regressions=(
            ((), {"access_token": "0", "url": None}),
            ((), {"access_token": "0", "url": "ftp://x"}),
        )
    ),
    "smmkit.platforms.InboxSync": Probe(
        regressions=(((), {"adapter": None, "source": "mentions"}),)
    ),
    "smmkit.platforms.WalkCursor": Probe(regressions=(((), {"floor": 5}),)),
    "smmkit.platforms.inbox_source": Probe(
        regressions=(((), {"adapter": None, "source": "mentions"}),)
    ),
    "smmkit.platforms.walk_page": Probe(
        regressions=(
            _no_kw(_WHEN, None, [], None),
            _no_kw("direct_messages", None, float("nan"), None),
            _no_kw("mentions", _walk_cursor(), [("k",)], None),
            _no_kw("mentions", _walk_cursor(), [(1, None)], None),
        )
    ),
    "smmkit.platforms.streams.BlueskyFirehose": Probe(
        regressions=(
            ((), {"base_url": "tea", "dids": None}),
            ((), {"base_url": "https://pds.example", "dids": "did:plc:x"}),
            ((), {"base_url": "https://pds.example", "dids": ["did:plc:x"], "cursor": 7}),
            (("https://\x00", ["did:plc:x"]), {}),
            (("\ud800", ["did:plc:x"]), {}),
        )
    ),
    "smmkit.platforms.streams.FirehoseFrame": Probe(
        regressions=(((), {"type": "#commit", "ops": [1]}), ((), {"type": None}))
    ),
    "smmkit.platforms.streams.MastodonStream": Probe(),
    "smmkit.platforms.streams.SseEvent": Probe(),
    "smmkit.platforms.streams.SseParser": Probe(),
    "smmkit.platforms.streams.decode_frame": Probe(
        args=st.tuples(st.tuples(_frames()), st.just({}))
    ),
    "smmkit.platforms.streams.frame_events": Probe(
        regressions=(((), {"frame": None, "watch": None}),)
    ),
    "smmkit.platforms.streams.iterate_sync": Probe(),
    "smmkit.platforms.streams.mastodon_status_event": Probe(
        regressions=(
            ((), {"status": None}),
            ((), {"status": {}}),
            ((), {"status": {"id": "7", "created_at": "2026-05-01T09:30:00"}}),
            ((), {"status": {"id": "7", "created_at": "2026-05-01T09:30Z", "account": 3}}),
        )
    ),
    "smmkit.platforms.streams.merge_streams": Probe(),
    "smmkit.webhooks.inbox_event_from_message": Probe(),
}


@pytest.mark.parametrize("name", probe_params(CLIENTS))
@fast(20)
@given(data=st.data())
@covers(*CLIENTS)
def test_client_constructors_and_helpers(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, CLIENTS[name], data)
