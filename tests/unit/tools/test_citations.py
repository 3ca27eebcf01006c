"""The citation-rot check, against small git repositories made here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from matrix.tools import citations

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

ORIGINAL = "int a;\nok(listen(s, 1) == -1);\nok(err == WSAEINVAL);\nint b;\n"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    return result.stdout.strip()


def commit(repo: Path, files: dict[str, str | None]) -> str:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def source(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "source"
    repo.mkdir()
    git(repo, "init", "-q")
    return repo, commit(repo, {"dlls/sock.c": ORIGINAL})


def probe_file(
    folder: Path, cited: str, first: int = 2, last: int = 3, quote: str | None = None
) -> Path:
    lines = (quote or "ok(listen(s, 1) == -1);\n    ok(err == WSAEINVAL);").split("\n")
    block = "\n".join(f"        {line.strip()}" for line in lines)
    path = folder / "probes" / "p.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "id: p\n"
        "documented:\n"
        "  windows:\n"
        "    - kind: test\n"
        "      source: a conformance test\n"
        "      repository: owner/source\n"
        f"      commit: {cited}\n"
        "      path: dlls/sock.c\n"
        f"      line: {first}\n"
        f"      last_line: {last}\n"
        "      quote: |-\n"
        f"{block}\n",
        encoding="utf-8",
    )
    return path


def statuses(probe: Path, repo: Path, ref: str = "HEAD") -> list[tuple[str, str]]:
    found = citations.run([probe], {"owner/source": repo}, ref)
    return [(finding.status, finding.detail) for finding in found]


def test_a_line_that_did_not_change_is_current(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    assert statuses(probe_file(tmp_path, pinned), repo) == [("ok", ""), ("current", "")]


def test_a_line_that_moved_is_reported_with_its_new_lines(
    source: tuple[Path, str], tmp_path: Path
) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": "/* new */\n/* header */\n" + ORIGINAL})
    assert statuses(probe_file(tmp_path, pinned), repo) == [
        ("ok", ""),
        ("moved", "L2-L3 is now L4-L5 at HEAD"),
    ]


def test_a_reindented_line_has_not_moved(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": ORIGINAL.replace("ok(err", "\t  ok(err")})
    assert statuses(probe_file(tmp_path, pinned), repo)[1] == ("current", "")


def test_a_changed_line_is_reported(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": ORIGINAL.replace("WSAEINVAL", "WSAEISCONN")})
    assert statuses(probe_file(tmp_path, pinned), repo)[1] == (
        "changed",
        "the quote of L2-L3 is nowhere at HEAD",
    )


def test_a_vanished_file_is_reported(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": None, "dlls/other.c": ORIGINAL})
    assert statuses(probe_file(tmp_path, pinned), repo)[1] == (
        "vanished",
        "no dlls/sock.c at HEAD",
    )


def test_a_quote_that_is_not_the_cited_lines_is_wrong(
    source: tuple[Path, str], tmp_path: Path
) -> None:
    repo, pinned = source
    probe = probe_file(tmp_path, pinned, quote="ok(listen(s, 1) == -1);\nok(err == WSAEISCONN);")
    assert statuses(probe, repo) == [("wrong", f"L2-L3 at {pinned[:12]} is not the quote")]


def test_lines_one_off_are_wrong(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    assert statuses(probe_file(tmp_path, pinned, 1, 2), repo)[0][0] == "wrong"


def test_a_commit_the_clone_lacks_is_reported(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, _ = source
    assert statuses(probe_file(tmp_path, "a" * 40), repo)[0][0] == "missing-commit"


def test_the_newer_copy_can_be_any_ref(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": "\n" + ORIGINAL})
    probe = probe_file(tmp_path, pinned)
    assert statuses(probe, repo, pinned)[1] == ("current", "")
    assert statuses(probe, repo, "HEAD")[1][0] == "moved"


def test_without_clones_the_check_skips_and_says_so(
    source: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, pinned = source
    monkeypatch.delenv(citations.CLONES_VARIABLE, raising=False)
    probe = probe_file(tmp_path, pinned)
    assert citations.main([str(probe)]) == 0
    assert "skipped, no clone given" in capsys.readouterr().out


def test_a_repository_without_a_clone_is_named(
    source: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, pinned = source
    monkeypatch.delenv(citations.CLONES_VARIABLE, raising=False)
    probe = probe_file(tmp_path, pinned)
    assert citations.main([str(probe), "--clone", f"other/repo={repo}"]) == 0
    assert "skipped owner/source, no clone given" in capsys.readouterr().out


def test_drift_fails_only_when_strict(
    source: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, pinned = source
    commit(repo, {"dlls/sock.c": "\n" + ORIGINAL})
    probe = probe_file(tmp_path, pinned)
    monkeypatch.setenv(citations.CLONES_VARIABLE, f"owner/source={repo}")
    assert citations.main([str(probe)]) == 0
    assert "moved: L2-L3 is now L3-L4 at HEAD" in capsys.readouterr().out
    assert citations.main([str(probe), "--strict"]) == 1


def test_a_wrong_quote_fails_the_run(
    source: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, pinned = source
    monkeypatch.delenv(citations.CLONES_VARIABLE, raising=False)
    probe = probe_file(tmp_path, pinned, quote="x\ny")
    assert citations.main([str(probe), "--clone", f"owner/source={repo}"]) == 1


@pytest.mark.parametrize("pair", ["owner/source", "=path", "owner/source="])
def test_a_malformed_clone_is_refused(pair: str) -> None:
    with pytest.raises(ValueError, match="owner/name=path"):
        citations.parse_clones([pair], None)


def test_clones_come_from_options_and_the_environment() -> None:
    clones = citations.parse_clones(["a/b=/x"], "c/d=/y; e/f=/z")
    assert clones == {"a/b": Path("/x"), "c/d": Path("/y"), "e/f": Path("/z")}


def test_runtime_citations_are_checked_too(source: tuple[Path, str], tmp_path: Path) -> None:
    repo, pinned = source
    probe = tmp_path / "r.yaml"
    probe.write_text(
        "id: r\nruntimes:\n  - runtime: java\n    repository: owner/source\n"
        f"    commit: {pinned}\n    path: dlls/sock.c\n    line: 4\n    quote: int b;\n",
        encoding="utf-8",
    )
    assert statuses(probe, repo) == [("ok", ""), ("current", "")]


def test_every_cited_line_of_the_library_is_collected() -> None:
    library = Path(__file__).resolve().parents[3] / "probes"
    found = citations.collect([library])
    assert found, "the library cites lines"
    assert all(c.last - c.first + 1 == len(c.quote) for c in found)


def test_without_git_the_check_says_so(
    source: tuple[Path, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, pinned = source
    probe = probe_file(tmp_path, pinned)
    monkeypatch.setattr(citations.shutil, "which", lambda name: None)
    assert citations.main([str(probe), "--clone", f"owner/source={repo}"]) == 2
    assert "git is not installed" in capsys.readouterr().out
