"""The probe library as shipped: every file valid, every source public, LF on every checkout."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from helpers.paths import REPO

from matrix.language.evidence import citation_url, entries, has_citation
from matrix.probe.selection import builtin_probe_dir
from matrix.probe.validate import validate_file, validate_paths

INTERNAL = re.compile(r"catalogue|catalog\b|shared/|\.\./", re.IGNORECASE)
PROBES, PROBLEMS = validate_paths([builtin_probe_dir()])


def test_the_library_is_valid() -> None:
    assert PROBLEMS == [] and len(PROBES) >= 70


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_sources_and_notes_name_no_internal_reference(probe: object) -> None:
    data = probe.data  # type: ignore[attr-defined]
    texts = [*data["sources"], data.get("notes", ""), data["question"]]
    texts += [
        entry["source"] for value in data.get("documented", {}).values() for entry in entries(value)
    ]
    texts += [runtime["source"] for runtime in data.get("runtimes", [])]
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


def _collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _key(probe_id: str, family: str, entry: dict[str, Any]) -> tuple[str, ...]:
    """A prose entry is one per family; a cited line is also named by its file and line."""
    if not has_citation(entry):
        return (probe_id, family)
    return (probe_id, family, f"{entry['path']}#L{entry['line']}")


DOCUMENTED = [
    (_key(probe.id, family, entry), entry)
    for probe in PROBES
    for family, value in sorted(probe.data.get("documented", {}).items())
    for entry in entries(value)
]


@pytest.mark.parametrize(("key", "doc"), DOCUMENTED, ids=["/".join(k) for k, _ in DOCUMENTED])
def test_every_documented_quote_is_the_one_reread_at_its_source(
    key: tuple[str, ...], doc: dict[str, str]
) -> None:
    """A quote is verbatim only as checked: editing one means checking it again."""
    from helpers.verified_quotes import VERIFIED

    assert key in VERIFIED, f"{key}: quote never checked at its source (add it to VERIFIED)"
    digest, where = VERIFIED[key]
    actual = hashlib.sha256(_collapsed(doc["quote"]).encode()).hexdigest()[:16]
    assert actual == digest, f"{key}: the quote changed since it was checked at {where}"


def test_the_register_of_checked_quotes_has_no_stale_entry() -> None:
    from helpers.verified_quotes import VERIFIED

    assert set(VERIFIED) == {key for key, _ in DOCUMENTED}


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_every_source_and_documented_quote_names_an_openable_link(probe: object) -> None:
    data = probe.data  # type: ignore[attr-defined]
    documented = [
        entry for value in data.get("documented", {}).values() for entry in entries(value)
    ]
    # A cited line's link is built from its repository, commit, path and line.
    assert all(citation_url(entry) for entry in documented if has_citation(entry))
    cited = [*data["sources"], *(e["source"] for e in documented if not has_citation(e))]
    for text in cited:
        assert re.search(r"https://\S+", text), f"no link a reader can open: {text!r}"


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
