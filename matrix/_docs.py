"""Generated parts of the documentation, kept between marker comments.

``python -m matrix._docs`` rewrites them; a test fails when a document is out
of date, so the reference can never drift from the operations table.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from matrix._operations import COMMON_STEP_ARGS, OPERATIONS

# Relative to the repository root, where ``python -m matrix._docs`` is run.
PROBE_FORMAT_DOC = Path("docs") / "probe-format.md"


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _type_of(schema: dict[str, object]) -> str:
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])  # type: ignore[attr-defined]
    kind = schema.get("type", "object")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def operations_reference() -> str:
    lines = []
    for name, op in sorted(OPERATIONS.items()):
        lines += [f"### `{name}`", "", op.description, ""]
        if op.args:
            lines += ["| argument | type | required | meaning |", "|---|---|---|---|"]
            for arg, schema in op.args.items():
                required = "yes" if arg in op.required else ""
                for group in op.one_of:
                    if arg in group:
                        required = "one of " + ", ".join(f"`{a}`" for a in group)
                description = _cell(schema.get("description", ""))
                lines.append(f"| `{arg}` | {_type_of(schema)} | {required} | {description} |")
            lines.append("")
    lines += ["### Keys every step may have", "", "| key | meaning |", "|---|---|"]
    for key, schema in COMMON_STEP_ARGS.items():
        lines.append(f"| `{key}` | {_cell(schema['description'])} |")
    return "\n".join(lines) + "\n"


def replace_between(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- BEGIN {marker} -->\n).*?(<!-- END {marker} -->)", re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"markers for {marker} not found")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def render_probe_format(text: str) -> str:
    return replace_between(text, "operations", operations_reference())


def main() -> int:
    text = PROBE_FORMAT_DOC.read_text(encoding="utf-8")
    PROBE_FORMAT_DOC.write_text(render_probe_format(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
