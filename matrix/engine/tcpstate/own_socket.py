"""Read the TCP state of a socket the probe still holds.

Rules of this module:
- The call and the layout come from ``_tcp_states`` (data per OS); this module
  only makes the call. Where the OS has no such call, or refuses the option as
  unknown (a kernel too old), the answer is StateUnsupported: the observation
  ``unsupported``, never a guess.
- Any other error of the call is the OS's answer and is raised as it is (the
  engine records it), e.g. macOS refusing TCP_CONNECTION_INFO on a socket
  whose connection is gone.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import Any

from matrix.engine.tcpstate.numbering import OwnStateLayout, decode_state, own_state_layout

# What an OS answers for an option or control code it does not know:
# ENOPROTOOPT (POSIX getsockopt), EOPNOTSUPP; Windows before 1703 answers
# WSAEOPNOTSUPP (10045) or WSAEINVAL (10022) to an unknown WSAIoctl code.
_UNKNOWN_CALL = {errno.ENOPROTOOPT, errno.EOPNOTSUPP, 10045, 10022}


class StateUnsupported(Exception):
    """This OS (or this version of it) cannot report the state asked for."""


def read_own_state(
    family: str, getsockopt: Callable[[int, int, int], bytes], handle: int
) -> dict[str, Any]:
    """{"state": RFC 793 name, "raw": the OS's number, "mechanism": the call}.

    ``getsockopt(level, optname, size)`` is the probe's own API (CPython's or
    the native one); ``handle`` is the descriptor, for Windows' WSAIoctl, which
    neither API offers.
    """
    layout = own_state_layout(family)
    if layout is None:
        raise StateUnsupported(f"no call reports a socket's TCP state on {family}")
    try:
        if layout.level == 0:
            raw = _wsaioctl_tcp_info(handle, layout)
        else:
            raw = getsockopt(layout.level, layout.optname, layout.size)
    except OSError as exc:
        number = getattr(exc, "winerror", None) or exc.errno
        if number in _UNKNOWN_CALL:
            raise StateUnsupported(f"{layout.mechanism} is not available here: {exc}") from None
        raise
    state, number = decode_state(raw, layout)
    return {"state": state, "raw": number, "mechanism": layout.mechanism}


def _wsaioctl_tcp_info(handle: int, layout: OwnStateLayout) -> bytes:
    """Windows: WSAIoctl(SIO_TCP_INFO) with version 0 in, TCP_INFO_v0 out.

    Python's socket.ioctl() knows only three control codes, so the call goes
    through ctypes (Microsoft Learn, "SIO_TCP_INFO control code": lpvInBuffer
    points to a DWORD version, lpvOutBuffer to a TCP_INFO_v0).
    """
    import ctypes
    from ctypes import wintypes

    ws2_32 = getattr(ctypes, "WinDLL", None)
    if ws2_32 is None:
        raise StateUnsupported("WSAIoctl needs Winsock (ctypes.WinDLL)")
    library = ws2_32("ws2_32", use_last_error=True)
    wsaioctl = library.WSAIoctl
    wsaioctl.argtypes = [
        ctypes.c_size_t,  # SOCKET (UINT_PTR)
        wintypes.DWORD,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.c_void_p,
        wintypes.DWORD,
        ctypes.POINTER(wintypes.DWORD),
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    wsaioctl.restype = ctypes.c_int
    version = wintypes.DWORD(0)
    out = ctypes.create_string_buffer(layout.size)
    returned = wintypes.DWORD(0)
    status = wsaioctl(
        handle,
        layout.optname,
        ctypes.byref(version),
        ctypes.sizeof(version),
        out,
        layout.size,
        ctypes.byref(returned),
        None,
        None,
    )
    if status != 0:
        # ctypes.get_last_error exists only on Windows (hence getattr, for mypy).
        code = getattr(ctypes, "get_last_error")()  # noqa: B009
        raise OSError(None, f"WSAIoctl(SIO_TCP_INFO) failed with {code}", None, code)
    return out.raw[: returned.value]
