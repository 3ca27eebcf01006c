"""The state operations (tcp_state, connection_state) in the engine, with ss as a witness.

SIGPIPE as an observation: tests/unit/engine/test_sigpipe.py; the library's own
state and SIGPIPE probes run for real: tests/end_to_end/test_library_probes.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from typing import Any

import pytest

from matrix.engine.scenario import Engine
from matrix.engine.tcpstate import conn_table as _conn_table
from matrix.engine.tcpstate import own_socket as _own_socket
from matrix.engine.tcpstate.own_socket import StateUnsupported
from matrix.engine.tcpstate.proc_net_tcp import read_entries
from matrix.engine.tcpstate.self_check import CheckResult

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


def run(probe: dict[str, Any], api: str = "native") -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    return Engine(probe, events.append, api=api).run()


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {obs["name"]: obs for obs in result["observations"]}


def half_close(extra_steps: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": "t",
        "sockets": [{"pair": ["closer", "peer"]}],
        "steps": [
            {"op": "shutdown", "socket": "closer", "how": "WR"},
            {"op": "tcp_state", "socket": "closer", "expect": ["FIN_WAIT_2"], "wait": 2,
             "name": "closer"},
            {"op": "tcp_state", "socket": "peer", "expect": ["CLOSE_WAIT"], "wait": 2,
             "name": "peer"},
            {"op": "connection_state", "socket": "peer", "peer": "closer", "name": "peer-row"},
            {"op": "close", "socket": "peer"},
            {"op": "connection_state", "socket": "closer", "peer": "peer",
             "expect": ["TIME_WAIT"], "wait": 2, "name": "closer-row"},
            *(extra_steps or []),
        ],
        "verdict": ["closer", "peer", "peer-row", "closer-row"],
    }  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test decides anew which state calls work (the modules keep one choice per process)."""
    monkeypatch.setattr(_conn_table, "_chosen", {})
    monkeypatch.setattr(_own_socket, "_support", {})


@linux_only
@pytest.mark.parametrize("api", ["native", "python"])
def test_states_are_observed_with_their_mechanism_and_raw_number(api: str) -> None:
    result = run(half_close(), api)
    assert result["status"] == "ok", result
    obs = by_name(result)
    assert obs["closer"]["summary"] == "FIN_WAIT_2"
    assert obs["closer"]["value"]["raw"] == 5  # Linux TCP_FIN_WAIT2
    assert obs["closer"]["value"]["mechanism"] == "getsockopt TCP_INFO"
    assert obs["peer"]["value"]["matched"] is True
    assert obs["peer-row"]["summary"] == "CLOSE_WAIT"
    assert obs["closer-row"]["value"]["mechanism"] == "/proc/net/tcp"
    assert obs["closer-row"]["value"]["source"] == "entry"
    assert result["verdict"] == (
        "closer: FIN_WAIT_2 (immediate) · peer: CLOSE_WAIT (immediate) · "
        "peer-row: CLOSE_WAIT (immediate) · closer-row: TIME_WAIT (immediate)"
    )


def test_a_state_that_never_comes_is_reported_at_the_end_of_its_wait_not_as_an_os_time() -> None:
    probe = {
        "id": "t",
        "sockets": [{"pair": ["local", "peer"]}],
        "steps": [{"op": "tcp_state", "socket": "local", "expect": ["TIME_WAIT"], "wait": 0.6,
                   "name": "state"}],
        "verdict": ["state"],
    }  # fmt: skip
    engine = Engine(probe, lambda _event: None)
    family = engine.ctx.family
    if family not in ("linux", "macos", "windows") and not family.startswith("freebsd"):
        pytest.skip("no own-state call on this OS")
    obs = by_name(engine.run())["state"]
    if obs["outcome"] == "unsupported":
        pytest.skip(obs["summary"])
    assert obs["summary"] == "ESTABLISHED"
    assert obs["value"]["matched"] is False
    # The 0.6 s are the probe's bound, not something the OS took.
    assert obs["timing"] == "at the end of its wait"
    assert obs["elapsed"] >= 0.6


def test_an_os_without_a_state_call_reads_unsupported() -> None:
    probe = {
        "id": "t",
        "sockets": [{"pair": ["local", "peer"]}],
        "steps": [{"op": "tcp_state", "socket": "local", "name": "state"}],
        "verdict": ["state"],
    }
    engine = Engine(probe, lambda _event: None)
    engine.ctx.family = "plan9"
    obs = by_name(engine.run())["state"]
    assert obs["outcome"] == "unsupported"
    assert "plan9" in obs["summary"]


