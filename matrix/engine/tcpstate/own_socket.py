"""Read the TCP state of a socket the probe still holds.

Rules of this module:
- The call and the layout come from ``numbering`` (data per OS); this module
  only makes the call.
- Whether this OS has the call is decided once per process, before any step
  (``prepare``): the call must succeed on this process's own connected
  loopback socket (and, on Windows, the build must be one that has it:
  TCP_INFO_v0 needs Windows 10 1703, build 15063). Where it does not, every
  step says ``unsupported`` with the reason, never a guess.
- After that, any error of the call is the OS's answer about that socket and
  is raised as it is (the engine records it): WSAEINVAL from WSAIoctl, for
  one, means "not applicable to this socket now" as well as "unknown code"
  (Microsoft Learn, SIO_TCP_INFO), and the support check has ruled out the
  second. The one exception is an error the OS documents as a state
  (``Refusal``: FreeBSD 14's ECONNRESET for a dropped connection), which is
  reported as that state with the error kept beside it. XNU answers a dropped
  connection with its state (CLOSED), not an error.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from matrix.engine.tcpstate.numbering import (
    OwnStateLayout,
    decode_state,
    own_state_layout,
    refusal_meaning,
)

# Microsoft Learn, TCP_INFO_v0 structure, Requirements: "Windows 10, version
# 1703", whose build number is 15063.
MIN_WINDOWS_BUILD = 15063


class StateUnsupported(Exception):
    """This OS (or this version of it) cannot report the state asked for."""


# Per OS family: None once the call worked here, else why it cannot be used.
_support: dict[str, str | None] = {}


def _windows_build() -> int:
    version = getattr(sys, "getwindowsversion", None)
    return int(version().build) if version is not None else 0


def _major_release() -> int | None:
    """The OS's major release (FreeBSD "14.2-RELEASE" -> 14), None if unknown."""
    try:
        head = os.uname().release.split(".")[0]
    except AttributeError:  # Windows has no os.uname
        return None
    return int(head) if head.isdigit() else None


def _raw(
    layout: OwnStateLayout, getsockopt: Callable[[int, int, int], bytes], handle: int
) -> bytes:
    if layout.level == 0:
        return _wsaioctl_tcp_info(handle, layout)
    return getsockopt(layout.level, layout.optname, layout.size)


def _check_on_own_pair(layout: OwnStateLayout) -> str | None:
    """None when the call answers on this process's own connected loopback socket."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            with socket.create_connection(listener.getsockname()[:2], timeout=5) as client:
                server, _ = listener.accept()
                with server:
                    decode_state(_raw(layout, client.getsockopt, client.fileno()), layout)
    except Exception as exc:  # any failure here means "not usable", never a failed probe
        return f"{layout.mechanism} did not answer on this process's own connected socket: {exc}"
    return None


def prepare(family: str) -> str | None:
    """Decide once whether ``family``'s call works here; the reason when not."""
    if family not in _support:
        layout = own_state_layout(family)
        if layout is None:
            reason: str | None = f"no call reports a socket's TCP state on {family}"
        elif layout.level == 0 and _windows_build() < MIN_WINDOWS_BUILD:
            reason = (
                f"{layout.mechanism} needs Windows 10 1703 (build {MIN_WINDOWS_BUILD}); "
                f"this is build {_windows_build()}"
            )
        else:
            reason = _check_on_own_pair(layout)
        _support[family] = reason
    return _support[family]


def read_own_state(
    family: str, getsockopt: Callable[[int, int, int], bytes], handle: int
) -> dict[str, Any]:
    """{"state": RFC 793 name, "raw": the OS's number, "mechanism": the call}.

    ``getsockopt(level, optname, size)`` is the probe's own API (CPython's or
    the native one); ``handle`` is the descriptor, for Windows' WSAIoctl, which
    neither API offers.
    """
    reason = prepare(family)
    layout = own_state_layout(family)
    if reason is not None or layout is None:
        raise StateUnsupported(reason or f"no call reports a socket's TCP state on {family}")
    try:
        raw = _raw(layout, getsockopt, handle)
    except OSError as exc:
        number = getattr(exc, "winerror", None) or exc.errno
        refusal = refusal_meaning(layout, int(number or 0), _major_release())
        if refusal is None:
            raise
        return {
            "state": refusal.state,
            "raw": None,
            "refused": number,
            "meaning": refusal.source,
            "mechanism": layout.mechanism,
        }
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
