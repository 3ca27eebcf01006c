"""The results document: what one run on one platform observed.

Rules of this module:
- The platform fingerprint names the OS, its version, the architecture and
  Python, never the host or user: results files are published.
- The file is written whole (temporary file, then ``os.replace``) at a run's
  first record and at its end; every record in between is one line appended
  to its journal (matrix.results.journal), so a record costs its own length,
  not the file's. A reader, a concurrent writer, Ctrl-C, ``kill -9`` or a full
  disk never leaves a half-written file or journal line, and every finished
  probe is kept (readers fold a leftover journal in; the next whole write
  folds it into the file).
- A run replaces only the records of the probes it ran: the others stay, with
  their own provenance, and runs writing one file at once merge under a lock.
- ``complete`` is false until the run ends normally.
- The JSON is compact, one probe's record per line: small to commit and to
  archive, and a change to one record is a change to one line of a diff.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import matrix
from matrix.files.write import write_text_atomic as write_text_atomic  # re-exported
from matrix.results.document_types import Platform, Record, ResultsDocument
from matrix.results.journal import provenance as provenance  # re-exported
from matrix.results.platform import platform_key as platform_key  # re-exported for callers
from matrix.results.platform import this_platform

if TYPE_CHECKING:
    from matrix.results.journal import DiskState

SCHEMA_VERSION = 1


def fingerprint() -> Platform:
    """This platform's description (a fresh copy: callers may keep or change it)."""
    return _fingerprint().copy()


@functools.cache
def _fingerprint() -> Platform:
    # The platform cannot change while the process runs; sw_vers, the registry
    # and os-release are read once (matrix/results/platform.py says how and why).
    return this_platform()


