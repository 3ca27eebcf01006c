"""Merging, marking, ordering, stale/unstable detection and bad input, on fictional platforms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import record, results_document, write_results
from helpers.tables import (
    WriteProbe,
    recv_close_probe_maker,
    recv_document,
    recv_probe_maker,
    three_kinds_matrix,
)

from matrix.probe.model import ProbeFile
from matrix.render.to_md import render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import (
    Column,
    Matrix,
    api_differences,
    column_order,
    load_and_merge,
    merge,
    results_files,
)


@pytest.fixture
def probe(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    return recv_probe_maker(write_probe)


@pytest.fixture
def three_kinds(write_probe: WriteProbe) -> Matrix:
    return three_kinds_matrix(recv_close_probe_maker(write_probe))


def test_equal_verdicts_share_a_mark_and_the_row_does_not_differ(probe) -> None:
    p = probe()
    m = merge(
        [
            ("a", recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})),
            ("b", recv_document("otheros", {"p1": "recv: EOF"}, {"p1": p.sha256})),
        ],
        [p],
    )
    row = m.rows[0]
    assert row.legend == {"A": "recv: EOF"}
    assert not row.differs
    assert {c.mark for c in row.cells.values() if c.kind == "observed"} == {"A"}


def test_different_verdicts_get_different_marks_and_flag_the_row(probe) -> None:
    p1, p2 = probe("p1"), probe("p2", title="Probe two", tag="linger")
    sha = {"p1": p1.sha256, "p2": p2.sha256}
    m = merge(
        [
            ("a", recv_document("testos", {"p1": "recv: EOF", "p2": "recv: EOF"}, sha)),
            ("b", recv_document("otheros", {"p1": "recv: ECONNRESET", "p2": "recv: EOF"}, sha)),
        ],
        [p1, p2],
    )
    rows = {r.id: r for r in m.rows}
    assert rows["p1"].differs and not rows["p2"].differs
    assert set(rows["p1"].legend) == {"A", "B"}
    assert [r.id for r in m.only_differences().rows] == ["p1"]
    assert [r.id for r in m.with_tag("linger").rows] == ["p2"]


def column(
    os: str,
    version: str = "1",
    machine: str = "x86_64",
    python: str = "3.11",
    documented: bool = False,
) -> Column:
    return Column(
        key=f"{os}-{version}-{machine}-{python}",
        os=os,
        os_version=version,
        machine=machine,
        python=python,
        tool_version="0",
        started="",
        finished=None,
        complete=True,
        source={},
        files=[],
        documented_only=documented,
    )


def test_columns_order_by_family_then_version_then_architecture() -> None:
    columns = [
        column("zetaos"),
        column("macos", "15"),
        column("windows", "10.0.26100"),
        column("windows", "10.0.9200"),
        column("linux", "6.18", "x86_64"),
        column("linux", "6.18", "arm64"),
        column("linux", "5.15"),
        column("alphaos"),
        column("linux", documented=True),
    ]
    ordered = [
        (c.os, c.os_version, c.machine, c.documented_only)
        for c in sorted(columns, key=column_order)
    ]
    assert ordered == [
        ("linux", "5.15", "x86_64", False),
        ("linux", "6.18", "arm64", False),
        ("linux", "6.18", "x86_64", False),
        ("linux", "1", "x86_64", True),
        ("windows", "10.0.9200", "x86_64", False),
        ("windows", "10.0.26100", "x86_64", False),
        ("macos", "15", "x86_64", False),
        ("alphaos", "1", "x86_64", False),
        ("zetaos", "1", "x86_64", False),
    ]


def test_reruns_newest_counts_and_disagreement_is_unstable(probe) -> None:
    p = probe()
    older = recv_document(
        "testos", {"p1": "recv: EOF"}, {"p1": p.sha256}, started="2030-01-01T00:00:00+00:00"
    )
    newer = recv_document(
        "testos", {"p1": "recv: blocked"}, {"p1": p.sha256}, started="2030-02-01T00:00:00+00:00"
    )
    m = merge([("old.json", older), ("new.json", newer)], [p])
    observed = [c for c in m.columns if not c.documented_only]
    assert len(observed) == 1
    cell = m.rows[0].cells[observed[0].key]
    assert cell.verdict == "recv: blocked"
    assert "unstable" in cell.flags
    assert cell.verdicts_seen == ["recv: blocked", "recv: EOF"]
    assert observed[0].files == ["new.json", "old.json"]


def test_stale_when_tool_version_or_probe_file_differs(probe) -> None:
    p = probe()
    m = merge(
        [
            (
                "a",
                recv_document(
                    "testos", {"p1": "recv: EOF"}, {"p1": p.sha256}, tool_version="0.0.1-old"
                ),
            ),
            ("b", recv_document("otheros", {"p1": "recv: EOF"}, {"p1": "f" * 64})),
            ("c", recv_document("newos", {"p1": "recv: EOF"}, {"p1": p.sha256})),
        ],
        [p],
    )
    flags = {key: cell.flags for key, cell in m.rows[0].cells.items() if cell.kind == "observed"}
    assert sorted(k for k, f in flags.items() if "stale" in f) == [
        "otheros-1.0-x86_64-py3.11",
        "testos-1.0-x86_64-py3.11",
    ]


def test_documented_expectation_fills_a_family_with_no_observation(probe) -> None:
    p = probe()
    m = merge([("a", recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    documented = [c for c in m.columns if c.documented_only]
    assert [c.key for c in documented] == ["fakeos-documented"]
    cell = m.rows[0].cells["fakeos-documented"]
    assert cell.kind == "documented" and cell.mark is None
    assert "documented: recv: EOF" in render_text(m).replace(
        "doc ", "documented: recv: EOF "
    ) or "doc" in render_text(m)
    assert "*documented:* recv: EOF [source](https://example.invalid/fakeos)" in render_markdown(m)


def test_observation_contradicting_documentation_is_flagged(probe) -> None:
    p = probe()
    m = merge([("a", recv_document("fakeos", {"p1": "recv: ECONNRESET"}, {"p1": p.sha256}))], [p])
    cell = m.rows[0].cells[m.columns[0].key]
    assert cell.contradicts == ["recv"]
    assert "differs from documentation" in cell.flags
    agreeing = merge([("a", recv_document("fakeos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    assert agreeing.rows[0].cells[agreeing.columns[0].key].contradicts == []


def test_probe_missing_from_library_is_flagged(probe) -> None:
    m = merge([("a", recv_document("testos", {"gone": "recv: EOF"}))], [])
    cell = m.rows[0].cells[m.columns[0].key]
    assert "not in library" in cell.flags
    assert m.rows[0].title == "gone"


def test_failed_probe_shows_its_status_and_gets_no_mark(probe) -> None:
    p = probe()
    bad = results_document(
        os="testos", records=[record("p1", None, status="timed-out", sha=p.sha256)]
    )
    m = merge([("a", bad)], [p])
    cell = m.rows[0].cells["testos-1.0-x86_64-py3.11"]
    assert cell.mark is None and cell.status == "timed-out"
    assert not m.rows[0].differs


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps(results_document())[:-40], "is not valid JSON (truncated?)"),
        ("[1, 2]", "is not a results document"),
        (json.dumps({**results_document(), "schema_version": 99}), "has schema version 99"),
        (
            json.dumps({**results_document(), "probes": [{"id": "x"}]}),
            "does not match the results schema at probes/0",
        ),
        (
            json.dumps({**results_document(), "complete": "yes"}),
            "does not match the results schema at complete",
        ),
    ],
)
def test_bad_results_file_is_skipped_by_name_and_the_rest_merged(
    tmp_path: Path, content: str, reason: str
) -> None:
    good = write_results(tmp_path / "in", "good.json", recv_document("testos", {"p1": "recv: EOF"}))
    bad = tmp_path / "in" / "bad.json"
    bad.write_text(content, encoding="utf-8")
    m = load_and_merge(results_files([tmp_path / "in"]), [])
    assert [s.file for s in m.skipped] == [str(bad)]
    assert reason in m.skipped[0].reason
    assert len(m.rows) == 1 and good.exists()


def test_unstable_record_from_repeat_shows_its_counts(probe) -> None:
    p = probe()
    rec = record("p1", "recv: EOF", sha=p.sha256)
    rec["repeat"] = {"runs": 10, "verdicts": {"recv: EOF": 9, "recv: blocked": 1}}
    rec["unstable"] = True
    m = merge([("a", results_document(os="testos", records=[rec]))], [p])
    cell = m.rows[0].cells["testos-1.0-x86_64-py3.11"]
    assert "unstable" in cell.flags
    assert cell.verdicts_seen == ["recv: EOF (9 of 10 runs)", "recv: blocked (1 of 10 runs)"]
    assert "recv: blocked (1 of 10 runs)" in render_markdown(m)


def test_cpython_view_is_its_own_labelled_column_and_a_difference_is_a_finding(probe) -> None:
    p = probe()
    native = recv_document("testos", {"p1": "recv: EINTR"}, {"p1": p.sha256})
    python = recv_document("testos", {"p1": "recv: ENOTSOCK"}, {"p1": p.sha256})
    native["api"], python["api"] = "native", "python"
    python["platform"]["key"] += "-py-api"  # type: ignore[index]
    m = merge([("n", native), ("p", python)], [p])
    labels = sorted(c.label for c in m.columns if not c.documented_only)
    assert labels == ["testos 1.0 x86_64 py3.11", "testos 1.0 x86_64 py3.11 (CPython API)"]
    [(native_column, python_column)] = api_differences(m.rows[0], m.columns)
    assert python_column.key.endswith("-py-api") and native_column.api == "native"
    text = render_markdown(m)
    assert "CPython's socket module changes this on testos 1.0 x86\\_64 py3.11" in text
    assert "the OS says recv: EINTR; Python programs see recv: ENOTSOCK" in text


def test_equal_views_of_one_platform_are_no_finding(probe) -> None:
    p = probe()
    native = recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})
    python = recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})
    native["api"], python["api"] = "native", "python"
    python["platform"]["key"] += "-py-api"  # type: ignore[index]
    m = merge([("n", native), ("p", python)], [p])
    assert api_differences(m.rows[0], m.columns) == []
    assert "CPython's socket module changes" not in render_markdown(m)


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


def test_differences_first_puts_observed_findings_then_documentation_then_the_rest(
    three_kinds: Matrix,
) -> None:
    assert [r.id for r in three_kinds.rows] == ["p-contra", "p-doc", "p-obs", "p-same"]
    ordered = three_kinds.differences_first()
    assert [r.id for r in ordered.rows] == ["p-contra", "p-obs", "p-doc", "p-same"]
    assert ordered.columns is three_kinds.columns and ordered.counts() == three_kinds.counts()


# --- two platforms behind one key --------------------------------------------


def _doc(distribution_version: str, image_os: str | None = None) -> dict[str, Any]:
    document = results_document(os="fictionalos", version="6.8")
    document["platform"]["distribution_id"] = "fictional"
    document["platform"]["distribution_version"] = distribution_version
    if image_os:
        document["source"] = {"image_os": image_os}
    return document


def test_two_platforms_sharing_a_key_are_an_error_naming_both_files() -> None:
    matrix = merge([("one.json", _doc("22.04")), ("two.json", _doc("24.04"))], [])
    assert len(matrix.columns) == 1 and matrix.columns[0].files == ["one.json"]
    (skipped,) = matrix.skipped
    assert skipped.file == "two.json"
    assert "one.json" in skipped.reason and "collides" in skipped.reason
    assert "distribution_version" in skipped.reason
    assert "two.json" in str(skipped)


def test_reruns_of_one_platform_still_merge_into_one_column() -> None:
    matrix = merge([("run1.json", _doc("24.04")), ("run2.json", _doc("24.04"))], [])
    assert matrix.skipped == []
    assert sorted(matrix.columns[0].files) == ["run1.json", "run2.json"]
