"""The operations a probe step may use, as plain data: the table, assembled from families.

Rules of this module:
- This table is the single description of every operation: its arguments,
  their JSON Schema types and what each means. The probe JSON Schema
  (``matrix/schemas/probe.schema.json``) is generated from it, the docs quote
  it, and the engine has exactly one handler per entry (a test checks both).
- The entries live in one module per family (matrix/language/ops_transfer.py,
  _sockets, _options, _readiness, _states, _control), the argument schemas and
  limits they share in matrix/language/arguments.py. This module only assembles
  them in ORDER; a new operation goes into its family and into ORDER (the
  import fails otherwise). Every name callers use stays importable from here.
- Arguments that name other things are listed in SOCKET_REFERENCE_ARGS,
  SOCKET_LIST_ARGS and SOCKET_CREATING_ARGS, so the validator can check them
  without knowing each op.
- Limits (bytes, seconds) are refused at validation, not when a hostile probe
  has already asked for a terabyte: see matrix.language.arguments.
"""

from __future__ import annotations

from typing import Any

from matrix.language.arguments import (
    INT_OPTION_VALUE,
    LINGER_VALUE,
    MAX_BYTES,
    MAX_SECONDS,
    OPTION_NAME,
    OPTION_NAME_PATTERN,
    RAW_VALUE,
    SECONDS,
    SOCKET_NAME_PATTERN,
    Operation,
)
from matrix.language.ops_control import CONTROL
from matrix.language.ops_options import OPTIONS
from matrix.language.ops_readiness import READINESS
from matrix.language.ops_sockets import SOCKETS
from matrix.language.ops_states import STATES
from matrix.language.ops_transfer import IO

__all__ = [
    "COMMON_STEP_ARGS",
    "DEFAULT_WITHIN",
    "INT_OPTION_VALUE",
    "LINGER_VALUE",
    "MAX_BYTES",
    "MAX_SECONDS",
    "OPERATIONS",
    "OPTION_NAME",
    "OPTION_NAME_PATTERN",
    "RAW_VALUE",
    "SOCKET_CREATING_ARGS",
    "SOCKET_LIST_ARGS",
    "SOCKET_NAME_PATTERN",
    "SOCKET_REFERENCE_ARGS",
    "Operation",
]

# The order of the table: the generated schema lists step arguments in the
# order operations first use them, so it is part of the schema's bytes.
ORDER = (
    "send",
    "sendall",
    "fill",
    "recv",
    "drain",
    "close",
    "shutdown",
    "connect",
    "accept",
    "bind",
    "listen",
    "setsockopt",
    "getsockopt",
    "setblocking",
    "settimeout",
    "dup",
    "sendto",
    "recvfrom",
    "select",
    "poll",
    "getpeername",
    "tcp_state",
    "connection_state",
    "sigpipe",
    "sleep",
    "join",
)


def _assemble() -> dict[str, Operation]:
    families = (IO, SOCKETS, OPTIONS, READINESS, STATES, CONTROL)
    merged: dict[str, Operation] = {}
    for family in families:
        for name, operation in family.items():
            if name in merged:
                raise RuntimeError(f"operation {name!r} is defined in two families")
            merged[name] = operation
    if set(merged) != set(ORDER) or len(ORDER) != len(set(ORDER)):
        raise RuntimeError(
            f"ORDER and the operation families disagree: {sorted(set(merged) ^ set(ORDER))}"
        )
    return {name: merged[name] for name in ORDER}


OPERATIONS: dict[str, Operation] = _assemble()

# Keys every step may carry, whatever its op.
COMMON_STEP_ARGS: dict[str, dict[str, Any]] = {
    "op": {"enum": sorted(OPERATIONS), "description": "The operation."},
    "name": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9_-]{0,47}$",
        "description": "Names the step: its outcome becomes an observation.",
    },
    "thread": {
        "type": "string",
        "pattern": "^[a-z][a-z0-9_-]{0,31}$",
        "description": "Run this step on the named thread, concurrently with the main "
        "sequence; steps on one thread run in order.",
    },
    "within": {
        **SECONDS,
        "description": "For a step on the main sequence: how long to wait for it before "
        "recording `blocked` and going on (default 5). For `join`: the bound.",
    },
    "note": {"type": "string", "maxLength": 500, "description": "Why this step is here."},
}

DEFAULT_WITHIN = 5.0

# Arguments whose value names a socket the step uses, one it creates, or a step.
SOCKET_REFERENCE_ARGS = ("socket", "to", "port_of", "peer")
SOCKET_LIST_ARGS = ("read", "write", "exceptional", "sockets")
SOCKET_CREATING_ARGS = ("as",)
