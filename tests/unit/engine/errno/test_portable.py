"""errno normalisation, fed with the numbers of every OS family."""

from __future__ import annotations

import errno
import sys

import pytest

from matrix.engine.errno import tables
from matrix.engine.errno.portable import (
    ERRNO_ALIASES,
    ERRNO_TABLES,
    UNIX_NAMES,
    describe_exception,
    portable_name,
    raw_name,
)


@pytest.mark.parametrize(
    ("number", "family", "raw", "portable"),
    [
        (104, "linux", "ECONNRESET", "ECONNRESET"),
        (11, "linux", "EAGAIN", "EWOULDBLOCK"),
        (32, "linux", "EPIPE", "EPIPE"),
        (115, "linux", "EINPROGRESS", "EINPROGRESS"),
        (54, "macos", "ECONNRESET", "ECONNRESET"),
        (35, "macos", "EAGAIN", "EWOULDBLOCK"),
        (36, "macos", "EINPROGRESS", "EINPROGRESS"),
        (45, "macos", "ENOTSUP", "EOPNOTSUPP"),
        (102, "macos", "EOPNOTSUPP", "EOPNOTSUPP"),
        (10054, "windows", "WSAECONNRESET", "ECONNRESET"),
        (10035, "windows", "WSAEWOULDBLOCK", "EWOULDBLOCK"),
        (10053, "windows", "WSAECONNABORTED", "ECONNABORTED"),
        (10004, "windows", "WSAEINTR", "EINTR"),
        (10058, "windows", "WSAESHUTDOWN", "ESHUTDOWN"),
        (10060, "windows", "WSAETIMEDOUT", "ETIMEDOUT"),
    ],
)
def test_raw_and_portable_names_per_os(number: int, family: str, raw: str, portable: str) -> None:
    assert raw_name(number, family) == raw
    assert portable_name(raw) == portable


def test_same_number_means_different_errors_on_linux_and_macos() -> None:
    assert raw_name(35, "linux") != raw_name(35, "macos")
    assert raw_name(35, "macos") == "EAGAIN"


def test_unknown_number_is_kept_visible() -> None:
    assert raw_name(99999, "windows") == "E?99999"


def _WindowsStyleResetError() -> ConnectionResetError:
    """What CPython raises on Windows: errno and winerror both carry 10054."""
    exc = ConnectionResetError(10054, "An existing connection was forcibly closed")
    exc.winerror = 10054  # type: ignore[attr-defined]
    return exc


def test_windows_exception_is_described_by_its_winsock_code() -> None:
    described = describe_exception(_WindowsStyleResetError(), "windows")
    assert described["exception"] == "ConnectionResetError"
    assert described["errno"] == 10054
    assert described["name"] == "WSAECONNRESET"
    assert described["portable"] == "ECONNRESET"


def test_linux_and_windows_resets_compare_equal() -> None:
    linux = describe_exception(ConnectionResetError(104, "reset"), "linux")
    windows = describe_exception(_WindowsStyleResetError(), "windows")
    assert linux["name"] != windows["name"]
    assert linux["portable"] == windows["portable"]


def test_python_timeout_has_no_errno_and_says_so() -> None:
    described = describe_exception(TimeoutError("timed out"), "linux")
    assert described["errno"] is None
    assert described["portable"] == "TimeoutError"


@pytest.mark.skipif(sys.platform != "linux", reason="checks the Linux table against this OS")
def test_linux_table_agrees_with_this_interpreter() -> None:
    for number in (errno.ECONNRESET, errno.EPIPE, errno.EINPROGRESS, errno.EADDRINUSE):
        assert raw_name(number, "linux") == errno.errorcode[number]


@pytest.mark.skipif(sys.platform != "darwin", reason="checks the XNU table against this OS")
def test_xnu_table_agrees_with_this_interpreter() -> None:
    # Numbers without a second name, so errno.errorcode has exactly one for each.
    for number in (errno.ECONNRESET, errno.EPIPE, errno.EINPROGRESS, errno.EADDRINUSE):
        assert raw_name(number, "macos") == errno.errorcode[number]
    assert raw_name(errno.EOPNOTSUPP, "macos") == "EOPNOTSUPP"  # 102 with __DARWIN_UNIX03


# --- every name each OS can report (data from its header, matrix/engine/errno/tables.py) ---


@pytest.mark.parametrize("family", sorted(ERRNO_TABLES))
def test_every_number_the_os_defines_has_its_own_name(family: str) -> None:
    for number, name in ERRNO_TABLES[family].items():
        assert raw_name(number, family) == name


@pytest.mark.parametrize("family", sorted(ERRNO_TABLES))
def test_every_name_the_os_can_report_maps_to_a_portable_name_or_itself(family: str) -> None:
    names = set(ERRNO_TABLES[family].values()) | set(ERRNO_ALIASES[family])
    for name in names:
        portable = portable_name(name)
        assert portable == name or portable in UNIX_NAMES, (family, name, portable)
        # Folding is idempotent: a portable name is its own portable name.
        assert portable_name(portable) == portable


def test_one_condition_has_one_portable_name_on_every_os() -> None:
    # The same POSIX condition, whatever each OS numbers and spells it.
    by_name: dict[str, set[str]] = {}
    for table in ERRNO_TABLES.values():
        for name in table.values():
            stripped = name[3:] if name.startswith("WSAE") else name
            if stripped in tables.POSIX:
                by_name.setdefault(stripped, set()).add(portable_name(name))
    for name, portables in by_name.items():
        assert len(portables) == 1, (name, portables)
    assert by_name["ECONNRESET"] == {"ECONNRESET"}
    assert by_name["EAGAIN"] == by_name["EWOULDBLOCK"] == {"EWOULDBLOCK"}


