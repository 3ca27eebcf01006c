"""The BSD sysctl(3) calls, through ctypes: a table read by name or by number.

Why: the connection tables of XNU and the BSDs are read with sysctl, which
CPython does not wrap.

Rules of this module:
- A capability check, not an OS check: where the process's own C library has
  no such function, or the kernel no such name, the answer is None, never an
  exception (Linux and Windows have neither).
- A table grows between the size query and the read: the buffer leaves room
  and the read is retried while the kernel answers ENOMEM. Whatever else the
  kernel answers is raised as OSError, for the caller to report.
"""

from __future__ import annotations

import ctypes
import errno
from collections.abc import Callable
from typing import Any

# Tries of the read when the table outgrew the buffer between two calls.
GROWTH_TRIES = 4


def _libc() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # Windows: no "the process itself" library
        return None


def _function(name: str) -> Any:
    libc = _libc()
    return None if libc is None else getattr(libc, name, None)


def _read(call: Callable[[Any, Any], int], what: str) -> bytes | None:
    """Size query, then the read into a roomier buffer (sysctl(3): oldp NULL)."""
    size = ctypes.c_size_t(0)
    if call(None, ctypes.byref(size)) != 0:
        number = ctypes.get_errno()
        if number in (errno.ENOENT, errno.EOPNOTSUPP, errno.ENOTDIR):
            return None  # no such name on this kernel
        raise OSError(number, f"sysctl {what}: {errno.errorcode.get(number, number)}")
    for _ in range(GROWTH_TRIES):
        capacity = size.value + size.value // 4 + 4096
        buffer = ctypes.create_string_buffer(capacity)
        size = ctypes.c_size_t(capacity)
        if call(buffer, ctypes.byref(size)) == 0:
            return buffer.raw[: size.value]
        number = ctypes.get_errno()
        if number != errno.ENOMEM:
            raise OSError(number, f"sysctl {what}: {errno.errorcode.get(number, number)}")
    raise OSError(errno.ENOMEM, f"sysctl {what} kept growing")


def by_name(name: str) -> bytes | None:
    """``sysctlbyname(name)`` (XNU, FreeBSD, NetBSD); None where it does not exist."""
    sysctlbyname = _function("sysctlbyname")
    if sysctlbyname is None:
        return None
    sysctlbyname.argtypes = [
        ctypes.c_char_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_void_p,
        ctypes.c_size_t,
    ]
    sysctlbyname.restype = ctypes.c_int
    encoded = name.encode("ascii")
    return _read(lambda buffer, size: int(sysctlbyname(encoded, buffer, size, None, 0)), name)


def name_to_mib(name: str) -> list[int] | None:
    """``sysctlnametomib(name)`` (FreeBSD, NetBSD); None where it does not exist."""
    nametomib = _function("sysctlnametomib")
    if nametomib is None:
        return None
    nametomib.argtypes = [
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_size_t),
    ]
    nametomib.restype = ctypes.c_int
    mib = (ctypes.c_int * 12)()  # CTL_MAXNAME
    length = ctypes.c_size_t(len(mib))
    if nametomib(name.encode("ascii"), mib, ctypes.byref(length)) != 0:
        return None
    return list(mib[: length.value])


def by_mib(mib: list[int], what: str, sized: Callable[[int], list[int]] | None = None) -> bytes:
    """``sysctl(mib)``. ``sized(capacity)``, when given, rewrites the mib for a
    buffer of ``capacity`` bytes (tables that take an element count in the name).
    Raises OSError where the C library has no sysctl or the kernel refuses."""
    sysctl = _function("sysctl")
    if sysctl is None:
        raise OSError(errno.ENOSYS, "this C library has no sysctl")
    sysctl.argtypes = [
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_void_p,
        ctypes.c_size_t,
    ]
    sysctl.restype = ctypes.c_int

    def call(buffer: Any, size: Any) -> int:
        capacity = 0 if buffer is None else ctypes.sizeof(buffer)
        name = sized(capacity) if sized is not None else mib
        array = (ctypes.c_int * len(name))(*name)
        return int(sysctl(array, len(name), buffer, size, None, 0))

    data = _read(call, what)
    if data is None:
        raise OSError(errno.ENOENT, f"sysctl {what}: no such name")
    return data
