"""The tea-brand demo: deterministic per seed, writes its report."""

from __future__ import annotations

import io
import json
from pathlib import Path

from smmkit.demo import run_demo
from smmkit.demo._data import make_tea_brand_data


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    a = run_demo(seed=11, out=tmp_path / "a", stream=io.StringIO(), charts=False)
    b = run_demo(seed=11, out=tmp_path / "b", stream=io.StringIO(), charts=False)
    assert a.sections == b.sections
    ra = json.loads((tmp_path / "a" / "results.json").read_text("utf-8"))
    rb = json.loads((tmp_path / "b" / "results.json").read_text("utf-8"))
    assert ra == rb


def test_other_seed_other_numbers_same_shape(tmp_path: Path) -> None:
    a = run_demo(seed=1, stream=io.StringIO(), charts=False)
    b = run_demo(seed=2, stream=io.StringIO(), charts=False)
    assert a.sections != b.sections
    assert _shape(a.sections) == _shape(b.sections)


def test_report_folder(tmp_path: Path) -> None:
    result = run_demo(seed=3, out=tmp_path, stream=io.StringIO(), charts=False)
    report = (tmp_path / "report.md").read_text("utf-8")
    assert report.startswith("# smmkit demo")
    for heading in result.sections:
        assert f"## {heading}" in report
    data = json.loads((tmp_path / "results.json").read_text("utf-8"))
    assert data["seed"] == 3
    assert set(data["sections"]) == set(result.sections)


def test_data_is_seeded_and_aware() -> None:
    one = make_tea_brand_data(5)
    two = make_tea_brand_data(5)
    assert one == two
    assert all(i.at.tzinfo is not None for i in one.interactions[:100])
    assert all(one.baseline_start <= i.at < one.now for i in one.interactions)


def test_notebook_repr() -> None:
    result = run_demo(seed=4, stream=io.StringIO(), charts=False)
    assert "Goal and KPIs" in result._repr_html_()
    assert repr(result).startswith("DemoResult(seed=4")
