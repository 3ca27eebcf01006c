"""Does a value fit the probe schema? The yes-or-no of jsonschema, without importing it.

Why this exists: ``import jsonschema`` alone takes about 95 ms (its format
checkers, referencing, attrs), more than the whole 0.1 s a pre-commit hook or an
editor may spend validating a file on every save. A file that passes needs only
a yes; jsonschema stays the one that explains a no (matrix.probe.schema asks it
for the errors of any document this module refuses), so every message a user
reads is still jsonschema's, put in plain words by matrix.probe.messages.

Rules of this module:
- The same answer as jsonschema (Draft 2020-12, with matrix.probe.schema's ECMA
  ``pattern``) for every value a probe's YAML can hold: mappings with text keys,
  lists, text, integers, finite floats, booleans and null
  (matrix.probe.yaml_lines refuses everything else). Each keyword below mirrors
  jsonschema's own function of that name (``jsonschema/_keywords.py``;
  ``_validators.py`` in older releases such as 4.10), including its quirks:
  ``patternProperties`` and ``additionalProperties`` search keys with Python's
  ``re`` as jsonschema does. tests/unit/probe/test_quick_schema.py compares the
  two on every probe of the library, on mutated probes and on generated schemas
  and values, under the newest and the oldest jsonschema the project allows
  (tox -e oldest).
- Only the keywords in CHECKS and ANNOTATIONS: a schema with any other keyword
  raises UnknownKeyword, never a half-checked yes.
- The standard library only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any

_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


@functools.cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema (ECMA 262) means it: ``$`` is the very end."""
    return re.compile(_UNESCAPED_DOLLAR.sub(r"\\Z", pattern))


class UnknownKeyword(ValueError):
    """The schema uses a keyword this module does not check."""


# Keywords that never change an answer.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "then", "else"})


def _is_type(name: str, value: Any) -> bool:
    """jsonschema's Draft 2020-12 type checker: a bool is no number, 2.0 is an integer."""
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "integer":
        return _number(value) and (isinstance(value, int) or value.is_integer())
    if name == "number":
        return _number(value)
    raise UnknownKeyword(f"type {name!r}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TRUE, _FALSE = object(), object()


def _unbool(value: Any) -> Any:
    return _TRUE if value is True else _FALSE if value is False else value


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's ``equal``: 1 equals 1.0, never True."""
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(_equal, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(
            key in two and _equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


def _unique(items: list[Any]) -> bool:
    return not any(_equal(items[i], items[j]) for i in range(len(items)) for j in range(i))


def _additional(value: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    """The keys neither ``properties`` nor ``patternProperties`` name, as jsonschema finds them."""
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    for key in value:
        if key not in properties and not (patterns and re.search(patterns, key)):
            yield key


def _additional_properties(expected: Any, value: Any, schema: dict[str, Any]) -> bool:
    if not isinstance(value, dict):
        return True
    extras = _additional(value, schema)
    if isinstance(expected, dict):
        return all(is_valid(expected, value[key]) for key in extras)
    return bool(expected) or next(extras, None) is None


def _if(condition: Any, value: Any, schema: dict[str, Any]) -> bool:
    branch = "then" if is_valid(condition, value) else "else"
    return branch not in schema or is_valid(schema[branch], value)


Check = Callable[[Any, Any, dict[str, Any]], bool]

# keyword -> (what it expects, the value, the schema holding it) -> fits.
CHECKS: dict[str, Check] = {
    "type": lambda expected, value, _: (
        _is_type(expected, value)
        if isinstance(expected, str)
        else any(_is_type(name, value) for name in expected)
    ),
    "enum": lambda expected, value, _: any(_equal(each, value) for each in expected),
    "const": lambda expected, value, _: _equal(value, expected),
    "pattern": lambda expected, value, _: (
        not isinstance(value, str) or ecma_pattern(expected).search(value) is not None
    ),
    "minLength": lambda expected, value, _: not isinstance(value, str) or len(value) >= expected,
    "maxLength": lambda expected, value, _: not isinstance(value, str) or len(value) <= expected,
    "minimum": lambda expected, value, _: not _number(value) or value >= expected,
    "maximum": lambda expected, value, _: not _number(value) or value <= expected,
    "exclusiveMinimum": lambda expected, value, _: not _number(value) or value > expected,
    "exclusiveMaximum": lambda expected, value, _: not _number(value) or value < expected,
    "minItems": lambda expected, value, _: not isinstance(value, list) or len(value) >= expected,
    "maxItems": lambda expected, value, _: not isinstance(value, list) or len(value) <= expected,
    "uniqueItems": lambda expected, value, _: (
        not expected or not isinstance(value, list) or _unique(value)
    ),
    "minProperties": lambda expected, value, _: (
        not isinstance(value, dict) or len(value) >= expected
    ),
    "maxProperties": lambda expected, value, _: (
        not isinstance(value, dict) or len(value) <= expected
    ),
    "required": lambda expected, value, _: (
        not isinstance(value, dict) or all(key in value for key in expected)
    ),
    "properties": lambda expected, value, _: (
        not isinstance(value, dict)
        or all(is_valid(sub, value[key]) for key, sub in expected.items() if key in value)
    ),
    "patternProperties": lambda expected, value, _: (
        not isinstance(value, dict)
        or all(
            is_valid(sub, item)
            for pattern, sub in expected.items()
            for key, item in value.items()
            if re.search(pattern, key)
        )
    ),
    "additionalProperties": _additional_properties,
    "propertyNames": lambda expected, value, _: (
        not isinstance(value, dict) or all(is_valid(expected, key) for key in value)
    ),
    "items": lambda expected, value, _: (
        not isinstance(value, list) or all(is_valid(expected, item) for item in value)
    ),
    "allOf": lambda expected, value, _: all(is_valid(sub, value) for sub in expected),
    "anyOf": lambda expected, value, _: any(is_valid(sub, value) for sub in expected),
    "oneOf": lambda expected, value, _: sum(is_valid(sub, value) for sub in expected) == 1,
    "not": lambda expected, value, _: not is_valid(expected, value),
    "if": _if,
}


def is_valid(schema: Any, value: Any) -> bool:
    """Whether ``value`` fits ``schema`` (a schema object or a boolean schema)."""
    if schema is True or schema is False:
        return schema
    for keyword, expected in schema.items():
        check = CHECKS.get(keyword)
        if check is None:
            if keyword in ANNOTATIONS:
                continue
            raise UnknownKeyword(keyword)
        if not check(expected, value, schema):
            return False
    return True


# Where a keyword's value holds schemas: one, a list of them, or a mapping to them.
_ONE_SCHEMA = ("items", "additionalProperties", "propertyNames", "not", "if", "then", "else")
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAP = ("properties", "patternProperties")


def unknown_keywords(schema: Any) -> set[str]:
    """Every keyword anywhere in ``schema`` that is_valid would refuse to check."""
    if not isinstance(schema, dict):
        return set()
    found = {key for key in schema if key not in CHECKS and key not in ANNOTATIONS}
    for key, value in schema.items():
        if key in _ONE_SCHEMA:
            found |= unknown_keywords(value)
        elif key in _SCHEMA_LIST:
            for sub in value:
                found |= unknown_keywords(sub)
        elif key in _SCHEMA_MAP:
            for sub in value.values():
                found |= unknown_keywords(sub)
    return found
