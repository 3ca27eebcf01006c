"""`sockmatrix run --under gvisor`: options passed on, one-line errors, and a run inside that
refuses to write a column that is not gVisor's (with a stand-in runsc: no root, no sandbox)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.fake_runsc import VERSION_LINE, fake_runsc

from matrix.cli import build_parser, main
from matrix.commands.run import FORWARDED, forwarded_arguments
from matrix.runner import under_gvisor

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="runsc runs on Linux only"
)

EVERY_OPTION = [
    "run",
    "-k",
    "linger and not zero",
    "-n",
    "3",
    "--output",
    "out/r.json",
    "--repeat",
    "2",
    "--api",
    "python",
    "--quiet",
    "--fresh",
    "--with-builtin",
    "--under",
    "gvisor",
    "mine/a.yaml",
]


def test_every_option_but_under_is_passed_to_the_run_inside() -> None:
    given = build_parser().parse_args(EVERY_OPTION)
    given.paths.append(Path("-dash-named.yaml"))  # a path that looks like an option
    inner = build_parser().parse_args(["run", *forwarded_arguments(given)])
    expected = {k: v for k, v in vars(given).items() if k != "under"}
    assert {k: v for k, v in vars(inner).items() if k != "under"} == expected
    assert inner.under is None  # never twice


def test_forwarded_names_every_option_of_run() -> None:
    # A new `run` option must be passed on to the run inside (or named here on purpose).
    options = set(vars(build_parser().parse_args(["run"]))) - {"command", "under"}
    assert options == set(FORWARDED)


def test_defaults_round_trip_too() -> None:
    given = build_parser().parse_args(["run", "--under", "gvisor"])
    inner = build_parser().parse_args(["run", *forwarded_arguments(given)])
    assert {k: v for k, v in vars(inner).items() if k != "under"} == {
        k: v for k, v in vars(given).items() if k != "under"
    }


def test_run_help_documents_under_gvisor(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--under {gvisor}" in text
    assert "runsc --network=none do" in text and "apt-get install runsc" in text
    assert "results/<gvisor key>.json" in text and "tox -e gvisor" in text


@linux_only
def test_a_missing_runsc_is_one_line_and_nothing_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("SOCKMATRIX_RUNSC", raising=False)
    monkeypatch.setattr(under_gvisor, "check_host", lambda: None)
    assert main(["run", "--under", "gvisor"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("sockmatrix run --under gvisor: runsc (gVisor) is not on PATH")
    assert "apt-get install runsc" in err
    assert not (tmp_path / "results").exists()


@linux_only
def test_not_root_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_check = under_gvisor.check_host
    monkeypatch.setattr(under_gvisor, "check_host", lambda: real_check(euid=lambda: 1000))
    assert main(["run", "--under", "gvisor"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "runsc needs root" in err


@linux_only
def test_a_sandbox_that_will_not_start_is_one_line_with_runscs_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOCKMATRIX_RUNSC", str(fake_runsc(tmp_path)))
    monkeypatch.setenv("FAKE_RUNSC_FAIL", "mkdir /sys/fs/cgroup/x: permission denied")
    monkeypatch.setattr(under_gvisor, "check_host", lambda: None)
    assert main(["run", "--under", "gvisor", "--quiet"]) == 1
    last = capfd.readouterr().err.strip().splitlines()[-1]
    assert last == (
        "sockmatrix run --under gvisor: runsc could not start the sandbox (exit 128): "
        "creating container: mkdir /sys/fs/cgroup/x: permission denied"
    )
    assert not (tmp_path / "results").exists()


@linux_only
def test_the_run_inside_gets_the_options_and_refuses_a_platform_that_is_not_gvisor(
    write_probe: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # The stand-in runs the command without a sandbox, on this Linux: the run inside
    # must see no gVisor marker and write nothing rather than a wrong column.
    write_probe(id="alpha")  # type: ignore[operator]
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "runsc.json"
    monkeypatch.setenv("SOCKMATRIX_RUNSC", str(fake_runsc(tmp_path)))
    monkeypatch.setenv("FAKE_RUNSC_LOG", str(log))
    monkeypatch.setattr(under_gvisor, "check_host", lambda: None)
    status = main(["run", "--under", "gvisor", "probes", "-n", "1", "--quiet", "--fresh"])
    err = capfd.readouterr().err
    assert status == 1, err
    assert "started to run under gvisor, but this platform is linux-" in err
    assert "nothing was run" in err
    assert not (tmp_path / "results").exists()
    seen = json.loads(log.read_text(encoding="utf-8"))
    assert seen["argv"][:5] == [
        "--network=none",
        "do",
        "-force-overlay=false",
        "-quiet",
        sys.executable,
    ]
    assert seen["argv"][5:] == [
        "-m", "matrix", "run", "-n", "1", "--repeat", "1", "--api", "native", "--quiet",
        "--fresh", "--", "probes",
    ]  # fmt: skip
    assert seen["env"]["SOCKMATRIX_RUNSC_VERSION"] == VERSION_LINE
    assert seen["env"]["SOCKMATRIX_UNDER"] == "gvisor"
