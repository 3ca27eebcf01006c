"""Child interpreters started before they are needed.

Each probe still runs in a fresh process of its own (isolation is unchanged),
but the process is started while earlier probes run: by the time a probe is
handed over, its interpreter has booted and imported the engine and waits on
stdin (see matrix.engine.child). The per-probe overhead then is the hand-over, not an
interpreter start (bench/bench_run.py measures both in one run).

No more children are started ahead than probes remain to take them: each one
costs a whole interpreter start and the engine's imports, and one killed
unused at the end is CPU the run's own probes could have had.

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
    """Up to ``size`` started children; :meth:`take` hands one out and starts the next,
    while fewer than ``takers`` (the number of :meth:`take` calls to come; None: no
    end) have been handed out or wait."""

    def __init__(self, start: Callable[[], Child], size: int, takers: int | None = None) -> None:
        self._start = start
        self._size = max(1, size)
        self._takers = takers
        self._handed = 0
        self._starting = 0  # refills between their check and their child's arrival
        self._ready: deque[Child] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)  # a started child is ready
        self._closed = False
        for _ in range(self._size if takers is None else min(self._size, takers)):
            self._ready.append(start())

    def take(self) -> Child:
        """A started child that has not been given a probe yet."""
        with self._lock:
            # One on its way is nearer to ready than one started now (and starting
            # one more would leave a child unused at the end).
            while not self._ready and self._starting and not self._closed:
                self._arrived.wait(0.2)
            child = self._ready.popleft() if self._ready else None
            self._handed += 1
        if child is None or child.poll() is not None:
            # None ready (more takers than size), or it died waiting: start one now.
            child = self._start()
        # The replacement starts off this probe's path: Popen takes milliseconds.
        threading.Thread(target=self._refill, daemon=True).start()
        return child

    def _refill(self) -> None:
        with self._lock:
            coming = len(self._ready) + self._starting
            if self._closed or coming >= self._size:
                return
            if self._takers is not None and self._handed + coming >= self._takers:
                return  # every take to come has its child already
            self._starting += 1
        try:
            child = self._start()
        except BaseException:
            with self._lock:
                self._starting -= 1
                self._arrived.notify_all()
            raise
        with self._lock:
            self._starting -= 1
            self._arrived.notify_all()
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
