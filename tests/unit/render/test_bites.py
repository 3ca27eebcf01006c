"""The bite list: generated from the probes' bites, in the behaviours' order, each report
linked only as a plain GitHub issue or pull request (fictional probes)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import write_results
from helpers.tables import recv_document

from matrix.cli import main
from matrix.render.bites import bite_list

CPYTHON = "https://github.com/python/cpython/issues/91913"
RUST = "https://github.com/rust-lang/rust/issues/121594"


def probe(pid: str, *bites: tuple[str, list[tuple[str, str]]]) -> dict[str, Any]:
    return {
        "id": pid,
        "bites": [
            {"behaviour": b, "issues": [{"url": u, "shows": s} for u, s in issues]}
            for b, issues in bites
        ],
    }


def test_behaviours_come_in_their_order_with_their_probes_and_reports_once() -> None:
    probes = [
        probe("p2", ("linger-quirks", [(RUST, "b")])),
        probe("p1", ("close-does-not-wake", [(CPYTHON, "Windows: shutdown")])),
        probe("p3", ("close-does-not-wake", [(CPYTHON, "again"), (RUST, "Windows")])),
        probe("p4"),
    ]
    text = bite_list(probes, "results/MATRIX.md", {"p1"})
    first, second = (line for line in text.splitlines() if line[:2] in ("1.", "2."))
    assert first.startswith("1. **close() or shutdown() does not wake")
    assert "Probes: [p1](results/MATRIX.md#probe-p1), p3." in first
    # Each report once, as a link; what it shows stays in the probe file.
    assert f"Reports: [python/cpython#91913]({CPYTHON}), [rust-lang/rust#121594]({RUST})." in first
    assert "Windows: shutdown" not in text and "again" not in text
    assert second.startswith("2. **SO\\_LINGER does something else on every OS.**")


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/a/b/issues/1)[x](javascript:alert(1)",
        "javascript:alert(1)",
        "https://evil.example/a/b/issues/1",
        "http://github.com/a/b/issues/1",
        "https://github.com/a/b/issues/1\n",
    ],
)
def test_a_report_that_is_not_a_plain_github_issue_is_text(url: str) -> None:
    text = bite_list([probe("p", ("linger-quirks", [(url, "<img src=x>")]))], "", set())
    assert not re.search(r"(?<!\\)\]\(", text) and "<img" not in text  # no link, no tag


def test_readme_gets_the_bite_list_between_its_markers(tmp_path: Path, write_probe: Any) -> None:
    path = write_probe(
        "id: p1\ntitle: t\nquestion: q\ntags: [x]\nsources: [s]\n"
        "bites:\n  - behaviour: slow-refused-connect\n"
        f"    issues: [{{url: '{CPYTHON}', shows: two seconds}}]\n"
        "sockets: [{pair: [a, b]}]\nsteps: [{op: recv, socket: a, name: recv}]\n"
        "verdict: [recv]\n",
        id="p1",
    )
    write_results(tmp_path / "in", "a.json", recv_document("testos", {"p1": "recv: EOF"}))
    readme = tmp_path / "README.md"
    table = "<!-- BEGIN sockmatrix table -->\n<!-- END sockmatrix table -->\n"
    bites = "<!-- BEGIN sockmatrix bites -->\nOLD-BITES\n<!-- END sockmatrix bites -->\n"
    readme.write_text("intro\n" + bites + table, encoding="utf-8")
    args = ["table", str(tmp_path / "in"), "--readme", str(readme), "--probes", str(path)]
    assert main([*args, "--check"]) == 1
    assert main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert "OLD-BITES" not in text
    assert "1. **A refused connect takes about 2 s on Windows.** Probes: [p1](" in text
    assert main([*args, "--check"]) == 0
    # A README with the table's markers only (a user's) keeps working, with no bite list.
    readme.write_text(table, encoding="utf-8")
    assert main(args) == 0 and "tripping" not in readme.read_text(encoding="utf-8")
