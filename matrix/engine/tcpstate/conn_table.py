"""States of one connection in the system's TCP table, found by its address pair.

Why: once a probe closes a socket, no descriptor holds the connection any more
(TIME_WAIT, a FIN_WAIT_2 or LAST_ACK still finishing), so only the system's
table can say what became of it.

Rules of this module:
- The probe names two of its own endpoints; only entries whose local and
  remote addresses are exactly that pair are kept, and only their states leave
  this module. Other processes' connections are read by the OS call (there is
  no narrower unprivileged one) and dropped here.
- Readers per OS family, as data (READERS, each naming its source); a reader
  is used only after ``self_check`` has seen it find this process's own
  connected pair, so a layout that changed or a table that is empty reads
  ``unsupported`` with the reason, never a state.
- "No entry" is RFC 793's CLOSED only from a reader that the self-check saw
  keep a closed socket's connection listed (FIN_WAIT_2 and TIME_WAIT); from any
  other, absence proves nothing and the step is ``unsupported``. Absence is
  also believed only when ABSENCE_READS listings in a row agree: no listing
  is a snapshot (/proc/net/tcp is read in chunks by position, Linux seq_file,
  so entries that vanish between chunks shift the rest).
- psutil is imported only here, only when a probe asks, so the probe's child
  process starts without it and works without it: a missing psutil, or one
  refused access, is ``unsupported``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matrix.engine.tcpstate.entries import Endpoint, Entry, matching_states
from matrix.engine.tcpstate.own_socket import StateUnsupported

__all__ = ["ABSENCE_READS", "Endpoint", "connection_states", "matching_states", "prepare"]

# Listings in a row that must all miss a connection before it counts as gone.
ABSENCE_READS = 3
# A reader: the table of one address family (ipv6 or not), or None where the
# reader's call does not exist here.
Reader = Callable[[bool], "list[Entry] | None"]


def _xnu(_ipv6: bool) -> list[Entry] | None:
    from matrix.engine.tcpstate.numbering import BSD_STATES
    from matrix.engine.tcpstate.xnu_pcblist import parse_pcblist_n, read_pcblist_n

    data = read_pcblist_n()
    if data is None:
        return None
    return [
        (e.local, e.remote, BSD_STATES.get(e.state, f"UNKNOWN({e.state})"))
        for e in parse_pcblist_n(data)
    ]


def _proc(ipv6: bool) -> list[Entry] | None:
    from matrix.engine.tcpstate.proc_net_tcp import read_entries

    return read_entries(ipv6)


def _bsd(name: str) -> Reader:
    def read(ipv6: bool) -> list[Entry] | None:
        from matrix.engine.tcpstate import bsd_tables

        reader: Reader = getattr(bsd_tables, name)
        return reader(ipv6)

    return read


def _import_psutil() -> Any:
    """psutil, also from a child started with ``python -S`` (no site-packages yet)."""
    try:
        import psutil
    except ImportError:
        import site

        if not sys.flags.no_site or getattr(_import_psutil, "site_added", False):
            raise StateUnsupported("psutil is not installed") from None
        # The probe's child skips site for a fast start. Try the environment's
        # own site-packages first (cheap), then the full site set-up, which
        # also finds system site-packages a virtual environment includes.
        _import_psutil.site_added = True  # type: ignore[attr-defined]
        sys.path.extend(p for p in site.getsitepackages() if p not in sys.path)
        try:
            import psutil
        except ImportError:
            site.main()
            return _import_psutil()
    return psutil


def _psutil(ipv6: bool) -> list[Entry] | None:
    from matrix.engine.tcpstate.numbering import psutil_state

    psutil = _import_psutil()
    try:
        connections = psutil.net_connections(kind="tcp6" if ipv6 else "tcp4")
    except (psutil.AccessDenied, NotImplementedError) as exc:
        raise StateUnsupported(f"psutil cannot list connections here: {exc!r}") from None
    return [
        ((c.laddr[0], c.laddr[1]), (c.raddr[0], c.raddr[1]), psutil_state(c.status))
        for c in connections
        if c.laddr and c.raddr
    ]


# The readers each OS family may use, in order of preference; the first whose
# self-check finds this process's own pair is used. psutil is not offered on
# the BSDs: it lists only connections whose socket an open file holds there.
READERS: dict[str, list[tuple[str, Reader]]] = {
    # XNU bsd/netinet/tcp_subr.c: SYSCTL_PROC(_net_inet_tcp, ..., pcblist_n, ...),
    # readable unprivileged; psutil needs root there for other users' sockets.
    "macos": [("sysctl net.inet.tcp.pcblist_n", _xnu)],
    # FreeBSD sys/netinet/tcp_subr.c tcp_pcblist (what netstat and sockstat read).
    "freebsd": [("sysctl net.inet.tcp.pcblist", _bsd("read_freebsd"))],
    # NetBSD sys/netinet/tcp_usrreq.c sysctl_inpcblist (netstat's source too).
    "netbsd": [("sysctl net.inet.tcp.pcblist (kinfo_pcb)", _bsd("read_netbsd"))],
    # OpenBSD sys/kern/kern_sysctl.c sysctl_file, KERN_FILE_BYFILE + DTYPE_SOCKET.
    "openbsd": [("sysctl kern.file (KERN_FILE_BYFILE, DTYPE_SOCKET)", _bsd("read_openbsd"))],
    # Windows: GetExtendedTcpTable(TCP_TABLE_OWNER_PID_ALL), every row with its
    # state (psutil arch/windows/socks.c).
    "windows": [("psutil.net_connections", _psutil)],
}
# Linux, and any other system that has the file (gVisor, WSL1): the kernel's
# own text table first, then psutil.
DEFAULT_READERS: list[tuple[str, Reader]] = [
    ("/proc/net/tcp", _proc),
    ("psutil.net_connections", _psutil),
]


@dataclass(frozen=True)
class Table:
    """The reader this process settled on for one address family, and what it can see."""

    name: str | None  # None: no reader can be trusted here
    read: Reader | None
    unusable: str | None  # why there is no reader
    blind_to_closed: str | None  # why absence from this reader proves nothing


# The table chosen per address family (ipv6 or not), once per process.
_chosen: dict[bool, Table] = {}


def _family() -> str:
    from matrix.language.os_families import os_family

    return os_family(sys.platform)


def _check(name: str, read: Reader, ipv6: bool) -> Table | str:
    """The table ``read`` gives once its self-check passed; else why it cannot be used."""
    from matrix.engine.tcpstate.self_check import check

    def listing() -> list[Entry]:
        entries = read(ipv6)
        if entries is None:
            raise StateUnsupported(f"{name} does not exist here")
        return entries

    try:
        result = check(listing, ipv6)
    except Exception as exc:  # any failure of a reader makes it unusable, not the probe
        return f"{name} could not be read: {exc}"
    if result.finds_own is not None:
        return f"{name} cannot be trusted here: {result.finds_own}"
    blind = None
    if result.sees_closed is not None:
        blind = f"{name} cannot show that a connection is gone: {result.sees_closed}"
    return Table(name, read, None, blind)


def prepare(ipv6: bool = False, family: str | None = None) -> Table:
    """Choose and check the reader for ``ipv6``'s family, once per process.

    Called before the probe's first step: the check's connection and the first
    import of a reader (psutil costs a tenth of a second) are paid outside every
    step's time. Never raises: whatever goes wrong is the reason each
    connection_state step then gives for ``unsupported``.
    """
    if ipv6 not in _chosen:
        readers = READERS.get(family or _family(), DEFAULT_READERS)
        problems: list[str] = []
        table: Table | None = None
        for name, read in readers:
            outcome = _check(name, read, ipv6)
            if isinstance(outcome, Table):
                table = outcome
                break
            problems.append(outcome)
        _chosen[ipv6] = table or Table(None, None, "; ".join(problems), None)
    return _chosen[ipv6]


def connection_states(local: Endpoint, remote: Endpoint) -> dict[str, Any]:
    """{"states": [...], "mechanism": ...} for the connection local -> remote.

    ``states`` is empty when the table has no such entry: the connection is
    gone (RFC 793's CLOSED). It has more than one entry only if the same pair
    was reused while an older connection lingered. Raises StateUnsupported
    when no reader can be trusted here, when the table cannot be read, or when
    the entry is missing from a table that does not list closed sockets.
    """
    table = prepare(":" in local[0])
    if table.read is None or table.name is None:
        raise StateUnsupported(table.unusable or "no connection table can be read here")
    for _ in range(ABSENCE_READS):
        try:
            entries = table.read(":" in local[0])
        except (OSError, ValueError) as exc:
            raise StateUnsupported(f"{table.name} could not be read: {exc}") from None
        if entries is None:
            raise StateUnsupported(f"{table.name} is no longer there")
        states = matching_states(entries, local, remote)
        if states:
            return {"states": states, "mechanism": table.name}
    if table.blind_to_closed is not None:
        raise StateUnsupported(table.blind_to_closed)
    return {"states": [], "mechanism": table.name}
