"""matrix.tools.ci_scope: a pull request that only changes probe files runs only those.

File names come from the pull request: anything unexpected means the whole library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO

from matrix.tools.ci_scope import MAX_FILES, scope

PROBE = next(p.relative_to(REPO).as_posix() for p in sorted((REPO / "probes").rglob("*.yaml")))


def test_only_probe_files_changed_runs_just_those() -> None:
    assert scope([PROBE], REPO) == [PROBE]


@pytest.mark.parametrize(
    "changed",
    [
        [PROBE, "matrix/engine/scenario.py"],  # code changed too: everything
        ["README.md"],
        [],
        ["probes/x/$(touch pwned).yaml"],
        ["probes/../matrix/cli.yaml"],
        ["probes/x/a b.yaml"],
        ["probes/x/gone.yaml"],  # only deleted probe files: nothing left to run
        [PROBE] * (MAX_FILES + 1),
    ],
)
def test_anything_else_runs_the_whole_library(changed: list[str]) -> None:
    assert scope(changed, REPO) == []


def test_the_output_is_a_github_output_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "matrix.tools.ci_scope"],
        input=f"{PROBE}\n::set-output name=x::y\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert done.stdout == "probes=\n"
    done = subprocess.run(
        [sys.executable, "-m", "matrix.tools.ci_scope"],
        input=f"{PROBE}\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert done.stdout == f"probes={PROBE}\n"
    assert Path(REPO / PROBE).is_file()
