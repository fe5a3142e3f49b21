"""``smmkit ical``: calendar JSON to iCalendar and back."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from smmkit.cli import main
from smmkit.content.calendar import CalendarEntry, ContentCalendar, tea_brand_plan

NOW = datetime(2026, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
def plan_json(tmp_path: Path) -> Path:
    """The tea brand's week, saved as JSON: its times keep offsets, not zone names."""
    path = tmp_path / "plan.json"
    path.write_text(tea_brand_plan(NOW, weeks=1).model_dump_json(), encoding="utf-8")
    return path


def _export(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["ical", *argv, "--now", "2026-05-01T00:00:00Z"]) == 0
    return capsys.readouterr().out


def test_export_to_stdout_and_import_back(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _export(capsys, str(plan_json), "--tz", "Asia/Shanghai")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;TZID=Asia/Shanghai:20260501T150000" in text
    assert "DTSTAMP:20260501T000000Z" in text
    ics = tmp_path / "plan.ics"
    ics.write_bytes(text.encode("utf-8"))
    assert main(["ical", "--import", str(ics)]) == 0
    back = ContentCalendar.model_validate_json(capsys.readouterr().out)
    assert back == ContentCalendar.model_validate_json(plan_json.read_text(encoding="utf-8"))
    assert back.series[0].dtstart.utcoffset() == tea_brand_plan(NOW).series[0].dtstart.utcoffset()


def test_export_and_import_with_files_and_json(
    plan_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ics = tmp_path / "out" / "plan.ics"
    ics.parent.mkdir()
    out = _export(capsys, str(plan_json), "--tz", "Asia/Shanghai", "-o", str(ics), "--name", "茶")
    assert out == f"wrote 11 entries, 2 series, 0 blackouts to {ics}\n"
    raw = ics.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF kept as RFC 5545 wants
    assert "X-WR-CALNAME:茶" in raw.decode("utf-8")
    data = json.loads(_export(capsys, str(plan_json), "--tz", "Asia/Shanghai", "--json"))
    assert {k: data[k] for k in ("direction", "entries", "series", "blackouts", "output")} == {
        "direction": "export",
        "entries": 11,
        "series": 2,
        "blackouts": 0,
        "output": None,
    }
    assert data["ical"] == _export(capsys, str(plan_json), "--tz", "Asia/Shanghai")
    assert "X-WR-CALNAME" not in data["ical"]
    back = tmp_path / "back.json"
    assert main(["--json", "ical", "--import", str(ics), "-o", str(back)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["direction"] == "import" and summary["output"] == str(back)
    assert summary["calendar"] == json.loads(back.read_text(encoding="utf-8"))
    assert main(["ical", "--import", str(ics), "-o", str(back)]) == 0
    assert capsys.readouterr().out == f"wrote 11 entries, 2 series, 0 blackouts to {back}\n"


def test_stdin_both_ways(
    plan_json: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = plan_json.read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    text = _export(capsys, "-", "--tz", "Asia/Shanghai")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    assert main(["ical", "--import", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 11


def test_a_series_from_json_needs_its_zone(
    plan_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ical", str(plan_json)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("smmkit: error: --tz: is needed: series[0].dtstart has only a UTC")
    assert main(["ical", str(plan_json), "--tz", "America/New_York"]) == 1
    assert "America/New_York is UTC-04:00 on 2026-05-01" in capsys.readouterr().err
    assert main(["ical", str(plan_json), "--tz", "Mars/Olympus"]) == 1
    assert "--tz: is not an IANA time zone" in capsys.readouterr().err


def test_entries_alone_export_without_a_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = CalendarEntry(id="a", piece_id="p", platform="x", at=NOW.replace(hour=14))
    path = tmp_path / "one.json"
    path.write_text(ContentCalendar().add(entry).model_dump_json(), encoding="utf-8")
    text = _export(capsys, str(path))
    assert "DTSTART:20260501T140000Z" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ical", "{plan}", "--now", "2026-05-01 09:00"], "--now: needs a UTC offset"),
        (["ical", "{plan}", "--now", "tomorrow"], "--now: is not an ISO 8601 time"),
        (["ical", "{bad}"], "file: is not valid JSON"),
        (["ical", "{ics}"], "file: is not valid JSON"),  # an .ics given without --import
        (["ical", "--import", "{plan}"], "smmkit: error: "),
        (["ical", "--import", "{ics}", "--base", "{bad}"], "--base: is not valid JSON"),
        (["ical", "{plan}", "--tz", "Asia/Shanghai", "-o", "{tmp}/no/dir.ics"], "--output: cannot"),
    ],
)
def test_input_errors_exit_1(
    argv: list[str],
    message: str,
    plan_json: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    ics = tmp_path / "x.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    names = {"{plan}": plan_json, "{bad}": bad, "{ics}": ics, "{tmp}": tmp_path}
    for key, value in names.items():
        argv = [a.replace(key, str(value)) for a in argv]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_import_keeps_the_base_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ContentCalendar().without_window("weibo")
    base_path = tmp_path / "base.json"
    base_path.write_text(base.model_dump_json(), encoding="utf-8")
    ics = tmp_path / "empty.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    assert main(["ical", "--import", str(ics), "--base", str(base_path)]) == 0
    assert ContentCalendar.model_validate_json(capsys.readouterr().out).windows == base.windows


GOOGLE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n"
    "BEGIN:VEVENT\r\nUID:abc@google.com\r\nDTSTAMP:20260401T000000Z\r\n"
    "DTSTART:20260502T090000\r\nSUMMARY:Launch post\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_import_of_another_application_s_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No CATEGORIES and a floating time: --platform and --tz say what the file does not."""
    ics = tmp_path / "google.ics"
    ics.write_text(GOOGLE, encoding="utf-8")
    assert main(["ical", "--import", str(ics)]) == 1
    assert "DTSTART" in capsys.readouterr().err
    argv = ["ical", "--import", str(ics), "--platform", "weibo", "--tz", "Asia/Shanghai"]
    assert main([*argv, "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)["calendar"]["entries"][0]
    assert (entry["platform"], entry["at"]) == ("weibo", "2026-05-02T09:00:00+08:00")
    assert main([*argv[:-1], "Mars/Olympus"]) == 1
    assert "Mars/Olympus" in capsys.readouterr().err