def test_without_psutil_connection_state_is_unsupported_and_the_rest_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing() -> Any:
        raise StateUnsupported("psutil is not installed")

    monkeypatch.setattr(_conn_table, "_import_psutil", missing)
    monkeypatch.setattr(
        _conn_table, "DEFAULT_READERS", [("psutil.net_connections", _conn_table._psutil)]
    )
    monkeypatch.setitem(_conn_table.READERS, "windows", _conn_table.DEFAULT_READERS)
    probe = {
        "id": "t",
        "sockets": [{"pair": ["local", "peer"]}],
        "steps": [
            {"op": "close", "socket": "local", "name": "close"},
            {"op": "connection_state", "socket": "local", "peer": "peer", "name": "row"},
            {"op": "recv", "socket": "peer", "name": "recv"},
        ],
        "verdict": ["close", "row", "recv"],
    }
    result = run(probe)
    assert result["status"] == "ok"
    assert result["verdict"] == ("close: ok (immediate) · row: unsupported · recv: EOF (immediate)")
    assert by_name(result)["row"]["outcome"] == "unsupported"
    assert by_name(result)["row"]["summary"] == (
        "psutil.net_connections could not be read: psutil is not installed"
    )


def closing_probe() -> dict[str, Any]:
    return {
        "id": "t",
        "sockets": [{"pair": ["client", "server"]}],
        "steps": [
            {"op": "connection_state", "socket": "client", "peer": "server", "name": "open"},
            {"op": "close", "socket": "client"},
            {"op": "recv", "socket": "server"},
            {"op": "close", "socket": "server"},
            {"op": "connection_state", "socket": "client", "peer": "server",
             "expect": ["TIME_WAIT"], "wait": 2, "name": "time-wait"},
            {"op": "connection_state", "socket": "server", "peer": "client",
             "expect": ["CLOSED"], "wait": 2, "name": "gone"},
        ],
        "verdict": ["open", "time-wait", "gone"],
    }  # fmt: skip


@linux_only
def test_a_slow_listing_is_the_harness_s_time_not_the_os_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # psutil's whole-table scan took 0.4-0.68 s on a loaded 2-core machine; the
    # states were there at once, so every part is immediate.
    def slow(ipv6: bool) -> Any:
        time.sleep(0.6)
        return read_entries(ipv6)

    monkeypatch.setattr(_conn_table, "DEFAULT_READERS", [("slow", slow)])
    monkeypatch.setattr("matrix.engine.tcpstate.self_check.check",
                        lambda listing, ipv6: CheckResult(None, None))  # fmt: skip
    result = run(closing_probe())
    assert result["status"] == "ok", result
    assert result["verdict"] == (
        "open: ESTABLISHED (immediate) · time-wait: TIME_WAIT (immediate) · "
        "gone: CLOSED (immediate)"
    )
    assert by_name(result)["gone"]["elapsed"] > 1.5  # three listings to believe absence
    assert by_name(result)["gone"]["value"]["source"] == "absence"
    assert by_name(result)["time-wait"]["value"]["source"] == "entry"


@linux_only
def test_a_table_that_drops_closed_sockets_reports_unsupported_never_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # gVisor's /proc/net/tcp lists only sockets with an open descriptor: played
    # here by hiding the states a closed socket's connection is in.
    def open_only(ipv6: bool) -> Any:
        closed_socket = {"FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSING", "LAST_ACK"}
        return [e for e in read_entries(ipv6) or [] if e[2] not in closed_socket]

    monkeypatch.setattr(_conn_table, "DEFAULT_READERS", [("open-only", open_only)])
    result = run(closing_probe())
    assert result["status"] == "ok", result
    # Before, both parts read CLOSED: the absence of a connection the table cannot show.
    assert result["verdict"] == (
        "open: ESTABLISHED (immediate) · time-wait: unsupported · gone: unsupported"
    )
    assert by_name(result)["time-wait"]["summary"].startswith(
        "open-only cannot show that a connection is gone: it stops listing a connection once "
        "its socket is closed (this process's own 127.0.0.1:"
    )


