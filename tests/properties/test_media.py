"""smmkit.platforms: one retry budget per publish, media loaders that read no file outside
their base directory, and media downloads that carry no token (#16 items 3 and 4)."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from tests.properties._support import (
    MEDIA_URLS,
    REFUSED,
    attempt,
    covers,
    extreme_floats,
    extreme_ints,
    fast,
    junk,
    outcome,
    retry_policies,
    texts,
    zero_clock,
)


@fast(40)
@given(retry_policies(), st.none() | st.floats(0, 1000), st.lists(st.floats(0, 500), max_size=12))
@covers("smmkit.platforms.RetryBudget")
def test_a_retry_budget_never_allows_more_than_configured(
    policy: Any, deadline: float | None, waits: list[float]
) -> None:
    from smmkit.platforms import RetryBudget

    clock = [0.0]
    budget = RetryBudget(policy, now=lambda: clock[0], deadline=deadline)
    granted: list[float] = []
    refused = False
    for wait in waits:
        ok = budget.take(wait)
        if refused:
            assert not ok, "a spent budget granted a retry"
        if ok:
            granted.append(wait)
            clock[0] += wait
        refused = refused or not ok
    assert len(granted) == budget.retries_used <= policy.max_attempts - 1
    assert sum(granted) <= policy.max_total_wait
    assert deadline is None or clock[0] <= deadline
    remaining = budget.remaining()
    assert (remaining is None) == (deadline is None)
    assert remaining is None or remaining >= 0


@fast(20)
@given(st.lists(st.one_of(extreme_floats, extreme_ints, junk, st.floats(0, 100)), max_size=6))
@example([math.nan, 1000.0])
@covers("smmkit.platforms.RetryBudget")
def test_a_retry_budget_refuses_malformed_waits(waits: list[Any]) -> None:
    from smmkit.platforms import RetryPolicy

    budget = RetryPolicy(max_attempts=5, max_total_wait=10).budget(now=zero_clock)
    for wait in waits:
        attempt(budget.take, wait)
    assert budget.retries_used <= 4
    assert budget.waited <= 10  # False when waited is NaN


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """root/secret.txt outside, root/base/ inside with files, a FIFO and escaping links."""
    root = tmp_path_factory.mktemp("media")
    (root / "secret.txt").write_bytes(b"SECRET-OUTSIDE")
    base = root / "base"
    (base / "sub").mkdir(parents=True)
    (base / "inside.png").write_bytes(b"INSIDE")
    (base / "sub" / "deep.png").write_bytes(b"DEEP")
    (base / "link").symlink_to(root / "secret.txt")
    (base / "dirlink").symlink_to(root)
    (base / "sub" / "ok").symlink_to(base / "inside.png")
    if hasattr(os, "mkfifo"):
        os.mkfifo(base / "fifo")
    return root


_INSIDE = {b"INSIDE", b"DEEP"}
_PATHS = [
    "inside.png",
    "sub/deep.png",
    "sub/ok",
    "./sub/../inside.png",
    "../secret.txt",
    "link",
    "dirlink/secret.txt",
    "dirlink/base/inside.png",
    "sub/../../secret.txt",
    "%2e%2e/secret.txt",
    "..%2Fsecret.txt",
    "%2F..%2Fsecret.txt",
    "fifo",
    "sub",
    ".",
    "",
    "\x00",
    "\ud800",
]


@fast(60)
@given(
    st.one_of(
        st.sampled_from(_PATHS),
        st.lists(st.sampled_from([*_PATHS, "..", "//", "~"]), max_size=4).map("/".join),
        texts,
        junk,
    ),
    st.sampled_from(["read", "resolve", "call", "call-prefix"]),
)
@covers("smmkit.platforms.LocalMediaLoader")
def test_local_media_never_leaves_base_dir(media_root: Path, path: Any, how: str) -> None:
    from smmkit.models import MediaAsset
    from smmkit.platforms import LocalMediaLoader

    prefix = "https://cdn.example.com/media/"
    base = media_root / "base"
    loader = LocalMediaLoader(base, url_prefix=prefix if how == "call-prefix" else None)
    if how == "resolve":
        resolved = outcome(loader.resolve, path, bad=not isinstance(path, (str, os.PathLike)))
        if resolved is not REFUSED:
            assert resolved == base.resolve() or resolved.is_relative_to(base.resolve())
        return
    if how == "read":
        data = outcome(loader.read, path, bad=not isinstance(path, (str, os.PathLike)))
    else:
        if not isinstance(path, str):
            return
        asset = attempt(MediaAsset, kind="image", url=prefix + path)
        if asset is REFUSED:
            return
        data = attempt(loader, asset)
    assert data is REFUSED or data in _INSIDE, f"read {data!r:.60} from outside {base}"


@fast(30)
@given(
    st.dictionaries(st.sampled_from(MEDIA_URLS), st.binary(max_size=8), max_size=3),
    st.one_of(st.sampled_from(MEDIA_URLS), junk),
)
@covers("smmkit.platforms.InMemoryMediaLoader")
def test_in_memory_media_serves_exactly_what_it_holds(held: dict[str, bytes], url: Any) -> None:
    from smmkit.exceptions import MediaSourceError
    from smmkit.models import MediaAsset
    from smmkit.platforms import InMemoryMediaLoader

    loader = InMemoryMediaLoader(held)
    if not isinstance(url, str):
        outcome(loader, url, bad=True)
        return
    asset = attempt(MediaAsset, kind="image", url=url)
    if asset is REFUSED:
        return
    if url in held:
        assert loader(asset) == held[url]
    else:
        with pytest.raises(MediaSourceError):
            loader(asset)


def _step_load_media(asset: Any, loader: Any, spec: Any = None) -> Any:
    """The first step of ``load_media``: a request to download, or the loader's bytes."""
    from smmkit.platforms import load_media

    flow = load_media(asset, loader, spec=spec)
    try:
        return next(flow)
    except StopIteration as done:
        return done.value


