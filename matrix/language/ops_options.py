"""Operations on socket options and blocking modes.

Rules: entries are data only (see matrix.language.operations for what an entry must
say); each has exactly one handler in matrix.engine.handlers.native and
matrix.engine.handlers.python.
matrix.language.operations assembles the families into OPERATIONS.
"""

from __future__ import annotations

from matrix.language.arguments import (
    INT_OPTION_VALUE,
    LINGER_VALUE,
    OPTION_NAME,
    RAW_VALUE,
    SECONDS,
    SOCKET,
    Operation,
)

OPTIONS: dict[str, Operation] = {
    "setsockopt": Operation(
        "setsockopt(): an integer value, a portable linger, a portable duration, or raw "
        "packed bytes.",
        {
            "socket": SOCKET,
            "option": OPTION_NAME,
            "value": INT_OPTION_VALUE,
            "linger": LINGER_VALUE,
            "raw": RAW_VALUE,
            "duration": {
                **SECONDS,
                "description": "SO_RCVTIMEO/SO_SNDTIMEO in seconds, encoded for the running "
                "OS: struct timeval on Linux and macOS, DWORD milliseconds on Windows.",
            },
        },
        ("socket",),
        (("value", "linger", "raw", "duration"),),
    ),
    "getsockopt": Operation(
        "getsockopt(); observes the value (as an integer unless `decode` says otherwise).",
        {
            "socket": SOCKET,
            "option": OPTION_NAME,
            "decode": {
                "enum": ["int", "linger", "duration", "errno"],
                "description": "How to read the value: `linger` and `duration` with the "
                "per-OS layout setsockopt uses; `errno` turns SO_ERROR into its portable "
                "error name.",
            },
            "raw": RAW_VALUE,
            "length": {
                "type": "boolean",
                "const": True,
                "description": "`true`: also observe how many bytes the OS wrote, the "
                "option length getsockopt() hands back, into an int-sized buffer: `1, 1 "
                "byte`. Winsock writes one byte for some BOOL options (Wine's conformance "
                "tests assert it) where POSIX systems write an int. For integer reads "
                "(no `decode`, or `int` or `errno`).",
            },
        },
        ("socket", "option"),
    ),
    "setblocking": Operation(
        "Make the socket blocking or nonblocking (no timeout).",
        {"socket": SOCKET, "blocking": {"type": "boolean", "description": "True: blocking."}},
        ("socket", "blocking"),
    ),
    "settimeout": Operation(
        "Python's settimeout(). Note: a socket with a timeout is nonblocking underneath "
        "and CPython waits in poll()/select(): this observes Python, not the OS, so it "
        "is `unsupported` with the native API (use SO_RCVTIMEO).",
        {
            "socket": SOCKET,
            "seconds": {
                **SECONDS,
                "type": ["number", "null"],
                "description": "Timeout, or null for none.",
            },
        },
        ("socket", "seconds"),
    ),
}
