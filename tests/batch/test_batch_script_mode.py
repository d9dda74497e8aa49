"""napi-fix as the per-repository script of multi-gitter, git-xargs and
`turbolift foreach`: `napi-fix .` in a git checkout leaves its edits in the
working tree for the tool to commit, DRY_RUN=true (multi-gitter's
--dry-run) previews instead, and the exit codes stay those of a single run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from checkout import EXAMPLES
from codemod.cli import main

EXAMPLE = EXAMPLES / "leaky-addon"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], cwd=root, check=True)
    monkeypatch.chdir(root)
    return root


def changed_files(root: Path) -> list[str]:
    out = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    return sorted(line[3:] for line in out.stdout.splitlines())


@pytest.mark.parametrize(
    "dry_run, code, changed",
    [
        pytest.param(None, 0, ["package-lock.json", "package.json"], id="unset: edits left in the tree"),
        pytest.param("false", 0, ["package-lock.json", "package.json"], id="false"),
        pytest.param("true", 1, [], id="true: a preview"),
        pytest.param("TRUE", 1, [], id="any case"),
        pytest.param("1", 1, [], id="1"),
    ],
)
def test_dry_run_environment_variable(checkout, monkeypatch, capfdbinary, dry_run, code, changed):
    if dry_run is None:
        monkeypatch.delenv("DRY_RUN", raising=False)
    else:
        monkeypatch.setenv("DRY_RUN", dry_run)
    assert main(["."]) == code
    assert changed_files(checkout) == changed


def test_the_preview_is_the_diff_the_real_run_leaves(checkout, monkeypatch, capfdbinary):
    monkeypatch.setenv("DRY_RUN", "true")
    assert main(["."]) == 1
    preview = capfdbinary.readouterr().out
    monkeypatch.delenv("DRY_RUN")
    assert main(["."]) == 0
    written = {name: (checkout / name).read_bytes() for name in changed_files(checkout)}
    assert main(["--dry-run", "."]) == 0  # nothing left: a script run twice is a no-op
    subprocess.run(["git", "checkout", "-q", "."], cwd=checkout, check=True)
    subprocess.run(["git", "apply", "-"], input=preview, cwd=checkout, check=True)
    assert {name: (checkout / name).read_bytes() for name in changed_files(checkout)} == written