def _assets() -> st.SearchStrategy[Any]:
    from smmkit.models import MediaAsset

    return st.builds(
        lambda kind, url: attempt(MediaAsset, kind=kind, url=url),
        st.sampled_from(["image", "video", "gif"]),
        st.one_of(st.sampled_from(MEDIA_URLS), texts.map(lambda t: "https://h.example/" + t)),
    ).filter(lambda a: a is not REFUSED)


@fast(30)
@given(
    st.one_of(_assets(), junk),
    st.sampled_from(["none", "memory", "empty"]),
    st.one_of(st.none(), st.sampled_from(["x", "mastodon", "linkedin"])),
)
@covers("smmkit.platforms.load_media")
def test_load_media_downloads_without_the_token_or_uses_the_loader(
    asset: Any, which: str, platform: str | None
) -> None:
    from smmkit.catalog import get_platform_spec
    from smmkit.models import MediaAsset
    from smmkit.platforms import InMemoryMediaLoader

    spec = None if platform is None else get_platform_spec(platform)
    loader = {"none": None, "empty": InMemoryMediaLoader({}), "memory": None}[which]
    if which == "memory" and isinstance(asset, MediaAsset):
        loader = InMemoryMediaLoader({asset.url: b"held"})
    step = outcome(_step_load_media, asset, loader, spec, bad=not isinstance(asset, MediaAsset))
    if step is REFUSED:
        return
    if loader is None:
        assert isinstance(step, httpx.Request)
        assert step.method == "GET"
        assert str(step.url) == str(httpx.URL(asset.url))
        assert "authorization" not in step.headers
    else:
        assert step == b"held"


@fast(20)
@given(_assets(), st.one_of(junk, st.just("x")), st.one_of(st.none(), junk))
@example(None, "x", None)
@covers("smmkit.platforms.load_media")
def test_load_media_refuses_wrong_types(asset: Any, loader: Any, spec: Any) -> None:
    from smmkit.models import MediaAsset

    asset = asset or MediaAsset(kind="image", url=MEDIA_URLS[0])
    outcome(_step_load_media, asset, loader, spec, bad=loader is not None or spec is not None)
