"""Timing classes: elapsed times coarse enough to compare across machines.

A verdict must not change because a CI runner was busy, so raw elapsed times
never appear in one. They are folded into classes:

- ``immediate``: under IMMEDIATE_LIMIT. Syscalls that do not wait finish in
  microseconds; a loaded 2-core runner can delay a thread's wake-up by tens of
  milliseconds, rarely more than a couple of hundred.
- ``after ~N s``: N is the elapsed time rounded to the nearest whole second,
  and at least 1 (0.5 s to 1.5 s all read "after ~1 s").
  Probes wait in whole seconds (linger 2 s, bounds of 1 s), so a measurement sits
  at N plus scheduling noise, half a second away from either class boundary.
- ``blocked``: the step had not returned when its bound ran out.

The classes that name no seconds (``at its timeout``, ``at the end of its
wait``, ``already returned``) are given in matrix.engine.observe, which knows
what the step waited for.
"""

from __future__ import annotations

IMMEDIATE_LIMIT = 0.5


def timing_class(elapsed: float | None, blocked: bool = False) -> str:
    if blocked or elapsed is None:
        return "blocked"
    if elapsed < IMMEDIATE_LIMIT:
        return "immediate"
    return f"after ~{max(1, round(elapsed)):d} s"
