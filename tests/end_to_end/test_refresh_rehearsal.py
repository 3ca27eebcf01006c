"""The refresh pull request and the Pages table, rehearsed with the workflow's own steps.

Each test lays out a repository like the job's checkout (a README with the
table markers, committed results/ of fictional platforms) and a folder like the
downloaded `sockmatrix-matrix` artifact, then runs the step's script from
matrix.yml with bash. `git push`/`git fetch` go to a local bare repository and
`gh` is a stub that keeps pull requests in a file (helpers.workflow_steps).
Nothing is an observation of a real system; nothing is written under results/
of this checkout.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.synthetic import verdicts_document, write_results
from helpers.workflow_steps import Stubs, git, run_step, step

REPOSITORY = "example/sockmatrix"
TOKEN = "fake-token"
RUN_URL = "https://github.com/example/sockmatrix/actions/runs/42"
BRANCH = "sockmatrix/refresh-results"
README = "# fake\n\n<!-- BEGIN sockmatrix table -->\n<!-- END sockmatrix table -->\n"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the steps run in bash")


def leg(
    os_name: str,
    verdicts: dict[str, str],
    version: str = "1.0",
    job: str | None = None,
    started: str = "2030-02-01T00:00:00+00:00",
    complete: bool = True,
    run: str = "42",
) -> dict[str, Any]:
    document = verdicts_document(os_name, verdicts, version=version, started=started)
    document["complete"] = complete
    document["source"] = {
        "run_url": f"https://github.com/example/sockmatrix/actions/runs/{run}",
        "job": job or f"{os_name} py3.11",
        "image_version": started[:10],
    }
    return document


COMMITTED = {
    "fakeos": leg(
        "fakeos", {"p1": "recv: EOF", "p2": "x: 1"}, started="2030-01-01T00:00:00+00:00", run="1"
    ),
    "mockos": leg(
        "mockos", {"p1": "recv: EOF", "p2": "x: 2"}, started="2030-01-01T00:00:00+00:00", run="1"
    ),
    # A weekly-only stack: pushes never run it, Pages must keep its column.
    "weeklyos": leg(
        "weeklyos",
        {"p1": "recv: blocked", "p2": "x: 3"},
        started="2030-01-01T00:00:00+00:00",
        run="1",
    ),
}


class Checkout:
    """The refresh job's workspace, its remote, and the stubs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root / "work"
        self.results = self.work / "results"
        self.remote = root / "remote.git"
        self.stubs = Stubs(root)
        self.work.mkdir()
        (self.work / "README.md").write_text(README, encoding="utf-8")
        for document in COMMITTED.values():
            write_results(self.results, f"{document['platform']['key']}.json", document)
        env = self.stubs.env()
        for args in (["init", "--quiet", "--bare", str(self.remote)],):
            subprocess.run(["git", *args], check=True, env=env, capture_output=True)
        self.git("init", "--quiet", "--initial-branch=main")
        self.git("config", "user.name", "test")
        self.git("config", "user.email", "test@example.invalid")
        # The URL the step builds is rewritten to the local bare repository.
        self.git(
            "config",
            f"url.{self.remote.as_uri()}.insteadOf",
            f"https://x-access-token:{TOKEN}@github.com/{REPOSITORY}.git",
        )
        self.git("add", "-A")
        self.git("commit", "--quiet", "-m", "committed results")
        self.git("push", "--quiet", str(self.remote), "main")
        self.collected = self.work / "merged" / "collected"

    def git(self, *args: str) -> str:
        return git(self.work, *args)

    def upload(self, artifact: str, document: dict[str, Any]) -> None:
        """One leg's artifact, as download-artifact extracts it among several."""
        write_results(self.collected / artifact, f"{document['platform']['key']}.json", document)

    def upload_lone(self, document: dict[str, Any]) -> None:
        """The only artifact of the run: download-artifact v5+ extracts it without a folder."""
        write_results(self.collected, f"{document['platform']['key']}.json", document)

    def refresh(self) -> subprocess.CompletedProcess[str]:
        found = step("matrix.yml", "refresh-pull-request", "Refresh results/")
        done = run_step(
            found,
            self.work,
            self.stubs.env(GH_TOKEN=TOKEN, REPOSITORY=REPOSITORY, BASE="main", RUN_URL=RUN_URL),
        )
        shutil.rmtree(self.work / "merged", ignore_errors=True)
        return done

    def fresh_job(self) -> None:
        """A later run's job starts from a clean checkout of main."""
        self.git("switch", "--quiet", "main")
        self.git("reset", "--quiet", "--hard", "main")
        self.git("clean", "--quiet", "-fdx")

    def branch_files(self) -> list[str]:
        return git(self.remote, "ls-tree", "-r", "--name-only", BRANCH).split()

    def branch_file(self, path: str) -> str:
        return git(self.remote, "show", f"{BRANCH}:{path}")

    def branch_exists(self) -> bool:
        return bool(git(self.remote, "branch", "--list", BRANCH).strip())

    def calls(self, command: str) -> list[list[str]]:
        return [c for c in self.stubs.gh["calls"] if c[:2] == ["pr", command]]


