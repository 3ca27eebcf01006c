"""This machine's platform fingerprint and the key that names its column.

Rules of this module:
- The fingerprint names the OS, its release, the TCP/IP stack behind the socket
  API, the architecture and Python; never the host or the user (results files
  are published).
- The key changes only when behaviour may: macOS by product major.minor, Linux
  by kernel major.minor, Windows by build, gVisor by runsc release; a patch
  update of a runner image does not start a new column. On GitHub the runner
  image (ImageOS) is part of the key so two images on one kernel series never
  share a column.
- gVisor is its own family and stack, never Linux 4.4 (matrix.results.gvisor);
  its kernel log is read only where the family is Linux.
- Every OS-specific read is a small function taking its source as an argument,
  so tests feed in other platforms' values (fake sw_vers output, fake winreg).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import platform
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from matrix.language.os_families import OS_APIS, STACKS, os_family
from matrix.results import gvisor
from matrix.results.document_types import Platform


def arch(machine: str) -> str:
    lowered = machine.lower()
    # amd64: Windows and the BSDs; aarch64: Linux; i86pc: illumos on x86 (64-bit
    # userland on every supported release).
    return {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64", "i86pc": "x86_64"}.get(
        lowered, lowered
    )


def major_minor(version: str) -> str:
    """``26.0.1`` -> ``26.0``, ``14.2-RELEASE-p1`` -> ``14.2``, ``26`` -> ``26``."""
    match = re.match(r"(\d+)(\.\d+)?", version)
    return match.group(0) if match else version


# --- macOS -----------------------------------------------------------------

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def macos_product_version(
    run: Runner = subprocess.run, mac_ver: Callable[[], Any] = platform.mac_ver
) -> str:
    """The real product version (``26.0.1``), not the SDK-compat one.

    platform.mac_ver() reads SystemVersion.plist, which macOS answers with the
    compatibility version (16.0 for 26, 10.16 for 11) to a program built against
    an older SDK unless SYSTEM_VERSION_COMPAT=0 was set when it started
    (python/cpython#135675; the note added to platform.mac_ver's documentation by
    python/cpython#136339). sw_vers, run with SYSTEM_VERSION_COMPAT=0, reports
    the real one; mac_ver() is the fallback.
    """
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = run(
            ["/usr/bin/sw_vers", "-productVersion"],
            capture_output=True,
            text=True,
            timeout=10,
            env={**os.environ, "SYSTEM_VERSION_COMPAT": "0"},
            check=False,
        )
        answer = (done.stdout or "").strip()
        if done.returncode == 0 and re.fullmatch(r"\d+(\.\d+){0,2}", answer):
            return answer
    return str(mac_ver()[0])


# --- Windows ---------------------------------------------------------------


def windows_ubr(winreg: Any = None) -> int | None:
    """The update build revision (the 4349 of "OS Build 26100.4349"), or None.

    Windows keeps it in HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion,
    value UBR (REG_DWORD); neither platform.version() nor sys.getwindowsversion()
    reports it, so two monthly updates of one build looked like one platform.
    """
    if winreg is None:
        try:
            winreg = importlib.import_module("winreg")
        except ImportError:
            return None
    try:
        with winreg.OpenKey(
            winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
        ) as key:
            value, _kind = winreg.QueryValueEx(key, "UBR")
    except OSError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def windows_build(getwindowsversion: Callable[[], Any] | None = None, winreg: Any = None) -> str:
    """``10.0.26100.4349``: major.minor.build from the running kernel, plus the UBR."""
    get = getwindowsversion or getattr(sys, "getwindowsversion", None)
    if get is None:
        return platform.version()
    version = get()
    build = f"{version.major}.{version.minor}.{version.build}"
    ubr = windows_ubr(winreg)
    return f"{build}.{ubr}" if ubr is not None else build


# --- the machine: the OS's, not the interpreter's ---------------------------

# IMAGE_FILE_MACHINE_* values (Microsoft Learn, Image File Machine Constants:
# https://learn.microsoft.com/en-us/windows/win32/sysinfo/image-file-machine-constants),
# named as platform.machine() names them on Windows.
IMAGE_FILE_MACHINES = {0x8664: "AMD64", 0xAA64: "ARM64", 0x014C: "x86", 0x01C4: "ARM"}


def windows_native_machine(kernel32: Any = None) -> str | None:
    """The host's architecture as Windows reports it, or None where it cannot say.

    An x64 Python on Windows 11 on Arm runs under emulation, and
    platform.machine() answers from what the process sees (CPython <= 3.11
    reads PROCESSOR_ARCHITEW6432 / PROCESSOR_ARCHITECTURE, which the emulation
    sets to AMD64), so the column would read x86_64 on an ARM64 kernel. The
    documented way to ask for the host is IsWow64Process2 (Microsoft Learn,
    wow64apiset.h, Windows 10 1511 and later): "pNativeMachine ... returns a
    pointer to a possible IMAGE_FILE_MACHINE_* value identifying the native
    architecture of host system"
    (https://learn.microsoft.com/en-us/windows/win32/api/wow64apiset/nf-wow64apiset-iswow64process2).
    ctypes is loaded only on Windows, and an older Windows without the
    function, or a failed call, leaves the answer to platform.machine().
    """
    if kernel32 is None and sys.platform != "win32":
        return None
    import ctypes

    if kernel32 is None:
        try:
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        except (OSError, AttributeError):
            return None
    function = getattr(kernel32, "IsWow64Process2", None)
    current = getattr(kernel32, "GetCurrentProcess", None)
    if function is None or current is None:
        return None
    current.restype, current.argtypes = ctypes.c_void_p, []
    function.restype = ctypes.c_int  # BOOL
    function.argtypes = [
        ctypes.c_void_p,  # HANDLE hProcess
        ctypes.POINTER(ctypes.c_ushort),  # USHORT *pProcessMachine
        ctypes.POINTER(ctypes.c_ushort),  # USHORT *pNativeMachine
    ]
    process_machine, native_machine = ctypes.c_ushort(0), ctypes.c_ushort(0)
    try:
        succeeded = function(current(), ctypes.byref(process_machine), ctypes.byref(native_machine))
    except (OSError, ctypes.ArgumentError):
        return None
    if not succeeded:
        return None
    return IMAGE_FILE_MACHINES.get(native_machine.value)


def os_machine(
    sys_platform: str = sys.platform,
    interpreter_machine: Callable[[], str] = platform.machine,
    native_machine: Callable[[], str | None] = windows_native_machine,
) -> str:
    """The machine of the running OS: Windows' native one, else the interpreter's answer.

    Elsewhere platform.machine() is uname's machine, which is the kernel's.
    """
    if sys_platform == "win32":
        native = native_machine()
        if native:
            return native
    return interpreter_machine()


# --- Linux variants: WSL1 and musl -----------------------------------------


def is_wsl1(proc_version: str) -> bool:
    """WSL1's /proc/version names Microsoft with a capital M; WSL2's kernel does not.

    WSL1: "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) ...";
    WSL2: "Linux version 5.15.x-microsoft-standard-WSL2 ...". Method from the WSL
    team's answers in microsoft/WSL#423 and microsoft/WSL#4555 (and #4071: "The
    Windows version is present in our kernel command line (/proc/version, or
    uname -a)").
    """
    return "Microsoft" in proc_version and "WSL2" not in proc_version


def wsl1_windows_build(release: str) -> str:
    """``4.4.0-19041-Microsoft`` -> ``19041``: WSL1's kernel release holds the Windows build."""
    match = re.search(r"-(\d+)-Microsoft", release)
    return match.group(1) if match else release


def linux_libc(
    libc_ver: Callable[[], tuple[str, str]] = platform.libc_ver, lib: Path = Path("/lib")
) -> str:
    """``glibc``, ``musl`` (Alpine) or ``unknown``: the C library that wraps the system calls."""
    name, _version = libc_ver()
    if name == "glibc":
        return name
    # platform.libc_ver() scans the interpreter for glibc's and libc5's markers
    # and does not know musl's; musl's dynamic loader is a file with a fixed name
    # (/lib/ld-musl-<arch>.so.1), so look for it before trusting another answer.
    if any(lib.glob("ld-musl-*.so.1")):
        return "musl"
    return name or "unknown"


def _read_text(path: str) -> str:
    with contextlib.suppress(OSError):
        return Path(path).read_text(encoding="utf-8", errors="replace")
    return ""


def _os_release() -> dict[str, str]:
    with contextlib.suppress(OSError):
        return dict(platform.freedesktop_os_release())
    return {}


# --- the fingerprint --------------------------------------------------------


def describe(
    sys_platform: str,
    environ: Mapping[str, str],
    *,
    system: str,
    release: str,
    version: str,
    machine: str,
    python_version: str,
    python_implementation: str = "CPython",
    readers: Mapping[str, Callable[[], Any]] | None = None,
) -> Platform:
    """The fingerprint from raw facts; ``readers`` supplies OS reads (tests fake them)."""
    read: dict[str, Callable[[], Any]] = {
        "mac_product": macos_product_version,
        "windows_build": windows_build,
        "proc_version": lambda: _read_text("/proc/version"),
        "libc": linux_libc,
        "os_release": _os_release,
        "kernel_log": gvisor.kernel_log_head,
        "gvisor_marker_file": gvisor.marker_file_present,
        **(readers or {}),
    }
    family = os_family(sys_platform)
    details: dict[str, Any] = {"os": family}
    if family == "linux" and is_wsl1(read["proc_version"]()):
        family = details["os"] = "wsl1"
    if family == "linux":
        # gVisor reports an emulated Linux (uname -r 4.4.0): only its own
        # markers tell it apart (matrix.results.gvisor).
        markers = gvisor.gvisor_markers(
            read["kernel_log"](), version, bool(read["gvisor_marker_file"]())
        )
        if gvisor.is_gvisor(markers):
            family = details["os"] = "gvisor"
            details["gvisor_markers"] = ", ".join(markers)
    if family == "macos":
        details["os_build"] = read["mac_product"]() or release
        details["os_version"] = major_minor(details["os_build"])
    elif family == "windows":
        details["os_build"] = read["windows_build"]()
        # Build (26100 is 24H2, 20348 Server 2022) distinguishes; UBR does not start a column.
        details["os_version"] = ".".join(details["os_build"].split(".")[:3])
    elif family == "wsl1":
        details["os_version"] = wsl1_windows_build(release)
    elif family == "gvisor":
        details.update(gvisor.runsc_details(environ))
    elif family == "illumos":
        # uname -r is 5.11 on every illumos; the distribution's release says which.
        details["os_version"] = read["os_release"]().get("VERSION_ID") or release
    else:
        details["os_version"] = major_minor(release)
    details["stack"] = STACKS.get(family, family)
    if details.get("runsc_network") == "host":
        # runsc --network=host hands socket calls to the host's Linux (hostinet).
        details["stack"] = STACKS["linux"]
    details["os_api"] = OS_APIS.get(family, details["stack"])
    if family in ("linux", "wsl1", "gvisor"):
        details["libc"] = read["libc"]()
    os_release = read["os_release"]()
    for field, name in (
        ("distribution", "PRETTY_NAME"),
        ("distribution_id", "ID"),
        ("distribution_version", "VERSION_ID"),
    ):
        if os_release.get(name):
            details[field] = os_release[name]
    details.update(
        system=system,
        release=release,
        kernel_version=version,
        machine=arch(machine),
        python_implementation=python_implementation,
        python_version=python_version,
    )
    image_os = environ.get("ImageOS", "") if environ.get("GITHUB_ACTIONS") == "true" else ""
    if image_os:
        details["image_os"] = image_os
    details["key"] = platform_key(details)
    # Raw facts (OS reads, os-release text) become a Platform here: every key
    # it requires is set above.
    return cast(Platform, details)


def this_platform() -> Platform:
    return describe(
        sys.platform,
        os.environ,
        system=platform.system(),
        release=platform.release(),
        version=platform.version(),
        machine=os_machine(),
        python_version=platform.python_version(),
        python_implementation=platform.python_implementation(),
    )


def platform_key(details: Mapping[str, Any]) -> str:
    """E.g. ``linux-6.18-x86_64-py3.11``; ``-ubuntu24`` on GitHub; safe as a file name."""
    python = ".".join(str(details["python_version"]).split(".")[:2])
    family = str(details["os"])
    if details.get("runsc_network") == "host":
        family += "-hostinet"  # gVisor over the host's stack is another column
    if details.get("libc") == "musl":
        family += "-musl"  # Alpine on the same kernel is another column
    raw = f"{family}-{details['os_version']}-{details['machine']}-py{python}"
    if details.get("image_os"):
        raw += f"-{details['image_os']}"
    return re.sub(r"[^a-z0-9._-]+", "_", raw.lower())


def stack_label(stack: str, api: str) -> str:
    """E.g. "Linux API over the Windows stack" (WSL1), "XNU stack"; "" if not recorded."""
    if not stack:
        return ""
    if api and api != stack:
        return f"{api} API over the {stack} stack"
    return f"{stack} stack"
