"""Wait, up to a bound, for a TCP state that arrives asynchronously.

Why: a FIN or an ACK is processed a moment after the call that caused it
returns (on XNU even loopback input runs on another kernel thread, XNU
bsd/net/if_loop.c and dlil_input_async), so a state read at once may still
be the previous one. Instead of a sleep tuned to one machine, the state is
read again and again until it is one of the expected states or the bound has
passed; the observation is what was seen last.

Rules of this module:
- How long the OS took is measured from the reads, never from the wall time
  of the whole wait: a read costs the harness time (a listing of the whole
  connection table, under load a large part of a second), and that time is
  not the OS's. The state was reached after the last read that still saw
  something else began (``reached_after``, a lower bound: the harness never
  inflates it) and before the read that saw it ended (``seen_after``).
- A wait whose expected state never came says so (``matched`` false); its
  length is the probe's bound, not an OS time.
- The clock and the pause are parameters so the loop is tested without time
  passing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# First pause between two reads; it doubles up to MAX_PAUSE so a long bound
# costs few reads and a quick change is still seen within a few milliseconds.
FIRST_PAUSE = 0.002
MAX_PAUSE = 0.05


@dataclass(frozen=True)
class WaitResult:
    seen: object  # the last reading
    matched: bool  # it was one of the expected ones
    reads: int
    # Seconds from the wait's start: the accepted reading was not yet there when
    # the last read that saw something else began (0.0 when the first read saw
    # it), and was there when the accepting read ended. None when not matched.
    reached_after: float | None
    seen_after: float


def wait_for(
    read: Callable[[], T],
    accept: Callable[[T], bool],
    bound: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> WaitResult:
    """Call ``read`` until ``accept`` says yes or ``bound`` seconds have passed.

    Always reads at least once, and once more at the bound, so a state that
    arrives during the last pause is not missed.
    """
    started = clock()
    deadline = started + max(0.0, bound)
    delay = FIRST_PAUSE
    readings: list[tuple[float, T]] = []  # (when the read began, what it saw)
    while True:
        began = clock()
        seen = read()
        ended = clock()
        readings.append((began, seen))
        if accept(seen):
            earlier = [at for at, reading in readings[:-1] if reading != seen]
            reached = (earlier[-1] - started) if earlier else 0.0
            return WaitResult(seen, True, len(readings), reached, ended - started)
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitResult(seen, False, len(readings), None, ended - started)
        pause(min(delay, remaining))
        delay = min(delay * 2, MAX_PAUSE)


def accepts(expected: Collection[str] | None) -> Callable[[str], bool]:
    """Acceptance test for a state name: any state when nothing is expected."""
    if not expected:
        return lambda _state: True
    wanted = set(expected)
    return lambda state: state in wanted
