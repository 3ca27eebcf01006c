"""`.ci/install-runsc.sh`: gVisor's runsc installs only when both checksums match.

The script's real release cannot be fetched here; a release laid out like
gVisor's (gvisor.tar.bz2 and gvisor.tar.bz2.sha512 under <release>/<arch>/) is
served from a file:// URL, and installed into the test's own folder.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from helpers.paths import REPO

SCRIPT = REPO / ".ci" / "install-runsc.sh"
RELEASE = "20300101.0"

pytestmark = pytest.mark.skipif(
    platform.machine() != "x86_64" or not all(map(shutil.which, ("curl", "sha512sum", "bzip2"))),
    reason="the script pins x86_64 and needs curl, sha512sum and bzip2",
)


def fake_release(root: Path, published: str | None = None) -> tuple[Path, str]:
    """A tarball with a `runsc` that prints a version and a gvisor-bin/ sidecar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        for name, text, mode in (
            ("runsc", "#!/bin/sh\necho 'runsc version fictional-1'\n", 0o755),
            ("gvisor-bin/gvisor_sentry", "sidecar\n", 0o755),
        ):
            data = text.encode()
            member = tarfile.TarInfo(name)
            member.size, member.mode = len(data), mode
            archive.addfile(member, io.BytesIO(data))
    data = buffer.getvalue()
    digest = hashlib.sha512(data).hexdigest()
    folder = root / "releases" / RELEASE / "x86_64"
    folder.mkdir(parents=True)
    (folder / "gvisor.tar.bz2").write_bytes(data)
    (folder / "gvisor.tar.bz2.sha512").write_text(f"{published or digest}  gvisor.tar.bz2\n")
    return root / "releases", digest


def install(root: Path, base: Path, pinned: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(SCRIPT)],
        env={
            "PATH": os.environ.get("PATH", ""),
            "GVISOR_BASE_URL": base.as_uri(),
            "GVISOR_RELEASE": RELEASE,
            "GVISOR_SHA512": pinned,
            "RUNSC_PREFIX": str(root / "bin"),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_release_matching_both_checksums_installs_runsc_beside_its_sidecars(
    tmp_path: Path,
) -> None:
    base, digest = fake_release(tmp_path)
    done = install(tmp_path, base, digest)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "runsc version fictional-1" in done.stdout
    assert (tmp_path / "bin" / "gvisor-bin" / "gvisor_sentry").exists()


def test_a_tarball_that_is_not_the_pinned_one_is_refused_before_extracting(
    tmp_path: Path,
) -> None:
    base, _ = fake_release(tmp_path)
    done = install(tmp_path, base, "0" * 128)
    assert done.returncode == 1
    assert "is not the pinned one" in done.stdout
    assert not (tmp_path / "bin").exists()


def test_a_tarball_that_does_not_match_its_published_checksum_is_refused(tmp_path: Path) -> None:
    base, digest = fake_release(tmp_path, published="f" * 128)
    done = install(tmp_path, base, digest)
    assert done.returncode == 1
    assert "does not match its published .sha512" in done.stdout
    assert not (tmp_path / "bin").exists()


def test_the_pinned_release_and_checksum_are_stated_once() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    (release,) = re.findall(r"GVISOR_RELEASE:-(\d{8}\.\d+)", text)
    (digest,) = re.findall(r"GVISOR_SHA512:-([0-9a-f]+)", text)
    assert len(digest) == 128
    assert f"GVISOR_RELEASE {release}" in text  # the comment says what is pinned
