"""macOS: TCP connections and their states from the ``net.inet.tcp.pcblist_n`` sysctl.

Why: psutil lists connections on macOS by asking every process for its
descriptors, which macOS refuses for other users' processes without root, and a
TIME_WAIT connection belongs to no descriptor at all. ``netstat`` reads the
system's table through this sysctl instead, unprivileged.

Rules of this module:
- The parser is pure (bytes in, records out) and its layouts are data, so it is
  tested on any OS with bytes built to XNU's layout.
- It trusts only the layout it was written for (rel/xnu-11417): a header, a
  record size or a group order that differs (a newer macOS whose structs
  changed) is a ValueError, which the caller reports as ``unsupported`` for
  the step; never an empty table, which would read as "every connection gone".
- Only the address pair and the state leave this module; the records also
  describe other processes' sockets, and nothing else of theirs is kept.

Layout (XNU bsd/netinet/in_pcb.h, bsd/netinet/tcp_var.h and
bsd/netinet/in_pcblist.c ``get_pcblist_n``; both headers wrap these structs in
``#pragma pack(4)``): the answer is a ``struct xinpgen``, then per connection a
group of records, each starting with ``u_int32_t len; u_int32_t kind;`` and
each placed at an 8-byte boundary (ADVANCE64/ROUNDUP64), then a closing
``struct xinpgen``. A group holds an XSO_INPCB record (``struct xinpcb_n``:
ports and addresses) and, for TCP, an XSO_TCPCB record (``struct xtcpcb_n``:
``t_state``).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from matrix.engine.tcpstate import sysctl

# bsd/sys/socketvar.h
XSO_INPCB = 0x010
XSO_TCPCB = 0x020
# bsd/netinet/in_pcb.h: struct xinpgen {u_int32_t xig_len; u_int xig_count;
# inp_gen_t xig_gen; so_gen_t xig_sogen;} = 4 + 4 + 8 + 8.
XINPGEN_SIZE = 24

# struct xinpcb_n under pack(4): xi_len@0 xi_kind@4 xi_inpp@8 inp_fport@16
# inp_lport@18 inp_ppcb@20 inp_gencnt@28 inp_flags@36 inp_flow@40 inp_vflag@44
# inp_ip_ttl@45 inp_ip_p@46, then the 16-byte unions inp_dependfaddr@48 and
# inp_dependladdr@64 (struct in_addr_4in6 {u_int32_t pad[3]; struct in_addr}:
# an IPv4 address sits in the last 4 bytes). Ports are in network order.
XINPCB_FPORT = 16
XINPCB_LPORT = 18
XINPCB_VFLAG = 44
XINPCB_FADDR = 48
XINPCB_LADDR = 64
XINPCB_MIN_SIZE = 80
INP_IPV4 = 0x1  # in_pcb.h
INP_IPV6 = 0x2

# struct xtcpcb_n under pack(4): xt_len@0 xt_kind@4 t_segq@8 (u_int64_t)
# t_dupacks@16 t_timer[TCPT_NTIMERS_EXT = 4]@20 (tcp_timer.h), t_state@36.
XTCPCB_STATE = 36
# The sizes xnu-11417 gives the two records read here (xi_len, xt_len; the
# parser refuses others): struct xinpcb_n and struct xtcpcb_n under pack(4).
XINPCB_N_SIZE = 104
XTCPCB_N_SIZE = 204


@dataclass(frozen=True)
class PcbEntry:
    """One TCP connection of the system's table: its endpoints and raw state."""

    local: tuple[str, int]
    remote: tuple[str, int]
    state: int  # tcp_fsm.h number


def _roundup64(n: int) -> int:
    return (n + 7) & ~7


def _address(record: bytes, offset: int, vflag: int) -> str:
    raw = record[offset : offset + 16]
    if vflag & INP_IPV4:
        return str(ipaddress.IPv4Address(raw[12:16]))
    return str(ipaddress.IPv6Address(raw))


