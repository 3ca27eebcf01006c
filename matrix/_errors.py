"""Turn an exception raised by a socket call into names that compare across OSes.

Rules of this module:
- Every errno number is kept per OS family, as a name, with the OS in the table's
  name: the same number means different things on Linux, macOS and Windows
  (35 is EAGAIN on macOS and EDEADLK on Linux).
- The *raw* name is what the platform calls the error (``WSAECONNRESET``,
  ``EAGAIN``); the *portable* name folds spellings of one condition together
  (``WSAEWOULDBLOCK`` and ``EAGAIN`` both become ``EWOULDBLOCK``) so that the
  table only shows a difference where the behaviour differs.
- Nothing here asks the running interpreter which OS it is on; callers pass the
  OS family, so tests can feed in Windows and macOS numbers on Linux.
"""

from __future__ import annotations

import errno as _errno
from typing import Any

# Linux (asm-generic/errno.h, errno-base.h): the socket-related subset.
LINUX_ERRNO: dict[int, str] = {
    1: "EPERM",
    4: "EINTR",
    9: "EBADF",
    11: "EAGAIN",
    13: "EACCES",
    14: "EFAULT",
    22: "EINVAL",
    24: "EMFILE",
    32: "EPIPE",
    88: "ENOTSOCK",
    89: "EDESTADDRREQ",
    90: "EMSGSIZE",
    91: "EPROTOTYPE",
    92: "ENOPROTOOPT",
    93: "EPROTONOSUPPORT",
    94: "ESOCKTNOSUPPORT",
    95: "EOPNOTSUPP",
    96: "EPFNOSUPPORT",
    97: "EAFNOSUPPORT",
    98: "EADDRINUSE",
    99: "EADDRNOTAVAIL",
    100: "ENETDOWN",
    101: "ENETUNREACH",
    102: "ENETRESET",
    103: "ECONNABORTED",
    104: "ECONNRESET",
    105: "ENOBUFS",
    106: "EISCONN",
    107: "ENOTCONN",
    108: "ESHUTDOWN",
    110: "ETIMEDOUT",
    111: "ECONNREFUSED",
    112: "EHOSTDOWN",
    113: "EHOSTUNREACH",
    114: "EALREADY",
    115: "EINPROGRESS",
}

# macOS (XNU bsd/sys/errno.h): BSD numbering, different from Linux above 34.
MACOS_ERRNO: dict[int, str] = {
    1: "EPERM",
    4: "EINTR",
    9: "EBADF",
    13: "EACCES",
    14: "EFAULT",
    22: "EINVAL",
    24: "EMFILE",
    32: "EPIPE",
    33: "EDOM",
    35: "EAGAIN",
    36: "EINPROGRESS",
    37: "EALREADY",
    38: "ENOTSOCK",
    39: "EDESTADDRREQ",
    40: "EMSGSIZE",
    41: "EPROTOTYPE",
    42: "ENOPROTOOPT",
    43: "EPROTONOSUPPORT",
    44: "ESOCKTNOSUPPORT",
    45: "ENOTSUP",
    46: "EPFNOSUPPORT",
    47: "EAFNOSUPPORT",
    48: "EADDRINUSE",
    49: "EADDRNOTAVAIL",
    50: "ENETDOWN",
    51: "ENETUNREACH",
    52: "ENETRESET",
    53: "ECONNABORTED",
    54: "ECONNRESET",
    55: "ENOBUFS",
    56: "EISCONN",
    57: "ENOTCONN",
    58: "ESHUTDOWN",
    59: "ETOOMANYREFS",
    60: "ETIMEDOUT",
    61: "ECONNREFUSED",
    64: "EHOSTDOWN",
    65: "EHOSTUNREACH",
    102: "EOPNOTSUPP",
}

