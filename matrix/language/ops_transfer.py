"""Socket I/O operations: sending and receiving bytes, on streams and datagrams.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import BYTE_COUNT, DATA, RECV_FLAGS, SEND_FLAGS, SOCKET, Operation

IO: dict[str, Operation] = {
    "send": Operation(
        "One send() call; observes how many bytes it accepted.",
        {
            "socket": SOCKET,
            "bytes": {**BYTE_COUNT, "description": "Number of bytes to send."},
            "data": DATA,
            "flags": SEND_FLAGS,
        },
        ("socket",),
        (("bytes", "data"),),
    ),
    "sendall": Operation(
        "sendall(): send everything, looping over partial sends.",
        {
            "socket": SOCKET,
            "bytes": {**BYTE_COUNT, "description": "Number of bytes to send."},
            "data": DATA,
        },
        ("socket",),
        (("bytes", "data"),),
    ),
    "fill": Operation(
        "Send until the send buffer is full: the socket is switched to nonblocking for the "
        "loop (and back), and it stops when send() would block twice in a row 50 ms apart.",
        {
            "socket": SOCKET,
            "limit": {
                **BYTE_COUNT,
                "description": "Give up after this many bytes (default 16 MiB).",
            },
        },
        ("socket",),
    ),
    "recv": Operation(
        "One recv() call; observes the byte count, or EOF when a stream socket returns 0 "
        "(a datagram socket's 0 is an empty datagram: `0 bytes`).",
        {
            "socket": SOCKET,
            "bytes": {**BYTE_COUNT, "description": "Buffer size (default 65536)."},
            "flags": RECV_FLAGS,
        },
        ("socket",),
    ),
    "drain": Operation(
        "recv() until EOF or an error; observes how much arrived and how it ended. With "
        "`of`, the amount is compared with what those steps sent (all / part / none).",
        {
            "socket": SOCKET,
            "of": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": 16,
                "description": "Names of the send/sendall/fill steps whose bytes are expected.",
            },
        },
        ("socket",),
    ),
    "sendto": Operation(
        "sendto() a datagram to another socket's bound address (which may be closed).",
        {
            "socket": SOCKET,
            "to": {**SOCKET, "description": "Socket whose address to send to."},
            "bytes": {**BYTE_COUNT, "description": "Number of bytes to send."},
            "data": DATA,
            "flags": SEND_FLAGS,
        },
        ("socket", "to"),
        (("bytes", "data"),),
    ),
    "recvfrom": Operation(
        "recvfrom(); observes the byte count (the sender's address is noise).",
        {
            "socket": SOCKET,
            "bytes": {**BYTE_COUNT, "description": "Buffer size (default 65536)."},
            "flags": RECV_FLAGS,
        },
        ("socket",),
    ),
}
