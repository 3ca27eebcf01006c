"""Linux's /proc/net/tcp and tcp6, parsed from lines as the kernel prints them."""

from __future__ import annotations

import pytest

from matrix.engine.tcpstate.proc_net_tcp import parse_proc_net_tcp

# Lines as net/ipv4/tcp_ipv4.c prints them on a little-endian machine: 127.0.0.1
# is the __be32 0x0100007F printed as a native number; ports in host order.
TCP4 = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1102 1 000000008f035533 100 0 0 10 0
   1: 0100007F:EE24 0100007F:CAF1 06 00000000:00000000 03:000003F5 00000000     0        0 0 3 00000000fd946128
   2: 0100007F:CAF1 0100007F:EE24 08 00000000:00000000 00:00000000 00000000     0        0 5 1 0000000000000000 20 4 0 10 -1
"""  # noqa: E501
TCP6 = """\
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:84FA 00000000000000000000000001000000:D2FD 05 00000000:00000000 03:0000031F 00000000     0        0 0 3 00000000e15f7ecd
"""  # noqa: E501


def test_ipv4_lines_give_addresses_ports_and_rfc793_states() -> None:
    assert parse_proc_net_tcp(TCP4, "little") == [
        (("0.0.0.0", 2024), ("0.0.0.0", 0), "LISTEN"),
        (("127.0.0.1", 60964), ("127.0.0.1", 51953), "TIME_WAIT"),
        (("127.0.0.1", 51953), ("127.0.0.1", 60964), "CLOSE_WAIT"),
    ]


def test_ipv6_words_are_native_numbers_too() -> None:
    assert parse_proc_net_tcp(TCP6, "little") == [(("::1", 34042), ("::1", 54013), "FIN_WAIT_2")]


def test_a_big_endian_kernel_prints_the_address_bytes_in_order() -> None:
    text = TCP4.replace("0100007F", "7F000001")
    assert parse_proc_net_tcp(text, "big")[1][0] == ("127.0.0.1", 60964)


def test_a_text_of_another_shape_is_refused_never_read_as_an_empty_table() -> None:
    with pytest.raises(ValueError, match="header"):
        parse_proc_net_tcp("", "little")
    with pytest.raises(ValueError, match="header"):
        parse_proc_net_tcp("sl local rem st\n", "little")
    with pytest.raises(ValueError, match="unknown shape"):
        parse_proc_net_tcp(TCP4.splitlines()[0] + "\nnonsense\n", "little")
    with pytest.raises(ValueError):
        parse_proc_net_tcp(TCP4.replace("0100007F:EE24", "01007F:EE24"), "little")
    header_only = TCP4.splitlines()[0] + "\n"
    assert parse_proc_net_tcp(header_only, "little") == []
