"""The engine in this process: sequencing, observations, verdicts, cleanup."""

from __future__ import annotations

import socket
import sys
import threading
import time
from typing import Any

import pytest
from helpers.fake_native import api

from matrix.engine.abi.native_api import NativeSocket
from matrix.engine.abi.winsock import WINSOCK
from matrix.engine.scenario import Engine
from matrix.language.os_families import os_family


def run(probe: dict[str, Any]) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    result = Engine(probe, events.append).run()
    assert [e["observation"] for e in events] == result["observations"]
    return result


def scenario(steps: list[dict[str, Any]], verdict: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": "t",
        "sockets": extra.pop("sockets", [{"pair": ["local", "peer"]}]),
        "steps": steps,
        "verdict": verdict,
        **extra,
    }


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {obs["name"]: obs for obs in result["observations"]}


def test_send_and_recv_are_observed_with_counts() -> None:
    result = run(
        scenario(
            [
                {"op": "send", "socket": "local", "data": "hello", "name": "send"},
                {"op": "recv", "socket": "peer", "name": "recv"},
            ],
            ["send", "recv"],
        )
    )
    assert result["status"] == "ok"
    assert result["verdict"] == "send: 5 bytes (immediate) · recv: 5 bytes (immediate)"


def test_a_blocking_main_step_becomes_blocked_and_the_sequence_goes_on() -> None:
    before = threading.active_count()
    result = run(
        scenario(
            [
                {"op": "recv", "socket": "local", "within": 0.2, "name": "recv"},
                {"op": "close", "socket": "peer", "name": "close"},
            ],
            ["recv", "close"],
        )
    )
    obs = by_name(result)
    assert obs["recv"]["outcome"] == "blocked"
    assert obs["recv"]["bound"] == 0.2
    assert obs["close"]["outcome"] == "returned"
    assert result["cleanup"] == []
    assert threading.active_count() == before, "cleanup must release every thread"


def test_join_observes_a_thread_step_at_that_moment() -> None:
    result = run(
        scenario(
            [
                {"op": "recv", "socket": "local", "thread": "reader", "name": "recv"},
                {"op": "join", "step": "recv", "within": 0.1, "name": "early"},
                {"op": "send", "socket": "peer", "data": "x"},
                {"op": "join", "step": "recv", "within": 2, "name": "late"},
            ],
            ["early", "late"],
        )
    )
    assert result["verdict"] == "early: blocked · late: 1 bytes (immediate)"
    assert by_name(result)["recv"]["outcome"] == "returned"


def test_an_exception_is_an_observation_with_portable_errno() -> None:
    result = run(
        scenario(
            [
                {"op": "close", "socket": "local"},
                {"op": "send", "socket": "local", "data": "x", "name": "send"},
            ],
            ["send"],
        )
    )
    obs = by_name(result)["send"]
    assert obs["outcome"] == "raised"
    assert obs["error"]["exception"] == "OSError"
    assert obs["error"]["portable"] in ("EBADF", "ENOTSOCK")
    assert result["verdict"].startswith("send: E")


def test_drain_compares_with_what_was_sent() -> None:
    result = run(
        scenario(
            [
                {"op": "sendall", "socket": "local", "bytes": 3000, "name": "first"},
                {"op": "send", "socket": "local", "data": "abc", "name": "second"},
                {"op": "close", "socket": "local"},
                {"op": "drain", "socket": "peer", "of": ["first", "second"], "name": "drain"},
            ],
            ["drain"],
        )
    )
    assert by_name(result)["drain"]["summary"] == "all data, then EOF"
    assert by_name(result)["drain"]["value"]["bytes"] == 3003


def test_portable_linger_reads_back_as_set() -> None:
    result = run(
        scenario(
            [
                {
                    "op": "setsockopt",
                    "socket": "s",
                    "option": "SO_LINGER",
                    "linger": {"on": True, "seconds": 3},
                },
                {
                    "op": "getsockopt",
                    "socket": "s",
                    "option": "SO_LINGER",
                    "decode": "linger",
                    "name": "linger",
                },
            ],
            ["linger"],
            sockets=[{"tcp": "s"}],
        )
    )
    assert result["verdict"] == "linger: on, 3 s (immediate)"


