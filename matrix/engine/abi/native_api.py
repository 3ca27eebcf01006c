"""The C socket API on raw descriptors, through ctypes, for one
:class:`~matrix.engine.abi.layout.Abi`.

Rules of this module:
- Every call goes straight to the C function; its error is read from that very
  call: ``use_errno=True`` + ``ctypes.get_errno()`` on POSIX, ``use_last_error=
  True`` + ``ctypes.get_last_error()`` (what WSAGetLastError returns) on
  Windows. ctypes keeps both per thread, so concurrent steps do not mix them.
  Nothing retries on EINTR, ignores an error of close() or waits in
  poll()/select() first - which is what CPython's socketmodule.c does
  (sock_call_ex, sock_close) and why this layer exists.
- Libraries are loaded with ``CDLL``/``WinDLL``, which release the GIL around
  each call, so a call blocked in the kernel never stalls the other threads of
  the probe. ``PyDLL`` (which keeps the GIL) is never used (a test checks).
- Failures become ``OSError(errno, strerror)`` (POSIX) or an OSError carrying
  ``winerror`` (Windows), the shape ``_errors.describe_exception`` reads.
- The library object is passed in, so the tests drive every ABI with a fake
  that records the calls.
- Functions are looked up by their plain names (``select``), which is not
  always the symbol a C program links: NetBSD's <sys/select.h> renames select
  to ``__select50`` (the plain name is the pre-5.0 compatibility entry, whose
  ``struct timeval50`` has a long tv_usec: on 64-bit little-endian machines
  the same bytes as ``=qi4x`` with zero padding; a big-endian one would not
  match), and macOS' <sys/_select.h> links ``select$1050`` or, under
  _DARWIN_C_SOURCE, ``select$DARWIN_EXTSN``, which differ from plain
  ``select`` in cancellation and in accepting nfds above FD_SETSIZE. For the
  layouts and nfds used here (at most FD_SETSIZE) they behave alike.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from collections.abc import Callable
from typing import Any

from matrix.engine.abi import layout as _abi
from matrix.engine.abi.layout import Abi


class NativeUnavailable(Exception):
    """The native layer cannot run here (32-bit, unknown ABI, library missing)."""


class NativeSocket:
    """A descriptor the native layer owns; Python's socket module never closes it."""

    __slots__ = ("blocking", "closed", "closing", "family", "handle", "in_close", "kind")

    def __init__(self, handle: int, family: str, kind: str, blocking: bool | None = True) -> None:
        self.handle = handle
        self.family = family  # "ipv4" or "ipv6"
        self.kind = kind  # "stream" or "dgram"
        # Last mode set through this layer; None where the OS decided (accept).
        self.blocking = blocking
        self.closed = False
        # A close() of this handle has been called and has not returned (it
        # may wait out a linger time, or on XNU for a thread inside a call):
        # no other close may be issued on it meanwhile ("A Winsock client must
        # never issue closesocket on s concurrently with another Winsock
        # function call", Microsoft Learn, closesocket, Remarks).
        self.in_close = False
        # Cleanup has taken this socket over: it closes it once, never again.
        self.closing = False

    def __repr__(self) -> str:
        return f"NativeSocket({self.handle}, {self.family}, {self.kind}, closed={self.closed})"


def _signatures(abi: Abi) -> dict[str, tuple[Any, list[Any]]]:
    """restype and argtypes of each function, from the ABI's C prototypes."""
    handle = ctypes.c_uint64 if abi.handle_format == "Q" else ctypes.c_int
    windows = abi.library == "ws2_32"
    # Winsock takes int lengths and returns int byte counts; POSIX size_t/ssize_t.
    length = ctypes.c_int if windows else ctypes.c_size_t
    count = ctypes.c_int if windows else ctypes.c_ssize_t
    socklen = ctypes.c_int if windows else ctypes.c_uint32
    nfds = ctypes.c_uint32 if abi.nfds_format == "I" else ctypes.c_uint64
    ptr, c_int = ctypes.c_void_p, ctypes.c_int
    table: dict[str, tuple[Any, list[Any]]] = {
        "send": (count, [handle, ptr, length, c_int]),
        "recv": (count, [handle, ptr, length, c_int]),
        "sendto": (count, [handle, ptr, length, c_int, ptr, socklen]),
        "recvfrom": (count, [handle, ptr, length, c_int, ptr, ptr]),
        "accept": (handle, [handle, ptr, ptr]),
        "connect": (c_int, [handle, ptr, socklen]),
        "bind": (c_int, [handle, ptr, socklen]),
        "listen": (c_int, [handle, c_int]),
        "shutdown": (c_int, [handle, c_int]),
        "setsockopt": (c_int, [handle, c_int, c_int, ptr, socklen]),
        "getsockopt": (c_int, [handle, c_int, c_int, ptr, ptr]),
        "getpeername": (c_int, [handle, ptr, ptr]),
        "getsockname": (c_int, [handle, ptr, ptr]),
        "select": (c_int, [c_int, ptr, ptr, ptr, ptr]),
        abi.poll_function: (c_int, [ptr, nfds, c_int]),
        abi.close_function: (c_int, [handle]),
    }
    if windows:
        table["ioctlsocket"] = (c_int, [handle, ctypes.c_long, ptr])
        table["WSADuplicateSocketW"] = (c_int, [handle, ctypes.c_uint32, ptr])
        table["WSASocketW"] = (handle, [c_int, c_int, c_int, ptr, ctypes.c_uint32, ctypes.c_uint32])
    else:
        table["dup"] = (c_int, [c_int])
    return table


