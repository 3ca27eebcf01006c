"""The native handlers through a fake C library: what reaches the library, and what never does."""

from __future__ import annotations

import ctypes
import struct
from typing import Any

import pytest
from helpers.fake_native import FakeLibrary, native_context

from matrix.engine.abi.layout import Abi
from matrix.engine.abi.linux import LINUX
from matrix.engine.abi.winsock import WINSOCK


@pytest.mark.parametrize("abi", [LINUX, WINSOCK], ids=lambda a: a.name)
@pytest.mark.parametrize(
    "step",
    [
        {"op": "poll", "sockets": ["a"], "events": ["IN"], "timeout": 0},
        {"op": "select", "read": ["a"], "timeout": 0},
    ],
    ids=["poll", "select"],
)
def test_poll_or_select_on_a_socket_the_probe_closed_is_refused(
    abi: Abi, step: dict[str, Any]
) -> None:
    # Passing -1 / INVALID_SOCKET instead would record poll(2)'s "ignored fd"
    # (no events), WSAPoll's WSAEINVAL or a Python ValueError as the OS's answer.
    from matrix.engine.context import HarnessError
    from matrix.engine.handlers import native as _ops_native

    ctx, lib, sock = native_context(abi)
    sock.closed = True
    with pytest.raises(HarnessError, match=r"on socket 'a', which this probe already closed"):
        _ops_native.HANDLERS[step["op"]](ctx, step)
    assert lib.calls == []  # nothing reached the C library


def test_poll_on_an_open_socket_still_passes_its_descriptor() -> None:
    from matrix.engine.handlers import native as _ops_native

    ctx, lib, _ = native_context(LINUX)
    step = {"op": "poll", "sockets": ["a"], "events": ["IN"], "timeout": 0}
    _ops_native.HANDLERS["poll"](ctx, step)
    name, args = lib.calls[0]
    assert name == "poll" and struct.unpack_from("=ihh", args[0].raw) == (7, 1, 0)


def test_wsapoll_pollpri_is_unsupported_not_a_failing_call() -> None:
    # Microsoft Learn, WSAPoll Remarks: "If the POLLPRI flag is set on a socket
    # for the Microsoft Winsock provider, the WSAPoll function will fail."
    from matrix.engine.context import Unsupported
    from matrix.engine.handlers import native as _ops_native

    ctx, lib, _ = native_context(WINSOCK)
    step = {"op": "poll", "sockets": ["a"], "events": ["IN", "PRI"], "timeout": 0}
    with pytest.raises(Unsupported, match="POLLPRI"):
        _ops_native.HANDLERS["poll"](ctx, step)
    assert lib.calls == []


class _OneByteOption(FakeLibrary):
    """getsockopt writes one byte and hands back optlen 1, as Winsock does for a BOOL."""

    def getsockopt(self, handle: int, level: int, option: int, buffer: Any, size: Any) -> int:
        self.calls.append(("getsockopt", (handle, level, option)))
        ctypes.memmove(buffer, b"\x01", 1)
        size._obj.value = 1
        return 0


def _context_on(abi: Abi, lib: FakeLibrary) -> Any:
    from matrix.engine.abi.native_api import NativeApi, NativeSocket
    from matrix.engine.context import Context

    ctx = Context(family="windows" if abi is WINSOCK else "linux", api="native")
    ctx.native = NativeApi(abi, lib, lambda: lib.error)
    ctx.add("a", NativeSocket(7, "ipv4", "stream"), "tcp")
    return ctx


@pytest.mark.parametrize(
    ("lib", "summary", "length"),
    [(FakeLibrary(), "0, 4 bytes", 4), (_OneByteOption(), "1, 1 byte", 1)],
    ids=["int", "one-byte"],
)
def test_getsockopt_length_reports_the_length_the_call_handed_back(
    lib: FakeLibrary, summary: str, length: int
) -> None:
    from matrix.engine.handlers import native as _ops_native

    ctx = _context_on(WINSOCK, lib)
    step = {"op": "getsockopt", "socket": "a", "option": "SO_KEEPALIVE", "length": True}
    assert _ops_native.HANDLERS["getsockopt"](ctx, step) == (
        summary,
        {"value": int(summary[0]), "length": length},
    )
    # Without `length` the summary is the value alone, as before.
    assert _ops_native.HANDLERS["getsockopt"](ctx, {**step, "length": False})[0] == summary[0]


