"""Runner for the tea-brand demo: sections print as they finish, then the report."""

from __future__ import annotations

import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import smmkit
from smmkit.demo._data import check_seed, make_tea_brand_data
from smmkit.demo._report import SectionOutput, write_report
from smmkit.demo._sections import SECTIONS
from smmkit.exceptions import InvalidInputError

__all__ = ["DemoResult", "run_demo"]

TITLE = "smmkit demo: the healthy-tea brand case"


@dataclass
class DemoResult:
    """What the demo computed, section by section, and the files it wrote."""

    seed: int
    sections: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    def __repr__(self) -> str:
        return f"DemoResult(seed={self.seed}, sections={list(self.sections)})"

    def _repr_html_(self) -> str:
        from html import escape

        parts = [f"<h3>{escape(TITLE)} (seed {self.seed})</h3>"]
        for heading, text in self.texts.items():
            parts.append(f"<h4>{escape(heading)}</h4><pre>{escape(text)}</pre>")
        return "".join(parts)


def run_demo(
    *,
    seed: int = 7,
    out: str | Path | None = None,
    stream: TextIO | None = None,
    charts: bool = True,
) -> DemoResult:
    """Run the tea-brand case, print each section to ``stream``, optionally write a report.

    ``out`` names a folder for ``report.md``, ``results.json`` and ``charts/`` (PNG
    charts need the ``plot`` extra). The same ``seed`` gives the same numbers.

    Example:
        >>> import io
        >>> result = run_demo(seed=1, stream=io.StringIO())
        >>> "Goal and KPIs" in result.sections
        True
    """
    _check_arguments(seed, out, stream, charts)
    writer = stream if stream is not None else sys.stdout
    result = DemoResult(seed=seed)
    writer.write(f"{TITLE} (smmkit {smmkit.__version__}, seed {seed})\n")
    started = time.perf_counter()
    data = make_tea_brand_data(seed)
    context: dict[str, Any] = {}
    outputs: list[tuple[str, SectionOutput]] = []
    total = len(SECTIONS)
    for index, (heading, section) in enumerate(SECTIONS, start=1):
        writer.write(f"\n[{index}/{total}] {heading} ...")
        writer.flush()
        tick = time.perf_counter()
        output = section(data, context)
        writer.write(f" done in {time.perf_counter() - tick:.2f}s\n{output.text}\n")
        outputs.append((heading, output))
        result.sections[heading] = output.data
        result.texts[heading] = output.text
    if out is not None:
        files = write_report(Path(out), title=TITLE, seed=seed, sections=outputs, charts=charts)
        result.files = tuple(files)
        writer.write(f"\nReport written to {Path(out) / 'report.md'} ({len(files)} files)\n")
    writer.write(f"\nDone in {time.perf_counter() - started:.1f}s.\n")
    return result


def _check_arguments(seed: object, out: object, stream: object, charts: object) -> None:
    """Refuse malformed arguments before anything runs or prints."""
    check_seed(seed)
    if out is not None and (
        not isinstance(out, (str, os.PathLike)) or not os.fspath(out) or "\0" in str(out)
    ):
        raise InvalidInputError.single(
            "out", "must be a folder path (str or os.PathLike) or None", type(out).__name__
        )
    if stream is not None and (
        isinstance(stream, (io.BufferedIOBase, io.RawIOBase))  # bytes, not text
        or not callable(getattr(stream, "write", None))
        or not callable(getattr(stream, "flush", None))
    ):
        raise InvalidInputError.single(
            "stream",
            "must be a text stream (with write() and flush()) or None",
            type(stream).__name__,
        )
    if not isinstance(charts, bool):
        raise InvalidInputError.single("charts", "must be a bool", type(charts).__name__)
