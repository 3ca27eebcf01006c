"""Run the probe JSON Schema fast enough for the largest (or most hostile) probe.

The shipped schema checks each step with one if/then per operation (22 of
them): jsonschema evaluates every ``if`` for every step, which made a 200-step
probe take over a second. Here the document is checked with its steps left
out, and each step against its own operation's ``then`` only (a step with no
known ``op`` against the generic step schema, for the unknown-operation and
missing-key messages). Same schema, same errors, a fraction of the work.

Patterns use JSON Schema's meaning of ``$`` (the very end), not Python's
(which also matches before a trailing newline: ``id: "x\\n"`` passed).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema

from matrix.schemas.paths import PROBE_SCHEMA_PATH

KeyPath = tuple[str | int, ...]
Validator = jsonschema.protocols.Validator
_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


@functools.cache
def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema (ECMA 262) means it: ``$`` is the very end."""
    return re.compile(_UNESCAPED_DOLLAR.sub(r"\\Z", pattern))


def _full_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        shown = repr(instance[:48]) + ("…" if len(instance) > 48 else "")
        yield jsonschema.ValidationError(f"{shown} does not match {pattern!r}")


@functools.cache
def _validator_class(schema_text: str) -> Any:
    base = jsonschema.validators.validator_for(json.loads(schema_text))
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base, {"pattern": _full_pattern}
    )


def _validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    cls = _validator_class(json.dumps({"$schema": schema.get("$schema", "")}))
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


@functools.cache
def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(PROBE_SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def probe_validator() -> jsonschema.protocols.Validator:
    """The whole schema (for callers that want it as one)."""
    return _validator(_schema())


@functools.cache
def _split() -> tuple[
    jsonschema.protocols.Validator, jsonschema.protocols.Validator, dict[str, Any]
]:
    schema = _schema()
    document = copy.deepcopy(schema)
    step = document["properties"]["steps"]["items"]
    document["properties"]["steps"]["items"] = {"type": "object"}
    dialect = schema.get("$schema", "")
    per_op = {}
    for branch in step.get("allOf", []):
        op = branch["if"]["properties"]["op"]["const"]
        per_op[op] = _validator({"$schema": dialect, "type": "object", **branch["then"]})
    generic = {key: value for key, value in step.items() if key != "allOf"}
    return _validator(document), _validator({"$schema": dialect, **generic}), per_op


def schema_errors(data: Any) -> Iterator[tuple[KeyPath, jsonschema.ValidationError]]:
    """Every schema error of a probe document, with the path its error is relative to."""
    document, generic, per_op = _split()
    yield from (((), error) for error in document.iter_errors(data))
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        op = step.get("op") if isinstance(step, dict) else None
        validator = per_op.get(op) if isinstance(op, str) else None
        for error in (validator or generic).iter_errors(step):
            yield ("steps", index), error


@functools.cache
def _socket_validator() -> jsonschema.protocols.Validator:
    schema = _schema()
    spec = schema["properties"]["sockets"]["items"]
    return _validator({"$schema": schema.get("$schema", ""), **spec})


def _known_keys_only(value: dict[str, Any], schema: Any) -> dict[str, Any]:
    known = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return {key: item for key, item in value.items() if key in known}


def sound_step(step: Any) -> dict[str, Any] | None:
    """The step without its unknown keys if the rest fits its operation's schema.

    Validation goes on past schema errors: a step with a misspelt key can still be
    checked for its references, a step with a wrong value (or an unknown op) cannot.
    """
    if not isinstance(step, dict):
        return None
    _, _, per_op = _split()
    op = step.get("op")
    validator = per_op.get(op) if isinstance(op, str) else None
    if validator is None:
        return None
    kept = _known_keys_only(step, validator.schema)
    return kept if validator.is_valid(kept) else None


def sound_socket(spec: Any) -> dict[str, Any] | None:
    """A socket spec without its unknown keys if the rest fits the schema, as sound_step."""
    if not isinstance(spec, dict):
        return None
    validator = _socket_validator()
    kept = _known_keys_only(spec, validator.schema)
    return kept if validator.is_valid(kept) else None


# A step the schema refused, kept in a sound view only for what later steps refer
# to (its name, the socket it creates, its thread): no check looks inside it.
BROKEN_OP = "?"
_KEPT_OF_BROKEN_STEP = ("name", "as", "thread")
_SOCKET_KINDS = ("pair", "listener", "tcp", "udp")


def _names_only(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) or (
            key == "pair" and isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            kept[key] = value
    return kept


def sound_view(data: dict[str, Any]) -> dict[str, Any] | None:
    """The document as the checks after the schema may read it, or None if its
    sockets or steps are not lists at all (nothing to check across them).

    Unknown keys are dropped (the schema has reported them); a socket or step the
    schema refuses keeps only the names others refer to; ``verdict``,
    ``documented`` and ``assumptions`` keep only entries of the right shape.
    """
    sockets, steps = data.get("sockets"), data.get("steps")
    if not (isinstance(sockets, list) and isinstance(steps, list)):
        return None
    view_sockets = []
    for spec in sockets:
        sound = sound_socket(spec)
        if sound is None:
            sound = _names_only(spec, _SOCKET_KINDS) if isinstance(spec, dict) else {}
        view_sockets.append(sound)
    view_steps = []
    for step in steps:
        sound = sound_step(step)
        if sound is None:
            kept = _names_only(step, _KEPT_OF_BROKEN_STEP) if isinstance(step, dict) else {}
            sound = {**kept, "op": BROKEN_OP}
        view_steps.append(sound)
    verdict = data.get("verdict")
    assumptions = data.get("assumptions")
    view: dict[str, Any] = {
        "sockets": view_sockets,
        "steps": view_steps,
        "verdict": verdict if isinstance(verdict, list) else [],
        "assumptions": {
            str(platform): entry
            for platform, entry in (assumptions.items() if isinstance(assumptions, dict) else ())
            if isinstance(entry, dict)
        },
    }
    # The evidence sections are checked whole or not at all (their checks index
    # required keys freely); the expectation words in documented are checked
    # apart (matrix.probe.expectation_checks), whatever the section's shape.
    for key in _WHOLE_SECTIONS:
        if key in data and _section_validator(key).is_valid(data[key]):
            view[key] = data[key]
    return view


_WHOLE_SECTIONS = ("documented", "runtimes", "bites")


@functools.cache
def _section_validator(key: str) -> jsonschema.protocols.Validator:
    schema = _schema()
    return _validator({"$schema": schema.get("$schema", ""), **schema["properties"][key]})