# Windows (winsock2.h): Winsock reports WSA* codes; CPython puts them in both
# OSError.winerror and OSError.errno for socket calls.
WINDOWS_WSA: dict[int, str] = {
    10004: "WSAEINTR",
    10009: "WSAEBADF",
    10013: "WSAEACCES",
    10014: "WSAEFAULT",
    10022: "WSAEINVAL",
    10024: "WSAEMFILE",
    10035: "WSAEWOULDBLOCK",
    10036: "WSAEINPROGRESS",
    10037: "WSAEALREADY",
    10038: "WSAENOTSOCK",
    10039: "WSAEDESTADDRREQ",
    10040: "WSAEMSGSIZE",
    10041: "WSAEPROTOTYPE",
    10042: "WSAENOPROTOOPT",
    10043: "WSAEPROTONOSUPPORT",
    10044: "WSAESOCKTNOSUPPORT",
    10045: "WSAEOPNOTSUPP",
    10046: "WSAEPFNOSUPPORT",
    10047: "WSAEAFNOSUPPORT",
    10048: "WSAEADDRINUSE",
    10049: "WSAEADDRNOTAVAIL",
    10050: "WSAENETDOWN",
    10051: "WSAENETUNREACH",
    10052: "WSAENETRESET",
    10053: "WSAECONNABORTED",
    10054: "WSAECONNRESET",
    10055: "WSAENOBUFS",
    10056: "WSAEISCONN",
    10057: "WSAENOTCONN",
    10058: "WSAESHUTDOWN",
    10059: "WSAETOOMANYREFS",
    10060: "WSAETIMEDOUT",
    10061: "WSAECONNREFUSED",
    10064: "WSAEHOSTDOWN",
    10065: "WSAEHOSTUNREACH",
    10101: "WSAEDISCON",
}

# Windows' C runtime errno (errno.h) for the few non-socket calls a probe makes.
WINDOWS_CRT: dict[int, str] = {4: "EINTR", 9: "EBADF", 13: "EACCES", 22: "EINVAL", 32: "EPIPE"}

ERRNO_TABLES: dict[str, dict[int, str]] = {
    "linux": LINUX_ERRNO,
    "macos": MACOS_ERRNO,
    "windows": {**WINDOWS_CRT, **WINDOWS_WSA},
}

# Spellings of one condition. EAGAIN and EWOULDBLOCK share a number on Linux and
# macOS; ENOTSUP and EOPNOTSUPP share one on Linux but not on macOS.
_PORTABLE_ALIASES: dict[str, str] = {
    "EAGAIN": "EWOULDBLOCK",
    "ENOTSUP": "EOPNOTSUPP",
}


def os_family(sys_platform: str) -> str:
    """Map ``sys.platform`` to the family name used in tables and results."""
    if sys_platform.startswith("linux"):
        return "linux"
    if sys_platform == "darwin":
        return "macos"
    if sys_platform in ("win32", "cygwin"):
        return "windows"
    return sys_platform


def raw_name(number: int, family: str) -> str:
    """The platform's own name for an error number, or ``E?<number>`` if unknown."""
    table = ERRNO_TABLES.get(family)
    if table is not None and number in table:
        return table[number]
    # An OS family without a table (FreeBSD, say) is only ever asked about its
    # own numbers, so the running interpreter's errno module knows them.
    if table is None and number in _errno.errorcode:
        return _errno.errorcode[number]
    return f"E?{number}"


def portable_name(raw: str) -> str:
    """Fold platform spellings of one condition into one name."""
    name = raw[3:] if raw.startswith("WSAE") else raw
    return _PORTABLE_ALIASES.get(name, name)


def describe_exception(exc: BaseException, family: str) -> dict[str, Any]:
    """The observation fields for an exception raised by a step."""
    described: dict[str, Any] = {"exception": type(exc).__name__}
    number: int | None = None
    if isinstance(exc, OSError):
        # Windows: winerror holds the Winsock code even where errno was mapped.
        number = getattr(exc, "winerror", None) or exc.errno
    if number is not None:
        raw = raw_name(number, family)
        described.update(errno=number, name=raw, portable=portable_name(raw))
    else:
        # A Python-level timeout (socket.timeout) carries no errno at all: it is
        # CPython's own poll()/select() expiring, not the kernel's answer.
        described.update(errno=None, name=None, portable=type(exc).__name__)
    described["message"] = str(exc)[:200]
    return described
