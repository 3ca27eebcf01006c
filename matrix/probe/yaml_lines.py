"""Load a YAML document safely, remembering the line of every value.

Rules of this module:
- Only PyYAML's SafeLoader resolves tags: nothing in a probe becomes an object
  other than dicts, lists, strings, numbers, booleans and null.
- The document is walked from PyYAML's node graph, so every key path gets its
  line number for error messages, duplicate keys are errors instead of silently
  overwriting, and a document that expands beyond MAX_NODES (an alias bomb)
  is refused before it is built. Keys count as nodes too, and a key must be a
  plain scalar: PyYAML would build a sequence key (an alias bomb in a key)
  whole, without any count.
- Every value is one a probe can use and a terminal or JSON writer can print:
  integers of at most MAX_INT_DIGITS digits (Python refuses to read an integer
  of 4,300 digits and more), finite floats (never .nan or .inf, which slip past
  every minimum and maximum), text without lone surrogates (UTF-8 cannot encode
  them), and keys that are printable single-line text.
- Messages never repr() a value from the document whole.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

import yaml

# The same bound as every JSON file sockmatrix reads.
from matrix.files.read import MAX_INT_DIGITS
from matrix.probe.model import KeyPath

MAX_NODES = 20_000
MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
_INT_TAG = "tag:yaml.org,2002:int"


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None, path: KeyPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class LoadedYaml(NamedTuple):  # not a dataclass: matrix.probe.model says why
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int | None:
        """Line of the deepest existing prefix of ``path`` (1-based)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


# libyaml's parser where PyYAML was built with it (a capability check): 16x
# faster on large files. It is only given text whose nesting
# _structure_problem has bounded.
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader with YAML 1.2 booleans."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null")
)


class _Walker:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.lines: dict[KeyPath, int] = {}
        self.count = 0

    def walk(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if self.count > MAX_NODES:
            raise YamlProblem(
                f"document expands to more than {MAX_NODES} values (aliases?)", line, path
            )
        if len(path) > MAX_DEPTH:
            raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels", line, path)
        self.lines.setdefault(path, line)
        if node.tag not in _PLAIN_TAGS:
            raise YamlProblem(f"YAML tag {node.tag!r} is not allowed in a probe", line, path)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self._key(key_node, path)
                if key in result:
                    raise YamlProblem(
                        f"duplicate key {_short(key)}", key_node.start_mark.line + 1, (*path, key)
                    )
                result[key] = self.walk(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node, line, path)

    def _key(self, node: yaml.Node, path: KeyPath) -> str:
        self.count += 1
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            kind = "a scalar" if isinstance(node, yaml.ScalarNode) else "a collection"
            raise YamlProblem(f"keys must be text, not {kind}", line, path)
        key = self._scalar(node, line, path)
        if not isinstance(key, str) or not key.isprintable():
            raise YamlProblem(
                f"key {_short(key)} has control, format or unpaired characters", line, path
            )
        return key

    def _scalar(self, node: yaml.Node, line: int, path: KeyPath) -> Any:
        text = str(node.value)
        if node.tag == _INT_TAG and len(text.lstrip("+-").replace("_", "")) > MAX_INT_DIGITS:
            raise YamlProblem(
                f"an integer of {len(text)} characters; at most {MAX_INT_DIGITS} digits", line, path
            )
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:
            raise YamlProblem(f"cannot read this value: {str(exc)[:80]}", line, path) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise YamlProblem(f"{_short(text)} is not a finite number", line, path)
        if isinstance(value, str) and (found := _SURROGATE.search(value)):
            raise YamlProblem(
                f"text holds a lone surrogate (U+{ord(found.group()):04X}), which is not a "
                "character",
                line,
                path,
            )
        return value


def _short(value: object, limit: int = 40) -> str:
    """A bounded repr for messages (the value comes from an untrusted file)."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit])[:-1] + "…'"
    return repr(value)[: limit + 8]


MAX_BRACKETS = 100
MAX_INDENT = 200
MAX_INDICATORS = 200


def _structure_problem(text: str) -> YamlProblem | None:
    """Refuse absurd nesting before the YAML parser sees it.

    libyaml (PyYAML's C parser, 16x faster than the pure-Python one) recurses
    in C once per nesting level and crashes the interpreter at tens of
    thousands; the pure-Python scanner slows down quadratically with flow
    depth. Nesting needs indentation, an open bracket or a block indicator
    (``- - - x``), so bounding those three bounds the depth the parser sees;
    the walker then applies the exact limit, MAX_DEPTH. Characters inside
    quotes and comments do not count.
    """
    depth = 0
    quote = ""
    line = 1
    comment = False
    escaped = False
    at_indent = True
    indent = 0
    indicators = 0
    previous = ""  # the last non-blank character on this line outside quotes
    last = ""  # the character just before
    for char in text:
        before, last = last, char
        if char == "\n":
            line += 1
            comment, at_indent, indent, indicators, previous = False, True, 0, 0, ""
            continue
        if at_indent and char == " ":
            indent += 1
            if indent > MAX_INDENT:
                return YamlProblem(f"indented more than {MAX_INDENT} columns", line)
            continue
        at_indent = False
        if comment:
            continue
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = ""
                previous = char
            continue
        if char in "'\"" and previous in ("", ":", "[", "{", ",", "-", "?"):
            # A quote opens a quoted scalar only where a token starts; inside
            # a plain scalar (it's) it is just a character.
            quote = char
        elif char == "#" and before in ("", " ", "\t"):
            comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_BRACKETS:
                return YamlProblem(f"more than {MAX_BRACKETS} nested brackets", line)
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char in "-?:":
            indicators += 1
            if indicators > MAX_INDICATORS:
                return YamlProblem(
                    f"more than {MAX_INDICATORS} of '-', '?' and ':' on one line outside "
                    "quotes (quote long text)",
                    line,
                )
        if char not in " \t":
            previous = char
    return None


def _tab_hint(text: str, mark: yaml.Mark | None) -> str:
    """PyYAML's message for a tab in indentation never says "tab": say it."""
    if mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent or (0 <= mark.column < len(line) and line[mark.column] == "\t"):
        return " (a tab: YAML indents with spaces only)"
    return ""


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document; raise YamlProblem with a line on any failure."""
    if (problem := _structure_problem(text)) is not None:
        raise problem
    try:
        # The reader rejects control characters as soon as it is made.
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlProblem(f"YAML: character {exc.character!r} is not allowed", line) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(None, {(): 1})
        walker = _Walker(loader)
        data = walker.walk(node, ())
        return LoadedYaml(data, walker.lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(
            f"YAML syntax: {exc.problem or exc.context}{_tab_hint(text, mark)}",
            mark.line + 1 if mark is not None else None,
        ) from None
    except yaml.reader.ReaderError as exc:
        raise YamlProblem(
            f"YAML: character {exc.character!r} is not allowed",
            text[: exc.position].count("\n") + 1,
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML: {exc}", None) from None
    except RecursionError:
        raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels", None) from None
    finally:
        loader.dispose()
