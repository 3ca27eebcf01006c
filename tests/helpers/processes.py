"""The sockmatrix command as a separate process, and the children it starts."""

from __future__ import annotations

import subprocess
import sys

import psutil


def sockmatrix(*args: str) -> list[str]:
    """argv for ``python -m matrix ARGS`` with this interpreter."""
    return [sys.executable, "-m", "matrix", *args]


def children_of(pid: int) -> list[psutil.Process]:
    """Every descendant of ``pid`` now; [] once it is gone."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def modules_loaded_by(script: str, *argv: str) -> set[str]:
    """The modules a fresh interpreter has loaded once ``script`` (given ``argv``) ran."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{script}\nimport sys\nprint(' '.join(sorted(sys.modules)))",
            *argv,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(done.stdout.splitlines()[-1].split())  # the last line: sys.modules
