"""Cells that say what differs, and the three headline counts, on fictional platforms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.synthetic import observation, record, results_document

from matrix.cli import main
from matrix.probe.model import ProbeFile
from matrix.probe.validate import validate_file
from matrix.render.to_html import render_html
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table.compare import differing_parts
from matrix.table.merge import Matrix, merge

PROBE = """\
id: {id}
title: "Probe {id}"
question: q
tags: [close]
sources: ["https://example.invalid/doc"]
documented:
  {family}:
    source: "Fictional manual, https://example.invalid/manual"
    quote: "recv returns EOF."
    expect: {{recv: {{summary: EOF}}}}
sockets: [{{pair: [a, b]}}]
steps:
  - {{op: recv, socket: a, name: recv}}
  - {{op: close, socket: a, name: close}}
verdict: [recv, close]
"""


@pytest.fixture
def probe(write_probe: Callable[..., Path]) -> Callable[..., ProbeFile]:
    def make(id: str, family: str) -> ProbeFile:
        loaded, problems = validate_file(write_probe(PROBE.format(id=id, family=family), id=id))
        assert loaded is not None, problems
        return loaded

    return make


def _doc(os_name: str, recvs: dict[str, str], probes: list[ProbeFile]) -> dict[str, object]:
    sha = {p.id: p.sha256 for p in probes}
    records = [
        record(
            pid,
            f"recv: {summary} (immediate) · close: ok (immediate)",
            sha=sha[pid],
            observations=[observation("recv", summary), observation("close", "ok")],
        )
        for pid, summary in recvs.items()
    ]
    return results_document(os=os_name, records=records)


def test_differing_parts_fold_equal_parts_away() -> None:
    parts = differing_parts(["a: 1 · b: 2 · c: 3", "a: 1 · b: 9 · c: 3", "a: 1 · b: 2 · c: 4"])
    # A step whose part is not the same everywhere is shown on every platform.
    assert parts == {
        "a: 1 · b: 2 · c: 3": "b: 2 · c: 3",
        "a: 1 · b: 9 · c: 3": "b: 9 · c: 3",
        "a: 1 · b: 2 · c: 4": "b: 2 · c: 4",
    }
    assert differing_parts(["x: 1"]) == {"x: 1": ""}
    # The same parts in another order: the whole verdict is the difference.
    assert differing_parts(["a · b", "b · a"]) == {"a · b": "a · b", "b · a": "b · a"}


@pytest.fixture
def three_kinds(probe: Callable[..., ProbeFile]) -> Matrix:
    """p-obs: observed platforms differ; p-contra: an observation contradicts its own
    family's documentation; p-doc: only the documentation of an unobserved family
    disagrees with what was observed elsewhere; p-same: nothing differs."""
    probes = [
        probe("p-obs", "nosuchos"),
        probe("p-contra", "alphaos"),
        probe("p-doc", "gammaos"),
        probe("p-same", "betaos"),
    ]
    alpha = {"p-obs": "EOF", "p-contra": "ECONNRESET", "p-doc": "blocked", "p-same": "EOF"}
    beta = {"p-obs": "blocked", "p-contra": "ECONNRESET", "p-doc": "blocked", "p-same": "EOF"}
    return merge(
        [("a", _doc("alphaos", alpha, probes)), ("b", _doc("betaos", beta, probes))], probes
    )


def test_headline_counts_each_kind_apart(three_kinds: Matrix) -> None:
    assert three_kinds.counts() == {"differs": 1, "contradicts": 1, "documented": 1}
    assert [r.id for r in three_kinds.only("differs").rows] == ["p-obs"]
    assert [r.id for r in three_kinds.only("contradicts").rows] == ["p-contra"]
    assert [r.id for r in three_kinds.only("documented").rows] == ["p-doc"]
    markdown = render_markdown(three_kinds)
    assert (
        "1 row(s) where observed platforms differ · 1 where an observation contradicts its "
        "documentation · 1 where only documentation says platforms differ"
    ) in markdown


def test_cells_show_only_differing_parts_in_every_format(three_kinds: Matrix) -> None:
    row = next(r for r in three_kinds.rows if r.id == "p-obs")
    assert row.distinct == {"A": "recv: EOF (immediate)", "B": "recv: blocked (immediate)"}
    markdown = render_markdown(three_kinds)
    assert "| **A** recv: EOF (immediate) | **B** recv: blocked (immediate) |" in markdown
    # The full verdict stays one glance away, in the Verdicts column.
    assert "**B** recv: blocked (immediate) · close: ok (immediate)" in markdown
    page = render_html(three_kinds)
    assert '<span class="parts"><span>recv: blocked (immediate)</span></span>' in page
    assert "<span>recv: blocked (immediate) · close: ok (immediate)</span>" in page  # legend
    text = render_text(three_kinds)
    assert "  B [2] recv: blocked (immediate)\n" in text
    assert "full: recv: blocked (immediate) · close: ok (immediate)" in text
    # A row that does not differ shows only its letter.
    assert "| **A** | **A** |" in markdown


def test_table_only_option_filters_rows(
    three_kinds: Matrix, tmp_path: Path, probe: Callable[..., ProbeFile]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    probes = [probe("p-doc", "gammaos")]
    for name, summary in (("a", "blocked"), ("b", "blocked")):
        document = _doc(f"{name}os", {"p-doc": summary}, probes)
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "out.md"
    args = ["table", str(folder), "--probes", str(tmp_path / "probes"), "--output", str(out)]
    assert main([*args, "--only", "documented"]) == 0
    assert "Probe p-doc" in out.read_text(encoding="utf-8")
    assert main([*args, "--only", "differs"]) == 0
    assert "Probe p-doc" not in out.read_text(encoding="utf-8")
