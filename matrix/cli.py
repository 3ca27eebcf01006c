"""The ``sockmatrix`` command line.

Exit status, for every command: 0 ok, 1 some probe could not run (or some
input was skipped), 2 usage or validation errors, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

import matrix
from matrix.commands import check as cmd_check
from matrix.commands import list as cmd_list
from matrix.commands import run as cmd_run
from matrix.commands import show as cmd_show
from matrix.commands import table as cmd_table
from matrix.commands import validate as cmd_validate
from matrix.commands.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBE_FAILED, EXIT_USAGE

__all__ = ["EXIT_INTERRUPTED", "EXIT_OK", "EXIT_PROBE_FAILED", "EXIT_USAGE", "build_parser", "main"]
# Subcommands in their own modules (matrix/cmd_*.py), registered by build_parser.
EXTRA_COMMANDS: dict[str, Any] = {}

DESCRIPTION = """\
Measure where operating systems disagree about sockets.

Probes are YAML scenarios of socket calls; `run` executes them on this machine,
each in its own process, and writes what this OS did to results/<platform>.json.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sockmatrix",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"sockmatrix {matrix.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    for module in (cmd_run, cmd_validate, cmd_show, cmd_table):
        module.add_parser(commands)
    cmd_check.add_parser(commands)
    from matrix.commands import diff as cmd_diff
    from matrix.commands import history as cmd_history

    for module in (cmd_diff, cmd_history):
        module.add_parser(commands)
        EXTRA_COMMANDS[module.__name__.rsplit(".", 1)[1]] = module.run

    cmd_list.add_parser(commands)
    return parser


COMMANDS = {
    "run": cmd_run.run,
    "validate": cmd_validate.run,
    "show": cmd_show.run,
    "list": cmd_list.run,
    "table": cmd_table.run,
    "check": cmd_check.run,
}


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
        return int({**COMMANDS, **EXTRA_COMMANDS}[args.command](args))
    except BrokenPipeError:
        # The reader went away (`sockmatrix show x | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except FileNotFoundError as exc:
        print(f"sockmatrix {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
