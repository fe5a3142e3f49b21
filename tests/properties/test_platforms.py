"""smmkit.platforms: the pure helpers, the constructors and the registry.

No network: constructors are called, helpers are fed odd and wrong-typed values, and
the runner is given calendars with no client (every entry is skipped, none sent).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    Probe,
    attempt,
    attempt_async,
    aware_datetimes,
    covers,
    datetimes,
    extreme_ints,
    fast,
    isolated_registries,
    junk,
    odd_text,
    outcome,
    posts,
    probe_params,
    run_probe,
    texts,
)

from smmkit.content.calendar import CalendarEntry, ContentCalendar
from smmkit.platforms import (
    DispatchReport,
    adispatch_due,
    available_platforms,
    dispatch_due,
    get_platform,
    register_platform,
)
from smmkit.platforms.wechat import join_post_id, split_post_id


def _redacted(result: str, url: Any) -> None:
    if isinstance(url, str) and "access_token=abc" in url:
        assert "abc" not in result


def _utf8(result: int, text: str) -> None:
    assert result == len(text.encode("utf-8"))


def _hex_key(result: str, *args: Any, **kwargs: Any) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", result)


def _tid(result: str, *args: Any, **kwargs: Any) -> None:
    assert len(result) == 13


def _no_query(result: str, request: httpx.Request) -> None:
    assert result.startswith(request.method)


PLATFORMS: dict[str, Probe] = {
    "smmkit.platforms.redact_url": Probe(check=_redacted),
    "smmkit.platforms.describe_request": Probe(check=_no_query),
    "smmkit.platforms.is_safe": Probe(),
    "smmkit.platforms.received_at": Probe(),
    "smmkit.platforms.parse_retry_after": Probe(
        check=lambda result, *a, **k: result is None or result >= 0
    ),
    "smmkit.platforms.idempotency_key_for": Probe(check=_hex_key),
    "smmkit.platforms.entry_idempotency_key": Probe(check=_hex_key),
    "smmkit.platforms.limit_problems": Probe(),
    "smmkit.platforms.media_type": Probe(check=lambda result, asset: "/" in result),
    "smmkit.platforms.file_name": Probe(check=lambda result, asset: bool(result)),
    "smmkit.platforms.read_local_media": Probe(),
    "smmkit.platforms.available_platforms": Probe(
        check=lambda result: {"mastodon", "sandbox"} <= set(result)
    ),
    "smmkit.platforms.get_platform": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.sampled_from(["mastodon", "sandbox", "nope"]), odd_text, junk)),
            st.just({}),
        )
    ),
    "smmkit.platforms.bluesky.make_tid": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.integers(0, 2**53 - 1), extreme_ints, junk)),
            st.fixed_dictionaries({}, optional={"clock_id": st.one_of(extreme_ints, junk)}),
        ),
        check=_tid,
    ),
    "smmkit.platforms.bluesky.parse_at_uri": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.sampled_from(["at://did:plc:abc/app.bsky.feed.post/3k", "at://a//b"]),
                    texts,
                    junk,
                )
            ),
            st.just({}),
        ),
        check=lambda result, uri: "/".join(result) == uri.removeprefix("at://"),
    ),
    "smmkit.platforms.bluesky.find_mentions": Probe(),
    "smmkit.platforms.bluesky.build_facets": Probe(),
    "smmkit.platforms.mastodon.instance_overrides": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.recursive(
                        st.one_of(junk, extreme_ints),
                        lambda inner: st.dictionaries(
                            st.sampled_from(
                                [
                                    "configuration",
                                    "statuses",
                                    "media_attachments",
                                    "max_characters",
                                    "image_size_limit",
                                ]
                            ),
                            inner,
                            max_size=3,
                        ),
                        max_leaves=8,
                    ),
                    junk,
                )
            ),
            st.just({}),
        ),
        check=lambda result, instance: all(v > 0 for v in result.values()),
    ),
    "smmkit.platforms.wechat.join_post_id": Probe(),
    "smmkit.platforms.wechat.split_post_id": Probe(),
    "smmkit.platforms.wechat.receipt_from_event": Probe(),
    "smmkit.platforms.wechat.was_rejected": Probe(),
    "smmkit.platforms.wecom.utf8_size": Probe(
        args=st.tuples(st.tuples(st.one_of(texts, junk)), st.just({})), check=_utf8
    ),
    # constructors
    "smmkit.platforms.Client": Probe(),
    "smmkit.platforms.AsyncClient": Probe(),
    "smmkit.platforms.Publisher": Probe(),
    "smmkit.platforms.AsyncPublisher": Probe(),
    "smmkit.platforms.ManualPublisher": Probe(),
    "smmkit.platforms.SandboxPlatform": Probe(),
    "smmkit.platforms.RateLimiter": Probe(),
    "smmkit.platforms.SimulatedClock": Probe(),
    "smmkit.platforms.SystemClock": Probe(),
    "smmkit.platforms.InMemoryTokenStore": Probe(),
    "smmkit.platforms.FileTokenStore": Probe(
        args=st.tuples(
            st.tuples(st.one_of(st.sampled_from(["/tmp/t.json", "/nonexistent/t.json"]), junk)),
            st.just({}),
        )
    ),
    "smmkit.platforms.Now": Probe(),
    "smmkit.platforms.Wait": Probe(),
    "smmkit.platforms.BucketKey": Probe(),
    "smmkit.platforms.ErrorInfo": Probe(),
    "smmkit.platforms.PlatformAdapter": Probe(),
    "smmkit.platforms.PlatformRegistry": Probe(),
    "smmkit.platforms.SandboxAdapter": Probe(),
    "smmkit.platforms.SandboxReadBackAdapter": Probe(),
    "smmkit.platforms.bluesky.BlueskyAdapter": Probe(),
    "smmkit.platforms.mastodon.MastodonAdapter": Probe(),
    "smmkit.platforms.x.XAdapter": Probe(),
    "smmkit.platforms.facebook.FacebookPageAdapter": Probe(),
    "smmkit.platforms.instagram.InstagramAdapter": Probe(),
    "smmkit.platforms.wechat.WeChatOfficialAccountAdapter": Probe(),
    "smmkit.platforms.wechat.WeixinAdapter": Probe(),
    "smmkit.platforms.wecom.WeComAdapter": Probe(),
    "smmkit.platforms.sandbox.SandboxPost": Probe(),
    "smmkit.platforms.redis.RedisLock": Probe(),
    "smmkit.platforms.redis.RedisTokenStore": Probe(),
    "smmkit.platforms.redis.RedisRateLimiter": Probe(),
}


@pytest.mark.parametrize("name", probe_params(PLATFORMS))
@fast(20)
@given(data=st.data())
@covers(*PLATFORMS)
def test_platform_helpers_and_constructors(name: str, data: st.DataObject) -> None:
    with isolated_registries():
        run_probe(name, PLATFORMS[name], data)


@fast(30)
@given(st.one_of(st.just("Art_1"), odd_text, junk), st.one_of(st.none(), odd_text, junk))
@covers("smmkit.platforms.wechat.join_post_id", "smmkit.platforms.wechat.split_post_id")
def test_post_ids_round_trip(article: Any, msg: Any) -> None:
    joined = attempt(join_post_id, article, msg)
    if joined is REFUSED:
        return
    assert split_post_id(joined) == (article, msg or None)


@fast(20)
@given(st.one_of(odd_text, junk), st.one_of(odd_text, junk), st.one_of(st.booleans(), junk))
@covers("smmkit.platforms.register_platform", "smmkit.platforms.get_platform")
def test_register_platform(name: Any, target: Any, clobber: Any) -> None:
    with isolated_registries():
        done = outcome(register_platform, name, target, clobber)
        if done is not REFUSED:
            assert name in available_platforms()
            outcome(get_platform, name)


def _calendars() -> st.SearchStrategy[Any]:
    entries = st.lists(
        st.builds(
            lambda i, plat, at: attempt(
                CalendarEntry, id=f"e{i}", piece_id="p", platform=plat, at=at
            ),
            st.integers(0, 5),
            st.sampled_from(["x", "weibo", "mastodon"]),
            aware_datetimes,
        ),
        max_size=3,
    )
    return st.one_of(
        entries.map(
            lambda es: attempt(
                ContentCalendar, entries=tuple({e.id: e for e in es if e is not REFUSED}.values())
            )
        ),
        junk,
    )


@fast(20)
@given(
    _calendars(),
    st.one_of(st.just({}), junk),
    st.one_of(datetimes, junk),
    st.one_of(st.just(()), junk),
)
@covers("smmkit.platforms.dispatch_due", "smmkit.platforms.adispatch_due")
def test_dispatch_without_clients_sends_nothing(
    calendar: Any, clients: Any, now: Any, pieces: Any
) -> None:
    if calendar is REFUSED:
        return
    report = outcome(dispatch_due, calendar, clients, now=now, pieces=pieces)
    again = attempt_async(adispatch_due, calendar, clients, now=now, pieces=pieces)
    assert (report is REFUSED) == (again is REFUSED)
    if report is REFUSED:
        return
    assert isinstance(report, DispatchReport)
    assert report.published == ()
    assert len(report.skipped) == len(calendar.entries)  # no client, no approval: none sent


def _first_step(adapter: Any, post: Any) -> Any:
    from smmkit.platforms import publish_flow

    return next(publish_flow(adapter, post, now=lambda: 0.0))


@fast(20)
@given(st.one_of(st.sampled_from(["sandbox", "mastodon"]), junk), st.one_of(posts, junk))
@covers("smmkit.platforms.publish_flow")
def test_publish_flow_checks_before_it_sends(adapter: Any, post: Any) -> None:
    from smmkit.models import PlatformPost
    from smmkit.platforms import SandboxAdapter
    from smmkit.platforms.mastodon import MastodonAdapter

    if post is REFUSED:
        return
    if adapter == "sandbox":
        adapter = SandboxAdapter(spec=getattr(post, "platform", "mastodon"))
    elif adapter == "mastodon":
        adapter = MastodonAdapter(base_url="https://m.example", access_token="t")
    bad = not isinstance(post, PlatformPost) or isinstance(adapter, (str, bytes, type(None)))
    step = outcome(_first_step, adapter, post, bad=bad)
    assert step is REFUSED or isinstance(step, (httpx.Request, object))
