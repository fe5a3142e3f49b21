"""smmkit.platforms: the pure helpers, the constructors and the registry.

No network: constructors are called, helpers are fed odd and wrong-typed values, and
the runner is given calendars with no client (every entry is skipped, none sent).
"""

from __future__ import annotations

import re
import tempfile
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    MEDIA_URLS,
    REFUSED,
    Probe,
    attempt,
    attempt_async,
    aware_datetimes,
    covers,
    datetimes,
    extreme_floats,
    extreme_ints,
    fast,
    hashable_junk,
    isolated_registries,
    junk,
    odd_text,
    outcome,
    posts,
    probe_params,
    retry_policies,
    run_probe,
    texts,
    zero_clock,
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


_SENTINEL = "sentinel-token-7f3a9c"


def _linkedin_args() -> st.SearchStrategy[tuple[tuple[()], dict[str, Any]]]:
    authors = st.sampled_from(["urn:li:organization:2414183", "urn:li:person:abc", "urn:li:x:1"])
    return st.tuples(
        st.just(()),
        st.fixed_dictionaries(
            {},
            optional={
                "author": st.one_of(st.none(), authors, texts, junk),
                "access_token": st.one_of(st.none(), st.just(_SENTINEL), texts, junk),
                "base_url": st.one_of(st.none(), st.sampled_from(MEDIA_URLS), texts, junk),
                "api_version": st.one_of(st.sampled_from(["202601", "202601.01", "2026"]), junk),
                "read_back_count": st.one_of(extreme_ints, junk),
                "read_back_window": st.one_of(st.timedeltas(), junk),
                "media_loader": st.one_of(st.none(), st.just(lambda asset: b""), junk),
            },
        ),
    )


def _conceals(result: Any, *args: Any, **kwargs: Any) -> None:
    """The access token is in neither ``repr`` nor ``str`` of the adapter."""
    assert _SENTINEL not in repr(result)
    assert _SENTINEL not in str(result)


def _fresh_budget(result: Any, *args: Any, **kwargs: Any) -> None:
    assert result.retries_used == 0
    assert result.retries_left == result.policy.max_attempts - 1
    assert not result.exhausted


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
    "smmkit.platforms.linkedin.LinkedInAdapter": Probe(args=_linkedin_args(), check=_conceals),
    "smmkit.platforms.RetryBudget": Probe(
        args=st.tuples(
            st.tuples(st.one_of(retry_policies(), junk)),
            st.fixed_dictionaries(
                {"now": st.one_of(st.just(zero_clock), junk)},
                optional={"deadline": st.one_of(st.none(), extreme_floats, junk)},
            ),
        ),
        check=_fresh_budget,
        regressions=(((None,), {"now": zero_clock}),),
    ),
    "smmkit.platforms.InMemoryMediaLoader": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.dictionaries(
                        st.one_of(st.sampled_from(MEDIA_URLS), odd_text, hashable_junk),
                        st.one_of(st.binary(max_size=8), junk),
                        max_size=3,
                    ),
                    junk,
                )
            ),
            st.just({}),
        )
    ),
    "smmkit.platforms.LocalMediaLoader": Probe(
        args=st.tuples(
            st.tuples(
                st.one_of(
                    st.sampled_from([tempfile.gettempdir(), "/nonexistent", "/etc/hostname"]),
                    texts,
                    junk,
                )
            ),
            st.fixed_dictionaries(
                {},
                optional={
                    "url_prefix": st.one_of(
                        st.none(), st.sampled_from(MEDIA_URLS), st.just("file:///etc/"), texts, junk
                    ),
                    "max_bytes": st.one_of(extreme_ints, junk),
                },
            ),
        ),
        check=lambda result, *a, **k: result.base_dir.is_dir() and result.max_bytes > 0,
    ),
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
@given(
    st.one_of(st.sampled_from(["sandbox", "mastodon", "linkedin"]), junk), st.one_of(posts, junk)
)
@covers("smmkit.platforms.publish_flow")
def test_publish_flow_checks_before_it_sends(adapter: Any, post: Any) -> None:
    from smmkit.models import PlatformPost
    from smmkit.platforms import SandboxAdapter
    from smmkit.platforms.linkedin import LinkedInAdapter
    from smmkit.platforms.mastodon import MastodonAdapter

    if post is REFUSED:
        return
    if adapter == "sandbox":
        adapter = SandboxAdapter(spec=getattr(post, "platform", "mastodon"))
    elif adapter == "mastodon":
        adapter = MastodonAdapter(base_url="https://m.example", access_token="t")
    elif adapter == "linkedin":  # little-text escaping of the body (#16: linear, 1 MB)
        adapter = LinkedInAdapter(access_token=_SENTINEL, author="urn:li:person:abc")
    bad = not isinstance(post, PlatformPost) or isinstance(adapter, (str, bytes, type(None)))
    step = outcome(_first_step, adapter, post, bad=bad)
    assert step is REFUSED or isinstance(step, (httpx.Request, object))
