"""TCP state operations: the RFC 793 state of a connection, as the OS reports it.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import EXPECT_STATES, SOCKET, WAIT, Operation

STATES: dict[str, Operation] = {
    "tcp_state": Operation(
        "The TCP state of a socket the probe holds, as an RFC 793 name (ESTABLISHED, "
        "FIN_WAIT_2, CLOSE_WAIT ...): getsockopt TCP_INFO on Linux and FreeBSD, "
        "TCP_CONNECTION_INFO on macOS, WSAIoctl SIO_TCP_INFO on Windows 10 1703+; "
        "`unsupported` where the OS has no such call.",
        {"socket": SOCKET, "expect": EXPECT_STATES, "wait": WAIT},
        ("socket",),
    ),
    "connection_state": Operation(
        "The state of the connection from `socket`'s address to `peer`'s address in the "
        "system's TCP table, also after `socket` was closed (TIME_WAIT, LAST_ACK): CLOSED "
        "when the table has no such entry. The kernel's own table (/proc/net/tcp on Linux, "
        "the pcblist sysctls on macOS, FreeBSD and NetBSD, kern.file on OpenBSD, psutil's "
        "GetExtendedTcpTable on Windows), trusted only once it has found this process's own "
        "connection: `unsupported` where none can be, and instead of CLOSED where the "
        "table drops the connections of closed sockets. Only this pair's states are recorded.",
        {
            "socket": {**SOCKET, "description": "The local end: this socket's address."},
            "peer": {**SOCKET, "description": "The remote end: this socket's address."},
            "expect": EXPECT_STATES,
            "wait": WAIT,
        },
        ("socket", "peer"),
    ),
}
