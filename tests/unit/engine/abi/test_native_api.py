"""The native layer: which ABI each platform gets, its refusal to load when a constant
differs, and its C calls, driven through a fake library that records them.

Each ABI's error comes from its own source (errno, or WSAGetLastError through
the last-error value) and is read right after the failing call.
"""

from __future__ import annotations

import ctypes
import re
import socket
import struct
import sys
import threading
import time

import pytest
from helpers.fake_native import api
from helpers.paths import REPO
from helpers.waiting import wait_for

from matrix.engine.abi import layout as _abi
from matrix.engine.abi import native_api as _native
from matrix.engine.abi.bsd import DARWIN
from matrix.engine.abi.layout import Abi
from matrix.engine.abi.linux import LINUX
from matrix.engine.abi.native_api import (
    NativeSocket,
    NativeUnavailable,
    abi_for,
    native_api,
)
from matrix.engine.abi.winsock import WINSOCK
from matrix.engine.errno.portable import describe_exception


def test_recv_passes_the_raw_descriptor_and_returns_the_bytes() -> None:
    native, lib = api(LINUX)
    lib.received = b"hello"
    assert native.recv(NativeSocket(7, "ipv4", "stream"), 100, 2) == b"hello"
    name, args = lib.calls[0]
    assert name == "recv" and args[0] == 7 and args[2:] == (100, 2)


@pytest.mark.parametrize(
    ("abi", "code", "name"),
    [(LINUX, 104, "ECONNRESET"), (DARWIN, 54, "ECONNRESET"), (WINSOCK, 10054, "WSAECONNRESET")],
    ids=["linux", "darwin", "winsock"],
)
def test_a_failed_call_reports_the_error_of_that_call(abi: Abi, code: int, name: str) -> None:
    native, lib = api(abi)
    lib.results["send"], lib.error = -1, code
    with pytest.raises(OSError) as raised:
        native.send(NativeSocket(3, "ipv4", "stream"), b"x")
    family = {"linux": "linux", "darwin": "macos", "winsock": "windows"}[abi.name]
    described = describe_exception(raised.value, family)
    assert described["errno"] == code
    assert described["name"] == name
    assert described["portable"] == "ECONNRESET"


def test_winsock_errors_carry_winerror() -> None:
    native, lib = api(WINSOCK)
    lib.results["connect"], lib.error = -1, 10061
    with pytest.raises(OSError) as raised:
        native.connect(NativeSocket(0x1F4, "ipv4", "stream"), "127.0.0.1", 9)
    assert raised.value.winerror == 10061  # type: ignore[attr-defined]


def test_connect_packs_the_abis_sockaddr() -> None:
    native, lib = api(DARWIN)
    native.connect(NativeSocket(5, "ipv6", "stream"), "::1", 8080)
    _, (handle, address, length) = lib.calls[0]
    assert handle == 5 and length == 28
    assert address == _abi.sockaddr(DARWIN, "::1", 8080)


def test_winsock_accept_failure_is_invalid_socket_not_minus_one() -> None:
    native, lib = api(WINSOCK)
    lib.results["accept"], lib.error = 2**64 - 1, 10035
    with pytest.raises(OSError):
        native.accept(NativeSocket(0x1F4, "ipv4", "stream"))


def test_closesocket_wouldblock_keeps_the_handle_owned() -> None:
    native, lib = api(WINSOCK)
    sock = NativeSocket(0x1F4, "ipv4", "stream")
    lib.results["closesocket"], lib.error = -1, 10035
    with pytest.raises(OSError):
        native.close(sock)
    assert not sock.closed
    assert lib.calls == [("closesocket", (0x1F4,))]
    lib.results["closesocket"] = 0
    native.close(sock)  # a later close step or cleanup closes it again
    assert sock.closed and lib.calls[-1] == ("closesocket", (0x1F4,))


@pytest.mark.parametrize("result", [0, -1])
def test_a_close_in_flight_is_marked_until_it_returns(result: int) -> None:
    # Cleanup must not issue a second closesocket while this one runs.
    native, lib = api(WINSOCK)
    sock = NativeSocket(0x1F4, "ipv4", "stream")
    seen = []

    def closesocket(handle: int) -> int:
        seen.append(sock.in_close)
        return result

    lib.__dict__["closesocket"] = closesocket
    lib.error = 10035
    if result:
        with pytest.raises(OSError):
            native.close(sock)
    else:
        native.close(sock)
    assert seen == [True]
    assert not sock.in_close


def test_posix_close_gives_the_descriptor_up_even_when_it_fails() -> None:
    native, lib = api(LINUX)
    sock = NativeSocket(9, "ipv4", "stream")
    lib.results["close"], lib.error = -1, 4  # EINTR
    with pytest.raises(OSError):
        native.close(sock)
    assert sock.closed
    # Calls on it now use -1, never a number the OS may have reused.
    native.send(sock, b"x")
    assert lib.calls[-1][1][0] == -1


