"""Live streams of what people say to the brand, as :class:`~smmkit.models.InboxEvent`.

* :class:`MastodonStream`: Mastodon's streaming API (server-sent events; the user,
  hashtag and public streams), reconnecting through the client's retry policy and
  clock and catching up through the REST API after every gap.
* :class:`BlueskyFirehose`: a PDS's repository event stream
  (``com.atproto.sync.subscribeRepos``, DAG-CBOR frames with CAR blocks) with a
  resumable cursor; mentions, comments, replies and quotes are derived from the
  records, since a PDS serves no notifications. Needs ``pip install 'smmkit[firehose]'``.
* WeChat and WeCom callbacks become the same events through
  :func:`smmkit.webhooks.inbox_event_from_message`.

Streams are async iterators (the primary API); :func:`iterate_sync` iterates any of
them from synchronous code, :func:`merge_streams` several of them as one. Each has a
``cursor`` to persist and pass back.

Example:
    >>> import asyncio
    >>> from smmkit.platforms.streams import BlueskyFirehose, iterate_sync
    >>> stream = BlueskyFirehose("http://127.0.0.1:2583", ["did:plc:teabrand"],
    ...                          watch_terms=["refund"], cursor="120")
    >>> stream.cursor, stream.watch.watch_terms
    ('120', ('refund',))
"""

from smmkit.platforms._firehose import BrandWatch, FirehoseFrame, decode_frame, frame_events
from smmkit.platforms._firehose_stream import BlueskyFirehose
from smmkit.platforms._stream_common import iterate_sync
from smmkit.platforms._stream_mastodon import MastodonStream, mastodon_status_event
from smmkit.platforms._stream_merge import merge_streams
from smmkit.platforms._stream_sse import SseEvent, SseParser

__all__ = [
    "BlueskyFirehose",
    "BrandWatch",
    "FirehoseFrame",
    "MastodonStream",
    "SseEvent",
    "SseParser",
    "decode_frame",
    "frame_events",
    "iterate_sync",
    "mastodon_status_event",
    "merge_streams",
]