def load_library(abi: Abi) -> tuple[Any, Callable[[], int]]:
    """The real library for ``abi`` with prototypes set, and its error reader."""
    if struct.calcsize("P") != 8:
        raise NativeUnavailable("the native layer knows 64-bit layouts only; use --api python")
    try:
        if abi.library == "ws2_32":
            lib: Any = ctypes.WinDLL("ws2_32", use_last_error=True)  # type: ignore[attr-defined]
            get_error: Callable[[], int] = ctypes.get_last_error  # type: ignore[attr-defined]
        else:
            # dlopen(NULL): libc, plus whatever the socket module loaded.
            lib = ctypes.CDLL(None, use_errno=True)
            get_error = ctypes.get_errno
        for name, (restype, argtypes) in _signatures(abi).items():
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
    except (OSError, AttributeError) as exc:
        raise NativeUnavailable(f"cannot load the C socket API ({abi.name}): {exc}") from None
    return lib, get_error


def native_error(abi: Abi, code: int) -> OSError:
    """The OSError a failed call with error ``code`` is reported as."""
    if abi.error_source == "last_error":
        # The shape CPython gives Winsock errors (PyErr_SetExcFromWindowsErr):
        # winerror holds the WSA code. Off Windows (tests) set it by hand.
        error = OSError(0, f"Winsock error {code}", None, code)
        if getattr(error, "winerror", None) != code:
            error.errno, error.winerror = code, code  # type: ignore[attr-defined]
        return error
    return OSError(code, os.strerror(code))


