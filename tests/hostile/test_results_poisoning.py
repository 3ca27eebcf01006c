"""A valid probe must not poison a results file: through pytest into a shared file,
and the writer's words when a file really changed under it (or did not).

The corpus (helpers.hostile_corpus, poisoning cases) covers `run` and a file
pushed past 16 MiB; fictional platforms only, files under tmp.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.hostile_acts import GOOD_PROBE, LONG_VERDICT_PROBE
from helpers.hostile_corpus import fictional_results

from matrix.results.document import ResultsNotWritten, ResultsWriter
from matrix.results.read import read_results


def test_pytest_into_a_shared_results_file_fails_only_the_probe_whose_record_cannot_fit(
    pytester: pytest.Pytester,
) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    (probes / "long-verdict.yaml").write_text(LONG_VERDICT_PROBE, encoding="utf-8")
    (probes / "good.yaml").write_text(GOOD_PROBE, encoding="utf-8")
    shared = pytester.path / "shared.json"
    # An earlier run of this platform left a record of another probe there.
    first = pytester.runpytest_subprocess("probes/good.yaml", "--sockmatrix-results", str(shared))
    first.assert_outcomes(passed=1)
    document = json.loads(shared.read_text(encoding="utf-8"))
    document["probes"][0]["id"] = "earlier"
    shared.write_text(json.dumps(document), encoding="utf-8")
    result = pytester.runpytest_subprocess("probes", "--sockmatrix-results", str(shared))
    # Both probes ran; the session fails because one record had to be stored as
    # a harness error, which its line in the verdicts says.
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["long-verdict [[]harness-error[]] *could not be stored*"])
    records = {r["id"]: r for r in read_results(shared, 1)["probes"]}
    assert set(records) == {"earlier", "good", "long-verdict"}
    assert records["good"]["status"] == "ok" and records["earlier"]["status"] == "ok"
    assert records["long-verdict"]["status"] == "harness-error"
    assert "could not be stored" in str(records["long-verdict"]["reason"])


def _record(probe_id: str) -> dict[str, object]:
    record = dict(fictional_results()["probes"][0])
    record["id"] = probe_id
    return record


def test_a_file_that_was_never_readable_is_not_said_to_have_changed(tmp_path: Path) -> None:
    path = tmp_path / "fictional.json"
    path.write_text("{not json", encoding="utf-8")
    writer = ResultsWriter(path)
    writer.document["probes"] = [_record("a")]  # type: ignore[list-item]
    with pytest.raises(ResultsNotWritten) as refused:
        writer.finish()
    assert "changed" not in str(refused.value)
    assert "not a results file this run can add to" in str(refused.value)


def test_a_file_changed_by_another_program_is_said_to_have_changed(tmp_path: Path) -> None:
    path = tmp_path / "fictional.json"
    writer = ResultsWriter(path)
    writer.add(_record("a"))  # type: ignore[arg-type]
    path.write_text("{not json", encoding="utf-8")  # someone else, between two records
    with pytest.raises(ResultsNotWritten) as refused:
        writer.add(_record("b"))  # type: ignore[arg-type]
    assert "another program changed it since this run last wrote it" in str(refused.value)


def test_a_record_the_reader_would_refuse_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "fictional.json"
    writer = ResultsWriter(path)
    writer.add(_record("a"))  # type: ignore[arg-type]
    bad = _record("b")
    bad["verdict"] = "v" * 5000  # over the reader's 4,096 characters
    writer.add(bad)  # type: ignore[arg-type]
    writer.add(_record("c"))  # type: ignore[arg-type]
    writer.finish()
    records = {r["id"]: r for r in read_results(path, 1)["probes"]}
    assert [records[i]["status"] for i in "abc"] == ["ok", "harness-error", "ok"]
    assert "at probes/0/verdict" in str(records["b"]["reason"])
