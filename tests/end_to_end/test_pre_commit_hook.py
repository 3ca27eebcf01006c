"""The pre-commit hook other repositories use runs the validate command on the files it is given."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO

from matrix.cli import main


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["sockmatrix-validate"]
    found: dict[str, Any] = hooks[0]
    return found


def run_hook(files: list[Path]) -> int:
    """What pre-commit does: the entry, then the staged file names as arguments."""
    definition = hook()
    assert definition["pass_filenames"] is True
    argv = shlex.split(definition["entry"])
    assert argv[0] == "sockmatrix", "the console script pip installs from this package"
    return main([*argv[1:], *map(str, files)])


def test_the_hook_installs_this_package_and_matches_probe_files() -> None:
    definition = hook()
    assert definition["language"] == "python"
    pattern = re.compile(definition["files"])
    assert pattern.search("probes/close/x.yaml")
    assert pattern.search("lib/probes/x.yaml")
    assert not pattern.search("config/settings.yaml")
    assert not pattern.search("probes/README.md")


def test_the_hook_passes_valid_files_and_fails_on_a_bad_one_with_its_line(
    write_probe: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_probe(id="good")
    assert run_hook([good]) == 0
    assert "1 probe(s) valid" in capsys.readouterr().out

    bad = write_probe(
        "id: bad\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\n"
        "sockets: [{pair: [a, b]}]\nsteps: [{op: close, socket: c, name: x}]\nverdict: [x]\n",
        id="bad",
    )
    assert run_hook([good, bad]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:7: steps[0] → socket → unknown socket 'c'" in err
    assert "good.yaml" not in err


def test_the_hook_checks_only_the_files_it_is_given(write_probe: Any) -> None:
    write_probe("id: broken\n", id="broken")  # in the same folder, not staged
    assert run_hook([write_probe(id="staged")]) == 0
