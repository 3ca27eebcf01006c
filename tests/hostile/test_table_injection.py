"""Hostile strings in results and probe files cannot reshape the published table.

The Markdown is rendered by a real GFM table parser (markdown-it-py with its
table rule, raw HTML on as GitHub allows some) and every row's cells counted;
the HTML is checked for raw control and bidi characters, and every string of a
results file is tried with injection payloads. Fictional platforms only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import observation, record, results_document

from matrix.probe.model import ProbeFile
from matrix.probe.validate import validate_file
from matrix.render.present import safe_url, source_url
from matrix.render.safe_text import shown
from matrix.render.to_html import render_html
from matrix.render.to_md import render_markdown, summary_table
from matrix.render.to_text import render_text
from matrix.table.merge import Matrix, load_and_merge, merge

PROBE = """\
id: {id}
title: "{title}"
question: q
tags: [close]
sources: ["https://example.invalid/doc|x", "a book | with a pipe"]
documented:
  fakeos:
    source: "FakeOS manual | page 3 https://example.invalid/a|b)c"
    quote: "recv | returns EOF."
    expect: {{recv: {{summary: EOF}}}}
sockets: [{{pair: [a, b]}}]
steps: [{{op: recv, socket: a, name: recv}}]
verdict: [recv]
"""

HOSTILE_URLS = [
    "https://example.invalid/run)![x](https://evil.invalid/i.png)[y](https://evil.invalid",
    "javascript:alert(1)",
    "https://example.invalid/a|b|c|d",
    "http://example.invalid/plain-http",
    "https://example.invalid/<script>",
    "https://example.invalid/a b",
    "HTTPS://example.invalid/upper\nline",
]


@pytest.fixture
def hostile_probe(write_probe: Callable[..., Path]) -> ProbeFile:
    text = PROBE.format(id="p1", title="a | b ) [c](javascript:x) <img src=x>")
    loaded, problems = validate_file(write_probe(text, id="p1"))
    assert loaded is not None, problems
    return loaded


def _matrix(probe: ProbeFile, verdicts: dict[str, str], urls: list[str]) -> Matrix:
    documents = []
    for n, (os_name, verdict) in enumerate(verdicts.items()):
        rec = record(
            "p1", verdict, sha=probe.sha256, observations=[observation("recv", verdict[6:])]
        )
        source = {"run_url": urls[n % len(urls)], "commit": "abc|def"}
        documents.append((os_name, results_document(os=os_name, records=[rec], source=source)))
    return merge(documents, [probe])


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[int] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append(0)
        elif tag in ("td", "th"):
            self.rows[-1] += 1
        for name, value in attrs:
            if name in ("href", "src"):
                self.hrefs.append(value or "")


def _gfm(markdown: str) -> _Cells:
    # Only the tests that parse Markdown need the parser (the test extra has it).
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    parsed = _Cells()
    parsed.feed(renderer.render(markdown))
    return parsed


def test_hostile_urls_and_pipes_keep_every_row_at_its_cell_count(
    hostile_probe: ProbeFile,
) -> None:
    verdicts = {f"fakeos{n}": f"recv: EOF|x{n % 2}) ![i](https://evil.invalid)" for n in range(7)}
    m = _matrix(hostile_probe, verdicts, HOSTILE_URLS)
    parsed = _gfm(summary_table(m))
    columns = 2 + len(m.columns) + 1  # probe, differs, platforms, verdicts
    assert parsed.rows and all(n == columns for n in parsed.rows), parsed.rows
    assert "img" not in parsed.tags and "script" not in parsed.tags
    assert all(h.startswith(("https://", "#", "results/")) for h in parsed.hrefs), parsed.hrefs
    assert not any("evil.invalid" in h or "|" in h or ")" in h for h in parsed.hrefs)


def test_whole_markdown_document_has_no_injected_markup(hostile_probe: ProbeFile) -> None:
    m = _matrix(hostile_probe, {"fakeos": "recv: <b>x</b>", "otheros": "recv: EOF"}, HOSTILE_URLS)
    parsed = _gfm(render_markdown(m))
    assert "img" not in parsed.tags and "b" not in parsed.tags and "script" not in parsed.tags
    assert all(not h.startswith(("javascript:", "http:")) for h in parsed.hrefs)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_only_plain_https_urls_are_links(url: str) -> None:
    assert safe_url(url) is None


def test_plain_https_urls_stay_links() -> None:
    url = "https://github.com/o/r/actions/runs/123?x=1&y=a_b#frag"
    assert safe_url(url) == url
    assert source_url("tcp(7), https://man7.org/linux/man-pages/man7/tcp.7.html.") == (
        "https://man7.org/linux/man-pages/man7/tcp.7.html"
    )
    assert source_url("see https://example.invalid/a|b") == "https://example.invalid/a"


def test_invisible_characters_are_shown_and_length_capped() -> None:
    assert shown("a\x00b\u202ec") == "a[U+0000]b[U+202E]c"
    assert shown("\ud800x") == "\ufffdx"
    capped = shown("x" * 10_000, 100)
    assert capped.startswith("x" * 100) and capped.endswith("(9900 more characters)")


def test_nul_bidi_and_huge_repeat_verdicts_do_not_reach_the_page_raw(
    hostile_probe: ProbeFile,
) -> None:
    huge = "recv: " + "\u202e" + "A" * 3_000_000
    rec = record("p1", "recv: EOF\x00\u202eFOE", sha=hostile_probe.sha256)
    rec["observations"] = [
        observation("recv", "\x00\u202e" + "B" * 3_000_000),
        observation("recv\\u0000", "\x01", error="E\u2066"),
    ]
    rec["repeat"] = {
        "runs": 40,
        "verdicts": {huge: 1, "recv: \x00nul": 1, **{f"recv: v{n}": 1 for n in range(38)}},
    }
    rec["unstable"] = True
    other = record("p1", "recv: EOF", sha=hostile_probe.sha256)
    m = merge(
        [
            ("a", results_document(os="fakeos", records=[rec])),
            ("b", results_document(os="otheros", records=[other])),
        ],
        [hostile_probe],
    )
    for text in (render_html(m), render_markdown(m), render_text(m)):
        assert "\x00" not in text and "\u202e" not in text
        assert len(text) < 200_000, len(text)
        assert "U+202E" in text
    cell = m.rows[0].cells["fakeos-1.0-x86_64-py3.11"]
    assert len(cell.verdicts_seen) == 9 and cell.verdicts_seen[-1].startswith("32 more verdicts")


INJECTIONS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "| broken | table |",
    "[link](https://evil.invalid)",
    "`code` **bold** _em_ # heading\nnew line",
    "</script><script>alert(2)</script>",
    "\u202eRTL override",
    "x" * 100_000,
]


def hostile_results(payload: str) -> dict[str, Any]:
    doc = results_document(
        os="testos",
        records=[
            record(
                "p1",
                f"recv: {payload}",
                observations=[
                    {
                        **observation("recv", payload),
                        "name": payload,
                        "timing": payload,
                        "error": {
                            "exception": payload,
                            "errno": 1,
                            "name": payload,
                            "portable": payload,
                            "message": payload,
                        },
                    }
                ],
            )
        ],
        source={"run_url": payload, "commit": payload, "image_os": payload},
    )
    # os_version is ASCII by schema (tests/hostile/test_corpus.py): a payload
    # there would get the whole file skipped and test nothing here.
    doc["started"] = payload
    doc["tool"]["version"] = payload
    doc["probes"][0]["reason"] = payload
    return doc


def benign_results(folder: Path) -> Path:
    path = folder / "benign.json"
    path.write_text(json.dumps(hostile_results("benign")), encoding="utf-8")
    return path


@pytest.mark.parametrize("payload", INJECTIONS, ids=range(len(INJECTIONS)))
def test_injection_in_every_results_string_stays_text(payload: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_results(payload)), encoding="utf-8")
    merged = load_and_merge([path], [])
    if merged.skipped:  # too long for the schema: refused by name, which is fine
        assert "hostile.json" in merged.skipped[0].file
        return
    markdown = render_markdown(merged)
    assert "<script>" not in markdown and "<img" not in markdown
    table = [line for line in markdown.split("## Details")[0].splitlines() if line.startswith("| ")]
    pipes = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
    assert len(pipes) == 1, "an injected string must not change the table's columns"
    page = render_html(merged)
    assert "<img" not in page and "alert(1)</script>" not in page
    benign = render_html(load_and_merge([benign_results(tmp_path)], []))
    assert page.count("<script") == benign.count("<script"), "no script element injected"
    assert "\x1b" not in render_text(merged)


def test_huge_string_in_results_is_refused_by_schema_or_rendered_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(hostile_results("y" * 1_000_000)), encoding="utf-8")
    merged = load_and_merge([path], [])
    assert merged.skipped and "does not match the results schema" in merged.skipped[0].reason
