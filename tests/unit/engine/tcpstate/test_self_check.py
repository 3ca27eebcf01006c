"""The self-check of a connection-table reader on the process's own connection (Linux table as
the witness, filtered to play the tables that cannot be trusted)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from matrix.engine.tcpstate.proc_net_tcp import read_entries
from matrix.engine.tcpstate.self_check import check

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="filters this OS's own table")

# The states a connection can be in once its socket is closed.
CLOSED_SOCKET_STATES = {"FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT", "CLOSING", "LAST_ACK"}


def linux_table(keep: Callable[[Any], bool] = lambda _entry: True) -> Callable[[], list[Any]]:
    def listing() -> list[Any]:
        return [entry for entry in read_entries(False) or [] if keep(entry)]

    return listing


def test_the_kernels_own_table_passes_both_checks() -> None:
    result = check(linux_table(), ipv6=False)
    assert (result.finds_own, result.sees_closed) == (None, None)


def test_a_table_that_lists_only_open_sockets_cannot_show_absence() -> None:
    # gVisor's /proc/net/tcp and psutil on the BSDs: a closed socket's connection
    # is gone from the listing while the kernel still has it.
    result = check(linux_table(lambda e: e[2] not in CLOSED_SOCKET_STATES), ipv6=False)
    assert result.finds_own is None
    assert result.sees_closed is not None
    assert "stops listing a connection once its socket is closed" in result.sees_closed


def test_a_table_without_time_wait_cannot_show_absence() -> None:
    # NetBSD with vestigial TIME_WAIT moves it out of the pcb table.
    result = check(linux_table(lambda e: e[2] != "TIME_WAIT"), ipv6=False)
    assert result.sees_closed is not None and "TIME_WAIT" in result.sees_closed


def test_an_empty_table_or_a_misread_one_is_not_trusted_at_all() -> None:
    clock = iter(range(0, 100, 1))
    empty = check(lambda: [], ipv6=False, clock=lambda: float(next(clock)), pause=lambda _s: None)
    assert empty.finds_own is not None and "did not list" in empty.finds_own

    def swap(port: int) -> int:
        return int.from_bytes(port.to_bytes(2, "big"), "little")

    def ports_misread() -> list[Any]:  # a layout read in the wrong byte order
        return [
            ((a[0], swap(a[1])), (b[0], swap(b[1])), s) for a, b, s in read_entries(False) or []
        ]

    clock = iter(range(0, 100, 1))
    misread = check(ports_misread, ipv6=False, clock=lambda: float(next(clock)),
                    pause=lambda _s: None)  # fmt: skip
    assert misread.finds_own is not None
