"""FreeBSD's, NetBSD's and OpenBSD's connection tables, parsed from bytes laid out by ctypes
from the C declarations (written here field by field, apart from the parser's offsets)."""

from __future__ import annotations

import ctypes
import ipaddress
import struct
from typing import Any

import pytest

from matrix.engine.tcpstate import bsd_tables
from matrix.engine.tcpstate.bsd_tables import (
    KINFO_FILE_SIZE,
    KINFO_PCB_SIZE,
    parse_freebsd_pcblist,
    parse_netbsd_pcblist,
    parse_openbsd_files,
)

u8, u16, u32, u64 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64
i16, i32, i64 = ctypes.c_int16, ctypes.c_int32, ctypes.c_int64

# -- FreeBSD sys/netinet/in_pcb.h, sys/sys/socketvar.h, sys/netinet/tcp_var.h ---------


class XSockbuf(ctypes.Structure):
    _fields_ = [("sb_cc", u32), ("sb_hiwat", u32), ("sb_mbcnt", u32), ("sb_spare0", u32),
                ("sb_spare1", u32), ("sb_mbmax", u32), ("sb_lowat", i32), ("sb_timeo", i32),
                ("sb_flags", i16)]  # fmt: skip


class XSocket(ctypes.Structure):
    _fields_ = [("xso_len", i64), ("xso_so", u64), ("so_pcb", u64), ("so_oobmark", u64),
                ("so_splice_so", u64), ("so_spare64", i64 * 7), ("xso_protocol", i32),
                ("xso_family", i32), ("so_qlen", u32), ("so_incqlen", u32), ("so_qlimit", u32),
                ("so_pgid", i32), ("so_uid", u32), ("so_spare32", i32 * 8), ("so_type", i16),
                ("so_options", i16), ("so_linger", i16), ("so_state", i16), ("so_timeo", i16),
                ("so_error", u16), ("so_rcv", XSockbuf), ("so_snd", XSockbuf)]  # fmt: skip


class InEndpoints(ctypes.Structure):
    _fields_ = [("ie_fport", u16), ("ie_lport", u16), ("ie_dependfaddr", u32 * 4),
                ("ie_dependladdr", u32 * 4), ("ie6_zoneid", u32)]  # fmt: skip


class InConninfo(ctypes.Structure):
    _fields_ = [("inc_flags", u8), ("inc_len", u8), ("inc_fibnum", u16), ("inc_ie", InEndpoints)]


class XInpcb(ctypes.Structure):
    _fields_ = [("xi_len", i64), ("xi_socket", XSocket), ("inp_inc", InConninfo),
                ("inp_gencnt", u64), ("inp_ppcb", u64), ("inp_spare64", i64 * 4),
                ("inp_flow", u32), ("inp_flowid", u32), ("inp_flowtype", u32),
                ("inp_flags", i32), ("inp_flags2", i32), ("inp_unused", u32),
                ("in6p_cksum", i32), ("inp_spare32", i32 * 4), ("in6p_hops", u16),
                ("inp_ip_tos", u8), ("pad8", ctypes.c_int8), ("inp_vflag", u8),
                ("inp_ip_ttl", u8), ("inp_ip_p", u8), ("inp_ip_minttl", u8),
                ("inp_spare8", ctypes.c_int8 * 4)]  # fmt: skip


class XTcpcb(ctypes.Structure):
    _fields_ = [("xt_len", i64), ("xt_inp", XInpcb), ("xt_stack", ctypes.c_char * 32),
                ("xt_logid", ctypes.c_char * 64), ("xt_cc", ctypes.c_char * 16),
                ("spare64", i64 * 6), ("t_state", i32), ("t_flags", u32), ("t_rest", i32 * 10),
                ("t_windows", u32 * 6), ("t_dsack", u32 * 3), ("xt_encaps_port", u16),
                ("spare16", i16), ("spare32", i32 * 22)]  # fmt: skip


