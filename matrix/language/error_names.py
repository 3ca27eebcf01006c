"""Error names: every errno each OS family can report, and the portable name of each.

Rules of this module:
- Data and pure functions only, standard library only: the probe's child (to
  name what a call raised) and validation (to refuse a name no platform can
  report) read the same tables, so the two cannot drift.
- Every errno number is kept per OS family, as a name, with the OS in the table's
  name: the same number means different things on Linux, macOS and Windows
  (35 is EAGAIN on macOS and EDEADLK on Linux).
- The *raw* name is what the platform calls the error (``WSAECONNRESET``,
  ``EAGAIN``); the *portable* name folds spellings of one condition together
  (``WSAEWOULDBLOCK`` and ``EAGAIN`` both become ``EWOULDBLOCK``) so that the
  table only shows a difference where the behaviour differs.
"""

from __future__ import annotations

import functools

from matrix.language import errno_tables as _tables
from matrix.language import errno_tables_bsd as _bsd

# Every number each OS family can report, named as its own header names it
# (matrix/language/errno_tables.py cites the header of each).
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
PORTABLE_ALIASES: dict[str, str] = {
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


def portable_name(raw: str) -> str:
    """Fold platform spellings of one condition into one name."""
    name = raw[3:] if raw.startswith("WSAE") and raw[3:] in UNIX_NAMES else raw
    return PORTABLE_ALIASES.get(name, name)


@functools.cache
def reportable_errors() -> frozenset[str]:
    """Every portable name an observation's error can carry, on any family with a table.

    Built on first use (validation asks; a probe's child never does).
    """
    names: set[str] = set()
    for family, table in ERRNO_TABLES.items():
        names.update(portable_name(raw) for raw in table.values())
        names.update(portable_name(raw) for raw in ERRNO_ALIASES.get(family, {}))
    return frozenset(names)
