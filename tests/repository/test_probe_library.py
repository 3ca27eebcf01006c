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


# gVisor's source moves fast: a quote of it is only checkable at a fixed commit and line.
GVISOR_CITATION = re.compile(
    r"https://github\.com/google/gvisor/blob/[0-9a-f]{40}/[\w./-]+#L[0-9]+(-L[0-9]+)?$"
)


def test_gvisor_documentation_is_cited_at_a_commit_and_line() -> None:
    cited = {
        p.id: p.data["documented"]["gvisor"]["source"]
        for p in PROBES
        if "gvisor" in p.data.get("documented", {})
    }
    assert cited  # the gVisor column's differing rows quote gVisor's source
    for probe_id, source in cited.items():
        assert GVISOR_CITATION.search(source.split()[-1]), (probe_id, source)
