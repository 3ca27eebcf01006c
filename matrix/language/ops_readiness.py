"""Readiness operations: what select() and poll() report.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from typing import Any

from matrix.language.arguments import MAX_SECONDS, SOCKET_LIST, Operation

# The events a poll step may ask for. ERR, HUP and NVAL are results only: POSIX
# poll() ignores them in ``events`` (poll(2), Linux man-pages: "POLLHUP Hang up
# (only returned in revents; ignored in events)", likewise POLLERR and
# POLLNVAL), while WSAPoll fails on them: Wine's conformance test asserts
# WSAEINVAL for events = POLLERR, POLLHUP or POLLNVAL on a connected socket
# (dlls/ws2_32/tests/sock.c at wine-9.22, 51ccd95c49c2c61ad41960b25a01f834601d70c0,
# test_WSAPoll L8155-8156 and L8289-8297), and Microsoft Learn's WSAPoll page:
# "Any other values are considered errors and WSAPoll will return
# SOCKET_ERROR." Asking for them would not be the same question everywhere,
# and they are reported whether asked for or not.
POLL_REQUEST_EVENTS = ("IN", "OUT", "PRI", "RDHUP")
POLL_RESULT_ONLY_EVENTS = ("ERR", "HUP", "NVAL")
POLL_RESULT_ONLY_REASON = (
    "is reported by poll() without being asked for, and cannot be asked for: POSIX "
    "poll() ignores ERR, HUP and NVAL in events, and Windows' WSAPoll fails on them "
    "with WSAEINVAL; ask for IN, OUT, PRI or RDHUP"
)

# A socket the probe already closed may be named only where a step says so:
# its number is no longer the probe's (matrix.engine.handlers.native,
# _open_handle), so the engine passes it only after checking nothing took it.
ALLOW_CLOSED: dict[str, Any] = {
    "type": "boolean",
    "const": True,
    "description": "`true`: sockets this probe already closed may be named. Their "
    "former descriptor numbers are passed, as a C program that kept a stale number "
    "passes them. The engine checks just before and just after the call that nothing "
    "has taken the number (a number reused meanwhile is a harness error, never an "
    "observation). Main sequence only: no thread step may run during the check.",
}

READINESS: dict[str, Operation] = {
    "select": Operation(
        "select() on sockets; observes which were reported, by name. A socket closed "
        "before the call can be passed only with `allow_closed` (its descriptor number "
        "may be reused). A return when the timeout ran out reads `at its timeout` in the "
        "verdict.",
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
            "allow_closed": ALLOW_CLOSED,
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
                "items": {"enum": list(POLL_REQUEST_EVENTS)},
                "description": "Events to ask for (default IN and OUT). ERR, HUP and "
                "NVAL are reported without being asked for and cannot be asked for: "
                "POSIX poll() ignores them in events, and WSAPoll fails on them "
                "(WSAEINVAL).",
            },
            "timeout": {
                "type": "number",
                "minimum": 0,
                "maximum": MAX_SECONDS,
                "description": "Seconds to wait (0: just look).",
            },
            "allow_closed": ALLOW_CLOSED,
        },
        ("sockets", "timeout"),
    ),
}
