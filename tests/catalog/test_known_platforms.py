"""Which platform ids are known: the catalog, with_spec overrides, plugins, registrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smmkit.catalog import (
    Catalog,
    is_known_platform,
    known_platform_ids,
    platform_ids,
    register_platform_id,
    require_known_platform,
)
from smmkit.exceptions import InvalidInputError, UnknownPlatformError


def test_every_catalog_id_is_known() -> None:
    for pid in platform_ids():
        assert is_known_platform(pid)
        assert require_known_platform(pid) == pid
    assert set(platform_ids()) <= set(known_platform_ids())


@pytest.mark.parametrize("bad", ["myspace", "Weibo", " weibo", "", "x ", 3, None, b"x"])
def test_unknown_ids_and_non_strings_are_not_known(bad: object) -> None:
    assert not is_known_platform(bad)
    with pytest.raises(InvalidInputError) as info:
        require_known_platform(bad, field="platforms.2")
    assert info.value.fields == ("platforms.2",)
    if isinstance(bad, str):
        assert isinstance(info.value, UnknownPlatformError)
        assert "weibo" in info.value.known
        assert "known ids: " in str(info.value)


def test_a_with_spec_override_makes_its_id_known() -> None:
    base = Catalog.default()
    forum = base["mastodon"].model_copy(update={"id": "issue15_forum_with_spec"})
    assert not is_known_platform("issue15_forum_with_spec")
    mine = base.with_spec(forum)
    assert is_known_platform("issue15_forum_with_spec", catalog=mine)
    # ...and everywhere else: models have no catalog argument
    assert is_known_platform("issue15_forum_with_spec")
    assert "issue15_forum_with_spec" in known_platform_ids()


def test_register_platform_id_by_hand() -> None:
    assert not is_known_platform("issue15_offline_store")
    register_platform_id("issue15_offline_store")
    assert is_known_platform("issue15_offline_store")
    for bad in ("", "  ", 5):
        with pytest.raises(InvalidInputError) as info:
            register_platform_id(bad)  # type: ignore[arg-type]
        assert info.value.fields == ("platform_id",)


def test_registering_an_adapter_makes_its_ids_known() -> None:
    from smmkit.platforms import PlatformRegistry, register_platform

    assert not is_known_platform("issue15_plugin")
    register_platform("issue15_plugin", "smmkit.platforms.sandbox:SandboxAdapter")
    assert is_known_platform("issue15_plugin")
    registry = PlatformRegistry(entry_point_group=None)
    registry.register("issue15_private_registry", "smmkit.platforms.sandbox:SandboxAdapter")
    assert is_known_platform("issue15_private_registry")


def test_installed_entry_points_are_known_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert is_known_platform("sandbox")  # smmkit's own entry points
    dist = tmp_path / "smmkit_issue15_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: smmkit-issue15-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[smmkit.platforms]\nissue15_ep = smmkit.platforms.sandbox:SandboxAdapter\n"
    )
    assert not is_known_platform("issue15_ep")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert is_known_platform("issue15_ep")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_string_is_either_known_or_refused_with_the_list(text: str) -> None:
    if is_known_platform(text):
        assert require_known_platform(text) == text
        return
    with pytest.raises(UnknownPlatformError) as info:
        require_known_platform(text)
    assert info.value.platform_id == text
    assert info.value.known == known_platform_ids()
