"""A fake C library for the native layer: records every call, fails when told to.

Each ABI's error comes from its own source (errno, or WSAGetLastError through
the last-error value), as the real library's would.
"""

from __future__ import annotations

import ctypes
from typing import Any

from matrix.engine.abi.layout import Abi
from matrix.engine.abi.linux import LINUX
from matrix.engine.abi.native_api import (
    NativeApi,
    NativeSocket,
)
from matrix.engine.abi.winsock import WINSOCK
from matrix.engine.context import Context


class FakeLibrary:
    """Stands in for libc/ws2_32: records calls, fails when told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.results: dict[str, int] = {}
        self.error = 0
        self.received = b""

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any) -> int:
            self.calls.append((name, args))
            if name in ("recv", "recvfrom") and self.received:
                ctypes.memmove(args[1], self.received, len(self.received))
                return len(self.received)
            return self.results.get(name, 0)

        return call


def api(abi: Abi) -> tuple[NativeApi, FakeLibrary]:
    lib = FakeLibrary()
    return NativeApi(abi, lib, lambda: lib.error), lib


def native_context(abi: Abi) -> tuple[Context, FakeLibrary, NativeSocket]:
    """An engine context with one open native stream socket, ``a``, on a fake library."""
    native, lib = api(abi)
    ctx = Context(family="linux" if abi is LINUX else "windows", api="native")
    ctx.native = native
    sock = NativeSocket(0x1F4 if abi is WINSOCK else 7, "ipv4", "stream")
    ctx.add("a", sock, "stream")
    return ctx, lib, sock