class NativeApi:
    """The socket calls of one ABI. Each method is one C call (or a C loop)."""

    def __init__(self, abi: Abi, lib: Any, get_error: Callable[[], int]) -> None:
        self.abi = abi
        self.lib = lib
        self.get_error = get_error
        self.windows = abi.library == "ws2_32"

    # -- plumbing --------------------------------------------------------
    def _check(self, result: int, failed: int = -1) -> int:
        if result == failed:
            raise native_error(self.abi, self.get_error())
        return result

    def _call(self, name: str, *args: Any) -> int:
        return self._check(getattr(self.lib, name)(*args))

    def _handle_call(self, name: str, *args: Any) -> int:
        """A call returning a descriptor: failure is -1 or INVALID_SOCKET."""
        return self._check(getattr(self.lib, name)(*args), self.abi.invalid_handle)

    def handle(self, sock: NativeSocket) -> int:
        return self.abi.invalid_handle if sock.closed else sock.handle

    # -- data ------------------------------------------------------------
    def send(self, sock: NativeSocket, data: bytes, flags: int = 0) -> int:
        return self._call("send", self.handle(sock), data, len(data), flags)

    def recv(self, sock: NativeSocket, size: int, flags: int = 0) -> bytes:
        buffer = ctypes.create_string_buffer(max(1, size))
        got = self._call("recv", self.handle(sock), buffer, size, flags)
        return buffer.raw[:got]

    def sendto(self, sock: NativeSocket, data: bytes, host: str, port: int, flags: int = 0) -> int:
        address = _abi.sockaddr(self.abi, host, port)
        return self._call(
            "sendto", self.handle(sock), data, len(data), flags, address, len(address)
        )

    def recvfrom(self, sock: NativeSocket, size: int, flags: int = 0) -> tuple[bytes, Any]:
        """The datagram and its sender (host, port), or None when the OS names none."""
        buffer = ctypes.create_string_buffer(max(1, size))
        address, length = self._address_buffer()
        got = self._call(
            "recvfrom", self.handle(sock), buffer, size, flags, address, ctypes.byref(length)
        )
        return buffer.raw[:got], self._peer(address, length)

    def _address_buffer(self) -> tuple[Any, Any]:
        """A sockaddr_storage-sized buffer and its length, for the OS to fill in."""
        length = ctypes.c_int(128) if self.windows else ctypes.c_uint32(128)
        return ctypes.create_string_buffer(128), length

    def _peer(self, address: Any, length: Any) -> tuple[str, int] | None:
        if length.value <= 0:
            return None  # e.g. a stream socket's recvfrom, which fills in nothing
        try:
            return _abi.parse_sockaddr(self.abi, address.raw[: length.value])
        except (ValueError, struct.error):
            return None

    # -- connections -----------------------------------------------------
    def connect(self, sock: NativeSocket, host: str, port: int) -> None:
        address = _abi.sockaddr(self.abi, host, port)
        self._call("connect", self.handle(sock), address, len(address))

    def bind(self, sock: NativeSocket, host: str, port: int) -> None:
        address = _abi.sockaddr(self.abi, host, port)
        self._call("bind", self.handle(sock), address, len(address))

    def listen(self, sock: NativeSocket, backlog: int) -> None:
        self._call("listen", self.handle(sock), backlog)

    def accept(self, sock: NativeSocket) -> tuple[int, tuple[str, int] | None]:
        """The new descriptor and its peer (host, port), as accept() fills them in."""
        address, length = self._address_buffer()
        handle = self._handle_call("accept", self.handle(sock), address, ctypes.byref(length))
        return handle, self._peer(address, length)

    def _name(self, function: str, sock: NativeSocket) -> tuple[str, int]:
        buffer = ctypes.create_string_buffer(128)
        size = ctypes.c_int(128) if self.windows else ctypes.c_uint32(128)
        self._call(function, self.handle(sock), buffer, ctypes.byref(size))
        return _abi.parse_sockaddr(self.abi, buffer.raw[: size.value])

    def getpeername(self, sock: NativeSocket) -> tuple[str, int]:
        return self._name("getpeername", sock)

    def getsockname(self, sock: NativeSocket) -> tuple[str, int]:
        return self._name("getsockname", sock)

    def shutdown(self, sock: NativeSocket, how: int) -> None:
        # SHUT_RD/WR/RDWR and SD_RECEIVE/SEND/BOTH are 0, 1, 2 on every ABI here.
        self._call("shutdown", self.handle(sock), how)

    def close(self, sock: NativeSocket) -> None:
        """close()/closesocket(). The descriptor is given up unless the ABI says
        this error leaves it open (closesocket's WSAEWOULDBLOCK): then it stays
        the probe's, for a later close step or cleanup."""
        sock.in_close = True
        try:
            result = getattr(self.lib, self.abi.close_function)(self.handle(sock))
            if result == -1:
                code = self.get_error()
                if code not in self.abi.close_keeps_handle:
                    sock.closed = True
                raise native_error(self.abi, code)
            sock.closed = True
        finally:
            sock.in_close = False

    def dup(self, sock: NativeSocket) -> int:
        if not self.windows:
            return self._call("dup", self.handle(sock))
        # Winsock has no dup(): CPython's socket.dup() duplicates through
        # WSADuplicateSocketW into a WSAPROTOCOL_INFOW and WSASocketW on it.
        info = ctypes.create_string_buffer(1024)  # > sizeof(WSAPROTOCOL_INFOW)
        pid = os.getpid()  # the target process of the duplicate: this one
        self._call("WSADuplicateSocketW", self.handle(sock), pid, info)
        from_info = -1  # FROM_PROTOCOL_INFO
        flags = 0x01 | 0x80  # WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT
        return self._handle_call("WSASocketW", from_info, from_info, from_info, info, 0, flags)

    # -- options ---------------------------------------------------------
    def setsockopt(self, sock: NativeSocket, level: int, option: int, value: bytes) -> None:
        self._call("setsockopt", self.handle(sock), level, option, value, len(value))

    def getsockopt(self, sock: NativeSocket, level: int, option: int, size: int) -> bytes:
        buffer = ctypes.create_string_buffer(size)
        length = ctypes.c_int(size) if self.windows else ctypes.c_uint32(size)
        self._call("getsockopt", self.handle(sock), level, option, buffer, ctypes.byref(length))
        return buffer.raw[: length.value]

    def set_blocking(self, sock: NativeSocket, blocking: bool) -> None:
        if self.windows:
            from matrix.engine.abi.winsock import FIONBIO

            mode = ctypes.c_ulong(0 if blocking else 1)
            self._call("ioctlsocket", self.handle(sock), FIONBIO, ctypes.byref(mode))
        else:
            # fcntl(O_NONBLOCK) through os: fcntl is variadic, which ctypes
            # cannot call portably (Apple arm64 passes variadics on the stack).
            os.set_blocking(self.handle(sock), blocking)
        sock.blocking = blocking

    def get_blocking(self, sock: NativeSocket) -> bool | None:
        if self.windows:
            return sock.blocking  # Winsock cannot be asked
        return os.get_blocking(self.handle(sock))

    # -- readiness -------------------------------------------------------
    def select(self, groups: list[list[int]], timeout: float) -> tuple[int, list[list[int]]]:
        sets = [_buffer(_abi.pack_fd_set(self.abi, g)) for g in groups]
        pointers = [s if g else None for s, g in zip(sets, groups, strict=True)]
        every = [h for g in groups for h in g]
        nfds = 0 if self.windows else max(every, default=-1) + 1
        # A writable buffer: Linux's select() writes the time left back into it.
        timeval = _buffer(_abi.pack_timeval(self.abi, timeout))
        ready = self._call("select", nfds, *pointers, timeval)
        return ready, [
            _abi.unpack_fd_set(self.abi, s.raw, g) if g else []
            for s, g in zip(sets, groups, strict=True)
        ]

    def poll(self, handles: list[int], events: int, timeout_ms: int) -> list[int]:
        buffer = _buffer(_abi.pack_pollfds(self.abi, handles, events))
        self._call(self.abi.poll_function, buffer, len(handles), timeout_ms)
        return _abi.unpack_revents(self.abi, buffer.raw, len(handles))


