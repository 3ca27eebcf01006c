"""The system's Chromium driven by Playwright, for the HTML table tests.

Needs Debian's chromium (or CHROMIUM_PATH) and Playwright for Python; .ci/run
installs both. Without them a test module that imports this skips and says
why; with SOCKMATRIX_REQUIRE_BROWSER set (as .ci/run does) a missing browser
is a broken setup and fails instead.

Import ``browser`` into a test module to use the fixture (module-scoped there).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

if os.environ.get("SOCKMATRIX_REQUIRE_BROWSER"):
    import playwright.sync_api as playwright_api
else:
    playwright_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install playwright)",
    )


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


NO_BROWSER = "no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)"
if chromium_path() is None and os.environ.get("SOCKMATRIX_REQUIRE_BROWSER"):
    # .ci/run sets this: there, a missing browser is a broken setup, not a skip.
    raise RuntimeError(NO_BROWSER)
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason=NO_BROWSER)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield launched
        launched.close()
