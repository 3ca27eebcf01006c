"""Argument schemas and limits shared by the operation families (matrix/language/ops_*.py).

Rules: a value here is JSON Schema data reused by several operations, or the
``Operation`` record itself; the operations live in the families. Limits
(bytes, seconds) live here so a hostile probe is refused at validation, not
when it has already asked for a terabyte.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# RFC 793 section 3.2 ("A connection progresses through a series of states"),
# spelled with underscores. CLOSED "represents the state when there is no TCB":
# an entry that is gone from the system's table is reported as CLOSED.
RFC793_STATES = (
    "LISTEN",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "FIN_WAIT_1",
    "FIN_WAIT_2",
    "CLOSE_WAIT",
    "CLOSING",
    "LAST_ACK",
    "TIME_WAIT",
    "CLOSED",
)

MAX_BYTES = 16 * 1024 * 1024
MAX_SECONDS = 30
SOCKET_NAME_PATTERN = "^[a-z][a-z0-9_-]{0,31}$"

SOCKET: dict[str, Any] = {
    "type": "string",
    "pattern": SOCKET_NAME_PATTERN,
    "description": "Name of a socket declared under `sockets` or created by `accept`/`dup`.",
}
SOCKET_LIST: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": SOCKET_NAME_PATTERN},
    "maxItems": 16,
    "description": "Names of sockets.",
}
SECONDS: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SECONDS}
BYTE_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_BYTES}
DATA: dict[str, Any] = {
    "type": "string",
    "maxLength": 4096,
    "description": "Text to send, encoded as UTF-8. Use instead of `bytes`.",
}


def _flags(names: tuple[str, ...], what: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"enum": list(names)},
        "uniqueItems": True,
        "maxItems": len(names),
        "description": f"MSG_* flags for {what}, by name; a flag this OS lacks makes the "
        "step `unsupported` (Windows has no MSG_DONTWAIT or MSG_NOSIGNAL).",
    }


# The MSG_* flags a probe may name, per direction: the schema allows these and
# the engine checks them again before a call (both APIs).
RECV_FLAG_NAMES = ("PEEK", "WAITALL", "OOB", "DONTWAIT")
SEND_FLAG_NAMES = ("NOSIGNAL", "OOB", "DONTWAIT")
RECV_FLAGS = _flags(RECV_FLAG_NAMES, "recv()")
SEND_FLAGS = _flags(SEND_FLAG_NAMES, "send()")
LINGER_VALUE: dict[str, Any] = {
    "type": "object",
    "description": "SO_LINGER in seconds, encoded for the running OS (two u_short on "
    "Windows, SO_LINGER_SEC on macOS, where SO_LINGER counts 1/100 s ticks).",
    "required": ["on", "seconds"],
    "additionalProperties": False,
    "properties": {
        "on": {"type": "boolean", "description": "l_onoff"},
        "seconds": {
            "type": "integer",
            "minimum": 0,
            "maximum": MAX_SECONDS,
            "description": "l_linger, in seconds",
        },
    },
}
RAW_VALUE: dict[str, Any] = {
    "type": "object",
    "description": "Bytes packed with Python's struct module exactly as given, with no "
    "per-OS translation: for observing what a naive encoding does.",
    "required": ["format"],
    "additionalProperties": False,
    "properties": {
        "format": {
            "type": "string",
            "pattern": "^[@=<>!]?[iIhHlLqQbB]{1,8}$",
            "description": "struct format of integer fields, e.g. `ii` or `HH`",
        },
        "values": {
            "type": "array",
            "maxItems": 8,
            "items": {"type": "integer"},
            "description": "The integers to pack (setsockopt only).",
        },
    },
}
EXPECT_STATES: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": len(RFC793_STATES),
    "items": {"enum": list(RFC793_STATES)},
    "description": "RFC 793 states to wait for (up to `wait`); the observation is the state "
    "seen when one of them came, or the last one seen at the bound.",
}
WAIT: dict[str, Any] = {
    "type": "number",
    "minimum": 0,
    "maximum": MAX_SECONDS,
    "description": "Seconds to wait for one of `expect` (default 0: read once). States change "
    "a moment after the call that causes them; keep it below the step's `within`.",
}
OPTION_NAME_PATTERN = "^(SO|TCP|IP|IPV6)_[A-Z0-9_]{1,40}$"
INT_OPTION_VALUE: dict[str, Any] = {
    "type": "integer",
    "minimum": -(2**31),
    "maximum": 2**31 - 1,
    "description": "Integer option value.",
}
OPTION_NAME: dict[str, Any] = {
    "type": "string",
    "pattern": OPTION_NAME_PATTERN,
    "description": "Option name as Python's socket module spells it, e.g. SO_RCVBUF. "
    "The level (SOL_SOCKET, IPPROTO_TCP, ...) follows from the prefix.",
}


# A NamedTuple, not a dataclass: importing dataclasses (and inspect with it)
# costs 13 ms of every `sockmatrix validate` and of every probe's child.
class Operation(NamedTuple):
    description: str
    args: dict[str, dict[str, Any]]
    required: tuple[str, ...] = ()
    # Groups of arguments of which exactly one must be given.
    one_of: tuple[tuple[str, ...], ...] = ()
    # Whether the step talks to a socket (and so runs with a bound on the main
    # sequence) or only steers the scenario (sleep, join).
    socket_call: bool = True