def missing_here() -> str:
    """An option on the allow-list that this OS does not have."""
    from matrix.language.option_allowlist import KNOWN_OPTIONS, resolve
    from matrix.language.os_families import os_family

    family = os_family(sys.platform)
    return next(name for name in KNOWN_OPTIONS if resolve(name, family) is None)


def test_missing_option_is_unsupported_not_an_error() -> None:
    result = run(
        scenario(
            [{"op": "getsockopt", "socket": "s", "option": missing_here(), "name": "get"}],
            ["get"],
            sockets=[{"tcp": "s"}],
        )
    )
    assert result["status"] == "ok"
    assert by_name(result)["get"]["outcome"] == "unsupported"


def test_listener_closed_while_accept_blocks_is_released_at_cleanup() -> None:
    before = threading.active_count()
    result = run(
        scenario(
            [
                {
                    "op": "accept",
                    "socket": "srv",
                    "as": "conn",
                    "thread": "acceptor",
                    "name": "accept",
                },
                {"op": "sleep", "seconds": 0.1},
                {"op": "close", "socket": "srv", "name": "close"},
            ],
            ["close"],
            sockets=[{"listener": "srv"}],
        )
    )
    assert result["status"] == "ok"
    assert not any("still blocked" in note for note in result["cleanup"])
    assert threading.active_count() == before


def _has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _has_ipv6(), reason="this machine has no IPv6 loopback")
def test_ipv6_pair() -> None:
    result = run(
        scenario(
            [{"op": "send", "socket": "local", "data": "hi", "name": "send"}],
            ["send"],
            sockets=[{"pair": ["local", "peer"], "family": "ipv6"}],
        )
    )
    assert result["verdict"] == "send: 2 bytes (immediate)"


# -- both APIs (native and python), and what a verdict part may say ----------
APIS = ["native", "python"]


def run_with(probe: dict[str, Any], api: str) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    result = Engine(probe, events.append, api).run()
    assert result["api"] == api
    return result


@pytest.mark.parametrize("api", APIS)
def test_steps_on_a_socket_a_failed_accept_never_made_are_not_reached(api: str) -> None:
    result = run_with(
        scenario(
            [
                {"op": "accept", "socket": "srv", "as": "conn", "name": "accept"},
                {"op": "recv", "socket": "conn", "name": "recv"},
                {"op": "close", "socket": "conn", "name": "close"},
            ],
            ["accept", "recv", "close"],
            sockets=[{"listener": "srv", "options": {"blocking": False}}],
        ),
        api,
    )
    assert result["status"] == "ok"
    assert result["verdict"] == (
        "accept: EWOULDBLOCK (immediate) · recv: not reached · close: not reached"
    )
    assert "never created" in by_name(result)["recv"]["summary"]


@pytest.mark.parametrize("api", APIS)
def test_unsupported_verdict_part_is_one_word_and_the_reason_is_in_the_summary(api: str) -> None:
    result = run_with(
        scenario(
            [{"op": "getsockopt", "socket": "s", "option": missing_here(), "name": "get"}],
            ["get"],
            sockets=[{"tcp": "s"}],
        ),
        api,
    )
    assert result["verdict"] == "get: unsupported"
    assert by_name(result)["get"]["summary"] == f"{missing_here()} does not exist on this platform"


@pytest.mark.parametrize("api", APIS)
def test_an_empty_datagram_is_zero_bytes_not_eof(api: str) -> None:
    result = run_with(
        scenario(
            [
                {"op": "sendto", "socket": "a", "to": "b", "data": "", "name": "send"},
                {"op": "recv", "socket": "b", "name": "recv"},
            ],
            ["send", "recv"],
            sockets=[{"udp": "a"}, {"udp": "b"}],
        ),
        api,
    )
    assert result["verdict"] == "send: 0 bytes (immediate) · recv: 0 bytes (immediate)"