def parse_pcblist_n(data: bytes) -> list[PcbEntry]:
    """The TCP connections in a ``net.inet.tcp.pcblist_n`` answer.

    Raises ValueError on an answer that does not have xnu-11417's shape: an
    opening xinpgen of another size, a record that runs past the end or is too
    short to advance, an XSO_INPCB or XSO_TCPCB record of another size, or a
    connection group without exactly one XSO_TCPCB after its XSO_INPCB
    (get_pcblist_n writes INPCB, SOCKET, RCVBUF, SNDBUF, STATS, TCPCB).
    """
    if len(data) < XINPGEN_SIZE:
        raise ValueError(f"pcblist_n answer of {len(data)} bytes is shorter than xinpgen")
    (first_len,) = struct.unpack_from("=I", data, 0)
    if first_len != XINPGEN_SIZE:
        raise ValueError(f"pcblist_n opens with a {first_len}-byte xinpgen, not {XINPGEN_SIZE}")
    offset = _roundup64(first_len)
    entries: list[PcbEntry] = []
    pending: tuple[tuple[str, int], tuple[str, int]] | None = None
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from("=II", data, offset)
        # The closing xinpgen is the only record this short: every record of a
        # connection group is longer than struct xinpgen.
        if length <= XINPGEN_SIZE:
            if length < 8:
                raise ValueError(f"pcblist_n record at byte {offset} is {length} bytes")
            break
        if offset + length > len(data):
            raise ValueError(f"pcblist_n record at byte {offset} runs past the end")
        record = data[offset : offset + length]
        if kind == XSO_INPCB:
            _expect(length, XINPCB_N_SIZE, "xinpcb_n", offset)
            if pending is not None:
                raise ValueError(f"pcblist_n group before byte {offset} has no xtcpcb_n")
            vflag = record[XINPCB_VFLAG]
            (fport,) = struct.unpack_from("!H", record, XINPCB_FPORT)
            (lport,) = struct.unpack_from("!H", record, XINPCB_LPORT)
            pending = (
                (_address(record, XINPCB_LADDR, vflag), lport),
                (_address(record, XINPCB_FADDR, vflag), fport),
            )
        elif kind == XSO_TCPCB:
            _expect(length, XTCPCB_N_SIZE, "xtcpcb_n", offset)
            if pending is None:
                raise ValueError(f"pcblist_n xtcpcb_n at byte {offset} has no xinpcb_n")
            (state,) = struct.unpack_from("=i", record, XTCPCB_STATE)
            entries.append(PcbEntry(pending[0], pending[1], state))
            pending = None
        offset += _roundup64(length)
    if pending is not None:
        raise ValueError("pcblist_n ends inside a connection group")
    return entries


def _expect(length: int, size: int, name: str, offset: int) -> None:
    if length != size:
        raise ValueError(f"pcblist_n {name} at byte {offset} is {length} bytes, not {size}")


def generations(data: bytes) -> tuple[int, int | None]:
    """The opening and closing xinpgen's ``xig_gen`` (None without a closing one).

    They differ when connections came or went while the kernel copied the
    table: "If the generation differs from what we told her before, she knows
    that something happened while we were processing this request, and it
    might be necessary to retry." (XNU bsd/netinet/in_pcblist.c get_pcblist_n)
    """
    (first,) = struct.unpack_from("=Q", data, 8)
    if len(data) < 2 * XINPGEN_SIZE:
        return first, None
    closing = len(data) - XINPGEN_SIZE
    (length,) = struct.unpack_from("=I", data, closing)
    if length != XINPGEN_SIZE:
        return first, None
    return first, struct.unpack_from("=Q", data, closing + 8)[0]


def read_pcblist_n() -> bytes | None:
    """The raw sysctl answer, or None where this sysctl does not exist (not XNU).

    A capability check rather than an OS check: the process's own C library
    must have sysctlbyname (macOS, the BSDs; not glibc) and know this name
    (only XNU does). Re-read while the table changed during the copy.
    """
    data = None
    for _ in range(sysctl.GROWTH_TRIES):
        data = sysctl.by_name("net.inet.tcp.pcblist_n")
        if data is None or len(data) < XINPGEN_SIZE:
            return data
        first, last = generations(data)
        if last is None or first == last:
            return data
    return data
