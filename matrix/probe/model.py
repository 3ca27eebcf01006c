"""What validation hands to everyone else: a valid probe file, a problem, a key path.

Rules of this module: small and standard-library only, so that the runner,
the table and the reports can name a probe or a problem without loading the
validator (YAML, schema, rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from matrix.language.probe_types import Probe

# Where a value sits in a probe document: keys and list indexes from the root,
# e.g. ("steps", 3, "flags"). A trail of them is how every problem is worded.
KeyPath = tuple[str | int, ...]
# The probe's own text, which every results record embeds (matrix.results.
# embedded_probe) and validation bounds in size (matrix.probe.validate), with
# the assumptions, which are embedded as parsed.
TextKey = Literal[
    "title", "question", "tags", "sources", "notes", "documented", "runtimes", "bites"
]
TEXT_KEYS: tuple[TextKey, ...] = (
    "title",
    "question",
    "tags",
    "sources",
    "notes",
    "documented",
    "runtimes",
    "bites",
)


def short(text: object, limit: int = 48) -> str:
    """A bounded repr for messages."""
    shown = repr(text) if not isinstance(text, str) else repr(text[:limit])
    if isinstance(text, str) and len(text) > limit:
        shown = shown[:-1] + "…" + shown[-1]
    return shown[: limit + 8]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: KeyPath
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        trail = format_path(self.path)
        return f"{where}: {trail + ' → ' if trail else ''}{self.message}"


@dataclass
class ProbeFile:
    """A probe file that passed validation, ready to run."""

    path: Path
    data: Probe
    sha256: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    def line_of_step(self, name: str) -> int | None:
        for index, step in enumerate(self.data["steps"]):
            if step.get("name") == name:
                return self.lines.get(("steps", index))
        return None


def format_path(path: KeyPath) -> str:
    parts: list[str] = []
    for part in path:
        # Keys come from the file: bounded and escaped like every echoed value.
        text = short(part)[1:-1]
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif parts:
            parts.append(f" → {text}")
        else:
            parts.append(text)
    return "".join(parts)
