"""The registry: lazy dotted paths, entry points read on first lookup, install hints."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from smmkit.exceptions import InvalidInputError, MissingExtraError, UnknownPlatformError
from smmkit.platforms import (
    ENTRY_POINT_GROUP,
    PlatformRegistry,
    SandboxAdapter,
    available_platforms,
    get_platform,
)
from smmkit.platforms.sandbox import SandboxReadBackAdapter


def test_builtins() -> None:
    assert {"sandbox", "sandbox_read_back"} <= set(available_platforms())
    assert get_platform("sandbox") is SandboxAdapter
    assert get_platform("sandbox_read_back") is SandboxReadBackAdapter


def test_register_class_or_path_and_clobber() -> None:
    registry = PlatformRegistry(entry_point_group=None)
    registry.register("mine", SandboxAdapter)
    registry.register("mine", SandboxAdapter)  # the same target again is fine
    with pytest.raises(InvalidInputError, match="clobber"):
        registry.register("mine", "smmkit.platforms.sandbox:SandboxReadBackAdapter")
    registry.register("mine", "smmkit.platforms.sandbox:SandboxReadBackAdapter", clobber=True)
    assert registry.get("mine") is SandboxReadBackAdapter
    registry.register("dotted", "smmkit.platforms.sandbox.SandboxAdapter")
    assert registry.get("dotted") is SandboxAdapter


@pytest.mark.parametrize(
    "target", ["", "no-colon", 42, str, "smmkit.platforms.sandbox:SandboxPlatform"]
)
def test_bad_targets(target: object) -> None:
    registry = PlatformRegistry(entry_point_group=None)

    def register_and_get() -> None:
        registry.register("bad", target)  # type: ignore[arg-type]
        registry.get("bad")

    with pytest.raises(InvalidInputError):
        register_and_get()


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPlatformError, match="sandbox"):
        get_platform("myspace")


def test_missing_dependency_names_the_extra() -> None:
    registry = PlatformRegistry(entry_point_group=None)
    registry.register("wechat_oa", "smmkit_missing_module_xyz:WeChat", extra="crypto")
    with pytest.raises(MissingExtraError, match=r"smmkit\[crypto\]"):
        registry.get("wechat_oa")


def test_entry_points_are_read_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "smmkit_demo_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: smmkit-demo-plugin\nVersion: 1.0\n"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\ndemo = smmkit.platforms.sandbox:SandboxReadBackAdapter\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = PlatformRegistry()
    assert "entry points not yet read" in repr(registry)
    assert registry.get("demo") is SandboxReadBackAdapter
    assert "demo" in registry.available()
    assert "loaded" in repr(registry)


def test_import_smmkit_reads_no_entry_points() -> None:
    code = textwrap.dedent(
        """
        import smmkit, smmkit.platforms
        from smmkit.platforms import _registry
        print(_registry._default._loaded_entry_points)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
