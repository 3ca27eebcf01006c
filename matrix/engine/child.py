"""Entry point of a probe's child process: ``python -m matrix.engine.child``.

Protocol (one direction each way, so it works the same on every OS):
- stdin: one line of JSON ``{"probe": {...validated probe...}, "api": "native",
  "time_limit": s}`` (``api`` is ``native``, the default, or ``python``); stdin
  then stays open for the whole run. End-of-file on stdin means the parent is
  gone (it ended, or was killed: the OS closes its end of the pipe), and the
  child exits at once. A pre-started child waits for that line (matrix.runner.prestart).
- stdout: JSON lines. ``{"event": "observation", ...}`` as each observation is
  made, so a probe that is killed at its time limit still reports what it saw;
  then ``{"event": "result", ...}`` once.
The child also enforces its own time limit (the parent's plus a grace), so it
cannot outlive its run even if the parent's kill never arrives. It ends with
``os._exit`` so a thread the OS never releases cannot keep it alive.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from typing import Any

from matrix.engine.scenario import Engine

# Exit statuses of a child that stopped itself.
EXIT_ORPHANED = 3  # stdin closed: the parent is gone
EXIT_OVERRAN = 4  # its own time limit passed
GRACE_SECONDS = 5.0
DEFAULT_LIMIT = 20.0

_lock = threading.Lock()
# Modules the engine imports lazily, on a probe's first steps.
# (Not the TCP-state module: it loads psutil, which few probes need and which
# costs every waiting child CPU that parallel runs are short of.)
_LAZY = (
    "matrix.engine.abi.native_api",
    "matrix.engine.handlers.native",
    "matrix.engine.handlers.python",
    "matrix.engine.setup_sockets",
    "matrix.engine.abi.option_encodings",
)


def _preload() -> None:
    """A child started ahead of its probe (matrix.runner.prestart sets PRELOAD_VARIABLE)
    imports these while it waits, so its probe does not pay for them. A module
    this platform cannot load is left to fail, as before, when a probe needs it."""
    import importlib

    for name in _LAZY:
        try:
            importlib.import_module(name)
        except (ImportError, OSError):
            continue
    # Loading the C library and checking its constants against this interpreter
    # is the native layer's start-up cost; a waiting child pays it ahead too. A
    # refusal is not reported here: the probe that asks for native meets it again.
    try:
        from matrix.engine.abi.native_api import NativeUnavailable, native_api
    except (ImportError, OSError):
        return
    with contextlib.suppress(NativeUnavailable, OSError):
        native_api()


PRELOAD_VARIABLE = "SOCKMATRIX_CHILD_PRELOAD"


def _emit(event: dict[str, Any]) -> None:
    line = json.dumps(event, default=str)
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _exit_when_stdin_closes() -> None:
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError):
        pass
    os._exit(EXIT_ORPHANED)


def watch(limit: float) -> None:
    """Exit when the parent goes away or ``limit`` (+ grace) passes, whatever the engine does."""
    threading.Thread(target=_exit_when_stdin_closes, name="parent-watch", daemon=True).start()
    timer = threading.Timer(limit + GRACE_SECONDS, os._exit, (EXIT_OVERRAN,))
    timer.daemon = True
    timer.start()


def main() -> None:
    if os.environ.get(PRELOAD_VARIABLE):
        _preload()
    line = sys.stdin.buffer.readline()
    if not line:
        os._exit(EXIT_ORPHANED)  # a pre-started child whose parent went away
    request = json.loads(line)
    watch(float(request.get("time_limit", DEFAULT_LIMIT)))
    result = Engine(request["probe"], _emit, request.get("api", "native")).run()
    _emit({"event": "result", **result})
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
