"""FreeBSD, NetBSD and OpenBSD: TCP connections and their states from the kernel's table.

Why: psutil lists connections on these systems only when an open file holds
their socket (psutil arch/freebsd/sys_socks.c psutil_get_file_from_sock,
arch/netbsd/socks.c, arch/openbsd/socks.c KERN_FILE_BYPID), so TIME_WAIT and
the FIN_WAIT of a closed socket would look gone. ``netstat`` and ``sockstat``
read the kernel's own table instead, unprivileged; so does this module.

Rules of this module:
- Each parser is pure (bytes in, entries out) and its layout is data with the
  header it comes from, so every OS's bytes are tested on any machine.
- A layout is checked before it is trusted: a record size or a header that
  differs from the one read here (a newer kernel) is a ValueError, which the
  caller reports as ``unsupported``; nothing is guessed. The engine also checks
  each reader at run time by finding its own connected pair (``self_check``).
- Only the address pair and the state leave this module; the tables also
  describe other processes' sockets, and nothing else of theirs is kept.
- All three are LP64 here (amd64 and arm64, the machines CI runs them on) and
  little-endian; fields are read with their native order, ports and
  addresses in network order as the kernel keeps them.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

from matrix.engine.tcpstate import sysctl
from matrix.engine.tcpstate.entries import Endpoint, Entry
from matrix.engine.tcpstate.numbering import BSD_STATES

AF_INET = 2  # every BSD's sys/socket.h
AF_INET6 = {"netbsd": 24, "openbsd": 24, "freebsd": 28}  # sys/socket.h of each
IPPROTO_TCP = 6


def _state(number: int) -> str:
    return BSD_STATES.get(number, f"UNKNOWN({number})")


def _port(raw: bytes) -> int:
    return int.from_bytes(raw[:2], "big")


# -- FreeBSD: sysctl net.inet.tcp.pcblist ---------------------------------------


@dataclass(frozen=True)
class FreeBsdLayout:
    """Offsets in one ``struct xtcpcb`` record of ``net.inet.tcp.pcblist``.

    FreeBSD sys/netinet/in_pcb.h: struct xinpgen {ksize_t xig_len; u_int
    xig_count; uint32_t _xig_spare32; inp_gen_t xig_gen; so_gen_t xig_sogen;
    uint64_t _xig_spare64[4];} __aligned(8) = 64 bytes. struct xinpcb
    {ksize_t xi_len; struct xsocket xi_socket (240 bytes, sys/sys/socketvar.h);
    struct in_conninfo inp_inc; uint64_t inp_gencnt; ...; uint8_t inp_vflag;
    ...} __aligned(8) = 400 bytes, where in_conninfo is {u_int8_t inc_flags;
    u_int8_t inc_len; u_int16_t inc_fibnum; struct in_endpoints {u_int16_t
    ie_fport; u_int16_t ie_lport; union in_dependaddr ie_dependfaddr (16);
    union in_dependaddr ie_dependladdr (16); u_int32_t ie6_zoneid;}} and an IPv4
    address sits in the last 4 bytes of its union (struct in_addr_4in6).
    sys/netinet/tcp_var.h: struct xtcpcb {ksize_t xt_len; struct xinpcb xt_inp;
    char xt_stack[TCP_FUNCTION_NAME_LEN_MAX = 32]; char xt_logid[TCP_LOG_ID_LEN
    = 64]; char xt_cc[TCP_CA_NAME_MAX = 16] (sys/netinet/tcp.h); int64_t
    spare64[6]; int32_t t_state; ...} __aligned(8) = 744 bytes (FreeBSD 14).
    """

    xinpgen_size: int = 64
    xinpgen_gen: int = 16
    record_size: int = 744
    fport: int = 8 + 8 + 240 + 4  # xt_inp, xi_socket, in_conninfo's first 4 bytes
    lport: int = 262
    faddr: int = 264
    laddr: int = 280
    gencnt: int = 8 + 8 + 240 + 44 + 4  # after in_conninfo (44), aligned to 8
    vflag: int = 8 + 392
    state: int = 8 + 400 + 32 + 64 + 16 + 48
    inp_ipv4: int = 0x1  # in_pcb.h INP_IPV4


FREEBSD = FreeBsdLayout()


def parse_freebsd_pcblist(data: bytes, layout: FreeBsdLayout = FREEBSD) -> list[Entry]:
    """The TCP connections in a FreeBSD ``net.inet.tcp.pcblist`` answer.

    The answer is an xinpgen, one xtcpcb per connection (the syncache's
    SYN_RECEIVED entries first), then a closing xinpgen; userland steps by
    each record's length and stops at one no longer than an xinpgen
    (usr.sbin/tcpdrop/tcpdrop.c). Records newer than the opening generation are
    skipped, as tcpdrop does.
    """
    head = layout.xinpgen_size
    if len(data) < head or struct.unpack_from("=q", data, 0)[0] != head:
        raise ValueError(f"pcblist answer does not start with a {head}-byte xinpgen")
    (generation,) = struct.unpack_from("=Q", data, layout.xinpgen_gen)
    entries: list[Entry] = []
    offset = head
    while True:
        if offset + 8 > len(data):
            raise ValueError("pcblist answer ends without its closing xinpgen")
        (length,) = struct.unpack_from("=q", data, offset)
        if length == head:
            return entries
        if length != layout.record_size or offset + length > len(data):
            raise ValueError(
                f"pcblist record at byte {offset} is {length} bytes, not {layout.record_size}"
            )
        record = data[offset : offset + length]
        offset += length
        (gencnt,) = struct.unpack_from("=Q", record, layout.gencnt)
        if gencnt > generation:
            continue
        ipv4 = bool(record[layout.vflag] & layout.inp_ipv4)
        local = (_union_address(record, layout.laddr, ipv4), _port(record[layout.lport :][:2]))
        remote = (_union_address(record, layout.faddr, ipv4), _port(record[layout.fport :][:2]))
        (state,) = struct.unpack_from("=i", record, layout.state)
        entries.append((local, remote, _state(state)))


def _union_address(record: bytes, offset: int, ipv4: bool) -> str:
    raw = record[offset : offset + 16]
    return str(ipaddress.IPv4Address(raw[12:]) if ipv4 else ipaddress.IPv6Address(raw))


def freebsd_generations(data: bytes, layout: FreeBsdLayout = FREEBSD) -> tuple[int, int]:
    """The opening and closing xinpgen's generation counts; they differ when the
    table changed while the kernel copied it out (psutil sys_socks.c re-reads)."""
    first = struct.unpack_from("=Q", data, layout.xinpgen_gen)[0]
    last = struct.unpack_from("=Q", data, len(data) - layout.xinpgen_size + layout.xinpgen_gen)[0]
    return first, last


def read_freebsd(ipv6: bool) -> list[Entry] | None:
    """FreeBSD's table (both families in one answer), or None where the name is
    missing. Re-read while the table changed during the copy."""
    for _ in range(sysctl.GROWTH_TRIES):
        data = sysctl.by_name("net.inet.tcp.pcblist")
        if data is None:
            return None
        entries = parse_freebsd_pcblist(data)
        first, last = freebsd_generations(data)
        if first == last:
            break
    return entries


# -- NetBSD: sysctl net.inet.tcp.pcblist / net.inet6.tcp6.pcblist ----------------

# NetBSD sys/sys/socket.h struct kinfo_pcb: __uint64_t ki_pcbaddr, ki_ppcbaddr,
# ki_sockaddr; __uint32_t ki_family, ki_type, ki_protocol, ki_pflags,
# ki_sostate, ki_prstate; __int32_t ki_tstate; __uint32_t ki_tflags;
# __uint64_t ki_rcvq, ki_sndq; union {struct sockaddr; char [256 + 8]} ki_s,
# ki_d; __uint64_t ki_inode, ki_vnode, ki_conn, ki_refs, ki_nextref = 640
# bytes. The kernel (sys/netinet/tcp_usrreq.c sysctl_inpcblist) refuses any
# other element size with EINVAL and lists every pcb of the family the name
# gives (net.inet or net.inet6).
KINFO_PCB_SIZE = 640
KINFO_PCB_FAMILY = 24
KINFO_PCB_PROTOCOL = 32
KINFO_PCB_TSTATE = 48
KINFO_PCB_SRC = 72  # struct sockaddr_in{6}: u_int8_t len, family; port at +2
KINFO_PCB_DST = 336
PCB_ALL = 0  # sys/sys/socket.h
NETBSD_NAMES = {False: "net.inet.tcp.pcblist", True: "net.inet6.tcp6.pcblist"}


def _sockaddr(record: bytes, offset: int, family: int) -> Endpoint:
    port = _port(record[offset + 2 : offset + 4])
    if family == AF_INET:
        return str(ipaddress.IPv4Address(record[offset + 4 : offset + 8])), port
    # sockaddr_in6: len, family, port, u_int32_t sin6_flowinfo, then the address.
    return str(ipaddress.IPv6Address(record[offset + 8 : offset + 24])), port


def parse_netbsd_pcblist(data: bytes) -> list[Entry]:
    """The TCP connections in a NetBSD ``kinfo_pcb`` array."""
    if len(data) % KINFO_PCB_SIZE:
        raise ValueError(f"pcblist answer of {len(data)} bytes is not whole kinfo_pcb records")
    entries: list[Entry] = []
    for offset in range(0, len(data), KINFO_PCB_SIZE):
        record = data[offset : offset + KINFO_PCB_SIZE]
        family, _type, protocol = struct.unpack_from("=III", record, KINFO_PCB_FAMILY)
        if protocol != IPPROTO_TCP or family not in (AF_INET, AF_INET6["netbsd"]):
            continue
        (state,) = struct.unpack_from("=i", record, KINFO_PCB_TSTATE)
        entries.append(
            (
                _sockaddr(record, KINFO_PCB_SRC, family),
                _sockaddr(record, KINFO_PCB_DST, family),
                _state(state),
            )
        )
    return entries


def read_netbsd(ipv6: bool) -> list[Entry] | None:
    """NetBSD's table of one family, or None where the name is missing
    (psutil arch/netbsd/socks.c asks the same four extra name components)."""
    mib = sysctl.name_to_mib(NETBSD_NAMES[ipv6])
    if mib is None:
        return None

    def sized(capacity: int) -> list[int]:
        return [*mib, PCB_ALL, 0, KINFO_PCB_SIZE, capacity // KINFO_PCB_SIZE]

    return parse_netbsd_pcblist(sysctl.by_mib(mib, NETBSD_NAMES[ipv6], sized))


# -- OpenBSD: sysctl kern.file, KERN_FILE_BYFILE, DTYPE_SOCKET -------------------

# OpenBSD sys/sys/sysctl.h: CTL_KERN 1, KERN_FILE 73, KERN_FILE_BYFILE 1; struct
# kinfo_file (fixed-width fields, KI_MNAMELEN 96, KI_MAXCOMLEN = _MAXCOMLEN 24,
# KI_UNPPATHLEN 104) = 632 bytes. sys/kern/kern_sysctl.c sysctl_file(): with
# KERN_FILE_BYFILE and DTYPE_SOCKET (sys/sys/file.h: 2) it walks the TCP pcb
# tables "to pick up closed connections, too" and fills inp_lport, inp_laddru,
# inp_fport, inp_faddru and t_state for each; it copies min(sizeof, the element
# size asked) bytes and refuses a larger element size.
KERN_FILE_MIB = [1, 73, 1, 2]  # CTL_KERN, KERN_FILE, KERN_FILE_BYFILE, DTYPE_SOCKET
KINFO_FILE_SIZE = 632
KINFO_FILE_TYPE = 16
KINFO_FILE_PROTOCOL = 288
KINFO_FILE_FAMILY = 292
KINFO_FILE_LPORT = 304  # uint32_t holding the u_short as the kernel keeps it
KINFO_FILE_LADDR = 308  # uint32_t[4], the address bytes in network order
KINFO_FILE_FPORT = 324
KINFO_FILE_FADDR = 328
KINFO_FILE_TSTATE = 596
DTYPE_SOCKET = 2


def _kinfo_endpoint(record: bytes, port_at: int, address_at: int, family: int) -> Endpoint:
    # inp_lport is a network-order u_short widened to uint32_t: its two bytes
    # are the low half of the native number.
    (widened,) = struct.unpack_from("=I", record, port_at)
    port = _port(struct.pack("=H", widened & 0xFFFF))
    size = 4 if family == AF_INET else 16
    return str(ipaddress.ip_address(record[address_at : address_at + size])), port


def parse_openbsd_files(data: bytes) -> list[Entry]:
    """The TCP connections in an OpenBSD ``kern.file`` socket listing."""
    if len(data) % KINFO_FILE_SIZE:
        raise ValueError(f"kern.file answer of {len(data)} bytes is not whole kinfo_file records")
    entries: list[Entry] = []
    for offset in range(0, len(data), KINFO_FILE_SIZE):
        record = data[offset : offset + KINFO_FILE_SIZE]
        (kind,) = struct.unpack_from("=I", record, KINFO_FILE_TYPE)
        protocol, family = struct.unpack_from("=II", record, KINFO_FILE_PROTOCOL)
        if kind != DTYPE_SOCKET or protocol != IPPROTO_TCP:
            continue
        if family not in (AF_INET, AF_INET6["openbsd"]):
            continue
        (state,) = struct.unpack_from("=I", record, KINFO_FILE_TSTATE)
        entries.append(
            (
                _kinfo_endpoint(record, KINFO_FILE_LPORT, KINFO_FILE_LADDR, family),
                _kinfo_endpoint(record, KINFO_FILE_FPORT, KINFO_FILE_FADDR, family),
                _state(state),
            )
        )
    return entries


def read_openbsd(ipv6: bool) -> list[Entry] | None:
    """OpenBSD's socket listing (both families)."""

    def sized(capacity: int) -> list[int]:
        return [*KERN_FILE_MIB, KINFO_FILE_SIZE, capacity // KINFO_FILE_SIZE]

    return parse_openbsd_files(sysctl.by_mib(KERN_FILE_MIB, "kern.file", sized))
