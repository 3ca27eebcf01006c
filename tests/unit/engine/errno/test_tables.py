"""The errno tables copied from each OS's headers: parsed strictly, equal to this interpreter's."""

from __future__ import annotations

import errno
import sys

import pytest

from matrix.engine.errno import tables


def test_linux_table_matches_this_interpreter_when_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the running errno module is Linux's only on Linux")
    for number, name in errno.errorcode.items():
        assert name == tables.LINUX.get(number) or tables.LINUX_ALIASES.get(name) == (
            tables.LINUX.get(number)
        ), (number, name)


@pytest.mark.skipif(
    sys.platform != "darwin", reason="the running errno module is XNU's only on macOS"
)
def test_xnu_table_matches_this_interpreter_when_on_macos() -> None:
    # The twin of the Linux test above for the macOS test job: CPython's errno
    # module was built against the SDK's <sys/errno.h>, so any number it names
    # differently from the XNU table (copied from bsd/sys/errno.h) is drift.
    for number, name in errno.errorcode.items():
        assert name == tables.XNU.get(number) or tables.XNU_ALIASES.get(name) == (
            tables.XNU.get(number)
        ), (number, name)


def test_a_header_table_with_a_number_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        tables.parse("1 EPERM 1 EAGAIN")
