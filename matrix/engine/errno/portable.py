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
from typing import TYPE_CHECKING

from matrix.engine.errno import tables as _tables
from matrix.engine.errno import tables_bsd as _bsd

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.engine.observation_types import ExceptionInfo

# Every number each OS family can report, named as its own header names it
# (matrix/engine/errno/tables.py cites the header of each).
ERRNO_TABLES: dict[str, dict[int, str]] = {
    "linux": _tables.LINUX,
    "macos": _tables.XNU,
    # The CRT numbers stay below 200 and Winsock's start at 10000: one table.
    "windows": {**_tables.WINDOWS_CRT, **_tables.WINSOCK},
    "freebsd": _bsd.FREEBSD,
    "openbsd": _bsd.OPENBSD,
    "netbsd": _bsd.NETBSD,
    "illumos": _bsd.ILLUMOS,
    # WSL1 implements Linux's system calls, with Linux's numbers.
    "wsl1": _tables.LINUX,
}

# Second names of a number (EWOULDBLOCK for EAGAIN): OSError never reports them
# (one number, one name), but documentation and probe files use them.
ERRNO_ALIASES: dict[str, dict[str, str]] = {
    "linux": _tables.LINUX_ALIASES,
    "macos": _tables.XNU_ALIASES,
    "windows": _tables.WINDOWS_CRT_ALIASES,
    "freebsd": _bsd.FREEBSD_ALIASES,
    "openbsd": _bsd.OPENBSD_ALIASES,
    "netbsd": _bsd.NETBSD_ALIASES,
    "illumos": _bsd.ILLUMOS_ALIASES,
    "wsl1": _tables.LINUX_ALIASES,
}

# Spellings of one condition. EAGAIN and EWOULDBLOCK share a number on Linux and
# macOS; ENOTSUP and EOPNOTSUPP share one on Linux but not on macOS.
_PORTABLE_ALIASES: dict[str, str] = {
    "EAGAIN": "EWOULDBLOCK",
    "ENOTSUP": "EOPNOTSUPP",
}


def _unix_names() -> frozenset[str]:
    names = set(_tables.POSIX)
    for family, table in ERRNO_TABLES.items():
        if family != "windows":
            names.update(table.values())
            names.update(ERRNO_ALIASES.get(family, {}))
    return frozenset(names)


# What a WSAE name may fold into: WSAECONNRESET is ECONNRESET, but WSAEDISCON
# has no Unix counterpart and must stay itself rather than become "EDISCON".
UNIX_NAMES = _unix_names()


def raw_name(number: int, family: str) -> str:
    """The platform's own name for an error number, or ``E?<number>`` if unknown."""
    table = ERRNO_TABLES.get(family)
    if table is not None and number in table:
        return table[number]
    # An OS family without a table (Haiku, say) is only ever asked about its
    # own numbers, so the running interpreter's errno module knows them.
    if table is None and number in _errno.errorcode:
        return _errno.errorcode[number]
    return f"E?{number}"


def portable_name(raw: str) -> str:
    """Fold platform spellings of one condition into one name."""
    name = raw[3:] if raw.startswith("WSAE") and raw[3:] in UNIX_NAMES else raw
    return _PORTABLE_ALIASES.get(name, name)


def describe_exception(exc: BaseException, family: str) -> ExceptionInfo:
    """The observation fields for an exception raised by a step."""
    described: ExceptionInfo = {"exception": type(exc).__name__}
    number: int | None = None
    if isinstance(exc, OSError):
        number = exc.errno
        # Windows: winerror holds the Winsock code even where errno was mapped.
        # Only a code in Winsock's range is an error number of ours: any other
        # winerror is a Win32 system error (5 is ERROR_ACCESS_DENIED, while the
        # CRT's errno 5 is EIO), so errno, which CPython maps from it, is used.
        winerror = getattr(exc, "winerror", None)
        if isinstance(winerror, int) and winerror in _tables.WINSOCK_RANGE:
            number = winerror
    if number is not None:
        raw = raw_name(number, family)
        described.update({"errno": number, "name": raw, "portable": portable_name(raw)})
    else:
        # A Python-level timeout (socket.timeout) carries no errno at all: it is
        # CPython's own poll()/select() expiring, not the kernel's answer.
        described.update({"errno": None, "name": None, "portable": type(exc).__name__})
    described["message"] = str(exc)[:200]
    return described
