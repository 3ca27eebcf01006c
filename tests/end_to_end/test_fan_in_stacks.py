"""The fan-in with a leg from every extra stack: synthetic files, fictional releases.

Laid out like download-artifact without merge-multiple (one folder per leg),
in the test's own temporary folder; nothing here is an observation of a real
system, and nothing is written under results/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.paths import REPO
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main
from matrix.table.merge import load_and_merge, results_files

# (folder, os, fictional version, stack, api, libc, verdict)
LEGS = [
    ("linux", "linux", "0.1-fictional", "Linux", "Linux", "glibc", "recv: EOF"),
    ("alpine", "linux", "0.1-fictional", "Linux", "Linux", "musl", "recv: EOF"),
    ("gvisor", "gvisor", "1-fictional", "gVisor", "Linux", "glibc", "recv: EOF"),
    ("wsl1", "wsl1", "1-fictional", "Windows", "Linux", "glibc", "recv: ECONNRESET"),
    ("windows", "windows", "0.0.1-fictional", "Windows", "Windows", None, "recv: ECONNRESET"),
    ("macos", "macos", "0.1-fictional", "XNU", "XNU", None, "recv: EOF"),
    ("freebsd-a", "freebsd", "0.1-fictional", "FreeBSD", "FreeBSD", None, "recv: EOF"),
    ("freebsd-b", "freebsd", "0.2-fictional", "FreeBSD", "FreeBSD", None, "recv: EOF"),
    ("openbsd", "openbsd", "0.1-fictional", "OpenBSD", "OpenBSD", None, "recv: blocked"),
    ("netbsd", "netbsd", "0.1-fictional", "NetBSD", "NetBSD", None, "recv: EOF"),
    ("illumos", "illumos", "r0-fictional", "illumos", "illumos", None, "recv: EOF"),
]


def _leg(
    folder: str, os: str, version: str, stack: str, api: str, libc: str | None, verdict: str
) -> dict[str, Any]:
    document = results_document(
        os=os,
        version=version,
        records=[
            record(
                "stack-probe", verdict, observations=[observation("recv", verdict.split(": ")[1])]
            )
        ],
        source={"run_url": f"https://github.com/example/sockmatrix/actions/runs/{folder}"},
    )
    platform = document["platform"]
    platform.update(stack=stack, os_api=api)
    if libc:
        platform["libc"] = libc
    if libc == "musl":
        platform["key"] = platform["key"].replace(f"{os}-", f"{os}-musl-", 1)
    return document


def _collected(tmp_path: Path) -> list[Path]:
    folders = []
    for folder, *fields in LEGS:
        document = _leg(folder, *fields)  # type: ignore[arg-type]
        directory = tmp_path / "collected" / f"sockmatrix-results-{folder}"
        write_results(directory, f"{document['platform']['key']}.json", document)
        folders.append(directory)
    return folders


def test_every_new_family_merges_into_its_own_column_grouped_by_family(tmp_path: Path) -> None:
    before = sorted(p.name for p in (REPO / "results").iterdir())
    folders = _collected(tmp_path)
    matrix = load_and_merge(results_files(folders), [])
    assert matrix.skipped == []
    observed = [c for c in matrix.columns if not c.documented_only]
    assert len(observed) == len(LEGS)
    families = [c.os for c in observed]
    # Grouped: every family's columns are adjacent, in the documented order.
    assert families == [
        "linux",
        "linux",
        "gvisor",
        "wsl1",
        "windows",
        "macos",
        "freebsd",
        "freebsd",
        "openbsd",
        "netbsd",
        "illumos",
    ]
    by_key = {c.key: c for c in observed}
    wsl1 = next(c for c in observed if c.os == "wsl1")
    assert "Linux API over the Windows stack" in wsl1.label
    gvisor = next(c for c in observed if c.os == "gvisor")
    assert gvisor.label == "gvisor 1-fictional x86_64 py3.11 (Linux API over the gVisor stack)"
    assert {c.stack_label for c in observed if c.os == "freebsd"} == {"FreeBSD stack"}
    assert any("musl" in key for key in by_key)
    assert matrix.rows[0].differs
    assert sorted(p.name for p in (REPO / "results").iterdir()) == before


def test_the_fan_in_command_publishes_every_stack_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _collected(tmp_path)
    summary = tmp_path / "summary.md"
    out = tmp_path / "out"
    status = main(
        ["table", *map(str, folders), "--output-dir", str(out), "--summary", str(summary)]
    )
    assert status == 0, capsys.readouterr().err
    text = summary.read_text(encoding="utf-8")
    for stack in ("FreeBSD", "OpenBSD", "NetBSD", "illumos", "XNU", "Windows", "Linux", "gVisor"):
        assert f"| {stack} |" in text
    matrix_md = (out / "MATRIX.md").read_text(encoding="utf-8")
    assert "Linux API over the Windows stack" in matrix_md
    assert "Linux API over the gVisor stack" in matrix_md
    assert "OpenBSD stack" in matrix_md
    merged = json.loads((out / "matrix.json").read_text(encoding="utf-8"))
    assert len([c for c in merged["columns"] if not c.get("documented_only")]) >= len(LEGS)


def test_a_failed_leg_leaves_the_rest_of_the_table(tmp_path: Path) -> None:
    folders = _collected(tmp_path)
    # The NetBSD VM never booted: its folder is empty (upload warned, no file).
    for path in (tmp_path / "collected" / "sockmatrix-results-netbsd").iterdir():
        path.unlink()
    matrix = load_and_merge(results_files(folders), [])
    assert "netbsd" not in {c.os for c in matrix.columns}
    assert len([c for c in matrix.columns if not c.documented_only]) == len(LEGS) - 1
