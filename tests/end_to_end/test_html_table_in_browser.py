"""The HTML page in a real headless Chromium: filters, escaping, no network, no errors.

The browser comes from helpers.browser: without Chromium and Playwright these
tests skip and say why (or fail, where SOCKMATRIX_REQUIRE_BROWSER is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.browser import browser, needs_chromium  # noqa: F401  (fixture)
from helpers.synthetic import observation, record, results_document

from matrix.probe.validate import validate_file
from matrix.render.to_html import render_html
from matrix.table.merge import merge

XSS = "<img src=x onerror=alert(1)>"
pytestmark = needs_chromium

PROBE = """\
id: {id}
title: "{title}"
question: "What happens? {title}"
tags: [{tag}]
sources: ["https://example.invalid/doc"]
sockets: [{{pair: [a, b]}}]
steps: [{{op: recv, socket: a, name: recv}}]
verdict: [recv]
"""


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("page")
    probes = []
    for pid, title, tag in (
        ("differs-probe", XSS, "close"),
        ("same-probe", "Same everywhere", "linger"),
    ):
        path = folder / f"{pid}.yaml"
        text = PROBE.format(id=pid, title=title.replace('"', '\\"'), tag=tag)
        path.write_text(text, encoding="utf-8")
        probe, problems = validate_file(path)
        assert probe is not None, problems
        probes.append(probe)
    sha = {p.id: p.sha256 for p in probes}

    def doc(os_name: str, first: str) -> dict[str, Any]:
        return results_document(
            os=os_name,
            records=[
                record(
                    "differs-probe",
                    first,
                    sha=sha["differs-probe"],
                    observations=[observation("recv", first, error=None)],
                ),
                record(
                    "same-probe",
                    "recv: EOF",
                    sha=sha["same-probe"],
                    observations=[observation("recv", "EOF")],
                ),
            ],
        )

    matrix = merge(
        [("a", doc("testos", "recv: EOF")), ("b", doc("fakeos", f"recv: {XSS}"))], probes
    )
    page = folder / "index.html"
    page.write_text(render_html(matrix), encoding="utf-8")
    return page


@pytest.fixture
def page(browser: Any, page_file: Path) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.requests_seen = []
    page.console_errors = []
    page.dialogs = []
    page.on("request", lambda request: page.requests_seen.append(request.url))
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    yield page
    context.close()


def visible_rows(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "tr.probe-row:not(.hidden)", "rows => rows.map(r => r.dataset.id)"
    )


def test_page_loads_without_errors_or_network(page: Any) -> None:
    assert page.console_errors == []
    assert all(url.startswith("file://") for url in page.requests_seen), page.requests_seen
    assert len(page.requests_seen) == 1


def test_xss_title_renders_as_text(page: Any) -> None:
    assert page.locator("img").count() == 0
    assert page.dialogs == []
    title = page.locator('tr[data-id="differs-probe"] td.probe span').text_content()
    assert title == XSS
    legend = page.locator('tr[data-id="differs-probe"] td.legend-cell').text_content()
    assert XSS in legend


def test_row_filter_hides_rows(page: Any) -> None:
    assert sorted(visible_rows(page)) == ["differs-probe", "same-probe"]
    page.select_option("#row-filter", "differs")
    assert visible_rows(page) == ["differs-probe"]
    page.select_option("#row-filter", "contradicts")
    assert visible_rows(page) == []
    page.select_option("#row-filter", "")
    assert len(visible_rows(page)) == 2


def test_hovering_a_cell_shows_its_full_verdict(page: Any) -> None:
    cell = page.locator('tr[data-id="differs-probe"] td.mark').nth(0)  # fakeos
    cell.hover()
    assert cell.get_attribute("title") == f"recv: {XSS}"


def test_clicking_a_cell_opens_the_full_details(page: Any) -> None:
    page.click('tr[data-id="differs-probe"] td.mark >> nth=0')
    page.locator("tr.detail-row .detail").wait_for()
    assert page.console_errors == []


def test_tag_filter(page: Any) -> None:
    page.select_option("#tag", "linger")
    assert visible_rows(page) == ["same-probe"]


def test_platform_filter_hides_a_column(page: Any) -> None:
    column = '[data-col="fakeos-1.0-x86_64-py3.11"]'
    assert page.locator(f"th{column}").is_visible()
    page.click(".controls details summary")
    page.uncheck('input.platform[value="fakeos-1.0-x86_64-py3.11"]')
    assert not page.locator(f"th{column}").is_visible()
    assert page.locator('th[data-col="testos-1.0-x86_64-py3.11"]').is_visible()


def test_rows_sort_by_title(page: Any) -> None:
    header = page.locator('th[data-sort="title"]')
    header.click()
    first = visible_rows(page)
    header.click()
    assert visible_rows(page) == list(reversed(first))


def test_details_render_observations_as_text(page: Any) -> None:
    page.click('tr[data-id="differs-probe"] button.details')
    detail = page.locator("tr.detail-row .detail")
    detail.wait_for()
    text = detail.text_content()
    assert f"What happens? {XSS}" in text
    assert "https://example.invalid/doc" in text
    # Each platform's label and full verdict head its steps.
    assert "testos 1.0 x86_64 py3.11: recv: EOF" in text
    assert f"fakeos 1.0 x86_64 py3.11: recv: {XSS}" in text
    assert page.locator("img").count() == 0
    assert page.dialogs == [] and page.console_errors == []


def test_screenshot_for_people(page: Any, tmp_path: Path) -> None:
    shot = tmp_path / "matrix.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
