"""The probe library as shipped: every file valid, every source public, LF on every checkout."""

from __future__ import annotations

import re

import pytest
from helpers.paths import REPO

from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_file, validate_paths

INTERNAL = re.compile(r"catalogue|catalog\b|shared/|\.\./", re.IGNORECASE)
PROBES, PROBLEMS = validate_paths([builtin_probe_dir()])


def test_the_library_is_valid() -> None:
    assert PROBLEMS == [] and len(PROBES) >= 40


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_sources_and_notes_name_no_internal_reference(probe: object) -> None:
    data = probe.data  # type: ignore[attr-defined]
    texts = [*data["sources"], data.get("notes", ""), data["question"]]
    texts += [doc["source"] for doc in data.get("documented", {}).values()]
    for text in texts:
        assert not INTERNAL.search(text), text


def test_checked_probes_in_the_library_all_still_pass() -> None:
    from matrix.probe.selection import builtin_probe_dir

    for path in sorted(builtin_probe_dir().rglob("*.yaml")):
        probe, problems = validate_file(path)
        assert probe is not None, problems


def test_gitattributes_keeps_text_lf_on_every_checkout() -> None:
    lines = (REPO / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "* text=auto eol=lf" in lines


SENDS = ("send", "sendall", "sendto", "fill")


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_no_unnamed_send_can_kill_a_probe_before_its_question(probe: object) -> None:
    """With SIGPIPE at its default, every send that may raise it is a named step.

    An unnamed plain send ends the process where it raises SIGPIPE (XNU and
    FreeBSD: already the first send after a reset, sosendcheck returns EPIPE
    before the pending error), and every verdict part after it reads `not
    reached`: the probe then measures nothing there.
    """
    data = probe.data  # type: ignore[attr-defined]
    default = False
    for index, step in enumerate(data["steps"]):
        if step["op"] == "sigpipe":
            default = step.get("disposition") == "default"
        elif default and step["op"] in SENDS and "NOSIGNAL" not in step.get("flags", []):
            assert "name" in step, f"step {index + 1} ({step['op']}) may be killed by SIGPIPE"
