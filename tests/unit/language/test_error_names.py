"""The error names an observation can carry: the portable names of every table."""

from __future__ import annotations

from matrix.language.error_names import ERRNO_TABLES, portable_name, reportable_errors


def test_the_portable_names_of_every_family_are_reportable() -> None:
    names = reportable_errors()
    for family, table in ERRNO_TABLES.items():
        for raw in table.values():
            assert portable_name(raw) in names, (family, raw)


def test_a_folded_spelling_is_not_reportable_itself() -> None:
    names = reportable_errors()
    # EAGAIN reads EWOULDBLOCK, WSAECONNRESET reads ECONNRESET, ENOTSUP reads EOPNOTSUPP.
    assert {"EWOULDBLOCK", "ECONNRESET", "EOPNOTSUPP", "ENOTCONN", "EPIPE"} <= names
    assert not {"EAGAIN", "WSAECONNRESET", "ENOTSUP", "ENOTCONNN"} & names


def test_a_winsock_name_without_a_unix_twin_stays_itself() -> None:
    assert "WSAEDISCON" in reportable_errors()
