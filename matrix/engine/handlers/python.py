"""Operation handlers through CPython's socket module: the ``--api python`` view.

This is what a Python program sees, which is not always what the OS does:
CPython retries calls that fail with EINTR (and, on Windows, WSAEINTR),
ignores ECONNRESET from close(), waits in poll()/select() before a call on a
socket with a timeout and throws a handle away when closesocket() fails
(Modules/socketmodule.c: sock_call_ex, sock_close). Results from this view are
labelled as such (``-py-api`` in the platform key).
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time
from typing import TYPE_CHECKING, Any

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
_INT = struct.Struct("=i")


def _msg(name: str) -> int | None:
    value = getattr(socket, "MSG_" + name, None)
    return None if value is None else int(value)


def _family(sock: socket.socket) -> str:
    return "ipv6" if sock.family == socket.AF_INET6 else "ipv4"


def op_send(ctx: Context, step: Step) -> Result:
    flags = common.flag_bits(step, _msg, SEND_FLAG_NAMES)
    sent = ctx.sock(step).send(common.payload(step), flags)
    return f"{sent} bytes", {"bytes": sent}


def op_sendall(ctx: Context, step: Step) -> Result:
    data = common.payload(step)
    ctx.sock(step).sendall(data)
    return "ok", {"bytes": len(data)}


def op_fill(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    limit = int(step.get("limit", MAX_BYTES))
    chunk = b"f" * 4096
    total = 0
    saved_timeout = sock.gettimeout()
    sock.setblocking(False)
    try:
        would_block_in_a_row = 0
        while total < limit and would_block_in_a_row < 2:
            try:
                total += sock.send(chunk[: limit - total])
                would_block_in_a_row = 0
            except BlockingIOError:
                # The kernel may still move queued bytes into the peer's
                # receive buffer; only a second refusal means full.
                would_block_in_a_row += 1
                time.sleep(0.05)
    finally:
        sock.settimeout(saved_timeout)
    return "send buffer full" if total < limit else "limit reached", {"bytes": total}


def op_recv(ctx: Context, step: Step) -> Result:
    flags = common.flag_bits(step, _msg, RECV_FLAG_NAMES)
    size = int(step.get("bytes", 65536))
    if ctx.is_datagram(step):
        data = _datagram(ctx.sock(step), size, flags)
    else:
        data = ctx.sock(step).recv(size, flags)
    return common.received_summary(ctx, step, len(data)), {"bytes": len(data)}


def _datagram(sock: socket.socket, size: int, flags: int) -> bytes:
    """A datagram received with its sender, which must be on loopback."""
    data, peer = sock.recvfrom(size, flags)
    if (problem := endpoints.datagram_problem(len(data), peer)) is not None:
        raise HarnessError(f"a datagram of {len(data)} bytes was dropped, {problem}")
    return bytes(data)


def op_drain(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    if ctx.is_datagram(step):
        return common.drain(ctx, step, lambda size: _datagram(sock, size, 0))
    return common.drain(ctx, step, sock.recv)


def op_close(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    # CPython forgets the number before it closes (sock_close); a select/poll
    # step with allow_closed passes the number a program could have kept.
    ctx.closed_numbers.setdefault(step["socket"], sock.fileno())
    sock.close()
    return "ok", {}


def op_shutdown(ctx: Context, step: Step) -> Result:
    ctx.sock(step).shutdown(common.SHUTDOWN_HOW[step["how"]])
    return "ok", {}


def op_connect(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    try:
        sock.connect(endpoints.connect_target(ctx, step, _family(sock)))
    finally:
        remember_endpoint(ctx, step["socket"], sock.getsockname)
    return endpoints.connected(step, sock.getpeername)


def op_accept(ctx: Context, step: Step) -> Result:
    accepted, peer = ctx.sock(step).accept()
    if (problem := endpoints.peer_problem(peer)) is not None:
        # SO_LINGER {on, 0}: the peer gets a reset at once, not an orderly close.
        with contextlib.suppress(OSError):
            accepted.setsockopt(*encode_linger(True, 0, ctx.family))
        accepted.close()
        raise HarnessError(f"accept() took a connection that was reset and closed, {problem}")
    ctx.add(step["as"], accepted, "accepted")
    remember_endpoint(ctx, step["as"], accepted.getsockname)
    return "ok", {}


def op_bind(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)

    def bind() -> tuple[Any, ...]:
        for level, optname, value in endpoints.bind_options(ctx, step):
            sock.setsockopt(level, optname, value)
        sock.bind(endpoints.bind_target(ctx, step, _family(sock)))
        return tuple(sock.getsockname())

    endpoints.bound(ctx, step, bind)
    return "ok", {}


def op_listen(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    sock.listen(int(step.get("backlog", 8)))
    # listen() on an unbound socket binds it (not on Windows): see endpoints.listened.
    return endpoints.listened(ctx, step, tuple(sock.getsockname()))


def op_setsockopt(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    common.check_setsockopt(ctx, step)
    if "linger" in step:
        linger = step["linger"]
        sock.setsockopt(*encode_linger(linger["on"], linger["seconds"], ctx.family))
    elif "raw" in step:
        raw = step["raw"]
        sock.setsockopt(*common.option(ctx, step), struct.pack(raw["format"], *raw["values"]))
    elif "duration" in step:
        sock.setsockopt(*common.option(ctx, step), encode_duration(step["duration"], ctx.family))
    else:
        sock.setsockopt(*common.option(ctx, step), int(step["value"]))
    ctx.note_option(step)
    return "ok", {}


def op_getsockopt(ctx: Context, step: Step) -> Result:
    sock = ctx.sock(step)
    decode = step.get("decode", "int")
    if decode == "linger":
        level, optname, _ = encode_linger(False, 0, ctx.family)
        data = sock.getsockopt(level, optname, linger_size(ctx.family))
        return common.linger_summary(decode_linger(data, ctx.family))
    if decode == "duration":
        seconds = decode_duration(sock.getsockopt(*common.option(ctx, step), 16), ctx.family)
        return f"{seconds:g} s", {"seconds": seconds}
    if "raw" in step:
        # Ask for more than the format needs: the OS says how much it filled in
        # (Winsock's linger is 4 bytes where POSIX's is 8).
        return common.raw_summary(
            step["raw"]["format"], sock.getsockopt(*common.option(ctx, step), 32)
        )
    if step.get("length"):
        # With a buffer size CPython hands back the bytes the OS wrote (without
        # one it reads them into an int and drops the length).
        data = sock.getsockopt(*common.option(ctx, step), _INT.size)
        (value,) = _INT.unpack(data.ljust(_INT.size, b"\0")[: _INT.size])
    else:
        data, value = None, sock.getsockopt(*common.option(ctx, step))
    result = (
        common.errno_summary(value, ctx.family)
        if decode == "errno"
        else (str(value), {"value": value})
    )
    return result if data is None else common.with_length(step, result, len(data))


def op_setblocking(ctx: Context, step: Step) -> Result:
    ctx.sock(step).setblocking(bool(step["blocking"]))
    return "ok", {}


def op_settimeout(ctx: Context, step: Step) -> Result:
    ctx.sock(step).settimeout(step["seconds"])
    return "ok", {}


def op_dup(ctx: Context, step: Step) -> Result:
    copy = ctx.sock(step).dup()
    ctx.add(step["as"], copy, ctx.kinds[step["socket"]])
    ctx.bound.setdefault(step["as"], ctx.bound.get(step["socket"], ()))
    return "ok", {}


def op_sendto(ctx: Context, step: Step) -> Result:
    flags = common.flag_bits(step, _msg, SEND_FLAG_NAMES)
    sent = ctx.sock(step).sendto(common.payload(step), flags, endpoints.sendto_target(ctx, step))
    return f"{sent} bytes", {"bytes": sent}


def op_recvfrom(ctx: Context, step: Step) -> Result:
    flags = common.flag_bits(step, _msg, RECV_FLAG_NAMES)
    sock = ctx.sock(step)
    size = int(step.get("bytes", 65536))
    if sock.type == socket.SOCK_DGRAM:
        data = _datagram(sock, size, flags)
    else:  # a stream socket's sender is its connected peer, checked when it was made
        data, _ = sock.recvfrom(size, flags)
    return f"{len(data)} bytes", {"bytes": len(data)}


def _watched(ctx: Context, step: Step, name: str, stale: dict[str, int]) -> Any:
    """What a Python program hands select/poll for socket ``name``: the socket
    object, or for one the probe closed (allow_closed only) the number it had."""
    sock = ctx.named(name)
    if sock.fileno() != -1:
        return sock
    if step.get("allow_closed") and name in ctx.closed_numbers:
        stale[name] = ctx.closed_numbers[name]
        return stale[name]
    raise HarnessError(
        f"{step['op']}() on socket {name!r}, which this probe already closed: say "
        "allow_closed: true to pass the number it had"
    )


def op_select(ctx: Context, step: Step) -> Result:
    stale: dict[str, int] = {}
    lists = [
        [_watched(ctx, step, n, stale) for n in step.get(key, [])] for key in common.SELECT_SETS
    ]
    names = {id(sock): name for name, sock in ctx.sockets.items()}
    names.update({id(number): name for name, number in stale.items()})
    timeout = float(step["timeout"])
    ready = common.stale_numbers_checked(
        stale, lambda: select.select(lists[0], lists[1], lists[2], timeout)
    )
    return common.select_text([sorted(names[id(sock)] for sock in group) for group in ready])


# POLLRDNORM/POLLWRNORM are left out: they repeat IN and OUT on Linux.
_POLL_NAMES = ("IN", "PRI", "OUT", "ERR", "HUP", "NVAL", "RDHUP")


def _poll_flags(revents: int) -> list[str]:
    """Names of the poll flags set in ``revents``, by this platform's values."""
    return [
        name
        for name in _POLL_NAMES
        if (value := getattr(select, "POLL" + name, None)) and revents & value
    ]


