"""KeyboardInterrupt injected wherever a signal handler could run in the results lock.

CPython runs a Python signal handler (SIGINT's KeyboardInterrupt, SIGTERM's as
matrix.runner.interrupt raises it) when a function starts and after a call
returns (Python/ceval.c checks its eval breaker in RESUME and the CALL
instructions, and on backward jumps). A tracer raises KeyboardInterrupt at
the n-th such point in matrix/files/write.py, for every n, each in a fresh
``with locked(...)``. Used by tests/hostile/test_interrupts.py and the
hostile corpus (bench/bench_hostile.py).
"""

from __future__ import annotations

import dis
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import matrix.files.write as write_module
from matrix.files.write import locked

_CALLS = {"CALL", "CALL_KW", "CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_FUNCTION_EX",
          "CALL_METHOD", "JUMP_BACKWARD"}  # fmt: skip


class InjectAt:
    """A tracer raising KeyboardInterrupt at the ``target``-th point."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.seen = 0
        self.fired = False
        self.previous: dict[int, str] = {}

    def _point(self, where: str) -> None:
        self.seen += 1
        if self.seen == self.target:
            self.fired = True
            raise KeyboardInterrupt(f"at point {self.target} ({where})")

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_code.co_filename != write_module.__file__:
            return None
        frame.f_trace_opcodes = True
        if event == "call":
            self._point(f"entering {frame.f_code.co_name}")
        elif event == "opcode":
            if self.previous.get(id(frame)) in _CALLS:
                self._point(f"{frame.f_code.co_name} line {frame.f_lineno}")
            self.previous[id(frame)] = dis.opname[frame.f_code.co_code[frame.f_lasti]]
        return self


def lock_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".lock" in p.name)


def interrupt_everywhere(target: Path) -> tuple[int, list[int]]:
    """(points tried, points after which a lock file was left)."""
    left: list[int] = []
    position, fired = 0, True
    while fired:
        position += 1
        tracer = InjectAt(position)
        sys.settrace(tracer)
        try:
            with locked(target, wait=1):
                target.write_text("{}", encoding="utf-8")
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
        fired = tracer.fired
        if lock_files(target.parent):
            left.append(position)
            for name in lock_files(target.parent):
                (target.parent / name).unlink()
    return position - 1, left