class XInpgen(ctypes.Structure):
    _fields_ = [("xig_len", i64), ("xig_count", u32), ("_xig_spare32", u32), ("xig_gen", u64),
                ("xig_sogen", u64), ("_xig_spare64", u64 * 4)]  # fmt: skip


def _in_addr_4in6(text: str) -> bytes:
    address = ipaddress.ip_address(text)
    return address.packed if address.version == 6 else b"\0" * 12 + address.packed


def freebsd_record(local: tuple[str, int], remote: tuple[str, int], state: int,
                   gencnt: int = 1) -> bytes:  # fmt: skip
    record = XTcpcb(xt_len=ctypes.sizeof(XTcpcb), t_state=state)
    record.xt_inp.xi_len = ctypes.sizeof(XInpcb)
    record.xt_inp.inp_gencnt = gencnt
    record.xt_inp.inp_vflag = 0x2 if ":" in local[0] else 0x1
    endpoints = record.xt_inp.inp_inc.inc_ie
    ctypes.memmove(ctypes.addressof(endpoints.ie_dependladdr), _in_addr_4in6(local[0]), 16)
    ctypes.memmove(ctypes.addressof(endpoints.ie_dependfaddr), _in_addr_4in6(remote[0]), 16)
    raw = bytearray(bytes(record))
    # Ports are in network order in the kernel's struct: write their bytes as such.
    base = XTcpcb.xt_inp.offset + XInpcb.inp_inc.offset + InConninfo.inc_ie.offset
    struct.pack_into("!HH", raw, base, remote[1], local[1])
    return bytes(raw)


def freebsd_answer(*records: bytes, gen: int = 5) -> bytes:
    head = bytes(XInpgen(xig_len=ctypes.sizeof(XInpgen), xig_count=len(records), xig_gen=gen))
    return head + b"".join(records) + head


def test_freebsd_struct_sizes_are_the_headers() -> None:
    assert (ctypes.sizeof(XSocket), ctypes.sizeof(XInpcb)) == (240, 400)
    assert (ctypes.sizeof(XTcpcb), ctypes.sizeof(XInpgen)) == (744, 64)


def test_freebsd_pcblist_gives_both_families_and_skips_newer_records() -> None:
    data = freebsd_answer(
        freebsd_record(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        freebsd_record(("::1", 443), ("::1", 61000), 9),
        freebsd_record(("127.0.0.1", 1), ("127.0.0.1", 2), 4, gencnt=6),  # after the snapshot
    )
    assert parse_freebsd_pcblist(data) == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), "TIME_WAIT"),
        (("::1", 443), ("::1", 61000), "FIN_WAIT_2"),
    ]


def test_freebsd_pcblist_of_another_layout_is_refused() -> None:
    record = freebsd_record(("127.0.0.1", 1), ("127.0.0.1", 2), 4)
    longer = struct.pack("=q", 752) + record[8:] + b"\0" * 8  # a kernel with a longer xtcpcb
    with pytest.raises(ValueError, match="752 bytes, not 744"):
        parse_freebsd_pcblist(freebsd_answer(longer))
    with pytest.raises(ValueError, match="64-byte xinpgen"):
        parse_freebsd_pcblist(struct.pack("=q", 40) + b"\0" * 100)
    with pytest.raises(ValueError, match="closing xinpgen"):
        parse_freebsd_pcblist(freebsd_answer(record)[:-64])


# -- NetBSD sys/sys/socket.h struct kinfo_pcb ------------------------------------


class KinfoPcb(ctypes.Structure):
    _fields_ = [("ki_pcbaddr", u64), ("ki_ppcbaddr", u64), ("ki_sockaddr", u64),
                ("ki_family", u32), ("ki_type", u32), ("ki_protocol", u32), ("ki_pflags", u32),
                ("ki_sostate", u32), ("ki_prstate", u32), ("ki_tstate", i32), ("ki_tflags", u32),
                ("ki_rcvq", u64), ("ki_sndq", u64), ("ki_s", ctypes.c_char * 264),
                ("ki_d", ctypes.c_char * 264), ("ki_inode", u64), ("ki_vnode", u64),
                ("ki_conn", u64), ("ki_refs", u64), ("ki_nextref", u64)]  # fmt: skip


