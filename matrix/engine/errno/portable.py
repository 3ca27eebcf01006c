"""Turn an exception raised by a socket call into names that compare across OSes.

Rules of this module:
- The names are data in matrix.language.error_names (per OS family, raw and
  portable), shared with validation; this module only applies them to an
  exception.
- Nothing here asks the running interpreter which OS it is on; callers pass the
  OS family, so tests can feed in Windows and macOS numbers on Linux.
"""

from __future__ import annotations

import errno as _errno
from typing import TYPE_CHECKING

from matrix.language import errno_tables as _tables
from matrix.language.error_names import ERRNO_TABLES, portable_name

if TYPE_CHECKING:  # types only: nothing more for a probe's child to import
    from matrix.engine.observation_types import ExceptionInfo


def raw_name(number: int, family: str) -> str:
    """The platform's own name for an error number, or ``E?<number>`` if unknown."""
    table = ERRNO_TABLES.get(family)
    if table is not None and number in table:
        return table[number]
    # An OS family without a table (Haiku, say) is only ever asked about its
    # own numbers, so the running interpreter's errno module knows them.
    if table is None and number in _errno.errorcode:
        return _errno.errorcode[number]
    return f"E?{number}"


def describe_exception(exc: BaseException, family: str) -> ExceptionInfo:
    """The observation fields for an exception raised by a step."""
    described: ExceptionInfo = {"exception": type(exc).__name__}
    number: int | None = None
    if isinstance(exc, OSError):
        number = exc.errno
        # Windows: winerror holds the Winsock code even where errno was mapped.
        # Only a code in Winsock's range is an error number of ours: any other
        # winerror is a Win32 system error (5 is ERROR_ACCESS_DENIED, while the
        # CRT's errno 5 is EIO), so errno, which CPython maps from it, is used.
        winerror = getattr(exc, "winerror", None)
        if isinstance(winerror, int) and winerror in _tables.WINSOCK_RANGE:
            number = winerror
    if number is not None:
        raw = raw_name(number, family)
        described.update({"errno": number, "name": raw, "portable": portable_name(raw)})
    else:
        # A Python-level timeout (socket.timeout) carries no errno at all: it is
        # CPython's own poll()/select() expiring, not the kernel's answer.
        described.update({"errno": None, "name": None, "portable": type(exc).__name__})
    described["message"] = str(exc)[:200]
    return described