def test_winsock_select_takes_fd_set_arrays_and_ignores_nfds() -> None:
    native, lib = api(WINSOCK)
    lib.results["select"] = 0
    native.select([[0x1F4], [], [0x1F4]], 1.5)
    _, (nfds, readfds, writefds, exceptfds, timeval) = lib.calls[0]
    assert nfds == 0 and writefds is None
    assert struct.unpack_from("=IxxxxQ", exceptfds.raw) == (1, 0x1F4)
    assert struct.unpack_from("=IxxxxQ", readfds.raw) == (1, 0x1F4)
    assert struct.unpack("=ii", timeval.raw) == (1, 500000)


def test_linux_select_nfds_is_highest_descriptor_plus_one() -> None:
    native, lib = api(LINUX)
    native.select([[3], [9], []], 0)
    assert lib.calls[0][1][0] == 10


def test_winsock_poll_is_wsapoll_with_socket_sized_entries() -> None:
    native, lib = api(WINSOCK)
    native.poll([0x1F4], 0x300, 2000)
    name, (buffer, count, timeout) = lib.calls[0]
    assert (name, count, timeout) == ("WSAPoll", 1, 2000)
    assert struct.unpack("=Qhh4x", buffer.raw) == (0x1F4, 0x300, 0)


def test_winsock_nonblocking_mode_is_ioctlsocket_fionbio() -> None:
    native, lib = api(WINSOCK)
    sock = NativeSocket(0x1F4, "ipv4", "stream")
    native.set_blocking(sock, False)
    name, (handle, command, _mode) = lib.calls[0]
    assert (name, handle, command & 0xFFFFFFFF) == ("ioctlsocket", 0x1F4, 0x8004667E)
    assert native.get_blocking(sock) is False


def test_winsock_getsockopt_length_is_an_int() -> None:
    native, lib = api(WINSOCK)
    native.getsockopt(NativeSocket(1, "ipv4", "stream"), 0xFFFF, 0x80, 4)
    _, args = lib.calls[0]
    assert args[:3] == (1, 0xFFFF, 0x80)
    assert isinstance(args[4]._obj, ctypes.c_int)


NATIVE_MODULES = [
    "engine/abi/native_api.py",
    "engine/abi/layout.py",
    "engine/handlers/native.py",
    "engine/scenario.py",
]


@pytest.mark.parametrize("module", NATIVE_MODULES)
def test_pydll_is_never_used(module: str) -> None:
    # PyDLL keeps the GIL during the call: a blocked recv would stall every
    # other thread of the probe, including the one that should close it.
    source = (REPO / "matrix" / module).read_text(encoding="utf-8")
    assert not re.search(r"PyDLL\(|\.pydll\b|pythonapi", source)


def test_the_loaded_functions_release_the_gil() -> None:
    lib = native_api().lib
    assert not isinstance(lib, ctypes.PyDLL)
    for name in ("recv", "send", "accept", "select"):
        assert not getattr(lib, name)._flags_ & ctypes._FUNCFLAG_PYTHONAPI  # type: ignore[attr-defined]


@pytest.mark.skipif(sys.platform == "win32", reason="socketpair stand-in is POSIX here")
def inside_native_recv(thread: threading.Thread) -> bool:
    """The thread is in NativeApi.recv (blocked in the C call, or about to make it)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "recv" and "native_api" in frame.f_code.co_filename:
            return True
        frame = frame.f_back
    return False


def test_a_blocked_native_recv_does_not_hold_the_gil() -> None:
    native = native_api()
    left, right = socket.socketpair()
    sock = NativeSocket(left.fileno(), "ipv4", "stream")
    worker = threading.Thread(target=native.recv, args=(sock, 10), daemon=True)
    worker.start()
    wait_for(lambda: inside_native_recv(worker))
    # Pure-Python work on this thread must proceed while the other is in recv().
    started = time.monotonic()
    total = sum(range(200_000))
    assert total and time.monotonic() - started < 1.0
    assert worker.is_alive()
    right.send(b"x")
    worker.join(2)
    assert not worker.is_alive()
    left.close()
    right.close()


@pytest.mark.parametrize(
    ("platform", "name"),
    [
        ("linux", "linux"),
        ("darwin", "darwin"),
        ("freebsd14", "freebsd"),
        ("openbsd7", "openbsd"),
        ("netbsd10", "netbsd"),
        ("sunos5", "illumos"),
        ("win32", "winsock"),
    ],
)
def test_abi_for_each_platform(platform: str, name: str) -> None:
    assert abi_for(platform).name == name


def test_an_unknown_platform_has_no_native_layer() -> None:
    with pytest.raises(NativeUnavailable, match="--api python"):
        abi_for("plan9")


def test_cygwin_is_not_given_the_winsock_abi() -> None:
    # Cygwin's os.name is "posix": ctypes has no WinDLL there, and its sockets
    # are cygwin1.dll's emulation with its own numbers.
    with pytest.raises(NativeUnavailable, match=r"Cygwin.*--api python"):
        abi_for("cygwin")


def test_native_api_refuses_to_load_when_a_constant_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "SO_SNDLOWAT" if hasattr(socket, "SO_SNDLOWAT") else "AF_INET6"
    monkeypatch.setattr(_native, "_API", None)
    monkeypatch.setattr(socket, name, int(getattr(socket, name)) + 1000)
    with pytest.raises(NativeUnavailable, match=rf"socket\.{name} is \d+ in this interpreter"):
        _native.native_api()
