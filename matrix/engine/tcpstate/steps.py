"""The ``tcp_state`` and ``connection_state`` operations, apart from the engine.

Each returns the engine's (summary, value) pair. The summary is the RFC 793
state name seen last (so it compares across OSes); the value keeps the OS's
raw number, the mechanism that read it, whether the expected state came, and
when: ``reached_after`` (seconds from the step's start until the state was
there, measured from the reads, never including their own cost; the timing
class comes from it, matrix.engine.observe) and ``seen_after``.
For connection_state, ``source`` says where the state came from: ``entry``
(the table listed the connection in that state) or ``absence`` (no entry, in
a table the self-check saw keep closed sockets' connections: RFC 793's CLOSED).
StateUnsupported becomes the observation ``unsupported``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from matrix.engine.tcpstate.conn_table import Endpoint, connection_states
from matrix.engine.tcpstate.own_socket import StateUnsupported, read_own_state
from matrix.engine.tcpstate.wait import WaitResult, accepts, wait_for

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import Step

__all__ = ["StateUnsupported", "connection_state", "tcp_state"]


def _bound(step: Step) -> float:
    return float(step.get("wait", 0))


def _when(step: Step, result: WaitResult) -> dict[str, Any]:
    reached = result.reached_after
    return {
        "expected": step.get("expect"),
        "matched": result.matched,
        "reads": result.reads,
        "reached_after": None if reached is None else round(reached, 4),
        "seen_after": round(result.seen_after, 4),
    }


def tcp_state(
    family: str,
    getsockopt: Callable[[int, int, int], bytes],
    handle: int,
    step: Step,
) -> tuple[str, dict[str, Any]]:
    """The state of a socket the probe holds, waiting up to ``wait`` for ``expect``."""
    readings: list[dict[str, Any]] = []

    def read() -> str:
        readings.append(read_own_state(family, getsockopt, handle))
        return str(readings[-1]["state"])

    result = wait_for(read, accepts(step.get("expect")), _bound(step))
    last = readings[-1]
    return last["state"], {**last, **_when(step, result)}


def connection_state(local: Endpoint, remote: Endpoint, step: Step) -> tuple[str, dict[str, Any]]:
    """The state of the table entry local -> remote; CLOSED when there is none
    (only from a table that keeps closed sockets' connections listed)."""
    found: list[dict[str, Any]] = []

    def read() -> str:
        found.append(connection_states(local, remote))
        # RFC 793: CLOSED "represents the state when there is no TCB".
        return "+".join(found[-1]["states"]) or "CLOSED"

    result = wait_for(read, accepts(step.get("expect")), _bound(step))
    seen = str(result.seen)
    return seen, {
        "state": seen,
        "source": "entry" if found[-1]["states"] else "absence",
        "mechanism": found[-1]["mechanism"],
        **_when(step, result),
    }
