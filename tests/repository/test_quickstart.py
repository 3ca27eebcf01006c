"""The README's Quickstart: two command lines, and CI runs the same test command."""

from __future__ import annotations

import re

from helpers.paths import REPO


def quickstart_lines() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    # The first block installs tox once; the second holds the two command lines.
    blocks = re.findall(r"```\n(.*?)```", section, re.DOTALL)
    assert len(blocks) >= 2
    return [line for line in blocks[1].splitlines() if line.strip()]


def test_quickstart_is_two_command_lines() -> None:
    lines = quickstart_lines()
    assert len(lines) == 2
    assert lines[0].endswith("tox -e probes")
    assert lines[1].endswith("tox -e py")


def test_ci_runs_the_readme_test_command() -> None:
    test_command = quickstart_lines()[1].split("&&")[-1].strip()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.replace("python", '"$PYTHON"', 1) in ci
