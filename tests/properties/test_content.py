"""smmkit.content: adaptation, validation and the compliance lint over odd pieces.

An adapted post fits its platform (no error left by ``validate``) and keeps every link,
hashtag and mention of its piece (``validate(post, piece=...)`` finds none missing).
"""

from __future__ import annotations

import typing
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    anything,
    attempt,
    aware_datetimes,
    covers,
    fast,
    junk,
    modest_texts,
    odd_text,
    outcome,
    platform_ids,
    plausible,
    texts,
)

from smmkit.content import (
    AdaptAllResult,
    AdaptOverrides,
    Violation,
    adapt,
    adapt_all,
    check_compliance,
    has_errors,
    piece_from_post,
    render_adaptations,
    validate,
)
from smmkit.content.compliance import ComplianceIssue
from smmkit.models import ContentPiece, Creator, MediaAsset, NoteSeverity, PlatformPost
from smmkit.models import UGCPermission as Permission

LINKS = ["https://tea.example.cn/menu", "https://b2b.example.com/x?y=1", "http://a.cn"]
tag = st.one_of(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=8), odd_text
)


media = st.builds(
    lambda kind, duration: outcome(
        MediaAsset, kind=kind, url="https://cdn.example/v.mp4", duration_seconds=duration
    ),
    st.sampled_from(["image", "video"]),
    st.none() | st.floats(0, 20_000),
)


@st.composite
def pieces(draw: st.DrawFn) -> Any:
    """A ContentPiece built from odd values (``REFUSED`` when the model refuses them)."""
    source = draw(st.sampled_from(["ogc", "pgc", "ugc"]))
    creator = permission = None
    if source == "ugc" and draw(st.booleans()):
        creator = Creator(name="Lin", handle=draw(st.sampled_from(["lin", None])))
        if draw(st.booleans()):
            granted = draw(aware_datetimes)
            permission = Permission(granted_at=granted)
    kwargs = {
        "id": draw(st.one_of(st.just("p"), odd_text)),
        "title": draw(st.one_of(st.none(), texts)),
        "body": draw(texts),
        "tags": tuple(draw(st.lists(tag, max_size=6))),
        "links": tuple(draw(st.lists(st.one_of(st.sampled_from(LINKS), odd_text), max_size=2))),
        "media": tuple(m for m in draw(st.lists(media, max_size=2)) if m is not REFUSED),
        "source": source,
        "creator": creator,
        "permission": permission,
        "campaign": draw(st.one_of(st.none(), odd_text)),
    }
    return attempt(ContentPiece, **kwargs)


_HINTS = typing.get_type_hints(AdaptOverrides)
overrides = st.fixed_dictionaries(
    {}, optional={k: st.one_of(plausible(v), junk) for k, v in _HINTS.items()}
)
platform = st.one_of(platform_ids(), platform_ids(), junk)


def _lost(post: PlatformPost, piece: ContentPiece) -> list[Violation]:
    return [v for v in validate(post, piece=piece) if v.code.endswith(("_missing", "_changed"))]


@fast(40)
@given(pieces(), platform, overrides)
@covers("smmkit.content.adapt", "smmkit.content.AdaptOverrides")
def test_adapt_fits_and_keeps_links_and_tags(piece: Any, plat: Any, extra: Any) -> None:
    if piece is REFUSED:
        return
    post = outcome(adapt, piece, plat, **extra, bad=not isinstance(plat, str))
    if post is REFUSED:
        return
    assert isinstance(post, PlatformPost)
    assert post.platform == plat
    assert not has_errors(validate(post)), validate(post)
    assert _lost(post, piece) == []
    again = outcome(adapt, post, plat, **extra)
    assert again is REFUSED or isinstance(again, PlatformPost)


@fast(15)
@given(pieces(), st.one_of(st.none(), st.lists(platform, max_size=4), junk), overrides)
@covers("smmkit.content.adapt_all", "smmkit.content.AdaptAllResult")
def test_adapt_all_reports_every_platform(piece: Any, platforms: Any, extra: Any) -> None:
    if piece is REFUSED:
        return
    result = outcome(adapt_all, piece, platforms, **extra)
    if result is REFUSED:
        return
    assert isinstance(result, AdaptAllResult)
    if isinstance(platforms, list):
        assert len(result.posts) + len(result.errors) == len(platforms)
    for post in result.posts:
        assert result.get(post.platform) is not None


