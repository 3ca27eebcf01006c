"""The system-table lookup of a connection's state: psutil, re-reads, live on Linux.

XNU's sysctl: tests/unit/engine/tcpstate/test_xnu_pcblist.py; waiting for a state:
test_wait.py.
"""

from __future__ import annotations

import builtins
import socket
import sys
from typing import Any

import pytest

from matrix.engine.tcpstate import conn_table as _conn_table
from matrix.engine.tcpstate.conn_table import connection_states, matching_states
from matrix.engine.tcpstate.own_socket import StateUnsupported
from matrix.engine.tcpstate.wait import wait_for

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")


def test_one_listing_that_skips_a_live_connection_does_not_make_it_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # /proc/net/tcp is read in chunks; a concurrent change can skip an entry in one
    # listing. The connection is reported gone only when every re-read agrees.
    pair = (("127.0.0.1", 50000), ("127.0.0.1", 8080))
    listings: list[list[Any]] = [[], [], [(*pair, "TIME_WAIT")]]
    reads: list[int] = []

    def entries(_ipv6: bool) -> list[Any]:
        reads.append(1)
        return listings[len(reads) - 1] if len(reads) <= len(listings) else []

    monkeypatch.setattr(_conn_table, "_chosen", [("fake", entries)])
    assert connection_states(*pair)["states"] == ["TIME_WAIT"]
    assert len(reads) == 3
    reads.clear()
    listings[:] = [[], [], [], [(*pair, "TIME_WAIT")]]
    assert connection_states(*pair)["states"] == []
    assert len(reads) == _conn_table.ABSENCE_READS


def test_a_found_connection_is_reported_after_one_listing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pair = (("127.0.0.1", 50000), ("127.0.0.1", 8080))
    reads: list[int] = []

    def entries(_ipv6: bool) -> list[Any]:
        reads.append(1)
        return [(*pair, "ESTABLISHED")]

    monkeypatch.setattr(_conn_table, "_chosen", [("fake", entries)])
    assert connection_states(*pair)["states"] == ["ESTABLISHED"]
    assert len(reads) == 1


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


def test_without_psutil_the_lookup_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_psutil(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "psutil":
            raise ImportError("no psutil here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_psutil)
    monkeypatch.setattr("matrix.engine.tcpstate.xnu_pcblist.read_pcblist_n", lambda: None)
    monkeypatch.setattr(_conn_table, "_chosen", [])
    with pytest.raises(StateUnsupported, match="psutil is not installed"):
        connection_states(("127.0.0.1", 1), ("127.0.0.1", 2))


def test_psutil_refusing_access_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    psutil = pytest.importorskip("psutil")

    def refuse(kind: str) -> list[Any]:
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "net_connections", refuse)
    monkeypatch.setattr("matrix.engine.tcpstate.xnu_pcblist.read_pcblist_n", lambda: None)
    monkeypatch.setattr(_conn_table, "_chosen", [])
    with pytest.raises(StateUnsupported, match="AccessDenied"):
        connection_states(("127.0.0.1", 1), ("127.0.0.1", 2))


@linux_only
def test_live_active_closer_ends_in_time_wait_and_passive_closer_leaves() -> None:
    pytest.importorskip("psutil")
    _conn_table._chosen.clear()
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