@pytest.mark.parametrize("api", APIS)
def test_a_thread_step_is_timed_from_the_step_that_released_it(api: str) -> None:
    result = run_with(
        scenario(
            [
                {"op": "recv", "socket": "local", "thread": "reader", "name": "recv"},
                {"op": "sleep", "seconds": 0.7},
                {"op": "send", "socket": "peer", "data": "x"},
                {"op": "join", "step": "recv", "within": 2, "name": "joined"},
                {"op": "send", "socket": "peer", "data": "y"},
                {"op": "join", "step": "recv", "within": 2, "name": "again"},
            ],
            ["recv", "joined", "again"],
        ),
        api,
    )
    # Measured from its own start it took ~0.7 s ("after ~1 s"); the send released it.
    assert result["verdict"] == (
        "recv: 1 bytes (immediate) · joined: 1 bytes (immediate) · "
        "again: 1 bytes (already returned)"
    )


@pytest.mark.skipif(not hasattr(socket, "MSG_DONTWAIT"), reason="no MSG_DONTWAIT (Windows)")
@pytest.mark.parametrize("api", APIS)
def test_recv_flags_peek_and_dontwait(api: str) -> None:
    result = run_with(
        scenario(
            [
                {"op": "recv", "socket": "peer", "flags": ["DONTWAIT"], "name": "empty"},
                {"op": "send", "socket": "local", "data": "abc"},
                {"op": "sleep", "seconds": 0.05},
                {"op": "recv", "socket": "peer", "flags": ["PEEK"], "name": "peek"},
                {"op": "recv", "socket": "peer", "flags": ["WAITALL"], "bytes": 3, "name": "read"},
            ],
            ["empty", "peek", "read"],
        ),
        api,
    )
    assert result["verdict"] == (
        "empty: EWOULDBLOCK (immediate) · peek: 3 bytes (immediate) · read: 3 bytes (immediate)"
    )


@pytest.mark.skipif(sys.platform != "linux", reason="asserts Linux's errors after a reset")
@pytest.mark.parametrize("api", APIS)
def test_send_with_nosignal_to_a_reset_peer_is_an_error_not_a_signal(api: str) -> None:
    result = run_with(
        scenario(
            [
                {
                    "op": "setsockopt",
                    "socket": "peer",
                    "option": "SO_LINGER",
                    "linger": {"on": True, "seconds": 0},
                },
                {"op": "close", "socket": "peer"},
                {"op": "sleep", "seconds": 0.05},
                {
                    "op": "send",
                    "socket": "local",
                    "data": "x",
                    "flags": ["NOSIGNAL"],
                    "name": "first",
                },
                {
                    "op": "send",
                    "socket": "local",
                    "data": "x",
                    "flags": ["NOSIGNAL"],
                    "name": "second",
                },
            ],
            ["first", "second"],
        ),
        api,
    )
    assert result["verdict"] == "first: ECONNRESET (immediate) · second: EPIPE (immediate)"


def test_a_flag_the_platform_lacks_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    from matrix.engine.abi.native_api import native_api

    abi = native_api().abi
    monkeypatch.setattr(native_api(), "abi", abi._replace(msg={**abi.msg, "OOB": None}))
    result = run(
        scenario(
            [{"op": "send", "socket": "local", "data": "x", "flags": ["OOB"], "name": "oob"}],
            ["oob"],
        )
    )
    assert result["verdict"] == "oob: unsupported"
    assert by_name(result)["oob"]["summary"] == "MSG_OOB does not exist on this platform"


def test_settimeout_is_a_python_notion_unsupported_natively() -> None:
    probe = scenario(
        [{"op": "settimeout", "socket": "local", "seconds": 1, "name": "timeout"}], ["timeout"]
    )
    assert run_with(probe, "native")["verdict"] == "timeout: unsupported"
    assert run_with(probe, "python")["verdict"] == "timeout: ok (immediate)"


