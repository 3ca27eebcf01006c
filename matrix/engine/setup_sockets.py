"""Create a probe's sockets before its steps run.

Setup goes through Python's socket module (creating, binding and connecting a
socket says nothing about the behaviours probed). With the native API the
descriptors are then detached: from that moment only the native layer uses
and closes them, and no Python object can close one behind the probe's back.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from matrix.engine.abi.option_encodings import encode_linger
from matrix.engine.context import Context, HarnessError, SetupUnavailable
from matrix.engine.handlers.common import allowed_option
from matrix.language.addresses import LOOPBACK
from matrix.language.budget import budget_problem

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import Probe, SocketOptions

FAMILIES = {"ipv4": socket.AF_INET, "ipv6": socket.AF_INET6}
POST_CONNECT_OPTIONS = ("blocking", "timeout")


def _new_socket(family_name: str, kind: int) -> socket.socket:
    try:
        return socket.socket(FAMILIES[family_name], kind)
    except OSError as exc:
        if family_name == "ipv6":
            raise SetupUnavailable(f"IPv6 is not available here: {exc}") from None
        raise


def _bind_loopback(sock: socket.socket, family_name: str) -> None:
    try:
        sock.bind((LOOPBACK[family_name], 0))
    except OSError as exc:
        if family_name == "ipv6":
            raise SetupUnavailable(f"cannot bind ::1: {exc}") from None
        raise


def _apply_options(
    ctx: Context, name: str, sock: socket.socket, options: SocketOptions, post: bool
) -> None:
    for key, value in options.items():
        if (key in POST_CONNECT_OPTIONS) != post:
            continue
        if key == "blocking":
            sock.setblocking(bool(value))
        elif key == "timeout":
            if ctx.api == "native" and value is not None:
                raise SetupUnavailable(
                    "the `timeout` option is CPython's own (poll() before each call); the C "
                    "API has no such mode: run with --api python"
                )
            sock.settimeout(value)
        elif key == "linger":
            sock.setsockopt(*encode_linger(value["on"], value["seconds"], ctx.family))
            ctx.note_linger(name, value["on"], value["seconds"])
        else:
            constants = allowed_option(ctx, key, "value", value)
            if constants is None:
                raise SetupUnavailable(f"{key} does not exist on this platform")
            sock.setsockopt(*constants, value)


def setup(ctx: Context, probe: Probe) -> None:
    """Create every socket of ``probe`` into ``ctx`` (Python objects for now)."""
    # Validation refuses this already; the engine does not trust its input.
    if (too_much := budget_problem(probe)) is not None:
        raise HarnessError(too_much)
    for spec in probe["sockets"]:
        family_name = spec.get("family", "ipv4")
        options = spec.get("options", {})
        if "pair" in spec:
            _setup_pair(ctx, spec["pair"], family_name, options)
        elif "listener" in spec:
            sock = _new_socket(family_name, socket.SOCK_STREAM)
            ctx.add(spec["listener"], sock, "listener")
            _apply_options(ctx, spec["listener"], sock, options, post=False)
            _bind_loopback(sock, family_name)
            sock.listen(int(spec.get("backlog", 8)))
            ctx.bound[spec["listener"]] = sock.getsockname()
            _apply_options(ctx, spec["listener"], sock, options, post=True)
        elif "tcp" in spec:
            sock = _new_socket(family_name, socket.SOCK_STREAM)
            ctx.add(spec["tcp"], sock, "tcp")
            _apply_options(ctx, spec["tcp"], sock, options, post=False)
            _apply_options(ctx, spec["tcp"], sock, options, post=True)
        else:
            sock = _new_socket(family_name, socket.SOCK_DGRAM)
            ctx.add(spec["udp"], sock, "udp")
            _apply_options(ctx, spec["udp"], sock, options, post=False)
            if spec.get("bind", True):
                _bind_loopback(sock, family_name)
                ctx.bound[spec["udp"]] = sock.getsockname()
            _apply_options(ctx, spec["udp"], sock, options, post=True)


def _setup_pair(
    ctx: Context, names: list[str], family_name: str, options: dict[str, SocketOptions]
) -> None:
    client_name, server_name = names
    client_options = options.get(client_name, {})
    server_options = options.get(server_name, {})
    listener = _new_socket(family_name, socket.SOCK_STREAM)
    try:
        # Set on the listener too: buffer sizes must be in place before the
        # handshake to shape the window, and accepted sockets inherit them.
        _apply_options(ctx, server_name, listener, server_options, post=False)
        _bind_loopback(listener, family_name)
        listener.listen(1)
        client = _new_socket(family_name, socket.SOCK_STREAM)
        ctx.add(client_name, client, "pair")
        _apply_options(ctx, client_name, client, client_options, post=False)
        client.connect(listener.getsockname())
        server, peer = listener.accept()
    finally:
        listener.close()
    if peer[:2] != client.getsockname()[:2]:
        # Another program connected to the pair's loopback listener first.
        server.close()
        raise HarnessError(f"the pair {names} was joined by a stranger at {peer[0]}:{peer[1]}")
    ctx.add(server_name, server, "pair")
    _apply_options(ctx, server_name, server, server_options, post=False)
    for name, sock, opts in (
        (client_name, client, client_options),
        (server_name, server, server_options),
    ):
        ctx.bound[name] = sock.getsockname()
        _apply_options(ctx, name, sock, opts, post=True)


def hand_over_to_native(ctx: Context) -> None:
    """Detach every socket: the native layer owns the descriptors from now on."""
    from matrix.engine.abi.native_api import NativeSocket

    for name, sock in list(ctx.sockets.items()):
        family = "ipv6" if sock.family == socket.AF_INET6 else "ipv4"
        kind = "dgram" if sock.type == socket.SOCK_DGRAM else "stream"
        blocking = sock.getblocking()
        ctx.sockets[name] = NativeSocket(sock.detach(), family, kind, blocking)
