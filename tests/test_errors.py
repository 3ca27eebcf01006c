"""errno normalisation, fed with the numbers of every OS family."""

from __future__ import annotations

import errno
import sys

import pytest

from matrix._errors import describe_exception, os_family, portable_name, raw_name


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


def test_os_family_from_sys_platform() -> None:
    assert os_family("linux") == "linux"
    assert os_family("darwin") == "macos"
    assert os_family("win32") == "windows"
    assert os_family("freebsd14") == "freebsd14"


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
