"""Whether an ABI table matches the machine it is about to be used on: a capability check.

Rules of this module:
- CPython's ``socket``, ``select`` and ``errno`` modules were compiled against
  this machine's own headers, so every number they export is ground truth. The
  tables (``_abi_*``, ``_option_table``, ``_options``) are per OS, not per CPU
  architecture, and Linux's numbers are not the same on every architecture:
  arch/powerpc/include/uapi/asm/socket.h has "SO_RCVLOWAT 16", "SO_SNDLOWAT 17"
  and SO_RCVTIMEO/SO_SNDTIMEO 18/19 where asm-generic/socket.h has 18, 19, 20,
  21; alpha, mips, parisc and sparc use SOL_SOCKET 0xffff and BSD-style SO_*
  numbers; arch/sparc/include/uapi/asm/poll.h has "POLLRDHUP 2048" where
  asm-generic/poll.h has 0x2000.
- So before the native layer trusts a table, every number in it that Python
  also exports is compared, and the first difference is reported by name. No
  list of architectures is kept: a machine whose numbers match is fine
  whatever it is called, and one that differs is refused.
- A constant Python does not export is not checked (Windows' select module has
  no POLL* constants, macOS' socket module no SO_LINGER_SEC).
- Modules are passed in, so the tests feed in fakes with other OSes' numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from matrix.engine.abi.layout import Abi

# The names under which each error source's "would block" error is exported.
# POSIX: errno.EAGAIN and errno.EWOULDBLOCK. Windows: errno.EAGAIN is the CRT's
# 11, but a Winsock call reports WSAEWOULDBLOCK (10035) through WSAGetLastError.
_WOULD_BLOCK_NAMES = {
    "errno": ("EAGAIN", "EWOULDBLOCK"),
    "last_error": ("WSAEWOULDBLOCK",),
}


def _socket_expectations(abi: Abi, family: str) -> Iterator[tuple[str, int]]:
    """(socket-module name, the number the tables use) for ``abi`` on ``family``."""
    from matrix.engine.abi.option_encodings import LINGER_LAYOUTS, RAW_SO_LINGER
    from matrix.language.option_allowlist import KNOWN_OPTIONS, LEVEL_NAMES, LEVELS

    yield "AF_INET", abi.af_inet
    yield "AF_INET6", abi.af_inet6
    for name, value in abi.msg.items():
        if value is not None:
            yield f"MSG_{name}", value
    for level, numbers in LEVELS.items():
        if family in numbers:
            yield LEVEL_NAMES[level], numbers[family]
    for option in KNOWN_OPTIONS.values():
        if family in option.numbers:
            yield option.native.get(family, option.name), option.numbers[family]
    if family in LINGER_LAYOUTS:
        layout = LINGER_LAYOUTS[family]
        yield "SOL_SOCKET", layout.level
        yield layout.option, layout.optname
    if family in RAW_SO_LINGER:
        yield "SO_LINGER", RAW_SO_LINGER[family][0]


def _expectations(abi: Abi, family: str) -> Iterator[tuple[str, str, int]]:
    """(module, name, expected number) for every constant the tables rely on."""
    for name, value in _socket_expectations(abi, family):
        yield "socket", name, value
    for name, poll_value in abi.poll.items():
        if poll_value is not None:
            yield "select", f"POLL{name}", poll_value


def consistency_problem(
    abi: Abi,
    socket_module: Any,
    *,
    family: str | None = None,
    select_module: Any = None,
    errno_module: Any = None,
) -> str | None:
    """Where the tables for ``abi`` (and OS ``family``) disagree with the interpreter.

    ``family`` selects the option-table columns (``os_families.os_family``); without
    it only the ABI's own numbers are checked. Returns a sentence naming the
    first constant that differs, or None when every exported number agrees.
    """
    modules = {"socket": socket_module, "select": select_module}
    for module_name, name, expected in _expectations(abi, family or ""):
        module = modules[module_name]
        actual = getattr(module, name, None) if module is not None else None
        if isinstance(actual, int) and int(actual) != expected:
            return _mismatch(f"{module_name}.{name}", int(actual), str(expected), abi)
    if errno_module is not None:
        for name in _WOULD_BLOCK_NAMES.get(abi.error_source, ()):
            actual = getattr(errno_module, name, None)
            if isinstance(actual, int) and actual not in abi.would_block:
                wanted = " or ".join(str(n) for n in sorted(abi.would_block))
                return _mismatch(f"errno.{name}", actual, wanted, abi)
    return None


def _mismatch(constant: str, actual: int, expected: str, abi: Abi) -> str:
    return (
        f"{constant} is {actual} in this interpreter but {expected} in the {abi.name} "
        "table: this machine's ABI differs from the one the table describes (another "
        "CPU architecture?), so the native layer will not pass it wrong numbers"
    )