@pytest.mark.parametrize(
    ("number", "raw", "portable"),
    [
        (10063, "WSAENAMETOOLONG", "ENAMETOOLONG"),
        (10091, "WSASYSNOTREADY", "WSASYSNOTREADY"),
        (10092, "WSAVERNOTSUPPORTED", "WSAVERNOTSUPPORTED"),
        (10093, "WSANOTINITIALISED", "WSANOTINITIALISED"),
        (10106, "WSAEPROVIDERFAILEDINIT", "WSAEPROVIDERFAILEDINIT"),
        (11001, "WSAHOST_NOT_FOUND", "WSAHOST_NOT_FOUND"),
        (11002, "WSATRY_AGAIN", "WSATRY_AGAIN"),
        (11003, "WSANO_RECOVERY", "WSANO_RECOVERY"),
        (11004, "WSANO_DATA", "WSANO_DATA"),
        # No Unix counterpart: must not turn into a made-up "EDISCON".
        (10101, "WSAEDISCON", "WSAEDISCON"),
    ],
)
def test_winsock_codes_that_were_missing(number: int, raw: str, portable: str) -> None:
    assert raw_name(number, "windows") == raw
    assert portable_name(raw) == portable


@pytest.mark.parametrize(
    ("number", "raw"), [(100, "EPROTO"), (101, "ETIME"), (106, "EQFULL"), (102, "EOPNOTSUPP")]
)
def test_macos_codes_that_were_missing(number: int, raw: str) -> None:
    assert raw_name(number, "macos") == raw
    # Linux numbers these differently: 100 is ENETDOWN there.
    assert raw_name(number, "linux") != raw


def test_a_win32_system_error_is_not_read_as_an_errno() -> None:
    # CPython on Windows: a file error carries winerror 5 (ERROR_ACCESS_DENIED)
    # and errno 13 (EACCES). The CRT's errno 5 is EIO: winerror must not be used.
    exc = PermissionError(13, "Access is denied")
    exc.winerror = 5  # type: ignore[attr-defined]
    described = describe_exception(exc, "windows")
    assert (described["errno"], described["name"]) == (13, "EACCES")


def test_unix_names_hold_no_windows_only_name() -> None:
    assert "EDISCON" not in UNIX_NAMES
    assert {"ECONNRESET", "EPROCLIM", "EWOULDBLOCK"} <= UNIX_NAMES


# --- the BSDs and illumos (matrix/engine/errno/tables_bsd.py) ----------------------


@pytest.mark.parametrize(
    ("number", "family", "raw", "portable"),
    [
        # FreeBSD: 4.4BSD numbering; ENOTSUP is EOPNOTSUPP's second name.
        (35, "freebsd", "EAGAIN", "EWOULDBLOCK"),
        (45, "freebsd", "EOPNOTSUPP", "EOPNOTSUPP"),
        (54, "freebsd", "ECONNRESET", "ECONNRESET"),
        (92, "freebsd", "EPROTO", "EPROTO"),
        (93, "freebsd", "ENOTCAPABLE", "ENOTCAPABLE"),
        # OpenBSD: ENOTSUP has its own number.
        (91, "openbsd", "ENOTSUP", "EOPNOTSUPP"),
        (82, "openbsd", "EIPSEC", "EIPSEC"),
        (95, "openbsd", "EPROTO", "EPROTO"),
        # NetBSD: ENOTSUP is 86, EPROTO 96.
        (86, "netbsd", "ENOTSUP", "EOPNOTSUPP"),
        (96, "netbsd", "EPROTO", "EPROTO"),
        (53, "netbsd", "ECONNABORTED", "ECONNABORTED"),
        # illumos: System V numbering.
        (11, "illumos", "EAGAIN", "EWOULDBLOCK"),
        (131, "illumos", "ECONNRESET", "ECONNRESET"),
        (150, "illumos", "EINPROGRESS", "EINPROGRESS"),
        (122, "illumos", "EOPNOTSUPP", "EOPNOTSUPP"),
        (48, "illumos", "ENOTSUP", "EOPNOTSUPP"),
        (146, "illumos", "ECONNREFUSED", "ECONNREFUSED"),
        # WSL1: Linux's numbers over the Windows stack.
        (104, "wsl1", "ECONNRESET", "ECONNRESET"),
    ],
)
def test_bsd_and_illumos_numbers(number: int, family: str, raw: str, portable: str) -> None:
    assert raw_name(number, family) == raw
    assert portable_name(raw) == portable


def test_one_number_names_different_errors_across_the_unixes() -> None:
    # 45: EOPNOTSUPP on the BSDs, ENOTSUP on macOS, EDEADLK on illumos, EL2NSYNC on Linux.
    assert {raw_name(45, f) for f in ("freebsd", "openbsd", "netbsd")} == {"EOPNOTSUPP"}
    assert raw_name(45, "macos") == "ENOTSUP"
    assert raw_name(45, "illumos") == "EDEADLK"
    assert raw_name(45, "linux") == "EL2NSYNC"
    # A number a newer release may add is shown, never guessed.
    assert raw_name(98, "netbsd") == "E?98"


def test_a_reset_compares_equal_on_every_stack() -> None:
    resets = {
        "linux": 104,
        "macos": 54,
        "freebsd": 54,
        "openbsd": 54,
        "netbsd": 54,
        "illumos": 131,
        "wsl1": 104,
        "windows": 10054,
    }
    portables = {
        describe_exception(ConnectionResetError(n, "reset"), family)["portable"]
        for family, n in resets.items()
    }
    assert portables == {"ECONNRESET"}