@pytest.fixture
def checkout(tmp_path: Path) -> Checkout:
    return Checkout(tmp_path)


def key(document: dict[str, Any]) -> str:
    return str(document["platform"]["key"])


def expected_diff(old: Path, new: Path) -> str:
    return subprocess.run(
        [sys.executable, "-m", "matrix", "diff", str(old), str(new), "--format", "md"],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip


# --- the refresh job -------------------------------------------------------------


def test_one_leg_lone_artifact_is_found_and_proposed(checkout: Checkout) -> None:
    changed = leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    checkout.upload_lone(changed)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"results/{key(changed)}.json" in checkout.branch_files()
    on_branch = json.loads(checkout.branch_file(f"results/{key(changed)}.json"))
    assert on_branch["probes"][0]["verdict"] == "recv: ECONNRESET"
    (pr,) = checkout.stubs.gh["prs"]
    assert pr["head"] == BRANCH and pr["base"] == "main"
    assert "recv: ECONNRESET" in pr["body"]
    # Only what changed was rewritten: mockos' file is byte for byte main's.
    mock = f"results/{key(COMMITTED['mockos'])}.json"
    assert checkout.branch_file(mock) == git(checkout.remote, "show", f"main:{mock}")
    # What landed is archived, compactly.
    archived = [f for f in checkout.branch_files() if f.startswith("results/history/")]
    assert archived == [f"results/history/{key(changed)}@2030-02-01.json"]
    assert "observations" not in checkout.branch_file(archived[0])
    assert "recv: ECONNRESET" in checkout.branch_file("README.md")


def test_all_legs_in_their_folders_land_together(checkout: Checkout) -> None:
    legs = [
        leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"}),
        leg("mockos", {"p1": "recv: EOF", "p2": "x: 9"}),
        leg("newos", {"p1": "recv: EOF", "p2": "x: 1"}),
    ]
    for document in legs:
        checkout.upload(f"sockmatrix-results-{document['platform']['os']}", document)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    files = checkout.branch_files()
    for document in legs:
        assert f"results/{key(document)}.json" in files
    (pr,) = checkout.stubs.gh["prs"]
    assert "New platforms: newos 1.0" in pr["body"]
    assert "**2 changed cell(s)**" in pr["body"]


def test_a_failed_leg_keeps_its_committed_column(checkout: Checkout) -> None:
    # mockos' leg failed before uploading: its artifact folder holds nothing.
    (checkout.collected / "sockmatrix-results-mockos").mkdir(parents=True)
    checkout.upload(
        "sockmatrix-results-fakeos", leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    )
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"results/{key(COMMITTED['mockos'])}.json" in checkout.branch_files()
    (pr,) = checkout.stubs.gh["prs"]
    assert "Not in the new run" not in pr["body"]


def test_a_timed_out_partial_leg_never_replaces_a_complete_file(checkout: Checkout) -> None:
    partial = leg("fakeos", {"p1": "recv: ECONNRESET"}, complete=False)
    checkout.upload("sockmatrix-results-fakeos", partial)
    checkout.upload("sockmatrix-results-mockos", leg("mockos", {"p1": "recv: EOF", "p2": "x: 9"}))
    # A new platform's first run timed out: better than nothing, marked incomplete.
    first = leg("newos", {"p1": "recv: EOF"}, complete=False)
    checkout.upload("sockmatrix-results-newos", first)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::warning file=" in done.stdout and "partial run (complete: false)" in done.stdout
    fake = f"results/{key(partial)}.json"
    assert checkout.branch_file(fake) == git(checkout.remote, "show", f"main:{fake}")
    assert json.loads(checkout.branch_file(f"results/{key(first)}.json"))["complete"] is False
    archived = [f for f in checkout.branch_files() if f.startswith("results/history/")]
    assert archived == [f"results/history/{key(COMMITTED['mockos'])}@2030-02-01.json"]
    (pr,) = checkout.stubs.gh["prs"]
    assert "partial run" in pr["body"]


def test_a_partial_leg_merges_record_by_record_over_a_partial_file(checkout: Checkout) -> None:
    first = leg("newos", {"p1": "recv: EOF", "p2": "x: 1"}, complete=False)
    checkout.upload_lone(first)
    assert checkout.refresh().returncode == 0
    # The refresh pull request was merged; the next partial run reaches only p1.
    git(checkout.remote, "update-ref", "refs/heads/main", f"refs/heads/{BRANCH}")
    checkout.fresh_job()
    checkout.git("fetch", "--quiet", str(checkout.remote), "main")
    checkout.git("reset", "--quiet", "--hard", "FETCH_HEAD")
    second = leg(
        "newos", {"p1": "recv: ECONNRESET"}, complete=False, started="2030-03-01T00:00:00+00:00"
    )
    checkout.upload_lone(second)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    merged = json.loads(checkout.branch_file(f"results/{key(first)}.json"))
    verdicts = {r["id"]: r["verdict"] for r in merged["probes"]}
    assert verdicts == {"p1": "recv: ECONNRESET", "p2": "x: 1"}
    kept = next(r for r in merged["probes"] if r["id"] == "p2")
    assert kept["run"]["started"] == "2030-02-01T00:00:00+00:00"


def test_a_rerun_of_a_failed_leg_updates_the_same_pull_request(checkout: Checkout) -> None:
    checkout.upload(
        "sockmatrix-results-fakeos", leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    )
    assert checkout.refresh().returncode == 0
    # "Re-run failed jobs": mockos' leg now uploads too (overwrite: true), the
    # fan-in and the refresh run again on the same checkout of main.
    checkout.fresh_job()
    checkout.upload(
        "sockmatrix-results-fakeos", leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    )
    checkout.upload("sockmatrix-results-mockos", leg("mockos", {"p1": "recv: EOF", "p2": "x: 9"}))
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pushed the results" in done.stdout
    (pr,) = checkout.stubs.gh["prs"]
    assert len(checkout.calls("create")) == 1 and len(checkout.calls("edit")) == 1
    assert "x: 9" in pr["body"]


def test_an_unreadable_committed_file_is_named_and_the_job_goes_on(checkout: Checkout) -> None:
    (checkout.results / "brokenos-1.0-x86_64-py3.11.json").write_text('{"schema_version": 99}')
    checkout.git("add", "-A")
    checkout.git("commit", "--quiet", "-m", "a file from a newer schema")
    checkout.git("push", "--quiet", str(checkout.remote), "main")
    checkout.upload_lone(leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"}))
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::warning file=results/brokenos-1.0-x86_64-py3.11.json::" in done.stdout.replace(
        str(checkout.work) + "/", ""
    )
    assert "results/brokenos-1.0-x86_64-py3.11.json" in checkout.branch_files()
    assert len(checkout.stubs.gh["prs"]) == 1


def test_an_unchanged_rerun_proposes_nothing(checkout: Checkout) -> None:
    # Same cells as committed; only times, run URLs, durations, image versions differ.
    for name, document in COMMITTED.items():
        again = json.loads(json.dumps(document))
        again["started"] = again["finished"] = "2030-05-05T00:00:00+00:00"
        again["source"].update(run_url=RUN_URL, image_version="2030-05-05")
        again["platform"]["release"] = "1.0-another-kernel-build"
        for record in again["probes"]:
            record.update(duration=7.5, cleanup=["a leftover socket was closed"])
        checkout.upload(f"sockmatrix-results-{name}", again)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "results unchanged" in done.stdout
    assert not checkout.branch_exists()
    assert checkout.stubs.gh["calls"] == []


def test_a_changed_run_proposes_exactly_the_cell_diff(checkout: Checkout) -> None:
    before = checkout.root / "before"
    shutil.copytree(checkout.results, before)
    changed = leg("mockos", {"p1": "recv: blocked", "p2": "x: 2"})
    checkout.upload_lone(changed)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    after = checkout.root / "after"
    after.mkdir()
    for path in checkout.branch_files():
        if path.startswith("results/") and path.count("/") == 1 and path.endswith(".json"):
            (after / Path(path).name).write_text(checkout.branch_file(path), encoding="utf-8")
    (pr,) = checkout.stubs.gh["prs"]
    cell_diff = expected_diff(before, after)
    assert "**1 changed cell(s)**" in cell_diff
    assert pr["body"].startswith(f"Results from {RUN_URL}.")
    assert cell_diff.rstrip("\n") in pr["body"]
    assert "close and reopen it" in pr["body"]  # how to get checks on it


def test_the_rerun_after_a_refused_pull_request_opens_it(checkout: Checkout) -> None:
    checkout.stubs.refuse_pull_requests(True)
    checkout.upload_lone(leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"}))
    refused = checkout.refresh()
    assert refused.returncode == 1
    assert "Allow GitHub Actions to create and approve pull requests" in refused.stdout
    assert checkout.branch_exists() and checkout.stubs.gh["prs"] == []
    # The maintainer enables the setting and re-runs the job: same artifact.
    checkout.stubs.refuse_pull_requests(False)
    checkout.fresh_job()
    checkout.upload_lone(leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"}))
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "already holds these results: not pushed" in done.stdout
    (pr,) = checkout.stubs.gh["prs"]
    assert pr["state"] == "open" and "recv: ECONNRESET" in pr["body"]


def test_a_newer_os_version_of_one_runner_moves_the_old_column_to_history(
    checkout: Checkout,
) -> None:
    newer = leg("fakeos", {"p1": "recv: EOF", "p2": "x: 1"}, version="1.1", job="fakeos py3.11")
    checkout.upload_lone(newer)
    done = checkout.refresh()
    assert done.returncode == 0, done.stdout + done.stderr
    files = checkout.branch_files()
    old = key(COMMITTED["fakeos"])
    assert f"results/{old}.json" not in files
    assert f"results/{key(newer)}.json" in files
    assert f"results/history/{old}@2030-01-01.json" in files
    readme = checkout.branch_file("README.md")
    assert "fakeos 1.1" in readme and "fakeos 1.0" not in readme
    (pr,) = checkout.stubs.gh["prs"]
    assert "Column renamed (a new OS version or runner image): fakeos 1.0" in pr["body"]


def test_two_legs_with_one_key_are_refused_by_name(checkout: Checkout) -> None:
    twin = leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"})
    checkout.upload("sockmatrix-results-a", twin)
    checkout.upload("sockmatrix-results-b", leg("fakeos", {"p1": "recv: blocked", "p2": "x: 1"}))
    checkout.upload("sockmatrix-results-mockos", leg("mockos", {"p1": "recv: EOF", "p2": "x: 9"}))
    done = checkout.refresh()
    assert done.returncode == 1
    assert "::error file=" in done.stdout and "refusing to pick one" in done.stdout
    fake = f"results/{key(twin)}.json"
    assert checkout.branch_file(fake) == git(checkout.remote, "show", f"main:{fake}")
    assert len(checkout.stubs.gh["prs"]) == 1  # the other legs are still proposed


# --- Pages -----------------------------------------------------------------------


def pages(checkout: Checkout) -> tuple[subprocess.CompletedProcess[str], str]:
    found = step("matrix.yml", "pages", "Render the page")
    done = run_step(found, checkout.work, checkout.stubs.env())
    page = checkout.work / "site" / "MATRIX.md"
    return done, page.read_text(encoding="utf-8") if page.exists() else ""


def test_pages_keeps_every_committed_column_and_lays_this_run_over_it(checkout: Checkout) -> None:
    # A push: no weekly stack in this run, and mockos' leg failed (nothing uploaded).
    checkout.upload_lone(leg("fakeos", {"p1": "recv: ECONNRESET", "p2": "x: 1"}))
    (checkout.results / "brokenos-1.0-x86_64-py3.11.json").write_text("{")
    done, page = pages(checkout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "weeklyos 1.0" in page and "mockos 1.0" in page
    assert "recv: ECONNRESET" in page
    assert "::warning file=" in done.stdout and "brokenos" in done.stdout


# --- the reusable workflow's fan-in ----------------------------------------------


def fan_in(checkout: Checkout, name_start: str) -> subprocess.CompletedProcess[str]:
    found = step("probe-matrix.yml", "table", name_start)
    env = checkout.stubs.env(GITHUB_STEP_SUMMARY=str(checkout.root / "summary.md"))
    return run_step(found, checkout.root, env)


@pytest.mark.parametrize("layout", ["lone artifact", "one folder per leg"])
def test_the_fan_in_finds_the_legs_however_they_were_extracted(
    checkout: Checkout, layout: str
) -> None:
    collected = checkout.root / "collected"
    documents = [leg("fakeos", {"p1": "x"}), leg("mockos", {"p1": "y"})]
    for document in documents[: 1 if layout == "lone artifact" else 2]:
        folder = collected if layout == "lone artifact" else collected / document["platform"]["os"]
        write_results(folder, f"{key(document)}.json", document)
    done = fan_in(checkout, "Merge into the table")
    assert done.returncode == 0, done.stdout + done.stderr
    page = (checkout.root / "matrix-out" / "MATRIX.md").read_text(encoding="utf-8")
    assert "fakeos 1.0" in page
    assert ("mockos 1.0" in page) is (layout == "one folder per leg")


def test_the_fan_in_with_no_leg_says_so(checkout: Checkout) -> None:
    (checkout.root / "collected").mkdir()
    done = fan_in(checkout, "Merge into the table")
    assert done.returncode == 1
    assert "::error::no leg uploaded a results file" in done.stdout