def op_poll(ctx: Context, step: Step) -> Result:
    if not hasattr(select, "poll"):
        # Windows: Python offers no poll() (WSAPoll is not exposed).
        raise Unsupported("select.poll does not exist on this platform")
    events = 0
    for name in common.poll_request(step):
        flag = getattr(select, "POLL" + name, None)
        if flag is None:
            raise Unsupported(f"POLL{name} does not exist on this platform")
        events |= flag
    poller = select.poll()
    fds: dict[int, str] = {}
    stale: dict[str, int] = {}
    for name in step["sockets"]:
        watched = _watched(ctx, step, name, stale)
        fd = watched if isinstance(watched, int) else watched.fileno()
        fds[fd] = name
        poller.register(fd, events)
    timeout_ms = float(step["timeout"]) * 1000
    results = common.stale_numbers_checked(stale, lambda: poller.poll(timeout_ms))
    return common.poll_text({fds.get(fd, str(fd)): _poll_flags(rev) for fd, rev in results})


def op_getpeername(ctx: Context, step: Step) -> Result:
    ctx.sock(step).getpeername()
    return "ok", {}


HANDLERS: dict[str, common.Handler] = {
    name[3:]: handler for name, handler in globals().items() if name.startswith("op_")
}
HANDLERS["sleep"] = common.op_sleep
HANDLERS.update(STATE_HANDLERS)


def close_quietly(sock: socket.socket) -> None:
    """Cleanup: shutdown and close, ignoring errors (the probe is over)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
