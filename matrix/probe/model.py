"""What validation hands to everyone else: a valid probe file, a problem, a key path.

Rules of this module: small and standard-library only, so that the runner,
the table and the reports can name a probe or a problem without loading the
validator (YAML, schema, rules).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

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


# No dataclasses here: importing them (and inspect) costs 13 ms of every
# `sockmatrix validate`, a pre-commit hook's whole budget being 0.1 s.
class Problem(NamedTuple):
    file: str
    line: int | None
    path: KeyPath
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        trail = format_path(self.path)
        return f"{where}: {trail + ' → ' if trail else ''}{self.message}"


class ProbeFile:
    """A probe file that passed validation, ready to run."""

    __slots__ = ("_sha256", "data", "lines", "path")

    def __init__(
        self,
        path: Path,
        data: Probe,
        sha256: str | None = None,
        lines: dict[KeyPath, int] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self.lines = lines if lines is not None else {}
        self._sha256 = sha256

    @property
    def sha256(self) -> str:
        """The digest of the probe's meaning (matrix.probe.digest), computed when
        first asked: `sockmatrix validate` never asks, and hashlib is 5 ms of it."""
        if self._sha256 is None:
            from matrix.probe.digest import probe_digest

            self._sha256 = probe_digest(self.data)
        return self._sha256

    def __repr__(self) -> str:
        return f"ProbeFile({str(self.path)!r}, id={self.data.get('id')!r})"

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
