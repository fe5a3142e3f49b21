"""smmkit.catalog: ids, specs, overrides and catalogs over odd and wrong-typed input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import (
    REFUSED,
    anything,
    covers,
    extreme_ints,
    fast,
    hashable_junk,
    isolated_registries,
    junk,
    odd_text,
    outcome,
    texts,
)
from tests.properties._support import (
    platform_ids as any_platform_id,
)

from smmkit.catalog import (
    Catalog,
    get_platform_spec,
    is_known_platform,
    known_platform_ids,
    list_platforms,
    override_spec,
    platform_ids,
    register_platform_id,
    require_known_platform,
    resolve_platform,
)
from smmkit.exceptions import UnknownPlatformError
from smmkit.models import Platform

SPECS = [get_platform_spec(p) for p in platform_ids()]
catalogs = st.one_of(
    st.none(),
    st.just(Catalog.default()),
    st.lists(st.sampled_from(SPECS), max_size=3, unique_by=lambda s: s.id).map(Catalog),
    junk,
)
ids = st.one_of(any_platform_id(), junk)


@fast(40)
@given(ids, catalogs)
@covers(
    "smmkit.catalog.is_known_platform",
    "smmkit.catalog.known_platform_ids",
    "smmkit.catalog.require_known_platform",
    "smmkit.catalog.platform_ids",
)
def test_known_ids_agree(platform_id: Any, catalog: Any) -> None:
    bad_catalog = catalog is not None and not isinstance(catalog, Catalog)
    known = outcome(is_known_platform, platform_id, catalog, bad=bad_catalog)
    every = outcome(known_platform_ids, catalog, bad=bad_catalog)
    required = outcome(require_known_platform, platform_id, catalog=catalog, bad=bad_catalog)
    if bad_catalog:
        return
    assert set(platform_ids()) <= set(every)
    assert known == (platform_id in every)
    assert (required is not REFUSED) == known
    if known:
        assert required == platform_id


@fast(40)
@given(ids, catalogs, st.one_of(st.none(), st.dictionaries(odd_text, anything, max_size=2), junk))
@covers("smmkit.catalog.get_platform_spec", "smmkit.catalog.resolve_platform")
def test_get_platform_spec(platform_id: Any, catalog: Any, overrides: Any) -> None:
    spec = outcome(get_platform_spec, platform_id, overrides=overrides, catalog=catalog)
    if spec is not REFUSED:
        assert isinstance(spec, Platform)
        assert spec.id == platform_id
    resolved = outcome(resolve_platform, platform_id, catalog=catalog)
    if resolved is not REFUSED:
        assert resolved.id == platform_id


@fast(30)
@given(any_platform_id())
@covers("smmkit.catalog.get_platform_spec")
def test_unknown_ids_list_the_known_ones(platform_id: str) -> None:
    if is_known_platform(platform_id):
        assert get_platform_spec(platform_id).id == platform_id
        return
    with pytest.raises(UnknownPlatformError) as info:
        get_platform_spec(platform_id)
    assert "weibo" in info.value.known
    assert info.value.platform_id == platform_id


LIMITS = ["text.max_length", "title", "media.max_items", "max_hashtags", "title_required"]


@fast(40)
@given(
    st.sampled_from(SPECS),
    st.dictionaries(
        st.one_of(st.sampled_from(LIMITS), odd_text, hashable_junk),
        st.one_of(extreme_ints, st.booleans(), anything),
        max_size=3,
    ),
    st.one_of(st.just("user override"), texts, junk),
    st.one_of(st.none(), st.dates(), junk),
)
@covers("smmkit.catalog.override_spec")
def test_override_spec(spec: Platform, changes: Any, source: Any, as_of: Any) -> None:
    new = outcome(override_spec, spec, changes, source=source, as_of=as_of)
    if new is REFUSED:
        return
    assert isinstance(new, Platform)
    assert new.id == spec.id or "id" in changes
    assert get_platform_spec(spec.id) == spec  # the original is untouched


@fast(30)
@given(st.one_of(st.lists(st.sampled_from(SPECS), max_size=4), junk, st.lists(junk, max_size=2)))
@covers("smmkit.catalog.Catalog")
def test_catalog_holds_each_spec_once(specs: Any) -> None:
    with isolated_registries():
        catalog = outcome(Catalog, specs)
        if catalog is REFUSED:
            return
        assert len(catalog) == len({s.id for s in specs}) == len(specs)
        for spec in specs:
            assert catalog[spec.id] == spec
            assert is_known_platform(spec.id, catalog)
        assert outcome(catalog.__getitem__, "myspace") is REFUSED
        mine = catalog.with_spec(SPECS[0])
        assert SPECS[0].id in mine


@fast(30)
@given(
    st.one_of(st.none(), st.sampled_from(["brand", "private_domain", "nope"]), junk),
    st.one_of(st.none(), st.sampled_from(["cn", "global", "mars"]), junk),
    st.one_of(st.none(), st.sampled_from(["none", "full", "partial"]), junk),
    st.one_of(st.none(), st.sampled_from(["text", "video", "article"]), junk),
    catalogs,
)
@covers("smmkit.catalog.list_platforms")
def test_list_platforms(role: Any, region: Any, access: Any, fmt: Any, catalog: Any) -> None:
    found = outcome(
        list_platforms,
        role=role,
        region=region,
        api_access=access,
        content_format=fmt,
        catalog=catalog,
    )
    if found is not REFUSED:
        assert [s.id for s in found] == sorted(s.id for s in found)
        assert all(isinstance(s, Platform) for s in found)


@fast(20)
@given(st.one_of(odd_text, junk))
@covers("smmkit.catalog.register_platform_id")
def test_register_platform_id(platform_id: Any) -> None:
    with isolated_registries():
        done = outcome(register_platform_id, platform_id)
        if done is REFUSED:
            assert not isinstance(platform_id, str) or not platform_id.strip()
        else:
            assert is_known_platform(platform_id)
            assert platform_id in known_platform_ids()


@pytest.mark.parametrize("empty", [Catalog([])])
def test_an_empty_catalog_is_not_the_default(empty: Catalog) -> None:
    assert list_platforms(catalog=empty) == ()
    assert outcome(get_platform_spec, "x", catalog=empty) is REFUSED
