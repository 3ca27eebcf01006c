"""The sockmatrix command as a separate process, and the children it starts."""

from __future__ import annotations

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
