"""Child interpreters started before they are needed.

Each probe still runs in a fresh process of its own (isolation is unchanged),
but the process is started while earlier probes run: by the time a probe is
handed over, its interpreter has booted and imported the engine and waits on
stdin (see matrix.engine.child). The per-probe overhead then is the hand-over, not an
interpreter start (bench/bench_run.py measures both in one run).

A waiting child owns nothing but its stdin: if the parent dies, stdin closes and
the child exits; :meth:`WarmChildren.close` kills the ones never used.
subprocess and threading only, the same on every OS.
"""

from __future__ import annotations

import subprocess
import threading
from collections import deque
from collections.abc import Callable

Child = subprocess.Popen[str]


class WarmChildren:
    """Up to ``size`` started children; :meth:`take` hands one out and starts the next."""

    def __init__(self, start: Callable[[], Child], size: int) -> None:
        self._start = start
        self._size = max(1, size)
        self._ready: deque[Child] = deque()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(self._size):
            self._ready.append(start())

    def take(self) -> Child:
        """A started child that has not been given a probe yet."""
        with self._lock:
            child = self._ready.popleft() if self._ready else None
        if child is None or child.poll() is not None:
            # None ready (more takers than size), or it died waiting: start one now.
            child = self._start()
        # The replacement starts off this probe's path: Popen takes milliseconds.
        threading.Thread(target=self._refill, daemon=True).start()
        return child

    def _refill(self) -> None:
        with self._lock:
            if self._closed or len(self._ready) >= self._size:
                return
        child = self._start()
        with self._lock:
            if not self._closed:
                self._ready.append(child)
                return
        _end(child)

    def close(self) -> None:
        """Kill the children never handed out; no later refill survives."""
        with self._lock:
            self._closed = True
            idle = list(self._ready)
            self._ready.clear()
        for child in idle:
            _end(child)


def _end(child: Child) -> None:
    child.kill()
    child.communicate()
