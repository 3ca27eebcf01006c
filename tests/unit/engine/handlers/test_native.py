"""The native handlers through a fake C library: what reaches the library, and what never does."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from helpers.fake_native import native_context

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
