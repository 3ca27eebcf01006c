"""The refresh pull request: this run's results into results/, the README table, one PR.

    python -m matrix.tools.ci_refresh --collected merged/collected --remote URL \\
        --repository OWNER/NAME --base main --run-url URL

Run from the root of a checkout of the default branch, with sockmatrix
installed, `git` and `gh` (GH_TOKEN) on PATH. Rules of this module:
- results/ is laid over with this run's files as matrix.tools.ci_overlay says;
  a platform whose cells did not change keeps its committed file byte for byte,
  so a run that observed nothing new proposes nothing (no push, no PR edit).
  "Changed" is decided by the cells, as ``sockmatrix diff --exit-code`` does.
- Only what lands is archived in results/history/ (complete runs only), and a
  column a newer run of its runner replaced goes there, not to the table.
- An unreadable file is named in a warning annotation and the job goes on.
- When the refresh branch already holds these results (by the cells), only the
  push is skipped: the pull request is still looked up and opened if missing,
  so the re-run after a refused pull request opens it.
- The PR body is the cell diff, and says how to get checks on the PR (GitHub
  starts no workflow for events caused by GITHUB_TOKEN).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from matrix.render.changes import render_diff_md
from matrix.render.to_md import md
from matrix.render.workflow_commands import annotation
from matrix.results.document import write_atomic
from matrix.table import history
from matrix.table.diff import Diff, diff, load_snapshot
from matrix.tools.ci_overlay import Plan, committed_files, found_files, plan, unchanged

NOTES_SHOWN = 20  # the body stays within GitHub's limit (render_diff_md bounds the rest)
SETTING = "Allow GitHub Actions to create and approve pull requests"
TITLE = "Refresh results from the OS matrix"
CHECKS_NOTE = (
    "**Checks:** GitHub starts no workflow for a pull request opened with the workflow's "
    '`GITHUB_TOKEN` ("events triggered by the `GITHUB_TOKEN` will not create a new '
    'workflow run", GitHub Docs, *Triggering a workflow from a workflow*). To run the '
    "checks on it, close and reopen it, or push a commit to its branch."
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m matrix.tools.ci_refresh")
    parser.add_argument("--collected", type=Path, required=True)
    parser.add_argument("--remote", required=True, help="where the branch is pushed")
    parser.add_argument("--repository", required=True, help="owner/name, for gh")
    parser.add_argument("--base", required=True, help="the default branch")
    parser.add_argument("--run-url", required=True)
    parser.add_argument("--branch", default="sockmatrix/refresh-results")
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--readme", type=Path, default=Path("README.md"))
    return parser.parse_args(argv)


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=check)


def _copy_results(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in committed_files(source):
        (target / path.name).write_bytes(path.read_bytes())


def apply(laid: Plan, results: Path) -> list[Path]:
    """Write and retire what ``laid`` says; returns the complete files that landed."""
    landed = []
    for name, document in laid.write.items():
        write_atomic(results / name, document)
        if document["complete"]:
            landed.append(results / name)
    retired = [results / name for name, doc in laid.retire.items() if doc["complete"]]
    # A replaced column is kept in history (archived now if it never was).
    history.add([*landed, *retired], results / "history")
    for name in laid.retire:
        (results / name).unlink()
    return landed


def body(result: Diff, laid: Plan, run_url: str) -> str:
    lines = [
        f"Results from {run_url}. Every file comes from a real GitHub-hosted runner.",
        "",
        render_diff_md(result).rstrip("\n"),
    ]
    if laid.notes:
        lines += ["", "Left out of this refresh:"]
        lines += [f"- {md(note.file)}: {md(note.message)}" for note in laid.notes[:NOTES_SHOWN]]
        if len(laid.notes) > NOTES_SHOWN:
            lines.append(f"- … and {len(laid.notes) - NOTES_SHOWN} more (see the job's log)")
    return "\n".join([*lines, "", CHECKS_NOTE]) + "\n"


def _branch_holds(remote: str, branch: str, results: Path, scratch: Path) -> bool:
    """Whether ``branch`` on ``remote`` already has these results (by the cells)."""
    if _run("git", "fetch", "--quiet", remote, branch, check=False).returncode != 0:
        return False
    listed = _run("git", "ls-tree", "--name-only", "FETCH_HEAD", f"{results.as_posix()}/")
    on_branch = scratch / "on-branch"
    on_branch.mkdir()
    for path in listed.stdout.split():
        if path.endswith(".json"):
            shown = subprocess.run(
                ["git", "show", f"FETCH_HEAD:{path}"], capture_output=True, check=True
            )
            (on_branch / Path(path).name).write_bytes(shown.stdout)
    return not diff(load_snapshot(on_branch), load_snapshot(results)).changed


def _open_or_update(args: argparse.Namespace, body_file: Path, pushed: bool) -> int:
    listed = _run(
        "gh", "pr", "list", "--repo", args.repository, "--head", args.branch,
        "--base", args.base, "--state", "open", "--json", "number",
        "--jq", ".[0].number // empty",
    )  # fmt: skip
    number = listed.stdout.strip()
    if number:
        if pushed:
            _run("gh", "pr", "edit", number, "--repo", args.repository,
                 "--body-file", str(body_file))  # fmt: skip
            print(f"updated pull request #{number}")
        else:
            print(f"pull request #{number} already proposes these results")
        return 0
    created = _run(
        "gh", "pr", "create", "--repo", args.repository, "--base", args.base,
        "--head", args.branch, "--title", TITLE, "--body-file", str(body_file),
        check=False,
    )  # fmt: skip
    if created.returncode != 0:
        print(created.stderr, file=sys.stderr)
        print(
            annotation(
                "error",
                f"GitHub lets GITHUB_TOKEN open pull requests only when Settings > Actions > "
                f"General > Workflow permissions > '{SETTING}' is checked. The results are on "
                f"branch {args.branch}: enable that setting and re-run, or open the pull "
                "request by hand.",
                title="Could not open the pull request",
            )
        )
        return 1
    print(created.stdout.strip())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    results: Path = args.results
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        _copy_results(results, scratch / "before")
        laid = plan(results, found_files(args.collected))
        for note in laid.notes:
            print(annotation(note.level, note.message, file=note.file))
        failed = any(note.level == "error" for note in laid.notes)
        for name in unchanged(laid, results):
            del laid.write[name]  # its committed file stays byte for byte
        apply(laid, results)
        result = diff(load_snapshot(scratch / "before"), load_snapshot(results))
        if not result.changed:
            print("results unchanged (no cell of the table changed): no pull request")
            return 1 if failed else 0

        for table in (["table"], ["table", "--readme", str(args.readme)]):
            done = subprocess.run([sys.executable, "-m", "matrix", *table])
            if done.returncode != 0:
                print(annotation("warning", f"sockmatrix {' '.join(table)} exited "
                                 f"{done.returncode}: see its messages above"))  # fmt: skip
        body_file = scratch / "body.md"
        body_file.write_text(body(result, laid, args.run_url), encoding="utf-8")

        _run("git", "config", "user.name", "github-actions[bot]")
        _run("git", "config", "user.email", "41898282+github-actions[bot]@users.noreply.github.com")
        holds = _branch_holds(args.remote, args.branch, results, scratch)
        _run("git", "switch", "--quiet", "-C", args.branch)
        _run("git", "add", "--all", "--", str(results), str(args.readme))
        _run("git", "commit", "--quiet", "-m", TITLE, "-m", f"From {args.run_url}")
        if holds:
            print("the refresh branch already holds these results: not pushed")
        else:
            _run("git", "push", "--quiet", "--force", args.remote, f"HEAD:refs/heads/{args.branch}")
            print(f"pushed the results to {args.branch}")
        status = _open_or_update(args, body_file, pushed=not holds)
        return 1 if failed or status else 0


if __name__ == "__main__":
    raise SystemExit(main())
