"""Linux: TCP connections and their states from ``/proc/net/tcp`` and ``/proc/net/tcp6``.

Why: the kernel's own table, unprivileged, with every connection including
those no descriptor holds any more (TIME_WAIT, the FIN_WAIT_2 of a closed
socket). psutil reads the same files but first walks every process's
descriptors to name owners, which costs tenths of a second on a loaded
machine; the probe needs no owner.

Rules of this module:
- The parser is pure (text in, entries out), tested with lines as the kernel
  prints them; only the address pair and the state leave it.
- Layout (Linux net/ipv4/tcp_ipv4.c get_tcp4_sock(), get_timewait4_sock();
  net/ipv6/tcp_ipv6.c get_tcp6_sock(); Documentation/networking/proc_net_tcp.rst):
  ``"%4d: %08X:%04X %08X:%04X %02X ..."``, the address a ``__be32`` printed as
  a native 32-bit number (IPv6: its four 32-bit words, ``%08X%08X%08X%08X``),
  the port in host order, the state as include/net/tcp_states.h numbers it.
  Other stacks that offer the file (gVisor) print the same layout.
"""

from __future__ import annotations

import socket
import sys

from matrix.engine.tcpstate.entries import Endpoint, Entry
from matrix.engine.tcpstate.numbering import LINUX_STATES

FILES = {False: "/proc/net/tcp", True: "/proc/net/tcp6"}
# The whole table is read in one go; a file larger than this is not a table.
MAX_BYTES = 64 * 1024 * 1024


def _address(text: str, byteorder: str) -> str:
    raw = bytes.fromhex(text)
    if len(raw) not in (4, 16):
        raise ValueError(f"address {text!r} is neither 4 nor 16 bytes")
    if byteorder == "little":  # each 32-bit word was printed as a native number
        raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _endpoint(text: str, byteorder: str) -> Endpoint:
    address, _, port = text.partition(":")
    return _address(address, byteorder), int(port, 16)


def parse_proc_net_tcp(text: str, byteorder: str = sys.byteorder) -> list[Entry]:
    """The connections listed in a ``/proc/net/tcp`` or ``tcp6`` text.

    Raises ValueError on a text without the kernel's header or with a line of
    another shape, so a file that changed its layout is never read as "no
    connection".
    """
    lines = text.splitlines()
    header = lines[0].split()[:4] if lines else []
    # tcp says rem_address, tcp6 remote_address.
    if header[:2] != ["sl", "local_address"] or header[2:] not in (
        ["rem_address", "st"],
        ["remote_address", "st"],
    ):
        raise ValueError("not a /proc/net/tcp table (its header is missing)")
    entries: list[Entry] = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 4 or not fields[0].endswith(":"):
            raise ValueError(f"line {number} of the table has an unknown shape")
        state = int(fields[3], 16)
        entries.append(
            (
                _endpoint(fields[1], byteorder),
                _endpoint(fields[2], byteorder),
                LINUX_STATES.get(state, f"UNKNOWN({state})"),
            )
        )
    return entries


def read_entries(ipv6: bool) -> list[Entry] | None:
    """The table of this system, or None where there is no such file."""
    try:
        with open(FILES[ipv6], "rb") as table:
            data = table.read(MAX_BYTES)
    except FileNotFoundError:
        return None
    return parse_proc_net_tcp(data.decode("ascii"))
