"""The words of every expectation (``documented → expect``, ``assumptions``) checked.

Rules of this module:
- An outcome, an error name and a timing class are valid only if an observation
  can carry them: error names are the portable names of the errno tables
  (matrix.language.error_names), timing classes the engine's words
  (matrix.language.timing_classes). A misspelt word would otherwise pass
  validation and then fail on every platform.
- A spelling the engine folds (``EAGAIN``, ``WSAECONNRESET``) is refused with the
  word observations carry, since it would never match.
- Runs on documents that failed the schema too (validation reports everything in
  one pass): anything of the wrong shape is skipped here, the schema has said so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from matrix.language.error_names import portable_name, reportable_errors
from matrix.language.expectations import OUTCOMES, alternatives
from matrix.language.suggest import did_you_mean
from matrix.language.timing_classes import NAMED_CLASSES, is_timing_class
from matrix.probe.model import KeyPath, short


def _error_problem(word: str) -> str | None:
    names = reportable_errors()
    if word in names:
        return None
    folded = portable_name(word)
    if folded != word and folded in names:
        return (
            f"observations name this error {folded!r} (the portable name of {short(word)}): "
            f"write error: {folded}"
        )
    return (
        f"{short(word)} is not an error name any platform reports{did_you_mean(word, names)}; "
        "use the portable name (EWOULDBLOCK, ECONNRESET, …) as the table shows it"
    )


def _timing_problem(word: str) -> str | None:
    if is_timing_class(word):
        return None
    return (
        f"{short(word)} is not a timing class{did_you_mean(word, NAMED_CLASSES)}; "
        f"use one of: {', '.join(NAMED_CLASSES)}, or 'after ~N s' (N whole seconds, at least 1)"
    )


def _outcome_problem(word: str) -> str | None:
    if word in OUTCOMES:
        return None
    known = ", ".join(OUTCOMES)
    return f"{short(word)} is not an outcome{did_you_mean(word, OUTCOMES)}; use one of: {known}"


_CHECKS = {"outcome": _outcome_problem, "error": _error_problem, "timing": _timing_problem}


def _field_problems(value: object, where: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    check = _CHECKS.get(str(where[-1]))
    if check is None:
        return
    if isinstance(value, str):
        if (problem := check(value)) is not None:
            yield where, problem
    elif isinstance(value, list):
        for index, word in enumerate(value):
            if isinstance(word, str) and (problem := check(word)) is not None:
                yield (*where, index), problem
        if len(set(alternatives(value))) < len(value):
            yield where, "lists a word twice"


def _expect_problems(expect: object, where: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    for step, fields in expect.items() if isinstance(expect, Mapping) else ():
        for key, value in fields.items() if isinstance(fields, Mapping) else ():
            yield from _field_problems(value, (*where, step, key))


def expectation_problems(data: Mapping[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    """Words no observation can carry, in documented expectations and assumptions."""
    documented = data.get("documented")
    for family, value in documented.items() if isinstance(documented, Mapping) else ():
        # A family holds one entry or a list of them (the path keeps the file's shape).
        if isinstance(value, list):
            for index, doc in enumerate(value):
                if isinstance(doc, Mapping):
                    where: KeyPath = ("documented", family, index, "expect")
                    yield from _expect_problems(doc.get("expect"), where)
        elif isinstance(value, Mapping):
            yield from _expect_problems(value.get("expect"), ("documented", family, "expect"))
    assumptions = data.get("assumptions")
    for platform, steps in assumptions.items() if isinstance(assumptions, Mapping) else ():
        yield from _expect_problems(steps, ("assumptions", platform))
