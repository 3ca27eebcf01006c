"""Readiness operations: what select() and poll() report.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import MAX_SECONDS, SOCKET_LIST, Operation

READINESS: dict[str, Operation] = {
    "select": Operation(
        "select() on sockets; observes which were reported, by name. A socket closed "
        "before the call cannot be passed (its descriptor is gone). A return when the "
        "timeout ran out reads `at its timeout` in the verdict.",
        {
            "read": {**SOCKET_LIST, "description": "Sockets to watch for reading."},
            "write": {**SOCKET_LIST, "description": "Sockets to watch for writing."},
            "exceptional": {
                **SOCKET_LIST,
                "description": "Sockets to watch for exceptional "
                "conditions (Windows reports a failed connect here).",
            },
            "timeout": {
                "type": "number",
                "minimum": 0,
                "maximum": MAX_SECONDS,
                "description": "Seconds to wait (0: just look).",
            },
        },
        ("timeout",),
    ),
    "poll": Operation(
        "poll() (WSAPoll() on Windows) on sockets for the given events; observes the "
        "returned flags per socket. With --api python it is unsupported where Python has "
        "no select.poll (Windows).",
        {
            "sockets": {**SOCKET_LIST, "minItems": 1, "description": "Sockets to register."},
            "events": {
                "type": "array",
                "maxItems": 4,
                "items": {"enum": ["IN", "OUT", "PRI", "RDHUP"]},
                "description": "Events to ask for (default IN and OUT).",
            },
            "timeout": {
                "type": "number",
                "minimum": 0,
                "maximum": MAX_SECONDS,
                "description": "Seconds to wait (0: just look).",
            },
        },
        ("sockets", "timeout"),
    ),
}
