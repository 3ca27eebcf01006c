"""`pytest probes/` collects YAML probes as items, also under xdist."""

from __future__ import annotations

import json
import shutil

import pytest

from matrix.selection import builtin_probe_dir

SEEDS = ["close-unread-data-resets", "shutdown-wakes-blocked-recv"]


def copy_seeds(pytester: pytest.Pytester) -> None:
    target = pytester.path / "probes"
    target.mkdir()
    for seed in SEEDS:
        source = next(builtin_probe_dir().rglob(f"{seed}.yaml"))
        shutil.copy(source, target / source.name)


def test_probes_run_in_parallel_and_results_are_written_once(pytester: pytest.Pytester) -> None:
    copy_seeds(pytester)
    result = pytester.runpytest_subprocess(
        "probes", "-n", "2", "--sockmatrix-results", "out.json", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2)
    document = json.loads((pytester.path / "out.json").read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in document["probes"]) == sorted(SEEDS)
    assert document["complete"] is True
    assert all(p["status"] == "ok" for p in document["probes"])
    result.stdout.fnmatch_lines(["*sockmatrix: 2 probe result(s) written to*out.json"])


def test_k_selects_probes_by_id(pytester: pytest.Pytester) -> None:
    copy_seeds(pytester)
    result = pytester.runpytest_subprocess(
        "probes", "-k", "shutdown", "--sockmatrix-results", "none"
    )
    result.assert_outcomes(passed=1, deselected=1)
    assert not (pytester.path / "results").exists()


def test_invalid_probe_fails_with_a_readable_report(pytester: pytest.Pytester) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    (probes / "broken.yaml").write_text(
        "id: broken\ntitle: t\nquestion: q\nstesp: []\n", encoding="utf-8"
    )
    result = pytester.runpytest_subprocess("probes", "--sockmatrix-results", "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*invalid probe:*",
            "*broken.yaml:4: stesp → unknown key (did you mean 'steps'?)",
        ]
    )


def test_other_yaml_in_a_probes_folder_is_left_alone(pytester: pytest.Pytester) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    (probes / "kubernetes.yaml").write_text(
        "livenessProbe:\n  httpGet: {path: /health, port: 8080}\nid: x\n", encoding="utf-8"
    )
    result = pytester.runpytest_subprocess("probes")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_yaml_outside_a_probes_folder_is_not_collected(pytester: pytest.Pytester) -> None:
    (pytester.path / "config.yaml").write_text("a: 1\n", encoding="utf-8")
    result = pytester.runpytest_subprocess(".")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
