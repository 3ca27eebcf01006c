"""What differs within a row: the parts of verdicts, and documentation against observation.

A verdict is parts joined by `` · `` (``step: outcome (timing)``). A reader
comparing platforms needs only the parts that are not the same everywhere, so
each distinct verdict of a row gets the text of its differing parts; the equal
parts are folded away (the full verdict stays in the legend and the details).
Work is per distinct verdict, not per cell, so a row costs the same whether 3 or
300 platforms share a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: no matrix module is imported at run time
    from matrix.engine.observation_types import Observation
    from matrix.language.probe_types import Expectation

SEPARATOR = " · "


def differing_parts(verdicts: list[str]) -> dict[str, str]:
    """Each verdict → the parts of it not shared by every other verdict ("" if one)."""
    if len(verdicts) < 2:
        return dict.fromkeys(verdicts, "")
    split = {v: v.split(SEPARATOR) for v in verdicts}
    common = set(split[verdicts[0]])
    for parts in split.values():
        common &= set(parts)
    result = {}
    for verdict, parts in split.items():
        rest = [p for p in parts if p not in common]
        # Same parts in another order or repeated: the order is the difference.
        result[verdict] = SEPARATOR.join(rest) if rest else verdict
    return result


def parts_of_steps(verdict: str, steps: list[str]) -> str:
    """The parts of a verdict that the steps named report (the whole verdict if none)."""
    parts = [p for p in verdict.split(SEPARATOR) if p.partition(": ")[0] in steps]
    return SEPARATOR.join(parts) or verdict


def _words(value: object) -> set[str]:
    # language/expectations.alternatives, inline: this module imports nothing.
    return {str(v) for v in value} if isinstance(value, list) else {str(value)}


def _common_word(first: object, second: object) -> bool:
    return bool(_words(first) & _words(second))


def _expectations_disagree(first: dict[str, Expectation], second: dict[str, Expectation]) -> bool:
    """Two families' documented expectations name the same step with different fields."""
    for step, fields in first.items():
        other: Mapping[str, object] | None = second.get(step)
        if other is None:
            continue
        # A field may list alternatives ("any of these"): two quotes disagree only
        # when no word satisfies both.
        if any(
            key in other and not _common_word(other[key], value) for key, value in fields.items()
        ):
            return True
    return False


def documentation_says_differs(
    expectations: list[list[dict[str, Expectation]]],
    observed: list[list[Observation]],
    contradicted: Callable[[dict[str, Expectation], list[Observation]], list[str]],
) -> bool:
    """Whether the sources of families with no observation disagree with an
    observation on another platform, or two such families' sources disagree.

    ``expectations``: per documented-only family, the ``expect`` of each of its
    entries (sources of one family that disagree with each other say nothing
    about platforms differing); ``observed``: the observations of one record per
    distinct observed verdict; ``contradicted``: merge.matches_expectation
    (passed in to keep this module free of imports).
    """
    for index, family in enumerate(expectations):
        for expect in family:
            if any(contradicted(expect, observations) for observations in observed):
                return True
            if any(
                _expectations_disagree(expect, other)
                for other_family in expectations[index + 1 :]
                for other in other_family
            ):
                return True
    return False
