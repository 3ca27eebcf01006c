"""Children started ahead of their probes: handed out once each, never left behind."""

from __future__ import annotations

import subprocess
import sys
import time

from helpers.waiting import wait_for

from matrix.runner.prestart import WarmChildren

# Stands in for matrix.engine.child: waits on stdin like it, then echoes what it got.
ECHO = [sys.executable, "-S", "-c", "import sys; print(sys.stdin.read().upper())"]


def start() -> subprocess.Popen[str]:
    return subprocess.Popen(
        ECHO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_each_child_is_handed_out_once_and_replaced() -> None:
    warm = WarmChildren(start, size=2)
    try:
        taken = [warm.take() for _ in range(5)]
        assert len({child.pid for child in taken}) == 5
        outputs = [child.communicate(f"probe {n}", timeout=30)[0] for n, child in enumerate(taken)]
        assert outputs == [f"PROBE {n}\n" for n in range(5)]
    finally:
        warm.close()


def test_close_kills_the_children_never_used() -> None:
    warm = WarmChildren(start, size=3)
    warm.take().communicate("x", timeout=30)
    wait_for(lambda: len(warm._ready) == 3)  # the refill thread has started the replacement
    idle = list(warm._ready)
    assert idle
    warm.close()
    assert all(child.poll() is not None for child in idle)
    assert list(warm._ready) == []


def test_a_child_that_died_waiting_is_not_handed_out() -> None:
    warm = WarmChildren(start, size=1)
    try:
        first = warm._ready[0]
        first.kill()
        first.wait()
        child = warm.take()
        assert child.pid != first.pid
        assert child.communicate("ok", timeout=30)[0] == "OK\n"
    finally:
        warm.close()


def test_no_more_children_start_than_takers_come() -> None:
    started: list[subprocess.Popen[str]] = []

    def counted() -> subprocess.Popen[str]:
        started.append(start())
        return started[-1]

    warm = WarmChildren(counted, size=3, takers=5)
    try:
        taken = [warm.take() for _ in range(5)]
        for child in taken:
            child.communicate("x", timeout=30)
        # The refills run in threads: give any stray one the time to show itself.
        wait_for(lambda: len(started) >= 5)
        time.sleep(0.3)
        assert len(started) == 5, "a child started ahead for a take that never comes"
        assert list(warm._ready) == []
    finally:
        warm.close()
