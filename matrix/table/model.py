"""The merged matrix: columns (platforms), rows (probes) and their cells."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import matrix
from matrix.language.probe_types import Bite, Documented, RuntimeEntry
from matrix.results.document_types import Record
from matrix.results.platform import stack_label

# What a matrix JSON document (render/to_json, table/diff) says it is.
MATRIX_FORMAT = "sockmatrix-matrix"
MATRIX_VERSION = 1

# A cell whose record breaks (or could not confirm) an assumption it carries.
BREAKS_ASSUMPTION = "breaks an assumption"

ROW_FILTERS = {
    "differs": "rows where observed platforms differ",
    "contradicts": "rows where an observation contradicts its platform's documentation "
    "or conformance evidence",
    "documented": "rows where only documentation (of a platform not observed) says "
    "platforms differ",
}


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: skipped: {self.reason}"


@dataclass
class Column:
    key: str
    os: str
    os_version: str
    machine: str
    python: str
    tool_version: str
    started: str
    finished: str | None
    complete: bool
    source: dict[str, str]
    files: list[str]
    documented_only: bool = False
    stack: str = ""  # the TCP/IP stack behind the API (WSL1: Windows); "" in older files
    # "native" (C calls), "python" (CPython's socket module, key ends -py-api),
    # or "" for files written before sockmatrix recorded it.
    api: str = ""
    os_api: str = ""  # the OS's system-call API the probes used (WSL1: Linux)

    @property
    def stack_label(self) -> str:
        return stack_label(self.stack, self.os_api)

    @property
    def label(self) -> str:
        if self.documented_only:
            return f"{self.os} (documented)"
        label = f"{self.os} {self.os_version} {self.machine} py{self.python}"
        if self.os_api and self.os_api != self.stack:
            # Only where the name alone would mislead: WSL1 is not Linux's stack.
            label += f" ({self.stack_label})"
        return label + " (CPython API)" if self.api == "python" else label


# The flag an observation gets when it contradicts an entry of each kind
# (matrix.language.evidence.KINDS), strongest first.
CONTRADICTION_FLAGS = {
    "test": "differs from a conformance test",
    "rule": "differs from a specification rule",
    "prose": "differs from documentation",
}


@dataclass
class Contradiction:
    """One documented entry an observation contradicts, and the steps it contradicts."""

    entry: Documented
    steps: list[str]

    @property
    def kind(self) -> str:
        return str(self.entry.get("kind", "prose"))


@dataclass
class Cell:
    kind: str  # observed | documented | missing
    status: str | None = None
    verdict: str | None = None
    mark: str | None = None
    flags: list[str] = field(default_factory=list)
    verdicts_seen: list[str] = field(default_factory=list)
    # The family's documented entries, strongest first (matrix.language.evidence).
    evidence: list[Documented] = field(default_factory=list)
    # Every step some entry's expectation contradicts, and per entry which.
    contradicts: list[str] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    record: Record | None = None

    @property
    def documented(self) -> Documented | None:
        """The strongest entry (what a single-entry reader of the matrix expects)."""
        return self.evidence[0] if self.evidence else None


@dataclass
class Row:
    id: str
    title: str
    question: str
    tags: list[str]
    sources: list[str]
    # Family -> what its sources say, strongest first (matrix.language.evidence.by_family).
    documented: dict[str, list[Documented]]
    cells: dict[str, Cell]
    legend: dict[str, str]
    in_library: bool
    # Mark -> the parts of its verdict that differ from the row's other verdicts.
    distinct: dict[str, str] = field(default_factory=dict)
    documentation_differs: bool = False
    runtimes: list[RuntimeEntry] = field(default_factory=list)
    bites: list[Bite] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return len(self.legend) > 1

    @functools.cached_property
    def contradicts(self) -> bool:
        return any(cell.contradicts for cell in self.cells.values())

    @property
    def documented_differs(self) -> bool:
        """Only documentation, not observation, says platforms differ here."""
        return self.documentation_differs and not self.differs

    def matches(self, kind: str) -> bool:
        """Whether the row belongs to a filter of ROW_FILTERS."""
        return bool(
            {
                "differs": self.differs,
                "contradicts": self.contradicts,
                "documented": self.documented_differs,
            }[kind]
        )


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]
    skipped: list[Skipped]
    tool_version: str = matrix.__version__

    def only_differences(self) -> Matrix:
        return self.only("differs")

    def only(self, kind: str) -> Matrix:
        return Matrix(self.columns, [r for r in self.rows if r.matches(kind)], self.skipped)

    def differences_first(self) -> Matrix:
        """The same rows, findings first: rows where observed platforms differ or an
        observation contradicts documentation, then rows only documentation says
        differ, then the rest; each group keeps its order (the sort is stable). The
        HTML page's default view, so a reader's first screen shows what differs."""

        def rank(row: Row) -> int:
            return 0 if row.differs or row.contradicts else 1 if row.documented_differs else 2

        return Matrix(self.columns, sorted(self.rows, key=rank), self.skipped, self.tool_version)

    def counts(self) -> dict[str, int]:
        """How many rows each filter of ROW_FILTERS keeps (a row may count in several)."""
        return {kind: sum(r.matches(kind) for r in self.rows) for kind in ROW_FILTERS}

    def with_tag(self, tag: str) -> Matrix:
        return Matrix(self.columns, [r for r in self.rows if tag in r.tags], self.skipped)
