"""Option encodings of the extra stacks (FreeBSD, OpenBSD, NetBSD, illumos, WSL1), per system."""

from __future__ import annotations

import struct
import sys

import pytest

from matrix.engine.abi.option_encodings import (
    RAW_SO_LINGER,
    decode_duration,
    decode_linger,
    encode_duration,
    encode_linger,
    linger_size,
)
from matrix.language.os_families import os_family
from matrix.language.stack_options import (
    IPV6_V6ONLY_DEFAULT,
    KEEPALIVE,
    LINGER_UNITS,
    matches_running_python,
)

EXTRA = ("freebsd", "openbsd", "netbsd", "illumos", "wsl1")
EVERY = ("linux", "windows", "macos", *EXTRA)


@pytest.mark.parametrize("family", ("freebsd", "openbsd", "netbsd", "illumos"))
def test_bsd_and_illumos_linger_is_two_ints_in_seconds_at_sol_socket_0xffff(family: str) -> None:
    level, optname, value = encode_linger(True, 2, family)
    assert (level, optname) == (0xFFFF, 0x0080)
    assert struct.unpack("ii", value) == (1, 2)
    assert decode_linger(value, family) == {"on": True, "seconds": 2}
    assert linger_size(family) == 8
    assert RAW_SO_LINGER[family] == (0x0080, "ii", 1)
    assert LINGER_UNITS[family] == "seconds"


def test_wsl1_uses_linuxs_abi_for_linger() -> None:
    assert encode_linger(True, 2, "wsl1") == encode_linger(True, 2, "linux")
    assert RAW_SO_LINGER["wsl1"] == RAW_SO_LINGER["linux"]


def test_only_macos_counts_linger_in_ticks() -> None:
    assert {f for f in EVERY if LINGER_UNITS[f] != "seconds"} == {"macos"}


def test_netbsd_timeval_has_an_int_microseconds_field() -> None:
    # NetBSD: suseconds_t is int32_t; the others (LP64) use long.
    encoded = encode_duration(1.5, "netbsd")
    assert len(encoded) == 16
    assert struct.unpack("@qi4x", encoded) == (1, 500000)
    assert decode_duration(encoded, "netbsd") == 1.5
    for family in ("freebsd", "openbsd", "illumos", "wsl1"):
        assert struct.unpack("@ll", encode_duration(1.5, family)) == (1, 500000)


@pytest.mark.parametrize(
    ("family", "idle"),
    [
        ("linux", ("TCP_KEEPIDLE", 4)),
        ("wsl1", ("TCP_KEEPIDLE", 4)),
        ("macos", ("TCP_KEEPALIVE", 0x10)),
        ("windows", ("TCP_KEEPIDLE", 3)),
        ("freebsd", ("TCP_KEEPIDLE", 256)),
        ("netbsd", ("TCP_KEEPIDLE", 3)),
        ("illumos", ("TCP_KEEPIDLE", 0x22)),
        ("openbsd", None),
    ],
)
def test_keepalive_idle_name_and_number_per_system(
    family: str, idle: tuple[str, int] | None
) -> None:
    assert KEEPALIVE[family].idle == idle


def test_one_number_is_different_options_on_different_systems() -> None:
    # 3 is the idle time on NetBSD and on Windows, 4 on Linux, 256 on FreeBSD:
    # a probe names options, never numbers.
    numbers = {f: KEEPALIVE[f].idle[1] for f in EVERY if KEEPALIVE[f].idle}
    assert len(set(numbers.values())) == 5  # 4, 0x10, 3, 256, 0x22


def test_v6only_defaults_name_their_source() -> None:
    assert set(IPV6_V6ONLY_DEFAULT) == set(EVERY)
    on = {f for f, (default, _) in IPV6_V6ONLY_DEFAULT.items() if default == 1}
    assert on == {"windows", "freebsd", "netbsd", "openbsd"}
    assert all(source for _, source in IPV6_V6ONLY_DEFAULT.values())


def test_every_family_has_every_table() -> None:
    for table in (KEEPALIVE, LINGER_UNITS, IPV6_V6ONLY_DEFAULT):
        assert set(table) >= set(EVERY)


def test_the_table_agrees_with_this_pythons_socket_module() -> None:
    family = os_family(sys.platform)
    if family not in KEEPALIVE:
        pytest.skip(f"no table for {family}")
    assert matches_running_python(family) == []


def test_keepalive_data_agrees_with_the_option_allow_list() -> None:
    # matrix/language/option_allowlist.py places linux, macos and windows numbers itself; the
    # two tables must never disagree where both speak.
    from matrix.language.option_allowlist import KNOWN_OPTIONS

    for family in ("linux", "macos", "windows"):
        options = KEEPALIVE[family]
        for name, entry in (
            ("TCP_KEEPIDLE", options.idle),
            ("TCP_KEEPINTVL", options.interval),
            ("TCP_KEEPCNT", options.count),
        ):
            assert entry is not None
            assert KNOWN_OPTIONS[name].numbers[family] == entry[1], (family, name)
    assert KNOWN_OPTIONS["TCP_KEEPIDLE"].native.get("macos") == KEEPALIVE["macos"].idle[0]  # type: ignore[index]
