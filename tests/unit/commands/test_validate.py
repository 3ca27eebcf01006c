"""`sockmatrix validate`: every problem in every file, and the built-in library passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.probes import HEADER, WriteProbe

from matrix.cli import main


def test_validate_command_reports_every_problem_and_exits_2(
    write_probe: WriteProbe, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_probe(id="good")
    bad = write_probe(HEADER.replace("id: p", "id: bad") + "sockets: []\n", id="bad")
    status = main(["validate", str(tmp_path / "probes")])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{bad}:6: sockets → needs at least 1 item(s)" in err
    assert f"{bad}:1: missing required key 'steps'" in err
    assert "problem(s) in 1 file(s); 1 probe(s) valid" in err


def test_validate_command_passes_the_builtin_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert "probe(s) valid" in capsys.readouterr().out
