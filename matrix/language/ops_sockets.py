"""Operations that make, connect, name and close sockets.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import (
    INT_OPTION_VALUE,
    OPTION_NAME_PATTERN,
    SOCKET,
    Operation,
)

SOCKETS: dict[str, Operation] = {
    "close": Operation(
        "close() the socket (closesocket() on Windows). A descriptor closesocket() keeps "
        "(WSAEWOULDBLOCK) stays the probe's: a later close step closes it again.",
        {"socket": SOCKET},
        ("socket",),
    ),
    "shutdown": Operation(
        "shutdown() one or both directions.",
        {
            "socket": SOCKET,
            "how": {
                "enum": ["RD", "WR", "RDWR"],
                "description": "SHUT_RD/SD_RECEIVE, SHUT_WR/SD_SEND or SHUT_RDWR/SD_BOTH.",
            },
        },
        ("socket", "how"),
    ),
    "connect": Operation(
        "connect() to another socket's bound address (the port of a socket this probe "
        "made: never any other port), or to the closed port the engine reserves.",
        {
            "socket": SOCKET,
            "to": {**SOCKET, "description": "Socket whose bound address to connect to."},
            "address": {
                "type": "string",
                "description": "Loopback (127.0.0.0/8, ::1) or "
                "unspecified (0.0.0.0, ::) literal; overrides the address of `to`. A "
                "connect to an unspecified address that returns says where it went "
                "(`ok, reached 127.0.0.1`), since the OS picks the destination.",
            },
            "closed_port": {
                "type": "boolean",
                "const": True,
                "description": "`true`: connect to a loopback port the engine keeps "
                "closed for this probe (bound by a socket that never listens), so the "
                "connection is refused.",
            },
        },
        ("socket",),
        (("to", "closed_port"),),
    ),
    "accept": Operation(
        "accept() on a listener; the new socket gets the name in `as`.",
        {"socket": SOCKET, "as": {**SOCKET, "description": "Name for the accepted socket."}},
        ("socket", "as"),
    ),
    "bind": Operation(
        "bind() to a loopback or unspecified address.",
        {
            "socket": SOCKET,
            "address": {
                "type": "string",
                "description": "Loopback or unspecified literal "
                "(default: the loopback address of the socket's family).",
            },
            "port_of": {**SOCKET, "description": "Bind to the same port as this socket."},
            "options": {
                "type": "object",
                "description": "Socket options set with setsockopt() right before the "
                "bind, as a C program sets them: integer values by name. An option this "
                "OS lacks (SO_EXCLUSIVEADDRUSE outside Windows) makes the step "
                "`unsupported` and the socket stays unbound; a later step that needs its "
                "address is `not reached`.",
                "maxProperties": 4,
                "patternProperties": {OPTION_NAME_PATTERN: INT_OPTION_VALUE},
                "additionalProperties": False,
            },
        },
        ("socket",),
    ),
    "listen": Operation(
        "listen() with a backlog. On a socket whose bind step failed, a listen that "
        "returns has bound it to an ephemeral wildcard port and says so: `ok, on an "
        "ephemeral port (its bind had failed)`.",
        {
            "socket": SOCKET,
            "backlog": {
                "type": "integer",
                "minimum": 0,
                "maximum": 128,
                "description": "Backlog (default 8).",
            },
        },
        ("socket",),
    ),
    "dup": Operation(
        "dup() the socket; the copy gets the name in `as`.",
        {"socket": SOCKET, "as": {**SOCKET, "description": "Name for the copy."}},
        ("socket", "as"),
    ),
    "getpeername": Operation(
        "getpeername(); the address itself is not recorded (it is run-to-run noise).",
        {"socket": SOCKET},
        ("socket",),
    ),
}
