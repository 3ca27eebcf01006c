"""Strings from results and probe files, made safe for each kind of output.

Rules of this module: it is the one place that decides how untrusted text
(from probe files, results files, artifacts) is shown; every renderer and
command goes through it, per output kind:
- :func:`shown`: the common step of every format (below);
- :func:`one_line`: a capped, single-line, printable form for text tables and
  reports;
- :func:`for_terminal`: text printed as it is (messages, details), with every
  character that could steer a terminal shown as an escape;
- :func:`shown_json`: the same as :func:`shown`, over JSON text in one pass.
Markdown and HTML add their own escaping after :func:`shown` (render/to_md,
render/to_html).


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
    # Fast path (one C call): str.isprintable() is False for every control, format
    # (bidi, zero-width), separator and surrogate character this function replaces.
    if len(value) <= limit and value.isprintable():
        return value
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


# In JSON text from json.dumps(ensure_ascii=False): an escaped backslash (kept, so
# the "\u" after it is not misread), an escaped control character, or a raw
# invisible or surrogate character (only possible inside strings).
_JSON_UNSAFE = re.compile(
    r"\\\\|\\u00[01][0-9a-fA-F]|\\u007[fF]|"
    "[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


_JSON_RAW = re.compile(
    "[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def _json_visible(match: re.Match[str]) -> str:
    found = match.group(0)
    if found == "\\\\":
        return found
    if found.startswith("\\u"):
        return f"[U+{found[2:].upper()}]"
    if "\ud800" <= found <= "\udfff":
        return "\ufffd"
    return f"[U+{ord(found):04X}]"


def shown_json(text: str) -> str:
    """JSON text (json.dumps, ensure_ascii=False) whose strings, once parsed, hold no
    invisible characters: the same visible ``[U+XXXX]`` as :func:`shown`, applied
    to the whole text in one C-speed pass instead of string by string."""
    # Substring and isascii checks run at memory speed; escaped control characters
    # (rare) need the full pattern, raw ones only a character class.
    if "\\u00" in text:
        return _JSON_UNSAFE.sub(_json_visible, text)
    # json.dumps escapes every control character below 0x20, so whatever is not
    # printable in its output is one this function must show.
    if text.isprintable():
        return text
    return _JSON_RAW.sub(_json_visible, text)


# C0 controls but tab and newline, DEL, C1 controls, the bidi and zero-width
# format characters, lone surrogates, and the line/paragraph separators.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every character that could steer a terminal shown as an escape.

    A title, verdict or file name may hold terminal escape sequences (ESC [ …),
    other control characters or bidi overrides (U+202E reverses what follows).
    Newlines and tabs stay, so multi-line reports keep their shape.
    """
    return _UNSAFE.sub(_escape, text)


def one_line(text: object, limit: int = CELL_LIMIT) -> str:
    """``text`` capped and folded onto one line of printable characters (text tables)."""
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(shown(text, limit).split()))
