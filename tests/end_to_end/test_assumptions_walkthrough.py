"""The assumptions walk-through (docs/assumptions.md) uses real keys, inputs and hooks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.paths import REPO

from matrix.cli import main
from matrix.probe.selection import builtin_probe_dir


def blocks(kind: str) -> list[str]:
    section = (REPO / "docs" / "assumptions.md").read_text(encoding="utf-8")
    return [
        re.sub(r"^   ", "", block, flags=re.MULTILINE)
        for block in re.findall(rf"```{kind}\n(.*?)```", section, re.DOTALL)
    ]


def test_the_assumption_added_to_the_builtin_probe_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = next(builtin_probe_dir().rglob("close-unread-data-resets.yaml"))
    folder = tmp_path / "socket-checks"
    folder.mkdir()
    text = source.read_text(encoding="utf-8") + blocks("yaml")[0]
    (folder / source.name).write_text(text, encoding="utf-8")
    assert main(["validate", str(folder)]) == 0, capsys.readouterr().err


def test_the_workflow_call_uses_only_real_inputs() -> None:
    call: dict[str, Any] = yaml.safe_load(blocks("yaml")[1])
    given = call["jobs"]["sockets"]["with"]
    workflow = yaml.safe_load(
        (REPO / ".github/workflows/probe-matrix.yml").read_text(encoding="utf-8")
    )
    inputs = workflow[True]["workflow_call"]["inputs"]
    assert set(given) <= set(inputs)
    assert given["fail-on-broken-assumptions"] is True


def test_the_pre_commit_example_names_the_defined_hook() -> None:
    config: dict[str, Any] = yaml.safe_load(blocks("yaml")[2])
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert config["repos"][0]["hooks"][0]["id"] == hooks[0]["id"]
    assert re.search(config["repos"][0]["hooks"][0]["files"], "socket-checks/x.yaml")


def test_the_ini_example_names_the_plugins_options() -> None:
    ini = blocks("ini")[0]
    assert "sockmatrix_probe_paths = socket-checks" in ini
    assert "sockmatrix_results = build/sockets.json" in ini
    plugin = (REPO / "matrix" / "pytest_plugin.py").read_text(encoding="utf-8")
    assert '"sockmatrix_probe_paths"' in plugin and '"sockmatrix_results"' in plugin
