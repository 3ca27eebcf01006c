"""The ``sockmatrix`` command line: one registry of the commands in matrix/commands/.

Exit status, for every command: matrix.commands.exit_codes (listed by --help).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

import matrix
from matrix.commands.common import say
from matrix.commands.exit_codes import DESCRIBED, EXIT_OK, EXIT_USAGE

# The one registry: each name is a module matrix.commands.<name> with
# add_parser(subparsers) and run(args) -> exit status. Command modules import
# only the standard library at module level (their work is imported inside
# run), so building this parser for --help or for one command stays cheap.
COMMANDS = ("run", "validate", "list", "show", "table", "check", "diff", "history")

DESCRIPTION = """\
Measure where operating systems disagree about sockets.

Probes are YAML scenarios of socket calls; `run` executes them on this machine,
each in its own process, and writes what this OS did to results/<platform>.json.
"""


def _epilog() -> str:
    return "exit status:\n" + "\n".join(f"  {code:>3}  {text}" for code, text in DESCRIBED.items())


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"matrix.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sockmatrix",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sockmatrix {matrix.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        _command(name).add_parser(commands)
    return parser


def _never_fail_to_print() -> None:
    """Windows: stdout to a pipe uses the ANSI code page (cp1252), which has no
    "→" or "≠"; write those as escapes rather than crash mid-report."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _never_fail_to_print()
    args = build_parser().parse_args(argv)
    try:
        return int(_command(args.command).run(args))
    except BrokenPipeError:
        # The reader went away (`sockmatrix show x | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except FileNotFoundError as exc:
        say(f"sockmatrix {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    # `python -m matrix.cli` is how some docs and habits call it: it must run the
    # command, not import the module and exit 0 having done nothing.
    raise SystemExit(main())
