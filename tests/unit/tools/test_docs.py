"""Generated documentation (the probe format reference, the library catalogue) is current."""

from __future__ import annotations

from helpers.paths import REPO

from matrix.tools.docs import (
    PROBE_FORMAT_DOC,
    PROBE_LIBRARY,
    PROBES_DOC,
    probes_reference,
    render_probe_format,
)


def test_probe_format_reference_is_up_to_date() -> None:
    text = (REPO / PROBE_FORMAT_DOC).read_text(encoding="utf-8")
    assert render_probe_format(text) == text, "run: python -m matrix.tools.docs"


def test_probe_library_catalogue_is_up_to_date() -> None:
    text = (REPO / PROBES_DOC).read_text(encoding="utf-8")
    assert probes_reference(REPO / PROBE_LIBRARY) == text, "run: python -m matrix.tools.docs"


def test_probe_library_catalogue_lists_every_area() -> None:
    text = (REPO / PROBES_DOC).read_text(encoding="utf-8")
    for area in (
        "close",
        "shutdown",
        "reset",
        "connect",
        "address",
        "udp",
        "options",
        "readiness",
        "linger",
    ):
        assert f"## {area}" in text
