"""`pytest probes/` collects YAML probes as items, also under xdist."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from helpers.probes import slow_probe

from matrix.probe.selection import builtin_probe_dir

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


def user_folder(pytester: pytest.Pytester, name: str = "my-checks", assume: str = "") -> Path:
    """A user's probe folder with no special name, one real fast probe in it."""
    folder = pytester.path / name
    folder.mkdir()
    source = next(builtin_probe_dir().rglob("close-unread-data-resets.yaml"))
    text = source.read_text(encoding="utf-8")
    (folder / source.name).write_text(text + assume, encoding="utf-8")
    return folder / source.name


HOLDS = "assumptions:\n  all:\n    close: {outcome: returned}\n"
# The probe's peer-recv raises ECONNRESET (its own documentation quotes why), never
# one of these: the assumption, a list meaning "any of these", breaks here.
BROKEN_LINE = "    peer-recv: {outcome: raised, error: [EPIPE, ENOTCONN]}"
BREAKS = f"assumptions:\n  all:\n{BROKEN_LINE}\n"


def test_a_folder_with_any_name_is_collected_and_verdicts_are_reported(
    pytester: pytest.Pytester,
) -> None:
    user_folder(pytester, assume=HOLDS)
    # -n 2: every xdist worker must collect the same items from a folder named only here.
    result = pytester.runpytest_subprocess("my-checks", "-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*= sockmatrix verdicts =*",
            "close-unread-data-resets [[]ok[]] close: ok (immediate) · peer-recv: *",
            "sockmatrix: 1 probe result(s) written to *results*.json",
        ]
    )
    written = list((pytester.path / "results").glob("*.json"))
    assert len(written) == 1, "results go beside the invocation, not into the probe folder"
    assert not (pytester.path / "my-checks" / "results").exists()
    record = json.loads(written[0].read_text(encoding="utf-8"))["probes"][0]
    assert record["probe"]["title"] == "close() with unread data in the receive buffer"


def test_an_explicit_file_and_node_id_are_collected(pytester: pytest.Pytester) -> None:
    path = user_folder(pytester, name="elsewhere")
    node = f"{path.relative_to(pytester.path).as_posix()}::close-unread-data-resets"
    result = pytester.runpytest_subprocess(node, "--sockmatrix-results", "none")
    result.assert_outcomes(passed=1)


def test_a_broken_assumption_fails_the_item_with_file_and_line(
    pytester: pytest.Pytester,
) -> None:
    path = user_folder(pytester, assume=BREAKS)
    line = path.read_text(encoding="utf-8").splitlines().index(BROKEN_LINE) + 1
    result = pytester.runpytest_subprocess("my-checks", "--sockmatrix-results", "none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "1 broken assumption(s):",
            f"my-checks/close-unread-data-resets.yaml:{line}: close-unread-data-resets: step "
            "'peer-recv' on *: assumed raised EPIPE or ENOTCONN, observed raised ECONNRESET "
            "(immediate)",
            "close-unread-data-resets [[]ok, 1 assumption(s) broken[]] close: *",
            "1 broken assumption(s) in 1 probe(s)",
        ]
    )


def test_ini_options_choose_probe_folders_and_the_results_file(
    pytester: pytest.Pytester,
) -> None:
    user_folder(pytester, name="socket-checks")
    other = user_folder(pytester, name="unrelated")
    other.rename(other.with_name("not-collected.yaml"))  # probe-shaped, but not configured
    pytester.makeini(
        "[pytest]\nsockmatrix_probe_paths = socket-checks\nsockmatrix_results = out/sockets.json\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    document = json.loads((pytester.path / "out" / "sockets.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in document["probes"]] == ["close-unread-data-resets"]


POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="sends POSIX signals")


@POSIX_ONLY
def test_killing_an_xdist_worker_still_writes_the_other_results(
    pytester: pytest.Pytester,
) -> None:
    probes = pytester.path / "probes"
    probes.mkdir()
    for name in ("alpha", "beta", "victim"):
        (probes / f"{name}.yaml").write_text(slow_probe(name, seconds=0.2), encoding="utf-8")
    pytester.makeconftest("""
        import os, signal
        def pytest_runtest_call(item):
            if item.name == "victim":
                os.kill(os.getpid(), signal.SIGKILL)
    """)
    result = pytester.runpytest_subprocess(
        "probes", "-n", "2", "--max-worker-restart", "1", "--sockmatrix-results", "out.json"
    )
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*victim*crashed*"])
    document = json.loads((pytester.path / "out.json").read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in document["probes"]) == ["alpha", "beta"]