def _bsd_sockaddr(endpoint: tuple[str, int], af_inet6: int) -> bytes:
    address = ipaddress.ip_address(endpoint[0])
    if address.version == 4:  # struct sockaddr_in: len, family, port, addr, zero[8]
        return struct.pack("!BBH4s8x", 16, 2, endpoint[1], address.packed)
    # struct sockaddr_in6: len, family, port, flowinfo, addr, scope_id
    return struct.pack("!BBHI16sI", 28, af_inet6, endpoint[1], 0, address.packed, 0)


def netbsd_record(local: tuple[str, int], remote: tuple[str, int], state: int,
                  protocol: int = 6) -> bytes:  # fmt: skip
    family = 24 if ":" in local[0] else 2
    record = KinfoPcb(ki_family=family, ki_type=1, ki_protocol=protocol, ki_prstate=2,
                      ki_tstate=state)  # fmt: skip
    for field, endpoint in (("ki_s", local), ("ki_d", remote)):
        raw = _bsd_sockaddr(endpoint, 24)
        ctypes.memmove(ctypes.addressof(record) + getattr(KinfoPcb, field).offset, raw, len(raw))
    return bytes(record)


def test_netbsd_kinfo_pcb_records_give_tcp_entries_only() -> None:
    assert ctypes.sizeof(KinfoPcb) == KINFO_PCB_SIZE == 640
    data = b"".join([
        netbsd_record(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        netbsd_record(("::1", 443), ("::1", 61000), 4),
        netbsd_record(("127.0.0.1", 53), ("127.0.0.1", 9), 0, protocol=17),  # UDP
    ])  # fmt: skip
    assert parse_netbsd_pcblist(data) == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), "TIME_WAIT"),
        (("::1", 443), ("::1", 61000), "ESTABLISHED"),
    ]
    with pytest.raises(ValueError, match="not whole kinfo_pcb"):
        parse_netbsd_pcblist(data[:-1])


# -- OpenBSD sys/sys/sysctl.h struct kinfo_file ----------------------------------


class KinfoFile(ctypes.Structure):
    _fields_ = [("f_fileaddr", u64), ("f_flag", u32), ("f_iflags", u32), ("f_type", u32),
                ("f_count", u32), ("f_msgcount", u32), ("f_usecount", u32), ("f_ucred", u64),
                ("f_uid", u32), ("f_gid", u32), ("f_ops", u64), ("f_offset", u64),
                ("f_data", u64), ("f_rxfer", u64), ("f_rwfer", u64), ("f_seek", u64),
                ("f_rbytes", u64), ("f_wbytes", u64), ("v_un", u64), ("v_type", u32),
                ("v_tag", u32), ("v_flag", u32), ("va_rdev", u32), ("v_data", u64),
                ("v_mount", u64), ("va_fileid", u64), ("va_size", u64), ("va_mode", u32),
                ("va_fsid", u32), ("f_mntonname", ctypes.c_char * 96), ("so_type", u32),
                ("so_state", u32), ("so_pcb", u64), ("so_protocol", u32), ("so_family", u32),
                ("inp_ppcb", u64), ("inp_lport", u32), ("inp_laddru", u32 * 4),
                ("inp_fport", u32), ("inp_faddru", u32 * 4), ("unp_conn", u64),
                ("pipe_peer", u64), ("pipe_state", u32), ("kq_count", u32), ("kq_state", u32),
                ("__unused1", u32), ("p_pid", u32), ("fd_fd", i32), ("fd_ofileflags", u32),
                ("p_uid", u32), ("p_gid", u32), ("p_tid", u32), ("p_comm", ctypes.c_char * 24),
                ("inp_rtableid", u32), ("so_splice", u64), ("so_splicelen", i64),
                ("so_rcv_cc", u64), ("so_snd_cc", u64), ("unp_refs", u64), ("unp_nextref", u64),
                ("unp_addr", u64), ("unp_path", ctypes.c_char * 104), ("inp_proto", u32),
                ("t_state", u32), ("t_rcv_wnd", u64), ("t_snd_wnd", u64), ("t_snd_cwnd", u64),
                ("va_nlink", u32)]  # fmt: skip