def test_a_bind_option_is_set_before_the_bind_with_this_os_number() -> None:
    from matrix.engine.handlers import native as _ops_native

    lib = FakeLibrary()
    ctx = _context_on(WINSOCK, lib)
    step = {"op": "bind", "socket": "a", "options": {"SO_EXCLUSIVEADDRUSE": 1}}
    with pytest.raises(ValueError, match="address family 0"):
        # The fake's getsockname() names no address, which ends the step after bind().
        _ops_native.HANDLERS["bind"](ctx, step)
    names = [name for name, _ in lib.calls]
    assert names[:2] == ["setsockopt", "bind"]
    _, (_handle, level, optname, value, size) = lib.calls[0]
    # winsock2.h: SOL_SOCKET 0xffff, SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR)) = -5.
    assert (level, optname, bytes(value)[:size]) == (0xFFFF, -5, struct.pack("=i", 1))


def test_a_bind_option_this_os_lacks_is_unsupported_and_leaves_the_socket_unbound() -> None:
    from matrix.engine.context import NotReached, Unsupported
    from matrix.engine.handlers import native as _ops_native

    lib = FakeLibrary()
    ctx = _context_on(LINUX, lib)
    step = {"op": "bind", "socket": "a", "options": {"SO_EXCLUSIVEADDRUSE": 1}}
    with pytest.raises(Unsupported, match="SO_EXCLUSIVEADDRUSE does not exist"):
        _ops_native.HANDLERS["bind"](ctx, step)
    assert lib.calls == []
    # A later bind to its port has no port to bind to: not reached, not a harness error.
    with pytest.raises(NotReached, match="its bind step did not succeed"):
        _ops_native.HANDLERS["bind"](ctx, {"op": "bind", "socket": "a", "port_of": "a"})


@pytest.mark.parametrize("abi", [LINUX, WINSOCK], ids=lambda a: a.name)
@pytest.mark.parametrize(
    "step",
    [
        {"op": "poll", "sockets": ["a"], "events": ["IN"], "timeout": 0, "allow_closed": True},
        {"op": "select", "read": ["a"], "timeout": 0, "allow_closed": True},
    ],
    ids=["poll", "select"],
)
def test_allow_closed_passes_the_old_number_only_while_nothing_has_taken_it(
    abi: Abi, step: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from matrix.engine.context import HarnessError
    from matrix.engine.handlers import common
    from matrix.engine.handlers import native as _ops_native

    ctx, lib, sock = native_context(abi)
    sock.closed = True
    checked: list[int] = []

    def free(number: int) -> bool:
        checked.append(number)
        return False

    monkeypatch.setattr(common, "number_in_use", free)
    _ops_native.HANDLERS[step["op"]](ctx, step)
    assert [name for name, _ in lib.calls] == [abi.poll_function if "sockets" in step else "select"]
    assert checked == [sock.handle, sock.handle]  # before and after the call

    # Taken before the call: nothing reaches the library.
    lib.calls.clear()
    monkeypatch.setattr(common, "number_in_use", lambda number: True)
    with pytest.raises(HarnessError, match="was in use before the call"):
        _ops_native.HANDLERS[step["op"]](ctx, step)
    assert lib.calls == []

    # Taken while the call ran: its answer is about another descriptor.
    answers = iter([False, True])
    monkeypatch.setattr(common, "number_in_use", lambda number: next(answers))
    with pytest.raises(HarnessError, match="was in use after the call"):
        _ops_native.HANDLERS[step["op"]](ctx, step)


def test_a_recv_of_zero_bytes_that_returns_0_is_not_eof() -> None:
    from matrix.engine.handlers import native as _ops_native

    ctx, lib, _ = native_context(LINUX)
    assert _ops_native.HANDLERS["recv"](ctx, {"op": "recv", "socket": "a", "bytes": 0})[0] == (
        "0 bytes"
    )
    assert _ops_native.HANDLERS["recv"](ctx, {"op": "recv", "socket": "a"})[0] == "EOF"
    assert lib.calls[0][1][2] == 0  # recv(fd, buf, 0, 0): the length the probe asked for
