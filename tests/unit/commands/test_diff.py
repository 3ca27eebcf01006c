"""`sockmatrix diff`: changed cells between two runs, as text or a bounded Markdown body.

Synthetic results of fictional platforms, written in tmp only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.synthetic import verdicts_document, write_results

from matrix.cli import main
from matrix.render.to_json import render_json
from matrix.table.merge import load_and_merge, results_files


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    write_results(
        old, "a.json", verdicts_document("fakeos", {"p1": "recv: EOF · close: ok", "p2": "x: 1"})
    )
    write_results(
        old, "b.json", verdicts_document("otheros", {"p1": "recv: EOF · close: ok"}, version="7")
    )
    write_results(old, "c.json", verdicts_document("goneos", {"p1": "recv: EOF"}))
    # fakeos: same key, p1 changed, p2 now fails, p3 new. otheros: new OS version
    # (new key) pairs with version 7 by OS/machine/Python; p1 unchanged there.
    write_results(
        new,
        "a.json",
        verdicts_document(
            "fakeos", {"p1": "recv: blocked · close: ok", "p2": "crashed", "p3": "y: 2"}
        ),
    )
    write_results(
        new, "b.json", verdicts_document("otheros", {"p1": "recv: EOF · close: ok"}, version="8")
    )
    write_results(new, "d.json", verdicts_document("newos", {"p1": "recv: EOF"}))
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
    write_results(tmp_path / "o", "a.json", verdicts_document("fakeos", many_old))
    write_results(tmp_path / "n", "a.json", verdicts_document("fakeos", many_new))
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
