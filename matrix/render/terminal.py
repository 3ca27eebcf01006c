"""Text from probe and results files, made safe to print on a terminal.

A title, verdict or file name may hold terminal escape sequences (ESC [ …),
other control characters or bidi overrides (U+202E reverses what follows).
Printed as they are, they recolour, move the cursor or disguise the text; here
each becomes a visible escape such as ``\\x1b`` or ``\\u202e``. Newlines and
tabs stay, so multi-line reports keep their shape.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, the bidi and zero-width
# format characters, lone surrogates, and the line/paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that could steer a terminal shown as an escape."""
    return _UNSAFE.sub(_escape, text)
