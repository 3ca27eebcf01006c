"""SIGTERM ends a run the way Ctrl-C does: children killed, finished probes kept.

A CI runner cancelling a job, ``timeout``, systemd and ``kill`` send SIGTERM.
Python's default is to die at once (exit 143, no message, children orphaned
and still listening). Inside :func:`terminate_as_interrupt` SIGTERM raises
:class:`Terminated`, a KeyboardInterrupt, so every ``except KeyboardInterrupt``
that stops children and keeps results handles it too; the caller exits with
EXIT_TERMINATED (matrix.commands.exit_codes).

Signal handlers run on the main thread only; elsewhere (a run started from a
thread, as some test runners do) nothing is installed. Windows has SIGTERM in
the signal module (raised by ``signal.raise_signal``), so the same code runs.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"signal {signum}")


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    sigterm = getattr(signal, "SIGTERM", None)
    if sigterm is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(sigterm, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(sigterm, previous)
