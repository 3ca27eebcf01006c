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
may hold anything JSON can carry. Which characters are hidden is decided once,
by :func:`hidden`, from the Unicode data rather than a list of code points:
- every character of the categories Cc (controls), Cf (format: bidi controls,
  zero-width characters, the soft hyphen, tag characters), Cs (surrogates),
  Co (private use), Cn (unassigned), Zl and Zp (line and paragraph separators);
- combining marks (Mn, Me) that have no visible base before them, or that stack
  more than MAX_MARKS deep on one (a tower of marks covers the lines around it);
- characters Unicode itself names as invisible: fillers and blank patterns
  (U+3164 HANGUL FILLER, U+2800 BRAILLE PATTERN BLANK), variation selectors and
  the grapheme joiner (U+034F), which are letters, symbols and marks by category.
Each kind of output then shows a hidden character visibly: :func:`shown` as
``[U+202E]`` (before HTML or Markdown escaping), :func:`for_terminal` as
``\u202e``. :func:`shown` also replaces lone surrogates with U+FFFD and caps the
length, saying how much was left out, so a multi-megabyte verdict cannot
inflate the page. :func:`for_terminal` also keeps a line of ours from starting
with a GitHub Actions workflow command (``::error …``, ``##[…]``), since
terminal output reaches CI logs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

CELL_LIMIT = 300
TEXT_LIMIT = 4000
# Combining marks allowed on one base character (Vietnamese stacks two, pointed
# Hebrew three); the ones after that are shown.
MAX_MARKS = 3
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MARKS = frozenset({"Mn", "Me"})
# Words in the Unicode names of letters, symbols and marks that draw nothing.
_INVISIBLE_NAMES = ("FILLER", "PATTERN BLANK", "VARIATION SELECTOR", "GRAPHEME JOINER")
# Characters that are never hidden (ASCII, Latin-1 letters and signs, general
# punctuation up to U+205E, arrows, mathematical and technical signs, box
# drawing, dingbats; a test checks each against hidden()): text is looked at
# character by character only where it has others.
_PLAIN_CLASS = (
    "\t\n\x20-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u23ff\u2500-\u27bf"
)
_PLAIN = re.compile(f"[{_PLAIN_CLASS}]*")
_NOT_PLAIN = re.compile(f"[^{_PLAIN_CLASS}]+")


@functools.lru_cache(maxsize=4096)
def _kind(char: str) -> str:
    """ "hidden", "mark" or "visible" for one character (tab and newline: visible)."""
    if char in "\t\n":
        return "visible"
    category = unicodedata.category(char)
    if category in _HIDDEN_CATEGORIES:
        return "hidden"
    name = unicodedata.name(char, "")
    if any(word in name for word in _INVISIBLE_NAMES):
        return "hidden"
    return "mark" if category in _MARKS else "visible"


def hidden(text: str, before: str = "") -> list[bool]:
    """For each character of ``text``, whether it must be shown visibly; ``before``
    is the character in front of it (a mark's base)."""
    flags = []
    marks = 0 if before and _kind(before) == "visible" and not before.isspace() else None
    for char in text:
        kind = _kind(char)
        if kind == "mark":
            if marks is None or marks >= MAX_MARKS:
                flags.append(True)
                continue
            marks += 1
            flags.append(False)
        else:
            flags.append(kind == "hidden")
            marks = 0 if kind == "visible" and not char.isspace() else None
    return flags


def _made_visible(text: str, escape: Callable[[str], str]) -> str:
    """``text`` with each hidden character replaced by ``escape(char)``; only the
    stretches outside _PLAIN_CLASS are looked at one character at a time."""
    if _PLAIN.fullmatch(text):
        return text

    def stretch(match: re.Match[str]) -> str:
        part = match.group(0)
        before = text[match.start() - 1] if match.start() else ""
        return "".join(
            escape(char) if hide else char
            for char, hide in zip(part, hidden(part, before), strict=True)
        )

    return _NOT_PLAIN.sub(stretch, text)


def _bracketed(char: str) -> str:
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"  # a lone surrogate is not text at all
    return f"[U+{ord(char):04X}]"


def shown(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` with hidden characters made visible, capped at ``limit`` characters."""
    value = text if isinstance(text, str) else str(text)
    if len(value) <= limit and value.isascii() and value.isprintable():
        return value  # the common case, in one C call
    cut = 0
    if len(value) > limit:
        cut = len(value) - limit
        value = value[:limit]
    value = _made_visible(value, _bracketed)
    if cut:
        value += f" … ({cut} more characters)"
    return value


# In JSON text from json.dumps(ensure_ascii=False): an escaped backslash (kept, so
# the "\u" after it is not misread) or an escaped control character; everything
# else that may be hidden is a raw character outside ASCII, or DEL.
_JSON_ESCAPED = re.compile(r"\\\\|\\u00[01][0-9a-fA-F]|\\u007[fF]")


def _json_escaped(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if found == "\\\\" else f"[U+{found[2:].upper()}]"


def shown_json(text: str) -> str:
    """JSON text (json.dumps, ensure_ascii=False) whose strings, once parsed, hold no
    hidden characters: the same visible ``[U+XXXX]`` as :func:`shown`, applied
    to the whole text in C-speed passes instead of string by string."""
    if "\\u00" in text:
        text = _JSON_ESCAPED.sub(_json_escaped, text)
    return _made_visible(text, _bracketed)


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# A line the GitHub Actions runner reads as a workflow command: "::name …::" at its
# start, leading whitespace ignored, or "##[name]" anywhere (the legacy form).
# actions/runner, src/Runner.Common/ActionCommand.cs: TryParseV2 trims the line
# (message.TrimStart()) and requires "::"; TryParse finds "##[" with IndexOf.
_COMMAND_START = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_LEGACY_COMMAND = re.compile(r"##\[")


def for_terminal(text: str) -> str:
    """``text`` with every character that could steer a terminal shown as an escape,
    and no line able to act as a CI workflow command.

    A title, verdict or file name may hold terminal escape sequences (ESC [ …),
    other control characters or bidi overrides (U+202E reverses what follows),
    or a newline followed by ``::error file=…::`` or ``::add-mask::``. Newlines
    and tabs stay, so multi-line reports keep their shape.
    """
    text = _made_visible(text, _escaped)
    if ":" in text:
        text = _COMMAND_START.sub(lambda m: f"{m.group(1)}\\x3a", text)
    if "##[" in text:
        text = _LEGACY_COMMAND.sub("#\\\\x23[", text)
    return text


def one_line(text: object, limit: int = CELL_LIMIT) -> str:
    """``text`` capped and folded onto one line of printable characters (text tables)."""
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(shown(text, limit).split()))
