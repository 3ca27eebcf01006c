"""The append-only journal beside a file: whole lines or none, never through a link."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from matrix.files import journal as journal_module
from matrix.files.journal import (
    HEADER_SIZE,
    append_line,
    journal_path,
    journal_token,
    read_journal,
    remove_journal,
)
from matrix.files.read import Unreadable
from matrix.files.write import OutputRefused


def test_lines_are_read_back_in_order_under_one_token(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    size = append_line(target, b"one\n")
    assert size == HEADER_SIZE + 4
    append_line(target, b"two\n")
    journal = read_journal(target, 1 << 20)
    assert journal is not None
    assert journal.lines == [b"one", b"two"]
    assert journal.token == journal_token(target) and len(journal.token) == 16
    assert journal.size == os.path.getsize(journal_path(target))


def test_no_journal_reads_as_none(tmp_path: Path) -> None:
    assert read_journal(tmp_path / "r.json", 1 << 20) is None
    assert journal_token(tmp_path / "r.json") is None


def test_an_entry_must_be_exactly_one_line(tmp_path: Path) -> None:
    for bad in (b"no newline", b"two\nlines\n"):
        with pytest.raises(ValueError):
            append_line(tmp_path / "r.json", bad)
    assert not journal_path(tmp_path / "r.json").exists()


def test_a_line_cut_short_by_a_kill_is_left_out_then_cut_away(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    append_line(target, b"whole\n")
    with open(journal_path(target), "ab") as handle:
        handle.write(b'{"cut sho')  # what kill -9 mid-write leaves
    journal = read_journal(target, 1 << 20)
    assert journal is not None and journal.lines == [b"whole"]
    append_line(target, b"next\n")
    journal = read_journal(target, 1 << 20)
    assert journal is not None and journal.lines == [b"whole", b"next"]
    assert b"cut sho" not in journal_path(target).read_bytes()


def test_a_header_cut_short_holds_no_entries(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    journal_path(target).write_bytes(b"#journal 01ab")
    journal = read_journal(target, 1 << 20)
    assert journal is not None and journal.lines == []
    append_line(target, b"first\n")
    journal = read_journal(target, 1 << 20)
    assert journal is not None and journal.lines == [b"first"]


def test_a_journal_that_is_not_one_is_unreadable(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    journal_path(target).write_bytes(b"something else entirely\n{}\n")
    with pytest.raises(Unreadable, match="does not start as one"):
        read_journal(target, 1 << 20)


def test_a_journal_over_the_limit_is_unreadable(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    append_line(target, b"x" * 100 + b"\n")
    with pytest.raises(Unreadable, match=r"has a journal \(r.json.journal\)"):
        read_journal(target, 50)


@pytest.mark.parametrize("written_before_failing", [0, 3])
def test_a_full_disk_leaves_the_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_before_failing: int
) -> None:
    target = tmp_path / "r.json"
    append_line(target, b"kept\n")
    before = journal_path(target).read_bytes()
    real = journal_module._write_all

    def fills_up(fd: int, data: bytes) -> None:
        real(fd, data[:written_before_failing])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_all", fills_up)
    with pytest.raises(OSError, match="No space"):
        append_line(target, b"lost\n")
    assert journal_path(target).read_bytes() == before


def test_a_journal_the_failed_write_made_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fills_up(fd: int, data: bytes) -> None:
        os.write(fd, data[:5])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_all", fills_up)
    with pytest.raises(OSError):
        append_line(tmp_path / "r.json", b"line\n")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_mid_append_leaves_no_part_of_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.json"
    append_line(target, b"kept\n")
    before = journal_path(target).read_bytes()
    real = journal_module._write_all

    def interrupted(fd: int, data: bytes) -> None:
        real(fd, data[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(journal_module, "_write_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        append_line(target, b"lost\n")
    assert journal_path(target).read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges there")
def test_a_journal_that_is_a_symbolic_link_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"#journal 0123456789abcdef\nsecret\n")
    journal_path(target).symlink_to(elsewhere)
    with pytest.raises(OutputRefused, match="symbolic link"):
        append_line(target, b"line\n")
    with pytest.raises(Unreadable):
        read_journal(target, 1 << 20)
    assert elsewhere.read_bytes() == b"#journal 0123456789abcdef\nsecret\n"


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_journal_that_is_a_fifo_is_never_opened_for_writing(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    os.mkfifo(journal_path(target))
    # O_RDWR on a FIFO does not block (Linux fifo(7)); the descriptor check refuses it.
    with pytest.raises(OutputRefused, match="not appended to"):
        append_line(target, b"line\n")


def test_removing_a_journal_that_is_gone_is_quiet(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    remove_journal(target)
    append_line(target, b"x\n")
    remove_journal(target)
    assert not journal_path(target).exists()
