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
from typing import Any


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


def print_problems(problems: Sequence[Any]) -> None:
    from matrix.render.safe_text import for_terminal

    for problem in problems:
        print(for_terminal(str(problem)), file=sys.stderr)
