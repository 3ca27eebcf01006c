"""Entry point of a probe's child process: ``python -m matrix._child``.

Protocol (one direction each way, so it works the same on every OS):
- stdin: one JSON document ``{"probe": {...validated probe...}, "api": "native"}``
  (``api`` is ``native``, the default, or ``python``).
- stdout: JSON lines. ``{"event": "observation", ...}`` as each observation is
  made, so a probe that is killed at its time limit still reports what it saw;
  then ``{"event": "result", ...}`` once.
The process ends with ``os._exit`` so a thread the OS never releases cannot
keep the interpreter alive after the result is written.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from matrix._engine import Engine

_lock = threading.Lock()
# Modules the engine imports lazily, on a probe's first steps.
# (Not the TCP-state module: it loads psutil, which few probes need and which
# costs every waiting child CPU that parallel runs are short of.)
_LAZY = ("matrix._native", "matrix._ops_native", "matrix._ops_python", "matrix._setup",
         "matrix._options")  # fmt: skip


def _preload() -> None:
    """A child started ahead of its probe (matrix._prestart sets PRELOAD_VARIABLE)
    imports these while it waits, so its probe does not pay for them. A module
    this platform cannot load is left to fail, as before, when a probe needs it."""
    import importlib

    for name in _LAZY:
        try:
            importlib.import_module(name)
        except (ImportError, OSError):
            continue


PRELOAD_VARIABLE = "SOCKMATRIX_CHILD_PRELOAD"


def _emit(event: dict[str, Any]) -> None:
    line = json.dumps(event, default=str)
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main() -> None:
    if os.environ.get(PRELOAD_VARIABLE):
        _preload()
    request = json.loads(sys.stdin.read())
    result = Engine(request["probe"], _emit, request.get("api", "native")).run()
    _emit({"event": "result", **result})
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
