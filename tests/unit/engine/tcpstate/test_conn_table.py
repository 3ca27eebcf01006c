"""The system-table lookup: XNU's pcblist_n parsed from bytes, psutil live, waiting."""

from __future__ import annotations

import builtins
import ipaddress
import socket
import struct
import sys
from typing import Any

import pytest

from matrix.engine.tcpstate import conn_table as _conn_table
from matrix.engine.tcpstate.conn_table import connection_states, matching_states
from matrix.engine.tcpstate.own_socket import StateUnsupported
from matrix.engine.tcpstate.wait import accepts, wait_for
from matrix.engine.tcpstate.xnu_pcblist import XSO_INPCB, XSO_TCPCB, parse_pcblist_n

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads this OS's own table")

# XNU structs under #pragma pack(4), field by field from bsd/netinet/in_pcb.h:
# xi_len xi_kind xi_inpp inp_fport inp_lport inp_ppcb inp_gencnt inp_flags
# inp_flow inp_vflag inp_ip_ttl inp_ip_p (pad) faddr laddr inp_depend4 (pad)
# inp_depend6 {hlim (pad) cksum ifindex hops} inp_flowhash inp_flags2.
XINPCB_N = "=IIQ2sHQQiIBBBx16s16sB3xB3xiHhII"
# bsd/netinet/tcp_var.h: xt_len xt_kind t_segq t_dupacks t_timer[4] t_state
# t_flags, and more fields this parser does not read (padded out here).
XTCPCB_N = "=IIQi4iiI64x"
XINPGEN = "=IIQQ"


def _roundup(record: bytes) -> bytes:
    return record + b"\0" * (-len(record) % 8)


def _record(kind: int, length: int) -> bytes:
    """A record the parser must skip (xsocket_n, xsockbuf_n, xsockstat_n)."""
    return _roundup(struct.pack("=II", length, kind) + b"\xaa" * (length - 8))


def _pcb(local: tuple[str, int], remote: tuple[str, int], state: int) -> bytes:
    v6 = ":" in local[0]

    def addr(text: str) -> bytes:
        if v6:
            return ipaddress.IPv6Address(text).packed
        return b"\0" * 12 + ipaddress.IPv4Address(text).packed  # in_addr_4in6

    size = struct.calcsize(XINPCB_N)
    # inp_lport is written in network order by packing it big-endian by hand.
    inpcb = bytearray(
        struct.pack(
            XINPCB_N, size, XSO_INPCB, 1, struct.pack("!H", remote[1]), 0, 2, 3, 0, 0,
            2 if v6 else 1, 64, 6, addr(remote[0]), addr(local[0]), 0, 0, 0, 0, 0, 0, 0,
        )
    )  # fmt: skip
    struct.pack_into("!H", inpcb, 18, local[1])
    tcpcb_size = struct.calcsize(XTCPCB_N)
    tcpcb = struct.pack(XTCPCB_N, tcpcb_size, XSO_TCPCB, 0, 0, 0, 0, 0, 0, state, 0)
    return b"".join(
        [
            _roundup(bytes(inpcb)),
            _record(0x001, 101),  # XSO_SOCKET, an odd length: rounded to 104
            _record(0x002, 32),
            _record(0x004, 32),
            _record(0x008, 60),
            _roundup(tcpcb),
        ]
    )


def _answer(*groups: bytes) -> bytes:
    header = struct.pack(XINPGEN, 24, len(groups), 7, 8)
    return header + b"".join(groups) + header


def test_the_struct_sizes_follow_the_headers() -> None:
    assert struct.calcsize(XINPCB_N) == 104
    assert struct.calcsize(XINPGEN) == 24


def test_parse_pcblist_n_reads_ports_addresses_and_states() -> None:
    data = _answer(
        _pcb(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        _pcb(("::1", 443), ("::1", 61000), 5),
    )
    entries = parse_pcblist_n(data)
    assert [(e.local, e.remote, e.state) for e in entries] == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        (("::1", 443), ("::1", 61000), 5),
    ]


def test_parse_pcblist_n_refuses_truncated_answers() -> None:
    data = _answer(_pcb(("127.0.0.1", 1), ("127.0.0.1", 2), 4))
    with pytest.raises(ValueError, match="runs past the end"):
        parse_pcblist_n(data[:60])
    with pytest.raises(ValueError, match="shorter than xinpgen"):
        parse_pcblist_n(b"\0" * 10)
    assert parse_pcblist_n(struct.pack(XINPGEN, 24, 0, 0, 0) * 2) == []


def test_xnu_entries_become_rfc793_states(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _answer(
        _pcb(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        _pcb(("127.0.0.1", 8080), ("127.0.0.1", 50000), 0),
        _pcb(("127.0.0.1", 50001), ("127.0.0.1", 8080), 4),
    )
    monkeypatch.setattr("matrix.engine.tcpstate.xnu_pcblist.read_pcblist_n", lambda: data)
    monkeypatch.setattr(_conn_table, "_chosen", [])
    result = connection_states(("127.0.0.1", 50000), ("127.0.0.1", 8080))
    assert result == {"states": ["TIME_WAIT"], "mechanism": "sysctl net.inet.tcp.pcblist_n"}
    assert connection_states(("127.0.0.1", 9), ("127.0.0.1", 8080))["states"] == []


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


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_wait_returns_at_once_when_the_state_is_already_there() -> None:
    clock = FakeClock()
    result = wait_for(
        lambda: "TIME_WAIT", accepts(["TIME_WAIT"]), 2, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched, result.reads, clock.pauses) == ("TIME_WAIT", True, 1, [])


def test_wait_reads_until_the_state_arrives() -> None:
    clock = FakeClock()
    readings = iter(["FIN_WAIT_1", "FIN_WAIT_1", "FIN_WAIT_2"])
    result = wait_for(
        lambda: next(readings), accepts(["FIN_WAIT_2"]), 2, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched, result.reads) == ("FIN_WAIT_2", True, 3)
    assert clock.pauses == [0.002, 0.004]


def test_wait_reports_what_it_saw_at_the_bound() -> None:
    clock = FakeClock()
    result = wait_for(
        lambda: "ESTABLISHED", accepts(["CLOSE_WAIT"]), 1, clock=clock, pause=clock.pause
    )
    assert (result.seen, result.matched) == ("ESTABLISHED", False)
    assert clock.now == pytest.approx(101.0)  # waited exactly the bound, not more
    assert max(clock.pauses) == 0.05
    assert accepts(None)("ANYTHING") and accepts([])("X")
