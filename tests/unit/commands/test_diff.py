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
    # Paired across the new OS version: no changed cell, but the column is renamed.
    assert "| p1 | otheros" not in text
    assert (
        "Column renamed (a new OS version or runner image): otheros 7 x86\\_64 py3.11 → otheros 8"
        in text
    )


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


# --- --exit-code: does the table change? (the refresh job's question) ---------


def _platform(verdict: str = "recv: EOF", **changes: object) -> dict[str, object]:
    document = verdicts_document("fakeos", {"p1": verdict, "p2": "x: 1"})
    document.update({k: v for k, v in changes.items() if k in document})
    return document


def _exit_code(tmp_path: Path, old: dict[str, object], new: dict[str, object]) -> int:
    write_results(tmp_path / "old", "a.json", old)
    write_results(tmp_path / "new", "a.json", new)
    return main(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--exit-code"])


def test_exit_code_ignores_what_every_run_changes(tmp_path: Path) -> None:
    old = _platform()
    new = _platform(
        started="2031-05-05T00:00:00+00:00",
        finished="2031-05-05T00:01:00+00:00",
        source={"run_url": "https://github.com/o/r/actions/runs/2", "commit": "b" * 40},
    )
    # Things the old "changed" check compared, which the table never shows.
    new["platform"].update(  # type: ignore[attr-defined]
        release="1.0-other-build",
        kernel_version="#2 SMP",
        distribution="Fictional 2",
        os_build="99999",
    )
    for record in new["probes"]:  # type: ignore[attr-defined]
        record.update(duration=9.9, cleanup=["closed a leftover socket"])
    assert _exit_code(tmp_path, old, new) == 0


@pytest.mark.parametrize(
    "change",
    ["verdict", "new platform", "probe file", "tool version", "now complete", "new OS version"],
)
def test_exit_code_is_1_when_the_table_would_show_it(tmp_path: Path, change: str) -> None:
    old, new = _platform(), _platform()
    if change == "verdict":
        new = _platform("recv: ECONNRESET")
    elif change == "new platform":
        write_results(tmp_path / "new", "b.json", verdicts_document("newos", {"p1": "x"}))
    elif change == "probe file":
        new["probes"][0]["sha256"] = "1" * 64  # type: ignore[index]
    elif change == "tool version":
        new["tool"] = {"name": "sockmatrix", "version": "0.0.1-fictional"}
    elif change == "now complete":
        old["complete"] = False
    elif change == "new OS version":
        new = verdicts_document("fakeos", {"p1": "recv: EOF", "p2": "x: 1"}, version="1.1")
    assert _exit_code(tmp_path, old, new) == 1