def test_a_table_whose_layout_changed_makes_each_step_unsupported_not_the_probe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A new macOS whose pcblist_n layout differs: before, every state probe
    # failed its setup; now the table is not trusted and each step says why.
    garbage = bytes(24) + bytes(300)
    monkeypatch.setattr("matrix.engine.tcpstate.xnu_pcblist.read_pcblist_n", lambda: garbage)
    monkeypatch.setattr(_conn_table, "DEFAULT_READERS",
                        [("sysctl net.inet.tcp.pcblist_n", _conn_table._xnu)])  # fmt: skip
    result = run(closing_probe())
    assert result["status"] == "ok", result
    row = by_name(result)["open"]
    assert row["outcome"] == "unsupported"
    assert row["summary"].startswith("sysctl net.inet.tcp.pcblist_n could not be read: pcblist_n")


# -- ss as a witness (Linux) -------------------------------------------------------

SS_STATES = {
    "ESTAB": "ESTABLISHED",
    "SYN-SENT": "SYN_SENT",
    "SYN-RECV": "SYN_RECEIVED",
    "FIN-WAIT-1": "FIN_WAIT_1",
    "FIN-WAIT-2": "FIN_WAIT_2",
    "TIME-WAIT": "TIME_WAIT",
    "CLOSE-WAIT": "CLOSE_WAIT",
    "LAST-ACK": "LAST_ACK",
    "LISTEN": "LISTEN",
    "CLOSING": "CLOSING",
}


def _ss_state(local: tuple[str, int], remote: tuple[str, int]) -> str:
    output = subprocess.run(
        ["ss", "-tan", "src", f"{local[0]}:{local[1]}", "dst", f"{remote[0]}:{remote[1]}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout
    rows = [line.split() for line in output.splitlines()[1:] if line.strip()]
    states = sorted(SS_STATES.get(row[0], row[0]) for row in rows)
    return "+".join(states) or "CLOSED"


@linux_only
@pytest.mark.skipif(shutil.which("ss") is None, reason="needs iproute2's ss")
def test_linux_states_agree_with_ss_during_a_probe() -> None:
    checked: list[tuple[str, str, str]] = []
    engine: Engine

    def witness(event: dict[str, Any]) -> None:
        # Called on the main sequence right after each observation is made,
        # while the connection is still in the state the probe saw.
        obs = event.get("observation", {})
        if obs.get("op") == "connection_state":
            step = engine.probe["steps"][obs["step_index"]]
            local = engine.ctx.bound[step["socket"]][:2]
            remote = engine.ctx.bound[step["peer"]][:2]
            checked.append((obs["name"], obs["summary"], _ss_state(local, remote)))
        elif obs.get("op") == "tcp_state" and obs["summary"] != "CLOSED":
            sock, api = engine.ctx.sockets[obs["socket"]], engine.ctx.native
            local, remote = api.getsockname(sock)[:2], api.getpeername(sock)[:2]
            checked.append((obs["name"], obs["summary"], _ss_state(local, remote)))

    engine = Engine(half_close(), witness)
    result = engine.run()
    assert result["status"] == "ok", result
    assert [name for name, _, _ in checked] == ["closer", "peer", "peer-row", "closer-row"]
    for name, ours, theirs in checked:
        # A state may move on between our read and ss's (FIN_WAIT_2 -> TIME_WAIT
        # never goes backwards); ours must be ss's or the one just before it.
        assert ours == theirs or (ours, theirs) in {("FIN_WAIT_1", "FIN_WAIT_2")}, (
            name,
            ours,
            theirs,
        )


@linux_only
def test_connection_state_finds_ipv6_connections_too() -> None:
    probe = {
        "id": "t",
        "sockets": [{"pair": ["client", "server"], "family": "ipv6"}],
        "steps": [
            {"op": "close", "socket": "client"},
            {"op": "recv", "socket": "server"},
            {"op": "close", "socket": "server"},
            {"op": "connection_state", "socket": "client", "peer": "server",
             "expect": ["TIME_WAIT"], "wait": 2, "name": "row"},
        ],
        "verdict": ["row"],
    }  # fmt: skip
    result = run(probe)
    if result["status"] == "skipped":
        pytest.skip(result["reason"])
    assert by_name(result)["row"]["summary"] == "TIME_WAIT"


def test_connection_state_on_a_socket_that_was_never_accepted_is_not_reached() -> None:
    probe = {
        "id": "t",
        "sockets": [{"listener": "srv"}, {"tcp": "client"}],
        "steps": [
            {"op": "accept", "socket": "srv", "as": "conn", "within": 0.3, "name": "accept"},
            {"op": "connection_state", "socket": "conn", "peer": "client", "name": "row"},
        ],
        "verdict": ["accept", "row"],
    }
    result = run(probe)
    assert result["status"] == "ok", result
    assert result["verdict"] == "accept: blocked · row: not reached"
