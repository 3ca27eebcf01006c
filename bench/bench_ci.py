"""Rehearsal figures for the README's cost note: a leg's wall time, runner-minutes per
run by event, and the size of MATRIX.md and of the refresh pull request's diff.

    python bench/bench_ci.py sizes   # MATRIX.md and PR diff at 7 and 22 platforms
    python bench/bench_ci.py legs    # tox -e probes (fresh, then reused) and the VM-leg script
    python bench/bench_ci.py minutes LEG_S TESTS_S VM_S  # runner-minutes per event

Synthetic platforms only: the records of the committed results file (this
machine's real observations) under fictional platform names (fictos-01 …),
with some verdicts varied per platform so that rows differ; all in a temporary
folder, never in results/. The refresh is the workflow's own step
(matrix.tools.ci_refresh) with `git push` going to a local bare repository and
`gh` stubbed (tests/helpers/workflow_steps.py).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]  # this checkout's matrix, the helpers

from helpers.workflow_steps import Stubs, git, run_step, step  # noqa: E402

README = "# fake\n\n<!-- BEGIN sockmatrix table -->\n<!-- END sockmatrix table -->\n"


def _base_records() -> list[dict[str, Any]]:
    source = sorted((REPO / "results").glob("linux-*.json"))[0]
    records: list[dict[str, Any]] = json.loads(source.read_text(encoding="utf-8"))["probes"]
    return records


def platform(n: int, started: str, changed_cell: bool = False) -> dict[str, Any]:
    records = json.loads(json.dumps(_base_records()))
    for j, record in enumerate(records):
        if (n + j) % 6 == 0 and record.get("verdict"):
            record["verdict"] = f"{record['verdict']} · fictional-variant-{n % 3}"
        record["duration"] = round(0.1 + (hash((n, j, started)) % 1000) / 1000, 3)
    if changed_cell:
        records[0]["verdict"] = "changed-this-week"
    name = f"fictos{n:02d}"
    return {
        "schema_version": 1,
        "tool": {"name": "sockmatrix", "version": _tool_version()},
        "platform": {
            "os": name,
            "os_version": "1.0",
            "machine": "x86_64",
            "python_version": "3.12.0",
            "key": f"{name}-1.0-x86_64-py3.12",
        },
        "api": "native",
        "source": {
            "run_url": f"https://github.com/example/sockmatrix/actions/runs/{started[:10]}",
            "job": f"{name} py3.12",
            "image_version": started[:10],
        },
        "started": started,
        "finished": started,
        "complete": True,
        "probes": records,
    }


def _tool_version() -> str:
    import matrix

    return matrix.__version__


def _refresh(work: Path, stubs: Stubs, documents: list[dict[str, Any]]) -> None:
    collected = work / "merged" / "collected"
    for document in documents:
        folder = collected / f"sockmatrix-results-{document['platform']['os']}"
        folder.mkdir(parents=True)
        key = document["platform"]["key"]
        (folder / f"{key}.json").write_text(json.dumps(document), encoding="utf-8")
    found = step("matrix.yml", "refresh-pull-request", "Refresh results/")
    env = stubs.env(
        GH_TOKEN="t", REPOSITORY="example/sockmatrix", BASE="main", RUN_URL="https://x/runs/1"
    )
    done = run_step(found, work, env)
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    shutil.rmtree(work / "merged")


def _diff_size(remote: Path, base: str, head: str) -> tuple[int, int]:
    """(changed lines, raw diff bytes) of head against base."""
    numstat = git(remote, "diff", "--numstat", base, head)
    lines = sum(int(a) + int(b) for a, b, _ in (row.split("\t") for row in numstat.splitlines()))
    raw = subprocess.run(
        ["git", "diff", base, head], cwd=remote, capture_output=True, check=True
    ).stdout
    return lines, len(raw)


def sizes(count: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        work, remote = root / "work", root / "remote.git"
        stubs = Stubs(root)
        work.mkdir()
        (work / "README.md").write_text(README, encoding="utf-8")
        (work / "results").mkdir()
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
        git(work, "init", "-q", "--initial-branch=main")
        git(work, "config", "user.name", "bench")
        git(work, "config", "user.email", "bench@example.invalid")
        git(work, "config", f"url.{remote.as_uri()}.insteadOf",
            "https://x-access-token:t@github.com/example/sockmatrix.git")  # fmt: skip
        git(work, "add", "-A")
        git(work, "commit", "-qm", "empty")
        git(work, "push", "-q", str(remote), "main")
        week1 = [platform(n, "2030-01-05T00:00:00+00:00") for n in range(count)]
        _refresh(work, stubs, week1)
        first = _diff_size(remote, "main", "sockmatrix/refresh-results")
        matrix_md = len(git(remote, "show", "sockmatrix/refresh-results:results/MATRIX.md"))
        # The first refresh is merged; a week later one cell changed on one platform.
        git(remote, "update-ref", "refs/heads/main", "refs/heads/sockmatrix/refresh-results")
        git(work, "fetch", "-q", str(remote), "main")
        git(work, "switch", "-q", "main")
        git(work, "reset", "-q", "--hard", "FETCH_HEAD")
        week2 = [platform(n, "2030-01-12T00:00:00+00:00", n == 0) for n in range(count)]
        _refresh(work, stubs, week2)
        weekly = _diff_size(remote, "main", "sockmatrix/refresh-results")
        results_bytes = sum(
            len(git(remote, "show", f"main:results/{d['platform']['key']}.json")) for d in week1
        )
        # The same platforms as indented JSON rewritten every week (the earlier layout).
        old_lines = sum(len(json.dumps(d, indent=1).splitlines()) for d in week1)
        return {
            "platforms": count,
            "MATRIX.md bytes": matrix_md,
            "results/*.json bytes": results_bytes,
            "first PR: lines, diff bytes": first,
            "weekly PR, 1 cell changed: lines, diff bytes": weekly,
            "earlier layout, every file rewritten: about lines": 2 * old_lines,
        }


def _timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    start = time.monotonic()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.monotonic() - start


def legs() -> dict[str, float]:
    import os

    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    with tempfile.TemporaryDirectory() as name:
        copy = Path(name) / "checkout"
        for file in filter(None, listed.stdout.decode().split("\0")):
            target = copy / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / file, target)
        env = {**os.environ, "SOCKMATRIX_RESULTS_DIR": str(Path(name) / "leg-results")}
        tox = [sys.executable, "-m", "tox", "-e", "probes"]
        fresh = _timed(tox, copy, env)
        reused = _timed(tox, copy, env)
        vm_env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": name,
            "LANG": "C.UTF-8",
            "PIP_NO_BINARY": "rpds-py,psutil,pyyaml",
            "SOCKMATRIX_RESULTS_DIR": "vm-results",
        }
        vm = _timed(["sh", "-c", "set -eu\nsh .ci/stack-leg.sh"], copy, vm_env)
        return {"tox -e probes, fresh env": fresh, "tox -e probes, env reused": reused,
                "VM-leg script (Debian python3-*)": vm}  # fmt: skip


def minutes(leg_s: float, tests_s: float, vm_s: float, other_s: float = 30.0) -> None:
    """Runner-minutes per run by event, from the jobs the workflows start. GitHub rounds
    each job up to a whole minute; a private repository pays Windows 2x, macOS 10x."""
    # 8 default runners (2 Linux, 3 Windows, 3 macOS) + 6 extra legs (2 per OS).
    probe_legs = [("linux", leg_s)] * 4 + [("windows", leg_s)] * 5 + [("macos", leg_s)] * 5
    common = [
        ("linux", other_s),  # check-inputs
        *probe_legs,
        ("linux", other_s),  # table
        ("linux", tests_s),  # tests
        ("windows", tests_s),  # tests-other
        ("macos", tests_s),
    ]
    publish = [("linux", other_s), ("linux", other_s)]  # pages, refresh
    # freebsd x2, openbsd, netbsd, illumos, alpine on Linux runners; wsl1 on Windows; gVisor.
    stacks = [("linux", vm_s)] * 6 + [("windows", vm_s), ("linux", leg_s)]
    jobs = {
        "pull_request": [("linux", other_s), *common],  # + scope
        "push": [*common, *publish],
        "schedule / workflow_dispatch": [*common, *publish, *stacks],
    }
    rate = {"linux": 1, "windows": 2, "macos": 10}
    for event, entries in jobs.items():
        billed = sum(math.ceil(seconds / 60) for _, seconds in entries)
        private = sum(math.ceil(seconds / 60) * rate[kind] for kind, seconds in entries)
        macos = sum(math.ceil(s / 60) * rate[k] for k, s in entries if k == "macos")
        print(f"{event}: {len(entries)} jobs, {billed} runner-minutes "
              f"({private} Linux-equivalent in a private repository, macOS {macos})")  # fmt: skip


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "sizes"
    if what == "sizes":
        for count in (7, 22):
            print(json.dumps(sizes(count)))
    elif what == "legs":
        for name, seconds in legs().items():
            print(f"{name}: {seconds:.1f} s")
    elif what == "minutes":
        minutes(*(float(a) for a in sys.argv[2:5]))


if __name__ == "__main__":
    main()
