"""The system-table lookup of a connection's state: the reader chosen by its self-check,
absence believed only from a table that lists closed sockets, re-reads, live on Linux.

The self-check itself: test_self_check.py; each OS's table from its bytes:
test_proc_net_tcp.py, test_bsd_tables.py, test_xnu_pcblist.py; waiting: test_wait.py.
"""

from __future__ import annotations

import builtins
import socket
import sys
from typing import Any

import pytest

from matrix.engine.tcpstate import conn_table as _conn_table
from matrix.engine.tcpstate.conn_table import Table, connection_states, prepare
from matrix.engine.tcpstate.entries import matching_states
from matrix.engine.tcpstate.own_socket import StateUnsupported
from matrix.engine.tcpstate.self_check import CheckResult
from matrix.engine.tcpstate.wait import wait_for

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")
PAIR = (("127.0.0.1", 50000), ("127.0.0.1", 8080))


@pytest.fixture(autouse=True)
def fresh_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test chooses its reader anew (the module keeps one per process)."""
    monkeypatch.setattr(_conn_table, "_chosen", {})


def use(monkeypatch: pytest.MonkeyPatch, read: Any, blind: str | None = None) -> None:
    monkeypatch.setattr(_conn_table, "_chosen", {False: Table("fake", read, None, blind)})


def test_one_listing_that_skips_a_live_connection_does_not_make_it_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # /proc/net/tcp is read in chunks; a concurrent change can skip an entry in one
    # listing. The connection is reported gone only when every re-read agrees.
    listings: list[list[Any]] = [[], [], [(*PAIR, "TIME_WAIT")]]
    reads: list[int] = []

    def entries(_ipv6: bool) -> list[Any]:
        reads.append(1)
        return listings[len(reads) - 1] if len(reads) <= len(listings) else []

    use(monkeypatch, entries)
    assert connection_states(*PAIR)["states"] == ["TIME_WAIT"]
    assert len(reads) == 3
    reads.clear()
    listings[:] = [[], [], [], [(*PAIR, "TIME_WAIT")]]
    assert connection_states(*PAIR) == {"states": [], "mechanism": "fake"}
    assert len(reads) == _conn_table.ABSENCE_READS


def test_a_found_connection_is_reported_after_one_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []

    def entries(_ipv6: bool) -> list[Any]:
        reads.append(1)
        return [(*PAIR, "ESTABLISHED")]

    use(monkeypatch, entries)
    assert connection_states(*PAIR)["states"] == ["ESTABLISHED"]
    assert len(reads) == 1


def test_absence_from_a_table_that_drops_closed_sockets_is_unsupported_not_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, lambda _ipv6: [], blind="fake cannot show that a connection is gone: why")
    with pytest.raises(StateUnsupported, match="cannot show that a connection is gone"):
        connection_states(*PAIR)
    # What it does list is still believed.
    use(monkeypatch, lambda _ipv6: [(*PAIR, "TIME_WAIT")], blind="blind")
    assert connection_states(*PAIR)["states"] == ["TIME_WAIT"]


def test_a_table_that_fails_to_parse_makes_the_step_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def changed_layout(_ipv6: bool) -> list[Any]:
        raise ValueError("pcblist_n xtcpcb_n at byte 128 is 212 bytes, not 204")

    use(monkeypatch, changed_layout)
    with pytest.raises(StateUnsupported, match="212 bytes, not 204"):
        connection_states(*PAIR)


def test_the_first_reader_whose_self_check_passes_is_chosen_and_failures_say_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_ipv6: bool) -> list[Any]:
        raise OSError(22, "Invalid argument")

    results = {
        "empty": CheckResult("it did not list this process's own connection", None),
        "blind": CheckResult(None, "it stops listing a connection once its socket is closed"),
    }

    def fake_check(listing: Any, ipv6: bool) -> CheckResult:
        ((_, _, name),) = listing()  # each reader lists one entry named after it
        return results[name]

    def named(name: str) -> Any:
        return lambda _ipv6: [(("127.0.0.1", 1), ("127.0.0.1", 2), name)]

    monkeypatch.setattr("matrix.engine.tcpstate.self_check.check", fake_check)
    readers = [("broken", broken), ("empty", named("empty")), ("blind", named("blind"))]
    monkeypatch.setitem(_conn_table.READERS, "fakeos", readers)
    table = prepare(False, "fakeos")
    assert table.name == "blind"
    assert table.blind_to_closed == (
        "blind cannot show that a connection is gone: "
        "it stops listing a connection once its socket is closed"
    )
    monkeypatch.setattr(_conn_table, "_chosen", {})
    monkeypatch.setitem(_conn_table.READERS, "fakeos", readers[:2])
    table = prepare(False, "fakeos")
    assert table.read is None
    assert table.unusable == (
        "broken could not be read: [Errno 22] Invalid argument; "
        "empty cannot be trusted here: it did not list this process's own connection"
    )
    with pytest.raises(StateUnsupported, match="broken could not be read"):
        connection_states(*PAIR)


def test_matching_keeps_only_the_exact_pair() -> None:
    entries: list[Any] = [
        (("127.0.0.1", 1), ("127.0.0.1", 2), "TIME_WAIT"),
        (("127.0.0.1", 2), ("127.0.0.1", 1), "CLOSED"),
        (("127.0.0.2", 1), ("127.0.0.1", 2), "ESTABLISHED"),
        (("0:0::1", 1), ("::1", 2), "FIN_WAIT_2"),
    ]
    assert matching_states(entries, ("127.0.0.1", 1), ("127.0.0.1", 2)) == ["TIME_WAIT"]
    assert matching_states(entries, ("::1", 1), ("::1", 2)) == ["FIN_WAIT_2"]
    assert matching_states(entries, ("127.0.0.1", 3), ("127.0.0.1", 2)) == []


def test_without_psutil_a_psutil_only_platform_is_unsupported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_import = builtins.__import__

    def no_psutil(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "psutil":
            raise ImportError("no psutil here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psutil)
    prepare(False, "windows")
    with pytest.raises(StateUnsupported, match="psutil is not installed"):
        connection_states(("127.0.0.1", 1), ("127.0.0.1", 2))


def test_psutil_refusing_access_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    psutil = pytest.importorskip("psutil")

    def refuse(kind: str) -> list[Any]:
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "net_connections", refuse)
    prepare(False, "windows")
    with pytest.raises(StateUnsupported, match="AccessDenied"):
        connection_states(("127.0.0.1", 1), ("127.0.0.1", 2))


@linux_only
def test_linux_reads_its_own_table_and_trusts_absence_from_it() -> None:
    table = prepare(False, "linux")
    assert (table.name, table.unusable, table.blind_to_closed) == ("/proc/net/tcp", None, None)


@linux_only
def test_live_active_closer_ends_in_time_wait_and_passive_closer_leaves() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        server, _ = listener.accept()
        here, there = client.getsockname(), server.getsockname()
        assert connection_states(here, there)["states"] == ["ESTABLISHED"]
        assert connection_states(there, here)["states"] == ["ESTABLISHED"]
        client.close()
        assert server.recv(10) == b""
        server.close()
        seen = wait_for(
            lambda: connection_states(here, there)["states"], lambda s: s == ["TIME_WAIT"], 2
        )
        assert seen.matched, seen
        gone = wait_for(lambda: connection_states(there, here)["states"], lambda s: s == [], 2)
        assert gone.matched, gone
