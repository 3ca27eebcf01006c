"""The operations a probe step may use, as plain data.

Rules of this module:
- This table is the single description of every operation: its arguments,
  their JSON Schema types and what each means. The probe JSON Schema
  (``matrix/schemas/probe.schema.json``) is generated from it, the docs quote
  it, and the engine has exactly one handler per entry (a test checks both).
- Arguments that name other things (``socket``, ``step``, ``as``) are listed in
  REFERENCE_ARGS so the validator can check them without knowing each op.
- Limits (bytes, seconds) are here so a hostile probe is refused at
  validation, not when it has already asked for a terabyte.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from matrix._tcp_states import RFC793_STATES

MAX_BYTES = 16 * 1024 * 1024
MAX_SECONDS = 30
SOCKET_NAME_PATTERN = "^[a-z][a-z0-9_-]{0,31}$"

_SOCKET: dict[str, Any] = {
    "type": "string",
    "pattern": SOCKET_NAME_PATTERN,
    "description": "Name of a socket declared under `sockets` or created by `accept`/`dup`.",
}
_SOCKET_LIST: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": SOCKET_NAME_PATTERN},
    "maxItems": 16,
    "description": "Names of sockets.",
}
_SECONDS: dict[str, Any] = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_SECONDS}
_BYTE_COUNT: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_BYTES}
_DATA: dict[str, Any] = {
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


_RECV_FLAGS = _flags(("PEEK", "WAITALL", "OOB", "DONTWAIT"), "recv()")
_SEND_FLAGS = _flags(("NOSIGNAL", "OOB", "DONTWAIT"), "send()")
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
_EXPECT_STATES: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": len(RFC793_STATES),
    "items": {"enum": list(RFC793_STATES)},
    "description": "RFC 793 states to wait for (up to `wait`); the observation is the state "
    "seen when one of them came, or the last one seen at the bound.",
}
_WAIT: dict[str, Any] = {
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


@dataclass(frozen=True)
class Operation:
    description: str
    args: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    # Groups of arguments of which exactly one must be given.
    one_of: tuple[tuple[str, ...], ...] = ()
    # Whether the step talks to a socket (and so runs with a bound on the main
    # sequence) or only steers the scenario (sleep, join).
    socket_call: bool = True


OPERATIONS: dict[str, Operation] = {
    "send": Operation(
        "One send() call; observes how many bytes it accepted.",
        {
            "socket": _SOCKET,
            "bytes": {**_BYTE_COUNT, "description": "Number of bytes to send."},
            "data": _DATA,
            "flags": _SEND_FLAGS,
        },
        ("socket",),
        (("bytes", "data"),),
    ),
    "sendall": Operation(
        "sendall(): send everything, looping over partial sends.",
        {
            "socket": _SOCKET,
            "bytes": {**_BYTE_COUNT, "description": "Number of bytes to send."},
            "data": _DATA,
        },
        ("socket",),
        (("bytes", "data"),),
    ),
    "fill": Operation(
        "Send until the send buffer is full: the socket is switched to nonblocking for the "
        "loop (and back), and it stops when send() would block twice in a row 50 ms apart.",
        {
            "socket": _SOCKET,
            "limit": {
                **_BYTE_COUNT,
                "description": "Give up after this many bytes (default 16 MiB).",
            },
        },
        ("socket",),
    ),
    "recv": Operation(
        "One recv() call; observes the byte count, or EOF when a stream socket returns 0 "
        "(a datagram socket's 0 is an empty datagram: `0 bytes`).",
        {
            "socket": _SOCKET,
            "bytes": {**_BYTE_COUNT, "description": "Buffer size (default 65536)."},
            "flags": _RECV_FLAGS,
        },
        ("socket",),
    ),
    "drain": Operation(
        "recv() until EOF or an error; observes how much arrived and how it ended. With "
        "`of`, the amount is compared with what those steps sent (all / part / none).",
        {
            "socket": _SOCKET,
            "of": {
                "type": "array",
                "items": {"type": "string"},
                "maxItems": 16,
                "description": "Names of the send/sendall/fill steps whose bytes are expected.",
            },
        },
        ("socket",),
    ),
    "close": Operation(
        "close() the socket (closesocket() on Windows). A descriptor closesocket() keeps "
        "(WSAEWOULDBLOCK) stays the probe's: a later close step closes it again.",
        {"socket": _SOCKET},
        ("socket",),
    ),
    "shutdown": Operation(
        "shutdown() one or both directions.",
        {
            "socket": _SOCKET,
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
            "socket": _SOCKET,
            "to": {**_SOCKET, "description": "Socket whose bound address to connect to."},
            "address": {
                "type": "string",
                "description": "Loopback (127.0.0.0/8, ::1) or "
                "unspecified (0.0.0.0, ::) literal; overrides the address of `to`.",
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
        {"socket": _SOCKET, "as": {**_SOCKET, "description": "Name for the accepted socket."}},
        ("socket", "as"),
    ),
    "bind": Operation(
        "bind() to a loopback or unspecified address.",
        {
            "socket": _SOCKET,
            "address": {
                "type": "string",
                "description": "Loopback or unspecified literal "
                "(default: the loopback address of the socket's family).",
            },
            "port_of": {**_SOCKET, "description": "Bind to the same port as this socket."},
        },
        ("socket",),
    ),
    "listen": Operation(
        "listen() with a backlog.",
        {
            "socket": _SOCKET,
            "backlog": {
                "type": "integer",
                "minimum": 0,
                "maximum": 128,
                "description": "Backlog (default 8).",
            },
        },
        ("socket",),
    ),
    "setsockopt": Operation(
        "setsockopt(): an integer value, a portable linger, a portable duration, or raw "
        "packed bytes.",
        {
            "socket": _SOCKET,
            "option": OPTION_NAME,
            "value": INT_OPTION_VALUE,
            "linger": LINGER_VALUE,
            "raw": RAW_VALUE,
            "duration": {
                **_SECONDS,
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
            "socket": _SOCKET,
            "option": OPTION_NAME,
            "decode": {
                "enum": ["int", "linger", "duration", "errno"],
                "description": "How to read the value: `linger` and `duration` with the "
                "per-OS layout setsockopt uses; `errno` turns SO_ERROR into its portable "
                "error name.",
            },
            "raw": RAW_VALUE,
        },
        ("socket", "option"),
    ),
    "setblocking": Operation(
        "Make the socket blocking or nonblocking (no timeout).",
        {"socket": _SOCKET, "blocking": {"type": "boolean", "description": "True: blocking."}},
        ("socket", "blocking"),
    ),
    "settimeout": Operation(
        "Python's settimeout(). Note: a socket with a timeout is nonblocking underneath "
        "and CPython waits in poll()/select(): this observes Python, not the OS, so it "
        "is `unsupported` with the native API (use SO_RCVTIMEO).",
        {
            "socket": _SOCKET,
            "seconds": {
                **_SECONDS,
                "type": ["number", "null"],
                "description": "Timeout, or null for none.",
            },
        },
        ("socket", "seconds"),
    ),
    "dup": Operation(
        "dup() the socket; the copy gets the name in `as`.",
        {"socket": _SOCKET, "as": {**_SOCKET, "description": "Name for the copy."}},
        ("socket", "as"),
    ),
    "sendto": Operation(
        "sendto() a datagram to another socket's bound address (which may be closed).",
        {
            "socket": _SOCKET,
            "to": {**_SOCKET, "description": "Socket whose address to send to."},
            "bytes": {**_BYTE_COUNT, "description": "Number of bytes to send."},
            "data": _DATA,
            "flags": _SEND_FLAGS,
        },
        ("socket", "to"),
        (("bytes", "data"),),
    ),
    "recvfrom": Operation(
        "recvfrom(); observes the byte count (the sender's address is noise).",
        {
            "socket": _SOCKET,
            "bytes": {**_BYTE_COUNT, "description": "Buffer size (default 65536)."},
            "flags": _RECV_FLAGS,
        },
        ("socket",),
    ),
    "select": Operation(
        "select() on sockets; observes which were reported, by name. A socket closed "
        "before the call cannot be passed (its descriptor is gone). A return when the "
        "timeout ran out reads `at its timeout` in the verdict.",
        {
            "read": {**_SOCKET_LIST, "description": "Sockets to watch for reading."},
            "write": {**_SOCKET_LIST, "description": "Sockets to watch for writing."},
            "exceptional": {
                **_SOCKET_LIST,
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
            "sockets": {**_SOCKET_LIST, "minItems": 1, "description": "Sockets to register."},
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
    "getpeername": Operation(
        "getpeername(); the address itself is not recorded (it is run-to-run noise).",
        {"socket": _SOCKET},
        ("socket",),
    ),
    "tcp_state": Operation(
        "The TCP state of a socket the probe holds, as an RFC 793 name (ESTABLISHED, "
        "FIN_WAIT_2, CLOSE_WAIT ...): getsockopt TCP_INFO on Linux and FreeBSD, "
        "TCP_CONNECTION_INFO on macOS, WSAIoctl SIO_TCP_INFO on Windows 10 1703+; "
        "`unsupported` where the OS has no such call.",
        {"socket": _SOCKET, "expect": _EXPECT_STATES, "wait": _WAIT},
        ("socket",),
    ),
    "connection_state": Operation(
        "The state of the connection from `socket`'s address to `peer`'s address in the "
        "system's TCP table, also after `socket` was closed (TIME_WAIT, LAST_ACK): CLOSED "
        "when the table has no such entry. psutil on Linux and Windows, the "
        "net.inet.tcp.pcblist_n sysctl on macOS; `unsupported` without them. Only this "
        "pair's states are recorded.",
        {
            "socket": {**_SOCKET, "description": "The local end: this socket's address."},
            "peer": {**_SOCKET, "description": "The remote end: this socket's address."},
            "expect": _EXPECT_STATES,
            "wait": _WAIT,
        },
        ("socket", "peer"),
    ),
    "sigpipe": Operation(
        "Set this process's SIGPIPE disposition. `default` is what a C program has (Python "
        "ignores SIGPIPE): a send on a broken connection then kills the probe's process, "
        "which is recorded as the observation `killed by SIGPIPE` for the step that was "
        "running. `unsupported` where there is no SIGPIPE (Windows). Main sequence only.",
        {
            "disposition": {
                "enum": ["default", "ignore"],
                "description": "SIG_DFL or SIG_IGN.",
            }
        },
        ("disposition",),
        socket_call=False,
    ),
    "sleep": Operation(
        "Wait on the main sequence (or on a thread).",
        {"seconds": {**_SECONDS, "description": "How long."}},
        ("seconds",),
        socket_call=False,
    ),
    "join": Operation(
        "Wait for a step on a thread, up to `within` seconds. Observes that step's outcome "
        "at this moment: `blocked` if it has not returned yet.",
        {
            "step": {"type": "string", "description": "Name of a step that runs on a thread."},
            "within": {**_SECONDS, "description": "Bound in seconds."},
        },
        ("step", "within"),
        socket_call=False,
    ),
}

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
        **_SECONDS,
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
