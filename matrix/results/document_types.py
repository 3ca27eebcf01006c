"""What a results file holds, as types: the document, its platform, a record per probe.

Rules of this module:
- Types only. They follow the results JSON Schema (matrix/tools/results_schema.py):
  a key it requires is required here, every other key is optional (files
  written by an older sockmatrix lack the newer keys).
- A document is a ResultsDocument once matrix.results.read has checked it
  against that schema, or when this process made it; JSON just read is
  ``Any`` until then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:  # the table loads this module; it need not load the assumptions
    from matrix.engine.observation_types import Observation
    from matrix.probe.assumptions import AssumptionJson

# Whether the probe could run.
Status = Literal["ok", "skipped", "harness-error", "timed-out", "crashed", "invalid"]


class EmbeddedProbe(TypedDict, total=False):
    """The probe's text when it ran (matrix.results.embedded_probe.probe_metadata)."""

    title: str
    question: str
    tags: list[str]
    sources: list[str]
    notes: str
    # Family -> matrix.language.probe_types.Documented (or a list of them) when
    # written; the schema checks no more than an object, so readers keep only
    # well-formed entries. runtimes and bites likewise (RuntimeEntry, Bite).
    documented: dict[str, Any]
    runtimes: list[Any]
    bites: list[Any]
    assumptions: list[AssumptionJson]


class Repeat(TypedDict):
    """With --repeat: how many runs, and how many gave each verdict."""

    runs: int
    verdicts: dict[str, int]


class RunProvenance(TypedDict, total=False):
    """Where a record kept from an earlier run of the platform came from."""

    started: str
    tool_version: str
    source: dict[str, str]


class _RecordRequired(TypedDict):
    id: str
    sha256: str
    status: Status


class Record(_RecordRequired, total=False):
    """One probe's record (matrix.runner.runner.Runner.run_one)."""

    file: str
    probe: EmbeddedProbe
    duration: float  # wall seconds
    overhead: float  # seconds from process start to the first step
    reason: str | None
    verdict: str | None  # the comparable summary
    observations: list[Observation]
    stderr_tail: str
    repeat: Repeat
    unstable: bool  # the repeated runs gave more than one verdict
    cleanup: list[str]
    run: RunProvenance
    api: str  # the API the child used; not in the schema, which allows it


class Tool(TypedDict):
    name: str
    version: str


class _PlatformRequired(TypedDict):
    os: str
    os_version: str
    machine: str
    python_version: str
    key: str


class Platform(_PlatformRequired, total=False):
    """Where a run happened, never the host or user (matrix.results.platform.describe)."""

    os_build: str
    stack: str
    os_api: str
    libc: str
    distribution: str
    distribution_id: str
    distribution_version: str
    system: str
    release: str
    kernel_version: str
    python_implementation: str
    image_os: str
    gvisor_markers: str  # which of gVisor's markers were found (matrix.results.gvisor)
    runsc_network: str  # runsc's --network, as its launcher passed it in


class _DocumentRequired(TypedDict):
    schema_version: int
    tool: Tool
    platform: Platform
    started: str
    complete: bool
    probes: list[Record]


class ResultsDocument(_DocumentRequired, total=False):
    """What one run of the probes observed on one platform."""

    api: str  # native or python; absent in older files
    source: dict[str, str]  # CI provenance
    finished: str | None
