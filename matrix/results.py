"""The results document: what one run on one platform observed.

Rules of this module:
- The platform fingerprint names the OS, its version, the architecture and
  Python, never the host or user: results files are published.
- The file is rewritten atomically after every finished probe (temporary
  file, then ``os.replace``), so a reader, a concurrent writer, Ctrl-C or a
  crash never leaves a half-written file, and every finished probe is kept.
- ``complete`` is false until the run ends normally.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import matrix
from matrix._platform import platform_key as platform_key  # re-exported for callers
from matrix._platform import this_platform

SCHEMA_VERSION = 1


def fingerprint() -> dict[str, Any]:
    """This platform's description (a fresh copy: callers may keep or change it)."""
    return dict(_fingerprint())


@functools.cache
def _fingerprint() -> dict[str, Any]:
    # The platform cannot change while the process runs; sw_vers, the registry
    # and os-release are read once (matrix/_platform.py says how and why).
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
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


# The CPython view of a platform is its own column, never passed off as the OS.
PYTHON_API_SUFFIX = "-py-api"


def api_key(key: str, api: str) -> str:
    """The platform key of a run through ``api``: ``-py-api`` marks the CPython view."""
    return key + PYTHON_API_SUFFIX if api == "python" else key


def new_document(api: str = "native") -> dict[str, Any]:
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


def write_atomic(path: Path, document: dict[str, Any]) -> None:
    """Replace ``path`` with ``document`` as JSON in one step."""
    write_text_atomic(path, json.dumps(document, indent=1, sort_keys=False) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _replace(source: str, target: Path) -> None:
    # Windows refuses to replace a file another process has open (a reader, or
    # a concurrent writer mid-replace); that lasts milliseconds, so retry.
    for attempt in range(50):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if attempt == 49:
                raise
            time.sleep(0.02)


class ResultsNotWritten(Exception):
    """The results file could not be written; the previous one is untouched."""

    def __init__(self, path: Path, cause: OSError) -> None:
        reason = cause.strerror or str(cause)
        super().__init__(f"cannot write results to {path}: {reason}")
        self.path = path
        self.cause = cause


class ResultsWriter:
    """Accumulates probe records and keeps the file on disk current."""

    def __init__(
        self, path: Path, document: dict[str, Any] | None = None, api: str = "native"
    ) -> None:
        self.path = path
        self.document = document if document is not None else new_document(api)
        self._lock = threading.Lock()

    def add(self, record: dict[str, Any]) -> None:
        with self._lock:
            self.document["probes"].append(record)
            self.document["probes"].sort(key=lambda r: r["id"])
            self._write()

    def finish(self, complete: bool = True) -> None:
        with self._lock:
            self.document["finished"] = now_iso()
            self.document["complete"] = complete
            self._write()

    def _write(self) -> None:
        try:
            write_atomic(self.path, self.document)
        except OSError as exc:
            raise ResultsNotWritten(self.path, exc) from exc


RESULTS_DIR_VARIABLE = "SOCKMATRIX_RESULTS_DIR"


def default_results_dir() -> Path:
    """results/, or where $SOCKMATRIX_RESULTS_DIR points (CI legs collect files there)."""
    return Path(os.environ.get(RESULTS_DIR_VARIABLE) or "results")


def default_results_path(directory: Path | None = None, api: str = "native") -> Path:
    return (directory or default_results_dir()) / f"{api_key(fingerprint()['key'], api)}.json"
