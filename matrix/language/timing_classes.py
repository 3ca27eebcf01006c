"""The timing classes an observation can carry: their exact words, as data.

Rules of this module:
- The engine (matrix.engine.timing, matrix.engine.observe, matrix.engine.sigpipe)
  writes these words and validation accepts only these in an expectation
  (``timing:`` in ``documented`` and ``assumptions``): one list, so a timing
  a probe expects is always one an observation can have.
- Standard library only: the probe's child imports it.
"""

from __future__ import annotations

import re

IMMEDIATE = "immediate"
BLOCKED = "blocked"
# A step that had returned before a ``join`` looked (matrix.engine.observe).
ALREADY_RETURNED = "already returned"
# A call that returned when its own timeout ran out (select's, SO_RCVTIMEO's).
AT_OWN_TIMEOUT = "at its timeout"
# A wait for a TCP state that never came: the probe's bound, not the OS's time.
AT_WAIT_END = "at the end of its wait"
# The process died in this step (SIGPIPE): no time was measured.
KILLED = "killed"

# Elapsed time rounded to whole seconds, at least 1: "after ~1 s", "after ~3 s".
AFTER_FORMAT = "after ~{seconds:d} s"
AFTER_PATTERN = re.compile(r"after ~[1-9][0-9]{0,5} s")

NAMED_CLASSES = (IMMEDIATE, BLOCKED, ALREADY_RETURNED, AT_OWN_TIMEOUT, AT_WAIT_END, KILLED)


def after(seconds: int) -> str:
    return AFTER_FORMAT.format(seconds=seconds)


def is_timing_class(text: str) -> bool:
    """Whether ``text`` is a timing class some observation can carry."""
    return text in NAMED_CLASSES or AFTER_PATTERN.fullmatch(text) is not None
