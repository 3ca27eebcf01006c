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
from helpers.tables import WriteProbe, recv_close_probe_maker, three_kinds_matrix

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
                # One long word (as SO_EXCLUSIVEADDRUSE is in a real title) in the first.
                f"fictional-probe-{'WITH_A_LONG_UNBROKEN_OPTION_NAME_' if probe == 0 else ''}"
                f"with-a-rather-long-identifier-{probe}",
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
    """At a phone's 390 px too: scrolled sideways, a row still shows which probe it is."""
    name, page = laid_out
    page.evaluate("document.querySelector('.scroll').scrollLeft = 600")
    assert page.evaluate("document.querySelector('.scroll').scrollLeft") == 600
    region = page.evaluate("document.querySelector('.scroll').getBoundingClientRect().left")
    for selector in ("td.probe", "th.probe"):
        left = page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().left")
        assert abs(left - region) <= 2, (selector, left, region)
    # Pinned, yet not taking the screen: platform cells still have most of a phone's width.
    probe_width = page.evaluate("document.querySelector('td.probe').getBoundingClientRect().width")
    assert probe_width <= 0.4 * page.evaluate("window.innerWidth")
    page.screenshot(path=str(_shots(tmp_path) / f"table-{name}-scrolled.png"))


def test_the_differs_column_is_only_as_wide_as_its_words(laid_out: tuple[str, Any]) -> None:
    """Its cells say at most "yes" here: the column must not take a platform's width."""
    _, page = laid_out
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('th.differs-col, td.differs-cell'))"
        ".map(cell => cell.getBoundingClientRect().width)"
    )
    platform = page.evaluate("document.querySelector('th[data-col]').getBoundingClientRect().width")
    assert len(widths) == 7 and max(widths) < 70, widths
    assert max(widths) < platform * 0.7, (widths, platform)


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


def _phone(browser: Any, page_path: Path) -> Any:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    return context, page


def test_rows_that_differ_come_first_on_a_phones_first_screen(
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """30 rows that agree sort before the 2 that differ by id: the page puts the 2 first,
    inside the table's first screen of a 390x844 phone, and the rest follow in id order."""
    same = [f"a-agrees-{n:02}" for n in range(30)]
    differ = ["z-differs-1", "z-differs-2"]
    documents = [
        (
            f"f{n}",
            results_document(
                os=f"fictionalos{n}",
                records=[record(pid, "recv: EOF") for pid in same]
                + [
                    record(pid, f"recv: EOF{'' if n else ' · close: ECONNRESET'}") for pid in differ
                ],
            ),
        )
        for n in range(3)
    ]
    page_path = tmp_path / "index.html"
    page_path.write_text(render_html(merge(documents, [])), encoding="utf-8")
    context, page = _phone(browser, page_path)
    in_order = page.evaluate(
        "Array.from(document.querySelectorAll('tr.probe-row')).map(tr => tr.dataset.id)"
    )
    assert in_order == differ + same
    # Geometry, not only DOM order: both are seen unscrolled, the first just under the header.
    box = page.evaluate("document.querySelector('.scroll').getBoundingClientRect().bottom")
    head = page.evaluate("document.querySelector('.matrix thead').getBoundingClientRect().bottom")
    tops = {
        pid: page.evaluate(
            f"document.querySelector('tr[data-id=\"{pid}\"]').getBoundingClientRect().toJSON()"
        )
        for pid in (*differ, same[0])
    }
    assert abs(tops[differ[0]]["top"] - head) <= 2, (tops, head)
    assert tops[differ[1]]["bottom"] <= min(box, 844), (tops, box)
    assert tops[same[0]]["top"] >= tops[differ[1]]["bottom"] - 1
    context.close()


def test_contradicted_documentation_comes_first_with_observed_differences(
    browser: Any,  # noqa: F811
    write_probe: WriteProbe,
    tmp_path: Path,
) -> None:
    """By id the rows are p-contra, p-doc, p-obs, p-same: observation-backed findings
    (p-contra contradicts its documentation, p-obs differs) lead, then the row only
    documentation says differs, then the row where nothing differs."""
    page_path = tmp_path / "index.html"
    matrix = three_kinds_matrix(recv_close_probe_maker(write_probe))
    page_path.write_text(render_html(matrix), encoding="utf-8")
    context, page = _phone(browser, page_path)
    rows = page.evaluate(
        "Array.from(document.querySelectorAll('tr.probe-row')).map(tr =>"
        " [tr.dataset.id, tr.getBoundingClientRect().top])"
    )
    assert [pid for pid, _ in rows] == ["p-contra", "p-obs", "p-doc", "p-same"]
    assert [top for _, top in rows] == sorted(top for _, top in rows)
    # Every kind of Differs text is here (yes, ≠doc, doc only): still a narrow column.
    differs = page.evaluate(
        "Array.from(document.querySelectorAll('th.differs-col, td.differs-cell'))"
        ".map(cell => [cell.textContent, cell.getBoundingClientRect().width])"
    )
    assert {text for text, _ in differs} == {"Differs", "≠doc", "yes", "doc only", ""}
    assert max(width for _, width in differs) < 64, differs
    # Each row's details still open its own data (the page's indices follow the new order).
    page.click('tr[data-id="p-obs"] button.details')
    detail = page.locator("tr.detail-row .detail")
    detail.wait_for()
    assert (
        page.evaluate("document.querySelector('tr.detail-row').previousElementSibling.dataset.id")
        == "p-obs"
    )
    assert "alphaos" in detail.text_content() and "recv: blocked" in detail.text_content()
    context.close()
