"""Evidence a probe cites: documented expectations of three kinds, and lines cited at a commit.

Rules of this module:
- Data and pure functions only, standard library only (layer 0): the schema
  builder, validation, the results reader, the table and the citation check all
  read evidence through it, so they cannot disagree on what an entry is.
- A probe's ``documented`` maps an OS family to one entry or to a list of them
  (a family may have prose and conformance entries; files written before lists
  existed hold one mapping, and stay readable).
- An entry's kind says how strong it is, strongest first (KINDS): ``test``, a
  line of a conformance test that must pass on that OS (Wine's Winsock tests
  run on real Windows before a patch lands); ``rule``, a rule of a formal
  specification checked against traces of one named OS version (Netsem), which
  therefore names ``os_version``; ``prose``, documentation text (the default).
- A cited line is ``repository`` (GitHub owner/name), a full ``commit``, a
  ``path`` and ``line`` (with ``last_line`` for a short range); its link is
  built here from those fields, and only when every field matches its strict
  pattern, never taken from text. The quote of a cited entry is the cited
  lines themselves, one quote line per file line, each compared without its
  indentation (YAML cannot keep a line's leading spaces readably).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from matrix.language.probe_types import Documented

# Strongest first: a test asserted on the OS, a rule checked against one OS
# version, then documentation prose.
KINDS = ("test", "rule", "prose")
CONFORMANCE_KINDS = ("test", "rule")
DEFAULT_KIND = "prose"

# GitHub's own limits: an owner is 1-39 letters, digits or hyphens; a repository
# name letters, digits, '.', '_' and '-'.
REPOSITORY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$"
COMMIT_PATTERN = r"^[0-9a-f]{40}$"
# Plain path segments only: no '..', no leading '/', nothing a URL would read
# as a query, a fragment or an escape.
PATH_PATTERN = r"^(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_.+-]+(?:/[A-Za-z0-9_.+-]+)*$"
MAX_PATH = 300
MAX_LINE = 10_000_000
# A citation is a line or a short range: what an assertion and its call take.
MAX_CITED_LINES = 12
CITATION_FIELDS = ("repository", "commit", "path", "line")

_REPOSITORY = re.compile(REPOSITORY_PATTERN)
_COMMIT = re.compile(COMMIT_PATTERN)
_PATH = re.compile(PATH_PATTERN)


def entries(value: Any) -> list[dict[str, Any]]:
    """A family's documented value as a list of entries (one mapping, or a list)."""
    if isinstance(value, Mapping):
        return [dict(value)]
    if isinstance(value, list):
        return [dict(item) for item in value if isinstance(item, Mapping)]
    return []


def by_family(documented: Any) -> dict[str, list[Documented]]:
    """Family -> its entries, strongest kind first (stable within a kind)."""
    if not isinstance(documented, Mapping):
        return {}
    result = {}
    for family, value in documented.items():
        found = sorted(entries(value), key=lambda entry: KINDS.index(kind_of(entry)))
        if found:
            result[str(family)] = [cast("Documented", entry) for entry in found]
    return result


def kind_of(entry: Mapping[str, Any]) -> str:
    kind = entry.get("kind", DEFAULT_KIND)
    return kind if kind in KINDS else DEFAULT_KIND


def cited_lines(entry: Mapping[str, Any]) -> tuple[int, int] | None:
    """(first, last) line of a well-formed citation, else None."""
    line, last = entry.get("line"), entry.get("last_line", entry.get("line"))
    # bool is an int to Python, never a line number.
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (line, last)):
        return None
    assert isinstance(line, int) and isinstance(last, int)
    if not 1 <= line <= last <= MAX_LINE:
        return None
    if last - line >= MAX_CITED_LINES:
        return None
    return line, last


def has_citation(entry: Mapping[str, Any]) -> bool:
    return any(key in entry for key in CITATION_FIELDS)


def citation_url(entry: Mapping[str, Any]) -> str | None:
    """The https link that opens the cited lines, or None unless every field is well formed.

    Results files are hostile: this is the one place a cited line becomes a
    link, and each part is checked against a pattern that admits no character
    a URL, Markdown or HTML would give a meaning to.
    """
    repository, commit, path = entry.get("repository"), entry.get("commit"), entry.get("path")
    lines = cited_lines(entry)
    if lines is None or not (
        isinstance(repository, str) and isinstance(commit, str) and isinstance(path, str)
    ):
        return None
    # fullmatch: Python's $ would also match before a trailing newline.
    if not (_REPOSITORY.fullmatch(repository) and _COMMIT.fullmatch(commit)):
        return None
    if len(path) > MAX_PATH or not _PATH.fullmatch(path):
        return None
    first, last = lines
    anchor = f"L{first}" if first == last else f"L{first}-L{last}"
    return f"https://github.com/{repository}/blob/{commit}/{path}#{anchor}"


def quote_lines(quote: str) -> list[str]:
    """A cited quote as the lines it stands for, each without its indentation."""
    return [line.strip() for line in quote.split("\n")]


def citation_problem(entry: Mapping[str, Any]) -> str | None:
    """What is wrong with an entry's citation (fields, range, quote), or None.

    Only entries that cite a line are checked; the schema has already checked
    each field's type and pattern.
    """
    if not has_citation(entry) and kind_of(entry) not in CONFORMANCE_KINDS:
        return None
    missing = [key for key in CITATION_FIELDS if key not in entry]
    if missing:
        return "a cited line needs " + ", ".join(missing)
    lines = cited_lines(entry)
    if lines is None:
        return (
            f"last_line must be at or after line, and a citation at most "
            f"{MAX_CITED_LINES} lines long"
        )
    if citation_url(entry) is None:
        return "repository, commit and path must each be plain (see the probe format)"
    quote = entry.get("quote")
    expected = lines[1] - lines[0] + 1
    if isinstance(quote, str) and len(quote_lines(quote)) != expected:
        return (
            f"the quote of a cited line is the line itself: {expected} line(s) cited, "
            f"the quote has {len(quote_lines(quote))} (write it as a YAML literal block, |-)"
        )
    return None


def cited_at(entry: Mapping[str, Any]) -> str:
    """Where a cited line is, in words: ``owner/name path L12-14 at 0123abcd``."""
    lines = cited_lines(entry)
    if citation_url(entry) is None or lines is None:
        return ""
    first, last = lines
    where = f"L{first}" if first == last else f"L{first}-{last}"
    return f"{entry['repository']} {entry['path']} {where} at {str(entry['commit'])[:8]}"
