"""The command line itself: every command's --help, python -m matrix, a closed or narrow stdout.

Each command has its own tests in tests/unit/commands/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.probes import MINIMAL_PROBE, WriteProbe
from helpers.processes import modules_loaded_by

from matrix.cli import build_parser, main

MINIMAL = MINIMAL_PROBE.format(id="arrow")


def test_every_command_has_help() -> None:
    parser = build_parser()
    for command in ("run", "validate", "show", "list"):
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([command, "--help"])
        assert exited.value.code == 0


@pytest.mark.parametrize("module", ["matrix", "matrix.cli"])
def test_python_dash_m_runs_the_command(module: str) -> None:
    # `python -m matrix.cli` once imported the module and exited 0 having done
    # nothing, so a `--check` run that way passed whatever the file said.
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("sockmatrix ")


def test_output_closed_early_is_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sockmatrix list | head`: the reader goes away and writes fail with EPIPE.
    # Simulated, because some kernels (this sandbox's) silently drop such writes.
    target = (tmp_path / "stdout").open("w", encoding="utf-8")

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            return target.fileno()

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["list"]) == 0
    os.write(target.fileno(), b"after the pipe broke")  # now goes to the null device
    target.close()
    assert (tmp_path / "stdout").read_text(encoding="utf-8") == ""


def test_report_survives_a_stdout_that_cannot_encode_it(
    write_probe: WriteProbe, tmp_path: Path
) -> None:
    # What Windows gives a program whose output goes to a pipe: cp1252, no "→".
    write_probe(MINIMAL.replace("A minimal probe", "close() → RST"), id="arrow")
    done = subprocess.run(
        [sys.executable, "-m", "matrix", "list", str(tmp_path / "probes")],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    assert done.returncode == 0
    assert b"close() \\u2192 RST" in done.stdout


COMMAND = """
import sys
from matrix.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


def _modules_loaded_by(argv: list[str]) -> set[str]:
    return modules_loaded_by(COMMAND, *argv)


def test_help_loads_no_command_work() -> None:
    loaded = _modules_loaded_by(["--help"])
    ours = {m for m in loaded if m.startswith("matrix.")}
    assert ours and all(m.partition(".")[2].startswith(("cli", "commands")) for m in ours), ours
    assert not {"jsonschema", "yaml", "fastjsonschema", "tabulate"} & loaded


def test_validate_loads_what_validation_needs_and_nothing_of_the_other_commands(
    write_probe: WriteProbe,
) -> None:
    loaded = _modules_loaded_by(["validate", str(write_probe(MINIMAL, id="arrow"))])
    assert "matrix.probe.validate" in loaded
    for unneeded in (
        "matrix.render.changes",
        "matrix.render.to_md",
        "matrix.table.merge",
        "matrix.results.document",
        "matrix.runner.runner",
        "tabulate",
        # A file that fits the schema is told so without jsonschema (95 ms to
        # import); a valid file needs no suggestion (difflib), no digest
        # (hashlib), no socket, and no dataclasses (13 ms with inspect).
        "jsonschema",
        "difflib",
        "hashlib",
        "socket",
        "dataclasses",
    ):
        assert unneeded not in loaded, f"validate loads {unneeded}"


def test_validate_of_a_broken_file_loads_jsonschema_to_explain_it(
    write_probe: WriteProbe,
) -> None:
    broken = MINIMAL.replace("title: A minimal probe", "title: 5")
    assert broken != MINIMAL
    loaded = _modules_loaded_by(["validate", str(write_probe(broken, id="broken"))])
    assert "jsonschema" in loaded


def test_defaults_named_in_commands_agree_with_their_owners() -> None:
    from matrix.commands import diff, history
    from matrix.render.changes import PR_BODY_LIMIT
    from matrix.table.history import DEFAULT_KEEP

    assert diff.DEFAULT_LIMIT == PR_BODY_LIMIT
    assert history.DEFAULT_KEEP == DEFAULT_KEEP
