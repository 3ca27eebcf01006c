"""A probe that skipped validation cannot make the engine reach past loopback or its budget.

Every test here runs the engine in this process with socket calls recorded,
and checks the refusal comes before any socket call reaches the OS. No test
sends anything to a non-loopback address: the calls that would have are the
ones asserted never to happen.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from matrix.engine.abi.native_api import NativeApi, NativeSocket, native_api
from matrix.engine.context import Context, HarnessError
from matrix.engine.handlers import native as _ops_native
from matrix.engine.handlers import python as _ops_python
from matrix.engine.scenario import Engine

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
    for method in ("connect", "connect_ex", "sendto", "bind", "setsockopt"):
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
        [{"op": "connect", "socket": "c", "address": address, "closed_port": True, "name": "x"}],
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
    assert [call for call in socket_calls if call[0] == "bind"] == []


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


# Options that reach past loopback (seen in an adversarial test: SO_BINDTODEVICE
# sent a loopback connection out of another interface, IP_ADD_MEMBERSHIP sent
# IGMP, IP_OPTIONS with a source route sent TCP and UDP to a public address),
# and others that change routing or identity. None is on the allow-list.
HOSTILE_OPTIONS = [
    ("SO_BINDTODEVICE", {"raw": {"format": "8B", "values": [101, 116, 104, 48, 0, 0, 0, 0]}}),
    ("IP_ADD_MEMBERSHIP", {"raw": {"format": "II", "values": [0xE0000001, 0]}}),
    ("IP_OPTIONS", {"raw": {"format": "8B", "values": [0x83, 7, 4, 8, 8, 8, 8, 0]}}),
    ("IP_HDRINCL", {"value": 1}),
    ("SO_MARK", {"value": 1}),
    ("IP_MULTICAST_IF", {"value": 0}),
    ("IP_TRANSPARENT", {"value": 1}),
    ("SO_DONTROUTE", {"value": 1}),
    ("SO_BROADCAST", {"value": 1}),
]


@pytest.mark.parametrize(("option", "value"), HOSTILE_OPTIONS)
def test_options_off_the_allow_list_never_reach_setsockopt(
    option: str, value: dict[str, Any], socket_calls: list[tuple[str, Any]]
) -> None:
    result = run_engine(
        [{"op": "setsockopt", "socket": "c", "option": option, **value, "name": "x"}],
        [{"udp": "c"}],
    )
    assert result["status"] == "harness-error"
    assert "allow-list" in result["reason"]
    assert [call for call in socket_calls if call[0] == "setsockopt"] == []


@pytest.mark.parametrize("option", ["SO_BINDTODEVICE", "IP_TTL_EVIL", "SO_MARK"])
def test_socket_options_off_the_allow_list_never_reach_setsockopt(
    option: str, socket_calls: list[tuple[str, Any]]
) -> None:
    result = run_engine([], [{"tcp": "c", "options": {option: 1}}])
    assert result["status"] == "harness-error"
    assert [call for call in socket_calls if call[0] == "setsockopt"] == []


def test_raw_value_larger_than_the_option_is_refused(socket_calls: list[Any]) -> None:
    raw = {"format": "qq", "values": [1, 2]}
    result = run_engine(
        [{"op": "setsockopt", "socket": "c", "option": "SO_RCVBUF", "raw": raw, "name": "x"}],
        [{"tcp": "c"}],
    )
    assert result["status"] == "harness-error"
    assert "16 bytes" in result["reason"]
    assert socket_calls == []


def test_a_service_on_loopback_is_out_of_reach(socket_calls: list[tuple[str, Any]]) -> None:
    """A runner's own loopback service (a database, a Docker API) gets no connection."""
    with socket.socket() as service:
        service.bind(("127.0.0.1", 0))
        service.listen(1)
        service.settimeout(0.5)
        port = service.getsockname()[1]
        # A hand-made probe that skips validation and names the port directly.
        result = run_engine(
            [{"op": "connect", "socket": "c", "port": port, "within": 2, "name": "x"}],
            [{"tcp": "c"}],
        )
        # An old-style `port` is ignored: the engine connects to its reserved
        # closed port, which refuses.
        assert result["observations"][0]["error"]["portable"] == "ECONNREFUSED"
        with pytest.raises(socket.timeout):
            service.accept()
    assert port not in {args[0][1] for name, args in socket_calls if name == "connect"}


