"""The OS family of a sys.platform value, and the families' table order and stacks."""

from __future__ import annotations

from matrix.language.os_families import os_family


def test_os_family_from_sys_platform() -> None:
    assert os_family("linux") == "linux"
    assert os_family("darwin") == "macos"
    assert os_family("win32") == "windows"
    assert os_family("freebsd14") == "freebsd"
    assert os_family("openbsd7") == "openbsd"
    assert os_family("netbsd10") == "netbsd"
    assert os_family("sunos5") == "illumos"
    assert os_family("haiku1") == "haiku1"
    # Cygwin's sockets are a POSIX emulation with their own numbers, not Winsock.
    assert os_family("cygwin") == "cygwin"


def test_the_linux_apis_other_stacks_stand_next_to_linux() -> None:
    from matrix.language.os_families import FAMILIES, OS_APIS, STACKS, table_position

    assert FAMILIES[:3] == ("linux", "gvisor", "wsl1")
    assert table_position("gvisor") == table_position("linux") + 1
    # gVisor is Linux's system-call API over gVisor's own stack (its netstack).
    assert (STACKS["gvisor"], OS_APIS["gvisor"]) == ("gVisor", "Linux")
    assert os_family("linux") == "linux"  # sys.platform says linux under gVisor too