def ci_source(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Where a run came from, when GitHub Actions ran it (empty locally)."""
    env = os.environ if environ is None else environ
    source: dict[str, str] = {}
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        source["run_url"] = (
            f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        )
    for key, variable in (
        ("commit", "GITHUB_SHA"),
        ("image_os", "ImageOS"),
        ("image_version", "ImageVersion"),
        ("runner_os", "RUNNER_OS"),
        ("runner_arch", "RUNNER_ARCH"),
        ("job", "SOCKMATRIX_JOB_LABEL"),
    ):
        if env.get(variable):
            source[key] = env[variable]
    return source


def now_iso() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# The CPython view of a platform is its own column, never passed off as the OS.
PYTHON_API_SUFFIX = "-py-api"


def api_key(key: str, api: str) -> str:
    """The platform key of a run through ``api``: ``-py-api`` marks the CPython view."""
    return key + PYTHON_API_SUFFIX if api == "python" else key


def new_document(api: str = "native") -> ResultsDocument:
    platform_details = fingerprint()
    platform_details["key"] = api_key(platform_details["key"], api)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "sockmatrix", "version": matrix.__version__},
        "platform": platform_details,
        "api": api,
        "source": ci_source(),
        "started": now_iso(),
        "finished": None,
        "complete": False,
        "probes": [],
    }


def results_text(document: ResultsDocument) -> str:
    """``document`` as compact JSON: the header on the first line, then one record
    per line. Still one JSON value: any JSON reader reads it."""
    compact = (",", ":")  # ASCII only (the default): no bidi or control text in a diff
    if "probes" not in document:
        return json.dumps(document, separators=compact, allow_nan=False) + "\n"
    header = {k: v for k, v in document.items() if k != "probes"}
    head = json.dumps(header, separators=compact, allow_nan=False)
    records = ",\n".join(
        json.dumps(r, separators=compact, allow_nan=False) for r in document["probes"]
    )
    body = f"\n{records}\n" if records else ""
    return f'{head[:-1]}{"," if header else ""}"probes":[{body}]}}\n'


def write_atomic(path: Path, document: ResultsDocument, patience: float = 8.0) -> None:
    """Replace ``path`` with ``document`` as JSON in one step."""
    write_text_atomic(path, results_text(document), patience)


class ResultsNotWritten(Exception):
    """The results file could not be written; the previous one is untouched."""

    def __init__(self, path: Path, cause: OSError | str) -> None:
        reason = cause if isinstance(cause, str) else (cause.strerror or str(cause))
        super().__init__(f"cannot write results to {path}: {reason}")
        self.path = path
        self.cause = cause


def merged_document(ours: ResultsDocument, on_disk: ResultsDocument | None) -> ResultsDocument:
    """Our run's header and records, plus every other probe's record from ``on_disk``.

    A record kept from an earlier (or concurrent) run carries that run's
    provenance under ``run``, so a partial re-run never passes an old result
    off as its own.
    """
    document = ours.copy()
    mine = {record["id"] for record in ours["probes"]}
    kept: list[Record] = []
    if on_disk is not None:
        for record in on_disk["probes"]:
            if record["id"] in mine:
                continue
            if "run" not in record:
                record = {**record, "run": provenance(on_disk)}
            kept.append(record)
    document["probes"] = sorted([*kept, *ours["probes"]], key=lambda r: r["id"])
    return document


def existing_results_problem(path: Path, key: str) -> str | None:
    """Why a run must not merge into ``path`` (None: missing, or this platform's file)."""
    from matrix.files.write import output_problem
    from matrix.results.read import Unreadable, read_results

    problem = output_problem(path)
    if problem is not None:
        return problem
    if not path.exists():
        return None
    try:
        document = read_results(path, SCHEMA_VERSION)
    except Unreadable as exc:
        return f"exists and cannot be read as a results file: it {exc}"
    other = document["platform"]["key"]
    if other != key:
        return f"holds the results of platform {other}, not of this one ({key})"
    return None


class ResultsWriter:
    """Accumulates this run's records and keeps the file on disk current.

    A whole write takes the file's lock, reads what is on disk (its journal
    folded in), keeps the records of probes this run did not run (an earlier
    run's, or a concurrent run's), replaces the file and removes the journal.
    ``fresh``: the first write ignores what was there. The first record and
    ``finish`` write whole; every record in between is appended to the journal
    under the lock, unless the file or journal changed since this writer last
    touched them (another run wrote: then a whole write merges it), or the pair
    would pass the reader's limits (the whole write shrinks records to fit).
    While Windows refuses the replace (the file is open elsewhere), records
    stay pending and are written at the next chance; only ``finish`` gives up.

    Nothing is written that the readers would refuse (matrix.results.fit): a
    record they would refuse becomes a harness error for its probe; when the
    file would pass its size or memory limit, this run's newest records are
    shrunk to such harness errors, then left out (named in ``not_written``).
    """

    RUN_PATIENCE = 2.0
    FINISH_PATIENCE = 10.0

    def __init__(
        self,
        path: Path,
        document: ResultsDocument | None = None,
        api: str = "native",
        fresh: bool = False,
    ) -> None:
        self.path = path
        self.document = document if document is not None else new_document(api)
        self.fresh = fresh
        self.pending = False
        self.not_written: list[str] = []  # ids of this run's records the file cannot hold
        self._lock = threading.Lock()
        self._order: list[str] = []  # this run's probe ids, oldest first
        self._admitted: set[int] = set()  # id() of records already checked
        self._slim: set[str] = set()  # ids already shrunk to a harness error
        # sha256 of the file as this writer last read or wrote it: a file that then
        # fails to read was changed by someone else only if it is not that file.
        self._known: str | None = None
        # The file and journal as this writer left them (None: write whole next).
        self._disk: DiskState | None = None

    def add(self, record: Record) -> None:
        with self._lock:
            if self._disk is None:  # before a whole write: the header is checked first
                self._check_header()
            admitted = self._admit(record)
            if admitted is None:
                return
            self.document["probes"].append(admitted)
            if not self._append(admitted):
                self._write(self.RUN_PATIENCE, final=False)

    def finish(self, complete: bool = True) -> None:
        with self._lock:
            self.document["probes"].sort(key=lambda r: r["id"])
            self.document["finished"] = now_iso()
            self.document["complete"] = complete
            self._write(self.FINISH_PATIENCE, final=True)

    def _check_header(self) -> None:
        from matrix.results.fit import header_of
        from matrix.results.read import Unreadable, check_document

        try:
            check_document({**header_of(self.document), "probes": []}, SCHEMA_VERSION)
        except Unreadable as exc:  # this platform's own description, not a probe's fault
            raise ResultsNotWritten(self.path, f"a results file with this header {exc}") from None

    def _admit(self, record: Record) -> Record | None:
        """``record`` as the reader will accept it: itself, or its harness error (None:
        not even that fits, named in ``not_written``)."""
        from matrix.results.fit import failed_record, header_of, record_problem

        header = header_of(self.document)
        problem = record_problem(record, header, SCHEMA_VERSION)
        if problem is not None:
            record = failed_record(record, problem)
            if record_problem(record, header, SCHEMA_VERSION) is not None:
                self.not_written.append(str(record["id"]))
                return None
        self._admitted.add(id(record))
        self._order.append(record["id"])
        return record

    def _admit_all(self) -> None:
        """Check the records put in ``document`` directly (the pytest plugin does)."""
        probes = self.document["probes"]
        if all(id(record) in self._admitted for record in probes):
            return
        admitted = []
        for record in probes:
            if id(record) in self._admitted:
                admitted.append(record)
            elif (checked := self._admit(record)) is not None:
                admitted.append(checked)
        self.document["probes"] = admitted

    def _fitted_text(self, on_disk: ResultsDocument | None) -> str:
        """The merged file's text, within the reader's limits: this run's newest
        records give way first (shrunk to harness errors, then left out)."""
        from matrix.results.fit import document_problem, failed_record

        while True:
            document = merged_document(self.document, on_disk)
            text = results_text(document)
            problem = document_problem(text)
            if problem is None:
                return text
            mine = {r["id"]: n for n, r in enumerate(self.document["probes"])}
            for probe_id in reversed([i for i in self._order if i in mine]):
                if probe_id not in self._slim:
                    index = mine[probe_id]
                    slim = failed_record(self.document["probes"][index], problem)
                    self._admitted.add(id(slim))
                    self._slim.add(probe_id)
                    self.document["probes"][index] = slim
                    break
            else:
                if not mine:
                    raise ResultsNotWritten(self.path, problem)
                newest = next(i for i in reversed(self._order) if i in mine)
                del self.document["probes"][mine[newest]]
                self.not_written.append(newest)

    def _read_on_disk(self) -> ResultsDocument:
        import hashlib

        from matrix.files.read import read_bounded
        from matrix.results.journal import read_folded
        from matrix.results.read import Unreadable, check_document

        try:
            data, folded = read_folded(self.path)
            document = check_document(folded, SCHEMA_VERSION)
        except Unreadable as exc:
            try:
                data = read_bounded(self.path)
            except Unreadable:
                data = b""
            digest = hashlib.sha256(data).hexdigest() if data else None
            if self._known is None:
                why = f"it is not a results file this run can add to: it {exc}"
            elif digest == self._known:
                why = f"it cannot be read back as this run wrote it (please report this): it {exc}"
            else:
                why = f"another program changed it since this run last wrote it: it now {exc}"
            raise ResultsNotWritten(self.path, why) from None
        self._known = hashlib.sha256(data).hexdigest()
        return document

    def _append(self, record: Record) -> bool:
        """Append ``record`` to the journal; False when a whole write must do instead."""
        from matrix.results.journal import append_record

        if self._disk is None or self.pending:
            return False
        try:
            state = append_record(self.path, self._disk, record, provenance(self.document))
        except OSError as exc:
            raise ResultsNotWritten(self.path, exc) from exc
        if state is None:
            return False
        self._disk = state
        return True

    def _write(self, patience: float, final: bool) -> None:
        import hashlib

        from matrix.files.journal import remove_journal
        from matrix.files.write import ReplaceBusy, locked
        from matrix.results.journal import cost_bound, disk_state

        self._check_header()
        self._admit_all()
        self._disk = None
        try:
            with locked(self.path):
                on_disk = None
                if not self.fresh and self.path.exists():
                    on_disk = self._read_on_disk()
                text = self._fitted_text(on_disk)
                write_text_atomic(self.path, text, patience)
                remove_journal(self.path)  # its lines are in the file now
                data = text.encode("utf-8")
                self._known = hashlib.sha256(data).hexdigest()
                state = disk_state(self.path, cost_bound(data), 0)
                self._disk = state if state is not None and state.journal_size == 0 else None
            self.fresh = False
            self.pending = False
        except ReplaceBusy as exc:
            if final:
                raise ResultsNotWritten(self.path, exc) from exc
            self.pending = True  # open in another program: try again with the next record
        except OSError as exc:
            raise ResultsNotWritten(self.path, exc) from exc


RESULTS_DIR_VARIABLE = "SOCKMATRIX_RESULTS_DIR"


def default_results_dir() -> Path:
    """results/, or where $SOCKMATRIX_RESULTS_DIR points (CI legs collect files there)."""
    return Path(os.environ.get(RESULTS_DIR_VARIABLE) or "results")


def default_results_path(directory: Path | None = None, api: str = "native") -> Path:
    return (directory or default_results_dir()) / f"{api_key(fingerprint()['key'], api)}.json"
