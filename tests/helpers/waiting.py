"""Waiting for another thread or process without sleeping a guessed time."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import IO


def wait_for(condition: Callable[[], object], timeout: float = 20, interval: float = 0.05) -> None:
    """Poll ``condition`` until it is true; fail the test after ``timeout`` seconds.

    The timeout only catches a hang: a condition that holds returns at once.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for a condition"
        time.sleep(interval)


def read_line(stream: IO[bytes], timeout: float = 20) -> bytes:
    """The next line another process writes to ``stream``; fail the test after ``timeout``."""
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no line within {timeout} s") from None