def _buffer(data: bytes) -> Any:
    """A writable C buffer holding exactly ``data`` (no trailing NUL)."""
    return ctypes.create_string_buffer(data, len(data))


# sys.platform prefix -> (module, name) of its ABI; only the one needed is imported.
_ABIS = (
    ("linux", "matrix.engine.abi.linux", "LINUX"),
    ("darwin", "matrix.engine.abi.bsd", "DARWIN"),
    ("freebsd", "matrix.engine.abi.bsd", "FREEBSD"),
    ("openbsd", "matrix.engine.abi.bsd", "OPENBSD"),
    ("netbsd", "matrix.engine.abi.bsd", "NETBSD"),
    ("sunos", "matrix.engine.abi.illumos", "ILLUMOS"),
    ("illumos", "matrix.engine.abi.illumos", "ILLUMOS"),
    ("win32", "matrix.engine.abi.winsock", "WINSOCK"),
)

# Cygwin is not Winsock: its sockets are cygwin1.dll's POSIX emulation (os.name
# is "posix", and ctypes defines WinDLL only 'if _os.name == "nt"',
# Lib/ctypes/__init__.py), with numbers of its own that no table here describes.
_NO_TABLE = {
    "cygwin": "Cygwin's sockets are cygwin1.dll's POSIX emulation, not the Winsock ABI, "
    "and no table here describes its numbers",
}


def abi_for(platform: str) -> Abi:
    """The ABI of ``platform`` (a ``sys.platform`` value)."""
    import importlib

    for prefix, why in _NO_TABLE.items():
        if platform.startswith(prefix):
            raise NativeUnavailable(f"no native ABI for {platform}: {why}; use --api python")
    for prefix, module, name in _ABIS:
        if platform.startswith(prefix):
            abi: Abi = getattr(importlib.import_module(module), name)
            return abi
    raise NativeUnavailable(f"no native ABI description for {platform}; use --api python")


_API: NativeApi | None = None


def native_api() -> NativeApi:
    """The process's native API for the running OS (loaded once)."""
    global _API
    if _API is None:
        import errno
        import select
        import socket

        from matrix.engine.abi.consistency import consistency_problem
        from matrix.language.os_families import os_family

        abi = abi_for(sys.platform)
        problem = consistency_problem(
            abi,
            socket,
            family=os_family(sys.platform),
            select_module=select,
            errno_module=errno,
        )
        if problem is not None:
            raise NativeUnavailable(problem)
        lib, get_error = load_library(abi)
        _API = NativeApi(abi, lib, get_error)
    return _API
