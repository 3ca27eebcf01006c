"""Schema errors in plain words: what was expected, where, and what to write instead.

jsonschema's own messages repr() whole values and speak in schema terms; these
name the key, bound every echoed value, suggest the closest known name, and
list the keys a step accepts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from matrix.language.operations import COMMON_STEP_ARGS, OPERATIONS
from matrix.language.ops_readiness import POLL_RESULT_ONLY_EVENTS, POLL_RESULT_ONLY_REASON
from matrix.language.suggest import did_you_mean
from matrix.probe.model import KeyPath, short
from matrix.probe.quick_schema import ecma_pattern

if TYPE_CHECKING:
    import jsonschema


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
    elif error.validator == "enum" and _unprefixed(instance, expected, path) is not None:
        bare = _unprefixed(instance, expected, path)
        yield path, f"{short(instance)} is written without its prefix here: {path[-2]}: [{bare}]"
    elif error.validator == "enum":
        options = ", ".join(repr(v) for v in expected)
        hint = did_you_mean(instance, map(str, expected)) if isinstance(instance, str) else ""
        yield path, f"{short(instance)} is not one of {options}{hint}"
    elif error.validator == "oneOf" and _is_exactly_one(schema.get("oneOf")):
        keys = [sub["required"][0] for sub in schema["oneOf"]]
        present = [k for k in keys if isinstance(instance, dict) and k in instance]
        found = f" (found {', '.join(present)})" if present else ""
        yield path, f"needs exactly one of: {', '.join(keys)}{found}"
    elif error.validator == "type":
        expected = error.validator_value
        expected_text = " or ".join(expected) if isinstance(expected, list) else expected
        yield path, f"expected {expected_text}, got {describe(instance)}{_type_hint(error, path)}"
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


# Flag names as C spells them (MSG_PEEK, POLLIN): a probe writes them bare.
_C_PREFIXES = ("MSG_", "POLL")


def _unprefixed(instance: object, expected: object, path: KeyPath) -> str | None:
    """``PEEK`` for ``MSG_PEEK`` in a list that allows ``PEEK``, else None."""
    if not (isinstance(instance, str) and isinstance(expected, list) and len(path) >= 2):
        return None
    for prefix in _C_PREFIXES:
        if instance.startswith(prefix) and instance[len(prefix) :] in expected:
            return instance[len(prefix) :]
    return None


def _type_hint(error: jsonschema.ValidationError, path: KeyPath) -> str:
    """The exact fix for the two type errors people make most."""
    expected = error.validator_value
    kinds = expected if isinstance(expected, list) else [expected]
    instance = error.instance
    key = path[-1] if path and isinstance(path[-1], str) else None
    if "string" in kinds and isinstance(instance, (int, float, bool)) and key:
        text = "true" if instance is True else "false" if instance is False else str(instance)
        return f"; to mean the text {text}, quote it: {key}: '{text}'"
    if kinds == ["array"] and isinstance(instance, str) and key:
        items = (error.schema or {}).get("items") if isinstance(error.schema, dict) else None
        allowed = items.get("enum", []) if isinstance(items, dict) else []
        bare = _unprefixed(instance, allowed, (key, 0)) or instance
        return f"; write a list: {key}: [{short(bare)[1:-1]}]"
    return ""


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