@fast(20)
@given(
    # 1 MB texts: test_huge.py, once per platform under a time bound (here up to three
    # platforms per draw would cost CI tens of seconds on a rare draw)
    st.one_of(modest_texts, junk),
    st.one_of(st.none(), st.lists(platform, max_size=3), junk),
    st.one_of(st.none(), odd_text, junk),
    st.one_of(st.lists(tag, max_size=3), junk),
)
@covers("smmkit.content.render_adaptations")
def test_render_adaptations(text: Any, platforms: Any, title: Any, tags: Any) -> None:
    out = outcome(render_adaptations, text, platforms, title=title, tags=tags)
    if out is not REFUSED:
        assert isinstance(out, str)
        assert out.endswith("\n")


@st.composite
def posts(draw: st.DrawFn) -> Any:
    plat = draw(st.sampled_from(["x", "weibo", "bluesky", "mastodon", "linkedin", "wechat_oa"]))
    return outcome(
        PlatformPost,
        platform=plat,
        piece_id="p",
        title=draw(st.one_of(st.none(), texts)),
        body=draw(texts),
        parts=tuple(draw(st.lists(texts, max_size=3))),
        tags=tuple(draw(st.lists(tag, max_size=3))),
        links=tuple(draw(st.lists(st.sampled_from(LINKS), max_size=2))),
    )


@fast(40)
@given(
    st.one_of(posts(), pieces(), junk),
    st.one_of(st.none(), platform),
    st.one_of(st.none(), pieces(), junk),
)
@covers("smmkit.content.validate", "smmkit.content.has_errors", "smmkit.content.Violation")
def test_validate(subject: Any, plat: Any, piece: Any) -> None:
    if subject is REFUSED or piece is REFUSED:
        return
    found = outcome(validate, subject, plat, piece=piece)
    if found is REFUSED:
        return
    assert all(isinstance(v, Violation) for v in found)
    ranks = [{"error": 0, "warning": 1, "info": 2}[v.severity.value] for v in found]
    assert ranks == sorted(ranks)
    assert has_errors(found) == any(v.severity is NoteSeverity.ERROR for v in found)


@fast(20)
@given(st.one_of(junk, st.lists(junk, max_size=2)))
@covers("smmkit.content.has_errors")
def test_has_errors_refuses_what_is_not_violations(value: Any) -> None:
    empty = isinstance(value, (tuple, list, set, frozenset)) and not value
    assert outcome(has_errors, value, bad=not empty) in (REFUSED, False)


@fast(30)
@given(st.one_of(posts(), junk))
@covers("smmkit.content.piece_from_post")
def test_piece_from_post(post: Any) -> None:
    if post is REFUSED:
        return
    piece = outcome(piece_from_post, post, bad=not isinstance(post, PlatformPost))
    if piece is not REFUSED:
        assert isinstance(piece, ContentPiece)
        assert piece.links == post.links
        assert piece.tags == post.tags


@fast(40)
@given(
    st.one_of(texts, junk),
    st.one_of(st.none(), platform),
    st.one_of(st.lists(st.one_of(st.just("tea.example.cn"), odd_text), max_size=3), junk),
    st.one_of(st.booleans(), junk),
)
@covers("smmkit.content.check_compliance", "smmkit.content.ComplianceIssue")
def test_check_compliance(text: Any, plat: Any, domains: Any, share: Any) -> None:
    issues = outcome(
        check_compliance,
        text,
        plat,
        bound_domains=domains,
        weibo_share_api=share,
        bad=not isinstance(text, str),
    )
    if issues is REFUSED:
        return
    for issue in issues:
        assert isinstance(issue, ComplianceIssue)
        if issue.start is not None:
            assert issue.end is not None
            assert 0 <= issue.start < issue.end <= len(text)


@fast(15)
@given(anything, st.sampled_from(["x", "weibo", "wechat_oa"]))
@covers("smmkit.content.adapt")
def test_adapt_refuses_what_is_not_content(value: Any, plat: str) -> None:
    outcome(adapt, value, plat, bad=True)
    post = outcome(adapt, ContentPiece(id="p", title="T", body="tea"), plat, now=value)
    assert post is REFUSED or post.platform == plat