def test_native_sockets_are_detached_from_python() -> None:
    from matrix.engine.abi.native_api import NativeSocket, native_api
    from matrix.engine.context import Context
    from matrix.engine.setup_sockets import hand_over_to_native, setup

    ctx = Context(family=os_family(sys.platform), api="native")
    setup(ctx, scenario([], [], sockets=[{"pair": ["a", "b"]}, {"udp": "u"}]))
    python_objects = dict(ctx.sockets)
    hand_over_to_native(ctx)
    for name, sock in ctx.sockets.items():
        assert isinstance(sock, NativeSocket)
        # The Python object no longer owns the descriptor: it can never close it.
        assert python_objects[name].fileno() == -1
        native_api().close(sock)
    assert ctx.sockets["u"].kind == "dgram"


def test_a_close_that_never_returns_is_bounded_and_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matrix.engine.scenario as engine_module

    monkeypatch.setattr(engine_module, "CLEANUP_CLOSE_SECONDS", 0.1)
    release = threading.Event()
    original = Engine._close_quietly

    def stuck(self: Engine, sock: Any) -> None:
        release.wait(5)  # like XNU's close() waiting for a thread inside a call
        original(self, sock)

    monkeypatch.setattr(Engine, "_close_quietly", stuck)
    started = time.monotonic()
    result = run(scenario([{"op": "send", "socket": "local", "data": "x", "name": "s"}], ["s"]))
    release.set()
    assert time.monotonic() - started < 3
    assert "close of 'local' did not finish within 0.1 s" in result["cleanup"]
    assert result["status"] == "ok"


def test_cleanup_closes_a_handle_closesocket_kept_again_in_blocking_mode() -> None:
    from matrix.engine.scenario import Engine

    native, lib = api(WINSOCK)
    results = iter([-1, 0])  # WSAEWOULDBLOCK first, then closed

    def closesocket(handle: int) -> int:
        lib.calls.append(("closesocket", (handle,)))
        return next(results)

    lib.__dict__["closesocket"] = closesocket
    lib.error = 10035
    engine = Engine({"id": "t", "sockets": [], "steps": [], "verdict": []}, lambda e: None)
    engine.ctx.native = native
    sock = NativeSocket(0x1F4, "ipv4", "stream", blocking=False)
    engine._close_quietly(sock)
    assert [name for name, _ in lib.calls] == [
        "shutdown",
        "closesocket",
        "ioctlsocket",  # FIONBIO off: a blocking closesocket waits out the linger
        "closesocket",
    ]
    assert sock.closed


def _winsock_engine_with_lingering_close(
    close_waits: threading.Event,
) -> tuple[Engine, NativeSocket, list[tuple[str, tuple[Any, ...]]]]:
    """A Windows engine whose one socket lingers: closesocket refuses nonblocking
    (WSAEWOULDBLOCK, the handle stays valid), then blocks until ``close_waits``."""
    native, lib = api(WINSOCK)
    closes = iter([-1])

    def closesocket(handle: int) -> int:
        lib.calls.append(("closesocket", (handle,)))
        if next(closes, 0) == -1:
            return -1
        close_waits.wait(5)  # a blocking close waiting out the linger time
        return 0

    lib.__dict__["closesocket"] = closesocket
    lib.error = 10035
    engine = Engine({"id": "t", "sockets": [], "steps": [], "verdict": []}, lambda e: None)
    engine.ctx.native = native
    sock = NativeSocket(0x1F4, "ipv4", "stream", blocking=False)
    engine.ctx.add("local", sock, "pair")
    return engine, sock, lib.calls


def test_cleanup_never_closes_a_handle_whose_close_is_still_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matrix.engine.scenario as engine_module

    monkeypatch.setattr(engine_module, "CLEANUP_CLOSE_SECONDS", 0.1)
    linger_over = threading.Event()
    engine, _sock, calls = _winsock_engine_with_lingering_close(linger_over)
    engine._close_all()  # the first pass: its blocking close outlasts the bound
    engine._close_all()  # the second pass (after the joins) must leave it alone
    linger_over.set()
    closes = [args for name, args in calls if name == "closesocket"]
    assert closes == [(0x1F4,), (0x1F4,)], "one refused and one blocking close, no third"
    assert [name for name, _ in calls].count("shutdown") == 1
    assert "close of 'local' did not finish within 0.1 s" in engine.cleanup_notes


