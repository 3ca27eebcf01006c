"""Checks of a probe's evidence a schema cannot express: documented, runtimes, bites.

Rules of this module: each check yields ``(key path, message)`` on a document
that already fits the schema; the key path keeps the file's own shape (a
family's single entry has no index, a list's entries do), so every problem
points at its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from matrix.language.evidence import citation_problem
from matrix.language.suggest import did_you_mean
from matrix.probe.model import KeyPath, short

if TYPE_CHECKING:
    from matrix.language.probe_types import Probe


def _documented_entries(data: Probe) -> Iterator[tuple[KeyPath, Mapping[str, Any]]]:
    for family, value in data.get("documented", {}).items():
        if isinstance(value, list):
            for index, entry in enumerate(value):
                yield ("documented", family, index), entry
        else:
            yield ("documented", family), value


def evidence_problems(data: Probe, steps: Mapping[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """Expectations name real steps; cited lines are whole; bites are not repeated."""
    for where, entry in _documented_entries(data):
        for name in entry.get("expect", {}):
            if name not in steps:
                yield (
                    (*where, "expect", name),
                    f"no step named {short(name)}{did_you_mean(name, steps)}",
                )
        if problem := citation_problem(entry):
            yield where, problem
    for index, runtime in enumerate(data.get("runtimes", [])):
        if problem := citation_problem(runtime):
            yield ("runtimes", index), problem
    named: set[str] = set()
    for index, bite in enumerate(data.get("bites", [])):
        if bite["behaviour"] in named:
            yield ("bites", index, "behaviour"), f"{bite['behaviour']!r} is named twice"
        named.add(bite["behaviour"])
        urls: set[str] = set()
        for position, issue in enumerate(bite["issues"]):
            if issue["url"] in urls:
                yield ("bites", index, "issues", position, "url"), "this issue is listed twice"
            urls.add(issue["url"])
