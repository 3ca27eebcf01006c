"""Fixtures for every test: ``write_probe``, and pytest's own ``pytester``."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.probes import MINIMAL_PROBE


@pytest.fixture
def write_probe(tmp_path: Path) -> Callable[..., Path]:
    """Write a probe file named ``<id>.yaml`` under tmp_path/probes."""

    def write(text: str | None = None, id: str = "minimal", folder: str = "probes") -> Path:
        directory = tmp_path / folder
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{id}.yaml"
        body = MINIMAL_PROBE.format(id=id) if text is None else textwrap.dedent(text)
        path.write_text(body, encoding="utf-8")
        return path

    return write


pytest_plugins = ["pytester"]
