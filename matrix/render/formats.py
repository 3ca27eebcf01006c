"""The output formats of the table: one registry, one module per format.

Rules of this module: a format is a name, the module that renders it
(a module ``to_<name>`` beside this one, imported only when asked for) and the file
extensions that select it. Adding a format is a module and a line here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matrix.table.model import Matrix

# name -> (module, function, file extensions)
REGISTRY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "md": ("matrix.render.to_md", "render_markdown", (".md", ".markdown")),
    "html": ("matrix.render.to_html", "render_html", (".html", ".htm")),
    "json": ("matrix.render.to_json", "render_json", (".json",)),
    "text": ("matrix.render.to_text", "render_text", (".txt",)),
}
FORMATS = tuple(REGISTRY)


def render(matrix: Matrix, fmt: str) -> str:
    module, function, _ = REGISTRY[fmt]
    return str(getattr(importlib.import_module(module), function)(matrix))


def format_for(path: Path) -> str | None:
    """The format a file name asks for by its extension, or None."""
    suffix = path.suffix.lower()
    return next((name for name, (_, _, ext) in REGISTRY.items() if suffix in ext), None)
