"""The socket options a probe may name: the allow-list, as plain data.

Rules of this module:
- A probe from a stranger's pull request runs on a CI runner that can reach
  the internet. Options such as SO_BINDTODEVICE, IP_OPTIONS (source routes),
  IP_ADD_MEMBERSHIP (IGMP) or IP_HDRINCL reach past loopback, so only the
  options listed here may be set or read, each with its value kind and range.
  Validation refuses everything else with a did-you-mean, and the engine checks
  again right before the call (:func:`checked_set`), as it does for addresses.
- Option numbers differ per OS: they are data, keyed by OS family, with the
  header each comes from, so the Windows and macOS values are unit-tested here.
  Where the table has no number for an OS, Python's socket module is asked (a
  capability check: the BSDs); an option the running OS lacks is recorded as
  ``unsupported``, never a crash.
- macOS has no TCP_KEEPIDLE: the idle time before keepalive probes is
  TCP_KEEPALIVE there (XNU bsd/netinet/tcp.h: "#define TCP_KEEPALIVE 0x10 /*
  idle time used when SO_KEEPALIVE is enabled */"), so TCP_KEEPIDLE maps to it.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from matrix.language.suggest import did_you_mean

MAX_BUFFER = 16 * 1024 * 1024

# Level numbers per OS family.
# Linux <asm-generic/socket.h> SOL_SOCKET 1; XNU <sys/socket.h>, FreeBSD and
# NetBSD sys/sys/socket.h and Winsock <winsock2.h> SOL_SOCKET 0xffff (a level
# is used only for an option the table places on that family). IPPROTO_* are
# the IANA protocol numbers everywhere (<netinet/in.h>, <ws2def.h>): IP 0, TCP 6,
# IPv6 41.
LEVELS: dict[str, dict[str, int]] = {
    "socket": {"linux": 1, "macos": 0xFFFF, "windows": 0xFFFF, "freebsd": 0xFFFF, "netbsd": 0xFFFF},
    "tcp": {"linux": 6, "macos": 6, "windows": 6},
    "ip": {"linux": 0, "macos": 0, "windows": 0},
    "ipv6": {"linux": 41, "macos": 41, "windows": 41},
}
LEVEL_NAMES = {
    "socket": "SOL_SOCKET",
    "tcp": "IPPROTO_TCP",
    "ip": "IPPROTO_IP",
    "ipv6": "IPPROTO_IPV6",
}


# A NamedTuple, not a dataclass: see matrix.language.arguments.Operation.
class KnownOption(NamedTuple):
    name: str
    level: str  # a key of LEVELS
    kind: str  # bool | int | linger | duration: how a probe gives its value
    minimum: int = 0
    maximum: int = 1
    # Option number per OS family; a family missing here asks Python's socket
    # module (by ``native`` name, or ``name``).
    numbers: Mapping[str, int] = MappingProxyType({})
    # Where an OS spells the option differently (macOS TCP_KEEPALIVE).
    native: Mapping[str, str] = MappingProxyType({})
    settable: bool = True
    # The largest ``raw`` value (bytes) a probe may pass: the C type's size.
    raw_bytes: int = 4


def _opt(name: str, level: str, kind: str, lo: int, hi: int, **numbers: int) -> KnownOption:
    return KnownOption(name, level, kind, lo, hi, dict(numbers))


# Sources of the numbers:
#   linux:   include/uapi/asm-generic/socket.h, include/uapi/linux/tcp.h,
#            include/uapi/linux/in.h, include/uapi/linux/in6.h
#   macos:   XNU bsd/sys/socket.h, bsd/netinet/tcp.h, bsd/netinet/in.h,
#            bsd/netinet6/in6.h
#   windows: winsock2.h (SOL_SOCKET options), ws2ipdef.h (IPPROTO_TCP/IP/IPV6)
_TABLE: tuple[KnownOption, ...] = (
    _opt("SO_REUSEADDR", "socket", "bool", 0, 1, linux=2, macos=0x4, windows=0x4),
    _opt("SO_REUSEPORT", "socket", "bool", 0, 1, linux=15, macos=0x200),
    # winsock2.h: #define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR)), i.e. -5.
    _opt("SO_EXCLUSIVEADDRUSE", "socket", "bool", 0, 1, windows=-5),
    _opt("SO_KEEPALIVE", "socket", "bool", 0, 1, linux=9, macos=0x8, windows=0x8),
    # XNU bsd/sys/socket.h: #define SO_NOSIGPIPE 0x1022 (EPIPE without SIGPIPE);
    # FreeBSD sys/sys/socket.h: "#define SO_NOSIGPIPE 0x00000800 /* no SIGPIPE
    # from EPIPE */" and NetBSD sys/sys/socket.h (v 1.131.4.1, NetBSD 10):
    # "#define SO_NOSIGPIPE 0x0800". CPython's socket module does not export
    # SO_NOSIGPIPE, so these numbers cannot come from the interpreter. OpenBSD
    # has no SO_NOSIGPIPE; Linux has MSG_NOSIGNAL per call instead, Windows no
    # SIGPIPE at all.
    _opt("SO_NOSIGPIPE", "socket", "bool", 0, 1, macos=0x1022, freebsd=0x800, netbsd=0x800),
    _opt("SO_OOBINLINE", "socket", "bool", 0, 1, linux=10, macos=0x100, windows=0x100),
    KnownOption(
        "SO_LINGER",
        "socket",
        "linger",
        numbers={"linux": 13, "macos": 0x80, "windows": 0x80},
        raw_bytes=8,
    ),
    _opt("SO_SNDBUF", "socket", "int", 0, MAX_BUFFER, linux=7, macos=0x1001, windows=0x1001),
    _opt("SO_RCVBUF", "socket", "int", 0, MAX_BUFFER, linux=8, macos=0x1002, windows=0x1002),
    _opt("SO_SNDLOWAT", "socket", "int", 0, MAX_BUFFER, linux=19, macos=0x1003, windows=0x1003),
    _opt("SO_RCVLOWAT", "socket", "int", 0, MAX_BUFFER, linux=18, macos=0x1004, windows=0x1004),
    KnownOption(
        "SO_SNDTIMEO",
        "socket",
        "duration",
        numbers={"linux": 21, "macos": 0x1005, "windows": 0x1005},
        raw_bytes=16,
    ),
    KnownOption(
        "SO_RCVTIMEO",
        "socket",
        "duration",
        numbers={"linux": 20, "macos": 0x1006, "windows": 0x1006},
        raw_bytes=16,
    ),
    KnownOption(
        "SO_ERROR",
        "socket",
        "int",
        numbers={"linux": 4, "macos": 0x1007, "windows": 0x1007},
        settable=False,
    ),
    KnownOption(
        "SO_TYPE",
        "socket",
        "int",
        numbers={"linux": 3, "macos": 0x1008, "windows": 0x1008},
        settable=False,
    ),
    KnownOption(
        "SO_ACCEPTCONN",
        "socket",
        "bool",
        numbers={"linux": 30, "macos": 0x2, "windows": 0x2},
        settable=False,
    ),
    _opt("TCP_NODELAY", "tcp", "bool", 0, 1, linux=1, macos=0x1, windows=1),
    _opt("TCP_MAXSEG", "tcp", "int", 0, 65535, linux=2, macos=0x2),
    KnownOption(
        "TCP_KEEPIDLE",
        "tcp",
        "int",
        1,
        32767,
        # ws2ipdef.h: #define TCP_KEEPIDLE TCP_KEEPALIVE (3).
        numbers={"linux": 4, "macos": 0x10, "windows": 3},
        native={"macos": "TCP_KEEPALIVE"},
    ),
    _opt("TCP_KEEPINTVL", "tcp", "int", 1, 32767, linux=5, macos=0x101, windows=17),
    _opt("TCP_KEEPCNT", "tcp", "int", 1, 127, linux=6, macos=0x102, windows=16),
    _opt("TCP_NOPUSH", "tcp", "bool", 0, 1, macos=0x4),
    _opt("TCP_CORK", "tcp", "bool", 0, 1, linux=3),
    _opt("TCP_QUICKACK", "tcp", "bool", 0, 1, linux=12),
    _opt("TCP_USER_TIMEOUT", "tcp", "int", 0, 600_000, linux=18),
    _opt("IP_TOS", "ip", "int", 0, 255, linux=1, macos=3, windows=3),
    _opt("IP_TTL", "ip", "int", 1, 255, linux=2, macos=4, windows=4),
    _opt("IPV6_UNICAST_HOPS", "ipv6", "int", -1, 255, linux=16, macos=4, windows=4),
    _opt("IPV6_V6ONLY", "ipv6", "bool", 0, 1, linux=26, macos=27, windows=27),
)

KNOWN_OPTIONS: dict[str, KnownOption] = {option.name: option for option in _TABLE}


class OptionRefused(Exception):
    """An option (or value) a probe may not use: never passed to the OS."""


# Options a probe may not use, and why: each reaches past the probe's own
# loopback sockets (the rule above). A did-you-mean would only point elsewhere.
REFUSED_OPTIONS: dict[str, str] = {
    "SO_BINDTODEVICE": "it binds the socket to a network interface, and a probe's "
    "sockets stay on loopback",
    "IP_OPTIONS": "it sets IP header options such as source routes, which reach past loopback",
    "IP_HDRINCL": "it lets a socket write its own IP headers (raw packets)",
    "IP_ADD_MEMBERSHIP": "it joins a multicast group, which announces itself on the network (IGMP)",
    "IP_DROP_MEMBERSHIP": "it leaves a multicast group, which announces itself on the network",
    "IPV6_JOIN_GROUP": "it joins a multicast group, which announces itself on the network (MLD)",
    "IPV6_LEAVE_GROUP": "it leaves a multicast group, which announces itself on the network",
    "SO_BROADCAST": "it lets a datagram socket send to a broadcast address, off loopback",
}


def name_problem(name: str, *, setting: bool, list_allowed: bool = True) -> str | None:
    """Why a probe may not name option ``name`` (for setting or reading), or None.

    ``list_allowed=False`` leaves out the list of allowed names (a file's first
    unknown option carries it; repeating 29 names per option helps nobody).
    """
    option = KNOWN_OPTIONS.get(name)
    shown = name if len(name) <= 48 else name[:48] + "…"
    if option is None and name in REFUSED_OPTIONS:
        return f"socket option {name} is not allowed in a probe: {REFUSED_OPTIONS[name]}"
    if option is None:
        allowed = "; probes may use: " + ", ".join(sorted(KNOWN_OPTIONS)) if list_allowed else ""
        return (
            f"unknown or not allowed socket option {shown!r}"
            f"{did_you_mean(name, sorted(KNOWN_OPTIONS))}{allowed}"
        )
    if setting and not option.settable:
        return f"{name} can only be read (getsockopt), not set"
    return None


def value_problem(name: str, how: str, value: object) -> str | None:
    """Why setting ``name`` with ``how`` (value/linger/duration/raw) = ``value`` is refused."""
    option = KNOWN_OPTIONS[name]
    if how == "raw":
        return raw_problem(option, value)
    if how in ("linger", "duration"):
        if option.kind != how:
            return f"{how} is for {_options_of_kind(how)}, not {name}"
        return None
    if option.kind in ("linger", "duration"):
        return f"{name} takes `{option.kind}:` (or `raw:`), not an integer value"
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{name} takes an integer"
    if not option.minimum <= value <= option.maximum:
        return f"{name} takes {option.minimum} to {option.maximum}, not {value}"
    return None


def raw_problem(option: KnownOption, raw: object) -> str | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("format"), str):
        return "raw needs a struct format"
    values = raw.get("values", [])
    try:
        size = struct.calcsize(raw["format"])
        if values:
            struct.pack(raw["format"], *values)
    except (struct.error, TypeError, OverflowError) as exc:
        return f"raw values do not fit the format {raw['format']!r}: {str(exc)[:100]}"
    if size > option.raw_bytes:
        return f"raw value of {size} bytes is more than {option.name} takes ({option.raw_bytes})"
    return None


def _options_of_kind(kind: str) -> str:
    return ", ".join(o.name for o in _TABLE if o.kind == kind)


def resolve(name: str, family: str) -> tuple[int, int] | None:
    """(level, optname) of an allowed option on OS ``family``; None if that OS lacks it.

    Raises OptionRefused for a name not on the list.
    """
    option = KNOWN_OPTIONS.get(name)
    if option is None:
        raise OptionRefused(f"socket option {name[:48]!r} is not on the allow-list")
    level = LEVELS[option.level].get(family)
    number = option.numbers.get(family)
    if level is not None and number is not None:
        return level, number
    # No entry for this OS (a BSD, or an option the table does not place):
    # ask the interpreter, which was built against this OS's own headers.
    import socket  # the engine's question only: validation never asks it

    level = getattr(socket, LEVEL_NAMES[option.level], None)
    number = getattr(socket, option.native.get(family, name), None)
    if level is None or number is None:
        return None
    return int(level), int(number)


def checked_set(name: str, how: str, value: object) -> None:
    """The engine's last check before setsockopt(): raise OptionRefused if not allowed."""
    if name not in KNOWN_OPTIONS:
        raise OptionRefused(f"socket option {name[:48]!r} is not on the allow-list")
    problem = name_problem(name, setting=True) or value_problem(name, how, value)
    if problem is not None:
        raise OptionRefused(problem)
