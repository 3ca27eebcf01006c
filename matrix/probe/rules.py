"""Probe checks a JSON Schema cannot express well: options, select, memory, limits.

Rules of this module:
- Each check yields ``(key path, message)``; the validator adds file and line.
- Messages never echo an unbounded value: names are cut to a few dozen
  characters and values are described, not repr()'d whole.
- ``limit_problems`` runs before the schema: a document over a size limit
  (19,900 steps, say) gets one message per limit at once, instead of a schema
  pass that takes seconds and prints an error per element.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from matrix.language.budget import budget_problem
from matrix.language.option_allowlist import KNOWN_OPTIONS, name_problem, value_problem
from matrix.probe.model import KeyPath, short

if TYPE_CHECKING:
    from matrix.language.probe_types import Probe, SetValueArg, SocketOptions

PORTABLE_SOCKET_OPTIONS = ("linger", "blocking", "timeout")
# How a setsockopt step gives its value: exactly one of these.
SET_VALUE_ARGS: tuple[SetValueArg, ...] = ("value", "linger", "duration", "raw")


def limit_problems(instance: Any, schema: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Size limits (maxItems, maxProperties, maxLength) of ``schema``, checked first.

    Walks only ``properties``, ``items`` and ``additionalProperties`` and never
    descends into a container that is itself over its limit.
    """
    if not isinstance(schema, dict):
        return
    if isinstance(instance, list):
        limit = schema.get("maxItems")
        if isinstance(limit, int) and len(instance) > limit:
            yield path, f"has {len(instance)} items; the limit is {limit}"
            return
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(instance):
                yield from limit_problems(item, items, (*path, index))
    elif isinstance(instance, dict):
        limit = schema.get("maxProperties")
        if isinstance(limit, int) and len(instance) > limit:
            yield path, f"has {len(instance)} entries; the limit is {limit}"
            return
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, value in instance.items():
            sub = properties.get(key, extra)
            if isinstance(sub, dict):
                yield from limit_problems(value, sub, (*path, key))
    elif isinstance(instance, str):
        limit = schema.get("maxLength")
        if isinstance(limit, int) and len(instance) > limit:
            yield path, f"is {len(instance)} characters long; the limit is {limit}"


class _NameCheck:
    """name_problem for one file: the list of allowed names comes with the first
    unknown option only."""

    def __init__(self) -> None:
        self.listed = False

    def __call__(self, name: str, *, setting: bool) -> str | None:
        problem = name_problem(name, setting=setting, list_allowed=not self.listed)
        if problem is not None and "probes may use:" in problem:
            self.listed = True
        return problem


def _socket_option_problems(
    options: SocketOptions, where: KeyPath, name_check: _NameCheck
) -> Iterator[tuple[KeyPath, str]]:
    for name, value in options.items():
        if name in PORTABLE_SOCKET_OPTIONS:
            continue
        problem = name_check(name, setting=True) or value_problem(name, "value", value)
        if problem is not None:
            yield (*where, name), problem


def flat_pair_options(spec: dict[str, Any]) -> str | None:
    """The message for ``pair: [a, b]`` with ``options: {SO_RCVBUF: 1}`` (not per end)."""
    pair, options = spec.get("pair"), spec.get("options")
    if not (isinstance(pair, list) and len(pair) == 2 and isinstance(options, dict)):
        return None
    if not all(isinstance(end, str) for end in pair):
        return None
    flat = [key for key in options if key not in pair and not isinstance(options[key], dict)]
    if not flat:
        return None
    first, second = pair
    sample = ", ".join(f"{short(k, 32)[1:-1]}: …" for k in flat[:3])
    return (
        f"a pair's options are given per end: write options: {{{first}: {{{sample}}}}} "
        f"for the client end, or {{{second}: {{…}}}} for the accepted (server) end"
    )


def option_problems(data: Probe) -> Iterator[tuple[KeyPath, str]]:
    """Options on the allow-list, with values of the right kind and range."""
    name_check = _NameCheck()
    for index, spec in enumerate(data["sockets"]):
        options = spec.get("options", {})
        if "pair" in spec:
            for end, end_options in options.items():
                yield from _socket_option_problems(
                    end_options, ("sockets", index, "options", end), name_check
                )
        else:
            yield from _socket_option_problems(options, ("sockets", index, "options"), name_check)
    for index, step in enumerate(data["steps"]):
        where: KeyPath = ("steps", index)
        if step["op"] == "setsockopt":
            name = step.get("option")
            if name is None:
                if "linger" not in step:
                    yield where, "setsockopt needs `option` (only `linger:` implies SO_LINGER)"
                continue
            problem = name_check(name, setting=True)
            if problem is not None:
                yield (*where, "option"), problem
                continue
            how = next(k for k in SET_VALUE_ARGS if k in step)
            problem = value_problem(name, how, step[how])
            if problem is not None:
                yield (*where, how), problem
        elif step["op"] == "getsockopt":
            name = step["option"]
            problem = name_check(name, setting=False)
            if problem is not None:
                yield (*where, "option"), problem
                continue
            decode = step.get("decode")
            kind = KNOWN_OPTIONS[name].kind
            if decode in ("linger", "duration") and decode != kind:
                yield (*where, "decode"), f"decode: {decode} does not fit {name} (a {kind} option)"
            if step.get("length") and (decode in ("linger", "duration") or "raw" in step):
                yield (
                    (*where, "length"),
                    "length: true applies to integer reads (no decode, or decode int or "
                    "errno); a raw read already reports how many bytes the OS wrote",
                )
        elif step["op"] == "bind":
            for name, value in step.get("options", {}).items():
                problem = name_problem(name, setting=True) or value_problem(name, "value", value)
                if problem is not None:
                    yield (*where, "options", name), problem


def select_problems(data: Probe) -> Iterator[tuple[KeyPath, str]]:
    for index, step in enumerate(data["steps"]):
        if step["op"] in ("select", "poll") and step.get("allow_closed") and "thread" in step:
            yield (
                ("steps", index, "thread"),
                "a step with allow_closed runs on the main sequence: a closed socket's "
                "number is checked free just before and after the call, which another "
                "step running meanwhile could take",
            )
        if step["op"] == "select" and not any(
            step.get(key) for key in ("read", "write", "exceptional")
        ):
            yield (
                ("steps", index),
                "select needs at least one socket in read, write or exceptional: Windows "
                "refuses three empty sets (Microsoft Learn, select function (winsock2.h): "
                'WSAEINVAL "The time-out value is not valid, or all three descriptor '
                'parameters were null.")',
            )


def budget_problems(data: Probe) -> Iterator[tuple[KeyPath, str]]:
    problem = budget_problem(data)
    if problem is not None:
        yield ("steps",), problem
