"""A probe cannot make the engine talk to any address but loopback.

Every test here runs the engine in this process with socket calls recorded,
and checks the refusal comes before any socket call reaches the OS. No test
sends anything to a non-loopback address: the calls that would have are the
ones asserted never to happen.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from matrix import _ops_native, _ops_python
from matrix._context import Context, HarnessError
from matrix._engine import Engine
from matrix._native import NativeApi, NativeSocket, native_api

HOSTILE = [
    "8.8.8.8",
    "10.0.0.1",
    "192.168.1.1",
    "1.1.1.1",
    "localhost",
    "example.com",
    "::ffff:8.8.8.8",
    "2001:4860:4860::8888",
    "2130706433",
    "0x7f000001",
    "127.0.0.1.evil.invalid",
    "fe80::1%lo",
    " 127.0.0.1",
]


@pytest.fixture
def socket_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    calls: list[tuple[str, Any]] = []
    for method in ("connect", "connect_ex", "sendto", "bind"):
        original = getattr(socket.socket, method)

        def recorder(self: socket.socket, *args: Any, _m: str = method, _o: Any = original) -> Any:
            calls.append((_m, args))
            return _o(self, *args)

        monkeypatch.setattr(socket.socket, method, recorder)
    # The native layer (the default API) makes these calls without the socket
    # module: record them too, as (host, port) like the socket module's.
    for method in ("connect", "sendto", "bind"):
        native_original = getattr(NativeApi, method)

        def native_recorder(
            self: NativeApi, sock: Any, *args: Any, _m: str = method, _o: Any = native_original
        ) -> Any:
            host, port = (args[1], args[2]) if _m == "sendto" else (args[0], args[1])
            calls.append((_m, ((host, port),)))
            return _o(self, sock, *args)

        monkeypatch.setattr(NativeApi, method, native_recorder)
    yield calls


def run_engine(steps: list[dict[str, Any]], sockets: list[dict[str, Any]]) -> dict[str, Any]:
    probe = {"id": "confined", "sockets": sockets, "steps": steps, "verdict": ["x"]}
    return Engine(probe, lambda event: None).run()


def addresses_used(calls: list[tuple[str, Any]]) -> set[str]:
    return {args[0][0] for _, args in calls if args and isinstance(args[0], tuple)}


@pytest.mark.parametrize("address", HOSTILE)
def test_connect_to_a_hostile_address_is_refused_before_any_socket_call(
    address: str, socket_calls: list[tuple[str, Any]]
) -> None:
    result = run_engine(
        [{"op": "connect", "socket": "c", "address": address, "port": 53, "name": "x"}],
        [{"tcp": "c"}],
    )
    assert result["status"] == "harness-error"
    assert "loopback" in result["reason"]
    assert [call for call in socket_calls if call[0] in ("connect", "connect_ex")] == []
    assert address not in addresses_used(socket_calls)


@pytest.mark.parametrize("address", HOSTILE)
def test_bind_to_a_hostile_address_is_refused_before_any_socket_call(
    address: str, socket_calls: list[tuple[str, Any]]
) -> None:
    result = run_engine(
        [{"op": "bind", "socket": "c", "address": address, "name": "x"}],
        [{"udp": "c", "bind": False}],
    )
    assert result["status"] == "harness-error"
    assert socket_calls == []


@pytest.mark.parametrize("api", ["native", "python"])
@pytest.mark.parametrize("address", ["8.8.8.8", "::ffff:1.1.1.1", "2001:db8::1"])
def test_sendto_a_hostile_address_is_refused(
    address: str, api: str, socket_calls: list[tuple[str, Any]]
) -> None:
    # A bound address is only ever loopback; aim the bookkeeping at a hostile one.
    ctx = Context(family="test", api=api)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    handlers = _ops_python.HANDLERS
    if api == "native":
        ctx.native = native_api()
        ctx.add("u", NativeSocket(udp.fileno(), "ipv4", "dgram"), "udp")
        handlers = _ops_native.HANDLERS
    else:
        ctx.add("u", udp, "udp")
    ctx.bound["evil"] = (address, 53)
    try:
        with pytest.raises(HarnessError, match="loopback"):
            handlers["sendto"](ctx, {"socket": "u", "to": "evil", "data": "x"})
    finally:
        udp.close()
    assert [call for call in socket_calls if call[0] == "sendto"] == []


def test_the_recorder_sees_native_calls(socket_calls: list[tuple[str, Any]]) -> None:
    # Guards the tests above: with the native API the socket module is bypassed.
    run_engine(
        [{"op": "connect", "socket": "c", "to": "srv", "name": "x"}],
        [{"listener": "srv"}, {"tcp": "c"}],
    )
    assert [call[0] for call in socket_calls if call[1][0][0] == "127.0.0.1"][-1] == "connect"


def test_cleanup_never_pokes_a_non_loopback_listener(socket_calls: list[Any]) -> None:
    Engine._poke(("8.8.8.8", 53))
    Engine._poke(("::ffff:8.8.8.8", 53, 0, 0))
    assert socket_calls == []


def test_loopback_and_unspecified_addresses_are_used(socket_calls: list[Any]) -> None:
    result = run_engine(
        [{"op": "connect", "socket": "c", "to": "srv", "address": "127.0.0.1", "name": "x"}],
        [{"listener": "srv"}, {"tcp": "c"}],
    )
    assert result["status"] == "ok"
    assert addresses_used(socket_calls) <= {"127.0.0.1"}
