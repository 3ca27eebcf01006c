"""The OS families a probe, a result and the table speak of, in table order.

Rules of this module: one list, here. A family is what ``sys.platform`` names
without its release (``freebsd14`` is ``freebsd``), plus the stacks that
share another family's system calls (WSL1: Linux's API over the Windows
stack; gVisor: Linux's API served by gVisor's own kernel and its netstack).
Standard library only: the child imports it.
"""

from __future__ import annotations

# Table order: the Linux API's other stacks (gVisor, WSL1) sit next to Linux,
# the BSD stacks after XNU, their descendant.
FAMILIES = (
    "linux",
    "gvisor",
    "wsl1",
    "windows",
    "macos",
    "freebsd",
    "openbsd",
    "netbsd",
    "illumos",
)

# The TCP/IP implementation behind each family's socket API: what the table's
# column headings name.
STACKS = {
    "linux": "Linux",
    # gVisor (runsc) answers Linux system calls in its own kernel, the Sentry;
    # with --network=none or sandbox its sockets are its netstack, not the
    # host's (runsc/config/config.go at release-20221219.0, lines 391-398:
    # "NetworkNone sets up just loopback using netstack.").
    "gvisor": "gVisor",
    "wsl1": "Windows",
    "windows": "Windows",
    "macos": "XNU",
    "freebsd": "FreeBSD",
    "openbsd": "OpenBSD",
    "netbsd": "NetBSD",
    "illumos": "illumos",
}
# The system-call API a family's programs use, where it is not its stack's own.
OS_APIS = {"gvisor": "Linux", "wsl1": "Linux"}


def os_family(sys_platform: str) -> str:
    """Map ``sys.platform`` to the family name used in tables and results.

    The BSDs put their major release in sys.platform (``freebsd14``), illumos
    and Solaris say ``sunos5``: the family is the name without it. Cygwin is
    its own family: its sockets are cygwin1.dll's POSIX emulation, with error
    numbers of their own, not Winsock's. Anything else keeps its own name.
    """
    if sys_platform.startswith("linux"):
        return "linux"
    if sys_platform == "darwin":
        return "macos"
    if sys_platform == "win32":
        return "windows"
    for prefix in ("freebsd", "openbsd", "netbsd"):
        if sys_platform.startswith(prefix):
            return prefix
    if sys_platform.startswith("sunos"):
        return "illumos"
    return sys_platform


def table_position(family: str) -> int:
    """Where ``family``'s columns stand in the table (unknown families last)."""
    return FAMILIES.index(family) if family in FAMILIES else len(FAMILIES)
