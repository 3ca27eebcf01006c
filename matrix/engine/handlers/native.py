"""Operation handlers through the C API on raw descriptors: the default view.

Each handler makes the C call a C program would make (``_native.NativeApi``)
and reports the error of that very call. Loops that a C program would write
itself (sendall, fill, drain) are written here the same way: no retry on
EINTR, no waiting in poll() first.
"""

from __future__ import annotations

import contextlib
import struct
import time
from typing import TYPE_CHECKING, Any

from matrix.engine.abi import layout as _abi
from matrix.engine.abi.native_api import NativeApi, NativeSocket
from matrix.engine.abi.option_encodings import (
    decode_duration,
    decode_linger,
    encode_duration,
    encode_linger,
    linger_size,
)
from matrix.engine.context import Context, HarnessError, Unsupported
from matrix.engine.handlers import common, endpoints
from matrix.engine.handlers.states import HANDLERS as STATE_HANDLERS
from matrix.engine.handlers.states import remember_endpoint
from matrix.language.arguments import RECV_FLAG_NAMES, SEND_FLAG_NAMES
from matrix.language.operations import MAX_BYTES

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import Step

Result = tuple[str, dict[str, Any]]
INT = struct.Struct("=i")


def _api(ctx: Context) -> NativeApi:
    api: NativeApi = ctx.native
    return api


def _flags(ctx: Context, step: Step, allowed: tuple[str, ...]) -> int:
    return common.flag_bits(step, lambda name: _api(ctx).abi.msg.get(name), allowed)


def op_send(ctx: Context, step: Step) -> Result:
    sent = _api(ctx).send(ctx.sock(step), common.payload(step), _flags(ctx, step, SEND_FLAG_NAMES))
    return f"{sent} bytes", {"bytes": sent}


def op_sendall(ctx: Context, step: Step) -> Result:
    data = common.payload(step)
    sock, api = ctx.sock(step), _api(ctx)
    view = memoryview(data)
    while view:
        view = view[api.send(sock, bytes(view)) :]
    return "ok", {"bytes": len(data)}


def op_fill(ctx: Context, step: Step) -> Result:
    sock, api = ctx.sock(step), _api(ctx)
    limit = int(step.get("limit", MAX_BYTES))
    chunk = b"f" * 4096
    total = 0
    was_blocking = api.get_blocking(sock)
    api.set_blocking(sock, False)
    try:
        would_block_in_a_row = 0
        while total < limit and would_block_in_a_row < 2:
            try:
                total += api.send(sock, chunk[: limit - total])
                would_block_in_a_row = 0
            except OSError as exc:
                if (getattr(exc, "winerror", None) or exc.errno) not in api.abi.would_block:
                    raise
                # Only a second refusal 50 ms later means the buffers are full.
                would_block_in_a_row += 1
                time.sleep(0.05)
    finally:
        api.set_blocking(sock, was_blocking is not False)
    return "send buffer full" if total < limit else "limit reached", {"bytes": total}


def op_recv(ctx: Context, step: Step) -> Result:
    size, flags = int(step.get("bytes", 65536)), _flags(ctx, step, RECV_FLAG_NAMES)
    if ctx.is_datagram(step):
        data = _datagram(ctx, ctx.sock(step), size, flags)
    else:
        data = _api(ctx).recv(ctx.sock(step), size, flags)
    return common.received_summary(ctx, step, len(data)), {"bytes": len(data)}


def _datagram(ctx: Context, sock: NativeSocket, size: int, flags: int) -> bytes:
    """A datagram received with its sender, which must be on loopback. recv() on a
    UDP socket is recvfrom() with a null address (POSIX recv(): "equivalent to
    recvfrom() with null pointer address and address_len arguments"), so asking
    for the sender changes nothing the OS does."""
    data, peer = _api(ctx).recvfrom(sock, size, flags)
    if (problem := endpoints.datagram_problem(len(data), peer)) is not None:
        raise HarnessError(f"a datagram of {len(data)} bytes was dropped, {problem}")
    return data


def op_drain(ctx: Context, step: Step) -> Result:
    sock, api = ctx.sock(step), _api(ctx)
    if ctx.is_datagram(step):
        return common.drain(ctx, step, lambda size: _datagram(ctx, sock, size, 0))
    return common.drain(ctx, step, lambda size: api.recv(sock, size))


def op_close(ctx: Context, step: Step) -> Result:
    _api(ctx).close(ctx.sock(step))
    return "ok", {}


def op_shutdown(ctx: Context, step: Step) -> Result:
    _api(ctx).shutdown(ctx.sock(step), common.SHUTDOWN_HOW[step["how"]])
    return "ok", {}


