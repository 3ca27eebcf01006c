"""Which addresses a probe may name: loopback and unspecified IP literals only.

A probe from an untrusted pull request runs on a CI runner with internet
access, so names are never resolved (``localhost`` could be anything in a hosts
file) and every spelling that ``ipaddress`` does not read as a plain literal is
refused. Unspecified addresses (0.0.0.0, ::) are allowed because binding to
them and connecting to them are behaviours worth probing, and neither reaches
another host: connect() to them targets this host or fails.
"""

from __future__ import annotations

import ipaddress

LOOPBACK = {"ipv4": "127.0.0.1", "ipv6": "::1"}


def address_problem(text: object) -> str | None:
    """Why ``text`` may not be used as an address, or None if it may."""
    if not isinstance(text, str):
        return f"an address must be text, not {type(text).__name__}"
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return (
            f"{text!r} is not an IP literal; only loopback (127.0.0.0/8, ::1) and "
            "unspecified (0.0.0.0, ::) literals are allowed, never host names"
        )
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return None
    return f"{text!r} is not a loopback address: probes may only use 127.0.0.0/8 and ::1"


def destination_problem(host: object, port: int, own_ports: set[int]) -> str | None:
    """Why connect()/sendto() to (host, port) is refused, or None.

    Loopback is not harmless: a runner may have services listening there
    (a Docker API, a database, a metadata proxy). A probe may only reach ports
    of sockets it made itself, plus the closed port the engine reserves.
    """
    problem = address_problem(host)
    if problem is not None:
        return problem
    if port not in own_ports:
        return (
            f"port {port} belongs to no socket of this probe; connect and sendto may only "
            "reach the probe's own sockets (`to`) or the reserved closed port (`closed_port`)"
        )
    return None


def foreign_peer(peer: object) -> str | None:
    """Why a peer that accept() or recvfrom() reported is not one a probe may talk to
    (None: it is on loopback). A listener or UDP socket bound to 0.0.0.0 or ::
    hears other hosts too; their connections and datagrams are refused."""
    host = peer[0] if isinstance(peer, tuple) and peer else None
    if not isinstance(host, str):
        return "the OS named no peer address, so it cannot be told to be loopback"
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return f"the peer {host[:64]!r} is not an IP address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None
    return f"the peer {host} is not on loopback (another host reached a wildcard-bound socket)"
