"""The ``smmkit`` command over odd command lines and odd files.

``main`` never raises: it returns 0 (success), 1 (an input was rejected, or ``validate``
found errors) or 2 (a malformed command line), and ``--json`` output is JSON.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.properties._support import covers, fast, odd_text, texts

from smmkit.cli import main

FLAGS = {
    "platforms": ["--role", "--region", "--api"],
    "adapt": ["-p", "--platform", "--title", "-t", "--no-threads"],
    "validate": ["-p", "--platform"],
    "ical": ["--import", "--now", "--name", "--tz", "--platform", "--base"],
    "demo": ["--seed", "--no-charts", "--bogus"],
}
VALUES = [
    "x",
    "weibo",
    "myspace",
    "trust",
    "china",
    "none",
    "2026-01-01T00:00:00+08:00",
    "2026-01-01",
    "Asia/Shanghai",
    "-1",
    "1e999",
    "",
]
POST = {"platform": "x", "piece_id": "p", "body": "tea"}
CALENDAR = {
    "entries": [{"id": "e", "piece_id": "p", "platform": "x", "at": "2026-06-01T09:00:00+08:00"}]
}


def _contents() -> st.SearchStrategy[bytes]:
    jsons = st.sampled_from([POST, [POST, {"id": "p", "body": "b"}], CALENDAR, {}, [], 3, None])
    return st.one_of(
        texts.map(lambda t: t.encode("utf-8", "surrogatepass")),
        jsons.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=64),
        st.just(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
    )


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[list[str], bytes]:
    command = draw(st.sampled_from([*FLAGS, "nope", "--version", "-h"]))
    argv = ["--json"] if draw(st.booleans()) else []
    argv.append(command)
    for _ in range(draw(st.integers(0, 4))):
        argv.append(draw(st.sampled_from(FLAGS.get(command, ["--x"]))))
        argv.append(draw(st.one_of(st.sampled_from(VALUES), odd_text)))
    if command == "demo":
        argv.append("--bogus")  # a run takes seconds: only its refusals are tried here
    if command in ("adapt", "validate", "ical"):
        argv.append(draw(st.sampled_from(["IN", "missing.json", "."])))
    if "--json" not in argv and command in FLAGS and draw(st.booleans()):
        argv.insert(1, "--json")
    return [a for a in argv if "\x00" not in a], draw(_contents())


@fast(40)
@given(command_lines())
@covers("smmkit.cli.main")
def test_main_exits_with_a_documented_code(line: tuple[list[str], bytes]) -> None:
    argv, content = line
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "IN").write_bytes(content)
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(
                    [a.replace("IN", str(Path(tmp, "IN"))) if a == "IN" else a for a in argv]
                )
        finally:
            os.chdir(here)
    assert code in (0, 1, 2), (code, err.getvalue())
    if "--json" in argv and code != 2 and "-h" not in argv:
        stream = out.getvalue() if code == 0 else (err.getvalue() or out.getvalue())
        if stream.strip():
            json.loads(stream)


@fast(15)
@given(st.lists(st.one_of(odd_text, st.sampled_from(VALUES)), max_size=4))
@covers("smmkit.cli.main")
def test_main_refuses_what_is_not_a_command_line(argv: list[Any]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main([a for a in argv if "\x00" not in a]) in (0, 1, 2)
        assert main(b"platforms") == 2  # type: ignore[arg-type]
        assert main(7) == 2  # type: ignore[arg-type]
