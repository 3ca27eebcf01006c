"""What `tox -e probes` prints: its two commands, read from tox.ini and run as tox runs
them (`sockmatrix run {posargs}`, then `sockmatrix table --format text ...`).

The run's progress and summary once, the cross-platform table once, each verdict
once, and nothing on stderr to land in the middle of the table.
"""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from helpers.paths import REPO
from helpers.probes import WriteProbe

from matrix.cli import main


def probes_env_commands(posargs: list[str], results_dir: Path) -> list[list[str]]:
    """tox.ini's [testenv:probes] commands, as argv for matrix.cli.main."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(REPO / "tox.ini", encoding="utf-8")
    commands = []
    for line in config["testenv:probes"]["commands"].splitlines():
        if not line.strip():
            continue
        words = shlex.split(line.replace("{env:SOCKMATRIX_RESULTS_DIR:results}", str(results_dir)))
        assert words[0] == "sockmatrix", line
        argv = []
        for word in words[1:]:
            argv += posargs if word == "{posargs}" else [word]
        commands.append(argv)
    return commands


def test_the_probes_env_prints_each_verdict_and_the_table_once(
    write_probe: WriteProbe,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_probe(id="alpha")
    results = tmp_path / "results"
    monkeypatch.setenv("SOCKMATRIX_RESULTS_DIR", str(results))
    posargs = [str(tmp_path / "probes"), "--output", str(results / "fakeos.json")]
    commands = probes_env_commands(posargs, results)
    assert [argv[0] for argv in commands] == ["run", "table"]
    for argv in commands:
        assert main(argv) == 0, argv
    captured = capsys.readouterr()
    assert captured.err == ""
    out = captured.out
    for once in (
        "[1/1] alpha: ok",
        "1 probe(s) ran: 1 ok; results written to",
        "send: 2 bytes (immediate)",  # alpha's verdict
        "platforms:",
        "verdicts where observed platforms differ: none of 1 row(s)",
    ):
        assert out.count(once) == 1, (once, out)
