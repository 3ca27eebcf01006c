"""Strings from results and probe files, made safe to show in any output format.

Results files come from other machines (artifacts, pull requests), so a verdict
may hold anything JSON can carry. Before a renderer escapes a string for its own
context (HTML, Markdown, terminal) it passes it through :func:`shown`, which
- shows invisible and direction-changing characters visibly as ``[U+202E]``
  (a right-to-left override would otherwise reverse the text after it, and NUL or
  other control characters are invisible or truncate text in some viewers);
- replaces lone surrogates (not encodable as UTF-8) with U+FFFD;
- caps the length, saying how much was left out, so a multi-megabyte verdict
  cannot inflate the page.
"""

from __future__ import annotations

import re

# C0 and C1 controls except tab/newline (folded to spaces by the renderers),
# DEL, the Unicode bidi embeddings/overrides/isolates and marks (Unicode TR9),
# zero-width characters, line/paragraph separators, BOM and interlinear marks.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")

CELL_LIMIT = 300
TEXT_LIMIT = 4000


def _visible(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group(0)):04X}]"


def shown(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` with invisible characters made visible, capped at ``limit`` characters."""
    value = text if isinstance(text, str) else str(text)
    cut = 0
    if len(value) > limit:
        cut = len(value) - limit
        value = value[:limit]
    if _INVISIBLE.search(value):
        value = _INVISIBLE.sub(_visible, value)
    if _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    if cut:
        value += f" … ({cut} more characters)"
    return value