def test_cleanup_skips_a_socket_a_probe_step_is_still_closing() -> None:
    linger_over = threading.Event()
    engine, sock, calls = _winsock_engine_with_lingering_close(linger_over)
    sock.in_close = True  # a close step on another thread has not returned
    engine._close_all()
    linger_over.set()
    assert calls == []


def test_cleanup_allows_a_close_the_linger_time_it_may_take(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matrix.engine.scenario as engine_module

    monkeypatch.setattr(engine_module, "CLEANUP_CLOSE_SECONDS", 0.2)
    linger_over = threading.Event()
    engine, sock, _calls = _winsock_engine_with_lingering_close(linger_over)
    engine.ctx.note_linger("local", True, 1)
    assert engine.close_bound() == pytest.approx(1.2)
    threading.Timer(0.6, linger_over.set).start()  # the linger ends after 0.6 s
    engine._close_all()
    assert sock.closed
    assert engine.cleanup_notes == []


@pytest.mark.parametrize("api_name", ["native", "python"])
def test_the_linger_a_probe_sets_is_remembered_for_cleanup(api_name: str) -> None:
    probe = scenario(
        [
            {"op": "setsockopt", "socket": "peer", "linger": {"on": True, "seconds": 2}},
            {"op": "setsockopt", "socket": "local", "linger": {"on": False, "seconds": 0}},
        ],
        [],
        sockets=[
            {
                "pair": ["local", "peer"],
                "options": {"local": {"linger": {"on": True, "seconds": 3}}},
            }
        ],
    )
    engine = Engine(probe, lambda e: None, api_name)
    assert engine.run()["status"] == "ok"
    assert engine.ctx.lingers == {"peer": 2.0}
    assert engine.close_bound() == pytest.approx(engine_module_close_seconds() + 2.0)


def engine_module_close_seconds() -> float:
    import matrix.engine.scenario as engine_module

    return engine_module.CLEANUP_CLOSE_SECONDS


@pytest.mark.parametrize("api_name", ["native", "python"])
def test_a_listen_after_a_failed_bind_says_it_listens_elsewhere(api_name: str) -> None:
    # listen() binds a socket without a port to an ephemeral wildcard port (Linux,
    # XNU, FreeBSD): after a failed bind, "ok" alone would read as "listening on
    # the port the bind asked for".
    probe = scenario(
        [
            {"op": "bind", "socket": "a", "name": "first-bind"},
            {"op": "listen", "socket": "a", "name": "first-listen"},
            {"op": "bind", "socket": "b", "port_of": "a", "name": "second-bind"},
            {"op": "listen", "socket": "b", "name": "second-listen"},
        ],
        ["first-listen", "second-bind", "second-listen"],
        sockets=[{"tcp": "a"}, {"tcp": "b"}],
    )
    result = Engine(probe, lambda e: None, api_name).run()
    observed = by_name(result)
    assert observed["first-listen"]["summary"] == "ok"
    assert observed["second-bind"]["error"]["portable"] == "EADDRINUSE"
    listen = observed["second-listen"]
    assert listen["summary"] == "ok, on an ephemeral port (its bind had failed)"
    assert listen["value"] == {"port": "ephemeral", "bind_failed": True}


@pytest.mark.parametrize("api_name", ["native", "python"])
def test_a_connect_to_0_0_0_0_records_the_address_it_reached(api_name: str) -> None:
    probe = scenario(
        [{"op": "connect", "socket": "c", "to": "srv", "address": "0.0.0.0", "name": "connect"}],
        ["connect"],
        sockets=[{"listener": "srv"}, {"tcp": "c"}],
    )
    result = Engine(probe, lambda e: None, api_name).run()
    if sys.platform.startswith("linux"):  # Linux routes 0.0.0.0 to loopback
        assert result["verdict"] == "connect: ok, reached 127.0.0.1 (immediate)"
    connect = by_name(result)["connect"]
    if connect["outcome"] == "returned":
        assert connect["summary"].startswith("ok, reached ")
