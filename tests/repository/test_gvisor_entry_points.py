"""How a user and CI reach the gVisor column: the tox env, .ci/run and the README."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.paths import REPO


def _tox() -> configparser.ConfigParser:
    config = configparser.ConfigParser(interpolation=None)
    config.read(REPO / "tox.ini", encoding="utf-8")
    return config


def test_the_gvisor_tox_env_runs_the_probes_under_gvisor_then_prints_the_table() -> None:
    env = _tox()["testenv:gvisor"]
    commands = [line.strip() for line in env["commands"].splitlines() if line.strip()]
    assert commands == [
        "sockmatrix run --under gvisor {posargs}",
        "sockmatrix table --format text {env:SOCKMATRIX_RESULTS_DIR:results}",
    ]
    # SOCKMATRIX_RUNSC and the results folder reach it; GitHub's provenance too.
    assert {"SOCKMATRIX_*", "GITHUB_*", "ImageOS"} <= set(env["pass_env"].split())


def _ci_setup(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """.ci/run's set-up lines (before the first tox call), with only stand-in commands."""
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    setup = script.split('"$PYTHON" -m tox', 1)[0]
    setup = setup.replace('cd "$(dirname "$0")/.."', "")
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run(
        [bash, "-c", setup + 'echo "REQUIRE=$SOCKMATRIX_REQUIRE_GVISOR"'],
        cwd=REPO,
        env={"PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_installs_runsc_from_apt_and_makes_the_gvisor_tests_required(tmp_path: Path) -> None:
    # Stand-ins: python and chromium present, runsc missing; apt-get records its calls.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "apt.log"
    for name, body in {
        "python": "exit 0",
        "chromium": "exit 0",
        "id": "echo 0",
        "apt-get": f'echo "$@" >> {log}',
    }.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    done = _ci_setup(bin_dir)
    assert done.returncode == 0, done.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls[0] == "update -qq"
    assert calls[1].split()[-1] == "runsc" and "chromium" not in calls[1]
    assert "REQUIRE=1" in done.stdout
