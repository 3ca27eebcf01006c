"""The CPython view's handlers on real loopback sockets: stale numbers, option lengths, binds."""

from __future__ import annotations

import socket
import sys
from typing import Any

import pytest

from matrix.engine.context import Context, HarnessError, NotReached, Unsupported
from matrix.engine.handlers import common, endpoints
from matrix.engine.handlers import python as _ops_python
from matrix.language.os_families import os_family


def _context() -> Context:
    return Context(family=os_family(sys.platform), api="python")


def _pair(ctx: Context) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        live = socket.create_connection(listener.getsockname())
        gone, _ = listener.accept()
    ctx.add("live", live, "pair")
    ctx.add("gone", gone, "pair")


def test_a_closed_socket_s_number_is_kept_and_checked_before_select_gets_it() -> None:
    ctx = _context()
    _pair(ctx)
    try:
        number = ctx.named("gone").fileno()
        _ops_python.HANDLERS["close"](ctx, {"op": "close", "socket": "gone"})
        assert ctx.closed_numbers == {"gone": number}
        assert not common.number_in_use(number)
        step: Any = {"op": "select", "read": ["gone", "live"], "timeout": 0}
        with pytest.raises(HarnessError, match="allow_closed"):
            _ops_python.HANDLERS["select"](ctx, step)
        if sys.platform != "win32":
            # select(2): EBADF "(Perhaps a file descriptor that was already closed ...)".
            with pytest.raises(OSError) as raised:
                _ops_python.HANDLERS["select"](ctx, {**step, "allow_closed": True})
            assert raised.value.errno == 9
    finally:
        ctx.named("live").close()


def test_a_number_taken_by_another_descriptor_is_a_harness_error_not_an_answer() -> None:
    ctx = _context()
    _pair(ctx)
    try:
        _ops_python.HANDLERS["close"](ctx, {"op": "close", "socket": "gone"})
        with socket.socket() as taker:  # the lowest free number: the one just closed
            ctx.closed_numbers["gone"] = taker.fileno()
            assert common.number_in_use(taker.fileno())
            step: Any = {"op": "select", "read": ["gone"], "timeout": 0, "allow_closed": True}
            with pytest.raises(HarnessError, match="was in use before the call"):
                _ops_python.HANDLERS["select"](ctx, step)
    finally:
        ctx.named("live").close()


def test_number_in_use_tells_an_open_descriptor_from_a_closed_one() -> None:
    sock = socket.socket()
    number = sock.fileno()
    assert common.number_in_use(number)
    sock.close()
    assert not common.number_in_use(number)


def test_getsockopt_length_comes_from_the_buffer_the_os_filled() -> None:
    ctx = _context()
    sock = socket.socket()
    ctx.add("s", sock, "tcp")
    try:
        step: Any = {"op": "getsockopt", "socket": "s", "option": "SO_TYPE", "length": True}
        summary, value = _ops_python.HANDLERS["getsockopt"](ctx, step)
        assert value == {"value": int(socket.SOCK_STREAM), "length": 4}
        assert summary == f"{int(socket.SOCK_STREAM)}, 4 bytes"
    finally:
        sock.close()


def test_a_bind_option_the_os_lacks_leaves_the_socket_unbound_and_its_port_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = _context()
    first, second = socket.socket(), socket.socket()
    ctx.add("first", first, "tcp")
    ctx.add("second", second, "tcp")
    monkeypatch.setattr(endpoints, "allowed_option", lambda *args: None)
    try:
        step: Any = {"op": "bind", "socket": "first", "options": {"SO_REUSEADDR": 1}}
        with pytest.raises(Unsupported):
            _ops_python.HANDLERS["bind"](ctx, step)
        assert first.getsockname()[1] == 0  # never bound
        with pytest.raises(NotReached):
            _ops_python.HANDLERS["bind"](
                ctx, {"op": "bind", "socket": "second", "port_of": "first"}
            )
    finally:
        first.close()
        second.close()


def test_a_bind_option_is_set_on_the_socket_before_it_binds() -> None:
    ctx = _context()
    sock = socket.socket()
    ctx.add("s", sock, "tcp")
    try:
        step: Any = {"op": "bind", "socket": "s", "options": {"SO_REUSEADDR": 1}}
        _ops_python.HANDLERS["bind"](ctx, step)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) != 0
        assert ctx.bound["s"][1] != 0
    finally:
        sock.close()
