"""gVisor's markers and the runsc facts its launcher passes in (matrix.results.gvisor)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from matrix.results.gvisor import (
    gvisor_markers,
    is_gvisor,
    kernel_log_head,
    marker_file_present,
    runsc_details,
)

BANNER = "<6>[   0.000000] Starting gVisor...\n<6>[   0.1] Ready!\n"
UNAME_V = "#1 SMP Sun Jan 10 15:06:54 PST 2016"


def test_markers_are_the_kernel_logs_first_line_the_marker_file_and_uname() -> None:
    assert gvisor_markers(BANNER, UNAME_V, True) == ["marker file", "kernel log", "uname -v"]
    assert gvisor_markers(BANNER, "#1 SMP PREEMPT_DYNAMIC @0", False) == ["kernel log"]
    assert gvisor_markers("", UNAME_V, False) == ["uname -v"]


def test_the_banner_counts_only_as_the_first_record_of_the_log() -> None:
    # A real kernel's log could hold the words later (a message written to /dev/kmsg).
    later = "<6>[    0.000000] Linux version 6.18\n<4>[   12.5] Starting gVisor...\n"
    assert gvisor_markers(later, "#1", False) == []
    assert gvisor_markers("Starting gVisor... and more", "#1", False) == []


def test_uname_alone_is_not_gvisor() -> None:
    assert not is_gvisor(["uname -v"])
    assert is_gvisor(["kernel log"])
    assert is_gvisor(["marker file"])


def test_the_kernel_log_is_not_asked_for_outside_linux() -> None:
    for platform in ("win32", "darwin", "freebsd14", "sunos5"):
        assert kernel_log_head(platform) == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syslog(2) is Linux's")
def test_the_kernel_log_read_is_a_string_whatever_this_system_permits() -> None:
    # Refused (dmesg_restrict, seccomp) is "", not an error; granted is the log's text.
    assert isinstance(kernel_log_head(), str)


def test_the_marker_file_is_a_file_that_exists(tmp_path: Path) -> None:
    marker = tmp_path / "kernel_is_gvisor"
    assert not marker_file_present(str(marker))
    marker.write_text("gvisor\n")
    assert marker_file_present(str(marker))
    assert not marker_file_present(str(tmp_path))


def test_runsc_details_from_debian_and_upstream_version_lines() -> None:
    debian = runsc_details({"SOCKMATRIX_RUNSC_VERSION": "runsc version 0.0~20221219.0"})
    assert (debian["os_version"], debian["os_build"]) == ("20221219", "runsc 0.0~20221219.0")
    upstream = runsc_details(
        {
            "SOCKMATRIX_RUNSC_VERSION": "runsc version release-20260817.0",
            "SOCKMATRIX_RUNSC_NETWORK": "none",
        }
    )
    assert (upstream["os_version"], upstream["runsc_network"]) == ("20260817", "none")
