"""The native layer's capability check: the tables against the interpreter's own constants.

Each fake module carries one real machine's numbers, copied from the header
named next to it, so the check is exercised for machines this suite never runs on.
"""

from __future__ import annotations

import errno
import select
import socket
import sys
from types import SimpleNamespace

import pytest

from matrix.engine.abi.bsd import DARWIN
from matrix.engine.abi.consistency import consistency_problem
from matrix.engine.abi.linux import LINUX
from matrix.engine.abi.native_api import abi_for
from matrix.engine.abi.winsock import WINSOCK
from matrix.language.os_families import os_family

# Numbers every 64-bit Linux shares (include/uapi/linux/socket.h, in.h).
_LINUX_COMMON = {"AF_INET": 2, "AF_INET6": 10, "MSG_OOB": 1, "MSG_PEEK": 2}


def test_this_interpreter_agrees_with_its_tables() -> None:
    abi = abi_for(sys.platform)
    family = os_family(sys.platform)
    assert (
        consistency_problem(abi, socket, family=family, select_module=select, errno_module=errno)
        is None
    )


def test_powerpc_so_numbers_refuse_the_generic_linux_table() -> None:
    # arch/powerpc/include/uapi/asm/socket.h: SO_RCVLOWAT 16, SO_SNDLOWAT 17,
    # SO_RCVTIMEO(_OLD) 18, SO_SNDTIMEO(_OLD) 19; the rest from asm-generic.
    powerpc = SimpleNamespace(
        **_LINUX_COMMON,
        SOL_SOCKET=1,
        SO_REUSEADDR=2,
        SO_RCVLOWAT=16,
        SO_SNDLOWAT=17,
        SO_RCVTIMEO=18,
        SO_SNDTIMEO=19,
    )
    problem = consistency_problem(LINUX, powerpc, family="linux")
    assert problem is not None
    assert problem.startswith("socket.SO_SNDLOWAT is 17 in this interpreter but 19 in the linux")


def test_mips_sol_socket_refuses_the_generic_linux_table() -> None:
    # arch/mips/include/uapi/asm/socket.h: "#define SOL_SOCKET 0xffff".
    mips = SimpleNamespace(**_LINUX_COMMON, SOL_SOCKET=0xFFFF, SO_LINGER=0x80)
    problem = consistency_problem(LINUX, mips, family="linux")
    assert problem is not None and problem.startswith("socket.SOL_SOCKET is 65535")


def test_sparc_pollrdhup_refuses_the_generic_linux_table() -> None:
    # arch/sparc/include/uapi/asm/poll.h: "#define POLLRDHUP 2048".
    sparc_select = SimpleNamespace(POLLIN=1, POLLOUT=4, POLLRDHUP=2048)
    problem = consistency_problem(LINUX, SimpleNamespace(), select_module=sparc_select)
    assert problem is not None and problem.startswith("select.POLLRDHUP is 2048")


def test_alpha_eagain_refuses_the_generic_linux_table() -> None:
    # arch/alpha/include/uapi/asm/errno.h: "#define EAGAIN 35".
    alpha_errno = SimpleNamespace(EAGAIN=35, EWOULDBLOCK=35)
    problem = consistency_problem(LINUX, SimpleNamespace(), errno_module=alpha_errno)
    assert problem is not None and problem.startswith("errno.EAGAIN is 35")
    assert "but 11 in the linux table" in problem


def test_windows_numbers_agree_with_the_winsock_tables() -> None:
    # winsock2.h / ws2def.h / ws2ipdef.h, as CPython's socket module exports
    # them on Windows; its errno module has the CRT's EAGAIN (11) next to
    # WSAEWOULDBLOCK, and its select module no POLL* constants.
    windows = SimpleNamespace(
        AF_INET=2,
        AF_INET6=23,
        MSG_OOB=1,
        MSG_PEEK=2,
        MSG_WAITALL=8,
        SOL_SOCKET=0xFFFF,
        SO_REUSEADDR=4,
        SO_EXCLUSIVEADDRUSE=-5,
        SO_LINGER=0x80,
        SO_RCVTIMEO=0x1006,
        TCP_KEEPIDLE=3,
        TCP_KEEPINTVL=17,
        TCP_KEEPCNT=16,
        IPV6_V6ONLY=27,
    )
    errno_windows = SimpleNamespace(EAGAIN=11, EWOULDBLOCK=10035, WSAEWOULDBLOCK=10035)
    assert (
        consistency_problem(
            WINSOCK,
            windows,
            family="windows",
            select_module=SimpleNamespace(),
            errno_module=errno_windows,
        )
        is None
    )
    errno_windows.WSAEWOULDBLOCK = 11
    problem = consistency_problem(WINSOCK, windows, family="windows", errno_module=errno_windows)
    assert problem is not None and problem.startswith("errno.WSAEWOULDBLOCK is 11")


def test_macos_numbers_agree_with_the_darwin_tables() -> None:
    # XNU bsd/sys/socket.h, bsd/netinet/tcp.h ("TCP_KEEPALIVE 0x10"), errno.h,
    # poll.h. SO_LINGER_SEC is not exported by Python, so it is not compared.
    macos = SimpleNamespace(
        AF_INET=2,
        AF_INET6=30,
        MSG_WAITALL=0x40,
        MSG_DONTWAIT=0x80,
        MSG_NOSIGNAL=0x80000,
        SOL_SOCKET=0xFFFF,
        SO_LINGER=0x80,
        SO_RCVTIMEO=0x1006,
        TCP_KEEPALIVE=0x10,
    )
    poll = SimpleNamespace(POLLIN=1, POLLPRI=2, POLLOUT=4, POLLERR=8, POLLHUP=16, POLLNVAL=32)
    darwin_errno = SimpleNamespace(EAGAIN=35, EWOULDBLOCK=35)
    assert (
        consistency_problem(
            DARWIN, macos, family="macos", select_module=poll, errno_module=darwin_errno
        )
        is None
    )


def test_a_table_that_disagrees_with_the_interpreter_is_refused() -> None:
    class Fake:
        AF_INET = 2
        AF_INET6 = 10
        MSG_WAITALL = 0x40

    problem = consistency_problem(LINUX, Fake)
    assert problem is not None
    assert problem.startswith("socket.MSG_WAITALL is 64 in this interpreter but 256 in the linux")


@pytest.mark.skipif(sys.platform != "darwin", reason="compares the Darwin table with this Mac")
def test_darwin_abi_is_the_one_this_mac_uses() -> None:
    # The macOS test job's check of the table a probe leg will trust: CPython's
    # modules were built against this Mac's SDK headers.
    assert abi_for(sys.platform) is DARWIN
    assert os_family(sys.platform) == "macos"
    assert socket.AF_INET6 == DARWIN.af_inet6 == 30
    assert getattr(socket, "MSG_NOSIGNAL", DARWIN.msg["NOSIGNAL"]) == DARWIN.msg["NOSIGNAL"]
    assert not hasattr(select, "POLLRDHUP")  # DARWIN.poll["RDHUP"] is None
    assert errno.EAGAIN in DARWIN.would_block
    problem = consistency_problem(
        DARWIN, socket, family="macos", select_module=select, errno_module=errno
    )
    assert problem is None
