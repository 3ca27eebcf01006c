"""GitHub Actions workflow commands (annotations) whose text cannot become another command.

Rules of this module: an annotation is one line. Its message and its
properties are escaped the way the Actions runner unescapes them
(actions/toolkit packages/core/src/command.ts, ``escapeData``: ``%`` → ``%25``,
CR → ``%0D``, LF → ``%0A``; ``escapeProperty`` also ``:`` → ``%3A`` and ``,`` →
``%2C``), so text from a results file can neither end the line and start a
command of its own nor break out of ``file=`` or ``title=``. Every message is
also made one bounded line first (matrix.render.safe_text.one_line).
"""

from __future__ import annotations

from matrix.render.safe_text import one_line

MESSAGE_LIMIT = 2000


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str,
    message: str,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """``::level file=…,line=…,title=…::message`` (level: error, warning or notice)."""
    if level not in ("error", "warning", "notice"):
        raise ValueError(f"not an annotation level: {level!r}")
    properties = []
    if file:
        properties.append(f"file={_property(one_line(file, 500))}")
        if line:
            properties.append(f"line={int(line)}")
    if title:
        properties.append(f"title={_property(one_line(title, 200))}")
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{_data(one_line(message, MESSAGE_LIMIT))}"
