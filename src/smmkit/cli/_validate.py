"""``smmkit validate``: check posts or pieces, written as JSON, against platforms."""

from __future__ import annotations

import argparse
from typing import Any

from smmkit.catalog import get_platform_spec
from smmkit.cli._io import print_json, read_json
from smmkit.exceptions import FieldProblem, InvalidInputError
from smmkit.models import ContentPiece, NoteSeverity, PlatformPost

__all__ = ["add_validate", "load_targets"]

Target = tuple[str, PlatformPost | ContentPiece]


def load_targets(data: Any) -> list[Target]:
    """The posts and pieces in a JSON value, each with where it stands (``[2]``).

    The value is one object or a list of them; an object with ``platform`` is a
    :class:`~smmkit.models.PlatformPost`, any other a :class:`~smmkit.models.ContentPiece`.
    An object with a ``posts`` list (what ``smmkit adapt --json`` prints) stands for its
    posts.

    Example:
        >>> [(where, type(item).__name__) for where, item in load_targets(
        ...     [{"id": "p1", "body": "hi"}, {"platform": "x", "piece_id": "p1", "body": "hi"}])]
        [('[0]', 'ContentPiece'), ('[1]', 'PlatformPost')]
    """
    if isinstance(data, dict) and isinstance(data.get("posts"), list):
        data = data["posts"]
    raw = (
        [(f"[{i}]", item) for i, item in enumerate(data)]
        if isinstance(data, list)
        else [("", data)]
    )
    if not raw:
        raise InvalidInputError.single("input", "holds no post or piece")
    targets: list[Target] = []
    for where, item in raw:
        if not isinstance(item, dict):
            raise InvalidInputError.single(
                f"input{where}", "must be a JSON object (a post or a piece)", type(item).__name__
            )
        model: type[PlatformPost] | type[ContentPiece] = (
            PlatformPost if "platform" in item else ContentPiece
        )
        try:
            targets.append((where, model.model_validate(item)))
        except InvalidInputError as exc:
            if not where:
                raise
            problems = [
                FieldProblem(f"input{where}.{p.field}", p.problem, p.value) for p in exc.problems
            ]
            raise InvalidInputError(problems, model=exc.model) from None
    return targets


def _check(targets: list[Target], platforms: list[str]) -> list[dict[str, Any]]:
    from smmkit.content import has_errors, validate

    results: list[dict[str, Any]] = []
    for where, item in targets:
        if isinstance(item, PlatformPost):
            kind, item_id, chosen = "post", item.piece_id, platforms or [item.platform]
        else:
            kind, item_id, chosen = "piece", item.id, platforms
            if not chosen:
                raise InvalidInputError.single(
                    "--platform",
                    f"is required to validate a piece (input{where} is an object without "
                    "'platform')",
                )
        for platform in chosen:
            found = validate(item, platform)
            results.append(
                {
                    "input": where or None,
                    "kind": kind,
                    "id": item_id,
                    "platform": get_platform_spec(platform).id,
                    "ok": not has_errors(found),
                    "violations": [v.model_dump(mode="json") for v in found],
                }
            )
    return results


def _count(results: list[dict[str, Any]], severity: NoteSeverity) -> int:
    return sum(v["severity"] == severity.value for r in results for v in r["violations"])


def _tally(results: list[dict[str, Any]]) -> str:
    """``1 error, 2 warnings``: the non-zero counts, or an empty string."""
    said = []
    for severity, word in ((NoteSeverity.ERROR, "error"), (NoteSeverity.WARNING, "warning")):
        n = _count(results, severity)
        if n:
            said.append(f"{n} {word}{'' if n == 1 else 's'}")
    n = _count(results, NoteSeverity.INFO)
    if n:
        said.append(f"{n} info")
    return ", ".join(said)


def _cmd_validate(args: argparse.Namespace) -> int:
    platforms: list[str] = list(args.platform or ())
    for platform in platforms:
        get_platform_spec(platform)  # an unknown id is an error, before any work
    results = _check(load_targets(read_json(args.file)), platforms)
    errors, warnings = _count(results, NoteSeverity.ERROR), _count(results, NoteSeverity.WARNING)
    ok = all(r["ok"] for r in results)
    if args.json:
        print_json({"ok": ok, "errors": errors, "warnings": warnings, "results": results})
        return 0 if ok else 1
    for r in results:
        head = f"{r['platform']}: {r['kind']} {r['id']}"
        if r["input"]:
            head = f"{r['input']} {head}"
        print(f"{head}: {_tally([r]) or 'ok'}")
        for v in r["violations"]:
            print(f"  {v['severity']}: {v['code']} ({v['field']}): {v['message']}")
    if len(results) > 1:
        print(f"{len(results)} checks: {_tally(results) or 'ok'}")
    return 0 if ok else 1


def add_validate(sub: Any, common: argparse.ArgumentParser) -> None:
    """The ``validate`` subcommand."""
    v = sub.add_parser(
        "validate",
        parents=[common],
        help="check a post or piece (JSON) against platforms; exit 1 when it has errors",
        description=(
            "Check a post or a piece written as JSON against a platform's rules. A JSON "
            "object with 'platform' is a post (checked against its own platform unless -p "
            "says otherwise); any other is a piece (give -p). A list checks each item; "
            "the output of 'smmkit adapt --json' checks its posts. Exit 0 when nothing is "
            "an error (warnings allowed), 1 otherwise."
        ),
    )
    v.add_argument("file", nargs="?", help="a UTF-8 JSON file; '-' or nothing reads stdin")
    v.add_argument("-p", "--platform", action="append", help="a platform id; repeat for several")
    v.set_defaults(func=_cmd_validate)