def openbsd_record(local: tuple[str, int], remote: tuple[str, int], state: int,
                   kind: int = 2) -> bytes:  # fmt: skip
    record = KinfoFile(f_type=kind, so_protocol=6, so_family=24 if ":" in local[0] else 2,
                       t_state=state)  # fmt: skip
    for field, (address, port) in (("inp_l", local), ("inp_f", remote)):
        # kern_sysctl.c fill_file(): kf->inp_lport = inp->inp_lport (a network-order
        # u_short widened), kf->inp_laddru[0] = inp->inp_laddr.s_addr (raw bytes).
        setattr(record, f"{field}port", int.from_bytes(struct.pack("!H", port), "little"))
        packed = ipaddress.ip_address(address).packed
        target = getattr(record, f"{field}addru")
        ctypes.memmove(ctypes.addressof(target), packed, len(packed))
    return bytes(record)


def test_openbsd_kinfo_file_gives_the_tcp_pcbs_with_their_states() -> None:
    assert ctypes.sizeof(KinfoFile) == KINFO_FILE_SIZE == 632
    data = b"".join([
        openbsd_record(("127.0.0.1", 50000), ("127.0.0.1", 8080), 10),
        openbsd_record(("::1", 443), ("::1", 61000), 8),
        openbsd_record(("127.0.0.1", 1), ("127.0.0.1", 2), 4, kind=1),  # a vnode
    ])  # fmt: skip
    assert parse_openbsd_files(data) == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), "TIME_WAIT"),
        (("::1", 443), ("::1", 61000), "LAST_ACK"),
    ]
    with pytest.raises(ValueError, match="not whole kinfo_file"):
        parse_openbsd_files(data + b"\0")


# -- the readers: names, element sizes and re-reads, with sysctl faked ------------


def test_freebsd_reader_rereads_while_the_table_changed_during_the_copy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = freebsd_record(("127.0.0.1", 50000), ("127.0.0.1", 8080), 4)
    head = XInpgen(xig_len=64, xig_count=1, xig_gen=5)
    moved = bytes(head) + record + bytes(XInpgen(xig_len=64, xig_count=1, xig_gen=6))
    answers = [moved, freebsd_answer(record)]
    asked: list[str] = []

    def by_name(name: str) -> bytes:
        asked.append(name)
        return answers.pop(0)

    monkeypatch.setattr(bsd_tables.sysctl, "by_name", by_name)
    assert bsd_tables.read_freebsd(False) == [
        (("127.0.0.1", 50000), ("127.0.0.1", 8080), "ESTABLISHED")
    ]
    assert asked == ["net.inet.tcp.pcblist"] * 2


def test_netbsd_and_openbsd_readers_ask_for_whole_records_of_their_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[int]] = []

    def by_mib(mib: list[int], what: str, sized: Any) -> bytes:
        asked.append(sized(0))
        asked.append(sized(KINFO_PCB_SIZE * 3 + 10))
        return b""

    monkeypatch.setattr(bsd_tables.sysctl, "name_to_mib", lambda name: [4, 24, 6, 12])
    monkeypatch.setattr(bsd_tables.sysctl, "by_mib", by_mib)
    assert bsd_tables.read_netbsd(True) == []
    assert asked == [[4, 24, 6, 12, 0, 0, 640, 0], [4, 24, 6, 12, 0, 0, 640, 3]]
    asked.clear()
    assert bsd_tables.read_openbsd(False) == []
    assert asked[0] == [1, 73, 1, 2, 632, 0]
    monkeypatch.setattr(bsd_tables.sysctl, "name_to_mib", lambda name: None)
    assert bsd_tables.read_netbsd(False) is None  # no such name: not NetBSD
