"""`sockmatrix diff` and `sockmatrix history` on synthetic results (fictional, in tmp only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.synthetic import record, results_document, write_results

from matrix.cli import main
from matrix.render.to_json import render_json
from matrix.table import history
from matrix.table.merge import load_and_merge, results_files


def _doc(
    os_name: str,
    verdicts: dict[str, str],
    version: str = "1.0",
    started: str = "2030-01-01T00:00:00+00:00",
    image: tuple[str, str] | None = None,
    python: str = "3.11.0",
) -> dict[str, object]:
    source = {"image_os": image[0], "image_version": image[1]} if image else {}
    return results_document(
        os=os_name,
        version=version,
        python=python,
        started=started,
        source=source,
        records=[
            record(pid, v) if v != "crashed" else record(pid, None, "crashed")
            for pid, v in verdicts.items()
        ],
    )


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    write_results(old, "a.json", _doc("fakeos", {"p1": "recv: EOF · close: ok", "p2": "x: 1"}))
    write_results(old, "b.json", _doc("otheros", {"p1": "recv: EOF · close: ok"}, version="7"))
    write_results(old, "c.json", _doc("goneos", {"p1": "recv: EOF"}))
    # fakeos: same key, p1 changed, p2 now fails, p3 new. otheros: new OS version
    # (new key) pairs with version 7 by OS/machine/Python; p1 unchanged there.
    write_results(
        new,
        "a.json",
        _doc("fakeos", {"p1": "recv: blocked · close: ok", "p2": "crashed", "p3": "y: 2"}),
    )
    write_results(new, "b.json", _doc("otheros", {"p1": "recv: EOF · close: ok"}, version="8"))
    write_results(new, "d.json", _doc("newos", {"p1": "recv: EOF"}))
    return old, new


def test_diff_lists_only_changed_cells_with_both_verdicts(
    runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = runs
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 changed cell(s) across 2 platform(s)")
    assert "p1 on fakeos 1.0 x86_64 py3.11\n  was: recv: EOF\n  now: recv: blocked\n" in out
    assert "p2 on fakeos 1.0 x86_64 py3.11\n  was: x: 1\n  now: crashed\n" in out
    assert "p3 on fakeos 1.0 x86_64 py3.11\n  was: not run\n  now: y: 2\n" in out
    assert "otheros" not in out.split("new platform")[0].split("\n", 1)[1]  # unchanged
    assert "new platform: newos 1.0 x86_64 py3.11" in out
    assert "not in the new run: goneos 1.0 x86_64 py3.11" in out


def test_diff_of_merged_matrices_and_markdown(runs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = runs
    for side in (old, new):
        merged = load_and_merge(results_files([side]), [])
        (tmp_path / f"{side.name}-matrix.json").write_text(render_json(merged), encoding="utf-8")
    out = tmp_path / "body.md"
    args = ["diff", str(tmp_path / "old-matrix.json"), str(tmp_path / "new-matrix.json")]
    assert main([*args, "--format", "md", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "**3 changed cell(s)** across 2 platform(s) compared." in text
    assert (
        "| p1 | fakeos 1.0 x86\\_64 py3.11 | recv: EOF | recv: blocked | "
        "recv: EOF · close: ok | recv: blocked · close: ok |"
    ) in text
    assert "otheros 7 x86\\_64 py3.11 → otheros 8" not in text  # paired, nothing changed


def test_diff_markdown_is_bounded_for_a_pull_request_body(tmp_path: Path) -> None:
    many_old = {f"p{n}": "recv: EOF" for n in range(2000)}
    many_new = {f"p{n}": "recv: blocked " + "x" * 100 for n in range(2000)}
    write_results(tmp_path / "o", "a.json", _doc("fakeos", many_old))
    write_results(tmp_path / "n", "a.json", _doc("fakeos", many_new))
    out = tmp_path / "body.md"
    args = ["diff", str(tmp_path / "o"), str(tmp_path / "n"), "--format", "md"]
    assert main([*args, "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert len(text) < 65_536
    assert "more changed cell(s)" in text and "**2000 changed cell(s)**" in text


def test_diff_skips_a_bad_file_by_name(runs: tuple[Path, Path]) -> None:
    old, new = runs
    (new / "broken.json").write_text("{", encoding="utf-8")
    assert main(["diff", str(old), str(new)]) == 1
    assert main(["diff", str(old), str(new / "missing")]) == 2


def test_history_add_keeps_one_file_per_version_and_a_bounded_count(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    folder = tmp_path / "history"
    for week in range(6):
        document = _doc(
            "fakeos",
            {"p1": "recv: EOF"},
            started=f"2030-01-{week + 1:02d}T00:00:00+00:00",
            image=("fakeimage", f"2030{week:02d}.1"),
        )
        path = write_results(incoming, f"w{week}.json", document)
        assert main(["history", "--add", str(path), "--dir", str(folder), "--keep", "4"]) == 0
    # The same image version again replaces its file.
    newer = _doc(
        "fakeos", {"p1": "x"}, image=("i", "203005.1"), started="2030-02-01T00:00:00+00:00"
    )
    again = write_results(incoming, "again.json", newer)
    assert main(["history", "--add", str(again), "--dir", str(folder), "--keep", "4"]) == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"fakeos-1.0-x86_64-py3.11@2030{w:02d}.1.json" for w in (2, 3, 4, 5)]
    assert json.loads((folder / names[-1]).read_text())["probes"][0]["verdict"] == "x"


def test_history_ranges_and_changes_between_consecutive_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "history"
    verdicts = ["A", "A", "B", "B", "B", "A"]
    for n, verdict in enumerate(verdicts):
        for image in ("imgx", "imgy"):
            document = _doc(
                "fakeos",
                {"p1": f"recv: {verdict}", "p2": "same"},
                version=f"{n}.0",
                started=f"2030-01-{n + 1:02d}T00:00:00+00:00",
                image=(image, f"2030.{n + 1}"),
            )
            write_results(folder, f"{image}-{n}.json", document)
    entries, skipped = history.load([folder])
    assert skipped == []
    table = history.ranges(entries)
    spans = table["p1"]["fakeos x86_64 py3.11 (imgx)"]
    assert [(r.first, r.last, r.verdict, r.runs, r.changed) for r in spans] == [
        ("2030.1", "2030.2", "recv: A", 2, False),
        ("2030.3", "2030.5", "recv: B", 3, True),
        ("2030.6", "2030.6", "recv: A", 1, True),
    ]
    assert [len(s) for s in table["p2"].values()] == [1, 1]
    assert main(["history", str(folder), "--changes-only"]) == 0
    out = capsys.readouterr().out
    assert "p2" not in out
    assert "    changed 2030.3 to 2030.5  (3 run(s))  recv: B (was: recv: A)" in out
    assert main(["history", str(folder), "--format", "md", "--probe", "p1"]) == 0
    md = capsys.readouterr().out
    assert (
        "| p1 | fakeos x86\\_64 py3.11 (imgy) | **changed** 2030.6 | 1 | recv: A (was: recv: B) |"
    ) in md


def test_history_versions_sort_numerically(tmp_path: Path) -> None:
    folder = tmp_path / "h"
    for n, version in enumerate(["2030.10", "2030.9", "2030.100"]):
        document = _doc("fakeos", {"p1": f"v{version}"}, image=("img", version),
                        started=f"2030-01-0{n + 1}T00:00:00+00:00")  # fmt: skip
        write_results(folder, f"{n}.json", document)
    entries, _ = history.load([folder])
    spans = history.ranges(entries)["p1"]["fakeos x86_64 py3.11 (img)"]
    assert [r.first for r in spans] == ["2030.9", "2030.10", "2030.100"]
