"""Hostile evidence in a results file: a documented entry's cited line, a runtime's, a
bite's issue. Only a cited line whose every field is plain becomes a link, and nothing in
them reshapes the table or adds markup (fictional platforms, Markdown parsed by a real
GFM parser)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import observation, record, results_document

from matrix.render.to_html import render_html
from matrix.render.to_md import render_markdown
from matrix.table.merge import load_and_merge

COMMIT = "0123456789abcdef0123456789abcdef01234567"
GOOD = f"https://github.com/example-org/suite/blob/{COMMIT}/suite/sock.c#L4"
PAYLOADS = [
    "evil)[x](javascript:alert(1)",
    'a/b"><img src=x onerror=alert(1)>',
    "<script>alert(1)</script>",
    "a|b|c",
    "../../etc/passwd",
    "https://evil.invalid/x",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]


def _cited(payload: str, field: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": "test",
        "source": f"suite {payload}",
        "quote": payload,
        "repository": "example-org/suite",
        "commit": COMMIT,
        "path": "suite/sock.c",
        "line": 4,
        "expect": {"recv": {"summary": "EOF"}},
    }
    entry[field] = payload
    return entry


def results_with_evidence(payload: str, field: str) -> dict[str, Any]:
    rec = record("p1", "recv: ECONNRESET", observations=[observation("recv", "ECONNRESET")])
    rec["probe"] = {
        "title": "t",
        "documented": {
            "testos": [_cited(payload, field), _cited("plain", "kind")],
            "otheros": _cited(payload, field),
        },
        "runtimes": [
            {**_cited(payload, field), "runtime": payload, "effect": payload, "says": payload}
        ],
        "bites": [{"behaviour": payload, "issues": [{"url": payload, "shows": payload}]}],
    }
    rec["probe"]["documented"]["testos"][1]["kind"] = "test"
    return results_document(os="testos", records=[rec])


@pytest.mark.parametrize("field", ["repository", "commit", "path", "source", "quote", "kind"])
@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_hostile_evidence_never_becomes_a_link_or_markup(
    payload: str, field: str, tmp_path: Path
) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results_with_evidence(payload, field)), encoding="utf-8")
    merged = load_and_merge([path], [])
    assert not merged.skipped
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")
    parsed = _Links()
    parsed.feed(
        markdown_it.MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render(render_markdown(merged))
    )
    page = _Links()
    page.feed(render_html(merged))
    for found in (parsed, page):
        assert "img" not in found.tags and found.tags.count("script") <= 20
        links = [h for h in found.hrefs if not h.startswith("#")]
        # The plain entry always links its line; nothing else a payload carries does.
        assert GOOD in links
        assert all(h == GOOD for h in links), links
