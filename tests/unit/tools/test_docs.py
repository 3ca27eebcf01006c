"""Generated documentation is current, and the README's commands are the real ones."""

from __future__ import annotations

import re

from helpers.paths import REPO

from matrix.tools.docs import (
    PROBE_FORMAT_DOC,
    PROBE_LIBRARY,
    PROBES_DOC,
    probes_reference,
    render_probe_format,
)


def test_probe_format_reference_is_up_to_date() -> None:
    text = (REPO / PROBE_FORMAT_DOC).read_text(encoding="utf-8")
    assert render_probe_format(text) == text, "run: python -m matrix.tools.docs"


def test_probe_library_catalogue_is_up_to_date() -> None:
    text = (REPO / PROBES_DOC).read_text(encoding="utf-8")
    assert probes_reference(REPO / PROBE_LIBRARY) == text, "run: python -m matrix.tools.docs"


def test_probe_library_catalogue_lists_every_area() -> None:
    text = (REPO / PROBES_DOC).read_text(encoding="utf-8")
    for area in (
        "close",
        "shutdown",
        "reset",
        "connect",
        "address",
        "udp",
        "options",
        "readiness",
        "linger",
    ):
        assert f"## {area}" in text


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
