"""Where a step's socket goes and who may reach it: targets and peers.

Rules of this module:
- A probe touches nothing but its own loopback sockets: every connect, sendto
  and bind target is checked here right before the call (addresses from
  ``matrix.language.addresses``, ports from the sockets the probe made), and a
  peer that accept() or recvfrom() reports off loopback is refused at once.
- Both APIs' handlers call these; nothing here makes a socket call of its own
  except the holder that keeps the reserved closed port closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from matrix.engine.context import Context, HarnessError, Unsupported
from matrix.engine.handlers.common import allowed_option
from matrix.language.addresses import (
    LOOPBACK,
    address_problem,
    destination_problem,
    foreign_peer,
)

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import Step


def checked(address: str) -> str:
    problem = address_problem(address)
    if problem is not None:
        raise HarnessError(problem)
    return address


def destination(ctx: Context, host: str, port: int) -> tuple[str, int]:
    """The last check before connect()/sendto(): loopback, and a port of our own."""
    own = {int(address[1]) for address in ctx.bound.values() if len(address) > 1}
    problem = destination_problem(host, port, own)
    if problem is not None:
        raise HarnessError(problem)
    return host, port


def closed_port(ctx: Context, family: str) -> int:
    """A loopback port refused for this whole probe: bound, never listening.

    The holder is a socket-module socket in both APIs: no step ever uses it,
    and cleanup closes it with the rest.
    """
    import socket

    name = f"_closed-port-{family}"
    if name not in ctx.sockets:
        holder = socket.socket(socket.AF_INET6 if family == "ipv6" else socket.AF_INET)
        ctx.add(name, holder, "reserved")
        holder.bind((LOOPBACK[family], 0))
        ctx.bound[name] = holder.getsockname()
    return int(ctx.bound[name][1])


def connect_target(ctx: Context, step: Step, family: str) -> tuple[str, int]:
    if "to" in step:
        host, port = ctx.bound_address(step["to"])[:2]
    else:
        host, port = LOOPBACK[family], closed_port(ctx, family)
    target = destination(ctx, step.get("address", host), int(port))
    if "to" in step:
        owned_target(ctx, step["socket"], step["to"], family, target[0], "connect")
    return target


def connected(step: Step, peer: Callable[[], tuple[Any, ...]]) -> tuple[str, dict[str, Any]]:
    """The summary of a connect that returned; to an unspecified address, where it went.

    connect() to 0.0.0.0 or :: picks a destination itself, and systems differ:
    Linux routes it to loopback, XNU uses "the primary local address", the first
    entry of in_ifaddrhead (bsd/netinet/in_pcb.c in_pcbladdr(), L1597-1611 at
    rel/xnu-11417), which is not always 127.0.0.1, and FreeBSD 15 refuses it
    unless net.inet.ip.connect_inaddr_wild is 1 (FreeBSD 15.0 release notes).
    So the peer address is read back: a loopback address is named, any other
    (this host's own, possibly public) address is only described.
    """
    import ipaddress

    target = step.get("address")
    if target is None or not ipaddress.ip_address(target).is_unspecified:
        return "ok", {}
    try:
        host = str(peer()[0])
    except OSError:
        # The connect returned; the peer may already have gone (a reset): the
        # connect's own outcome stands, without a destination to name.
        return "ok, to an address it could not read back", {"reached": "unknown"}
    address = ipaddress.ip_address(host.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return f"ok, reached {address}", {"reached": str(address)}
    return "ok, reached a non-loopback address of this host", {"reached": "non-loopback"}


def bind_target(ctx: Context, step: Step, family: str) -> tuple[str, int]:
    address = checked(step.get("address", LOOPBACK[family]))
    port = ctx.bound_address(step["port_of"])[1] if "port_of" in step else 0
    return address, int(port)


def bound(ctx: Context, step: Step, bind: Callable[[], tuple[Any, ...]]) -> None:
    """Run a bind step's ``bind`` (which returns the address bound) and remember
    whether it failed (or could not be made here): a later listen on the socket
    must not read as success on the port the bind asked for, and a step that
    needs its address is not reached (Context.bound_address)."""
    name = step["socket"]
    try:
        ctx.bound[name] = bind()
    except (OSError, Unsupported):
        ctx.failed_binds.add(name)
        raise
    ctx.failed_binds.discard(name)


def bind_options(ctx: Context, step: Step) -> list[tuple[int, int, int]]:
    """(level, optname, value) of each option a bind step sets first, all resolved
    before any is set: one this OS lacks makes the step unsupported with the
    socket untouched (the allow-list gives each OS's numbers)."""
    resolved = []
    for name, value in step.get("options", {}).items():
        constants = allowed_option(ctx, name, "value", value)
        if constants is None:
            raise Unsupported(f"{name} does not exist on this platform")
        resolved.append((*constants, int(value)))
    return resolved


def listened(ctx: Context, step: Step, address: tuple[Any, ...]) -> tuple[str, dict[str, Any]]:
    """The summary of a listen that returned on a socket now bound at ``address``.

    listen() on a socket without a local port binds it to an ephemeral port on
    the wildcard address (XNU bsd/netinet/tcp_usrreq.c tcp_usr_listen(): "if
    (inp->inp_lport == 0) { ... error = in_pcbbind(inp, NULL, NULL, p);";
    FreeBSD tcp_usr_listen() likewise; Linux ip(7): "When listen(2) is called
    on an unbound socket, the socket is automatically bound to a random free
    port with the local address set to INADDR_ANY."). After a failed bind that
    is another port than the one the bind asked for, so "ok" alone would read
    as "listening on that port": the summary says where it listens instead.
    Windows refuses listen on an unbound socket (WSAEINVAL), which is reported
    as the error it is.
    """
    name = step["socket"]
    ctx.bound[name] = address
    if name in ctx.failed_binds:
        return "ok, on an ephemeral port (its bind had failed)", {
            "port": "ephemeral",
            "bind_failed": True,
        }
    return "ok", {}


def sendto_target(ctx: Context, step: Step) -> tuple[str, int]:
    bound = ctx.bound_address(step["to"])
    target = destination(ctx, bound[0], int(bound[1]))
    family = "ipv6" if ":" in str(bound[0]) else "ipv4"
    owned_target(ctx, step["socket"], step["to"], family, target[0], "sendto")
    return target


# Kinds of socket (Context.kinds) a TCP connect may aim at: a listener the probe
# made (as a `listener`, or a `tcp` socket it bound or listened on), or the port
# the engine holds closed. A pair's or an accepted socket's port is not one.
_TCP_TARGETS = ("listener", "tcp", "reserved")


def owned_target(ctx: Context, name: str, target: str, family: str, host: str, call: str) -> None:
    """A port number is the probe's only for one protocol and one address family: the
    same number in the other protocol or family may be another program's service.
    So ``call`` from socket ``name`` goes only to socket ``target`` of the same
    protocol and family, at an address that socket is bound to."""
    import ipaddress

    protocol = "udp" if ctx.kinds.get(name) == "udp" else "tcp"
    theirs = "udp" if ctx.kinds.get(target) == "udp" else "tcp"
    bound = str(ctx.bound_address(target)[0])
    their_family = "ipv6" if ":" in bound else "ipv4"
    refused = None
    if (protocol, family) != (theirs, their_family):
        refused = f"is a {theirs}/{their_family} socket; {name!r} is {protocol}/{family}"
    elif protocol == "tcp" and ctx.kinds.get(target) not in _TCP_TARGETS:
        refused = "is not a listener the probe created (nor a TCP socket it holds bound)"
    else:
        wanted, held = ipaddress.ip_address(host), ipaddress.ip_address(bound)
        if wanted.version != held.version or not (
            wanted == held or held.is_unspecified or wanted.is_unspecified
        ):
            refused = f"is bound to {bound}, not to {host}"
    if refused is not None:
        raise HarnessError(
            f"{call} to {target!r} refused: it {refused}; a probe reaches only its own "
            "sockets, by protocol, address family and port"
        )


def peer_problem(peer: object) -> str | None:
    """Why a connection or datagram from ``peer`` must be refused (None: loopback)."""
    problem = foreign_peer(peer)
    return None if problem is None else f"refused at once: {problem}"


def datagram_problem(size: int, peer: object) -> str | None:
    """Why a recvfrom() result of ``size`` bytes from ``peer`` must be refused.

    0 bytes with no sender is no datagram: it is how a UDP receive ends after
    shutdown(SHUT_RD) on Linux (the kernel fills in no address: recvfrom's
    address length stays 0), so there is nobody to refuse. A datagram that
    arrived, empty or not, always carries its sender's address."""
    if size == 0 and peer is None:
        return None
    return peer_problem(peer)
