"""Probe texts the tests write into their temporary folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# The `write_probe` fixture (tests/conftest.py): writes a probe file, returns its path.
WriteProbe = Callable[..., Path]

# The keys every probe needs before its scenario, for tests that write the rest.
HEADER = """\
id: p
title: t
question: q
tags: [test]
sources: [s]
"""

MINIMAL_PROBE = """\
id: {id}
title: A minimal probe
question: Does a send on a fresh pair return?
tags: [test]
sources: [made up for the test suite]
sockets:
  - pair: [local, peer]
steps:
  - {{op: send, socket: local, data: hi, name: send}}
verdict: [send]
"""


def slow_probe(id: str, seconds: float = 25, time_limit: float = 60) -> str:
    """A probe that holds a listener and sleeps: still running when a test's fault happens.

    The listener shows from outside (psutil) that a child is inside the probe.
    """
    return f"""\
id: {id}
title: Sleeps for a while
question: Is it still running when the fault happens?
tags: [test]
sources: [test suite]
time_limit: {time_limit}
sockets: [{{listener: srv}}]
steps: [{{op: sleep, seconds: {seconds}}}, {{op: close, socket: srv, name: close}}]
verdict: [close]
"""
