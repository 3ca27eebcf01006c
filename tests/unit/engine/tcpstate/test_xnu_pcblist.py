"""XNU's connection table: sysctl net.inet.tcp.pcblist_n parsed from bytes, as the headers say."""

from __future__ import annotations

import ipaddress
import struct

import pytest

from matrix.engine.tcpstate import conn_table as _conn_table
from matrix.engine.tcpstate import xnu_pcblist
from matrix.engine.tcpstate.xnu_pcblist import (
    XSO_INPCB,
    XSO_TCPCB,
    generations,
    parse_pcblist_n,
    read_pcblist_n,
)

# XNU structs under #pragma pack(4), field by field from bsd/netinet/in_pcb.h:
# xi_len xi_kind xi_inpp inp_fport inp_lport inp_ppcb inp_gencnt inp_flags
# inp_flow inp_vflag inp_ip_ttl inp_ip_p (pad) faddr laddr inp_depend4 (pad)
# inp_depend6 {hlim (pad) cksum ifindex hops} inp_flowhash inp_flags2.
XINPCB_N = "=IIQ2sHQQiIBBBx16s16sB3xB3xiHhII"


# bsd/netinet/tcp_var.h: xt_len xt_kind t_segq t_dupacks t_timer[4] t_state
# t_flags, and more fields this parser does not read (padded out here to the
# 204 bytes xnu-11417's struct xtcpcb_n has under pack(4)).
XTCPCB_N = "=IIQi4iiI160x"


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


def _answer(*groups: bytes, closing_gen: int = 7) -> bytes:
    header = struct.pack(XINPGEN, 24, len(groups), 7, 8)
    return header + b"".join(groups) + struct.pack(XINPGEN, 24, len(groups), closing_gen, 8)


def test_the_struct_sizes_follow_the_headers() -> None:
    assert struct.calcsize(XINPCB_N) == 104
    assert struct.calcsize(XTCPCB_N) == 204
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
    # No pcbs at all: get_pcblist_n writes the opening xinpgen only.
    assert parse_pcblist_n(struct.pack(XINPGEN, 24, 0, 0, 0)) == []


def test_a_layout_other_than_the_one_read_here_is_refused_not_read_as_empty() -> None:
    # A new macOS whose structs grew: the sizes differ, so nothing is guessed.
    group = _pcb(("127.0.0.1", 1), ("127.0.0.1", 2), 4)
    grown = bytearray(group)
    struct.pack_into("=I", grown, 0, 112)  # xi_len of a longer xinpcb_n
    with pytest.raises(ValueError, match="xinpcb_n at byte 24 is 112 bytes, not 104"):
        parse_pcblist_n(_answer(bytes(grown)))
    tcpcb_at = len(group) - 208
    grown = bytearray(group)
    struct.pack_into("=I", grown, tcpcb_at, 212)
    with pytest.raises(ValueError, match="212 bytes, not 204"):
        parse_pcblist_n(_answer(bytes(grown)))
    with pytest.raises(ValueError, match="32-byte xinpgen, not 24"):
        parse_pcblist_n(struct.pack("=IIQQ8x", 32, 0, 0, 0))
    without_tcpcb = group[:tcpcb_at]
    with pytest.raises(ValueError, match="no xtcpcb_n"):
        parse_pcblist_n(_answer(without_tcpcb, group))
    with pytest.raises(ValueError, match="ends inside a connection group"):
        parse_pcblist_n(_answer(without_tcpcb))


def test_the_read_is_repeated_while_the_generation_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    group = _pcb(("127.0.0.1", 1), ("127.0.0.1", 2), 4)
    moved, settled = _answer(group, closing_gen=9), _answer(group)
    assert generations(moved) == (7, 9) and generations(settled) == (7, 7)
    answers = [moved, moved, settled]
    monkeypatch.setattr(xnu_pcblist.sysctl, "by_name", lambda name: answers.pop(0))
    assert read_pcblist_n() == settled
    monkeypatch.setattr(xnu_pcblist.sysctl, "by_name", lambda name: None)
    assert read_pcblist_n() is None  # not XNU


def test_xnu_entries_become_rfc793_states(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _answer(
        _pcb(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        _pcb(("127.0.0.1", 8080), ("127.0.0.1", 50000), 0),
        _pcb(("127.0.0.1", 50001), ("127.0.0.1", 8080), 4),
    )
    monkeypatch.setattr("matrix.engine.tcpstate.xnu_pcblist.read_pcblist_n", lambda: data)
    assert _conn_table._xnu(False) == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), "TIME_WAIT"),
        (("127.0.0.1", 8080), ("127.0.0.1", 50000), "CLOSED"),
        (("127.0.0.1", 50001), ("127.0.0.1", 8080), "ESTABLISHED"),
    ]
