"""Layout of the HTML table in a real headless Chromium, at desktop and phone widths.

15 fictional platforms with long, differing verdicts: the page itself must not
scroll sideways (the table scrolls in its own region), and no cell may clip its
text. Screenshots are written to $SOCKMATRIX_SCREENSHOTS (or the test's tmp
folder) for a person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.browser import browser, needs_chromium  # noqa: F401  (fixture)
from helpers.synthetic import observation, record, results_document

from matrix.render.to_html import render_html
from matrix.table.merge import merge

pytestmark = needs_chromium

VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}
STEPS = ("recv-after-close", "close", "recv-after-peer-close", "shutdown-other-copy")


def _verdict(platform: int, probe: int) -> str:
    outcomes = ["blocked", "EINTR (immediate)", "ECONNABORTED (after ~2 s)", "EOF (immediate)"]
    parts = [
        f"{step}: {outcomes[(platform * (n + 1) + probe) % 4] if n != 1 else 'ok (immediate)'}"
        for n, step in enumerate(STEPS)
    ]
    return " · ".join(parts)


@pytest.fixture(scope="module")
def wide_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    documents = []
    for platform in range(15):
        records = [
            record(
                f"fictional-probe-with-a-rather-long-identifier-{probe}",
                _verdict(platform % 5, probe),
                observations=[observation("recv-after-close", "blocked", outcome="blocked")],
            )
            for probe in range(6)
        ]
        documents.append(
            (
                f"f{platform}",
                results_document(
                    os=f"fictionalos{platform % 3}",
                    version=f"{platform}.0.{platform * 1000}",
                    machine="x86_64" if platform % 2 else "arm64",
                    records=records,
                ),
            )
        )
    page = tmp_path_factory.mktemp("layout") / "index.html"
    page.write_text(render_html(merge(documents, [])), encoding="utf-8")
    return page


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOCKMATRIX_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(params=sorted(VIEWPORTS))
def laid_out(request: Any, browser: Any, wide_page: Path) -> Iterator[tuple[str, Any]]:  # noqa: F811
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(wide_page.as_uri())
    page.wait_for_load_state("load")
    yield request.param, page
    context.close()


def test_page_never_scrolls_sideways(laid_out: tuple[str, Any], tmp_path: Path) -> None:
    name, page = laid_out
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width
    # 15 platforms do not fit: the table scrolls inside its own region instead.
    assert page.evaluate("document.querySelector('.scroll').scrollWidth") > width
    shot = _shots(tmp_path) / f"table-{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


def test_no_cell_clips_its_text(laid_out: tuple[str, Any]) -> None:
    _, page = laid_out
    clipped = page.evaluate(
        """() => Array.from(document.querySelectorAll('th, td, p, label, h1'))
          .filter(el => el.scrollWidth > el.clientWidth + 1
            || el.scrollHeight > el.clientHeight + 1)
          .map(el => el.tagName + ': ' + el.textContent.slice(0, 60))"""
    )
    assert clipped == []


def test_cells_wrap_and_the_probe_column_is_readable(laid_out: tuple[str, Any]) -> None:
    _, page = laid_out
    probe_width = page.evaluate("document.querySelector('td.probe').getBoundingClientRect().width")
    assert probe_width >= 120
    # Differing parts are shown in the cells, wrapped onto several lines.
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('td.mark .parts')).map(s => s.getClientRects().length"
        " && s.getBoundingClientRect().height)"
    )
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('td.mark .parts')).lineHeight) || 17"
    )
    assert heights and max(heights) > 1.5 * line


def test_probe_column_stays_in_view_when_the_table_scrolls(
    laid_out: tuple[str, Any], tmp_path: Path
) -> None:
    name, page = laid_out
    page.evaluate("document.querySelector('.scroll').scrollLeft = 600")
    left = page.evaluate("document.querySelector('td.probe').getBoundingClientRect().left")
    region = page.evaluate("document.querySelector('.scroll').getBoundingClientRect().left")
    if name == "phone":
        # By design a phone has no room for a pinned column: it scrolls away with the cells.
        assert left < region - 100
    else:
        assert abs(left - region) <= 2
    page.screenshot(path=str(_shots(tmp_path) / f"table-{name}-scrolled.png"))


def test_a_platform_with_a_huge_name_leaves_the_rows_visible(
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """One results file's 1,500-character ``platform.os`` must not make the sticky header
    taller than the table's scroll box: rows stay visible, the full name is on hover."""
    huge = "fictional-" + "o" * 1490
    documents = [
        (
            f"f{n}",
            results_document(
                os=huge if n == 0 else f"fictionalos{n}",
                records=[record(f"probe-{p}", _verdict(n, p)) for p in range(40)],
            ),
        )
        for n in range(4)
    ]
    page_path = tmp_path / "index.html"
    page_path.write_text(render_html(merge(documents, [])), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    box = page.evaluate("document.querySelector('.scroll').getBoundingClientRect().height")
    head = page.evaluate("document.querySelector('.matrix thead').getBoundingClientRect().height")
    assert head < box / 3, (head, box)
    visible_rows = page.evaluate(
        """() => {
          const box = document.querySelector('.scroll').getBoundingClientRect();
          const head = document.querySelector('.matrix thead').getBoundingClientRect();
          return Array.from(document.querySelectorAll('tr.probe-row')).filter(row => {
            const r = row.getBoundingClientRect();
            return r.bottom > head.bottom && r.top < box.bottom;
          }).length;
        }"""
    )
    assert visible_rows >= 3
    title = page.evaluate("document.querySelector('th[data-col]').getAttribute('title')")
    assert huge in title  # the whole name, on demand
    page.screenshot(path=str(_shots(tmp_path) / "table-huge-platform-name.png"))
    context.close()
