"""States of one connection in the system's TCP table, found by its address pair.

Why: once a probe closes a socket, no descriptor holds the connection any more
(TIME_WAIT, a FIN_WAIT_2 or LAST_ACK still finishing), so only the system's
table can say what became of it.

Rules of this module:
- The probe names two of its own endpoints; only entries whose local and
  remote addresses are exactly that pair are kept, and only their states leave
  this module. Other processes' connections are read by the OS call (there is
  no narrower unprivileged one) and dropped here.
- Mechanisms, first that exists wins (capability checks, not OS names):
  XNU's ``net.inet.tcp.pcblist_n`` sysctl (macOS, where psutil needs root);
  psutil.net_connections (Linux /proc/net/tcp*, Windows GetExtendedTcpTable,
  both unprivileged). psutil is imported only here, only when a probe asks, so
  the probe's child process starts without it and works without it: a missing
  psutil, or one refused access, is ``unsupported``.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from matrix.engine.tcpstate.numbering import BSD_STATES, psutil_state
from matrix.engine.tcpstate.own_socket import StateUnsupported

Endpoint = tuple[str, int]
# One table entry as (local, remote, RFC 793 state).
Entry = tuple[Endpoint, Endpoint, str]
# Listings in a row that must all miss a connection before it counts as gone.
ABSENCE_READS = 3


def _same(a: Endpoint, b: Endpoint) -> bool:
    try:
        return a[1] == b[1] and ipaddress.ip_address(a[0]) == ipaddress.ip_address(b[0])
    except ValueError:
        return False


def matching_states(entries: Iterable[Entry], local: Endpoint, remote: Endpoint) -> list[str]:
    """Sorted states of the entries whose endpoints are exactly (local, remote)."""
    return sorted(
        state for here, there, state in entries if _same(here, local) and _same(there, remote)
    )


def _xnu_entries() -> list[Entry] | None:
    from matrix.engine.tcpstate.xnu_pcblist import parse_pcblist_n, read_pcblist_n

    data = read_pcblist_n()
    if data is None:
        return None
    return [
        (e.local, e.remote, BSD_STATES.get(e.state, f"UNKNOWN({e.state})"))
        for e in parse_pcblist_n(data)
    ]


def _import_psutil() -> Any:
    """psutil, also from a child started with ``python -S`` (no site-packages yet)."""
    try:
        import psutil
    except ImportError:
        import site
        import sys

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


def _psutil_entries(ipv6: bool) -> list[Entry]:
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


# The mechanism this process settled on (None: not chosen yet), so a wait that
# looks many times does not probe for the sysctl each time.
_chosen: list[tuple[str, Callable[[bool], list[Entry]]]] = []


def _mechanism() -> tuple[str, Callable[[bool], list[Entry]]]:
    if not _chosen:
        if _xnu_entries() is not None:
            _chosen.append(("sysctl net.inet.tcp.pcblist_n", lambda _ipv6: _xnu_entries() or []))
        else:
            _chosen.append(("psutil.net_connections", _psutil_entries))
    return _chosen[0]


def prepare() -> None:
    """Choose the mechanism and import psutil now, before the probe's first step.

    The first import costs a tenth of a second, more on a loaded machine; paid
    inside a step it would read as the state taking that long to arrive. A
    missing psutil is reported by the step itself.
    """
    name, _entries = _mechanism()
    if name.startswith("psutil"):
        with contextlib.suppress(StateUnsupported):
            _import_psutil()


def connection_states(local: Endpoint, remote: Endpoint) -> dict[str, Any]:
    """{"states": [...], "mechanism": ...} for the connection local -> remote.

    ``states`` is empty when the table has no such entry: the connection is
    gone (RFC 793's CLOSED). It has more than one entry only if the same pair
    was reused while an older connection lingered.
    """
    name, entries = _mechanism()
    ipv6 = ":" in local[0]
    # Neither listing is a snapshot: /proc/net/tcp is read in chunks by position
    # (Linux seq_file), so entries that vanish between two chunks shift the rest
    # and a live connection can be skipped. Absence is only believed when
    # ABSENCE_READS listings in a row agree; a found entry is believed at once.
    for _ in range(ABSENCE_READS):
        states = matching_states(entries(ipv6), local, remote)
        if states:
            break
    return {"states": states, "mechanism": name}