def test_bookkeeping_aimed_at_a_foreign_port_is_refused(socket_calls: list[Any]) -> None:
    from matrix.engine.handlers.endpoints import destination

    ctx = Context(family="test", api="native")
    ctx.bound["svc"] = ("127.0.0.1", 5432)
    with pytest.raises(HarnessError, match="belongs to no socket"):
        destination(ctx, "127.0.0.1", 6379)
    assert destination(ctx, "127.0.0.1", 5432) == ("127.0.0.1", 5432)
    assert socket_calls == []


def test_the_closed_port_refuses_and_is_released() -> None:
    result = run_engine(
        [{"op": "connect", "socket": "c", "closed_port": True, "within": 3, "name": "x"}],
        [{"tcp": "c"}],
    )
    assert result["status"] == "ok"
    assert result["observations"][0]["error"]["portable"] == "ECONNREFUSED"


@pytest.mark.parametrize("api", ["native", "python"])
@pytest.mark.parametrize(("op", "flag"), [("send", "DONTROUTE"), ("send", "PEEK"),
                                          ("recv", "NOSIGNAL"), ("recv", "TRUNC")])  # fmt: skip
def test_flags_validation_did_not_allow_never_reach_the_call(
    api: str, op: str, flag: str, socket_calls: list[tuple[str, Any]]
) -> None:
    # An unvalidated probe (the engine is called directly) asks for a flag the
    # schema refuses for that call: both APIs refuse it before calling the OS.
    probe = {
        "id": "flags",
        "sockets": [{"pair": ["a", "b"]}],
        "steps": [{"op": op, "socket": "a", "data": "x", "flags": [flag], "name": "x"}],
        "verdict": ["x"],
    }
    if op == "recv":
        del probe["steps"][0]["data"]
    result = Engine(probe, lambda event: None, api).run()
    assert result["status"] == "harness-error"
    assert "not allowed" in result["reason"]
    assert [call for call in socket_calls if call[0] == op] == []


def test_engine_refuses_an_allocation_bomb_that_skipped_validation() -> None:
    steps = [{"op": "sendall", "socket": "a", "bytes": 16 * 1024 * 1024}] * 3
    result = Engine(
        {"id": "x", "sockets": [{"pair": ["a", "b"]}], "steps": steps, "verdict": []},
        lambda event: None,
    ).run()
    assert result["status"] == "harness-error"
    assert "a probe may use at most" in result["reason"]
    assert result["observations"] == []


