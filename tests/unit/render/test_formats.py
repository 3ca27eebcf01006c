"""The table in every output format (Markdown, HTML, JSON, text): cells, escaping, limits.

Fictional platforms only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from helpers.tables import (
    XSS,
    WriteProbe,
    recv_close_probe_maker,
    recv_document,
    recv_probe_maker,
    three_kinds_matrix,
)

from matrix.probe.model import ProbeFile
from matrix.render.to_html import render_html
from matrix.render.to_json import matrix_document
from matrix.render.to_md import md, render_markdown
from matrix.render.to_text import render_text
from matrix.table.merge import Matrix, merge
from matrix.tools.matrix_schema import matrix_schema


@pytest.fixture
def probe(write_probe: WriteProbe) -> Callable[..., ProbeFile]:
    return recv_probe_maker(write_probe)


@pytest.fixture
def three_kinds(write_probe: WriteProbe) -> Matrix:
    return three_kinds_matrix(recv_close_probe_maker(write_probe))


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


def test_markdown_escapes_titles_and_keeps_the_table_shape(probe) -> None:
    p = probe(title=XSS.replace('"', "") + " | [link](https://evil.invalid) `x` *b*")
    hostile = "recv: EOF | extra | cells <script>"
    m = merge([("a", recv_document("testos", {"p1": hostile}, {"p1": p.sha256}))], [p])
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
        (f"{n}", recv_document(f"testos{n}", {"p1": f"recv: V{n % 3}"}, {"p1": p.sha256}))
        for n in range(30)
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
                recv_document(
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
    m = merge([("a", recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    document = matrix_document(m)
    jsonschema.validate(document, matrix_schema())
    assert document["rows"][0]["cells"]["testos-1.0-x86_64-py3.11"]["mark"] == "A"


def test_text_output_has_marks_and_legend(probe) -> None:
    p = probe(title="tab\there")
    m = merge(
        [
            ("a", recv_document("testos", {"p1": "recv: EOF\x1b[31m"}, {"p1": p.sha256})),
            ("b", recv_document("otheros", {"p1": "recv: blocked"}, {"p1": p.sha256})),
        ],
        [p],
    )
    text = render_text(m)
    assert "\x1b" not in text
    # [1] is fakeos (documented).
    assert "  A [2] recv: blocked\n" in text
    assert "  B [3] recv: EOF[U+001B][31m\n" in text


def _verdicts_section(text: str) -> str:
    return text.split("\nverdicts where observed platforms differ", 1)[1].split("\n\n")[0]


def test_text_lists_the_verdicts_of_differing_rows_only_and_counts_the_others(
    three_kinds: Matrix,
) -> None:
    section = _verdicts_section(render_text(three_kinds))
    assert "p-obs\n  A [1] recv: EOF (immediate)\n" in section
    assert "full: recv: blocked (immediate) · close: ok (immediate)" in section
    for agreeing in ("p-contra", "p-doc", "p-same"):
        assert agreeing not in section, agreeing
    assert section.count("close: ok (immediate)") == 2  # p-obs's two full verdicts
    assert "the other 3 row(s): every observed platform gave the same verdict" in section


def test_text_says_in_one_line_that_nothing_differs(probe) -> None:
    probes = [probe(id=f"p{n}") for n in range(1, 4)]
    verdicts = {p.id: "recv: EOF" for p in probes}
    m = merge([("a", recv_document("testos", verdicts, {p.id: p.sha256 for p in probes}))], probes)
    text = render_text(m)
    section = _verdicts_section(text)
    assert section.strip() == ": none of 3 row(s) (every verdict: --format md)"
    assert "recv: EOF" not in text, "a verdict every platform agrees on is not repeated"


def test_contradiction_flag_links_the_documentation(probe) -> None:
    p = probe()
    m = merge([("a", recv_document("fakeos", {"p1": "recv: ECONNRESET"}, {"p1": p.sha256}))], [p])
    markdown = render_markdown(m)
    assert "[≠doc](https://example.invalid/fakeos)" in markdown
    page = render_html(m)
    assert '<a class="flag" href="https://example.invalid/fakeos"' in page
    assert "recv returns EOF." in page  # the quote, in the flag's tooltip


def test_the_table_command_offers_exactly_the_registered_formats() -> None:
    # commands/table keeps the names as a literal so that --help does not import
    # the renderers; the registry is the truth.
    from matrix.commands.table import FORMATS as OFFERED
    from matrix.render.formats import FORMATS, format_for

    assert OFFERED == FORMATS
    assert format_for(Path("x.HTM")) == "html" and format_for(Path("x.yaml")) is None


def test_text_lists_an_observation_that_contradicts_its_documentation_where_platforms_agree(
    three_kinds: Matrix,
) -> None:
    text = render_text(three_kinds)
    assert "p-contra" not in _verdicts_section(text), "both platforms agree there"
    section = text.split("\nobservations that contradict their documentation:\n", 1)[1]
    section = section.split("\n\n")[0]
    # Only alphaos documents p-contra: its column is the one contradicted.
    assert section.splitlines()[0] == "p-contra"
    assert "  A [1] ≠doc expected recv: EOF\n" in section
    assert "        observed recv: ECONNRESET (immediate)\n" in section
    assert "        source: " in section
    for other in ("p-obs", "p-doc", "p-same"):
        assert other not in section, other


def test_text_has_no_contradiction_section_when_nothing_contradicts(probe) -> None:
    p = probe()
    m = merge([("a", recv_document("testos", {"p1": "recv: EOF"}, {"p1": p.sha256}))], [p])
    assert "contradict their documentation:" not in render_text(m)
