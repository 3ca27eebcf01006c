"""Is this Linux really gVisor (runsc)? Its markers, and what the launcher passed in.

Rules of this module:
- gVisor answers Linux system calls itself and reports an emulated Linux
  (uname -r 4.4.0 on release-20221219.0), so a gVisor run must never be keyed
  as Linux: it is its own stack. It is recognised by a marker gVisor itself
  makes, never by a heuristic (cpuinfo, mount table, missing files).
- The markers are read as capabilities: a read that this system refuses or
  lacks (syslog(2) denied by dmesg_restrict or seccomp, no klogctl in the C
  library, no /proc/gvisor) is "no marker", never an error. Only a Linux
  fingerprint asks (matrix.results.platform.describe).
- runsc's release cannot be learned from inside the sandbox: the process that
  launched runsc passes it (RUNSC_VERSION_VARIABLE, the first line of
  ``runsc --version``) with the network mode (RUNSC_NETWORK_VARIABLE). When
  they are missing the fingerprint says so; it never guesses.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path

# Set by the launcher (matrix.runner.under_gvisor) for the run inside runsc.
RUNSC_VERSION_VARIABLE = "SOCKMATRIX_RUNSC_VERSION"
RUNSC_NETWORK_VARIABLE = "SOCKMATRIX_RUNSC_NETWORK"

# The first message of gVisor's kernel log. pkg/sentry/kernel/syslog.go at
# release-20221219.0 (2342c658c7c2ccdc1e23d642a5873c80297669de), line 99, and at
# release-20260817.0 (50e1502a95d36ad2faf2c7ef33b8bf21fe975293), line 104:
#   s.msg = append(s.msg, []byte(fmt.Sprintf(format, 0.0, "Starting gVisor..."))...)
# gVisor's syslog(2) serves it to any process ("Only the unprivileged commands
# are implemented, allowing applications to read a fun dmesg.",
# pkg/sentry/syscalls/linux/sys_syslog.go line 33 at both), and gVisor's docs
# name dmesg as the check (g3doc/user_guide/quick_start/docker.md line 55: "You can
# verify that you are running in gVisor using the `dmesg` command.").
KERNEL_LOG_BANNER = "Starting gVisor..."
# gVisor's uname -v, a constant since 2018: pkg/sentry/syscalls/linux/linux64.go
# line 36 at release-20221219.0, pkg/sentry/kernel/version/version.go line 34 at
# release-20260817.0: LinuxVersion = "#1 SMP Sun Jan 10 15:06:54 PST 2016".
# Corroboration only: any kernel could be built with this string.
UNAME_VERSION = "#1 SMP Sun Jan 10 15:06:54 PST 2016"
# Present when runsc runs with --gvisor-marker-file (release-20250421.0 and
# later): runsc/config/flags.go line 146 and pkg/gvisordetect/gvisordetect.go
# line 30 at release-20260817.0.
MARKER_FILE = "/proc/gvisor/kernel_is_gvisor"

# syslog(2) SYSLOG_ACTION_READ_ALL. gVisor returns the start of its log
# (log[:size], sys_syslog.go line 51); Linux the end of its own.
_SYSLOG_ACTION_READ_ALL = 3
_KERNEL_LOG_BYTES = 256
# A kernel log record's level and time stamp: "<6>[   0.000000] ".
_RECORD_PREFIX = re.compile(r"<\d+>\[\s*[0-9.]+\]\s")
# What a version string from the environment may hold in a results file.
_UNSAFE = re.compile(r"[^A-Za-z0-9._+~-]+")
_MAX_VERSION = 64


def kernel_log_head(platform: str = sys.platform) -> str:
    """The first bytes syslog(2) READ_ALL gives this process, or "" where it gives none.

    Linux only: no other kernel has the call, and nothing is loaded elsewhere.
    """
    if not platform.startswith("linux"):
        return ""
    try:
        import ctypes

        klogctl = ctypes.CDLL(None, use_errno=True).klogctl
    except (OSError, AttributeError):  # no C library to ask, or one without klogctl
        return ""
    klogctl.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
    klogctl.restype = ctypes.c_int
    buffer = ctypes.create_string_buffer(_KERNEL_LOG_BYTES)
    count = klogctl(_SYSLOG_ACTION_READ_ALL, buffer, _KERNEL_LOG_BYTES)
    if count <= 0:  # EPERM (dmesg_restrict, seccomp), ENOSYS: no marker
        return ""
    return buffer.raw[:count].decode("utf-8", errors="replace")


def marker_file_present(path: str = MARKER_FILE) -> bool:
    with contextlib.suppress(OSError):
        return Path(path).is_file()
    return False


def gvisor_markers(kernel_log: str, uname_version: str, marker_file: bool) -> list[str]:
    """The gVisor markers found, strongest first; ``uname -v`` alone is not enough."""
    found = []
    if marker_file:
        found.append("marker file")
    first = kernel_log.split("\n", 1)[0]
    if _RECORD_PREFIX.sub("", first, count=1).strip() == KERNEL_LOG_BANNER:
        found.append("kernel log")
    if uname_version.strip() == UNAME_VERSION:
        found.append("uname -v")
    return found


def is_gvisor(markers: list[str]) -> bool:
    return "marker file" in markers or "kernel log" in markers


def runsc_details(environ: Mapping[str, str]) -> dict[str, str]:
    """os_version (runsc's release date), os_build and runsc_network, from the launcher.

    ``runsc --version`` says ``runsc version release-20260817.0`` for gVisor's
    own builds and ``runsc version 0.0~20221219.0`` for Debian's; the release
    date names the column (a point release does not start a new one).
    """
    line = (environ.get(RUNSC_VERSION_VARIABLE, "").strip().splitlines() or [""])[0]
    version = _UNSAFE.sub("_", line.removeprefix("runsc version").strip())[:_MAX_VERSION]
    details: dict[str, str] = {}
    if version:
        date = re.search(r"(?<![0-9])(20[0-9]{6})(?![0-9])", version)
        details["os_version"] = date.group(1) if date else "unknown"
        details["os_build"] = "runsc " + version
    else:
        details["os_version"] = "unknown"
        details["os_build"] = (
            f"unknown: runsc's version was not passed in ({RUNSC_VERSION_VARIABLE} unset; "
            "`sockmatrix run --under gvisor` sets it)"
        )
    network = _UNSAFE.sub("_", environ.get(RUNSC_NETWORK_VARIABLE, "").strip())[:16]
    details["runsc_network"] = network or (
        f"unknown: not passed in ({RUNSC_NETWORK_VARIABLE} unset)"
    )
    return details
