"""Load a YAML document safely, remembering the line of every value.

Rules of this module:
- Only PyYAML's SafeLoader resolves tags: nothing in a probe becomes an object
  other than dicts, lists, strings, numbers, booleans and null.
- The document is walked from PyYAML's node graph, so every key path gets its
  line number for error messages, duplicate keys are errors instead of silently
  overwriting, and a document that expands beyond MAX_NODES (an alias bomb)
  is refused before it is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_NODES = 20_000
MAX_DEPTH = 32

Path_ = tuple[str | int, ...]


class YamlProblem(Exception):
    def __init__(self, message: str, line: int | None, path: Path_ = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


@dataclass
class LoadedYaml:
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest existing prefix of ``path`` (1-based)."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans."""


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
        self.lines: dict[Path_, int] = {}
        self.count = 0

    def walk(self, node: yaml.Node, path: Path_) -> Any:
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
                key = self.loader.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise YamlProblem(
                        f"keys must be text, not {key!r}", key_node.start_mark.line + 1, path
                    )
                if key in result:
                    raise YamlProblem(
                        f"duplicate key {key!r}", key_node.start_mark.line + 1, (*path, key)
                    )
                result[key] = self.walk(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document; raise YamlProblem with a line on any failure."""
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
            f"YAML syntax: {exc.problem or exc.context}",
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
