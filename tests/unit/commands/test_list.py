"""`sockmatrix list`: the probes of a library, filtered by tag."""

from __future__ import annotations

import pytest

from matrix.cli import main


def test_list_shows_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--tag", "linger"]) == 0
    out = capsys.readouterr().out
    assert "linger-nonblocking-close" in out
    assert "close-wakes-blocked-recv" not in out
