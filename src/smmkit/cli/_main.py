"""The ``smmkit`` command line: the parser, ``--json`` and ``--version``, exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

import smmkit
from smmkit.cli._commands import add_adapt, add_demo, add_platforms
from smmkit.cli._ical import add_ical
from smmkit.cli._io import UsageError, error_payload, print_json
from smmkit.cli._validate import add_validate
from smmkit.exceptions import SmmkitError

__all__ = ["main"]

_EPILOG = """\
exit codes: 0 success; 1 an input was rejected (a file, a platform id, a value) or
'validate' found errors; 2 the command line is malformed (unknown command or flag,
a missing or non-numeric argument).
"""


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    # --json may stand before or after the command: the subcommands' copy leaves the
    # value alone unless given (SUPPRESS), so either place sets it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="machine-readable output: JSON on stdout (and errors as JSON on stderr)",
    )
    parser = argparse.ArgumentParser(
        prog="smmkit",
        description="Enterprise social-media management toolkit.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--json", action="store_true", help="machine-readable output (JSON)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (add_platforms, add_adapt, add_validate, add_ical, add_demo):
        add(sub, common)
    return parser, dict(sub.choices)


def _report(exc: SmmkitError, as_json: bool) -> None:
    if as_json:
        print_json(error_payload(exc), file=sys.stderr, indent=None)  # one line
    else:
        print(f"smmkit: error: {exc}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smmkit`` command; returns the exit code.

    0 on success; 1 when an input is rejected (the typed error's message goes to
    stderr, as JSON under ``--json``) or ``validate`` finds errors; 2 when the command
    line is malformed.

    Example:
        >>> main(["platforms", "--role", "private_domain"])  # doctest: +ELLIPSIS
        id ...
        0
        >>> main(["--version", "--json"])  # doctest: +ELLIPSIS
        {
         "name": "smmkit",
         "version": "..."
        }
        0
    """
    parser, commands = _parser()
    if argv is not None and (
        isinstance(argv, (str, bytes))
        or not isinstance(argv, Sequence)
        or not all(isinstance(a, str) for a in argv)
    ):
        # A command line is a list of words: anything else is malformed (exit code 2).
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: the arguments must be a list of str", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    as_json: bool = args.json
    try:
        if args.version:
            if as_json:
                print_json({"name": "smmkit", "version": smmkit.__version__})
            else:
                print(f"smmkit {smmkit.__version__}")
            return 0
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        code: int = args.func(args)
    except UsageError as exc:
        command = commands[args.command]
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {exc}", file=sys.stderr)
        return 2
    except SmmkitError as exc:
        _report(exc, as_json)
        return 1
    except BrokenPipeError:
        # The reader went away (`smmkit demo | head`): not an error. Point stdout at
        # devnull so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("smmkit: interrupted", file=sys.stderr)
        return 130
    return code
