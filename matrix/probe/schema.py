"""Run the probe JSON Schema fast enough for every save and for the largest (or most hostile) probe.

Two costs are cut here:
- A document that fits is told so by matrix.probe.quick_schema, without
  importing jsonschema (95 ms, most of a pre-commit hook's 0.1 s). Only a
  document that does not fit is handed to jsonschema, for its errors.
- The shipped schema checks each step with one if/then per operation (22 of
  them): jsonschema evaluates every ``if`` for every step, which made a 200-step
  probe take over a second. Here the document is checked with its steps left
  out, and each step against its own operation's ``then`` only (a step with no
  known ``op`` against the generic step schema, for the unknown-operation and
  missing-key messages). Same schema, same errors, a fraction of the work.

Patterns use JSON Schema's meaning of ``$`` (the very end), not Python's
(which also matches before a trailing newline: ``id: "x\\n"`` passed).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from matrix.language.operations import SOCKET_LIST_ARGS, SOCKET_REFERENCE_ARGS
from matrix.probe.quick_schema import ecma_pattern, is_valid
from matrix.schemas.paths import PROBE_SCHEMA_PATH

if TYPE_CHECKING:
    import jsonschema

KeyPath = tuple[str | int, ...]
Schema = dict[str, Any]


@functools.cache
def probe_schema() -> Schema:
    """The shipped probe schema, as one document."""
    loaded: Schema = json.loads(PROBE_SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


class Parts(NamedTuple):
    """The probe schema cut for checking: the document with any object for a step,
    the generic step, and each operation's step."""

    document: Schema
    step: Schema
    per_op: dict[str, Schema]


@functools.cache
def parts() -> Parts:
    schema = probe_schema()
    steps = schema["properties"]["steps"]
    step = steps["items"]
    # The document with any object for a step: copied along that one path only
    # (a deep copy of the whole schema took 4 ms of every validate).
    document = {
        **schema,
        "properties": {**schema["properties"], "steps": {**steps, "items": {"type": "object"}}},
    }
    dialect = schema.get("$schema", "")
    per_op = {
        branch["if"]["properties"]["op"]["const"]: {
            "$schema": dialect,
            "type": "object",
            **branch["then"],
        }
        for branch in step.get("allOf", [])
    }
    generic = {"$schema": dialect, **{key: value for key, value in step.items() if key != "allOf"}}
    return Parts(document, generic, per_op)


def _op(step: Any) -> str:
    """The operation a step names as text ("" if none: no operation has that name)."""
    op = step.get("op") if isinstance(step, dict) else None
    return op if isinstance(op, str) else ""


def _step_schema(step: Any) -> Schema:
    return parts().per_op.get(_op(step)) or parts().step


def fits_schema(data: Any) -> bool:
    """Whether the whole probe document fits the schema (without jsonschema)."""
    if not is_valid(parts().document, data):
        return False
    steps = data.get("steps") if isinstance(data, dict) else None
    return all(is_valid(_step_schema(step), step) for step in steps or ())


def _full_pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    import jsonschema

    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        shown = repr(instance[:48]) + ("…" if len(instance) > 48 else "")
        yield jsonschema.ValidationError(f"{shown} does not match {pattern!r}")


@functools.cache
def _validator_class(dialect: str) -> Any:
    import jsonschema

    base = jsonschema.validators.validator_for({"$schema": dialect})
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        base, {"pattern": _full_pattern}
    )


@functools.cache
def _validators() -> tuple[Any, Any, dict[str, Any]]:
    """jsonschema's validators of the parts: loaded only to explain a document that does not fit."""
    document, step, per_op = parts()
    cls = _validator_class(document.get("$schema", ""))
    return cls(document), cls(step), {op: cls(schema) for op, schema in per_op.items()}


def schema_errors(data: Any) -> Iterator[tuple[KeyPath, jsonschema.ValidationError]]:
    """Every schema error of a probe document, with the path its error is relative to."""
    if fits_schema(data):
        return
    document, generic, per_op = _validators()
    yield from (((), error) for error in document.iter_errors(data))
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return
    for index, step in enumerate(steps):
        for error in per_op.get(_op(step), generic).iter_errors(step):
            yield ("steps", index), error


def _known_keys_only(value: dict[str, Any], schema: Any) -> dict[str, Any]:
    known = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return {key: item for key, item in value.items() if key in known}


def sound_step(step: Any) -> dict[str, Any] | None:
    """The step without its unknown keys if the rest fits its operation's schema.

    Validation goes on past schema errors: a step with a misspelt key can still be
    checked for its references, a step with a wrong value (or an unknown op) cannot.
    """
    schema = parts().per_op.get(_op(step))
    if schema is None:
        return None
    kept = _known_keys_only(step, schema)
    return kept if is_valid(schema, kept) else None


def sound_socket(spec: Any) -> dict[str, Any] | None:
    """A socket spec without its unknown keys if the rest fits the schema, as sound_step."""
    if not isinstance(spec, dict):
        return None
    schema = probe_schema()["properties"]["sockets"]["items"]
    kept = _known_keys_only(spec, schema)
    return kept if is_valid(schema, kept) else None


# A step the schema refused, kept in a sound view only for what later steps refer
# to (its name, the socket it creates, its thread) and the sockets it names, which
# must exist: no other check looks inside it.
BROKEN_OP = "?"
_KEPT_OF_BROKEN_STEP = ("name", "as", "thread", *SOCKET_REFERENCE_ARGS, *SOCKET_LIST_ARGS)
_SOCKET_KINDS = ("pair", "listener", "tcp", "udp")
_LISTS_OF_NAMES = ("pair", *SOCKET_LIST_ARGS)


def _names_only(item: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) or (
            key in _LISTS_OF_NAMES
            and isinstance(value, list)
            and all(isinstance(v, str) for v in value)
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
        if key in data and is_valid(probe_schema()["properties"][key], data[key]):
            view[key] = data[key]
    return view


_WHOLE_SECTIONS = ("documented", "runtimes", "bites")
