"""The emoji and TLD tables are exactly what scripts/gen_text_data.py generates."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_text_data.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_text_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source() -> Path:
    try:
        version = importlib.metadata.version("twitter-text-parser")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("the tables' source, twitter-text-parser 3.0.0, is not installed")
    if version != "3.0.0":
        pytest.skip(f"the tables come from twitter-text-parser 3.0.0, not {version}")
    source = _generator().default_source()
    assert source is not None
    return Path(source)


def test_regenerating_gives_the_checked_in_file() -> None:
    generated = _generator().render(_source())
    checked_in = (ROOT / "src" / "smmkit" / "text" / "_data.py").read_text(encoding="utf-8")
    assert generated == checked_in, "run: python scripts/gen_text_data.py"


def test_the_tables_are_what_the_header_says() -> None:
    from smmkit.text import _data

    source = _source()
    assert _data.__doc__ is not None and "GENERATED" in _data.__doc__
    gen = _generator()
    emoji = gen.emoji_codepoints((source / "emoji-test.txt").read_text(encoding="utf-8"))
    assert len(_data.EMOJI_SINGLES) + len(_data.EMOJI_SEQUENCES) == len(
        {tuple(cps) for cps in emoji}
    )
    assert "\U0001f600" in _data.EMOJI_SINGLES  # grinning face
    assert "\U0001f3fb" not in _data.EMOJI_SINGLES  # a skin tone alone: Component group
    assert _data.GENERIC_TLDS[-1] == "onion" and "com" in _data.GENERIC_TLDS
    assert "cn" in _data.COUNTRY_TLDS and "中国" in _data.COUNTRY_TLDS