def op_connect(ctx: Context, step: Step) -> Result:
    sock: NativeSocket = ctx.sock(step)
    try:
        _api(ctx).connect(sock, *endpoints.connect_target(ctx, step, sock.family))
    finally:
        remember_endpoint(ctx, step["socket"], lambda: _api(ctx).getsockname(sock))
    return endpoints.connected(step, lambda: _api(ctx).getpeername(sock))


def op_accept(ctx: Context, step: Step) -> Result:
    listener: NativeSocket = ctx.sock(step)
    handle, peer = _api(ctx).accept(listener)
    # Whether the new socket is nonblocking is the OS's decision (a probe
    # observes it); only Winsock, which cannot be asked, inherits our record.
    inherited = listener.blocking if _api(ctx).windows else None
    accepted = NativeSocket(handle, listener.family, "stream", inherited)
    if (problem := endpoints.peer_problem(peer)) is not None:
        _reset(ctx, accepted)
        raise HarnessError(f"accept() took a connection that was reset and closed, {problem}")
    ctx.add(step["as"], accepted, "accepted")
    remember_endpoint(ctx, step["as"], lambda: _api(ctx).getsockname(accepted))
    return "ok", {}


def op_bind(ctx: Context, step: Step) -> Result:
    sock: NativeSocket = ctx.sock(step)
    api = _api(ctx)

    def bind() -> tuple[str, int]:
        for level, optname, value in endpoints.bind_options(ctx, step):
            api.setsockopt(sock, level, optname, INT.pack(value))
        api.bind(sock, *endpoints.bind_target(ctx, step, sock.family))
        return api.getsockname(sock)

    endpoints.bound(ctx, step, bind)
    return "ok", {}


def op_listen(ctx: Context, step: Step) -> Result:
    sock: NativeSocket = ctx.sock(step)
    api = _api(ctx)
    api.listen(sock, int(step.get("backlog", 8)))
    # listen() on an unbound socket binds it (not on Windows): see endpoints.listened.
    return endpoints.listened(ctx, step, api.getsockname(sock))


def op_setsockopt(ctx: Context, step: Step) -> Result:
    sock, api = ctx.sock(step), _api(ctx)
    common.check_setsockopt(ctx, step)
    if "linger" in step:
        linger = step["linger"]
        api.setsockopt(sock, *encode_linger(linger["on"], linger["seconds"], ctx.family))
    elif "raw" in step:
        raw = step["raw"]
        api.setsockopt(sock, *common.option(ctx, step), struct.pack(raw["format"], *raw["values"]))
    elif "duration" in step:
        api.setsockopt(
            sock, *common.option(ctx, step), encode_duration(step["duration"], ctx.family)
        )
    else:
        api.setsockopt(sock, *common.option(ctx, step), INT.pack(int(step["value"])))
    ctx.note_option(step)
    return "ok", {}


def op_getsockopt(ctx: Context, step: Step) -> Result:
    sock, api = ctx.sock(step), _api(ctx)
    decode = step.get("decode", "int")
    if decode == "linger":
        level, optname, _ = encode_linger(False, 0, ctx.family)
        data = api.getsockopt(sock, level, optname, linger_size(ctx.family))
        return common.linger_summary(decode_linger(data, ctx.family))
    if decode == "duration":
        seconds = decode_duration(api.getsockopt(sock, *common.option(ctx, step), 16), ctx.family)
        return f"{seconds:g} s", {"seconds": seconds}
    if "raw" in step:
        data = api.getsockopt(sock, *common.option(ctx, step), 32)
        return common.raw_summary(step["raw"]["format"], data)
    data = api.getsockopt(sock, *common.option(ctx, step), INT.size)
    # Some options fill in less than an int (a BOOL byte on Windows): the
    # buffer starts zeroed, and the length the call handed back is kept.
    (value,) = INT.unpack(data.ljust(INT.size, b"\0")[: INT.size])
    if decode == "errno":
        return common.with_length(step, common.errno_summary(value, ctx.family), len(data))
    return common.with_length(step, (str(value), {"value": value}), len(data))


def op_setblocking(ctx: Context, step: Step) -> Result:
    _api(ctx).set_blocking(ctx.sock(step), bool(step["blocking"]))
    return "ok", {}


def op_settimeout(ctx: Context, step: Step) -> Result:
    raise Unsupported(
        "settimeout() is CPython's own timeout (a nonblocking socket plus poll() before "
        "each call); the C API has no such mode: use SO_RCVTIMEO, or run with --api python"
    )


