"""The ``smmkit`` command: the catalog as a table, adaptation, and the demo."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import smmkit
from smmkit._render import render_table
from smmkit.exceptions import InvalidInputError, SmmkitError

__all__ = ["main"]


def _cmd_platforms(args: argparse.Namespace) -> int:
    specs = smmkit.list_platforms(role=args.role, region=args.region, api_access=args.api)
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in specs], ensure_ascii=False, indent=1))
        return 0
    rows = []
    for s in specs:
        text = s.text.max_length
        limit = f"{text.value:g}" if text else "-"
        if s.text.max_bytes and s.text.counting.value == "graphemes_and_bytes":
            limit += f" / {s.text.max_bytes.value:g} B"
        rows.append(
            [
                s.id,
                s.name_zh or s.name_en,
                ",".join(r.value for r in s.roles),
                s.text.counting.value,
                limit,
                f"{s.title.value:g}" if s.title else "-",
                f"{s.media.max_items.value:g}" if s.media.max_items else "-",
                s.api_access.value,
            ]
        )
    print(
        render_table(
            ["id", "name", "roles", "counting", "text", "title", "media", "api"],
            rows,
            align=["left", "left", "left", "left", "right", "right", "right", "left"],
        )
    )
    return 0


def _cmd_adapt(args: argparse.Namespace) -> int:
    from smmkit.content import render_adaptations

    for platform in args.platform or ():
        smmkit.get_platform_spec(platform)  # an unknown id is an error, before any work
    if args.file in (None, "-"):
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError.single(
                "file", f"cannot be read: {exc.strerror}", args.file
            ) from None
    if not text.strip():
        raise InvalidInputError.single("text", "is empty: give a file or pipe text to stdin")
    print(
        render_adaptations(
            text.strip("\n"),
            args.platform or None,
            title=args.title,
            tags=args.tag or (),
            allow_threads=not args.no_threads,
        ),
        end="",
    )
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from smmkit.demo import run_demo

    run_demo(seed=args.seed, out=args.out, charts=not args.no_charts)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smmkit",
        description="Enterprise social-media management toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"smmkit {smmkit.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("platforms", help="list the platform catalog as a table")
    p.add_argument("--role", help="only platforms with this role (e.g. trust)")
    p.add_argument("--region", help="china or international")
    p.add_argument("--api", help="official, restricted or none")
    p.add_argument("--json", action="store_true", help="print the full specs as JSON")
    p.set_defaults(func=_cmd_platforms)

    a = sub.add_parser(
        "adapt", help="adapt a text to every platform (or those named) and show the notes"
    )
    a.add_argument("file", nargs="?", help="a UTF-8 text file; '-' or nothing reads stdin")
    a.add_argument(
        "-p", "--platform", action="append", help="a platform id; repeat for several (default: all)"
    )
    a.add_argument("--title", help="the piece's title")
    a.add_argument("-t", "--tag", action="append", help="a topic without '#'; repeat for several")
    a.add_argument("--no-threads", action="store_true", help="truncate instead of threading")
    a.set_defaults(func=_cmd_adapt)

    d = sub.add_parser("demo", help="run the playbook's tea-brand case on offline data")
    d.add_argument("--seed", type=int, default=7, help="random seed for the synthetic data")
    d.add_argument("--out", help="write a report folder (report.md, results.json, charts/)")
    d.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    d.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smmkit`` command; returns the exit code.

    Example:
        >>> main(["platforms", "--role", "private_domain"])  # doctest: +ELLIPSIS
        id ...
        0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        code: int = args.func(args)
    except SmmkitError as exc:
        print(f"smmkit: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`smmkit demo | head`): not an error. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
