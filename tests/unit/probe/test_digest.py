"""The probe hash is taken over the parsed document: a CRLF checkout is not a new probe."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.paths import REPO
from helpers.synthetic import observation, record, results_document

from matrix.probe.digest import canonical_json, probe_digest
from matrix.probe.validate import validate_file
from matrix.table.merge import merge

PROBE = REPO / "probes" / "close" / "close-unread-data-resets.yaml"


def _load(path: Path):  # type: ignore[no-untyped-def]
    probe, problems = validate_file(path)
    assert problems == [] and probe is not None
    return probe


def test_a_crlf_copy_of_a_probe_has_the_same_sha256(tmp_path: Path) -> None:
    # What actions/checkout gives on a Windows runner (core.autocrlf=true).
    crlf = tmp_path / "crlf" / PROBE.name
    crlf.parent.mkdir()
    crlf.write_bytes(PROBE.read_bytes().replace(b"\n", b"\r\n"))
    assert crlf.read_bytes() != PROBE.read_bytes()
    assert _load(crlf).sha256 == _load(PROBE).sha256


def test_comments_and_layout_do_not_change_the_sha256_but_values_do(tmp_path: Path) -> None:
    lf = tmp_path / "a" / PROBE.name
    lf.parent.mkdir()
    shutil.copy(PROBE, lf)
    original = _load(lf).sha256
    lf.write_text("# a comment\n" + PROBE.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert _load(lf).sha256 == original
    text = PROBE.read_text(encoding="utf-8").replace("within: 2", "within: 3")
    assert text != PROBE.read_text(encoding="utf-8")
    lf.write_text(text, encoding="utf-8")
    assert _load(lf).sha256 != original


def test_canonical_form_is_key_order_free_and_unicode_stable() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1})
    assert canonical_json({"a": "é"}) == '{"a":"é"}'
    assert probe_digest({"steps": [1, 2]}) != probe_digest({"steps": [2, 1]})


def test_a_result_from_a_crlf_checkout_is_not_stale_at_merge(tmp_path: Path) -> None:
    crlf = tmp_path / PROBE.name
    crlf.write_bytes(PROBE.read_bytes().replace(b"\n", b"\r\n"))
    windows_copy = _load(crlf)
    linux_copy = _load(PROBE)
    close = [observation("close", "ok")]
    observed = record(linux_copy.id, "close: ok", sha=windows_copy.sha256, observations=close)
    document = results_document(os="fictional-os", records=[observed])
    row = merge([("a.json", document)], [linux_copy]).rows[0]
    (cell,) = (c for c in row.cells.values() if c.kind == "observed")
    assert "stale" not in cell.flags


def test_prose_does_not_change_the_sha256_but_the_scenario_does(tmp_path: Path) -> None:
    # A corrected quote or note must not make every platform's cells stale.
    probe = _load(PROBE).data
    base = probe_digest(probe)
    for key, value in (("notes", "corrected"), ("title", "t"), ("sources", ["https://x"])):
        assert probe_digest({**probe, key: value}) == base, key
    assert probe_digest({**probe, "documented": {}}) == base
    assert probe_digest({**probe, "time_limit": 29}) != base
    assert probe_digest({**probe, "verdict": list(reversed(probe["verdict"]))}) != base
