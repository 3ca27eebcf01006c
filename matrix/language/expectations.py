"""Expectations: what one observation should be, and whether an observation fits one.

Rules of this module:
- One vocabulary wherever an expectation is written (``documented → expect``,
  ``assumptions``): ``outcome``, ``error`` (a portable name), ``summary`` and
  ``timing`` (a class); only the fields given are compared.
- A field is one word or a list meaning "any of these" (``error: [ENOTCONN,
  EPIPE]``): the observation fits when it equals one of them.
- Values may come from a results file (hostile): anything that is not a string
  or a list of strings is compared as its text and never fits by accident.
- Standard library only: probe/ (assumptions) and table/ (documentation
  against observation) compare through the same function, so a table's ``≠doc``
  and ``sockmatrix check`` can never disagree about what fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIELDS = ("outcome", "error", "summary", "timing")
OUTCOMES = ("returned", "raised", "blocked")
# A list of alternatives is short: a longer one says "anything" and checks nothing.
MAX_ALTERNATIVES = 8


def alternatives(value: object) -> tuple[str, ...]:
    """The words a field accepts: ``"EPIPE"`` → ``("EPIPE",)``, a list → its items."""
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return (str(value),)


def words(value: object) -> str:
    """A field as a reader says it: ``ENOTCONN or EPIPE``."""
    return " or ".join(alternatives(value))


def observed_fields(observation: Mapping[str, Any]) -> dict[str, Any]:
    """The expectation's fields as one observation (engine/observation_types) has them."""
    error = observation.get("error")
    return {
        "outcome": observation.get("outcome"),
        "error": error.get("portable") if isinstance(error, Mapping) else None,
        "summary": observation.get("summary"),
        "timing": observation.get("timing"),
    }


def fits(expect: Mapping[str, Any], observation: Mapping[str, Any]) -> bool:
    """Whether an observation has every field ``expect`` names, each one of its words."""
    actual = observed_fields(observation)
    return all(
        isinstance(actual.get(key), str) and actual[key] in alternatives(value)
        for key, value in expect.items()
    )


def overlap(first: object, second: object) -> bool:
    """Whether two fields accept a common word (two quotes that can both be true)."""
    return bool(set(alternatives(first)) & set(alternatives(second)))
