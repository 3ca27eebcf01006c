"""The OS family of a sys.platform value."""

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