def op_dup(ctx: Context, step: Step) -> Result:
    sock: NativeSocket = ctx.sock(step)
    handle = _api(ctx).dup(sock)
    ctx.add(
        step["as"],
        NativeSocket(handle, sock.family, sock.kind, sock.blocking),
        ctx.kinds[step["socket"]],
    )
    ctx.bound.setdefault(step["as"], ctx.bound.get(step["socket"], ()))
    return "ok", {}


def op_sendto(ctx: Context, step: Step) -> Result:
    host, port = endpoints.sendto_target(ctx, step)
    sent = _api(ctx).sendto(
        ctx.sock(step), common.payload(step), host, port, _flags(ctx, step, SEND_FLAG_NAMES)
    )
    return f"{sent} bytes", {"bytes": sent}


def op_recvfrom(ctx: Context, step: Step) -> Result:
    size, flags = int(step.get("bytes", 65536)), _flags(ctx, step, RECV_FLAG_NAMES)
    sock: NativeSocket = ctx.sock(step)
    if sock.kind == "dgram":
        data = _datagram(ctx, sock, size, flags)
    else:  # a stream socket's sender is its connected peer, checked when it was made
        data, _ = _api(ctx).recvfrom(sock, size, flags)
    return f"{len(data)} bytes", {"bytes": len(data)}


def _reset(ctx: Context, sock: NativeSocket) -> None:
    """Close with SO_LINGER {on, 0}: the peer gets a reset at once, not an orderly close."""
    api = _api(ctx)
    with contextlib.suppress(OSError):
        api.setsockopt(sock, *encode_linger(True, 0, ctx.family))
    with contextlib.suppress(OSError):
        api.close(sock)


def _open_handle(ctx: Context, step: Step, name: str, stale: dict[str, int]) -> int:
    """The descriptor of socket ``name`` for poll()/select(), which must still be open
    unless the step says ``allow_closed``: then the number the socket had is
    passed, and kept in ``stale`` for the checks around the call.

    After close the number is no longer the probe's: a C program passing it on
    gets POLLNVAL/EBADF only while nothing reused it, and the layer's stand-in
    (-1 or INVALID_SOCKET) means something else again: poll(2) ignores a
    negative fd ("the corresponding events field is ignored and the revents
    field returns zero"), WSAPoll ignores it too and fails with WSAEINVAL when
    no entry is valid (Microsoft Learn, WSAPOLLFD and WSAPoll), and no fd_set
    holds -1. None of these is the OS's answer about the socket, so without
    allow_closed the step is refused (a harness error) instead of recorded.
    """
    sock: NativeSocket = ctx.named(name)
    if sock.closed and step.get("allow_closed"):
        stale[name] = sock.handle
    elif sock.closed:
        call = step["op"]
        raise HarnessError(
            f"{call}() on socket {name!r}, which this probe already closed: its number "
            "is no longer the probe's (it may be reused), so there is no OS answer to "
            f"record; call {call}() before the close, e.g. from another thread, or say "
            "allow_closed: true to pass the number it had"
        )
    return sock.handle


def op_select(ctx: Context, step: Step) -> Result:
    names: dict[int, str] = {}
    groups: list[list[int]] = []
    stale: dict[str, int] = {}
    for key in common.SELECT_SETS:
        handles = []
        for name in step.get(key, []):
            handle = _open_handle(ctx, step, name, stale)
            names[handle] = name
            handles.append(handle)
        groups.append(handles)
    timeout = float(step["timeout"])
    _count, ready = common.stale_numbers_checked(stale, lambda: _api(ctx).select(groups, timeout))
    return common.select_text([sorted(names[h] for h in group) for group in ready])


def op_poll(ctx: Context, step: Step) -> Result:
    api = _api(ctx)
    wanted = common.poll_request(step)
    events = _abi.poll_events(api.abi, wanted)
    if events is None:
        missing = next(n for n in wanted if api.abi.poll.get(n) is None)
        # Worded as the Python view words it, so the two views stay comparable.
        raise Unsupported(f"POLL{missing} does not exist on this platform")
    names = list(step["sockets"])
    stale: dict[str, int] = {}
    handles = [_open_handle(ctx, step, n, stale) for n in names]
    timeout_ms = round(float(step["timeout"]) * 1000)
    revents = common.stale_numbers_checked(stale, lambda: api.poll(handles, events, timeout_ms))
    return common.poll_text(
        {n: _abi.poll_flag_names(api.abi, r) for n, r in zip(names, revents, strict=True) if r}
    )


def op_getpeername(ctx: Context, step: Step) -> Result:
    _api(ctx).getpeername(ctx.sock(step))
    return "ok", {}


HANDLERS: dict[str, common.Handler] = {
    name[3:]: handler for name, handler in globals().items() if name.startswith("op_")
}
HANDLERS["sleep"] = common.op_sleep
HANDLERS.update(STATE_HANDLERS)
