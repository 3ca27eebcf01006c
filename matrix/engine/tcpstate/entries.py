"""One connection-table entry, and finding a connection among them by its address pair.

Rules of this module: pure functions of entries; every reader of a table
(``proc_net_tcp``, ``bsd_tables``, ``xnu_pcblist``, psutil) yields these.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Endpoint = tuple[str, int]
# One table entry as (local, remote, RFC 793 state).
Entry = tuple[Endpoint, Endpoint, str]


def same(a: Endpoint, b: Endpoint) -> bool:
    try:
        return a[1] == b[1] and ipaddress.ip_address(a[0]) == ipaddress.ip_address(b[0])
    except ValueError:
        return False


def matching_states(entries: Iterable[Entry], local: Endpoint, remote: Endpoint) -> list[str]:
    """Sorted states of the entries whose endpoints are exactly (local, remote)."""
    return sorted(
        state for here, there, state in entries if same(here, local) and same(there, remote)
    )
