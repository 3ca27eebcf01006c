"""Handlers of tcp_state, connection_state and sigpipe, for both APIs.

The work is in ``tcpstate`` (states) and ``sigpipe``; this module only
adapts the probe's socket to them: the native API's getsockopt on the raw
descriptor, or CPython's. Their modules are imported when a step runs, so a
probe that uses none of them starts without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from matrix.engine.context import Context, Unsupported

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import Probe, Step

Result = tuple[str, dict[str, Any]]


def _getsockopt_and_handle(ctx: Context, sock: Any) -> tuple[Callable[..., bytes], int]:
    if ctx.api == "native":
        api = ctx.native

        def getsockopt(level: int, optname: int, size: int) -> bytes:
            data: bytes = api.getsockopt(sock, level, optname, size)
            return data

        return getsockopt, int(api.handle(sock))
    return sock.getsockopt, int(sock.fileno())


def op_tcp_state(ctx: Context, step: Step) -> Result:
    from matrix.engine.tcpstate.steps import StateUnsupported, tcp_state

    getsockopt, handle = _getsockopt_and_handle(ctx, ctx.sock(step))
    try:
        return tcp_state(ctx.family, getsockopt, handle, step)
    except StateUnsupported as exc:
        raise Unsupported(str(exc)) from None


def op_connection_state(ctx: Context, step: Step) -> Result:
    from matrix.engine.tcpstate.steps import StateUnsupported, connection_state

    for key in ("socket", "peer"):
        # A socket whose accept never returned was never made: not reached.
        ctx.sock(step, key)
    local = ctx.bound_address(step["socket"])[:2]
    remote = ctx.bound_address(step["peer"])[:2]
    try:
        return connection_state(local, remote, step)
    except StateUnsupported as exc:
        raise Unsupported(str(exc)) from None


def op_sigpipe(ctx: Context, step: Step) -> Result:
    from matrix.engine.sigpipe import set_disposition

    if not set_disposition(step["disposition"]):
        raise Unsupported("this platform has no SIGPIPE")
    if step["disposition"] == "default":
        # A step may now kill the process: the engine announces each step so
        # the runner can say which one did (matrix.engine.sigpipe).
        ctx.announce_steps = True
    return "ok", {}


def remember_endpoint(ctx: Context, name: str, getsockname: Callable[[], Any]) -> None:
    """Record a connection's own address after connect/accept, for connection_state
    after a close (also after a nonblocking connect that is still in progress)."""
    try:
        address = getsockname()
    except OSError:
        return
    ctx.bound[name] = tuple(address)


def prepare(probe: Probe) -> None:
    """Before the first step: decide whether the state calls work here, on this
    process's own loopback connection, and pay their imports (psutil), so a
    slow first import or check never reads as a slow state change. Never raises:
    what cannot be used makes each state step ``unsupported``, with the reason."""
    ops = {step["op"] for step in probe["steps"]}
    if not ops & {"tcp_state", "connection_state"}:
        return
    import sys

    import matrix.engine.tcpstate.steps  # noqa: F401
    from matrix.language.os_families import os_family

    family = os_family(sys.platform)
    if "tcp_state" in ops:
        from matrix.engine.tcpstate.own_socket import prepare as prepare_own

        prepare_own(family)
    if "connection_state" in ops:
        from matrix.engine.tcpstate.conn_table import prepare as prepare_table

        for ipv6 in sorted({spec.get("family", "ipv4") == "ipv6" for spec in probe["sockets"]}):
            prepare_table(ipv6, family)


HANDLERS: dict[str, Callable[[Context, Step], Result]] = {
    "tcp_state": op_tcp_state,
    "connection_state": op_connection_state,
    "sigpipe": op_sigpipe,
}
