"""The release workflow's build-and-test script, run here as release.yml runs it.

.ci/release-check.sh builds the sdist and the wheel, installs what was built in a
fresh venv outside the checkout and uses it as a library author would. The same
script also installs the README's git line (pointed at this checkout instead of
GitHub, at the commit checked out): the install line is tested, not only quoted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import REPO

SCRIPT = REPO / ".ci" / "release-check.sh"
# release.yml runs on ubuntu-24.04 only; the script is POSIX sh with a venv's bin/.
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="release.yml runs on Linux")


def release_check(dist: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("sh") is None or importlib_missing("build"):
        pytest.fail("the release rehearsal needs sh and the build package (the test extra)")
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(
        ["sh", str(SCRIPT), str(dist), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )


def importlib_missing(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is None


def readme_install_line() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (line,) = re.findall(r'pip install "(sockmatrix\[pytest\] @ git\+https://[^"]+)"', readme)
    return line


@pytest.mark.slow
def test_the_built_wheel_works_outside_the_checkout(tmp_path: Path) -> None:
    done = release_check(tmp_path / "dist")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert len(list((tmp_path / "dist").glob("*.whl"))) == 1
    assert len(list((tmp_path / "dist").glob("*.tar.gz"))) == 1
    assert "built and tested outside the checkout" in done.stdout
    # The recipe's probe: its close and its peer's recv (a reset) on this Linux.
    assert "2 assumption check(s) hold" in done.stdout


@pytest.mark.slow
def test_a_tag_that_is_not_the_version_stops_the_release(tmp_path: Path) -> None:
    done = release_check(tmp_path / "dist", "v0.0.0-not-this")
    assert done.returncode != 0
    assert "the tag v0.0.0-not-this does not name the package's version" in done.stderr


@pytest.mark.slow
def test_the_readmes_install_line_installs_a_working_sockmatrix(tmp_path: Path) -> None:
    line = readme_install_line()
    assert re.fullmatch(
        r"sockmatrix\[pytest\] @ git\+https://github\.com/[A-Za-z0-9-]+/sockmatrix@COMMIT", line
    ), line
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    # Only the host differs from what a user types: this checkout, at its commit
    # (file://localhost/…: pip refuses a git+file URL with an empty host).
    checkout = f"git+file://localhost{REPO.as_posix()}@{head}"
    here = re.sub(r"git\+https://[^@]+@COMMIT", checkout, line)
    done = release_check(tmp_path / "dist", "", here)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "built and tested outside the checkout" in done.stdout
