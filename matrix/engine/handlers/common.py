"""What both APIs' handlers share: payloads, summaries, addresses, flags.

A handler takes the probe's :class:`~matrix.engine.context.Context` and one step and
returns ``(summary, value)``; raising is an observation (see ``_engine``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from matrix.engine.context import Context, HarnessError, Unsupported
from matrix.engine.errno.portable import describe_exception

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.language.probe_types import SetValueArg, Step

Handler = Callable[[Context, "Step"], tuple[str, dict[str, Any]]]
SHUTDOWN_HOW = {"RD": 0, "WR": 1, "RDWR": 2}  # SHUT_* and SD_* alike on every OS here
# select()'s three sets, as a step names them and in the order the call takes them.
SELECT_SETS: tuple[Literal["read", "write", "exceptional"], ...] = ("read", "write", "exceptional")
# How a setsockopt step gives its value: exactly one of these.
SET_VALUE_ARGS: tuple[SetValueArg, ...] = ("value", "linger", "duration", "raw")


def payload(step: Step) -> bytes:
    if "data" in step:
        return str(step["data"]).encode("utf-8")
    return b"x" * int(step["bytes"])


def received_summary(ctx: Context, step: Step, count: int) -> str:
    """A stream's 0 is EOF; a datagram socket's 0 is an empty datagram; and the 0 of
    a recv that asked for 0 bytes says nothing about EOF (recv(2), Linux
    man-pages: "The value 0 may also be returned if the requested number of
    bytes to receive from a stream socket was 0")."""
    if count == 0 and not ctx.is_datagram(step) and int(step.get("bytes", 65536)) > 0:
        return "EOF"
    return f"{count} bytes"


def drain(ctx: Context, step: Step, recv: Callable[[int], bytes]) -> tuple[str, dict[str, Any]]:
    """Receive until EOF or an error, with ``recv`` of either API; the error ends the drain."""
    received = 0
    try:
        while data := recv(65536):
            received += len(data)
    except OSError as exc:
        ended = describe_exception(exc, ctx.family)
        summary = drain_summary(ctx, step, received, ended["portable"])
        return summary, {"bytes": received, "ended": ended}
    return drain_summary(ctx, step, received, "EOF"), {"bytes": received, "ended": "EOF"}


def drain_summary(ctx: Context, step: Step, received: int, ending: str) -> str:
    if "of" not in step:
        return f"{received} bytes, then {ending}"
    expected = sum(ctx.runs[name].value.get("bytes", 0) for name in step["of"])
    if received == 0:
        amount = "no data"
    elif received == expected:
        amount = "all data"
    elif received < expected:
        amount = "part of the data"
    else:
        amount = "more data than sent"
    return f"{amount}, then {ending}"


def option(ctx: Context, step: Step) -> tuple[int, int]:
    """(level, optname) of the step's option here (allow-listed), or unsupported."""
    from matrix.language.option_allowlist import OptionRefused, resolve

    try:
        constants = resolve(step["option"], ctx.family)
    except OptionRefused as exc:
        raise HarnessError(str(exc)) from None
    if constants is None:
        raise Unsupported(f"{step['option']} does not exist on this platform")
    return constants


def allowed_option(ctx: Context, name: str, how: str, value: Any) -> tuple[int, int] | None:
    """The allow-list, checked again right before setsockopt()."""
    from matrix.language.option_allowlist import OptionRefused, checked_set, resolve

    try:
        checked_set(name, how, value)
        return resolve(name, ctx.family)
    except OptionRefused as exc:
        raise HarnessError(str(exc)) from None


def check_setsockopt(ctx: Context, step: Step) -> None:
    how = next(k for k in SET_VALUE_ARGS if k in step)
    allowed_option(ctx, step.get("option", "SO_LINGER"), how, step[how])


def flag_bits(step: Step, lookup: Callable[[str], int | None], allowed: tuple[str, ...]) -> int:
    """The MSG_* bits a step asks for; a flag the platform lacks is unsupported.

    ``allowed`` is what validation allowed for the call (RECV_FLAG_NAMES or
    SEND_FLAG_NAMES); it is checked again here, for both APIs, so that a probe
    that skipped validation cannot send MSG_DONTROUTE, MSG_FASTOPEN or any other bit.
    """
    flags = 0
    for name in step.get("flags", []):
        if name not in allowed:
            raise HarnessError(f"flag {str(name)[:32]!r} is not allowed for this call")
        value = lookup(name)
        if value is None:
            raise Unsupported(f"MSG_{name} does not exist on this platform")
        flags |= value
    return flags


def poll_request(step: Step) -> list[str]:
    """The events a poll step asks for, checked again here for both APIs.

    ERR, HUP and NVAL are results only (see matrix.language.ops_readiness):
    validation refuses them, and a probe that skipped validation must not pass
    them to WSAPoll, which fails on them, or to poll(), which ignores them.
    """
    from matrix.language.ops_readiness import POLL_REQUEST_EVENTS, POLL_RESULT_ONLY_REASON

    wanted = list(step.get("events", ["IN", "OUT"]))
    for name in wanted:
        if name not in POLL_REQUEST_EVENTS:
            raise HarnessError(f"POLL{str(name)[:16]} {POLL_RESULT_ONLY_REASON}")
    return wanted


def with_length(
    step: Step, result: tuple[str, dict[str, Any]], length: int
) -> tuple[str, dict[str, Any]]:
    """A getsockopt result, with the option length the OS handed back if the step asks."""
    if not step.get("length"):
        return result
    summary, value = result
    unit = "byte" if length == 1 else "bytes"
    return f"{summary}, {length} {unit}", {**value, "length": length}


def number_in_use(number: int) -> bool:
    """Whether descriptor number ``number`` names an open descriptor (a socket, on
    Windows) right now: the harness's check around a select/poll step that passes
    the number of a socket the probe closed (allow_closed). Not an observation.

    POSIX: fstat() fails with EBADF only on a number that is not open. Windows: a
    SOCKET is a handle, and getsockopt(SO_TYPE) succeeds only on a socket
    (Microsoft Learn, getsockopt: WSAENOTSOCK "The descriptor is not a socket");
    a non-socket handle that took the value is no socket to select() either
    ("WSAENOTSOCK One of the descriptor sets contains an entry that is not a
    socket", select function).
    """
    import sys

    if sys.platform == "win32":
        import ctypes

        from matrix.language.option_allowlist import resolve

        constants = resolve("SO_TYPE", "windows")
        if constants is None:
            raise HarnessError("the allow-list has no Windows number for SO_TYPE")
        level, optname = constants
        getsockopt = ctypes.WinDLL("ws2_32").getsockopt  # type: ignore[attr-defined]
        getsockopt.argtypes = [ctypes.c_uint64, ctypes.c_int, ctypes.c_int]
        getsockopt.argtypes += [ctypes.c_void_p, ctypes.c_void_p]
        buffer, size = ctypes.create_string_buffer(4), ctypes.c_int(4)
        return bool(getsockopt(number, level, optname, buffer, ctypes.byref(size)) == 0)
    import errno
    import os

    try:
        os.fstat(number)
    except OSError as exc:
        return exc.errno != errno.EBADF
    return True


def stale_numbers_checked(numbers: dict[str, int], call: Callable[[], Any]) -> Any:
    """Run ``call`` (a select or poll passing the numbers of closed sockets) only if
    no number is in use, and check again after it: a number taken meanwhile would
    make the OS's answer one about another descriptor, so it is a harness error."""

    def check(when: str) -> None:
        taken = sorted(name for name, number in numbers.items() if number_in_use(number))
        if taken:
            raise HarnessError(
                f"the number of closed socket(s) {', '.join(map(repr, taken))} was in use "
                f"{when} the call: it names another descriptor, so there is no answer "
                "about a closed one to record"
            )

    check("before")
    try:
        return call()
    finally:
        check("after")


def select_text(reported: list[list[str]]) -> tuple[str, dict[str, Any]]:
    text = " ".join(
        f"{label}=[{','.join(group)}]"
        for label, group in zip(("r", "w", "x"), reported, strict=True)
    )
    return text, {"read": reported[0], "write": reported[1], "exceptional": reported[2]}


def poll_text(flags: dict[str, list[str]]) -> tuple[str, dict[str, Any]]:
    text = " ".join(f"{name}={'|'.join(f) or '0'}" for name, f in sorted(flags.items()))
    return text or "nothing", {"flags": flags}


def errno_summary(value: int, family: str) -> tuple[str, dict[str, Any]]:
    from matrix.engine.errno.portable import raw_name
    from matrix.language.error_names import portable_name

    if value == 0:
        return "0", {"value": 0, "name": None}
    raw = raw_name(value, family)
    return portable_name(raw), {"value": value, "name": raw}


def linger_summary(linger: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    text = f"on, {linger['seconds']} s" if linger["on"] else "off"
    return text, {"linger": linger}


def raw_summary(fmt: str, data: bytes) -> tuple[str, dict[str, Any]]:
    import struct

    padded = data.ljust(struct.calcsize(fmt), b"\0")
    values = list(struct.unpack_from(fmt, padded))
    return f"{values} from {len(data)} bytes", {"raw": values, "length": len(data)}


def op_sleep(ctx: Context, step: Step) -> tuple[str, dict[str, Any]]:
    seconds = step["seconds"]
    if seconds is None:  # only settimeout's may be null: validation refuses it here
        raise HarnessError("sleep needs a number of seconds")
    time.sleep(float(seconds))
    return "ok", {}
