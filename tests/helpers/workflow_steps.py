"""Run a workflow step's own script here, with only what must reach GitHub stubbed.

A step's `run:` text is taken from the workflow file and run with bash in a
folder laid out like the job's workspace. `python` is this interpreter with
this checkout's (or tox's installed) matrix package; `gh` is a stub that keeps
pull requests in a JSON file; `git push` and `git fetch` reach a local bare
repository through git's `url.<local>.insteadOf` (the URL the step builds is
rewritten, nothing else changes). Synthetic results only, fictional platforms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

import matrix
from helpers.paths import REPO

WORKFLOWS = REPO / ".github" / "workflows"

FAKE_GH = """\
import json, sys
from pathlib import Path
state_file = Path(sys.argv[1])
state = json.loads(state_file.read_text())
args = sys.argv[2:]
state["calls"].append(args)
def option(name):
    return args[args.index(name) + 1] if name in args else None
def save():
    state_file.write_text(json.dumps(state))
if args[:2] == ["pr", "list"]:
    open_prs = [p for p in state["prs"] if p["state"] == "open" and p["head"] == option("--head")]
    save()
    if open_prs:
        print(open_prs[0]["number"])
elif args[:2] == ["pr", "create"]:
    if state.get("refuse"):
        save()
        print("pull request create failed: GraphQL: GitHub Actions is not permitted to create "
              "or approve pull requests (createPullRequest)", file=sys.stderr)
        sys.exit(1)
    number = len(state["prs"]) + 1
    state["prs"].append({"number": number, "state": "open", "head": option("--head"),
                         "base": option("--base"), "title": option("--title"),
                         "body": Path(option("--body-file")).read_text()})
    save()
    print(f"https://github.com/example/sockmatrix/pull/{number}")
elif args[:2] == ["pr", "edit"]:
    pr = next(p for p in state["prs"] if str(p["number"]) == args[2])
    pr["body"] = Path(option("--body-file")).read_text()
    save()
else:
    save()
    sys.exit(f"fake gh: unexpected {args}")
"""


def step(workflow: str, job: str, name_start: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    found = next(
        s for s in document["jobs"][job]["steps"] if s.get("name", "").startswith(name_start)
    )
    assert isinstance(found, dict)
    return found


class Stubs:
    """A bin folder with `python` and `gh`, and the fake gh's state."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "stub-bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.state = root / "gh-state.json"
        self.state.write_text(json.dumps({"prs": [], "calls": []}), encoding="utf-8")
        (self.bin / "fake_gh.py").write_text(FAKE_GH, encoding="utf-8")
        self._script("python", f'exec "{sys.executable}" "$@"')
        self._script(
            "gh", f'exec "{sys.executable}" "{self.bin / "fake_gh.py"}" "{self.state}" "$@"'
        )

    def _script(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        path.chmod(0o755)

    @property
    def gh(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(self.state.read_text(encoding="utf-8"))
        return state

    def refuse_pull_requests(self, refuse: bool) -> None:
        state = self.gh
        state["refuse"] = refuse
        self.state.write_text(json.dumps(state), encoding="utf-8")

    def env(self, **extra: str) -> dict[str, str]:
        package_root = str(Path(matrix.__file__).resolve().parent.parent)
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": package_root,
            "HOME": str(self.bin.parent),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_DATE": "2030-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE": "2030-01-01T00:00:00Z",
            "LANG": "C.UTF-8",
            **extra,
        }


def run_step(
    found: dict[str, Any], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """The step's script under bash -e, as `shell: bash` runs it, with its env: values."""
    return subprocess.run(
        ["bash", "-e", "-c", found["run"]],
        cwd=cwd,
        env={**env, **{k: v for k, v in found.get("env", {}).items() if "${{" not in str(v)}},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout
