"""macOS: TCP connections and their states from the ``net.inet.tcp.pcblist_n`` sysctl.

Why: psutil lists connections on macOS by asking every process for its
descriptors, which macOS refuses for other users' processes without root, and a
TIME_WAIT connection belongs to no descriptor at all. ``netstat`` reads the
system's table through this sysctl instead, unprivileged.

Rules of this module:
- The parser is pure (bytes in, records out) and its layouts are data, so it is
  tested on any OS with bytes built to XNU's layout.
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

    Raises ValueError on an answer that does not have XNU's shape (a record
    that runs past the end, or a length too small to advance).
    """
    if len(data) < XINPGEN_SIZE:
        raise ValueError(f"pcblist_n answer of {len(data)} bytes is shorter than xinpgen")
    (first_len,) = struct.unpack_from("=I", data, 0)
    offset = _roundup64(first_len)
    entries: list[PcbEntry] = []
    pending: tuple[tuple[str, int], tuple[str, int]] | None = None
    while offset + 8 <= len(data):
        length, kind = struct.unpack_from("=II", data, offset)
        # The closing xinpgen is the only record this short: every record of a
        # connection group is longer than struct xinpgen.
        if length <= XINPGEN_SIZE:
            break
        if offset + length > len(data):
            raise ValueError(f"pcblist_n record at byte {offset} runs past the end")
        record = data[offset : offset + length]
        if kind == XSO_INPCB and length >= XINPCB_MIN_SIZE:
            vflag = record[XINPCB_VFLAG]
            (fport,) = struct.unpack_from("!H", record, XINPCB_FPORT)
            (lport,) = struct.unpack_from("!H", record, XINPCB_LPORT)
            pending = (
                (_address(record, XINPCB_LADDR, vflag), lport),
                (_address(record, XINPCB_FADDR, vflag), fport),
            )
        elif kind == XSO_TCPCB and pending is not None and length >= XTCPCB_STATE + 4:
            (state,) = struct.unpack_from("=i", record, XTCPCB_STATE)
            entries.append(PcbEntry(pending[0], pending[1], state))
            pending = None
        offset += _roundup64(length)
    return entries


def read_pcblist_n() -> bytes | None:
    """The raw sysctl answer, or None where this sysctl does not exist (not XNU).

    A capability check rather than an OS check: the process's own C library
    must have sysctlbyname (macOS, the BSDs; not glibc) and know this name
    (only XNU does).
    """
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, TypeError):  # Windows: no "the process itself" library
        return None
    sysctlbyname = getattr(libc, "sysctlbyname", None)
    if sysctlbyname is None:
        return None
    sysctlbyname.argtypes = [
        ctypes.c_char_p,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
        ctypes.c_void_p,
        ctypes.c_size_t,
    ]
    sysctlbyname.restype = ctypes.c_int
    name = b"net.inet.tcp.pcblist_n"
    size = ctypes.c_size_t(0)
    if sysctlbyname(name, None, ctypes.byref(size), None, 0) != 0:
        return None
    # Connections come and go between the two calls: leave room, and retry a
    # few times if the table outgrew it (ENOMEM).
    for _ in range(4):
        capacity = size.value + size.value // 4 + 4096
        buffer = ctypes.create_string_buffer(capacity)
        size = ctypes.c_size_t(capacity)
        if sysctlbyname(name, buffer, ctypes.byref(size), None, 0) == 0:
            return buffer.raw[: size.value]
    raise OSError(ctypes.get_errno(), "sysctl net.inet.tcp.pcblist_n kept growing")
