"""Schema errors in plain words: what was expected, where, and what to write instead.

jsonschema's own messages repr() whole values and speak in schema terms; these
name the key, bound every echoed value, suggest the closest known name, and
list the keys a step accepts.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator
from typing import Any

import jsonschema

from matrix.language.operations import COMMON_STEP_ARGS, OPERATIONS
from matrix.language.ops_readiness import POLL_RESULT_ONLY_EVENTS, POLL_RESULT_ONLY_REASON
from matrix.probe.model import KeyPath, short
from matrix.probe.schema import ecma_pattern


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word[:64], list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def explain(error: jsonschema.ValidationError) -> Iterator[tuple[KeyPath, str]]:
    path: KeyPath = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance: Any = error.instance
    expected: Any = error.validator_value
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        patterns = schema.get("patternProperties", {})
        op = instance.get("op") if "op" in known else None
        if isinstance(op, str) and op in OPERATIONS:
            # The same list from the per-op and the any-step schema: one message.
            known = {"op", *COMMON_STEP_ARGS, *OPERATIONS[op].args}
        for key in instance:
            if key in known or any(_matches(p, key) for p in patterns):
                continue
            if isinstance(op, str) and op in OPERATIONS and key in _all_step_args():
                takes = ", ".join(sorted(known - {"op", "name", "thread", "within", "note"}))
                yield (*path, key), f"not an argument of {op!r} (it takes: {takes})"
            elif isinstance(op, str) and op in OPERATIONS:
                takes = ", ".join(sorted(known))
                yield (
                    (*path, key),
                    f"unknown key{did_you_mean(key, known)}; {op!r} takes: {takes}",
                )
            else:
                yield (*path, key), f"unknown key{did_you_mean(key, known)}"
    elif error.validator == "required":
        missing = [key for key in expected if key not in instance]
        for key in missing:
            yield path, f"missing required key {key!r}"
    elif error.validator == "enum" and path and path[-1] == "op":
        yield path, f"unknown operation {short(instance)}{did_you_mean(str(instance), OPERATIONS)}"
    elif error.validator == "enum" and _is_result_only_poll_event(path, instance):
        yield path, f"POLL{instance} {POLL_RESULT_ONLY_REASON}"
    elif error.validator == "enum":
        options = ", ".join(repr(v) for v in expected)
        yield path, f"{short(instance)} is not one of {options}"
    elif error.validator == "oneOf" and _is_exactly_one(schema.get("oneOf")):
        keys = [sub["required"][0] for sub in schema["oneOf"]]
        present = [k for k in keys if isinstance(instance, dict) and k in instance]
        found = f" (found {', '.join(present)})" if present else ""
        yield path, f"needs exactly one of: {', '.join(keys)}{found}"
    elif error.validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        yield path, f"expected {expected_text}, got {describe(instance)}"
    elif error.validator == "minProperties":
        # Our own words: jsonschema's changed between releases ("does not have
        # enough properties" up to 4.17, "should be non-empty" since), and the
        # systems' packages ship both (Debian 12: 4.10.3, OmniOS r151054: 4.17.3).
        if expected == 1:
            yield path, f"{short(instance)} should be non-empty"
        else:
            yield path, f"{short(instance)} needs at least {expected} entries"
    elif error.validator == "maxLength" and isinstance(instance, str):
        # The same words as the limit check that runs before the schema (rules.py).
        yield path, f"is {len(instance)} characters long; the limit is {error.validator_value}"
    elif error.validator in _LIMIT_MESSAGES:
        yield (
            path,
            _LIMIT_MESSAGES[error.validator].format(
                limit=error.validator_value, value=describe(instance)
            ),
        )
    elif error.validator == "pattern":
        yield path, f"{short(instance)} does not match the pattern {error.validator_value}"
    else:
        yield path, error.message[:300]


_LIMIT_MESSAGES = {
    "minItems": "needs at least {limit} item(s)",
    "maxItems": "has more than {limit} items, the limit",
    "minimum": "{value} is below the minimum of {limit}",
    "exclusiveMinimum": "{value} must be more than {limit}",
    "maximum": "{value} is above the limit of {limit}",
    "minLength": "must not be empty",
    "maxProperties": "has more than {limit} entries, the limit",
}


def _is_result_only_poll_event(path: KeyPath, instance: object) -> bool:
    """``steps → N → events → M`` naming ERR, HUP or NVAL (only poll has ``events``)."""
    return (
        len(path) >= 2
        and path[-2] == "events"
        and isinstance(instance, str)
        and instance in POLL_RESULT_ONLY_EVENTS
    )


def describe(value: object) -> str:
    kind = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )
    return f"{kind} {short(value, 100)}" if not isinstance(value, (dict, list)) else kind


def _matches(pattern: str, key: str) -> bool:
    return ecma_pattern(pattern).search(key) is not None


def _is_exactly_one(subschemas: object) -> bool:
    return isinstance(subschemas, list) and all(
        isinstance(s, dict) and list(s) == ["required"] and len(s["required"]) == 1
        for s in subschemas
    )


@functools.cache
def _all_step_args() -> frozenset[str]:
    return frozenset(arg for op in OPERATIONS.values() for arg in op.args)
