"""pytest plugin: collect probe YAML files as test items.

Registered through the ``pytest11`` entry point, so ``pytest probes/ -n auto``
runs the probe library in parallel under pytest-xdist and ``-k`` selects
probes. Following pytest's "non-Python tests" example:

- a YAML file under a folder named ``probes`` that looks like a probe (at least
  three of a probe's top-level keys start a line) becomes one item, named by
  its id, reported at the file's first line; other YAML is left alone, since
  the plugin is active in every project where sockmatrix is installed;
- an item fails only when its probe could not run (invalid, harness error,
  timed out, crashed): a platform behaving differently is an observation;
- each item's record travels to the controlling process in the report's
  ``user_properties`` (that is what xdist serialises), and only that process
  writes the results file, once, at the end of the session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from matrix.validate import ProbeFile, Problem, check_probe_file

RECORD_PROPERTY = "sockmatrix_record"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sockmatrix", "socket behaviour probes")
    group.addoption(
        "--sockmatrix-results",
        metavar="FILE",
        default=None,
        help="where to write the probes' results file (default: "
        "results/<platform-key>.json under the rootdir; 'none' to write nothing)",
    )


PROBE_KEYS = re.compile(
    r"^(id|title|question|tags|sources|documented|sockets|steps|verdict):", re.MULTILINE
)


def looks_like_probe(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return True  # let validation report the unreadable file
    return len(set(PROBE_KEYS.findall(head))) >= 3


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if (
        file_path.suffix == ".yaml"
        and "probes" in file_path.parts[:-1]
        and looks_like_probe(file_path)
    ):
        return ProbeYamlFile.from_parent(parent, path=file_path)
    return None


class ProbeYamlFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        probe, problems = check_probe_file(self.path)
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
        from matrix.runner import Runner

        record = Runner().run_one(self.probe)
        self.user_properties.append((RECORD_PROPERTY, json.dumps(record)))
        if record["status"] not in ("ok", "skipped"):
            from matrix.report import probe_detail

            raise ProbeCouldNotRun(probe_detail(record, self.probe.data))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ProbeCouldNotRun):
            return excinfo.value.text
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"probe: {self.name}"


class _Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.records: dict[str, dict[str, Any]] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == RECORD_PROPERTY:
                record = json.loads(str(value))
                self.records[record["id"]] = record

    @pytest.hookimpl
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.records:
            return
        option = self.config.getoption("--sockmatrix-results")
        if option == "none":
            return
        from matrix.results import ResultsWriter, default_results_path

        path = Path(option) if option else default_results_path(self.config.rootpath / "results")
        writer = ResultsWriter(path)
        writer.document["probes"] = [self.records[k] for k in sorted(self.records)]
        interrupted = session.shouldstop or session.shouldfail
        writer.finish(complete=not interrupted)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"sockmatrix: {len(self.records)} probe result(s) written to {path}"
            )


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers pass their reports to the controller; only it writes.
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Collector(config), "sockmatrix-collector")
