"""``smmkit platforms``, ``smmkit adapt`` and ``smmkit demo``."""

from __future__ import annotations

import argparse
import io
from typing import Any

import smmkit
from smmkit._render import render_table
from smmkit.cli._io import print_json, read_text
from smmkit.exceptions import InvalidInputError

__all__ = ["add_adapt", "add_demo", "add_platforms"]


def _cmd_platforms(args: argparse.Namespace) -> int:
    specs = smmkit.list_platforms(role=args.role, region=args.region, api_access=args.api)
    if args.json:
        print_json([s.model_dump(mode="json") for s in specs])
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
    text = read_text(args.file)
    if not text.strip():
        raise InvalidInputError.single("text", "is empty: give a file or pipe text to stdin")
    if args.json:
        print_json(_adapt_json(text.strip("\n"), args))
        return 0
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


def _adapt_json(text: str, args: argparse.Namespace) -> dict[str, Any]:
    """What ``adapt --json`` prints: a row per platform, the posts and the refusals."""
    from smmkit._frames import adapt_rows
    from smmkit.content import adapt_all, validate

    piece = smmkit.ContentPiece(id="cli", title=args.title, body=text, tags=tuple(args.tag or ()))
    result = adapt_all(piece, args.platform or None, allow_threads=not args.no_threads)
    found = {p.platform: [v.model_dump(mode="json") for v in validate(p)] for p in result.posts}
    rows = [{**row, "violations": found.get(row["platform"], [])} for row in adapt_rows(result)]
    return {"ok": result.ok, "platforms": rows, **result.model_dump(mode="json")}


def _cmd_demo(args: argparse.Namespace) -> int:
    from smmkit.demo import run_demo

    if not args.json:
        run_demo(seed=args.seed, out=args.out, charts=not args.no_charts)
        return 0
    result = run_demo(seed=args.seed, out=args.out, charts=not args.no_charts, stream=io.StringIO())
    summary = {
        "version": smmkit.__version__,
        "seed": result.seed,
        "sections": result.sections,
        "files": [str(f) for f in result.files],
    }
    print_json(summary, default=str)  # as results.json: dates and decimals as text
    return 0


def add_platforms(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``platforms`` subcommand."""
    p = sub.add_parser("platforms", parents=[common], help="list the platform catalog as a table")
    p.add_argument("--role", help="only platforms with this role (e.g. trust)")
    p.add_argument("--region", help="china or international")
    p.add_argument("--api", help="official, restricted or none")
    p.set_defaults(func=_cmd_platforms)


def add_adapt(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``adapt`` subcommand."""
    a = sub.add_parser(
        "adapt",
        parents=[common],
        help="adapt a text to every platform (or those named) and show the notes",
    )
    a.add_argument("file", nargs="?", help="a UTF-8 text file; '-' or nothing reads stdin")
    a.add_argument(
        "-p", "--platform", action="append", help="a platform id; repeat for several (default: all)"
    )
    a.add_argument("--title", help="the piece's title")
    a.add_argument("-t", "--tag", action="append", help="a topic without '#'; repeat for several")
    a.add_argument("--no-threads", action="store_true", help="truncate instead of threading")
    a.set_defaults(func=_cmd_adapt)


def add_demo(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``demo`` subcommand."""
    d = sub.add_parser(
        "demo", parents=[common], help="run the playbook's tea-brand case on offline data"
    )
    d.add_argument("--seed", type=int, default=7, help="random seed for the synthetic data")
    d.add_argument("--out", help="write a report folder (report.md, results.json, charts/)")
    d.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    d.set_defaults(func=_cmd_demo)
