"""``smmkit ical``: a calendar's JSON to iCalendar, and ``--import`` back."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smmkit._frames import utc_offset, zone_name
from smmkit.cli._io import (
    UsageError,
    parse_time,
    print_json,
    read_json,
    read_text,
    write_output,
    write_stdout,
)
from smmkit.content.calendar._recurrence import is_zone_key
from smmkit.exceptions import InvalidInputError

if TYPE_CHECKING:  # imported when the command runs: `smmkit platforms` stays quick
    from smmkit.content.calendar import ContentCalendar

__all__ = ["add_ical", "apply_zone"]


def _named(moment: datetime) -> bool:
    return isinstance(getattr(moment.tzinfo, "key", None), str)


def _zone(name: str) -> tzinfo:
    try:
        if not is_zone_key(name):
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise InvalidInputError.single("--tz", "is not an IANA time zone", name) from None


def apply_zone(calendar: ContentCalendar, tz: str | None) -> ContentCalendar:
    """``calendar`` with its offset-only times (as JSON stores them) put in zone ``tz``.

    JSON keeps each time's UTC offset, not its zone's name, and a recurring series'
    RRULE runs on a named zone's wall clock: without ``tz`` a series read from JSON is
    an error naming ``--tz``. A series whose offset differs from ``tz``'s at its start
    is refused; entries keep their instant whatever ``tz`` is.

    Example:
        >>> from datetime import timedelta
        >>> from smmkit.content.calendar import CalendarEntry, ContentCalendar
        >>> e = CalendarEntry(id="a", piece_id="p", platform="weibo",
        ...     at=datetime(2026, 6, 1, 15, tzinfo=timezone(timedelta(hours=8))))
        >>> apply_zone(ContentCalendar().add(e), "Asia/Shanghai").entries[0].at.tzinfo
        zoneinfo.ZoneInfo(key='Asia/Shanghai')
    """
    if tz is None:
        for i, s in enumerate(calendar.series):
            if not _named(s.dtstart):
                raise InvalidInputError.single(
                    "--tz",
                    f"is needed: series[{i}].dtstart has only a UTC offset (JSON keeps no "
                    "zone names); name the zone its rule runs in, e.g. --tz Asia/Shanghai",
                    zone_name(s.dtstart),
                )
        return calendar
    local = _zone(tz)

    def named(value: datetime) -> datetime:
        return value if _named(value) else value.astimezone(local)

    def conv(value: datetime | None) -> datetime | None:
        return None if value is None else named(value)

    series = []
    for i, s in enumerate(calendar.series):
        start = named(s.dtstart)
        if start.utcoffset() != s.dtstart.utcoffset():
            raise InvalidInputError.single(
                "--tz",
                f"does not match series[{i}].dtstart: {tz} is UTC{utc_offset(start)} "
                f"on {start.date()}, the series starts at UTC{utc_offset(s.dtstart)}",
                tz,
            )
        series.append(s.model_copy(update={"dtstart": start}))
    entries = [
        e.model_copy(
            update={
                "at": named(e.at),
                "occurrence": conv(e.occurrence),
                "requested_at": conv(e.requested_at),
            }
        )
        for e in calendar.entries
    ]
    return calendar.model_copy(update={"series": tuple(series), "entries": tuple(entries)})


def _counts(calendar: ContentCalendar) -> dict[str, int]:
    return {
        "entries": len(calendar.entries),
        "series": len(calendar.series),
        "blackouts": len(calendar.blackouts),
    }


def _said(counts: dict[str, int]) -> str:
    return (
        f"{counts['entries']} entries, {counts['series']} series, {counts['blackouts']} blackouts"
    )


def _load_calendar(path: str | None, field: str) -> ContentCalendar:
    from smmkit.content.calendar import ContentCalendar

    return ContentCalendar.model_validate(read_json(path, field=field))


def _export(args: argparse.Namespace) -> int:
    now = parse_time(args.now, "--now") if args.now else datetime.now(timezone.utc)
    calendar = apply_zone(_load_calendar(args.file, "file"), args.tz)
    text = calendar.to_ical(now=now.replace(microsecond=0), name=args.name)
    counts = _counts(calendar)
    if args.output:
        write_output(args.output, text)
    if args.json:
        print_json({"direction": "export", **counts, "output": args.output, "ical": text})
    elif args.output:
        print(f"wrote {_said(counts)} to {args.output}")
    else:
        write_stdout(text)
    return 0


def _import(args: argparse.Namespace) -> int:
    for name in ("now", "name"):
        if getattr(args, name) is not None:
            raise UsageError(f"--{name} applies to export, not to --import")
    from smmkit.content.calendar import ContentCalendar

    base = _load_calendar(args.base, "--base") if args.base else None
    options: dict[str, str] = {}  # only those given: the reader's own defaults otherwise
    if args.tz is not None:
        options["tz"] = args.tz
    if args.platform is not None:
        options["platform"] = args.platform
    calendar = ContentCalendar.from_ical(read_text(args.file), base=base, **options)
    data = json.loads(calendar.model_dump_json())
    counts = _counts(calendar)
    if args.output:
        write_output(args.output, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if args.json:
        print_json({"direction": "import", **counts, "output": args.output, "calendar": data})
    elif args.output:
        print(f"wrote {_said(counts)} to {args.output}")
    else:
        print_json(data)
    return 0


def _cmd_ical(args: argparse.Namespace) -> int:
    if not args.import_:
        for name in ("base", "platform"):
            if getattr(args, name) is not None:
                raise UsageError(f"--{name} applies to --import, not to export")
    return _import(args) if args.import_ else _export(args)


def add_ical(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``ical`` subcommand."""
    c = sub.add_parser(
        "ical",
        parents=[common],
        help="a calendar's JSON to iCalendar (.ics), or --import an .ics to calendar JSON",
        description=(
            "Export a content calendar, written as JSON (ContentCalendar.model_dump_json()), "
            "to an RFC 5545 iCalendar document, or --import an .ics file to calendar JSON."
        ),
    )
    c.add_argument(
        "file", nargs="?", help="calendar JSON (or .ics with --import); '-' or nothing: stdin"
    )
    c.add_argument(
        "--import",
        dest="import_",
        action="store_true",
        help="read an .ics file and print the calendar as JSON",
    )
    c.add_argument("-o", "--output", help="write to this file instead of stdout")
    c.add_argument("--now", help="the DTSTAMP, ISO 8601 with offset (default: the current time)")
    c.add_argument("--name", help="the calendar's display name (X-WR-CALNAME)")
    c.add_argument(
        "--tz",
        help="an IANA zone (e.g. Asia/Shanghai): on export, the zone of times the JSON holds "
        "as bare UTC offsets; with --import, the zone of all-day dates and floating times",
    )
    c.add_argument("--platform", help="with --import: the platform of events without CATEGORIES")
    c.add_argument(
        "--base", help="with --import: calendar JSON whose windows and spacing rules to keep"
    )
    c.set_defaults(func=_cmd_ical)
