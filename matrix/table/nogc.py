"""Pause the cycle collector while building or rendering a big matrix.

Results documents are acyclic trees (JSON), and so is everything the merge and
the renderers build from them: reference counting frees all of it. With the
collector running, each full collection walks every object of every loaded
document again, so time grows faster than the number of cells (measured by
bench/bench_table.py: about 25% of the table's time at 40 platforms, more at
more). Pausing it changes no result and frees no less memory.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_gc(function: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return function(*args, **kwargs)

    return wrapper
