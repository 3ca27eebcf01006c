"""The README is a doorway: at most 12 KB, every moved page one click away."""

from __future__ import annotations

import re

from helpers.paths import REPO

README = REPO / "README.md"
PAGES = [
    "docs/reading-the-table.md",
    "docs/cli.md",
    "docs/ci.md",
    "docs/assumptions.md",
    "docs/probe-format.md",
    "docs/reliability.md",
    "examples/library-repository/",
    "CONTRIBUTING.md",
    "results/MATRIX.md",
]


def test_the_readme_is_at_most_12_kb() -> None:
    # Everything counts: the findings table and the bite list are generated, and
    # the bite list links its reports without saying what each shows (the probe
    # files do) to fit.
    assert len(README.read_bytes()) <= 12 * 1024


def test_every_page_the_readme_sends_readers_to_is_linked_and_exists() -> None:
    links = set(re.findall(r"\]\(([^)#\s]+)\)", README.read_text(encoding="utf-8")))
    for page in PAGES:
        assert page in links, page
        assert (REPO / page).exists(), page
    for link in links:
        if not re.match(r"[a-z]+:", link):
            assert (REPO / link).exists(), link


def test_relative_links_of_the_pages_it_leads_to_resolve() -> None:
    pages = [*(REPO / "docs").glob("*.md"), REPO / "CONTRIBUTING.md"]
    pages.append(REPO / "examples" / "library-repository" / "README.md")
    for page in pages:
        for link in re.findall(r"\]\(([^)#\s]+)(?:#[^)\s]*)?\)", page.read_text(encoding="utf-8")):
            if not re.match(r"[a-z]+:", link):
                assert (page.parent / link).exists(), (page.name, link)
