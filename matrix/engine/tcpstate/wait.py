"""Wait, up to a bound, for a TCP state that arrives asynchronously.

Why: a FIN or an ACK is processed a moment after the call that caused it
returns, so a state read at once may still be the previous one. Instead of a
sleep tuned to one machine, the state is read again and again until it is one
of the expected states or the bound has passed; the observation is what was
seen last, and how long the wait took says whether it came at once.

The clock and the pause are parameters so the loop is tested without time
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
    deadline = clock() + max(0.0, bound)
    delay = FIRST_PAUSE
    reads = 0
    while True:
        seen = read()
        reads += 1
        if accept(seen):
            return WaitResult(seen, True, reads)
        remaining = deadline - clock()
        if remaining <= 0:
            return WaitResult(seen, False, reads)
        pause(min(delay, remaining))
        delay = min(delay * 2, MAX_PAUSE)


def accepts(expected: Collection[str] | None) -> Callable[[str], bool]:
    """Acceptance test for a state name: any state when nothing is expected."""
    if not expected:
        return lambda _state: True
    wanted = set(expected)
    return lambda state: state in wanted
