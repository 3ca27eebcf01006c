"""Platform fingerprint and key, fed with every other OS's values (fakes, no real OS read)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.synthetic import results_document

from matrix.results import platform as platform_module
from matrix.results.identity import identity_conflict
from matrix.results.platform import (
    describe,
    is_wsl1,
    macos_product_version,
    os_machine,
    platform_key,
    windows_build,
    windows_native_machine,
    windows_ubr,
)

WSL1_PROC_VERSION = (
    "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) "
    "#488-Microsoft Mon Sep 01 13:43:00 PST 2020"
)
WSL2_PROC_VERSION = (
    "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 11.2.0) #1 SMP"
)
LINUX_PROC_VERSION = "Linux version 6.8.0-1017-azure (buildd@lcy02-amd64-001) #20-Ubuntu SMP"


def _readers(**overrides: Callable[[], Any]) -> dict[str, Callable[[], Any]]:
    base: dict[str, Callable[[], Any]] = {
        "mac_product": lambda: pytest.fail("not macOS"),
        "windows_build": lambda: pytest.fail("not Windows"),
        "proc_version": lambda: LINUX_PROC_VERSION,
        "libc": lambda: "glibc",
        "os_release": lambda: {},
        # A plain Linux: no gVisor marker (never this machine's own kernel log).
        "kernel_log": lambda: "",
        "gvisor_marker_file": lambda: False,
    }
    return {**base, **overrides}


def _describe(
    sys_platform: str,
    release: str,
    machine: str = "x86_64",
    environ: dict[str, str] | None = None,
    uname_version: str = "#1",
    **readers: Callable[[], Any],
) -> dict[str, Any]:
    return describe(
        sys_platform,
        environ or {},
        system="Fictional",
        release=release,
        version=uname_version,
        machine=machine,
        python_version="3.12.7",
        readers=_readers(**readers),
    )


# --- macOS -----------------------------------------------------------------


def _sw_vers(stdout: str, returncode: int = 0) -> Callable[..., Any]:
    seen: dict[str, Any] = {}

    def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(argv=argv, env=kwargs.get("env"), timeout=kwargs.get("timeout"))
        return subprocess.CompletedProcess(argv, returncode, stdout, "")

    run.seen = seen  # type: ignore[attr-defined]
    return run


def test_macos_26_is_not_labelled_16_when_python_was_built_with_an_old_sdk() -> None:
    run = _sw_vers("26.0.1\n")
    version = macos_product_version(run=run, mac_ver=lambda: ("16.0", ("", "", ""), "arm64"))
    assert version == "26.0.1"
    assert run.seen["argv"] == ["/usr/bin/sw_vers", "-productVersion"]  # type: ignore[attr-defined]
    assert run.seen["env"]["SYSTEM_VERSION_COMPAT"] == "0"  # type: ignore[attr-defined]
    assert run.seen["timeout"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "run",
    [
        _sw_vers("", returncode=1),
        _sw_vers("ProductVersion: garbage\n"),
    ],
)
def test_macos_falls_back_to_mac_ver_when_sw_vers_gives_nothing_usable(
    run: Callable[..., Any],
) -> None:
    assert macos_product_version(run=run, mac_ver=lambda: ("15.5", ("", "", ""), "")) == "15.5"


def test_macos_falls_back_when_sw_vers_is_missing_or_hangs() -> None:
    def missing(*_a: Any, **_k: Any) -> Any:
        raise FileNotFoundError("/usr/bin/sw_vers")

    def hangs(*_a: Any, **_k: Any) -> Any:
        raise subprocess.TimeoutExpired("sw_vers", 10)

    for run in (missing, hangs):
        assert macos_product_version(run=run, mac_ver=lambda: ("15.5", "", "")) == "15.5"


def test_macos_is_keyed_by_major_minor_so_a_patch_update_keeps_the_column() -> None:
    first = _describe("darwin", "25.0.0", "arm64", mac_product=lambda: "26.0.1")
    second = _describe("darwin", "25.1.0", "arm64", mac_product=lambda: "26.0.2")
    assert first["os_build"] == "26.0.1" and second["os_build"] == "26.0.2"
    assert first["os_version"] == second["os_version"] == "26.0"
    assert first["key"] == second["key"] == "macos-26.0-arm64-py3.12"
    assert first["stack"] == "XNU"
    minor = _describe("darwin", "25.1.0", "arm64", mac_product=lambda: "26.1")
    assert minor["key"] != first["key"]


# --- Windows ---------------------------------------------------------------


class FakeWinreg:
    """The parts of winreg windows_ubr uses, answering like Windows 11 24H2."""

    HKEY_LOCAL_MACHINE = object()

    def __init__(self, ubr: object = 4349, fail: bool = False) -> None:
        self.ubr, self.fail = ubr, fail
        self.opened: list[str] = []

    def OpenKey(self, root: object, path: str) -> Any:
        if self.fail:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        assert root is self.HKEY_LOCAL_MACHINE
        self.opened.append(path)
        return _Key()

    def QueryValueEx(self, key: object, name: str) -> tuple[object, int]:
        assert name == "UBR"
        return self.ubr, 4  # REG_DWORD


class _Key:
    def __enter__(self) -> _Key:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _win_ver() -> SimpleNamespace:
    return SimpleNamespace(major=10, minor=0, build=26100, platform=2, service_pack="")


def test_windows_build_includes_the_update_revision_from_the_registry() -> None:
    winreg = FakeWinreg()
    assert windows_build(_win_ver, winreg) == "10.0.26100.4349"
    assert winreg.opened == [r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"]


def test_windows_build_without_a_readable_ubr_is_the_build_alone() -> None:
    assert windows_build(_win_ver, FakeWinreg(fail=True)) == "10.0.26100"
    assert windows_ubr(FakeWinreg(ubr="4349")) is None  # not a REG_DWORD: not trusted
    assert windows_ubr(None) is None  # no winreg module on this OS


def test_two_windows_updates_share_a_column_but_record_their_full_build() -> None:
    first = _describe("win32", "11", "AMD64", windows_build=lambda: "10.0.26100.4349")
    second = _describe("win32", "11", "AMD64", windows_build=lambda: "10.0.26100.4652")
    assert (first["os_build"], second["os_build"]) == ("10.0.26100.4349", "10.0.26100.4652")
    assert first["key"] == second["key"] == "windows-10.0.26100-x86_64-py3.12"
    server_2022 = _describe("win32", "10", "AMD64", windows_build=lambda: "10.0.20348.3807")
    assert server_2022["key"] != first["key"]


class FakeKernel32:
    """IsWow64Process2 as Windows answers it: the process's and the host's machine.

    ``native`` None: the function is missing (Windows before 10 1511).
    """

    def __init__(self, native: int | None, process: int = 0, succeeds: bool = True) -> None:
        self.calls: list[Any] = []
        self.GetCurrentProcess = lambda: 2**64 - 1  # the pseudo handle (HANDLE)-1
        if native is not None:

            def is_wow64_process2(handle: Any, process_out: Any, native_out: Any) -> int:
                self.calls.append(handle)
                process_out._obj.value = process
                native_out._obj.value = native
                return 1 if succeeds else 0

            self.IsWow64Process2 = is_wow64_process2


def test_an_emulated_x64_python_on_windows_on_arm_names_the_arm64_host() -> None:
    # x64 emulation on ARM64 is not WOW64: pProcessMachine is UNKNOWN (0), and
    # pNativeMachine names the host (IMAGE_FILE_MACHINE_ARM64 0xAA64).
    kernel32 = FakeKernel32(native=0xAA64)
    assert windows_native_machine(kernel32) == "ARM64"
    assert kernel32.calls, "IsWow64Process2 was not asked"
    machine = os_machine("win32", lambda: "AMD64", lambda: windows_native_machine(kernel32))
    assert machine == "ARM64"
    column = _describe("win32", "11", machine, windows_build=lambda: "10.0.26100.4349")
    assert column["machine"] == "arm64"
    assert column["key"] == "windows-10.0.26100-arm64-py3.12"


def test_a_native_x64_or_wow64_python_names_the_host_machine() -> None:
    assert windows_native_machine(FakeKernel32(native=0x8664)) == "AMD64"
    # A 32-bit (WOW64) process on x64: pProcessMachine I386, the host AMD64.
    assert windows_native_machine(FakeKernel32(native=0x8664, process=0x014C)) == "AMD64"


@pytest.mark.parametrize(
    "kernel32",
    [FakeKernel32(native=None), FakeKernel32(native=0xAA64, succeeds=False), FakeKernel32(0x1234)],
    ids=["windows-before-1511", "call-failed", "unknown-machine"],
)
def test_without_an_answer_from_windows_the_interpreter_names_the_machine(
    kernel32: FakeKernel32,
) -> None:
    assert windows_native_machine(kernel32) is None
    assert os_machine("win32", lambda: "AMD64", lambda: windows_native_machine(kernel32)) == (
        "AMD64"
    )


def test_the_column_takes_the_oss_machine_not_the_interpreters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(platform_module.platform, "machine", lambda: "AMD64")
    monkeypatch.setattr(platform_module, "os_machine", lambda: "ARM64")
    assert platform_module.this_platform()["machine"] == "arm64"


def test_off_windows_the_machine_is_unames_and_windows_is_never_asked() -> None:
    assert os_machine("darwin", lambda: "arm64", lambda: pytest.fail("asked Windows")) == "arm64"
    assert os_machine("linux", lambda: "aarch64", lambda: pytest.fail("asked Windows")) == (
        "aarch64"
    )
    if sys.platform != "win32":
        assert windows_native_machine() is None


# --- GitHub runner images -------------------------------------------------


def test_the_runner_image_is_in_the_key_on_github_only() -> None:
    github = {"GITHUB_ACTIONS": "true", "ImageOS": "ubuntu24"}
    on_github = _describe("linux", "6.8.0-1017-azure", environ=github)
    assert on_github["key"] == "linux-6.8-x86_64-py3.12-ubuntu24"
    assert on_github["image_os"] == "ubuntu24"
    # ImageOS left in a local shell's environment does not change a local key.
    local = _describe("linux", "6.8.0-1017-azure", environ={"ImageOS": "ubuntu24"})
    assert local["key"] == "linux-6.8-x86_64-py3.12"


def test_two_ubuntu_images_on_one_kernel_series_get_two_keys() -> None:
    jammy = _describe(
        "linux", "6.8.0-1017-azure", environ={"GITHUB_ACTIONS": "true", "ImageOS": "ubuntu22"}
    )
    noble = _describe(
        "linux", "6.8.0-1021-azure", environ={"GITHUB_ACTIONS": "true", "ImageOS": "ubuntu24"}
    )
    assert jammy["key"] != noble["key"]


def test_key_is_a_safe_file_name_whatever_the_image_name() -> None:
    key = platform_key(
        {
            "os": "linux",
            "os_version": "6.8",
            "machine": "x86_64",
            "python_version": "3.12",
            "image_os": "../../evil name",
        }
    )
    assert "/" not in key and " " not in key


# --- two platforms behind one key (table/test_merge.py: the collision at merge) ---


def _doc(distribution_version: str, image_os: str | None = None) -> dict[str, Any]:
    document = results_document(os="fictionalos", version="6.8")
    document["platform"]["distribution_id"] = "fictional"
    document["platform"]["distribution_version"] = distribution_version
    if image_os:
        document["source"] = {"image_os": image_os}
    return document


def test_an_older_file_without_identity_fields_is_not_a_collision() -> None:
    old = results_document(os="fictionalos", version="6.8")
    assert identity_conflict(old, _doc("24.04")) is None
    assert identity_conflict(_doc("24.04", "img1"), _doc("24.04", "img2")) == (
        "image_os",
        "img1",
        "img2",
    )


# --- the other stacks: BSDs, illumos, WSL1, musl ------------------------------


@pytest.mark.parametrize(
    ("sys_platform", "release", "machine", "key", "stack"),
    [
        ("freebsd14", "14.2-RELEASE-p1", "amd64", "freebsd-14.2-x86_64-py3.12", "FreeBSD"),
        ("freebsd13", "13.4-RELEASE", "amd64", "freebsd-13.4-x86_64-py3.12", "FreeBSD"),
        ("openbsd7", "7.6", "amd64", "openbsd-7.6-x86_64-py3.12", "OpenBSD"),
        ("netbsd10", "10.1", "amd64", "netbsd-10.1-x86_64-py3.12", "NetBSD"),
    ],
)
def test_bsd_fingerprints_name_os_release_and_stack(
    sys_platform: str, release: str, machine: str, key: str, stack: str
) -> None:
    details = _describe(sys_platform, release, machine)
    assert (details["key"], details["stack"], details["os_api"]) == (key, stack, stack)


def test_illumos_is_named_by_its_distribution_release_not_uname_5_11() -> None:
    details = _describe(
        "sunos5",
        "5.11",
        "i86pc",
        os_release=lambda: {
            "ID": "omnios",
            "VERSION_ID": "r151052",
            "PRETTY_NAME": "OmniOS r151052",
        },
    )
    assert details["key"] == "illumos-r151052-x86_64-py3.12"
    assert details["stack"] == "illumos"
    assert details["distribution"] == "OmniOS r151052"


def test_wsl1_is_recognised_as_linux_api_over_the_windows_stack() -> None:
    assert is_wsl1(WSL1_PROC_VERSION)
    assert not is_wsl1(WSL2_PROC_VERSION)
    assert not is_wsl1(LINUX_PROC_VERSION)
    details = _describe(
        "linux",
        "4.4.0-19041-Microsoft",
        proc_version=lambda: WSL1_PROC_VERSION,
        os_release=lambda: {"ID": "ubuntu", "VERSION_ID": "24.04"},
    )
    assert (details["os"], details["stack"], details["os_api"]) == ("wsl1", "Windows", "Linux")
    assert details["key"] == "wsl1-19041-x86_64-py3.12"
    wsl2 = _describe(
        "linux", "5.15.153.1-microsoft-standard-WSL2", proc_version=lambda: WSL2_PROC_VERSION
    )
    assert (wsl2["os"], wsl2["stack"]) == ("linux", "Linux")


def test_musl_linux_is_its_own_column() -> None:
    alpine = _describe("linux", "6.8.0-1017-azure", libc=lambda: "musl")
    glibc = _describe("linux", "6.8.0-1017-azure", libc=lambda: "glibc")
    assert alpine["key"] == "linux-musl-6.8-x86_64-py3.12"
    assert glibc["key"] == "linux-6.8-x86_64-py3.12"
    assert identity_conflict({"platform": alpine}, {"platform": glibc}) is not None


def test_musl_is_recognised_by_its_loader_when_libc_ver_does_not_know_it(tmp_path: Path) -> None:
    from matrix.results.platform import linux_libc

    assert linux_libc(lambda: ("glibc", "2.39"), tmp_path) == "glibc"
    assert linux_libc(lambda: ("", ""), tmp_path) == "unknown"
    (tmp_path / "ld-musl-x86_64.so.1").write_bytes(b"")
    assert linux_libc(lambda: ("", ""), tmp_path) == "musl"
    assert linux_libc(lambda: ("libc", ""), tmp_path) == "musl"


# --- gVisor ------------------------------------------------------------------

# What runsc 0.0~20221219.0 (Debian) showed inside `runsc --network=none do`:
# syslog(2) READ_ALL and uname -v.
GVISOR_KERNEL_LOG = (
    "<6>[   0.000000] Starting gVisor...\n"
    "<6>[   0.350171] Daemonizing children...\n"
    "<6>[   0.555373] Segmenting fault lines...\n"
)
GVISOR_UNAME_V = "#1 SMP Sun Jan 10 15:06:54 PST 2016"
LINUX_KERNEL_LOG = "<6>[    0.000000] Linux version 6.8.0-1017-azure (buildd@lcy02) #20-Ubuntu\n"
RUNSC_ENV = {
    "SOCKMATRIX_RUNSC_VERSION": "runsc version 0.0~20221219.0",
    "SOCKMATRIX_RUNSC_NETWORK": "none",
}


def _gvisor(environ: dict[str, str] | None = None, **readers: Callable[[], Any]) -> dict[str, Any]:
    return _describe(
        "linux",
        "4.4.0",
        environ=RUNSC_ENV if environ is None else environ,
        uname_version=GVISOR_UNAME_V,
        **{"kernel_log": lambda: GVISOR_KERNEL_LOG, **readers},
    )


def test_gvisor_is_its_own_family_and_stack_keyed_by_runsc_release() -> None:
    details = _gvisor()
    assert (details["os"], details["stack"], details["os_api"]) == ("gvisor", "gVisor", "Linux")
    assert details["key"] == "gvisor-20221219-x86_64-py3.12"
    assert details["os_version"] == "20221219"
    assert details["os_build"] == "runsc 0.0~20221219.0"
    assert details["runsc_network"] == "none"
    assert details["gvisor_markers"] == "kernel log, uname -v"
    # The emulated Linux is kept as a raw fact, never as the column.
    assert (details["release"], details["libc"]) == ("4.4.0", "glibc")


def test_gvisor_keeps_linuxs_key_for_linux() -> None:
    linux = _describe("linux", "6.8.0-1017-azure", kernel_log=lambda: LINUX_KERNEL_LOG)
    assert (linux["os"], linux["stack"], linux["key"]) == (
        "linux",
        "Linux",
        "linux-6.8-x86_64-py3.12",
    )
    assert "gvisor_markers" not in linux and "runsc_network" not in linux
    # The same emulated uname without gVisor's kernel log is not enough.
    lookalike = _describe("linux", "4.4.0", uname_version=GVISOR_UNAME_V)
    assert (lookalike["os"], lookalike["key"]) == ("linux", "linux-4.4-x86_64-py3.12")


def test_gvisor_is_recognised_by_its_marker_file_alone() -> None:
    details = _describe(
        "linux", "4.19.0-gvisor", environ=RUNSC_ENV, gvisor_marker_file=lambda: True
    )
    assert (details["os"], details["gvisor_markers"]) == ("gvisor", "marker file")


def test_gvisor_upstream_release_names_its_date() -> None:
    environ = {"SOCKMATRIX_RUNSC_VERSION": "runsc version release-20260817.0\nspec: 1.2.0"}
    details = _gvisor(environ=environ)
    assert details["key"] == "gvisor-20260817-x86_64-py3.12"
    assert details["os_build"] == "runsc release-20260817.0"  # its first line only


def test_gvisor_without_a_version_from_its_launcher_says_so() -> None:
    details = _gvisor(environ={})
    assert details["key"] == "gvisor-unknown-x86_64-py3.12"
    assert details["os_build"].startswith("unknown: runsc's version was not passed in")
    assert "SOCKMATRIX_RUNSC_VERSION" in details["os_build"]
    assert details["runsc_network"].startswith("unknown")
    undated = _gvisor(environ={"SOCKMATRIX_RUNSC_VERSION": "runsc version VERSION_MISSING"})
    assert (undated["os_version"], undated["os_build"]) == ("unknown", "runsc VERSION_MISSING")


def test_gvisor_version_from_the_environment_cannot_inject_text() -> None:
    hostile = "runsc version 20221219\x1b]8;;http://x\x07<b>" + "A" * 500
    details = _gvisor(
        environ={"SOCKMATRIX_RUNSC_VERSION": hostile, "SOCKMATRIX_RUNSC_NETWORK": "\x1b[2J"}
    )
    assert details["os_version"] == "20221219"
    assert set(details["os_build"]) <= set("runsc ") | set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~-"
    )
    assert len(details["os_build"]) <= len("runsc ") + 64
    assert details["runsc_network"] == "_2J"


def test_gvisor_over_the_hosts_stack_is_another_column() -> None:
    hostinet = _gvisor(environ={**RUNSC_ENV, "SOCKMATRIX_RUNSC_NETWORK": "host"})
    assert (hostinet["stack"], hostinet["key"]) == (
        "Linux",
        "gvisor-hostinet-20221219-x86_64-py3.12",
    )
    assert identity_conflict({"platform": hostinet}, {"platform": _gvisor()}) == (
        "stack",
        "Linux",
        "gVisor",
    )


def test_gvisor_python_view_key_keeps_the_gvisor_key() -> None:
    from matrix.results.document import api_key

    assert api_key(_gvisor()["key"], "python") == "gvisor-20221219-x86_64-py3.12-py-api"


@pytest.mark.parametrize(
    ("sys_platform", "release", "readers"),
    [
        ("win32", "10", {"windows_build": lambda: "10.0.26100.4349"}),
        ("darwin", "25.0.0", {"mac_product": lambda: "26.0.1"}),
        ("freebsd14", "14.2-RELEASE", {}),
    ],
)
def test_no_kernel_log_or_marker_is_read_outside_linux(
    sys_platform: str, release: str, readers: dict[str, Callable[[], Any]]
) -> None:
    details = _describe(
        sys_platform,
        release,
        uname_version=GVISOR_UNAME_V,
        kernel_log=lambda: pytest.fail("kernel log read outside Linux"),
        gvisor_marker_file=lambda: pytest.fail("gVisor marker read outside Linux"),
        **readers,
    )
    assert details["os"] != "gvisor"
