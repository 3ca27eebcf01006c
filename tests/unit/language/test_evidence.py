"""Documented entries of three kinds, and the one place a cited line becomes a link."""

from __future__ import annotations

from typing import Any

import pytest

from matrix.language.evidence import (
    by_family,
    citation_problem,
    citation_url,
    cited_at,
    entries,
    quote_lines,
)

COMMIT = "51ccd95c49c2c61ad41960b25a01f834601d70c0"
CITED: dict[str, Any] = {
    "kind": "test",
    "source": "Wine sock.c test_listen",
    "quote": 'SetLastError(0xdeadbeef);\nok ((listen(fdA, 1) == SOCKET_ERROR), "x");',
    "repository": "wine-mirror/wine",
    "commit": COMMIT,
    "path": "dlls/ws2_32/tests/sock.c",
    "line": 4216,
    "last_line": 4217,
}


def test_a_family_holds_one_entry_or_a_list_and_reads_as_a_list() -> None:
    one = {"source": "s", "quote": "q"}
    assert entries(one) == [one]
    assert entries([one, one]) == [one, one]
    assert entries("text") == [] and entries([1, "x", one]) == [one]


def test_entries_come_strongest_first_test_then_rule_then_prose() -> None:
    prose = {"source": "manual", "quote": "q"}
    rule = {**CITED, "kind": "rule", "os_version": "WinXP SP1"}
    family = by_family({"windows": [prose, rule, CITED], "linux": prose, "bsd": []})
    assert [e.get("kind", "prose") for e in family["windows"]] == ["test", "rule", "prose"]
    assert family["linux"] == [prose] and "bsd" not in family


def test_a_cited_line_links_the_commit_and_its_lines() -> None:
    assert citation_url(CITED) == (
        f"https://github.com/wine-mirror/wine/blob/{COMMIT}/dlls/ws2_32/tests/sock.c#L4216-L4217"
    )
    assert citation_url({**CITED, "last_line": 4216}).endswith("#L4216")  # type: ignore[union-attr]
    assert cited_at(CITED) == "wine-mirror/wine dlls/ws2_32/tests/sock.c L4216-4217 at 51ccd95c"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("repository", "javascript:alert(1)//x"),
        ("repository", "wine-mirror/wine)[x](https://evil.example"),
        ("repository", "a/b\n"),
        ("repository", "-a/b"),
        ("commit", "51ccd95c"),
        ("commit", COMMIT.upper()),
        ("commit", COMMIT + "\n"),
        ("path", "../../../etc/passwd"),
        ("path", "dlls/./sock.c"),
        ("path", "/etc/passwd"),
        ("path", "a b.c"),
        ("path", 'a.c#L1"onmouseover="x'),
        ("path", "a.c?x=<script>"),
        ("path", "a)b.c"),
        ("line", 0),
        ("line", True),
        ("line", "12"),
        ("last_line", 4215),
        ("last_line", 4216 + 12),
    ],
)
def test_no_link_unless_every_field_is_plain(key: str, value: object) -> None:
    assert citation_url({**CITED, key: value}) is None
    assert citation_problem({**CITED, key: value}) is not None


def test_the_quote_of_a_cited_line_has_one_line_per_cited_line() -> None:
    assert citation_problem(CITED) is None
    one_line = {**CITED, "quote": 'ok ((listen(fdA, 1) == SOCKET_ERROR), "x");'}
    assert "2 line(s) cited, the quote has 1" in str(citation_problem(one_line))
    assert quote_lines("  a\n\tb  ") == ["a", "b"]


def test_a_conformance_entry_without_its_line_is_a_problem_prose_is_not() -> None:
    assert citation_problem({"source": "manual", "quote": "q"}) is None
    partial = {"kind": "test", "source": "s", "quote": "q", "repository": "a/b"}
    assert citation_problem(partial) == "a cited line needs commit, path, line"
