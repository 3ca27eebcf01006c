"""What the command modules (matrix/commands/*.py) share: probe paths and printing problems.

Rules: nothing here imports a command module, so every command module and
matrix.cli can import this without a cycle; heavy imports stay inside the
functions (``sockmatrix --help`` must stay fast).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO


def add_paths(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"probe files or folders to {what} (default: the built-in library)",
    )
    parser.add_argument(
        "--with-builtin",
        action="store_true",
        help="also include the built-in library when PATHs are given",
    )


def probe_sources(args: argparse.Namespace) -> list[Path]:
    from matrix.probe.selection import builtin_probe_dir

    paths = list(args.paths)
    if not paths or args.with_builtin:
        paths.append(builtin_probe_dir())
    return paths


def say(*parts: object, file: TextIO | None = None, sep: str = " ", end: str = "\n") -> None:
    """``print`` for every command: the text passes the one sanitiser for terminal
    text (matrix.render.safe_text.for_terminal), so nothing a probe or a results
    file holds reaches a terminal as a control or a CI log as a workflow command.
    Each call is flushed: stdout to a pipe (tox, a CI log) is otherwise held in a
    buffer and lands after, or in the middle of, what stderr said later."""
    from matrix.render.safe_text import for_terminal

    text = sep.join(str(part) for part in parts)
    print(for_terminal(text), file=file if file is not None else sys.stdout, end=end, flush=True)


def print_problems(problems: Sequence[Any]) -> None:
    for problem in problems:
        say(problem, file=sys.stderr)