@pytest.mark.parametrize("api", ["native", "python"])
@pytest.mark.parametrize("event", ["ERR", "HUP", "NVAL"])
def test_poll_result_only_events_never_reach_the_call(
    api: str, event: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WSAPoll fails on ERR, HUP and NVAL as request events (WSAEINVAL) while
    # poll() ignores them: a probe that skipped validation is refused before
    # either is called.
    polled: list[Any] = []
    monkeypatch.setattr(NativeApi, "poll", lambda self, *args: polled.append(args) or [0])
    monkeypatch.setattr(select, "poll", lambda: polled.append("python") or None, raising=False)
    probe = {
        "id": "poll-events",
        "sockets": [{"pair": ["a", "b"]}],
        "steps": [{"op": "poll", "sockets": ["a"], "events": [event], "timeout": 0, "name": "p"}],
        "verdict": ["p"],
    }
    result = Engine(probe, lambda event: None, api).run()
    assert result["status"] == "harness-error"
    assert f"POLL{event} is reported by poll() without being asked for" in result["reason"]
    assert polled == []


@pytest.mark.parametrize("api", ["native", "python"])
@pytest.mark.parametrize(
    ("sockets", "target"),
    [
        ([{"udp": "u"}, {"tcp": "c"}], "u"),  # a UDP port's number, over TCP
        ([{"listener": "srv", "family": "ipv6"}, {"tcp": "c"}], "srv"),  # another family
        ([{"pair": ["a", "b"]}, {"tcp": "c"}], "b"),  # a connected socket, not a listener
    ],
    ids=["tcp-to-own-udp-port", "ipv4-to-own-ipv6-listener", "tcp-to-a-pair-end"],
)
def test_a_connect_goes_only_to_a_listener_of_the_same_protocol_and_family(
    api: str, sockets: list[dict[str, Any]], target: str, socket_calls: list[tuple[str, Any]]
) -> None:
    step = {"op": "connect", "socket": "c", "to": target, "within": 2, "name": "x"}
    if target == "srv":
        step["address"] = "127.0.0.1"
    result = Engine(
        {"id": "own", "sockets": sockets, "steps": [step], "verdict": ["x"]},
        lambda event: None,
        api,
    ).run()
    if result["status"] == "skipped":
        pytest.skip(str(result["reason"]))  # no IPv6 here
    assert result["status"] == "harness-error", result
    assert "by protocol, address family and port" in str(result["reason"])
    assert result["observations"] == []  # refused before connect() was called


@pytest.mark.parametrize("api", ["native", "python"])
def test_a_tcp_sendto_is_a_connect_and_goes_only_to_a_listener(
    api: str, socket_calls: list[tuple[str, Any]]
) -> None:
    # FreeBSD's tcp_usr_send connects an unconnected TCP socket given an address.
    step = {"op": "sendto", "socket": "c", "to": "u", "data": "x", "name": "x"}
    result = Engine(
        {"id": "own", "sockets": [{"udp": "u"}, {"tcp": "c"}], "steps": [step], "verdict": ["x"]},
        lambda event: None,
        api,
    ).run()
    assert result["status"] == "harness-error"
    assert [call for call in socket_calls if call[0] == "sendto"] == []


def _wildcard_probe(kind: str) -> dict[str, Any]:
    if kind == "accept":
        return {
            "id": "wild",
            "sockets": [{"tcp": "srv"}],
            "steps": [
                {"op": "bind", "socket": "srv", "address": "0.0.0.0"},
                {"op": "listen", "socket": "srv"},
                {"op": "accept", "socket": "srv", "as": "conn", "within": 5, "name": "x"},
                {"op": "send", "socket": "conn", "data": "secret", "name": "y"},
            ],
            "verdict": ["x", "y"],
        }
    return {
        "id": "wild",
        "sockets": [{"udp": "u", "bind": False}],
        "steps": [
            {"op": "bind", "socket": "u", "address": "0.0.0.0"},
            {"op": kind, "socket": "u", "within": 5, "name": "x"},
        ],
        "verdict": ["x"],
    }


def _local_address() -> str | None:
    """An address of this host that is not loopback, to play another host from."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # routes only; nothing is sent (RFC 5737)
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


@pytest.mark.parametrize("api", ["native", "python"])
@pytest.mark.parametrize("kind", ["accept", "recvfrom", "recv"])
def test_a_peer_off_loopback_is_refused_by_a_wildcard_bound_socket(api: str, kind: str) -> None:
    """A peer at this host's own non-loopback address stands in for another host
    (the namespace test, test_confinement_on_the_wire, uses a real second one)."""
    import threading

    local = _local_address()
    if local is None:
        pytest.skip("no non-loopback address here")
    engine = Engine(_wildcard_probe(kind), lambda event: None, api)
    result: dict[str, Any] = {}
    runner = threading.Thread(target=lambda: result.update(engine.run()))
    runner.start()
    deadline = time.monotonic() + 10
    name = "srv" if kind == "accept" else "u"
    while name not in engine.ctx.bound and time.monotonic() < deadline:
        time.sleep(0.01)
    port = engine.ctx.bound[name][1]
    received = b""
    if kind == "accept":
        # The port is known once bound, a moment before listen(): a connect in
        # between is refused, so try again until the listener answers.
        while time.monotonic() < deadline:
            try:
                peer = socket.create_connection((local, port), timeout=5, source_address=(local, 0))
            except ConnectionRefusedError:
                time.sleep(0.01)
                continue
            except OSError:
                break  # a reset at connect: refused by the engine
            with peer, contextlib.suppress(OSError):  # a reset at recv
                received = peer.recv(100)
            break
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.bind((local, 0))
            peer.sendto(b"hello", (local, port))
    runner.join(15)
    assert result["status"] == "harness-error", result
    assert "not on loopback" in str(result["reason"]) and local in str(result["reason"])
    assert received == b"", "the probe's data never reaches another host"
