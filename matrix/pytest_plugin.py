"""pytest plugin: collect probe YAML files as test items.

Registered through the ``pytest11`` entry point (``pip install
sockmatrix[pytest]``), so ``pytest my-probes/ -n auto`` runs probes in parallel
under pytest-xdist and ``-k`` selects them. Following pytest's "non-Python
tests" example:

- collected: a YAML file named on the command line (``pytest x.yaml`` or
  ``pytest x.yaml::x``), and a YAML file that looks like a probe (at least
  three of a probe's top-level keys start a line) under a folder named on the
  command line, under a folder listed in the ``sockmatrix_probe_paths`` ini
  option, or under a folder named ``probes``; other YAML is left alone, since
  the plugin is active in every project where sockmatrix is installed;
- one item per file, named by the probe's id, reported at the file;
- an item fails when its probe could not run (invalid, harness error, timed
  out, crashed) or when what this platform did breaks one of the probe's
  ``assumptions``; a platform merely behaving differently is an observation;
- each item's record travels to the controlling process in the report's
  ``user_properties`` (that is what xdist serialises), and only that process
  writes the results file, once, at the end of the session, and prints the
  verdicts in a "sockmatrix verdicts" section of the terminal report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from matrix.probe.model import ProbeFile, Problem
from matrix.probe.validate import validate_file

if TYPE_CHECKING:
    from matrix.results.document_types import Record

RECORD_PROPERTY = "sockmatrix_record"
BROKEN_PROPERTY = "sockmatrix_broken"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sockmatrix", "socket behaviour probes")
    group.addoption(
        "--sockmatrix-results",
        metavar="FILE",
        default=None,
        help="where to write the probes' results file (default: the sockmatrix_results "
        "ini option, else results/<platform-key>.json under the rootdir when there is "
        "a config file, else under the current folder; 'none' to write nothing)",
    )
    parser.addini(
        "sockmatrix_probe_paths",
        type="paths",
        default=[],
        help="folders whose probe YAML files pytest collects (besides paths given on "
        "the command line and folders named probes)",
    )
    parser.addini(
        "sockmatrix_results",
        default="",
        help="results file to write, relative to the rootdir ('none': write nothing)",
    )


PROBE_KEYS = re.compile(
    r"^(id|title|question|tags|sources|documented|assumptions|sockets|steps|verdict):",
    re.MULTILINE,
)


def looks_like_probe(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return True  # let validation report the unreadable file
    return len(set(PROBE_KEYS.findall(head))) >= 3


FOLDERS_KEY = pytest.StashKey[list[Path]]()


def _probe_folders(config: pytest.Config) -> list[Path]:
    """Folders whose probe-looking YAML is collected: named in args or the ini option."""
    if FOLDERS_KEY in config.stash:
        return config.stash[FOLDERS_KEY]
    folders = [Path(p).resolve() for p in config.getini("sockmatrix_probe_paths")]
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        for arg in config.args:
            candidate = config.invocation_params.dir / arg.split("::", 1)[0]
            if candidate.is_dir():
                folders.append(candidate.resolve())
    config.stash[FOLDERS_KEY] = folders
    return folders


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.suffix != ".yaml":
        return None
    if parent.session.isinitpath(file_path):
        return ProbeYamlFile.from_parent(parent, path=file_path)
    resolved = file_path.resolve()
    folders = _probe_folders(parent.config)
    wanted = "probes" in file_path.parts[:-1] or any(
        resolved.is_relative_to(folder) for folder in folders
    )
    if wanted and looks_like_probe(file_path):
        return ProbeYamlFile.from_parent(parent, path=file_path)
    return None


class ProbeYamlFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        probe, problems = validate_file(self.path)
        name = probe.id if probe is not None else self.path.stem
        return [ProbeItem.from_parent(self, name=name, probe=probe, problems=problems)]


class ProbeCouldNotRun(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ProbeItem(pytest.Item):
    def __init__(self, *, probe: ProbeFile | None, problems: list[Problem], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.probe = probe
        self.problems = problems
        if probe is not None:
            for tag in probe.data["tags"]:
                self.keywords[tag] = True

    def runtest(self) -> None:
        if self.probe is None:
            raise ProbeCouldNotRun("invalid probe:\n" + "\n".join(map(str, self.problems)))
        from matrix.probe.assumptions import broken_assumptions, from_probe
        from matrix.results.document import fingerprint
        from matrix.runner.runner import Runner

        record = Runner().run_one(self.probe)
        self.user_properties.append((RECORD_PROPERTY, json.dumps(record)))
        if record["status"] not in ("ok", "skipped"):
            from matrix.render.run_report import probe_detail

            raise ProbeCouldNotRun(probe_detail(record, self.probe.data))
        here = fingerprint()
        assumptions = from_probe(self.probe.data, self.probe.lines)
        broken = broken_assumptions(
            record, here["os"], here["key"], assumptions, file=str(self.probe.path)
        )
        if broken:
            self.user_properties.append((BROKEN_PROPERTY, len(broken)))
            lines = [f"{len(broken)} broken assumption(s):", *map(str, broken)]
            raise ProbeCouldNotRun("\n".join([*lines, "", f"verdict: {record.get('verdict')}"]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from matrix.render.safe_text import for_terminal

        if isinstance(excinfo.value, ProbeCouldNotRun):
            return for_terminal(excinfo.value.text)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"probe: {self.name}"


def results_path(config: pytest.Config) -> Path | None:
    """Where the results go: option, ini, else results/ beside the config file or here.

    Never inside a probe folder by default: with no config file, pytest's
    rootdir is the common parent of the paths given, often the probe folder.
    """
    from matrix.results.document import default_results_path

    chosen = config.getoption("--sockmatrix-results") or config.getini("sockmatrix_results")
    if chosen == "none":
        return None
    if chosen:
        base = config.invocation_params.dir if config.getoption("--sockmatrix-results") else None
        return (base or config.rootpath) / str(chosen)
    base = config.rootpath if config.inipath is not None else config.invocation_params.dir
    return default_results_path(base / "results")


class _Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, Record] = {}
        self.broken: dict[str, int] = {}
        self.written: Path | None = None
        self.write_problem: str | None = None
        self.not_written: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == RECORD_PROPERTY:
                record = json.loads(str(value))
                self.records[record["id"]] = record
            elif key == BROKEN_PROPERTY:
                self.broken[report.nodeid] = int(str(value))

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = results_path(self.config)
        if not self.records or path is None:
            return
        from matrix.results.document import ResultsNotWritten, ResultsWriter

        writer = ResultsWriter(path)
        writer.document["probes"] = [self.records[k] for k in sorted(self.records)]
        interrupted = session.shouldstop or session.shouldfail
        try:
            writer.finish(complete=not interrupted)
        except ResultsNotWritten as exc:
            # The session's tests ran; the file keeps what it held before.
            self.write_problem = str(exc)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            return
        self.written = path
        self.not_written = writer.not_written
        stored = {r["id"]: r for r in writer.document["probes"]}
        # A record the file could not hold as it was is stored as a harness error:
        # report that, and fail the session as for a probe that could not run.
        shrunk = [i for i in self.records if i in stored and stored[i] is not self.records[i]]
        self.records.update({i: stored[i] for i in shrunk})
        if self.not_written or shrunk:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        from matrix.render.safe_text import for_terminal

        if not self.records:
            return
        terminalreporter.section("sockmatrix verdicts")
        lines = []
        for probe_id in sorted(self.records):
            record = self.records[probe_id]
            verdict = record.get("verdict") or record.get("reason") or ""
            lines.append(f"{probe_id} [{record['status']}] {verdict}")
        if self.broken:
            total = sum(self.broken.values())
            lines.append(f"{total} broken assumption(s) in {len(self.broken)} probe(s)")
        if self.written is not None:
            written = len(self.records) - len(self.not_written)
            lines.append(f"sockmatrix: {written} probe result(s) written to {self.written}")
        if self.not_written:
            lines.append(
                f"sockmatrix: {len(self.not_written)} probe result(s) did not fit in "
                f"{self.written}: {', '.join(self.not_written)}"
            )
        if self.write_problem is not None:
            lines.append(f"sockmatrix: {self.write_problem}; the file keeps what it held")
        for line in lines:
            # Probe text and OS words: never a terminal control or a CI log command.
            terminalreporter.write_line(for_terminal(line))


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers pass their reports to the controller; only it writes.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Collector(config), "sockmatrix-collector")
