"""Merging, marking, ordering, stale/unstable detection and bad input, on fictional platforms."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from helpers.synthetic import observation, record, results_document, write_results

from matrix.cli import main
from matrix.probe.model import ProbeFile
from matrix.probe.validate import validate_file
from matrix.render.to_html import render_html
from matrix.render.to_json import matrix_document
from matrix.render.to_md import md, render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import (
    Column,
    api_differences,
    column_order,
    load_and_merge,
    merge,
    results_files,
)
from matrix.tools.matrix_schema import matrix_schema

WriteProbe = Callable[..., Path]
XSS = "<img src=x onerror=alert(1)>"

PROBE = """\
id: {id}
title: "{title}"
question: q
tags: [{tag}]
sources: ["https://example.invalid/doc", "a book | with a pipe"]
documented:
  fakeos:
    source: "FakeOS manual, https://example.invalid/fakeos"
    quote: "recv returns EOF."
    expect: {{recv: {{summary: EOF}}}}
sockets: [{{pair: [a, b]}}]
steps: [{{op: recv, socket: a, name: recv}}]
verdict: [recv]
"""


@pytest.fixture
def probe(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    def make(id: str = "p1", title: str = "Probe one", tag: str = "close") -> ProbeFile:
        loaded, problems = validate_file(
            write_probe(PROBE.format(id=id, title=title, tag=tag), id=id)
        )
        assert loaded is not None, problems
        return loaded

    return make


def doc(
    os: str, verdicts: dict[str, str], sha: dict[str, str] | None = None, **kwargs: object
) -> dict[str, object]:
    records = [
        record(
            pid,
            v,
            sha=(sha or {}).get(pid, "0" * 64),
            observations=[observation("recv", v.split(": ")[1])],
        )
        for pid, v in verdicts.items()
    ]
    return results_document(os=os, records=records, **kwargs)  # type: ignore[arg-type]


def test_equal_verdicts_share_a_mark_and_the_row_does_not_differ(probe) -> None:
    p = probe()
    m = merge(
        [
            ("a", doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})),
            ("b", doc("otheros", {"p1": "recv: EOF"}, {"p1": p.sha256})),
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
            ("a", doc("testos", {"p1": "recv: EOF", "p2": "recv: EOF"}, sha)),
            ("b", doc("otheros", {"p1": "recv: ECONNRESET", "p2": "recv: EOF"}, sha)),
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
    older = doc(
        "testos", {"p1": "recv: EOF"}, {"p1": p.sha256}, started="2030-01-01T00:00:00+00:00"
    )
    newer = doc(
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
            ("a", doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}, tool_version="0.0.1-old")),
            ("b", doc("otheros", {"p1": "recv: EOF"}, {"p1": "f" * 64})),
            ("c", doc("newos", {"p1": "recv: EOF"}, {"p1": p.sha256})),
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
    m = merge([("a", doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
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
    m = merge([("a", doc("fakeos", {"p1": "recv: ECONNRESET"}, {"p1": p.sha256}))], [p])
    cell = m.rows[0].cells[m.columns[0].key]
    assert cell.contradicts == ["recv"]
    assert "differs from documentation" in cell.flags
    agreeing = merge([("a", doc("fakeos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    assert agreeing.rows[0].cells[agreeing.columns[0].key].contradicts == []


def test_probe_missing_from_library_is_flagged(probe) -> None:
    m = merge([("a", doc("testos", {"gone": "recv: EOF"}))], [])
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
    good = write_results(tmp_path / "in", "good.json", doc("testos", {"p1": "recv: EOF"}))
    bad = tmp_path / "in" / "bad.json"
    bad.write_text(content, encoding="utf-8")
    m = load_and_merge(results_files([tmp_path / "in"]), [])
    assert [s.file for s in m.skipped] == [str(bad)]
    assert reason in m.skipped[0].reason
    assert len(m.rows) == 1 and good.exists()


def test_table_command_reports_skipped_files_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_results(tmp_path / "in", "good.json", doc("testos", {"p1": "recv: EOF"}))
    (tmp_path / "in" / "broken.json").write_text("{", encoding="utf-8")
    out = tmp_path / "m.json"
    status = main(["table", str(tmp_path / "in"), "--output", str(out)])
    assert status == 1
    assert "broken.json: skipped: is not valid JSON" in capsys.readouterr().err
    document = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(document, matrix_schema())
    assert document["skipped"][0]["file"].endswith("broken.json")


def test_empty_results_directory_gives_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["table", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "no results files in" in err and "sockmatrix run" in err


def test_markdown_escapes_titles_and_keeps_the_table_shape(probe) -> None:
    p = probe(title=XSS.replace('"', "") + " | [link](https://evil.invalid) `x` *b*")
    hostile = "recv: EOF | extra | cells <script>"
    m = merge([("a", doc("testos", {"p1": hostile}, {"p1": p.sha256}))], [p])
    text = render_markdown(m)
    assert "<img" not in text and "<script>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not re.search(r"(?<!\\)\]\(https://evil", text), "no live link may be injected"
    summary = text.split("## Details")[0]
    table = [line for line in summary.splitlines() if line.startswith("| ")]
    unescaped = [len(re.findall(r"(?<!\\)\|", line)) for line in table]
    assert len(set(unescaped)) == 1, "every table line must have the same number of columns"


def test_md_escape_is_inert() -> None:
    assert md("a|b") == "a\\|b"
    assert md("<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert md("line\nbreak") == "line break"


def test_markdown_shrinks_details_to_fit_the_limit(tmp_path: Path, probe) -> None:
    p = probe()
    documents = [
        (f"{n}", doc(f"testos{n}", {"p1": f"recv: V{n % 3}"}, {"p1": p.sha256})) for n in range(30)
    ]
    m = merge(documents, [p])
    full = render_markdown(m)
    assert "one platform per verdict" not in full
    limit = len(full.encode()) - 1
    shorter = render_markdown(m, limit=limit)
    assert len(shorter.encode()) <= limit
    assert "Details were shortened" in shorter
    tiny = render_markdown(m, limit=100)
    assert "## Details" not in tiny


def test_html_escapes_every_string_and_embeds_data_safely(probe) -> None:
    p = probe(title=XSS)
    m = merge(
        [
            (
                "a",
                doc(
                    "testos",
                    {"p1": "recv: </script><script>alert(2)</script>"},
                    {"p1": p.sha256},
                    source={"run_url": "javascript:alert(3)"},
                ),
            )
        ],
        [p],
    )
    page = render_html(m)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # The labels block, one data block per row and the script: nothing injected.
    assert page.count("</script>") == 3
    assert 'href="javascript:' not in page
    assert "Content-Security-Policy" in page


def test_json_output_fits_its_schema(probe) -> None:
    p = probe()
    m = merge([("a", doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    document = matrix_document(m)
    jsonschema.validate(document, matrix_schema())
    assert document["rows"][0]["cells"]["testos-1.0-x86_64-py3.11"]["mark"] == "A"


def test_text_output_has_marks_and_legend(probe) -> None:
    p = probe(title="tab\there")
    m = merge([("a", doc("testos", {"p1": "recv: EOF\x1b[31m"}, {"p1": p.sha256}))], [p])
    text = render_text(m)
    assert "\x1b" not in text
    assert "  A [2] recv: EOF[U+001B][31m" in text  # [1] is fakeos (documented)


def test_readme_update_replaces_only_the_marked_block(tmp_path: Path, probe) -> None:
    write_results(tmp_path / "in", "a.json", doc("testos", {"p1": "recv: EOF"}))
    readme = tmp_path / "README.md"
    readme.write_text(
        "intro\n<!-- BEGIN sockmatrix table -->\nold\n<!-- END sockmatrix table -->\noutro\n",
        encoding="utf-8",
    )
    args = ["table", str(tmp_path / "in"), "--readme", str(readme)]
    assert main([*args, "--check"]) == 1
    assert main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- BEGIN sockmatrix table -->\n**")
    assert text.endswith("<!-- END sockmatrix table -->\noutro\n")
    assert "old" not in text and "testos 1.0" in text
    assert main([*args, "--check"]) == 0


def test_readme_without_markers_is_a_usage_error(tmp_path: Path) -> None:
    write_results(tmp_path / "in", "a.json", doc("testos", {"p1": "recv: EOF"}))
    readme = tmp_path / "README.md"
    readme.write_text("no markers\n", encoding="utf-8")
    assert main(["table", str(tmp_path / "in"), "--readme", str(readme)]) == 2


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


def test_contradiction_flag_links_the_documentation(probe) -> None:
    p = probe()
    m = merge([("a", doc("fakeos", {"p1": "recv: ECONNRESET"}, {"p1": p.sha256}))], [p])
    markdown = render_markdown(m)
    assert "[≠doc](https://example.invalid/fakeos)" in markdown
    page = render_html(m)
    assert '<a class="flag" href="https://example.invalid/fakeos"' in page
    assert "recv returns EOF." in page  # the quote, in the flag's tooltip


def test_cpython_view_is_its_own_labelled_column_and_a_difference_is_a_finding(probe) -> None:
    p = probe()
    native = doc("testos", {"p1": "recv: EINTR"}, {"p1": p.sha256})
    python = doc("testos", {"p1": "recv: ENOTSOCK"}, {"p1": p.sha256})
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
    native = doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})
    python = doc("testos", {"p1": "recv: EOF"}, {"p1": p.sha256})
    native["api"], python["api"] = "native", "python"
    python["platform"]["key"] += "-py-api"  # type: ignore[index]
    m = merge([("n", native), ("p", python)], [p])
    assert api_differences(m.rows[0], m.columns) == []
    assert "CPython's socket module changes" not in render_markdown(m)
